// Unit tests of store/: migrations, idempotent ingest, aggregation of relations and
// evidence, entity resolution across articles, search and keyset pages.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>

#include "schema/embedded.h"
#include "server/knowledge_loader.h"
#include "store/store.h"
#include "support/bundled_knowledge.h"
#include "support/fixtures.h"

namespace {

using namespace relgraph;
using relgraph::testing::TempDir;

const ingest::Knowledge& knowledge() { return relgraph::testing::bundled_knowledge(); }
std::vector<std::string> symmetric() { return relgraph::testing::symmetric_type_names(); }

store::IngestOutcome store_text(store::Store& s, const std::string& text,
                            const std::string& date = "2024-03-18") {
  store::ArticleInput a;
  a.text = text;
  a.title = "test";
  a.published_at = date;
  return s.ingest(a, ingest::extract(text, ingest::days_from_iso(date), knowledge()), knowledge());
}

}  // namespace

TEST_CASE("a new database is migrated to the latest schema version") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  CHECK(s->schema_version() == 4);
  s.reset();
  // Re-opening applies nothing twice.
  auto again = store::Store::open((dir.path() / "g.db").string(), symmetric());
  CHECK(again->schema_version() == 4);
}

TEST_CASE("a version 1 database keeps its evidence through the evidence-key migration") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(schema::migrations()[0].content));
    db.exec("PRAGMA user_version = 1");
    db.exec("INSERT INTO articles(id, text_hash, published_day, ingested_at, text) VALUES (7, 'h', "
            "'2025-01-27', '2025-01-27T00:00:00Z', 'Kinshasa accuses Kigali.')");
    db.exec("INSERT INTO entities(id, key, name, kind) VALUES (1, 'rwanda', 'Rwanda', 'country'), "
            "(2, 'm23', 'M23', 'organization')");
    db.exec("INSERT INTO relations(id, type, subject_id, object_id, evidence_count, "
            "attributed_count, first_seen, last_seen) VALUES (5, 'supports', 1, 2, 1, 1, "
            "'2025-01-27', '2025-01-27')");
    db.exec("INSERT INTO evidence(id, relation_id, article_id, sentence_index, char_start, "
            "char_end, sentence, negated, attributed, confidence) VALUES (11, 5, 7, 0, 0, 24, "
            "'Kinshasa accuses Kigali.', 0, 1, 0.8)");
  }
  auto s = store::Store::open(path, symmetric());
  CHECK(s->schema_version() == 4);
  s.reset();
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  CHECK(db.execAndGet("SELECT count(*) FROM evidence WHERE id = 11 AND relation_id = 5 AND "
                      "attributed = 1").getInt() == 1);
  // The same sentence may now hold the denial too; an exact repeat is still refused.
  db.exec("INSERT INTO evidence(relation_id, article_id, sentence_index, char_start, char_end, "
          "sentence, negated, attributed, confidence) VALUES (5, 7, 0, 0, 24, 's', 1, 0, 0.8)");
  CHECK_THROWS(db.exec("INSERT INTO evidence(relation_id, article_id, sentence_index, char_start, "
                       "char_end, sentence, negated, attributed, confidence) VALUES (5, 7, 0, 0, "
                       "24, 's', 1, 0, 0.8)"));
  CHECK(db.execAndGet("SELECT count(*) FROM pragma_index_list('evidence') WHERE name = "
                      "'evidence_by_article'").getInt() == 1);
}

TEST_CASE("a database from a newer relgraph is refused, not damaged") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA user_version = 99");
  }
  CHECK_THROWS_AS(store::Store::open(path, symmetric()), store::StoreError);
}

TEST_CASE("the same text is stored once") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  const std::string text = relgraph::testing::fixture_text("seed-article");
  const auto first = store_text(*s, text);
  CHECK_FALSE(first.duplicate);
  CHECK_FALSE(first.evidence.empty());
  const auto stats = s->stats();
  const auto second = store_text(*s, text);
  CHECK(second.duplicate);
  CHECK(second.article.id == first.article.id);
  CHECK(second.evidence.size() == first.evidence.size());
  CHECK(second.entities.size() == first.entities.size());
  CHECK(second.changed_relations.empty());
  const auto after = s->stats();
  CHECK(after.articles == stats.articles);
  CHECK(after.relations == stats.relations);
  CHECK(after.evidence == stats.evidence);
}

TEST_CASE("one relation per fact, one evidence row per sentence that states it") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  store_text(*s, "China and Russia held joint military exercises on Monday. The joint military "
             "exercises between Russia and China lasted a week.");
  store_text(*s, "Russia and China staged joint naval drills in July.", "2024-07-01");
  auto page = s->relations({{"drills-with"}, {}, {}, {}, {}}, 100, std::nullopt);
  REQUIRE(page.items.size() == 1);  // the symmetric pair is stored once
  const auto& r = page.items[0];
  CHECK(r.evidence_count == 3);
  CHECK(r.first_seen == "2024-03-18");
  CHECK(r.last_seen == "2024-07-01");
  auto ev = s->relation_evidence(r.id, 100, std::nullopt);
  CHECK(ev.items.size() == 3);
  for (const auto& e : ev.items) {
    auto a = s->article(e.article_id, true);
    REQUIRE(a);
    CHECK(a->text.substr(e.char_start, e.char_end - e.char_start) == e.sentence);
  }
}

TEST_CASE("entities resolve to one stored entity across articles and names") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  store_text(*s, "Russian President Vladimir Putin met Chinese President Xi Jinping.");
  store_text(*s, "Putin praised Beijing on Monday.");
  const auto named = s->entities_named("putin");
  REQUIRE(named.size() == 1);
  CHECK(named[0].key == "vladimir-putin");
  CHECK(s->entities_named("VLADIMIR PUTIN").size() == 1);
  auto found = s->search_entities("puti", "", 10, std::nullopt);
  REQUIRE(found.items.size() == 1);
  CHECK(found.items[0].name == "Vladimir Putin");
  CHECK(s->search_entities("putin", "country", 10, std::nullopt).items.empty());
}

TEST_CASE("keyset pages list every entity exactly once") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  store_text(*s, relgraph::testing::fixture_text("seed-article"));
  const auto all = s->search_entities("", "", 1000, std::nullopt);
  std::vector<int64_t> paged;
  std::optional<int64_t> cursor;
  do {
    auto page = s->search_entities("", "", 3, cursor);
    CHECK(page.items.size() <= 3);
    for (const auto& e : page.items) paged.push_back(e.id);
    cursor = page.next_cursor;
  } while (cursor);
  REQUIRE(paged.size() == all.items.size());
  for (size_t i = 0; i < paged.size(); ++i) CHECK(paged[i] == all.items[i].id);
}

TEST_CASE("full-text search finds articles by their words") {
  TempDir dir;
  auto s = store::Store::open((dir.path() / "g.db").string(), symmetric());
  store_text(*s, relgraph::testing::fixture_text("seed-article"));
  store_text(*s, "Japan and the Philippines signed a defence pact.");
  CHECK(s->search_articles("congratulations", 10, std::nullopt).items.size() == 1);
  CHECK(s->search_articles("philippines pact", 10, std::nullopt).items.size() == 1);
  CHECK(s->search_articles("\"unbalanced quote AND OR (", 10, std::nullopt).items.empty());
}

// load_graph is the start-up path: it must give exactly the rows scan_graph gives, with the
// type as its index among the names given (-1 for others) and dates as day numbers.
TEST_CASE("load_graph gives scan_graph's rows as integers") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  auto s = store::Store::open(path, symmetric());
  store_text(*s, "Vladimir Putin met Xi Jinping in Beijing. Russia and China held joint drills.",
             "2023-02-28");
  store_text(*s, "Xi Jinping praised Vladimir Putin. China criticized Japan.", "2024-02-29");
  {
    // A row of a type the given names lack, and dates the general parser reads too.
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO relations (type, subject_id, object_id, evidence_count, negated_count, "
        "attributed_count, first_seen, last_seen) SELECT 'no-such-type', min(id), max(id), 3, "
        "1, 2, '1969-12-31', '2031-07-04T10:00:00Z' FROM entities");
  }
  std::vector<std::string> names;
  for (const auto& t : knowledge().relation_types()) names.push_back(t.name);

  std::vector<store::EntityRecord> entities;
  std::vector<store::RelationRecord> relations;
  s->scan_graph([&](const store::EntityRecord& e) { entities.push_back(e); },
                [&](const store::RelationRecord& r) { relations.push_back(r); });
  REQUIRE(relations.size() >= 4);
  const store::GraphRows rows = s->load_graph(names);
  REQUIRE(rows.entities.size() == entities.size());
  for (size_t i = 0; i < entities.size(); ++i) {
    CHECK(rows.entities[i].id == entities[i].id);
    CHECK(rows.entities[i].key == entities[i].key);
    CHECK(rows.entities[i].name == entities[i].name);
    CHECK(rows.entities[i].kind == entities[i].kind);
  }
  REQUIRE(rows.relations.size() == relations.size());
  for (size_t i = 0; i < relations.size(); ++i) {
    const store::RelationRecord& want = relations[i];
    const store::GraphRelationRow& got = rows.relations[i];
    CAPTURE(want.type);
    CHECK(got.id == want.id);
    const auto type = knowledge().relation_type(want.type);
    CHECK(got.type == (type ? static_cast<int32_t>(*type) : -1));
    CHECK(got.subject == want.subject);
    CHECK(got.object == want.object);
    CHECK(got.evidence_count == want.evidence_count);
    CHECK(got.negated_count == want.negated_count);
    CHECK(got.attributed_count == want.attributed_count);
    CHECK(got.first_seen == ingest::days_from_iso(want.first_seen).value_or(0));
    CHECK(got.last_seen == ingest::days_from_iso(want.last_seen).value_or(0));
  }
  CHECK(rows.relations.back().type == -1);
  CHECK(rows.relations.back().first_seen == -1);
  CHECK(rows.relations.back().last_seen == ingest::days_from_iso("2031-07-04").value());
}

// The streaming form is what the server starts from: the same rows as the vector form, in id
// order, with the capacity hint before the first relation, also when ids have gaps.
TEST_CASE("load_graph hands a sink the rows it returns, across gaps in the ids") {
  TempDir dir;
  const std::string path = (dir.path() / "g.db").string();
  auto s = store::Store::open(path, symmetric());
  store_text(*s, "Vladimir Putin met Xi Jinping in Beijing. Russia and China held joint drills.",
             "2023-02-28");
  store_text(*s, "Xi Jinping praised Vladimir Putin. China criticized Japan.", "2024-02-29");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA foreign_keys = OFF");
    db.exec("DELETE FROM evidence WHERE relation_id = (SELECT min(id) + 1 FROM relations)");
    db.exec("DELETE FROM relations WHERE id = (SELECT min(id) + 1 FROM relations)");
    db.exec(
        "INSERT INTO relations (id, type, subject_id, object_id, evidence_count, negated_count, "
        "attributed_count, first_seen, last_seen) SELECT 1000000, 'praises', min(id), max(id), "
        "1, 0, 0, '2024-01-01', '2024-01-02' FROM entities");
  }
  std::vector<std::string> names;
  for (const auto& t : knowledge().relation_types()) names.push_back(t.name);
  const store::GraphRows rows = s->load_graph(names);

  struct Sink : store::GraphRowSink {
    std::vector<store::EntityRecord> entities;
    std::vector<store::GraphRelationRow> relations;
    size_t hint = 0;
    int hints = 0;
    void entity(store::EntityRecord& row) override { entities.push_back(std::move(row)); }
    void expect_relations(size_t count) override {
      CHECK(relations.empty());
      hint = count;
      ++hints;
    }
    void relation(const store::GraphRelationRow& row) override { relations.push_back(row); }
  } sink;
  s->load_graph(names, sink);
  CHECK(sink.hints == 1);
  CHECK(sink.hint >= sink.relations.size());
  // The ids span 1..1,000,000, but the relations lie in two blocks of 1024 ids: the hint is
  // bounded by the blocks (each counted once packed and once dirty at most), not the span.
  CHECK(sink.hint <= 4 * 1024);
  REQUIRE(sink.entities.size() == rows.entities.size());
  for (size_t i = 0; i < rows.entities.size(); ++i) {
    CHECK(sink.entities[i].id == rows.entities[i].id);
    CHECK(sink.entities[i].key == rows.entities[i].key);
  }
  REQUIRE(sink.relations.size() == rows.relations.size());
  REQUIRE(rows.relations.size() >= 4);
  CHECK(rows.relations[1].id > rows.relations[0].id + 1);  // the gap
  CHECK(rows.relations.back().id == 1000000);
  for (size_t i = 0; i < rows.relations.size(); ++i) {
    CHECK(sink.relations[i].id == rows.relations[i].id);
    CHECK(sink.relations[i].type == rows.relations[i].type);
    CHECK(sink.relations[i].subject == rows.relations[i].subject);
    CHECK(sink.relations[i].last_seen == rows.relations[i].last_seen);
  }
}
