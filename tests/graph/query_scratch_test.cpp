// Tests of the query-side scratch and look-ups the latency work added: the thread-local vertex
// bitmaps and maps that searches lease (graph/vertex_bitmap.h); the look-up in a hub's sorted
// ends (Snapshot::Impl::for_each_edge_between) in both of its modes, galloping and lockstep
// search, against a plain scan of the same hub; the same look-up among hubs in the hub core
// (for_each_edge_between_hubs); and the block-wise scan for a fixed set of wanted neighbours
// (for_each_step_among) against the end-by-end one.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"
#include "graph/vertex_bitmap.h"

namespace {

using relgraph::graph::Direction;
using relgraph::graph::EntityRow;
using relgraph::graph::Filter;
using relgraph::graph::RelationRow;
using relgraph::graph::Snapshot;
namespace detail = relgraph::graph::detail;

TEST_CASE("vertex leases: nested leases are independent, and a new lease starts empty") {
  constexpr uint32_t kVertices = 100'000;
  for (int round = 0; round < 3; ++round) {
    detail::VertexMapLease outer(kVertices);
    CHECK_FALSE(outer.contains(7));
    CHECK(outer.insert(7, 70));
    CHECK_FALSE(outer.insert(7, 71));  // the first value stays
    CHECK(outer.at(7) == 70);
    {
      detail::VertexMapLease inner(kVertices);
      detail::VertexBitmapLease bits(kVertices);
      CHECK_FALSE(inner.contains(7));
      CHECK(inner.insert(7, 700));
      CHECK(inner.insert(kVertices - 1, 5));
      CHECK(bits.insert(64 * 64 + 3));  // a word the summary marks
      CHECK(bits.test(64 * 64 + 3));
      CHECK_FALSE(bits.test(64 * 64 + 4));  // same word, other bit
      CHECK_FALSE(bits.test(3));
      CHECK(inner.at(7) == 700);
      CHECK(outer.at(7) == 70);
    }
    // The inner leases' storage went back to the pool cleared: leased again, nothing is set.
    detail::VertexMapLease again(kVertices);
    detail::VertexBitmapLease bits(kVertices);
    CHECK_FALSE(again.contains(7));
    CHECK_FALSE(again.contains(kVertices - 1));
    CHECK_FALSE(bits.test(64 * 64 + 3));
  }
}

// The rows of the tests' graphs: entities 1..vertex_count, and relations added one by one, each
// of a random type (a third of the types symmetric) with 1-4 pieces of evidence, all of them
// negated one time in seven.
struct TestRows {
  TestRows(std::mt19937& random, int vertex_count) : rng(random) {
    for (int v = 1; v <= vertex_count; ++v) {
      entities.push_back({v, "e" + std::to_string(v), "E" + std::to_string(v), "country"});
    }
  }
  void add(int64_t subject, int64_t object) {
    RelationRow row;
    row.id = static_cast<int64_t>(relations.size()) + 1;
    row.type = static_cast<uint16_t>(std::uniform_int_distribution<int>(0, 5)(rng));
    row.symmetric = row.type % 3 == 0;
    row.subject = subject;
    row.object = object;
    row.evidence_count = 1 + static_cast<uint32_t>(rng() % 4);
    row.negated_count = rng() % 7 == 0 ? row.evidence_count : 0;
    row.first_seen = 19000;
    row.last_seen = 19100;
    relations.push_back(row);
  }
  // A relation between `hub` and `other`, either way round.
  void add_either_way(int64_t hub, int64_t other) {
    if (rng() % 2 == 0) {
      add(hub, other);
    } else {
      add(other, hub);
    }
  }
  std::shared_ptr<const Snapshot> snapshot() const {
    return Snapshot::build(1, entities, relations);
  }

  std::mt19937& rng;
  std::vector<EntityRow> entities;
  std::vector<RelationRow> relations;
};

// A graph with three hubs of a few thousand relations each (so they have a by-neighbour
// index), parallel relations, both directions, symmetric types, negated relations and
// self-loops.
std::shared_ptr<const Snapshot> hub_snapshot(std::mt19937& rng, int vertex_count) {
  TestRows rows(rng, vertex_count);
  std::uniform_int_distribution<int> vertex(1, vertex_count);
  for (int hub = 1; hub <= 3; ++hub) {
    for (int i = 0; i < 1500 * hub; ++i) rows.add_either_way(hub, vertex(rng));
    rows.add(hub, hub);
  }
  for (int i = 0; i < vertex_count; ++i) rows.add(vertex(rng), vertex(rng));
  return rows.snapshot();
}

using Step = std::tuple<uint32_t, uint32_t>;  // neighbour, relation index

// Query number `query`'s filter, so that a loop of queries meets each case: some types only
// (one in four), negated relations included (one in five), each direction in turn.
Filter varied_filter(int query) {
  Filter f;
  f.type_mask = query % 4 == 0 ? 0b101011 : ~uint64_t{0};
  f.include_negated = query % 5 == 0;
  f.direction = std::vector<Direction>{Direction::both, Direction::out, Direction::in}[query % 3];
  return f;
}

TEST_CASE("hub look-up: galloping and lockstep search agree with scanning the hub") {
  std::mt19937 rng(5);
  constexpr int kVertices = 3000;
  const auto g = hub_snapshot(rng, kVertices);
  const Snapshot::Impl& impl = g->impl();
  int galloped = 0;
  int searched = 0;
  for (int query = 0; query < 60; ++query) {
    const uint32_t hub = static_cast<uint32_t>(query % 3);  // vertices 0..2 are the hubs
    REQUIRE(impl.has_edge_index(hub));
    const Filter f = varied_filter(query);
    const detail::ResolvedFilter filter = detail::resolve(impl, f, {hub});
    // From one neighbour (a search) to most of the graph (a merge).
    const size_t wanted_count = std::vector<size_t>{1, 2, 9, 40, 200, 2500}[query % 6];
    std::set<uint32_t> wanted_set{hub};
    std::uniform_int_distribution<uint32_t> vertex(0, kVertices - 1);
    while (wanted_set.size() < wanted_count) wanted_set.insert(vertex(rng));
    const std::vector<uint32_t> wanted(wanted_set.begin(), wanted_set.end());

    std::vector<Step> expected;
    auto unbounded = detail::QueryBudget::unlimited();
    impl.for_each_step(hub, f.direction, filter, unbounded,
                       [&](uint32_t u, const detail::EdgeBundle& e) {
                         if (wanted_set.count(u) != 0) expected.emplace_back(u, e.relation);
                         return true;
                       });
    std::sort(expected.begin(), expected.end());

    std::vector<Step> got;
    auto budget = detail::QueryBudget::unlimited();
    CHECK(impl.for_each_edge_between(
        hub, wanted.data(), wanted.size(), f.direction, filter, budget,
        [&](uint32_t u, const detail::EdgeBundle& e) { got.emplace_back(u, e.relation); }));
    CAPTURE(query);
    CAPTURE(wanted_count);
    // By neighbour, then relation; negated-only relations after the others.
    if (!f.include_negated) CHECK(std::is_sorted(got.begin(), got.end()));
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
    // The mode the first neighbours are placed in: galloping over the fences when there are at
    // most kGallopFences of them per neighbour.
    const uint64_t fences =
        (impl.edge_count(hub) + detail::kFenceStride - 1) / detail::kFenceStride;
    if (fences <= wanted.size() * Snapshot::Impl::kGallopFences) {
      ++galloped;
    } else {
      ++searched;
    }
  }
  CHECK(galloped > 5);
  CHECK(searched > 5);
}

// 40 hubs of 300-700 relations each, a third of them with other hubs (parallel relations among
// them), among 2000 entities, each hub with a self-loop.
std::shared_ptr<const Snapshot> many_hubs_snapshot(std::mt19937& rng) {
  constexpr int kHubs = 40;
  TestRows rows(rng, 2000);
  std::uniform_int_distribution<int> vertex(1, 2000);
  std::uniform_int_distribution<int> hub(1, kHubs);
  for (int h = 1; h <= kHubs; ++h) {
    for (int i = 0; i < 300 + 10 * h; ++i) {
      rows.add_either_way(h, rng() % 3 == 0 ? hub(rng) : vertex(rng));
    }
    rows.add(h, h);
  }
  return rows.snapshot();
}

TEST_CASE("hub core: a hub's relations with other hubs are those its own ends hold") {
  std::mt19937 rng(17);
  const auto g = many_hubs_snapshot(rng);
  const Snapshot::Impl& impl = g->impl();
  std::vector<uint32_t> hubs;
  for (uint32_t v = 0; v < impl.vertex_count(); ++v) {
    if (impl.has_edge_index(v)) hubs.push_back(v);
  }
  REQUIRE(hubs.size() >= 30);
  size_t matches = 0;
  for (int query = 0; query < 120; ++query) {
    const uint32_t hub = hubs[static_cast<size_t>(query) % hubs.size()];
    const Filter f = varied_filter(query);
    const detail::ResolvedFilter filter = detail::resolve(impl, f, {hub});
    // A few hubs (searched) to all of them (merged), the hub itself among them or not.
    std::vector<uint32_t> wanted;
    const size_t keep = std::vector<size_t>{1, 3, 10, 1000}[query % 4];
    for (uint32_t h : hubs) {
      if (rng() % hubs.size() < keep || (h == hub && query % 2 == 0)) wanted.push_back(h);
    }
    std::vector<Step> expected;
    auto unbounded = detail::QueryBudget::unlimited();
    CHECK(impl.for_each_edge_between(
        hub, wanted.data(), wanted.size(), f.direction, filter, unbounded,
        [&](uint32_t u, const detail::EdgeBundle& e) { expected.emplace_back(u, e.relation); }));
    std::vector<Step> got;
    auto budget = detail::QueryBudget::unlimited();
    CHECK(impl.for_each_edge_between_hubs(
        hub, wanted.data(), wanted.size(), f.direction, filter, budget,
        [&](uint32_t u, const detail::EdgeBundle& e) { got.emplace_back(u, e.relation); }));
    CAPTURE(query);
    CAPTURE(wanted.size());
    CHECK(got == expected);  // the same order too: by neighbour, then relation
    matches += got.size();
  }
  CHECK(matches > 1000);
}

TEST_CASE("scan among a fixed set: the same steps, order and budget as end by end") {
  std::mt19937 rng(23);
  constexpr int kVertices = 3000;
  const auto g = hub_snapshot(rng, kVertices);
  const Snapshot::Impl& impl = g->impl();
  std::uniform_int_distribution<uint32_t> vertex(0, kVertices - 1);
  for (int query = 0; query < 80; ++query) {
    // The hubs (thousands of ends: many blocks) and ordinary vertices (a partial block).
    const uint32_t v = query % 2 == 0 ? static_cast<uint32_t>(query % 3) : vertex(rng);
    const Filter f = varied_filter(query);
    const detail::ResolvedFilter filter = detail::resolve(impl, f, {v});
    std::set<uint32_t> members;
    while (members.size() < 600) members.insert(vertex(rng));
    auto wanted = [&](uint32_t u) { return members.count(u) != 0; };
    // Unbounded, a budget that runs out within a block or between blocks, and a caller that
    // stops after a few steps.
    const uint64_t limit = std::vector<uint64_t>{UINT64_MAX, 100, 128, 1000}[query % 4];
    const size_t stop_after = query % 7 == 0 ? 3 : SIZE_MAX;
    auto run = [&](bool among, std::vector<Step>& steps, uint64_t& used) {
      detail::QueryBudget budget(limit, 0);
      auto fn = [&](uint32_t u, const detail::EdgeBundle& e) {
        steps.emplace_back(u, e.relation);
        return steps.size() < stop_after;
      };
      const bool went_on =
          among ? impl.for_each_step_among(v, f.direction, filter, budget, wanted, fn)
                : impl.for_each_step_to(v, f.direction, filter, budget, wanted, fn);
      used = budget.used();
      return went_on;
    };
    std::vector<Step> by_end, by_block;
    uint64_t used_by_end = 0, used_by_block = 0;
    const bool end_went_on = run(false, by_end, used_by_end);
    const bool block_went_on = run(true, by_block, used_by_block);
    CAPTURE(query);
    CAPTURE(v);
    CHECK(by_block == by_end);
    CHECK(block_went_on == end_went_on);
    CHECK(used_by_block == used_by_end);
  }
}

}  // namespace
