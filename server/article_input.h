// Articles as users hand them over: a JSON object {"text", "title", "url", "source",
// "published_at"} (HTTP bodies, JSON and NDJSON files) or a plain-text file. One validator
// for all of them, so the API and the CLI accept and reject exactly the same articles.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/api_error.h"
#include "store/store.h"

namespace relgraph::server {

// Validates one article object. Errors name the field at fault (ApiError::param).
Result<store::ArticleInput> article_from_json(const nlohmann::json& body);

// Validates a plain-text article.
Result<store::ArticleInput> article_from_text(std::string text, std::string title);

// An article read from a file, or why it could not be read.
struct ArticleFileEntry {
  std::string where;  // "file.ndjson:12", for messages
  Result<store::ArticleInput> article;
};

// Reads the articles in one file: `.json` (one object or an array of objects), `.ndjson` /
// `.jsonl` (one object per line), anything else plain text (one article; its title is the
// file name, and a `NAME.gold.json` beside `NAME.txt` supplies title, date, source and url
// from its "article" object, as the bundled fixtures do).
std::vector<ArticleFileEntry> read_article_file(const std::filesystem::path& path);

// The fixture articles in a directory: every *.txt in it or in its articles/ subfolder,
// sorted by name.
std::vector<std::filesystem::path> fixture_article_files(const std::filesystem::path& dir);

}  // namespace relgraph::server
