// Whole-graph analytics: degree, PageRank, betweenness, weak components. Each projects the
// filtered graph (base + overlay, through the same for_each_step as every traversal) into
// plain arrays once, then iterates over those.

#include "graph/analytics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace {

using detail::EdgeBundle;
using detail::QueryBudget;
using detail::ResolvedFilter;

// The filtered graph as adjacency arrays: the steps of vertex v are
// targets[offsets[v] .. offsets[v + 1]). Vertices the filter does not allow have none.
struct Projection {
  std::vector<uint32_t> members;  // allowed vertices, ascending
  std::vector<uint64_t> offsets;
  std::vector<uint32_t> targets;
};

bool allowed(const Snapshot::Impl& g, const ResolvedFilter& filter, uint32_t v) {
  return !filter.checks_vertex || filter.allows_vertex(v, g.kind_of(v));
}

// Projects the steps in `direction`. `simple`: drops self-loops and repeated neighbours, for
// algorithms that count paths as node sequences. Stops filling when the budget runs out.
Projection project(const Snapshot::Impl& g, const ResolvedFilter& filter, Direction direction,
                   bool simple, QueryBudget& budget) {
  Projection p;
  const uint32_t n = g.vertex_count();
  p.offsets.assign(n + 1, 0);
  for (uint32_t v = 0; v < n; ++v) {
    p.offsets[v] = p.targets.size();
    if (!allowed(g, filter, v)) continue;
    p.members.push_back(v);
    if (budget.exhausted()) continue;
    g.for_each_step(v, direction, filter, budget, [&](uint32_t u, const EdgeBundle&) {
      if (!(simple && u == v)) p.targets.push_back(u);
      return true;
    });
    if (simple) {
      auto first = p.targets.begin() + static_cast<std::ptrdiff_t>(p.offsets[v]);
      std::sort(first, p.targets.end());
      p.targets.erase(std::unique(first, p.targets.end()), p.targets.end());
    }
  }
  p.offsets[n] = p.targets.size();
  return p;
}

template <class Result>
void report_budget(const QueryBudget& budget, Result& result) {
  result.truncated = budget.exhausted();
  result.truncated_by = budget.reason();
  result.edges_visited = budget.used();
}

// The top_n (entity, score) of `members` by score descending, ties by entity id ascending.
std::vector<RankedEntity> top_scores(const Snapshot::Impl& g, const std::vector<uint32_t>& members,
                                     const std::vector<double>& score, size_t top_n) {
  std::vector<RankedEntity> all;
  all.reserve(members.size());
  for (uint32_t v : members) all.push_back(RankedEntity{g.entity_id(v), score[v]});
  const size_t kept = std::min(top_n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kept), all.end(),
                    [](const RankedEntity& a, const RankedEntity& b) {
                      return a.score != b.score ? a.score > b.score : a.entity < b.entity;
                    });
  all.resize(kept);
  return all;
}

// ---------------------------------------------------------------------------------------------
// PageRank

// One power-iteration step from `rank` into `next`; returns the L1 change.
double page_rank_step(const Projection& p, double damping, const std::vector<double>& rank,
                      std::vector<double>& next) {
  const auto n = static_cast<double>(p.members.size());
  double dangling = 0;
  for (uint32_t v : p.members) next[v] = 0;
  for (uint32_t v : p.members) {
    const uint64_t begin = p.offsets[v];
    const uint64_t end = p.offsets[v + 1];
    if (begin == end) {
      dangling += rank[v];
      continue;
    }
    const double share = damping * rank[v] / static_cast<double>(end - begin);
    for (uint64_t i = begin; i < end; ++i) next[p.targets[i]] += share;
  }
  // The jump and the dangling mass go to every entity alike, so the total stays 1.
  const double spread = (1.0 - damping) / n + damping * dangling / n;
  double change = 0;
  for (uint32_t v : p.members) {
    next[v] += spread;
    change += std::abs(next[v] - rank[v]);
  }
  return change;
}

// Divides out the rounding drift of many iterations so that the scores sum to 1.
void normalise(const std::vector<uint32_t>& members, std::vector<double>& rank) {
  double total = 0;
  for (uint32_t v : members) total += rank[v];
  if (total <= 0) return;
  for (uint32_t v : members) rank[v] /= total;
}

// ---------------------------------------------------------------------------------------------
// Betweenness (Brandes)

// Per-source scratch, reset only where the last source reached.
class BrandesScratch {
 public:
  explicit BrandesScratch(uint32_t n) : distance_(n, -1), sigma_(n, 0), delta_(n, 0) {}

  // Adds the dependencies of `source` to `centrality`; returns the edges examined.
  uint64_t accumulate(const Projection& p, uint32_t source, std::vector<double>& centrality) {
    uint64_t examined = 0;
    reset();
    order_.push_back(source);
    distance_[source] = 0;
    sigma_[source] = 1;
    // (w, v): v precedes w on a shortest path from the source; in discovery order, so that in
    // reverse every contribution to delta[w] is made before delta[w] is passed on.
    predecessors_.clear();
    for (size_t head = 0; head < order_.size(); ++head) {
      const uint32_t v = order_[head];
      for (uint64_t i = p.offsets[v]; i < p.offsets[v + 1]; ++i) {
        ++examined;
        const uint32_t w = p.targets[i];
        if (distance_[w] < 0) {
          distance_[w] = distance_[v] + 1;
          order_.push_back(w);
        }
        if (distance_[w] == distance_[v] + 1) {
          sigma_[w] += sigma_[v];
          predecessors_.emplace_back(w, v);
        }
      }
    }
    for (auto it = predecessors_.rbegin(); it != predecessors_.rend(); ++it) {
      const auto [w, v] = *it;
      delta_[v] += sigma_[v] / sigma_[w] * (1.0 + delta_[w]);
    }
    for (uint32_t w : order_) {
      if (w != source) centrality[w] += delta_[w];
    }
    return examined;
  }

 private:
  void reset() {
    for (uint32_t v : order_) {
      distance_[v] = -1;
      sigma_[v] = 0;
      delta_[v] = 0;
    }
    order_.clear();
  }

  std::vector<int32_t> distance_;
  std::vector<double> sigma_;  // shortest paths from the source; double: they grow fast
  std::vector<double> delta_;
  std::vector<uint32_t> order_;  // BFS order
  std::vector<std::pair<uint32_t, uint32_t>> predecessors_;
};

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// `count` distinct members chosen by a partial Fisher-Yates shuffle seeded by `seed`.
std::vector<uint32_t> sample_members(std::vector<uint32_t> members, size_t count, uint64_t seed) {
  count = std::min(count, members.size());
  for (size_t i = 0; i < count; ++i) {
    const size_t j = i + splitmix64(seed) % (members.size() - i);
    std::swap(members[i], members[j]);
  }
  members.resize(count);
  return members;
}

// ---------------------------------------------------------------------------------------------
// Components

// Union-find with path halving and union by size.
class DisjointSets {
 public:
  explicit DisjointSets(uint32_t n) : parent_(n), size_(n, 1) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }
  uint32_t find(uint32_t v) {
    while (parent_[v] != v) {
      parent_[v] = parent_[parent_[v]];
      v = parent_[v];
    }
    return v;
  }
  void unite(uint32_t a, uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
  }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
};

// Groups `members` by root into components, members by id.
std::vector<Component> group_components(const Snapshot::Impl& g,
                                        const std::vector<uint32_t>& members, DisjointSets& sets) {
  std::vector<uint32_t> slot_of_root(g.vertex_count(), detail::kNoIndex);
  std::vector<Component> components;
  for (uint32_t v : members) {
    const uint32_t root = sets.find(v);
    if (slot_of_root[root] == detail::kNoIndex) {
      slot_of_root[root] = static_cast<uint32_t>(components.size());
      components.emplace_back();
    }
    Component& component = components[slot_of_root[root]];
    ++component.size;
    component.members.push_back(g.entity_id(v));
  }
  for (Component& component : components) {
    std::sort(component.members.begin(), component.members.end());
    component.representative = component.members.front();
  }
  return components;
}

}  // namespace

Ranking degree_centrality(const Snapshot& snapshot, const AnalyticsQuery& query) {
  const Snapshot::Impl& g = snapshot.impl();
  const ResolvedFilter filter = detail::resolve(g, query.filter, {});
  QueryBudget budget(query.bounds);
  const Projection p = project(g, filter, query.filter.direction, false, budget);
  std::vector<double> degree(g.vertex_count(), 0);
  for (uint32_t v : p.members) degree[v] = static_cast<double>(p.offsets[v + 1] - p.offsets[v]);
  Ranking ranking;
  ranking.top = top_scores(g, p.members, degree, query.top_n);
  ranking.ranked = p.members.size();
  report_budget(budget, ranking);
  return ranking;
}

PageRankResult page_rank(const Snapshot& snapshot, const AnalyticsQuery& query,
                         const PageRankOptions& options) {
  const Snapshot::Impl& g = snapshot.impl();
  const ResolvedFilter filter = detail::resolve(g, query.filter, {});
  QueryBudget budget(query.bounds);
  const Projection p = project(g, filter, query.filter.direction, false, budget);
  PageRankResult result;
  result.ranking.ranked = p.members.size();
  if (p.members.empty() || budget.exhausted()) {
    report_budget(budget, result.ranking);
    return result;
  }
  std::vector<double> rank(g.vertex_count(), 0);
  std::vector<double> next(g.vertex_count(), 0);
  for (uint32_t v : p.members) rank[v] = 1.0 / static_cast<double>(p.members.size());
  while (result.iterations < options.max_iterations && !result.converged) {
    // A refused iteration is not run: the ranks stay those of the last full one.
    if (!budget.take_many(p.targets.size() + p.members.size())) break;
    result.residual = page_rank_step(p, options.damping, rank, next);
    rank.swap(next);
    ++result.iterations;
    result.converged = result.residual < options.tolerance;
  }
  normalise(p.members, rank);
  result.ranking.top = top_scores(g, p.members, rank, query.top_n);
  report_budget(budget, result.ranking);
  return result;
}

BetweennessResult betweenness_centrality(const Snapshot& snapshot, const AnalyticsQuery& query,
                                         const BetweennessOptions& options) {
  const Snapshot::Impl& g = snapshot.impl();
  const ResolvedFilter filter = detail::resolve(g, query.filter, {});
  QueryBudget budget(query.bounds);
  const Projection p = project(g, filter, query.filter.direction, true, budget);
  const size_t n = p.members.size();
  const bool exact = n <= options.exact_max_entities;
  const std::vector<uint32_t> sources =
      exact ? p.members : sample_members(p.members, options.sample_sources, options.seed);

  BetweennessResult result;
  std::vector<double> centrality(g.vertex_count(), 0);
  BrandesScratch scratch(g.vertex_count());
  for (uint32_t source : sources) {
    if (budget.exhausted()) break;
    // The source's whole BFS is charged after it ran: one source costs at most O(E).
    budget.take_many(scratch.accumulate(p, source, centrality));
    ++result.sources;
  }
  // Undirected: each unordered pair was counted from both of its ends.
  double scale = query.filter.direction == Direction::both ? 0.5 : 1.0;
  if (!exact && result.sources > 0) scale *= static_cast<double>(n) / result.sources;
  for (uint32_t v : p.members) centrality[v] *= scale;
  result.exact = exact && !budget.exhausted();
  result.ranking.ranked = n;
  result.ranking.top = top_scores(g, p.members, centrality, query.top_n);
  report_budget(budget, result.ranking);
  return result;
}

ComponentsResult weak_components(const Snapshot& snapshot, const AnalyticsQuery& query) {
  const Snapshot::Impl& g = snapshot.impl();
  const ResolvedFilter filter = detail::resolve(g, query.filter, {});
  QueryBudget budget(query.bounds);
  const Projection p = project(g, filter, Direction::both, false, budget);
  DisjointSets sets(g.vertex_count());
  for (uint32_t v : p.members) {
    for (uint64_t i = p.offsets[v]; i < p.offsets[v + 1]; ++i) sets.unite(v, p.targets[i]);
  }
  std::vector<Component> components = group_components(g, p.members, sets);
  ComponentsResult result;
  result.count = components.size();
  const size_t kept = std::min(query.top_n, components.size());
  std::partial_sort(components.begin(), components.begin() + static_cast<std::ptrdiff_t>(kept),
                    components.end(), [](const Component& a, const Component& b) {
                      return a.size != b.size ? a.size > b.size
                                              : a.representative < b.representative;
                    });
  components.resize(kept);
  for (Component& component : components) {
    if (component.members.size() > query.bounds.max_nodes) {
      component.members.resize(query.bounds.max_nodes);
    }
  }
  result.top = std::move(components);
  report_budget(budget, result);
  return result;
}

}  // namespace relgraph::graph
