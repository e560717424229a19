// Counters and histograms for GET /metrics, in the Prometheus text format (version 0.0.4).
// Thread-safe: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace relgraph::server {

class Metrics {
 public:
  // One finished request: the route pattern that served it ("unmatched" if none).
  void observe_request(const std::string& route, const std::string& method, int status,
                       double seconds);
  void observe_ingest(bool duplicate, size_t evidence);
  void observe_snapshot_build(double seconds);

  // Renders everything, with the graph's current size given by the caller.
  std::string render(uint64_t graph_version, size_t graph_entities, size_t graph_relations) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  uint64_t articles_ = 0, duplicates_ = 0, evidence_ = 0;
  Histogram snapshot_build_;
};

}  // namespace relgraph::server
