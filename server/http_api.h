// The REST API (../shared/docs/api.md) over cpp-httplib.
//
// Every endpoint goes through one route wrapper: it checks the parameters the route
// accepts, calls a handler that returns JSON or an ApiError, and serialises. Handlers never
// touch sockets or status codes. Every failure is a JSON error body from the error table in
// api_error.h, including the server's own 404s and 413s and exceptions (which leak nothing).
//
// Thread-safety: start()/stop() from one controlling thread; requests run on a worker pool.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "server/access.h"
#include "server/metrics.h"
#include "server/service.h"

namespace relgraph::server {

class HttpServer;

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0: any free port (see bound_port())
  int threads = 16;                       // worker pool; a keep-alive client holds one
  size_t max_queued = 256;                // connections waiting for a worker; beyond: 503
  size_t max_body_bytes = 8 * 1024 * 1024;  // larger request bodies get 413, chunked or not
  size_t max_response_bytes = 64 * 1024 * 1024;  // larger answers are refused (400)
  int read_timeout_seconds = 10;          // a client that sends nothing for this long is cut
  // Requests one keep-alive connection may make before the server closes it (cpp-httplib's
  // default is 5, which made every keep-alive client reconnect every 5 requests: a TCP
  // handshake and a worker hand-off per 5 requests). Idle connections are still closed
  // after 5 s, so a client cannot hold a worker by doing nothing.
  size_t keep_alive_max_requests = 10000;
  ApiKeys keys;                           // empty: no authentication (loopback only)
  bool public_reads = false;              // with keys: let GET requests through without one
  double rate_limit = 0;                  // requests per second per client (key or address); 0: off
  bool log_requests = true;               // one JSON line per request on stderr
};

// One endpoint as the server registered it: what GET /v1/openapi.json must document.
struct RouteInfo {
  std::string method;               // "GET" or "POST"
  std::string pattern;              // cpp-httplib pattern; path parameters are regex groups
  std::vector<std::string> params;  // the query parameters it accepts (others are a 400)
};

class HttpApi {
 public:
  HttpApi(Service& service, HttpOptions options);
  ~HttpApi();

  // Binds the socket. Returns false (with a message in `error`) when it cannot.
  bool bind(std::string& error);
  int bound_port() const { return port_; }
  // Serves until stop() is called. REQUIRES: bind() succeeded.
  void serve();
  void stop();
  bool running() const;
  // Every registered endpoint, in registration order.
  const std::vector<RouteInfo>& routes() const { return routes_; }

 private:
  void register_routes();
  void register_middleware();

  Service& service_;
  HttpOptions options_;
  Metrics metrics_;
  std::unique_ptr<RateLimiter> limiter_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
  std::vector<RouteInfo> routes_;
  int listen_socket_ = -1;  // the listening socket, once bound
};

}  // namespace relgraph::server
