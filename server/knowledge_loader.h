// Builds the extractor's Knowledge from the schema data compiled into the binary.
#pragma once

#include "ingest/knowledge.h"

namespace relgraph::server {

// The bundled ontology and dictionaries. Throws ingest::KnowledgeError on bad data.
ingest::Knowledge bundled_knowledge();

}  // namespace relgraph::server
