// Snapshot::shortest_paths: bidirectional breadth-first search for the first path, Yen's
// algorithm (over node sequences) for the next ones.

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace {

using detail::EdgeBundle;
using detail::FlatVertexMap;
using detail::kNoIndex;
using NodePath = std::vector<uint32_t>;  // vertices from source to target

// What a spur search of Yen's algorithm may not use. Both may be null.
struct Exclusions {
  const FlatVertexMap* vertices = nullptr;    // the root path before the spur vertex
  const FlatVertexMap* first_hops = nullptr;  // u: the hop source -> u is taken by a known path
};

// One end of the bidirectional search.
struct SearchSide {
  Direction direction;   // the direction this side walks edges in
  FlatVertexMap parent;  // vertex -> the vertex it was reached from (the root: itself)
  std::vector<uint32_t> frontier;
  int depth = 0;  // hops from the root to every frontier vertex

  SearchSide(Direction walk, uint32_t root) : direction(walk), frontier{root} {
    parent.insert(root, root);
  }
};

// Expands `side` by one whole level. Returns the first vertex reached that `other` has already
// reached, or kNoIndex. Any such vertex closes a shortest path: before this level the two
// searches shared no vertex, so no path was shorter than both depths plus one.
// `source` is the forward root, where the first-hop exclusions apply.
uint32_t expand_level(const Snapshot::Impl& g, SearchSide& side, const SearchSide& other,
                      bool is_forward, uint32_t source, const Filter& filter,
                      const Exclusions& exclusions, detail::EdgeBudget& budget) {
  std::vector<uint32_t> next;
  uint32_t meeting = kNoIndex;
  for (uint32_t v : side.frontier) {
    const bool went_on =
        g.for_each_step(v, side.direction, filter, budget, [&](uint32_t u, const EdgeBundle&) {
          if (u == v) return true;  // a self-loop never belongs to a shortest path
          if (exclusions.vertices != nullptr && exclusions.vertices->contains(u)) return true;
          if (exclusions.first_hops != nullptr) {
            // The backward side walks the hop source -> x from x's end.
            const uint32_t hop_from = is_forward ? v : u;
            const uint32_t hop_to = is_forward ? u : v;
            if (hop_from == source && exclusions.first_hops->contains(hop_to)) return true;
          }
          if (!side.parent.insert(u, v)) return true;
          if (other.parent.contains(u)) {
            meeting = u;
            return false;
          }
          next.push_back(u);
          return true;
        });
    if (!went_on) break;
  }
  side.frontier.swap(next);
  ++side.depth;
  return meeting;
}

// Follows parent links from `from` to the side's root, `from` included.
NodePath walk_to_root(const SearchSide& side, uint32_t from) {
  NodePath walk{from};
  for (uint32_t v = from;;) {
    const uint32_t parent = *side.parent.find(v);
    if (parent == v) return walk;
    walk.push_back(parent);
    v = parent;
  }
}

uint64_t frontier_edges(const Snapshot::Impl& g, const SearchSide& side) {
  uint64_t edges = 0;
  for (uint32_t v : side.frontier) edges += g.edge_count(v);
  return edges;
}

// A shortest path source -> target of at most max_hops hops over edges passing `filter`
// (walked in filter.direction) that avoids `exclusions`, or nullopt. Expands the smaller
// frontier one level at a time. A nullopt with budget.exhausted means "not known".
// REQUIRES: source != target.
std::optional<NodePath> bidirectional_search(const Snapshot::Impl& g, uint32_t source,
                                             uint32_t target, int max_hops, const Filter& filter,
                                             const Exclusions& exclusions,
                                             detail::EdgeBudget& budget) {
  SearchSide forward(filter.direction, source);
  SearchSide backward(detail::reversed(filter.direction), target);
  // Once the depths add up to max_hops, any path still to be found would be longer.
  while (forward.depth + backward.depth < max_hops) {
    // An exhausted side has reached everything it can without meeting the other.
    if (forward.frontier.empty() || backward.frontier.empty()) return std::nullopt;
    // "Smaller" is counted in edges, the work a level costs: one hub outweighs many leaves.
    const bool expand_forward = frontier_edges(g, forward) <= frontier_edges(g, backward);
    const uint32_t meeting =
        expand_forward
            ? expand_level(g, forward, backward, true, source, filter, exclusions, budget)
            : expand_level(g, backward, forward, false, source, filter, exclusions, budget);
    if (meeting != kNoIndex) {
      NodePath path = walk_to_root(forward, meeting);
      std::reverse(path.begin(), path.end());
      const NodePath rest = walk_to_root(backward, meeting);
      path.insert(path.end(), rest.begin() + 1, rest.end());
      return path;
    }
    if (budget.exhausted) return std::nullopt;
  }
  return std::nullopt;
}

// Up to k loopless paths source -> target, shortest first (Yen). Stops early, with what it
// has proven so far, when the budget runs out. REQUIRES: source != target, k >= 1.
std::vector<NodePath> k_shortest_paths(const Snapshot::Impl& g, uint32_t source, uint32_t target,
                                       int k, int max_hops, const Filter& filter,
                                       detail::EdgeBudget& budget) {
  std::vector<NodePath> accepted;
  std::optional<NodePath> first =
      bidirectional_search(g, source, target, max_hops, filter, Exclusions{}, budget);
  if (!first) return accepted;
  accepted.push_back(std::move(*first));

  // Ordered by length, then by vertex sequence (= entity ids): ties break the same way always.
  std::set<std::pair<size_t, NodePath>> candidates;
  std::set<NodePath> known{accepted.front()};
  while (static_cast<int>(accepted.size()) < k) {
    const NodePath previous = accepted.back();  // a copy: `accepted` grows below
    // The spur leaves previous[spur] after a root of `spur` hops, so it has max_hops - spur left.
    for (size_t spur = 0; spur + 1 < previous.size() && static_cast<int>(spur) < max_hops; ++spur) {
      FlatVertexMap taken_hops;
      for (const NodePath& path : accepted) {
        if (path.size() > spur + 1 &&
            std::equal(previous.begin(), previous.begin() + spur + 1, path.begin())) {
          taken_hops.insert(path[spur + 1], 0);
        }
      }
      FlatVertexMap root_vertices(spur);
      for (size_t i = 0; i < spur; ++i) root_vertices.insert(previous[i], 0);

      std::optional<NodePath> spur_path =
          bidirectional_search(g, previous[spur], target, max_hops - static_cast<int>(spur), filter,
                               Exclusions{&root_vertices, &taken_hops}, budget);
      if (budget.exhausted) return accepted;
      if (!spur_path) continue;
      NodePath path(previous.begin(), previous.begin() + spur);
      path.insert(path.end(), spur_path->begin(), spur_path->end());
      if (known.insert(path).second) candidates.emplace(path.size(), std::move(path));
    }
    if (candidates.empty()) break;
    auto best = candidates.extract(candidates.begin());
    accepted.push_back(std::move(best.value().second));
  }
  return accepted;
}

// The relation a hop a -> b reports: among those passing `filter` that a walk may follow from
// a to b, the one with the most evidence, ties to the lowest id. Scans from whichever end has
// fewer edges, since a hub may have hundreds of thousands.
uint32_t hop_relation(const Snapshot::Impl& g, uint32_t a, uint32_t b, const Filter& filter) {
  const bool from_a = g.edge_count(a) <= g.edge_count(b);
  const uint32_t scanned = from_a ? a : b;
  const uint32_t wanted = from_a ? b : a;
  const Direction direction = from_a ? filter.direction : detail::reversed(filter.direction);
  // The hop is known to exist; this scan is bounded by one vertex's edges.
  detail::EdgeBudget unbounded{std::numeric_limits<uint64_t>::max()};
  uint32_t best = kNoIndex;
  g.for_each_step(scanned, direction, filter, unbounded, [&](uint32_t u, const EdgeBundle& edge) {
    if (u != wanted) return true;
    if (best == kNoIndex) {
      best = edge.relation;
      return true;
    }
    const uint32_t count = g.relations_[edge.relation].evidence_count;
    const uint32_t best_count = g.relations_[best].evidence_count;
    // Relation indices are in id order, so the lower index is the lower id.
    if (count > best_count || (count == best_count && edge.relation < best)) best = edge.relation;
    return true;
  });
  return best;
}

}  // namespace

PathResult Snapshot::shortest_paths(EntityId from, EntityId to, int k, int max_hops,
                                    const Filter& filter, const Bounds& bounds) const {
  PathResult result;
  const uint32_t source = impl_->vertex_of(from);
  const uint32_t target = impl_->vertex_of(to);
  if (source == kNoIndex || target == kNoIndex || k < 1 || max_hops < 0) return result;
  if (source == target) {
    result.paths.push_back(Path{{from}, {}});
    return result;
  }

  detail::EdgeBudget budget{bounds.max_edges_visited};
  const std::vector<NodePath> found =
      k_shortest_paths(*impl_, source, target, k, max_hops, filter, budget);
  result.truncated = budget.exhausted;
  result.paths.reserve(found.size());
  for (const NodePath& nodes : found) {
    Path path;
    path.nodes.reserve(nodes.size());
    path.relations.reserve(nodes.size() - 1);
    for (size_t i = 0; i < nodes.size(); ++i) {
      path.nodes.push_back(impl_->entity_id(nodes[i]));
      if (i + 1 < nodes.size()) {
        path.relations.push_back(
            impl_->relation_id(hop_relation(*impl_, nodes[i], nodes[i + 1], filter)));
      }
    }
    result.paths.push_back(std::move(path));
  }
  return result;
}

}  // namespace relgraph::graph
