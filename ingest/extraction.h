// ingest: news text in, an Extraction out. Pure: no I/O, no SQLite, no HTTP.
//
// extract() finds the entities an article mentions (dictionary actors, and people and
// organisations it introduces itself), splits it into sentences, and finds relation
// mentions with their evidence: the sentence, its byte offsets, whether the text denies the
// relation (negated) or only reports someone's claim of it (attributed), and a confidence.
// It is deterministic and thread-safe (it only reads the Knowledge it is given).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/knowledge.h"
#include "ingest/text.h"

namespace relgraph::ingest {

struct Entity {
  std::string key;   // dictionary key, or a slug of the name for entities found in the text
  std::string name;  // display name
  EntityKind kind = EntityKind::organization;
  bool from_dictionary = false;
  std::vector<std::string> aliases;  // dictionary aliases, then the surface forms seen
};

struct Sentence {
  uint32_t index = 0;  // 0-based position in the article
  uint32_t start = 0;  // byte offset in the article text
  uint32_t end = 0;    // byte offset one past the sentence
};

struct RelationMention {
  uint16_t type = 0;     // index into Knowledge::relation_types()
  uint32_t subject = 0;  // index into Extraction::entities
  uint32_t object = 0;   // index into Extraction::entities
  uint32_t sentence = 0; // index into Extraction::sentences
  bool negated = false;
  bool attributed = false;
  float confidence = 0.0f;  // 0..1
};

struct Extraction {
  std::vector<Entity> entities;
  std::vector<Sentence> sentences;
  // One per (type, subject, object, sentence, negated, attributed): the same fact stated in
  // several sentences gives several mentions, which the store aggregates into one relation
  // with several pieces of evidence; a claim and its denial in one sentence ("accused X of
  // arming Y, a charge X denies") are two. For symmetric types subject < object by entity
  // index.
  std::vector<RelationMention> relations;
};

// Extracts entities and relations from `text`. `published` (days since 1970-01-01) picks
// who held a role ("the Russian president") on that day; without it, the current holder.
// REQUIRES: is_valid_utf8(text).
Extraction extract(std::string_view text, std::optional<int32_t> published,
                   const Knowledge& knowledge);

}  // namespace relgraph::ingest
