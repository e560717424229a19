// Internal to graph/: a set of vertices as one bit per vertex, for the traversals that test
// membership once per examined edge (a hash probe there cost more than the edge itself).
//
// One bitmap per thread is reused from query to query: a query sets bits, and its lease clears
// exactly those bits when it ends, so a query costs what it touches; the thread pays once for
// vertex_count / 8 bytes (125 KiB at 1M entities). Not thread-safe: a lease belongs to one query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace relgraph::graph::detail {

class VertexBitmapLease;

// The storage; used through a VertexBitmapLease.
class VertexBitmap {
 private:
  friend class VertexBitmapLease;
  void reserve(uint32_t vertex_count) {
    const size_t words = (size_t{vertex_count} + 63) / 64;
    if (words_.size() < words) words_.resize(words, 0);
  }

  std::vector<uint64_t> words_;
  std::vector<uint32_t> set_;  // vertices whose bits are set: what the lease clears
  bool busy_ = false;
};

// A cleared bitmap of at least `vertex_count` bits for the lifetime of the lease: this
// thread's own one, or a fresh one when a query on this thread already holds that.
class VertexBitmapLease {
 public:
  explicit VertexBitmapLease(uint32_t vertex_count) {
    thread_local VertexBitmap shared;
    bitmap_ = shared.busy_ ? &own_ : &shared;
    bitmap_->busy_ = true;
    bitmap_->reserve(vertex_count);
  }
  ~VertexBitmapLease() {
    for (uint32_t v : bitmap_->set_) bitmap_->words_[v >> 6] = 0;
    bitmap_->set_.clear();
    bitmap_->busy_ = false;
  }
  VertexBitmapLease(const VertexBitmapLease&) = delete;
  VertexBitmapLease& operator=(const VertexBitmapLease&) = delete;

  // REQUIRES (both): v < vertex_count.
  bool test(uint32_t v) const { return (bitmap_->words_[v >> 6] >> (v & 63)) & 1u; }
  // Sets v's bit; false when it was set already.
  bool insert(uint32_t v) {
    uint64_t& word = bitmap_->words_[v >> 6];
    const uint64_t bit = uint64_t{1} << (v & 63);
    if ((word & bit) != 0) return false;
    word |= bit;
    bitmap_->set_.push_back(v);
    return true;
  }

 private:
  VertexBitmap own_;
  VertexBitmap* bitmap_;
};

}  // namespace relgraph::graph::detail
