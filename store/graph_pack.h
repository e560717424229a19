// Internal to store/: the packed copy of what the graph loader reads (schema version 4).
//
// Decoding SQLite records is most of a cold start: nine columns per relation, two of them text
// dates and one a text type name. The store therefore keeps, in the same database and in the same
// transactions as the rows, blocks of 1024 consecutive ids (block = id >> 10) whose rows are
// encoded compactly in one blob: relation_pack(block, data) and entity_pack(block, data). SQLite
// triggers on the relations and entities tables record every block a write touches in
// relation_pack_dirty / entity_pack_dirty, so no write path (ingest, merge, manual SQL) can
// leave a stale blob behind unnoticed; Store::repack_graph re-encodes the dirty blocks later.
// The loader decodes the clean blocks and reads the rows of the dirty ones.
//
// A blob carries its own block number, the names of the relation types (or entity kinds) it
// uses, and a checksum; decode_* validate every length and value before handing out a row and
// say what was wrong instead, so a damaged blob costs a fallback to the rows, never a crash or a
// wrong row. The values encoded are exactly what the loader computes from the rows (counts as
// uint32, dates as day numbers), so both paths give identical GraphRelationRows.
//
// Blob layout (integers are LEB128 varints, "z" ones zigzag-encoded signed values):
//   magic u32 ("RGR1" relations, "RGE1" entities), rows u32, checksum u64 of what follows,
//   z block, names count, names (length, bytes)...,
//   relations, per row: id gap (id - previous id - 1; the first from the block's first id),
//     type (index into the names), z subject, z object, evidence, negated, attributed,
//     z first_seen, z (last_seen - first_seen)
//   entities, per row: id gap, kind (index into the names), key (length, bytes), name (length,
//     bytes)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace relgraph::store::pack {

inline constexpr int kBlockShift = 10;  // 1024 ids per block
inline constexpr int64_t kBlockIds = int64_t{1} << kBlockShift;

// The block of an id (arithmetic shift: negative ids have negative blocks, as in SQL `id >> 10`).
inline int64_t block_of(int64_t id) { return id >> kBlockShift; }
// The first id of `block`.
inline int64_t first_id_of(int64_t block) {
  return static_cast<int64_t>(static_cast<uint64_t>(block) << kBlockShift);
}
// The last id of `block`.
inline int64_t last_id_of(int64_t block) { return first_id_of(block) + (kBlockIds - 1); }

// Encodes the rows of one relation block, added in increasing id order.
class RelationBlockEncoder {
 public:
  explicit RelationBlockEncoder(int64_t block);
  // REQUIRES: block_of(id) is this block and id is greater than the previous row's.
  void add(int64_t id, std::string_view type, int64_t subject, int64_t object,
           uint32_t evidence_count, uint32_t negated_count, uint32_t attributed_count,
           int32_t first_seen, int32_t last_seen);
  size_t rows() const { return rows_; }
  // The blob. The encoder is spent afterwards.
  std::string finish();

 private:
  int64_t block_;
  int64_t previous_;
  uint32_t rows_ = 0;
  std::vector<std::string> names_;
  std::string body_;
};

// Encodes the rows of one entity block, added in increasing id order.
class EntityBlockEncoder {
 public:
  explicit EntityBlockEncoder(int64_t block);
  // REQUIRES: block_of(id) is this block and id is greater than the previous row's.
  void add(int64_t id, std::string_view key, std::string_view name, std::string_view kind);
  size_t rows() const { return rows_; }
  std::string finish();

 private:
  int64_t block_;
  int64_t previous_;
  uint32_t rows_ = 0;
  std::vector<std::string> names_;
  std::string body_;
};

// Decodes a relation blob stored under `block`, appending its rows to `out` (cleared first) with
// types mapped to indices in `type_names` (-1 for a name not among them). Returns an empty
// string on success, else what is wrong with the blob (and `out` is cleared).
std::string decode_relations(std::string_view blob, int64_t block,
                             const std::vector<std::string>& type_names,
                             std::vector<GraphRelationRow>& out);

// Decodes an entity blob stored under `block` into `out` (cleared first; aliases left empty).
// Returns an empty string on success, else what is wrong with the blob (and `out` is cleared).
std::string decode_entities(std::string_view blob, int64_t block, std::vector<EntityRecord>& out);

// Recomputes the checksum of a blob whose bytes were changed (tests of the decoders' checks
// beyond the checksum). A blob shorter than its header is left as it is.
void reseal(std::string& blob);

}  // namespace relgraph::store::pack
