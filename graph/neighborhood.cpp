// Snapshot::neighborhood: a bounded breadth-first search from one entity, with a degree cap
// for hubs.

#include <algorithm>
#include <tuple>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace {

using detail::EdgeBundle;
using detail::FlatVertexMap;
using detail::QueryBudget;
using detail::ResolvedFilter;

// SplitMix64: a tiny, well-mixed generator, so that a hub's sample depends only on the hub.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Step {
  uint32_t neighbour = 0;
  uint32_t relation = 0;
  uint64_t position = 0;  // among the hub's passing steps, in storage order
};

class NeighborhoodSearch {
 public:
  NeighborhoodSearch(const Snapshot::Impl& g, uint32_t start, const ResolvedFilter& filter,
                     const Bounds& bounds)
      : g_(g), start_(start), filter_(filter), bounds_(bounds), budget_(bounds) {
    distance_of_.insert(start, 0);
    members_.push_back(start);
  }

  // Breadth first, one level at a time, until `depth`, a bound, or nothing new.
  void run(int depth) {
    std::vector<uint32_t> frontier{start_};
    for (int d = 0; d < depth && !frontier.empty() && !stopped(); ++d) {
      next_.clear();
      for (uint32_t v : frontier) {
        if (!expand(v, static_cast<uint32_t>(d + 1))) break;
      }
      frontier.swap(next_);
    }
  }

  Neighborhood result(EntityId center) {
    std::vector<RelationId> relations = collect_relations();
    Neighborhood out;
    out.center = center;
    const TruncatedBy stopped_by = full_ ? TruncatedBy::nodes : budget_.reason();
    out.truncated_by =
        detail::first_bound(stopped_by, capped_ ? TruncatedBy::degree : TruncatedBy::none);
    out.truncated = out.truncated_by != TruncatedBy::none;
    out.edges_visited = budget_.used();
    out.nodes.reserve(members_.size());
    for (uint32_t v : members_) {
      out.nodes.push_back(NodeAt{g_.entity_id(v), static_cast<int>(*distance_of_.find(v))});
    }
    // By distance, then by id: the same answer whatever order the graph holds edges in.
    std::sort(out.nodes.begin(), out.nodes.end(), [](const NodeAt& a, const NodeAt& b) {
      return std::tie(a.distance, a.entity) < std::tie(b.distance, b.entity);
    });
    out.relations = std::move(relations);
    return out;
  }

 private:
  bool stopped() const { return full_ || budget_.exhausted(); }
  bool capping() const { return bounds_.max_degree > 0; }
  bool is_hub(uint32_t v) const { return capping() && g_.degree(v) > bounds_.max_degree; }

  // Expands v into level `distance`. False when the search must stop.
  bool expand(uint32_t v, uint32_t distance) {
    if (!is_hub(v)) {
      return g_.for_each_step(v, filter_.direction, filter_, budget_,
                              [&](uint32_t u, const EdgeBundle&) { return visit(u, distance); });
    }
    switch (bounds_.hub_policy) {
      case HubPolicy::skip:
        // Skipping the centre would leave nothing to show: it is truncated instead.
        if (v != start_) {
          capped_ = true;
          return true;
        }
        return expand_first(v, distance);
      case HubPolicy::truncate:
        return expand_first(v, distance);
      case HubPolicy::sample:
        return expand_sample(v, distance);
    }
    return true;
  }

  // Follows the first max_degree passing steps of hub v.
  bool expand_first(uint32_t v, uint32_t distance) {
    size_t taken = 0;
    bool went_on = true;
    g_.for_each_step(v, filter_.direction, filter_, budget_,
                     [&](uint32_t u, const EdgeBundle& edge) {
                       if (taken == bounds_.max_degree) {
                         capped_ = true;  // a passing step beyond the cap exists
                         return false;
                       }
                       ++taken;
                       followed_.push_back(edge.relation);
                       went_on = visit(u, distance);
                       return went_on;
                     });
    return went_on && !budget_.exhausted();
  }

  // Follows a reservoir sample of max_degree passing steps of hub v, seeded by the hub's id.
  bool expand_sample(uint32_t v, uint32_t distance) {
    std::vector<Step> sample;
    uint64_t seen = 0;
    uint64_t state = static_cast<uint64_t>(g_.entity_id(v));
    g_.for_each_step(
        v, filter_.direction, filter_, budget_, [&](uint32_t u, const EdgeBundle& edge) {
          const Step step{u, edge.relation, seen};
          if (sample.size() < bounds_.max_degree) {
            sample.push_back(step);
          } else if (const uint64_t j = next_random(state) % (seen + 1); j < bounds_.max_degree) {
            sample[j] = step;
          }
          ++seen;
          return true;
        });
    if (budget_.exhausted()) return false;
    if (seen > bounds_.max_degree) capped_ = true;
    std::sort(sample.begin(), sample.end(),
              [](const Step& a, const Step& b) { return a.position < b.position; });
    for (const Step& step : sample) {
      followed_.push_back(step.relation);
      if (!visit(step.neighbour, distance)) return false;
    }
    return true;
  }

  // Adds u at `distance` unless known. False when max_nodes is reached with u still to add.
  bool visit(uint32_t u, uint32_t distance) {
    if (distance_of_.contains(u)) return true;
    if (members_.size() >= bounds_.max_nodes) {
      full_ = true;
      return false;
    }
    distance_of_.insert(u, distance);
    members_.push_back(u);
    next_.push_back(u);
    return true;
  }

  // The relations passing the filter between two members, by id. Direction is not a test: a
  // relation between two returned nodes can be walked from one of them in some direction, so
  // it belongs to the picture. Without a degree cap, every relation has an out-edge at its
  // subject, so the members' out-steps are enough. With one, hubs are not scanned (that is
  // the cap's point): the other members are scanned both ways, and the hubs contribute the
  // steps the search followed from them.
  std::vector<RelationId> collect_relations() {
    std::vector<uint32_t> found;
    auto add_if_member = [&](uint32_t u, const EdgeBundle& edge) {
      if (distance_of_.contains(u)) found.push_back(edge.relation);
      return true;
    };
    const Direction scan = capping() ? Direction::both : Direction::out;
    for (uint32_t v : members_) {
      if (is_hub(v)) continue;
      if (!g_.for_each_step(v, scan, filter_, budget_, add_if_member)) break;
    }
    for (uint32_t relation : followed_) {
      const RelationRow& row = g_.relation_row(relation);
      if (distance_of_.contains(g_.vertex_of(row.subject)) &&
          distance_of_.contains(g_.vertex_of(row.object))) {
        found.push_back(relation);
      }
    }
    std::vector<RelationId> ids;
    ids.reserve(found.size());
    for (uint32_t relation : found) ids.push_back(g_.relation_id(relation));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  const Snapshot::Impl& g_;
  const uint32_t start_;
  const ResolvedFilter& filter_;
  const Bounds& bounds_;
  QueryBudget budget_;
  FlatVertexMap distance_of_;       // vertex -> hops from the centre
  std::vector<uint32_t> members_;   // discovery order: by distance
  std::vector<uint32_t> next_;      // the level being discovered
  std::vector<uint32_t> followed_;  // relations followed from capped hubs
  bool full_ = false;               // max_nodes reached while there was more to add
  bool capped_ = false;             // a hub's steps were not all followed
};

}  // namespace

Neighborhood Snapshot::neighborhood(EntityId center, int depth, const Filter& filter,
                                    const Bounds& bounds) const {
  Neighborhood result;
  const uint32_t start = impl_->vertex_of(center);
  if (start == detail::kNoIndex || depth < 0) return result;
  if (bounds.max_nodes == 0) {
    result.center = center;
    result.truncated = true;
    result.truncated_by = TruncatedBy::nodes;
    return result;
  }
  const ResolvedFilter resolved = detail::resolve(*impl_, filter, {start});
  NeighborhoodSearch search(*impl_, start, resolved, bounds);
  search.run(depth);
  return search.result(center);
}

}  // namespace relgraph::graph
