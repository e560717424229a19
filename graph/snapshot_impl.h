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

// 32-bit vertex and edge indices halve the index arrays; build() refuses graphs that would
// overflow them.
using CsrGraph =
    boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property, EdgeBundle,
                                       boost::no_property, uint32_t, uint32_t>;

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

// A hub's edge in its by-neighbour index, as build_hub_index sorts it; the index keeps the two
// fields in separate arrays (Base::hub_neighbours, Base::hub_bundles).
struct IndexedEdge {
  uint32_t neighbour = 0;
  EdgeBundle bundle;  // flags has kOutgoing when the hub is the relation's subject
};
static_assert(sizeof(IndexedEdge) == 12);

// How many in-edges ahead a scan prefetches their bundles.
inline constexpr size_t kPrefetchAhead = 20;

// Vertices with more CSR edges than this get a by-neighbour index of their edges.
inline constexpr uint64_t kIndexedEdges = 256;

// Hub index entries per fence (Base::hub_fences): one cache line of neighbours.
inline constexpr uint64_t kFenceStride = 16;

// The immutable part of a snapshot, shared by every snapshot derived from it until the next
// fold. Vertex v is entity entity_id(v), its key, name and kind code in entities; relation
// index r < relations.size() is relations.record(r). Both are sorted by id.
//
// Every relation is one CSR edge subject -> object, except a symmetric relation between two
// distinct entities, which is two edges (a -> b and b -> a, same relation index) so that it can
// be followed from either end in every direction. A traversal in direction `both` reads
// out-edges and then in-edges, skipping in-edges of symmetric relations and self-loops: their
// out-edge twin has already been read.
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
  std::vector<uint32_t> degrees;  // relations touching each vertex, each counted once
  int32_t latest_day = 0;         // the latest last_seen
  CsrGraph csr;
  // Hubs (vertices with more than kIndexedEdges CSR edges) also hold their edges sorted by
  // (neighbour, relation), one entry per relation and neighbour as a walk in direction both
  // reports them, so that a hub's relations with a given vertex are found by binary search
  // instead of by scanning the hub. ~11 % of the edge ends at 1M relations, 31 % at 10M.
  // The neighbours are an array of their own, apart from the bundles: searches and merges
  // compare only neighbours, and 4-byte entries put three times as many in each cache line
  // (at 10M relations the hubs' neighbours are 24 MiB, which a 32 MiB L3 can hold, where
  // 12-byte entries were 72 MiB); a bundle is read only for an entry that matched.
  FlatVertexMap hub_slot;                // hub vertex -> i: its entries are [hub_offsets[i],
  std::vector<uint64_t> hub_offsets;     //                                  hub_offsets[i + 1])
  std::vector<uint32_t> hub_neighbours;  // entry -> neighbour
  std::vector<EdgeBundle> hub_bundles;   // entry -> bundle, flags with kOutgoing (IndexedEdge)
  // hub_fences[j] = hub_neighbours[j * kFenceStride]: the upper levels of every binary search
  // in the index, 1/16 of its size (1.5 MiB at 10M relations, which stays in cache between
  // searches), so that a search in the index itself reads one or two cache lines instead of a
  // chain of misses. Derived from hub_neighbours (assign_hub_fences), not stored in images.
  std::vector<uint32_t> hub_fences;
  uint32_t vertex_count() const { return static_cast<uint32_t>(entities.size()); }
  uint32_t relation_count() const { return static_cast<uint32_t>(relations.size()); }

  // Derives hub_fences from hub_neighbours.
  void assign_hub_fences() {
    hub_fences.clear();
    hub_fences.reserve((hub_neighbours.size() + kFenceStride - 1) / kFenceStride);
    for (size_t e = 0; e < hub_neighbours.size(); e += kFenceStride) {
      hub_fences.push_back(hub_neighbours[e]);
    }
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

  // The full row of base relation r (its ends as entity ids).
  RelationRow relation_row(uint32_t r) const {
    const RelationRecord& record = relations.record(r);
    return relations.row(r, entity_id(record.subject), entity_id(record.object));
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
// CSR edges are then skipped. Skipping tests a hash set, so it is done only at the vertices
// such an edge touches, and base traversal elsewhere reads the CSR as before. At such a vertex
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

  std::vector<RelationRow> relations;  // by id
  std::vector<std::pair<uint32_t, uint32_t>> relation_ends;  // subject, object vertex by slot
  std::unordered_map<RelationId, uint32_t> relation_slot;
  size_t new_relation_count = 0;  // rows whose id is not in the base
  // Base vertices touched by a superseded base relation -> index into superseded_at, which
  // holds, sorted, the indices of the superseded relations touching that vertex.
  FlatVertexMap dirty;
  std::vector<std::vector<uint32_t>> superseded_at;
  FlatVertexMap adjacency_of;  // vertex -> index into adjacency
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
    if (relation < base_count) {
      const detail::RelationRecord& record = base_->relations.record(relation);
      return {record.subject, record.object};
    }
    return overlay_.relation_ends[relation - base_count];
  }
  RelationId relation_id(uint32_t relation) const {
    const uint32_t base_count = base_->relation_count();
    return relation < base_count ? base_->relations.id(relation)
                                 : overlay_.relations[relation - base_count].id;
  }

  uint32_t degree(uint32_t vertex) const {
    if (const uint32_t* d = overlay_.degree_of.find(vertex)) return *d;
    return vertex < base_->vertex_count() ? base_->degrees[vertex] : 0;
  }

  // Edges stored at `vertex`: a cheap size estimate for choosing which end to scan.
  uint64_t edge_count(uint32_t vertex) const {
    uint64_t count = 0;
    if (vertex < base_->vertex_count()) {
      count =
          uint64_t{boost::out_degree(vertex, base_->csr)} + boost::in_degree(vertex, base_->csr);
    }
    if (const std::vector<detail::OverlayEdge>* extra = overlay_edges(vertex)) {
      count += extra->size();
    }
    return count;
  }

  // for_each_edge_between merges instead of searching when the index holds at most this many
  // entries per neighbour looked up.
  static constexpr size_t kMergeRatio = 32;
  // ... and else runs this many binary searches at once.
  static constexpr size_t kSearchLanes = 8;
  // It reports matches this many at a time, their bundles fetched together.
  static constexpr size_t kReportBatch = 32;

  // Hints for a loop that will scan many vertices' edges in turn (each vertex's first edges
  // are a cache miss or two): prefetch_edge_rows(v) a few vertices ahead starts fetching where
  // v's edges begin, prefetch_edges(v) nearer (once that has arrived) its first edges.
  void prefetch_edge_rows(uint32_t vertex) const {
    if (vertex >= base_->vertex_count()) return;
    __builtin_prefetch(&base_->csr.m_forward.m_rowstart[vertex]);
    __builtin_prefetch(&base_->csr.m_backward.m_rowstart[vertex]);
  }
  // prefetch_edges fetches up to kPrefetchLines cache lines of each array the scan reads in
  // order (out-neighbours, in-neighbours, in-edges' bundle indices): a neighbourhood's members
  // have tens of edges, more than the first line holds.
  static constexpr size_t kPrefetchLines = 4;
  void prefetch_edges(uint32_t vertex) const {
    if (vertex >= base_->vertex_count()) return;
    const detail::CsrGraph& csr = base_->csr;
    const size_t out_first = csr.m_forward.m_rowstart[vertex];
    const size_t out_end = csr.m_forward.m_rowstart[vertex + 1];
    const size_t in_first = csr.m_backward.m_rowstart[vertex];
    const size_t in_end = csr.m_backward.m_rowstart[vertex + 1];
    constexpr size_t kPerLine = 64 / sizeof(uint32_t);
    const size_t out_lines =
        std::min(kPrefetchLines, (out_end - out_first + kPerLine - 1) / kPerLine);
    const size_t in_lines = std::min(kPrefetchLines, (in_end - in_first + kPerLine - 1) / kPerLine);
    for (size_t l = 0; l < std::max<size_t>(out_lines, 1); ++l) {
      __builtin_prefetch(csr.m_forward.m_column.data() + out_first + l * kPerLine);
    }
    for (size_t l = 0; l < std::max<size_t>(in_lines, 1); ++l) {
      __builtin_prefetch(csr.m_backward.m_column.data() + in_first + l * kPerLine);
      __builtin_prefetch(csr.m_backward.m_edge_properties.data() + in_first + l * kPerLine);
    }
  }

  // Whether for_each_edge_between can serve `vertex`: a base hub with a by-neighbour index that
  // the overlay leaves as the base has it (no overlay edges, no superseded relations there).
  bool has_edge_index(uint32_t vertex) const {
    return vertex < base_->vertex_count() && base_->hub_slot.contains(vertex) &&
           overlay_edges(vertex) == nullptr && superseded_at(vertex) == nullptr;
  }

  // Calls fn(neighbour, edge) for each edge between `vertex` and one of `neighbours` that a walk
  // standing on `vertex` may follow in `direction` and that passes `filter` (the tests of
  // for_each_step), each relation once per neighbour (a self-loop when the neighbour is
  // `vertex`), by neighbour then relation: the steps for_each_step reports towards those
  // neighbours, in another order. The index is binary-searched for kSearchLanes neighbours at
  // a time, so k neighbours among d edges cost about k log(d) probes whose cache misses overlap
  // kSearchLanes-fold, or, when d is at most kMergeRatio * k, it is merged with the neighbours
  // in one sequential pass. Takes one unit of budget per neighbour and one per edge examined
  // (merging: one per entry passed); returns false when the budget ran out.
  // REQUIRES: has_edge_index(vertex); `neighbours` sorted ascending.
  template <class Fn>
  bool for_each_edge_between(uint32_t vertex, const uint32_t* neighbours, size_t count,
                             Direction direction, const detail::ResolvedFilter& filter,
                             detail::QueryBudget& budget, Fn&& fn) const {
    const uint32_t slot = *base_->hub_slot.find(vertex);
    const uint32_t* const neighbours_of_hub = base_->hub_neighbours.data();
    const uint32_t* it = neighbours_of_hub + base_->hub_offsets[slot];
    const uint32_t* const last = neighbours_of_hub + base_->hub_offsets[slot + 1];
    // A match's bundle lies in another array than the neighbours, a cache miss each (the
    // matches are scattered over the index): matches are gathered kReportBatch at a time and
    // their bundles fetched together before any is read, so that the misses overlap instead of
    // each stalling the search. Every match found before a return is reported.
    const detail::EdgeBundle* const bundles = base_->hub_bundles.data();
    uint64_t batch[kReportBatch];
    size_t batched = 0;
    auto report_batch = [&] {
      for (size_t b = 0; b < batched; ++b) __builtin_prefetch(&bundles[batch[b]]);
      for (size_t b = 0; b < batched; ++b) {
        const detail::EdgeBundle& bundle = bundles[batch[b]];
        const uint32_t neighbour = neighbours_of_hub[batch[b]];
        if (walks_along(bundle, direction) && admits(bundle, neighbour, filter)) {
          fn(neighbour, bundle);
        }
      }
      batched = 0;
    };
    auto report = [&](const uint32_t* entry) {
      batch[batched++] = static_cast<uint64_t>(entry - neighbours_of_hub);
      if (batched == kReportBatch) report_batch();
    };
    auto finish = [&](bool went_on) {
      report_batch();
      return went_on;
    };
    // Many neighbours in a short index: one sequential merge pass (a unit of budget per entry
    // passed) beats a search per neighbour, whose probes miss the cache and mispredict.
    if (static_cast<size_t>(last - it) <= count * kMergeRatio) {
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
    // Few neighbours in a long index: binary searches, kSearchLanes at a time in lockstep.
    // A search is a chain of dependent probes (17 in a hub of 2^17 edges), each a cache miss in
    // a 24 MiB index; so it first searches the fences (every kFenceStride-th neighbour, in a
    // small array that stays in cache) and then only the one stretch of kFenceStride entries
    // between two fences: one or two misses per search. The lanes' probes are independent, so
    // their misses overlap instead of queueing. Each group searches from where the previous
    // group's last neighbour was found (the neighbours ascend).
    const uint32_t* const fences = base_->hub_fences.data();
    for (size_t i = 0; i < count && it != last; i += kSearchLanes) {
      const size_t lanes = std::min(kSearchLanes, count - i);
      // Fences [f_first, f_end) stand on entries within [it, last).
      const size_t first_entry = static_cast<size_t>(it - neighbours_of_hub);
      const size_t f_first = (first_entry + detail::kFenceStride - 1) / detail::kFenceStride;
      const size_t f_end =
          (static_cast<size_t>(last - neighbours_of_hub) - 1) / detail::kFenceStride + 1;
      const uint32_t* low[kSearchLanes];  // each lane's stretch: [low, high)
      const uint32_t* high[kSearchLanes];
      if (f_first >= f_end) {
        for (size_t l = 0; l < lanes; ++l) {
          low[l] = it;
          high[l] = last;
        }
      } else {
        // Branch-free: fence[l] ends on the last fence < neighbours[i + l] (or f_first).
        size_t fence[kSearchLanes];
        for (size_t l = 0; l < lanes; ++l) fence[l] = f_first;
        for (size_t n = f_end - f_first; n > 1;) {
          const size_t half = n / 2;
          for (size_t l = 0; l < lanes; ++l) {
            fence[l] = fences[fence[l] + half] < neighbours[i + l] ? fence[l] + half : fence[l];
          }
          n -= half;
        }
        for (size_t l = 0; l < lanes; ++l) {
          if (fences[fence[l]] < neighbours[i + l]) {
            // The first entry >= the neighbour is past this fence and at most the next one.
            low[l] = neighbours_of_hub + fence[l] * detail::kFenceStride;
            high[l] = std::min(last, low[l] + detail::kFenceStride);
          } else {  // before the first fence in range (the fence itself at most)
            low[l] = it;
            high[l] = std::min(last, neighbours_of_hub + f_first * detail::kFenceStride);
          }
        }
      }
      // found[l]: the first entry of the stretch >= neighbours[i + l], or its end.
      const uint32_t* found[kSearchLanes];
      for (size_t l = 0; l < lanes; ++l) found[l] = low[l];
      for (size_t n = detail::kFenceStride; n > 1;) {
        const size_t half = n / 2;
        for (size_t l = 0; l < lanes; ++l) {
          found[l] = found[l] + half < high[l] && found[l][half] < neighbours[i + l]
                         ? found[l] + half
                         : found[l];
        }
        n -= half;
      }
      for (size_t l = 0; l < lanes; ++l) {
        if (!budget.take()) return finish(false);
        const uint32_t neighbour = neighbours[i + l];
        const uint32_t* e = found[l];
        if (e != high[l] && *e < neighbour) ++e;
        for (; e != last && *e == neighbour; ++e) {
          if (!budget.take()) return finish(false);
          report(e);
        }
        it = e;
      }
    }
    return finish(true);
  }

  // Calls fn(neighbour) once for each distinct neighbour that for_each_step(vertex, direction,
  // filter) reaches, in ascending vertex order, in one sequential pass over the vertex's
  // by-neighbour index: of a neighbour's entries only those up to its first passing one are
  // tested. Unbounded, as it reads only the vertex's own index.
  // REQUIRES: has_edge_index(vertex).
  template <class Fn>
  void for_each_indexed_neighbour(uint32_t vertex, Direction direction,
                                  const detail::ResolvedFilter& filter, Fn&& fn) const {
    const uint32_t slot = *base_->hub_slot.find(vertex);
    const uint64_t last = base_->hub_offsets[slot + 1];
    const uint32_t* const neighbours = base_->hub_neighbours.data();
    const detail::EdgeBundle* const bundles = base_->hub_bundles.data();
    uint32_t reported = detail::kNoIndex;  // never a vertex
    for (uint64_t e = base_->hub_offsets[slot]; e != last; ++e) {
      if (neighbours[e] == reported) continue;
      if (walks_along(bundles[e], direction) && admits(bundles[e], neighbours[e], filter)) {
        reported = neighbours[e];
        fn(reported);
      }
    }
  }

  // Calls fn(neighbour, edge) for each edge that passes `filter`, leads to a vertex the filter
  // allows, and that a walk standing on `vertex` may follow in `direction` (out: vertex is the
  // subject; in: vertex is the object; symmetric relations both). Each relation is reported
  // once per neighbour it leads to; self-loops are reported (neighbour == vertex). Base edges
  // come first, in CSR order, then overlay edges. Stops when fn returns false or the budget
  // runs out; returns false in either case.
  template <class Fn>
  bool for_each_step(uint32_t vertex, Direction direction, const detail::ResolvedFilter& filter,
                     detail::QueryBudget& budget, Fn&& fn) const {
    return for_each_step_to(vertex, direction, filter, budget, [](uint32_t) { return true; }, fn);
  }

  // for_each_step restricted to the steps whose neighbour `wanted(neighbour)` accepts, tested
  // before anything else of the edge is read: an in-edge's bundle lies elsewhere in memory (one
  // cache miss per in-edge), its neighbour does not. Every examined edge still takes budget.
  template <class Wanted, class Fn>
  bool for_each_step_to(uint32_t vertex, Direction direction,
                        const detail::ResolvedFilter& filter, detail::QueryBudget& budget,
                        Wanted&& wanted, Fn&& fn) const {
    if (vertex < base_->vertex_count() &&
        !for_each_base_step(vertex, direction, filter, budget, wanted, fn)) {
      return false;
    }
    const std::vector<detail::OverlayEdge>* extra = overlay_edges(vertex);
    if (extra == nullptr) return true;
    for (const detail::OverlayEdge& edge : *extra) {
      if (!budget.take()) return false;
      if (!wanted(edge.neighbour) || !walks_along(edge, direction) ||
          !admits(edge.bundle, edge.neighbour, filter)) {
        continue;
      }
      if (!fn(edge.neighbour, edge.bundle)) return false;
    }
    return true;
  }

 private:
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

  // Whether a walk on a hub in `direction` follows this bundle of the hub's index (whose flags
  // have kOutgoing when the hub is the relation's subject).
  static bool walks_along(const detail::EdgeBundle& indexed, Direction direction) {
    return direction == Direction::both ||
           (indexed.flags & (detail::kSymmetric | detail::kSelfLoop)) != 0 ||
           ((indexed.flags & detail::kOutgoing) != 0) == (direction == Direction::out);
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

  template <class Wanted, class Fn>
  bool for_each_base_step(uint32_t vertex, Direction direction,
                          const detail::ResolvedFilter& filter, detail::QueryBudget& budget,
                          Wanted& wanted, Fn& fn) const {
    const detail::CsrGraph& csr = base_->csr;
    const std::vector<uint32_t>* hidden = superseded_at(vertex);
    auto usable = [&](const detail::EdgeBundle& edge, uint32_t neighbour) {
      return !(hidden != nullptr &&
               std::binary_search(hidden->begin(), hidden->end(), edge.relation)) &&
             admits(edge, neighbour, filter);
    };
    if (direction != Direction::in) {
      auto [it, end] = boost::out_edges(vertex, csr);
      for (; it != end; ++it) {
        if (!budget.take()) return false;
        const auto neighbour = static_cast<uint32_t>(boost::target(*it, csr));
        if (!wanted(neighbour)) continue;
        const detail::EdgeBundle& edge = csr[*it];
        if (!usable(edge, neighbour)) continue;
        if (!fn(neighbour, edge)) return false;
      }
    }
    if (direction != Direction::out) {
      const uint8_t seen_as_out =
          direction == Direction::both ? (detail::kSymmetric | detail::kSelfLoop) : uint8_t{0};
      auto [it, end] = boost::in_edges(vertex, csr);
      // An in-edge holds the index of its bundle, which lies elsewhere: fetch a few ahead so
      // that the cache misses overlap instead of queueing. Only the bundles of wanted
      // neighbours are read, so only those are fetched: a scan that wants few of them (a
      // neighbourhood's members) would otherwise fill the memory queue with useless misses.
      const auto& in_index = csr.m_backward.m_edge_properties;
      const auto& in_sources = csr.m_backward.m_column;
      const auto& bundles = csr.m_forward.m_edge_properties;
      const size_t in_end = csr.m_backward.m_rowstart[vertex + 1];
      size_t position = csr.m_backward.m_rowstart[vertex];
      for (; it != end; ++it, ++position) {
        if (position + detail::kPrefetchAhead < in_end &&
            wanted(static_cast<uint32_t>(in_sources[position + detail::kPrefetchAhead]))) {
          __builtin_prefetch(&bundles[in_index[position + detail::kPrefetchAhead]]);
        }
        if (!budget.take()) return false;
        const auto neighbour = static_cast<uint32_t>(boost::source(*it, csr));
        if (!wanted(neighbour)) continue;
        const detail::EdgeBundle& edge = csr[*it];
        if ((edge.flags & seen_as_out) != 0 || !usable(edge, neighbour)) continue;
        if (!fn(neighbour, edge)) return false;
      }
    }
    return true;
  }
};

namespace detail {

// Resolves `filter` against `g`. `exempt` are the vertices the query names itself (kNoIndex
// entries are ignored): kinds and exclude never apply to them.
ResolvedFilter resolve(const Snapshot::Impl& g, const Filter& filter,
                       const std::vector<uint32_t>& exempt);

}  // namespace detail
}  // namespace relgraph::graph
