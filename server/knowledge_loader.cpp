#include "server/knowledge_loader.h"

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

ingest::Knowledge bundled_knowledge() {
  ingest::KnowledgeSources s;
  s.relation_types = source("relation-types.json");
  s.titles = source("dictionaries/titles.json");
  s.cues = source("dictionaries/cues.json");
  s.entities.push_back({source("dictionaries/countries.json"), ingest::EntityKind::country});
  s.entities.push_back({source("dictionaries/organizations.json"), ingest::EntityKind::organization});
  s.entities.push_back({source("dictionaries/people.json"), ingest::EntityKind::person});
  return ingest::Knowledge::build(s);
}

}  // namespace relgraph::server
