#include "server/article_input.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ingest/text.h"

namespace relgraph::server {
namespace {

const char* const kFields[] = {"text", "title", "url", "source", "published_at"};

Result<std::string> optional_string(const nlohmann::json& body, const char* field) {
  if (!body.contains(field) || body.at(field).is_null()) return std::string();
  if (!body.at(field).is_string())
    return bad_param(field, std::string("\"") + field + "\" must be a string");
  std::string s = body.at(field).get<std::string>();
  if (!ingest::is_valid_utf8(s))
    return bad_param(field, std::string("\"") + field + "\" must be UTF-8 text without NUL bytes");
  return s;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ApiError{ErrorCode::not_found, "cannot read " + path.string(), "", nullptr};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<store::ArticleInput> article_from_json(const nlohmann::json& body) {
  if (!body.is_object())
    return bad_param("", "an article is a JSON object with at least a \"text\" field");
  for (const auto& [key, value] : body.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields))
      return bad_param(key, "unknown field \"" + key +
                                "\"; an article has text, title, url, source and published_at");
  }
  if (!body.contains("text")) return bad_param("text", "\"text\" is required");
  if (!body.at("text").is_string()) return bad_param("text", "\"text\" must be a string");
  store::ArticleInput a;
  for (auto [field, target] : {std::pair{"text", &a.text}, std::pair{"title", &a.title},
                               std::pair{"url", &a.url}, std::pair{"source", &a.source},
                               std::pair{"published_at", &a.published_at}}) {
    auto v = optional_string(body, field);
    if (!v) return v.error();
    *target = std::move(*v);
  }
  if (a.text.find_first_not_of(" \t\r\n") == std::string::npos)
    return bad_param("text", "\"text\" is empty");
  if (!a.published_at.empty() && !ingest::days_from_iso(a.published_at))
    return bad_param("published_at",
                     "\"published_at\" must be an ISO 8601 date such as 2024-03-18 or "
                     "2024-03-18T09:00:00Z");
  return a;
}

Result<store::ArticleInput> article_from_text(std::string text, std::string title) {
  return article_from_json({{"text", std::move(text)}, {"title", std::move(title)}});
}

std::vector<ArticleFileEntry> read_article_file(const std::filesystem::path& path) {
  std::vector<ArticleFileEntry> out;
  const std::string name = path.string();
  auto content = read_file(path);
  if (!content) {
    out.push_back({name, content.error()});
    return out;
  }
  const std::string ext = path.extension().string();
  if (ext == ".ndjson" || ext == ".jsonl") {
    std::istringstream lines(*content);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      const std::string where = name + ":" + std::to_string(n);
      if (j.is_discarded())
        out.push_back({where, bad_param("", "not valid JSON (or not UTF-8)")});
      else
        out.push_back({where, article_from_json(j)});
    }
    return out;
  }
  if (ext == ".json") {
    auto j = nlohmann::json::parse(*content, nullptr, false);
    if (j.is_discarded()) {
      out.push_back({name, bad_param("", "not valid JSON (or not UTF-8)")});
    } else if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i)
        out.push_back({name + "[" + std::to_string(i) + "]", article_from_json(j[i])});
    } else {
      out.push_back({name, article_from_json(j)});
    }
    return out;
  }
  nlohmann::json article = {{"text", *content}, {"title", path.stem().string()}};
  std::filesystem::path gold = path;
  gold.replace_extension(".gold.json");
  if (std::filesystem::exists(gold)) {
    auto g = read_file(gold);
    auto j = g ? nlohmann::json::parse(*g, nullptr, false) : nlohmann::json();
    if (j.is_object() && j.contains("article") && j["article"].is_object())
      for (const auto& [key, value] : j["article"].items()) article[key] = value;
  }
  out.push_back({name, article_from_json(article)});
  return out;
}

std::vector<std::filesystem::path> fixture_article_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& d : {dir, dir / "articles"}) {
    std::error_code ec;
    if (!std::filesystem::is_directory(d, ec)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(d, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".txt") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace relgraph::server
