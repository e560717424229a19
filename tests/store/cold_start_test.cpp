// Cold start from a snapshot image: the store's state (StoreState) moves with every write, and a
// Service started over an image serves exactly what the store holds: the image is used only
// while it matches, and a write made before a restart is always visible after it.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "server/knowledge_loader.h"
#include "server/service.h"
#include "store/store.h"
#include "support/bundled_knowledge.h"
#include "support/fixtures.h"

namespace {

using namespace relgraph;
using relgraph::testing::TempDir;

const ingest::Knowledge& knowledge() { return relgraph::testing::bundled_knowledge(); }
std::vector<std::string> symmetric() { return relgraph::testing::symmetric_type_names(); }

store::ArticleInput article(const std::string& text) {
  store::ArticleInput a;
  a.text = text;
  a.title = "test";
  a.published_at = "2024-03-18";
  return a;
}

const char* const kTexts[] = {
    "Chinese President Xi Jinping congratulated Vladimir Putin on Monday. China and Russia held "
    "joint naval drills with Iran.",
    "India criticized Pakistan on Tuesday. The United States imposed sanctions on Iran.",
    "Germany and France signed an agreement on Wednesday. Japan praised South Korea.",
};

// A Service over the database at `db`, with its snapshot image at `db` + ".graph-image".
std::unique_ptr<server::Service> start(const std::string& db) {
  server::ServiceOptions options;
  options.snapshot_image = db + ".graph-image";
  return std::make_unique<server::Service>(knowledge(), store::Store::open(db, symmetric()),
                                           options);
}

// The service's snapshot holds exactly the store's entities and relations.
void check_matches_store(server::Service& svc) {
  std::vector<std::string> type_names;
  for (const auto& t : knowledge().relation_types()) type_names.push_back(t.name);
  const store::GraphRows rows = svc.store().load_graph(type_names);
  const auto snap = svc.snapshot();
  REQUIRE(snap->entity_count() == rows.entities.size());
  REQUIRE(snap->relation_count() == rows.relations.size());
  for (const auto& e : rows.entities) {
    const std::optional<graph::EntityView> row = snap->entity(e.id);
    REQUIRE(row.has_value());
    CHECK(row->key == e.key);
    CHECK(row->name == e.name);
    CHECK(row->kind == e.kind);
  }
  for (const auto& r : rows.relations) {
    const auto row = snap->relation(r.id);
    REQUIRE(row.has_value());
    CHECK(row->type == r.type);
    CHECK(row->subject == r.subject);
    CHECK(row->object == r.object);
    CHECK(row->evidence_count == r.evidence_count);
    CHECK(row->negated_count == r.negated_count);
    CHECK(row->attributed_count == r.attributed_count);
    CHECK(row->first_seen == r.first_seen);
    CHECK(row->last_seen == r.last_seen);
  }
}

}  // namespace

TEST_CASE("store state: every write changes the generation; reopening does not") {
  TempDir dir;
  const std::string db = (dir.path() / "g.db").string();
  store::StoreState before;
  {
    auto s = store::Store::open(db, symmetric());
    before = s->state();
    CHECK(before.schema_version == 4);
    CHECK(s->state() == before);
    s->ingest(article(kTexts[0]), ingest::extract(kTexts[0], std::nullopt, knowledge()),
              knowledge());
    const store::StoreState after = s->state();
    CHECK(after.generation != before.generation);
    CHECK(after.store_id == before.store_id);
    CHECK(after.max_relation_id > 0);
    CHECK(s->add_alias(after.max_entity_id, "Some Alias"));
    CHECK(s->state().generation != after.generation);
    before = s->state();
  }
  auto again = store::Store::open(db, symmetric());
  CHECK(again->state() == before);
  // Another database has another id, even at the same generation.
  auto other = store::Store::open((dir.path() / "h.db").string(), symmetric());
  CHECK(other->state().store_id != before.store_id);
}

TEST_CASE("store state: a backup written to as often as the original does not take its state") {
  TempDir dir;
  const std::string db = (dir.path() / "g.db").string();
  const std::string copy = (dir.path() / "copy.db").string();
  auto original = store::Store::open(db, symmetric());
  original->ingest(article(kTexts[0]), ingest::extract(kTexts[0], std::nullopt, knowledge()),
                   knowledge());
  store::Store::backup(db, copy);
  auto restored = store::Store::open(copy, symmetric());
  CHECK(restored->state() == original->state());  // same content, same state
  // One write each, of different articles: same store id, same number of writes since.
  original->ingest(article(kTexts[1]), ingest::extract(kTexts[1], std::nullopt, knowledge()),
                   knowledge());
  restored->ingest(article(kTexts[2]), ingest::extract(kTexts[2], std::nullopt, knowledge()),
                   knowledge());
  CHECK(restored->state().store_id == original->state().store_id);
  CHECK(restored->state().generation != original->state().generation);
}

TEST_CASE("cold start: the image is used only while it matches the store; writes before a restart are visible after it") {
  TempDir dir;
  const std::string db = (dir.path() / "g.db").string();
  const std::string image = db + ".graph-image";
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "store");
    svc->ingest(article(kTexts[0]));
  }
  // The image written at the first start predates the ingest: stale, so the store is read.
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "store");
    CHECK(svc->snapshot()->relation_count() > 0);
    check_matches_store(*svc);
  }
  // Nothing was written since: the image is current.
  size_t relations = 0;
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "image");
    check_matches_store(*svc);
    CHECK(svc->snapshot_has_all_relations());
    relations = svc->snapshot()->relation_count();
    svc->ingest(article(kTexts[1]));
    CHECK(svc->snapshot()->relation_count() > relations);
  }
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "store");
    CHECK(svc->snapshot()->relation_count() > relations);
    check_matches_store(*svc);
  }
  // A write through the store alone, with no Service to see it, also makes the image stale.
  {
    auto s = store::Store::open(db, symmetric());
    s->ingest(article(kTexts[2]), ingest::extract(kTexts[2], std::nullopt, knowledge()),
              knowledge());
  }
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "store");
    check_matches_store(*svc);
  }
  // A damaged image is refused, the store is read, and a good image replaces it.
  {
    std::string bytes;
    {
      std::ifstream in(image, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    REQUIRE(bytes.size() > 1000);
    bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x5a);
    std::ofstream(image, std::ios::binary | std::ios::trunc) << bytes;
  }
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "store");
    check_matches_store(*svc);
  }
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "image");
    check_matches_store(*svc);
  }
  // Curation rewrites rows: after a restart the merge is there.
  {
    auto svc = start(db);
    const auto before = svc->snapshot()->entity_count();
    const auto rows = svc->store().load_graph({});
    REQUIRE(rows.entities.size() >= 2);
    svc->merge_entities(rows.entities[0].id, rows.entities[1].id);
    CHECK(svc->snapshot()->entity_count() == before - 1);
  }
  {
    auto svc = start(db);
    CHECK(svc->started_from() == "store");
    check_matches_store(*svc);
  }
}

TEST_CASE("cold start: without an image path nothing is read or written beside the database") {
  TempDir dir;
  const std::string db = (dir.path() / "g.db").string();
  {
    server::Service svc(knowledge(), store::Store::open(db, symmetric()));
    CHECK(svc.started_from() == "store");
  }
  CHECK(!std::filesystem::exists(db + ".graph-image"));
}
