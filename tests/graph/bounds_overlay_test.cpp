// Tests of the bounds every traversal honours (hub caps, edge and time budgets, truncated_by)
// and of snapshots as base + overlay: apply() must answer exactly as a full rebuild.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph_fixtures.h"

namespace {

using namespace relgraph_graph_test;  // the fixtures are this file's vocabulary

double millis_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// ---------------------------------------------------------------------------------------------
// Hubs

constexpr EntityId kCentre = 1;
constexpr EntityId kHub = 2;
constexpr int kLeaves = 50;

// centre -> hub -> 50 leaves (ids 100..149, relations 10..59).
std::shared_ptr<const Snapshot> star() {
  std::vector<EntityRow> entities = {{kCentre, "centre", "", "country"},
                                     {kHub, "hub", "", "country"}};
  std::vector<RelationRow> relations = {relation(1, kCentre, kSupports, kHub, 1)};
  for (int i = 0; i < kLeaves; ++i) {
    entities.push_back({100 + i, "leaf" + std::to_string(i), "", "country"});
    relations.push_back(relation(10 + i, kHub, kSupports, 100 + i, 1));
  }
  return Snapshot::build(1, entities, relations);
}

Bounds capped(HubPolicy policy, size_t max_degree = 10) {
  Bounds bounds;
  bounds.max_degree = max_degree;
  bounds.hub_policy = policy;
  return bounds;
}

std::set<EntityId> leaves_of(const Neighborhood& hood) {
  std::set<EntityId> leaves;
  for (const NodeAt& node : hood.nodes) {
    if (node.entity >= 100) leaves.insert(node.entity);
  }
  return leaves;
}

TEST_CASE("hub cap: each policy, and the answer says the degree bound cut it") {
  const auto g = star();
  CHECK(g->degree(kHub) == kLeaves + 1);

  const Neighborhood open = g->neighborhood(kCentre, 2, Filter{}, Bounds{});
  CHECK(open.nodes.size() == kLeaves + 2);
  CHECK_FALSE(open.truncated);

  // skip: the hub is reached, not expanded.
  const Neighborhood skip = g->neighborhood(kCentre, 2, Filter{}, capped(HubPolicy::skip));
  CHECK(render(*g, skip) == "centre/0 hub/1");
  CHECK(skip.relations == std::vector<RelationId>{1});
  CHECK(skip.truncated);
  CHECK(skip.truncated_by == TruncatedBy::degree);
  CHECK(std::string(truncated_by_name(skip.truncated_by)) == "degree");

  // truncate: its first 10 passing edges, lowest neighbour first: the one back to the centre
  // (id 1) and nine leaves.
  const Neighborhood first = g->neighborhood(kCentre, 2, Filter{}, capped(HubPolicy::truncate));
  CHECK(first.nodes.size() == 11);
  CHECK(first.truncated_by == TruncatedBy::degree);
  CHECK(leaves_of(first) == std::set<EntityId>{100, 101, 102, 103, 104, 105, 106, 107, 108});
  CHECK(first.relations.size() == 10);  // centre-hub and the nine leaves

  // sample: 10 edges, the same ones every time, not simply the first ten.
  const Neighborhood sample = g->neighborhood(kCentre, 2, Filter{}, capped(HubPolicy::sample));
  CHECK(sample.nodes.size() == 12);
  CHECK(sample.truncated_by == TruncatedBy::degree);
  CHECK(leaves_of(sample).size() == 10);
  CHECK(leaves_of(sample) != leaves_of(first));
  const Neighborhood again = g->neighborhood(kCentre, 2, Filter{}, capped(HubPolicy::sample));
  CHECK(render(*g, again) == render(*g, sample));
  CHECK(again.relations == sample.relations);

  // A cap at or above the hub's degree changes nothing.
  const Neighborhood roomy =
      g->neighborhood(kCentre, 2, Filter{}, capped(HubPolicy::skip, kLeaves + 1));
  CHECK(roomy.nodes.size() == kLeaves + 2);
  CHECK_FALSE(roomy.truncated);

  // The centre is never skipped: a hub centre under skip is truncated instead.
  const Neighborhood centre_hub = g->neighborhood(kHub, 1, Filter{}, capped(HubPolicy::skip));
  CHECK(centre_hub.nodes.size() == 11);
  CHECK(centre_hub.truncated_by == TruncatedBy::degree);

  // A bound that stopped the search outranks the cap that thinned it.
  Bounds both = capped(HubPolicy::truncate);
  both.max_nodes = 5;
  const Neighborhood full = g->neighborhood(kCentre, 2, Filter{}, both);
  CHECK(full.nodes.size() == 5);
  CHECK(full.truncated_by == TruncatedBy::nodes);
}

// ---------------------------------------------------------------------------------------------
// A large generated graph: budgets and the worst case of a path search

struct LargeGraph {
  std::shared_ptr<const Snapshot> snapshot;
  EntityId island = 0;  // one of two entities joined only to each other
  double build_ms = 0;
};

// 200k entities, 2M relations. A fifth of the subjects are among the first 1,000 entities, so
// those are hubs (about 400 relations each) as in news graphs.
const LargeGraph& large_graph() {
  static const LargeGraph graph = [] {
    constexpr int kEntities = 200'000;
    constexpr int kRelations = 2'000'000;
    std::mt19937_64 rng(42);
    std::vector<EntityRow> entities;
    entities.reserve(kEntities + 2);
    for (int v = 1; v <= kEntities + 2; ++v)
      entities.push_back({v, "e" + std::to_string(v), "", "country"});
    std::vector<RelationRow> relations;
    relations.reserve(kRelations + 1);
    for (int r = 1; r <= kRelations; ++r) {
      RelationRow row;
      row.id = r;
      row.type = static_cast<uint16_t>(rng() % 14);
      row.subject = rng() % 5 == 0 ? 1 + static_cast<EntityId>(rng() % 1000)
                                   : 1 + static_cast<EntityId>(rng() % kEntities);
      row.object = 1 + static_cast<EntityId>(rng() % kEntities);
      row.symmetric = rng() % 3 == 0;
      row.evidence_count = 1 + static_cast<uint32_t>(rng() % 4);
      row.first_seen = row.last_seen = 19000 + static_cast<int32_t>(rng() % 1000);
      relations.push_back(row);
    }
    relations.push_back(relation(kRelations + 1, kEntities + 1, kMeetsWith, kEntities + 2, 1));
    const auto start = std::chrono::steady_clock::now();
    LargeGraph built;
    built.snapshot = Snapshot::build(1, std::move(entities), std::move(relations));
    built.build_ms = millis_since(start);
    built.island = kEntities + 1;
    return built;
  }();
  return graph;
}

TEST_CASE("large graph: no path is answered fast from the small side, budgets say which ran out") {
  const LargeGraph& large = large_graph();
  const Snapshot& g = *large.snapshot;
  REQUIRE(g.relation_count() == 2'000'001);

  // No path: the island's side runs dry after a couple of edges.
  auto start = std::chrono::steady_clock::now();
  const PathResult none = g.shortest_paths(1, large.island, 1, 6, Filter{}, Bounds{});
  const double no_path_ms = millis_since(start);
  CHECK(none.paths.empty());
  CHECK_FALSE(none.truncated);
  CHECK(none.edges_visited < 100);
  CHECK(no_path_ms < 50);

  // A path between two ordinary entities.
  start = std::chrono::steady_clock::now();
  const PathResult found = g.shortest_paths(150'000, 170'000, 1, 6, Filter{}, Bounds{});
  const double path_ms = millis_since(start);
  CHECK(found.paths.size() == 1);
  CHECK_FALSE(found.truncated);

  // All shortest paths and a typed path on the same pair.
  start = std::chrono::steady_clock::now();
  const PathResult all = g.all_shortest_paths(150'000, 170'000, 6, 100, Filter{}, Bounds{});
  const double all_ms = millis_since(start);
  CHECK(!all.paths.empty());
  CHECK(all.paths.front().relations.size() == found.paths.front().relations.size());

  // Edges: a 4-hop neighbourhood of a hub would touch the whole graph.
  Bounds edges;
  edges.max_nodes = std::numeric_limits<size_t>::max();
  edges.max_edges_visited = 10'000;
  edges.max_millis = 0;
  const Neighborhood by_edges = g.neighborhood(1, 4, Filter{}, edges);
  CHECK(by_edges.truncated);
  CHECK(by_edges.truncated_by == TruncatedBy::edges);
  CHECK(by_edges.edges_visited == 10'000);

  // Time: the same with no edge budget and 1 ms.
  Bounds time;
  time.max_nodes = std::numeric_limits<size_t>::max();
  time.max_edges_visited = std::numeric_limits<uint64_t>::max();
  time.max_millis = 1;
  start = std::chrono::steady_clock::now();
  const Neighborhood by_time = g.neighborhood(1, 4, Filter{}, time);
  const double time_ms = millis_since(start);
  CHECK(by_time.truncated);
  CHECK(by_time.truncated_by == TruncatedBy::time);
  CHECK(std::string(truncated_by_name(by_time.truncated_by)) == "time");
  CHECK(time_ms < 100);

  // Paths and analytics honour the same budgets.
  PathQuery weighted;
  weighted.from = 150'000;
  weighted.to = large.island;
  weighted.weight = PathWeight::evidence;
  weighted.bounds = edges;
  const PathResult cut = g.paths(weighted);
  CHECK(cut.paths.empty());
  CHECK(cut.truncated_by == TruncatedBy::edges);
  AnalyticsQuery analytics;
  analytics.bounds = time;
  const PageRankResult rank = page_rank(g, analytics);
  CHECK(rank.ranking.truncated_by == TruncatedBy::time);
  CHECK_FALSE(rank.converged);

  // Publishing a small change shares the base instead of rebuilding it.
  start = std::chrono::steady_clock::now();
  const auto next = g.apply(
      2, {{300'000, "new", "New", "country"}},
      {relation(3'000'000, 300'000, kMeetsWith, large.island, 1), relation(5, 1, kAttacks, 2, 7)});
  const double apply_ms = millis_since(start);
  CHECK(next->overlay_relation_count() == 2);
  CHECK(next->relation_count() == 2'000'002);
  CHECK(render_first(*next, next->shortest_paths(300'000, large.island, 1, 6, Filter{},
                                                 Bounds{})) == "new -meets-with- e200001");
  CHECK(apply_ms < large.build_ms);

  MESSAGE("200k entities / 2M relations: build "
          << large.build_ms << " ms; no path " << no_path_ms << " ms; path " << path_ms
          << " ms; all shortest " << all_ms << " ms; 1 ms time budget stopped after " << time_ms
          << " ms; apply of 2 rows " << apply_ms << " ms");
}

// ---------------------------------------------------------------------------------------------
// Overlay

TEST_CASE("overlay: small changes stay in the overlay; past the threshold they are folded") {
  const auto base = world();
  CHECK(base->overlay_relation_count() == 0);
  OverlayPolicy policy;
  policy.min_relations = 3;
  policy.max_fraction = 0;
  auto g = base->apply(2, {}, {relation(22, kKiribati, kMeetsWith, kPutin, 1)}, policy);
  CHECK(g->overlay_relation_count() == 1);
  g = g->apply(3, {}, {relation(23, kKiribati, kMeetsWith, kXi, 1)}, policy);
  CHECK(g->overlay_relation_count() == 2);
  // A row replacing an overlay row does not grow it beyond the rows it holds.
  g = g->apply(4, {}, {relation(23, kKiribati, kMeetsWith, kXi, 2)}, policy);
  CHECK(g->overlay_relation_count() == 2);
  g = g->apply(
      5, {},
      {relation(24, kTuvalu, kMeetsWith, kChina, 1), relation(25, kTuvalu, kMeetsWith, kIran, 1)},
      policy);
  CHECK(g->overlay_relation_count() == 0);  // 4 > 3: folded into a new base
  CHECK(g->version() == 5);
  CHECK(g->relation_count() == 15);
  CHECK(g->relation(23)->evidence_count == 2);

  const auto overlaid = base->apply(2, {}, {relation(22, kKiribati, kMeetsWith, kPutin, 1)});
  const auto folded = overlaid->folded();
  CHECK(folded->overlay_relation_count() == 0);
  CHECK(folded->version() == 2);
  CHECK(render_first(*folded, folded->shortest_paths(kTuvalu, kRussia, 1, 6, Filter{}, Bounds{})) ==
        render_first(*overlaid,
                     overlaid->shortest_paths(kTuvalu, kRussia, 1, 6, Filter{}, Bounds{})));
}

TEST_CASE("overlay: renamed entities, moved and re-typed relations, as a rebuild sees them") {
  const auto base = world();
  const auto g =
      base->apply(2,
                  {{kRussia, "russian-federation", "Russian Federation", "country"},
                   {kPutin, "vladimir-putin", "Vladimir Putin", "group"}},
                  {// 16 moves: Russia no longer attacks Ukraine; Iran does.
                   seen(relation(16, kIran, kAttacks, kUkraine, 10), "2024-01-01", "2024-01-02"),
                   // 12 becomes a criticism, one-way.
                   relation(12, kChina, kCriticizes, kRussia, 5)});
  CHECK(g->entity_by_key("russia") == std::nullopt);
  CHECK(g->entity_by_key("russian-federation")->id == kRussia);
  CHECK(base->entity_by_key("russia")->id == kRussia);
  CHECK(g->degree(kRussia) == 4);  // 12 13 15 19
  CHECK(g->degree(kIran) == 4);    // 14 15 16 17
  CHECK(g->relations_of(kRussia, Filter{}) == std::vector<RelationId>{12, 13, 15, 19});
  CHECK(g->relations_of(kRussia, filter(only({kTradesWith}))).empty());
  CHECK(g->relations_of(kUkraine, Filter{}) == std::vector<RelationId>{16, 20});
  const PathResult both = g->all_shortest_paths(kRussia, kUkraine, 6, 10, Filter{}, Bounds{});
  REQUIRE(both.paths.size() == 2);
  CHECK(render(*g, both.paths[0]) == "russian-federation -criticizes- china -trades-with- ukraine");
  CHECK(render(*g, both.paths[1]) == "russian-federation -drills-with- iran -attacks- ukraine");
  // Putin's kind changed: a "person" filter no longer lets a path through him.
  CHECK(render_first(*g, g->shortest_paths(kXi, kRussia, 1, 6, kinds({"person"}), Bounds{})) == "");
}

// A random change to `rows`: new and changed entities and relations, and rows the graph must
// ignore. Relation ends are always known entities, so nothing is dropped for a missing end.
RandomGraph random_change(std::mt19937& rng, const RandomGraph& rows, int type_count) {
  std::uniform_int_distribution<int> percent(0, 99);
  RandomGraph change;
  EntityId next_entity = 0;
  for (const EntityRow& row : rows.entities) next_entity = std::max(next_entity, row.id);
  RelationId next_relation = 0;
  for (const RelationRow& row : rows.relations) next_relation = std::max(next_relation, row.id);
  static const char* const kKinds[] = {"country", "person", "group", "location"};
  for (int i = percent(rng) % 3; i > 0; --i) {
    ++next_entity;
    change.entities.push_back(
        {next_entity, "n" + std::to_string(next_entity), "", kKinds[percent(rng) % 4]});
  }
  for (int i = percent(rng) % 3; i > 0; --i) {
    EntityRow row = rows.entities[static_cast<size_t>(percent(rng)) % rows.entities.size()];
    row.kind = kKinds[percent(rng) % 4];
    if (percent(rng) < 50) row.key = "renamed" + std::to_string(row.id);
    change.entities.push_back(row);
  }
  std::uniform_int_distribution<EntityId> entity(1, next_entity);
  auto random_row = [&](RelationId id) {
    RelationRow row;
    row.id = id;
    row.type = static_cast<uint16_t>(percent(rng) % type_count);
    row.subject = entity(rng);
    row.object = percent(rng) < 5 ? row.subject : entity(rng);
    row.symmetric = percent(rng) < 30;
    row.evidence_count = 1 + static_cast<uint32_t>(percent(rng) % 4);
    row.negated_count = percent(rng) < 10 ? row.evidence_count : 0;
    row.first_seen = 18000 + percent(rng) * 20;
    row.last_seen = row.first_seen + percent(rng) * 5;
    return row;
  };
  for (int i = percent(rng) % 8; i > 0; --i)
    change.relations.push_back(random_row(++next_relation));
  for (int i = percent(rng) % 6; i > 0; --i) {
    const RelationRow& old =
        rows.relations[static_cast<size_t>(percent(rng)) % rows.relations.size()];
    RelationRow row = random_row(old.id);
    if (percent(rng) < 60) {  // mostly new counts on the same edge, as ingest produces
      row.subject = old.subject;
      row.object = old.object;
      row.type = old.type;
      row.symmetric = old.symmetric;
    }
    change.relations.push_back(row);
  }
  if (percent(rng) < 30) {
    RelationRow ignored = random_row(1 + percent(rng) % 20);
    ignored.type = 64;  // no type bit: ignored, the old row stays
    change.relations.push_back(ignored);
  }
  return change;
}

void append(RandomGraph& rows, const RandomGraph& change) {
  rows.entities.insert(rows.entities.end(), change.entities.begin(), change.entities.end());
  rows.relations.insert(rows.relations.end(), change.relations.begin(), change.relations.end());
}

std::vector<EntityId> node_ids(const Neighborhood& hood) {
  std::vector<EntityId> ids;
  for (const NodeAt& node : hood.nodes) ids.push_back(node.entity * 10 + node.distance);
  return ids;
}

void check_same_rows(const Snapshot& a, const Snapshot& b, const RandomGraph& rows) {
  REQUIRE(a.entity_count() == b.entity_count());
  REQUIRE(a.relation_count() == b.relation_count());
  for (const EntityRow& row : rows.entities) {
    const std::optional<EntityView> x = a.entity(row.id);
    const std::optional<EntityView> y = b.entity(row.id);
    REQUIRE(x.has_value());
    REQUIRE(y.has_value());
    CHECK(x->key == y->key);
    CHECK(x->kind == y->kind);
    CHECK(a.degree(row.id) == b.degree(row.id));
    const std::optional<EntityView> by_key = a.entity_by_key(row.key);
    const std::optional<EntityView> expected = b.entity_by_key(row.key);
    CHECK((by_key ? by_key->id : 0) == (expected ? expected->id : 0));
  }
  for (const RelationRow& row : rows.relations) {
    const std::optional<RelationRow> x = a.relation(row.id);
    const std::optional<RelationRow> y = b.relation(row.id);
    REQUIRE(x.has_value() == y.has_value());
    if (!x) continue;
    CHECK(x->type == y->type);
    CHECK(x->subject == y->subject);
    CHECK(x->object == y->object);
    CHECK(x->evidence_count == y->evidence_count);
    CHECK(x->last_seen == y->last_seen);
  }
}

void check_same_answers(const Snapshot& a, const Snapshot& b, const RandomGraph& rows,
                        std::mt19937& rng, int type_count) {
  const int vertex_count = static_cast<int>(a.entity_count());
  std::uniform_int_distribution<size_t> pick(0, rows.entities.size() - 1);
  for (int q = 0; q < 8; ++q) {
    const Filter f = random_full_filter(rng, type_count, vertex_count);
    const EntityId from = rows.entities[pick(rng)].id;
    const EntityId to = rows.entities[pick(rng)].id;
    CAPTURE(q);
    CHECK(a.relations_of(from, f) == b.relations_of(from, f));
    const Neighborhood x = a.neighborhood(from, q % 4, f, Bounds{});
    const Neighborhood y = b.neighborhood(from, q % 4, f, Bounds{});
    CHECK(node_ids(x) == node_ids(y));
    CHECK(x.relations == y.relations);
    const PathResult px = a.all_shortest_paths(from, to, 5, 100, f, Bounds{});
    const PathResult py = b.all_shortest_paths(from, to, 5, 100, f, Bounds{});
    REQUIRE(px.paths.size() == py.paths.size());
    for (size_t i = 0; i < px.paths.size(); ++i) {
      CHECK(px.paths[i].nodes == py.paths[i].nodes);
      CHECK(px.paths[i].relations == py.paths[i].relations);
    }
    PathQuery weighted;
    weighted.from = from;
    weighted.to = to;
    weighted.weight = PathWeight::evidence;
    weighted.filter = f;
    const PathResult wx = a.paths(weighted);
    const PathResult wy = b.paths(weighted);
    REQUIRE(wx.paths.size() == wy.paths.size());
    if (!wx.paths.empty()) CHECK(wx.paths[0].cost == doctest::Approx(wy.paths[0].cost));
  }
  AnalyticsQuery all;
  all.top_n = rows.entities.size();
  all.filter = random_full_filter(rng, type_count, vertex_count);
  const Ranking dx = degree_centrality(a, all);
  const Ranking dy = degree_centrality(b, all);
  REQUIRE(dx.top.size() == dy.top.size());
  for (size_t i = 0; i < dx.top.size(); ++i) {
    CHECK(dx.top[i].entity == dy.top[i].entity);
    CHECK(dx.top[i].score == dy.top[i].score);
  }
  const ComponentsResult cx = weak_components(a, all);
  const ComponentsResult cy = weak_components(b, all);
  CHECK(cx.count == cy.count);
  REQUIRE(cx.top.size() == cy.top.size());
  for (size_t i = 0; i < cx.top.size(); ++i) CHECK(cx.top[i].members == cy.top[i].members);
}

TEST_CASE("randomized: apply() answers every query as a full rebuild of the same rows does") {
  std::mt19937 rng(2024);
  constexpr int kTypes = 4;
  for (int round = 0; round < 16; ++round) {
    const int vertex_count = 20 + round * 4;
    RandomGraph rows = random_graph(rng, vertex_count, vertex_count * 2, kTypes);
    auto snapshot = Snapshot::build(1, rows.entities, rows.relations);
    OverlayPolicy policy;
    // Most rounds keep every change in the overlay; some fold now and then.
    policy.min_relations = round % 4 == 3 ? 10 : std::numeric_limits<size_t>::max();
    policy.max_fraction = 0;
    for (uint64_t version = 2; version <= 7; ++version) {
      const RandomGraph change = random_change(rng, rows, kTypes);
      snapshot = snapshot->apply(version, change.entities, change.relations, policy);
      append(rows, change);
      const auto rebuilt = Snapshot::build(version, rows.entities, rows.relations);
      CAPTURE(round);
      CAPTURE(version);
      CHECK(snapshot->version() == version);
      check_same_rows(*snapshot, *rebuilt, rows);
      check_same_answers(*snapshot, *rebuilt, rows, rng, kTypes);
    }
  }
}

}  // namespace

namespace {

// A random graph where a few hubs hold a third of the relation ends, so that they have more
// ends than the snapshot's hub threshold (256, kIndexedEdges) and neighbourhoods collect their
// relations by searching them.
RandomGraph hub_graph(std::mt19937& rng, int vertex_count, int relation_count, int hubs) {
  RandomGraph graph = random_graph(rng, vertex_count, relation_count, 5);
  std::uniform_int_distribution<int> hub(1, hubs);
  std::uniform_int_distribution<int> percent(0, 99);
  for (RelationRow& row : graph.relations) {
    const bool self_loop = row.subject == row.object;
    if (percent(rng) < 35) row.subject = hub(rng);
    if (percent(rng) < 35) row.object = hub(rng);
    if (self_loop) row.object = row.subject;
  }
  return graph;
}

// The passing relations between two of `hood`'s nodes, from the rows.
std::vector<RelationId> relations_among(const std::vector<RelationRow>& rows,
                                        const Neighborhood& hood, const Filter& f) {
  std::set<EntityId> nodes;
  for (const NodeAt& node : hood.nodes) nodes.insert(node.entity);
  std::vector<RelationId> ids;
  for (const RelationRow& row : rows) {
    if (reference_passes(row, f) && nodes.count(row.subject) && nodes.count(row.object)) {
      ids.push_back(row.id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

// Regression (perf-graph): neighbourhoods find the relations among their nodes from each
// relation's cheaper end, by binary search in hubs' sorted ends; the set must be exactly
// the passing relations between returned nodes, with node caps, in a base and over an overlay.
TEST_CASE("neighborhood: relations among the nodes around indexed hubs, with and without overlay") {
  std::mt19937 rng(29);
  int indexed_answers = 0;
  for (int round = 0; round < 6; ++round) {
    const int vertex_count = 400;
    RandomGraph graph = hub_graph(rng, vertex_count, 4000, 6);
    std::vector<RelationRow> rows = graph.relations;
    std::shared_ptr<const Snapshot> g = Snapshot::build(1, graph.entities, graph.relations);
    if (round % 2 == 1) {
      // An overlay that moves some hub relations and adds others: the hubs it touches are
      // scanned, not looked up in the (stale) index.
      std::vector<RelationRow> change;
      for (int i = 0; i < 40; ++i) {
        RelationRow row = graph.relations[static_cast<size_t>(i)];
        row.object = 1 + i % 6;
        change.push_back(row);
      }
      for (int i = 0; i < 20; ++i) {
        RelationRow row = graph.relations[static_cast<size_t>(i + 100)];
        row.id = 10'000 + i;
        row.subject = 1 + i % 3;
        change.push_back(row);
      }
      g = g->apply(2, {}, change);
      std::map<RelationId, RelationRow> by_id;
      for (const RelationRow& row : rows) by_id[row.id] = row;
      for (const RelationRow& row : change) by_id[row.id] = row;
      rows.clear();
      for (const auto& [id, row] : by_id) rows.push_back(row);
    }
    std::uniform_int_distribution<int> vertex(1, vertex_count);
    for (int query = 0; query < 12; ++query) {
      const Filter f = random_filter(rng, 5);
      const EntityId center = query % 3 == 0 ? 1 + query % 6 : vertex(rng);
      Bounds bounds;
      bounds.max_nodes = std::vector<size_t>{5, 40, 150, 100'000}[static_cast<size_t>(query % 4)];
      CAPTURE(round);
      CAPTURE(query);
      const Neighborhood hood = g->neighborhood(center, 2, f, bounds);
      CHECK(hood.truncated_by != TruncatedBy::edges);
      CHECK(hood.relations == relations_among(rows, hood, f));
      if (hood.nodes.size() > 20) ++indexed_answers;
    }
  }
  CHECK(indexed_answers > 20);
}

// neighbours_of reads a vertex's neighbours from its sorted ends, or from a scan where the
// overlay changed it: both must give the other ends of relations_of, under every filter and
// direction, with self-loops, symmetric and negated relations, and over an overlay.
// relations_page selects a page instead of sorting everything: its pages must join up to
// relations_of, from the start or from a cursor.
TEST_CASE("neighbours_of and relations_page: relations_of's other ends and pages, at hubs too") {
  std::mt19937 rng(31);
  int hub_answers = 0;
  for (int round = 0; round < 6; ++round) {
    const int vertex_count = 300;
    RandomGraph graph = hub_graph(rng, vertex_count, 3000, 6);
    std::shared_ptr<const Snapshot> g = Snapshot::build(1, graph.entities, graph.relations);
    if (round % 2 == 1) {
      // Moves some relations onto hubs 1-3, adds others at hubs 1-2 and a new entity.
      RandomGraph change;
      change.entities.push_back({vertex_count + 1, "new", "New", "country"});
      for (int i = 0; i < 30; ++i) {
        RelationRow row = graph.relations[static_cast<size_t>(i)];
        row.object = 1 + i % 3;
        change.relations.push_back(row);
      }
      for (int i = 0; i < 10; ++i) {
        RelationRow row = graph.relations[static_cast<size_t>(i + 100)];
        row.id = 10'000 + i;
        row.subject = 1 + i % 2;
        row.object = i % 2 == 0 ? vertex_count + 1 : row.object;
        change.relations.push_back(row);
      }
      g = g->apply(2, change.entities, change.relations);
      std::map<RelationId, RelationRow> by_id;
      for (const RelationRow& row : graph.relations) by_id[row.id] = row;
      for (const RelationRow& row : change.relations) by_id[row.id] = row;
      graph.relations.clear();
      for (const auto& [id, row] : by_id) graph.relations.push_back(row);
      graph.entities.push_back(change.entities[0]);
    }
    std::uniform_int_distribution<int> vertex(1, vertex_count + 1);
    for (int query = 0; query < 40; ++query) {
      const Filter f = random_full_filter(rng, 5, vertex_count);
      const EntityId center = query % 2 == 0 ? 1 + query % 6 : vertex(rng);
      CAPTURE(round);
      CAPTURE(query);
      const Steps steps = reference_steps(graph, f, {center});
      std::set<EntityId> expected;
      if (auto it = steps.find(center); it != steps.end()) {
        for (const auto& [u, row] : it->second) expected.insert(u);
      }
      const std::vector<EntityId> found = g->neighbours_of(center, f);
      CHECK(found == std::vector<EntityId>(expected.begin(), expected.end()));
      // The same set as the other ends of relations_of, which reads the relation rows.
      std::set<EntityId> other_ends;
      for (RelationId id : g->relations_of(center, f)) {
        const RelationRow row = *g->relation(id);
        other_ends.insert(row.subject == center ? row.object : row.subject);
      }
      CHECK(found == std::vector<EntityId>(other_ends.begin(), other_ends.end()));
      if (center <= 6 && found.size() > 100) ++hub_answers;

      // relations_page: relations_of's ids after the cursor, `limit` at a time, page by page.
      const std::vector<RelationId> all = g->relations_of(center, f);
      const size_t limit = std::vector<size_t>{1, 7, 100, 1000}[static_cast<size_t>(query % 4)];
      std::vector<RelationId> paged;
      std::optional<RelationId> after;
      if (query % 5 == 4 && !all.empty()) {
        after = all[all.size() / 2] - (query % 2);  // from the middle, on an id or between
        std::copy_if(all.begin(), all.end(), std::back_inserter(paged),
                     [&](RelationId id) { return id <= *after; });
      }
      for (int pages = 0;; ++pages) {
        REQUIRE(pages <= 3001);
        const Snapshot::RelationPage page = g->relations_page(center, f, after, limit);
        CHECK(page.ids.size() <= limit);
        CHECK((page.more ? page.ids.size() == limit : true));
        paged.insert(paged.end(), page.ids.begin(), page.ids.end());
        if (!page.more) break;
        after = page.ids.back();
      }
      CHECK(paged == all);
    }
  }
  CHECK(hub_answers > 20);
}

TEST_CASE(
    "neighborhood: under a degree cap, every relation not between two capped hubs is listed") {
  std::mt19937 rng(31);
  const RandomGraph graph = hub_graph(rng, 400, 4000, 6);
  const auto g = Snapshot::build(1, graph.entities, graph.relations);
  for (int query = 0; query < 20; ++query) {
    const Filter f = random_filter(rng, 5);
    Bounds bounds = capped(query % 2 == 0 ? HubPolicy::skip : HubPolicy::truncate, 300);
    bounds.max_nodes = 200;
    const EntityId center = 7 + query;
    CAPTURE(query);
    const Neighborhood hood = g->neighborhood(center, 2, f, bounds);
    const std::vector<RelationId> among = relations_among(graph.relations, hood, f);
    std::set<RelationId> listed(hood.relations.begin(), hood.relations.end());
    for (const RelationRow& row : graph.relations) {
      if (!std::binary_search(among.begin(), among.end(), row.id)) {
        CHECK(listed.count(row.id) == 0);  // only relations among the nodes
      } else if (g->degree(row.subject) <= 300 || g->degree(row.object) <= 300) {
        CHECK(listed.count(row.id) == 1);  // all but those between two capped hubs
      }
    }
  }
}

// Regression (perf-graph): a hop between two hubs is reported from a search of the smaller
// hub's sorted ends; it must be the relation a walk may follow in the filter's direction with
// the most evidence, as a scan finds it.
TEST_CASE("paths between hubs report each hop's relation as a scan would, in every direction") {
  std::mt19937 rng(37);
  const RandomGraph graph = hub_graph(rng, 300, 4000, 6);
  const auto g = Snapshot::build(1, graph.entities, graph.relations);
  std::uniform_int_distribution<int> vertex(1, 300);
  std::uniform_int_distribution<int> hub(1, 6);
  int hub_hops = 0;
  for (int query = 0; query < 60; ++query) {
    const Filter f = random_full_filter(rng, 5, 300);
    const EntityId from = hub(rng);
    const EntityId to = query % 2 == 0 ? hub(rng) : vertex(rng);
    if (from == to) continue;
    const Steps steps = reference_steps(graph, f, {from, to});
    const auto distance = reference_distances(steps, from);
    CAPTURE(query);
    const PathResult result = g->shortest_paths(from, to, 2, 4, f, Bounds{});
    CHECK_FALSE(result.truncated);
    auto it = distance.find(to);
    if (it == distance.end() || it->second > 4) {
      CHECK(result.paths.empty());
      continue;
    }
    REQUIRE_FALSE(result.paths.empty());
    CHECK(result.paths[0].relations.size() == static_cast<size_t>(it->second));
    for (const Path& path : result.paths) {
      check_path(steps, path, from, to);
      for (size_t i = 0; i + 1 < path.nodes.size(); ++i) {
        if (path.nodes[i] <= 6 && path.nodes[i + 1] <= 6) ++hub_hops;
      }
    }
  }
  CHECK(hub_hops > 10);
}
