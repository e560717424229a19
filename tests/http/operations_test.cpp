// Integration tests of what operators rely on: API keys and roles, rate limits, a bounded
// queue, slow clients, metrics, request ids, readiness, and online backups.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "store/store.h"
#include "support/fixtures.h"
#include "support/raw_connection.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::connect_to;
using relgraph::testing::read_some;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

const std::string kReader = "reader-key-0123456789";
const std::string kIngester = "ingester-key-0123456789";
const std::string kAdmin = "admin-key-0123456789abc";

relgraph::server::HttpOptions keyed_options(bool public_reads = false) {
  auto o = TestServer::default_options();
  REQUIRE_FALSE(relgraph::server::ApiKeys::parse(
      "# analysts\nreader:" + kReader + "\ningester:" + kIngester + ",admin:" + kAdmin, o.keys));
  o.public_reads = public_reads;
  return o;
}

httplib::Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

std::string article_body(const std::string& text) {
  return json({{"text", text}, {"published_at", "2024-03-18"}}).dump();
}

std::string error_code(const httplib::Result& r) {
  REQUIRE(r);
  const json j = json::parse(r->body, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j["error"]["code"];
}

// Everything until the server closes the connection.
std::string read_all(int fd) {
  std::string out, piece;
  while (!(piece = read_some(fd)).empty()) out += piece;
  return out;
}

}  // namespace

TEST_CASE("API keys: no key 401, unknown key 401, too weak 403, right role passes") {
  TempDir dir;
  TestServer s(dir.path() / "g.db", keyed_options());
  auto c = s.client();
  auto r = c.Get("/v1/stats");
  CHECK(r->status == 401);
  CHECK(error_code(r) == "unauthorized");
  CHECK(r->get_header_value("WWW-Authenticate") == "Bearer");
  r = c.Get("/v1/stats", bearer("not-a-key-at-all-xxxxxx"));
  CHECK(r->status == 401);
  CHECK(c.Get("/v1/stats", bearer(kReader))->status == 200);
  CHECK(c.Get("/v1/stats", {{"X-API-Key", kReader}})->status == 200);
  r = c.Post("/v1/articles", bearer(kReader), article_body("China praised Russia."), "application/json");
  CHECK(r->status == 403);
  CHECK(error_code(r) == "forbidden");
  CHECK(c.Post("/v1/articles", bearer(kIngester), article_body("China praised Russia."),
               "application/json")->status == 201);
  CHECK(c.Post("/v1/articles", bearer(kAdmin), article_body("Chile praised Peru."),
               "application/json")->status == 201);
  // Health and readiness stay open for load balancers.
  CHECK(c.Get("/healthz")->status == 200);
  CHECK(c.Get("/readyz")->status == 200);
}

TEST_CASE("API keys with public reads: reading is open, writing is not") {
  TempDir dir;
  TestServer s(dir.path() / "g.db", keyed_options(true));
  auto c = s.client();
  CHECK(c.Get("/v1/stats")->status == 200);
  auto r = c.Post("/v1/articles", article_body("China praised Russia."), "application/json");
  CHECK(r->status == 401);
}

TEST_CASE("malformed key files are refused without echoing keys") {
  relgraph::server::ApiKeys keys;
  auto e = relgraph::server::ApiKeys::parse("superuser:abcdefghijklmnopqrstuvwxyz", keys);
  REQUIRE(e);
  CHECK(e->find("abcdefghijklmnop") == std::string::npos);
  CHECK(relgraph::server::ApiKeys::parse("reader:short", keys));
  CHECK(relgraph::server::ApiKeys::parse("no colon here at all", keys));
}

TEST_CASE("a client over its rate limit gets 429 with Retry-After") {
  TempDir dir;
  auto o = TestServer::default_options();
  o.rate_limit = 2;  // bursts of 4
  TestServer s(dir.path() / "g.db", o);
  auto c = s.client();
  int ok = 0, limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = c.Get("/healthz");
    REQUIRE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      CHECK(std::stoi(r->get_header_value("Retry-After")) >= 1);
      CHECK(error_code(r) == "rate_limited");
    }
  }
  CHECK(ok >= 4);
  CHECK(limited >= 1);
}

TEST_CASE("a full worker queue answers 503 with Retry-After at once") {
  TempDir dir;
  auto o = TestServer::default_options();
  o.threads = 1;
  o.max_queued = 1;
  TestServer s(dir.path() / "g.db", o);
  // A keeps the only worker busy (a keep-alive connection), B waits in the queue.
  const int a = connect_to(s.port());
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  send(a, req.data(), req.size(), 0);
  CHECK(read_some(a).find("200 OK") != std::string::npos);
  const int b = connect_to(s.port());
  // C finds the queue full.
  const int c = connect_to(s.port());
  send(c, req.data(), req.size(), 0);
  const std::string reply = read_all(c);
  CHECK(reply.find("503") != std::string::npos);
  CHECK(reply.find("Retry-After: 1") != std::string::npos);
  INFO(reply);
  CHECK(reply.find("not_ready") != std::string::npos);
  close(c);
  close(a);
  // Once A is gone, B is served.
  send(b, req.data(), req.size(), 0);
  CHECK(read_some(b).find("200 OK") != std::string::npos);
  close(b);
}

TEST_CASE("a slow client is cut off and the server keeps serving") {
  TempDir dir;
  auto o = TestServer::default_options();
  o.read_timeout_seconds = 1;
  TestServer s(dir.path() / "g.db", o);
  const int slow = connect_to(s.port());
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";  // never finished
  send(slow, partial.data(), partial.size(), 0);
  CHECK(s.client().Get("/healthz")->status == 200);
  // The server closes the connection after its read timeout.
  CHECK(read_some(slow).find("200 OK") == std::string::npos);
  close(slow);
  CHECK(s.client().Get("/healthz")->status == 200);
}

TEST_CASE("metrics count requests by route and status, in Prometheus text") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  // One keep-alive connection: its worker counts each request before it reads the next, so
  // the counts below are complete when /metrics is asked.
  c.set_keep_alive(true);
  c.Post("/v1/articles", article_body(relgraph::testing::fixture_text("seed-article")), "application/json");
  c.Get("/v1/paths?from=China&to=Iran");
  c.Get("/v1/paths?from=China&to=Iran");
  c.Get("/v1/entities/nobody-at-all");
  auto r = c.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type").find("text/plain") == 0);
  const std::string m = r->body;
  CHECK(m.find("relgraph_http_requests_total{route=\"/v1/paths\",method=\"GET\",status=\"200\"} 2") != std::string::npos);
  CHECK(m.find("status=\"404\"} 1") != std::string::npos);
  CHECK(m.find("relgraph_http_request_duration_seconds_bucket{route=\"/v1/paths\",le=\"+Inf\"} 2") != std::string::npos);
  CHECK(m.find("relgraph_ingested_articles_total 1") != std::string::npos);
  CHECK(m.find("relgraph_snapshot_build_seconds_count 1") != std::string::npos);
  CHECK(m.find("relgraph_graph_entities ") != std::string::npos);
}

TEST_CASE("every answer carries a request id; a client's own id is kept") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  auto r = c.Get("/healthz");
  CHECK_FALSE(r->get_header_value("X-Request-Id").empty());
  r = c.Get("/healthz", {{"X-Request-Id", "trace-42"}});
  CHECK(r->get_header_value("X-Request-Id") == "trace-42");
  r = c.Get("/healthz", {{"X-Request-Id", "bad id with spaces"}});
  CHECK(r->get_header_value("X-Request-Id") != "bad id with spaces");
  CHECK(c.Get("/readyz")->status == 200);
}

TEST_CASE("an online backup taken during ingest is consistent and serves") {
  TempDir dir;
  const auto db = dir.path() / "g.db";
  const auto copy = dir.path() / "copy.db";
  std::atomic<bool> done{false};
  int before = 0;
  {
    TestServer s(db);
    auto c = s.client();
    c.Post("/v1/articles", article_body(relgraph::testing::fixture_text("seed-article")), "application/json");
    before = json::parse(c.Get("/v1/stats")->body)["articles"];
    std::thread writer([&] {
      auto w = s.client();
      for (int i = 0; i < 40 && !done; ++i)
        w.Post("/v1/articles", article_body("Article " + std::to_string(i) + ": Chile praised Peru."),
               "application/json");
    });
    relgraph::store::Store::backup(db.string(), copy.string());
    done = true;
    writer.join();
  }
  CHECK_FALSE(std::filesystem::exists(copy.string() + ".tmp"));
  TestServer restored(copy);
  const json stats = json::parse(restored.client().Get("/v1/stats")->body);
  CHECK(stats["articles"].get<int>() >= before);
  const json path = json::parse(
      restored.client().Get("/v1/paths?from=China&to=Iran&types=drills-with")->body);
  CHECK(path["paths"].size() == 1);
}

TEST_CASE("every article field rejects the wrong type, every parameter treats SQL as data") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  c.Post("/v1/articles", article_body(relgraph::testing::fixture_text("seed-article")), "application/json");
  for (const char* field : {"text", "title", "url", "source", "published_at"}) {
    for (const json& wrong : {json(42), json(true), json::array({"x"}), json::object({{"a", 1}})}) {
      json body = {{"text", "China praised Russia."}};
      body[field] = wrong;
      auto r = c.Post("/v1/articles", body.dump(), "application/json");
      REQUIRE(r);
      INFO(field << " = " << wrong.dump());
      CHECK(r->status == 400);
      CHECK(json::parse(r->body)["error"]["param"] == field);
    }
  }
  const std::string sql = httplib::detail::encode_query_param("x'); DROP TABLE relations; --\"");
  const std::vector<std::string> paths = {
      "/v1/entities?q=", "/v1/entities?kind=", "/v1/articles?q=", "/v1/relations?type=",
      "/v1/relations?subject=", "/v1/neighborhood?entity=", "/v1/paths?from=China&to=",
      "/v1/paths?from=China&to=Iran&exclude=", "/v1/paths?from=China&to=Iran&via=",
      "/v1/timeline?a=", "/v1/analytics?metric=", "/v1/entities/China/relations?direction=",
      "/v1/entities?cursor=", "/v1/paths?from=China&to=Iran&since="};
  for (const auto& p : paths) {
    auto r = c.Get(p + sql);
    REQUIRE(r);
    INFO(p);
    CHECK(r->status >= 200);
    CHECK(r->status < 500);
    CHECK_FALSE(json::parse(r->body, nullptr, false).is_discarded());
  }
  // Still all there.
  CHECK(json::parse(c.Get("/v1/stats")->body)["relations"].get<int>() > 0);
}

TEST_CASE("path traversal attempts find nothing and get JSON 404s") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  for (const char* p : {"/../../etc/passwd", "/v1/../../etc/passwd", "/v1/articles/..%2F..%2Fetc%2Fpasswd",
                        "/%2e%2e/%2e%2e/etc/passwd", "/v1/entities/..%2F..%2Fetc%2Fpasswd/relations/x"}) {
    auto r = c.Get(p);
    REQUIRE(r);
    INFO(p << " -> " << r->status << " " << r->body);
    CHECK(r->status >= 400);
    CHECK(r->status < 500);
    CHECK(r->body.find("root:") == std::string::npos);
    CHECK_FALSE(json::parse(r->body, nullptr, false).is_discarded());
  }
}
