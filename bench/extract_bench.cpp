// Extraction speed: runs ingest::extract over the development fixture texts (fixtures/articles
// and fixtures/dev, with their publication dates from the gold files) repeated until about
// --sentences sentences have been read, on one thread, and prints sentences/s and articles/s.
//
//   extract_bench [--sentences N] [FIXTURES_DIR]     (default: 200000, ./fixtures)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ingest/extraction.h"
#include "ingest/text.h"
#include "server/article_input.h"
#include "server/knowledge_loader.h"

namespace {

struct Text {
  std::string text;
  std::optional<int32_t> day;
  size_t sentences = 0;
};

}  // namespace

int main(int argc, char** argv) {
  size_t target = 200000;
  std::filesystem::path dir = "fixtures";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sentences" && i + 1 < argc) {
      target = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: extract_bench [--sentences N] [FIXTURES_DIR]\n");
      return 0;
    } else {
      dir = a;
    }
  }
  const auto knowledge = relgraph::server::bundled_knowledge();
  std::vector<Text> texts;
  size_t per_round = 0;
  for (const char* sub : {"articles", "dev"}) {
    for (const auto& txt : relgraph::server::fixture_article_files(dir / sub)) {
      auto entries = relgraph::server::read_article_file(txt);
      if (entries.size() != 1 || !entries[0].article) continue;
      Text t;
      t.text = entries[0].article->text;
      auto gold_path = txt;
      gold_path.replace_extension(".gold.json");
      std::ifstream g(gold_path);
      const auto gold = nlohmann::json::parse(g, nullptr, false);
      if (gold.is_object() && gold.contains("article") && gold["article"].contains("published_at"))
        t.day = relgraph::ingest::days_from_iso(gold["article"]["published_at"].get<std::string>());
      t.sentences = relgraph::ingest::split_sentences(relgraph::ingest::tokenize(t.text)).size();
      per_round += t.sentences;
      texts.push_back(std::move(t));
    }
  }
  if (texts.empty() || per_round == 0) {
    std::fprintf(stderr, "extract_bench: no fixture articles under %s/articles or %s/dev\n",
                 dir.c_str(), dir.c_str());
    return 2;
  }
  // Warm up once, then time whole rounds over all texts.
  size_t relations = 0;
  for (const auto& t : texts) relations += relgraph::ingest::extract(t.text, t.day, knowledge).relations.size();
  const size_t rounds = std::max<size_t>(1, (target + per_round - 1) / per_round);
  size_t sentences = 0, articles = 0, bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t r = 0; r < rounds; ++r)
    for (const auto& t : texts) {
      const auto x = relgraph::ingest::extract(t.text, t.day, knowledge);
      relations += x.relations.size();
      sentences += t.sentences;
      bytes += t.text.size();
      ++articles;
    }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("extract_bench: %zu articles (%zu sentences, %.1f MB) in %.2fs on one thread\n", articles,
              sentences, static_cast<double>(bytes) / 1e6, secs);
  std::printf("  %.0f sentences/s, %.0f articles/s, %.1f MB/s (%zu distinct texts, %zu rounds; %zu relations)\n",
              static_cast<double>(sentences) / secs, static_cast<double>(articles) / secs,
              static_cast<double>(bytes) / 1e6 / secs, texts.size(), rounds, relations);
  return 0;
}
