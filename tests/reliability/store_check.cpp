// store_check: the helper behind tests/reliability/crash_test.sh.
//
//   store_check generate --fixtures DIR --out DIR [--count N] [--files K]
//       Writes N articles (deterministic) into K NDJSON files DIR/part-XX.ndjson, made of
//       fixture paragraphs and synthetic sentences with varied entity names; a few texts repeat
//       on purpose (the store must keep one). Prints the number of distinct texts.
//   store_check post --port P --acks FILE NDJSON...
//       POSTs every article to a running `relgraph serve`, in order, one connection each. After
//       each 201/200 answer appends the article's index (in input order) to FILE. Exit 0 when
//       all were acknowledged, 3 when the server went away, 1 on any other answer.
//   store_check check --db DB NDJSON... [--acks FILE]... [--reference REFDB] [--complete]
//       Checks the store after a crash: SQLite integrity, foreign keys, FTS indexes, relation
//       counters against evidence rows, no relation without evidence, every stored article is
//       one of the input texts and the stored ones are a prefix of the input order (writes are
//       serial), every acknowledged article is present; with --reference, every stored article
//       has exactly the evidence and entity mentions the clean ingest gave it; with --complete,
//       the whole store equals the reference (same articles, relations and counters).
// Exit status 0 when every check passed, 1 otherwise (each failure printed).
#include <SQLiteCpp/SQLiteCpp.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "store/store.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int failures = 0;

void fail(const std::string& what) {
  ++failures;
  if (failures <= 30) std::cerr << "store_check: FAIL: " << what << "\n";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- generate ----------------------------------------------------------------------------

struct Lcg {
  uint64_t s;
  uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
  size_t pick(size_t n) { return next() % n; }
};

int generate(const fs::path& fixtures, const fs::path& out, size_t count, size_t files) {
  std::vector<std::string> paragraphs;
  std::vector<fs::path> texts;
  for (const auto& d : {fixtures, fixtures / "articles"}) {
    if (!fs::is_directory(d)) continue;
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().extension() == ".txt") texts.push_back(e.path());
  }
  std::sort(texts.begin(), texts.end());
  for (const auto& t : texts) {
    std::istringstream lines(read_file(t));
    std::string line;
    while (std::getline(lines, line))
      if (line.size() > 20 && line.size() < 600) paragraphs.push_back(line);
  }
  if (paragraphs.empty()) {
    std::cerr << "store_check: no fixture paragraphs in " << fixtures << "\n";
    return 1;
  }
  static const char* const kActors[] = {
      "China",     "Russia",      "Iran",         "India",        "Japan",    "Brazil",
      "Turkey",    "Sweden",      "Germany",      "France",       "Kenya",    "Chile",
      "Peru",      "Egypt",       "Vietnam",      "Australia",    "Canada",   "Mexico",
      "Indonesia", "South Korea", "Saudi Arabia", "the Philippines", "Poland", "Nigeria",
      "Argentina", "Pakistan",    "Norway",       "Qatar",        "Ukraine",  "Israel"};
  static const char* const kVerbs[] = {
      "praised",         "criticized",
      "condemned",       "congratulated",
      "signed a defence pact with", "held joint naval drills with",
      "imposed sanctions on",      "signed a trade agreement with",
      "hosted talks with",         "accused"};
  static const char* const kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};
  const size_t n_actors = std::size(kActors);
  Lcg rng{20240318};
  std::vector<std::string> texts_out;
  std::set<std::string> distinct;
  fs::create_directories(out);
  std::vector<std::ofstream> outs;
  for (size_t f = 0; f < files; ++f) {
    const std::string name = (f < 10 ? "part-0" : "part-") + std::to_string(f) + ".ndjson";
    outs.emplace_back(out / name, std::ios::binary);
  }
  for (size_t i = 0; i < count; ++i) {
    std::string text;
    if (i >= 10 && i % 23 == 0) {
      text = texts_out[i - 7];  // a repeated text: stored once
    } else {
      do {
        text.clear();
        const size_t a = rng.pick(n_actors);
        size_t b = rng.pick(n_actors);
        if (b == a) b = (b + 1) % n_actors;
        std::string sa = kActors[a];
        sa[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sa[0])));
        text = sa + " " + kVerbs[rng.pick(std::size(kVerbs))] + " " + kActors[b] + " on " +
               kDays[rng.pick(std::size(kDays))] + ".";
        const size_t n_par = 1 + rng.pick(3);
        for (size_t k = 0; k < n_par; ++k) text += "\n" + paragraphs[rng.pick(paragraphs.size())];
      } while (distinct.count(text));
    }
    distinct.insert(text);
    texts_out.push_back(text);
    char date[32];
    std::snprintf(date, sizeof date, "2024-%02d-%02d", static_cast<int>(1 + i % 12), static_cast<int>(1 + i % 28));
    json article = {{"text", text},
                    {"title", "Generated article " + std::to_string(i)},
                    {"source", "crash-test"},
                    {"published_at", date}};
    outs[i * files / count] << article.dump() << "\n";
  }
  std::cout << distinct.size() << "\n";
  return 0;
}

// ---- input -------------------------------------------------------------------------------

struct Input {
  std::vector<std::string> lines;  // the raw NDJSON lines, in order
  std::vector<std::string> texts;  // their texts
};

Input read_inputs(const std::vector<std::string>& files) {
  Input in;
  for (const auto& f : files) {
    std::istringstream lines(read_file(f));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json j = json::parse(line);
      in.lines.push_back(line);
      in.texts.push_back(j.at("text").get<std::string>());
    }
  }
  return in;
}

// ---- post --------------------------------------------------------------------------------

int post(int port, const std::string& acks_path, const std::vector<std::string>& files) {
  const Input in = read_inputs(files);
  std::ofstream acks(acks_path, std::ios::app);
  for (size_t i = 0; i < in.lines.size(); ++i) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(30, 0);
    auto r = c.Post("/v1/articles", in.lines[i], "application/json");
    if (!r) return 3;  // the server went away (killed): stop here
    if (r->status != 201 && r->status != 200) {
      std::cerr << "store_check: article " << i << ": HTTP " << r->status << " " << r->body << "\n";
      return 1;
    }
    acks << i << "\n" << std::flush;
  }
  return 0;
}

// ---- check -------------------------------------------------------------------------------

// What one article holds, in terms that do not depend on row ids.
struct ArticleContent {
  std::multiset<std::string> evidence;
  std::set<std::string> entities;
};

std::map<std::string, ArticleContent> article_contents(SQLite::Database& db) {
  std::map<std::string, ArticleContent> out;
  {
    SQLite::Statement q(db, "SELECT a.text, r.type, s.key, o.key, v.sentence_index, v.char_start, "
                            "v.char_end, v.negated, v.attributed, v.sentence FROM evidence v "
                            "JOIN articles a ON a.id = v.article_id JOIN relations r ON r.id = "
                            "v.relation_id JOIN entities s ON s.id = r.subject_id JOIN entities o "
                            "ON o.id = r.object_id");
    while (q.executeStep()) {
      std::string line = q.getColumn(1).getString() + "(" + q.getColumn(2).getString() + "," +
                         q.getColumn(3).getString() + ") s" + q.getColumn(4).getString() + " " +
                         q.getColumn(5).getString() + "-" + q.getColumn(6).getString() + " n" +
                         q.getColumn(7).getString() + " a" + q.getColumn(8).getString() + " " +
                         q.getColumn(9).getString();
      out[q.getColumn(0).getString()].evidence.insert(line);
    }
  }
  SQLite::Statement q(db, "SELECT a.text, e.key FROM article_entities ae JOIN articles a ON a.id = "
                          "ae.article_id JOIN entities e ON e.id = ae.entity_id");
  while (q.executeStep()) out[q.getColumn(0).getString()].entities.insert(q.getColumn(1).getString());
  return out;
}

std::map<std::string, std::string> relation_rows(SQLite::Database& db) {
  std::map<std::string, std::string> out;
  SQLite::Statement q(db, "SELECT r.type, s.key, o.key, r.evidence_count, r.negated_count, "
                          "r.attributed_count, r.first_seen, r.last_seen FROM relations r JOIN "
                          "entities s ON s.id = r.subject_id JOIN entities o ON o.id = r.object_id");
  while (q.executeStep()) {
    out[q.getColumn(0).getString() + "(" + q.getColumn(1).getString() + "," +
        q.getColumn(2).getString() + ")"] =
        q.getColumn(3).getString() + "/" + q.getColumn(4).getString() + "/" +
        q.getColumn(5).getString() + " " + q.getColumn(6).getString() + ".." +
        q.getColumn(7).getString();
  }
  return out;
}

int64_t scalar(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, sql);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::string short_text(const std::string& t) {
  std::string s = t.substr(0, 60);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return "\"" + s + "...\"";
}

// The packed copy of the graph (schema version 4) loads exactly what the rows hold: a write or a
// repack killed half-way leaves no stale or half-written blob that the loader would trust.
void check_graph_pack(SQLite::Database& db, const std::string& db_path) {
  std::vector<std::string> types;
  {
    SQLite::Statement q(db, "SELECT DISTINCT type FROM relations ORDER BY type");
    while (q.executeStep()) types.push_back(q.getColumn(0).getString());
  }
  auto store = relgraph::store::Store::open(db_path, {});
  const auto packed = store->load_graph(types, relgraph::store::GraphSource::packed);
  const auto rows = store->load_graph(types, relgraph::store::GraphSource::rows);
  if (packed.entities.size() != rows.entities.size() ||
      packed.relations.size() != rows.relations.size()) {
    fail("graph pack: " + std::to_string(packed.entities.size()) + " entities and " +
         std::to_string(packed.relations.size()) + " relations, rows " +
         std::to_string(rows.entities.size()) + " and " + std::to_string(rows.relations.size()));
    return;
  }
  for (size_t i = 0; i < rows.entities.size(); ++i) {
    const auto& a = packed.entities[i];
    const auto& b = rows.entities[i];
    if (a.id != b.id || a.key != b.key || a.name != b.name || a.kind != b.kind)
      fail("graph pack: entity " + std::to_string(b.id) + " differs from its row");
  }
  for (size_t i = 0; i < rows.relations.size(); ++i) {
    const auto& a = packed.relations[i];
    const auto& b = rows.relations[i];
    if (a.id != b.id || a.type != b.type || a.subject != b.subject || a.object != b.object ||
        a.evidence_count != b.evidence_count || a.negated_count != b.negated_count ||
        a.attributed_count != b.attributed_count || a.first_seen != b.first_seen ||
        a.last_seen != b.last_seen)
      fail("graph pack: relation " + std::to_string(b.id) + " differs from its row");
  }
}

int check(const std::string& db_path, const std::vector<std::string>& files,
          const std::vector<std::string>& ack_files, const std::string& reference, bool complete) {
  const Input in = read_inputs(files);
  std::map<std::string, size_t> first_index;  // text -> its first position in the input
  for (size_t i = 0; i < in.texts.size(); ++i) first_index.emplace(in.texts[i], i);

  if (!fs::exists(db_path)) {
    // Killed before the database file was created: fine unless something was acknowledged.
    for (const auto& a : ack_files)
      if (fs::exists(a) && fs::file_size(a) > 0) fail("articles were acknowledged but there is no database");
    if (complete) fail("no database");
    std::cout << "store_check: no database yet\n";
    return failures ? 1 : 0;
  }

  // Read-write: opening recovers the WAL of the killed writer, and FTS integrity-check is
  // an INSERT.
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  if (scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'articles'") == 0) {
    // Killed during the first migration: it rolled back, the database is empty.
    if (scalar(db, "PRAGMA user_version") != 0) fail("user_version set but no articles table");
    for (const auto& a : ack_files)
      if (fs::exists(a) && fs::file_size(a) > 0) fail("articles were acknowledged but the schema is missing");
    if (complete) fail("no schema");
    std::cout << "store_check: empty database (killed during migration)\n";
    return failures ? 1 : 0;
  }

  {
    SQLite::Statement q(db, "PRAGMA integrity_check");
    while (q.executeStep())
      if (q.getColumn(0).getString() != "ok") fail("integrity_check: " + q.getColumn(0).getString());
  }
  {
    SQLite::Statement q(db, "PRAGMA foreign_key_check");
    while (q.executeStep())
      fail("foreign_key_check: table " + q.getColumn(0).getString() + " rowid " +
           q.getColumn(1).getString() + " -> " + q.getColumn(2).getString());
  }
  for (const char* fts : {"articles_fts", "entities_fts"}) {
    try {
      db.exec(std::string("INSERT INTO ") + fts + "(" + fts + ") VALUES ('integrity-check')");
    } catch (const SQLite::Exception& e) {
      fail(std::string(fts) + " integrity-check: " + e.what());
    }
  }
  if (scalar(db, "SELECT count(*) FROM articles_fts") != scalar(db, "SELECT count(*) FROM articles"))
    fail("articles_fts and articles differ in row count");
  if (scalar(db, "SELECT count(*) FROM entities_fts") != scalar(db, "SELECT count(*) FROM entities"))
    fail("entities_fts and entities differ in row count");

  // Relation counters equal their evidence rows; every relation has evidence; every evidence
  // row's relation and article exist (also without foreign key enforcement).
  {
    SQLite::Statement q(db,
                        "SELECT r.id, r.evidence_count, r.negated_count, r.attributed_count, "
                        "count(v.id), coalesce(sum(v.negated), 0), coalesce(sum(v.attributed), 0) "
                        "FROM relations r LEFT JOIN evidence v ON v.relation_id = r.id GROUP BY r.id");
    while (q.executeStep()) {
      const auto id = q.getColumn(0).getString();
      if (q.getColumn(4).getInt64() == 0) fail("relation " + id + " has no evidence");
      if (q.getColumn(1).getInt64() != q.getColumn(4).getInt64() ||
          q.getColumn(2).getInt64() != q.getColumn(5).getInt64() ||
          q.getColumn(3).getInt64() != q.getColumn(6).getInt64())
        fail("relation " + id + " counters " + q.getColumn(1).getString() + "/" +
             q.getColumn(2).getString() + "/" + q.getColumn(3).getString() + " but evidence rows " +
             q.getColumn(4).getString() + "/" + q.getColumn(5).getString() + "/" +
             q.getColumn(6).getString());
    }
  }
  if (int64_t n = scalar(db, "SELECT count(*) FROM evidence v WHERE NOT EXISTS (SELECT 1 FROM relations r "
                             "WHERE r.id = v.relation_id) OR NOT EXISTS (SELECT 1 FROM articles a "
                             "WHERE a.id = v.article_id)"))
    fail(std::to_string(n) + " evidence rows without their relation or article");
  if (int64_t n = scalar(db, "SELECT count(*) FROM relations r WHERE NOT EXISTS (SELECT 1 FROM entities e "
                             "WHERE e.id = r.subject_id) OR NOT EXISTS (SELECT 1 FROM entities e "
                             "WHERE e.id = r.object_id)"))
    fail(std::to_string(n) + " relations without their entities");
  if (int64_t n = scalar(db, "SELECT count(*) FROM entities e WHERE NOT EXISTS (SELECT 1 FROM aliases a "
                             "WHERE a.entity_id = e.id)"))
    fail(std::to_string(n) + " entities without any alias (an entity is stored with its name)");
  if (int64_t n = scalar(db, "SELECT count(*) FROM entities e WHERE NOT EXISTS (SELECT 1 FROM "
                             "article_entities ae WHERE ae.entity_id = e.id)"))
    fail(std::to_string(n) + " entities no article mentions (left over from a half-stored article)");

  // Stored articles: input texts only, each once, a prefix of the input order.
  std::set<std::string> stored;
  {
    SQLite::Statement q(db, "SELECT text FROM articles");
    while (q.executeStep()) {
      std::string t = q.getColumn(0).getString();
      if (!first_index.count(t)) fail("stored article is not an input text: " + short_text(t));
      if (!stored.insert(t).second) fail("article stored twice: " + short_text(t));
    }
  }
  size_t prefix = 0;
  while (prefix < in.texts.size() && stored.count(in.texts[prefix])) ++prefix;
  for (const auto& t : stored)
    if (first_index.count(t) && first_index[t] > prefix)
      fail("article " + std::to_string(first_index[t]) + " is stored but article " +
           std::to_string(prefix) + " before it is not (writes are serial)");

  // Every acknowledged article is present.
  size_t acked = 0;
  for (const auto& a : ack_files) {
    std::ifstream acks(a);
    size_t i = 0;
    while (acks >> i) {
      ++acked;
      if (i >= in.texts.size()) {
        fail("ack for unknown article " + std::to_string(i));
      } else if (!stored.count(in.texts[i])) {
        fail("acknowledged article " + std::to_string(i) + " is missing: " + short_text(in.texts[i]));
      }
    }
  }

  if (scalar(db, "PRAGMA user_version") >= 4) check_graph_pack(db, db_path);

  if (!reference.empty()) {
    SQLite::Database ref(reference, SQLite::OPEN_READONLY);
    const auto mine = article_contents(db);
    const auto theirs = article_contents(ref);
    for (const auto& t : stored) {
      auto m = mine.find(t);
      auto r = theirs.find(t);
      const ArticleContent empty;
      const ArticleContent& got = m == mine.end() ? empty : m->second;
      const ArticleContent& want = r == theirs.end() ? empty : r->second;
      if (got.evidence != want.evidence)
        fail("article " + std::to_string(first_index[t]) + " has " + std::to_string(got.evidence.size()) +
             " evidence rows, the clean ingest " + std::to_string(want.evidence.size()) +
             " (or they differ): " + short_text(t));
      if (got.entities != want.entities)
        fail("article " + std::to_string(first_index[t]) + " mentions " +
             std::to_string(got.entities.size()) + " entities, the clean ingest " +
             std::to_string(want.entities.size()) + " (or they differ)");
    }
    if (complete) {
      const int64_t a = scalar(db, "SELECT count(*) FROM articles");
      const int64_t ra = scalar(ref, "SELECT count(*) FROM articles");
      std::set<std::string> distinct(in.texts.begin(), in.texts.end());
      if (a != static_cast<int64_t>(distinct.size()))
        fail("articles: " + std::to_string(a) + ", distinct input texts: " + std::to_string(distinct.size()));
      if (a != ra) fail("articles: " + std::to_string(a) + ", clean ingest: " + std::to_string(ra));
      for (const char* table : {"entities", "aliases", "relations", "evidence", "article_entities"}) {
        const int64_t n = scalar(db, std::string("SELECT count(*) FROM ") + table);
        const int64_t rn = scalar(ref, std::string("SELECT count(*) FROM ") + table);
        if (n != rn)
          fail(std::string(table) + ": " + std::to_string(n) + " rows, clean ingest " + std::to_string(rn));
      }
      const auto rels = relation_rows(db);
      const auto ref_rels = relation_rows(ref);
      for (const auto& [k, v] : ref_rels) {
        auto it = rels.find(k);
        if (it == rels.end()) fail("relation " + k + " missing");
        else if (it->second != v) fail("relation " + k + ": " + it->second + ", clean ingest " + v);
      }
      for (const auto& [k, v] : rels)
        if (!ref_rels.count(k)) fail("relation " + k + " not in the clean ingest");
    }
  } else if (complete) {
    std::set<std::string> distinct(in.texts.begin(), in.texts.end());
    if (stored.size() != distinct.size())
      fail("articles: " + std::to_string(stored.size()) + ", distinct input texts: " +
           std::to_string(distinct.size()));
  }

  std::cout << "store_check: " << stored.size() << " articles (prefix " << prefix << " of "
            << in.texts.size() << " inputs), " << acked << " acknowledged, "
            << scalar(db, "SELECT count(*) FROM relations") << " relations, "
            << scalar(db, "SELECT count(*) FROM evidence") << " evidence: "
            << (failures ? "FAILED" : "ok") << "\n";
  return failures ? 1 : 0;
}

int usage() {
  std::cerr << "usage: store_check generate --fixtures DIR --out DIR [--count N] [--files K]\n"
               "       store_check post --port P --acks FILE NDJSON...\n"
               "       store_check check --db DB [--acks FILE]... [--reference DB] [--complete] NDJSON...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  std::map<std::string, std::string> opt;
  std::vector<std::string> acks, files;
  bool complete = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--complete") {
      complete = true;
    } else if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return usage();
      if (a == "--acks")
        acks.push_back(argv[++i]);
      else
        opt[a] = argv[++i];
    } else {
      files.push_back(a);
    }
  }
  try {
    if (cmd == "generate") {
      if (!opt.count("--fixtures") || !opt.count("--out")) return usage();
      const size_t count = opt.count("--count") ? std::stoul(opt["--count"]) : 300;
      const size_t nfiles = opt.count("--files") ? std::stoul(opt["--files"]) : 3;
      if (count == 0 || nfiles == 0) return usage();
      return generate(opt["--fixtures"], opt["--out"], count, nfiles);
    }
    if (cmd == "post") {
      if (!opt.count("--port") || acks.size() != 1 || files.empty()) return usage();
      return post(std::stoi(opt["--port"]), acks[0], files);
    }
    if (cmd == "check") {
      if (!opt.count("--db") || files.empty()) return usage();
      return check(opt["--db"], files, acks, opt.count("--reference") ? opt["--reference"] : "",
                   complete);
    }
  } catch (const std::exception& e) {
    std::cerr << "store_check: " << e.what() << "\n";
    return 1;
  }
  return usage();
}
