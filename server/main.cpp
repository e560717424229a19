// relgraph: the command-line entry point (serve, ingest).
#include <CLI/CLI.hpp>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

#include "ingest/evaluation.h"
#include "server/article_input.h"
#include "server/dictionary_tools.h"
#include "server/http_api.h"
#include "server/knowledge_loader.h"
#include "server/service.h"

namespace {

using relgraph::server::Service;
using Clock = std::chrono::steady_clock;

struct Common {
  std::string db = "relgraph.db";
};

// Extra entity dictionaries (--dictionary DIR, repeatable), merged with the bundled ones.
std::vector<std::string> dictionary_dirs;

std::unique_ptr<Service> open_service(const std::string& db,
                                      relgraph::server::ServiceOptions options = {}) {
  auto knowledge = relgraph::server::bundled_knowledge(dictionary_dirs);
  std::vector<std::string> symmetric;
  for (const auto& t : knowledge.relation_types())
    if (t.symmetric) symmetric.push_back(t.name);
  auto store = relgraph::store::Store::open(db, symmetric);
  return std::make_unique<Service>(std::move(knowledge), std::move(store), std::move(options));
}

// Reads articles from files; prints every problem. Returns false if any file had one.
bool read_articles(const std::vector<std::string>& files,
                   std::vector<relgraph::store::ArticleInput>& out) {
  bool ok = true;
  for (const auto& f : files) {
    for (auto& entry : relgraph::server::read_article_file(f)) {
      if (entry.article) {
        out.push_back(std::move(*entry.article));
      } else {
        const auto& e = entry.article.error();
        std::cerr << "relgraph: " << entry.where << ": " << e.message << "\n";
        ok = false;
      }
    }
  }
  return ok;
}

struct IngestSummary {
  size_t stored = 0, duplicates = 0, new_entities = 0, evidence = 0;
};

IngestSummary ingest_all(Service& svc, const std::vector<relgraph::store::ArticleInput>& articles,
                         size_t batch_size, bool progress) {
  IngestSummary s;
  const auto start = Clock::now();
  auto last_report = start;
  // Extraction is pure: the next batch is extracted on another thread while this one is
  // stored (storing is most of the work, on one SQLite connection). Batches are stored in
  // input order, each in one transaction, as ingest_batch does.
  auto extract = [&](size_t i) {
    const size_t end = std::min(articles.size(), i + batch_size);
    return svc.extract_batch({articles.begin() + static_cast<long>(i),
                              articles.begin() + static_cast<long>(end)});
  };
  std::future<Service::Extracted> next;
  if (!articles.empty()) next = std::async(std::launch::async, extract, 0);
  for (size_t i = 0; i < articles.size(); i += batch_size) {
    const size_t end = std::min(articles.size(), i + batch_size);
    Service::Extracted work = next.get();
    if (end < articles.size()) next = std::async(std::launch::async, extract, end);
    for (const auto& o : svc.store_batch(work)) {
      (o.duplicate ? s.duplicates : s.stored)++;
      s.new_entities += o.new_entities.size();
      if (!o.duplicate) s.evidence += o.evidence.size();
    }
    const auto now = Clock::now();
    if (progress && (now - last_report > std::chrono::milliseconds(500) || end == articles.size())) {
      last_report = now;
      const double secs = std::chrono::duration<double>(now - start).count();
      const double rate = secs > 0 ? static_cast<double>(end) / secs : 0;
      const double eta = rate > 0 ? static_cast<double>(articles.size() - end) / rate : 0;
      const int width = 30;
      const int filled = static_cast<int>(width * end / std::max<size_t>(1, articles.size()));
      std::fprintf(stderr, "\r[%s%s] %zu/%zu articles  %.0f articles/s  ETA %.0fs   ",
                   std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(width - filled), '.').c_str(), end,
                   articles.size(), rate, eta);
      if (end == articles.size()) std::fprintf(stderr, "\n");
    }
  }
  return s;
}

// User + system CPU seconds this process has used so far.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

int run_ingest(const std::string& db, const std::vector<std::string>& files, size_t batch_size,
               bool skip_invalid) {
  std::vector<relgraph::store::ArticleInput> articles;
  const bool ok = read_articles(files, articles);
  if (!ok && !skip_invalid) {
    std::cerr << "relgraph: nothing was stored; fix the articles above or pass --skip-invalid "
                 "to store the valid ones\n";
    return 2;
  }
  // The packed copy of the graph is brought up to date once, after the ingest (below), rather
  // than in the background while it runs.
  relgraph::server::ServiceOptions options;
  options.repack_in_background = false;
  auto svc = open_service(db, options);
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  const bool progress = articles.size() > 1000 || isatty(STDERR_FILENO);
  IngestSummary s = ingest_all(*svc, articles, batch_size, progress && articles.size() > 1);
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  // CPU time too: on a shared machine it is the figure other jobs do not inflate.
  std::printf(
      "ingested %zu articles from %zu files into %s in %.2fs: %zu new, %zu already stored, "
      "%zu relation mentions, %zu new entities; graph version %llu; %.2fs CPU\n",
      articles.size(), files.size(), db.c_str(), secs, s.stored, s.duplicates, s.evidence,
      s.new_entities, static_cast<unsigned long long>(svc->snapshot()->version()),
      cpu_seconds() - cpu_start);
  // So that the next start decodes the blocks this ingest wrote instead of reading their rows.
  const auto pack_start = Clock::now();
  const auto packed = svc->store().repack_graph();
  std::printf("packed %zu blocks of the graph for fast starts in %.2fs\n",
              packed.relation_blocks + packed.entity_blocks,
              std::chrono::duration<double>(Clock::now() - pack_start).count());
  return ok ? 0 : 2;
}

int run_serve(const std::string& db, relgraph::server::HttpOptions http,
              const std::string& fixtures, relgraph::server::ServiceOptions options) {
  // Signals are taken by one thread with sigwait, so every other thread runs undisturbed.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto load_start = Clock::now();
  auto svc = open_service(db, std::move(options));
  std::fprintf(stderr, "relgraph: %zu relations loaded from the %s in %.2fs\n",
               svc->snapshot()->relation_count(),
               svc->started_from() == "image" ? "snapshot image" : "database",
               std::chrono::duration<double>(Clock::now() - load_start).count());
  if (!fixtures.empty()) {
    const auto files = relgraph::server::fixture_article_files(fixtures);
    if (files.empty()) {
      std::cerr << "relgraph: no fixture articles (*.txt) in " << fixtures << "\n";
      return 2;
    }
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.string());
    std::vector<relgraph::store::ArticleInput> articles;
    if (!read_articles(names, articles)) return 2;
    IngestSummary s = ingest_all(*svc, articles, 200, false);
    std::fprintf(stderr, "relgraph: fixtures from %s: %zu articles, %zu new\n", fixtures.c_str(),
                 articles.size(), s.stored);
  }
  relgraph::server::HttpApi api(*svc, http);
  std::string error;
  if (!api.bind(error)) {
    std::cerr << "relgraph: " << error << "\n";
    return 1;
  }
  std::atomic<bool> signalled{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled = true;
    std::fprintf(stderr, "relgraph: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    api.stop();
  });
  std::fprintf(stderr, "relgraph: serving %s on http://%s:%d (graph version %llu)\n", db.c_str(),
               http.host.c_str(), api.bound_port(),
               static_cast<unsigned long long>(svc->snapshot()->version()));
  api.serve();
  // serve() also returns if the listener fails; wake the waiter so it can be joined.
  if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::fprintf(stderr, "relgraph: stopped\n");
  return 0;
}

// Scores extraction on gold files (NAME.gold.json beside NAME.txt).
int run_eval(const std::vector<std::string>& paths, bool details, double min_f1) {
  auto knowledge = relgraph::server::bundled_knowledge(dictionary_dirs);
  std::vector<std::filesystem::path> golds;
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      for (const auto& txt : relgraph::server::fixture_article_files(p)) {
        auto g = txt;
        g.replace_extension(".gold.json");
        if (std::filesystem::exists(g)) golds.push_back(g);
      }
    } else {
      // A gold file, or the article beside it (so that a shell glob over NAME.* works).
      std::filesystem::path g = p;
      const std::string file = g.filename().string();
      constexpr std::string_view kGold = ".gold.json";
      const bool is_gold = file.size() > kGold.size() && file.ends_with(kGold);
      if (!is_gold && g.extension() == ".txt") {
        g.replace_extension(".gold.json");
        if (std::filesystem::exists(g)) {
          // Skip it when the shell glob also names the gold file itself.
          if (std::find(paths.begin(), paths.end(), g.string()) == paths.end()) golds.push_back(g);
          continue;
        }
      }
      if (!is_gold) {
        std::cerr << "relgraph: " << p
                  << ": not a gold file (expected NAME.gold.json beside NAME.txt, or a directory)\n";
        return 2;
      }
      golds.push_back(g);
    }
  }
  if (golds.empty()) {
    std::cerr << "relgraph: no gold files (NAME.gold.json beside NAME.txt) found\n";
    return 2;
  }
  relgraph::ingest::Score total;
  for (const auto& g : golds) {
    std::string name = g.filename().string();
    name = name.substr(0, name.size() - std::string(".gold.json").size());
    auto txt = g.parent_path() / (name + ".txt");
    auto entries = relgraph::server::read_article_file(txt);
    if (entries.size() != 1 || !entries[0].article) {
      std::cerr << "relgraph: " << txt.string() << ": "
                << (entries.empty() ? "no article" : entries[0].article.error().message) << "\n";
      return 2;
    }
    const auto& article = *entries[0].article;
    std::ifstream in(g);
    auto gold = nlohmann::json::parse(in, nullptr, false);
    if (gold.is_discarded()) {
      std::cerr << "relgraph: " << g.string() << ": not valid JSON\n";
      return 2;
    }
    std::optional<int32_t> day;
    if (!article.published_at.empty()) day = relgraph::ingest::days_from_iso(article.published_at);
    auto x = relgraph::ingest::extract(article.text, day, knowledge);
    try {
      std::vector<std::string> sentences;
      for (const auto& sentence : x.sentences)
        sentences.push_back(article.text.substr(sentence.start, sentence.end - sentence.start));
      total.add(relgraph::ingest::score_article(
          name, gold, relgraph::ingest::predicted_relations(x, article.text, knowledge), knowledge,
          sentences));
    } catch (const std::invalid_argument& e) {
      std::cerr << "relgraph: " << e.what() << "\n";
      return 2;
    }
  }
  std::printf("%zu articles\n%s", golds.size(), relgraph::ingest::format_score(total, details).c_str());
  if (total.overall.f1() < min_f1) {
    std::fprintf(stderr, "relgraph: micro F1 %.3f is below --min-f1 %.3f\n", total.overall.f1(), min_f1);
    return 1;
  }
  return 0;
}

// Validates the bundled dictionaries plus the extra ones; prints "file:line: message".
int run_check_dictionaries() {
  const auto extra = relgraph::server::read_dictionary_dirs(dictionary_dirs);
  const auto problems = relgraph::server::check_dictionaries(relgraph::server::bundled_sources(extra));
  size_t errors = 0, warnings = 0;
  for (const auto& p : problems) {
    std::printf("%s\n", relgraph::server::format_problem(p).c_str());
    (p.warning ? warnings : errors)++;
  }
  std::printf("checked the bundled dictionaries and %zu extra file%s: %zu error%s, %zu warning%s\n",
              extra.size(), extra.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
              warnings == 1 ? "" : "s");
  return errors ? 1 : 0;
}

int run_import_dictionary(const std::string& format, const std::string& file, const std::string& out,
                          bool new_only) {
  if (format != "petrarch" && format != "tabari") {
    std::cerr << "relgraph: unknown --format " << format << " (petrarch or tabari)\n";
    return 2;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "relgraph: " << file << ": cannot be read\n";
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto options = relgraph::server::known_entities(
      relgraph::server::bundled_sources(relgraph::server::read_dictionary_dirs(dictionary_dirs)));
  options.new_only = new_only;
  const auto result = relgraph::server::import_petrarch_actors(
      text, std::filesystem::path(file).filename().string(), options);
  if (out.empty() || out == "-") {
    std::fwrite(result.json.data(), 1, result.json.size(), stdout);
  } else {
    const auto parent = std::filesystem::path(out).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    o << result.json;
    if (!o) {
      std::cerr << "relgraph: " << out << ": cannot be written\n";
      return 1;
    }
  }
  std::fprintf(stderr, "%s", relgraph::server::format_import_summary(result, file).c_str());
  if (!out.empty() && out != "-")
    std::fprintf(stderr, "wrote %s; check it with: relgraph check-dictionaries --dictionary %s\n",
                 out.c_str(), std::filesystem::path(out).parent_path().empty()
                                  ? "."
                                  : std::filesystem::path(out).parent_path().string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "relgraph: a relationship knowledge graph of international relations.\n"
      "Feed it news articles; it extracts who does what to whom, keeps every relation with the\n"
      "sentence that says so, and answers path and neighbourhood questions over a REST API."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "relgraph 0.1.0");

  std::string db = "relgraph.db";
  relgraph::server::HttpOptions http;
  std::string fixtures;
  auto* serve = app.add_subcommand("serve", "Run the REST API server");
  serve->add_option("--db", db, "SQLite database file (created if missing)")
      ->envname("RELGRAPH_DB")
      ->capture_default_str();
  serve->add_option("--host", http.host, "Address to listen on (keep 127.0.0.1 unless a reverse proxy is in front)")
      ->envname("RELGRAPH_HOST")
      ->capture_default_str();
  serve->add_option("--port", http.port, "TCP port (0: any free port)")
      ->envname("RELGRAPH_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("--threads", http.threads, "Worker threads; each keep-alive client holds one")
      ->envname("RELGRAPH_THREADS")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  serve->add_option("--max-body-bytes", http.max_body_bytes, "Largest request body accepted (413 above)")
      ->envname("RELGRAPH_MAX_BODY_BYTES")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30))
      ->capture_default_str();
  serve->add_option("--max-queued", http.max_queued,
                    "Connections waiting for a worker before new ones get 503 + Retry-After")
      ->envname("RELGRAPH_MAX_QUEUED")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  serve->add_option("--rate-limit", http.rate_limit,
                    "Requests per second per client (API key, else address); 0 turns it off")
      ->envname("RELGRAPH_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  std::string keys_file;
  serve->add_option("--api-keys-file", keys_file,
                    "File of API keys, one ROLE:KEY per line (roles reader, ingester, admin). "
                    "Keys can also be given in RELGRAPH_API_KEYS as ROLE:KEY,ROLE:KEY")
      ->envname("RELGRAPH_API_KEYS_FILE")
      ->check(CLI::ExistingFile);
  serve->add_flag("--public-reads", http.public_reads,
                  "With API keys: let GET requests through without a key")
      ->envname("RELGRAPH_PUBLIC_READS");
  bool insecure = false;
  serve->add_flag("--insecure", insecure,
                  "Allow listening beyond loopback without API keys (anyone could write)")
      ->envname("RELGRAPH_INSECURE");
  bool quiet = false;
  serve->add_flag("--quiet", quiet, "Do not log one JSON line per request")->envname("RELGRAPH_QUIET");
  const char* dictionary_help =
      "Directory of extra entity dictionaries (every *.json in it, same format as "
      "schema/dictionaries; entries need \"kind\"); repeatable";
  serve->add_option("--dictionary", dictionary_dirs, dictionary_help)->check(CLI::ExistingDirectory);
  serve->add_option("--fixtures", fixtures,
                    "Ingest the fixture articles in DIR (DIR/*.txt or DIR/articles/*.txt) before serving")
      ->envname("RELGRAPH_FIXTURES")
      ->check(CLI::ExistingDirectory);

  std::string snapshot_image;
  bool no_snapshot_image = false;
  serve->add_option("--snapshot-image", snapshot_image,
                    "Graph snapshot image for fast restarts (default: the database path + "
                    "\".graph-image\"); used only while it matches the database, rewritten "
                    "after a start that had to load the database")
      ->envname("RELGRAPH_SNAPSHOT_IMAGE");
  serve->add_flag("--no-snapshot-image", no_snapshot_image,
                  "Neither read nor write a snapshot image: always load the database");

  std::string ingest_db = "relgraph.db";
  std::vector<std::string> files;
  size_t batch_size = 500;
  bool skip_invalid = false;
  auto* ingest = app.add_subcommand(
      "ingest",
      "Ingest article files: plain text (one article per file), JSON (an object or an array of\n"
      "objects) or NDJSON (one object per line); objects are {\"text\", \"title\", \"url\",\n"
      "\"source\", \"published_at\"}. Articles already stored are skipped.");
  ingest->add_option("--db", ingest_db, "SQLite database file (created if missing)")
      ->envname("RELGRAPH_DB")
      ->capture_default_str();
  ingest->add_option("files", files, "Article files")->required()->check(CLI::ExistingFile);
  ingest->add_option("--dictionary", dictionary_dirs, dictionary_help)->check(CLI::ExistingDirectory);
  ingest->add_option("--batch-size", batch_size, "Articles per transaction")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  ingest->add_flag("--skip-invalid", skip_invalid,
                   "Store the valid articles even when some are invalid (exit code is still 2)");

  std::vector<std::string> gold_paths;
  bool details = false;
  double min_f1 = 0;
  auto* eval = app.add_subcommand(
      "eval",
      "Score extraction against gold files (NAME.gold.json beside NAME.txt, format in\n"
      "fixtures/README.md): per-type and micro precision, recall, F1, negation accuracy");
  eval->add_option("--gold,gold", gold_paths, "Gold files, or directories holding them")
      ->required()
      ->check(CLI::ExistingPath);
  eval->add_option("--dictionary", dictionary_dirs, dictionary_help)->check(CLI::ExistingDirectory);
  eval->add_flag("--details", details, "List every missed and spurious relation with its sentence");
  eval->add_option("--min-f1", min_f1, "Exit with status 1 when micro F1 is below this")
      ->check(CLI::Range(0.0, 1.0));

  auto* check = app.add_subcommand(
      "check-dictionaries",
      "Validate the bundled dictionaries and any extra ones: duplicate keys and aliases,\n"
      "overlapping role dates, unknown titles, countries and relation types, malformed dates.\n"
      "Prints file:line: message for each problem; exits 1 if there are errors");
  check->add_option("--dictionary", dictionary_dirs, dictionary_help)->check(CLI::ExistingDirectory);

  std::string import_format = "petrarch", import_file, import_out;
  auto* import = app.add_subcommand(
      "import-dictionary",
      "Convert a PETRARCH/TABARI actors dictionary into a relgraph entity dictionary (JSON),\n"
      "printing a summary of actors, aliases and skipped lines on stderr");
  import->add_option("--format", import_format, "Input format: petrarch (TABARI files too)")
      ->capture_default_str();
  import->add_option("file", import_file, "The actors dictionary")->required()->check(CLI::ExistingFile);
  import->add_option("-o,--output", import_out, "Where to write the JSON (default: stdout)");
  bool new_only = false;
  import->add_flag("--new-only", new_only,
                   "Leave out actors whose name the loaded dictionaries already have, and aliases "
                   "they already give to another entity");
  import->add_option("--dictionary", dictionary_dirs, dictionary_help)->check(CLI::ExistingDirectory);

  std::string backup_db, backup_out;
  auto* backup = app.add_subcommand(
      "backup", "Copy a database consistently, even while a server is writing to it");
  // No ExistingFile check here: CLI11 reads RELGRAPH_DB for every subcommand, and `serve`
  // on a new database must not fail because `backup` would.
  backup->add_option("--db", backup_db, "SQLite database file to copy")
      ->envname("RELGRAPH_DB")
      ->required();
  backup->add_option("out", backup_out, "Where to write the copy (replaced atomically)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*serve) {
      http.log_requests = !quiet;
      std::string keys_text;
      if (!keys_file.empty()) {
        std::ifstream in(keys_file);
        keys_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      if (const char* env = std::getenv("RELGRAPH_API_KEYS")) keys_text += std::string("\n") + env;
      if (auto error = relgraph::server::ApiKeys::parse(keys_text, http.keys)) {
        std::cerr << "relgraph: " << *error << "\n";
        return 2;
      }
      const bool loopback = http.host == "127.0.0.1" || http.host == "localhost" || http.host == "::1";
      if (!loopback && http.keys.empty() && !insecure) {
        std::cerr << "relgraph: refusing to listen on " << http.host
                  << " without API keys: anyone who can reach it could write. Give keys with "
                     "--api-keys-file or RELGRAPH_API_KEYS, or pass --insecure if a proxy in "
                     "front controls access.\n";
        return 2;
      }
      relgraph::server::ServiceOptions options;
      if (!no_snapshot_image) options.snapshot_image = snapshot_image.empty() ? db + ".graph-image" : snapshot_image;
      return run_serve(db, http, fixtures, std::move(options));
    }
    if (*backup) {
      if (!std::filesystem::is_regular_file(backup_db)) {
        std::cerr << "relgraph: --db: no database file " << backup_db << "\n";
        return 2;
      }
      relgraph::store::Store::backup(backup_db, backup_out);
      std::printf("backed up %s to %s\n", backup_db.c_str(), backup_out.c_str());
      return 0;
    }
    if (*ingest) return run_ingest(ingest_db, files, batch_size, skip_invalid);
    if (*eval) return run_eval(gold_paths, details, min_f1);
    if (*check) return run_check_dictionaries();
    if (*import) return run_import_dictionary(import_format, import_file, import_out, new_only);
  } catch (const std::exception& e) {
    std::cerr << "relgraph: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
