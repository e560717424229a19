// Builds the extractor's Knowledge from the schema data compiled into the binary, plus any
// extra entity dictionaries analysts keep in directories of their own (--dictionary DIR).
#pragma once

#include <string>
#include <vector>

#include "ingest/knowledge.h"

namespace relgraph::server {

// Every *.json file in each directory, sorted by name within a directory, read whole; the
// source name is the file's path. Throws ingest::KnowledgeError when a directory or file
// cannot be read.
std::vector<ingest::KnowledgeSource> read_dictionary_dirs(const std::vector<std::string>& dirs);

// The bundled sources (relation types, titles, cues, countries, organisations, people) with
// `extra` entity dictionaries appended; extra entries must each give their "kind".
ingest::KnowledgeSources bundled_sources(const std::vector<ingest::KnowledgeSource>& extra = {});

// The bundled ontology and dictionaries merged with the *.json entity dictionaries in
// `dictionary_dirs`. Throws ingest::KnowledgeError on bad data; a key defined in two files is
// an error naming both.
ingest::Knowledge bundled_knowledge(const std::vector<std::string>& dictionary_dirs = {});

}  // namespace relgraph::server
