// sqlite_cte_peer: the benchmark's questions answered by SQL alone, with recursive CTEs on the
// relgraph database file (what a user could do without relgraph).
//
//   sqlite_cte_peer --db DIR/graph.db --queries DIR/queries.json --out FILE
//                   [--timeout 10] [--budget 60]
//
// Each query may run --timeout seconds (sqlite3_progress_handler interrupts it; its answer is
// null). Once the queries of one kind have used --budget seconds in total, the rest of that kind
// are not run (answer null) and the output says how many. No warm-up pass.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/bench_util.h"

namespace {

using json = nlohmann::json;
using relgraph::bench::Clock;

struct Deadline {
  Clock::time_point end;
};

int progress(void* p) { return Clock::now() > static_cast<Deadline*>(p)->end ? 1 : 0; }

// One step of the search joins each side of a relation; the graph is taken as undirected.
std::string bfs_sql(const std::string& type_clause) {
  return "WITH RECURSIVE bfs(node, d) AS (SELECT ?1, 0 "
         "UNION SELECT r.object_id, bfs.d + 1 FROM bfs JOIN relations r ON r.subject_id = bfs.node "
         "WHERE bfs.d < ?3" + type_clause +
         " UNION SELECT r.subject_id, bfs.d + 1 FROM bfs JOIN relations r ON r.object_id = bfs.node "
         "WHERE bfs.d < ?3" + type_clause +
         ") SELECT d FROM bfs WHERE node = ?2 LIMIT 1";
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path, queries_path, out;
  double timeout = 10, budget = 60;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) db_path = argv[++i];
    else if (a == "--queries" && i + 1 < argc) queries_path = argv[++i];
    else if (a == "--out" && i + 1 < argc) out = argv[++i];
    else if (a == "--timeout" && i + 1 < argc) timeout = std::stod(argv[++i]);
    else if (a == "--budget" && i + 1 < argc) budget = std::stod(argv[++i]);
    else {
      std::fprintf(stderr, "usage: sqlite_cte_peer --db F --queries F --out F [--timeout S] [--budget S]\n");
      return 2;
    }
  }
  json q;
  std::ifstream(queries_path) >> q;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_cte_peer: cannot open %s\n", db_path.c_str());
    return 1;
  }
  sqlite3_exec(db, "PRAGMA cache_size=-1000000", nullptr, nullptr, nullptr);
  Deadline deadline;
  sqlite3_progress_handler(db, 1000, progress, &deadline);

  std::string types_in;
  for (const auto& t : q["q4_types"]) types_in += (types_in.empty() ? "'" : ", '") + t.get<std::string>() + "'";
  const std::string typed = " AND r.type IN (" + types_in + ")";
  const int max_hops = q.value("max_hops", 6);

  json kinds = json::object();
  // kind, SQL, whether the answer is a list of rows (q1), a count (q2) or a distance.
  struct Kind {
    const char* name;
    std::string sql;
    enum { list, scalar, distance } shape;
    const char* queries;
  };
  const std::vector<Kind> all = {
      {"q1",
       "SELECT object_id FROM relations WHERE subject_id = ?1 UNION "
       "SELECT subject_id FROM relations WHERE object_id = ?1",
       Kind::list, "q1"},
      {"q2full",
       "WITH n1(x) AS (SELECT object_id FROM relations WHERE subject_id = ?1 UNION "
       "SELECT subject_id FROM relations WHERE object_id = ?1) "
       "SELECT count(*) FROM (SELECT ?1 UNION SELECT x FROM n1 "
       "UNION SELECT r.object_id FROM n1 JOIN relations r ON r.subject_id = n1.x "
       "UNION SELECT r.subject_id FROM n1 JOIN relations r ON r.object_id = n1.x)",
       Kind::scalar, "q2"},
      {"q3", bfs_sql(""), Kind::distance, "q3"},
      {"q4", bfs_sql(typed), Kind::distance, "q4"},
      {"q5", bfs_sql(""), Kind::distance, "q5"},
  };
  for (const auto& k : all) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, k.sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "sqlite_cte_peer: %s: %s\n", k.name, sqlite3_errmsg(db));
      return 1;
    }
    std::vector<double> lat;
    json answers = json::array();
    int timeouts = 0, skipped = 0;
    double used = 0;
    for (const auto& item : q[k.queries]) {
      if (used > budget) {
        ++skipped;
        answers.push_back(nullptr);
        continue;
      }
      const int64_t a = item.is_array() ? item[0].get<int64_t>() : item.get<int64_t>();
      const int64_t b = item.is_array() ? item[1].get<int64_t>() : 0;
      sqlite3_reset(st);
      sqlite3_bind_int64(st, 1, a);
      if (k.shape == Kind::distance) {
        sqlite3_bind_int64(st, 2, b);
        sqlite3_bind_int64(st, 3, max_hops);
      }
      const auto t0 = Clock::now();
      deadline.end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout));
      json answer;
      std::vector<int64_t> rows;
      int rc;
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) rows.push_back(sqlite3_column_int64(st, 0));
      const double us = relgraph::bench::micros_since(t0);
      used += us / 1e6;
      if (rc == SQLITE_INTERRUPT) {
        ++timeouts;
        answers.push_back(nullptr);
        lat.push_back(us);
        continue;
      }
      if (rc != SQLITE_DONE) {
        std::fprintf(stderr, "sqlite_cte_peer: %s: %s\n", k.name, sqlite3_errmsg(db));
        return 1;
      }
      lat.push_back(us);
      if (k.shape == Kind::list) {
        std::sort(rows.begin(), rows.end());
        answers.push_back(rows);
      } else if (k.shape == Kind::scalar) {
        answers.push_back(rows.empty() ? json(nullptr) : json(rows[0]));
      } else {
        answers.push_back(rows.empty() ? json(-1) : json(rows[0]));
      }
    }
    sqlite3_finalize(st);
    auto sorted = lat;
    std::fprintf(stderr, "sqlite_cte_peer: %-6s p50 %11.1f us  p99 %12.1f us  timeouts %d  not run %d\n",
                 k.name, relgraph::bench::percentile(sorted, 0.5), relgraph::bench::percentile(sorted, 0.99),
                 timeouts, skipped);
    kinds[k.name] = {{"latency_us", lat}, {"answers", answers}, {"timeouts", timeouts}, {"skipped", skipped},
                     {"timeout_seconds", timeout}, {"budget_seconds", budget}};
  }
  sqlite3_close(db);
  json result = {{"tool", "sqlite-cte"}, {"kinds", kinds}};
  std::ofstream(out) << result.dump() << "\n";
  return 0;
}
