// Internal to graph/: the keys and names of a base's entities, packed into one text arena.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace relgraph::graph::detail {

// The key and name of every vertex of a base, vertex v's key followed by its name at
// [offsets_[v], offsets_[v + 1]) of one text arena, the key being its first key_length(v) bytes.
// 6 bytes per vertex besides the text, where an EntityRow's three std::strings took 96 bytes
// plus a heap block for each string longer than 15 bytes. Ids and kind codes are kept apart
// (Base::entity_id, Base::kinds).
//
// Contract: filled once, vertex after vertex by push_back or whole by assign, then read-only;
// the string_views key() and name() return stay valid and unchanged while the table lives.
// Keys and names are any bytes (empty, non-ASCII, not UTF-8). The arena is limited to 4 GiB by
// its 32-bit offsets: push_back and assign throw std::length_error past it. A key of 65535 bytes
// or more does not fit the 16-bit length array: it is allowed, its length kept in a side list
// (long_keys_) that only such keys read.
class EntityTable {
 public:
  EntityTable() : offsets_{0} {}

  // Room for `vertices` more vertices with `text_bytes` more of keys and names together. Throws
  // std::length_error, before allocating, when that text would take the arena past 4 GiB.
  void reserve(size_t vertices, size_t text_bytes) {
    if (text_bytes > UINT32_MAX - text_.size()) throw_too_long();
    key_lengths_.reserve(key_lengths_.size() + vertices);
    offsets_.reserve(offsets_.size() + vertices);
    text_.reserve(text_.size() + text_bytes);
  }

  // Appends vertex size(). Throws std::length_error when the arena would pass 4 GiB (the table
  // is then unchanged).
  void push_back(std::string_view key, std::string_view name) {
    const uint64_t end = uint64_t{text_.size()} + key.size() + name.size();
    if (end > UINT32_MAX) throw_too_long();
    text_.insert(text_.end(), key.begin(), key.end());
    text_.insert(text_.end(), name.begin(), name.end());
    offsets_.push_back(static_cast<uint32_t>(end));
    push_key_length(key.size());
  }

  // Adopts an arena laid out as this table lays it out: every vertex's key and name, in vertex
  // order; lengths[2v] and lengths[2v + 1] are vertex v's key and name lengths. Returns false,
  // the table left empty, when the lengths do not cover `text` exactly. Throws
  // std::length_error when the text passes 4 GiB.
  // REQUIRES: the table is empty.
  bool assign(std::vector<char> text, const std::vector<uint32_t>& lengths) {
    if (text.size() > UINT32_MAX) throw_too_long();
    if (lengths.size() % 2 != 0) return false;
    const size_t vertices = lengths.size() / 2;
    key_lengths_.reserve(vertices);
    offsets_.reserve(vertices + 1);
    uint64_t end = 0;
    for (size_t v = 0; v < vertices; ++v) {
      end += uint64_t{lengths[2 * v]} + lengths[2 * v + 1];
      if (end > text.size()) break;
      offsets_.push_back(static_cast<uint32_t>(end));
      push_key_length(lengths[2 * v]);
    }
    if (key_lengths_.size() != vertices || end != text.size()) {
      *this = EntityTable();
      return false;
    }
    text_ = std::move(text);
    return true;
  }

  uint32_t size() const { return static_cast<uint32_t>(key_lengths_.size()); }

  // The whole arena, as assign() takes it (for the snapshot image).
  const std::vector<char>& text() const { return text_; }

  uint32_t key_length(uint32_t v) const {
    const uint16_t length = key_lengths_[v];
    if (length != kLongKey) return length;
    return std::lower_bound(long_keys_.begin(), long_keys_.end(), std::pair{v, uint32_t{0}})
        ->second;
  }
  uint32_t name_length(uint32_t v) const { return offsets_[v + 1] - offsets_[v] - key_length(v); }

  std::string_view key(uint32_t v) const { return {text_.data() + offsets_[v], key_length(v)}; }
  std::string_view name(uint32_t v) const {
    const uint32_t name_at = offsets_[v] + key_length(v);
    return {text_.data() + name_at, offsets_[v + 1] - name_at};
  }

 private:
  static constexpr uint16_t kLongKey = UINT16_MAX;

  [[noreturn]] static void throw_too_long() {
    throw std::length_error("relgraph: entity keys and names pass 4 GiB");
  }

  void push_key_length(size_t length) {
    if (length >= kLongKey) long_keys_.emplace_back(size(), static_cast<uint32_t>(length));
    key_lengths_.push_back(static_cast<uint16_t>(std::min<size_t>(length, kLongKey)));
  }

  std::vector<char> text_;
  std::vector<uint32_t> offsets_;      // size() + 1: vertex v's text starts at offsets_[v]
  std::vector<uint16_t> key_lengths_;  // kLongKey: the length is in long_keys_
  std::vector<std::pair<uint32_t, uint32_t>> long_keys_;  // (vertex, key length) by vertex
};

}  // namespace relgraph::graph::detail
