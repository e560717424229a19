// relgraph graph module: the relation graph held in memory, and the traversals over it.
//
// A Snapshot is an immutable graph of entities (vertices) and relations (edges) built from
// plain rows that the store hands over. It knows nothing of SQLite or HTTP. Once built it is
// never modified, so any number of threads may query one Snapshot concurrently without
// synchronisation. A new Snapshot is derived from the previous one plus the rows an ingest
// changed (Snapshot::apply) and published through a SnapshotPublisher.
//
// Every traversal takes a Filter that is applied inside the traversal (an edge that does not
// pass is never followed, so a detour is found when a direct edge is filtered out), and a
// bound; an answer cut by a bound says so with `truncated`.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace relgraph::graph {

using EntityId = int64_t;    // the store's numeric entity id (> 0)
using RelationId = int64_t;  // the store's numeric relation id (> 0)

// One entity as the graph needs it. Strings are kept beside the CSR, not in its bundles.
struct EntityRow {
  EntityId id = 0;
  std::string key;   // readable key, e.g. "vladimir-putin"
  std::string name;  // display name, e.g. "Vladimir Putin"
  std::string kind;  // person | country | organization | group | location
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
  int32_t first_seen = 0;  // days since 1970-01-01 of the earliest evidence's article date
  int32_t last_seen = 0;   // days since 1970-01-01 of the latest
};

enum class Direction { out, in, both };

// Which edges a traversal may follow. Applied inside the traversal.
struct Filter {
  uint64_t type_mask = ~uint64_t{0};  // bit t set: relation type t may be followed
  Direction direction = Direction::both;
  // A relation whose every piece of evidence is negated is not an edge unless this is true.
  bool include_negated = false;
};

// Bounds on the work one query may do.
struct Bounds {
  size_t max_nodes = 1000;           // neighbourhood: vertices returned at most
  uint64_t max_edges_visited = 5'000'000;  // edges examined before the query gives up
};

struct NodeAt {
  EntityId entity = 0;
  int distance = 0;  // hops from the centre
};

struct Neighborhood {
  EntityId center = 0;
  std::vector<NodeAt> nodes;           // centre first (distance 0), then by distance
  std::vector<RelationId> relations;   // every passing relation between two returned nodes
  bool truncated = false;              // a bound cut the answer
};

struct Path {
  std::vector<EntityId> nodes;        // from ... to; nodes.size() == relations.size() + 1
  std::vector<RelationId> relations;  // one per hop: the passing relation between the two
                                      // nodes with the most evidence (ties: lowest id)
};

struct PathResult {
  std::vector<Path> paths;  // shortest first; distinct node sequences; empty: no path
  bool truncated = false;   // a bound stopped the search before it could finish
};

// An immutable graph snapshot. Thread-safe for concurrent readers (all methods are const).
class Snapshot {
 public:
  // Builds a snapshot from rows. Relations whose subject or object is not among `entities`
  // are ignored. Rows need not be sorted.
  static std::shared_ptr<const Snapshot> build(uint64_t version, std::vector<EntityRow> entities,
                                               std::vector<RelationRow> relations);

  // A new snapshot: this one plus new or changed entities and relations (a row with an id
  // already present replaces the old row). Cost grows with the change where possible.
  std::shared_ptr<const Snapshot> apply(uint64_t version, std::vector<EntityRow> entities,
                                        std::vector<RelationRow> relations) const;

  uint64_t version() const;
  size_t entity_count() const;
  size_t relation_count() const;

  // Look-ups. Return nullptr / nullopt when absent.
  const EntityRow* entity(EntityId id) const;
  const EntityRow* entity_by_key(const std::string& key) const;
  const RelationRow* relation(RelationId id) const;
  // Number of relations touching the entity (each relation counted once), all types.
  size_t degree(EntityId id) const;
  // Ids of the relations touching `id` that pass `filter`, ordered by relation id.
  std::vector<RelationId> relations_of(EntityId id, const Filter& filter) const;

  // Entities within `depth` hops of `center` over passing edges (BFS). Stops adding nodes
  // at bounds.max_nodes (truncated). REQUIRES: depth >= 0; center present (else empty).
  Neighborhood neighborhood(EntityId center, int depth, const Filter& filter,
                            const Bounds& bounds) const;

  // Up to k shortest loopless paths from `from` to `to` of at most max_hops hops over
  // passing edges. The first is found by a bidirectional BFS (expanding the smaller
  // frontier); further ones by Yen's algorithm. from == to gives one path of length 0.
  PathResult shortest_paths(EntityId from, EntityId to, int k, int max_hops,
                            const Filter& filter, const Bounds& bounds) const;

  ~Snapshot();
  struct Impl;

 private:
  explicit Snapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
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
