// The contents of schema/ as compiled into the binary: SQL migrations in the order they
// are applied, and the ontology and dictionary JSON files. Immutable; safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace relgraph::schema {

struct EmbeddedFile {
  std::string_view path;     // relative to schema/, e.g. "migrations/001_initial.sql"
  std::string_view content;
};

// Migrations in order: migrations()[i] brings the store to PRAGMA user_version i + 1.
std::span<const EmbeddedFile> migrations();
// relation-types.json and dictionaries/*.json.
std::span<const EmbeddedFile> data_files();
// One data file by its path, or nullptr.
const EmbeddedFile* data_file(std::string_view path);

}  // namespace relgraph::schema
