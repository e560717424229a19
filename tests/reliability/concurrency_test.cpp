// Concurrency: reader threads hammer paths, neighbourhoods and relation lists over HTTP while
// a writer POSTs articles that bring new entities and relations. Every answer must come from
// one consistent snapshot: no edge without both of its entities, neighbourhood edges only
// between returned nodes, paths that chain; graph_version never goes backwards for a client;
// never a 5xx. Runs about 2.5 s; the TSan CI build runs it too (scripts/ci-sanitizers.sh).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;
using Clock = std::chrono::steady_clock;

std::string q(const std::string& s) { return httplib::detail::encode_query_param(s); }

// Problems found by any thread, reported (and failed on) by the main thread: doctest's
// assertions are not meant for other threads.
class Problems {
 public:
  void add(const std::string& p) {
    std::lock_guard lock(mutex_);
    if (list_.size() < 20) list_.push_back(p);
    ++count_;
  }
  std::vector<std::string> list() const {
    std::lock_guard lock(mutex_);
    return list_;
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> list_;
  size_t count_ = 0;
};

// A reference to an entity as answers give it; an entity the answer's snapshot lacks would
// come out as a bare {"id": N}.
bool complete_ref(const json& ref) {
  return ref.is_object() && ref.contains("id") && ref.contains("name") && ref.contains("key");
}

// Articles for the writer: each names a new analyst (a new entity, with a new relation to a
// known university) beside relations between known states.
std::string writer_text(int i) {
  static const char* const kFirst[] = {"Mara", "Oskar", "Lena", "Tomas", "Ines", "Pavel", "Greta", "Rafael"};
  static const char* const kLast[] = {"Kessling", "Vintergaard", "Moravec", "Okonkwo", "Halvorsen",
                                      "Castellanos", "Brightwater", "Lindqvist", "Ferreira", "Novak"};
  static const char* const kStates[] = {"Japan", "Brazil", "Turkey", "Sweden", "Kenya", "Chile",
                                        "Peru", "India", "Iran", "Russia", "China", "Egypt"};
  static const char* const kVerbs[] = {"praised", "criticized", "signed a trade agreement with",
                                       "held joint naval drills with", "condemned"};
  const std::string name = std::string(kFirst[i % 8]) + " " + kLast[(i / 8) % 10] +
                           (i >= 80 ? " " + std::string(1, static_cast<char>('A' + (i / 80) % 26)) + "." : "");
  const char* a = kStates[i % 12];
  const char* b = kStates[(i * 5 + 7) % 12];
  if (a == b) b = kStates[(i + 1) % 12];
  return name + ", an associate professor at the National University of Singapore, said " + a + " " +
         kVerbs[i % 5] + " " + b + " on Monday.\n" + std::string(b) + " " + kVerbs[(i + 2) % 5] + " " +
         kStates[(i * 7 + 1) % 12] + " in talks number " + std::to_string(i) + ".";
}

void check_neighborhood(const json& j, const std::string& what, Problems& problems) {
  std::set<int64_t> nodes;
  for (const auto& n : j["nodes"]) {
    if (!n.contains("name")) problems.add(what + ": node without name: " + n.dump());
    nodes.insert(n["id"].get<int64_t>());
  }
  if (!j["center"].is_object() || !nodes.count(j["center"]["id"].get<int64_t>()))
    problems.add(what + ": centre missing from nodes");
  for (const auto& e : j["edges"]) {
    if (!complete_ref(e["subject"]) || !complete_ref(e["object"]))
      problems.add(what + ": edge without its entities: " + e.dump());
    else if (!nodes.count(e["subject"]["id"].get<int64_t>()) || !nodes.count(e["object"]["id"].get<int64_t>()))
      problems.add(what + ": edge " + std::to_string(e["id"].get<int64_t>()) + " to a node not in the answer");
  }
}

void check_paths(const json& j, const std::string& what, Problems& problems) {
  for (const auto& p : j["paths"]) {
    const auto& nodes = p["nodes"];
    const auto& edges = p["edges"];
    if (nodes.size() != edges.size() + 1 || p["length"].get<size_t>() != edges.size()) {
      problems.add(what + ": path with " + std::to_string(nodes.size()) + " nodes and " +
                   std::to_string(edges.size()) + " edges");
      continue;
    }
    for (const auto& n : nodes)
      if (!n.contains("name")) problems.add(what + ": path node without name");
    for (size_t i = 0; i < edges.size(); ++i) {
      const auto& e = edges[i];
      if (!complete_ref(e["subject"]) || !complete_ref(e["object"])) {
        problems.add(what + ": path edge without its entities: " + e.dump());
        continue;
      }
      const std::set<int64_t> ends = {e["subject"]["id"].get<int64_t>(), e["object"]["id"].get<int64_t>()};
      const std::set<int64_t> hop = {nodes[i]["id"].get<int64_t>(), nodes[i + 1]["id"].get<int64_t>()};
      if (ends != hop) problems.add(what + ": edge " + std::to_string(i) + " does not join its nodes");
    }
  }
}

void check_relations(const json& j, const std::string& what, Problems& problems) {
  for (const auto& r : j["relations"])
    if (!complete_ref(r["subject"]) || !complete_ref(r["object"]))
      problems.add(what + ": relation without its entities: " + r.dump());
}

// Seeds a server with the fixtures, then runs a writer and four readers for `duration`; each
// reader asks for the targets `pick` gives it. Returns the problems found and what was done.
struct Hammered {
  std::vector<std::string> problems;
  size_t problem_count = 0;
  int written = 0;
  long answers = 0;
};

Hammered hammer(std::chrono::milliseconds duration,
                const std::function<std::string(unsigned n, int reader)>& pick) {
  TempDir dir;
  TestServer s(dir.path() / "c.db");
  {
    // Start from the fixtures, so that paths and neighbourhoods have something to cross.
    std::vector<relgraph::store::ArticleInput> articles;
    for (const auto& f : relgraph::server::fixture_article_files(relgraph::testing::fixtures_dir()))
      for (auto& e : relgraph::server::read_article_file(f))
        if (e.article) articles.push_back(std::move(*e.article));
    REQUIRE(articles.size() >= 10);
    s.service().ingest_batch(articles);
  }

  Problems problems;
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::atomic<long> answers{0};

  std::thread writer([&] {
    uint64_t last_version = 0;
    const auto end = Clock::now() + duration;
    for (int i = 0; Clock::now() < end; ++i) {
      auto c = s.client();
      json article = {{"text", writer_text(i)}, {"title", "concurrency " + std::to_string(i)},
                      {"published_at", "2024-05-0" + std::to_string(1 + i % 9)}};
      auto r = c.Post("/v1/articles", article.dump(), "application/json");
      if (!r) {
        problems.add("writer: POST failed: " + httplib::to_string(r.error()));
        continue;
      }
      if (r->status != 201 && r->status != 200) {
        problems.add("writer: HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 200));
        continue;
      }
      const json j = json::parse(r->body, nullptr, false);
      const uint64_t v = j.value("graph_version", uint64_t{0});
      if (v < last_version) problems.add("writer: graph_version went back");
      last_version = v;
      ++written;
    }
    stop = true;
  });

  auto reader = [&](int id) {
    uint64_t last_version = 0;
    unsigned n = static_cast<unsigned>(id) * 7919u;
    auto c = s.client();
    while (!stop) {
      const std::string path = pick(++n, id);
      auto r = c.Get(path);
      const std::string what = "reader " + std::to_string(id) + " GET " + path;
      if (!r) {
        problems.add(what + ": " + httplib::to_string(r.error()));
        continue;
      }
      if (r->status != 200) {
        problems.add(what + ": HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200));
        continue;
      }
      const json j = json::parse(r->body, nullptr, false);
      if (j.is_discarded()) {
        problems.add(what + ": not JSON");
        continue;
      }
      ++answers;
      if (j.contains("graph_version")) {
        const uint64_t v = j["graph_version"].get<uint64_t>();
        if (v < last_version)
          problems.add(what + ": graph_version " + std::to_string(v) + " after " + std::to_string(last_version));
        last_version = v;
      }
      if (j.contains("paths")) check_paths(j, what, problems);
      if (j.contains("edges")) check_neighborhood(j, what, problems);
      if (j.contains("relations")) check_relations(j, what, problems);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader, i);
  writer.join();
  for (auto& t : readers) t.join();

  Hammered out;
  out.problems = problems.list();
  out.problem_count = problems.count();
  out.written = written.load();
  out.answers = answers.load();

  // Afterwards every analyst the writer introduced is in the graph with its relation.
  auto c = s.client();
  auto r = c.Get("/v1/neighborhood?entity=" + q("National University of Singapore") + "&depth=1&limit=1000");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json hood = json::parse(r->body);
  CHECK(hood["nodes"].size() >= static_cast<size_t>(std::min(out.written, 80)));
  return out;
}

void report(const Hammered& h) {
  MESSAGE(h.written << " articles written, " << h.answers << " answers checked");
  CHECK(h.written > 0);
  CHECK(h.answers > 0);
  for (const auto& p : h.problems) FAIL_CHECK(p);
  CHECK(h.problem_count == 0);
}

const std::vector<std::string> kStates = {"China", "Russia", "Iran", "India", "Japan",
                                          "United States", "Ukraine", "Saudi Arabia"};

}  // namespace

TEST_CASE("paths and neighbourhoods are consistent snapshots while a writer ingests") {
  report(hammer(std::chrono::milliseconds(1500), [](unsigned n, int id) -> std::string {
    const std::string& a = kStates[n % kStates.size()];
    const std::string& b = kStates[(n / 3 + 1 + static_cast<unsigned>(id)) % kStates.size()];
    switch (n % 4) {
      case 0: return "/v1/paths?from=" + q(a) + "&to=" + q(b) + "&k=3";
      case 1: return "/v1/neighborhood?entity=" + q(a) + "&depth=2";
      case 2: return "/v1/neighborhood?entity=" + q("National University of Singapore") + "&depth=1&limit=50";
      default: return "/v1/paths?from=" + q("National University of Singapore") + "&to=" + q(a);
    }
  }));
}

// Regression: relation lists read from the store named entities committed a moment before
// their snapshot was published as a bare {"id": N}; they now fall back to the store.
TEST_CASE("relation lists name their entities while a writer ingests") {
  report(hammer(std::chrono::milliseconds(1500), [](unsigned n, int) -> std::string {
    const std::string& a = kStates[n % kStates.size()];
    switch (n % 3) {
      case 0: return "/v1/relations?type=affiliated-with&limit=200";
      case 1: return "/v1/entities/" + q("National University of Singapore") + "/relations?limit=200";
      default: return "/v1/relations?subject=" + q(a) + "&limit=100";
    }
  }));
}
