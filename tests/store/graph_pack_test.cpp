// The packed copy of the graph (store/graph_pack.h, schema version 4): whatever writes the store
// sees (ingest, evidence updates, aliases, merges, manual SQL with inserts, updates, deletes and
// REPLACE conflicts), Store::load_graph from the packed copy gives exactly the rows a plain row
// read gives, before and after repack_graph; a damaged or malformed blob is never trusted and
// never crashes the loader; a changed list of relation types maps by name.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "schema/embedded.h"
#include "server/service.h"
#include "store/graph_pack.h"
#include "store/store.h"
#include "support/bundled_knowledge.h"
#include "support/fixtures.h"

namespace {

using namespace relgraph;
using relgraph::testing::TempDir;

const ingest::Knowledge& knowledge() { return relgraph::testing::bundled_knowledge(); }
std::vector<std::string> symmetric() { return relgraph::testing::symmetric_type_names(); }

std::vector<std::string> type_names() {
  std::vector<std::string> names;
  for (const auto& t : knowledge().relation_types()) names.push_back(t.name);
  return names;
}

void store_text(store::Store& s, const std::string& text, const std::string& date) {
  store::ArticleInput a;
  a.text = text;
  a.title = "test";
  a.published_at = date;
  s.ingest(a, ingest::extract(text, ingest::days_from_iso(date), knowledge()), knowledge());
}

// load_graph from the packed copy equals load_graph from the rows, row for row.
void check_packed_equals_rows(store::Store& s, const std::vector<std::string>& names,
                              store::GraphLoadStats* stats_out = nullptr) {
  struct Sink : store::GraphRowSink {
    std::vector<store::EntityRecord> entities;
    std::vector<store::GraphRelationRow> relations;
    void entity(store::EntityRecord& row) override { entities.push_back(row); }
    void relation(const store::GraphRelationRow& row) override { relations.push_back(row); }
  } packed;
  store::GraphLoadStats stats;
  const store::StoreState packed_state =
      s.load_graph(names, packed, store::GraphSource::packed, &stats);
  if (stats_out != nullptr) *stats_out = stats;
  const store::GraphRows rows = s.load_graph(names, store::GraphSource::rows);
  CHECK(packed_state == s.state());
  REQUIRE(packed.entities.size() == rows.entities.size());
  for (size_t i = 0; i < rows.entities.size(); ++i) {
    CAPTURE(rows.entities[i].id);
    CHECK(packed.entities[i].id == rows.entities[i].id);
    CHECK(packed.entities[i].key == rows.entities[i].key);
    CHECK(packed.entities[i].name == rows.entities[i].name);
    CHECK(packed.entities[i].kind == rows.entities[i].kind);
  }
  REQUIRE(packed.relations.size() == rows.relations.size());
  for (size_t i = 0; i < rows.relations.size(); ++i) {
    const store::GraphRelationRow& want = rows.relations[i];
    const store::GraphRelationRow& got = packed.relations[i];
    CAPTURE(want.id);
    CHECK(got.id == want.id);
    CHECK(got.type == want.type);
    CHECK(got.subject == want.subject);
    CHECK(got.object == want.object);
    CHECK(got.evidence_count == want.evidence_count);
    CHECK(got.negated_count == want.negated_count);
    CHECK(got.attributed_count == want.attributed_count);
    CHECK(got.first_seen == want.first_seen);
    CHECK(got.last_seen == want.last_seen);
  }
}

// Checks the packed copy against the rows with the current dirty blocks, then repacks and
// checks again, now with every block decoded from the packed copy.
void check_before_and_after_repack(store::Store& s) {
  const auto names = type_names();
  check_packed_equals_rows(s, names);
  s.repack_graph();
  CHECK(s.dirty_pack_blocks() == 0);
  store::GraphLoadStats stats;
  check_packed_equals_rows(s, names, &stats);
  CHECK(stats.row_blocks == 0);
  CHECK(stats.damaged_blocks == 0);
  CHECK(stats.packed_blocks > 0);
}

const char* const kTexts[] = {
    "Chinese President Xi Jinping congratulated Vladimir Putin on Monday. China and Russia held "
    "joint naval drills with Iran.",
    "India criticized Pakistan on Tuesday. The United States imposed sanctions on Iran.",
    "Germany and France signed an agreement on Wednesday. Japan praised South Korea.",
    "Xi Jinping praised Vladimir Putin. China criticized Japan. Russia did not attack Ukraine.",
};

}  // namespace

TEST_CASE("graph pack: after any write the packed copy loads exactly the rows") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  auto s = store::Store::open(path, symmetric());
  store_text(*s, kTexts[0], "2023-02-28");
  store_text(*s, kTexts[1], "2024-02-29");
  // New databases start packed: nothing was there to mark dirty.
  check_before_and_after_repack(*s);

  SUBCASE("ingest: new relations and evidence updates of packed ones") {
    store_text(*s, kTexts[2], "2024-03-01");
    store_text(*s, kTexts[3], "2025-01-01");
    CHECK(s->dirty_pack_blocks() > 0);
    check_before_and_after_repack(*s);
  }
  SUBCASE("aliases and merges") {
    store_text(*s, kTexts[3], "2025-01-01");
    s->repack_graph();
    const auto xi = s->entity_by_key("xi-jinping");
    const auto china = s->entity_by_key("china");
    REQUIRE(xi.has_value());
    REQUIRE(china.has_value());
    CHECK(s->add_alias(xi->id, "Chairman Xi"));
    check_before_and_after_repack(*s);
    s->merge_entities(china->id, xi->id);
    CHECK(s->dirty_pack_blocks() > 0);
    check_before_and_after_repack(*s);
  }
  SUBCASE("manual SQL: blocks far apart, negative ids, updates, deletes and REPLACE") {
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA foreign_keys = OFF");
      db.exec(
          "INSERT INTO entities (id, key, name, kind) VALUES (5000, 'far', 'Far Away', 'group'), "
          "(-7, 'negative', 'Negative', 'location'), (1048576, 'late', 'Late', 'person')");
      db.exec(
          "INSERT INTO relations (id, type, subject_id, object_id, evidence_count, negated_count, "
          "attributed_count, first_seen, last_seen) VALUES "
          "(3000, 'praises', 5000, -7, 4294967296, 70000, 1, '1969-12-31', '2031-07-04T10:00:00Z'),"
          "(3001, 'no-such-type', 5000, 1048576, 1, 0, 0, 'not a date', ''),"
          "(-3, 'attacks', -7, 5000, 2, 2, 0, '2020-01-01', '2020-02-01'),"
          "(9223372036854775807, 'visits', 1048576, 5000, 1, 0, 0, '2024-01-01', '2024-01-01')");
    }
    check_before_and_after_repack(*s);
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA foreign_keys = OFF");
      db.exec("UPDATE relations SET evidence_count = evidence_count + 5 WHERE id = 3000");
      db.exec("UPDATE relations SET id = 70000 WHERE id = 3001");  // moves to another block
      db.exec("DELETE FROM relations WHERE id = -3");
      db.exec("UPDATE entities SET name = 'Renamed' WHERE id = 5000");
      db.exec("DELETE FROM entities WHERE id = 1048576");
      // REPLACE deletes the colliding rows without firing delete triggers.
      db.exec(
          "INSERT OR REPLACE INTO relations (id, type, subject_id, object_id, first_seen, "
          "last_seen) VALUES (5000000, 'praises', 5000, -7, '2025-05-05', '2025-05-05')");
      db.exec(
          "INSERT OR REPLACE INTO entities (id, key, name, kind) VALUES (2000000, 'far', 'Far', "
          "'group')");
      db.exec(
          "UPDATE OR REPLACE relations SET id = 9223372036854775807 WHERE id = 70000");
    }
    check_before_and_after_repack(*s);
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA foreign_keys = OFF");
      db.exec("DELETE FROM relations");  // every block emptied
      db.exec("DELETE FROM relation_pack WHERE block = 0");  // a blob dropped by hand
    }
    check_before_and_after_repack(*s);
  }
}

TEST_CASE("graph pack: a damaged blob is read from the rows, said once, and repacked") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  auto s = store::Store::open(path, symmetric());
  for (int i = 0; i < 4; ++i) store_text(*s, kTexts[i], "2024-01-0" + std::to_string(i + 1));
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA foreign_keys = OFF");
    db.exec(
        "INSERT INTO relations (id, type, subject_id, object_id, evidence_count, first_seen, "
        "last_seen) SELECT 2048, 'praises', min(id), max(id), 1, '2024-01-01', '2024-01-01' "
        "FROM entities");
  }
  s->repack_graph();
  const char* const kDamage[] = {
      "UPDATE relation_pack SET data = substr(data, 1, 10) WHERE block = 0",       // truncated
      "UPDATE relation_pack SET data = x'' WHERE block = 0",                      // empty
      "UPDATE relation_pack SET data = randomblob(length(data)) WHERE block = 0",  // noise
      "UPDATE relation_pack SET data = data || x'00' WHERE block = 0",            // a byte more
      "UPDATE relation_pack SET data = 'text' WHERE block = 0",                   // not a blob
      // Another block's blob: valid in itself, but for block 2.
      "UPDATE relation_pack SET data = (SELECT data FROM relation_pack WHERE block = 2) "
      "WHERE block = 0",
      "UPDATE entity_pack SET data = substr(data, 1, length(data) - 1) WHERE block = 0",
      "UPDATE entity_pack SET data = (SELECT data FROM relation_pack WHERE block = 2) "
      "WHERE block = 0",  // a relation blob where entities are expected
  };
  for (const char* damage : kDamage) {
    CAPTURE(damage);
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      db.exec(damage);
    }
    CHECK(s->dirty_pack_blocks() == 0);  // nothing marks a damaged blob: the loader must see it
    store::GraphLoadStats stats;
    check_packed_equals_rows(*s, type_names(), &stats);
    CHECK(stats.damaged_blocks == 1);
    const store::RepackOutcome repacked = s->repack_graph();
    CHECK(repacked.relation_blocks + repacked.entity_blocks == 1);
    check_packed_equals_rows(*s, type_names(), &stats);
    CHECK(stats.damaged_blocks == 0);
    CHECK(stats.row_blocks == 0);
  }
}

TEST_CASE("graph pack: the decoders reject every truncation and malformed field") {
  store::pack::RelationBlockEncoder relations(3);
  relations.add(3 * 1024, "praises", 1, 2, 3, 1, 0, 19000, 19010);
  relations.add(3 * 1024 + 5, "no-such-type", -9, 4000000000LL, 4294967295u, 0, 7, -5, 2000000000);
  relations.add(3 * 1024 + 1023, "praises", 7, 7, 0, 0, 0, 0, 0);
  const std::string blob = relations.finish();
  store::pack::EntityBlockEncoder entities(0);
  entities.add(1, "china", "China", "country");
  entities.add(1023, "", "", "person");
  const std::string entity_blob = entities.finish();

  const std::vector<std::string> names = {"attacks", "praises"};
  std::vector<store::GraphRelationRow> rows;
  REQUIRE(store::pack::decode_relations(blob, 3, names, rows).empty());
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].type == 1);
  CHECK(rows[1].type == -1);  // a name the list lacks
  CHECK(rows[1].id == 3 * 1024 + 5);
  CHECK(rows[1].subject == -9);
  CHECK(rows[1].object == 4000000000LL);
  CHECK(rows[1].evidence_count == 4294967295u);
  CHECK(rows[1].first_seen == -5);
  CHECK(rows[1].last_seen == 2000000000);
  CHECK(rows[2].id == 3 * 1024 + 1023);
  // The same blob under another block, or with the other codec, is refused.
  CHECK_FALSE(store::pack::decode_relations(blob, 4, names, rows).empty());
  std::vector<store::EntityRecord> ents;
  CHECK_FALSE(store::pack::decode_entities(blob, 3, ents).empty());
  REQUIRE(store::pack::decode_entities(entity_blob, 0, ents).empty());
  REQUIRE(ents.size() == 2);
  CHECK(ents[0].key == "china");
  CHECK(ents[1].kind == "person");

  // Every truncation fails; so does every changed byte (the checksum), and with the checksum
  // recomputed, every changed byte either fails the structural checks or decodes to rows that
  // stay inside the block in increasing id order.
  auto sane = [](const std::vector<store::GraphRelationRow>& r) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (store::pack::block_of(r[i].id) != 3) return false;
      if (i > 0 && r[i].id <= r[i - 1].id) return false;
    }
    return r.size() <= 1024;
  };
  for (size_t n = 0; n < blob.size(); ++n) {
    CHECK_FALSE(store::pack::decode_relations(blob.substr(0, n), 3, names, rows).empty());
    CHECK(rows.empty());
  }
  for (size_t at = 0; at < blob.size(); ++at) {
    for (int delta : {1, 0x40, 0x80, 0xff}) {
      std::string bad = blob;
      bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) + delta);
      CHECK_FALSE(store::pack::decode_relations(bad, 3, names, rows).empty());
      store::pack::reseal(bad);
      const std::string problem = store::pack::decode_relations(bad, 3, names, rows);
      CHECK((problem.empty() ? sane(rows) : rows.empty()));
    }
  }
  for (size_t at = 0; at < entity_blob.size(); ++at) {
    std::string bad = entity_blob;
    bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ 0x81);
    store::pack::reseal(bad);
    const std::string problem = store::pack::decode_entities(bad, 0, ents);
    CHECK((problem.empty() ? ents.size() <= 1024 : ents.empty()));
  }
}

TEST_CASE("graph pack: types map by name, so a changed list of relation types cannot mis-map") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  for (int i = 0; i < 4; ++i) store_text(*s, kTexts[i], "2024-01-0" + std::to_string(i + 1));
  s->repack_graph();
  std::vector<std::string> reordered = type_names();
  std::reverse(reordered.begin(), reordered.end());
  reordered.erase(reordered.begin() + 2);  // one type the ontology no longer has
  reordered.push_back("a-new-type");
  store::GraphLoadStats stats;
  check_packed_equals_rows(*s, reordered, &stats);
  CHECK(stats.row_blocks == 0);
  CHECK(stats.packed_blocks > 0);
}

TEST_CASE("graph pack: a version 3 database is packed when it is upgraded") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (size_t i = 0; i < 3; ++i) db.exec(std::string(schema::migrations()[i].content));
    db.exec("PRAGMA user_version = 3");
    db.exec(
        "INSERT INTO entities (id, key, name, kind) VALUES (1, 'china', 'China', 'country'), "
        "(2, 'russia', 'Russia', 'country'), (4000, 'iran', 'Iran', 'country')");
    db.exec(
        "INSERT INTO relations (id, type, subject_id, object_id, evidence_count, first_seen, "
        "last_seen) VALUES (1, 'drills-with', 1, 2, 1, '2024-01-01', '2024-02-01'), "
        "(5000, 'supports', 4000, 2, 3, '2023-01-01', '2024-02-01')");
  }
  auto s = store::Store::open(path, symmetric());
  CHECK(s->schema_version() == 4);
  CHECK(s->dirty_pack_blocks() == 0);
  store::GraphLoadStats stats;
  check_packed_equals_rows(*s, type_names(), &stats);
  CHECK(stats.packed_blocks == 4);  // entities: blocks 0 and 3; relations: blocks 0 and 4
  CHECK(stats.row_blocks == 0);
}

TEST_CASE("graph pack: the service repacks in the background after start-up and merges") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  {
    auto s = store::Store::open(path, symmetric());
    for (int i = 0; i < 4; ++i) store_text(*s, kTexts[i], "2024-01-0" + std::to_string(i + 1));
    CHECK(s->dirty_pack_blocks() > 0);  // nobody repacked
  }
  server::ServiceOptions options;
  options.repack_delay = std::chrono::milliseconds(0);
  server::Service svc(knowledge(), store::Store::open(path, symmetric()), options);
  CHECK(svc.last_load_stats().row_blocks > 0);
  svc.wait_for_repack();
  CHECK(svc.store().dirty_pack_blocks() == 0);
  const auto xi = svc.store().entity_by_key("xi-jinping");
  const auto putin = svc.store().entity_by_key("vladimir-putin");
  REQUIRE(xi.has_value());
  REQUIRE(putin.has_value());
  svc.merge_entities(putin->id, xi->id);
  CHECK(svc.snapshot()->entity(xi->id) == std::nullopt);
  svc.wait_for_repack();
  CHECK(svc.store().dirty_pack_blocks() == 0);
  check_packed_equals_rows(svc.store(), type_names());
  // The rows-only source gives the same graph.
  server::ServiceOptions rows_only;
  rows_only.graph_source = store::GraphSource::rows;
  rows_only.repack_in_background = false;
  server::Service other(knowledge(), store::Store::open(path, symmetric()), rows_only);
  CHECK(other.snapshot()->relation_count() == svc.snapshot()->relation_count());
  CHECK(other.snapshot()->entity_count() == svc.snapshot()->entity_count());
}
