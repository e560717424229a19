// Integration tests of curation: analysts add aliases and merge duplicate entities over the
// API, and the graph follows at once.
#include <doctest/doctest.h>

#include "support/fixtures.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

json call(httplib::Result r, int status) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == status);
  return json::parse(r->body);
}

std::string post(const std::string& text) {
  return json({{"text", text}, {"published_at", "2024-05-02"}}).dump();
}

}  // namespace

TEST_CASE("an analyst's alias resolves at once and is searchable") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  call(c.Post("/v1/articles", post(relgraph::testing::fixture_text("seed-article")), "application/json"), 201);
  const json e = call(c.Post("/v1/entities/vladimir-putin/aliases", R"({"alias": "The Tsar"})",
                             "application/json"), 201);
  CHECK(std::find(e["aliases"].begin(), e["aliases"].end(), "The Tsar") != e["aliases"].end());
  call(c.Post("/v1/entities/vladimir-putin/aliases", R"({"alias": "The Tsar"})", "application/json"), 200);
  CHECK(call(c.Get("/v1/entities/the%20tsar"), 200)["key"] == "vladimir-putin");
  CHECK(call(c.Get("/v1/entities?q=tsar"), 200)["entities"][0]["key"] == "vladimir-putin");
  CHECK(call(c.Get("/v1/paths?from=the%20tsar&to=Iran"), 200)["paths"].size() == 1);
  // Bad bodies.
  call(c.Post("/v1/entities/vladimir-putin/aliases", R"({"alias": ""})", "application/json"), 400);
  call(c.Post("/v1/entities/vladimir-putin/aliases", R"({"name": "x"})", "application/json"), 400);
  call(c.Post("/v1/entities/vladimir-putin/aliases", R"(["x"])", "application/json"), 400);
  call(c.Post("/v1/entities/vladimir-putin/aliases", "alias=x", "text/plain"), 415);
  call(c.Post("/v1/entities/nobody-here/aliases", R"({"alias": "x"})", "application/json"), 404);
}

TEST_CASE("merging two entities moves their relations and the graph follows") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  call(c.Post("/v1/articles",
              post("Maria Delgado, a senior fellow at the Lisbon Institute for Strategic Studies, "
                   "criticized Russia on Monday."),
              "application/json"),
       201);
  call(c.Post("/v1/articles",
              post("Maria Delgado-Silva, a senior fellow at the Lisbon Institute for Strategic "
                   "Studies, praised China on Tuesday."),
              "application/json"),
       201);
  CHECK(call(c.Get("/v1/paths?from=maria-delgado&to=China&max_hops=1"), 200)["paths"].empty());
  const json merged = call(c.Post("/v1/entities/maria-delgado/merge", R"({"from": "maria-delgado-silva"})",
                                  "application/json"),
                           200);
  CHECK(merged["merged"]["key"] == "maria-delgado-silva");
  CHECK(merged["relations_moved"].get<int>() >= 2);  // praises China, affiliated-with the institute
  CHECK(merged["relations_folded"].get<int>() >= 1);  // the affiliation both had
  // The survivor now has both relations, the merged key is gone, its name is an alias.
  const json path = call(c.Get("/v1/paths?from=maria-delgado&to=China&max_hops=1"), 200);
  REQUIRE(path["paths"].size() == 1);
  CHECK(path["graph_version"].get<int>() >= merged["graph_version"].get<int>());
  call(c.Get("/v1/entities/maria-delgado-silva"), 404);
  CHECK(call(c.Get("/v1/entities/" + httplib::detail::encode_query_param("Maria Delgado-Silva")), 200)["key"] ==
        "maria-delgado");
  const json rels = call(c.Get("/v1/entities/maria-delgado/relations?types=affiliated-with"), 200);
  REQUIRE(rels["relations"].size() == 1);
  CHECK(rels["relations"][0]["evidence_count"] == 2);
  // Merging into itself, or from nothing, is refused.
  call(c.Post("/v1/entities/maria-delgado/merge", R"({"from": "maria-delgado"})", "application/json"), 400);
  call(c.Post("/v1/entities/maria-delgado/merge", R"({"from": "nobody-here"})", "application/json"), 404);
}

TEST_CASE("curation needs the admin role when keys are configured") {
  TempDir dir;
  auto o = TestServer::default_options();
  REQUIRE_FALSE(relgraph::server::ApiKeys::parse(
      "ingester:ingester-key-0123456789,admin:admin-key-0123456789abc", o.keys));
  TestServer s(dir.path() / "g.db", o);
  auto c = s.client();
  call(c.Post("/v1/articles", {{"Authorization", "Bearer ingester-key-0123456789"}},
              post("China praised Russia."), "application/json"),
       201);
  call(c.Post("/v1/entities/china/aliases", {{"Authorization", "Bearer ingester-key-0123456789"}},
              R"({"alias": "Middle Kingdom"})", "application/json"),
       403);
  call(c.Post("/v1/entities/china/aliases", {{"Authorization", "Bearer admin-key-0123456789abc"}},
              R"({"alias": "Middle Kingdom"})", "application/json"),
       201);
}
