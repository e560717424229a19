// The answers served most often are written as JSON text and partly served from the graph
// snapshot and an alias cache instead of SQLite (for speed). These tests pin that they are
// the same answers: the same text as nlohmann would write, the same relation lists, pages and
// cursors as the store gives, and aliases that follow curation at once.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <limits>
#include <map>
#include <random>

#include "ingest/text.h"
#include "server/article_input.h"
#include "server/json_text.h"
#include "support/fixtures.h"
#include "support/fixture_server.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

std::string nlohmann_text(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string written(const std::string& s) {
  std::string out = "x";  // text before it must stay
  relgraph::server::append_json_string(out, s);
  return out.substr(1);
}

json call(httplib::Result r, int status = 200) {
  REQUIRE(r);
  INFO(r->body.substr(0, 400));
  CHECK(r->status == status);
  return json::parse(r->body);
}


// Every page of a list, following next_cursor.
json all_pages(httplib::Client& c, const std::string& path, int limit) {
  json items = json::array();
  std::string cursor;
  for (int pages = 0; pages < 10000; ++pages) {
    const json page = call(c.Get(path + "&limit=" + std::to_string(limit) +
                                 (cursor.empty() ? "" : "&cursor=" + cursor)));
    for (const auto& r : page["relations"]) items.push_back(r);
    CHECK(page["relations"].size() <= static_cast<size_t>(limit));
    if (!page.contains("next_cursor")) break;
    CHECK(page["relations"].size() == static_cast<size_t>(limit));
    cursor = page["next_cursor"];
  }
  return items;
}

}  // namespace

TEST_CASE("JSON strings are written as nlohmann writes them, invalid UTF-8 included") {
  for (const std::string& s :
       {std::string(""), std::string("Vladimir Putin"), std::string("quote \" and \\ backslash"),
        std::string("tab\tnew\nline\rcr\bbs\fff"), std::string("\x01\x1f\x7f", 3),
        std::string("nul \0 inside", 12), std::string("Assimi Goïta, Côte d’Ivoire, 習近平, 😀"),
        std::string("lone \x80 continuation"), std::string("cut \xc3"), std::string("overlong \xc0\x80"),
        std::string("surrogate \xed\xa0\x80"), std::string("too big \xf4\x90\x80\x80"),
        std::string("\xf5\xff\xfe"), std::string("ok é then bad \xe2\x82 and \" after")}) {
    INFO(s);
    CHECK(written(s) == nlohmann_text(s));
  }
  std::mt19937 rng(7);
  const std::string alphabet = std::string("ab\"\\\n\x01 ", 8) + "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x80\xbf\xed\xf4";
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    REQUIRE(written(s) == nlohmann_text(s));
  }
}

TEST_CASE("numbers, booleans and dates are written as nlohmann and iso_from_days write them") {
  for (double d : {0.0, 1.0, 3.0, 0.5, 2.25, 1.0 / 3.0, 1e-7, 123456789.125, -4.0}) {
    std::string out;
    relgraph::server::append_json_double(out, d);
    CHECK(out == json(d).dump());
  }
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{42}, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    std::string out;
    relgraph::server::append_json_int(out, v);
    CHECK(out == json(v).dump());
  }
  for (int32_t day = -800000; day <= 800000; day += 97) {
    std::string out;
    relgraph::server::append_json_date(out, day);
    REQUIRE(out == "\"" + relgraph::ingest::iso_from_days(day) + "\"");
  }
}

TEST_CASE("an entity's relation list from the graph is the store's list: rows, pages, cursors") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  relgraph::testing::post_fixture_articles(s);
  auto c = s.client();
  const json entities = call(c.Get("/v1/entities?limit=1000"))["entities"];
  REQUIRE(entities.size() > 10);
  bool saw_denied = false;
  for (const auto& e : entities) {
    const std::string id = std::to_string(e["id"].get<int64_t>());
    // /v1/relations is answered by the store: subject= is direction out, object= is in.
    const json out = all_pages(c, "/v1/relations?subject=" + id, 1000);
    const json in = all_pages(c, "/v1/relations?object=" + id, 1000);
    std::map<int64_t, json> both;
    for (const auto& r : out) both[r["id"]] = r;
    for (const auto& r : in) both[r["id"]] = r;
    json both_list = json::array();
    for (auto& [rid, r] : both) both_list.push_back(r);
    INFO("entity " << e["key"]);
    CHECK(all_pages(c, "/v1/entities/" + id + "/relations?direction=out", 1000) == out);
    CHECK(all_pages(c, "/v1/entities/" + id + "/relations?direction=in", 1000) == in);
    CHECK(all_pages(c, "/v1/entities/" + id + "/relations?direction=both", 1000) == both_list);
    // Small pages give the same rows, in the same order.
    CHECK(all_pages(c, "/v1/entities/" + id + "/relations?direction=both", 2) == both_list);
    for (const auto& r : both_list)
      if (r["negated_count"] == r["evidence_count"]) saw_denied = true;
    // A type filter, as the store applies it.
    json typed = json::array();
    for (const auto& r : both_list)
      if (r["type"] == "criticizes" || r["type"] == "meets-with") typed.push_back(r);
    CHECK(all_pages(c, "/v1/entities/" + id + "/relations?types=criticizes,meets-with", 1) == typed);
    const json first = call(c.Get("/v1/entities/" + id + "/relations"));
    CHECK(first["entity"]["id"] == e["id"]);
    CHECK(first["entity"]["key"] == e["key"]);
  }
  // Relations the text denies are listed too (the graph leaves them out of traversals).
  CHECK(saw_denied);
  call(c.Get("/v1/entities/china/relations?cursor=abc"), 400);
  call(c.Get("/v1/entities/china/relations?types=nonsense"), 400);
  call(c.Get("/v1/entities/nobody-at-all/relations"), 404);
}

TEST_CASE("a relation of a type the ontology lacks is still listed (from the store)") {
  TempDir dir;
  const auto db = dir.path() / "g.db";
  {
    TestServer s(db);
    relgraph::testing::post_fixture_articles(s);
  }
  {
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    raw.exec("INSERT INTO relations(type, subject_id, object_id, evidence_count, first_seen, last_seen) "
             "SELECT 'retired-type', a.id, b.id, 1, '2020-01-01', '2020-01-01' FROM entities a, "
             "entities b WHERE a.key = 'china' AND b.key = 'iran'");
  }
  TestServer s(db);
  auto c = s.client();
  const json rels = all_pages(c, "/v1/entities/china/relations?direction=out", 1000);
  int found = 0;
  for (const auto& r : rels)
    if (r["type"] == "retired-type") {
      ++found;
      CHECK(r["symmetric"] == false);
      CHECK(r["object"]["key"] == "iran");
    }
  CHECK(found == 1);
}

TEST_CASE("graph answers list aliases added after the entity was first returned") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  call(c.Post("/v1/articles",
              json({{"text", relgraph::testing::fixture_text("seed-article")}}).dump(),
              "application/json"),
       201);
  auto has_alias = [](const json& nodes, const std::string& key, const std::string& alias) {
    for (const auto& n : nodes)
      if (n["key"] == key)
        return std::find(n["aliases"].begin(), n["aliases"].end(), alias) != n["aliases"].end();
    return false;
  };
  // Asked once (the aliases are now cached), then an alias is added.
  const json before = call(c.Get("/v1/paths?from=vladimir-putin&to=Iran"));
  REQUIRE(before["paths"].size() == 1);
  CHECK_FALSE(has_alias(before["paths"][0]["nodes"], "vladimir-putin", "The Tsar"));
  call(c.Get("/v1/neighborhood?entity=vladimir-putin"));
  call(c.Post("/v1/entities/vladimir-putin/aliases", R"({"alias": "The Tsar"})", "application/json"), 201);
  const json after = call(c.Get("/v1/paths?from=vladimir-putin&to=Iran"));
  CHECK(has_alias(after["paths"][0]["nodes"], "vladimir-putin", "The Tsar"));
  const json nb = call(c.Get("/v1/neighborhood?entity=vladimir-putin"));
  CHECK(has_alias(nb["nodes"], "vladimir-putin", "The Tsar"));
  CHECK(std::find(nb["center"]["aliases"].begin(), nb["center"]["aliases"].end(), "The Tsar") !=
        nb["center"]["aliases"].end());
  CHECK_FALSE(nb["center"].contains("distance"));
  CHECK(nb["nodes"][0]["distance"] == 0);
}
