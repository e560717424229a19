// gen_graph: writes a synthetic relgraph database with a power-law degree distribution, and the
// same edges as a flat file for the peer tools, and the benchmark's query set.
//
//   gen_graph --relations 1m --out bench/data/1m [--seed 42]
//
// Writes OUT/graph.db (the product's schema: the migrations are applied by Store::open),
// OUT/edges.tsv ("relation_id subject object type_index", one relation a line; type_index is
// the position in schema/relation-types.json), OUT/queries.json (the 200 queries of each
// kind) and OUT/meta.json. Deterministic for a given size and seed.
//
// The graph: entities = relations / 10 (average degree 20) plus a 12-entity island that
// nothing else touches (the no-path queries end there). Both ends of a relation are drawn
// from a Zipf popularity (exponent 0.8 over a random permutation of the ids), which gives
// hubs of ~1.3% of all relation ends. 14 relation types with skewed frequencies; symmetric
// types stored once (lower id first, as the store does); no duplicate (type, subject,
// object) and no self-loops. Each relation has 1 + Geometric(1/2) evidence rows (mean 2)
// pointing at synthetic articles published between 2015-01-01 and 2026-06-30; first_seen and
// last_seen are the dates of its first and last evidence. Some evidence rows are negated or
// attributed, but never all of a relation's rows negated, so every relation is a graph edge
// for every tool (peers need not know the negation rule).
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "ingest/text.h"
#include "server/knowledge_loader.h"
#include "store/store.h"

namespace {

using relgraph::bench::Rng;
using relgraph::bench::Clock;
using relgraph::bench::seconds_since;
using json = nlohmann::json;

constexpr int kGeneratorVersion = 1;  // bump when the data changes: run.sh regenerates
constexpr double kZipfExponent = 0.8;
constexpr int kIslandEntities = 12;
constexpr int kQueries = 200;

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "gen_graph: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "gen_graph: %s: %s\n", sql.c_str(), err ? err : "?");
    std::exit(1);
  }
}

struct Stmt {
  sqlite3* db;
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* d, const char* sql) : db(d) { check(sqlite3_prepare_v2(d, sql, -1, &s, nullptr), d, sql); }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt& i64(int i, int64_t v) { sqlite3_bind_int64(s, i, v); return *this; }
  Stmt& dbl(int i, double v) { sqlite3_bind_double(s, i, v); return *this; }
  Stmt& text(int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  void run() {
    check(sqlite3_step(s), db, "insert");
    sqlite3_reset(s);
  }
};

// Open addressing set of non-zero 64-bit keys.
class KeySet {
 public:
  explicit KeySet(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
  }
  bool insert(uint64_t key) {
    size_t i = mix(key) & mask_;
    while (slots_[i] != 0) {
      if (slots_[i] == key) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = key;
    return true;
  }

 private:
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::vector<uint64_t> slots_;
  size_t mask_;
};

struct Rel {
  uint32_t subject, object;
  uint8_t type, evidence, negated, attributed;
  int32_t first, last;  // days since 1970-01-01
};

const char* kSyllables[] = {"ka", "ro", "va", "ten", "mi", "sol", "dra", "ne", "lu", "bar", "os",
                            "tri", "an", "el", "gor", "pa", "zi", "mor", "ha", "dun", "le", "vik",
                            "sa", "ul", "ber", "qi", "to", "ra", "fen", "ik", "ma", "stor"};

std::string make_word(Rng& rng) {
  std::string w;
  const int n = 2 + static_cast<int>(rng.below(2));
  for (int i = 0; i < n; ++i) w += kSyllables[rng.below(std::size(kSyllables))];
  w[0] = static_cast<char>(w[0] - 'a' + 'A');
  return w;
}

std::string verb_phrase(const std::string& type, bool negated) {
  static const std::map<std::string, std::pair<const char*, const char*>> verbs = {
      {"congratulates", {"congratulated", "did not congratulate"}},
      {"praises", {"praised", "did not praise"}},
      {"criticizes", {"criticized", "did not criticize"}},
      {"accuses", {"accused", "did not accuse"}},
      {"meets-with", {"met", "did not meet"}},
      {"visits", {"visited", "did not visit"}},
      {"trades-with", {"expanded trade with", "did not trade with"}},
      {"drills-with", {"held joint drills with", "did not hold drills with"}},
      {"supports", {"backed", "did not back"}},
      {"sanctions", {"sanctioned", "did not sanction"}},
      {"attacks", {"attacked", "did not attack"}},
      {"signs-agreement-with", {"signed an agreement with", "did not sign an agreement with"}},
      {"leads", {"leads", "no longer leads"}},
      {"affiliated-with", {"is affiliated with", "is not affiliated with"}},
  };
  auto it = verbs.find(type);
  if (it == verbs.end()) return negated ? "is not related to" : "is related to";
  return negated ? it->second.second : it->second.first;
}

// Relative frequencies of the relation types (news talks of meetings far more than drills).
double type_weight(const std::string& type) {
  static const std::map<std::string, double> w = {
      {"meets-with", 20},  {"criticizes", 10}, {"affiliated-with", 9}, {"visits", 8},
      {"supports", 8},     {"accuses", 7},     {"praises", 6},          {"trades-with", 6},
      {"leads", 5},        {"signs-agreement-with", 5}, {"congratulates", 4},
      {"sanctions", 4},    {"attacks", 4},     {"drills-with", 3}};
  auto it = w.find(type);
  return it == w.end() ? 1 : it->second;
}

}  // namespace

int main(int argc, char** argv) {
  std::string size_arg, out_dir;
  uint64_t seed = 42;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--relations" && i + 1 < argc) size_arg = argv[++i];
    else if (a == "--out" && i + 1 < argc) out_dir = argv[++i];
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: gen_graph --relations N[k|m] --out DIR [--seed S]\n");
      return 2;
    }
  }
  const uint64_t total_relations = relgraph::bench::parse_size(size_arg);
  if (total_relations < 1000 || out_dir.empty()) {
    std::fprintf(stderr, "usage: gen_graph --relations N[k|m] (>= 1000) --out DIR [--seed S]\n");
    return 2;
  }
  std::filesystem::create_directories(out_dir);
  const std::string db_path = out_dir + "/graph.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  const auto t_start = Clock::now();

  // The ontology, exactly as the server sees it.
  const auto knowledge = relgraph::server::bundled_knowledge();
  const auto& types = knowledge.relation_types();
  std::vector<std::string> symmetric_names;
  std::vector<double> type_cdf;
  double acc = 0;
  for (const auto& t : types) {
    if (t.symmetric) symmetric_names.push_back(t.name);
    acc += type_weight(t.name);
    type_cdf.push_back(acc);
  }
  for (auto& c : type_cdf) c /= acc;

  Rng rng(seed * 1000003 + total_relations);
  const uint32_t n_main = static_cast<uint32_t>(total_relations / 10);
  const uint32_t n_entities = n_main + kIslandEntities;
  // Island: a ring plus 4 chords among ids n_main+1 .. n_main+12.
  const uint64_t island_relations = kIslandEntities + 4;
  const uint64_t main_relations = total_relations - island_relations;

  // Zipf popularity over ranks, ranks mapped to ids by a random permutation.
  std::vector<double> cdf(n_main);
  acc = 0;
  for (uint32_t r = 0; r < n_main; ++r) {
    acc += std::pow(static_cast<double>(r + 1), -kZipfExponent);
    cdf[r] = acc;
  }
  for (auto& c : cdf) c /= acc;
  std::vector<uint32_t> id_of_rank(n_main);
  std::iota(id_of_rank.begin(), id_of_rank.end(), 1u);
  for (uint32_t i = n_main - 1; i > 0; --i) std::swap(id_of_rank[i], id_of_rank[rng.below(i + 1)]);
  auto draw_entity = [&]() -> uint32_t {
    const double u = rng.uniform();
    size_t r = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    if (r >= n_main) r = n_main - 1;
    return id_of_rank[r];
  };

  const int32_t day0 = *relgraph::ingest::days_from_iso("2015-01-01");
  const int32_t day_end = *relgraph::ingest::days_from_iso("2026-06-30");
  const int32_t n_days = day_end - day0 + 1;

  auto make_rel = [&](uint32_t s, uint32_t o, uint8_t t) {
    Rel r{s, o, t, 1, 0, 0, 0, 0};
    while (r.evidence < 40 && rng.chance(0.5)) ++r.evidence;
    for (int k = 1; k < r.evidence; ++k) r.negated += rng.chance(0.08) ? 1 : 0;  // row 0 never
    for (int k = 0; k < r.evidence; ++k) r.attributed += rng.chance(0.1) ? 1 : 0;
    r.first = day0 + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_days)));
    r.last = r.first;
    if (r.evidence > 1) {
      const double span = -300.0 * std::log(1.0 - rng.uniform());
      r.last = std::min(day_end, r.first + static_cast<int32_t>(span));
    }
    return r;
  };

  std::vector<Rel> rels;
  rels.reserve(total_relations);
  KeySet seen(total_relations);
  uint64_t rejected = 0;
  while (rels.size() < main_relations) {
    uint32_t s = draw_entity(), o = draw_entity();
    if (s == o) { ++rejected; continue; }
    const double u = rng.uniform();
    uint8_t t = static_cast<uint8_t>(std::lower_bound(type_cdf.begin(), type_cdf.end(), u) - type_cdf.begin());
    if (t >= types.size()) t = static_cast<uint8_t>(types.size() - 1);
    if (types[t].symmetric && o < s) std::swap(s, o);
    const uint64_t key = (uint64_t{t} + 1) << 50 | uint64_t{s} << 25 | o;
    if (!seen.insert(key)) { ++rejected; continue; }
    rels.push_back(make_rel(s, o, t));
  }
  for (int i = 0; i < kIslandEntities + 4; ++i) {
    const uint32_t a = n_main + 1 + static_cast<uint32_t>(i % kIslandEntities);
    const uint32_t b = i < kIslandEntities ? n_main + 1 + static_cast<uint32_t>((i + 1) % kIslandEntities)
                                           : n_main + 1 + static_cast<uint32_t>((i * 5 + 3) % kIslandEntities);
    uint8_t t = static_cast<uint8_t>(i % types.size());
    uint32_t s = a, o = b;
    if (types[t].symmetric && o < s) std::swap(s, o);
    rels.push_back(make_rel(s, o, t));
  }
  // Shuffle so that relation ids do not follow popularity or type (as arrival order would not).
  for (size_t i = rels.size() - 1; i > 0; --i) std::swap(rels[i], rels[rng.below(i + 1)]);
  std::fprintf(stderr, "gen_graph: %zu relations drawn (%llu rejected as duplicates or loops) in %.1fs\n",
               rels.size(), static_cast<unsigned long long>(rejected), seconds_since(t_start));

  // Apply the product's migrations, then bulk-load with our own connection.
  relgraph::store::Store::open(db_path, symmetric_names).reset();
  sqlite3* db = nullptr;
  check(sqlite3_open(db_path.c_str(), &db), db, "open");
  exec(db, "PRAGMA journal_mode=DELETE");
  exec(db, "PRAGMA journal_mode=OFF");
  exec(db, "PRAGMA synchronous=OFF");
  exec(db, "PRAGMA cache_size=-2000000");
  exec(db, "PRAGMA temp_store=MEMORY");
  // Secondary indexes are dropped and recreated with their exact SQL after the load (a sort
  // instead of random B-tree inserts).
  std::vector<std::string> index_sql;
  {
    sqlite3_stmt* q = nullptr;
    check(sqlite3_prepare_v2(db,
                             "SELECT sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                             "AND name IN ('relations_by_subject','relations_by_object',"
                             "'evidence_by_article','aliases_by_norm')",
                             -1, &q, nullptr),
          db, "indexes");
    while (sqlite3_step(q) == SQLITE_ROW)
      index_sql.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    sqlite3_finalize(q);
  }
  for (const char* name : {"relations_by_subject", "relations_by_object", "evidence_by_article", "aliases_by_norm"})
    exec(db, std::string("DROP INDEX IF EXISTS ") + name);

  uint64_t rows_in_tx = 0;
  exec(db, "BEGIN");
  auto tick = [&] {
    if (++rows_in_tx % 2'000'000 == 0) {
      exec(db, "COMMIT");
      exec(db, "BEGIN");
    }
  };

  // Articles: the same number each day.
  const uint64_t per_day = std::max<uint64_t>(1, (total_relations / 5 + static_cast<uint64_t>(n_days) - 1) / static_cast<uint64_t>(n_days));
  const uint64_t n_articles = per_day * static_cast<uint64_t>(n_days);
  {
    Stmt ins(db,
             "INSERT INTO articles(id, text_hash, title, url, source, published_at, published_day, "
             "ingested_at, text) VALUES (?, ?, ?, ?, 'synthetic', ?, ?, '2026-07-01T00:00:00Z', ?)");
    char hash[80];
    for (uint64_t a = 1; a <= n_articles; ++a) {
      const std::string day = relgraph::ingest::iso_from_days(day0 + static_cast<int32_t>((a - 1) / per_day));
      uint64_t z = a * 0x9E3779B97F4A7C15ull;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      std::snprintf(hash, sizeof hash, "%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(z),
                    static_cast<unsigned long long>(z * 31 + 7), static_cast<unsigned long long>(z ^ a),
                    static_cast<unsigned long long>(a));
      const std::string id = std::to_string(a);
      ins.i64(1, static_cast<int64_t>(a))
          .text(2, hash)
          .text(3, "Synthetic dispatch " + id)
          .text(4, "https://example.org/synthetic/" + id)
          .text(5, day)
          .text(6, day)
          .text(7, "Synthetic dispatch " + id + " of " + day +
                       ". It reports meetings, visits, agreements and disputes between the "
                       "entities named in its evidence sentences.");
      ins.run();
      tick();
    }
  }

  // Entities, one alias each (the name), and their full-text rows as the store writes them.
  std::vector<std::string> names(n_entities + 1);
  {
    static const char* kKinds[] = {"person", "organization", "location", "group", "country"};
    static const double kKindCdf[] = {0.40, 0.65, 0.85, 0.98, 1.0};
    Stmt ent(db, "INSERT INTO entities(id, key, name, kind) VALUES (?, ?, ?, ?)");
    Stmt ali(db, "INSERT INTO aliases(entity_id, alias, alias_norm) VALUES (?, ?, ?)");
    Stmt fts(db, "INSERT INTO entities_fts(rowid, names) VALUES (?, ?)");
    for (uint32_t id = 1; id <= n_entities; ++id) {
      std::string name = make_word(rng) + " " + make_word(rng);
      if (id > n_main) name = "Island " + name;
      std::string key;
      for (char c : name) key += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      key += "-" + std::to_string(id);
      const double u = rng.uniform();
      int k = 0;
      while (k < 4 && u > kKindCdf[k]) ++k;
      ent.i64(1, id).text(2, key).text(3, name).text(4, kKinds[k]);
      ent.run();
      ali.i64(1, id).text(2, name).text(3, relgraph::store::alias_norm(name));
      ali.run();
      fts.i64(1, id).text(2, name + " " + name);
      fts.run();
      names[id] = std::move(name);
      tick();
    }
  }
  std::fprintf(stderr, "gen_graph: %llu articles and %u entities written (%.1fs)\n",
               static_cast<unsigned long long>(n_articles), n_entities, seconds_since(t_start));

  // Relations and their evidence.
  uint64_t n_evidence = 0;
  {
    Stmt rel(db,
             "INSERT INTO relations(id, type, subject_id, object_id, evidence_count, negated_count, "
             "attributed_count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Stmt ev(db,
            "INSERT INTO evidence(relation_id, article_id, sentence_index, char_start, char_end, "
            "sentence, negated, attributed, confidence) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)");
    std::vector<int32_t> days;
    for (size_t i = 0; i < rels.size(); ++i) {
      const Rel& r = rels[i];
      const int64_t rid = static_cast<int64_t>(i + 1);
      rel.i64(1, rid)
          .text(2, types[r.type].name)
          .i64(3, r.subject)
          .i64(4, r.object)
          .i64(5, r.evidence)
          .i64(6, r.negated)
          .i64(7, r.attributed)
          .text(8, relgraph::ingest::iso_from_days(r.first))
          .text(9, relgraph::ingest::iso_from_days(r.last));
      rel.run();
      tick();
      days.clear();
      days.push_back(r.first);
      for (int k = 1; k + 1 < r.evidence; ++k)
        days.push_back(r.first + static_cast<int32_t>(rng.below(static_cast<uint64_t>(r.last - r.first + 1))));
      if (r.evidence > 1) days.push_back(r.last);
      std::sort(days.begin(), days.end());
      for (int k = 0; k < r.evidence; ++k) {
        const bool negated = k >= 1 && k <= r.negated;
        const bool attributed = k >= r.evidence - r.attributed;
        const uint64_t article = static_cast<uint64_t>(days[static_cast<size_t>(k)] - day0) * per_day + rng.below(per_day) + 1;
        std::string sentence = names[r.subject] + " " + verb_phrase(types[r.type].name, negated) + " " +
                               names[r.object] + ".";
        if (attributed) sentence = "Officials said " + sentence;
        ev.i64(1, rid)
            .i64(2, static_cast<int64_t>(article))
            .i64(3, k)
            .i64(4, static_cast<int64_t>(sentence.size()))
            .text(5, sentence)
            .i64(6, negated ? 1 : 0)
            .i64(7, attributed ? 1 : 0)
            .dbl(8, 0.9);
        ev.run();
        ++n_evidence;
        tick();
      }
      if ((i + 1) % 1'000'000 == 0)
        std::fprintf(stderr, "gen_graph: %zu relations, %llu evidence rows (%.1fs)\n", i + 1,
                     static_cast<unsigned long long>(n_evidence), seconds_since(t_start));
    }
  }
  exec(db, "COMMIT");
  std::fprintf(stderr, "gen_graph: rows written (%.1fs); building indexes\n", seconds_since(t_start));
  for (const auto& sql : index_sql) exec(db, sql);
  exec(db, "ANALYZE");
  exec(db, "PRAGMA journal_mode=WAL");
  sqlite3_close(db);
  // The schema's triggers marked every block dirty as the rows went in: pack them, so that the
  // database starts as fast as one the product wrote and repacked.
  {
    const auto t_pack = Clock::now();
    const auto packed = relgraph::store::Store::open(db_path, symmetric_names)->repack_graph();
    std::fprintf(stderr, "gen_graph: packed %zu blocks of the graph (%.1fs)\n",
                 packed.relation_blocks + packed.entity_blocks, seconds_since(t_pack));
  }
  const double db_seconds = seconds_since(t_start);

  // The flat edge list for the peers.
  {
    std::FILE* f = std::fopen((out_dir + "/edges.tsv").c_str(), "w");
    for (size_t i = 0; i < rels.size(); ++i)
      std::fprintf(f, "%zu\t%u\t%u\t%u\n", i + 1, rels[i].subject, rels[i].object, rels[i].type);
    std::fclose(f);
  }

  // Degrees (undirected, all types and the three Q4 types) for choosing queries.
  const std::vector<std::string> q4_types = {"meets-with", "visits", "sanctions"};
  uint64_t q4_mask = 0;
  std::vector<int> q4_type_ids;
  for (const auto& name : q4_types) {
    auto t = knowledge.relation_type(name);
    q4_type_ids.push_back(*t);
    q4_mask |= uint64_t{1} << *t;
  }
  std::vector<uint32_t> degree(n_entities + 1, 0), typed_degree(n_entities + 1, 0);
  for (const Rel& r : rels) {
    ++degree[r.subject];
    ++degree[r.object];
    if (q4_mask >> r.type & 1) {
      ++typed_degree[r.subject];
      ++typed_degree[r.object];
    }
  }
  std::vector<uint32_t> connected, typed_connected;
  for (uint32_t id = 1; id <= n_main; ++id) {
    if (degree[id] > 0) connected.push_back(id);
    if (typed_degree[id] > 0) typed_connected.push_back(id);
  }
  Rng qrng(seed * 7919 + 1);
  json q = json::object();
  json q1 = json::array(), q3 = json::array(), q4 = json::array(), q5 = json::array();
  for (int i = 0; i < kQueries; ++i) {
    const uint32_t a = connected[qrng.below(connected.size())];
    uint32_t b = connected[qrng.below(connected.size())];
    if (b == a) b = connected[(qrng.below(connected.size()))];
    q1.push_back(a);
    q3.push_back({a, b});
    const uint32_t c = typed_connected[qrng.below(typed_connected.size())];
    const uint32_t d = typed_connected[qrng.below(typed_connected.size())];
    q4.push_back({c, d});
    q5.push_back({a, n_main + 1 + static_cast<uint32_t>(qrng.below(kIslandEntities))});
  }
  q["q1"] = q1;
  q["q2"] = q1;  // neighbourhoods around the same centres
  q["q3"] = q3;
  q["q4"] = q4;
  q["q4_types"] = q4_types;
  q["q4_type_ids"] = q4_type_ids;
  q["q5"] = q5;
  q["max_hops"] = 6;
  std::ofstream(out_dir + "/queries.json") << q.dump() << "\n";

  const uint32_t max_degree = *std::max_element(degree.begin(), degree.end());
  json meta = {{"generator_version", kGeneratorVersion},
               {"seed", seed},
               {"relations", rels.size()},
               {"entities", n_entities},
               {"island_entities", kIslandEntities},
               {"evidence", n_evidence},
               {"articles", n_articles},
               {"zipf_exponent", kZipfExponent},
               {"max_degree", max_degree},
               {"entities_without_relations", n_main - connected.size()},
               {"relation_types", types.size()},
               {"db_seconds", db_seconds},
               {"db_bytes", std::filesystem::file_size(db_path)},
               {"seconds", seconds_since(t_start)}};
  std::ofstream(out_dir + "/meta.json") << meta.dump(2) << "\n";
  std::printf("%s\n", meta.dump().c_str());
  return 0;
}
