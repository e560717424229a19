// relgraph graph module: whole-graph analytics over one Snapshot (included by graph/graph.h).
//
// Each function works on the filtered graph: the entities that pass the filter's `kinds` and
// `exclude` and the relations that pass the rest of it between two such entities (no entity is
// exempt here: analytics name no endpoints). They read the snapshot only, so any number may
// run concurrently on one snapshot. Their cost is proportional to the whole filtered graph
// (PageRank and betweenness many times over): the bounds are what keeps them from running
// without end. When a bound runs out the answer holds what was computed so far, with
// truncated = true and truncated_by naming the bound.
//
// These are written over the snapshot's own adjacency rather than with Boost.Graph's
// algorithms: a snapshot is a base CSR plus an overlay that Boost cannot see as one graph, and
// library-notes.md records that BGL's page_rank is unnormalised and loses the mass of dangling
// nodes and that brandes_betweenness_centrality has no budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace relgraph::graph {

struct AnalyticsQuery {
  Filter filter = {};
  Bounds bounds = {};  // max_edges_visited and max_millis; max_nodes caps component members
  size_t top_n = 20;   // entries returned, best first
};

struct RankedEntity {
  EntityId entity = 0;
  double score = 0;
};

struct Ranking {
  std::vector<RankedEntity> top;  // by score descending, ties by entity id ascending
  size_t ranked = 0;              // entities in the filtered graph (all of them were scored)
  bool truncated = false;
  TruncatedBy truncated_by = TruncatedBy::none;
  uint64_t edges_visited = 0;
};

// Passing relations per entity, each counted once (a symmetric relation or a self-loop too),
// under the filter's direction: out counts relations the entity is the subject of, in the
// object of, symmetric ones both.
Ranking degree_centrality(const Snapshot& snapshot, const AnalyticsQuery& query);

struct PageRankOptions {
  double damping = 0.85;
  double tolerance = 1e-10;  // converged when the L1 change of one iteration is below this
  int max_iterations = 100;
};

struct PageRankResult {
  Ranking ranking;  // scores sum to 1 over the filtered graph's entities
  int iterations = 0;
  bool converged = false;  // false: stopped by max_iterations or by a bound
  double residual = 0;     // the L1 change of the last iteration
};

// PageRank of a random walk that follows passing edges in the filter's direction (out:
// subject -> object; in: the reverse; both and symmetric relations: either way), one step per
// (relation, neighbour), and jumps to a uniformly chosen entity with probability 1 - damping
// or when it stands on an entity with no step (dangling mass is spread uniformly, so no mass
// is lost). Starts uniform; a bound stops it after the last full iteration.
PageRankResult page_rank(const Snapshot& snapshot, const AnalyticsQuery& query,
                         const PageRankOptions& options = {});

struct BetweennessOptions {
  size_t exact_max_entities = 2'000;  // Brandes from every source up to this many entities
  size_t sample_sources = 256;        // above it, from this many sources, scaled by n / sources
  uint64_t seed = 1;                  // chooses the sampled sources, deterministically
};

struct BetweennessResult {
  Ranking ranking;
  bool exact = false;  // every source was used (and no bound cut the run)
  size_t sources = 0;  // sources whose shortest paths were counted
};

// Shortest-path betweenness (Brandes) over entities, counting node sequences (parallel
// relations do not multiply paths). Unnormalised: the sum over pairs s != t of the share of
// shortest s-t paths through the entity; with direction both, unordered pairs. Exact on
// graphs of at most exact_max_entities entities, else estimated from sample_sources sources.
// O(sources * E).
BetweennessResult betweenness_centrality(const Snapshot& snapshot, const AnalyticsQuery& query,
                                         const BetweennessOptions& options = {});

struct Component {
  EntityId representative = 0;    // its lowest entity id
  size_t size = 0;                // entities in it
  std::vector<EntityId> members;  // by id; at most bounds.max_nodes of them
};

struct ComponentsResult {
  size_t count = 0;            // components of the filtered graph (single entities included)
  std::vector<Component> top;  // the top_n largest, ties by representative
  bool truncated = false;
  TruncatedBy truncated_by = TruncatedBy::none;
  uint64_t edges_visited = 0;
};

// Weakly connected components of the filtered graph (the filter's direction is ignored:
// weak connectivity does not depend on it).
ComponentsResult weak_components(const Snapshot& snapshot, const AnalyticsQuery& query);

}  // namespace relgraph::graph
