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

#include "server/service.h"

namespace httplib {
class Server;
}

namespace relgraph::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0: any free port (see bound_port())
  int threads = 16;                       // worker pool; a keep-alive client holds one
  size_t max_body_bytes = 8 * 1024 * 1024;  // larger request bodies get 413, chunked or not
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

 private:
  void register_routes();

  Service& service_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
};

}  // namespace relgraph::server
