// Integration tests: the real server on a free port with a temporary database, spoken to
// over HTTP as a client would. What api.md promises, and the core issue's acceptance.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdio>
#include <set>

#include "ingest/evaluation.h"
#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

json body_of(const httplib::Result& r) {
  REQUIRE(r);
  INFO("body: " << r->body);
  CHECK(r->get_header_value("Content-Type").find("application/json") == 0);
  json j = json::parse(r->body, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

json get(const TestServer& s, const std::string& path, int status = 200) {
  auto c = s.client();
  auto r = c.Get(path);
  REQUIRE(r);
  INFO(path << " -> " << r->status << " " << r->body);
  CHECK(r->status == status);
  return body_of(r);
}

json post_article(const TestServer& s, const json& article, int status = 201) {
  auto c = s.client();
  auto r = c.Post("/v1/articles", article.dump(), "application/json");
  REQUIRE(r);
  INFO(r->body.substr(0, 300));
  CHECK(r->status == status);
  return body_of(r);
}

json seed_article() {
  return {{"text", relgraph::testing::fixture_text("seed-article")},
          {"title", "Xi congratulates Putin on re-election"},
          {"published_at", "2024-03-18"}};
}

std::string q(const std::string& s) { return httplib::detail::encode_query_param(s); }

// "type(subject, object)" for every plain or flagged evidence row of an ingest answer.
std::set<std::string> relation_lines(const json& answer) {
  std::set<std::string> out;
  for (const auto& e : answer["relations"]) {
    std::string line = e["type"].get<std::string>() + "(" + e["subject"]["name"].get<std::string>() +
                       ", " + e["object"]["name"].get<std::string>() + ")";
    if (e["negated"].get<bool>()) line += " negated";
    if (e["attributed"].get<bool>()) line += " attributed";
    out.insert(line);
  }
  return out;
}

std::set<std::string> node_names(const json& nodes) {
  std::set<std::string> out;
  for (const auto& n : nodes) out.insert(n["name"].get<std::string>());
  return out;
}

void check_error(const json& body, const std::string& code) {
  REQUIRE(body.contains("error"));
  CHECK(body["error"]["code"] == code);
  CHECK_FALSE(body["error"]["message"].get<std::string>().empty());
}

}  // namespace

TEST_CASE("seed article acceptance over HTTP") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const json answer = post_article(s, seed_article(), 201);
  CHECK(answer["duplicate"] == false);
  const auto lines = relation_lines(answer);
  CHECK(lines.count("congratulates(Xi Jinping, Vladimir Putin)"));
  CHECK(lines.count("attacks(Russia, Ukraine)"));
  CHECK(lines.count("affiliated-with(Ja Ian Chong, National University of Singapore)"));
  CHECK(lines.count("affiliated-with(Wang Yiwei, Renmin University of China)"));
  CHECK_FALSE(lines.count("supports(China, Russia)"));  // only denied or alleged

  // Every relation carries its sentence and offsets into the article text.
  const json article = get(s, "/v1/articles/" + std::to_string(answer["article"]["id"].get<int>()));
  const std::string text = article["text"];
  for (const auto& e : answer["relations"]) {
    const size_t b = e["char_start"], end = e["char_end"];
    CHECK(text.substr(b, end - b) == e["sentence"].get<std::string>());
  }
  bool congratulation_sentence = false;
  for (const auto& e : answer["relations"])
    if (e["type"] == "congratulates")
      congratulation_sentence = e["sentence"].get<std::string>().rfind(
                                    "Chinese President Xi Jinping extended congratulations", 0) == 0;
  CHECK(congratulation_sentence);

  // Symmetric relations: every pair of the drill, and trade.
  const json drills = get(s, "/v1/relations?type=drills-with");
  std::set<std::set<std::string>> pairs;
  for (const auto& r : drills["relations"])
    pairs.insert({r["subject"]["name"].get<std::string>(), r["object"]["name"].get<std::string>()});
  CHECK(pairs == std::set<std::set<std::string>>{{"China", "Russia"}, {"China", "Iran"}, {"Russia", "Iran"}});
  CHECK(get(s, "/v1/relations?type=trades-with&subject=China&object=Russia")["relations"].size() == 1);
  CHECK(get(s, "/v1/relations?type=trades-with&subject=Russia&object=China")["relations"].size() == 1);

  // The same text again: 200, duplicate, nothing stored twice.
  const json before = get(s, "/v1/stats");
  const json again = post_article(s, seed_article(), 200);
  CHECK(again["duplicate"] == true);
  CHECK(again["article"]["id"] == answer["article"]["id"]);
  const json after = get(s, "/v1/stats");
  for (const char* k : {"articles", "entities", "relations", "evidence"}) CHECK(after[k] == before[k]);

  // Paths and neighbourhoods.
  const json path = get(s, "/v1/paths?from=" + q("Xi Jinping") + "&to=Iran");
  REQUIRE(path["paths"].size() == 1);
  CHECK(path["paths"][0]["length"].get<int>() <= 3);
  CHECK(path["paths"][0]["nodes"][0]["name"] == "Xi Jinping");
  CHECK(path["paths"][0]["nodes"].back()["name"] == "Iran");
  CHECK(path["truncated"] == false);
  CHECK(path["graph_version"].get<int>() >= 2);
  const json drill_path = get(s, "/v1/paths?from=China&to=Iran&types=drills-with");
  REQUIRE(drill_path["paths"].size() == 1);
  CHECK(drill_path["paths"][0]["length"] == 1);
  CHECK(drill_path["paths"][0]["edges"][0]["type"] == "drills-with");

  const json hood = get(s, "/v1/neighborhood?entity=Russia&depth=1");
  CHECK(hood["center"]["name"] == "Russia");
  const auto names = node_names(hood["nodes"]);
  CHECK(names.count("China"));
  CHECK(names.count("Iran"));
  CHECK(names.count("Ukraine"));
  const auto drill_names = node_names(get(s, "/v1/neighborhood?entity=Russia&depth=1&types=drills-with")["nodes"]);
  CHECK(drill_names.count("Iran"));
  CHECK_FALSE(drill_names.count("Ukraine"));

  // Entity search, and errors.
  const json found = get(s, "/v1/entities?q=putin");
  CHECK(node_names(found["entities"]).count("Vladimir Putin"));
  check_error(get(s, "/v1/entities/no-such-entity", 404), "not_found");
  check_error(get(s, "/v1/neighborhood?entity=Russia&depth=99", 400), "bad_request");
  check_error(get(s, "/v1/paths?from=China&to=Iran&types=hugs", 400), "bad_request");
  auto c = s.client();
  auto bad = c.Post("/v1/articles", "{\"text\": ", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  check_error(body_of(bad), "bad_request");
}

TEST_CASE("entities are addressed by id, key or name") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  post_article(s, seed_article());
  const json by_key = get(s, "/v1/entities/vladimir-putin");
  CHECK(by_key["name"] == "Vladimir Putin");
  CHECK(by_key["kind"] == "person");
  CHECK(by_key["degree"].get<int>() >= 2);
  CHECK(by_key["relation_counts"]["congratulates"] == 1);
  const json by_id = get(s, "/v1/entities/" + std::to_string(by_key["id"].get<int>()));
  CHECK(by_id["key"] == "vladimir-putin");
  CHECK(get(s, "/v1/entities/" + q("PUTIN"))["key"] == "vladimir-putin");
  const json rels = get(s, "/v1/entities/vladimir-putin/relations?direction=in&types=congratulates");
  REQUIRE(rels["relations"].size() == 1);
  CHECK(rels["relations"][0]["subject"]["name"] == "Xi Jinping");
  const json out = get(s, "/v1/entities/vladimir-putin/relations?direction=out&types=congratulates");
  CHECK(out["relations"].empty());
  const int rel_id = rels["relations"][0]["id"];
  const json ev = get(s, "/v1/relations/" + std::to_string(rel_id) + "/evidence");
  REQUIRE(ev["evidence"].size() == 1);
  CHECK(ev["evidence"][0]["article"]["published_at"] == "2024-03-18");
  check_error(get(s, "/v1/relations/999999/evidence", 404), "not_found");
  check_error(get(s, "/v1/articles/999999", 404), "not_found");
}

TEST_CASE("an ambiguous name is a 409 with candidates") {
  TempDir dir;
  const auto db = dir.path() / "g.db";
  {
    TestServer s(db);
    post_article(s, seed_article());
  }
  {
    // An analyst's alias shared by two entities.
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    raw.exec("INSERT INTO aliases(entity_id, alias, alias_norm) SELECT id, 'Wang', 'wang' FROM "
             "entities WHERE key IN ('wang-yi', 'wang-yiwei')");
  }
  TestServer s(db);
  const json body = get(s, "/v1/entities/Wang", 409);
  check_error(body, "ambiguous");
  CHECK(body["error"]["candidates"].size() == 2);
  check_error(get(s, "/v1/paths?from=Wang&to=China", 409), "ambiguous");
}

TEST_CASE("bad requests get JSON errors and the server keeps serving") {
  TempDir dir;
  TestServer s(dir.path() / "g.db", 64 * 1024);
  auto c = s.client();
  post_article(s, {{"text", "China praised Russia on Monday."}});
  // Not JSON.
  auto r = c.Post("/v1/articles", "text=hello", "application/x-www-form-urlencoded");
  REQUIRE(r);
  CHECK(r->status == 415);
  check_error(body_of(r), "unsupported_media_type");
  // Wrong types and unknown fields.
  check_error(post_article(s, {{"text", 42}}, 400), "bad_request");
  check_error(post_article(s, {{"text", "China praised Russia."}, {"published_at", "last week"}}, 400),
              "bad_request");
  check_error(post_article(s, {{"text", "China praised Russia."}, {"publised_at", "2024-01-01"}}, 400),
              "bad_request");
  check_error(post_article(s, json::array({1, 2}), 400), "bad_request");
  check_error(post_article(s, {{"text", "   "}}, 400), "bad_request");
  // Too large, with a length and chunked.
  const std::string big(100 * 1024, 'a');
  r = c.Post("/v1/articles", json({{"text", big}}).dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 413);
  check_error(body_of(r), "payload_too_large");
  auto chunked = s.client();
  size_t sent = 0;
  r = chunked.Post(
      "/v1/articles",
      [&](size_t, httplib::DataSink& sink) {
        const std::string piece = sent == 0 ? "{\"text\": \"" : std::string(16 * 1024, 'b');
        sent += piece.size();
        sink.write(piece.data(), piece.size());
        if (sent > 200 * 1024) sink.done();
        return true;
      },
      "application/json");
  REQUIRE(r);
  CHECK(r->status == 413);
  // Invalid UTF-8, NUL bytes, and JSON nested far deeper than any article.
  r = c.Post("/v1/articles", std::string("{\"text\": \"caf\xe9 au lait\"}"), "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  check_error(body_of(r), "bad_request");
  check_error(post_article(s, {{"text", std::string("China\0praised Russia.", 22)}}, 400), "bad_request");
  r = c.Post("/v1/articles", std::string(20000, '[') + std::string(20000, ']'), "application/json");
  REQUIRE(r);
  CHECK(r->status == 400);
  // Parameters.
  check_error(get(s, "/v1/entities?limit=0", 400), "bad_request");
  check_error(get(s, "/v1/entities?limit=5000", 400), "bad_request");
  check_error(get(s, "/v1/entities?cursor=abc", 400), "bad_request");
  check_error(get(s, "/v1/entities?kind=planet", 400), "bad_request");
  check_error(get(s, "/v1/entities?colour=blue", 400), "bad_request");
  check_error(get(s, "/v1/paths?from=China", 400), "bad_request");
  check_error(get(s, "/v1/paths?from=China&to=Russia&k=0", 400), "bad_request");
  check_error(get(s, "/v1/paths?from=China&to=Russia&direction=sideways", 400), "bad_request");
  check_error(get(s, "/v1/no/such/route", 404), "not_found");
  // SQL and FTS syntax in parameters is data, never syntax.
  CHECK(get(s, "/v1/entities?q=" + q("x' OR 1=1; DROP TABLE entities; --"))["entities"].empty());
  CHECK(get(s, "/v1/articles?q=" + q("\"NEAR(")).contains("articles"));
  // Still serving.
  CHECK(get(s, "/healthz")["status"] == "ok");
}

TEST_CASE("fixtures over HTTP match their gold files") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const auto& k = s.service().knowledge();
  relgraph::ingest::Score total;
  for (const auto& file : relgraph::server::fixture_article_files(relgraph::testing::fixtures_dir())) {
    auto entries = relgraph::server::read_article_file(file);
    REQUIRE(entries.size() == 1);
    REQUIRE(entries[0].article);
    const auto& a = *entries[0].article;
    const json answer = post_article(
        s, {{"text", a.text}, {"title", a.title}, {"published_at", a.published_at}}, 201);
    std::vector<relgraph::ingest::PredictedRelation> predicted;
    for (const auto& e : answer["relations"])
      predicted.push_back({e["type"], e["subject"]["name"], e["object"]["name"], e["negated"],
                           e["attributed"], e["sentence"],
                           e["subject"].value("aliases", std::vector<std::string>{}),
                           e["object"].value("aliases", std::vector<std::string>{})});
    const std::string name = file.stem().string();
    total.add(relgraph::ingest::score_article(name, relgraph::testing::fixture_gold(name), predicted, k));
  }
  const std::string report = relgraph::ingest::format_score(total, false);
  std::printf("%s", report.c_str());
  INFO(report);
  // Thresholds a little under the measured figures (P 1.000, R 0.922, F1 0.959, negation
  // 10 of 11 on 2026-11-27, after the extraction-quality rules), so a rule change that costs
  // quality fails here.
  CHECK(total.overall.precision() >= 0.98);
  CHECK(total.overall.recall() >= 0.90);
  CHECK(total.overall.f1() >= 0.94);
  CHECK(total.negated_found >= total.negated_gold - 1);
}

TEST_CASE("a restart on the same database gives the same answers") {
  TempDir dir;
  const auto db = dir.path() / "g.db";
  json path, hood, stats;
  {
    TestServer s(db);
    post_article(s, seed_article());
    path = get(s, "/v1/paths?from=" + q("Xi Jinping") + "&to=Iran&k=3");
    hood = get(s, "/v1/neighborhood?entity=Russia&depth=2&types=drills-with,trades-with");
    stats = get(s, "/v1/stats");
  }
  TestServer s(db);
  const json path2 = get(s, "/v1/paths?from=" + q("Xi Jinping") + "&to=Iran&k=3");
  const json hood2 = get(s, "/v1/neighborhood?entity=Russia&depth=2&types=drills-with,trades-with");
  CHECK(path2["paths"] == path["paths"]);
  CHECK(hood2["nodes"] == hood["nodes"]);
  CHECK(hood2["edges"] == hood["edges"]);
  for (const char* k : {"articles", "entities", "relations", "evidence"}) CHECK(get(s, "/v1/stats")[k] == stats[k]);
}

TEST_CASE("what was just ingested is in the next graph answer") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  post_article(s, seed_article());
  check_error(get(s, "/v1/entities/Brazil", 404), "not_found");
  const json answer = post_article(
      s, {{"text", "Iran and Brazil signed a trade agreement in Brasilia on Tuesday."},
          {"published_at", "2024-04-02"}});
  const json path = get(s, "/v1/paths?from=Iran&to=Brazil");
  REQUIRE(path["paths"].size() == 1);
  CHECK(path["graph_version"].get<int>() >= answer["graph_version"].get<int>());
}

TEST_CASE("a claim and its denial in one sentence are two pieces of evidence") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const json answer = post_article(
      s, {{"text", "Kinshasa accuses Rwanda of arming the M23 rebels, a charge Kigali denies."},
          {"published_at", "2025-01-27"}});
  const auto lines = relation_lines(answer);
  CHECK(lines.count("supports(Rwanda, M23) attributed"));
  CHECK(lines.count("supports(Rwanda, M23) negated"));
  const json rels = get(s, "/v1/entities/M23/relations?direction=in&types=supports");
  REQUIRE(rels["relations"].size() == 1);
  const json ev =
      get(s, "/v1/relations/" + std::to_string(rels["relations"][0]["id"].get<int>()) + "/evidence");
  REQUIRE(ev["evidence"].size() == 2);
  CHECK(ev["evidence"][0]["sentence_index"] == ev["evidence"][1]["sentence_index"]);
  CHECK(ev["evidence"][0]["negated"] != ev["evidence"][1]["negated"]);
}

TEST_CASE("lists page with keyset cursors") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  post_article(s, seed_article());
  const json all = get(s, "/v1/relations?limit=1000");
  std::vector<int> seen;
  std::string cursor;
  for (;;) {
    const json page = get(s, "/v1/relations?limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& r : page["relations"]) seen.push_back(r["id"]);
    if (!page.contains("next_cursor")) break;
    cursor = page["next_cursor"];
  }
  REQUIRE(seen.size() == all["relations"].size());
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == all["relations"][i]["id"].get<int>());
}

TEST_CASE("the ontology lists every base relation type") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const json types = get(s, "/v1/relation-types")["relation_types"];
  std::set<std::string> names;
  for (const auto& t : types) names.insert(t["name"].get<std::string>());
  for (const char* n : {"congratulates", "praises", "criticizes", "accuses", "meets-with", "visits",
                        "trades-with", "drills-with", "supports", "sanctions", "attacks",
                        "signs-agreement-with", "leads", "affiliated-with"})
    CHECK(names.count(n));
  for (const auto& t : types)
    if (t["name"] == "drills-with") {
      CHECK(t["symmetric"] == true);
      CHECK(t["cameo"][0] == "062");
    }
}
