// Starts the real relgraph HTTP server in-process on a free loopback port with its own
// database file, for integration tests that talk HTTP to it.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "server/http_api.h"
#include "server/knowledge_loader.h"
#include "server/service.h"

namespace relgraph::testing {

class TestServer {
 public:
  static server::HttpOptions default_options(size_t max_body_bytes = 1 << 20) {
    server::HttpOptions options;
    options.threads = 4;
    options.max_body_bytes = max_body_bytes;
    options.log_requests = false;
    return options;
  }

  explicit TestServer(const std::filesystem::path& db, size_t max_body_bytes = 1 << 20)
      : TestServer(db, default_options(max_body_bytes)) {}

  TestServer(const std::filesystem::path& db, server::HttpOptions options) {
    auto k = server::bundled_knowledge();
    std::vector<std::string> symmetric;
    for (const auto& t : k.relation_types())
      if (t.symmetric) symmetric.push_back(t.name);
    service_ = std::make_unique<server::Service>(std::move(k), store::Store::open(db, symmetric));
    options.port = 0;
    api_ = std::make_unique<server::HttpApi>(*service_, options);
    std::string error;
    if (!api_->bind(error)) throw std::runtime_error(error);
    thread_ = std::thread([this] { api_->serve(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!api_->running()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("server did not start");
      std::this_thread::yield();
    }
  }
  ~TestServer() {
    api_->stop();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return api_->bound_port(); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port());
    c.set_read_timeout(30, 0);
    return c;
  }
  server::Service& service() { return *service_; }
  const server::HttpApi& api() const { return *api_; }

 private:
  std::unique_ptr<server::Service> service_;
  std::unique_ptr<server::HttpApi> api_;
  std::thread thread_;
};

}  // namespace relgraph::testing
