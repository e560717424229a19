// Tests of the graph module: snapshots, look-ups, neighbourhoods, paths, publishing, dates.
//
// Most cases run over one small named graph and read like tables: a query and the answer an
// analyst would expect. Paths are written as "a -type- b -type- c"; neighbourhoods as
// "key/distance" in result order. The randomized cases at the end compare the traversals with
// plain reference implementations over the same rows.

#include "graph/graph.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "graph_fixtures.h"

namespace {

using namespace relgraph_graph_test;  // the fixtures are this file's vocabulary

// ---------------------------------------------------------------------------------------------
// Look-ups

TEST_CASE("look-ups: entities by id and key, relations by id, degree") {
  const auto g = world();
  CHECK(g->version() == 1);
  CHECK(g->entity_count() == 9);
  CHECK(g->relation_count() == 11);

  REQUIRE(g->entity(kPutin).has_value());
  CHECK(g->entity(kPutin)->name == "Vladimir Putin");
  CHECK(g->entity(kPutin)->kind == "person");
  CHECK(g->entity_by_key("russia")->id == kRussia);
  CHECK(g->entity(99) == std::nullopt);
  CHECK(g->entity(0) == std::nullopt);
  CHECK(g->entity(-4) == std::nullopt);
  CHECK(g->entity_by_key("atlantis") == std::nullopt);

  REQUIRE(g->relation(17).has_value());
  CHECK(g->relation(17)->negated_count == 2);
  CHECK(g->relation(12)->symmetric);
  CHECK(!g->relation(99).has_value());

  // Each relation counted once, symmetric ones included.
  CHECK(g->degree(kRussia) == 5);  // 12 13 15 16 19
  CHECK(g->degree(kChina) == 5);   // 12 13 14 18 20
  CHECK(g->degree(kHouthis) == 1);
  CHECK(g->degree(99) == 0);
}

TEST_CASE("relations_of: filtered by type, direction and negation, ordered by id") {
  const auto g = world();
  struct Case {
    EntityId entity;
    Filter filter;
    std::vector<RelationId> expected;
  };
  const Case cases[] = {
      {kRussia, filter(kAllTypes), {12, 13, 15, 16, 19}},
      // out: Russia is the subject, or the relation is symmetric.
      {kRussia, filter(kAllTypes, Direction::out), {12, 13, 15, 16}},
      // in: Russia is the object, or the relation is symmetric.
      {kRussia, filter(kAllTypes, Direction::in), {12, 13, 15, 19}},
      {kRussia, filter(only({kDrillsWith})), {13, 15}},
      {kRussia, filter(only({kSupports})), {}},
      // The negated-only "supports" is not an edge unless asked for.
      {kIran, filter(kAllTypes), {14, 15}},
      {kIran, filter(kAllTypes, Direction::both, /*negated=*/true), {14, 15, 17}},
      {kHouthis, filter(kAllTypes), {}},
      {kHouthis, filter(kAllTypes, Direction::in, true), {17}},
      {99, filter(kAllTypes), {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.entity);
    CHECK(g->relations_of(c.entity, c.filter) == c.expected);
  }
}

TEST_CASE("neighbours_of: who is one relation away, by type, direction and negation") {
  const auto g = world();
  auto keys = [&](EntityId entity, const Filter& f) {
    std::vector<std::string> out;
    for (EntityId id : g->neighbours_of(entity, f)) out.emplace_back(g->entity(id)->key);
    return out;
  };
  using Keys = std::vector<std::string>;
  // Russia's relations 12 13 15 16 19: China twice (12, 13), Iran, Ukraine, Putin; by id.
  CHECK(keys(kRussia, filter(kAllTypes)) == Keys{"vladimir-putin", "china", "iran", "ukraine"});
  CHECK(g->neighbours_of(kRussia, filter(kAllTypes)) ==
        std::vector<EntityId>{kPutin, kChina, kIran, kUkraine});
  CHECK(keys(kRussia, filter(kAllTypes, Direction::in)) == Keys{"vladimir-putin", "china", "iran"});
  CHECK(keys(kRussia, filter(only({kDrillsWith}))) == Keys{"china", "iran"});
  CHECK(keys(kIran, filter(kAllTypes)).size() == 2);
  // The negated-only "supports" 17 leads to the Houthis only when negations are asked for.
  CHECK(keys(kHouthis, filter(kAllTypes)).empty());
  CHECK(keys(kHouthis, filter(kAllTypes, Direction::in, true)) == Keys{"iran"});
  CHECK(g->neighbours_of(99, filter(kAllTypes)).empty());
}

TEST_CASE("build: unsorted rows, duplicate ids (last wins), dangling relations, self-loops") {
  std::vector<EntityRow> entities = {
      {3, "c", "C", "country"},
      {1, "a", "old name", "country"},
      {2, "b", "B", "country"},
      {1, "a", "A", "country"},  // replaces the row above
      {0, "zero", "not an id", "country"},
  };
  std::vector<RelationRow> relations = {
      relation(5, 2, kAttacks, 3, 1),    relation(1, 1, kAttacks, 2, 1),
      relation(1, 1, kPraises, 2, 4),     // replaces the row above
      relation(2, 1, kAttacks, 99, 1),    // 99 is unknown: ignored
      relation(3, 1, kCriticizes, 1, 2),  // a self-loop
  };
  RelationRow bad_type = relation(4, 1, kAttacks, 3, 1);
  bad_type.type = 64;  // no bit in a type mask: ignored
  relations.push_back(bad_type);

  const auto g = Snapshot::build(7, entities, relations);
  CHECK(g->entity_count() == 3);
  CHECK(g->entity(1)->name == "A");
  CHECK(g->entity_by_key("zero") == std::nullopt);
  CHECK(g->relation_count() == 3);
  CHECK(g->relation(1)->type == kPraises);
  CHECK(!g->relation(2).has_value());
  CHECK(!g->relation(4).has_value());

  // The self-loop touches its entity once, and a path never uses it.
  CHECK(g->degree(1) == 2);
  CHECK(g->relations_of(1, filter(kAllTypes)) == std::vector<RelationId>{1, 3});
  CHECK(g->relations_of(1, filter(kAllTypes, Direction::out)) == std::vector<RelationId>{1, 3});
  CHECK(g->relations_of(1, filter(kAllTypes, Direction::in)) == std::vector<RelationId>{3});
  // A self-loop makes the entity its own neighbour.
  CHECK(g->neighbours_of(1, filter(kAllTypes)) == std::vector<EntityId>{1, 2});
  CHECK(g->neighbours_of(2, filter(kAllTypes, Direction::out)) == std::vector<EntityId>{3});
  const PathResult paths = g->shortest_paths(1, 3, 5, 6, filter(kAllTypes), Bounds{});
  REQUIRE(paths.paths.size() == 1);
  CHECK(render(*g, paths.paths[0]) == "a -praises- b -attacks- c");
}

TEST_CASE("build: ids far apart are looked up as well as dense ones") {
  const EntityId far = int64_t{1} << 40;
  const auto g =
      Snapshot::build(1, {{far, "far", "Far", "country"}, {7, "near", "Near", "country"}},
                      {relation(int64_t{1} << 50, far, kAttacks, 7, 1)});
  CHECK(g->entity(far)->key == "far");
  CHECK(g->entity(8) == std::nullopt);
  CHECK(g->relation(int64_t{1} << 50).has_value());
  CHECK(render_first(*g, g->shortest_paths(7, far, 1, 6, filter(kAllTypes), Bounds{})) ==
        "near -attacks- far");
}

// ---------------------------------------------------------------------------------------------
// Neighbourhoods

TEST_CASE("neighborhood: who is around an entity, by type, direction and negation") {
  const auto g = world();
  struct Case {
    const char* center;
    int depth;
    Filter filter;
    const char* nodes;  // key/distance, by distance then id
    std::vector<RelationId> relations;
  };
  const Case cases[] = {
      // Every relation between two returned nodes is listed, not only those from the centre:
      // 14 (China-Iran drills) and 20 (Ukraine-China trade) as well.
      {"russia",
       1,
       filter(kAllTypes),
       "russia/0 vladimir-putin/1 china/1 iran/1 ukraine/1",
       {12, 13, 14, 15, 16, 19, 20}},
      {"russia", 1, filter(only({kDrillsWith})), "russia/0 china/1 iran/1", {13, 14, 15}},
      // Russia attacks Ukraine (out); Putin leads Russia (in); drills and trade go both ways.
      {"russia",
       1,
       filter(kAllTypes, Direction::out),
       "russia/0 china/1 iran/1 ukraine/1",
       {12, 13, 14, 15, 16, 20}},
      {"russia",
       1,
       filter(kAllTypes, Direction::in),
       "russia/0 vladimir-putin/1 china/1 iran/1",
       {12, 13, 14, 15, 19}},
      {"russia", 0, filter(kAllTypes), "russia/0", {}},
      {"russia",
       2,
       filter(kAllTypes),
       "russia/0 vladimir-putin/1 china/1 iran/1 ukraine/1 xi-jinping/2",
       {11, 12, 13, 14, 15, 16, 18, 19, 20}},
      // The Houthis are reached only over the negated-only "supports".
      {"iran", 1, filter(kAllTypes), "iran/0 china/1 russia/1", {12, 13, 14, 15}},
      {"iran",
       1,
       filter(kAllTypes, Direction::both, true),
       "iran/0 china/1 russia/1 houthis/1",
       {12, 13, 14, 15, 17}},
      {"tuvalu", 6, filter(kAllTypes), "tuvalu/0 kiribati/1", {21}},
      {"houthis", 3, filter(kAllTypes), "houthis/0", {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.center);
    CAPTURE(c.depth);
    const Neighborhood hood = g->neighborhood(id_of(*g, c.center), c.depth, c.filter, Bounds{});
    CHECK(hood.center == id_of(*g, c.center));
    CHECK(render(*g, hood) == c.nodes);
    CHECK(hood.relations == c.relations);
    CHECK_FALSE(hood.truncated);
  }
}

TEST_CASE("neighborhood: an unknown centre gives an empty answer") {
  const Neighborhood hood = world()->neighborhood(99, 2, filter(kAllTypes), Bounds{});
  CHECK(hood.nodes.empty());
  CHECK(hood.relations.empty());
}

TEST_CASE("neighborhood: max_nodes cuts the answer and says so") {
  const auto g = world();
  // Depth 2 around Russia holds 6 entities.
  Bounds six;
  six.max_nodes = 6;
  CHECK_FALSE(g->neighborhood(kRussia, 2, filter(kAllTypes), six).truncated);

  Bounds three;
  three.max_nodes = 3;
  const Neighborhood hood = g->neighborhood(kRussia, 2, filter(kAllTypes), three);
  CHECK(hood.truncated);
  REQUIRE(hood.nodes.size() == 3);
  CHECK(hood.nodes[0].entity == kRussia);
  CHECK(hood.nodes[0].distance == 0);
  // Breadth first: the nearest are kept.
  CHECK(hood.nodes[1].distance == 1);
  CHECK(hood.nodes[2].distance == 1);
  // Only relations between the nodes returned.
  std::set<EntityId> returned;
  for (const auto& node : hood.nodes) returned.insert(node.entity);
  for (RelationId id : hood.relations) {
    CHECK(returned.count(g->relation(id)->subject) == 1);
    CHECK(returned.count(g->relation(id)->object) == 1);
  }
}

TEST_CASE("neighborhood: max_edges_visited cuts the answer and says so") {
  const auto g = world();
  Bounds tight;
  tight.max_edges_visited = 3;
  const Neighborhood hood = g->neighborhood(kRussia, 2, filter(kAllTypes), tight);
  CHECK(hood.truncated);
  CHECK(hood.nodes.size() < 6);
  CHECK(hood.nodes.at(0).entity == kRussia);
}

// ---------------------------------------------------------------------------------------------
// Shortest paths

TEST_CASE("shortest_paths: how two entities are connected, under filters") {
  const auto g = world();
  struct Case {
    const char* from;
    const char* to;
    Filter filter;
    int max_hops;
    const char* path;  // "" when there is none
  };
  const Case cases[] = {
      {"xi-jinping", "vladimir-putin", filter(kAllTypes), 6,
       "xi-jinping -congratulates- vladimir-putin"},
      // The direct edge filtered out: the detour is found, not "no path".
      {"russia", "ukraine", filter(kAllTypes), 6, "russia -attacks- ukraine"},
      {"russia", "ukraine", filter(only({kTradesWith})), 6,
       "russia -trades-with- china -trades-with- ukraine"},
      {"russia", "ukraine", filter(only({kDrillsWith})), 6, ""},
      // China-Russia has trade (5 pieces of evidence) and drills (3): the hop reports trade,
      // unless only drills may be followed.
      {"xi-jinping", "vladimir-putin", filter(only({kLeads, kTradesWith, kDrillsWith})), 6,
       "xi-jinping -leads- china -trades-with- russia -leads- vladimir-putin"},
      {"xi-jinping", "vladimir-putin", filter(only({kLeads, kDrillsWith})), 6,
       "xi-jinping -leads- china -drills-with- russia -leads- vladimir-putin"},
      // max_hops: the detour needs 3.
      {"xi-jinping", "vladimir-putin", filter(only({kLeads, kTradesWith})), 2, ""},
      {"xi-jinping", "vladimir-putin", filter(only({kLeads, kTradesWith})), 3,
       "xi-jinping -leads- china -trades-with- russia -leads- vladimir-putin"},
      {"russia", "ukraine", filter(kAllTypes), 0, ""},
      // Direction: out follows subject -> object, in follows object -> subject.
      {"xi-jinping", "vladimir-putin", filter(kAllTypes, Direction::out), 6,
       "xi-jinping -congratulates- vladimir-putin"},
      {"vladimir-putin", "xi-jinping", filter(kAllTypes, Direction::out), 6, ""},
      {"vladimir-putin", "xi-jinping", filter(kAllTypes, Direction::in), 6,
       "vladimir-putin -congratulates- xi-jinping"},
      {"ukraine", "russia", filter(kAllTypes, Direction::out), 6,
       "ukraine -trades-with- china -trades-with- russia"},
      // A symmetric relation is stored once (China, Russia) and walks from both ends.
      {"china", "russia", filter(kAllTypes, Direction::out), 6, "china -trades-with- russia"},
      {"russia", "china", filter(kAllTypes, Direction::out), 6, "russia -trades-with- china"},
      {"china", "russia", filter(kAllTypes, Direction::in), 6, "china -trades-with- russia"},
      {"russia", "china", filter(kAllTypes, Direction::in), 6, "russia -trades-with- china"},
      // Negated-only relations are not followed unless asked for.
      {"russia", "houthis", filter(kAllTypes), 6, ""},
      {"russia", "houthis", filter(kAllTypes, Direction::both, true), 6,
       "russia -drills-with- iran -supports- houthis"},
      {"russia", "tuvalu", filter(kAllTypes), 6, ""},
      {"russia", "russia", filter(kAllTypes), 6, "russia"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.from);
    CAPTURE(c.to);
    CAPTURE(c.max_hops);
    const PathResult result =
        g->shortest_paths(id_of(*g, c.from), id_of(*g, c.to), 1, c.max_hops, c.filter, Bounds{});
    CHECK(render_first(*g, result) == c.path);
    CHECK(result.paths.size() == (std::string(c.path).empty() ? 0u : 1u));
    CHECK_FALSE(result.truncated);
  }
}

TEST_CASE("shortest_paths: from == to is one path of one node and no relations") {
  const PathResult result = world()->shortest_paths(kRussia, kRussia, 3, 6, filter(0), Bounds{});
  REQUIRE(result.paths.size() == 1);
  CHECK(result.paths[0].nodes == std::vector<EntityId>{kRussia});
  CHECK(result.paths[0].relations.empty());
}

TEST_CASE("shortest_paths: unknown ends, k < 1 or max_hops < 0 give no path") {
  const auto g = world();
  CHECK(g->shortest_paths(kRussia, 99, 1, 6, filter(kAllTypes), Bounds{}).paths.empty());
  CHECK(g->shortest_paths(99, kRussia, 1, 6, filter(kAllTypes), Bounds{}).paths.empty());
  CHECK(g->shortest_paths(99, 99, 1, 6, filter(kAllTypes), Bounds{}).paths.empty());
  CHECK(g->shortest_paths(kRussia, kUkraine, 0, 6, filter(kAllTypes), Bounds{}).paths.empty());
  CHECK(g->shortest_paths(kRussia, kUkraine, 1, -1, filter(kAllTypes), Bounds{}).paths.empty());
}

TEST_CASE("shortest_paths: no path between components is answered from the small side") {
  const auto g = world();
  // Tuvalu's island has 2 relation edges per side; the rest of the graph has more. A search
  // that finishes within 8 edges must have stopped when the island ran out.
  Bounds tight;
  tight.max_edges_visited = 8;
  for (auto [from, to] : {std::pair{kRussia, kTuvalu}, std::pair{kTuvalu, kRussia}}) {
    CAPTURE(from);
    const PathResult result = g->shortest_paths(from, to, 1, 6, filter(kAllTypes), tight);
    CHECK(result.paths.empty());
    CHECK_FALSE(result.truncated);
  }
}

TEST_CASE("shortest_paths: k paths are distinct, loopless and shortest first") {
  const auto g = world();
  const PathResult three = g->shortest_paths(kRussia, kUkraine, 3, 6, filter(kAllTypes), Bounds{});
  CHECK_FALSE(three.truncated);
  REQUIRE(three.paths.size() == 3);
  CHECK(render(*g, three.paths[0]) == "russia -attacks- ukraine");
  CHECK(render(*g, three.paths[1]) == "russia -trades-with- china -trades-with- ukraine");
  CHECK(render(*g, three.paths[2]) ==
        "russia -drills-with- iran -drills-with- china -trades-with- ukraine");

  // Only four loopless paths exist; asking for more returns those.
  const PathResult all = g->shortest_paths(kRussia, kUkraine, 10, 6, filter(kAllTypes), Bounds{});
  REQUIRE(all.paths.size() == 4);
  CHECK(render(*g, all.paths[3]) ==
        "russia -leads- vladimir-putin -congratulates- xi-jinping -leads- china -trades-with- "
        "ukraine");

  // max_hops applies to every path.
  const PathResult short_ones =
      g->shortest_paths(kRussia, kUkraine, 10, 2, filter(kAllTypes), Bounds{});
  CHECK(short_ones.paths.size() == 2);
}

TEST_CASE("shortest_paths: max_edges_visited cuts the search, and says so") {
  const auto g = world();
  const Filter detour = filter(only({kLeads, kTradesWith}));
  Bounds tight;
  tight.max_edges_visited = 2;
  const PathResult cut = g->shortest_paths(kXi, kPutin, 1, 6, detour, tight);
  CHECK(cut.truncated);
  CHECK(cut.paths.empty());

  // Whatever the budget, a cut answer holds the first paths of the full answer, never others.
  const PathResult full = g->shortest_paths(kRussia, kUkraine, 10, 6, filter(kAllTypes), Bounds{});
  for (uint64_t budget = 0; budget <= 200; ++budget) {
    CAPTURE(budget);
    Bounds bounds;
    bounds.max_edges_visited = budget;
    const PathResult partial =
        g->shortest_paths(kRussia, kUkraine, 10, 6, filter(kAllTypes), bounds);
    REQUIRE(partial.paths.size() <= full.paths.size());
    for (size_t i = 0; i < partial.paths.size(); ++i) {
      CHECK(partial.paths[i].nodes == full.paths[i].nodes);
    }
    if (!partial.truncated) CHECK(partial.paths.size() == full.paths.size());
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshots over time

TEST_CASE("apply: the new snapshot sees the change, the old one does not") {
  const auto before = world();
  const auto after = before->apply(
      2, {{10, "north-korea", "North Korea", "country"}},
      {relation(22, kKiribati, kMeetsWith, kPutin, 1), relation(23, 10, kSupports, kRussia, 1),
       // Replaces 17: new evidence that is not negated.
       relation(17, kIran, kSupports, kHouthis, 3, /*negated=*/2)});

  CHECK(before->version() == 1);
  CHECK(after->version() == 2);
  CHECK(before->entity_count() == 9);
  CHECK(after->entity_count() == 10);
  CHECK(before->relation_count() == 11);
  CHECK(after->relation_count() == 13);
  CHECK(after->entity_by_key("north-korea")->id == 10);
  CHECK(before->entity_by_key("north-korea") == std::nullopt);
  CHECK(after->degree(kRussia) == 6);
  CHECK(before->degree(kRussia) == 5);

  const Filter any = filter(kAllTypes);
  CHECK(render_first(*after, after->shortest_paths(kTuvalu, kRussia, 1, 6, any, Bounds{})) ==
        "tuvalu -meets-with- kiribati -meets-with- vladimir-putin -leads- russia");
  CHECK(before->shortest_paths(kTuvalu, kRussia, 1, 6, any, Bounds{}).paths.empty());

  CHECK(render_first(*after, after->shortest_paths(kRussia, kHouthis, 1, 6, any, Bounds{})) ==
        "russia -drills-with- iran -supports- houthis");
  CHECK(before->shortest_paths(kRussia, kHouthis, 1, 6, any, Bounds{}).paths.empty());
  CHECK(before->relation(17)->evidence_count == 2);
  CHECK(after->relation(17)->evidence_count == 3);
}

TEST_CASE("publisher: readers keep the snapshot they took and new readers get the new one") {
  SnapshotPublisher publisher(world());
  const auto taken = publisher.current();
  publisher.publish(taken->apply(2, {}, {relation(22, kKiribati, kMeetsWith, kPutin, 1)}));
  CHECK(taken->version() == 1);
  CHECK(!taken->relation(22).has_value());
  CHECK(publisher.current()->version() == 2);
  CHECK(publisher.current()->relation(22).has_value());
}

TEST_CASE("publisher: concurrent readers see versions only grow while a writer publishes") {
  SnapshotPublisher publisher(world());
  std::atomic<bool> done{false};
  std::atomic<bool> went_back{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      uint64_t seen = 0;
      while (!done.load()) {
        const auto snapshot = publisher.current();
        if (snapshot->version() < seen) went_back = true;
        seen = snapshot->version();
        snapshot->shortest_paths(kXi, kUkraine, 1, 6, Filter{}, Bounds{});
      }
    });
  }
  auto snapshot = publisher.current();
  for (uint64_t version = 2; version <= 50; ++version) {
    snapshot = snapshot->apply(version, {}, {});
    publisher.publish(snapshot);
  }
  done = true;
  for (auto& reader : readers) reader.join();
  CHECK_FALSE(went_back.load());
  CHECK(publisher.current()->version() == 50);
}

// ---------------------------------------------------------------------------------------------
// Dates

TEST_CASE("dates: ISO dates to day numbers and back") {
  struct Case {
    const char* iso;
    int32_t days;
  };
  const Case cases[] = {
      {"1970-01-01", 0},       {"1970-01-02", 1},      {"1969-12-31", -1},
      {"2000-02-29", 11016},   {"2000-03-01", 11017},  {"2024-02-29", 19782},
      {"2024-03-18", 19800},   {"2023-12-31", 19722},  {"0001-01-01", -719162},
      {"9999-12-31", 2932896}, {"1900-03-01", -25508},
  };
  for (const Case& c : cases) {
    CAPTURE(c.iso);
    CHECK(days_from_iso(c.iso) == c.days);
    CHECK(iso_from_days(c.days) == c.iso);
  }
  // A time of day after the date is accepted and ignored.
  CHECK(days_from_iso("2024-03-18T09:00:00Z") == 19800);
  CHECK(days_from_iso("2024-03-18T") == 19800);

  // Every day over three leap cycles and a century boundary round-trips.
  for (int32_t days = days_from_iso("1899-01-01").value(); days < days_from_iso("2101-01-01");
       ++days) {
    const std::string iso = iso_from_days(days);
    REQUIRE(days_from_iso(iso) == days);
  }
}

TEST_CASE("dates: invalid dates are rejected") {
  const char* const invalid[] = {
      "",           "2024",        "2024-03",          "2024-3-18",  "24-03-18",
      "2024/03/18", "2024-03-18x", "2024-03-18 09:00", "abcd-ef-gh", "2024-00-10",
      "2024-13-01", "2024-01-00",  "2024-01-32",       "2024-04-31", "2023-02-29",
      "1900-02-29", "2100-02-29",  "+024-03-18",       "2024-03-1",  " 2024-03-18",
  };
  for (const char* text : invalid) {
    CAPTURE(text);
    CHECK_FALSE(days_from_iso(text).has_value());
  }
  CHECK(days_from_iso("2000-02-29").has_value());  // divisible by 400: a leap year
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// Randomized comparisons with reference implementations

TEST_CASE("randomized: bidirectional shortest paths agree with a plain BFS") {
  std::mt19937 rng(20240318);
  int found = 0;
  int not_found = 0;
  for (int round = 0; round < 40; ++round) {
    const int vertex_count = 20 + round * 5;
    const int type_count = 6;
    const RandomGraph graph =
        random_graph(rng, vertex_count, vertex_count * (1 + round % 3), type_count);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    std::uniform_int_distribution<int> vertex(1, vertex_count);
    for (int query = 0; query < 25; ++query) {
      const Filter f = random_filter(rng, type_count);
      const auto steps = reference_steps(graph, f);
      const EntityId from = vertex(rng);
      const EntityId to = vertex(rng);
      const int max_hops = 1 + query % 7;
      const auto distance = reference_distances(steps, from);
      auto it = distance.find(to);
      const bool reachable = it != distance.end() && it->second <= max_hops;

      CAPTURE(round);
      CAPTURE(query);
      CAPTURE(from);
      CAPTURE(to);
      CAPTURE(max_hops);
      const PathResult result = g->shortest_paths(from, to, 1, max_hops, f, Bounds{});
      CHECK_FALSE(result.truncated);
      REQUIRE(result.paths.size() == (reachable ? 1u : 0u));
      if (reachable) {
        CHECK(static_cast<int>(result.paths[0].relations.size()) == it->second);
        check_path(steps, result.paths[0], from, to);
        ++found;
      } else {
        ++not_found;
      }
    }
  }
  // Both outcomes were exercised.
  CHECK(found > 100);
  CHECK(not_found > 100);
}

TEST_CASE("randomized: k shortest paths agree with enumerating every loopless path") {
  std::mt19937 rng(7);
  int multi = 0;
  for (int round = 0; round < 60; ++round) {
    const int vertex_count = 6 + round % 4;
    const int type_count = 3;
    const RandomGraph graph = random_graph(rng, vertex_count, vertex_count * 2, type_count);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    std::uniform_int_distribution<int> vertex(1, vertex_count);
    for (int query = 0; query < 10; ++query) {
      const Filter f = random_filter(rng, type_count);
      const auto steps = reference_steps(graph, f);
      const EntityId from = vertex(rng);
      EntityId to = vertex(rng);
      if (to == from) to = to % vertex_count + 1;
      const int max_hops = 2 + query % 5;
      const int k = 1 + query % 6;

      std::vector<EntityId> start{from};
      std::set<std::vector<EntityId>> every;
      all_simple_paths(steps, to, max_hops, start, every);
      std::vector<size_t> lengths;
      for (const auto& path : every) lengths.push_back(path.size() - 1);
      std::sort(lengths.begin(), lengths.end());
      lengths.resize(std::min<size_t>(lengths.size(), static_cast<size_t>(k)));

      CAPTURE(round);
      CAPTURE(query);
      const PathResult result = g->shortest_paths(from, to, k, max_hops, f, Bounds{});
      CHECK_FALSE(result.truncated);
      std::vector<size_t> got;
      std::set<std::vector<EntityId>> distinct;
      for (const Path& path : result.paths) {
        got.push_back(path.relations.size());
        distinct.insert(path.nodes);
        CHECK(every.count(path.nodes) == 1);
        check_path(steps, path, from, to);
      }
      CHECK(distinct.size() == result.paths.size());
      CHECK(got == lengths);  // the k shortest, shortest first
      if (got.size() > 1) ++multi;
    }
  }
  CHECK(multi > 50);
}

TEST_CASE("randomized: neighbourhoods agree with a plain BFS") {
  std::mt19937 rng(11);
  for (int round = 0; round < 30; ++round) {
    const int vertex_count = 30 + round * 3;
    const int type_count = 5;
    const RandomGraph graph = random_graph(rng, vertex_count, vertex_count * 2, type_count);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    std::uniform_int_distribution<int> vertex(1, vertex_count);
    for (int query = 0; query < 10; ++query) {
      const Filter f = random_filter(rng, type_count);
      const EntityId center = vertex(rng);
      const int depth = query % 4;
      std::map<EntityId, int> expected;
      for (const auto& [v, d] : reference_distances(reference_steps(graph, f), center)) {
        if (d <= depth) expected[v] = d;
      }
      std::vector<RelationId> expected_relations;
      for (const RelationRow& row : graph.relations) {
        if (reference_passes(row, f) && expected.count(row.subject) && expected.count(row.object)) {
          expected_relations.push_back(row.id);
        }
      }
      std::sort(expected_relations.begin(), expected_relations.end());

      CAPTURE(round);
      CAPTURE(query);
      const Neighborhood hood = g->neighborhood(center, depth, f, Bounds{});
      CHECK_FALSE(hood.truncated);
      std::map<EntityId, int> got;
      for (const auto& node : hood.nodes) got[node.entity] = node.distance;
      CHECK(got == expected);
      CHECK(hood.relations == expected_relations);
      CHECK(std::is_sorted(hood.nodes.begin(), hood.nodes.end(),
                           [](const auto& a, const auto& b) { return a.distance < b.distance; }));
    }
  }
}

}  // namespace
