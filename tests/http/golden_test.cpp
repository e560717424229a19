// Golden query tests (the Kùzu model): fixtures/queries/*.test hold cases, each naming a
// graph of fixtures/graphs/, an HTTP request, the expected status and the expected answer
// rendered readably. The runner builds each named graph into a fresh database (through
// store::Store::ingest, bypassing extraction), starts the real server on it, sends every
// request over HTTP, renders the answer the same way and compares. fixtures/queries/README.md
// describes the format. One doctest case (one ctest entry) per .test file.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>

#include "support/fixtures.h"
#include "support/golden_graph.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

struct Check {
  std::string pointer;  // a JSON pointer into the answer
  bool count = false;   // compare the size of the array there, not the value
  std::string value;    // JSON text
};

struct GoldenCase {
  std::string file;
  int line = 0;
  std::string name, dataset, method, target, body;
  int status = 0;
  int max_ms = 0;  // 0: no time limit
  std::string known_bug;
  bool has_expect = false;
  std::vector<std::string> expect;
  std::vector<Check> checks;
};

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

std::vector<GoldenCase> read_cases(const std::string& file) {
  const auto path = relgraph::testing::fixtures_dir() / "queries" / file;
  REQUIRE_MESSAGE(std::filesystem::exists(path), "no query file " << path);
  std::istringstream in(relgraph::testing::read_text(path));
  std::vector<GoldenCase> cases;
  std::string raw;
  int number = 0;
  bool in_expect = false;
  auto fail = [&](const std::string& why) { FAIL(file << ":" << number << ": " << why); };
  while (std::getline(in, raw)) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (in_expect && raw.rfind("  ", 0) == 0) {
      cases.back().expect.push_back(trim(raw));
      continue;
    }
    in_expect = false;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) fail("expected \"field: value\", got \"" + line + "\"");
    const std::string field = line.substr(0, colon);
    const std::string value = trim(line.substr(colon + 1));
    if (field == "case") {
      cases.push_back({});
      cases.back().file = file;
      cases.back().line = number;
      cases.back().name = value;
      continue;
    }
    if (cases.empty()) fail("\"" + field + ":\" before the first \"case:\"");
    GoldenCase& c = cases.back();
    if (field == "dataset") {
      c.dataset = value;
    } else if (field == "request") {
      const auto sp = value.find(' ');
      c.method = value.substr(0, sp);
      const std::string rest = sp == std::string::npos ? "" : trim(value.substr(sp + 1));
      const auto sp2 = rest.find(' ');
      c.target = rest.substr(0, sp2);
      if (sp2 != std::string::npos) c.body = trim(rest.substr(sp2 + 1));
      if (c.method != "GET" && c.method != "POST") fail("request is GET or POST");
    } else if (field == "status") {
      c.status = std::stoi(value);
    } else if (field == "max_ms") {
      c.max_ms = std::stoi(value);
    } else if (field == "known_bug") {
      c.known_bug = value;
    } else if (field == "expect") {
      c.has_expect = true;
      in_expect = true;
    } else if (field == "check") {
      // "/pointer = json" or "/pointer count = n"
      const auto eq = value.find(" = ");
      if (eq == std::string::npos) fail("check is \"/pointer = value\" or \"/pointer count = n\"");
      Check ch;
      ch.pointer = trim(value.substr(0, eq));
      ch.value = trim(value.substr(eq + 3));
      if (ch.pointer.size() > 6 && ch.pointer.substr(ch.pointer.size() - 6) == " count") {
        ch.count = true;
        ch.pointer = trim(ch.pointer.substr(0, ch.pointer.size() - 6));
      }
      c.checks.push_back(ch);
    } else {
      fail("unknown field \"" + field + "\"");
    }
  }
  for (const auto& c : cases) {
    if (c.dataset.empty() || c.method.empty() || c.status == 0)
      FAIL(file << ":" << c.line << ": case \"" << c.name << "\" needs dataset, request and status");
  }
  return cases;
}

// ---- rendering ---------------------------------------------------------------------------

std::string name_of(const json& ref) { return ref.value("name", "#" + ref["id"].dump()); }

// One relation on its own: "A -type-> B", or "A --type-- B" (names in order) when symmetric.
std::string edge_line(const json& e) {
  std::string s = name_of(e["subject"]), o = name_of(e["object"]);
  const std::string type = e["type"];
  if (e.value("symmetric", false)) {
    if (o < s) std::swap(s, o);
    return s + " --" + type + "-- " + o;
  }
  return s + " -" + type + "-> " + o;
}

// A path as walked: arrows follow each relation's direction.
std::string path_line(const json& path) {
  const json& nodes = path["nodes"];
  const json& edges = path["edges"];
  std::string out = name_of(nodes[0]);
  for (size_t i = 0; i < edges.size(); ++i) {
    const json& e = edges[i];
    const std::string type = e["type"];
    if (e.value("symmetric", false))
      out += " --" + type + "-- ";
    else if (e["subject"]["id"] == nodes[i]["id"])
      out += " -" + type + "-> ";
    else
      out += " <-" + type + "- ";
    out += name_of(nodes[i + 1]);
  }
  return out;
}

std::string truncated_line(const json& a) {
  if (!a.value("truncated", false)) return "truncated: false";
  return "truncated: true (" + a.value("truncated_by", std::string("?")) + ")";
}

std::string score(double v) {
  char buf[32];
  if (v == std::floor(v) && std::abs(v) < 1e12)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::vector<std::string> sorted_edges(const json& edges) {
  std::vector<std::string> lines;
  for (const auto& e : edges) lines.push_back("edge " + edge_line(e));
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> render(const GoldenCase& c, int status, const json& a) {
  std::vector<std::string> out;
  if (status >= 400) {
    const json& e = a["error"];
    std::string line = "error: " + e.value("code", std::string("?"));
    if (e.contains("param")) line += " (param " + e["param"].get<std::string>() + ")";
    out.push_back(line);
    std::vector<std::string> cands;
    for (const auto& cand : e.value("candidates", json::array()))
      cands.push_back("candidate: " + cand.value("name", std::string()) + " (" +
                      cand.value("kind", std::string()) + ", " + cand.value("key", std::string()) + ")");
    std::sort(cands.begin(), cands.end());
    out.insert(out.end(), cands.begin(), cands.end());
    return out;
  }
  const std::string path = c.target.substr(0, c.target.find('?'));
  if (path == "/v1/paths") {
    for (const auto& p : a["paths"]) out.push_back(path_line(p));
    out.push_back(truncated_line(a));
  } else if (path == "/v1/neighborhood") {
    std::vector<std::pair<int, std::string>> nodes;
    for (const auto& n : a["nodes"]) nodes.emplace_back(n["distance"].get<int>(), name_of(n));
    std::sort(nodes.begin(), nodes.end());
    for (const auto& [d, n] : nodes) out.push_back("node " + std::to_string(d) + " " + n);
    for (auto& l : sorted_edges(a["edges"])) out.push_back(l);
    out.push_back(truncated_line(a));
  } else if (path == "/v1/subgraph") {
    std::vector<std::string> nodes;
    for (const auto& n : a["nodes"]) nodes.push_back("node " + name_of(n));
    std::sort(nodes.begin(), nodes.end());
    out = nodes;
    for (auto& l : sorted_edges(a["edges"])) out.push_back(l);
    for (const auto& pair : a["unconnected"])
      out.push_back("unconnected: " + name_of(pair[0]) + ", " + name_of(pair[1]));
    out.push_back(truncated_line(a));
  } else if (path == "/v1/analytics") {
    if (a.contains("components")) {
      out.push_back("components: " + a["count"].dump());
      for (const auto& comp : a["components"]) {
        std::vector<std::string> members;
        for (const auto& m : comp["members"]) members.push_back(name_of(m));
        std::sort(members.begin(), members.end());
        std::string line = "component " + comp["size"].dump() + ":";
        for (const auto& m : members) line += " " + m;
        out.push_back(line);
      }
    } else {
      int rank = 0;
      for (const auto& e : a["top"])
        out.push_back(std::to_string(++rank) + ". " + name_of(e) + " " + score(e["score"].get<double>()));
      out.push_back("ranked: " + a["ranked"].dump());
    }
    out.push_back(truncated_line(a));
  } else if (path == "/v1/timeline") {
    for (const auto& b : a["buckets"]) out.push_back(b["bucket"].get<std::string>() + " " + b["evidence"].dump());
  } else {
    out.push_back(a.dump());
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += "  " + l + "\n";
  return s;
}

// ---- running -----------------------------------------------------------------------------

// A server on each named graph a file uses, built on first use.
class Datasets {
 public:
  TestServer& server(const std::string& name) {
    auto it = servers_.find(name);
    if (it != servers_.end()) return *it->second;
    const auto db = dir_.path() / (name + ".db");
    relgraph::testing::build_golden_database(relgraph::testing::read_golden_graph(name), db);
    return *servers_.emplace(name, std::make_unique<TestServer>(db)).first->second;
  }

 private:
  TempDir dir_;
  std::map<std::string, std::unique_ptr<TestServer>> servers_;
};

// The mismatches of one case, as lines; empty when it passes.
std::vector<std::string> run_case(const GoldenCase& c, Datasets& data) {
  std::vector<std::string> problems;
  auto client = data.server(c.dataset).client();
  const auto start = std::chrono::steady_clock::now();
  auto r = c.method == "GET" ? client.Get(c.target) : client.Post(c.target, c.body, "application/json");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (!r) return {"no answer (" + httplib::to_string(r.error()) + ")"};
  if (r->status != c.status) problems.push_back("status: expected " + std::to_string(c.status) + ", got " + std::to_string(r->status));
  if (c.max_ms > 0 && ms > c.max_ms)
    problems.push_back("took " + std::to_string(ms) + " ms, more than max_ms " + std::to_string(c.max_ms));
  const json answer = json::parse(r->body, nullptr, false);
  if (answer.is_discarded()) return {"the answer is not JSON: " + r->body.substr(0, 300)};
  if (c.has_expect) {
    const auto got = render(c, r->status, answer);
    if (got != c.expect)
      problems.push_back("expected:\n" + joined(c.expect) + "actual:\n" + joined(got));
  }
  for (const auto& ch : c.checks) {
    const json::json_pointer ptr(ch.pointer);
    if (!answer.contains(ptr)) {
      problems.push_back("check " + ch.pointer + ": absent");
      continue;
    }
    const json& at = answer.at(ptr);
    const json want = json::parse(ch.value, nullptr, false);
    if (want.is_discarded()) {
      problems.push_back("check " + ch.pointer + ": \"" + ch.value + "\" is not JSON");
      continue;
    }
    bool same;
    std::string got;
    if (ch.count) {
      same = at.is_array() && want == json(at.size());
      got = at.is_array() ? std::to_string(at.size()) : "not an array";
    } else if (at.is_number() && want.is_number()) {
      same = std::abs(at.get<double>() - want.get<double>()) <= 5e-4 * std::max(1.0, std::abs(want.get<double>()));
      got = at.dump();
    } else {
      same = at == want;
      got = at.dump();
    }
    if (!same)
      problems.push_back("check " + ch.pointer + (ch.count ? " count" : "") + ": expected " + ch.value + ", got " + got);
  }
  return problems;
}

void run_file(const std::string& file) {
  const auto cases = read_cases(file);
  REQUIRE_FALSE(cases.empty());
  Datasets data;
  for (const auto& c : cases) {
    const auto problems = run_case(c, data);
    std::string report;
    for (const auto& p : problems) report += p + "\n";
    const std::string where = file + ":" + std::to_string(c.line) + ": " + c.name + "\n  " +
                              c.method + " " + c.target + (c.body.empty() ? "" : " " + c.body) + "\n";
    if (!c.known_bug.empty()) {
      // A known server bug: the case states the right answer and is expected to fail until
      // the bug is fixed; when it passes, the marker must go.
      if (problems.empty())
        FAIL_CHECK(where << "passes now: remove its known_bug line (" << c.known_bug << ")");
      else
        MESSAGE(where << "known bug (" << c.known_bug << "):\n" << report);
      continue;
    }
    if (!problems.empty()) FAIL_CHECK(where << report);
  }
}

}  // namespace

TEST_CASE("golden: paths") { run_file("paths.test"); }
TEST_CASE("golden: filters inside the search") { run_file("filters.test"); }
TEST_CASE("golden: neighbourhoods and bounds") { run_file("neighborhoods.test"); }
TEST_CASE("golden: subgraphs, analytics and timelines") { run_file("analytics.test"); }
TEST_CASE("golden: errors") { run_file("errors.test"); }
