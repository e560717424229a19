// Building snapshots from rows (a base CSR plus an overlay of later changes), look-ups, filter
// resolution, and publishing.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <thread>
#include <utility>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace relgraph::graph {
namespace {

using detail::Base;
using detail::EdgeBundle;
using detail::kNoIndex;
using detail::Overlay;
using detail::OverlayEdge;

// Sorts rows by id and keeps, for each id, the row that came last in the input: a later row
// replaces an earlier one, which is what apply() needs when it appends changed rows.
template <class Row>
void sort_keep_last_by_id(std::vector<Row>& rows) {
  // The store hands rows over in id order: then there is nothing to sort or drop.
  if (std::adjacent_find(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.id >= b.id;
      }) == rows.end()) {
    return;
  }
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

EdgeBundle bundle_of(const RelationRow& row, uint32_t relation) {
  return EdgeBundle{relation, static_cast<uint8_t>(row.type), detail::edge_flags(row)};
}

// Types of 64 and above have no bit in Filter::type_mask, so no filter could select them.
bool storable(const RelationRow& row) { return row.id > 0 && row.type < 64; }

// The code of `kind` in `names`, adding it when new.
uint16_t kind_code(std::vector<std::string>& names, const std::string& kind) {
  auto it = std::find(names.begin(), names.end(), kind);
  if (it != names.end()) return static_cast<uint16_t>(it - names.begin());
  if (names.size() >= std::numeric_limits<uint16_t>::max()) {
    throw std::length_error("relgraph: too many entity kinds");
  }
  names.push_back(kind);
  return static_cast<uint16_t>(names.size() - 1);
}

// Fills the base's entity table and ids from the rows, which it consumes.
void build_entities(Base& base, std::vector<EntityRow> entities,
                    std::vector<std::string>& kind_names) {
  // Ids are positive by contract; a non-positive one would also break the dense id index.
  std::erase_if(entities, [](const EntityRow& row) { return row.id <= 0; });
  sort_keep_last_by_id(entities);
  if (entities.size() >= kNoIndex) throw std::length_error("relgraph: too many entities");
  std::vector<int64_t> ids = ids_of(entities);
  // Sized exactly: grown by doubling, the arena would be copied and, at its last growth, take
  // up to twice its size.
  size_t text_bytes = 0;
  for (const EntityRow& row : entities) text_bytes += row.key.size() + row.name.size();
  base.entities.reserve(entities.size(), text_bytes);
  for (EntityRow& row : entities) {
    base.entities.push_back(row.key, row.name, kind_code(kind_names, row.kind));
    // The row's heap blocks (strings past 15 bytes) go as soon as the arena holds their text.
    row = EntityRow{};
  }
  entities = {};
  base.entity_index.assign(ids);
  // Sorted and unique, so consecutive exactly when the last is first + count - 1.
  base.dense_entity_ids =
      ids.empty() || ids.back() - ids.front() == static_cast<int64_t>(ids.size()) - 1;
  base.first_entity_id = ids.empty() ? 0 : ids.front();
  if (!base.dense_entity_ids) base.entity_ids = std::move(ids);
  base.key_index.assign(base.vertex_count(), [&](uint32_t v) { return base.entities.key(v); });
}

// The base's entities back as rows, `kind_names` naming its kind codes.
std::vector<EntityRow> entity_rows(const Base& base, const std::vector<std::string>& kind_names) {
  std::vector<EntityRow> rows;
  rows.reserve(base.vertex_count());
  for (uint32_t v = 0; v < base.vertex_count(); ++v) {
    rows.push_back({base.entity_id(v), std::string(base.entities.key(v)),
                    std::string(base.entities.name(v)), kind_names[base.entities.kind(v)]});
  }
  return rows;
}

// Faults in the pages of [data, data + bytes) as a write would, without writing: the kernel
// zeroes fresh pages (at 10M relations, first touches of the graph's arrays were about a third of
// a start's CPU time), and on another thread that work runs beside the thread that fills the
// arrays. Content already written is untouched, so it may run while another thread writes there.
// Best effort: does nothing where MADV_POPULATE_WRITE is unknown (Linux < 5.14).
void prefault(const void* data, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  static const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

// The CSR in both directions, laid out exactly as Boost's edges_are_unsorted_multi_pass
// constructor lays it out for the edge list (subject, object) per relation, plus (object,
// subject) after it for a symmetric relation between two entities (a stable counting sort by
// source, then the in-edges by a stable counting sort of the out-edges in their CSR order),
// but filled straight from the relation records: no edge list (2 x 8 bytes per edge) is
// built and copied. At 10M relations (perf, bench/query_bench --only load): 0.89 s of CPU
// against 1.00 s for the edge list plus the constructor; what remains is the scatters' cache
// misses, which any counting sort into 13M slots has.
void build_csr(Base& base) {
  const uint32_t vertices = base.vertex_count();
  const uint32_t relations = base.relations.size();
  std::vector<uint32_t> out_start(size_t{vertices} + 1, 0);
  std::vector<uint32_t> in_start(size_t{vertices} + 1, 0);
  base.degrees.assign(vertices, 0);
  uint64_t edges = 0;
  for (uint32_t r = 0; r < relations; ++r) {
    const detail::RelationRecord& record = base.relations.record(r);
    const uint32_t subject = record.subject;
    const uint32_t object = record.object;
    base.latest_day = std::max(base.latest_day, base.relations.facts(r).last_seen);
    ++out_start[size_t{subject} + 1];
    ++in_start[size_t{object} + 1];
    ++edges;
    ++base.degrees[subject];
    if (subject != object) {
      ++base.degrees[object];
      if ((record.flags & detail::kSymmetric) != 0) {
        ++out_start[size_t{object} + 1];
        ++in_start[size_t{subject} + 1];
        ++edges;
      }
    }
  }
  if (edges >= std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("relgraph: too many relations for 32-bit edge indices");
  }
  for (uint32_t v = 0; v < vertices; ++v) {
    out_start[size_t{v} + 1] += out_start[v];
    in_start[size_t{v} + 1] += in_start[v];
  }

  // The in-edge arrays are allocated (and their pages faulted in) on another thread while this
  // one fills the out-edges.
  auto in_arrays = std::async(std::launch::async, [edges] {
    return std::make_pair(std::vector<uint32_t>(edges), std::vector<uint32_t>(edges));
  });
  std::vector<uint32_t> out_target(edges);
  std::vector<EdgeBundle> out_bundle(edges);
  {
    std::vector<uint32_t> next(out_start.begin(), out_start.end() - 1);
    for (uint32_t r = 0; r < relations; ++r) {
      const detail::RelationRecord& record = base.relations.record(r);
      const uint32_t subject = record.subject;
      const uint32_t object = record.object;
      const EdgeBundle bundle{r, record.type, static_cast<uint8_t>(record.flags & ~detail::kWide)};
      uint32_t at = next[subject]++;
      out_target[at] = object;
      out_bundle[at] = bundle;
      if (subject != object && (record.flags & detail::kSymmetric) != 0) {
        at = next[object]++;
        out_target[at] = subject;
        out_bundle[at] = bundle;
      }
    }
  }
  auto [in_source, in_edge] = in_arrays.get();
  {
    std::vector<uint32_t> next(in_start.begin(), in_start.end() - 1);
    for (uint32_t v = 0; v < vertices; ++v) {
      for (uint32_t e = out_start[v]; e < out_start[size_t{v} + 1]; ++e) {
        const uint32_t at = next[out_target[e]]++;
        in_source[at] = v;
        in_edge[at] = e;
      }
    }
  }
  base.csr = detail::CsrGraph(vertices);
  base.csr.m_forward.m_rowstart = std::move(out_start);
  base.csr.m_forward.m_column = std::move(out_target);
  base.csr.m_forward.m_edge_properties = std::move(out_bundle);
  base.csr.m_backward.m_rowstart = std::move(in_start);
  base.csr.m_backward.m_column = std::move(in_source);
  base.csr.m_backward.m_edge_properties = std::move(in_edge);
}

// The by-neighbour index of the hubs' edges (Base::hub_neighbours and hub_bundles): the edges a
// walk in direction both reads at the hub (out-edges, then in-edges but for the twins of
// symmetric relations and self-loops), sorted by neighbour and relation.
void build_hub_index(Base& base) {
  const detail::CsrGraph& csr = base.csr;
  auto skipped = [](const EdgeBundle& bundle) {
    return (bundle.flags & (detail::kSymmetric | detail::kSelfLoop)) != 0;
  };
  // The hubs and where each one's edges go, counted first: the arrays are sized exactly
  // (growing them by doubling copied and faulted them in several times), and the hubs can be
  // filled and sorted on two threads.
  std::vector<uint32_t> hubs;
  base.hub_offsets.push_back(0);
  for (uint32_t v = 0; v < base.vertex_count(); ++v) {
    if (uint64_t{boost::out_degree(v, csr)} + boost::in_degree(v, csr) <= detail::kIndexedEdges) {
      continue;
    }
    uint64_t count = boost::out_degree(v, csr);
    for (auto [it, end] = boost::in_edges(v, csr); it != end; ++it) {
      if (!skipped(csr[*it])) ++count;
    }
    base.hub_slot.insert(v, static_cast<uint32_t>(hubs.size()));
    hubs.push_back(v);
    base.hub_offsets.push_back(base.hub_offsets.back() + count);
  }
  base.hub_neighbours.resize(base.hub_offsets.back());
  base.hub_bundles.resize(base.hub_offsets.back());
  // Fills the arrays for hubs [first, last): each hub's edges sorted, then split into
  // neighbours and bundles.
  auto fill = [&](size_t first, size_t last) {
    std::vector<detail::IndexedEdge> entries;
    for (size_t h = first; h < last; ++h) {
      const uint32_t v = hubs[h];
      entries.clear();
      for (auto [it, end] = boost::out_edges(v, csr); it != end; ++it) {
        EdgeBundle bundle = csr[*it];
        bundle.flags |= detail::kOutgoing;
        entries.push_back({static_cast<uint32_t>(boost::target(*it, csr)), bundle});
      }
      for (auto [it, end] = boost::in_edges(v, csr); it != end; ++it) {
        const EdgeBundle& bundle = csr[*it];
        if (skipped(bundle)) continue;
        entries.push_back({static_cast<uint32_t>(boost::source(*it, csr)), bundle});
      }
      // (neighbour, relation) is unique within a hub, so the order does not depend on the sort.
      std::sort(entries.begin(), entries.end(),
                [](const detail::IndexedEdge& x, const detail::IndexedEdge& y) {
                  return x.neighbour != y.neighbour ? x.neighbour < y.neighbour
                                                    : x.bundle.relation < y.bundle.relation;
                });
      size_t at = base.hub_offsets[h];
      for (const detail::IndexedEdge& entry : entries) {
        base.hub_neighbours[at] = entry.neighbour;
        base.hub_bundles[at] = entry.bundle;
        ++at;
      }
    }
  };
  // Two halves by edge count; the second on another thread when there is enough to share.
  const uint64_t total = base.hub_offsets.back();
  if (total < (uint64_t{1} << 20)) {
    fill(0, hubs.size());
  } else {
    const size_t middle = static_cast<size_t>(
        std::lower_bound(base.hub_offsets.begin(), base.hub_offsets.end() - 1, total / 2) -
        base.hub_offsets.begin());
    std::thread second([&] { fill(middle, hubs.size()); });
    fill(0, middle);
    second.join();
  }
  base.assign_hub_fences();
}

// The indexes and the CSR over a base whose entities and relation table are complete.
void finish_base(Base& base) {
  base.relations.shrink_to_fit();
  // Consecutive ids need no index: a position is id - first id.
  if (!base.relations.dense_ids()) {
    std::vector<int64_t> ids(base.relations.size());
    for (uint32_t r = 0; r < base.relations.size(); ++r) ids[r] = base.relations.id(r);
    base.relation_index.assign(ids);
  }
  build_csr(base);
  build_hub_index(base);
}

std::unique_ptr<Snapshot::Impl> build_impl(uint64_t version, std::vector<EntityRow> entities,
                                           std::vector<RelationRow> relations) {
  auto impl = std::make_unique<Snapshot::Impl>();
  impl->version_ = version;
  auto base = std::make_shared<Base>();
  build_entities(*base, std::move(entities), impl->kind_names_);

  std::erase_if(relations, [&](const RelationRow& row) {
    return !storable(row) || base->entity_index.find(row.subject) == kNoIndex ||
           base->entity_index.find(row.object) == kNoIndex;
  });
  sort_keep_last_by_id(relations);
  base->relations.reserve(relations.size());
  for (const RelationRow& row : relations) {
    base->relations.push_back(row, base->entity_index.find(row.subject),
                              base->entity_index.find(row.object));
  }
  relations = {};
  finish_base(*base);
  impl->base_ = std::move(base);
  return impl;
}

// ---------------------------------------------------------------------------------------------
// The overlay

// Builds overlays over one base and one kind dictionary.
class OverlayBuilder {
 public:
  OverlayBuilder(const Base& base, std::vector<std::string>& kind_names, Overlay& overlay)
      : base_(base), kind_names_(kind_names), overlay_(overlay) {}

  void add_entities(std::vector<EntityRow> rows) {
    std::erase_if(rows, [](const EntityRow& row) { return row.id <= 0; });
    sort_keep_last_by_id(rows);
    overlay_.entities = std::move(rows);
    for (uint32_t slot = 0; slot < overlay_.entities.size(); ++slot) {
      const EntityRow& row = overlay_.entities[slot];
      uint32_t vertex = base_.entity_index.find(row.id);
      if (vertex == kNoIndex) {
        vertex = base_.vertex_count() + overlay_.new_vertex_count++;
        if (vertex == kNoIndex) throw std::length_error("relgraph: too many entities");
        overlay_.new_vertex_of_id.emplace(row.id, vertex);
      }
      overlay_.slot_of_vertex.insert(vertex, slot);
      overlay_.entity_kinds.push_back(kind_code(kind_names_, row.kind));
      overlay_.key_index[row.key] = vertex;
    }
  }

  // REQUIRES: add_entities() was called (the ends of the rows are looked up among them).
  void add_relations(std::vector<RelationRow> rows) {
    std::erase_if(rows, [&](const RelationRow& row) {
      return !storable(row) || vertex_of(row.subject) == kNoIndex ||
             vertex_of(row.object) == kNoIndex;
    });
    sort_keep_last_by_id(rows);
    overlay_.relations = std::move(rows);
    for (uint32_t slot = 0; slot < overlay_.relations.size(); ++slot) add_relation(slot);
    store_degrees();
  }

 private:
  uint32_t vertex_of(EntityId id) const {
    const uint32_t v = base_.entity_index.find(id);
    if (v != kNoIndex) return v;
    auto it = overlay_.new_vertex_of_id.find(id);
    return it == overlay_.new_vertex_of_id.end() ? kNoIndex : it->second;
  }

  void add_relation(uint32_t slot) {
    const RelationRow& row = overlay_.relations[slot];
    overlay_.relation_slot.emplace(row.id, slot);
    overlay_.latest_day = std::max(overlay_.latest_day, row.last_seen);
    const uint32_t replaced = base_.relation_position(row.id);
    if (replaced == kNoIndex) {
      ++overlay_.new_relation_count;
    } else {
      supersede(replaced);
    }
    const EdgeBundle bundle = bundle_of(row, base_.relation_count() + slot);
    const uint32_t subject = vertex_of(row.subject);
    const uint32_t object = vertex_of(row.object);
    overlay_.relation_ends.emplace_back(subject, object);
    add_edge(subject, OverlayEdge{object, bundle, true});
    change_degree(subject, +1);
    if (subject != object) {
      add_edge(object, OverlayEdge{subject, bundle, false});
      change_degree(object, +1);
    }
  }

  void supersede(uint32_t relation) {
    const detail::RelationRecord& old = base_.relations.record(relation);
    const uint32_t subject = old.subject;
    const uint32_t object = old.object;
    hide_at(subject, relation);
    if (object != subject) hide_at(object, relation);
    change_degree(subject, -1);
    if (subject != object) change_degree(object, -1);
  }

  // Rows arrive in id order and base indices follow id order, so each list stays sorted.
  void hide_at(uint32_t vertex, uint32_t relation) {
    const auto next = static_cast<uint32_t>(overlay_.superseded_at.size());
    if (overlay_.dirty.insert(vertex, next)) overlay_.superseded_at.emplace_back();
    overlay_.superseded_at[*overlay_.dirty.find(vertex)].push_back(relation);
  }

  void add_edge(uint32_t vertex, const OverlayEdge& edge) {
    const auto next = static_cast<uint32_t>(overlay_.adjacency.size());
    if (overlay_.adjacency_of.insert(vertex, next)) overlay_.adjacency.emplace_back();
    overlay_.adjacency[*overlay_.adjacency_of.find(vertex)].push_back(edge);
  }

  void change_degree(uint32_t vertex, int delta) {
    auto [it, inserted] = degree_delta_.emplace(vertex, 0);
    it->second += delta;
  }

  void store_degrees() {
    for (const auto& [vertex, delta] : degree_delta_) {
      const int64_t before = vertex < base_.vertex_count() ? base_.degrees[vertex] : 0;
      overlay_.degree_of.insert(vertex, static_cast<uint32_t>(before + delta));
    }
  }

  const Base& base_;
  std::vector<std::string>& kind_names_;
  Overlay& overlay_;
  std::unordered_map<uint32_t, int64_t> degree_delta_;
};

// Relations in the overlay at which `policy` wants a fold, for a base of `base_relations`.
size_t fold_threshold(const OverlayPolicy& policy, size_t base_relations) {
  const double fraction = policy.max_fraction * static_cast<double>(base_relations);
  const size_t proportional = fraction >= static_cast<double>(policy.max_relations)
                                  ? policy.max_relations
                                  : static_cast<size_t>(fraction);
  return std::max(policy.min_relations, proportional);
}

// Every row of `g`, overlay rows after the base rows they replace: build() of these (a later
// row wins) is the graph `g` shows.
std::pair<std::vector<EntityRow>, std::vector<RelationRow>> all_rows(const Snapshot::Impl& g) {
  std::vector<EntityRow> entities = entity_rows(*g.base_, g.kind_names_);
  entities.insert(entities.end(), g.overlay_.entities.begin(), g.overlay_.entities.end());
  std::vector<RelationRow> relations;
  relations.reserve(g.base_->relations.size() + g.overlay_.relations.size());
  for (uint32_t r = 0; r < g.base_->relations.size(); ++r) {
    relations.push_back(g.base_->relation_row(r));
  }
  relations.insert(relations.end(), g.overlay_.relations.begin(), g.overlay_.relations.end());
  return {std::move(entities), std::move(relations)};
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

std::shared_ptr<const Snapshot> Snapshot::apply(uint64_t version, std::vector<EntityRow> entities,
                                                std::vector<RelationRow> relations) const {
  return apply(version, std::move(entities), std::move(relations), OverlayPolicy{});
}

// The overlay's rows are copied and the change appended, and the overlay is rebuilt from them:
// O(overlay + change) with hash maps, while the base (the bulk) is shared, not copied. The
// threshold keeps the overlay small enough for that copy, and for the hash look-ups that
// traversals do at the vertices it touches, to stay cheap.
std::shared_ptr<const Snapshot> Snapshot::apply(uint64_t version, std::vector<EntityRow> entities,
                                                std::vector<RelationRow> relations,
                                                const OverlayPolicy& policy) const {
  const Overlay& old = impl_->overlay_;
  if (old.relations.size() + relations.size() >
      fold_threshold(policy, impl_->base_->relations.size())) {
    auto [all_entities, all_relations] = all_rows(*impl_);
    std::move(entities.begin(), entities.end(), std::back_inserter(all_entities));
    std::move(relations.begin(), relations.end(), std::back_inserter(all_relations));
    return build(version, std::move(all_entities), std::move(all_relations));
  }
  entities.insert(entities.begin(), old.entities.begin(), old.entities.end());
  relations.insert(relations.begin(), old.relations.begin(), old.relations.end());

  auto impl = std::make_unique<Impl>();
  impl->version_ = version;
  impl->base_ = impl_->base_;
  impl->kind_names_ = impl_->kind_names_;
  OverlayBuilder builder(*impl->base_, impl->kind_names_, impl->overlay_);
  builder.add_entities(std::move(entities));
  builder.add_relations(std::move(relations));
  return std::shared_ptr<const Snapshot>(new Snapshot(std::move(impl)));
}

std::shared_ptr<const Snapshot> Snapshot::folded() const {
  auto [entities, relations] = all_rows(*impl_);
  return build(impl_->version_, std::move(entities), std::move(relations));
}

uint64_t Snapshot::version() const { return impl_->version_; }
size_t Snapshot::entity_count() const { return impl_->vertex_count(); }
size_t Snapshot::relation_count() const {
  return impl_->base_->relations.size() + impl_->overlay_.new_relation_count;
}
size_t Snapshot::overlay_relation_count() const { return impl_->overlay_.relations.size(); }

// A superseded base row may have held the latest day; a later one may then be reported until
// the next fold. Recency costs only shift by a constant for every edge when that happens.
int32_t Snapshot::latest_day() const {
  return std::max(impl_->base_->latest_day, impl_->overlay_.latest_day);
}

std::optional<EntityView> Snapshot::entity(EntityId id) const {
  const uint32_t v = impl_->vertex_of(id);
  if (v == kNoIndex) return std::nullopt;
  return impl_->entity_view(v);
}

std::optional<EntityView> Snapshot::entity_by_key(std::string_view key) const {
  const auto& overlay_keys = impl_->overlay_.key_index;
  if (auto it = overlay_keys.find(key); it != overlay_keys.end()) {
    const EntityView entity = impl_->entity_view(it->second);
    // A later row of that entity may have renamed it.
    if (entity.key != key) return std::nullopt;
    return entity;
  }
  const Base& base = *impl_->base_;
  const uint32_t v =
      base.key_index.find(key, [&](uint32_t vertex) { return base.entities.key(vertex); });
  if (v == kNoIndex) return std::nullopt;
  // The overlay may have renamed the base entity that held the key.
  const EntityView entity = impl_->entity_view(v);
  if (entity.key != key) return std::nullopt;
  return entity;
}

std::optional<RelationRow> Snapshot::relation(RelationId id) const {
  const auto& slots = impl_->overlay_.relation_slot;
  if (!slots.empty()) {
    if (auto it = slots.find(id); it != slots.end()) return impl_->overlay_.relations[it->second];
  }
  const Base& base = *impl_->base_;
  const uint32_t r = base.relation_position(id);
  if (r == kNoIndex) return std::nullopt;
  return base.relation_row(r);
}

size_t Snapshot::degree(EntityId id) const {
  const uint32_t v = impl_->vertex_of(id);
  return v == kNoIndex ? 0 : impl_->degree(v);
}

std::vector<RelationId> Snapshot::relations_of(EntityId id, const Filter& filter) const {
  std::vector<RelationId> result;
  const uint32_t v = impl_->vertex_of(id);
  if (v == kNoIndex) return result;
  const detail::ResolvedFilter resolved = detail::resolve(*impl_, filter, {v});
  // The caller asked for all of them: there is no bound to report against.
  auto unbounded = detail::QueryBudget::unlimited();
  impl_->for_each_step(v, filter.direction, resolved, unbounded,
                       [&](uint32_t, const EdgeBundle& edge) {
                         result.push_back(impl_->relation_id(edge.relation));
                         return true;
                       });
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

Snapshot::RelationPage Snapshot::relations_page(EntityId id, const Filter& filter,
                                                std::optional<RelationId> after,
                                                size_t limit) const {
  RelationPage page;
  const uint32_t v = impl_->vertex_of(id);
  if (v == kNoIndex) return page;
  const detail::ResolvedFilter resolved = detail::resolve(*impl_, filter, {v});
  std::vector<RelationId> ids;
  auto unbounded = detail::QueryBudget::unlimited();
  const RelationId floor = after.value_or(std::numeric_limits<RelationId>::min());
  impl_->for_each_step(v, filter.direction, resolved, unbounded,
                       [&](uint32_t, const EdgeBundle& edge) {
                         const RelationId relation = impl_->relation_id(edge.relation);
                         if (relation > floor) ids.push_back(relation);
                         return true;
                       });
  // The limit + 1 smallest, sorted, tell the page and whether more follow. A relation is
  // reported once per neighbour it leads to, so duplicates are rare; should they leave fewer
  // than limit + 1 distinct ids among the smallest, everything is sorted instead.
  const size_t wanted = limit + 1;
  if (wanted < ids.size() / 2) {
    std::nth_element(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(wanted), ids.end());
    std::vector<RelationId> head(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(wanted));
    std::sort(head.begin(), head.end());
    head.erase(std::unique(head.begin(), head.end()), head.end());
    if (head.size() == wanted) {
      ids = std::move(head);
    } else {
      std::sort(ids.begin(), ids.end());
    }
  } else {
    std::sort(ids.begin(), ids.end());
  }
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  page.more = ids.size() > limit;
  if (page.more) ids.resize(limit);
  page.ids = std::move(ids);
  return page;
}

std::vector<EntityId> Snapshot::neighbours_of(EntityId id, const Filter& filter) const {
  std::vector<EntityId> result;
  const uint32_t v = impl_->vertex_of(id);
  if (v == kNoIndex) return result;
  const detail::ResolvedFilter resolved = detail::resolve(*impl_, filter, {v});
  if (impl_->has_edge_index(v)) {
    // Only base vertices are in a base hub's index, and their ids ascend with them.
    impl_->for_each_indexed_neighbour(v, filter.direction, resolved, [&](uint32_t u) {
      result.push_back(impl_->base_->entity_id(u));
    });
    return result;
  }
  std::vector<uint32_t> vertices;
  vertices.reserve(impl_->edge_count(v));
  auto unbounded = detail::QueryBudget::unlimited();
  impl_->for_each_step(v, filter.direction, resolved, unbounded,
                       [&](uint32_t u, const EdgeBundle&) {
                         vertices.push_back(u);
                         return true;
                       });
  std::sort(vertices.begin(), vertices.end());
  vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
  result.reserve(vertices.size());
  for (uint32_t u : vertices) result.push_back(impl_->entity_id(u));
  // Vertices the overlay added come after the base's whatever their ids.
  if (!vertices.empty() && vertices.back() >= impl_->base_->vertex_count()) {
    std::sort(result.begin(), result.end());
  }
  return result;
}

const char* truncated_by_name(TruncatedBy bound) {
  switch (bound) {
    case TruncatedBy::none:
      return "";
    case TruncatedBy::nodes:
      return "nodes";
    case TruncatedBy::edges:
      return "edges";
    case TruncatedBy::time:
      return "time";
    case TruncatedBy::degree:
      return "degree";
    case TruncatedBy::limit:
      return "limit";
  }
  return "";
}

namespace detail {

ResolvedFilter resolve(const Snapshot::Impl& g, const Filter& filter,
                       const std::vector<uint32_t>& exempt) {
  ResolvedFilter resolved;
  resolved.type_mask = filter.type_mask;
  resolved.direction = filter.direction;
  resolved.include_negated = filter.include_negated;
  if (filter.since) resolved.since = *filter.since;
  if (filter.until) resolved.until = *filter.until;
  resolved.min_support = filter.min_evidence;
  resolved.checks_row = filter.since || filter.until || filter.min_evidence > 0;

  resolved.all_kinds = filter.kinds.empty();
  resolved.kind_allowed.assign(g.kind_names_.size(), false);
  for (const std::string& kind : filter.kinds) {
    auto it = std::find(g.kind_names_.begin(), g.kind_names_.end(), kind);
    if (it != g.kind_names_.end()) resolved.kind_allowed[it - g.kind_names_.begin()] = true;
  }
  for (EntityId id : filter.exclude) {
    const uint32_t v = g.vertex_of(id);
    if (v != kNoIndex) resolved.excluded.insert(v, 0);
  }
  resolved.checks_vertex = !filter.kinds.empty() || resolved.excluded.size() > 0;
  for (uint32_t v : exempt) {
    if (v != kNoIndex) resolved.exempt.insert(v, 0);
  }
  return resolved;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// SnapshotBuilder

struct SnapshotBuilder::State {
  std::vector<EntityRow> entities;  // until the first relation (or build)
  std::unique_ptr<Snapshot::Impl> impl;
  std::shared_ptr<Base> base;  // entities done once set
  size_t expected_relations = 0;
  // Set when a row came out of id order: from then on rows are collected and build() does
  // what Snapshot::build does with them.
  bool collecting = false;
  std::vector<RelationRow> collected;
  // Faults in the relation table's reserved pages ahead of add_relation (prefault()).
  std::thread prefaulter;

  ~State() { finish_prefault(); }

  void finish_prefault() {
    if (prefaulter.joinable()) prefaulter.join();
  }

  void finish_entities() {
    impl = std::make_unique<Snapshot::Impl>();
    base = std::make_shared<Base>();
    build_entities(*base, std::move(entities), impl->kind_names_);
    entities = {};
    base->relations.reserve(expected_relations);
    const auto [data, bytes] = base->relations.reserved_bytes();
    if (bytes >= (size_t{64} << 20)) {
      prefaulter = std::thread([data = data, bytes = bytes] { prefault(data, bytes); });
    }
  }

  // The table's rows so far, back as rows, and the table emptied.
  void start_collecting() {
    finish_prefault();
    collecting = true;
    collected.reserve(base->relations.size() + 1);
    for (uint32_t r = 0; r < base->relations.size(); ++r) {
      collected.push_back(base->relation_row(r));
    }
    base->relations = {};
  }
};

SnapshotBuilder::SnapshotBuilder() : state_(std::make_unique<State>()) {}
SnapshotBuilder::~SnapshotBuilder() = default;

void SnapshotBuilder::expect_relations(size_t count) {
  state_->expected_relations = count;
  if (state_->base) state_->base->relations.reserve(count);
}

void SnapshotBuilder::add_entity(EntityRow row) {
  if (state_->base) throw std::logic_error("SnapshotBuilder: an entity after a relation");
  state_->entities.push_back(std::move(row));
}

void SnapshotBuilder::add_relation(const RelationRow& row) {
  State& s = *state_;
  if (!s.base) s.finish_entities();
  const uint32_t subject = s.base->entity_index.find(row.subject);
  const uint32_t object = s.base->entity_index.find(row.object);
  // What build() would drop, whatever comes later: the entities are complete.
  if (!storable(row) || subject == kNoIndex || object == kNoIndex) return;
  if (!s.collecting) {
    const detail::RelationTable& table = s.base->relations;
    if (table.empty() || row.id > table.id(table.size() - 1)) {
      // Past the reserved capacity the table reallocates: the prefault must be done by then.
      if (s.prefaulter.joinable() && table.at_capacity()) s.finish_prefault();
      s.base->relations.push_back(row, subject, object);
      return;
    }
    s.start_collecting();
  }
  s.collected.push_back(row);
}

std::shared_ptr<const Snapshot> SnapshotBuilder::build(uint64_t version) {
  State& s = *state_;
  if (!s.base) s.finish_entities();
  s.finish_prefault();
  std::unique_ptr<Snapshot::Impl> impl;
  if (s.collecting) {
    impl = build_impl(version, entity_rows(*s.base, s.impl->kind_names_), std::move(s.collected));
  } else {
    impl = std::move(s.impl);
    impl->version_ = version;
    finish_base(*s.base);
    impl->base_ = std::move(s.base);
  }
  state_ = std::make_unique<State>();
  return std::shared_ptr<const Snapshot>(new Snapshot(std::move(impl)));
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
