// Snapshot::neighborhood: a bounded breadth-first search from one entity.

#include <algorithm>
#include <tuple>

#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace {

using detail::EdgeBundle;
using detail::FlatVertexMap;

// The relations that pass the type and negation parts of `filter` and join two vertices of
// `members`. Direction is not a test here: a relation between two returned nodes can be walked
// from one of them in any direction, so it belongs to the picture. Every relation has an
// out-edge at its subject, so the out-edges of the members are enough; a symmetric relation
// is seen from both ends and deduplicated. Returns false when the budget ran out.
bool collect_relations(const Snapshot::Impl& g, const std::vector<uint32_t>& members,
                       const FlatVertexMap& member_set, const Filter& filter,
                       detail::EdgeBudget& budget, std::vector<uint32_t>& relations) {
  for (uint32_t v : members) {
    auto [it, end] = boost::out_edges(v, g.csr_);
    for (; it != end; ++it) {
      if (!budget.take()) return false;
      const EdgeBundle& edge = g.csr_[*it];
      if (detail::passes(edge, filter) && member_set.contains(boost::target(*it, g.csr_))) {
        relations.push_back(edge.relation);
      }
    }
  }
  std::sort(relations.begin(), relations.end());
  relations.erase(std::unique(relations.begin(), relations.end()), relations.end());
  return true;
}

}  // namespace

Neighborhood Snapshot::neighborhood(EntityId center, int depth, const Filter& filter,
                                    const Bounds& bounds) const {
  Neighborhood result;
  const uint32_t start = impl_->vertex_of(center);
  if (start == detail::kNoIndex || depth < 0) return result;
  result.center = center;
  if (bounds.max_nodes == 0) {
    result.truncated = true;
    return result;
  }

  detail::EdgeBudget budget{bounds.max_edges_visited};
  FlatVertexMap distance_of;             // vertex -> hops from the centre
  std::vector<uint32_t> members{start};  // discovery order: by distance
  distance_of.insert(start, 0);
  std::vector<uint32_t> frontier{start};
  std::vector<uint32_t> next;
  bool full = false;  // max_nodes reached while there was more to add
  for (int d = 0; d < depth && !frontier.empty() && !full && !budget.exhausted; ++d) {
    next.clear();
    for (uint32_t v : frontier) {
      const bool went_on = impl_->for_each_step(
          v, filter.direction, filter, budget, [&](uint32_t u, const EdgeBundle&) {
            if (distance_of.contains(u)) return true;
            if (members.size() >= bounds.max_nodes) {
              full = true;
              return false;
            }
            distance_of.insert(u, static_cast<uint32_t>(d + 1));
            members.push_back(u);
            next.push_back(u);
            return true;
          });
      if (!went_on) break;
    }
    frontier.swap(next);
  }

  std::vector<uint32_t> relations;
  const bool complete = collect_relations(*impl_, members, distance_of, filter, budget, relations);
  result.truncated = full || budget.exhausted || !complete;

  result.nodes.reserve(members.size());
  for (uint32_t v : members) {
    result.nodes.push_back(NodeAt{impl_->entity_id(v), static_cast<int>(*distance_of.find(v))});
  }
  // By distance, then by id: the same answer whatever order the CSR happens to hold edges in.
  std::sort(result.nodes.begin(), result.nodes.end(), [](const NodeAt& a, const NodeAt& b) {
    return std::tie(a.distance, a.entity) < std::tie(b.distance, b.entity);
  });
  result.relations.reserve(relations.size());
  for (uint32_t r : relations) result.relations.push_back(impl_->relation_id(r));
  return result;
}

}  // namespace relgraph::graph
