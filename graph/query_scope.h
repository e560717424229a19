// Internal to graph/: what one query carries through a traversal. The filter resolved against a
// snapshot (kind names to codes, excluded ids to vertices) and the budget of work it may do.
// Neither is thread-safe: each query owns its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/relation_table.h"  // the edge flags, RelationFacts

namespace relgraph::graph::detail {

// An edge as traversals report it: the relation's index, type and flags, which the common
// filters (type, negation) test without reading the relation's record (the adjacency keeps the
// type beside every end, and negated-only relations apart).
struct EdgeBundle {
  uint32_t relation = 0;  // relation index: see Snapshot::Impl
  uint8_t type = 0;       // RelationRow::type (< 64)
  uint8_t flags = 0;      // kSymmetric | kNegatedOnly | kSelfLoop
};

// A Filter resolved against one snapshot. The checks that need more than the edge bundle
// (dates, evidence counts, the neighbour's kind or id) are switched on only when the filter
// asks for them, so a plain type filter costs what it did before they existed.
struct ResolvedFilter {
  uint64_t type_mask = ~uint64_t{0};
  Direction direction = Direction::both;
  bool include_negated = false;

  bool checks_row = false;  // a time window or min_evidence is set
  int32_t since = std::numeric_limits<int32_t>::min();
  int32_t until = std::numeric_limits<int32_t>::max();
  uint32_t min_support = 0;

  bool checks_vertex = false;  // kinds or exclude is set
  bool all_kinds = true;
  std::vector<bool> kind_allowed;  // by kind code
  FlatVertexMap excluded;          // vertices never entered
  FlatVertexMap exempt;            // the query's named vertices: always allowed

  bool passes_bundle(const EdgeBundle& edge) const {
    return ((type_mask >> edge.type) & 1u) != 0 &&
           (include_negated || (edge.flags & kNegatedOnly) == 0);
  }

  bool passes_row(const RelationFacts& row) const {
    // Overlap of [first_seen, last_seen] with [since, until]: see Filter::since.
    return row.support() >= min_support && row.last_seen >= since && row.first_seen <= until;
  }

  bool allows_vertex(uint32_t vertex, uint16_t kind) const {
    if (exempt.contains(vertex)) return true;
    if (excluded.contains(vertex)) return false;
    return all_kinds || (kind < kind_allowed.size() && kind_allowed[kind]);
  }
};

// The work one query may do: examined edges and wall-clock time. Every examined edge counts,
// passing or not, because that is the work done. Once a bound refuses, every later request is
// refused too, and reason() names the bound.
class QueryBudget {
 public:
  QueryBudget(uint64_t max_edges, int64_t max_millis) : limit_(max_edges) {
    timed_ = max_millis > 0;
    if (timed_) deadline_ = Clock::now() + std::chrono::milliseconds(max_millis);
  }
  explicit QueryBudget(const Bounds& bounds)
      : QueryBudget(bounds.max_edges_visited, bounds.max_millis) {}

  static QueryBudget unlimited() { return QueryBudget(std::numeric_limits<uint64_t>::max(), 0); }

  // Takes one edge; false when a bound refuses. Reads the clock once per kClockInterval edges:
  // steady_clock costs ~20 ns, an examined edge ~1 ns.
  bool take() {
    if (reason_ != TruncatedBy::none) return false;
    if (used_ >= limit_) return refuse(TruncatedBy::edges);
    ++used_;
    if ((used_ & (kClockInterval - 1)) == 0 && past_deadline()) return refuse(TruncatedBy::time);
    return true;
  }

  // Takes `count` edges at once (a whole pass of an analytics iteration) and reads the clock.
  bool take_many(uint64_t count) {
    if (reason_ != TruncatedBy::none) return false;
    if (count > limit_ - used_) {
      used_ = limit_;
      return refuse(TruncatedBy::edges);
    }
    used_ += count;
    if (past_deadline()) return refuse(TruncatedBy::time);
    return true;
  }

  // Whether `count` more edges fit under the edge limit and no bound has refused yet: a tight
  // loop that examines at most `count` edges may then count them itself and charge() them
  // afterwards instead of taking each one.
  bool has_room(uint64_t count) const {
    return reason_ == TruncatedBy::none && count <= limit_ - used_;
  }
  // Takes `count` edges that has_room() said fit; reads the clock if the edges cross a
  // kClockInterval boundary, as taking them one by one would have. False when time is up.
  bool charge(uint64_t count) {
    const uint64_t before = used_;
    used_ += count;
    if ((before / kClockInterval != used_ / kClockInterval) && past_deadline()) {
      return refuse(TruncatedBy::time);
    }
    return true;
  }

  bool exhausted() const { return reason_ != TruncatedBy::none; }
  TruncatedBy reason() const { return reason_; }
  uint64_t used() const { return used_; }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr uint64_t kClockInterval = 1024;  // a power of two

  bool past_deadline() const { return timed_ && Clock::now() >= deadline_; }
  bool refuse(TruncatedBy reason) {
    reason_ = reason;
    return false;
  }

  uint64_t limit_;
  uint64_t used_ = 0;
  bool timed_ = false;
  Clock::time_point deadline_{};
  TruncatedBy reason_ = TruncatedBy::none;
};

// The bound to report when several may have cut one answer: one that stopped the search
// (edges, time, nodes) outranks the degree cap, which only thinned it.
inline TruncatedBy first_bound(TruncatedBy stopped, TruncatedBy thinned) {
  return stopped != TruncatedBy::none ? stopped : thinned;
}

}  // namespace relgraph::graph::detail
