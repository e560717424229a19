// Tests of filters inside traversals and of the path queries beyond shortest_paths: all
// shortest paths, weighted paths, via, subgraphs. Tables over the named world graph (see
// graph_fixtures.h) first, randomized comparisons with brute-force references after.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph_fixtures.h"

namespace {

using namespace relgraph_graph_test;  // the fixtures are this file's vocabulary

std::vector<std::string> render_all(const Snapshot& g, const PathResult& result) {
  std::vector<std::string> lines;
  for (const Path& path : result.paths) lines.push_back(render(g, path));
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Filters inside the search

TEST_CASE("filters: a path query finds the detour when the direct route is filtered out") {
  const auto g = world();
  struct Case {
    const char* why;
    const char* from;
    const char* to;
    Filter filter;
    const char* path;  // "" when there is none
  };
  const Case cases[] = {
      {"no filter", "russia", "ukraine", Filter{}, "russia -attacks- ukraine"},
      {"type", "russia", "ukraine", filter(only({kTradesWith})),
       "russia -trades-with- china -trades-with- ukraine"},
      // The attack was last reported on 2022-12-31.
      {"since", "russia", "ukraine", since("2023-01-01"),
       "russia -trades-with- china -trades-with- ukraine"},
      {"since, to the day", "russia", "ukraine", since("2022-12-31"), "russia -attacks- ukraine"},
      // Before 2022 neither the attack nor Ukraine's trade with China had been reported.
      {"until, no path", "russia", "ukraine", until("2021-12-31"), ""},
      {"until, detour", "xi-jinping", "vladimir-putin", until("2021-12-31"),
       "xi-jinping -leads- china -trades-with- russia -leads- vladimir-putin"},
      // Trade seen 2015..2025 passes a 2020 window: first/last seen overlap it.
      {"window, overlap", "russia", "china", window("2020-01-01", "2020-12-31"),
       "russia -trades-with- china"},
      {"window, no path", "china", "iran", window("2020-06-01", "2020-12-31"), ""},
      {"exclude", "vladimir-putin", "ukraine", excluding({kRussia}),
       "vladimir-putin -congratulates- xi-jinping -leads- china -trades-with- ukraine"},
      {"exclude, no path", "vladimir-putin", "ukraine", excluding({kRussia, kChina}), ""},
      {"exclude an end: ends are exempt", "russia", "ukraine", excluding({kRussia, kUkraine}),
       "russia -attacks- ukraine"},
      // The congratulation has one piece of evidence; the leads/trade detour 3, 5 and 3.
      {"min_evidence", "xi-jinping", "vladimir-putin", min_evidence(2),
       "xi-jinping -leads- china -trades-with- russia -leads- vladimir-putin"},
      {"min_evidence, no path", "xi-jinping", "vladimir-putin", min_evidence(4), ""},
      {"kinds: countries only on the way", "xi-jinping", "russia", kinds({"country"}),
       "xi-jinping -leads- china -trades-with- russia"},
      {"kinds: people only on the way", "xi-jinping", "russia", kinds({"person"}),
       "xi-jinping -congratulates- vladimir-putin -leads- russia"},
      {"kinds: nothing allowed on the way", "xi-jinping", "russia", kinds({"group"}), ""},
      {"kinds: an unknown kind allows nothing", "xi-jinping", "russia", kinds({"planet"}), ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.why);
    const PathResult result =
        g->shortest_paths(id_of(*g, c.from), id_of(*g, c.to), 1, 6, c.filter, Bounds{});
    CHECK(render_first(*g, result) == c.path);
    CHECK_FALSE(result.truncated);
  }
}

TEST_CASE("filters: a neighbourhood keeps only what passes, around any centre") {
  const auto g = world();
  struct Case {
    const char* why;
    Filter filter;
    const char* nodes;
    std::vector<RelationId> relations;
  };
  const Case cases[] = {
      {"kinds", kinds({"country"}), "russia/0 china/1 iran/1 ukraine/1", {12, 13, 14, 15, 16, 20}},
      {"exclude", excluding({kChina}), "russia/0 vladimir-putin/1 iran/1 ukraine/1", {15, 16, 19}},
      {"since", since("2023-01-01"), "russia/0 vladimir-putin/1 china/1 iran/1", {12, 13, 15, 19}},
      {"min_evidence", min_evidence(4), "russia/0 china/1 iran/1 ukraine/1", {12, 15, 16}},
      // The centre is exempt from its own filters.
      {"centre excluded",
       excluding({kRussia}),
       "russia/0 vladimir-putin/1 china/1 iran/1 ukraine/1",
       {12, 13, 14, 15, 16, 19, 20}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.why);
    const Neighborhood hood = g->neighborhood(kRussia, 1, c.filter, Bounds{});
    CHECK(render(*g, hood) == c.nodes);
    CHECK(hood.relations == c.relations);
    CHECK_FALSE(hood.truncated);
    CHECK(hood.truncated_by == TruncatedBy::none);
  }
}

TEST_CASE("filters: relations_of applies dates, evidence and the other end's kind") {
  const auto g = world();
  CHECK(g->relations_of(kRussia, since("2023-01-01")) == std::vector<RelationId>{12, 13, 15, 19});
  CHECK(g->relations_of(kRussia, min_evidence(4)) == std::vector<RelationId>{12, 15, 16});
  CHECK(g->relations_of(kRussia, kinds({"person"})) == std::vector<RelationId>{19});
  CHECK(g->relations_of(kRussia, excluding({kChina, kIran})) == std::vector<RelationId>{16, 19});
}

// ---------------------------------------------------------------------------------------------
// All shortest paths

// a -> {b, c, d} -> e, and the longer a -> f -> g -> e.
std::shared_ptr<const Snapshot> diamond() {
  std::vector<EntityRow> entities;
  for (EntityId id = 1; id <= 7; ++id) {
    entities.push_back({id, std::string(1, static_cast<char>('a' + id - 1)), "", "country"});
  }
  return Snapshot::build(1, entities,
                         {relation(1, 1, kSupports, 4, 1), relation(2, 1, kSupports, 2, 1),
                          relation(3, 1, kSupports, 3, 1), relation(4, 2, kSupports, 5, 1),
                          relation(5, 3, kSupports, 5, 1), relation(6, 4, kSupports, 5, 1),
                          relation(7, 1, kSupports, 6, 1), relation(8, 6, kSupports, 7, 1),
                          relation(9, 7, kSupports, 5, 1)});
}

TEST_CASE("all_shortest_paths: every shortest path, in id order, up to the limit") {
  const auto g = diamond();
  const PathResult all = g->all_shortest_paths(1, 5, 6, 10, Filter{}, Bounds{});
  CHECK(render_all(*g, all) == std::vector<std::string>{"a -supports- b -supports- e",
                                                        "a -supports- c -supports- e",
                                                        "a -supports- d -supports- e"});
  CHECK_FALSE(all.truncated);
  for (const Path& path : all.paths) CHECK(path.cost == 2);

  const PathResult two = g->all_shortest_paths(1, 5, 6, 2, Filter{}, Bounds{});
  CHECK(render_all(*g, two) ==
        std::vector<std::string>{"a -supports- b -supports- e", "a -supports- c -supports- e"});
  CHECK(two.truncated);
  CHECK(two.truncated_by == TruncatedBy::limit);
  CHECK(std::string(truncated_by_name(two.truncated_by)) == "limit");

  // Filters apply inside: without b, c and d the 3-hop route is the shortest.
  const PathResult detour = g->all_shortest_paths(1, 5, 6, 10, excluding({2, 3, 4}), Bounds{});
  CHECK(render_all(*g, detour) ==
        std::vector<std::string>{"a -supports- f -supports- g -supports- e"});
  CHECK(g->all_shortest_paths(1, 5, 2, 10, excluding({2, 3, 4}), Bounds{}).paths.empty());
  // Direction: nothing leads into a.
  CHECK(g->all_shortest_paths(5, 1, 6, 10, filter(kAllTypes, Direction::out), Bounds{})
            .paths.empty());
  CHECK(render_all(
            *g, g->all_shortest_paths(5, 1, 6, 10, filter(kAllTypes, Direction::in), Bounds{})) ==
        std::vector<std::string>{"e -supports- b -supports- a", "e -supports- c -supports- a",
                                 "e -supports- d -supports- a"});
}

TEST_CASE("all_shortest_paths: the world's two ways from Xi to Russia") {
  const auto g = world();
  CHECK(render_all(*g, g->all_shortest_paths(kXi, kRussia, 6, 10, Filter{}, Bounds{})) ==
        std::vector<std::string>{"xi-jinping -congratulates- vladimir-putin -leads- russia",
                                 "xi-jinping -leads- china -trades-with- russia"});
  CHECK(g->all_shortest_paths(kRussia, kTuvalu, 6, 10, Filter{}, Bounds{}).paths.empty());
  CHECK(render_all(*g, g->all_shortest_paths(kRussia, kRussia, 6, 10, Filter{}, Bounds{})) ==
        std::vector<std::string>{"russia"});
}

// ---------------------------------------------------------------------------------------------
// Weighted paths

// a - d directly (weakly attested, old), a - b - d (well attested, old), a - c - d (recent).
std::shared_ptr<const Snapshot> weighted_world() {
  std::vector<EntityRow> entities;
  for (EntityId id = 1; id <= 4; ++id) {
    entities.push_back({id, std::string(1, static_cast<char>('a' + id - 1)), "", "country"});
  }
  return Snapshot::build(
      1, entities,
      {seen(relation(1, 1, kMeetsWith, 4, 1), "2015-01-01", "2015-01-01"),
       seen(relation(2, 1, kMeetsWith, 2, 100), "2014-01-01", "2016-01-01"),
       seen(relation(3, 2, kMeetsWith, 4, 100), "2014-01-01", "2016-01-01"),
       seen(relation(4, 1, kTradesWith, 3, 1), "2025-06-01", "2025-06-01"),
       seen(relation(5, 3, kTradesWith, 4, 1), "2025-06-01", "2025-06-01"),
       // Parallel to 2: recent, but weakly attested.
       seen(relation(6, 1, kSignsAgreementWith, 2, 1), "2025-06-30", "2025-06-30")});
}

PathQuery query(EntityId from, EntityId to, PathWeight weight, int k = 1) {
  PathQuery q;
  q.from = from;
  q.to = to;
  q.weight = weight;
  q.k = k;
  return q;
}

TEST_CASE("weighted paths: evidence prefers well-attested hops, recency recent ones") {
  const auto g = weighted_world();
  CHECK(g->latest_day() == day("2025-06-30"));

  const PathResult hops = g->paths(query(1, 4, PathWeight::hops));
  CHECK(render_first(*g, hops) == "a -meets-with- d");
  CHECK(hops.paths.at(0).cost == 1);

  const PathResult evidence = g->paths(query(1, 4, PathWeight::evidence));
  CHECK(render_first(*g, evidence) == "a -meets-with- b -meets-with- d");
  CHECK(evidence.paths.at(0).cost == doctest::Approx(2.0 / (1.0 + std::log(101.0))));

  // Seen 29 days before the latest day: 1 - 0.9 * 2^(-29/365) per hop.
  const PathResult recency = g->paths(query(1, 4, PathWeight::recency));
  CHECK(render_first(*g, recency) == "a -trades-with- c -trades-with- d");
  CHECK(recency.paths.at(0).cost == doctest::Approx(2 * (1 - 0.9 * std::exp2(-29.0 / 365))));

  // Relative to a reference day long after everything, every edge is old and costs about 1:
  // the fewest hops win again.
  PathQuery later = query(1, 4, PathWeight::recency);
  later.reference_day = day("2080-01-01");
  CHECK(render_first(*g, g->paths(later)) == "a -meets-with- d");

  // A hop reports the relation its weight prefers: 2 (100 pieces of evidence) or 6 (recent).
  PathQuery via_b = query(1, 2, PathWeight::evidence);
  CHECK(render_first(*g, g->paths(via_b)) == "a -meets-with- b");
  via_b.weight = PathWeight::recency;
  CHECK(render_first(*g, g->paths(via_b)) == "a -signs-agreement-with- b");
}

TEST_CASE("weighted paths: k cheapest, filters and max_hops apply") {
  const auto g = weighted_world();
  const PathResult three = g->paths(query(1, 4, PathWeight::evidence, 3));
  CHECK(render_all(*g, three) == std::vector<std::string>{"a -meets-with- b -meets-with- d",
                                                          "a -meets-with- d",
                                                          "a -trades-with- c -trades-with- d"});
  CHECK(std::is_sorted(three.paths.begin(), three.paths.end(),
                       [](const Path& a, const Path& b) { return a.cost < b.cost; }));

  PathQuery capped = query(1, 4, PathWeight::evidence);
  capped.max_hops = 1;
  CHECK(render_first(*g, g->paths(capped)) == "a -meets-with- d");
  PathQuery filtered = query(1, 4, PathWeight::evidence);
  filtered.filter = excluding({2});
  CHECK(render_first(*g, g->paths(filtered)) == "a -meets-with- d");
  filtered.filter = since("2025-01-01");
  CHECK(render_first(*g, g->paths(filtered)) == "a -trades-with- c -trades-with- d");
}

// ---------------------------------------------------------------------------------------------
// Via

TEST_CASE("via: paths pass through the given entity, loopless") {
  const auto g = world();
  PathQuery q;
  q.from = kXi;
  q.to = kUkraine;
  q.via = kIran;
  CHECK(render_first(*g, g->paths(q)) ==
        "xi-jinping -leads- china -drills-with- iran -drills-with- russia -attacks- ukraine");
  // Only two loopless paths pass through Iran; asking for more returns those.
  q.k = 3;
  const PathResult three = g->paths(q);
  REQUIRE(three.paths.size() == 2);
  CHECK(render(*g, three.paths[1]) ==
        "xi-jinping -congratulates- vladimir-putin -leads- russia -drills-with- iran -drills-with- "
        "china -trades-with- ukraine");
  for (const Path& path : three.paths) {
    CHECK(std::count(path.nodes.begin(), path.nodes.end(), kIran) == 1);
    CHECK(std::set<EntityId>(path.nodes.begin(), path.nodes.end()).size() == path.nodes.size());
  }
  CHECK(three.paths[1].cost >= three.paths[0].cost);

  q.k = 1;
  q.max_hops = 3;
  CHECK(g->paths(q).paths.empty());
  q.max_hops = 6;
  q.via = kTuvalu;
  CHECK(g->paths(q).paths.empty());
  // Via one of the ends is the plain query.
  q.via = kXi;
  CHECK(render_first(*g, g->paths(q)) == "xi-jinping -leads- china -trades-with- ukraine");
  // Unknown via: no path rather than ignoring it.
  q.via = 99;
  CHECK(g->paths(q).paths.empty());
}

TEST_CASE("via: the cheapest first leg would block the second, a longer one does not") {
  // s - a - v is the shortest way to v, but v's only way on to t goes back through a.
  std::vector<EntityRow> entities;
  const char* const keys[] = {"s", "a", "v", "t", "b", "c"};
  for (EntityId id = 1; id <= 6; ++id) entities.push_back({id, keys[id - 1], "", "country"});
  const auto g =
      Snapshot::build(1, entities,
                      {relation(1, 1, kMeetsWith, 2, 1), relation(2, 2, kMeetsWith, 3, 1),
                       relation(3, 2, kMeetsWith, 4, 1), relation(4, 1, kMeetsWith, 5, 1),
                       relation(5, 5, kMeetsWith, 6, 1), relation(6, 6, kMeetsWith, 3, 1)});
  PathQuery q;
  q.from = 1;
  q.to = 4;
  q.via = 3;
  CHECK(render_first(*g, g->paths(q)) ==
        "s -meets-with- b -meets-with- c -meets-with- v -meets-with- a -meets-with- t");
}

// ---------------------------------------------------------------------------------------------
// Subgraphs

TEST_CASE("subgraph: the union of shortest paths between seeds") {
  const auto g = world();
  const Subgraph one = g->subgraph({kXi, kUkraine, kIran}, 6, 1, Filter{}, Bounds{});
  CHECK(one.nodes == std::vector<EntityId>{kXi, kChina, kIran, kUkraine});
  CHECK(one.relations == std::vector<RelationId>{14, 18, 20});
  CHECK(one.unconnected.empty());
  CHECK_FALSE(one.truncated);

  // Ukraine-Iran has two shortest paths: via China and via Russia.
  const Subgraph two = g->subgraph({kXi, kUkraine, kIran}, 6, 2, Filter{}, Bounds{});
  CHECK(two.nodes == std::vector<EntityId>{kXi, kChina, kRussia, kIran, kUkraine});
  CHECK(two.relations == std::vector<RelationId>{14, 15, 16, 18, 20});

  // Filters apply inside; unreachable seeds are reported, unknown ones ignored.
  const Subgraph filtered =
      g->subgraph({kXi, kUkraine, kTuvalu, 99}, 6, 1, excluding({kChina}), Bounds{});
  CHECK(filtered.nodes == std::vector<EntityId>{kXi, kPutin, kRussia, kUkraine, kTuvalu});
  CHECK(filtered.relations == std::vector<RelationId>{11, 16, 19});
  CHECK(filtered.unconnected ==
        std::vector<std::pair<EntityId, EntityId>>{{kXi, kTuvalu}, {kUkraine, kTuvalu}});

  // Directed: the pair is joined in seed order when it can be: Ukraine -> China -> Russia,
  // not by Russia's attack on Ukraine.
  const Subgraph directed =
      g->subgraph({kUkraine, kRussia}, 6, 1, filter(kAllTypes, Direction::out), Bounds{});
  CHECK(directed.relations == std::vector<RelationId>{12, 20});
}

// ---------------------------------------------------------------------------------------------
// Randomized comparisons

// Every loopless path's node sequence from `from` to `to` within max_hops, and their lengths.
std::set<std::vector<EntityId>> simple_paths(const Steps& steps, EntityId from, EntityId to,
                                             int max_hops) {
  std::vector<EntityId> start{from};
  std::set<std::vector<EntityId>> every;
  all_simple_paths(steps, to, max_hops, start, every);
  return every;
}

TEST_CASE("randomized: all_shortest_paths agrees with enumerating loopless paths, all filters") {
  std::mt19937 rng(99);
  int multi = 0;
  for (int round = 0; round < 60; ++round) {
    const int vertex_count = 8 + round % 5;
    const RandomGraph graph = random_graph(rng, vertex_count, vertex_count * 4, 3);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    std::uniform_int_distribution<int> vertex(1, vertex_count);
    for (int q = 0; q < 10; ++q) {
      const Filter f = random_full_filter(rng, 3, vertex_count);
      const EntityId from = vertex(rng);
      EntityId to = vertex(rng);
      if (to == from) to = to % vertex_count + 1;
      const int max_hops = 1 + q % 5;
      const auto every = simple_paths(reference_steps(graph, f, {from, to}), from, to, max_hops);
      size_t shortest = std::numeric_limits<size_t>::max();
      for (const auto& path : every) shortest = std::min(shortest, path.size());
      std::vector<std::vector<EntityId>> expected;
      for (const auto& path : every) {
        if (path.size() == shortest) expected.push_back(path);  // std::set: in id order
      }

      CAPTURE(round);
      CAPTURE(q);
      const PathResult result = g->all_shortest_paths(from, to, max_hops, 1000, f, Bounds{});
      CHECK_FALSE(result.truncated);
      std::vector<std::vector<EntityId>> got;
      for (const Path& path : result.paths) got.push_back(path.nodes);
      CHECK(got == expected);
      if (got.size() > 1) ++multi;
    }
  }
  CHECK(multi > 20);
}

// The cheapest loopless path cost under `weight` by enumeration, or nullopt.
std::optional<double> cheapest_by_enumeration(const Steps& steps, EntityId from, EntityId to,
                                              int max_hops, PathWeight weight, int32_t today,
                                              std::optional<EntityId> via = std::nullopt) {
  auto edge_cost = [&](const RelationRow& row) {
    const double support =
        row.evidence_count > row.negated_count ? row.evidence_count - row.negated_count : 0;
    if (weight == PathWeight::evidence) return 1 / (1 + std::log1p(support));
    if (weight == PathWeight::recency) {
      return 1 - 0.9 * std::exp2(-std::max(0, today - row.last_seen) / 365.0);
    }
    return 1.0;
  };
  std::optional<double> best;
  for (const auto& path : simple_paths(steps, from, to, max_hops)) {
    if (via && std::find(path.begin(), path.end(), *via) == path.end()) continue;
    double cost = 0;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      double hop = std::numeric_limits<double>::max();
      for (const auto& [u, row] : steps.at(path[i])) {
        if (u == path[i + 1]) hop = std::min(hop, edge_cost(*row));
      }
      cost += hop;
    }
    if (!best || cost < *best) best = cost;
  }
  return best;
}

TEST_CASE("randomized: weighted paths and via agree with enumeration") {
  std::mt19937 rng(5);
  int via_found = 0;
  int via_dearer = 0;
  int via_missed = 0;
  for (int round = 0; round < 50; ++round) {
    const int vertex_count = 7 + round % 4;
    const RandomGraph graph = random_graph(rng, vertex_count, vertex_count * 3, 3);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    std::uniform_int_distribution<int> vertex(1, vertex_count);
    for (int q = 0; q < 12; ++q) {
      PathQuery pq;
      pq.filter = random_full_filter(rng, 3, vertex_count);
      pq.from = vertex(rng);
      pq.to = vertex(rng);
      if (pq.to == pq.from) pq.to = pq.to % vertex_count + 1;
      pq.max_hops = 2 + q % 4;
      pq.weight = q % 2 == 0 ? PathWeight::evidence : PathWeight::recency;
      if (q % 2 == 0) {
        pq.via = vertex(rng);
        if (*pq.via == pq.from || *pq.via == pq.to) pq.via.reset();
      }
      std::set<EntityId> exempt{pq.from, pq.to};
      if (pq.via) exempt.insert(*pq.via);
      const std::optional<double> expected =
          cheapest_by_enumeration(reference_steps(graph, pq.filter, exempt), pq.from, pq.to,
                                  pq.max_hops, pq.weight, g->latest_day(), pq.via);
      CAPTURE(round);
      CAPTURE(q);
      const PathResult result = g->paths(pq);
      CHECK_FALSE(result.truncated);
      if (!pq.via) {
        REQUIRE(result.paths.size() == (expected ? 1u : 0u));
        if (expected) CHECK(result.paths[0].cost == doctest::Approx(*expected));
        continue;
      }
      // via is a bounded heuristic: whatever it returns is valid and no cheaper than the best.
      if (result.paths.empty()) {
        if (expected) ++via_missed;
        continue;
      }
      REQUIRE(expected.has_value());
      const Path& path = result.paths[0];
      CHECK(std::count(path.nodes.begin(), path.nodes.end(), *pq.via) == 1);
      CHECK(path.cost >= *expected - 1e-9);
      if (path.cost <= *expected + 1e-9) {
        ++via_found;
      } else {
        ++via_dearer;
      }
    }
  }
  MESSAGE("via: the cheapest found " << via_found << " times, a dearer one " << via_dearer
                                     << ", none though one existed " << via_missed);
  CHECK(via_missed == 0);
  CHECK(via_found > 20);
}

}  // namespace
