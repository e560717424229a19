// Exports loaded in the clients analysts use, not string-matched: GraphML and GEXF with
// networkx, DOT rendered by Graphviz, Cytoscape.js JSON and CSV parsed by Python. Each test
// fetches a neighbourhood, a path set and a subgraph from a server holding the fixture
// articles, loads the export, and checks the client saw the nodes and edges of the JSON answer.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <tuple>

#include "server/article_input.h"
#include "support/fixtures.h"
#include "support/fixture_server.h"
#include "support/test_server.h"

namespace {

using nlohmann::json;
using relgraph::testing::TempDir;
using relgraph::testing::TestServer;

// Runs a shell command; its standard output and exit status.
std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

struct Query {
  std::string label;
  std::string target;    // GET path, or POST path when body is set
  std::string body;
};

const std::vector<Query> kQueries = {
    {"neighbourhood", "/v1/neighborhood?entity=Iran&depth=1", ""},
    {"path set", "/v1/paths?from=China&to=Iran&k=3", ""},
    {"subgraph", "/v1/subgraph?max_hops=3", R"({"seeds": ["China", "Iran", "Xi Jinping"]})"},
};

// What a client should see: (entity id, name, kind) and (relation id, subject, object, type).
using NodeRow = std::tuple<int64_t, std::string, std::string>;
using EdgeRow = std::tuple<int64_t, int64_t, int64_t, std::string>;
struct Expected {
  std::set<NodeRow> nodes;
  std::set<EdgeRow> edges;
};

class FixtureServer {
 public:
  FixtureServer() : server_(dir_.path() / "g.db") {
    relgraph::testing::post_fixture_articles(server_);
  }

  httplib::Result fetch(const Query& q, const std::string& format) {
    auto c = server_.client();
    const std::string sep = q.target.find('?') == std::string::npos ? "?" : "&";
    const std::string target = format.empty() ? q.target : q.target + sep + "format=" + format;
    return q.body.empty() ? c.Get(target) : c.Post(target, q.body, "application/json");
  }

  // The JSON answer, reduced to what every export must carry.
  Expected expected(const Query& q) {
    auto r = fetch(q, "");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const json a = json::parse(r->body);
    Expected e;
    auto add_node = [&](const json& n) { e.nodes.insert({n["id"].get<int64_t>(), n["name"], n["kind"]}); };
    // A symmetric relation's ends in id order, as load_export.py gives them.
    auto add_edge = [&](const json& x) {
      int64_t s = x["subject"]["id"], o = x["object"]["id"];
      if (x["symmetric"].get<bool>() && o < s) std::swap(s, o);
      e.edges.insert({x["id"].get<int64_t>(), s, o, x["type"]});
    };
    if (a.contains("paths")) {
      for (const auto& p : a["paths"]) {
        for (const auto& n : p["nodes"]) add_node(n);
        for (const auto& x : p["edges"]) add_edge(x);
      }
    } else {
      for (const auto& n : a["nodes"]) add_node(n);
      for (const auto& x : a["edges"]) add_edge(x);
    }
    // An empty answer would prove nothing about the export.
    REQUIRE(e.nodes.size() >= 3);
    REQUIRE(e.edges.size() >= 2);
    return e;
  }

  // Fetches the export and writes it to a file; the file's path.
  std::filesystem::path export_file(const Query& q, const std::string& format, const std::string& content_type) {
    auto r = fetch(q, format);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Type").rfind(content_type, 0) == 0);
    const auto path = dir_.path() / (format + "-" + std::to_string(++files_));
    std::ofstream(path, std::ios::binary) << r->body;
    return path;
  }

 private:
  TempDir dir_;
  TestServer server_;
  int files_ = 0;
};

// Loads `format` exports of every query with tests/http/load_export.py and compares.
void check_loaded_by_python(const std::string& format, const std::string& content_type) {
  FixtureServer s;
  for (const auto& q : kQueries) {
    INFO(format << " export of the " << q.label << " " << q.target);
    const Expected want = s.expected(q);
    const auto file = s.export_file(q, format, content_type);
    const auto [out, status] = run("/usr/bin/python3 " RELGRAPH_TESTS_DIR "/http/load_export.py " +
                                   format + " '" + file.string() + "' 2>&1");
    INFO("client output: " << out);
    REQUIRE(status == 0);
    const json seen = json::parse(out);
    if (!seen["nodes"].is_null()) {
      std::set<NodeRow> nodes;
      for (const auto& n : seen["nodes"]) nodes.insert({n[0].get<int64_t>(), n[1], n[2]});
      CHECK(nodes == want.nodes);
    }
    std::set<EdgeRow> edges;
    for (const auto& e : seen["edges"])
      edges.insert({e[0].get<int64_t>(), e[1].get<int64_t>(), e[2].get<int64_t>(), e[3]});
    CHECK(seen["edges"].size() == want.edges.size());
    CHECK(edges == want.edges);
  }
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("exports: GraphML loads in networkx") {
  check_loaded_by_python("graphml", "application/graphml+xml");
}

TEST_CASE("exports: GEXF loads in networkx") {
  check_loaded_by_python("gexf", "application/gexf+xml");
}

TEST_CASE("exports: Cytoscape.js JSON parses with every edge between its nodes") {
  check_loaded_by_python("cytoscape", "application/vnd.cytoscape+json");
}

TEST_CASE("exports: CSV parses with one row per edge") {
  check_loaded_by_python("csv", "text/csv");
}

TEST_CASE("exports: DOT renders with Graphviz") {
  FixtureServer s;
  for (const auto& q : kQueries) {
    INFO("dot export of the " << q.label << " " << q.target);
    const Expected want = s.expected(q);
    const auto file = s.export_file(q, "dot", "text/vnd.graphviz");
    const auto svg = file.string() + ".svg";
    const auto [out, status] = run("dot -Tsvg '" + file.string() + "' -o '" + svg + "' 2>&1");
    INFO("dot output: " << out);
    REQUIRE(status == 0);
    CHECK(out.empty());  // no warnings either
    std::string text = relgraph::testing::read_text(svg);
    // Graphviz writes "-" in SVG text as a character reference.
    for (size_t at = text.find("&#45;"); at != std::string::npos; at = text.find("&#45;", at))
      text.replace(at, 5, "-");
    CHECK(occurrences(text, "class=\"node\"") == want.nodes.size());
    CHECK(occurrences(text, "class=\"edge\"") == want.edges.size());
    for (const auto& [id, name, kind] : want.nodes) {
      INFO("node " << name);
      CHECK(text.find(">" + name + "</text>") != std::string::npos);
    }
  }
}
