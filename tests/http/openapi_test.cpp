// GET /v1/openapi.json is kept true: every route the server registers is documented with
// exactly the query parameters it accepts, every documented example validates against its
// schema, and live answers (successes and errors, on the fixture graph) validate against the
// documented response of their status.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>

#include "server/access.h"
#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/json_schema.h"
#include "support/fixture_server.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::JsonSchemaValidator;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

json fetch_document(TestServer& server) {
  auto r = server.client().Get("/v1/openapi.json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  json doc = json::parse(r->body, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  return doc;
}

// "/v1/entities/([^/]+)/relations" and "/v1/entities/{ref}/relations" both become
// "/v1/entities/{}/relations".
std::string shape_of_route(const std::string& pattern) {
  return std::regex_replace(pattern, std::regex(R"(\((\\d\+|\[\^/\]\+)\))"), "{}");
}
std::string shape_of_doc_path(const std::string& path) {
  return std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "{}");
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The documented parameters of an operation, $refs resolved.
std::vector<json> parameters_of(const JsonSchemaValidator& v, const json& operation) {
  std::vector<json> out;
  for (const auto& p : operation.value("parameters", json::array()))
    out.push_back(p.contains("$ref") ? v.resolve(p["$ref"]) : p);
  return out;
}

const json& response_of(const JsonSchemaValidator& v, const json& operation, int status) {
  static const json kNone;
  const std::string s = std::to_string(status);
  if (!operation["responses"].contains(s)) return kNone;
  const json& r = operation["responses"][s];
  return r.contains("$ref") ? v.resolve(r["$ref"]) : r;
}

// The documented path a concrete request path falls under ("/v1/entities/Iran" ->
// "/v1/entities/{ref}"), or "" when none does.
std::string doc_path_for(const json& doc, const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  for (const auto& [templ, item] : doc["paths"].items()) {
    const std::regex re("^" + std::regex_replace(templ, std::regex(R"(\{[^}]+\})"), "[^/]+") + "$");
    if (std::regex_match(path, re)) return templ;
  }
  return "";
}

TEST_CASE("the OpenAPI document lists every route the server registers, with its parameters") {
  TempDir dir;
  TestServer server(dir.path() / "g.db");
  const json doc = fetch_document(server);
  const JsonSchemaValidator v(doc);
  CHECK(doc["openapi"] == "3.1.0");

  std::set<std::pair<std::string, std::string>> registered;  // (shape, method)
  REQUIRE(server.api().routes().size() >= 20);
  for (const auto& route : server.api().routes()) {
    const std::string shape = shape_of_route(route.pattern);
    registered.insert({shape, route.method});
    INFO(route.method << " " << route.pattern);
    const json* operation = nullptr;
    std::string doc_path;
    for (const auto& [path, item] : doc["paths"].items())
      if (shape_of_doc_path(path) == shape && item.contains(route.method == "GET" ? "get" : "post")) {
        operation = &item[route.method == "GET" ? "get" : "post"];
        doc_path = path;
      }
    REQUIRE_MESSAGE(operation != nullptr, "the route is not in the OpenAPI document");
    std::set<std::string> documented_query, documented_path;
    for (const auto& p : parameters_of(v, *operation))
      (p["in"] == "query" ? documented_query : documented_path).insert(p["name"].get<std::string>());
    CHECK(documented_query == std::set<std::string>(route.params.begin(), route.params.end()));
    // Each {name} in the path is a documented path parameter.
    std::set<std::string> in_path;
    const std::regex brace(R"(\{([^}]+)\})");
    for (auto it = std::sregex_iterator(doc_path.begin(), doc_path.end(), brace); it != std::sregex_iterator(); ++it)
      in_path.insert((*it)[1]);
    CHECK(documented_path == in_path);
    CHECK_FALSE(operation->value("summary", "").empty());
    CHECK(operation->contains("responses"));
  }
  // And nothing is documented that the server does not serve.
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      INFO("documented: " << method << " " << path);
      CHECK(registered.count({shape_of_doc_path(path), upper(method)}) == 1);
    }
}

TEST_CASE("every example in the OpenAPI document validates against its schema") {
  TempDir dir;
  TestServer server(dir.path() / "g.db");
  const json doc = fetch_document(server);
  const JsonSchemaValidator v(doc);

  for (const auto& [name, schema] : doc["components"]["schemas"].items()) {
    INFO("schema " << name);
    CHECK(v.unsupported_keywords(schema).empty());
  }
  int examples = 0;
  auto check_media = [&](const json& media, const std::string& where) {
    for (const auto& [type, content] : media.items()) {
      INFO(where << " " << type);
      REQUIRE(content.contains("schema"));
      CHECK(v.unsupported_keywords(content["schema"]).empty());
      if (!content.contains("example")) continue;
      ++examples;
      const auto errors = v.validate(content["example"], content["schema"]);
      for (const auto& e : errors) INFO(e);
      CHECK_MESSAGE(errors.empty(), (errors.empty() ? "" : errors.front()));
    }
  };
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      const std::string where = upper(method) + " " + path;
      bool has_json_example = false;
      for (const auto& [status, r] : operation["responses"].items()) {
        const json& response = r.contains("$ref") ? v.resolve(r["$ref"]) : r;
        CHECK_FALSE(response.value("description", "").empty());
        if (response.contains("content")) {
          check_media(response["content"], where + " -> " + status);
          if (status[0] == '2' && response["content"].contains("application/json") &&
              response["content"]["application/json"].contains("example"))
            has_json_example = true;
        }
      }
      if (path != "/v1/openapi.json" && path != "/metrics") {
        INFO(where);
        CHECK_MESSAGE(has_json_example, "a successful answer has no example");
      }
      if (operation.contains("requestBody")) check_media(operation["requestBody"]["content"], where + " body");
      for (const auto& p : parameters_of(v, operation))
        if (p.contains("example")) {
          INFO(where << " parameter " << p["name"]);
          CHECK(v.validate(p["example"], p["schema"]).empty());
        }
    }
  CHECK(examples >= 30);
}

TEST_CASE("the schema check catches answers that break the contract") {
  // So that the live checks below can fail: a validator that accepts anything proves nothing.
  TempDir dir;
  TestServer server(dir.path() / "g.db");
  const json doc = fetch_document(server);
  const JsonSchemaValidator v(doc);
  const json relation = {{"$ref", "#/components/schemas/Relation"}};
  json good = {{"id", 1}, {"type", "visits"}, {"symmetric", false},
               {"subject", {{"id", 1}, {"key", "a"}, {"name", "A"}}},
               {"object", {{"id", 2}, {"key", "b"}, {"name", "B"}}},
               {"evidence_count", 1}, {"negated_count", 0}, {"attributed_count", 0},
               {"first_seen", "2024-01-01"}, {"last_seen", "2024-01-01"}};
  CHECK(v.validate(good, relation).empty());
  json renamed = good;
  renamed.erase("evidence_count");
  renamed["evidences"] = 1;
  CHECK(v.validate(renamed, relation).size() == 2);  // a field missing, one undocumented
  json wrong = good;
  wrong["type"] = "invades";
  wrong["subject"]["id"] = "1";
  CHECK(v.validate(wrong, relation).size() == 2);
  CHECK(v.unsupported_keywords(json{{"oneOf", json::array()}}) == std::set<std::string>{"oneOf"});
}

struct LiveRequest {
  std::string method;
  std::string target;
  json body = nullptr;         // POST only
  int status = 200;            // what the request must answer
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers = {};
};

TEST_CASE("live answers validate against the documented responses") {
  TempDir dir;
  auto options = TestServer::default_options();
  TestServer server(dir.path() / "g.db", options);
  auto c = server.client();
  relgraph::testing::post_fixture_articles(server);
  const json doc = fetch_document(server);
  const JsonSchemaValidator v(doc);
  auto relations = json::parse(c.Get("/v1/relations?limit=1&type=sanctions")->body);
  const std::string relation_id = std::to_string(relations["relations"][0]["id"].get<int64_t>());
  const json article = {{"text", "Kenya and Somalia signed a security agreement in Nairobi on Monday."},
                        {"title", "Kenya, Somalia sign pact"}, {"published_at", "2024-05-06"},
                        {"url", "https://example.org/kenya-somalia"}, {"source", "test"}};

  const std::vector<LiveRequest> requests = {
      {"GET", "/v1/articles?limit=2"},
      {"GET", "/v1/articles?q=drills"},
      {"GET", "/v1/articles?cursor=x", nullptr, 400},
      {"GET", "/v1/articles/1"},
      {"GET", "/v1/articles/999999", nullptr, 404},
      {"POST", "/v1/articles", article, 201},
      {"POST", "/v1/articles", article, 200},
      {"POST", "/v1/articles", {{"title", "no text"}}, 400},
      {"POST", "/v1/articles", {{"text", std::string(1100 * 1024, 'a')}}, 413},
      {"GET", "/v1/entities?q=Xi&limit=2"},
      {"GET", "/v1/entities?kind=planet", nullptr, 400},
      {"GET", "/v1/entities/Iran"},
      {"GET", "/v1/entities/Atlantis", nullptr, 404},
      {"GET", "/v1/entities/Iran/relations?limit=3&direction=in"},
      {"GET", "/v1/entities/Iran/relations?types=invades", nullptr, 400},
      {"POST", "/v1/entities/Iran/aliases", {{"alias", "the Islamic Republic"}}, 201},
      {"POST", "/v1/entities/Iran/aliases", {{"alias", "the Islamic Republic"}}, 200},
      {"POST", "/v1/entities/Iran/aliases", json::object(), 400},
      {"POST", "/v1/entities/Russia/aliases", {{"alias", "Tehran"}}, 201},  // now ambiguous
      {"GET", "/v1/entities/Tehran", nullptr, 409},
      {"GET", "/v1/relations?limit=2&type=sanctions"},
      {"GET", "/v1/relations?subject=Atlantis", nullptr, 404},
      {"GET", "/v1/relations/" + relation_id + "/evidence"},
      {"GET", "/v1/relations/999999/evidence", nullptr, 404},
      {"GET", "/v1/relation-types"},
      {"GET", "/v1/neighborhood?entity=Iran&depth=2&limit=5"},
      {"GET", "/v1/neighborhood?entity=Iran&max_degree=3&hub_policy=skip"},
      {"GET", "/v1/neighborhood?entity=Iran&format=graphml", nullptr, 200, "application/graphml+xml"},
      {"GET", "/v1/neighborhood?entity=Iran", nullptr, 200, "text/csv; charset=utf-8", {{"Accept", "text/csv"}}},
      {"GET", "/v1/neighborhood?entity=Iran&depth=9", nullptr, 400},
      {"GET", "/v1/neighborhood?entity=Iran&min_version=999999", nullptr, 503},
      {"GET", "/v1/paths?from=China&to=Iran&k=2&explain=true"},
      {"GET", "/v1/paths?from=China&to=Iran&all=true&types=drills-with,trades-with"},
      {"GET", "/v1/paths?from=China&to=Iran&weight=recency&exclude=Russia&since=2023-01-01"},
      {"GET", "/v1/paths?from=China&to=Iran&format=dot", nullptr, 200, "text/vnd.graphviz"},
      {"GET", "/v1/paths?from=China&to=Iran&budget_edges=1"},
      {"GET", "/v1/paths?from=China&to=Atlantis", nullptr, 404},
      {"POST", "/v1/subgraph", {{"seeds", {"China", "Iran", "India"}}}},
      {"POST", "/v1/subgraph?format=cytoscape", {{"seeds", {"China", "Iran"}}}, 200, "application/vnd.cytoscape+json"},
      {"POST", "/v1/subgraph", {{"seeds", {"China"}}}, 400},
      {"GET", "/v1/analytics?metric=degree&top=3"},
      {"GET", "/v1/analytics?metric=pagerank&top=3&types=supports,attacks"},
      {"GET", "/v1/analytics?metric=betweenness&top=3"},
      {"GET", "/v1/analytics?metric=components&top=2"},
      {"GET", "/v1/analytics?metric=fame", nullptr, 400},
      {"GET", "/v1/timeline?a=China&b=Russia&bucket=year"},
      {"GET", "/v1/timeline?a=China"},
      {"GET", "/v1/timeline?a=China&bucket=hour", nullptr, 400},
      {"GET", "/v1/stats"},
      {"GET", "/healthz"},
      {"GET", "/readyz"},
      {"GET", "/metrics", nullptr, 200, "text/plain; version=0.0.4"},
      {"GET", "/v1/openapi.json"},
      {"POST", "/v1/entities/Xinhua/merge", {{"from", "Xinhua News"}}, 404},
      {"POST", "/v1/entities/Russia/merge", {{"from", "Tehran"}}, 409},
      {"POST", "/v1/entities/China/merge", {{"from", "Xinhua"}}},
      {"POST", "/v1/entities/China/merge", {{"from", "China"}}, 400},
      {"POST", "/v1/subgraph", {{"seeds", {"China", "Iran"}}}, 415, "application/json", {{"Content-Type", "text/plain"}}},
  };

  std::set<std::pair<std::string, std::string>> exercised;  // (doc path, method) answered 2xx
  std::set<std::string> statuses;
  for (const auto& req : requests) {
    INFO(req.method << " " << req.target.substr(0, 100));
    httplib::Headers headers(req.headers.begin(), req.headers.end());
    std::string content_type = "application/json";
    if (auto it = req.headers.find("Content-Type"); it != req.headers.end()) {
      content_type = it->second;
      headers.erase("Content-Type");
    }
    auto r = req.method == "GET" ? c.Get(req.target, headers)
                                 : c.Post(req.target, headers, req.body.dump(), content_type);
    REQUIRE(r);
    INFO("answer: " << r->status << " " << r->body.substr(0, 300));
    CHECK(r->status == req.status);
    CHECK(r->get_header_value("Content-Type") == req.content_type);

    const std::string path = doc_path_for(doc, req.target);
    REQUIRE_MESSAGE(!path.empty(), "no documented path matches");
    const std::string method = req.method == "GET" ? "get" : "post";
    REQUIRE(doc["paths"][path].contains(method));
    const json& response = response_of(v, doc["paths"][path][method], r->status);
    REQUIRE_MESSAGE(!response.is_null(), "status " << r->status << " is not documented for this operation");
    const std::string media = r->get_header_value("Content-Type").substr(0, r->get_header_value("Content-Type").find(';'));
    REQUIRE_MESSAGE(response["content"].contains(media), media << " is not a documented content type");
    statuses.insert(std::to_string(r->status));
    if (r->status / 100 == 2) exercised.insert({path, method});
    if (media != "application/json" && media != "application/vnd.cytoscape+json") continue;
    const json body = json::parse(r->body, nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    const auto errors = v.validate(body, response["content"][media]["schema"]);
    CHECK_MESSAGE(errors.empty(), (errors.empty() ? "" : errors.front()));
  }
  // Every documented operation was answered successfully at least once above.
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      INFO("not exercised: " << method << " " << path);
      CHECK(exercised.count({path, method}) == 1);
    }
  for (const char* s : {"200", "201", "400", "404", "409", "413", "415", "503"}) {
    INFO("no live answer with status " << s);
    CHECK(statuses.count(s) == 1);
  }
}

TEST_CASE("live answers of a server with API keys and a rate limit match the documented errors") {
  TempDir dir;
  auto options = TestServer::default_options();
  REQUIRE_FALSE(relgraph::server::ApiKeys::parse("reader:r-key-0123456789\nadmin:a-key-0123456789", options.keys));
  options.rate_limit = 0.5;  // a burst of 1, then one request per 2 s
  TestServer server(dir.path() / "g.db", options);
  auto c = server.client();
  auto doc_response = c.Get("/v1/openapi.json", {{"Authorization", "Bearer r-key-0123456789"}});
  REQUIRE(doc_response);
  REQUIRE(doc_response->status == 200);
  const json doc = json::parse(doc_response->body);
  const JsonSchemaValidator v(doc);
  auto check_documented = [&](const httplib::Result& r, const std::string& path, const char* method, int status) {
    REQUIRE(r);
    INFO(method << " " << path << " -> " << r->status << " " << r->body);
    CHECK(r->status == status);
    const json& response = response_of(v, doc["paths"][path][method], status);
    REQUIRE(!response.is_null());
    CHECK(v.validate(json::parse(r->body), response["content"]["application/json"]["schema"]).empty());
  };
  check_documented(c.Get("/v1/stats"), "/v1/stats", "get", 401);
  check_documented(c.Post("/v1/entities/1/aliases", {{"Authorization", "Bearer r-key-0123456789"}},
                          R"({"alias": "x"})", "application/json"),
                   "/v1/entities/{ref}/aliases", "post", 403);
  // The reader's key has used its burst; the next request inside 2 s is limited.
  check_documented(c.Get("/v1/stats", {{"Authorization", "Bearer r-key-0123456789"}}), "/v1/stats", "get", 429);
}

}  // namespace
