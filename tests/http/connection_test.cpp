// The server's connection loop (server/http_connection.h): what a client sees on one TCP
// connection — keep-alive limits and timeout, unread bodies, 100 Continue, large answers,
// headers and body in one segment, and a stop that does not wait for idle connections.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "support/fixtures.h"
#include "support/raw_connection.h"
#include "support/test_server.h"

namespace {

using relgraph::testing::connect_to;
using relgraph::testing::read_some;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

void send_text(int fd, const std::string& s) {
  REQUIRE(send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
}

// Reads until `text` holds `count` complete responses (Content-Length bodies) or the
// connection ends.
std::string read_responses(int fd, int count) {
  std::string text;
  for (;;) {
    size_t pos = 0;
    int complete = 0;
    for (;;) {
      const size_t end = text.find("\r\n\r\n", pos);
      if (end == std::string::npos) break;
      const size_t cl = text.find("Content-Length: ", pos);
      const size_t length = cl != std::string::npos && cl < end ? std::stoul(text.substr(cl + 16)) : 0;
      if (text.size() < end + 4 + length) break;
      pos = end + 4 + length;
      ++complete;
    }
    if (complete >= count) return text;
    const std::string more = read_some(fd);
    if (more.empty()) return text;
    text += more;
  }
}

}  // namespace

TEST_CASE("bytes after a request in the same packet are not taken for a next request") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const int fd = connect_to(s.port());
  // /v1/articles refuses this body unread (wrong Content-Type): the request line inside it
  // must not be served.
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: smuggled\r\n\r\n";
  send_text(fd, "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                "X-Request-Id: first\r\nContent-Length: " + std::to_string(smuggled.size()) +
                "\r\n\r\n" + smuggled);
  const std::string text = read_responses(fd, 1);
  INFO(text);
  CHECK(text.find("HTTP/1.1 415") == 0);
  CHECK(text.find("X-Request-Id: first") != std::string::npos);
  // Nothing more comes for it; the connection still serves the next request.
  send_text(fd, "GET /readyz HTTP/1.1\r\nHost: x\r\nX-Request-Id: next\r\n\r\n");
  const std::string next = read_responses(fd, 1);
  INFO(next);
  CHECK(next.find("smuggled") == std::string::npos);
  CHECK(next.find("X-Request-Id: next") != std::string::npos);
  CHECK(next.find("\"status\":\"ready\"") != std::string::npos);
  close(fd);
}

TEST_CASE("a keep-alive connection is closed after keep_alive_max_requests, the last saying so") {
  TempDir dir;
  auto o = TestServer::default_options();
  o.keep_alive_max_requests = 3;
  TestServer s(dir.path() / "g.db", o);
  const int fd = connect_to(s.port());
  const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 2; ++i) {
    send_text(fd, req);
    const std::string r = read_responses(fd, 1);
    CHECK(r.find("200 OK") != std::string::npos);
    CHECK(r.find("Keep-Alive: timeout=5, max=3") != std::string::npos);
  }
  send_text(fd, req);
  const std::string last = read_responses(fd, 1);
  CHECK(last.find("200 OK") != std::string::npos);
  CHECK(last.find("Connection: close") != std::string::npos);
  CHECK(read_some(fd).empty());  // closed by the server
  close(fd);
}

TEST_CASE("Connection: close is honoured") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const int fd = connect_to(s.port());
  send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string r = read_responses(fd, 1);
  CHECK(r.find("200 OK") != std::string::npos);
  CHECK(r.find("Connection: close") != std::string::npos);
  CHECK(read_some(fd).empty());
  close(fd);
}

TEST_CASE("Expect: 100-continue gets its interim answer before the body is sent") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const int fd = connect_to(s.port());
  const std::string body = R"({"text": "Nothing happened today.", "published_at": "2024-03-18"})";
  send_text(fd, "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Expect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  // The server must send 100 Continue without waiting for the body.
  CHECK(read_some(fd).find("HTTP/1.1 100 Continue") == 0);
  send_text(fd, body);
  const std::string r = read_responses(fd, 1);
  INFO(r);
  CHECK(r.find("HTTP/1.1 201 Created") == 0);
  close(fd);
}

TEST_CASE("an answer larger than the send buffer arrives whole, and small ones in one segment") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  auto c = s.client();
  c.set_keep_alive(true);
  // The OpenAPI document is larger than what the connection buffers before it writes.
  auto big = c.Get("/v1/openapi.json");
  REQUIRE(big);
  CHECK(big->status == 200);
  CHECK(big->body.size() > 64 * 1024);
  CHECK(nlohmann::json::parse(big->body, nullptr, false).is_object());
  auto small = c.Get("/healthz");
  REQUIRE(small);
  CHECK(small->status == 200);
  // Headers and body of a small answer come in one write: one recv gets both.
  const int fd = connect_to(s.port());
  send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string first = read_some(fd);
  CHECK(first.find("\r\n\r\n{") != std::string::npos);
  close(fd);
}

TEST_CASE("stop() does not wait for idle keep-alive connections") {
  TempDir dir;
  auto s = std::make_unique<TestServer>(dir.path() / "g.db");
  const int fd = connect_to(s->port());
  send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(read_responses(fd, 1).find("200 OK") != std::string::npos);
  // The connection is idle now: its worker waits for a next request (up to 5 s).
  const auto start = std::chrono::steady_clock::now();
  s.reset();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 1.0);
  close(fd);
}

TEST_CASE("an idle keep-alive connection is closed after the keep-alive timeout (5 s)") {
  TempDir dir;
  TestServer s(dir.path() / "g.db");
  const int fd = connect_to(s.port());
  timeval tv{8, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  send_text(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(read_responses(fd, 1).find("200 OK") != std::string::npos);
  const auto start = std::chrono::steady_clock::now();
  CHECK(read_some(fd).empty());  // the server closes it; recv sees the end, not a timeout
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds > 4.0);
  CHECK(seconds < 7.0);
  close(fd);
}
