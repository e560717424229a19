// Tools for analysts' dictionaries: the validator behind `relgraph check-dictionaries` and the
// importer behind `relgraph import-dictionary` (PETRARCH / TABARI actor dictionaries).
// Pure functions over file texts; thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ingest/knowledge.h"

namespace relgraph::server {

// One finding of the validator, printed as "file:line: error: message".
struct DictionaryProblem {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem concerns the whole file
  std::string message;
  bool warning = false;  // warnings are reported but do not fail the check
};

// Checks the bundled data (relation types, titles, cues, countries, organisations, people)
// plus `extra` entity dictionaries (every entry must give its "kind"):
//   errors   - malformed JSON or entries, keys used twice (naming both files), the same
//              normalised name or alias standing for two entities, roles with unknown
//              titles or countries or malformed dates or ending before they start,
//              overlapping dates of one person's roles with the same title and country,
//              titles naming relation types that do not exist;
//   warnings - a demonym shared by two states ("Congolese"), which the extractor resolves
//              to the first state listed.
// Line numbers point at the entry's "key" (or the role's "title") in the file text.
std::vector<DictionaryProblem> check_dictionaries(const ingest::KnowledgeSources& sources);

std::string format_problem(const DictionaryProblem& p);

// The result of converting a PETRARCH/TABARI actors dictionary.
struct ImportResult {
  std::string json;  // relgraph entity dictionary: a JSON array, one entry per line
  size_t actors = 0, aliases = 0, merged = 0, known_aliases = 0;
  size_t people = 0, countries = 0, organizations = 0;
  // Lines that were not converted, with the reason: (line number, reason).
  std::vector<std::pair<int, std::string>> skipped;
};

// What the importer may check entries against (the dictionaries already loaded).
struct ImportOptions {
  std::set<std::string> known_keys;   // keys in use: an imported key gets a "-2" suffix
  std::set<std::string> known_forms;  // normal forms of names and aliases in use
  bool new_only = false;  // drop actors whose name is known, and aliases known elsewhere
};

// Converts a PETRARCH actors dictionary (see the heuristics in dictionary_tools.cpp).
// `source_name` is used in the entries' provenance.
ImportResult import_petrarch_actors(const std::string& text, const std::string& source_name,
                                    const ImportOptions& options = {});

// The keys and normal forms of names, aliases, demonyms and capitals in `sources`.
ImportOptions known_entities(const ingest::KnowledgeSources& sources);

// A readable summary of an import: counts, then skipped lines grouped by reason.
std::string format_import_summary(const ImportResult& r, const std::string& file);

}  // namespace relgraph::server
