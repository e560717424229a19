// query_bench: cold start and in-process query latency of relgraph on a database written by
// gen_graph, over the same queries the peers answer.
//
//   query_bench --db DIR/graph.db --queries DIR/queries.json --out DIR/relgraph.json
//
// Cold start is the server's own path: Store::open + Service (Store::load_graph and
// Snapshot::build), timed end to end, --starts (3) times, each service dropped before the next
// but the last: the figure is the median start (the machine is shared: one start is one draw of
// its neighbours' load), all of them reported. Peak RSS (VmHWM) and the RSS the service keeps
// per relation are the last start's. Then, for every query kind, one untimed warm-up pass and
// --repeat (3) timed passes over the 200 queries; a query's latency is its best pass (the machine
// is shared: preemption would otherwise decide the tail). The answers go to the JSON file for
// compare.py:
//   q1     distinct neighbours (Snapshot::neighbours_of), all types, both ways
//   q1r    the same neighbours through relations_of and each relation's row (what q1 measured
//          before neighbours_of; the relation list GET /v1/entities/{ref}/relations pages)
//   q1p    the first page of 100 of an entity's relations (Snapshot::relations_page, what GET
//          /v1/entities/{ref}/relations asks for; answer: the ids)
//   q1ps   the same page cut from relations_of, which sorts all of them (how it was answered)
//   q1n    neighborhood depth 1, 100 nodes at most (what GET /v1/neighborhood does by default)
//   q2     neighborhood depth 2 capped at 500 nodes (answer: node count, truncated)
//   q2full neighborhood depth 2 without bounds (answer: node count, compared with the peers)
//   q3     shortest path, at most 6 hops, default Bounds (answer: hops, -1 none)
//   q4     q3 over 3 of the 14 relation types
//   q5     q3 towards an entity of a disconnected island (no path)
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "graph/graph.h"
#include "server/knowledge_loader.h"
#include "server/service.h"
#include "store/store.h"

namespace {

using json = nlohmann::json;
using relgraph::bench::Clock;
using relgraph::bench::micros_since;
using relgraph::bench::percentile;
using relgraph::bench::seconds_since;
namespace graph = relgraph::graph;

struct KindResult {
  std::vector<double> latency_us;
  json answers = json::array();
  int truncated = 0;
};

// CPU seconds of this process (all threads): the machine is shared, and wall-clock load times
// swing with other jobs while CPU time does not.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int g_repeat = 3;  // timed passes; a query's latency is its best pass
std::string g_only;  // --only: comma-separated kinds to run (profiling); empty: all

bool selected(const char* kind) {
  if (g_only.empty()) return true;
  const std::string list = "," + g_only + ",";
  return list.find("," + std::string(kind) + ",") != std::string::npos;
}

template <typename Query>
KindResult run_kind(const char* name, size_t n, Query&& query) {
  KindResult r;
  if (!selected(name)) return r;
  for (size_t i = 0; i < n; ++i) (void)query(i, r, /*record=*/false);  // warm-up
  r.answers = json::array();
  r.truncated = 0;
  r.latency_us.assign(n, 1e300);
  for (int pass = 0; pass < g_repeat; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      const auto t0 = Clock::now();
      json answer = query(i, r, pass == 0);
      r.latency_us[i] = std::min(r.latency_us[i], micros_since(t0));
      if (pass == 0) r.answers.push_back(std::move(answer));
    }
  }
  auto sorted = r.latency_us;
  std::fprintf(stderr, "query_bench: %-6s p50 %9.1f us  p99 %11.1f us  max %11.1f us  truncated %d\n",
               name, percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 1.0),
               r.truncated);
  return r;
}

// Entities, relations and adjacency of two snapshots compared through the public interface,
// for every entity id up to the largest and every relation of each: the number of differences.
size_t compare_snapshots(const graph::Snapshot& a, const graph::Snapshot& b) {
  size_t differences = 0;
  if (a.entity_count() != b.entity_count()) ++differences;
  if (a.relation_count() != b.relation_count()) ++differences;
  if (a.latest_day() != b.latest_day()) ++differences;
  graph::Filter all;
  all.include_negated = true;  // every relation, negated ones too
  size_t seen = 0;
  for (int64_t id = 1; seen < a.entity_count() && id < (int64_t{1} << 40); ++id) {
    const std::optional<graph::EntityView> x = a.entity(id);
    const std::optional<graph::EntityView> y = b.entity(id);
    if (x.has_value() != y.has_value()) {
      ++differences;
      continue;
    }
    if (!x) continue;
    ++seen;
    const std::optional<graph::EntityView> y_by_key = b.entity_by_key(x->key);
    if (x->key != y->key || x->name != y->name || x->kind != y->kind || !y_by_key ||
        y_by_key->id != id || a.degree(id) != b.degree(id)) {
      ++differences;
    }
    const auto rx = a.relations_of(id, all);
    if (rx != b.relations_of(id, all)) ++differences;
    for (const int64_t r : rx) {
      const auto p = a.relation(r);
      const auto q = b.relation(r);
      if (!p || !q || p->subject != id) continue;  // each relation once, from its subject
      if (p->type != q->type || p->subject != q->subject || p->object != q->object ||
          p->symmetric != q->symmetric || p->evidence_count != q->evidence_count ||
          p->negated_count != q->negated_count || p->attributed_count != q->attributed_count ||
          p->first_seen != q->first_seen || p->last_seen != q->last_seen) {
        ++differences;
      }
    }
  }
  return differences;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db, queries_path, out;
  std::string image_path;  // --image: also measure a cold start from a snapshot image here
  bool verify_image = false;  // --verify: compare the image's snapshot with the store's
  bool rows_only = false;     // --rows-only: load from the rows, not the packed copy
  int starts = 3;             // --starts: cold starts from the store, the median reported
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) db = argv[++i];
    else if (a == "--queries" && i + 1 < argc) queries_path = argv[++i];
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--repeat" && i + 1 < argc) g_repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--starts" && i + 1 < argc) starts = std::max(1, std::atoi(argv[++i]));
    else if (a == "--only" && i + 1 < argc) g_only = argv[++i];
    else if (a == "--image" && i + 1 < argc) image_path = argv[++i];
    else if (a == "--verify") verify_image = true;
    else if (a == "--rows-only") rows_only = true;
    else {
      std::fprintf(
          stderr,
          "usage: query_bench --db FILE --queries FILE --out FILE [--repeat N] [--starts N] "
          "[--only q1,q2,...,load] [--image FILE [--verify]] [--rows-only]\n");
      return 2;
    }
  }
  if (db.empty() || queries_path.empty() || out.empty()) {
    std::fprintf(stderr, "usage: query_bench --db FILE --queries FILE --out FILE\n");
    return 2;
  }
  json q;
  std::ifstream(queries_path) >> q;

  // ---- cold start: what `relgraph serve` does before it listens ----
  auto knowledge = relgraph::server::bundled_knowledge();
  std::vector<std::string> symmetric;
  for (const auto& t : knowledge.relation_types())
    if (t.symmetric) symmetric.push_back(t.name);
  const uint64_t q4_mask = [&] {
    uint64_t m = 0;
    for (const auto& name : q["q4_types"]) m |= uint64_t{1} << *knowledge.relation_type(name.get<std::string>());
    return m;
  }();
  // With --image: the first start finds no image, loads the store and writes one; the second
  // starts from it. Without: one start from the store, no image (what the figures always were).
  relgraph::server::ServiceOptions options;
  options.snapshot_image = image_path;
  // --rows-only: the store's rows, not its packed copy (the start-up path before schema 4).
  if (rows_only) options.graph_source = relgraph::store::GraphSource::rows;
  // No repack competing with the measured start (a database from gen_graph has nothing dirty).
  options.repack_in_background = false;
  // Upgrading an older database (and packing it, once) is not part of a cold start.
  relgraph::store::Store::open(db, symmetric).reset();
  if (!image_path.empty()) std::remove(image_path.c_str());
  struct ColdStart {
    std::unique_ptr<relgraph::server::Service> svc;
    double seconds = 0, cpu_seconds = 0, edges = 0, bytes_per_edge = 0;
    long rss_delta_kib = 0, peak_kib = 0;
    relgraph::store::GraphLoadStats stats;
    graph::Snapshot::MemoryUse memory;
  };
  // k is copied before the clock starts.
  auto cold_start = [&](relgraph::ingest::Knowledge k,
                        const relgraph::server::ServiceOptions& start_options) {
    ColdStart c;
    malloc_trim(0);
    // Resets VmHWM, so that each start reports its own peak.
    if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
      std::fputs("5", f);
      std::fclose(f);
    }
    const long rss0 = relgraph::bench::proc_status_kib("VmRSS");
    const auto t0 = Clock::now();
    const double cpu0 = cpu_seconds();
    c.svc = std::make_unique<relgraph::server::Service>(
        std::move(k), relgraph::store::Store::open(db, symmetric), start_options);
    c.seconds = seconds_since(t0);
    c.cpu_seconds = cpu_seconds() - cpu0;
    malloc_trim(0);
    const long rss1 = relgraph::bench::proc_status_kib("VmRSS");
    c.peak_kib = relgraph::bench::proc_status_kib("VmHWM");
    c.rss_delta_kib = rss1 - rss0;
    auto snap = c.svc->snapshot();
    c.stats = c.svc->last_load_stats();
    c.memory = snap->memory_use();
    c.edges = static_cast<double>(snap->relation_count());
    c.bytes_per_edge = static_cast<double>(rss1 - rss0) * 1024.0 / c.edges;
    std::fprintf(stderr,
                 "query_bench: cold start (from %s) %zu entities, %zu relations in %.3fs (%.2fM "
                 "edges/s; CPU %.3fs, %.2fM edges per CPU s), RSS +%.0f MiB (%.1f B/edge), peak "
                 "RSS %.0f MiB\n",
                 c.svc->started_from().c_str(), snap->entity_count(), snap->relation_count(),
                 c.seconds, c.edges / c.seconds / 1e6, c.cpu_seconds, c.edges / c.cpu_seconds / 1e6,
                 c.rss_delta_kib / 1024.0, c.bytes_per_edge, c.peak_kib / 1024.0);
    const auto per_edge = [&](size_t bytes) { return static_cast<double>(bytes) / c.edges; };
    std::fprintf(stderr,
                 "query_bench: the base holds %.1f B/edge: entities %.1f, relations %.1f, "
                 "adjacency %.1f, indexes %.1f\n",
                 per_edge(c.memory.total()), per_edge(c.memory.entities),
                 per_edge(c.memory.relations), per_edge(c.memory.adjacency),
                 per_edge(c.memory.indexes));
    std::fprintf(stderr,
                 "query_bench: blocks of 1024 ids: %zu decoded from the packed copy, %zu read as "
                 "rows, %zu damaged\n",
                 c.stats.packed_blocks, c.stats.row_blocks, c.stats.damaged_blocks);
    return c;
  };
  // The starts before the last load the store only (no image written or read) and are dropped;
  // the last is the service the queries ask (with --image, it writes the image).
  std::vector<double> start_seconds, start_cpu_seconds;
  relgraph::server::ServiceOptions store_only = options;
  store_only.snapshot_image.clear();
  for (int i = 0; i + 1 < starts; ++i) {
    const ColdStart dropped = cold_start(knowledge, store_only);
    start_seconds.push_back(dropped.seconds);
    start_cpu_seconds.push_back(dropped.cpu_seconds);
  }
  ColdStart first = cold_start(knowledge, options);
  start_seconds.push_back(first.seconds);
  start_cpu_seconds.push_back(first.cpu_seconds);
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  const double edges = first.edges;
  const double load_s = median(start_seconds), load_cpu_s = median(start_cpu_seconds);
  if (starts > 1) {
    std::string each;
    for (double x : start_seconds) {
      char text[32];
      std::snprintf(text, sizeof text, "%s%.3f", each.empty() ? "" : ", ", x);
      each += text;
    }
    std::fprintf(stderr,
                 "query_bench: cold start from the store, median of %d starts: %.3fs (%.2fM "
                 "edges/s; each: %s s)\n",
                 starts, load_s, edges / load_s / 1e6, each.c_str());
  }
  const double bytes_per_edge = first.bytes_per_edge;
  const relgraph::store::GraphLoadStats load_stats = first.stats;
  const long rss0 = 0, rss1 = first.rss_delta_kib, hwm = first.peak_kib;
  json image_result = nullptr;
  auto svc = std::move(first.svc);
  if (!image_path.empty()) {
    const auto tw = Clock::now();
    svc->wait_for_snapshot_image();
    const double write_wait_s = seconds_since(tw);
    // --verify keeps the snapshot read from the store, to compare with the image's below.
    std::shared_ptr<const graph::Snapshot> from_store;
    if (verify_image) from_store = svc->snapshot();
    svc.reset();
    std::fprintf(stderr, "query_bench: image written (waited %.3fs after the start)\n",
                 write_wait_s);
    ColdStart second = cold_start(knowledge, options);
    image_result = {{"started_from", second.svc->started_from()},
                    {"seconds", second.seconds},
                    {"edges_per_s", second.edges / second.seconds},
                    {"cpu_seconds", second.cpu_seconds},
                    {"rss_delta_bytes", second.rss_delta_kib * 1024.0},
                    {"bytes_per_edge", second.bytes_per_edge},
                    {"peak_rss_bytes", second.peak_kib * 1024.0},
                    {"write_wait_seconds", write_wait_s}};
    svc = std::move(second.svc);
    if (from_store) {
      const auto t = Clock::now();
      const size_t differences = compare_snapshots(*from_store, *svc->snapshot());
      std::fprintf(stderr, "query_bench: image vs store snapshot: %zu differences (%.1fs)\n",
                   differences, seconds_since(t));
      image_result["differences_from_store"] = differences;
      if (differences != 0) return 1;
    }
  }
  auto snap = svc->snapshot();
  const int max_hops = q.value("max_hops", 6);
  auto ids = [&](const char* kind) {
    std::vector<int64_t> v;
    for (const auto& x : q[kind]) v.push_back(x.get<int64_t>());
    return v;
  };
  auto pairs = [&](const char* kind) {
    std::vector<std::pair<int64_t, int64_t>> v;
    for (const auto& x : q[kind]) v.emplace_back(x[0].get<int64_t>(), x[1].get<int64_t>());
    return v;
  };
  const auto q1 = ids("q1"), q2 = ids("q2");
  const auto q3 = pairs("q3"), q4 = pairs("q4"), q5 = pairs("q5");
  const graph::Filter all;
  graph::Filter typed;
  typed.type_mask = q4_mask;

  json kinds = json::object();
  auto store_kind = [&](const char* name, KindResult&& r) {
    kinds[name] = {{"latency_us", r.latency_us}, {"answers", std::move(r.answers)}, {"truncated", r.truncated}};
  };

  store_kind("q1", run_kind("q1", q1.size(), [&](size_t i, KindResult&, bool) {
               return json(snap->neighbours_of(q1[i], all));
             }));
  store_kind("q1r", run_kind("q1r", q1.size(), [&](size_t i, KindResult&, bool) {
               std::vector<int64_t> nb;
               for (auto rid : snap->relations_of(q1[i], all)) {
                 const auto r = snap->relation(rid);
                 nb.push_back(r->subject == q1[i] ? r->object : r->subject);
               }
               std::sort(nb.begin(), nb.end());
               nb.erase(std::unique(nb.begin(), nb.end()), nb.end());
               return json(nb);
             }));
  graph::Filter listed;  // as the relation list asks: every relation, denied or not
  listed.include_negated = true;
  store_kind("q1p", run_kind("q1p", q1.size(), [&](size_t i, KindResult&, bool) {
               return json(snap->relations_page(q1[i], listed, std::nullopt, 100).ids);
             }));
  store_kind(
      "q1ps", run_kind("q1ps", q1.size(), [&](size_t i, KindResult&, bool) {
        const auto ids = snap->relations_of(q1[i], listed);
        return json(std::vector<int64_t>(
            ids.begin(), ids.begin() + static_cast<long>(std::min<size_t>(ids.size(), 100))));
      }));
  store_kind("q1n", run_kind("q1n", q1.size(), [&](size_t i, KindResult& r, bool rec) {
               graph::Bounds b;
               b.max_nodes = 100;
               auto n = snap->neighborhood(q1[i], 1, all, b);
               if (rec && n.truncated) ++r.truncated;
               return json(n.nodes.size());
             }));
  // The relations each 2-hop answer holds: its cost follows them (printed for the slowest).
  std::vector<size_t> q2_relations(q2.size(), 0);
  store_kind("q2", run_kind("q2", q2.size(), [&](size_t i, KindResult& r, bool rec) {
               graph::Bounds b;
               b.max_nodes = 500;
               auto n = snap->neighborhood(q2[i], 2, all, b);
               if (rec && n.truncated) ++r.truncated;
               if (rec) q2_relations[i] = n.relations.size();
               return json(n.nodes.size());
             }));
  if (selected("q2") && !q2.empty()) {
    kinds["q2"]["relations"] = q2_relations;
    const auto latency = kinds["q2"]["latency_us"].get<std::vector<double>>();
    std::vector<size_t> order(q2.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return latency[a] < latency[b]; });
    std::vector<size_t> sizes = q2_relations;
    std::sort(sizes.begin(), sizes.end());
    std::string slowest;
    for (size_t k = order.size() - std::min<size_t>(4, order.size()); k < order.size(); ++k) {
      slowest += (slowest.empty() ? "" : ", ") + std::to_string(q2_relations[order[k]]);
    }
    std::fprintf(stderr,
                 "query_bench: q2 answers hold %zu relations at the median, %zu at most; the 4 "
                 "slowest hold %s\n",
                 sizes[sizes.size() / 2], sizes.back(), slowest.c_str());
  }
  store_kind("q2full", run_kind("q2full", q2.size(), [&](size_t i, KindResult& r, bool rec) {
               graph::Bounds b;
               b.max_nodes = std::numeric_limits<size_t>::max();
               b.max_edges_visited = std::numeric_limits<uint64_t>::max();
               b.max_millis = 0;
               auto n = snap->neighborhood(q2[i], 2, all, b);
               if (n.truncated) {
                 if (rec) ++r.truncated;
                 return json(nullptr);
               }
               return json(n.nodes.size());
             }));
  auto path_kind = [&](const char* name, const std::vector<std::pair<int64_t, int64_t>>& v,
                       const graph::Filter& f) {
    store_kind(name, run_kind(name, v.size(), [&](size_t i, KindResult& r, bool rec) {
                 auto res = snap->shortest_paths(v[i].first, v[i].second, 1, max_hops, f, graph::Bounds{});
                 if (!res.paths.empty()) return json(res.paths[0].relations.size());
                 if (res.truncated) {
                   if (rec) ++r.truncated;
                   return json(nullptr);
                 }
                 return json(-1);
               }));
  };
  path_kind("q3", q3, all);
  path_kind("q4", q4, typed);
  path_kind("q5", q5, all);

  // ---- where cold start goes: reading rows vs building the snapshot ----
  const size_t n_entities = snap->entity_count();
  snap.reset();
  svc.reset();
  malloc_trim(0);
  double scan_s = 0, build_s = 0;
  if (selected("load")) {
    auto store = relgraph::store::Store::open(db, symmetric);
    // Store::load_graph as Service::load_snapshot calls it, then the same conversion to graph
    // rows, then Snapshot::build alone.
    auto k2 = relgraph::server::bundled_knowledge();
    std::vector<std::string> type_names;
    for (const auto& t : k2.relation_types()) type_names.push_back(t.name);
    auto t = Clock::now();
    relgraph::store::GraphRows rows = store->load_graph(type_names, options.graph_source);
    scan_s = seconds_since(t);
    std::vector<graph::EntityRow> ents;
    std::vector<graph::RelationRow> rels;
    ents.reserve(n_entities);
    rels.reserve(static_cast<size_t>(edges));
    for (auto& e : rows.entities) ents.push_back({e.id, e.key, e.name, e.kind});
    for (const auto& r : rows.relations) {
      if (r.type < 0) continue;
      rels.push_back({r.id, static_cast<uint16_t>(r.type), r.subject, r.object,
                      k2.relation_types()[static_cast<size_t>(r.type)].symmetric, r.evidence_count,
                      r.negated_count, r.attributed_count, r.first_seen, r.last_seen});
    }
    rows = {};
    t = Clock::now();
    auto s2 = graph::Snapshot::build(1, std::move(ents), std::move(rels));
    build_s = seconds_since(t);
  }
  std::fprintf(stderr, "query_bench: breakdown: load_graph alone %.3fs, Snapshot::build alone %.3fs\n",
               scan_s, build_s);

  json result = {{"tool", "relgraph"},
                 {"load",
                  {{"seconds", load_s},
                   {"edges", edges},
                   {"edges_per_s", edges / load_s},
                   {"cpu_seconds", load_cpu_s},
                   {"starts_seconds", start_seconds},
                   {"starts_cpu_seconds", start_cpu_seconds},
                   {"rss_delta_bytes", (rss1 - rss0) * 1024.0},
                   {"bytes_per_edge", bytes_per_edge},
                   {"peak_rss_bytes", hwm * 1024.0},
                   {"source", rows_only ? "rows" : "packed"},
                   {"packed_blocks", load_stats.packed_blocks},
                   {"row_blocks", load_stats.row_blocks},
                   {"scan_seconds", scan_s},
                   {"build_seconds", build_s}}},
                 {"load_image", image_result},
                 {"kinds", std::move(kinds)}};
  std::ofstream(out) << result.dump() << "\n";
  return 0;
}
