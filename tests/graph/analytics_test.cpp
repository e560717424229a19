// Tests of the whole-graph analytics: degree, PageRank, betweenness, weak components. Tables
// over the named world graph, and comparisons with plain references on random graphs.

#include "graph/analytics.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph_fixtures.h"

namespace {

using namespace relgraph_graph_test;  // the fixtures are this file's vocabulary

// "key=score key=score ..." in ranking order.
std::string render(const Snapshot& g, const Ranking& ranking) {
  std::string text;
  for (const RankedEntity& entry : ranking.top) {
    if (!text.empty()) text += ' ';
    text += g.entity(entry.entity)->key;
    text += "=" + std::to_string(static_cast<int>(entry.score));
  }
  return text;
}

AnalyticsQuery analytics(Filter f = {}, size_t top_n = 20) {
  AnalyticsQuery q;
  q.filter = std::move(f);
  q.top_n = top_n;
  return q;
}

TEST_CASE("degree centrality: passing relations per entity, under the filter") {
  const auto g = world();
  // The negated-only "supports" does not count; ties go to the lower id.
  CHECK(render(*g, degree_centrality(*g, analytics({}, 4))) ==
        "china=5 russia=5 xi-jinping=2 vladimir-putin=2");
  CHECK(render(*g, degree_centrality(*g, analytics(filter(kAllTypes, Direction::out), 3))) ==
        "china=4 russia=4 xi-jinping=2");
  CHECK(render(*g, degree_centrality(*g, analytics(filter(only({kDrillsWith})), 3))) ==
        "china=2 russia=2 iran=2");
  // Kinds: people are not in the filtered graph, so relations to them do not count either.
  const Ranking countries = degree_centrality(*g, analytics(kinds({"country"}), 2));
  CHECK(render(*g, countries) == "china=4 russia=4");
  CHECK(countries.ranked == 6);
  CHECK_FALSE(countries.truncated);
}

TEST_CASE("weak components: sizes, members and filters") {
  const auto g = world();
  const ComponentsResult all = weak_components(*g, analytics());
  CHECK(all.count == 3);
  REQUIRE(all.top.size() == 3);
  CHECK(all.top[0].size == 6);
  CHECK(all.top[0].representative == kXi);
  CHECK(all.top[0].members == std::vector<EntityId>{kXi, kPutin, kChina, kRussia, kIran, kUkraine});
  CHECK(all.top[1].members == std::vector<EntityId>{kTuvalu, kKiribati});
  CHECK(all.top[2].members == std::vector<EntityId>{kHouthis});  // only a denied relation

  CHECK(weak_components(*g, analytics(filter(kAllTypes, Direction::both, true))).count == 2);
  const ComponentsResult countries = weak_components(*g, analytics(kinds({"country"}), 1));
  CHECK(countries.count == 2);
  REQUIRE(countries.top.size() == 1);
  CHECK(countries.top[0].members == std::vector<EntityId>{kChina, kRussia, kIran, kUkraine});

  // max_nodes caps the members listed, not the size reported.
  AnalyticsQuery capped = analytics();
  capped.bounds.max_nodes = 2;
  const ComponentsResult few = weak_components(*g, capped);
  CHECK(few.top[0].size == 6);
  CHECK(few.top[0].members == std::vector<EntityId>{kXi, kPutin});
}

// Entities allowed by `f` (analytics exempt none).
std::set<EntityId> members_of(const RandomGraph& graph, const Filter& f) {
  std::map<EntityId, std::string> kind_of;
  for (const EntityRow& row : graph.entities) kind_of[row.id] = row.kind;
  std::set<EntityId> members;
  for (const EntityRow& row : graph.entities) {
    if (reference_allows(kind_of, row.id, f, {})) members.insert(row.id);
  }
  return members;
}

// Power iteration straight from the definition, on maps.
std::map<EntityId, double> reference_page_rank(const RandomGraph& graph, const Filter& f) {
  const std::set<EntityId> members = members_of(graph, f);
  const Steps steps = reference_steps(graph, f);
  const double n = static_cast<double>(members.size());
  std::map<EntityId, double> rank;
  for (EntityId v : members) rank[v] = 1 / n;
  for (int iteration = 0; iteration < 500; ++iteration) {
    double dangling = 0;
    std::map<EntityId, double> next;
    for (EntityId v : members) next[v] = 0;
    for (EntityId v : members) {
      auto it = steps.find(v);
      if (it == steps.end() || it->second.empty()) {
        dangling += rank[v];
        continue;
      }
      for (const auto& [u, row] : it->second) next[u] += 0.85 * rank[v] / it->second.size();
    }
    for (EntityId v : members) next[v] += 0.15 / n + 0.85 * dangling / n;
    rank = next;
  }
  return rank;
}

TEST_CASE("randomized: PageRank sums to 1 with dangling entities and matches power iteration") {
  std::mt19937 rng(17);
  int with_dangling = 0;
  for (int round = 0; round < 30; ++round) {
    const int vertex_count = 10 + round;
    const RandomGraph graph = random_graph(rng, vertex_count, vertex_count, 3);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    const Filter f = random_full_filter(rng, 3, vertex_count);
    const std::map<EntityId, double> expected = reference_page_rank(graph, f);
    CAPTURE(round);
    PageRankOptions options;
    options.tolerance = 1e-13;
    options.max_iterations = 1000;
    const PageRankResult result = page_rank(*g, analytics(f, 1000), options);
    CHECK(result.converged);
    CHECK_FALSE(result.ranking.truncated);
    REQUIRE(result.ranking.top.size() == expected.size());
    double total = 0;
    for (const RankedEntity& entry : result.ranking.top) {
      total += entry.score;
      CHECK(entry.score == doctest::Approx(expected.at(entry.entity)).epsilon(1e-9));
    }
    CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
    const Steps steps = reference_steps(graph, f);
    for (const auto& [v, score] : expected) {
      if (!steps.count(v)) ++with_dangling;
    }
  }
  CHECK(with_dangling > 30);
}

// Betweenness by enumerating every loopless path between every ordered pair.
std::map<EntityId, double> reference_betweenness(const RandomGraph& graph, const Filter& f) {
  const std::set<EntityId> members = members_of(graph, f);
  const Steps steps = reference_steps(graph, f);
  std::map<EntityId, double> score;
  for (EntityId v : members) score[v] = 0;
  for (EntityId s : members) {
    for (EntityId t : members) {
      if (s == t) continue;
      std::vector<EntityId> start{s};
      std::set<std::vector<EntityId>> every;
      all_simple_paths(steps, t, static_cast<int>(members.size()), start, every);
      if (every.empty()) continue;
      size_t shortest = every.begin()->size();
      for (const auto& path : every) shortest = std::min(shortest, path.size());
      double count = 0;
      std::map<EntityId, double> through;
      for (const auto& path : every) {
        if (path.size() != shortest) continue;
        ++count;
        for (size_t i = 1; i + 1 < path.size(); ++i) ++through[path[i]];
      }
      for (const auto& [v, n] : through) score[v] += n / count;
    }
  }
  if (f.direction == Direction::both) {
    for (auto& [v, s] : score) s /= 2;
  }
  return score;
}

TEST_CASE("randomized: exact betweenness agrees with brute force, directed and undirected") {
  std::mt19937 rng(23);
  int nonzero = 0;
  for (int round = 0; round < 40; ++round) {
    const int vertex_count = 5 + round % 4;
    const RandomGraph graph = random_graph(rng, vertex_count, vertex_count + 3, 2);
    const auto g = Snapshot::build(1, graph.entities, graph.relations);
    const Filter f = random_full_filter(rng, 2, vertex_count);
    const std::map<EntityId, double> expected = reference_betweenness(graph, f);
    CAPTURE(round);
    const BetweennessResult result = betweenness_centrality(*g, analytics(f, 100));
    CHECK(result.exact);
    CHECK(result.sources == expected.size());
    REQUIRE(result.ranking.top.size() == expected.size());
    for (const RankedEntity& entry : result.ranking.top) {
      CHECK(entry.score == doctest::Approx(expected.at(entry.entity)));
      if (entry.score > 0) ++nonzero;
    }
  }
  CHECK(nonzero > 30);
}

TEST_CASE("betweenness: the world's brokers, and sampling says it sampled") {
  const auto g = world();
  const BetweennessResult exact = betweenness_centrality(*g, analytics({}, 3));
  CHECK(exact.exact);
  // China and Russia broker most pairs; Putin only Xi's ways to Russia.
  REQUIRE(exact.ranking.top.size() == 3);
  CHECK(exact.ranking.top[0].entity == kChina);
  CHECK(exact.ranking.top[1].entity == kRussia);

  BetweennessOptions sampled;
  sampled.exact_max_entities = 3;
  sampled.sample_sources = 2;
  const BetweennessResult estimate = betweenness_centrality(*g, analytics(), sampled);
  CHECK_FALSE(estimate.exact);
  CHECK(estimate.sources == 2);
  CHECK(estimate.ranking.ranked == 9);
  // The same seed chooses the same sources.
  const BetweennessResult again = betweenness_centrality(*g, analytics(), sampled);
  REQUIRE(again.ranking.top.size() == estimate.ranking.top.size());
  for (size_t i = 0; i < again.ranking.top.size(); ++i) {
    CHECK(again.ranking.top[i].entity == estimate.ranking.top[i].entity);
    CHECK(again.ranking.top[i].score == estimate.ranking.top[i].score);
  }

  // A budget cut says so; the scores count the sources finished.
  AnalyticsQuery tight = analytics();
  tight.bounds.max_edges_visited = 40;
  const BetweennessResult cut = betweenness_centrality(*g, tight);
  CHECK(cut.ranking.truncated);
  CHECK(cut.ranking.truncated_by == TruncatedBy::edges);
  CHECK_FALSE(cut.exact);
  CHECK(cut.sources < 9);
}

}  // namespace
