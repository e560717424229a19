#include "server/knowledge_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "schema/embedded.h"

namespace relgraph::server {
namespace {

ingest::KnowledgeSource source(const char* path) {
  const schema::EmbeddedFile* f = schema::data_file(path);
  if (!f) throw ingest::KnowledgeError(std::string("schema/") + path + " is not bundled");
  return {std::string("schema/") + path, std::string(f->content)};
}

}  // namespace

std::vector<ingest::KnowledgeSource> read_dictionary_dirs(const std::vector<std::string>& dirs) {
  namespace fs = std::filesystem;
  std::vector<ingest::KnowledgeSource> out;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw ingest::KnowledgeError(dir + ": not a directory of dictionary files");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".json")
        files.push_back(entry.path());
    if (ec) throw ingest::KnowledgeError(dir + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) throw ingest::KnowledgeError(f.string() + ": cannot be read");
      out.push_back({f.string(), std::string(std::istreambuf_iterator<char>(in),
                                             std::istreambuf_iterator<char>())});
    }
  }
  return out;
}

ingest::KnowledgeSources bundled_sources(const std::vector<ingest::KnowledgeSource>& extra) {
  ingest::KnowledgeSources s;
  s.relation_types = source("relation-types.json");
  s.titles = source("dictionaries/titles.json");
  s.cues = source("dictionaries/cues.json");
  s.entities.push_back({source("dictionaries/countries.json"), ingest::EntityKind::country});
  s.entities.push_back({source("dictionaries/organizations.json"), ingest::EntityKind::organization});
  s.entities.push_back({source("dictionaries/people.json"), ingest::EntityKind::person});
  for (const auto& e : extra) s.entities.push_back({e, ingest::EntityKind::organization, true});
  return s;
}

ingest::Knowledge bundled_knowledge(const std::vector<std::string>& dictionary_dirs) {
  return ingest::Knowledge::build(bundled_sources(read_dictionary_dirs(dictionary_dirs)));
}

}  // namespace relgraph::server
