// relgraph graph module: the relation graph held in memory, and the traversals over it.
//
// A Snapshot is an immutable graph of entities (vertices) and relations (edges) built from
// plain rows that the store hands over. It knows nothing of SQLite or HTTP. Once built it is
// never modified, so any number of threads may query one Snapshot concurrently without
// synchronisation. A new Snapshot is derived from the previous one plus the rows an ingest
// changed (Snapshot::apply) and published through a SnapshotPublisher.
//
// Every traversal takes a Filter that is applied inside the traversal (an edge or entity that
// does not pass is never followed, so a detour is found when a direct edge is filtered out),
// and Bounds; an answer cut by a bound says so with `truncated` and names the bound in
// `truncated_by`.
//
// This is the module's main include. Whole-graph analytics (degree, PageRank, betweenness,
// components) are declared in graph/analytics.h, which this header includes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>  // kept: includers have relied on it
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relgraph::graph {

using EntityId = int64_t;    // the store's numeric entity id (> 0)
using RelationId = int64_t;  // the store's numeric relation id (> 0)

// One entity as the graph needs it, handed to a snapshot (build, apply, SnapshotBuilder).
struct EntityRow {
  EntityId id = 0;
  std::string key;   // readable key, e.g. "vladimir-putin"
  std::string name;  // display name, e.g. "Vladimir Putin"
  std::string kind;  // person | country | organization | group | location
};

// One entity as a snapshot returns it: its EntityRow's fields as views of text the snapshot
// holds (the snapshot keeps no row per entity). The views are valid as long as the snapshot that
// returned them lives: hold its shared_ptr while using them, copy them to keep them longer.
struct EntityView {
  EntityId id = 0;
  std::string_view key;
  std::string_view name;
  std::string_view kind;
};

// One relation (an aggregated edge: subject, type, object) with its evidence summary.
struct RelationRow {
  RelationId id = 0;
  uint16_t type = 0;  // index into the ontology's type list (< 64)
  EntityId subject = 0;
  EntityId object = 0;
  bool symmetric = false;       // stored once; traversable from both ends in every direction
  uint32_t evidence_count = 0;  // all evidence rows
  uint32_t negated_count = 0;   // evidence rows where the text denies the relation
  uint32_t attributed_count = 0;
  // Days since 1970-01-01 of the earliest and latest evidence's article date. These two are
  // all the graph knows of the evidence's dates: the time-window filter works on them.
  int32_t first_seen = 0;
  int32_t last_seen = 0;
};

enum class Direction { out, in, both };

// Which edges and entities a traversal may use. Applied inside the traversal, in every query
// of this module (paths, neighbourhoods, subgraphs, analytics).
//
// The entities a query names itself (from, to, via, a neighbourhood's centre, a subgraph's
// seeds) are always allowed: `exclude` and `kinds` restrict only the entities on the way.
struct Filter {
  uint64_t type_mask = ~uint64_t{0};  // bit t set: relation type t may be followed
  Direction direction = Direction::both;
  // A relation whose every piece of evidence is negated is not an edge unless this is true.
  bool include_negated = false;
  // Time window in days since 1970-01-01, both ends inclusive; nullopt: open. A relation
  // passes when [first_seen, last_seen] overlaps [since, until]. This is an approximation:
  // the graph keeps only the first and last evidence dates, so a relation seen in 2019 and
  // in 2025 passes a 2022 window even if nothing was published about it in 2022. The store's
  // evidence look-up gives the exact dated rows.
  std::optional<int32_t> since = std::nullopt;
  std::optional<int32_t> until = std::nullopt;
  // Edges need at least this many supporting (not negated) evidence rows:
  // evidence_count - negated_count >= min_evidence. 0: no requirement.
  uint32_t min_evidence = 0;
  // Entities a traversal must not pass through or return (unknown ids are ignored).
  std::vector<EntityId> exclude = {};
  // Entity kinds a traversal may pass through or return; empty: every kind.
  std::vector<std::string> kinds = {};
};

// What a neighbourhood does at an entity with more relations than Bounds::max_degree.
enum class HubPolicy {
  skip,      // reach the hub but do not expand it (the centre is never skipped: it truncates)
  truncate,  // expand only its first max_degree passing edges, lowest neighbour first
  sample,    // expand a deterministic pseudo-random sample of max_degree passing edges
};

// The bound that cut an answer short.
enum class TruncatedBy {
  none,
  nodes,   // Bounds::max_nodes
  edges,   // Bounds::max_edges_visited
  time,    // Bounds::max_millis
  degree,  // Bounds::max_degree under the hub policy
  limit,   // a result-count limit of the query itself (all_shortest_paths' `limit`)
};

// "" for none, else "nodes", "edges", "time", "degree" or "limit".
const char* truncated_by_name(TruncatedBy bound);

// Bounds on the work one query may do. Each bound, when hit, ends the query with what it has
// found so far, truncated = true and truncated_by naming the bound.
struct Bounds {
  size_t max_nodes = 1000;  // neighbourhood: vertices returned at most
  // Edges examined, passing or not, because that is the work done. Analytics count every
  // edge visit of every iteration.
  uint64_t max_edges_visited = 5'000'000;
  // Wall-clock budget, checked every 1024 examined edges (so a query that examines fewer
  // never reads the clock). <= 0: no time limit.
  int64_t max_millis = 2000;
  // Neighbourhoods only: entities with more relations than this (Snapshot::degree, all types,
  // known without scanning the hub) are handled by hub_policy. 0: no cap.
  size_t max_degree = 0;
  HubPolicy hub_policy = HubPolicy::truncate;
};

struct NodeAt {
  EntityId entity = 0;
  int distance = 0;  // hops from the centre
};

struct Neighborhood {
  EntityId center = 0;
  std::vector<NodeAt> nodes;          // centre first (distance 0), then by distance, then id
  std::vector<RelationId> relations;  // passing relations between two returned nodes, by id
  bool truncated = false;             // a bound cut the answer
  TruncatedBy truncated_by = TruncatedBy::none;  // the first bound that stopped the search
                                                 // (nodes/edges/time), else degree
  uint64_t edges_visited = 0;  // the work done, as counted against the edge budget
};

struct Path {
  std::vector<EntityId> nodes;        // from ... to; nodes.size() == relations.size() + 1
  std::vector<RelationId> relations;  // one per hop: the passing relation between the two
                                      // nodes that costs least under the query's weight (hops:
                                      // the most evidence); ties: most evidence, lowest id
  double cost = 0;                    // hops, or the sum of the hops' weighted costs
};

struct PathResult {
  std::vector<Path> paths;  // cheapest first; distinct node sequences; empty: no path
  bool truncated = false;   // a bound stopped the search before it could finish
  TruncatedBy truncated_by = TruncatedBy::none;
  uint64_t edges_visited = 0;
};

// How a path search prices an edge. Every cost is > 0, so cheapest paths are loopless.
enum class PathWeight {
  hops,      // 1 per edge: fewest hops
  evidence,  // 1 / (1 + ln(1 + support)), support = evidence_count - negated_count: a hop
             // with 1 supporting row costs 0.59, with 10 rows 0.29, with 100 rows 0.18
  recency,   // 1 - 0.9 * 2^(-age / 365), age = days from last_seen to the reference day
             // (>= 0): a hop seen that day costs 0.1, a year before 0.55, long ago nearly 1
};

struct PathQuery {
  EntityId from = 0;
  EntityId to = 0;
  // Paths must pass through this entity: from -> via then via -> to, loopless overall.
  std::optional<EntityId> via = std::nullopt;
  int k = 1;         // paths wanted, cheapest first (Yen's algorithm beyond the first)
  int max_hops = 6;  // hops per path, in total
  PathWeight weight = PathWeight::hops;
  // recency: the day ages are counted to; nullopt: the latest last_seen in the snapshot.
  std::optional<int32_t> reference_day = std::nullopt;
  Filter filter = {};
  Bounds bounds = {};
};

// A subgraph connecting several seed entities: the union of shortest paths between pairs.
struct Subgraph {
  std::vector<EntityId> nodes;        // seeds and path nodes, by id
  std::vector<RelationId> relations;  // the relations the paths use, by id
  // Seed pairs (in seed order) with no path of at most max_hops hops, or left unsearched
  // because a bound ran out.
  std::vector<std::pair<EntityId, EntityId>> unconnected;
  bool truncated = false;
  TruncatedBy truncated_by = TruncatedBy::none;
  uint64_t edges_visited = 0;
};

// When Snapshot::apply keeps changes in an overlay and when it folds them into a new base.
// The overlay is folded once it holds more relations than
// max(min_relations, min(max_fraction * base relations, max_relations)).
struct OverlayPolicy {
  double max_fraction = 0.125;
  size_t max_relations = 50'000;
  size_t min_relations = 1'024;  // below this a fold is cheap anyway, and frequent folds are not
};

// An immutable graph snapshot. Thread-safe for concurrent readers (all methods are const).
//
// Internally an immutable base CSR, shared between the snapshots derived from it, plus a small
// overlay of the entities and relations changed since; every query sees the two as one graph.
class Snapshot {
 public:
  // Builds a snapshot from rows, with an empty overlay. Relations whose subject or object is
  // not among `entities`, with an id <= 0 or a type >= 64, are ignored. Rows need not be
  // sorted; of two rows with one id the later wins. Throws std::length_error when the graph
  // would overflow 32-bit vertex or edge indices.
  static std::shared_ptr<const Snapshot> build(uint64_t version, std::vector<EntityRow> entities,
                                               std::vector<RelationRow> relations);

  // A new snapshot: this one plus new or changed entities and relations (a row with an id
  // already present replaces the old row). This snapshot is not modified.
  // Cost: O(change + overlay) while the overlay stays under the policy's threshold (the base
  // is shared, not copied); past it, the change is folded into a new base, a full rebuild in
  // O((V + E) log(V + E)). Queries keep running on older snapshots meanwhile: a writer that
  // folds blocks other writers, never readers. A relation whose end is missing from both the
  // snapshot and the change is dropped and not remembered.
  std::shared_ptr<const Snapshot> apply(uint64_t version, std::vector<EntityRow> entities,
                                        std::vector<RelationRow> relations) const;
  std::shared_ptr<const Snapshot> apply(uint64_t version, std::vector<EntityRow> entities,
                                        std::vector<RelationRow> relations,
                                        const OverlayPolicy& policy) const;
  // The same graph and version with the overlay folded into a new base (a full rebuild).
  std::shared_ptr<const Snapshot> folded() const;

  uint64_t version() const;
  size_t entity_count() const;
  size_t relation_count() const;
  size_t overlay_relation_count() const;  // relation rows held in the overlay
  // The heap bytes the base holds, by part (the overlay, small by design, is not counted).
  struct MemoryUse {
    size_t entities = 0;   // the entity table and ids
    size_t relations = 0;  // the relation table
    size_t adjacency = 0;  // both adjacencies
    size_t indexes = 0;    // id, key and hub look-ups
    size_t total() const { return entities + relations + adjacency + indexes; }
  };
  MemoryUse memory_use() const;
  // The latest last_seen of any relation (0 when there is none): recency's default "today".
  int32_t latest_day() const;

  // Look-ups. Return nullopt when absent. An EntityView's text lives as long as the snapshot.
  std::optional<EntityView> entity(EntityId id) const;
  std::optional<EntityView> entity_by_key(std::string_view key) const;
  // A copy: the snapshot keeps relations in a compact form, not as rows.
  std::optional<RelationRow> relation(RelationId id) const;
  // Number of relations touching the entity (each relation counted once), all types.
  size_t degree(EntityId id) const;
  // Ids of the relations touching `id` that pass `filter` (and whose other end does),
  // ordered by relation id.
  std::vector<RelationId> relations_of(EntityId id, const Filter& filter) const;
  // One page of relations_of(id, filter): its ids greater than `after` (all: nullopt), the
  // first `limit` of them in id order, and whether more follow. Costs a pass over the entity's
  // relations and a selection, not a sort of all of them: a hub's pages stay cheap.
  struct RelationPage {
    std::vector<RelationId> ids;
    bool more = false;  // relations_of has ids after ids.back()
  };
  RelationPage relations_page(EntityId id, const Filter& filter, std::optional<RelationId> after,
                              size_t limit) const;
  // The distinct entities one passing relation away from `id` in filter.direction, by id: the
  // other ends of relations_of(id, filter), `id` itself when a passing self-loop touches it.
  // Read from the adjacency alone, never from the relation rows; a vertex's ends are sorted by
  // neighbour, so they come in order (but for an entity the overlay changed). Empty for an
  // unknown id.
  std::vector<EntityId> neighbours_of(EntityId id, const Filter& filter) const;

  // Entities within `depth` hops of `center` over passing edges (BFS). Stops adding nodes at
  // bounds.max_nodes, stops examining edges at max_edges_visited / max_millis, and treats hubs
  // by max_degree and hub_policy; with a degree cap, relations between two capped hubs are
  // listed only if the search followed them. The relations among the nodes found are then
  // collected under a budget of their own (the same bounds), so an answer cut by a bound
  // still shows how its nodes connect; edges_visited counts the search alone.
  // REQUIRES: depth >= 0; center present (else an empty answer, not truncated).
  Neighborhood neighborhood(EntityId center, int depth, const Filter& filter,
                            const Bounds& bounds) const;

  // Up to k shortest loopless paths from `from` to `to` of at most max_hops hops over
  // passing edges. The first is found by a bidirectional BFS (expanding the smaller
  // frontier); further ones by Yen's algorithm. from == to gives one path of length 0.
  // Unknown ends, k < 1 or max_hops < 0 give no path. Same as paths() with weight hops.
  PathResult shortest_paths(EntityId from, EntityId to, int k, int max_hops, const Filter& filter,
                            const Bounds& bounds) const;

  // Up to query.k cheapest loopless paths under query.weight, optionally through query.via.
  // hops: bidirectional BFS + Yen. evidence/recency: Dijkstra over (entity, hops) states, so
  // that max_hops is exact, + Yen; one-sided, so it costs more than the BFS and leans on the
  // bounds. via: a cheapest loopless from->via->to path is not always found by joining two
  // cheapest legs (on directed graphs it is the NP-hard two-disjoint-paths problem), so the
  // search joins each of the k + 2 cheapest first legs with its cheapest second legs that
  // avoid it, and the mirror image, and keeps the k cheapest distinct results.
  PathResult paths(const PathQuery& query) const;

  // Every shortest path from `from` to `to` (at most max_hops hops), in lexicographic order of
  // their entity ids, at most `limit` of them (more: truncated_by limit). Found by one
  // bidirectional BFS that records all parents, so its cost is that of one shortest-path
  // search plus the paths returned.
  PathResult all_shortest_paths(EntityId from, EntityId to, int max_hops, size_t limit,
                                const Filter& filter, const Bounds& bounds) const;

  // The union of shortest paths (up to paths_per_pair per pair, as all_shortest_paths gives
  // them) between every pair of `seeds`. Under direction out or in, a pair a, b is joined by a
  // path a -> b or, failing that, b -> a. One budget covers all pairs. Unknown seeds are
  // ignored.
  Subgraph subgraph(const std::vector<EntityId>& seeds, int max_hops, size_t paths_per_pair,
                    const Filter& filter, const Bounds& bounds) const;

  ~Snapshot();
  struct Impl;
  // For graph/'s own implementation files; Impl is opaque to every other module.
  const Impl& impl() const { return *impl_; }

 private:
  friend class SnapshotBuilder;
  friend class SnapshotImage;
  explicit Snapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Builds a snapshot from rows handed over one at a time: the start-up path, which never holds
// the whole graph as rows (Snapshot::build of two vectors needs the rows and the graph in
// memory at once). The result is what Snapshot::build gives for the same rows.
//
// Every entity comes before the first relation. Relations in increasing id order (as the store
// reads them) go straight into the snapshot's compact layout; a relation whose end is not among
// the entities, with an id <= 0 or a type >= 64, is dropped at once. Should a relation come out
// of id order, the builder keeps the rows from then on and build() sorts them as
// Snapshot::build does, at its cost. Not thread-safe: one thread builds.
class SnapshotBuilder {
 public:
  SnapshotBuilder();
  ~SnapshotBuilder();
  SnapshotBuilder(const SnapshotBuilder&) = delete;
  SnapshotBuilder& operator=(const SnapshotBuilder&) = delete;

  // A capacity hint: about this many relations will be added. Memory is reserved and faulted in
  // for it ahead, within a sixteenth of the machine's memory: an overstated hint (sparse ids)
  // is not a failed build.
  void expect_relations(size_t count);
  // Throws std::logic_error after the first add_relation.
  void add_entity(EntityRow row);
  void add_relation(const RelationRow& row);
  // The snapshot of every row added; the builder is empty afterwards. Throws std::length_error
  // as Snapshot::build does.
  std::shared_ptr<const Snapshot> build(uint64_t version);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Holds the current snapshot. Readers take a shared_ptr copy and keep using it as long as
// they like; a writer publishes a new one. Thread-safe.
class SnapshotPublisher {
 public:
  explicit SnapshotPublisher(std::shared_ptr<const Snapshot> initial);
  std::shared_ptr<const Snapshot> current() const;
  void publish(std::shared_ptr<const Snapshot> next);

 private:
  std::shared_ptr<const Snapshot> current_;  // accessed only with std::atomic_load/store
};

// Days since 1970-01-01 for an ISO date "YYYY-MM-DD" (a time part after it is ignored).
// Returns nullopt when the text is not a valid date.
std::optional<int32_t> days_from_iso(const std::string& iso);
// "YYYY-MM-DD" for days since 1970-01-01.
std::string iso_from_days(int32_t days);

}  // namespace relgraph::graph

#include "graph/analytics.h"       // IWYU pragma: export
#include "graph/snapshot_image.h"  // IWYU pragma: export
