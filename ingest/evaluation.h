// Scoring extraction against gold data (../shared/docs/extraction.md, "Measuring quality").
//
// Gold data is one JSON object per article:
//   {"article": {...}, "entities": [{"name", "kind", "aliases": [...]}],
//    "relations": [{"type", "subject", "object", "negated", "attributed", "sentence"}]}
// A predicted relation matches a gold one when the type, both entities and both flags agree;
// an entity matches when its name, or failing that one of its aliases (the dictionary's, then
// the surface forms seen), equals the gold entity's name or one of its aliases
// (case-insensitive); symmetric types are order-free. Pure functions; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ingest/extraction.h"

namespace relgraph::ingest {

struct PredictedRelation {
  std::string type;
  std::string subject;  // entity display name
  std::string object;
  bool negated = false;
  bool attributed = false;
  std::string sentence;  // the evidence sentence, for reports
  std::vector<std::string> subject_aliases;  // tried in order when the name matches no gold entity
  std::vector<std::string> object_aliases;
};

// The relations of an Extraction in the form the scorer takes.
std::vector<PredictedRelation> predicted_relations(const Extraction& x, std::string_view text,
                                                   const Knowledge& k);

struct Counts {
  int true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};

struct Score {
  Counts overall;
  std::map<std::string, Counts> by_type;
  // Gold relations that are negated: how many were found flagged negated.
  int negated_gold = 0, negated_found = 0;
  std::vector<std::string> misses;    // "article: type(subject, object) [flags] in: sentence"
  std::vector<std::string> spurious;  // "article: type(subject, object) [flags] in: sentence"
  void add(const Score& other);
};

// Scores one article's predictions against its gold object. `sentences` are the article's
// sentences in order (for the gold's "sentence" index in the report of misses; may be empty).
// Throws std::invalid_argument when the gold object is malformed (the message names the field).
Score score_article(const std::string& article_name, const nlohmann::json& gold,
                    const std::vector<PredictedRelation>& predicted, const Knowledge& k,
                    const std::vector<std::string>& sentences = {});

// A plain-text report: per-type and micro precision, recall, F1, negation accuracy, and
// (when `details`) every miss and spurious relation.
std::string format_score(const Score& s, bool details);

}  // namespace relgraph::ingest
