// Internal to graph/: the keys, names and kind codes of a base's entities, packed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace relgraph::graph::detail {

// The key, name and kind code of every vertex of a base. Keys and names lie in one text arena,
// vertex v's key followed by its name; one 8-byte record per vertex holds where that text starts,
// the key's length and the kind code (Snapshot::Impl::kind_names_), and the next record's start
// ends the name. So an entity costs 8 bytes besides its text, where an EntityRow took 104 plus a
// heap block for each string longer than 15 bytes, and a look-up reads one record and the text
// (two cache misses, as a row and its key's heap block were). Ids are kept apart
// (Base::entity_id).
//
// Contract: filled once, vertex after vertex by push_back or whole by assign, then read-only;
// the string_views key() and name() return stay valid and unchanged while the table lives.
// Keys and names are any bytes (empty, non-ASCII, not UTF-8). The arena is limited to 4 GiB by
// its 32-bit offsets: reserve, push_back and assign throw std::length_error past it. A key of
// 65535 bytes or more does not fit a record's 16-bit length: it is allowed, its length kept in
// a side list (long_keys_) that only such keys read.
class EntityTable {
 public:
  EntityTable() : records_{Record{}} {}

  // Room for `vertices` more vertices with `text_bytes` more of keys and names together. Throws
  // std::length_error, before allocating, when that text would take the arena past 4 GiB.
  void reserve(size_t vertices, size_t text_bytes) {
    if (text_bytes > UINT32_MAX - text_.size()) throw_too_long();
    records_.reserve(records_.size() + vertices);
    text_.reserve(text_.size() + text_bytes);
  }

  // Appends vertex size(). Throws std::length_error when the arena would pass 4 GiB (the table
  // is then unchanged).
  void push_back(std::string_view key, std::string_view name, uint16_t kind) {
    const uint64_t end = uint64_t{text_.size()} + key.size() + name.size();
    if (end > UINT32_MAX) throw_too_long();
    text_.insert(text_.end(), key.begin(), key.end());
    text_.insert(text_.end(), name.begin(), name.end());
    finish_record(key.size(), kind, static_cast<uint32_t>(end));
  }

  // Adopts an arena laid out as this table lays it out: every vertex's key and name, in vertex
  // order; lengths[2v] and lengths[2v + 1] are vertex v's key and name lengths, kinds[v] its kind
  // code. Returns false, the table left empty, when the lengths do not cover `text` exactly or
  // there is not one kind per vertex. Throws std::length_error when the text passes 4 GiB.
  // REQUIRES: the table is empty.
  bool assign(std::vector<char> text, const std::vector<uint32_t>& lengths,
              const std::vector<uint16_t>& kinds) {
    if (text.size() > UINT32_MAX) throw_too_long();
    const size_t vertices = kinds.size();
    if (lengths.size() != 2 * vertices) return false;
    records_.reserve(vertices + 1);
    uint64_t end = 0;
    for (size_t v = 0; v < vertices; ++v) {
      end += uint64_t{lengths[2 * v]} + lengths[2 * v + 1];
      if (end > text.size()) break;
      finish_record(lengths[2 * v], kinds[v], static_cast<uint32_t>(end));
    }
    if (size() != vertices || end != text.size()) {
      *this = EntityTable();
      return false;
    }
    text_ = std::move(text);
    return true;
  }

  uint32_t size() const { return static_cast<uint32_t>(records_.size() - 1); }

  // The whole arena, as assign() takes it (for the snapshot image).
  const std::vector<char>& text() const { return text_; }
  // Heap bytes held.
  size_t bytes() const {
    return text_.capacity() + records_.capacity() * sizeof(Record) +
           long_keys_.capacity() * sizeof(long_keys_[0]);
  }

  uint16_t kind(uint32_t v) const { return records_[v].kind; }

  uint32_t key_length(uint32_t v) const {
    const uint16_t length = records_[v].key_length;
    return length != kLongKey ? length : long_key_length(v);
  }
  uint32_t name_length(uint32_t v) const {
    return records_[v + 1].offset - records_[v].offset - key_length(v);
  }

  std::string_view key(uint32_t v) const {
    return {text_.data() + records_[v].offset, key_length(v)};
  }
  std::string_view name(uint32_t v) const {
    const uint32_t name_at = records_[v].offset + key_length(v);
    return {text_.data() + name_at, records_[v + 1].offset - name_at};
  }

 private:
  static constexpr uint16_t kLongKey = UINT16_MAX;

  struct Record {
    uint32_t offset = 0;      // where the vertex's key starts in text_
    uint16_t key_length = 0;  // kLongKey: the length is in long_keys_
    uint16_t kind = 0;        // kind code
  };
  static_assert(sizeof(Record) == 8);

  // Out of line, so that the search does not weigh on every look-up's code.
  [[gnu::noinline, gnu::cold]] uint32_t long_key_length(uint32_t v) const {
    return std::lower_bound(long_keys_.begin(), long_keys_.end(), std::pair{v, uint32_t{0}})
        ->second;
  }

  [[noreturn]] static void throw_too_long() {
    throw std::length_error("relgraph: entity keys and names pass 4 GiB");
  }

  // Completes vertex size()'s record (the last, which so far held only its start) and starts
  // the next at `end`.
  void finish_record(size_t key_length, uint16_t kind, uint32_t end) {
    Record& record = records_.back();
    if (key_length >= kLongKey) {
      long_keys_.emplace_back(size(), static_cast<uint32_t>(key_length));
    }
    record.key_length = static_cast<uint16_t>(std::min<size_t>(key_length, kLongKey));
    record.kind = kind;
    records_.push_back(Record{end, 0, 0});
  }

  std::vector<char> text_;
  // size() + 1: the last holds only where the text ends.
  std::vector<Record> records_;
  std::vector<std::pair<uint32_t, uint32_t>> long_keys_;  // (vertex, key length) by vertex
};

}  // namespace relgraph::graph::detail
