// Writes the fuzzers' seed corpora from the fixture articles, so no corpus files are kept in
// the repository:  fuzz_seed_corpus FIXTURES_DIR OUT_DIR
//   OUT_DIR/extract/       each fixture text, and each of its paragraphs
//   OUT_DIR/article_json/  article objects with those texts and the gold metadata, and a few
//                          odd shapes
//   OUT_DIR/params/        request targets for every GET route, naming fixture entities
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Writer {
 public:
  explicit Writer(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }
  void add(const std::string& content) {
    if (!seen_.insert(content).second) return;
    std::ofstream(dir_ / ("seed-" + std::to_string(seen_.size())), std::ios::binary) << content;
  }
  size_t size() const { return seen_.size(); }

 private:
  fs::path dir_;
  std::set<std::string> seen_;
};

std::string pct(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seed_corpus FIXTURES_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path fixtures = argv[1], out = argv[2];
  std::vector<fs::path> texts;
  for (const auto& d : {fixtures, fixtures / "articles"}) {
    if (!fs::is_directory(d)) continue;
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().extension() == ".txt") texts.push_back(e.path());
  }
  std::sort(texts.begin(), texts.end());
  if (texts.empty()) {
    std::cerr << "fuzz_seed_corpus: no *.txt in " << fixtures << "\n";
    return 1;
  }

  Writer extract(out / "extract"), articles(out / "article_json"), params(out / "params");
  std::set<std::string> names;
  for (const auto& t : texts) {
    const std::string text = read_file(t);
    extract.add(text);
    json meta = json::object();
    fs::path gold = t;
    gold.replace_extension(".gold.json");
    if (fs::exists(gold)) {
      json g = json::parse(read_file(gold), nullptr, false);
      if (g.is_object() && g.contains("article")) meta = g["article"];
      if (g.is_object() && g.contains("entities"))
        for (const auto& e : g["entities"])
          if (e.contains("name") && e["name"].is_string()) names.insert(e["name"].get<std::string>());
    }
    json a = meta;
    a["text"] = text;
    articles.add(a.dump());
    std::istringstream lines(text);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      if (line.size() < 20) continue;
      extract.add(line);
      if (n++ < 3) {
        json p = {{"text", line}};
        if (meta.contains("published_at")) p["published_at"] = meta["published_at"];
        articles.add(p.dump());
      }
    }
  }
  for (const char* odd :
       {R"({"text": "Japan praised Brazil.", "title": null, "url": "", "published_at": "2024-02-29T09:00:00Z"})",
        R"({"text": "  \n\t "})", R"({"text": 5})", R"([{"text": "Chile praised Peru."}])",
        R"({"text": "Turkey criticized Sweden.", "published_at": "2023-13-40"})",
        R"({"text": "Le pr\u00e9sident \u00e9mirati a f\u00e9licit\u00e9 Modi \u2014 \u201cbravo\u201d.", "source": "x"})",
        R"({"text": "Kenya signed a defence pact with Chile.", "extra": 1})"})
    articles.add(odd);

  // GET routes with parameters naming fixture entities and relation types.
  const std::vector<std::string> types = {"congratulates", "praises", "criticizes", "accuses",
                                          "meets-with", "visits", "trades-with", "drills-with",
                                          "supports", "sanctions", "attacks", "signs-agreement-with",
                                          "leads", "affiliated-with"};
  std::vector<std::string> ents(names.begin(), names.end());
  ents.resize(std::min<size_t>(ents.size(), 40));
  for (size_t i = 0; i < ents.size(); ++i) {
    const std::string a = pct(ents[i]), b = pct(ents[(i * 7 + 3) % ents.size()]);
    const std::string& ty = types[i % types.size()];
    params.add("/v1/paths?from=" + a + "&to=" + b);
    params.add("/v1/paths?from=" + a + "&to=" + b + "&types=" + ty + "," + types[(i + 3) % types.size()] +
               "&k=3&max_hops=4&direction=out&include_negated=true");
    params.add("/v1/neighborhood?entity=" + a + "&depth=" + std::to_string(1 + i % 6) + "&types=" + ty +
               "&direction=in&limit=20&include_negated=false");
    params.add("/v1/entities/" + a);
    params.add("/v1/entities/" + a + "/relations?types=" + ty + "&direction=both&limit=5&cursor=3");
    params.add("/v1/relations?type=" + ty + "&subject=" + a + "&object=" + b + "&limit=10");
    params.add("/v1/entities?q=" + a + "&kind=person&limit=2&cursor=1");
    params.add("/v1/articles?q=" + a + "&limit=3");
  }
  for (const char* t : {"/v1/articles/1", "/v1/articles/99999999999", "/v1/relations/1/evidence?limit=1",
                        "/v1/relation-types", "/v1/stats", "/healthz", "/v1/relations?types=",
                        "/v1/entities/1/relations", "/v1/paths?from=1&to=2", "/nope"})
    params.add(t);
  std::cout << "fuzz_seed_corpus: " << extract.size() << " extract, " << articles.size()
            << " article_json, " << params.size() << " params seeds in " << out.string() << "\n";
  return 0;
}
