// Integration tests of analysts' queries over HTTP on the fixture graph: filters inside the
// search, weighted and explained paths, bounds that say what they cut, subgraphs, analytics,
// timelines, exports and read-your-writes.
#include <doctest/doctest.h>

#include <set>

#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/fixture_server.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

// A server holding every bundled fixture article.
class FixtureGraph {
 public:
  FixtureGraph() : server_(dir_.path() / "g.db") {
    relgraph::testing::post_fixture_articles(server_);
  }
  json get(const std::string& path, int status = 200) {
    auto r = server_.client().Get(path);
    REQUIRE(r);
    INFO(path << " -> " << r->body.substr(0, 400));
    CHECK(r->status == status);
    return json::parse(r->body);
  }
  httplib::Result raw(const std::string& path) { return server_.client().Get(path); }
  TestServer& server() { return server_; }

 private:
  TempDir dir_;
  TestServer server_;
};

std::vector<std::string> names(const json& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n["name"]);
  return out;
}

}  // namespace

TEST_CASE("filters apply inside the path search: the detour is found") {
  FixtureGraph g;
  // China and Iran drill together directly (seed article) ...
  const json direct = g.get("/v1/paths?from=China&to=Iran&types=drills-with");
  REQUIRE(direct["paths"].size() == 1);
  CHECK(direct["paths"][0]["length"] == 1);
  // ... and excluding the direct partner's neighbour still finds a way when one exists,
  // while excluding both ends' only links gives no path rather than a wrong one.
  const json around = g.get("/v1/paths?from=China&to=Iran&types=drills-with&exclude=Russia");
  REQUIRE(around["paths"].size() == 1);
  for (const auto& n : around["paths"][0]["nodes"]) CHECK(n["name"] != "Russia");
  // Before the seed article's date there is no drill between them.
  CHECK(g.get("/v1/paths?from=China&to=Iran&types=drills-with&until=2020-01-01")["paths"].empty());
  // Only people on the way: a path between two states through people only.
  const json people = g.get("/v1/paths?from=China&to=Russia&kinds=person&max_hops=3");
  for (const auto& path : people["paths"])
    for (size_t i = 1; i + 1 < path["nodes"].size(); ++i) CHECK(path["nodes"][i]["kind"] == "person");
  g.get("/v1/paths?from=China&to=Iran&since=yesterday", 400);
  g.get("/v1/paths?from=China&to=Iran&kinds=planet", 400);
  g.get("/v1/paths?from=China&to=Iran&until=2020-01-01&since=2021-01-01", 400);
}

TEST_CASE("k paths, all shortest paths, weights and explanations") {
  FixtureGraph g;
  const json k3 = g.get("/v1/paths?from=" + httplib::detail::encode_query_param("Xi Jinping") + "&to=Iran&k=3");
  REQUIRE(k3["paths"].size() == 3);
  std::set<std::vector<std::string>> distinct;
  int last = 0;
  for (const auto& p : k3["paths"]) {
    distinct.insert(names(p["nodes"]));
    CHECK(p["length"].get<int>() >= last);
    last = p["length"];
  }
  CHECK(distinct.size() == 3);
  const json all = g.get("/v1/paths?from=China&to=Ukraine&all=true&limit=50");
  REQUIRE_FALSE(all["paths"].empty());
  for (const auto& p : all["paths"]) CHECK(p["length"] == all["paths"][0]["length"]);
  const json weighted = g.get("/v1/paths?from=China&to=Iran&weight=evidence");
  REQUIRE(weighted["paths"].size() == 1);
  CHECK(weighted["paths"][0]["cost"].get<double>() > 0);
  g.get("/v1/paths?from=China&to=Iran&weight=vibes", 400);
  const json explained = g.get("/v1/paths?from=China&to=Iran&types=drills-with&explain=true");
  const json& ev = explained["paths"][0]["edges"][0]["top_evidence"];
  CHECK(ev["sentence"].get<std::string>().find("joint naval") != std::string::npos);
  CHECK_FALSE(ev["article"]["title"].get<std::string>().empty());
  const json via = g.get("/v1/paths?from=China&to=Iran&via=Russia");
  REQUIRE(via["paths"].size() == 1);
  const auto via_names = names(via["paths"][0]["nodes"]);
  CHECK(std::find(via_names.begin(), via_names.end(), "Russia") != via_names.end());
}

TEST_CASE("bounds say which one cut the answer") {
  FixtureGraph g;
  const json small = g.get("/v1/neighborhood?entity=Russia&depth=3&limit=5");
  CHECK(small["nodes"].size() == 5);
  CHECK(small["truncated"] == true);
  CHECK(small["truncated_by"] == "nodes");
  const json budget = g.get("/v1/neighborhood?entity=Russia&depth=6&budget_edges=3");
  CHECK(budget["truncated"] == true);
  CHECK(budget["truncated_by"] == "edges");
  const json capped = g.get("/v1/neighborhood?entity=Russia&depth=2&max_degree=3&hub_policy=skip");
  CHECK(capped["truncated"] == true);
  const json whole = g.get("/v1/neighborhood?entity=Russia&depth=1");
  CHECK(whole["truncated"] == false);
  CHECK_FALSE(whole.contains("truncated_by"));
  g.get("/v1/neighborhood?entity=Russia&hub_policy=random", 400);
  g.get("/v1/neighborhood?entity=Russia&budget_ms=0", 400);
}

TEST_CASE("subgraph, analytics and timeline") {
  FixtureGraph g;
  auto c = g.server().client();
  auto r = c.Post("/v1/subgraph?max_hops=3", R"({"seeds": ["China", "Iran", "Xi Jinping"]})",
                  "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json sub = json::parse(r->body);
  const auto sub_names = names(sub["nodes"]);
  for (const char* seed : {"China", "Iran", "Xi Jinping"})
    CHECK(std::find(sub_names.begin(), sub_names.end(), seed) != sub_names.end());
  CHECK_FALSE(sub["edges"].empty());
  CHECK(c.Post("/v1/subgraph", R"({"seeds": ["China"]})", "application/json")->status == 400);

  const json pr = g.get("/v1/analytics?metric=pagerank&top=5");
  REQUIRE(pr["top"].size() == 5);
  CHECK(pr["converged"] == true);
  double last = 1;
  for (const auto& e : pr["top"]) {
    CHECK(e["score"].get<double>() <= last);
    last = e["score"];
  }
  const json degree = g.get("/v1/analytics?metric=degree&top=3&types=drills-with");
  REQUIRE_FALSE(degree["top"].empty());
  const json between = g.get("/v1/analytics?metric=betweenness&top=3");
  CHECK(between["exact"] == true);
  const json comps = g.get("/v1/analytics?metric=components&top=2");
  CHECK(comps["count"].get<int>() >= 1);
  g.get("/v1/analytics?metric=charisma", 400);

  const json t = g.get("/v1/timeline?a=China&b=Russia&bucket=month");
  bool march_2024 = false;
  for (const auto& b : t["buckets"]) march_2024 |= b["bucket"] == "2024-03" && b["evidence"].get<int>() > 0;
  CHECK(march_2024);
  // One entity alone: every relation of China, so at least as much as with Russia alone.
  const json alone = g.get("/v1/timeline?a=China&bucket=year");
  CHECK_FALSE(alone.contains("b"));
  int64_t with_russia = 0, all = 0;
  const json pair = g.get("/v1/timeline?a=China&b=Russia&bucket=year");
  for (const auto& b : pair["buckets"]) with_russia += b["evidence"].get<int64_t>();
  for (const auto& b : alone["buckets"]) all += b["evidence"].get<int64_t>();
  CHECK(all > with_russia);
  CHECK(g.get("/v1/timeline?a=China&types=drills-with")["buckets"].size() >= 1);
  g.get("/v1/timeline?a=China&bucket=fortnight", 400);
}

TEST_CASE("exports in each format") {
  FixtureGraph g;
  const std::string base = "/v1/neighborhood?entity=Iran&depth=1&format=";
  auto r = g.raw(base + "graphml");
  CHECK(r->get_header_value("Content-Type") == "application/graphml+xml");
  CHECK(r->body.find("<graphml") != std::string::npos);
  CHECK(r->body.find("Iran") != std::string::npos);
  r = g.raw(base + "gexf");
  CHECK(r->body.find("<gexf") != std::string::npos);
  r = g.raw(base + "dot");
  CHECK(r->body.rfind("digraph", 0) == 0);
  r = g.raw(base + "csv");
  CHECK(r->body.rfind("relation_id,type", 0) == 0);
  r = g.raw(base + "cytoscape");
  const json cy = json::parse(r->body);
  CHECK_FALSE(cy["elements"].empty());
  auto c = g.server().client();
  r = c.Get("/v1/paths?from=China&to=Iran", {{"Accept", "text/csv"}});
  CHECK(r->body.rfind("relation_id,type", 0) == 0);
  g.get(base + "pdf", 400);
}

TEST_CASE("read your writes: min_version waits, or says to retry") {
  FixtureGraph g;
  const uint64_t now = g.get("/healthz")["graph_version"];
  CHECK(g.get("/v1/neighborhood?entity=Iran&min_version=" + std::to_string(now))["graph_version"] == now);
  auto r = g.raw("/v1/neighborhood?entity=Iran&min_version=" + std::to_string(now + 1000));
  CHECK(r->status == 503);
  CHECK(r->get_header_value("Retry-After") == "1");
}
