// Internal to graph/: the representation behind Snapshot, shared by the .cpp files that
// implement its look-ups and traversals. Other modules include only graph/graph.h.
#pragma once

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graph/entity_table.h"
#include "graph/flat_vertex_map.h"
#include "graph/graph.h"
#include "graph/query_scope.h"
#include "graph/relation_table.h"

namespace relgraph::graph {
namespace detail {

inline constexpr uint32_t kNoIndex = UINT32_MAX;

// One end of a relation, as the adjacency stores it at a vertex beside the neighbour (the
// Boost CSR's column): the relation's index, its type, and which way it runs from the vertex.
// Packed to 5 bytes, so that an end costs 9 bytes with its neighbour.
enum Way : uint8_t {
  kWayOut = 0,   // the vertex is the relation's subject
  kWayIn = 1,    // the vertex is its object
  kWayBoth = 2,  // a symmetric relation, or a self-loop: followed in every direction
};
struct __attribute__((packed)) EndBundle {
  uint32_t relation = 0;  // relation index: see Snapshot::Impl
  uint8_t meta = 0;       // type | way << 6

  static EndBundle of(uint32_t relation, uint8_t type, Way way) {
    return EndBundle{relation, static_cast<uint8_t>(type | way << 6)};
  }
  uint8_t type() const { return meta & 63; }
  Way way() const { return static_cast<Way>(meta >> 6); }
};
static_assert(sizeof(EndBundle) == 5);

// The undirected adjacency: every relation is an end at its subject and one at its object (a
// self-loop is one end), each vertex's ends sorted by (neighbour, relation). 32-bit vertex and
// end indices; build() refuses graphs that would overflow them.
using Adjacency =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, EndBundle,
                                       boost::no_property, uint32_t, uint32_t>;

// A run of ends in parallel neighbour and bundle arrays: entries [first, last) of `column` and
// `bundles`.
struct EndRange {
  const uint32_t* column = nullptr;
  const EndBundle* bundles = nullptr;
  uint32_t first = 0;
  uint32_t last = 0;

  // Vertex v's ends in `graph`.
  static EndRange of(const Adjacency& graph, uint32_t v) {
    const auto& rowstart = graph.m_forward.m_rowstart;
    return EndRange{graph.m_forward.m_column.data(), graph.m_forward.m_edge_properties.data(),
                    rowstart[v], rowstart[size_t{v} + 1]};
  }
};

// The hub core: each hub's live ends whose neighbour is a hub too, in the order the hub holds
// them (by neighbour, then relation). A neighbourhood among hubs holds ~10^4 relations between
// a hundred or so of them; looked up here, they are a few sequential cache lines per hub,
// instead of a cache miss per pair of hubs in ends of 10^4-10^5 entries. At 10M relations it
// holds 1.8M ends (16 MB, 1.6 bytes per relation). Derived from the adjacency, not stored.
class HubCore {
 public:
  // Hub i (hubs[i], ascending) gets slot i. is_hub(v): whether v is one of `hubs`.
  template <class IsHub>
  void derive(const Adjacency& live, const std::vector<uint32_t>& hubs, IsHub&& is_hub) {
    offsets_.assign(1, 0);
    offsets_.reserve(hubs.size() + 1);
    column_.clear();
    bundles_.clear();
    const std::vector<uint32_t>& column = live.m_forward.m_column;
    const auto& bundles = live.m_forward.m_edge_properties;
    for (uint32_t hub : hubs) {
      const EndRange ends = EndRange::of(live, hub);
      for (uint32_t e = ends.first; e != ends.last; ++e) {
        if (!is_hub(column[e])) continue;
        column_.push_back(column[e]);
        bundles_.push_back(bundles[e]);
      }
      offsets_.push_back(static_cast<uint32_t>(column_.size()));
    }
    column_.shrink_to_fit();
    bundles_.shrink_to_fit();
  }

  // The core ends of the hub in `slot`.
  EndRange ends_of_slot(uint32_t slot) const {
    return EndRange{column_.data(), bundles_.data(), offsets_[slot], offsets_[slot + 1]};
  }

  size_t bytes() const {
    return offsets_.capacity() * sizeof(uint32_t) + column_.capacity() * sizeof(uint32_t) +
           bundles_.capacity() * sizeof(EndBundle);
  }

 private:
  std::vector<uint32_t> offsets_;  // slot i: entries [offsets_[i], offsets_[i + 1])
  std::vector<uint32_t> column_;   // the neighbour hub
  std::vector<EndBundle> bundles_;
};

// The direction a search walking from the far end must follow to retrace `direction`.
inline Direction reversed(Direction direction) {
  switch (direction) {
    case Direction::out:
      return Direction::in;
    case Direction::in:
      return Direction::out;
    case Direction::both:
      break;
  }
  return Direction::both;
}

// Maps the store's 64-bit ids to dense row positions. The store's ids come from SQLite
// rowids and are dense, so a plain array indexed by id is the fast path; a hash map takes
// over when the ids are sparse enough that the array would waste memory. Consecutive ids (no
// gaps at all) need neither: a position is id - first id, found without a memory access, which
// matters when building the snapshot looks up both ends of 10M relations.
class IdIndex {
 public:
  // `ids` are the row positions' ids, strictly increasing and > 0.
  void assign(const std::vector<int64_t>& ids) {
    dense_.clear();
    sparse_.clear();
    // Strictly increasing, so consecutive exactly when the last is first + count - 1.
    consecutive_ = !ids.empty() && ids.back() - ids.front() == static_cast<int64_t>(ids.size()) - 1;
    if (consecutive_) {
      first_ = ids.front();
      count_ = static_cast<uint64_t>(ids.size());
      return;
    }
    const int64_t max_id = ids.empty() ? 0 : ids.back();
    // At most four array slots per row (16 bytes) before the hash map is the better deal.
    dense_mode_ = max_id <= static_cast<int64_t>(ids.size()) * 4 + 1024;
    if (dense_mode_) {
      dense_.assign(static_cast<size_t>(max_id) + 1, kNoIndex);
      for (size_t i = 0; i < ids.size(); ++i) {
        dense_[static_cast<size_t>(ids[i])] = static_cast<uint32_t>(i);
      }
    } else {
      sparse_.reserve(ids.size());
      for (size_t i = 0; i < ids.size(); ++i) sparse_.emplace(ids[i], static_cast<uint32_t>(i));
    }
  }

  size_t bytes() const {
    // An unordered_map node holds the pair and a next pointer; the buckets a pointer each.
    return dense_.capacity() * sizeof(uint32_t) +
           sparse_.size() * (sizeof(std::pair<const int64_t, uint32_t>) + sizeof(void*)) +
           sparse_.bucket_count() * sizeof(void*);
  }

  // The row position of `id`, or kNoIndex.
  uint32_t find(int64_t id) const {
    if (consecutive_) {
      const uint64_t position = static_cast<uint64_t>(id) - static_cast<uint64_t>(first_);
      return id >= first_ && position < count_ ? static_cast<uint32_t>(position) : kNoIndex;
    }
    if (dense_mode_) {
      if (id < 0 || static_cast<uint64_t>(id) >= dense_.size()) return kNoIndex;
      return dense_[static_cast<size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kNoIndex : it->second;
  }

 private:
  bool consecutive_ = false;
  int64_t first_ = 0;
  uint64_t count_ = 0;
  bool dense_mode_ = true;
  std::vector<uint32_t> dense_;
  std::unordered_map<int64_t, uint32_t> sparse_;
};

// Entity keys -> vertex: an open-addressing table of vertex indices (4 bytes a slot, at most half
// full) that compares against the keys the entity table holds. A std::unordered_map of
// string_views cost ~48 bytes per entity, 5 bytes per relation at 10M relations.
class KeyIndex {
 public:
  // Indexes vertices [0, count); key_of(v) is vertex v's key. Of two vertices with one key the
  // first is kept.
  // REQUIRES: the keys key_of returns stay valid and unchanged while the index is used.
  template <class KeyOf>
  void assign(uint32_t count, KeyOf&& key_of) {
    size_t capacity = 16;
    while (capacity < size_t{count} * 2) capacity *= 2;
    slots_.assign(capacity, kNoIndex);
    mask_ = capacity - 1;
    for (uint32_t v = 0; v < count; ++v) {
      const std::string_view key = key_of(v);
      for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
        if (slots_[i] == kNoIndex) {
          slots_[i] = v;
          break;
        }
        if (key_of(slots_[i]) == key) break;
      }
    }
  }

  size_t bytes() const { return slots_.capacity() * sizeof(uint32_t); }

  // The vertex with this key, or kNoIndex. key_of as given to assign().
  template <class KeyOf>
  uint32_t find(std::string_view key, KeyOf&& key_of) const {
    if (slots_.empty()) return kNoIndex;
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (slots_[i] == kNoIndex || key_of(slots_[i]) == key) return slots_[i];
    }
  }

 private:
  size_t slot_of(std::string_view key) const {
    const size_t hash = std::hash<std::string_view>{}(key);
    return hash & mask_;
  }

  std::vector<uint32_t> slots_;  // vertex or kNoIndex
  size_t mask_ = 0;
};

// Vertices with more ends than this are hubs: their ends get search fences (Base::hub_fences),
// and queries look their relations with given vertices up instead of scanning them.
inline constexpr uint64_t kIndexedEdges = 256;

// A hub's ends per fence (Base::hub_fences): one cache line of neighbours.
inline constexpr uint64_t kFenceStride = 16;

// The immutable part of a snapshot, shared by every snapshot derived from it until the next
// fold. Vertex v is entity entity_id(v), its key, name and kind code in entities; relation
// index r < relations.size() is relations.record(r). Both are sorted by id.
//
// The relations are held as an undirected adjacency (Adjacency): each relation is an end at each
// of its two entities, which says which way it runs from there, so that one sequential read of a
// vertex's ends serves a walk in any direction. A vertex's ends are sorted by neighbour, so its
// relations with given vertices are found by binary search (or a merge) instead of a scan.
// Relations that every piece of evidence denies (kNegatedOnly) are an adjacency of their own,
// which only queries that include them read: the others read neighbours and nothing else until
// one is wanted.
struct Base {
  EntityTable entities;
  RelationTable relations;
  IdIndex entity_index;
  IdIndex relation_index;  // only when the relation ids are not consecutive
  KeyIndex key_index;      // over entities.key(v)
  // Vertex -> entity id: first_entity_id + v when the ids are consecutive, else entity_ids[v].
  bool dense_entity_ids = true;
  EntityId first_entity_id = 0;
  std::vector<EntityId> entity_ids;
  int32_t latest_day = 0;  // the latest last_seen
  Adjacency live;          // relations that some evidence asserts
  Adjacency negated;       // relations whose every piece of evidence denies them
  // Hubs (more than kIndexedEdges live ends): hub_fences[hub_fence_offsets[i] + k] is the
  // neighbour of the hub's live end k * kFenceStride, where i = *hub_slot.find(hub). They are
  // the upper levels of every binary search in a hub's ends, 1/16 of their size (1.5 MiB at 10M
  // relations, which stays in cache between searches), so that a search reads one or two cache
  // lines of the ends instead of a chain of misses. Derived from `live` (index_hubs), not stored
  // in images.
  FlatVertexMap hub_slot;
  std::vector<uint32_t> hub_fence_offsets;
  std::vector<uint32_t> hub_fences;
  HubCore hub_core;  // the hubs' live ends with one another, by hub slot
  uint32_t vertex_count() const { return static_cast<uint32_t>(entities.size()); }
  uint32_t relation_count() const { return static_cast<uint32_t>(relations.size()); }

  // Vertex v's ends in `graph`: [first, last) index its column and bundles.
  static std::pair<uint32_t, uint32_t> ends_of(const Adjacency& graph, uint32_t v) {
    const auto& rowstart = graph.m_forward.m_rowstart;
    return {rowstart[v], rowstart[size_t{v} + 1]};
  }

  // The relations touching v, each counted once: its ends in both adjacencies.
  uint32_t degree(uint32_t v) const {
    const auto [a, b] = ends_of(live, v);
    const auto [c, d] = ends_of(negated, v);
    return (b - a) + (d - c);
  }

  // Derives hub_slot, hub_fence_offsets, hub_fences and hub_core from `live`.
  void index_hubs() {
    hub_slot = FlatVertexMap();
    hub_fence_offsets.assign(1, 0);
    hub_fences.clear();
    const std::vector<uint32_t>& column = live.m_forward.m_column;
    std::vector<uint32_t> hubs;  // by slot
    std::vector<uint64_t> is_hub((size_t{vertex_count()} + 63) / 64, 0);
    for (uint32_t v = 0; v < vertex_count(); ++v) {
      const auto [first, last] = ends_of(live, v);
      if (last - first <= kIndexedEdges) continue;
      hub_slot.insert(v, static_cast<uint32_t>(hubs.size()));
      hubs.push_back(v);
      is_hub[v >> 6] |= uint64_t{1} << (v & 63);
      for (uint32_t e = first; e < last; e += kFenceStride) hub_fences.push_back(column[e]);
      hub_fence_offsets.push_back(static_cast<uint32_t>(hub_fences.size()));
    }
    hub_core.derive(live, hubs,
                    [&](uint32_t v) { return ((is_hub[v >> 6] >> (v & 63)) & 1) != 0; });
  }

  // The position in `relations` of the relation with this id, or kNoIndex.
  uint32_t relation_position(int64_t id) const {
    if (!relations.dense_ids()) return relation_index.find(id);
    const int64_t offset = relations.first_id();
    if (relations.empty() || id < offset || id - offset >= int64_t{relation_count()}) {
      return kNoIndex;
    }
    return static_cast<uint32_t>(id - offset);
  }

  EntityId entity_id(uint32_t v) const {
    return dense_entity_ids ? first_entity_id + v : entity_ids[v];
  }

  // Relation r's (subject, object) vertices. Once the base is built, the object is the
  // neighbour of the relation's end at its subject, and the subject the vertex that end belongs
  // to: a binary search of the row starts, whose upper levels stay in cache.
  std::pair<uint32_t, uint32_t> relation_ends(uint32_t r) const {
    if (relations.has_pending_ends()) return relations.pending_ends(r);
    const Adjacency& graph = relations.negated_only(r) ? negated : live;
    const uint32_t e = relations.record(r).subject_end;
    const std::vector<uint32_t>& rowstart = graph.m_forward.m_rowstart;
    const auto subject = static_cast<uint32_t>(
        std::upper_bound(rowstart.begin(), rowstart.end(), e) - rowstart.begin() - 1);
    return {subject, graph.m_forward.m_column[e]};
  }

  // Every relation's subject vertex, by relation index, from one pass over the adjacencies
  // (for taking every row out: a search per relation would cost ~30 times as much).
  std::vector<uint32_t> relation_subjects() const {
    std::vector<uint32_t> subjects(relations.size());
    for (const Adjacency* graph : {&live, &negated}) {
      const auto& bundles = graph->m_forward.m_edge_properties;
      for (uint32_t v = 0; v < vertex_count(); ++v) {
        const auto [first, last] = ends_of(*graph, v);
        for (uint32_t e = first; e < last; ++e) {
          const uint32_t r = bundles[e].relation;
          if (relations.record(r).subject_end == e &&
              relations.negated_only(r) == (graph == &negated)) {
            subjects[r] = v;
          }
        }
      }
    }
    return subjects;
  }

  // The full row of base relation r (its ends as entity ids).
  RelationRow relation_row(uint32_t r) const {
    const auto [subject, object] = relation_ends(r);
    return relations.row(r, entity_id(subject), entity_id(object));
  }
};

// One end of an overlay relation, stored at the vertex it stands on.
struct OverlayEdge {
  uint32_t neighbour = 0;
  EdgeBundle bundle;
  bool outgoing = false;  // the vertex is the relation's subject
};

// Hashes std::string and std::string_view alike, so that a map keyed by std::string is searched
// with a string_view without building a std::string.
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// What changed since the base: small, rebuilt by every apply from its rows plus the change.
//
// Entities: a row for a base vertex replaces that vertex's row; a row for a new id is a new
// vertex, numbered after the base's. Relations: overlay row i has relation index
// base.relation_count() + i; a row whose id is in the base supersedes that base relation, whose
// base ends are then skipped. Skipping tests a hash set, so it is done only at the vertices
// such an end belongs to, and base traversal elsewhere reads the adjacency as before. At such a vertex
// the test is a binary search in the vertex's own short sorted list, which stays in cache even
// when the vertex is a hub whose every edge must be tested.
struct Overlay {
  std::vector<EntityRow> entities;     // by id
  std::vector<uint16_t> entity_kinds;  // kind code by slot
  FlatVertexMap slot_of_vertex;        // vertex -> index into entities
  std::unordered_map<EntityId, uint32_t> new_vertex_of_id;
  // Keys of the overlay's entities.
  std::unordered_map<std::string, uint32_t, TransparentStringHash, std::equal_to<>> key_index;
  uint32_t new_vertex_count = 0;

  std::vector<RelationRow> relations;                        // by id
  std::vector<std::pair<uint32_t, uint32_t>> relation_ends;  // subject, object vertex by slot
  std::unordered_map<RelationId, uint32_t> relation_slot;
  size_t new_relation_count = 0;  // rows whose id is not in the base
  // Base vertices touched by a superseded base relation -> index into superseded_at, which
  // holds, sorted, the indices of the superseded relations touching that vertex.
  FlatVertexMap dirty;
  std::vector<std::vector<uint32_t>> superseded_at;
  FlatVertexMap adjacency_of;  // vertex -> index into adjacency
  // A vertex's overlay ends, asserted ones first, then negated-only ones, each part by
  // (neighbour, relation): the order the base keeps its ends in, so that a traversal steps in
  // the same order before and after a fold.
  std::vector<std::vector<OverlayEdge>> adjacency;
  FlatVertexMap degree_of;  // vertex -> degree, where the overlay changed it
  int32_t latest_day = 0;

  bool empty() const { return entities.empty() && relations.empty(); }
};

}  // namespace detail

// A base shared with other snapshots, this snapshot's overlay, and the kind dictionary.
// Relation indices: [0, base relations) are base rows, above that overlay rows; so results
// sorted by relation id must sort ids, not indices.
struct Snapshot::Impl {
  uint64_t version_ = 0;
  std::shared_ptr<const detail::Base> base_;
  detail::Overlay overlay_;
  std::vector<std::string> kind_names_;  // kind code -> EntityRow::kind

  uint32_t vertex_count() const { return base_->vertex_count() + overlay_.new_vertex_count; }

  uint32_t vertex_of(EntityId id) const {
    const uint32_t v = base_->entity_index.find(id);
    if (v != detail::kNoIndex || overlay_.new_vertex_of_id.empty()) return v;
    auto it = overlay_.new_vertex_of_id.find(id);
    return it == overlay_.new_vertex_of_id.end() ? detail::kNoIndex : it->second;
  }

  // The entity at `vertex`, as the overlay shows it; its views live as long as this Impl.
  // Always inlined: called out of line, the view came back through memory and was copied into
  // the caller's optional with wider loads than its stores, which stalled each look-up until
  // its misses retired (random look-ups by id at 1M entities took 195 ns instead of 89).
  [[gnu::always_inline]] EntityView entity_view(uint32_t vertex) const {
    if (const uint32_t* slot = overlay_slot(vertex)) {
      const EntityRow& row = overlay_.entities[*slot];
      return {row.id, row.key, row.name, row.kind};
    }
    return {base_->entity_id(vertex), base_->entities.key(vertex), base_->entities.name(vertex),
            kind_names_[base_->entities.kind(vertex)]};
  }
  EntityId entity_id(uint32_t vertex) const {
    // A base vertex keeps its id whatever the overlay changes of its row.
    return vertex < base_->vertex_count() ? base_->entity_id(vertex)
                                          : overlay_.entities[*overlay_slot(vertex)].id;
  }

  uint16_t kind_of(uint32_t vertex) const {
    if (const uint32_t* slot = overlay_slot(vertex)) return overlay_.entity_kinds[*slot];
    return base_->entities.kind(vertex);
  }

  // The full row of a relation (a copy: the base does not hold rows).
  RelationRow relation_row(uint32_t relation) const {
    const uint32_t base_count = base_->relation_count();
    return relation < base_count ? base_->relation_row(relation)
                                 : overlay_.relations[relation - base_count];
  }
  // Its evidence counts and dates, as filters and path weights read them.
  detail::RelationFacts relation_facts(uint32_t relation) const {
    const uint32_t base_count = base_->relation_count();
    return relation < base_count ? base_->relations.facts(relation)
                                 : detail::facts_of(overlay_.relations[relation - base_count]);
  }
  // Its subject and object vertices.
  std::pair<uint32_t, uint32_t> relation_ends(uint32_t relation) const {
    const uint32_t base_count = base_->relation_count();
    if (relation < base_count) return base_->relation_ends(relation);
    return overlay_.relation_ends[relation - base_count];
  }
  RelationId relation_id(uint32_t relation) const {
    const uint32_t base_count = base_->relation_count();
    return relation < base_count ? base_->relations.id(relation)
                                 : overlay_.relations[relation - base_count].id;
  }

  uint32_t degree(uint32_t vertex) const {
    if (const uint32_t* d = overlay_.degree_of.find(vertex)) return *d;
    return vertex < base_->vertex_count() ? base_->degree(vertex) : 0;
  }

  // Ends stored at `vertex` (both adjacencies and the overlay's): a cheap size estimate for
  // choosing which end to scan.
  uint64_t edge_count(uint32_t vertex) const {
    uint64_t count = vertex < base_->vertex_count() ? base_->degree(vertex) : 0;
    if (const std::vector<detail::OverlayEdge>* extra = overlay_edges(vertex)) {
      count += extra->size();
    }
    return count;
  }

  // for_each_edge_between merges instead of searching in ends without fences (the negated
  // adjacency's, the hub core's) when they hold at most this many entries per neighbour looked
  // up.
  static constexpr size_t kMergeRatio = 32;
  // ... and, with fences, gallops over them from one neighbour's place to the next when there
  // are at most this many fences per neighbour left to place (else binary searches).
  static constexpr size_t kGallopFences = 64;
  // ... and else runs this many binary searches at once.
  static constexpr size_t kSearchLanes = 8;
  // It reports matches this many at a time, their bundles fetched together.
  static constexpr size_t kReportBatch = 32;

  // Hints for a loop that will scan many vertices' ends in turn (each vertex's first ends are
  // a cache miss or two): prefetch_edge_rows(v) a few vertices ahead starts fetching where v's
  // ends begin, prefetch_edges(v) nearer (once that has arrived) its first ends.
  void prefetch_edge_rows(uint32_t vertex) const {
    if (vertex >= base_->vertex_count()) return;
    __builtin_prefetch(&base_->live.m_forward.m_rowstart[vertex]);
  }
  // prefetch_edges fetches up to kPrefetchLines cache lines of each array the scan reads in
  // order (neighbours, bundles): a neighbourhood's members have tens of ends, more than the
  // first line holds.
  static constexpr size_t kPrefetchLines = 4;
  void prefetch_edges(uint32_t vertex) const {
    if (vertex >= base_->vertex_count()) return;
    const auto [first, last] = detail::Base::ends_of(base_->live, vertex);
    const size_t count = last - first;
    const size_t neighbour_lines = std::min(kPrefetchLines, (count * 4 + 63) / 64);
    const size_t bundle_lines =
        std::min(kPrefetchLines, (count * sizeof(detail::EndBundle) + 63) / 64);
    const char* column =
        reinterpret_cast<const char*>(base_->live.m_forward.m_column.data() + first);
    const char* bundles =
        reinterpret_cast<const char*>(base_->live.m_forward.m_edge_properties.data() + first);
    for (size_t l = 0; l < std::max<size_t>(neighbour_lines, 1); ++l) {
      __builtin_prefetch(column + l * 64);
    }
    for (size_t l = 0; l < std::max<size_t>(bundle_lines, 1); ++l) {
      __builtin_prefetch(bundles + l * 64);
    }
  }

  // Whether the base's ends at `vertex` are all there is of it: a base vertex that the overlay
  // leaves as the base has it (no overlay edges, no superseded relations there). Its ends are
  // then sorted by neighbour (for_each_distinct_neighbour).
  bool has_sorted_ends(uint32_t vertex) const {
    return vertex < base_->vertex_count() && overlay_edges(vertex) == nullptr &&
           superseded_at(vertex) == nullptr;
  }

  // Whether for_each_edge_between can serve `vertex`: a hub (fenced) with sorted ends.
  bool has_edge_index(uint32_t vertex) const {
    return has_sorted_ends(vertex) && base_->hub_slot.contains(vertex);
  }

  // Calls fn(neighbour, edge) for each edge between `vertex` and one of `neighbours` that a walk
  // standing on `vertex` may follow in `direction` and that passes `filter` (the tests of
  // for_each_step), each relation once per neighbour (a self-loop when the neighbour is
  // `vertex`), in another order than for_each_step. The hub's ends are searched for
  // kSearchLanes neighbours at a time, first among its fences, then in one cache line of its
  // ends, so k neighbours among d ends cost about k log(d) probes, most of them in cache, and k
  // misses that overlap kSearchLanes-fold. Takes one unit of budget per neighbour and one per
  // match (the negated ends, without fences, are merged when dense: one per entry passed);
  // returns false when the budget ran out.
  // REQUIRES: has_edge_index(vertex); `neighbours` sorted ascending.
  template <class Fn>
  bool for_each_edge_between(uint32_t vertex, const uint32_t* neighbours, size_t count,
                             Direction direction, const detail::ResolvedFilter& filter,
                             detail::QueryBudget& budget, Fn&& fn) const {
    const uint32_t slot = *base_->hub_slot.find(vertex);
    const uint32_t* fences = base_->hub_fences.data() + base_->hub_fence_offsets[slot];
    if (!ends_between(detail::EndRange::of(base_->live, vertex), false, fences, vertex, neighbours,
                      count, direction, filter, budget, fn)) {
      return false;
    }
    return !filter.include_negated ||
           ends_between(detail::EndRange::of(base_->negated, vertex), true, nullptr, vertex,
                        neighbours, count, direction, filter, budget, fn);
  }

  // for_each_edge_between for a hub and other hubs: the same edges, found in the hub core
  // (Base::hub_core), whose few sequential cache lines per hub hold all that is looked for,
  // rather than in the hub's ends, where each neighbour is a miss of its own. Budget as
  // for_each_edge_between's negated ends: merged when dense, one unit per entry passed.
  // REQUIRES: has_edge_index(vertex) and has_edge_index(n) for each n of `neighbours`, sorted
  // ascending.
  template <class Fn>
  bool for_each_edge_between_hubs(uint32_t vertex, const uint32_t* neighbours, size_t count,
                                  Direction direction, const detail::ResolvedFilter& filter,
                                  detail::QueryBudget& budget, Fn&& fn) const {
    const uint32_t slot = *base_->hub_slot.find(vertex);
    if (!ends_between(base_->hub_core.ends_of_slot(slot), false, nullptr, vertex, neighbours, count,
                      direction, filter, budget, fn)) {
      return false;
    }
    return !filter.include_negated ||
           ends_between(detail::EndRange::of(base_->negated, vertex), true, nullptr, vertex,
                        neighbours, count, direction, filter, budget, fn);
  }

  // Calls fn(neighbour) once for each distinct neighbour that for_each_step(vertex, direction,
  // filter) reaches, in ascending vertex order, in one sequential pass over the vertex's sorted
  // ends: of a neighbour's ends only those up to its first passing one are tested. Unbounded,
  // as it reads only the vertex's own ends.
  // REQUIRES: has_sorted_ends(vertex).
  template <class Fn>
  void for_each_distinct_neighbour(uint32_t vertex, Direction direction,
                                   const detail::ResolvedFilter& filter, Fn&& fn) const {
    const detail::Adjacency& live = base_->live;
    const detail::Adjacency& negated = base_->negated;
    auto [a, a_end] = detail::Base::ends_of(live, vertex);
    auto [n, n_end] = detail::Base::ends_of(negated, vertex);
    if (!filter.include_negated) n = n_end;
    const uint32_t* const live_column = live.m_forward.m_column.data();
    const uint32_t* const negated_column = negated.m_forward.m_column.data();
    uint32_t reported = detail::kNoIndex;  // never a vertex
    while (a != a_end || n != n_end) {
      // The two ranges merged by neighbour.
      const bool from_live = n == n_end || (a != a_end && live_column[a] <= negated_column[n]);
      const detail::Adjacency& graph = from_live ? live : negated;
      const uint32_t e = from_live ? a++ : n++;
      const uint32_t neighbour = graph.m_forward.m_column[e];
      if (neighbour == reported) continue;
      const detail::EndBundle end = graph.m_forward.m_edge_properties[e];
      if (walks_along(end.way(), direction) &&
          admits(edge_of(end, neighbour == vertex, !from_live), neighbour, filter)) {
        reported = neighbour;
        fn(neighbour);
      }
    }
  }

  // Calls fn(neighbour, edge) for each edge that passes `filter`, leads to a vertex the filter
  // allows, and that a walk standing on `vertex` may follow in `direction` (out: vertex is the
  // subject; in: vertex is the object; symmetric relations both). Each relation is reported
  // once per neighbour it leads to; self-loops are reported (neighbour == vertex). Asserted
  // relations come first, then negated-only ones, each by neighbour then relation index (the
  // base's and the overlay's ends merged), so that the order survives a fold as far as the
  // numbering does. Stops when fn returns false or the budget
  // runs out; returns false in either case.
  template <class Fn>
  bool for_each_step(uint32_t vertex, Direction direction, const detail::ResolvedFilter& filter,
                     detail::QueryBudget& budget, Fn&& fn) const {
    return for_each_step_to(
        vertex, direction, filter, budget, [](uint32_t) { return true; }, fn);
  }

  // for_each_step restricted to the steps whose neighbour `wanted(neighbour)` accepts, tested
  // before anything else of the edge is read: an in-edge's bundle lies elsewhere in memory (one
  // cache miss per in-edge), its neighbour does not. Every examined edge still takes budget.
  template <class Wanted, class Fn>
  bool for_each_step_to(uint32_t vertex, Direction direction, const detail::ResolvedFilter& filter,
                        detail::QueryBudget& budget, Wanted&& wanted, Fn&& fn) const {
    return steps_to<false>(vertex, direction, filter, budget, wanted, fn);
  }

  // for_each_step_to for a `wanted` that fn's calls do not change (a fixed set, such as a
  // neighbourhood's members): a vertex's ends are tested kStepBlock at a time and the bundles
  // of the wanted ones fetched together before any is read, so that their cache misses overlap
  // instead of each waiting behind the mispredicted test before it. The same steps in the same
  // order, the same budget (a block's steps are charged together, so a deadline is seen at the
  // end of a block).
  template <class Wanted, class Fn>
  bool for_each_step_among(uint32_t vertex, Direction direction,
                           const detail::ResolvedFilter& filter, detail::QueryBudget& budget,
                           Wanted&& wanted, Fn&& fn) const {
    return steps_to<true>(vertex, direction, filter, budget, wanted, fn);
  }

  // Ends tested at a time by for_each_step_among.
  static constexpr uint32_t kStepBlock = 64;

 private:
  template <bool kFixedWanted, class Wanted, class Fn>
  bool steps_to(uint32_t vertex, Direction direction, const detail::ResolvedFilter& filter,
                detail::QueryBudget& budget, Wanted& wanted, Fn& fn) const {
    const std::vector<detail::OverlayEdge>* extra = overlay_edges(vertex);
    const detail::OverlayEdge* const o_first = extra == nullptr ? nullptr : extra->data();
    const detail::OverlayEdge* const o_last = extra == nullptr ? nullptr : o_first + extra->size();
    const detail::OverlayEdge* const o_negated =
        std::partition_point(o_first, o_last, [](const detail::OverlayEdge& edge) {
          return (edge.bundle.flags & detail::kNegatedOnly) == 0;
        });
    const std::vector<uint32_t>* hidden = superseded_at(vertex);
    if (vertex < base_->vertex_count()) {
      if (!steps_in<kFixedWanted>(base_->live, false, vertex, direction, filter, budget, hidden,
                                  o_first, o_negated, wanted, fn)) {
        return false;
      }
      return !filter.include_negated ||
             steps_in<kFixedWanted>(base_->negated, true, vertex, direction, filter, budget, hidden,
                                    o_negated, o_last, wanted, fn);
    }
    return overlay_steps(o_first, filter.include_negated ? o_last : o_negated, direction, filter,
                         budget, wanted, fn);
  }

  const uint32_t* overlay_slot(uint32_t vertex) const {
    return overlay_.entities.empty() ? nullptr : overlay_.slot_of_vertex.find(vertex);
  }

  const std::vector<detail::OverlayEdge>* overlay_edges(uint32_t vertex) const {
    if (overlay_.adjacency.empty()) return nullptr;
    const uint32_t* index = overlay_.adjacency_of.find(vertex);
    return index == nullptr ? nullptr : &overlay_.adjacency[*index];
  }

  const std::vector<uint32_t>* superseded_at(uint32_t vertex) const {
    if (overlay_.superseded_at.empty()) return nullptr;
    const uint32_t* index = overlay_.dirty.find(vertex);
    return index == nullptr ? nullptr : &overlay_.superseded_at[*index];
  }

  // Whether a walk in `direction` follows a base end that runs `way` from where it stands.
  static bool walks_along(detail::Way way, Direction direction) {
    return way == detail::kWayBoth || direction == Direction::both ||
           (way == detail::kWayOut) == (direction == Direction::out);
  }

  // The edge a base end stands for, as traversals report it.
  static detail::EdgeBundle edge_of(const detail::EndBundle& end, bool self_loop, bool negated) {
    uint8_t flags = negated ? detail::kNegatedOnly : 0;
    if (self_loop) {
      flags |= detail::kSelfLoop;
    } else if (end.way() == detail::kWayBoth) {
      flags |= detail::kSymmetric;
    }
    return detail::EdgeBundle{end.relation, end.type(), flags};
  }

  static bool walks_along(const detail::OverlayEdge& edge, Direction direction) {
    if ((edge.bundle.flags & (detail::kSymmetric | detail::kSelfLoop)) != 0) return true;
    return edge.outgoing ? direction != Direction::in : direction != Direction::out;
  }

  bool admits(const detail::EdgeBundle& edge, uint32_t neighbour,
              const detail::ResolvedFilter& filter) const {
    return filter.passes_bundle(edge) &&
           (!filter.checks_row || filter.passes_row(relation_facts(edge.relation))) &&
           (!filter.checks_vertex || filter.allows_vertex(neighbour, kind_of(neighbour)));
  }

  // for_each_step_to over `vertex`'s ends in one of the base's adjacencies, merged by
  // neighbour with the overlay's ends [o_first, o_last) of the same kind (asserted or
  // negated-only). The neighbour is read first and the bundle (a second sequential stream) only
  // for a wanted one.
  template <bool kFixedWanted, class Wanted, class Fn>
  bool steps_in(const detail::Adjacency& graph, bool negated, uint32_t vertex, Direction direction,
                const detail::ResolvedFilter& filter, detail::QueryBudget& budget,
                const std::vector<uint32_t>* hidden, const detail::OverlayEdge* o_first,
                const detail::OverlayEdge* o_last, Wanted& wanted, Fn& fn) const {
    const auto [first, last] = detail::Base::ends_of(graph, vertex);
    const uint32_t* const column = graph.m_forward.m_column.data();
    const detail::EndBundle* const bundles = graph.m_forward.m_edge_properties.data();
    // Wanted base end e, its budget taken: whether the walk goes on.
    auto pass = [&](uint32_t e) {
      const uint32_t neighbour = column[e];
      const detail::EndBundle end = bundles[e];
      if (!walks_along(end.way(), direction)) return true;
      const detail::EdgeBundle edge = edge_of(end, neighbour == vertex, negated);
      if (hidden != nullptr && std::binary_search(hidden->begin(), hidden->end(), edge.relation)) {
        return true;
      }
      if (!admits(edge, neighbour, filter)) return true;
      return static_cast<bool>(fn(neighbour, edge));
    };
    // Base end e: whether the walk goes on.
    auto step = [&](uint32_t e) {
      if (!budget.take()) return false;
      return !wanted(column[e]) || pass(e);
    };
    if (o_first == o_last) {
      uint32_t e = first;
      if constexpr (kFixedWanted) {
        // Ends [from, from + n), n <= kStepBlock, that the budget has room for: the wanted ones
        // are picked first, their bundles fetched, then they are passed in order.
        auto block = [&](uint32_t from, uint32_t n) {
          uint32_t picked[kStepBlock];
          uint32_t count = 0;
          for (uint32_t k = from; k != from + n; ++k) {
            picked[count] = k;
            count += wanted(column[k]) ? 1 : 0;
          }
          for (uint32_t k = 0; k < count; ++k) __builtin_prefetch(&bundles[picked[k]]);
          for (uint32_t k = 0; k < count; ++k) {
            if (!pass(picked[k])) {
              budget.charge(picked[k] - from + 1);
              return false;
            }
          }
          return budget.charge(n);
        };
        for (; last - e >= kStepBlock && budget.has_room(kStepBlock); e += kStepBlock) {
          if (!block(e, kStepBlock)) return false;
        }
        if (last - e > 1 && budget.has_room(last - e)) return block(e, last - e);
      }
      for (; e != last; ++e) {
        if (!step(e)) return false;
      }
      return true;
    }
    uint32_t e = first;
    for (const detail::OverlayEdge* o = o_first; o != o_last; ++o) {
      for (; e != last && column[e] <= o->neighbour; ++e) {
        if (!step(e)) return false;
      }
      if (!overlay_steps(o, o + 1, direction, filter, budget, wanted, fn)) return false;
    }
    for (; e != last; ++e) {
      if (!step(e)) return false;
    }
    return true;
  }

  template <class Wanted, class Fn>
  bool overlay_steps(const detail::OverlayEdge* first, const detail::OverlayEdge* last,
                     Direction direction, const detail::ResolvedFilter& filter,
                     detail::QueryBudget& budget, Wanted& wanted, Fn& fn) const {
    for (const detail::OverlayEdge* edge = first; edge != last; ++edge) {
      if (!budget.take()) return false;
      if (!wanted(edge->neighbour) || !walks_along(*edge, direction) ||
          !admits(edge->bundle, edge->neighbour, filter)) {
        continue;
      }
      if (!fn(edge->neighbour, edge->bundle)) return false;
    }
    return true;
  }

  // for_each_edge_between in `ends`: a vertex's ends in one of the base's adjacencies, or a
  // hub's in the hub core. `fences` are the vertex's (Base::hub_fences, over its live ends) or
  // nullptr, when the ends are searched without them.
  template <class Fn>
  bool ends_between(const detail::EndRange& ends, bool negated, const uint32_t* fences,
                    uint32_t vertex, const uint32_t* neighbours, size_t count, Direction direction,
                    const detail::ResolvedFilter& filter, detail::QueryBudget& budget,
                    Fn& fn) const {
    const uint32_t* const column = ends.column;
    const uint32_t* const first = column + ends.first;
    const uint32_t* it = first;
    const uint32_t* const last = column + ends.last;
    if (first == last) return true;
    // A match's bundle lies in another array than the neighbours, a cache miss each (the
    // matches are scattered over a hub's ends): matches are gathered kReportBatch at a time and
    // their bundles fetched together before any is read, so that the misses overlap instead of
    // each stalling the search. Every match found before a return is reported.
    const detail::EndBundle* const bundles = ends.bundles;
    uint32_t batch[kReportBatch];
    size_t batched = 0;
    auto report_batch = [&] {
      for (size_t b = 0; b < batched; ++b) __builtin_prefetch(&bundles[batch[b]]);
      for (size_t b = 0; b < batched; ++b) {
        const detail::EndBundle end = bundles[batch[b]];
        const uint32_t neighbour = column[batch[b]];
        if (!walks_along(end.way(), direction)) continue;
        const detail::EdgeBundle edge = edge_of(end, neighbour == vertex, negated);
        if (admits(edge, neighbour, filter)) fn(neighbour, edge);
      }
      batched = 0;
    };
    auto report = [&](const uint32_t* entry) {
      batch[batched++] = static_cast<uint32_t>(entry - column);
      if (batched == kReportBatch) report_batch();
    };
    auto finish = [&](bool went_on) {
      report_batch();
      return went_on;
    };
    // Without fences (negated ends, the hub core), many neighbours among few ends: one sequential
    // merge pass (a unit of budget per entry passed) beats a search per neighbour, whose probes
    // miss the cache and mispredict.
    if (fences == nullptr && static_cast<size_t>(last - it) <= count * kMergeRatio) {
      // Branch-free but for the matches: the entry advances unless it is past the neighbour,
      // the neighbour advances when the entry is past it. A step takes a unit of budget; when
      // every step the merge could take fits, they are counted and charged at the end.
      if (budget.has_room(static_cast<uint64_t>(last - it) + count)) {
        uint64_t steps = 0;
        for (size_t i = 0; i < count && it != last; ++steps) {
          const uint32_t entry = *it;
          const uint32_t neighbour = neighbours[i];
          if (entry == neighbour) report(it);
          it += entry <= neighbour;
          i += entry > neighbour;
        }
        return finish(budget.charge(steps));
      }
      for (size_t i = 0; i < count && it != last;) {
        if (!budget.take()) return finish(false);
        const uint32_t entry = *it;
        const uint32_t neighbour = neighbours[i];
        if (entry == neighbour) report(it);
        it += entry <= neighbour;
        i += entry > neighbour;
      }
      return finish(true);
    }
    if (fences == nullptr) {
      // No fences (negated ends, rarely read; a hub's core ends, short): a plain binary search
      // per neighbour.
      for (size_t i = 0; i < count && it != last; ++i) {
        if (!budget.take()) return finish(false);
        it = std::lower_bound(it, last, neighbours[i]);
        for (; it != last && *it == neighbours[i]; ++it) {
          if (!budget.take()) return finish(false);
          report(it);
        }
      }
      return finish(true);
    }
    // With fences: each neighbour's place is found in two steps, kSearchLanes neighbours at a
    // time. First among the fences (every kFenceStride-th neighbour, fence f standing on entry
    // first + f * kFenceStride, in a small array that mostly stays in cache): how many fences
    // are below the neighbour. Then in the one stretch of kFenceStride entries after the last
    // of those: one cache line of the ends, one miss at most. The lanes' stretch searches are
    // independent, so their misses overlap instead of queueing.
    // The fences are found by galloping from the previous neighbour's place when the neighbours
    // are dense (a few fences apart: a hub's relations with a neighbourhood's other hubs), and
    // by binary searches in lockstep when they are sparse (a few neighbours in a hub of 10^5
    // ends, whose fences are a chain of misses of their own).
    const size_t fence_count = (static_cast<size_t>(last - first) - 1) / detail::kFenceStride + 1;
    size_t below = 0;  // fences below the neighbour last placed (they ascend)
    for (size_t i = 0; i < count && it != last; i += kSearchLanes) {
      const size_t lanes = std::min(kSearchLanes, count - i);
      const uint32_t* const wanted = neighbours + i;
      size_t placed[kSearchLanes];  // lane l: the fences below wanted[l]
      if (fence_count - below <= (count - i) * kGallopFences) {
        for (size_t l = 0; l < lanes; ++l) {
          size_t low = below;  // fences before `low` are below wanted[l]
          size_t high = low;
          for (size_t step = 1; high < fence_count && fences[high] < wanted[l]; step *= 2) {
            low = high + 1;
            high = low + step;
          }
          high = std::min(high, fence_count);
          below = static_cast<size_t>(std::lower_bound(fences + low, fences + high, wanted[l]) -
                                      fences);
          placed[l] = below;
        }
      } else {
        // Branch-free: placed[l] ends on the last fence < wanted[l], or on `below`.
        for (size_t l = 0; l < lanes; ++l) placed[l] = below;
        for (size_t n = fence_count - below; n > 1;) {
          const size_t half = n / 2;
          for (size_t l = 0; l < lanes; ++l) {
            placed[l] = fences[placed[l] + half] < wanted[l] ? placed[l] + half : placed[l];
          }
          n -= half;
        }
        for (size_t l = 0; l < lanes; ++l) placed[l] += fences[placed[l]] < wanted[l];
        below = placed[lanes - 1];
      }
      // found[l]: the first entry >= wanted[l]. With no fence below it, the hub's first entry;
      // else after the last entry below it in the stretch that starts on the last fence below
      // it (that entry is below it), and at most on the next fence (which is not).
      const uint32_t* found[kSearchLanes];
      const uint32_t* stretch_end[kSearchLanes];
      for (size_t l = 0; l < lanes; ++l) {
        found[l] = placed[l] == 0 ? first : first + (placed[l] - 1) * detail::kFenceStride;
        stretch_end[l] = std::min(last, found[l] + detail::kFenceStride);
      }
      for (size_t step = detail::kFenceStride / 2; step > 0; step /= 2) {
        for (size_t l = 0; l < lanes; ++l) {
          const uint32_t* const probe = std::min(found[l] + step, stretch_end[l] - 1);
          found[l] = *probe < wanted[l] ? probe : found[l];
        }
      }
      for (size_t l = 0; l < lanes; ++l) {
        if (!budget.take()) return finish(false);
        const uint32_t* e = found[l];
        if (placed[l] != 0) ++e;  // found[l] was the last entry below wanted[l]
        for (; e != last && *e == wanted[l]; ++e) {
          if (!budget.take()) return finish(false);
          report(e);
        }
        it = e;
      }
    }
    return finish(true);
  }
};

namespace detail {

// Resolves `filter` against `g`. `exempt` are the vertices the query names itself (kNoIndex
// entries are ignored): kinds and exclude never apply to them.
ResolvedFilter resolve(const Snapshot::Impl& g, const Filter& filter,
                       const std::vector<uint32_t>& exempt);

}  // namespace detail
}  // namespace relgraph::graph
