// Snapshot::neighborhood: a bounded breadth-first search from one entity, with a degree cap
// for hubs.

#include <algorithm>
#include <bit>
#include <functional>
#include <tuple>
#include <utility>
#include <vector>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/snapshot_impl.h"
#include "graph/vertex_bitmap.h"

namespace relgraph::graph {
namespace {

using detail::EdgeBundle;
using detail::FlatVertexMap;
using detail::QueryBudget;
using detail::ResolvedFilter;
using detail::VertexBitmapLease;

// SplitMix64: a tiny, well-mixed generator, so that a hub's sample depends only on the hub.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Sorts relation indices: a radix sort once there are enough of them for it to beat std::sort
// (a neighbourhood of 500 entities around hubs holds ~20k relations), in as few passes of at
// most 12 bits as the largest index needs (two up to 16M relations), all passes' digits counted
// in one read.
void sort_indices(std::vector<uint32_t>& values) {
  if (values.size() < 2048) {
    std::sort(values.begin(), values.end());
    return;
  }
  constexpr int kMaxDigitBits = 12;
  const int bits = std::bit_width(*std::max_element(values.begin(), values.end()));
  const int passes = std::max(1, (bits + kMaxDigitBits - 1) / kMaxDigitBits);
  const int digit_bits = (bits + passes - 1) / passes;
  const uint32_t mask = (uint32_t{1} << digit_bits) - 1;
  const size_t buckets = size_t{mask} + 1;
  std::vector<uint32_t> counts(passes * buckets, 0);
  for (uint32_t v : values) {
    for (int p = 0; p < passes; ++p) ++counts[p * buckets + ((v >> (p * digit_bits)) & mask)];
  }
  std::vector<uint32_t> buffer(values.size());
  for (int p = 0; p < passes; ++p) {
    uint32_t* const starts = counts.data() + p * buckets;
    uint32_t sum = 0;
    for (size_t d = 0; d < buckets; ++d) sum += std::exchange(starts[d], sum);
    for (uint32_t v : values) buffer[starts[(v >> (p * digit_bits)) & mask]++] = v;
    values.swap(buffer);
  }
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
      : g_(g),
        start_(start),
        filter_(filter),
        bounds_(bounds),
        budget_(bounds),
        is_member_(g.vertex_count()) {
    is_member_.insert(start);
    members_.push_back(start);
    distances_.push_back(0);
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
    // The relations among the nodes found are collected under a budget of their own (the same
    // bounds again): a search stopped by its budget still shows how its nodes connect, and the
    // collection is bounded too. edges_visited counts the search, which budget_edges limits.
    QueryBudget collect_budget(bounds_);
    std::vector<RelationId> relations = collect_relations(collect_budget);
    Neighborhood out;
    out.center = center;
    const TruncatedBy stopped_by = full_ ? TruncatedBy::nodes : budget_.reason();
    out.truncated_by = detail::first_bound(
        detail::first_bound(stopped_by, capped_ ? TruncatedBy::degree : TruncatedBy::none),
        collect_budget.reason());
    out.truncated = out.truncated_by != TruncatedBy::none;
    out.edges_visited = budget_.used();
    out.nodes.reserve(members_.size());
    for (size_t i = 0; i < members_.size(); ++i) {
      out.nodes.push_back(NodeAt{g_.entity_id(members_[i]), static_cast<int>(distances_[i])});
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
    if (is_member_.test(u)) return true;
    if (members_.size() >= bounds_.max_nodes) {
      full_ = true;
      return false;
    }
    is_member_.insert(u);
    members_.push_back(u);
    distances_.push_back(distance);
    next_.push_back(u);
    return true;
  }

  // The relations passing the filter between two members, by id. Direction is not a test: a
  // relation between two returned nodes can be walked from one of them in some direction, so
  // it belongs to the picture. Each relation is looked for from its cheaper end:
  // - hubs that the degree cap skips are not scanned (that is the cap's point): they contribute
  //   the steps the search followed from them;
  // - other hubs (sorted ends with search fences) are not scanned either: their relations with
  //   the capped hubs are found by search in their ends, those with each other in the hub core
  //   (Base::hub_core), those with scanned members from the scanned end;
  // - the rest are scanned. With nothing unscanned, every relation has an out-edge at its
  //   subject, so out-steps are enough; otherwise both ways, and a relation between two scanned
  //   members (reported at both ends) is taken at its lower-numbered end.
  std::vector<RelationId> collect_relations(QueryBudget& budget) {
    std::vector<uint32_t> found;
    found.reserve(4 * members_.size());
    std::vector<uint32_t> scanned;
    std::vector<uint32_t> unscanned;  // capped hubs, then indexed hubs
    std::vector<uint32_t> indexed;
    for (uint32_t v : members_) {
      if (capping() && is_hub(v)) {
        unscanned.push_back(v);
      } else if (g_.has_edge_index(v)) {
        indexed.push_back(v);
      } else {
        scanned.push_back(v);
      }
    }
    unscanned.insert(unscanned.end(), indexed.begin(), indexed.end());
    const bool all_scanned = unscanned.empty();
    FlatVertexMap is_unscanned(unscanned.size());
    for (uint32_t v : unscanned) is_unscanned.insert(v, 0);
    const Direction scan = all_scanned ? Direction::out : Direction::both;
    auto is_member = [&](uint32_t u) { return is_member_.test(u); };
    for (size_t i = 0; i < scanned.size(); ++i) {
      const uint32_t v = scanned[i];
      // Each member's edges start with a cache miss or two: overlap them with the scans before.
      if (i + 16 < scanned.size()) g_.prefetch_edge_rows(scanned[i + 16]);
      if (i + 8 < scanned.size()) g_.prefetch_edges(scanned[i + 8]);
      const bool went_on = g_.for_each_step_among(
          v, scan, filter_, budget, is_member, [&](uint32_t u, const EdgeBundle& edge) {
            if (all_scanned || v <= u || is_unscanned.contains(u)) found.push_back(edge.relation);
            return true;
          });
      if (!went_on) break;
    }
    // Each indexed hub h looks up the capped hubs in its ends, and itself (self-loops) and the
    // indexed hubs with more edges (ties: higher-numbered) in its core ends: a pair of indexed
    // hubs is looked up in the smaller one's, the shorter search. Hubs are taken largest
    // first, so `larger` (sorted by vertex, as the look-up needs) holds h and every hub taken
    // before it.
    std::vector<uint32_t> capped_hubs(unscanned.begin(), unscanned.end() - indexed.size());
    std::sort(capped_hubs.begin(), capped_hubs.end());
    std::vector<std::pair<uint64_t, uint32_t>> by_size;  // (edges, vertex)
    by_size.reserve(indexed.size());
    for (uint32_t h : indexed) by_size.emplace_back(g_.edge_count(h), h);
    std::sort(by_size.begin(), by_size.end(), std::greater<>());
    std::vector<uint32_t> larger;
    larger.reserve(indexed.size());
    auto take = [&](uint32_t, const EdgeBundle& edge) { found.push_back(edge.relation); };
    for (const auto& [edges, h] : by_size) {
      if (budget.exhausted()) break;
      larger.insert(std::lower_bound(larger.begin(), larger.end(), h), h);
      g_.for_each_edge_between(h, capped_hubs.data(), capped_hubs.size(), Direction::both, filter_,
                               budget, take);
      g_.for_each_edge_between_hubs(h, larger.data(), larger.size(), Direction::both, filter_,
                                    budget, take);
    }
    for (uint32_t relation : followed_) {
      const auto [subject, object] = g_.relation_ends(relation);
      if (is_member_.test(subject) && is_member_.test(object)) {
        found.push_back(relation);
      }
    }
    // Base relation indices follow id order, so sorting indices sorts ids, unless overlay
    // relations (indices after the base's, ids anywhere) are among them.
    sort_indices(found);
    found.erase(std::unique(found.begin(), found.end()), found.end());
    std::vector<RelationId> ids;
    ids.reserve(found.size());
    for (uint32_t relation : found) ids.push_back(g_.relation_id(relation));
    if (!found.empty() && found.back() >= g_.base_->relation_count()) {
      std::sort(ids.begin(), ids.end());
    }
    return ids;
  }

  const Snapshot::Impl& g_;
  const uint32_t start_;
  const ResolvedFilter& filter_;
  const Bounds& bounds_;
  QueryBudget budget_;
  VertexBitmapLease is_member_;      // the members' bits
  std::vector<uint32_t> members_;    // discovery order: by distance
  std::vector<uint32_t> distances_;  // distances_[i]: hops from the centre to members_[i]
  std::vector<uint32_t> next_;       // the level being discovered
  std::vector<uint32_t> followed_;   // relations followed from capped hubs
  bool full_ = false;                // max_nodes reached while there was more to add
  bool capped_ = false;              // a hub's steps were not all followed
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
