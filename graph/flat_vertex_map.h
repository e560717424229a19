// Internal to graph/: per-query scratch keyed by vertex index.
//
// A traversal must cost what it touches, not what the graph holds, so its visited set cannot be
// an array of one entry per vertex (1M writes to clear at 10M relations). This open-addressing
// table starts small and doubles with the number of vertices inserted. Not thread-safe: each
// query owns its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace relgraph::graph::detail {

class FlatVertexMap {
 public:
  // `expected`: how many keys the caller expects; only a sizing hint.
  explicit FlatVertexMap(size_t expected = 8) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    reset(capacity);
  }

  // The value stored for `key`, or nullptr when absent.
  const uint32_t* find(uint32_t key) const {
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmptyKey) return nullptr;
    }
  }

  bool contains(uint32_t key) const { return find(key) != nullptr; }

  // Inserts key -> value. Returns false (and keeps the old value) when key is already present.
  // REQUIRES: key != UINT32_MAX (the empty marker; vertex indices never reach it).
  bool insert(uint32_t key, uint32_t value) {
    // Keeping the load at most one half keeps probe sequences short under linear probing.
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return false;
      if (slots_[i].key == kEmptyKey) {
        slots_[i] = Slot{key, value};
        ++size_;
        return true;
      }
    }
  }

  // Stores key -> value, replacing the value when key is already present.
  // REQUIRES: key != UINT32_MAX.
  void insert_or_assign(uint32_t key, uint32_t value) {
    if (!insert(key, value)) {
      for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
        if (slots_[i].key == key) {
          slots_[i].value = value;
          return;
        }
      }
    }
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  static constexpr uint32_t kEmptyKey = UINT32_MAX;

  struct Slot {
    uint32_t key = kEmptyKey;
    uint32_t value = 0;
  };

  // Fibonacci hashing: vertex indices are dense integers, and the multiply spreads runs of
  // neighbouring indices over the table.
  size_t slot_of(uint32_t key) const {
    return static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void reset(size_t capacity) {
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    int bits = 0;
    while ((size_t{1} << bits) < capacity) ++bits;
    shift_ = 64 - bits;
    size_ = 0;
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    reset(old.size() * 2);
    for (const Slot& slot : old) {
      if (slot.key != kEmptyKey) insert(slot.key, slot.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 0;
  size_t size_ = 0;
};

}  // namespace relgraph::graph::detail
