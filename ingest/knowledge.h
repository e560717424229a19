// What the extractor knows before it reads an article: the relation types with their
// trigger words, the actor dictionaries (states, organisations, people with dated roles),
// titles, and cue words. Built once from the JSON data in schema/ and never modified, so
// one Knowledge may be shared by any number of threads.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace relgraph::ingest {

enum class EntityKind { person, country, organization, group, location };

std::string_view kind_name(EntityKind kind);
std::optional<EntityKind> parse_kind(std::string_view name);

enum class Gender { unknown, male, female };

struct Role {
  std::string title;  // a Title::title
  std::string of;     // key of the country or organisation
  int32_t from = std::numeric_limits<int32_t>::min();  // days since 1970-01-01, inclusive
  int32_t to = std::numeric_limits<int32_t>::max();    // exclusive
};

struct DictionaryEntity {
  std::string key;
  std::string name;
  EntityKind kind = EntityKind::organization;
  std::vector<std::string> aliases;
  std::vector<std::string> demonyms;
  std::vector<std::string> capitals;
  std::vector<std::string> places;  // cities and regions that are only places ("Odesa")
  std::vector<std::string> neighbors;  // keys of bordering states
  std::string region;                  // "europe", "asia", ... (states only)
  // Key of the state a government body stands for ("kremlin" -> "russia"): a ministry or
  // seat of government acts for its state and is coded as that state.
  std::string state;
  Gender gender = Gender::unknown;
  std::vector<Role> roles;
};

struct Title {
  std::string title;
  uint16_t relation = 0;  // relation type a titled name yields ("leads", "affiliated-with")
  // Only a title right before a name or a comma ("NATO chief Mark Rutte"), not as a modifier
  // ("the Houthis' chief negotiator").
  bool before_name = false;
  // The relation when an organisation is written right before the title ("CIA Director X"
  // heads the CIA; "X, a director at CSIS" does not), or none.
  std::optional<uint16_t> org_relation;
};

// One way a relation type is expressed. See ingest/patterns.h for how each field is used.
struct Trigger {
  bool verb = false;
  std::vector<std::vector<std::string>> phrases;  // every inflected form, as tokens
  std::vector<std::string> object;    // "direct" or prepositions introducing the object
  std::vector<std::string> parties;   // prepositions introducing parties (symmetric types)
  std::vector<std::string> requires_before;  // one must occur shortly before the trigger
  std::vector<std::string> requires_after;   // one must occur shortly after it
  bool places = false;  // a capital after a place preposition may be the object ("arrived in")
  std::vector<std::string> subject;  // prepositions introducing a subject after the noun
  bool copular = false;  // "X is Y's supplier": subject before the copula, object the possessor
  bool person_object = false;  // only a person may be the object ("received Maduro")
  bool passive_only = false;   // only in the passive ("the army, led by General X")
  std::vector<std::string> excludes_after;  // none may follow within 3 tokens ("traded fire")
};

struct RelationType {
  std::string name;
  bool symmetric = false;
  std::vector<std::string> cameo;
  std::string description;
  std::vector<Trigger> triggers;
};

// Word lists, each a list of phrases in token form.
struct Cues {
  std::vector<std::vector<std::string>> negation, attribution, modality, history;
  // Sports: `sports` are words of play ("scored", "semifinal"): a sentence with one yields
  // nothing. `sports_context` are words of the sports world ("FIFA", "World Cup"), which
  // diplomacy is also about: a sentence with one keeps its verbal and formal acts
  // (congratulations, criticism, agreements, sanctions, visits) but not the relation types a
  // match report uses as metaphor (attacks, meetings, drills, trade).
  std::vector<std::vector<std::string>> sports, sports_context;
  std::unordered_set<std::string> male_pronouns, female_pronouns, neuter_pronouns,
      plural_pronouns;
  std::vector<std::vector<std::string>> collective_pairs;         // "the two countries"
  std::vector<std::vector<std::string>> collective_people_pairs;  // "the two leaders"
};

// The JSON texts Knowledge is built from; `name` is used in error messages.
struct KnowledgeSource {
  std::string name;  // e.g. "schema/dictionaries/countries.json"
  std::string json;
};

struct KnowledgeSources {
  KnowledgeSource relation_types;
  KnowledgeSource titles;
  KnowledgeSource cues;
  // Entity dictionaries: arrays of entries. An entry's kind is its "kind" field, else
  // `default_kind` of its file.
  struct EntityFile {
    KnowledgeSource source;
    EntityKind default_kind = EntityKind::organization;
    // Analysts' extra dictionaries (--dictionary DIR) must give every entry's "kind".
    bool require_kind = false;
  };
  std::vector<EntityFile> entities;
};

// Thrown by Knowledge::build for data that cannot be used; what() names the file and entry.
class KnowledgeError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How a dictionary phrase matched: what the words stood for.
enum class NameForm : uint8_t { name, alias, demonym, capital, place };

struct PhraseHit {
  uint32_t entity;  // index into Knowledge::entities()
  NameForm form;
};

class Knowledge {
 public:
  // Parses and checks every source. Throws KnowledgeError on malformed data.
  static Knowledge build(const KnowledgeSources& sources);

  const std::vector<RelationType>& relation_types() const { return types_; }
  std::optional<uint16_t> relation_type(std::string_view name) const;
  const std::vector<DictionaryEntity>& entities() const { return entities_; }
  std::optional<uint32_t> entity_by_key(std::string_view key) const;
  // The one person whose name or an alias is spelled like `name` but for case, spaces,
  // hyphens and apostrophes ("Anwaarul Haq Kakar" for "Anwaar-ul-Haq Kakar"); none when no
  // person or more than one is.
  std::optional<uint32_t> person_by_spelling(std::string_view name) const;
  const Cues& cues() const { return cues_; }

  // Dictionary phrases starting at tokens[at]: the longest match, with its length in tokens.
  // `cap` tells for each token whether it is capitalised and `upper` whether all-caps; a
  // capitalised dictionary word must be capitalised in the text.
  struct Match {
    uint32_t length = 0;
    std::vector<PhraseHit> hits;
  };
  Match match_entity(const std::vector<std::string>& norms, const std::vector<uint8_t>& caps,
                     size_t at, size_t end) const;
  // Title forms starting at `at` (case-insensitive): index into titles(), and length.
  std::optional<std::pair<uint32_t, uint32_t>> match_title(const std::vector<std::string>& norms,
                                                           size_t at, size_t end) const;
  const std::vector<Title>& titles() const { return titles_; }
  std::optional<uint32_t> title_by_name(std::string_view title) const;

  // Trigger candidates whose phrase ends... starts at norms[at]: (type, trigger, length).
  struct TriggerHit {
    uint16_t type;
    uint32_t trigger;
    uint32_t length;
  };
  std::vector<TriggerHit> match_triggers(const std::vector<std::string>& norms, size_t at,
                                         size_t end) const;

  // The person holding `title` of `of` on `day`, if the dictionary knows one.
  std::optional<uint32_t> role_holder(uint32_t title, uint32_t of, int32_t day) const;

 private:
  struct PhraseEntry {
    std::vector<std::string> tokens;
    std::vector<uint8_t> caps;  // 0 any case, 1 capitalised, 2 exactly upper case
    PhraseHit hit;
  };
  std::vector<RelationType> types_;
  std::vector<DictionaryEntity> entities_;
  std::vector<Title> titles_;
  Cues cues_;
  std::unordered_map<std::string, uint32_t> key_index_;
  std::unordered_map<std::string, uint32_t> person_spellings_;  // kNoPerson when ambiguous
  // first token -> phrase entries starting with it
  std::unordered_map<std::string, std::vector<PhraseEntry>> phrases_;
  std::unordered_map<std::string, std::vector<std::pair<std::vector<std::string>, uint32_t>>>
      title_forms_;
  struct TriggerPhrase {
    std::vector<std::string> tokens;
    uint16_t type;
    uint32_t trigger;
  };
  std::unordered_map<std::string, std::vector<TriggerPhrase>> trigger_phrases_;
  // key of a state or organisation -> (entity, role index) of every role held in it
  std::unordered_map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> holders_by_of_;
};

}  // namespace relgraph::ingest
