// Snapshot::all_shortest_paths and Snapshot::subgraph: every shortest path between two
// entities from one bidirectional BFS that records all parents, and the union of such paths
// between seed entities.

#include <algorithm>
#include <utility>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/path_search.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace detail {
namespace {

using Link = std::pair<uint32_t, uint32_t>;  // (vertex, a neighbour one level nearer the root)

// One end of the search. Unlike the single-path search it records every parent of a vertex
// found at the vertex's own level, which is what makes every shortest path recoverable.
struct LayeredSide {
  Direction direction;
  FlatVertexMap depth_of;  // vertex -> hops from the root
  std::vector<uint32_t> frontier;
  std::vector<Link> links;
  int depth = 0;

  LayeredSide(Direction walk, uint32_t root) : direction(walk), frontier{root} {
    depth_of.insert(root, 0);
  }
};

// Expands `side` by one whole level and returns the new frontier vertices `other` has reached
// (every one lies on a shortest path: see expand_level in paths.cpp), or nothing.
std::vector<uint32_t> expand_layer(const Snapshot::Impl& g, LayeredSide& side,
                                   const LayeredSide& other, const ResolvedFilter& filter,
                                   QueryBudget& budget) {
  const auto level = static_cast<uint32_t>(side.depth + 1);
  std::vector<uint32_t> next;
  for (uint32_t v : side.frontier) {
    const bool went_on =
        g.for_each_step(v, side.direction, filter, budget, [&](uint32_t u, const EdgeBundle&) {
          if (u == v) return true;
          if (side.depth_of.insert(u, level)) {
            next.push_back(u);
            side.links.emplace_back(u, v);
          } else if (*side.depth_of.find(u) == level) {
            side.links.emplace_back(u, v);
          }
          return true;
        });
    if (!went_on) return {};
  }
  side.frontier.swap(next);
  side.depth = static_cast<int>(level);
  std::vector<uint32_t> meetings;
  for (uint32_t u : side.frontier) {
    if (other.depth_of.contains(u)) meetings.push_back(u);
  }
  return meetings;
}

// Links sorted and deduplicated (parallel relations give one link twice), so that a vertex's
// links are one equal_range.
void sort_links(std::vector<Link>& links) {
  std::sort(links.begin(), links.end());
  links.erase(std::unique(links.begin(), links.end()), links.end());
}

std::pair<std::vector<Link>::const_iterator, std::vector<Link>::const_iterator> links_of(
    const std::vector<Link>& links, uint32_t vertex) {
  return std::equal_range(links.begin(), links.end(), Link{vertex, 0},
                          [](const Link& a, const Link& b) { return a.first < b.first; });
}

// Enumerates the paths in lexicographic order of entity ids: from the source down the forward
// side's useful vertices to a meeting vertex, then up the backward side's links to the target.
class PathEnumerator {
 public:
  PathEnumerator(const Snapshot::Impl& g, const LayeredSide& forward, const LayeredSide& backward,
                 const std::vector<uint32_t>& meetings, size_t wanted)
      : g_(g), forward_depth_(forward.depth), backward_(backward.links), wanted_(wanted) {
    sort_links(backward_);
    children_ = children_towards(forward.links, meetings);
  }

  std::vector<NodePath> run(uint32_t source) {
    path_.assign(1, source);
    descend_forward();
    return std::move(paths_);
  }

 private:
  // (parent, child) links of the forward side restricted to vertices from which a meeting
  // vertex is reached: the others are dead ends that would make enumeration exponential.
  static std::vector<Link> children_towards(std::vector<Link> parents,
                                            const std::vector<uint32_t>& meetings) {
    sort_links(parents);
    FlatVertexMap useful(meetings.size());
    std::vector<uint32_t> level(meetings);
    for (uint32_t m : meetings) useful.insert(m, 0);
    std::vector<Link> children;
    while (!level.empty()) {
      std::vector<uint32_t> above;
      for (uint32_t v : level) {
        auto [it, end] = links_of(parents, v);
        for (; it != end; ++it) {
          children.emplace_back(it->second, v);
          if (useful.insert(it->second, 0)) above.push_back(it->second);
        }
      }
      level.swap(above);
    }
    sort_links(children);
    return children;
  }

  bool done() const { return paths_.size() >= wanted_; }

  // The vertices `links` leads to from `vertex`, by entity id.
  std::vector<uint32_t> next_of(const std::vector<Link>& links, uint32_t vertex) const {
    std::vector<uint32_t> next;
    auto [it, end] = links_of(links, vertex);
    for (; it != end; ++it) next.push_back(it->second);
    std::sort(next.begin(), next.end(),
              [&](uint32_t a, uint32_t b) { return g_.entity_id(a) < g_.entity_id(b); });
    return next;
  }

  void descend_forward() {
    if (static_cast<int>(path_.size()) - 1 == forward_depth_) {
      descend_backward();
      return;
    }
    for (uint32_t child : next_of(children_, path_.back())) {
      if (done()) return;
      path_.push_back(child);
      descend_forward();
      path_.pop_back();
    }
  }

  void descend_backward() {
    const std::vector<uint32_t> next = next_of(backward_, path_.back());
    if (next.empty()) {  // the target: its side's root has no link
      paths_.push_back(path_);
      return;
    }
    for (uint32_t parent : next) {
      if (done()) return;
      path_.push_back(parent);
      descend_backward();
      path_.pop_back();
    }
  }

  const Snapshot::Impl& g_;
  const int forward_depth_;
  std::vector<Link> backward_;  // (vertex, neighbour nearer the target)
  std::vector<Link> children_;  // (vertex, neighbour nearer a meeting vertex)
  const size_t wanted_;
  NodePath path_;
  std::vector<NodePath> paths_;
};

}  // namespace

ShortestPaths all_shortest(const Snapshot::Impl& g, uint32_t source, uint32_t target, int max_hops,
                           size_t limit, const ResolvedFilter& filter, QueryBudget& budget) {
  LayeredSide forward(filter.direction, source);
  LayeredSide backward(reversed(filter.direction), target);
  std::vector<uint32_t> meetings;
  while (meetings.empty() && forward.depth + backward.depth < max_hops) {
    if (forward.frontier.empty() || backward.frontier.empty()) return {};
    uint64_t forward_edges = 0;
    uint64_t backward_edges = 0;
    for (uint32_t v : forward.frontier) forward_edges += g.edge_count(v);
    for (uint32_t v : backward.frontier) backward_edges += g.edge_count(v);
    meetings = forward_edges <= backward_edges ? expand_layer(g, forward, backward, filter, budget)
                                               : expand_layer(g, backward, forward, filter, budget);
    if (budget.exhausted()) return {};
  }
  if (meetings.empty()) return {};
  // One more than asked for tells whether there are more.
  PathEnumerator enumerator(g, forward, backward, meetings, limit + 1);
  ShortestPaths result;
  result.paths = enumerator.run(source);
  if (result.paths.size() > limit) {
    result.paths.resize(limit);
    result.more = true;
  }
  return result;
}

}  // namespace detail

namespace {

// Hop relations are reported as shortest_paths reports them: the most evidence, lowest id.
const detail::EdgeCost kHops(PathWeight::hops, 0);

}  // namespace

PathResult Snapshot::all_shortest_paths(EntityId from, EntityId to, int max_hops, size_t limit,
                                        const Filter& filter, const Bounds& bounds) const {
  PathResult result;
  const uint32_t source = impl_->vertex_of(from);
  const uint32_t target = impl_->vertex_of(to);
  if (source == detail::kNoIndex || target == detail::kNoIndex || max_hops < 0 || limit == 0) {
    return result;
  }
  if (source == target) {
    result.paths.push_back(Path{{from}, {}, 0});
    return result;
  }
  const detail::ResolvedFilter resolved = detail::resolve(*impl_, filter, {source, target});
  detail::QueryBudget budget(bounds);
  const detail::ShortestPaths found =
      detail::all_shortest(*impl_, source, target, max_hops, limit, resolved, budget);
  const detail::PathSearch search(*impl_, resolved, kHops, budget);
  for (const detail::NodePath& nodes : found.paths) result.paths.push_back(search.to_path(nodes));
  result.truncated_by = budget.exhausted() ? budget.reason()
                        : found.more       ? TruncatedBy::limit
                                           : TruncatedBy::none;
  result.truncated = result.truncated_by != TruncatedBy::none;
  result.edges_visited = budget.used();
  return result;
}

namespace {

// Accumulates the subgraph's vertices and relations.
struct SubgraphParts {
  std::vector<uint32_t> vertices;
  std::vector<RelationId> relations;

  void add(const Path& path, const std::vector<uint32_t>& nodes) {
    vertices.insert(vertices.end(), nodes.begin(), nodes.end());
    relations.insert(relations.end(), path.relations.begin(), path.relations.end());
  }
};

}  // namespace

Subgraph Snapshot::subgraph(const std::vector<EntityId>& seeds, int max_hops, size_t paths_per_pair,
                            const Filter& filter, const Bounds& bounds) const {
  Subgraph result;
  std::vector<uint32_t> seed_vertices;
  for (EntityId id : seeds) {
    const uint32_t v = impl_->vertex_of(id);
    if (v != detail::kNoIndex &&
        std::find(seed_vertices.begin(), seed_vertices.end(), v) == seed_vertices.end()) {
      seed_vertices.push_back(v);
    }
  }
  const detail::ResolvedFilter resolved = detail::resolve(*impl_, filter, seed_vertices);
  detail::QueryBudget budget(bounds);
  const detail::PathSearch search(*impl_, resolved, kHops, budget);
  SubgraphParts parts{seed_vertices, {}};
  const size_t limit = std::max<size_t>(paths_per_pair, 1);
  for (size_t i = 0; i < seed_vertices.size(); ++i) {
    for (size_t j = i + 1; j < seed_vertices.size(); ++j) {
      const uint32_t a = seed_vertices[i];
      const uint32_t b = seed_vertices[j];
      detail::ShortestPaths found =
          budget.exhausted()
              ? detail::ShortestPaths{}
              : detail::all_shortest(*impl_, a, b, max_hops, limit, resolved, budget);
      if (found.paths.empty() && filter.direction != Direction::both && !budget.exhausted()) {
        found = detail::all_shortest(*impl_, b, a, max_hops, limit, resolved, budget);
      }
      if (found.paths.empty()) {
        result.unconnected.emplace_back(impl_->entity_id(a), impl_->entity_id(b));
      }
      for (const detail::NodePath& nodes : found.paths) parts.add(search.to_path(nodes), nodes);
    }
  }
  for (uint32_t v : parts.vertices) result.nodes.push_back(impl_->entity_id(v));
  std::sort(result.nodes.begin(), result.nodes.end());
  result.nodes.erase(std::unique(result.nodes.begin(), result.nodes.end()), result.nodes.end());
  result.relations = std::move(parts.relations);
  std::sort(result.relations.begin(), result.relations.end());
  result.relations.erase(std::unique(result.relations.begin(), result.relations.end()),
                         result.relations.end());
  result.truncated_by = budget.reason();
  result.truncated = budget.exhausted();
  result.edges_visited = budget.used();
  return result;
}

}  // namespace relgraph::graph
