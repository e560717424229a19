// Tests of the base's entity table (graph/entity_table.h) and of the entity look-ups over it:
// by id and by key, through an overlay that renames or adds entities, after a fold and after a
// snapshot image round trip, for keys and names of every shape (empty, non-ASCII, longer than a
// short-string buffer, longer than the table's 16-bit key lengths).

#include "graph/entity_table.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/snapshot_impl.h"

namespace {

using relgraph::graph::EntityId;
using relgraph::graph::EntityRow;
using relgraph::graph::EntityView;
using relgraph::graph::RelationId;
using relgraph::graph::RelationRow;
using relgraph::graph::Snapshot;
using relgraph::graph::SnapshotImage;
using relgraph::graph::detail::EntityTable;

// A key of 70,000 bytes: past the 16-bit key lengths, kept in the table's side list.
const std::string kHugeKey = std::string(70'000, 'h');

// Entities with sparse ids and keys and names of every shape.
std::vector<EntityRow> varied_entities() {
  return {
      {3, "moskva", "Москва", "location"},
      {7, "no-name", "", "person"},
      {8, "a-key-longer-than-fifteen-bytes", "A Name Longer Than Fifteen Bytes", "organization"},
      {20, "zurich", "Zürich ☃ 北京", "location"},
      {21, kHugeKey, "Huge", "group"},
      {40, "", "Keyless", "country"},
      {41, "x", "X", "country"},
  };
}

std::vector<RelationRow> varied_relations() {
  std::vector<RelationRow> relations;
  const EntityId ends[][2] = {{3, 7}, {7, 8}, {8, 20}, {20, 21}, {21, 40}, {40, 41}, {41, 3}};
  RelationId next = 1;
  for (const auto& [subject, object] : ends) {
    RelationRow r;
    r.id = next++;
    r.type = 1;
    r.subject = subject;
    r.object = object;
    r.evidence_count = 1;
    relations.push_back(r);
  }
  return relations;
}

// Every entity of `expected` (the last row of an id wins) is in `g` with its fields, and is
// found by its key; entity_count matches.
void check_entities(const Snapshot& g, const std::vector<EntityRow>& expected) {
  std::map<EntityId, EntityRow> by_id;
  for (const EntityRow& row : expected) by_id[row.id] = row;
  CHECK(g.entity_count() == by_id.size());
  for (const auto& [id, row] : by_id) {
    CAPTURE(id);
    const std::optional<EntityView> e = g.entity(id);
    REQUIRE(e.has_value());
    CHECK(e->id == id);
    CHECK(e->key == row.key);
    CHECK(e->name == row.name);
    CHECK(e->kind == row.kind);
    const std::optional<EntityView> by_key = g.entity_by_key(row.key);
    REQUIRE(by_key.has_value());
    CHECK(by_key->id == id);
    CHECK(by_key->name == row.name);
  }
}

std::string temp_path(const char* name) {
  return std::string("/tmp/relgraph_entity_table_test_") + std::to_string(::getpid()) + "_" + name;
}

SnapshotImage::Tag tag() {
  SnapshotImage::Tag t;
  t.words = {3, 1, 4, 1, 5, 9, 2, 6};
  return t;
}

TEST_CASE("entity table: keys, names and kinds of every shape, pushed or adopted whole") {
  EntityTable table;
  const std::vector<EntityRow> rows = varied_entities();
  for (size_t v = 0; v < rows.size(); ++v) {
    table.push_back(rows[v].key, rows[v].name, static_cast<uint16_t>(60'000 + v));
  }
  REQUIRE(table.size() == rows.size());
  std::vector<uint32_t> lengths;
  std::vector<uint16_t> kinds;
  for (uint32_t v = 0; v < table.size(); ++v) {
    CAPTURE(v);
    CHECK(table.key(v) == rows[v].key);
    CHECK(table.name(v) == rows[v].name);
    CHECK(table.kind(v) == 60'000 + v);
    CHECK(table.key_length(v) == rows[v].key.size());
    CHECK(table.name_length(v) == rows[v].name.size());
    lengths.push_back(table.key_length(v));
    lengths.push_back(table.name_length(v));
    kinds.push_back(table.kind(v));
  }

  EntityTable adopted;
  REQUIRE(adopted.assign(table.text(), lengths, kinds));
  REQUIRE(adopted.size() == table.size());
  for (uint32_t v = 0; v < table.size(); ++v) {
    CHECK(adopted.key(v) == table.key(v));
    CHECK(adopted.name(v) == table.name(v));
    CHECK(adopted.kind(v) == table.kind(v));
  }

  // Lengths that do not cover the text exactly, or not one kind per vertex, are refused and
  // leave the table empty.
  std::vector<uint32_t> short_by_one = lengths;
  --short_by_one.back();
  EntityTable refused;
  CHECK_FALSE(refused.assign(table.text(), short_by_one, kinds));
  CHECK(refused.size() == 0);
  std::vector<uint32_t> too_long = lengths;
  too_long[0] = UINT32_MAX;
  CHECK_FALSE(refused.assign(table.text(), too_long, kinds));
  CHECK(refused.size() == 0);
  CHECK_FALSE(refused.assign(table.text(), lengths, {1, 2}));
  CHECK(refused.size() == 0);
}

TEST_CASE("entity look-ups: by id and by key, non-ASCII, empty and long strings") {
  const auto g = Snapshot::build(1, varied_entities(), varied_relations());
  check_entities(*g, varied_entities());
  CHECK(g->entity(1) == std::nullopt);
  CHECK(g->entity(0) == std::nullopt);
  CHECK(g->entity(-3) == std::nullopt);
  CHECK(g->entity(1'000'000) == std::nullopt);
  CHECK(g->entity_by_key("moscow") == std::nullopt);
  CHECK(g->entity_by_key("a-key-longer-than-fifteen-byte") == std::nullopt);
  CHECK(g->entity_by_key(kHugeKey + "h") == std::nullopt);
  // The views stay valid while the snapshot lives, after later look-ups too.
  const std::optional<EntityView> moskva = g->entity(3);
  for (EntityId id = 1; id < 50; ++id) (void)g->entity(id);
  CHECK(moskva->name == "Москва");
}

TEST_CASE("entity look-ups: an overlay renames a base entity and adds one") {
  const auto base = Snapshot::build(1, varied_entities(), varied_relations());
  const std::vector<EntityRow> change = {
      {8, "renamed-entity-with-a-long-key", "Renamed Ünïcode", "person"},
      {50, "brand-new-entity", "Brand New", "planet"},  // a kind the base does not have
  };
  RelationRow to_new;
  to_new.id = 100;
  to_new.type = 2;
  to_new.subject = 8;
  to_new.object = 50;
  to_new.evidence_count = 1;
  const auto g = base->apply(2, change, {to_new});
  REQUIRE(g->overlay_relation_count() == 1);

  CHECK(g->entity_by_key("a-key-longer-than-fifteen-bytes") == std::nullopt);
  const std::optional<EntityView> renamed = g->entity_by_key("renamed-entity-with-a-long-key");
  REQUIRE(renamed.has_value());
  CHECK(renamed->id == 8);
  CHECK(renamed->name == "Renamed Ünïcode");
  CHECK(renamed->kind == "person");
  CHECK(g->entity(8)->key == "renamed-entity-with-a-long-key");

  const std::optional<EntityView> added = g->entity(50);
  REQUIRE(added.has_value());
  CHECK(added->key == "brand-new-entity");
  CHECK(added->kind == "planet");
  CHECK(g->entity_by_key("brand-new-entity")->id == 50);
  CHECK(g->degree(50) == 1);

  std::vector<EntityRow> expected = varied_entities();
  expected.insert(expected.end(), change.begin(), change.end());
  check_entities(*g, expected);
  // The base snapshot is unchanged.
  check_entities(*base, varied_entities());
  CHECK(base->entity(50) == std::nullopt);

  SUBCASE("a fold keeps every entity") {
    const auto folded = g->folded();
    CHECK(folded->overlay_relation_count() == 0);
    check_entities(*folded, expected);
    CHECK(folded->entity_by_key("a-key-longer-than-fifteen-bytes") == std::nullopt);
  }
  SUBCASE("a later overlay row renames it back") {
    const auto back = g->apply(3, {varied_entities()[2]}, {});
    CHECK(back->entity_by_key("renamed-entity-with-a-long-key") == std::nullopt);
    CHECK(back->entity_by_key("a-key-longer-than-fifteen-bytes")->id == 8);
  }
  SUBCASE("an image keeps every entity") {
    const std::string path = temp_path("overlay");
    SnapshotImage::write(*g, tag(), 0, path);
    const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag(), 2);
    REQUIRE_MESSAGE(loaded.snapshot, loaded.problem);
    check_entities(*loaded.snapshot, expected);
    CHECK(loaded.snapshot->entity_by_key("a-key-longer-than-fifteen-bytes") == std::nullopt);
    std::remove(path.c_str());
  }
}

TEST_CASE("entity look-ups: a snapshot image round trip keeps every entity") {
  const std::string path = temp_path("roundtrip");
  const auto g = Snapshot::build(1, varied_entities(), varied_relations());
  SnapshotImage::write(*g, tag(), 0, path);
  const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag(), 1);
  REQUIRE_MESSAGE(loaded.snapshot, loaded.problem);
  check_entities(*loaded.snapshot, varied_entities());
  const auto& x = *g->impl().base_;
  const auto& y = *loaded.snapshot->impl().base_;
  CHECK(x.entities.text() == y.entities.text());
  for (uint32_t v = 0; v < x.vertex_count(); ++v) CHECK(x.entities.kind(v) == y.entities.kind(v));
  std::remove(path.c_str());
}

TEST_CASE("entity look-ups: SnapshotBuilder, relations out of order, keeps every entity") {
  relgraph::graph::SnapshotBuilder builder;
  for (const EntityRow& row : varied_entities()) builder.add_entity(row);
  std::vector<RelationRow> relations = varied_relations();
  // Out of id order: the builder then collects the rows and rebuilds from them.
  for (auto it = relations.rbegin(); it != relations.rend(); ++it) builder.add_relation(*it);
  const auto g = builder.build(4);
  check_entities(*g, varied_entities());
  CHECK(g->relation_count() == relations.size());
}

TEST_CASE("snapshot image: an image of another format is refused") {
  const std::string path = temp_path("format");
  SnapshotImage::write(*Snapshot::build(1, varied_entities(), varied_relations()), tag(), 0, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  REQUIRE(bytes.size() > 16);
  // The format number follows the 8-byte magic.
  const uint32_t older = 1;
  bytes.replace(8, sizeof older, reinterpret_cast<const char*>(&older), sizeof older);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  const SnapshotImage::Loaded loaded = SnapshotImage::read(path, tag(), 1);
  CHECK(loaded.snapshot == nullptr);
  CHECK(loaded.problem == "written by another build of relgraph");
  std::remove(path.c_str());
}

}  // namespace
