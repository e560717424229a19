// Internal to graph/: the pieces the path queries share (paths.cpp, all_paths.cpp): how an
// edge is priced, which relation a hop reports, and the shortest/cheapest path searches with
// the exclusions Yen's algorithm and `via` need. Not thread-safe: one per query.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/query_scope.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph::detail {

using NodePath = std::vector<uint32_t>;  // vertices from source to target

// What a search may not use, beyond the filter. Both may be null.
struct Exclusions {
  const FlatVertexMap* vertices = nullptr;    // never entered (Yen's root path, a via leg)
  const FlatVertexMap* first_hops = nullptr;  // u: the hop source -> u is taken by a known path
};

// The price of one edge under a PathWeight (see graph.h). Always > 0.
class EdgeCost {
 public:
  EdgeCost(PathWeight weight, int32_t reference_day)
      : weight_(weight), reference_day_(reference_day) {}
  double operator()(const RelationFacts& row) const;
  PathWeight weight() const { return weight_; }

 private:
  PathWeight weight_;
  int32_t reference_day_;
};

// A path query's view of the graph: filter, pricing and budget, and the searches over them.
class PathSearch {
 public:
  PathSearch(const Snapshot::Impl& g, const ResolvedFilter& filter, const EdgeCost& cost,
             QueryBudget& budget)
      : g_(g), filter_(filter), cost_(cost), budget_(budget) {}

  // The cheapest path source -> target of at most max_hops hops avoiding `exclusions`, or
  // nullopt. A nullopt with budget().exhausted() means "not known". REQUIRES: source != target.
  std::optional<NodePath> cheapest(uint32_t source, uint32_t target, int max_hops,
                                   const Exclusions& exclusions);

  // The relation hop a -> b reports: the cheapest passing one a walk may follow from a to b;
  // ties: the most evidence, then the lowest id. kNoIndex when there is none. Scans one end's
  // edges outside the budget: the hop is known to exist.
  uint32_t hop_relation(uint32_t a, uint32_t b) const;
  double path_cost(const NodePath& path) const;
  Path to_path(const NodePath& nodes) const;

  const Snapshot::Impl& graph() const { return g_; }
  const ResolvedFilter& filter() const { return filter_; }
  QueryBudget& budget() { return budget_; }

 private:
  std::optional<NodePath> fewest_hops(uint32_t source, uint32_t target, int max_hops,
                                      const Exclusions& exclusions);
  std::optional<NodePath> dijkstra(uint32_t source, uint32_t target, int max_hops,
                                   const Exclusions& exclusions);

  const Snapshot::Impl& g_;
  const ResolvedFilter& filter_;
  const EdgeCost& cost_;
  QueryBudget& budget_;
};

// Every shortest path source -> target in lexicographic order of entity ids, at most `limit`;
// `more` when further ones exist. Empty with budget.exhausted(): not known.
// REQUIRES: source != target.
struct ShortestPaths {
  std::vector<NodePath> paths;
  bool more = false;
};
ShortestPaths all_shortest(const Snapshot::Impl& g, uint32_t source, uint32_t target, int max_hops,
                           size_t limit, const ResolvedFilter& filter, QueryBudget& budget);

}  // namespace relgraph::graph::detail
