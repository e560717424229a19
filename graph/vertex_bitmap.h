// Internal to graph/: a set of vertices as one bit per vertex, for the traversals that test
// membership once per examined edge (a hash probe there cost more than the edge itself), and a
// map vertex -> uint32 built on the same bits.
//
// Each thread keeps a small pool of bitmaps that are reused from query to query: a query sets
// bits, and its lease clears exactly those bits when it ends, so a query costs what it touches;
// the thread pays once for vertex_count / 8 bytes per bitmap (125 KiB at 1M entities), plus a
// summary of one bit per 64 (2 KiB) that answers most of a sparse set's tests from L1. A query
// may hold several leases at once (a bidirectional search holds one per side); the pool grows
// to the most leases one thread has held at once. Not thread-safe: a lease belongs to one query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace relgraph::graph::detail {

class VertexBitmapLease;
class VertexMapLease;

// The storage; used through a lease. `values` is allocated only for map leases, and never
// initialised or cleared: an entry is meaningful only while its vertex's bit is set.
class VertexBitmap {
 private:
  friend class VertexBitmapLease;
  friend class VertexMapLease;

  void reserve(uint32_t vertex_count, bool with_values) {
    const size_t words = (size_t{vertex_count} + 63) / 64;
    if (words_.size() < words) words_.resize(words, 0);
    const size_t summary_words = (words + 63) / 64;
    if (summary_.size() < summary_words) summary_.resize(summary_words, 0);
    if (with_values && value_capacity_ < vertex_count) {
      // Uninitialised on purpose: the pages are touched only where a query stores a value.
      values_.reset(new uint32_t[vertex_count]);
      value_capacity_ = vertex_count;
    }
  }

  void clear_set_bits() {
    for (uint32_t v : set_) {
      words_[v >> 6] = 0;
      summary_[v >> 12] = 0;
    }
    set_.clear();
  }

  // This thread's pool entry that no live lease holds (a new one when all are held).
  static VertexBitmap* acquire() {
    thread_local std::vector<std::unique_ptr<VertexBitmap>> pool;
    for (const auto& bitmap : pool) {
      if (!bitmap->busy_) {
        bitmap->busy_ = true;
        return bitmap.get();
      }
    }
    pool.push_back(std::make_unique<VertexBitmap>());
    pool.back()->busy_ = true;
    return pool.back().get();
  }

  bool test(uint32_t v) const { return (words_[v >> 6] >> (v & 63)) & 1u; }
  // The summary tested first: when few bits are set (a neighbourhood's few hundred members),
  // most tests end there, in a few cache lines, instead of in a random line of the bitmap.
  bool test_sparse(uint32_t v) const {
    return ((summary_[v >> 12] >> ((v >> 6) & 63)) & 1u) != 0 && test(v);
  }
  bool insert(uint32_t v) {
    uint64_t& word = words_[v >> 6];
    const uint64_t bit = uint64_t{1} << (v & 63);
    if ((word & bit) != 0) return false;
    word |= bit;
    summary_[v >> 12] |= uint64_t{1} << ((v >> 6) & 63);
    set_.push_back(v);
    return true;
  }

  std::vector<uint64_t> words_;
  std::vector<uint64_t> summary_;  // bit w: words_[w] may be non-zero
  std::vector<uint32_t> set_;  // vertices whose bits are set: what the lease clears
  std::unique_ptr<uint32_t[]> values_;
  uint32_t value_capacity_ = 0;
  bool busy_ = false;
};

// A cleared bitmap of at least `vertex_count` bits for the lifetime of the lease.
class VertexBitmapLease {
 public:
  explicit VertexBitmapLease(uint32_t vertex_count) : bitmap_(VertexBitmap::acquire()) {
    bitmap_->reserve(vertex_count, false);
  }
  ~VertexBitmapLease() {
    bitmap_->clear_set_bits();
    bitmap_->busy_ = false;
  }
  VertexBitmapLease(const VertexBitmapLease&) = delete;
  VertexBitmapLease& operator=(const VertexBitmapLease&) = delete;

  // REQUIRES (both): v < vertex_count.
  bool test(uint32_t v) const { return bitmap_->test_sparse(v); }
  // Sets v's bit; false when it was set already.
  bool insert(uint32_t v) { return bitmap_->insert(v); }

 private:
  VertexBitmap* bitmap_;
};

// An empty map vertex -> uint32 over vertices [0, vertex_count) for the lifetime of the lease:
// a bitmap for membership (the per-edge test reads 1 bit, which stays in cache) and a
// vertex-indexed array for the values (4 bytes per vertex, allocated once per pooled bitmap,
// 4 MiB at 1M entities, its pages touched only where values are stored).
class VertexMapLease {
 public:
  explicit VertexMapLease(uint32_t vertex_count) : bitmap_(VertexBitmap::acquire()) {
    bitmap_->reserve(vertex_count, true);
  }
  ~VertexMapLease() {
    bitmap_->clear_set_bits();
    bitmap_->busy_ = false;
  }
  VertexMapLease(const VertexMapLease&) = delete;
  VertexMapLease& operator=(const VertexMapLease&) = delete;

  // REQUIRES (all): v < vertex_count.
  bool contains(uint32_t v) const { return bitmap_->test(v); }
  // Stores v -> value; false (and the old value kept) when v is present already.
  bool insert(uint32_t v, uint32_t value) {
    if (!bitmap_->insert(v)) return false;
    bitmap_->values_[v] = value;
    return true;
  }
  // REQUIRES: contains(v).
  uint32_t at(uint32_t v) const { return bitmap_->values_[v]; }

 private:
  VertexBitmap* bitmap_;
};

}  // namespace relgraph::graph::detail
