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
  if (std::adjacent_find(rows.begin(), rows.end(),
                         [](const Row& a, const Row& b) { return a.id >= b.id; }) == rows.end()) {
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

// Runs fill(first, last) over [0, count) split in two at `middle`, the second half on another
// thread when there is enough work to share (counts below 2^20 run on the calling thread).
template <class Fill>
void in_two(uint32_t count, uint32_t middle, uint64_t work, Fill&& fill) {
  if (work < (uint64_t{1} << 20)) {
    fill(0, count);
    return;
  }
  std::thread second([&] { fill(middle, count); });
  fill(0, middle);
  second.join();
}

// fill_adjacency's working space: the ends grouped by neighbour, and each one's owner. 9 bytes
// per end, 180 MB at 10M relations, dropped once the adjacency is built. The start-up path
// (SnapshotBuilder) makes it on another thread while the store is read, so that faulting in
// its pages (the kernel zeroes them: on this machine's first touch of memory, the largest
// single cost of a cold start) is not on the way.
struct AdjacencyScratch {
  std::vector<uint32_t> owner;
  std::vector<detail::EndBundle> grouped;

  // Room for `ends` ends (at least): made here unless it was made ahead.
  void fit(size_t ends) {
    if (owner.size() < ends) owner.resize(ends);
    if (grouped.size() < ends) grouped.resize(ends);
  }
  void release() {
    std::vector<uint32_t>().swap(owner);  // (`= {}` would keep the capacity)
    std::vector<detail::EndBundle>().swap(grouped);
  }
};

// Fills the adjacency `graph` with the ends of the relations `in_graph(r)` selects, each
// vertex's ends sorted by (neighbour, relation), from `start` (the prefix sums of each vertex's
// end count), and places each relation's end at its subject in the relation table. Two stable
// counting sorts and no comparison sort: the ends are first grouped by neighbour, in relation
// order, and then, neighbour by neighbour in ascending order, moved to their vertex, where they
// arrive sorted. A relation's end at a vertex has its other entity as neighbour, so a vertex
// owns exactly as many ends as name it as neighbour (a self-loop is one end, at and towards
// its entity) and both passes use the same `start`.
//
// Each pass runs on two threads, split by the vertices they write to (groups in the first
// pass, owners in the second): each reads all of its input, sequentially, and writes only its
// own half, so they share nothing they write. At 10M relations that halves the scatters' cache
// misses, which are the time.
template <class InGraph>
void fill_adjacency(Base& base, std::vector<uint32_t> start, InGraph&& in_graph,
                    AdjacencyScratch& scratch, detail::Adjacency& graph) {
  const uint32_t vertices = base.vertex_count();
  const uint32_t relations = base.relations.size();
  const uint32_t ends = start.back();
  // The vertex where the second half of the ends begins.
  const auto middle = static_cast<uint32_t>(
      std::upper_bound(start.begin(), start.end() - 1, ends / 2) - start.begin() - 1);
  // While grouped, a relation's end at its subject says so: its way is kWayOut (which only a
  // subject's end has) or kSubjectBoth, a fourth value that the second pass, which places it,
  // turns into kWayBoth.
  constexpr auto kSubjectBoth = static_cast<detail::Way>(3);
  scratch.fit(ends);
  uint32_t* const owner = scratch.owner.data();
  detail::EndBundle* const grouped = scratch.grouped.data();
  in_two(vertices, middle, ends, [&](uint32_t low, uint32_t high) {
    std::vector<uint32_t> next(start.begin() + low, start.begin() + high);
    auto put = [&](uint32_t group, uint32_t vertex, const detail::EndBundle& end) {
      if (group < low || group >= high) return;
      const uint32_t at = next[group - low]++;
      owner[at] = vertex;
      grouped[at] = end;
    };
    for (uint32_t r = 0; r < relations; ++r) {
      if (!in_graph(r)) continue;
      const auto [subject, object] = base.relations.pending_ends(r);
      const uint8_t type = base.relations.type(r);
      // A self-loop is one end, followed both ways.
      const bool both = base.relations.symmetric(r) || subject == object;
      // The subject's end, towards the object.
      put(object, subject, detail::EndBundle::of(r, type, both ? kSubjectBoth : detail::kWayOut));
      if (subject == object) continue;
      // The object's end, towards the subject.
      put(subject, object,
          detail::EndBundle::of(r, type, both ? detail::kWayBoth : detail::kWayIn));
    }
  });
  std::vector<uint32_t> column(ends);
  std::vector<detail::EndBundle> bundles(ends);
  in_two(vertices, middle, ends, [&](uint32_t low, uint32_t high) {
    std::vector<uint32_t> next(start.begin() + low, start.begin() + high);
    for (uint32_t neighbour = 0; neighbour < vertices; ++neighbour) {
      for (uint32_t e = start[neighbour]; e < start[size_t{neighbour} + 1]; ++e) {
        const uint32_t vertex = owner[e];
        if (vertex < low || vertex >= high) continue;
        const uint32_t at = next[vertex - low]++;
        detail::EndBundle end = grouped[e];
        const detail::Way way = end.way();
        if (way == detail::kWayOut || way == kSubjectBoth) {
          base.relations.place(end.relation, at);
          if (way == kSubjectBoth) {
            end = detail::EndBundle::of(end.relation, end.type(), detail::kWayBoth);
          }
        }
        column[at] = neighbour;
        bundles[at] = end;
      }
    }
  });
  graph = detail::Adjacency(vertices);
  graph.m_forward.m_rowstart = std::move(start);
  graph.m_forward.m_column = std::move(column);
  graph.m_forward.m_edge_properties = std::move(bundles);
}

// The base's two adjacencies (relations some evidence asserts; relations all of whose evidence
// is negated) and the hubs' fences. `scratch` is dropped before the fences are made.
void build_adjacency(Base& base, AdjacencyScratch scratch) {
  const uint32_t vertices = base.vertex_count();
  const uint32_t relations = base.relations.size();
  std::vector<uint8_t> negated_only(relations);
  std::vector<uint32_t> live_start(size_t{vertices} + 1, 0);
  std::vector<uint32_t> negated_start(size_t{vertices} + 1, 0);
  uint64_t ends = 0;
  for (uint32_t r = 0; r < relations; ++r) {
    const detail::RelationFacts facts = base.relations.facts(r);
    base.latest_day = std::max(base.latest_day, facts.last_seen);
    negated_only[r] = facts.negated_only() ? 1 : 0;
    std::vector<uint32_t>& start = negated_only[r] != 0 ? negated_start : live_start;
    const auto [subject, object] = base.relations.pending_ends(r);
    ++start[size_t{subject} + 1];
    ++ends;
    if (subject != object) {
      ++start[size_t{object} + 1];
      ++ends;
    }
  }
  if (ends >= std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("relgraph: too many relations for 32-bit edge indices");
  }
  for (uint32_t v = 0; v < vertices; ++v) {
    live_start[size_t{v} + 1] += live_start[v];
    negated_start[size_t{v} + 1] += negated_start[v];
  }
  fill_adjacency(
      base, std::move(negated_start), [&](uint32_t r) { return negated_only[r] != 0; }, scratch,
      base.negated);
  fill_adjacency(
      base, std::move(live_start), [&](uint32_t r) { return negated_only[r] == 0; }, scratch,
      base.live);
  scratch.release();
  base.relations.drop_pending_ends();
  base.index_hubs();
}

// The indexes and the CSR over a base whose entities and relation table are complete.
void finish_base(Base& base, AdjacencyScratch scratch = {}) {
  base.relations.shrink_to_fit();
  // Consecutive ids need no index: a position is id - first id.
  if (!base.relations.dense_ids()) {
    std::vector<int64_t> ids(base.relations.size());
    for (uint32_t r = 0; r < base.relations.size(); ++r) ids[r] = base.relations.id(r);
    base.relation_index.assign(ids);
  }
  build_adjacency(base, std::move(scratch));
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
  std::vector<RelationRow>().swap(relations);  // (`= {}` would keep the capacity)
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
    for (std::vector<OverlayEdge>& edges : overlay_.adjacency) {
      std::sort(edges.begin(), edges.end(), [](const OverlayEdge& x, const OverlayEdge& y) {
        const bool x_negated = (x.bundle.flags & detail::kNegatedOnly) != 0;
        const bool y_negated = (y.bundle.flags & detail::kNegatedOnly) != 0;
        return std::tie(x_negated, x.neighbour, x.bundle.relation) <
               std::tie(y_negated, y.neighbour, y.bundle.relation);
      });
    }
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
    const auto [subject, object] = base_.relation_ends(relation);
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
      const int64_t before = vertex < base_.vertex_count() ? base_.degree(vertex) : 0;
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
  const Base& base = *g.base_;
  const std::vector<uint32_t> subjects = base.relation_subjects();
  for (uint32_t r = 0; r < base.relations.size(); ++r) {
    const detail::RelationRecord& record = base.relations.record(r);
    const detail::Adjacency& graph = base.relations.negated_only(r) ? base.negated : base.live;
    const uint32_t object = graph.m_forward.m_column[record.subject_end];
    relations.push_back(base.relations.row(r, base.entity_id(subjects[r]), base.entity_id(object)));
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

Snapshot::MemoryUse Snapshot::memory_use() const {
  const Base& base = *impl_->base_;
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  MemoryUse use;
  use.entities = base.entities.bytes() + bytes(base.entity_ids);
  use.relations = base.relations.bytes();
  for (const detail::Adjacency* graph : {&base.live, &base.negated}) {
    use.adjacency += bytes(graph->m_forward.m_rowstart) + bytes(graph->m_forward.m_column) +
                     bytes(graph->m_forward.m_edge_properties);
  }
  use.indexes = base.entity_index.bytes() + base.relation_index.bytes() + base.key_index.bytes() +
                base.hub_slot.bytes() + bytes(base.hub_fence_offsets) + bytes(base.hub_fences) +
                base.hub_core.bytes();
  return use;
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
  if (impl_->has_sorted_ends(v)) {
    // Only base vertices are in the base's ends, and their ids ascend with them.
    impl_->for_each_distinct_neighbour(v, filter.direction, resolved, [&](uint32_t u) {
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
  // Faults in the relation table's reserved pages ahead of add_relation (prefault()), then
  // makes `scratch` for the adjacency build, while the rows are read.
  std::thread prefaulter;
  AdjacencyScratch scratch;

  ~State() { finish_prefault(); }

  void finish_prefault() {
    if (prefaulter.joinable()) prefaulter.join();
  }

  void finish_entities() {
    impl = std::make_unique<Snapshot::Impl>();
    base = std::make_shared<Base>();
    build_entities(*base, std::move(entities), impl->kind_names_);
    std::vector<EntityRow>().swap(entities);  // (`= {}` would keep the capacity)
    base->relations.reserve(expected_relations);
    const auto [data, bytes] = base->relations.reserved_bytes();
    // Two ends per relation at most. Below 2^20 ends the build runs on one thread anyway.
    const size_t ends = 2 * expected_relations;
    if (bytes >= (size_t{64} << 20) || ends >= (size_t{1} << 20)) {
      const bool table = bytes >= (size_t{64} << 20);
      prefaulter = std::thread([this, data = data, bytes = bytes, table, ends] {
        if (table) prefault(data, bytes);
        scratch.fit(ends);
      });
    }
  }

  // The table's rows so far, back as rows, and the table emptied.
  void start_collecting() {
    finish_prefault();
    scratch.release();  // build_impl makes its own
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

namespace {

// The count expect_relations is told is a hint (the store's id range, which sparse ids
// overstate), and memory is reserved and faulted in ahead for it: the relation table (12 bytes
// a relation, and 4 for its pending end) and the adjacency build's scratch (two ends of 9
// bytes). What is done ahead is kept within a sixteenth of the machine's memory (44M relations
// on 24 GiB), so that an overstated hint costs a reallocation later on, never a failed start.
size_t plausible_relations(size_t hint) {
  constexpr size_t kAheadBytes = sizeof(detail::RelationRecord) + 4 + 2 * 9;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::min<size_t>(hint, size_t{1} << 24);
  return std::min(hint, static_cast<size_t>(pages) * static_cast<size_t>(page) / 16 / kAheadBytes);
}

}  // namespace

void SnapshotBuilder::expect_relations(size_t count) {
  count = plausible_relations(count);
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
    finish_base(*s.base, std::move(s.scratch));
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
