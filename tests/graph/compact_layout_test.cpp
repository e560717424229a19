// Tests of the snapshot's compact storage: the relation table (16-bit fields with a side table
// for the values that do not fit, ids stored only when they have gaps) and the key index, on
// their own and through Snapshot's look-ups; and SnapshotBuilder against Snapshot::build.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "graph/relation_table.h"
#include "graph/snapshot_impl.h"

namespace {

using relgraph::graph::EntityRow;
using relgraph::graph::RelationRow;
using relgraph::graph::Snapshot;
namespace detail = relgraph::graph::detail;

RelationRow row(int64_t id, int64_t subject, int64_t object, uint32_t evidence = 1,
                uint32_t negated = 0, uint32_t attributed = 0, int32_t first = 19000,
                int32_t last = 19500) {
  RelationRow r;
  r.id = id;
  r.type = 3;
  r.subject = subject;
  r.object = object;
  r.evidence_count = evidence;
  r.negated_count = negated;
  r.attributed_count = attributed;
  r.first_seen = first;
  r.last_seen = last;
  return r;
}

void check_same(const RelationRow& a, const RelationRow& b) {
  CHECK(a.id == b.id);
  CHECK(a.type == b.type);
  CHECK(a.subject == b.subject);
  CHECK(a.object == b.object);
  CHECK(a.symmetric == b.symmetric);
  CHECK(a.evidence_count == b.evidence_count);
  CHECK(a.negated_count == b.negated_count);
  CHECK(a.attributed_count == b.attributed_count);
  CHECK(a.first_seen == b.first_seen);
  CHECK(a.last_seen == b.last_seen);
}

}  // namespace

TEST_CASE("relation table: values beyond the narrow fields go to the side table and come back") {
  const std::vector<RelationRow> rows = {
      row(10, 1, 2),
      row(11, 2, 3, 70'000, 3, 1),              // evidence above 255
      row(12, 3, 1, 5, 5, 0),                   // negated only
      row(13, 1, 1, 2, 0, 100'000),             // attributed above 255, self-loop
      row(14, 2, 1, 1, 0, 0, -400, 20),         // a date before 1970
      row(15, 3, 2, 1, 0, 0, 19000, 70'000),    // a date after 2149
      row(16, 1, 3, 255, 255, 255, 0, 65'535),  // the largest values that fit
      row(17, 1, 3, 256, 1, 0),                 // one past them
      row(18, 1, 3, 1, 1, 256),
  };
  detail::RelationTable table;
  for (const RelationRow& r : rows) {
    table.push_back(r, static_cast<uint32_t>(r.subject), static_cast<uint32_t>(r.object));
  }
  REQUIRE(table.size() == rows.size());
  CHECK(table.dense_ids());
  CHECK(table.wide_count() == 6);
  for (uint32_t i = 0; i < table.size(); ++i) {
    check_same(table.row(i, rows[i].subject, rows[i].object), rows[i]);
    const detail::RelationFacts facts = table.facts(i);
    CHECK(facts.evidence_count == rows[i].evidence_count);
    CHECK(facts.first_seen == rows[i].first_seen);
    CHECK(table.pending_ends(i).first == rows[i].subject);
    CHECK(table.pending_ends(i).second == rows[i].object);
  }
  CHECK(table.negated_only(2));
  CHECK_FALSE(table.negated_only(0));
  CHECK(table.type(0) == rows[0].type);
  CHECK(table.facts(1).support() == 69'997);
}

TEST_CASE("relation table: ids are stored only once they have a gap") {
  detail::RelationTable table;
  table.push_back(row(5, 1, 2), 1, 2);
  table.push_back(row(6, 1, 2), 1, 2);
  CHECK(table.dense_ids());
  CHECK(table.first_id() == 5);
  table.push_back(row(9, 1, 2), 1, 2);
  table.push_back(row(int64_t{1} << 40, 1, 2), 1, 2);
  CHECK_FALSE(table.dense_ids());
  CHECK(table.id(0) == 5);
  CHECK(table.id(1) == 6);
  CHECK(table.id(2) == 9);
  CHECK(table.id(3) == int64_t{1} << 40);
}

TEST_CASE("snapshot: sparse relation ids and wide values read back as given") {
  std::vector<EntityRow> entities = {
      {1, "a", "A", "person"}, {7, "b", "B", "country"}, {1000, "c", "C", "person"}};
  std::vector<RelationRow> rows = {row(3, 1, 7), row(4, 7, 1000, 80'000, 2, 70'000, -5, 90'000),
                                   row(100, 1000, 1), row(int64_t{1} << 45, 1, 1000, 2, 1)};
  rows[0].symmetric = true;
  auto g = Snapshot::build(1, entities, rows);
  for (const RelationRow& r : rows) {
    const auto got = g->relation(r.id);
    REQUIRE(got.has_value());
    check_same(*got, r);
  }
  CHECK_FALSE(g->relation(5).has_value());
  CHECK_FALSE(g->relation(0).has_value());
  CHECK_FALSE(g->relation((int64_t{1} << 45) + 1).has_value());
  CHECK(g->latest_day() == 90'000);
  // A fold rebuilds the base from the rows the compact table gives back.
  auto folded = g->folded();
  for (const RelationRow& r : rows) check_same(*folded->relation(r.id), r);
}

TEST_CASE("key index: finds every key, the first of duplicates, and nothing else") {
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("entity-" + std::to_string(i * 7));
  keys.push_back("entity-0");  // a duplicate of vertex 0's key
  auto key_of = [&](uint32_t v) -> std::string_view { return keys[v]; };
  detail::KeyIndex index;
  CHECK(index.find("entity-0", key_of) == detail::kNoIndex);  // empty
  index.assign(static_cast<uint32_t>(keys.size()), key_of);
  for (uint32_t v = 0; v < 1000; ++v) CHECK(index.find(keys[v], key_of) == v);
  CHECK(index.find("entity-1", key_of) == detail::kNoIndex);
  CHECK(index.find("", key_of) == detail::kNoIndex);
}

namespace {

// Rows with sparse entity ids, relation ids with gaps, unknown ends, bad types and wide values.
struct RandomRows {
  std::vector<EntityRow> entities;
  std::vector<RelationRow> relations;  // by increasing id
};

RandomRows random_rows(uint32_t seed, bool gaps = true) {
  std::mt19937 rng(seed);
  RandomRows rows;
  for (int i = 0; i < 60; ++i) {
    const int64_t id = 3 + i * 5 + static_cast<int64_t>(rng() % 3);
    rows.entities.push_back({id, "k" + std::to_string(id), "Name " + std::to_string(id),
                             i % 3 == 0 ? "person" : "country"});
  }
  int64_t id = 1 + static_cast<int64_t>(rng() % 4);
  for (int i = 0; i < 400; ++i) {
    id += 1 + (gaps && rng() % 4 == 0 ? static_cast<int64_t>(rng() % 50) : 0);
    RelationRow r;
    r.id = id;
    r.type = static_cast<uint16_t>(rng() % 70 == 0 ? 64 : rng() % 14);
    r.subject = rows.entities[rng() % rows.entities.size()].id + (rng() % 40 == 0 ? 1000 : 0);
    r.object = rows.entities[rng() % rows.entities.size()].id;
    r.symmetric = rng() % 3 == 0;
    r.evidence_count = rng() % 50 == 0 ? 70'000 : 1 + static_cast<uint32_t>(rng() % 9);
    r.negated_count = static_cast<uint32_t>(rng() % 3);
    r.attributed_count = static_cast<uint32_t>(rng() % 2);
    r.first_seen = 16'000 + static_cast<int32_t>(rng() % 3000) - (rng() % 60 == 0 ? 20'000 : 0);
    r.last_seen = r.first_seen + static_cast<int32_t>(rng() % 400);
    rows.relations.push_back(r);
  }
  return rows;
}

void check_same_graph(const Snapshot& a, const Snapshot& b, const RandomRows& rows) {
  REQUIRE(a.entity_count() == b.entity_count());
  REQUIRE(a.relation_count() == b.relation_count());
  CHECK(a.latest_day() == b.latest_day());
  relgraph::graph::Filter all;
  for (const EntityRow& e : rows.entities) {
    CHECK(a.degree(e.id) == b.degree(e.id));
    CHECK(a.relations_of(e.id, all) == b.relations_of(e.id, all));
    const auto na = a.neighborhood(e.id, 2, all, relgraph::graph::Bounds{});
    const auto nb = b.neighborhood(e.id, 2, all, relgraph::graph::Bounds{});
    CHECK(na.relations == nb.relations);
    CHECK(na.nodes.size() == nb.nodes.size());
  }
  for (const RelationRow& r : rows.relations) {
    const auto x = a.relation(r.id);
    const auto y = b.relation(r.id);
    REQUIRE(x.has_value() == y.has_value());
    if (x) check_same(*x, *y);
  }
}

}  // namespace

TEST_CASE("snapshot builder: rows in id order give what Snapshot::build gives") {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    const RandomRows rows = random_rows(seed, /*gaps=*/seed % 2 == 0);
    relgraph::graph::SnapshotBuilder builder;
    builder.expect_relations(rows.relations.size());
    for (const EntityRow& e : rows.entities) builder.add_entity(e);
    for (const RelationRow& r : rows.relations) builder.add_relation(r);
    const auto built = builder.build(7);
    CHECK(built->version() == 7);
    check_same_graph(*built, *Snapshot::build(7, rows.entities, rows.relations), rows);
    // The builder starts over: with no entities the relation is dropped, and an entity after
    // a relation is refused.
    builder.add_relation(rows.relations[0]);
    CHECK_THROWS_AS(builder.add_entity(rows.entities[0]), std::logic_error);
    CHECK(builder.build(8)->relation_count() == 0);
  }
}

// The store's hint is its id range: with sparse ids it can be far beyond the relations there
// are, and beyond what the machine could hold. The build must not reserve it.
TEST_CASE("snapshot builder: an overstated relation count hint still builds the graph") {
  const RandomRows rows = random_rows(3, /*gaps=*/true);
  relgraph::graph::SnapshotBuilder builder;
  builder.expect_relations(size_t{1} << 40);  // 13 TB of relation records
  for (const EntityRow& e : rows.entities) builder.add_entity(e);
  for (const RelationRow& r : rows.relations) builder.add_relation(r);
  const auto built = builder.build(7);
  check_same_graph(*built, *Snapshot::build(7, rows.entities, rows.relations), rows);
}

TEST_CASE("snapshot builder: rows out of id order, and repeated ids, fall back to build's rules") {
  RandomRows rows = random_rows(11);
  std::vector<RelationRow> given = rows.relations;
  std::swap(given[10], given[300]);
  given.push_back(given[5]);  // a later row of one id wins
  given.back().evidence_count = 42;
  relgraph::graph::SnapshotBuilder builder;
  for (const EntityRow& e : rows.entities) builder.add_entity(e);
  for (const RelationRow& r : given) builder.add_relation(r);
  const auto built = builder.build(1);
  check_same_graph(*built, *Snapshot::build(1, rows.entities, given), rows);
  const auto replaced = built->relation(given[5].id);
  if (replaced) CHECK(replaced->evidence_count == 42);
}

TEST_CASE("snapshot builder: entities only, and nothing at all") {
  relgraph::graph::SnapshotBuilder builder;
  CHECK(builder.build(1)->entity_count() == 0);
  builder.add_entity({4, "a", "A", "person"});
  const auto g = builder.build(2);
  CHECK(g->entity_count() == 1);
  CHECK(g->relation_count() == 0);
  CHECK(g->entity_by_key("a")->id == 4);
}

TEST_CASE("id index: consecutive, dense with gaps, and sparse ids give the same positions") {
  const std::vector<std::vector<int64_t>> cases = {
      {5, 6, 7, 8},                             // consecutive: no array
      {1, 2, 4, 9, 10},                         // gaps: an array by id
      {3, int64_t{1} << 40, int64_t{1} << 41},  // sparse: a hash map
      {int64_t{1} << 50},                       // one id far from 0
  };
  for (const auto& ids : cases) {
    detail::IdIndex index;
    index.assign(ids);
    for (size_t i = 0; i < ids.size(); ++i) CHECK(index.find(ids[i]) == i);
    for (int64_t absent : {int64_t{0}, int64_t{-1}, ids.front() - 1, ids.back() + 1,
                           std::numeric_limits<int64_t>::min(), int64_t{3} << 40}) {
      CHECK(index.find(absent) == detail::kNoIndex);
    }
  }
  detail::IdIndex empty;
  empty.assign({});
  CHECK(empty.find(1) == detail::kNoIndex);
}

// Past 2^20 ends build_adjacency runs each pass on two threads, split by vertex: the same
// layout must come out, every relation placed once, whichever thread handled its ends.
TEST_CASE("adjacency: the two-thread build of a large graph keeps every relation at its ends") {
  std::mt19937 rng(11);
  constexpr int kEntities = 20'000;
  constexpr int kRelations = 600'000;  // 1.2M ends: both passes split in two
  std::vector<EntityRow> entities;
  for (int i = 1; i <= kEntities; ++i) entities.push_back({i, "k" + std::to_string(i), "", "c"});
  std::vector<RelationRow> relations;
  relations.reserve(kRelations);
  for (int i = 1; i <= kRelations; ++i) {
    RelationRow r;
    r.id = i;
    r.type = static_cast<uint16_t>(rng() % 14);
    // A few hubs, so that the split falls inside a long run of ends.
    r.subject = rng() % 4 == 0 ? 1 + rng() % 5 : 1 + rng() % kEntities;
    r.object = rng() % 100 == 0 ? r.subject
                                : 1 + static_cast<relgraph::graph::EntityId>(rng() % kEntities);
    r.symmetric = rng() % 3 == 0;
    r.evidence_count = 1 + static_cast<uint32_t>(rng() % 4);
    r.negated_count = rng() % 20 == 0 ? r.evidence_count : 0;
    relations.push_back(r);
  }
  const auto snap = Snapshot::build(1, entities, relations);
  const detail::Base& base = *snap->impl().base_;
  REQUIRE(base.relations.size() == static_cast<uint32_t>(kRelations));
  size_t self_loops = 0;
  for (uint32_t r = 0; r < base.relations.size(); ++r) {
    const RelationRow& given = relations[r];
    const auto [subject, object] = base.relation_ends(r);
    REQUIRE(base.entity_id(subject) == given.subject);
    REQUIRE(base.entity_id(object) == given.object);
    self_loops += given.subject == given.object;
  }
  size_t ends = 0;
  for (const detail::Adjacency* graph : {&base.live, &base.negated}) {
    const auto& column = graph->m_forward.m_column;
    const auto& bundles = graph->m_forward.m_edge_properties;
    for (uint32_t v = 0; v < base.vertex_count(); ++v) {
      const auto [first, last] = detail::Base::ends_of(*graph, v);
      for (uint32_t e = first; e < last; ++e) {
        const detail::EndBundle end = bundles[e];
        const RelationRow& given = relations[end.relation];
        // The end stands at one of the relation's entities and leads to the other.
        const relgraph::graph::EntityId here = base.entity_id(v);
        const relgraph::graph::EntityId there = base.entity_id(column[e]);
        REQUIRE(((here == given.subject && there == given.object) ||
                 (here == given.object && there == given.subject)));
        REQUIRE(end.type() == given.type);
        REQUIRE((graph == &base.negated) == (given.negated_count >= given.evidence_count));
        const detail::Way way = given.symmetric || given.subject == given.object ? detail::kWayBoth
                                : here == given.subject                          ? detail::kWayOut
                                                                                 : detail::kWayIn;
        REQUIRE(end.way() == way);
        REQUIRE((e == first || column[e - 1] < column[e] ||
                 (column[e - 1] == column[e] && bundles[e - 1].relation < end.relation)));
        ++ends;
      }
    }
  }
  CHECK(ends == 2 * size_t{kRelations} - self_loops);

  // The start-up path (SnapshotBuilder, told how many relations come) makes the build's working
  // space on another thread while the rows arrive: the same layout must come out of it.
  relgraph::graph::SnapshotBuilder builder;
  builder.expect_relations(relations.size());
  for (const EntityRow& e : entities) builder.add_entity(e);
  for (const RelationRow& r : relations) builder.add_relation(r);
  const auto streamed = builder.build(1);
  const detail::Base& streamed_base = *streamed->impl().base_;
  auto same_ends = [](const detail::EndBundle& x, const detail::EndBundle& y) {
    return x.relation == y.relation && x.meta == y.meta;
  };
  for (const auto& [built, made] : {std::pair{&base.live, &streamed_base.live},
                                    std::pair{&base.negated, &streamed_base.negated}}) {
    CHECK(built->m_forward.m_rowstart == made->m_forward.m_rowstart);
    CHECK(built->m_forward.m_column == made->m_forward.m_column);
    CHECK(std::equal(built->m_forward.m_edge_properties.begin(),
                     built->m_forward.m_edge_properties.end(),
                     made->m_forward.m_edge_properties.begin(),
                     made->m_forward.m_edge_properties.end(), same_ends));
  }
  for (uint32_t r = 0; r < base.relations.size(); ++r) {
    REQUIRE(streamed_base.relation_ends(r) == base.relation_ends(r));
  }
}

// build_adjacency fills the adjacencies with two counting sorts: each must hold, at every
// vertex, one end per relation touching it (a self-loop once), saying which way the relation
// runs from there, sorted by (neighbour, relation); negated-only relations apart.
TEST_CASE("adjacency: every relation is an end at each of its entities, sorted by neighbour") {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    const RandomRows rows = random_rows(seed, /*gaps=*/seed % 2 == 0);
    const auto snap = Snapshot::build(1, rows.entities, rows.relations);
    const detail::Base& base = *snap->impl().base_;
    std::map<int64_t, RelationRow> given_rows;  // by id, the last row given winning
    for (const RelationRow& row : rows.relations) given_rows[row.id] = row;
    struct End {
      uint32_t neighbour, relation;
      uint8_t meta;
      auto operator<=>(const End&) const = default;
    };
    // [negated][vertex]: the ends expected there.
    std::vector<std::vector<End>> expected[2];
    expected[0].resize(base.vertex_count());
    expected[1].resize(base.vertex_count());
    size_t negated_relations = 0;
    for (uint32_t r = 0; r < base.relations.size(); ++r) {
      // The ends as the rows give them, not as the adjacency does.
      const RelationRow& given = given_rows.at(base.relations.id(r));
      const uint32_t subject = base.entity_index.find(given.subject);
      const uint32_t object = base.entity_index.find(given.object);
      CHECK(base.relation_ends(r) == std::make_pair(subject, object));
      const bool negated = base.relations.negated_only(r);
      negated_relations += negated;
      auto& ends = expected[negated ? 1 : 0];
      auto meta = [&](detail::Way way) {
        return detail::EndBundle::of(r, base.relations.type(r), way).meta;
      };
      if (subject == object) {
        ends[subject].push_back({object, r, meta(detail::kWayBoth)});
        continue;
      }
      ends[subject].push_back(
          {object, r, meta(given.symmetric ? detail::kWayBoth : detail::kWayOut)});
      ends[object].push_back(
          {subject, r, meta(given.symmetric ? detail::kWayBoth : detail::kWayIn)});
    }
    CHECK(negated_relations > 0);
    for (int negated = 0; negated < 2; ++negated) {
      const detail::Adjacency& graph = negated ? base.negated : base.live;
      REQUIRE(graph.m_forward.m_rowstart.size() == size_t{base.vertex_count()} + 1);
      for (uint32_t v = 0; v < base.vertex_count(); ++v) {
        std::vector<End>& want = expected[negated][v];
        std::sort(want.begin(), want.end());
        std::vector<End> got;
        const auto [first, last] = detail::Base::ends_of(graph, v);
        for (uint32_t e = first; e < last; ++e) {
          const detail::EndBundle& end = graph.m_forward.m_edge_properties[e];
          got.push_back({graph.m_forward.m_column[e], end.relation, end.meta});
        }
        CHECK(got == want);
      }
      CHECK(boost::num_vertices(graph) == base.vertex_count());
    }
  }
}
