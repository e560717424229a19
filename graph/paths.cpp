// Snapshot::paths and shortest_paths: bidirectional breadth-first search (fewest hops) or
// Dijkstra over (entity, hops) states (weighted) for the cheapest path, Yen's algorithm over
// node sequences for the next ones, and paths through a `via` entity.

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/path_search.h"
#include "graph/snapshot_impl.h"
#include "graph/vertex_bitmap.h"

namespace relgraph::graph {
namespace detail {
namespace {

// One end of the bidirectional search. The parent links live in a thread-local vertex map
// (graph/vertex_bitmap.h): the per-edge "reached already?" test reads one bit of a bitmap that
// stays in cache, where a hash table probed per edge cost a third of the search.
struct SearchSide {
  Direction direction;    // the direction this side walks edges in
  VertexMapLease parent;  // vertex -> the vertex it was reached from (the root: itself)
  std::vector<uint32_t> frontier;
  std::vector<uint32_t> reached;  // every vertex in `parent`, in the order reached
  int depth = 0;                  // hops from the root to every frontier vertex
  // Edges stored at the frontier's vertices (what expanding it costs), once computed.
  std::optional<uint64_t> frontier_edges;

  SearchSide(Direction walk, uint32_t root, uint32_t vertex_count)
      : direction(walk), parent(vertex_count), frontier{root}, reached{root} {
    parent.insert(root, root);
  }
};

// Whether a search may enter `entered` over the hop from -> to (entered is one of the two: the
// backward side walks hops from their far end) under `exclusions`; `source` is the forward
// root, where the first-hop exclusions apply.
bool allowed_hop(const Exclusions& exclusions, uint32_t source, uint32_t from, uint32_t to,
                 uint32_t entered) {
  if (exclusions.vertices != nullptr && exclusions.vertices->contains(entered)) return false;
  return exclusions.first_hops == nullptr || from != source || !exclusions.first_hops->contains(to);
}

// expand_level looks a hub's relations with the other side's vertices up in the hub's sorted
// ends, instead of scanning them, while the other side has reached at most this many vertices
// and the hub has at least kProbeRatio ends per such vertex.
constexpr size_t kProbeLimit = 1024;
constexpr uint64_t kProbeRatio = 64;

// Expands `side` by one whole level. Returns the first vertex reached that `other` has already
// reached, or kNoIndex. Any such vertex closes a shortest path: before this level the two
// searches shared no vertex, so no path was shorter than both depths plus one.
//
// What a level costs is mostly the hubs in its frontier, whose ends are scanned until a meeting
// is found, and the order they are stored in (by neighbour) says nothing about where that is.
// So a hub is first searched for the other side's vertices (few, while the search is young),
// and the frontier is scanned cheapest vertex first, the hubs last: a meeting through a small
// vertex or found by a hub's search costs no hub scan.
uint32_t expand_level(const Snapshot::Impl& g, SearchSide& side, const SearchSide& other,
                      bool is_forward, uint32_t source, const ResolvedFilter& filter,
                      const Exclusions& exclusions, QueryBudget& budget) {
  uint32_t meeting = kNoIndex;
  // A step from v to u, walked by this side: records u's parent; false when it was not taken.
  auto enter = [&](uint32_t v, uint32_t u) {
    // The backward side walks the hop x -> v from v's end.
    if (!allowed_hop(exclusions, source, is_forward ? v : u, is_forward ? u : v, u)) return false;
    side.parent.insert(u, v);
    return true;
  };
  std::vector<uint32_t> hubs;
  std::vector<uint32_t> others;  // the frontier but its hubs
  others.reserve(side.frontier.size());
  for (uint32_t v : side.frontier) (g.has_edge_index(v) ? hubs : others).push_back(v);
  if (!hubs.empty() && other.reached.size() <= kProbeLimit) {
    std::vector<uint32_t> targets(other.reached);
    std::sort(targets.begin(), targets.end());
    for (uint32_t hub : hubs) {
      if (g.edge_count(hub) < targets.size() * kProbeRatio) continue;
      g.for_each_edge_between(
          hub, targets.data(), targets.size(), side.direction, filter, budget,
          [&](uint32_t u, const EdgeBundle&) {
            if (meeting == kNoIndex && !side.parent.contains(u) && enter(hub, u)) {
              meeting = u;
            }
          });
      if (meeting != kNoIndex) return meeting;
    }
  }
  std::vector<uint32_t> next;
  // A neighbour this side has reached already (a self-loop's included: v is reached) is passed
  // over before its edge is read: it could not be entered again anyway.
  auto unreached = [&](uint32_t u) { return !side.parent.contains(u); };
  others.insert(others.end(), hubs.begin(), hubs.end());
  for (uint32_t v : others) {
    const bool went_on = g.for_each_step_to(v, side.direction, filter, budget, unreached,
                                            [&](uint32_t u, const EdgeBundle&) {
                                              if (!enter(v, u)) return true;
                                              if (other.parent.contains(u)) {
                                                meeting = u;
                                                return false;
                                              }
                                              next.push_back(u);
                                              return true;
                                            });
    if (!went_on) break;
  }
  side.reached.insert(side.reached.end(), next.begin(), next.end());
  side.frontier.swap(next);
  side.frontier_edges.reset();
  ++side.depth;
  return meeting;
}

// Follows parent links from `from` to the side's root, `from` included.
NodePath walk_to_root(const SearchSide& side, uint32_t from) {
  NodePath walk{from};
  for (uint32_t v = from;;) {
    const uint32_t parent = side.parent.at(v);
    if (parent == v) return walk;
    walk.push_back(parent);
    v = parent;
  }
}

// Computed once per frontier: the side that is not expanded keeps its frontier and its count.
uint64_t frontier_edges(const Snapshot::Impl& g, SearchSide& side) {
  if (!side.frontier_edges) {
    uint64_t edges = 0;
    for (uint32_t v : side.frontier) edges += g.edge_count(v);
    side.frontier_edges = edges;
  }
  return *side.frontier_edges;
}

// A path with its cost. Ordered by cost, then by vertex sequence (= entity id order within
// one snapshot's numbering), so ties break the same way always.
struct CostedPath {
  double cost = 0;
  NodePath nodes;
  bool operator<(const CostedPath& other) const {
    return std::tie(cost, nodes) < std::tie(other.cost, other.nodes);
  }
};

}  // namespace

double EdgeCost::operator()(const RelationFacts& row) const {
  switch (weight_) {
    case PathWeight::hops:
      break;
    case PathWeight::evidence: {
      return 1.0 / (1.0 + std::log1p(static_cast<double>(row.support())));
    }
    case PathWeight::recency: {
      // Bounded, so that an old edge is at most ten times a fresh one: recency steers the
      // route without letting one ancient edge outweigh any number of recent hops.
      const double age = std::max(0, reference_day_ - row.last_seen);
      return 1.0 - 0.9 * std::exp2(-age / 365.0);
    }
  }
  return 1.0;
}

std::optional<NodePath> PathSearch::cheapest(uint32_t source, uint32_t target, int max_hops,
                                             const Exclusions& exclusions) {
  return cost_.weight() == PathWeight::hops ? fewest_hops(source, target, max_hops, exclusions)
                                            : dijkstra(source, target, max_hops, exclusions);
}

// Bidirectional BFS, expanding the smaller frontier one level at a time.
std::optional<NodePath> PathSearch::fewest_hops(uint32_t source, uint32_t target, int max_hops,
                                                const Exclusions& exclusions) {
  SearchSide forward(filter_.direction, source, g_.vertex_count());
  SearchSide backward(reversed(filter_.direction), target, g_.vertex_count());
  // Once the depths add up to max_hops, any path still to be found would be longer.
  while (forward.depth + backward.depth < max_hops) {
    // An exhausted side has reached everything it can without meeting the other.
    if (forward.frontier.empty() || backward.frontier.empty()) return std::nullopt;
    // "Smaller" is counted in edges, the work a level costs: one hub outweighs many leaves.
    const bool expand_forward = frontier_edges(g_, forward) <= frontier_edges(g_, backward);
    const uint32_t meeting =
        expand_forward
            ? expand_level(g_, forward, backward, true, source, filter_, exclusions, budget_)
            : expand_level(g_, backward, forward, false, source, filter_, exclusions, budget_);
    if (meeting != kNoIndex) {
      NodePath path = walk_to_root(forward, meeting);
      std::reverse(path.begin(), path.end());
      const NodePath rest = walk_to_root(backward, meeting);
      path.insert(path.end(), rest.begin() + 1, rest.end());
      return path;
    }
    if (budget_.exhausted()) return std::nullopt;
  }
  return std::nullopt;
}

// Dijkstra over labels (vertex, hops, cost) so that max_hops is honoured exactly: a cheaper
// path may need more hops than a dearer one. A label is dropped when its vertex was already
// settled with no more hops, since that settled label is also no dearer (labels leave the heap
// in cost order), and is never pushed when a label already pushed for its vertex is no dearer
// and no longer (which keeps the heap near one label per vertex). Costs are > 0, so a label
// never revisits a vertex of its own path.
std::optional<NodePath> PathSearch::dijkstra(uint32_t source, uint32_t target, int max_hops,
                                             const Exclusions& exclusions) {
  struct Label {
    uint32_t vertex;
    uint32_t parent;  // label index, kNoIndex at the source
    uint32_t hops;
    double cost;
  };
  std::vector<Label> labels{{source, kNoIndex, 0, 0.0}};
  using Entry = std::pair<double, uint32_t>;  // cost, label index: ties by insertion order
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  heap.push({0.0, 0});
  FlatVertexMap settled_hops;  // vertex -> fewest hops of its settled labels
  FlatVertexMap cheapest_of;   // vertex -> index into `labels` of its cheapest pushed label
  while (!heap.empty()) {
    const uint32_t index = heap.top().second;
    heap.pop();
    const Label label = labels[index];
    const uint32_t* settled = settled_hops.find(label.vertex);
    if (settled != nullptr && *settled <= label.hops) continue;
    settled_hops.insert_or_assign(label.vertex, label.hops);
    if (label.vertex == target) {
      NodePath path;
      for (uint32_t i = index; i != kNoIndex; i = labels[i].parent)
        path.push_back(labels[i].vertex);
      std::reverse(path.begin(), path.end());
      return path;
    }
    if (static_cast<int>(label.hops) >= max_hops) continue;
    const bool went_on = g_.for_each_step(
        label.vertex, filter_.direction, filter_, budget_, [&](uint32_t u, const EdgeBundle& e) {
          if (u == label.vertex || !allowed_hop(exclusions, source, label.vertex, u, u))
            return true;
          const uint32_t* known = settled_hops.find(u);
          if (known != nullptr && *known <= label.hops + 1) return true;
          const double cost = label.cost + cost_(g_.relation_facts(e.relation));
          const auto next = static_cast<uint32_t>(labels.size());
          if (!cheapest_of.insert(u, next)) {
            const Label& pushed = labels[*cheapest_of.find(u)];
            if (pushed.cost <= cost && pushed.hops <= label.hops + 1) return true;
            if (cost < pushed.cost) cheapest_of.insert_or_assign(u, next);
          }
          labels.push_back(Label{u, index, label.hops + 1, cost});
          heap.push({cost, next});
          return true;
        });
    if (!went_on) return std::nullopt;
  }
  return std::nullopt;
}

uint32_t PathSearch::hop_relation(uint32_t a, uint32_t b) const {
  // A hub may have hundreds of thousands of edges: scan from the end with fewer.
  const bool from_a = g_.edge_count(a) <= g_.edge_count(b);
  const uint32_t scanned = from_a ? a : b;
  const uint32_t wanted = from_a ? b : a;
  const Direction direction = from_a ? filter_.direction : reversed(filter_.direction);
  auto unbounded = QueryBudget::unlimited();
  uint32_t best = kNoIndex;
  auto better = [&](uint32_t candidate) {
    const RelationFacts row = g_.relation_facts(candidate);
    const RelationFacts held = g_.relation_facts(best);
    const double cost = cost_(row);
    const double held_cost = cost_(held);
    if (cost != held_cost) return cost < held_cost;
    if (row.evidence_count != held.evidence_count) return row.evidence_count > held.evidence_count;
    return g_.relation_id(candidate) < g_.relation_id(best);
  };
  auto consider = [&](uint32_t u, const EdgeBundle& e) {
    if (u == wanted && (best == kNoIndex || better(e.relation))) best = e.relation;
    return true;
  };
  // Between two hubs, the smaller still has thousands of edges: look the other up in its
  // ends, sorted by neighbour, instead (the same steps; `better` is a total order, so the same
  // answer).
  if (g_.has_edge_index(scanned)) {
    g_.for_each_edge_between(scanned, &wanted, 1, direction, filter_, unbounded, consider);
  } else {
    // Only edges towards `wanted` matter: their neighbour is tested before the edge is read.
    g_.for_each_step_to(
        scanned, direction, filter_, unbounded, [wanted](uint32_t u) { return u == wanted; },
        consider);
  }
  return best;
}

double PathSearch::path_cost(const NodePath& path) const {
  if (cost_.weight() == PathWeight::hops) return static_cast<double>(path.size()) - 1;
  double cost = 0;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    cost += cost_(g_.relation_facts(hop_relation(path[i], path[i + 1])));
  }
  return cost;
}

Path PathSearch::to_path(const NodePath& nodes) const {
  Path path;
  path.nodes.reserve(nodes.size());
  path.relations.reserve(nodes.size() - 1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    path.nodes.push_back(g_.entity_id(nodes[i]));
    if (i + 1 == nodes.size()) break;
    const uint32_t relation = hop_relation(nodes[i], nodes[i + 1]);
    path.relations.push_back(g_.relation_id(relation));
    path.cost += cost_(g_.relation_facts(relation));
  }
  return path;
}

namespace {

FlatVertexMap vertex_set(const std::vector<uint32_t>& vertices) {
  FlatVertexMap set(vertices.size());
  for (uint32_t v : vertices) set.insert(v, 0);
  return set;
}

// Up to k loopless paths source -> target that never enter `avoid`, cheapest first (Yen).
// Stops early, with what it has proven so far, when the budget runs out.
// REQUIRES: source != target, k >= 1, neither end in `avoid`.
std::vector<CostedPath> k_cheapest(PathSearch& search, uint32_t source, uint32_t target, int k,
                                   int max_hops, const std::vector<uint32_t>& avoid = {}) {
  std::vector<CostedPath> accepted;
  if (max_hops < 1) return accepted;
  const FlatVertexMap avoided = vertex_set(avoid);
  std::optional<NodePath> first = search.cheapest(source, target, max_hops, Exclusions{&avoided});
  if (!first) return accepted;
  accepted.push_back(CostedPath{search.path_cost(*first), std::move(*first)});

  if (k == 1) return accepted;  // the common case: no candidate bookkeeping
  std::set<CostedPath> candidates;
  std::set<NodePath> known{accepted.front().nodes};
  while (static_cast<int>(accepted.size()) < k) {
    const NodePath previous = accepted.back().nodes;  // a copy: `accepted` grows below
    // The spur leaves previous[spur] after a root of `spur` hops, so it has max_hops - spur left.
    for (size_t spur = 0; spur + 1 < previous.size() && static_cast<int>(spur) < max_hops; ++spur) {
      FlatVertexMap taken_hops;
      for (const CostedPath& path : accepted) {
        if (path.nodes.size() > spur + 1 &&
            std::equal(previous.begin(), previous.begin() + spur + 1, path.nodes.begin())) {
          taken_hops.insert(path.nodes[spur + 1], 0);
        }
      }
      std::vector<uint32_t> root(previous.begin(), previous.begin() + spur);
      root.insert(root.end(), avoid.begin(), avoid.end());
      const FlatVertexMap root_vertices = vertex_set(root);
      std::optional<NodePath> spur_path =
          search.cheapest(previous[spur], target, max_hops - static_cast<int>(spur),
                          Exclusions{&root_vertices, &taken_hops});
      if (search.budget().exhausted()) return accepted;
      if (!spur_path) continue;
      NodePath path(previous.begin(), previous.begin() + spur);
      path.insert(path.end(), spur_path->begin(), spur_path->end());
      if (known.insert(path).second) {
        const double cost = search.path_cost(path);
        candidates.insert(CostedPath{cost, std::move(path)});
      }
    }
    if (candidates.empty()) break;
    accepted.push_back(std::move(candidates.extract(candidates.begin()).value()));
  }
  return accepted;
}

// Joins `first` (ending at via) with up to k cheapest `second` legs (from via) that avoid it;
// `first_leads` says which leg was fixed. Adds the joined paths to `joined`.
void join_legs(PathSearch& search, const NodePath& fixed, bool fixed_is_first, uint32_t source,
               uint32_t via, uint32_t target, int k, int max_hops, std::set<CostedPath>& joined) {
  std::vector<uint32_t> avoid;
  for (uint32_t v : fixed) {
    if (v != via) avoid.push_back(v);
  }
  const int hops_left = max_hops - static_cast<int>(fixed.size() - 1);
  const std::vector<CostedPath> others = fixed_is_first
                                             ? k_cheapest(search, via, target, k, hops_left, avoid)
                                             : k_cheapest(search, source, via, k, hops_left, avoid);
  for (const CostedPath& other : others) {
    const NodePath& first = fixed_is_first ? fixed : other.nodes;
    const NodePath& second = fixed_is_first ? other.nodes : fixed;
    NodePath path(first);
    path.insert(path.end(), second.begin() + 1, second.end());
    const double cost = search.path_cost(path);
    joined.insert(CostedPath{cost, std::move(path)});
  }
}

// Up to k cheapest loopless paths source -> via -> target found by joining legs (see
// Snapshot::paths for why this is a bounded heuristic). REQUIRES: the three are distinct.
std::vector<CostedPath> via_paths(PathSearch& search, uint32_t source, uint32_t via,
                                  uint32_t target, int k, int max_hops) {
  const int legs = k + 2;
  std::set<CostedPath> joined;
  // The first legs never touch the target, the second legs never the source: either would
  // leave no loopless way to finish.
  for (const CostedPath& first : k_cheapest(search, source, via, legs, max_hops - 1, {target})) {
    join_legs(search, first.nodes, true, source, via, target, k, max_hops, joined);
    if (search.budget().exhausted()) break;
  }
  for (const CostedPath& second : k_cheapest(search, via, target, legs, max_hops - 1, {source})) {
    if (search.budget().exhausted()) break;
    join_legs(search, second.nodes, false, source, via, target, k, max_hops, joined);
  }
  std::vector<CostedPath> best;
  for (auto it = joined.begin(); it != joined.end() && static_cast<int>(best.size()) < k; ++it) {
    best.push_back(*it);
  }
  return best;
}

// Dispatches a resolved query: the plain cases, via, or k cheapest.
std::vector<CostedPath> find_paths(PathSearch& search, uint32_t source, uint32_t target,
                                   uint32_t via, int k, int max_hops) {
  if (source == target) {
    // A path through another entity would have to come back: not loopless.
    if (via != kNoIndex && via != source) return {};
    return {CostedPath{0, NodePath{source}}};
  }
  if (via != kNoIndex && via != source && via != target) {
    return via_paths(search, source, via, target, k, max_hops);
  }
  return k_cheapest(search, source, target, k, max_hops);
}

}  // namespace
}  // namespace detail

PathResult Snapshot::paths(const PathQuery& query) const {
  PathResult result;
  const uint32_t source = impl_->vertex_of(query.from);
  const uint32_t target = impl_->vertex_of(query.to);
  const uint32_t via = query.via ? impl_->vertex_of(*query.via) : detail::kNoIndex;
  if (source == detail::kNoIndex || target == detail::kNoIndex || query.k < 1 ||
      query.max_hops < 0 || (query.via && via == detail::kNoIndex)) {
    return result;
  }
  const detail::ResolvedFilter filter =
      detail::resolve(*impl_, query.filter, {source, target, via});
  const detail::EdgeCost cost(query.weight, query.reference_day.value_or(latest_day()));
  detail::QueryBudget budget(query.bounds);
  detail::PathSearch search(*impl_, filter, cost, budget);
  const std::vector<detail::CostedPath> found =
      detail::find_paths(search, source, target, via, query.k, query.max_hops);
  result.truncated_by = budget.reason();
  result.truncated = budget.exhausted();
  result.edges_visited = budget.used();
  result.paths.reserve(found.size());
  for (const detail::CostedPath& path : found) result.paths.push_back(search.to_path(path.nodes));
  return result;
}

PathResult Snapshot::shortest_paths(EntityId from, EntityId to, int k, int max_hops,
                                    const Filter& filter, const Bounds& bounds) const {
  PathQuery query;
  query.from = from;
  query.to = to;
  query.k = k;
  query.max_hops = max_hops;
  query.filter = filter;
  query.bounds = bounds;
  return paths(query);
}

}  // namespace relgraph::graph
