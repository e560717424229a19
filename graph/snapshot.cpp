// Building snapshots from rows, look-ups, and publishing.

#include <algorithm>
#include <atomic>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <utility>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace {

using detail::EdgeBundle;
using detail::kNoIndex;

// Sorts rows by id and keeps, for each id, the row that came last in the input: a later row
// replaces an earlier one, which is what apply() needs when it appends changed rows.
template <class Row>
void sort_keep_last_by_id(std::vector<Row>& rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.id < b.id; });
  size_t kept = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + 1 < rows.size() && rows[i + 1].id == rows[i].id) continue;
    if (kept != i) rows[kept] = std::move(rows[i]);
    ++kept;
  }
  rows.resize(kept);
}

template <class Row>
std::vector<int64_t> ids_of(const std::vector<Row>& rows) {
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const Row& row : rows) ids.push_back(row.id);
  return ids;
}

uint8_t edge_flags(const RelationRow& row) {
  uint8_t flags = 0;
  if (row.symmetric) flags |= detail::kSymmetric;
  // A relation without evidence has nothing that asserts it either, so it counts as negated.
  if (row.negated_count >= row.evidence_count) flags |= detail::kNegatedOnly;
  if (row.subject == row.object) flags |= detail::kSelfLoop;
  return flags;
}

std::unique_ptr<Snapshot::Impl> build_impl(uint64_t version, std::vector<EntityRow> entities,
                                           std::vector<RelationRow> relations) {
  auto impl = std::make_unique<Snapshot::Impl>();
  impl->version_ = version;

  // Ids are positive by contract; a non-positive one would also break the dense id index.
  std::erase_if(entities, [](const EntityRow& row) { return row.id <= 0; });
  sort_keep_last_by_id(entities);
  if (entities.size() >= kNoIndex) throw std::length_error("relgraph: too many entities");
  impl->entities_ = std::move(entities);
  impl->entity_index_.assign(ids_of(impl->entities_));
  impl->key_index_.reserve(impl->entities_.size());
  for (size_t v = 0; v < impl->entities_.size(); ++v) {
    impl->key_index_.emplace(impl->entities_[v].key, static_cast<uint32_t>(v));
  }

  // Types of 64 and above have no bit in Filter::type_mask, so no filter could select them.
  std::erase_if(relations, [&](const RelationRow& row) {
    return row.id <= 0 || row.type >= 64 || impl->vertex_of(row.subject) == kNoIndex ||
           impl->vertex_of(row.object) == kNoIndex;
  });
  sort_keep_last_by_id(relations);
  impl->relations_ = std::move(relations);
  impl->relation_index_.assign(ids_of(impl->relations_));

  const size_t vertex_count = impl->entities_.size();
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  std::vector<EdgeBundle> bundles;
  edges.reserve(impl->relations_.size() * 2);
  bundles.reserve(impl->relations_.size() * 2);
  impl->degrees_.assign(vertex_count, 0);
  for (size_t r = 0; r < impl->relations_.size(); ++r) {
    const RelationRow& row = impl->relations_[r];
    const uint32_t subject = impl->vertex_of(row.subject);
    const uint32_t object = impl->vertex_of(row.object);
    const EdgeBundle bundle{static_cast<uint32_t>(r), static_cast<uint8_t>(row.type),
                            edge_flags(row)};
    edges.emplace_back(subject, object);
    bundles.push_back(bundle);
    ++impl->degrees_[subject];
    if (subject != object) {
      ++impl->degrees_[object];
      if (row.symmetric) {
        edges.emplace_back(object, subject);
        bundles.push_back(bundle);
      }
    }
  }
  if (edges.size() >= std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("relgraph: too many relations for 32-bit edge indices");
  }
  impl->csr_ = detail::CsrGraph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(),
                                bundles.begin(), static_cast<uint32_t>(vertex_count));
  return impl;
}

}  // namespace

Snapshot::Snapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Snapshot::~Snapshot() = default;

std::shared_ptr<const Snapshot> Snapshot::build(uint64_t version, std::vector<EntityRow> entities,
                                                std::vector<RelationRow> relations) {
  // The constructor is private, so make_shared cannot reach it.
  return std::shared_ptr<const Snapshot>(
      new Snapshot(build_impl(version, std::move(entities), std::move(relations))));
}

// Cost: a full rebuild. The old rows are copied, the changed rows appended (a later row with the
// same id wins in build_impl), and the CSR is built again from scratch: O((V + E) log(V + E))
// time and, while building, a second copy of the graph in memory. That is fine at start-up and
// for small graphs, but at 10M relations it takes seconds per publish; design.md's immutable
// base plus a small overlay of changes is the replacement when publishing must cost in
// proportion to the change. Relations dropped from an earlier snapshot because an end was
// missing are not remembered: the store sends a relation with (or after) both its entities.
std::shared_ptr<const Snapshot> Snapshot::apply(uint64_t version, std::vector<EntityRow> entities,
                                                std::vector<RelationRow> relations) const {
  std::vector<EntityRow> merged_entities;
  merged_entities.reserve(impl_->entities_.size() + entities.size());
  merged_entities.insert(merged_entities.end(), impl_->entities_.begin(), impl_->entities_.end());
  std::move(entities.begin(), entities.end(), std::back_inserter(merged_entities));

  std::vector<RelationRow> merged_relations;
  merged_relations.reserve(impl_->relations_.size() + relations.size());
  merged_relations.insert(merged_relations.end(), impl_->relations_.begin(),
                          impl_->relations_.end());
  merged_relations.insert(merged_relations.end(), relations.begin(), relations.end());

  return build(version, std::move(merged_entities), std::move(merged_relations));
}

uint64_t Snapshot::version() const { return impl_->version_; }
size_t Snapshot::entity_count() const { return impl_->entities_.size(); }
size_t Snapshot::relation_count() const { return impl_->relations_.size(); }

const EntityRow* Snapshot::entity(EntityId id) const {
  const uint32_t v = impl_->vertex_of(id);
  return v == kNoIndex ? nullptr : &impl_->entities_[v];
}

const EntityRow* Snapshot::entity_by_key(const std::string& key) const {
  auto it = impl_->key_index_.find(key);
  return it == impl_->key_index_.end() ? nullptr : &impl_->entities_[it->second];
}

const RelationRow* Snapshot::relation(RelationId id) const {
  const uint32_t r = impl_->relation_index_.find(id);
  return r == kNoIndex ? nullptr : &impl_->relations_[r];
}

size_t Snapshot::degree(EntityId id) const {
  const uint32_t v = impl_->vertex_of(id);
  return v == kNoIndex ? 0 : impl_->degrees_[v];
}

std::vector<RelationId> Snapshot::relations_of(EntityId id, const Filter& filter) const {
  std::vector<RelationId> result;
  const uint32_t v = impl_->vertex_of(id);
  if (v == kNoIndex) return result;
  // The caller asked for all of them: there is no bound to report against.
  detail::EdgeBudget unbounded{std::numeric_limits<uint64_t>::max()};
  std::vector<uint32_t> found;
  impl_->for_each_step(v, filter.direction, filter, unbounded,
                       [&](uint32_t, const EdgeBundle& edge) {
                         found.push_back(edge.relation);
                         return true;
                       });
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  result.reserve(found.size());
  for (uint32_t r : found) result.push_back(impl_->relation_id(r));
  return result;
}

// std::atomic<std::shared_ptr> would be the C++20 spelling, but g++ 12's implementation draws
// a ThreadSanitizer report (library-notes.md); the free functions are clean.
SnapshotPublisher::SnapshotPublisher(std::shared_ptr<const Snapshot> initial)
    : current_(std::move(initial)) {}

std::shared_ptr<const Snapshot> SnapshotPublisher::current() const {
  return std::atomic_load(&current_);
}

void SnapshotPublisher::publish(std::shared_ptr<const Snapshot> next) {
  std::atomic_store(&current_, std::move(next));
}

}  // namespace relgraph::graph
