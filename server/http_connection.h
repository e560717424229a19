// cpp-httplib's server with its per-connection loop replaced (the part that touches the
// socket; parsing, routing and response writing are still cpp-httplib's process_request).
//
// cpp-httplib 0.11 made 11 system calls and sent 2 TCP segments per keep-alive request: a
// poll before every read and two before every send (one of them a liveness probe),
// getpeername and getsockname for every request, and the status line with headers in one
// send() and the body in another. On loopback each segment costs a full transmit and
// receive path in the kernel plus a wake-up of the client; under load that was about half
// of the server's CPU per request. Here a connection has one stream for its whole life:
// - one poll while waiting for the next request (also woken by stop()), then recv;
// - the response is buffered and sent with one send() (writev for large bodies), flushed
//   before the stream reads again (so "100 Continue" goes out before the body is read) and
//   after each request;
// - the peer and local addresses are read once per connection.
// As with cpp-httplib's stream per request, bytes read past the end of a request are dropped
// (so a body a handler refused unread is not parsed as a request; pipelining is not
// supported, as before).
// Keep-alive timeout and max count, read and write timeouts behave as cpp-httplib's.
//
// Thread-safety: as httplib::Server; stop() may be called from any thread.
#pragma once

#include <httplib.h>

#include <atomic>

namespace relgraph::server {

class HttpServer : public httplib::Server {
 public:
  HttpServer();
  ~HttpServer() override;
  // Stops listening and wakes every connection waiting for a next request, so that idle
  // keep-alive connections end at once instead of at their timeout.
  void stop_and_wake();

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Readable (level-triggered, never drained) once stop_and_wake() ran.
  int wake_fd_ = -1;
};

}  // namespace relgraph::server
