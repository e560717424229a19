// Internal to graph/: the representation behind Snapshot, shared by the .cpp files that
// implement its look-ups and traversals. Other modules include only graph/graph.h.
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace relgraph::graph {
namespace detail {

inline constexpr uint32_t kNoIndex = UINT32_MAX;

// Edge flags, copied from the relation row into every CSR edge.
inline constexpr uint8_t kSymmetric = 1;
inline constexpr uint8_t kNegatedOnly = 2;  // every piece of evidence denies the relation
inline constexpr uint8_t kSelfLoop = 4;

// What a CSR edge carries. The relation's type and flags are copied here, beside its index,
// so that filtering an edge reads the adjacency array sequentially instead of jumping into the
// relation rows for every neighbour of a hub.
struct EdgeBundle {
  uint32_t relation = 0;  // index into Snapshot::Impl::relations_
  uint8_t type = 0;       // RelationRow::type (< 64)
  uint8_t flags = 0;      // kSymmetric | kNegatedOnly | kSelfLoop
};

// 32-bit vertex and edge indices halve the index arrays; build() refuses graphs that would
// overflow them.
using CsrGraph =
    boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property, EdgeBundle,
                                       boost::no_property, uint32_t, uint32_t>;

// True when a traversal may use this edge under `filter`, whichever end it stands on.
inline bool passes(const EdgeBundle& edge, const Filter& filter) {
  return ((filter.type_mask >> edge.type) & 1u) != 0 &&
         (filter.include_negated || (edge.flags & kNegatedOnly) == 0);
}

// The direction a search walking from the far end must follow to retrace `direction`.
inline Direction reversed(Direction direction) {
  switch (direction) {
    case Direction::out:
      return Direction::in;
    case Direction::in:
      return Direction::out;
    case Direction::both:
      break;
  }
  return Direction::both;
}

// The number of edges one query may examine. Every examined edge counts, passing or not,
// because that is the work done.
struct EdgeBudget {
  uint64_t limit = 0;
  uint64_t used = 0;
  bool exhausted = false;  // set when an edge was refused: the answer is cut

  // Takes one edge from the budget; false (and exhausted) when none is left.
  bool take() {
    if (used >= limit) {
      exhausted = true;
      return false;
    }
    ++used;
    return true;
  }
};

// Maps the store's 64-bit ids to dense row positions. The store's ids come from SQLite
// rowids and are dense, so a plain array indexed by id is the fast path; a hash map takes
// over when the ids are sparse enough that the array would waste memory.
class IdIndex {
 public:
  // `ids` are the row positions' ids, strictly increasing and > 0.
  void assign(const std::vector<int64_t>& ids) {
    dense_.clear();
    sparse_.clear();
    const int64_t max_id = ids.empty() ? 0 : ids.back();
    // At most four array slots per row (16 bytes) before the hash map is the better deal.
    dense_mode_ = max_id <= static_cast<int64_t>(ids.size()) * 4 + 1024;
    if (dense_mode_) {
      dense_.assign(static_cast<size_t>(max_id) + 1, kNoIndex);
      for (size_t i = 0; i < ids.size(); ++i) {
        dense_[static_cast<size_t>(ids[i])] = static_cast<uint32_t>(i);
      }
    } else {
      sparse_.reserve(ids.size());
      for (size_t i = 0; i < ids.size(); ++i) sparse_.emplace(ids[i], static_cast<uint32_t>(i));
    }
  }

  // The row position of `id`, or kNoIndex.
  uint32_t find(int64_t id) const {
    if (dense_mode_) {
      if (id < 0 || static_cast<uint64_t>(id) >= dense_.size()) return kNoIndex;
      return dense_[static_cast<size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kNoIndex : it->second;
  }

 private:
  bool dense_mode_ = true;
  std::vector<uint32_t> dense_;
  std::unordered_map<int64_t, uint32_t> sparse_;
};

}  // namespace detail

// Vertex v is entities_[v]; relation index r is relations_[r]. Both vectors are sorted by id,
// so index order is id order (results sorted by index are sorted by id).
//
// Every relation is one CSR edge subject -> object, except a symmetric relation between two
// distinct entities, which is two edges (a -> b and b -> a, same relation index) so that it can
// be followed from either end in every direction. A traversal in direction `both` reads
// out-edges and then in-edges, skipping in-edges of symmetric relations and self-loops: their
// out-edge twin has already been read.
struct Snapshot::Impl {
  uint64_t version_ = 0;
  std::vector<EntityRow> entities_;
  std::vector<RelationRow> relations_;
  detail::IdIndex entity_index_;
  detail::IdIndex relation_index_;
  // Views into entities_[i].key; entities_ is never modified after the index is built.
  std::unordered_map<std::string_view, uint32_t> key_index_;
  std::vector<uint32_t> degrees_;  // relations touching each vertex, each counted once
  detail::CsrGraph csr_;

  uint32_t vertex_of(EntityId id) const { return entity_index_.find(id); }
  EntityId entity_id(uint32_t vertex) const { return entities_[vertex].id; }
  RelationId relation_id(uint32_t relation) const { return relations_[relation].id; }

  // CSR edges at v in both directions: a cheap size estimate for choosing which end to scan.
  uint64_t edge_count(uint32_t vertex) const {
    return uint64_t{boost::out_degree(vertex, csr_)} + boost::in_degree(vertex, csr_);
  }

  // Calls fn(neighbour, edge) for each edge that passes `filter` and that a walk standing on
  // `vertex` may follow in `direction` (out: vertex is the subject; in: vertex is the object;
  // symmetric relations both). Each relation is reported once per neighbour it leads to;
  // self-loops are reported (neighbour == vertex). Stops when fn returns false or the budget
  // runs out; returns false in either case.
  template <class Fn>
  bool for_each_step(uint32_t vertex, Direction direction, const Filter& filter,
                     detail::EdgeBudget& budget, Fn&& fn) const {
    if (direction != Direction::in) {
      auto [it, end] = boost::out_edges(vertex, csr_);
      for (; it != end; ++it) {
        if (!budget.take()) return false;
        const detail::EdgeBundle& edge = csr_[*it];
        if (!detail::passes(edge, filter)) continue;
        if (!fn(static_cast<uint32_t>(boost::target(*it, csr_)), edge)) return false;
      }
    }
    if (direction != Direction::out) {
      const uint8_t seen_as_out =
          direction == Direction::both ? (detail::kSymmetric | detail::kSelfLoop) : uint8_t{0};
      auto [it, end] = boost::in_edges(vertex, csr_);
      for (; it != end; ++it) {
        if (!budget.take()) return false;
        const detail::EdgeBundle& edge = csr_[*it];
        if ((edge.flags & seen_as_out) != 0 || !detail::passes(edge, filter)) continue;
        if (!fn(static_cast<uint32_t>(boost::source(*it, csr_)), edge)) return false;
      }
    }
    return true;
  }
};

}  // namespace relgraph::graph
