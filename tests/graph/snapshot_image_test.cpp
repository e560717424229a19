// Tests of graph::SnapshotImage: an image read back is the snapshot that was written, array for
// array; a stale, damaged, truncated or foreign file gives no snapshot and says why.

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace {

using relgraph::graph::Bounds;
using relgraph::graph::EntityRow;
using relgraph::graph::EntityView;
using relgraph::graph::Filter;
using relgraph::graph::RelationRow;
using relgraph::graph::Snapshot;
using relgraph::graph::SnapshotImage;
namespace detail = relgraph::graph::detail;

struct Rows {
  std::vector<EntityRow> entities;
  std::vector<RelationRow> relations;
};

// Entities with gaps in their ids (or not), relations with gaps in theirs (or not), a few hubs
// with more than kIndexedEdges edges, symmetric relations, self-loops, values past 16 bits.
Rows random_rows(uint32_t seed, bool gaps) {
  std::mt19937 rng(seed);
  Rows rows;
  int64_t id = 1;
  for (int v = 0; v < 400; ++v) {
    static const char* const kKinds[] = {"country", "person", "group", "organization"};
    std::string key = "k";
    key += std::to_string(id);
    std::string name = "Entity number ";  // longer than the short-string buffer
    name += std::to_string(id);
    rows.entities.push_back({id, key, name, kKinds[rng() % 4]});
    id += 1 + (gaps && rng() % 5 == 0 ? static_cast<int64_t>(rng() % 7) : 0);
  }
  int64_t relation_id = 3;
  for (int i = 0; i < 4000; ++i) {
    RelationRow r;
    r.id = relation_id;
    relation_id += 1 + (gaps && rng() % 4 == 0 ? static_cast<int64_t>(rng() % 9) : 0);
    r.type = static_cast<uint16_t>(rng() % 14);
    auto pick = [&] {
      // A third of the ends go to three hubs.
      const size_t at = rng() % 3 == 0 ? rng() % 3 : rng() % rows.entities.size();
      return rows.entities[at].id;
    };
    r.subject = pick();
    r.object = rng() % 50 == 0 ? r.subject : pick();
    r.symmetric = rng() % 3 == 0;
    r.evidence_count = rng() % 80 == 0 ? 70'000 : 1 + static_cast<uint32_t>(rng() % 9);
    r.negated_count = static_cast<uint32_t>(rng() % 3);
    r.attributed_count = static_cast<uint32_t>(rng() % 2);
    r.first_seen = 16'000 + static_cast<int32_t>(rng() % 3000) - (rng() % 90 == 0 ? 20'000 : 0);
    r.last_seen = r.first_seen + static_cast<int32_t>(rng() % 400);
    rows.relations.push_back(r);
  }
  return rows;
}

std::string temp_path(const char* name) {
  return std::string("/tmp/relgraph_image_test_") + std::to_string(::getpid()) + "_" + name;
}

SnapshotImage::Tag tag_of(uint64_t generation) {
  SnapshotImage::Tag tag;
  tag.words = {1, 2, generation, 4, 5, 6, 7, 8};
  return tag;
}

// The two snapshots hold the same base, array for array, and answer the same.
void check_identical(const Snapshot& a, const Snapshot& b) {
  const detail::Base& x = *a.impl().base_;
  const detail::Base& y = *b.impl().base_;
  CHECK(a.impl().kind_names_ == b.impl().kind_names_);
  REQUIRE(x.vertex_count() == y.vertex_count());
  CHECK(x.entities.text() == y.entities.text());
  for (uint32_t v = 0; v < x.vertex_count(); ++v) {
    CHECK(x.entity_id(v) == y.entity_id(v));
    CHECK(x.entities.key(v) == y.entities.key(v));
    CHECK(x.entities.name(v) == y.entities.name(v));
    CHECK(x.entities.kind(v) == y.entities.kind(v));
    const std::optional<EntityView> by_key = b.entity_by_key(x.entities.key(v));
    REQUIRE(by_key.has_value());
    CHECK(by_key->id == y.entity_id(v));
  }
  CHECK(x.latest_day == y.latest_day);
  REQUIRE(x.relations.size() == y.relations.size());
  CHECK(x.relations.dense_ids() == y.relations.dense_ids());
  CHECK(x.relations.wide_count() == y.relations.wide_count());
  for (uint32_t r = 0; r < x.relations.size(); ++r) {
    const RelationRow p = x.relation_row(r);
    const RelationRow q = y.relation_row(r);
    CHECK(p.id == q.id);
    CHECK(p.type == q.type);
    CHECK(p.subject == q.subject);
    CHECK(p.object == q.object);
    CHECK(p.symmetric == q.symmetric);
    CHECK(p.evidence_count == q.evidence_count);
    CHECK(p.negated_count == q.negated_count);
    CHECK(p.attributed_count == q.attributed_count);
    CHECK(p.first_seen == q.first_seen);
    CHECK(p.last_seen == q.last_seen);
    CHECK(y.relation_position(p.id) == r);
  }
  for (const auto* graphs : {&x.live, &x.negated}) {
    const detail::Adjacency& gx = *graphs;
    const detail::Adjacency& gy = graphs == &x.live ? y.live : y.negated;
    CHECK(gx.m_forward.m_rowstart == gy.m_forward.m_rowstart);
    CHECK(gx.m_forward.m_column == gy.m_forward.m_column);
    const auto& bx = gx.m_forward.m_edge_properties;
    const auto& by = gy.m_forward.m_edge_properties;
    REQUIRE(bx.size() == by.size());
    for (size_t e = 0; e < bx.size(); ++e) {
      CHECK((bx[e].relation == by[e].relation && bx[e].meta == by[e].meta));
    }
  }
  CHECK(!x.negated.m_forward.m_column.empty());  // negated-only relations are exercised
  CHECK(x.hub_fence_offsets == y.hub_fence_offsets);
  CHECK(x.hub_fences == y.hub_fences);
  CHECK(x.hub_fence_offsets.size() > 1);  // the rows have hubs: their fences are exercised
  // And through the public interface, hubs and filters included.
  Filter typed;
  typed.type_mask = 0b1011;
  typed.since = 16'500;
  for (uint32_t v = 0; v < x.vertex_count(); ++v) {
    const int64_t id = x.entity_id(v);
    CHECK(a.degree(id) == b.degree(id));
    CHECK(a.relations_of(id, Filter{}) == b.relations_of(id, Filter{}));
    CHECK(a.relations_of(id, typed) == b.relations_of(id, typed));
  }
  for (uint32_t i = 0; i + 1 < x.vertex_count(); i += 37) {
    const auto p = a.shortest_paths(x.entity_id(i), x.entity_id(i + 1), 3, 6, typed, Bounds{});
    const auto q = b.shortest_paths(x.entity_id(i), x.entity_id(i + 1), 3, 6, typed, Bounds{});
    REQUIRE(p.paths.size() == q.paths.size());
    for (size_t k = 0; k < p.paths.size(); ++k) {
      CHECK(p.paths[k].nodes == q.paths[k].nodes);
      CHECK(p.paths[k].relations == q.paths[k].relations);
    }
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("snapshot image: read back, the snapshot is the one written (array for array)") {
  const std::string path = temp_path("roundtrip");
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    CAPTURE(seed);
    const Rows rows = random_rows(seed, /*gaps=*/seed % 2 == 0);
    const auto built = Snapshot::build(3, rows.entities, rows.relations);
    SnapshotImage::write(*built, tag_of(seed), /*flags=*/seed, path);
    const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag_of(seed), 9);
    REQUIRE_MESSAGE(loaded.snapshot, loaded.problem);
    CHECK(loaded.problem.empty());
    CHECK(loaded.flags == seed);
    CHECK(loaded.snapshot->version() == 9);
    check_identical(*built, *loaded.snapshot);
  }
  std::remove(path.c_str());
}

TEST_CASE("snapshot image: a snapshot with an overlay is written folded") {
  const std::string path = temp_path("overlay");
  Rows rows = random_rows(5, true);
  const auto base = Snapshot::build(1, rows.entities, rows.relations);
  RelationRow changed = rows.relations[17];
  changed.evidence_count += 5;
  RelationRow added = rows.relations[20];
  added.id = 1'000'000;
  const auto with_overlay =
      base->apply(2, {{9'999, "new-one", "New One", "person"}}, {changed, added});
  REQUIRE(with_overlay->overlay_relation_count() == 2);
  SnapshotImage::write(*with_overlay, tag_of(1), 0, path);
  const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag_of(1), 2);
  REQUIRE_MESSAGE(loaded.snapshot, loaded.problem);
  CHECK(loaded.snapshot->overlay_relation_count() == 0);
  check_identical(*with_overlay->folded(), *loaded.snapshot);
  CHECK(loaded.snapshot->relation(changed.id)->evidence_count == changed.evidence_count);
  CHECK(loaded.snapshot->entity_by_key("new-one").has_value());
  std::remove(path.c_str());
}

TEST_CASE("snapshot image: an empty graph, and one without relations") {
  const std::string path = temp_path("empty");
  for (const bool with_entities : {false, true}) {
    std::vector<EntityRow> entities;
    if (with_entities) entities.push_back({4, "a", "A", "person"});
    const auto built = Snapshot::build(1, entities, {});
    SnapshotImage::write(*built, tag_of(0), 0, path);
    const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag_of(0), 1);
    REQUIRE_MESSAGE(loaded.snapshot, loaded.problem);
    CHECK(loaded.snapshot->entity_count() == entities.size());
    CHECK(loaded.snapshot->relation_count() == 0);
    CHECK(loaded.snapshot->entity(4).has_value() == with_entities);
  }
  std::remove(path.c_str());
}

TEST_CASE("snapshot image: missing, stale and foreign files give no snapshot") {
  const std::string path = temp_path("stale");
  std::remove(path.c_str());
  CHECK(SnapshotImage::read(path, tag_of(1), 1).problem == "missing");
  const Rows rows = random_rows(2, false);
  SnapshotImage::write(*Snapshot::build(1, rows.entities, rows.relations), tag_of(1), 0, path);
  const SnapshotImage::Loaded stale = SnapshotImage::read(path, tag_of(2), 1);
  CHECK(stale.snapshot == nullptr);
  CHECK(stale.problem == "stale");
  write_file(path, "");
  CHECK(SnapshotImage::read(path, tag_of(1), 1).problem == "truncated header");
  write_file(path, std::string(4096, 'x'));
  CHECK(SnapshotImage::read(path, tag_of(1), 1).problem == "not a snapshot image");
  std::remove(path.c_str());
}

// Regression for the promise that a damaged cache is never trusted: every byte flipped is
// caught (by a checksum, or by a range check) and nothing crashes.
TEST_CASE("snapshot image: damaged or truncated files give no snapshot and say why") {
  const std::string path = temp_path("damaged");
  const Rows rows = random_rows(3, true);
  SnapshotImage::write(*Snapshot::build(1, rows.entities, rows.relations), tag_of(1), 0, path);
  const std::string good = read_file(path);
  REQUIRE(good.size() > 10'000);
  std::mt19937 rng(7);
  std::vector<size_t> offsets;
  for (size_t at = 0; at < 600; ++at) offsets.push_back(at);  // the whole header, and more
  for (int i = 0; i < 300; ++i) offsets.push_back(rng() % good.size());
  for (size_t at : offsets) {
    CAPTURE(at);
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    write_file(path, bad);
    const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag_of(1), 1);
    // A flipped byte of the tag makes the image another state's: stale, also refused.
    CHECK(loaded.snapshot == nullptr);
    CHECK(!loaded.problem.empty());
  }
  for (size_t length : {size_t{10}, size_t{500}, good.size() / 2, good.size() - 1}) {
    CAPTURE(length);
    write_file(path, good.substr(0, length));
    const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag_of(1), 1);
    CHECK(loaded.snapshot == nullptr);
    CHECK(!loaded.problem.empty());
  }
  write_file(path, good + "x");
  CHECK(SnapshotImage::read(path, tag_of(1), 1).snapshot == nullptr);
  write_file(path, good);
  CHECK(SnapshotImage::read(path, tag_of(1), 1).snapshot != nullptr);
  std::remove(path.c_str());
}

TEST_CASE("snapshot image: an unwritable path throws and leaves no temporary file") {
  const Rows rows = random_rows(4, false);
  const auto built = Snapshot::build(1, rows.entities, rows.relations);
  CHECK_THROWS_AS(SnapshotImage::write(*built, tag_of(1), 0, "/nonexistent-dir/image"),
                  std::runtime_error);
}
