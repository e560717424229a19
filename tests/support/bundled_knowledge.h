// The bundled dictionaries and relation types, loaded once per test binary, and what the store
// needs to know of them.
#pragma once

#include <string>
#include <vector>

#include "ingest/knowledge.h"
#include "server/knowledge_loader.h"

namespace relgraph::testing {

inline const ingest::Knowledge& bundled_knowledge() {
  static const ingest::Knowledge k = server::bundled_knowledge();
  return k;
}

// The names of the symmetric relation types (the store keeps one row per pair of them).
inline std::vector<std::string> symmetric_type_names() {
  std::vector<std::string> out;
  for (const auto& t : bundled_knowledge().relation_types())
    if (t.symmetric) out.push_back(t.name);
  return out;
}

}  // namespace relgraph::testing
