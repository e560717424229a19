#include "server/metrics.h"

#include <cstdio>

namespace relgraph::server {
namespace {

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Metrics::observe_request(const std::string& route, const std::string& method, int status,
                              double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::observe_ingest(bool duplicate, size_t evidence) {
  std::lock_guard lock(mutex_);
  (duplicate ? duplicates_ : articles_)++;
  evidence_ += evidence;
}

void Metrics::observe_snapshot_build(double seconds) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++snapshot_build_.counts[i];
  ++snapshot_build_.count;
  snapshot_build_.sum += seconds;
}

std::string Metrics::render(uint64_t graph_version, size_t graph_entities,
                            size_t graph_relations) const {
  std::lock_guard lock(mutex_);
  std::string out;
  auto histogram = [&](const std::string& name, const std::string& labels, const Histogram& h) {
    const std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += name + "_bucket{" + labels + sep + "le=\"" + number(kBuckets[i]) + "\"} " +
             std::to_string(h.counts[i]) + "\n";
    out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += name + "_sum" + (labels.empty() ? "" : "{" + labels + "}") + " " + number(h.sum) + "\n";
    out += name + "_count" + (labels.empty() ? "" : "{" + labels + "}") + " " +
           std::to_string(h.count) + "\n";
  };
  out += "# HELP relgraph_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE relgraph_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "relgraph_http_requests_total{route=\"" + label_value(route) + "\",method=\"" +
           label_value(method) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + "\n";
  }
  out += "# HELP relgraph_http_request_duration_seconds Time to answer a request, by route.\n";
  out += "# TYPE relgraph_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_)
    histogram("relgraph_http_request_duration_seconds", "route=\"" + label_value(route) + "\"", h);
  out += "# HELP relgraph_ingested_articles_total Articles stored (duplicates not counted).\n";
  out += "# TYPE relgraph_ingested_articles_total counter\n";
  out += "relgraph_ingested_articles_total " + std::to_string(articles_) + "\n";
  out += "# HELP relgraph_duplicate_articles_total Articles posted again and not stored.\n";
  out += "# TYPE relgraph_duplicate_articles_total counter\n";
  out += "relgraph_duplicate_articles_total " + std::to_string(duplicates_) + "\n";
  out += "# HELP relgraph_ingested_evidence_total Relation mentions stored.\n";
  out += "# TYPE relgraph_ingested_evidence_total counter\n";
  out += "relgraph_ingested_evidence_total " + std::to_string(evidence_) + "\n";
  out += "# HELP relgraph_snapshot_build_seconds Time to build and publish a graph snapshot.\n";
  out += "# TYPE relgraph_snapshot_build_seconds histogram\n";
  histogram("relgraph_snapshot_build_seconds", "", snapshot_build_);
  auto gauge = [&](const char* name, const char* help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
           " " + std::to_string(value) + "\n";
  };
  gauge("relgraph_graph_version", "Version of the published graph snapshot.", graph_version);
  gauge("relgraph_graph_entities", "Entities in the published snapshot.", graph_entities);
  gauge("relgraph_graph_relations", "Relations in the published snapshot.", graph_relations);
  return out;
}

}  // namespace relgraph::server
