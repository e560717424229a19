// Internal to graph/: the base's relations in a compact layout.
//
// A RelationRow is 56 bytes; at 10M relations the rows alone were half of a snapshot's memory.
// The table keeps per relation one 12-byte record: where the relation's end at its subject lies
// in the adjacency (its ends as vertices follow from there: Base::relation_ends), dates in 16
// bits, counts in 8, the type and two flags. Values that do not fit (counts above 255, dates
// before 1970 or after 2149) are rare; such a relation is flagged wide and its exact values
// live in a side table, found by binary search. Relation ids are not stored when they are
// consecutive (SQLite rowids without gaps): the id of index r is then first + r.
//
// While the base is being built the table also holds each relation's ends as vertices
// (pending_ends), until the adjacency that places them is built (place, then drop_pending_ends).
//
// Immutable once built; concurrent reads are safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace relgraph::graph::detail {

// Edge flags, which traversals report with each edge (EdgeBundle::flags).
inline constexpr uint8_t kSymmetric = 1;
inline constexpr uint8_t kNegatedOnly = 2;  // every piece of evidence denies the relation
inline constexpr uint8_t kSelfLoop = 4;

// What traversals read of a relation besides its ends and type: the values filters and path
// weights use, exact (wide ones resolved).
struct RelationFacts {
  uint32_t evidence_count = 0;
  uint32_t negated_count = 0;
  uint32_t attributed_count = 0;
  int32_t first_seen = 0;
  int32_t last_seen = 0;

  // Supporting (not negated) evidence rows.
  uint32_t support() const {
    return evidence_count > negated_count ? evidence_count - negated_count : 0;
  }
  // A relation without evidence has nothing that asserts it either, so it counts as negated.
  bool negated_only() const { return negated_count >= evidence_count; }
};

// One relation as the table holds it. When wide() the narrow fields are not meaningful.
struct RelationRecord {
  // The index of the relation's end at its subject in the adjacency that holds it (Base::live,
  // or Base::negated when negated-only); set once that is built (RelationTable::place).
  uint32_t subject_end = 0;
  uint16_t first_seen = 0;
  uint16_t last_seen = 0;
  uint8_t evidence_count = 0;
  uint8_t negated_count = 0;
  uint8_t attributed_count = 0;
  uint8_t bits = 0;  // type (bits 0-5) | kSymmetricBit | kWideBit

  static constexpr uint8_t kSymmetricBit = 64;
  static constexpr uint8_t kWideBit = 128;
  uint8_t type() const { return bits & 63; }
  bool symmetric() const { return (bits & kSymmetricBit) != 0; }
  bool wide() const { return (bits & kWideBit) != 0; }
};
static_assert(sizeof(RelationRecord) == 12);

inline RelationFacts facts_of(const RelationRow& row) {
  return {row.evidence_count, row.negated_count, row.attributed_count, row.first_seen,
          row.last_seen};
}

// The edge flags a relation row gives (kSymmetric, kNegatedOnly, kSelfLoop).
inline uint8_t edge_flags(const RelationRow& row) {
  uint8_t flags = 0;
  if (row.symmetric) flags |= kSymmetric;
  if (facts_of(row).negated_only()) flags |= kNegatedOnly;
  if (row.subject == row.object) flags |= kSelfLoop;
  return flags;
}

class RelationTable {
 public:
  // Appends relation index size(): `row` with its ends already resolved to vertices.
  // REQUIRES: row.id greater than every id appended before; row.type < 64.
  void push_back(const RelationRow& row, uint32_t subject, uint32_t object) {
    if (records_.size() >= std::numeric_limits<uint32_t>::max() - 1) {
      throw std::length_error("relgraph: too many relations for 32-bit relation indices");
    }
    const auto r = static_cast<uint32_t>(records_.size());
    RelationRecord& record = records_.emplace_back();
    pending_ends_.emplace_back(subject, object);
    record.bits = static_cast<uint8_t>(row.type);
    if (row.symmetric) record.bits |= RelationRecord::kSymmetricBit;
    if (fits(row)) {
      record.first_seen = static_cast<uint16_t>(row.first_seen);
      record.last_seen = static_cast<uint16_t>(row.last_seen);
      record.evidence_count = static_cast<uint8_t>(row.evidence_count);
      record.negated_count = static_cast<uint8_t>(row.negated_count);
      record.attributed_count = static_cast<uint8_t>(row.attributed_count);
    } else {
      record.bits |= RelationRecord::kWideBit;
      wide_index_.push_back(r);
      wide_facts_.push_back(facts_of(row));
    }
    if (ids_.empty() && (r == 0 || row.id == first_id_ + r)) {
      if (r == 0) first_id_ = row.id;
      return;
    }
    // The ids stopped being consecutive: from here on every id is stored.
    if (ids_.empty()) {
      ids_.reserve(records_.capacity());
      for (uint32_t i = 0; i < r; ++i) ids_.push_back(first_id_ + i);
    }
    ids_.push_back(row.id);
  }

  // Relation r's (subject, object) vertices as push_back was given them, until
  // drop_pending_ends().
  bool has_pending_ends() const { return !pending_ends_.empty(); }
  std::pair<uint32_t, uint32_t> pending_ends(uint32_t r) const { return pending_ends_[r]; }
  // Records where relation r's end at its subject lies (RelationRecord::subject_end).
  void place(uint32_t r, uint32_t subject_end) { records_[r].subject_end = subject_end; }
  void drop_pending_ends() { std::vector<std::pair<uint32_t, uint32_t>>().swap(pending_ends_); }

  void reserve(size_t relations) {
    records_.reserve(relations);
    pending_ends_.reserve(relations);
  }
  // The records' storage, reserved capacity included (for prefaulting its pages).
  std::pair<const void*, size_t> reserved_bytes() const {
    return {records_.data(), records_.capacity() * sizeof(RelationRecord)};
  }
  // True when the next push_back reallocates.
  bool at_capacity() const { return records_.size() == records_.capacity(); }
  // Releases spare capacity once the table is complete.
  void shrink_to_fit() {
    records_.shrink_to_fit();
    pending_ends_.shrink_to_fit();
    ids_.shrink_to_fit();
    wide_index_.shrink_to_fit();
    wide_facts_.shrink_to_fit();
  }

  uint32_t size() const { return static_cast<uint32_t>(records_.size()); }
  bool empty() const { return records_.empty(); }
  // True when ids are first_id() + index (no per-relation id is stored).
  bool dense_ids() const { return ids_.empty(); }
  int64_t first_id() const { return first_id_; }
  size_t wide_count() const { return wide_index_.size(); }
  // Heap bytes held.
  size_t bytes() const {
    return records_.capacity() * sizeof(RelationRecord) +
           pending_ends_.capacity() * sizeof(pending_ends_[0]) + ids_.capacity() * sizeof(int64_t) +
           wide_index_.capacity() * sizeof(uint32_t) +
           wide_facts_.capacity() * sizeof(RelationFacts);
  }

  const RelationRecord& record(uint32_t r) const { return records_[r]; }
  uint8_t type(uint32_t r) const { return records_[r].type(); }
  bool symmetric(uint32_t r) const { return records_[r].symmetric(); }
  bool negated_only(uint32_t r) const { return facts(r).negated_only(); }
  int64_t id(uint32_t r) const { return ids_.empty() ? first_id_ + r : ids_[r]; }

  RelationFacts facts(uint32_t r) const {
    const RelationRecord& record = records_[r];
    if (record.wide()) {
      auto it = std::lower_bound(wide_index_.begin(), wide_index_.end(), r);
      return wide_facts_[static_cast<size_t>(it - wide_index_.begin())];
    }
    return {record.evidence_count, record.negated_count, record.attributed_count, record.first_seen,
            record.last_seen};
  }

  // The row as it was given, with `subject_id` and `object_id` the ids of the record's ends.
  RelationRow row(uint32_t r, EntityId subject_id, EntityId object_id) const {
    const RelationRecord& record = records_[r];
    const RelationFacts f = facts(r);
    RelationRow row;
    row.id = id(r);
    row.type = record.type();
    row.subject = subject_id;
    row.object = object_id;
    row.symmetric = record.symmetric();
    row.evidence_count = f.evidence_count;
    row.negated_count = f.negated_count;
    row.attributed_count = f.attributed_count;
    row.first_seen = f.first_seen;
    row.last_seen = f.last_seen;
    return row;
  }

 private:
  friend struct ImageCodec;  // graph/snapshot_image.cpp saves and restores the arrays

  static bool fits(const RelationRow& row) {
    constexpr uint32_t kMaxCount = std::numeric_limits<uint8_t>::max();
    constexpr int32_t kMaxDay = std::numeric_limits<uint16_t>::max();
    return row.evidence_count <= kMaxCount && row.negated_count <= kMaxCount &&
           row.attributed_count <= kMaxCount && row.first_seen >= 0 && row.first_seen <= kMaxDay &&
           row.last_seen >= 0 && row.last_seen <= kMaxDay;
  }

  std::vector<RelationRecord> records_;
  std::vector<std::pair<uint32_t, uint32_t>> pending_ends_;  // while the base is built
  int64_t first_id_ = 0;
  std::vector<int64_t> ids_;               // empty while the ids are consecutive
  std::vector<uint32_t> wide_index_;       // indices of the wide records, ascending
  std::vector<RelationFacts> wide_facts_;  // their exact values
};

}  // namespace relgraph::graph::detail
