// The extraction engine: mentions, then relations, sentence by sentence, with the
// coreference state carried across sentences. The trigger grammar is in ingest/patterns.h.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "ingest/extraction.h"
#include "ingest/patterns.h"

namespace relgraph::ingest {
namespace {

constexpr uint32_t kNone = ~uint32_t{0};

// The longest name, in tokens ("European Bank for Reconstruction and Development" has 6).
constexpr uint32_t kMaxNameTokens = 12;

// The longest stretch of tokens read as one sentence; real news sentences are far shorter.
constexpr uint32_t kMaxWindowTokens = 400;

// Head words that make a capitalised name an organisation ("National University of Singapore").
const std::unordered_set<std::string> kOrgHeads = {
    "university", "ministry", "agency", "institute", "institution", "council", "bank", "party",
    "organization", "organisation", "committee", "commission", "corporation", "company",
    "center", "centre", "foundation", "association", "academy", "court", "office",
    "department", "fund", "service", "school", "college", "forum", "network", "program",
    "programme", "parliament", "assembly", "congress", "senate", "army", "navy", "guard",
    "police", "group", "authority", "board", "bureau", "federation", "alliance", "union",
    "coalition", "league", "society", "observatory", "initiative", "laboratory", "times",
    "post", "news", "television", "broadcasting", "press", "journal", "tribune", "herald",
    "watch", "advisors", "advisers", "partners", "consultancy", "universidad", "université",
    "universität", "instituto", "institut", "fundación", "fondation", "force", "forces",
    "fundação", "fundacao", "universidade", "universiteit", "colegio", "colégio", "stiftung"};

// Nouns that describe an organisation in an apposition: "Jaish al-Adl, a Sunni militant
// group", "Wagner, a private military company".
const std::unordered_set<std::string> kOrgDescriptions = {
    "group", "groups", "militia", "movement", "organisation", "organization", "faction",
    "outfit", "network", "party", "alliance", "coalition", "company", "firm", "think-tank",
    "insurgency", "rebels", "bloc", "consortium", "contractor", "conglomerate"};

// Honorifics before a name: "Dr. Mohamed Muizzu", "Sir Keir Starmer", "Sheikh Tamim".
const std::unordered_set<std::string> kHonorifics = {
    "dr", "dr.", "sir", "dame", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "sheikh", "sheikha",
    "prof", "prof.", "lord", "lady", "hon", "hon."};

// Words that may join a capitalised organisation name: "University of Singapore".
const std::unordered_set<std::string> kNameJoiners = {"of", "for", "de", "on", "the", "and"};

// Lowercase particles inside personal names: "Musaed bin Mohammed", "Ursula von der Leyen".
const std::unordered_set<std::string> kNameParticles = {"bin", "bint", "ibn", "al", "el", "von",
                                                        "van", "der", "den", "da", "di", "du",
                                                        "la", "le"};

const std::unordered_set<std::string> kDeterminers = {"the", "a", "an"};

const std::unordered_set<std::string> kPlacePrepositions = {
    "in", "at", "near", "from", "outside", "across", "around", "inside", "into", "via",
    "throughout", "within"};

// Nouns for units of a state: "warships from India" are India's, not in India.
const std::unordered_set<std::string> kUnitNouns = {
    "warships", "ships", "vessels", "troops", "forces", "soldiers", "sailors", "navies",
    "aircraft", "jets", "planes", "units", "officials", "delegations", "diplomats", "leaders",
    "ministers", "envoys", "negotiators", "representatives", "contingents", "personnel"};

// Words that count a noun: "five US defence companies".
const std::unordered_set<std::string> kCountWords = {
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several",
    "dozens", "hundreds", "many", "some"};

const std::unordered_set<std::string> kPossessivePronouns = {"his", "her", "its", "their"};

const std::unordered_set<std::string> kPrepositions = {
    "to", "on", "for", "of", "with", "against", "from", "in", "at", "by", "into", "over",
    "about", "between", "among", "involving", "alongside", "through", "toward", "towards",
    "upon", "under", "after", "before", "during", "since", "behind"};

// Words where the search for an argument stops: a new clause starts there.
const std::unordered_set<std::string> kClauseStops = {";", ":", "that", "which", "whether",
                                                      "because", "although", "though",
                                                      "but", "while", "whereas", "\"", "("};

const std::unordered_set<std::string> kSpeechVerbs = {
    "said", "says", "told", "added", "noted", "argued", "wrote", "explained", "warned",
    "stated", "remarked", "emphasized", "emphasised", "stressed", "believes", "suggested"};

const std::unordered_set<std::string> kBeForms = {"is", "was", "were", "are", "been", "being",
                                                  "be", "got", "get", "gets"};

const std::unordered_set<std::string> kConnectors = {",", "and", "&"};

// Nouns a noun trigger may only modify: "trade talks" are talks, "a trade war" no trade.
const std::unordered_set<std::string> kModifiedNouns = {
    "talks", "negotiations", "war", "wars", "dispute", "disputes", "policy", "policies",
    "minister", "ministers", "ministry", "representative", "envoy", "barriers", "row",
    "tensions", "deal", "deals", "pact", "agreement", "agreements", "bloc", "zone", "route"};

const std::unordered_set<std::string> kRegionAdjectives = {
    "european", "asian", "african", "american", "arab", "middle", "eastern", "western",
    "southern", "northern", "central", "caucasian", "baltic", "nordic", "balkan", "gulf",
    "pacific", "latin"};

// Relation types that sports reporting uses as metaphor ("attacked down the left", "the two
// sides meet in the final"): not coded in a sentence about sport (Cues::sports_context).
const std::unordered_set<std::string> kSportsMetaphorTypes = {"attacks", "meets-with",
                                                              "drills-with", "trades-with"};

// Offices of a state's government: a holder's state may come from the dateline.
// Not heads of state or government: the dictionaries know those, and an unknown "President
// X" is more likely another state's or a past one.
const std::unordered_set<std::string> kStateOffices = {
    "deputy prime minister", "vice president", "foreign minister", "defence minister",
    "finance minister", "trade minister", "interior minister", "energy minister", "minister",
    "national security adviser", "chief cabinet secretary", "cabinet secretary", "spokesperson"};

// Words after which a noun is what is talked about: "discussed trade", "a debate about aid".
const std::unordered_set<std::string> kTopicWords = {
    "discuss", "discussed", "discusses", "discussing", "about", "regarding", "concerning",
    "including", "debated", "debate", "review", "reviewed"};

bool is_adverb(const std::string& w) {
  return (w.size() > 4 && w.ends_with("ly")) || w == "still" || w == "now" || w == "already";
}

// Lowercase words that may stand between a verb and its noun: "waged an armed insurgency".
bool adjective_like(const std::string& w) {
  return w == "a" || w == "an" || w == "the" || w == "armed" || w == "bloody" || w == "deadly" ||
         w == "military" || w == "new" || w == "major" || w == "brutal" || w == "violent" ||
         w == "separatist" || w == "cross-border" || w == "large-scale" || w == "full-scale";
}

enum class Source : uint8_t { name, alias, demonym, capital, unknown, coref };

// An actor mention in a sentence, over tokens [b, e).
struct Mention {
  uint32_t b = 0, e = 0;
  uint32_t entity = kNone;   // index into Extraction::entities
  uint32_t entity2 = kNone;  // the second of "the two countries"
  Source source = Source::name;
  bool locative = false;  // a capital after a place preposition: a place, not an actor
  bool modifier = false;  // consumed as the country of a title ("Chinese President")
  bool possessive = false;  // "his", "its" before a noun: an owner, not a verb's argument
  uint32_t entity3 = kNone;  // the third of "the three countries"
  bool city = false;  // a city or region of a state: only a target of attacks ("struck Odesa")
};

struct TitleMention {
  uint32_t b = 0, e = 0;
  uint32_t title = 0;
};

struct ArgList {
  std::vector<uint32_t> mentions;  // indices into the sentence's mentions
  uint32_t distance = 0;           // tokens between the argument and the trigger
  std::string preposition;         // the preposition that introduced it ("between"), if any
};

class ArticleExtractor {
 public:
  ArticleExtractor(std::string_view text, std::optional<int32_t> published, const Knowledge& k)
      : k_(k),
        text_(text),
        day_(published.value_or(std::numeric_limits<int32_t>::max() - 1)),
        attacks_type_(k.relation_type("attacks").value_or(std::numeric_limits<uint16_t>::max())),
        signs_type_(k.relation_type("signs-agreement-with").value_or(std::numeric_limits<uint16_t>::max())) {}

  Extraction run() {
    toks_ = tokenize(text_);
    title_len_.assign(toks_.size(), 0);
    described_.assign(toks_.size(), 0);
    norms_.reserve(toks_.size());
    caps_.reserve(toks_.size());
    for (const Token& t : toks_) {
      norms_.push_back(t.norm);
      caps_.push_back(t.upper ? 2 : (t.cap ? 1 : 0));
    }
    const auto spans = split_sentences(toks_);
    dateline_end_ = find_dateline_end();
    index_cue_first_words();
    sports_article_ = count_sports_cues() >= 3;
    for (uint32_t s = 0; s < spans.size(); ++s) {
      out_.sentences.push_back({s, spans[s].start, spans[s].end});
      // A run of text without sentence punctuation is read in windows, so that the work per
      // token stays bounded however long the "sentence" is.
      for (uint32_t b = spans[s].first_token; b < spans[s].end_token; b += kMaxWindowTokens) {
        SentenceSpan window = spans[s];
        window.first_token = b;
        window.end_token = std::min(spans[s].end_token, b + kMaxWindowTokens);
        process_sentence(s, window);
      }
    }
    drop_affiliations_of_leaders();
    return std::move(out_);
  }

 private:
  // ---- entities --------------------------------------------------------------------------

  uint32_t dictionary_entity(uint32_t dict_index) {
    const DictionaryEntity& d = k_.entities()[dict_index];
    // A ministry or seat of government acts for its state: "the Kremlin said".
    if (!d.state.empty())
      if (auto state = k_.entity_by_key(d.state)) return dictionary_entity(*state);
    auto it = by_key_.find(d.key);
    if (it != by_key_.end()) return it->second;
    Entity e;
    e.key = d.key;
    e.name = d.name;
    e.kind = d.kind;
    e.from_dictionary = true;
    e.aliases = d.aliases;
    const uint32_t index = static_cast<uint32_t>(out_.entities.size());
    out_.entities.push_back(std::move(e));
    dict_of_.push_back(dict_index);
    by_key_[d.key] = index;
    return index;
  }

  uint32_t text_entity(uint32_t b, uint32_t e, EntityKind kind) {
    std::string name(text_.substr(toks_[b].start, toks_[e - 1].end - toks_[b].start));
    // "Romeo Brawner Jr.": the suffix keeps its period (the tokenizer split it off).
    if ((name.ends_with(" Jr") || name.ends_with(" Sr")) && toks_[e - 1].end < text_.size() &&
        text_[toks_[e - 1].end] == '.')
      name += '.';
    std::string key = slug(name);
    if (key.empty()) return kNone;
    if (auto dict = k_.entity_by_key(key)) return dictionary_entity(*dict);
    if (kind == EntityKind::person)
      if (auto dict = k_.person_by_spelling(name)) return dictionary_entity(*dict);
    auto it = by_key_.find(key);
    if (it != by_key_.end()) return it->second;
    Entity ent;
    ent.key = key;
    ent.name = std::move(name);
    ent.kind = kind;
    const uint32_t index = static_cast<uint32_t>(out_.entities.size());
    out_.entities.push_back(std::move(ent));
    dict_of_.push_back(kNone);
    by_key_[key] = index;
    return index;
  }

  void add_surface_form(uint32_t entity, uint32_t b, uint32_t e) {
    if (entity == kNone) return;
    std::string form(text_.substr(toks_[b].start, toks_[e - 1].end - toks_[b].start));
    Entity& ent = out_.entities[entity];
    if (form == ent.name) return;
    for (const auto& a : ent.aliases)
      if (a == form) return;
    if (ent.aliases.size() < 32) ent.aliases.push_back(std::move(form));
  }

  bool is_person(uint32_t entity) const {
    return entity != kNone && out_.entities[entity].kind == EntityKind::person;
  }

  Gender gender_of(uint32_t entity) const {
    const uint32_t d = dict_of_[entity];
    return d == kNone ? Gender::unknown : k_.entities()[d].gender;
  }

  // ---- cues ------------------------------------------------------------------------------

  bool phrase_at(const std::vector<std::string>& phrase, size_t at, size_t end) const {
    if (at + phrase.size() > end) return false;
    for (size_t j = 0; j < phrase.size(); ++j)
      if (norms_[at + j] != phrase[j]) return false;
    return true;
  }

  // First position in [b, e) where one of `phrases` starts, or kNone. Most tokens start no
  // cue at all; one set lookup rules them out before any phrase is compared.
  uint32_t find_cue(const std::vector<std::vector<std::string>>& phrases, uint32_t b,
                    uint32_t e, uint32_t limit) const {
    for (uint32_t i = b; i < e; ++i) {
      if (!cue_first_words_.count(norms_[i])) continue;
      for (const auto& p : phrases)
        if (phrase_at(p, i, limit)) return i;
    }
    return kNone;
  }

  void index_cue_first_words() {
    const Cues& c = k_.cues();
    for (const auto* list : {&c.collective_pairs, &c.collective_people_pairs})
      for (const auto& phrase : *list)
        for (size_t j = 0; j < 2 && j < phrase.size(); ++j) {
          collective_words_[j].insert(phrase[j]);
          if (phrase[j] == "two") collective_words_[j].insert("three");
        }
    for (const auto* list :
         {&c.negation, &c.attribution, &c.modality, &c.sports, &c.sports_context, &c.history})
      for (const auto& phrase : *list)
        if (!phrase.empty()) cue_first_words_.insert(phrase.front());
  }

  int count_sports_cues() const {
    int n = 0;
    for (uint32_t i = 0; i < toks_.size(); ++i) {
      if (cue_first_words_.count(norms_[i]))
        for (const auto& p : k_.cues().sports)
          if (phrase_at(p, i, toks_.size())) ++n;
      // A score such as "2-1" or "3 - 0".
      if (toks_[i].number && i + 2 < toks_.size() && norms_[i + 1] == "-" && toks_[i + 2].number &&
          norms_[i].size() <= 2 && norms_[i + 2].size() <= 2)
        ++n;
    }
    return n;
  }

  // ---- mentions --------------------------------------------------------------------------

  // A hyphen written without spaces inside a name: "Wei-lun", "Al-Mansouri".
  bool joins_hyphenated_name(uint32_t j, uint32_t end) const {
    return norms_[j] == "-" && j > 0 && j + 1 < end && toks_[j - 1].end == toks_[j].start &&
           toks_[j].end == toks_[j + 1].start && toks_[j + 1].word && !toks_[j + 1].number;
  }

  // A single-letter initial with its full stop: the "K." of "Dinesh K. Tripathi".
  bool is_initial(uint32_t j, uint32_t end) const {
    return toks_[j].word && toks_[j].cap && norms_[j].size() == 1 && j + 1 < end &&
           norms_[j + 1] == "." && toks_[j].end == toks_[j + 1].start;
  }

  // The longest capitalised name at `i`: capitalised words, joined by "of", "for", name
  // particles ("bin", "von"), hyphens and initials. A title ends it: titles are not names
  // ("European Commission President Ursula von der Leyen").
  uint32_t capitalised_span(uint32_t i, uint32_t end) const {
    if (!toks_[i].word || !toks_[i].cap || toks_[i].norm == "'s") return 0;
    end = std::min(end, i + kMaxNameTokens);
    uint32_t j = is_initial(i, end) ? i + 2 : i + 1;
    uint32_t last_cap = j;
    while (j < end) {
      if (toks_[j].newline_before) break;
      if (toks_[j].word && toks_[j].cap) {
        if (title_len_[j]) break;
        last_cap = j = is_initial(j, end) ? j + 2 : j + 1;
        continue;
      }
      if (joins_hyphenated_name(j, end)) {
        last_cap = j = j + 2;
        continue;
      }
      if ((kNameJoiners.count(norms_[j]) || kNameParticles.count(norms_[j])) && j + 1 < end) {
        ++j;
        continue;
      }
      break;
    }
    return last_cap - i;
  }

  bool has_org_head(uint32_t b, uint32_t e) const {
    for (uint32_t i = b; i < e; ++i)
      if (toks_[i].cap && kOrgHeads.count(norms_[i])) {
        // "Border Security Force", "Armed Forces of the Philippines", but "Armed Forces
        // Minister" names a portfolio.
        if ((norms_[i] == "force" || norms_[i] == "forces") && e - b < 3) continue;
        return true;
      }
    return false;
  }

  // The number of words in [b, e) when it reads as a personal name (capitalised words, name
  // particles, hyphenated parts and initials, no titles), else 0.
  uint32_t personal_name_words(uint32_t b, uint32_t e) const {
    uint32_t words = 0;
    for (uint32_t i = b; i < e; ++i) {
      if (joins_hyphenated_name(i, e)) {
        ++i;  // the part after the hyphen belongs to the word before it
        continue;
      }
      if (norms_[i] == "." && i > b && is_initial(i - 1, e)) continue;
      if (kNameParticles.count(norms_[i]) && i > b && !toks_[i].cap) continue;
      if (!toks_[i].word || !toks_[i].cap || toks_[i].number) return 0;
      if (title_len_[i]) return 0;
      ++words;
    }
    return words;
  }

  // Does a title follow "<name>, " within a few words ("Ja Ian Chong, an associate
  // professor")? Returns the position after the comma when it does.
  bool apposition_title_follows(uint32_t after, uint32_t end) const {
    if (after >= end || norms_[after] != ",") return false;
    // Nouns only people are: "Bidzina Ivanishvili, the billionaire founder of ...".
    static const std::unordered_set<std::string> kPersonNouns = {
        "founder", "co-founder", "billionaire", "tycoon", "businessman", "businesswoman",
        "oligarch", "magnate", "cleric", "activist", "journalist", "lawyer", "warlord",
        "politician", "lawmaker", "widow", "son", "daughter", "wife", "husband", "brother",
        "sister", "nephew", "niece", "father", "mother", "dissident", "opposition leader", "ally",
        "confidant", "loyalist", "officer", "official", "diplomat", "negotiator", "commander"};
    const bool article = after + 1 < end && (norms_[after + 1] == "a" || norms_[after + 1] == "an" ||
                                             norms_[after + 1] == "the");
    // Only inside a noun phrase: in "Duda, who was in New York, did not meet the Ukrainian
    // leader" the title belongs to another clause.
    static const std::unordered_set<std::string> kClauseWords = {
        "did", "does", "do", "has", "have", "had", "was", "were", "is", "are", "will", "would",
        "not", "said", "says", "who", "which", "that"};
    for (uint32_t j = after + 1; j < std::min(end, after + 8); ++j) {
      if (kClauseWords.count(norms_[j])) return false;
      if (title_len_[j]) return true;
      if (article && kPersonNouns.count(norms_[j])) return true;
      if (norms_[j] == "," || norms_[j] == ".") return false;
    }
    return false;
  }

  void push_mention(std::vector<Mention>& ms, Mention m) {
    if (m.entity == kNone) return;
    if (m.source != Source::coref && m.source != Source::demonym && !m.locative)
      add_surface_form(m.entity, m.b, m.e);
    // "The National Electoral Council (CNE)": the short form names it from here on.
    if (!is_person(m.entity) && m.e + 2 < toks_.size() && norms_[m.e] == "(" &&
        toks_[m.e + 1].upper && toks_[m.e + 1].word && norms_[m.e + 2] == ")" &&
        norms_[m.e + 1].size() >= 2)
      acronyms_.try_emplace(norms_[m.e + 1], m.entity);
    ms.push_back(m);
  }

  // A pronoun's person: inside a sentence, the first compatible person already named in it
  // (news sentences keep their subject: "Zelenskyy congratulated Trump on what he called");
  // at the start of a sentence, the previous sentence's topic; else the most recent one.
  uint32_t resolve_pronoun(const std::string& w, bool sentence_start,
                           const std::vector<Mention>& ms) const {
    const Cues& c = k_.cues();
    Gender want;
    if (c.male_pronouns.count(w))
      want = Gender::male;
    else if (c.female_pronouns.count(w))
      want = Gender::female;
    else
      return kNone;
    auto compatible = [&](uint32_t ent) {
      const Gender g = gender_of(ent);
      return g == Gender::unknown || g == want;
    };
    for (const Mention& m : ms)
      if (is_person(m.entity) && m.entity2 == kNone && compatible(m.entity)) return m.entity;
    if (sentence_start && topic_person_ != kNone && compatible(topic_person_)) return topic_person_;
    for (auto it = recent_people_.rbegin(); it != recent_people_.rend(); ++it)
      if (compatible(*it)) return *it;
    return kNone;
  }

  // "its military ruler": the most recent state or organisation, in this sentence or before.
  uint32_t resolve_its(const std::vector<Mention>& ms, uint32_t at) const {
    // "X condemned Y's actions and reaffirmed its support": a second verb's "its" is the
    // sentence subject's.
    if (at >= 2 && norms_[at - 2] == "and" && !toks_[at - 1].cap &&
        (norms_[at - 1].ends_with("ed") || norms_[at - 1].ends_with("s")))
      for (const Mention& m : ms)
        if (!is_person(m.entity) && !m.locative && m.entity2 == kNone) return m.entity;
    for (auto it = ms.rbegin(); it != ms.rend(); ++it)
      if (!is_person(it->entity) && !it->locative && it->entity2 == kNone) return it->entity;
    // "Somaliland, a former British protectorate, ... Its foreign minister": at the start of a
    // sentence, the previous sentence's subject rather than an adjective in it.
    if (topic_thing_ != kNone) return topic_thing_;
    return recent_things_.empty() ? kNone : recent_things_.back();
  }

  // "its European neighbour": the most recently mentioned state that borders the possessor.
  uint32_t resolve_neighbour(uint32_t possessor, uint32_t region_token) const {
    const DictionaryEntity* pd =
        possessor != kNone && dict_of_[possessor] != kNone ? &k_.entities()[dict_of_[possessor]] : nullptr;
    for (auto it = recent_things_.rbegin(); it != recent_things_.rend(); ++it) {
      const uint32_t cand = *it;
      if (cand == possessor || out_.entities[cand].kind != EntityKind::country) continue;
      const uint32_t cd = dict_of_[cand];
      if (cd == kNone) continue;
      const DictionaryEntity& c = k_.entities()[cd];
      if (pd && !pd->neighbors.empty() &&
          std::find(pd->neighbors.begin(), pd->neighbors.end(), c.key) == pd->neighbors.end())
        continue;
      if (region_token != kNone && !c.region.empty() &&
          !norms_[region_token].starts_with(c.region.substr(0, std::min<size_t>(4, c.region.size()))))
        continue;
      return cand;
    }
    return kNone;
  }

  // "MOSCOW (Reuters) - ", "BAMAKO, Sept 16 (Reuters) - ": the token after a wire story's
  // dateline, or 0. The place and agency named there are not actors of the story.
  // Also a dateline without an agency, an all-caps place ended by a dash, colon or "//"
  // ("NEW DELHI: ", "GOMA — ", "MANILA, Philippines — "), and an agency with no dash after
  // it ("KYIV, Aug 23 (PTI) Prime Minister ...").
  uint32_t find_dateline_end() const {
    if (toks_.empty() || !toks_[0].word || !toks_[0].upper || norms_[0].size() < 3) return 0;
    const uint32_t limit = static_cast<uint32_t>(std::min<size_t>(toks_.size(), 20));
    bool lowercase_seen = false;
    for (uint32_t i = 1; i + 1 < limit; ++i) {
      if (toks_[i].newline_before) return 0;
      if (toks_[i].word && !toks_[i].cap && !toks_[i].number) lowercase_seen = true;
      if (lowercase_seen) return 0;
      const std::string& w = norms_[i];
      if (w == ")" && i >= 2 && norms_[i - 2] == "(" && toks_[i - 1].upper && toks_[i + 1].cap &&
          toks_[i + 1].word)
        return i + 1;  // "(PTI) Prime Minister"
      const bool dash = w == "-" || w == "--" || w == "//" || (w == "/" && norms_[i + 1] == "/");
      if (w == ")" && norms_[i + 1] == "-") {
        uint32_t j = i + 1;
        while (j < toks_.size() && norms_[j] == "-") ++j;
        return j;
      }
      // An agency-less dateline: every word before the mark is capitalised, the first ones
      // all-caps ("BUENOS AIRES —", "KHARTOUM/WASHINGTON —").
      if ((dash || w == ":") && i <= 8 && toks_[i - 1].word) {
        uint32_t j = i + 1;
        while (j < toks_.size() && (norms_[j] == "-" || norms_[j] == "/")) ++j;
        return j;
      }
    }
    return 0;
  }

  // Is the actor at `i`, after a place preposition, a place? "from" after a unit names whose
  // unit it is ("warships from India" are India's warships), not where something happens.
  bool after_place_preposition(uint32_t i, uint32_t sb) const {
    if (i <= sb || !kPlacePrepositions.count(norms_[i - 1])) return false;
    return !(norms_[i - 1] == "from" && i >= sb + 2 && kUnitNouns.count(norms_[i - 2]));
  }

  // The longest dictionary name at `i` that does not run into a title: "US Treasury
  // Secretary Janet Yellen" is the United States, then the title "Treasury Secretary".
  Knowledge::Match dictionary_match(uint32_t i, uint32_t end) const {
    const Knowledge::Match dm = k_.match_entity(norms_, caps_, i, end);
    for (uint32_t p = i + 1; p < i + dm.length; ++p) {
      if (title_len_[p] && p + title_len_[p] > i + dm.length)
        return k_.match_entity(norms_, caps_, i, p);
    }
    return dm;
  }

  // Is a state name only an adjective of another noun? "five US defence companies" (a count
  // before it: the companies are counted, not the state), "his Chinese counterpart" (a person).
  bool describes_other_noun(const Mention& m, const SentenceSpan& s) const {
    if (out_.entities[m.entity].kind != EntityKind::country) return false;
    // "the former Mexico City mayor": a city's office, not its state.
    if (m.source == Source::capital && m.e < s.end_token &&
        (norms_[m.e] == "mayor" || norms_[m.e] == "governor" || norms_[m.e] == "council"))
      return true;
    if (m.e < s.end_token && (norms_[m.e] == "counterpart" || norms_[m.e] == "counterparts"))
      return true;
    // "criticised the Haiti plan", "the Gaza war": a one-word name after "the" and before a
    // noun names a topic (names that take "the", "the Philippines", "the US", are not meant).
    if (m.e == m.b + 1 && m.source != Source::demonym && m.b > s.first_token &&
        norms_[m.b - 1] == "the" && !toks_[m.b].upper && !norms_[m.b].ends_with("s") &&
        m.e < s.end_token && toks_[m.e].word && !toks_[m.e].cap && !toks_[m.e].number &&
        !kPrepositions.count(norms_[m.e]) && !kConnectors.count(norms_[m.e]) &&
        !kSpeechVerbs.count(norms_[m.e]) && !kBeForms.count(norms_[m.e]) &&
        !norms_[m.e].ends_with("ed") && norms_[m.e] != "has" && norms_[m.e] != "have")
      return true;
    const bool counted = m.b > s.first_token &&
                         (toks_[m.b - 1].number || kCountWords.count(norms_[m.b - 1]));
    if (!counted || m.e >= s.end_token || !toks_[m.e].word || toks_[m.e].cap ||
        kPrepositions.count(norms_[m.e]))
      return false;
    // "struck three Iranian nuclear facilities": places on the state's soil stand for it.
    static const std::unordered_set<std::string> kStatePlaces = {
        "facilities", "sites", "targets", "bases", "installations", "cities", "towns",
        "villages", "ports", "airfields", "airports", "refineries", "plants", "provinces",
        "regions", "border posts", "positions"};
    for (uint32_t j = m.e; j < std::min(s.end_token, m.e + 3); ++j) {
      if (kStatePlaces.count(norms_[j])) return false;
      if (!toks_[j].word || toks_[j].cap) break;
    }
    return true;
  }

  // "Wang Yi held talks with his Russian counterpart": an unnamed counterpart, resolved once
  // the sentence's titles are (resolve_counterpart_references). Returns the token after
  // "counterpart", or kNone when a name follows.
  uint32_t unnamed_counterpart(const Mention& state, const SentenceSpan& s) {
    const uint32_t at = state.e;  // "counterpart"
    if (at + 1 < s.end_token && toks_[at + 1].word && toks_[at + 1].cap) return kNone;  // named
    if (at + 1 < s.end_token && norms_[at + 1] == ",") return kNone;
    pending_counterparts_.push_back(state);
    pending_counterparts_.back().e = at + 1;
    return at + 1;
  }

  // The person holding, in the counterpart's state on the article's date, the role of the
  // person named before it in the sentence ("Kenya's foreign minister met his Rwandan
  // counterpart"), or else of whom "his" refers to.
  void resolve_counterpart_references(std::vector<Mention>& ms) {
    for (const Mention& state : pending_counterparts_) {
      uint32_t owner = kNone, pronoun_owner = kNone;
      for (const Mention& m : ms) {
        if (m.e > state.b || !is_person(m.entity) || m.entity2 != kNone) continue;
        if (m.source == Source::coref && m.e == m.b + 1 && kPossessivePronouns.count(norms_[m.b]))
          pronoun_owner = m.entity;
        else
          owner = m.entity;
      }
      if (owner == kNone) owner = pronoun_owner;
      if (owner == kNone || dict_of_[owner] == kNone) continue;
      const uint32_t d = dict_of_[state.entity];
      if (d == kNone) continue;
      for (const Role& r : k_.entities()[dict_of_[owner]].roles) {
        if (day_ < r.from || day_ >= r.to) continue;
        const auto title = k_.title_by_name(r.title);
        if (!title) continue;
        // A leader's counterpart is the other state's leader, whatever the title ("Japanese
        // Prime Minister Fumio Kishida and his South Korean counterpart" is Yoon Suk Yeol).
        const auto president = k_.title_by_name("president");
        const bool leads =
            president && k_.titles()[*title].relation == k_.titles()[*president].relation;
        const auto holder = leads ? generic_leader(d) : k_.role_holder(*title, d, day_);
        if (!holder) continue;
        const uint32_t p = dictionary_entity(*holder);
        if (p != owner) {
          ms.push_back({state.b, state.e, p, kNone, Source::coref});
          title_states_.push_back(state.entity);
        }
        break;
      }
    }
  }

  // A dictionary name or a capitalised organisation name at `i`; the token after it, or `i`.
  uint32_t take_name(const SentenceSpan& s, uint32_t i, std::vector<Mention>& ms) {
    const uint32_t end = s.end_token;
    // "In New Delhi, the opposition Congress party ...": a capitalised preposition starts no
    // name (the place after it is read on its own).
    if (kPrepositions.count(norms_[i]) && dictionary_match(i, end).length == 0) return i;
    // "Leaders of the Group of Seven", "Foreign ministers of the bloc": the members of an
    // actor act for it; the plural noun does not start an organisation's name.
    if (i + 1 < end && norms_[i + 1] == "of" && (kUnitNouns.count(norms_[i]) || norms_[i] == "heads"))
      return i;
    const Knowledge::Match dm = dictionary_match(i, end);
    // "Sheikh Mohammed bin Abdulrahman Al Thani": a name after an honorific may run further
    // than an alias that includes the honorific.
    if (kHonorifics.count(norms_[i]) && i + 1 < end) {
      const Knowledge::Match after = dictionary_match(i + 1, end);
      if (after.length > 0 && after.length + 1 > dm.length) return take_name(s, i + 1, ms);
    }
    if (dm.length == 0 && toks_[i].upper && !(i > s.first_token && norms_[i - 1] == "(")) {
      auto ac = acronyms_.find(norms_[i]);
      if (ac != acronyms_.end()) {
        push_mention(ms, {i, i + 1, ac->second, kNone, Source::alias});
        return i + 1;
      }
    }
    uint32_t span = capitalised_span(i, end);
    uint32_t span_b = i;
    // "A State Department spokesman": after a sentence-initial article, a dictionary name.
    if (dm.length == 0 && span > 1 && kDeterminers.count(norms_[i]) &&
        dictionary_match(i + 1, end).length > 0)
      return i;
    // A leading article is not part of a name: "The European Union".
    if (span > 1 && kDeterminers.count(norms_[i])) {
      ++span_b;
      --span;
    }
    // "the Geneva-based Centre for Sport and Society": where it sits is no part of the name.
    if (span > 3 && norms_[span_b + 1] == "-" && norms_[span_b + 2] == "based") {
      const uint32_t b = span_b + 3, e = span_b + span;
      if (e - b >= 2 && has_org_head(b, e) && k_.match_entity(norms_, caps_, b, e).length != e - b) {
        push_mention(ms, {b, e, state_body_or_org(ms, b, e)});
        return e;
      }
    }
    // "The Philippine Coast Guard and Vietnam signed": a name that is complete before "and"
    // stops there when a known name follows (not "Trinidad and Tobago", "the Foreign,
    // Commonwealth and Development Office").
    for (uint32_t j = span_b + 1; j + 1 < span_b + span; ++j)
      if (norms_[j] == "and" && has_org_head(span_b, j) && kOrgHeads.count(norms_[j - 1]) &&
          (dictionary_match(j + 1, end).length > 0 ||
           (norms_[j + 1] == "the" && dictionary_match(j + 2, end).length > 0) ||
           has_org_head(j + 1, span_b + span))) {
        span = j - span_b;
        break;
      }
    // A head word alone ("Party General Secretary ...") names no organisation.
    const bool org_span = span > 0 && !(span == 1 && kOrgHeads.count(norms_[span_b])) &&
                          has_org_head(span_b, span_b + span) && span_b + span > i + dm.length;
    if (org_span && span_b == i && k_.match_entity(norms_, caps_, i, i + span).length != span) {
      push_mention(ms, {i, i + span, state_body_or_org(ms, i, i + span)});
      return i + span;
    }
    if (dm.length > 0) {
      const PhraseHit& hit = dm.hits.front();
      Mention m;
      m.b = i;
      m.e = i + dm.length;
      m.entity = dictionary_entity(hit.entity);
      m.source = hit.form == NameForm::demonym  ? Source::demonym
                 : hit.form == NameForm::capital ? Source::capital
                 : hit.form == NameForm::alias   ? Source::alias
                                                  : Source::name;
      // After a place preposition a capital, a state or a seat of government is where
      // something happens, not who acts ("a summit in Beijing", "its actions in Ukraine",
      // "talks in the Kremlin"), unless it owns what follows.
      const DictionaryEntity& d = k_.entities()[hit.entity];
      const bool place_form =
          hit.form == NameForm::capital || d.kind == EntityKind::country || !d.state.empty();
      if (place_form && after_place_preposition(i, s.first_token) &&
          !(m.e < end && norms_[m.e] == "'s"))
        m.locative = true;
      // "drills in the Gulf of Oman", "the Sea of Japan": a body of water, not the state.
      static const std::unordered_set<std::string> kWaters = {"gulf", "sea", "bay", "strait",
                                                              "straits", "coast", "gulfs"};
      if (i >= s.first_token + 2 && norms_[i - 1] == "of" && toks_[i - 2].cap &&
          kWaters.count(norms_[i - 2])) {
        m.locative = true;
        m.city = true;
      }
      // "In South America, Lula and Boric ...": where the sentence is set.
      if (i == s.first_token + 1 && norms_[i - 1] == "in" && m.e < end && norms_[m.e] == ",")
        m.locative = true;
      // A city or region never acts; it is only where something happens or what is reached
      // or struck ("attacked Odesa", "flew to Shanghai").
      if (hit.form == NameForm::place) {
        m.locative = true;
        m.city = true;
        m.source = Source::capital;
      }
      if (!describes_other_noun(m, s))
        push_mention(ms, m);
      else if (m.e < end && norms_[m.e].starts_with("counterpart"))
        if (uint32_t cp = unnamed_counterpart(m, s); cp != kNone) return cp;
      return m.e;
    }
    if (org_span) {
      push_mention(ms, {span_b, span_b + span, state_body_or_org(ms, span_b, span_b + span)});
      return span_b + span;
    }
    // "the far-right Jewish Power party", "the dissolved PASTEF party": the name of a party.
    if (span > 0 && span < 5 && span_b + span < end && norms_[span_b + span] == "party" &&
        !toks_[span_b + span].cap && span_b > s.first_token &&
        (kDeterminers.count(norms_[span_b - 1]) || (toks_[span_b - 1].word && !toks_[span_b - 1].cap))) {
      const uint32_t b = span_b, e = span_b + span;
      push_mention(ms, {b, e, text_entity(b, e, EntityKind::organization)});
      return e;
    }
    // A name the text describes as an organisation ("Jaish al-Adl, a Sunni militant group"),
    // here or earlier in the article.
    if (span > 0 && personal_name_words(span_b, span_b + span) > 0) {
      const uint32_t b = span_b, e = span_b + span;
      const std::string key = slug(text_.substr(toks_[b].start, toks_[e - 1].end - toks_[b].start));
      if (!key.empty() && (learned_orgs_.count(key) || org_description_follows(e, end))) {
        learned_orgs_.insert(key);
        push_mention(ms, {b, e, text_entity(b, e, EntityKind::organization)});
        return e;
      }
    }
    return i;
  }

  // Does ", a <few words> group" (kOrgDescriptions) follow `after`?
  bool org_description_follows(uint32_t after, uint32_t end) const {
    if (after + 2 >= end || norms_[after] != "," ||
        !(norms_[after + 1] == "a" || norms_[after + 1] == "an" || norms_[after + 1] == "the"))
      return false;
    for (uint32_t j = after + 2; j < std::min(end, after + 8); ++j) {
      if (!toks_[j].word || title_len_[j]) return false;
      if (kOrgDescriptions.count(norms_[j]))
        return j + 1 >= end || !toks_[j + 1].word || !toks_[j + 1].cap ||
               norms_[j + 1] == "that" || norms_[j + 1] == "which";
    }
    return false;
  }

  // "India's Ministry of External Affairs", "the Indian Ministry of Defence": a ministry
  // named after no person acts for its state, like "China's commerce ministry".
  uint32_t state_body_or_org(const std::vector<Mention>& ms, uint32_t b, uint32_t e) {
    static const std::unordered_set<std::string> kStateBodies = {"ministry", "government",
                                                                 "presidency", "cabinet"};
    bool body = false;
    for (uint32_t j = b; j < e; ++j) body |= kStateBodies.count(norms_[j]) > 0;
    if (body && !ms.empty()) {
      const Mention& owner = ms.back();
      const bool adjacent = (owner.e + 1 == b && norms_[owner.e] == "'s") ||
                            (owner.e == b && owner.source == Source::demonym);
      if (adjacent && !owner.locative && owner.entity != kNone &&
          out_.entities[owner.entity].kind == EntityKind::country)
        return owner.entity;
    }
    return text_entity(b, e, EntityKind::organization);
  }

  // Does the title `t` end right before `b`, or before a posting ("Ambassador to Ukraine")
  // or a comma ("Ukraine's energy minister, Herman Halushchenko") that ends there?
  bool titles_name_at(const TitleMention& t, uint32_t b, const std::vector<Mention>& ms) const {
    if (t.e == b) return true;
    if (t.e + 1 == b && norms_[t.e] == ",") return true;
    return norms_[t.e] == "to" && !ms.empty() && ms.back().e == b && ms.back().b > t.e &&
           ms.back().b <= t.e + 2;
  }

  // A person the dictionaries do not know, named after a title, before an apposition with a
  // title, or as a speaker; the token after the name, or `i`.
  uint32_t take_unknown_person(const SentenceSpan& s, uint32_t i, std::vector<Mention>& ms,
                               const std::vector<TitleMention>& titles) {
    const uint32_t end = s.end_token;
    // "In Pyongyang, ...", "On Monday, ...": a capitalised preposition starts no name.
    if (kPrepositions.count(norms_[i]) || kClauseStops.count(norms_[i])) return i;
    uint32_t span = capitalised_span(i, end);
    uint32_t b = i;
    if (span > 1 && kDeterminers.count(norms_[i])) {
      ++b;
      --span;
    }
    uint32_t e = b + span;
    // A personal name ends before "of": "President Faure Essozimna of Togo".
    for (uint32_t j = b + 1; j < e; ++j)
      if (kNameJoiners.count(norms_[j]) && !kNameParticles.count(norms_[j])) {
        e = j;
        break;
      }
    span = e - b;
    const uint32_t name_words = span >= 2 ? personal_name_words(b, e) : 0;
    if (name_words < 2 || name_words > 4) return i;
    bool titled_before = !titles.empty() && titles_name_at(titles.back(), b, ms);
    // "Pakistan's special representative for Afghanistan, Mohammad Sadiq, ...": the name in
    // apposition after a title and its complement.
    if (!titled_before && !titles.empty() && b > s.first_token + 1 && norms_[b - 1] == "," &&
        e < end && (norms_[e] == "," || norms_[e] == ".")) {
      const TitleMention& t = titles.back();
      bool plain = t.e < b && b - 1 - t.e <= 4;
      for (uint32_t j = t.e; plain && j + 1 < b; ++j)
        plain = norms_[j] == "for" || norms_[j] == "of" || norms_[j] == "the" ||
                mention_starting_at(ms, j) != kNone || (toks_[j].word && toks_[j].cap);
      titled_before = plain;
    }
    const bool apposition = apposition_title_follows(e, end);
    const bool speaker = (e < end && kSpeechVerbs.count(norms_[e])) ||
                         (b > s.first_token && kSpeechVerbs.count(norms_[b - 1]));
    if (!titled_before && !apposition && !speaker) return i;
    push_mention(ms, {b, e, text_entity(b, e, EntityKind::person), kNone, Source::unknown});
    return e;
  }

  // "the two countries", "both leaders", "the three leaders": the two (three) most recent
  // distinct actors of the right kind (people for "leaders"; states for "countries",
  // "nations", "governments", "neighbours", "allies"; states and organisations otherwise), in
  // this sentence first.
  uint32_t take_collective_pair(uint32_t i, uint32_t end, std::vector<Mention>& ms) {
    const Cues& cues = k_.cues();
    // Most words start no collective phrase: one set lookup for each of the first two words.
    if (i + 1 >= end || !collective_words_[0].count(norms_[i]) ||
        !collective_words_[1].count(norms_[i + 1]))
      return i;
    static const std::unordered_set<std::string> kStateWords = {
        "countries", "nations", "states", "governments", "neighbours", "neighbors", "allies"};
    for (const bool people : {true, false}) {
      for (const auto& phrase : people ? cues.collective_people_pairs : cues.collective_pairs) {
        // "the three leaders" is "the two leaders" with a third.
        size_t count = 2;
        bool matched = phrase_at(phrase, i, end);
        if (!matched && phrase.size() >= 2 && phrase[1] == "two" && i + phrase.size() <= end &&
            norms_[i] == phrase[0] && norms_[i + 1] == "three") {
          matched = true;
          for (size_t j = 2; j < phrase.size(); ++j) matched &= norms_[i + j] == phrase[j];
          count = 3;
        }
        if (!matched) continue;
        const bool states = !people && kStateWords.count(phrase.back()) > 0;
        std::vector<uint32_t> candidates;
        for (const Mention& m : ms) {
          if (m.locative || m.possessive || m.entity2 != kNone) continue;
          if (is_person(m.entity) == people) {
            candidates.push_back(m.entity);
          } else if (states) {
            // "Ruto, who met Harris, said the two countries signed": their states.
            if (const uint32_t st = state_of_office_holder(m.entity); st != kNone)
              candidates.push_back(st);
          }
        }
        const auto& recent = people ? recent_people_ : recent_things_;
        candidates.insert(candidates.begin(), recent.begin(), recent.end());
        std::vector<uint32_t> chosen;
        auto choose = [&](const std::vector<uint32_t>& from) {
          chosen.clear();
          for (auto it = from.rbegin(); it != from.rend() && chosen.size() < count; ++it) {
            if (states && out_.entities[*it].kind != EntityKind::country) continue;
            if (std::find(chosen.begin(), chosen.end(), *it) == chosen.end()) chosen.push_back(*it);
          }
        };
        choose(candidates);
        // "Tokayev and Macron held talks ..., and the two sides signed": right after a meeting
        // that the sentence itself does not name two sides for, its two sides.
        if (!people && count == 2) {
          size_t here = 0;
          for (const Mention& m : ms)
            if (!m.locative && !m.possessive && m.entity2 == kNone && !is_person(m.entity)) ++here;
          const auto [a, b] = sides_of_latest_meeting();
          if (here < 2 && a != kNone) chosen = {a, b};
        }
        // "MBS held talks with Modi. The two sides signed ...": the states of the office
        // holders just named, when too few states or organisations were.
        if (chosen.size() < count && !people) {
          std::vector<uint32_t> with_states = candidates;
          for (uint32_t person : recent_people_)
            if (const uint32_t st = state_of_office_holder(person); st != kNone)
              with_states.push_back(st);
          choose(with_states);
        }
        if (chosen.size() < count) return i;
        const uint32_t len = static_cast<uint32_t>(phrase.size());
        Mention m{i, i + len, chosen[0], chosen[1], Source::coref};
        if (count == 3) m.entity3 = chosen[2];
        push_mention(ms, m);
        return i + len;
      }
    }
    return i;
  }

  // The state a person leads or serves on the article's date (dictionary roles), or kNone.
  uint32_t state_of_office_holder(uint32_t person) {
    if (person >= dict_of_.size() || dict_of_[person] == kNone) return kNone;
    for (const Role& r : k_.entities()[dict_of_[person]].roles)
      if (day_ >= r.from && day_ < r.to)
        if (const auto st = k_.entity_by_key(r.of);
            st && k_.entities()[*st].kind == EntityKind::country)
          return dictionary_entity(*st);
    return kNone;
  }

  // "the group", "the bloc", "the alliance": the most recent organisation or group named.
  uint32_t take_group_reference(uint32_t i, uint32_t end, std::vector<Mention>& ms) {
    static const std::unordered_set<std::string> kGroupNouns = {
        "group", "militia", "movement", "bloc", "alliance", "organisation", "organization",
        "grouping", "rebels", "militants", "paramilitaries"};
    if (norms_[i] != "the" || i + 1 >= end || !kGroupNouns.count(norms_[i + 1])) return i;
    if (i + 2 < end && (toks_[i + 2].cap || norms_[i + 2] == "of")) return i;
    uint32_t found = kNone;
    for (auto it = ms.rbegin(); it != ms.rend() && found == kNone; ++it)
      if (!it->locative && it->entity != kNone && !is_person(it->entity) &&
          out_.entities[it->entity].kind != EntityKind::country)
        found = it->entity;
    for (auto it = recent_things_.rbegin(); it != recent_things_.rend() && found == kNone; ++it)
      if (out_.entities[*it].kind == EntityKind::organization ||
          out_.entities[*it].kind == EntityKind::group)
        found = *it;
    if (found == kNone) return i;
    push_mention(ms, {i, i + 2, found, kNone, Source::coref});
    return i + 2;
  }

  // "its European neighbour"; the token after it, or `i`.
  uint32_t take_neighbour(uint32_t i, uint32_t end, std::vector<Mention>& ms) {
    if (!k_.cues().neuter_pronouns.count(norms_[i]) || norms_[i] == "it") return i;
    uint32_t j = i + 1;
    uint32_t region = kNone;
    if (j < end && kRegionAdjectives.count(norms_[j])) region = j++;
    if (!(j < end && (norms_[j].starts_with("neighbor") || norms_[j].starts_with("neighbour"))))
      return i;
    uint32_t possessor = kNone;
    for (auto it = ms.rbegin(); it != ms.rend(); ++it)
      if (!is_person(it->entity) && !it->locative) {
        possessor = it->entity;
        break;
      }
    const uint32_t n = resolve_neighbour(possessor, region);
    if (n == kNone) return i;
    push_mention(ms, {i, j + 1, n, kNone, Source::coref});
    return j + 1;
  }

  // References to actors named earlier: surnames, pronouns, "the two countries", "its
  // neighbour"; the token after the reference, or `i`.
  uint32_t take_reference(const SentenceSpan& s, uint32_t i, std::vector<Mention>& ms) {
    const uint32_t end = s.end_token;
    // A surname or first name of someone already named in this article.
    if (toks_[i].word && toks_[i].cap) {
      auto it = name_tokens_.find(norms_[i]);
      if (it != name_tokens_.end() &&
          !(i + 1 < end && toks_[i + 1].cap && toks_[i + 1].word && norms_[i + 1] != "'s")) {
        push_mention(ms, {i, i + 1, it->second, kNone, Source::coref});
        return i + 1;
      }
    }
    // "had neither conceded nor congratulated his rival": the latest other person named.
    if ((norms_[i] == "his" || norms_[i] == "her") && i + 1 < end &&
        (norms_[i + 1] == "rival" || norms_[i + 1] == "opponent" || norms_[i + 1] == "challenger")) {
      const uint32_t owner = resolve_pronoun(norms_[i], i == s.first_token, ms);
      for (auto it = recent_people_.rbegin(); it != recent_people_.rend(); ++it)
        if (*it != owner) {
          push_mention(ms, {i, i + 2, *it, kNone, Source::coref});
          return i + 2;
        }
    }
    // A possessive pronoun before a word is a determiner ("his congratulations"): it may
    // own a noun or a title, but it is not an argument of a verb.
    // So is one before a quoted word ("to his "friend" Trump").
    const uint32_t owned = i + 2 < end && scare_quote(i + 1) ? i + 2 : i + 1;
    const bool determiner = owned < end && toks_[owned].word && norms_[owned] != "'s" &&
                            !kPrepositions.count(norms_[owned]) && !kClauseStops.count(norms_[owned]) &&
                            norms_[owned] != "and";
    const uint32_t p = resolve_pronoun(norms_[i], i == s.first_token, ms);
    if (p != kNone) {
      Mention m{i, i + 1, p, kNone, Source::coref};
      m.possessive = kPossessivePronouns.count(norms_[i]) && determiner;
      push_mention(ms, m);
      return i + 1;
    }
    // "congratulated the winner": the article's main person, as "the president-elect" is.
    if (norms_[i] == "the" && i + 1 < end &&
        (norms_[i + 1] == "winner" || norms_[i + 1] == "victor") &&
        !(i + 2 < end && norms_[i + 2] == "of")) {
      const uint32_t p = most_salient_person();
      if (p != kNone) {
        push_mention(ms, {i, i + 2, p, kNone, Source::coref});
        return i + 2;
      }
    }
    // "denounced the United States, Japan and South Korea over the drills, accusing them of":
    // "them" is the latest list of states or organisations in the sentence (up to three).
    if (norms_[i] == "them" && i > s.first_token) {
      int last = -1;
      for (int mi = static_cast<int>(ms.size()) - 1; mi >= 0; --mi) {
        const Mention& m = ms[static_cast<size_t>(mi)];
        if (m.b >= i || m.locative || m.possessive || is_person(m.entity)) continue;
        last = mi;
        break;
      }
      if (last >= 0) {
        std::vector<uint32_t> list{static_cast<uint32_t>(last)};
        coordinate(ms, static_cast<uint32_t>(last), -1, list, s, false);
        // Not the sentence's own subjects ("Mali and Burkina Faso said ... war against them").
        const bool subjects = ms[list.back()].b <= s.first_token + 1;
        if (list.size() >= 2 && list.size() <= 3 && !subjects) {
          Mention m{i, i + 1, ms[list[0]].entity, kNone, Source::coref};
          m.entity2 = ms[list[1]].entity;
          if (list.size() == 3) m.entity3 = ms[list[2]].entity;
          push_mention(ms, m);
          return i + 1;
        }
      }
    }
    // "the North", "the South" in a story about one of the Koreas.
    if (norms_[i] == "the" && i + 1 < end && toks_[i + 1].cap &&
        (norms_[i + 1] == "north" || norms_[i + 1] == "south") &&
        !(i + 2 < end && toks_[i + 2].cap && toks_[i + 2].word)) {
      auto it = by_key_.find(norms_[i + 1] == "north" ? "north-korea" : "south-korea");
      if (it != by_key_.end()) {
        push_mention(ms, {i, i + 2, it->second, kNone, Source::coref});
        return i + 2;
      }
    }
    // "Serbia has been a candidate for EU membership, but it has refused to ...": a subject
    // "it" after a clause of the sentence is that clause's subject, a state or organisation.
    if (norms_[i] == "it" && i > s.first_token && i + 1 < end) {
      static const std::unordered_set<std::string> kVerbStarts = {
          "has", "had", "have", "was", "is", "would", "will", "could", "said", "says", "did",
          "does", "also", "has", "had"};
      const std::string& nx = norms_[i + 1];
      // "companies that it said had supplied the RSF": a speaker inside a relative clause.
      const bool parenthetical = norms_[i - 1] == "that" || norms_[i - 1] == "which";
      if (!parenthetical && (kVerbStarts.count(nx) || (nx.ends_with("ed") && toks_[i + 1].word))) {
        for (const Mention& m : ms) {
          if (m.b >= i) break;
          if (m.locative || m.possessive || m.entity2 != kNone || is_person(m.entity)) continue;
          if (m.b != s.first_token && !(m.b == s.first_token + 1 && kDeterminers.count(norms_[s.first_token])))
            break;  // only the sentence's opening subject
          push_mention(ms, {i, i + 1, m.entity, kNone, Source::coref});
          return i + 1;
        }
      }
    }
    uint32_t next = take_collective_pair(i, end, ms);
    if (next == i) next = take_group_reference(i, end, ms);
    if (next == i) next = take_neighbour(i, end, ms);
    if (next == i && norms_[i] == "its" && determiner) {
      Mention m{i, i + 1, resolve_its(ms, i), kNone, Source::coref};
      m.possessive = true;
      push_mention(ms, m);
      if (m.entity != kNone) next = i + 1;
    }
    return next;
  }

  void find_mentions(const SentenceSpan& s, std::vector<Mention>& ms,
                     std::vector<TitleMention>& titles) {
    const uint32_t end = s.end_token;
    for (uint32_t i = std::max(s.first_token, dateline_end_); i < end;) {
      // Titles are found in lowercase text as well ("the Russian president").
      auto title = k_.match_title(norms_, i, end);
      if (title && title_len_[i] == 0) title.reset();  // a job, not a title (process_sentence)
      if (title && k_.titles()[title->first].before_name) {
        const uint32_t after = i + title->second;
        // "Prigozhin, head of the Wagner group" names the group after "of".
        if (!(after < end && ((toks_[after].word && toks_[after].cap) || norms_[after] == "," ||
                              (norms_[after] == "of" && i > s.first_token && norms_[i - 1] == ","))))
          title.reset();
      }
      if (title) {
        titles.push_back({i, i + title->second, title->first});
        for (uint32_t j = i; j < i + title->second; ++j) described_[j] = 1;
      }
      uint32_t next = take_name(s, i, ms);
      // A title is not part of a name: "Prime Minister Rishi Sunak" is a title and a name.
      if (next == i && title) next = i + title->second;
      if (next == i) next = take_unknown_person(s, i, ms, titles);
      if (next == i) next = take_reference(s, i, ms);
      i = next > i ? next : i + 1;
    }
  }

  // ---- titles ----------------------------------------------------------------------------

  // Index of the mention in `ms` that starts (or ends) at `pos`, or kNone.
  static uint32_t mention_starting_at(const std::vector<Mention>& ms, uint32_t pos) {
    for (uint32_t i = 0; i < ms.size(); ++i)
      if (ms[i].b == pos) return i;
    return kNone;
  }
  static uint32_t mention_ending_at(const std::vector<Mention>& ms, uint32_t pos) {
    for (uint32_t i = 0; i < ms.size(); ++i)
      if (ms[i].e == pos && !ms[i].modifier) return i;
    return kNone;
  }

  // The state or organisation a title belongs to, written before it: "Chinese President",
  // "Russia's foreign minister", "Iran's foreign ministry spokesman", "its military ruler",
  // "the Houthis' chief negotiator and spokesman". Index into `ms`, or kNone.
  uint32_t title_possessor(const std::vector<Mention>& ms, const TitleMention& t,
                           uint32_t sb) const {
    uint32_t j = t.b;
    uint32_t modifiers = 0;
    while (j > sb && modifiers < 4 && toks_[j - 1].word && !toks_[j - 1].cap &&
           norms_[j - 1] != "'s" && !kPrepositions.count(norms_[j - 1]) &&
           !kDeterminers.count(norms_[j - 1]) && !kPossessivePronouns.count(norms_[j - 1])) {
      --j;
      ++modifiers;
    }
    uint32_t of = kNone;
    if (j > sb && norms_[j - 1] == "'s")
      of = mention_ending_at(ms, j - 1);
    else if (modifiers == 0 || (j > sb && kPossessivePronouns.count(norms_[j - 1])))
      of = mention_ending_at(ms, j);
    if (of == kNone || is_person(ms[of].entity) || ms[of].locative) return kNone;
    return of;
  }

  // Where the name a title introduces starts: right after it, after a rank ("junta leader
  // Colonel Assimi Goïta"), a posting ("Ambassador to Ukraine Bridget Brink") or a comma
  // ("its military ruler, General Abdourahamane Tiani"). Sets `posting` to the mention of
  // the posting, which is no actor.
  uint32_t name_after_title(const TitleMention& t, const std::vector<TitleMention>& titles,
                            const std::vector<Mention>& ms, uint32_t end, uint32_t& posting) const {
    uint32_t at = t.e;
    posting = kNone;
    if (at < end && norms_[at] == ",") ++at;
    if (at + 1 < end && norms_[at] == "to") {
      const uint32_t place = mention_starting_at(ms, at + 1);
      if (place != kNone) {
        posting = place;
        at = ms[place].e;
      }
    }
    for (const TitleMention& rank : titles)
      if (rank.b == at) at = rank.e;
    // An honorific before the name: "President Dr. Mohamed Muizzu", "Prime Minister Sir Keir".
    if (at < end && kHonorifics.count(norms_[at]) && mention_starting_at(ms, at) == kNone) {
      ++at;
      if (at < end && norms_[at] == ".") ++at;
    }
    return at;
  }

  // The state or organisation a dictionary person serves in `title` on the article's date.
  // "India's External Affairs Minister S. Jaishankar and Foreign Secretary Vikram Misri": a
  // title after "and" and a titled name shares that title's state. kNone when none.
  uint32_t state_of_coordinated_title(const TitleMention& t, const std::vector<Mention>& ms,
                                      uint32_t sb) const {
    if (t.b <= sb + 1 || norms_[t.b - 1] != "and") return kNone;
    const uint32_t before = mention_ending_at(ms, t.b - 1);
    if (before == kNone || !is_person(ms[before].entity)) return kNone;
    for (auto it = out_.relations.rbegin(); it != out_.relations.rend(); ++it) {
      const std::string& type = k_.relation_types()[it->type].name;
      if (it->subject == ms[before].entity && (type == "leads" || type == "affiliated-with") &&
          out_.entities[it->object].kind == EntityKind::country)
        return it->object;
    }
    return kNone;
  }

  // The state of the dateline's place ("ANKARA (Reuters) -" is Turkey) as an extraction
  // entity, or kNone when there is no dateline or it names several states.
  uint32_t dateline_state() {
    if (!dateline_state_checked_) {
      dateline_state_checked_ = true;
      for (uint32_t i = 0; i < dateline_end_;) {
        const Knowledge::Match m = k_.match_entity(norms_, caps_, i, dateline_end_);
        if (m.length == 0) {
          ++i;
          continue;
        }
        uint32_t state = m.hits.front().entity;
        const DictionaryEntity& d = k_.entities()[state];
        if (d.kind != EntityKind::country) {
          const auto st = d.state.empty() ? std::nullopt : k_.entity_by_key(d.state);
          state = st ? *st : kNone;
        }
        if (state != kNone && dateline_state_dict_ != kNone && state != dateline_state_dict_) {
          dateline_state_dict_ = kNone;  // "KHARTOUM/WASHINGTON"
          break;
        }
        if (state != kNone) dateline_state_dict_ = state;
        i += m.length;
      }
    }
    return dateline_state_dict_ == kNone ? kNone : dictionary_entity(dateline_state_dict_);
  }

  // The state right after "said" (or "said that") at `at`: the one a speaker reports on.
  uint32_t state_spoken_for(const std::vector<Mention>& ms, uint32_t at, uint32_t end) const {
    if (at >= end || (norms_[at] != "said" && norms_[at] != "says")) return kNone;
    ++at;
    if (at < end && norms_[at] == "that") ++at;
    const uint32_t m = mention_starting_at(ms, at);
    if (m == kNone || out_.entities[ms[m].entity].kind != EntityKind::country) return kNone;
    // "said Russia's ...": a possessive describes something else.
    if (ms[m].e < end && norms_[ms[m].e] == "'s") return kNone;
    return ms[m].entity;
  }

  uint32_t role_target(uint32_t person, uint32_t title) {
    const uint32_t d = dict_of_[person];
    if (d == kNone) return kNone;
    // An acting (caretaker, interim) holder is listed with the office itself.
    std::string_view name = k_.titles()[title].title;
    std::string_view base = name.starts_with("acting ") ? name.substr(7) : name;
    for (const Role& r : k_.entities()[d].roles)
      if ((r.title == name || r.title == base) && day_ >= r.from && day_ < r.to)
        if (auto of = k_.entity_by_key(r.of)) return dictionary_entity(*of);
    return kNone;
  }

  // The person the article has talked about most so far (the latest of equals): what a
  // description without a name ("the president-elect") refers to.
  uint32_t most_salient_person() const {
    uint32_t best = kNone, best_count = 0;
    for (uint32_t p : recent_people_) {
      const auto it = mention_counts_.find(p);
      const uint32_t n = it == mention_counts_.end() ? 0 : it->second;
      if (n >= best_count) {
        best = p;
        best_count = n;
      }
    }
    return best;
  }

  // "former Brazilian President", "Thailand's suspended prime minister", "a former Indian
  // ambassador": the role is not held on the article's date.
  bool past_role(const std::vector<Mention>& ms, const TitleMention& t, uint32_t of,
                 uint32_t sb) const {
    static const std::unordered_set<std::string> kPast = {
        "former", "late", "ousted", "deposed", "suspended", "then", "erstwhile", "exiled",
        "ex", "onetime", "one-time", "retired", "sacked", "dismissed"};
    uint32_t b = of != kNone ? std::min(ms[of].b, t.b) : t.b;
    for (uint32_t j = b; j < t.b; ++j)
      if (kPast.count(norms_[j])) return true;
    for (uint32_t j = b; j > sb && b - j < 3; --j) {
      const std::string& w = norms_[j - 1];
      if (kPast.count(w)) return true;
      if (!(kDeterminers.count(w) || w == "-")) break;
    }
    return false;
  }

  // "the president-elect": not a role held, but a reference to the person the story is about.
  bool is_designate(const TitleMention& t, uint32_t end) const {
    return t.e + 1 < end && norms_[t.e] == "-" &&
           (norms_[t.e + 1] == "elect" || norms_[t.e + 1] == "designate");
  }

  bool plural_word(uint32_t i) const {
    const std::string& w = norms_[i];
    return w.size() > 3 && w.ends_with("s") && !w.ends_with("ss");
  }
  bool plural_title(const TitleMention& t) const { return plural_word(t.e - 1); }

  // "the presidents of Nicaragua and Bolivia, Daniel Ortega and Luis Arce": as many states
  // after "of" as names after the comma, paired in order. The states become modifiers.
  bool distribute_plural_title(uint32_t sentence, const SentenceSpan& s, std::vector<Mention>& ms,
                               const TitleMention& t) {
    if (t.e >= s.end_token || norms_[t.e] != "of") return false;
    std::vector<uint32_t> states, people;
    uint32_t at = t.e + 1;
    while (at < s.end_token && norms_[at] == "the") ++at;
    for (;;) {
      const uint32_t m = mention_starting_at(ms, at);
      if (m == kNone || out_.entities[ms[m].entity].kind != EntityKind::country) break;
      states.push_back(m);
      at = ms[m].e;
      if (at < s.end_token && (norms_[at] == "and" || norms_[at] == ",")) {
        if (at + 1 < s.end_token && norms_[at + 1] != "," && mention_starting_at(ms, at + 1) != kNone &&
            out_.entities[ms[mention_starting_at(ms, at + 1)].entity].kind == EntityKind::country) {
          ++at;
          continue;
        }
      }
      break;
    }
    if (states.size() < 2 || at >= s.end_token || norms_[at] != ",") return false;
    ++at;
    for (;;) {
      const uint32_t m = mention_starting_at(ms, at);
      if (m == kNone || !is_person(ms[m].entity)) break;
      people.push_back(m);
      at = ms[m].e;
      if (at < s.end_token && (norms_[at] == "and" || norms_[at] == ",")) ++at;
      if (at < s.end_token && norms_[at] == "and") ++at;
    }
    if (people.size() != states.size()) return false;
    const uint16_t rel = k_.titles()[t.title].relation;
    for (size_t i = 0; i < people.size(); ++i) {
      add_relation(rel, ms[people[i]].entity, ms[states[i]].entity, sentence, false, false, 0.85f);
      ms[states[i]].modifier = true;
    }
    return true;
  }

  // Titles next to names: "Chinese President Xi Jinping" (leads), "Wang Yi, China's
  // foreign minister" and "X, a professor at Y" (affiliated-with); a title with a state and no
  // name is a reference to whoever held it ("the Russian president").
  void resolve_titles(uint32_t sentence, const SentenceSpan& s, std::vector<Mention>& ms,
                      const std::vector<TitleMention>& titles) {
    std::vector<std::pair<uint32_t, uint32_t>> widen;  // (mention, new start): titled names
    std::vector<uint32_t> postings;
    for (const TitleMention& t : titles) {
      if (is_designate(t, s.end_token)) {
        const uint32_t p = most_salient_person();
        if (p != kNone) {
          const uint32_t b = t.b > s.first_token && kDeterminers.count(norms_[t.b - 1]) ? t.b - 1 : t.b;
          ms.push_back({b, t.e + 2, p, kNone, Source::coref});
        }
        continue;
      }
      // "the presidents of Nicaragua and Bolivia, Daniel Ortega and Luis Arce": respectively.
      if (plural_title(t) && distribute_plural_title(sentence, s, ms, t)) continue;
      // "Pakistan Army chief General Asim Munir": the rank after another title adds nothing.
      if (std::any_of(titles.begin(), titles.end(), [&](const TitleMention& u) { return u.e == t.b; }))
        continue;
      const uint32_t of = title_possessor(ms, t, s.first_token);
      const Title& title = k_.titles()[t.title];
      // "CIA director X", "the commander of US Marine Corps Forces Pacific": some titles lead an
      // organisation but only serve a state.
      const bool org_target = of != kNone &&
                              out_.entities[ms[of].entity].kind == EntityKind::organization;
      const uint16_t rel = org_target && title.org_relation ? *title.org_relation : title.relation;
      const bool past = past_role(ms, t, of, s.first_token);
      uint32_t posting = kNone;
      const uint32_t name_at = name_after_title(t, titles, ms, s.end_token, posting);
      const uint32_t person = mention_starting_at(ms, name_at);
      if (person != kNone && is_person(ms[person].entity)) {
        uint32_t target = of != kNone ? ms[of].entity : role_target(ms[person].entity, t.title);
        // "Foreign Ministry spokeswoman Maria Zakharova", "Ministry of External Affairs
        // spokesperson": a ministry the text names without its state is the state's office;
        // the state is looked for below, as for a title without one.
        uint32_t ministry = kNone;
        if (of != kNone && dict_of_[ms[of].entity] == kNone &&
            out_.entities[ms[of].entity].kind == EntityKind::organization &&
            out_.entities[ms[of].entity].name.find("Ministry") != std::string::npos &&
            kStateOffices.count(k_.titles()[t.title].title)) {
          ministry = target;
          target = kNone;
        }
        // "Lula's chief foreign policy adviser Celso Amorim": serves the state its owner leads.
        if (target == kNone && of == kNone) {
          uint32_t j = t.b;
          while (j > s.first_token && toks_[j - 1].word && !toks_[j - 1].cap && norms_[j - 1] != "'s" &&
                 norms_[j - 1] != "his" && norms_[j - 1] != "her" && t.b - j < 4)
            --j;
          if (j > s.first_token + 1 && norms_[j - 1] == "'s") {
            const uint32_t owner = mention_ending_at(ms, j - 1);
            if (owner != kNone && is_person(ms[owner].entity))
              target = state_of_office_holder(ms[owner].entity);
          } else if (j > s.first_token && (norms_[j - 1] == "his" || norms_[j - 1] == "her")) {
            // "His spokesman, Matthew Miller": the pronoun's person's state.
            const uint32_t owner = resolve_pronoun(norms_[j - 1], j - 1 == s.first_token, ms);
            if (owner != kNone) target = state_of_office_holder(owner);
          }
        }
        // "President Faure Essozimna of Togo": the state after the name.
        const uint32_t of_after = of == kNone ? state_after_name(ms, ms[person].e, s.end_token) : kNone;
        if (of_after != kNone) {
          target = ms[of_after].entity;
          if (!past) ms[of_after].modifier = true;
        }
        // "ANKARA (Reuters) - Deputy Foreign Minister Mehmet Kemal Bozay said": a state office
        // with no state named, held by someone no dictionary knows, is the dateline's state's.
        if (target == kNone && dict_of_[ms[person].entity] == kNone &&
            kStateOffices.count(k_.titles()[t.title].title)) {
          target = state_of_coordinated_title(t, ms, s.first_token);
          // "Deputy Foreign Minister Alexander Grushko said Russia would ...": the state the
          // holder speaks for.
          if (target == kNone) target = state_spoken_for(ms, ms[person].e, s.end_token);
          // "In Pyongyang, Vice Foreign Minister Kim Jong-gyu said": the place the sentence
          // opens with.
          if (target == kNone && s.first_token + 2 < s.end_token && norms_[s.first_token] == "in") {
            const uint32_t m = mention_starting_at(ms, s.first_token + 1);
            if (m != kNone && norms_[ms[m].e] == "," &&
                out_.entities[ms[m].entity].kind == EntityKind::country)
              target = ms[m].entity;
          }
          if (target == kNone && !recounts_history(s.first_token, s.end_token) &&
              find_cue(k_.cues().history, s.first_token, s.end_token, s.end_token) == kNone)
            target = dateline_state();
        }
        if (target == kNone && ministry != kNone) target = state_of_office_holder(ms[person].entity);
        if (target == kNone) target = ministry;
        if (target != kNone && !past) {
          add_relation(rel, ms[person].entity, target, sentence, false, false, 0.85f);
          share_title(sentence, s, ms, titles, t, person);
          // "presidents Gustavo Petro of Colombia, Gabriel Boric of Chile and ...".
          if (of_after != kNone && plural_title(t)) {
            uint32_t at = ms[of_after].e;
            for (;;) {
              while (at < s.end_token && (norms_[at] == "," || norms_[at] == "and")) ++at;
              const uint32_t p = mention_starting_at(ms, at);
              if (p == kNone || !is_person(ms[p].entity)) break;
              const uint32_t st = state_after_name(ms, ms[p].e, s.end_token);
              if (st == kNone) break;
              add_relation(rel, ms[p].entity, ms[st].entity, sentence, false, false, 0.85f);
              ms[st].modifier = true;
              at = ms[st].e;
            }
          }
        }
        if (posting != kNone) {
          ms[posting].modifier = true;
          postings.push_back(posting);
        }
        // "Chinese President Xi Jinping" is one mention of Xi, so "Modi and Chinese President
        // Xi Jinping" coordinates; an apposition after a comma stays apart.
        if (norms_[t.e] != ",") {
          if (of != kNone) ms[of].modifier = true;
          widen.push_back({person, of != kNone ? std::min(ms[of].b, t.b) : t.b});
        }
        continue;
      }
      if (past) continue;
      if (resolve_apposition(sentence, s, ms, t, of)) continue;
      resolve_role_reference(sentence, s, ms, t, of);
    }
    resolve_counterparts(sentence, s, ms);
    resolve_counterpart_references(ms);
    // "Brazil's Luiz Inácio Lula da Silva, Colombia's Gustavo Petro and ...": the possessor
    // says whose the person is; the person is the actor.
    for (uint32_t i = 0; i < ms.size(); ++i) {
      Mention& m = ms[i];
      if (m.modifier || m.locative || m.entity2 != kNone || is_person(m.entity) ||
          m.e + 1 >= s.end_token || norms_[m.e] != "'s")
        continue;
      const uint32_t p = mention_starting_at(ms, m.e + 1);
      if (p != kNone && is_person(ms[p].entity) && ms[p].source != Source::coref) m.modifier = true;
    }
    for (const auto& [m, b] : widen) ms[m].b = std::min(ms[m].b, b);
    // The state of a title is still named: "Somali President X and Ethiopian Prime Minister Y
    // ... the two countries".
    for (uint32_t i = 0; i < ms.size(); ++i)
      if (ms[i].modifier && !ms[i].locative && !is_person(ms[i].entity) &&
          std::find(postings.begin(), postings.end(), i) == postings.end())
        title_states_.push_back(ms[i].entity);
    mark_states_describing_organisations(s, ms);
    for (const Mention& m : ms)
      if (m.modifier)
        for (uint32_t i = m.b; i < m.e; ++i) described_[i] = 1;
    ms.erase(std::remove_if(ms.begin(), ms.end(), [](const Mention& m) { return m.modifier; }),
             ms.end());
    std::sort(ms.begin(), ms.end(), [](const Mention& a, const Mention& b) { return a.b < b.b; });
  }

  // "French aircraft maker Dassault Aviation", "China's state-owned Sinopec": a state that
  // only describes the named organisation after it is no actor of its own.
  void mark_states_describing_organisations(const SentenceSpan& s, std::vector<Mention>& ms) const {
    for (uint32_t i = 0; i + 1 < ms.size(); ++i) {
      Mention& m = ms[i];
      if (m.modifier || out_.entities[m.entity].kind != EntityKind::country) continue;
      uint32_t j = m.e;
      if (j < s.end_token && norms_[j] == "'s") ++j;
      else if (m.source != Source::demonym) continue;
      uint32_t words = 0;
      while (j < s.end_token && words < 4 &&
             ((toks_[j].word && !toks_[j].cap && !toks_[j].number &&
               !kDeterminers.count(norms_[j]) && !kConnectors.count(norms_[j]) &&
               !kPrepositions.count(norms_[j])) ||
              norms_[j] == "-")) {
        ++j;
        ++words;
      }
      // The words must end in a noun that describes a company: "The Israeli military struck
      // Hezbollah" is a state acting.
      static const std::unordered_set<std::string> kCompanyNouns = {
          "maker", "manufacturer", "giant", "firm", "company", "group", "producer", "operator",
          "carrier", "contractor", "conglomerate", "miner", "lender", "bank", "exporter",
          "supplier", "developer", "major", "owned", "run", "startup", "champion", "subsidiary",
          "builder", "shipbuilder", "automaker", "carmaker", "chipmaker", "multinational"};
      if (words == 0 || !kCompanyNouns.count(norms_[j - 1])) continue;
      const uint32_t next = mention_starting_at(ms, j);
      if (next != kNone && next != i &&
          out_.entities[ms[next].entity].kind == EntityKind::organization)
        m.modifier = true;
    }
  }

  // The state or organisation in "<name> of [the] <state>", as an index into `ms`, or kNone.
  uint32_t state_after_name(const std::vector<Mention>& ms, uint32_t at, uint32_t end) const {
    if (at + 1 >= end || norms_[at] != "of") return kNone;
    uint32_t j = at + 1;
    if (kDeterminers.count(norms_[j])) ++j;
    const uint32_t m = mention_starting_at(ms, j);
    if (m == kNone || ms[m].entity == kNone || is_person(ms[m].entity) || ms[m].source == Source::coref)
      return kNone;
    // "of Togo's ...": the state owns what follows, it does not end the title.
    if (ms[m].e < end && norms_[ms[m].e] == "'s") return kNone;
    return m;
  }

  // "President Irfaan Ali and Venezuela's Nicolás Maduro", "Presidents Xi Jinping and
  // Vladimir Putin": the title before the first of two coordinated names is shared by the
  // second, when the dictionary says the second holds it (of the state named before the
  // second name, if any) on the article's date.
  void share_title(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms,
                   const std::vector<TitleMention>& titles, const TitleMention& t,
                   uint32_t person) {
    const uint32_t at = ms[person].e;
    if (at + 1 >= s.end_token || norms_[at] != "and") return;
    uint32_t second = mention_starting_at(ms, at + 1);
    if (second == kNone || ms[second].entity == kNone) return;
    uint32_t state = kNone;
    if (!is_person(ms[second].entity)) {
      const Mention& c = ms[second];
      if (out_.entities[c.entity].kind != EntityKind::country || c.locative) return;
      uint32_t after = c.e;
      if (after < s.end_token && norms_[after] == "'s")
        ++after;
      else if (c.source != Source::demonym)
        return;
      state = c.entity;
      second = mention_starting_at(ms, after);
      if (second == kNone || !is_person(ms[second].entity)) return;
    }
    for (const TitleMention& o : titles)
      if (o.b > t.b && o.b < ms[second].e) return;  // the second name has a title of its own
    const uint32_t target = role_target(ms[second].entity, t.title);
    if (target == kNone || (state != kNone && target != state)) return;
    add_relation(k_.titles()[t.title].relation, ms[second].entity, target, sentence, false, false,
                 0.8f);
  }

  // "his Hungarian counterpart Viktor Orbán", "his Armenian counterpart, Suren Papikyan": the
  // state before "counterpart" is the one the named person serves, in the role the dictionary
  // gives them on the article's date.
  void resolve_counterparts(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms) {
    for (const Mention& m : ms) {
      if (m.source == Source::coref || !is_person(m.entity) || dict_of_[m.entity] == kNone) continue;
      uint32_t c = m.b;
      if (c > s.first_token && norms_[c - 1] == ",") --c;
      if (!(c > s.first_token + 1 && norms_[c - 1] == "counterpart")) continue;
      const uint32_t cp = c - 1;
      for (uint32_t b = cp; b > s.first_token && cp - b < 3; --b) {
        const Knowledge::Match dm = k_.match_entity(norms_, caps_, b - 1, cp);
        if (dm.length != cp - (b - 1)) continue;
        const uint32_t state = dm.hits.front().entity;
        if (k_.entities()[state].kind != EntityKind::country) break;
        for (const Role& r : k_.entities()[dict_of_[m.entity]].roles) {
          if (r.of != k_.entities()[state].key || day_ < r.from || day_ >= r.to) continue;
          const auto title = k_.title_by_name(r.title);
          if (!title) continue;
          add_relation(k_.titles()[*title].relation, m.entity, dictionary_entity(state), sentence,
                       false, false, 0.8f);
          break;
        }
        break;
      }
    }
  }

  // Apposition: "<person>, [a|the] [state's] [adjectives] <title> [of ...] [at|of <org>]".
  bool resolve_apposition(uint32_t sentence, const SentenceSpan& s, std::vector<Mention>& ms,
                          const TitleMention& t, uint32_t of) {
    uint32_t named = kNone;
    for (uint32_t j = t.b; j > s.first_token && t.b - j < 8; --j) {
      if (norms_[j - 1] == ",") {
        named = mention_ending_at(ms, j - 1);
        break;
      }
    }
    if (named == kNone || !is_person(ms[named].entity)) return false;
    // ... or the state after the title: "the president of Russia".
    uint32_t of_after = kNone;
    if (t.e + 1 < s.end_token && norms_[t.e] == "of") {
      uint32_t j = t.e + 1;
      if (kDeterminers.count(norms_[j])) ++j;
      const uint32_t m = mention_starting_at(ms, j);
      if (m != kNone && !is_person(ms[m].entity)) of_after = m;
    }
    uint32_t org = kNone;
    for (uint32_t j = t.e; j < s.end_token && j < t.e + 9; ++j) {
      if (norms_[j] == "," || norms_[j] == ";") break;
      if (norms_[j] != "at" && norms_[j] != "of" && norms_[j] != "with" && norms_[j] != "for")
        continue;
      // The organisation may follow a possessive place: "at Beijing's Renmin University".
      for (const Mention& m : ms) {
        if (m.b <= j || m.b > j + 5 || is_person(m.entity)) continue;
        if (out_.entities[m.entity].kind == EntityKind::country && m.e < s.end_token &&
            norms_[m.e] == "'s")
          continue;
        org = m.entity;
        break;
      }
      if (org != kNone) break;
    }
    const uint32_t target = org != kNone  ? org
                            : of != kNone ? ms[of].entity
                            : of_after != kNone ? ms[of_after].entity
                                                : role_target(ms[named].entity, t.title);
    uint32_t close = t.e;
    while (close < s.end_token && close < t.e + 12 && norms_[close] != ",") ++close;
    appositions_.push_back({ms[named].e, close});
    if (target == kNone) return true;
    if (of != kNone && target == ms[of].entity) ms[of].modifier = true;
    add_relation(k_.titles()[t.title].relation, ms[named].entity, target, sentence, false, false,
                 0.8f);
    return true;
  }

  // "the Turkish leader", "the Saudi leader": a holder of any leading title of the state on
  // the article's date, the most recently named one if the article named any.
  std::optional<uint32_t> generic_leader(uint32_t state) const {
    const auto leader = k_.title_by_name("leader");
    if (!leader) return std::nullopt;
    const uint16_t leads = k_.titles()[*leader].relation;
    std::optional<uint32_t> first;
    uint32_t best_rank = kNone;
    for (uint32_t ti = 0; ti < k_.titles().size(); ++ti) {
      if (k_.titles()[ti].relation != leads) continue;
      const auto h = k_.role_holder(ti, state, day_);
      if (!h) continue;
      if (!first) first = h;
      auto it = by_key_.find(k_.entities()[*h].key);
      if (it == by_key_.end()) continue;
      const auto pos = std::find(recent_people_.begin(), recent_people_.end(), it->second);
      if (pos == recent_people_.end()) continue;
      const uint32_t rank = static_cast<uint32_t>(recent_people_.end() - pos);
      if (best_rank == kNone || rank < best_rank) {
        best_rank = rank;
        first = h;
      }
    }
    return first;
  }

  // "The prime minister embraced him": "the" and a title with no state and no name stand for
  // the person named most recently (in this sentence first) who holds that title on the
  // article's date.
  void resolve_bare_title(uint32_t sentence, const SentenceSpan& s, std::vector<Mention>& ms,
                          const TitleMention& t) {
    if (!(t.b > s.first_token && norms_[t.b - 1] == "the")) return;
    if (t.e < s.end_token && ((toks_[t.e].word && toks_[t.e].cap && norms_[t.e] != "'s") ||
                              norms_[t.e] == "of" || norms_[t.e] == "-"))
      return;
    const std::string& title = k_.titles()[t.title].title;
    if (norms_[t.e - 1].back() == 's' && title.back() != 's') return;  // "the presidents"
    std::vector<uint32_t> candidates;
    for (auto it = ms.rbegin(); it != ms.rend(); ++it)
      if (it->e <= t.b && is_person(it->entity) && it->entity2 == kNone) candidates.push_back(it->entity);
    // Then the previous sentence's topic ("Biden hosted Ruto ... The president said"), then
    // whoever was named most recently.
    if (topic_person_ != kNone) candidates.push_back(topic_person_);
    candidates.insert(candidates.end(), recent_people_.rbegin(), recent_people_.rend());
    for (uint32_t p : candidates) {
      const uint32_t target = role_target(p, t.title);
      if (target == kNone) continue;
      ms.push_back({t.b - 1, t.e, p, kNone, Source::coref});
      add_relation(k_.titles()[t.title].relation, p, target, sentence, false, false, 0.7f);
      return;
    }
  }

  // A role reference: "the Russian president", "Beijing's foreign minister" stand for whoever
  // held the role on the article's date, and say that they held it.
  void resolve_role_reference(uint32_t sentence, const SentenceSpan& s, std::vector<Mention>& ms,
                              const TitleMention& t, uint32_t of) {
    if (of == kNone) {
      resolve_bare_title(sentence, s, ms, t);
      return;
    }
    if (t.e < s.end_token && toks_[t.e].cap && toks_[t.e].word && norms_[t.e] != "'s") return;
    // "Iran's leaders", "China's generals": many holders stand for their state, which stays
    // the actor.
    if (plural_title(t)) return;
    const uint32_t d = dict_of_[ms[of].entity];
    if (d == kNone) return;
    auto holder = k_.role_holder(t.title, d, day_);
    const std::string& tname = k_.titles()[t.title].title;
    if (!holder && (tname == "leader" || tname == "ruler")) holder = generic_leader(d);
    if (!holder) return;
    const uint32_t p = dictionary_entity(*holder);
    const uint32_t state = ms[of].entity;
    ms[of].modifier = true;
    const uint32_t b = ms[of].b;
    Mention ref;
    ref.b = b;
    ref.e = t.e;
    ref.entity = p;
    ref.source = Source::coref;
    ms.push_back(ref);
    const bool article = b > s.first_token && kDeterminers.count(norms_[b - 1]);
    add_surface_form(p, article ? b - 1 : b, t.e);
    add_relation(k_.titles()[t.title].relation, p, state, sentence, false, false, 0.7f);
  }

  // ---- relations -------------------------------------------------------------------------

  void add_relation(uint16_t type, uint32_t subject, uint32_t object, uint32_t sentence,
                    bool negated, bool attributed, float confidence) {
    if (subject == kNone || object == kNone || subject == object) return;
    if (k_.relation_types()[type].symmetric && object < subject) std::swap(subject, object);
    const RelationKey key{type, subject, object, sentence,
                          static_cast<uint8_t>((negated ? 1 : 0) | (attributed ? 2 : 0))};
    const auto [it, added] = relation_index_.emplace(key, out_.relations.size());
    if (!added) {
      RelationMention& r = out_.relations[it->second];
      r.confidence = std::max(r.confidence, confidence);
      return;
    }
    out_.relations.push_back({type, subject, object, sentence, negated, attributed, confidence});
    if (k_.relation_types()[type].name == "meets-with" && !negated) {
      // Two meetings in one sentence ("X hosted A and B") leave no single two sides.
      const bool another = last_meeting_.sentence == sentence;
      last_meeting_ = {subject, object, sentence, another};
    }
  }

  // The states of the two sides of the latest meeting, when it was in this sentence or the
  // one before (kNone each otherwise): what "the two sides" soon after it refers to.
  std::pair<uint32_t, uint32_t> sides_of_latest_meeting() {
    if (last_meeting_.sentence == kNone || last_meeting_.ambiguous ||
        current_sentence_ > last_meeting_.sentence + 1)
      return {kNone, kNone};
    auto side = [&](uint32_t e) {
      if (out_.entities[e].kind == EntityKind::country) return e;
      return is_person(e) ? state_of_office_holder(e) : kNone;
    };
    const uint32_t a = side(last_meeting_.a), b = side(last_meeting_.b);
    if (a == kNone || b == kNone || a == b) return {kNone, kNone};
    return {a, b};
  }

  bool stops_clause(uint32_t i) const { return kClauseStops.count(norms_[i]) > 0; }

  bool usable(const Mention& m, bool places) const { return !m.locative || places; }

  // Extends an argument through coordination: "China, Russia and Iran".
  // `list` says what is extended: a subject, a verb's object or a noun's object; new
  // clauses inside a list are told apart differently in each.
  enum class ListOf { subject, verb_object, noun_object };
  void coordinate(const std::vector<Mention>& ms, uint32_t at, int step, std::vector<uint32_t>& out,
                  const SentenceSpan& s, bool places, ListOf list = ListOf::subject) const {
    int cur = static_cast<int>(at);
    bool seen_conjunction = false, seen_and = false;
    size_t committed = out.size();  // rightwards, comma-only links count once a conjunction follows
    for (;;) {
      int next = cur + step;
      // "Irfaan Ali and Venezuela's Nicolás Maduro": the possessor belongs to the name it owns.
      auto owns = [&](int owner, int owned) {
        return owner >= 0 && owned >= 0 && owner < static_cast<int>(ms.size()) &&
               owned < static_cast<int>(ms.size()) &&
               ms[static_cast<size_t>(owner)].e + 1 == ms[static_cast<size_t>(owned)].b &&
               norms_[ms[static_cast<size_t>(owner)].e] == "'s";
      };
      // "Hakan Fidan and his Greek counterpart Giorgos Gerapetritis": "his" only introduces
      // the second name.
      auto counterpart_pronoun = [&](int pronoun, int named) {
        if (pronoun < 0 || named < 0 || pronoun >= static_cast<int>(ms.size()) ||
            named >= static_cast<int>(ms.size()) || named != pronoun + 1)
          return false;
        const Mention& pm = ms[static_cast<size_t>(pronoun)];
        if (pm.source != Source::coref || !pm.possessive || pm.e != pm.b + 1) return false;
        const uint32_t nb = ms[static_cast<size_t>(named)].b;
        if (nb < pm.e + 1 || nb > pm.e + 3) return false;
        const std::string& noun = norms_[nb - 1];
        return noun == "counterpart" || noun == "counterparts";
      };
      int skipped = -1;
      if (step < 0 && (owns(next, cur) || counterpart_pronoun(next, cur))) {
        skipped = next;
        next += step;
      } else if (step > 0 && (owns(next, next + 1) || counterpart_pronoun(next, next + 1))) {
        skipped = next;
        next += step;
      }
      if (next < 0 || next >= static_cast<int>(ms.size())) break;
      const Mention& a = ms[static_cast<size_t>(std::min(cur, next))];
      const Mention& b = ms[static_cast<size_t>(std::max(cur, next))];
      // Allowed between them: connectors, "along with", "as well as", appositions ("Ali
      // Shamkhani, Iran's top security official, and ..."), and up to two plain words after
      // the first ("Chinese and Russian warships, along with Iran").
      uint32_t plain = 0;
      bool joined = false, conjunction = false, ok = true;
      for (uint32_t i = a.e; i < b.b && ok; ++i) {
        const std::string& w = norms_[i];
        if (in_apposition(i)) continue;
        if (skipped >= 0 && i >= ms[static_cast<size_t>(skipped)].b &&
            i <= ms[static_cast<size_t>(skipped)].e)
          continue;
        if (skipped >= 0 && i > ms[static_cast<size_t>(skipped)].e &&
            ms[static_cast<size_t>(skipped)].source == Source::coref)
          continue;  // "[his] Greek counterpart"
        // "Gabriel Boric of Chile and ...", "and the presidents of Nicaragua and Bolivia, ...":
        // what describes a titled name, and titles, belong to the names.
        if (described_[i] || title_len_[i] ||
            (w == "of" && i + 1 < b.b && described_[i + 1]) ||
            (i > a.e && title_len_[i - 1] > 1 && i < a.e + 6 && !kConnectors.count(w)))
          continue;
        // "with" joins only as "along with" or "together with": in "held talks with Putin"
        // it introduces another party, not a co-subject.
        const bool joining_with = w == "with" && i > a.e &&
                                  (norms_[i - 1] == "along" || norms_[i - 1] == "together");
        if (w == "with" && !joining_with) {
          ok = false;
          break;
        }
        if (kConnectors.count(w) || w == "along" || w == "with" || w == "as" || w == "well" ||
            w == "together" || w == "plus" || w == "or" || w == "nor" || w == "both" ||
            w == "the" || w == "'s") {
          if (kConnectors.count(w) || w == "with" || w == "plus" || w == "or" || w == "nor") joined = true;
          if (w != "," && w != "the" && w != "'s" && w != "both") conjunction = true;
          continue;
        }
        // "condemned Ecuador's action, and the OAS called ...": the possessor owns the noun
        // after it; what follows is not coordinated with it.
        if (i > a.e && norms_[i - 1] == "'s") {
          ok = false;
          break;
        }
        if (!joined && ++plain <= 2 && toks_[i].word && !toks_[i].cap) continue;
        ok = false;
      }
      const Mention& n = ms[static_cast<size_t>(next)];
      if (!ok || !joined || b.b >= s.end_token || !usable(n, places) || n.possessive) break;
      // A comma alone joins a list only next to a conjunction: "A, B and C", not
      // "in Ukraine, Western powers accuse".
      if (step < 0 && !conjunction && !seen_conjunction) break;
      // A list has one "and": in "talks with Li, and Indonesia and China signed" the second
      // starts another clause's subjects ("along with" and "as well as" may extend a list).
      bool and_word = false;
      for (uint32_t i = a.e; i < b.b; ++i)
        if ((norms_[i] == "and" || norms_[i] == "or" || norms_[i] == "nor") &&
            !(i > a.e && described_[i - 1] && i + 1 < b.b && described_[i + 1]))
          and_word = true;
      // "X and the presidents of A and B, Y and Z": a titled group is a list of its own.
      bool titled_group = false;
      for (uint32_t i = a.e; i < b.b; ++i) titled_group |= title_len_[i] > 0 && plural_word(i);
      if (and_word && seen_and && !titled_group) break;
      if (step > 0 && list != ListOf::subject) {
        // "held talks with Li, and Indonesia and China signed": ", and" after a single item is
        // a new clause; so is, after a verb, an actor followed by its own verb ("visited Hanoi
        // and the two countries upgraded their ties").
        bool comma = false, apposition = false;
        for (uint32_t i = a.e; i < b.b; ++i) {
          comma |= norms_[i] == ",";
          apposition |= in_apposition(i);
        }
        if (comma && !apposition && and_word && out.size() == committed && out.size() <= 1) break;
        const uint32_t after = n.e;
        if (list == ListOf::verb_object && after < s.end_token && toks_[after].word &&
            !toks_[after].cap &&
            (norms_[after].ends_with("ed") || kSpeechVerbs.count(norms_[after]) ||
             norms_[after] == "has" || norms_[after] == "have" || norms_[after] == "will"))
          break;
      }
      if (and_word) seen_and = true;
      if (conjunction) {
        seen_conjunction = true;
        committed = out.size() + 1;
      }
      out.push_back(static_cast<uint32_t>(next));
      cur = next;
    }
    if (step > 0) out.resize(committed);
  }

  bool in_apposition(uint32_t i) const {
    for (const auto& [b, e] : appositions_)
      if (i >= b && i < e) return true;
    return false;
  }

  // The nearest usable actor left of token `pos` in the same clause, with its coordinated
  // neighbours.
  ArgList left_argument(const std::vector<Mention>& ms, uint32_t pos, const SentenceSpan& s,
                        uint32_t max_distance) const {
    ArgList out;
    // "<name>, a senior fellow at <org>, praised ...": the subject is the name the
    // apposition describes, not an actor inside it; likewise past a relative clause ("Japan,
    // which is negotiating an agreement with the Philippines, also criticized ...").
    static const std::unordered_set<std::string> kBetween = {
        "also", "has", "have", "had", "did", "does", "not", "never", "then", "later", "n't"};
    uint32_t before = pos;
    while (before > s.first_token &&
           (is_adverb(norms_[before - 1]) || kBetween.count(norms_[before - 1])))
      --before;
    if (before > s.first_token + 2 && norms_[before - 1] == ",") {
      // "Déby, whose country is not a member but shares a border with Niger, met Tinubu": a
      // relative clause may hold clause words ("but") and other actors.
      for (uint32_t k = before - 2; k > s.first_token && before - k < 28; --k) {
        if (norms_[k] == "." || norms_[k] == "\"") break;
        if (norms_[k] != "," ||
            !(norms_[k + 1] == "whose" || norms_[k + 1] == "who" || norms_[k + 1] == "which"))
          continue;
        const uint32_t head = mention_ending_at(ms, k);
        if (head != kNone && usable(ms[head], false) && !ms[head].possessive) {
          out.mentions.push_back(head);
          out.distance = pos - ms[head].e;
          coordinate(ms, head, -1, out.mentions, s, false);
          return out;
        }
        break;
      }
      for (uint32_t k = before - 2; k > s.first_token && before - k < 16; --k) {
        const bool relative = norms_[k] == "which" && norms_[k - 1] == ",";
        if (stops_clause(k) && !relative) break;
        if (norms_[k] != ",") continue;
        // "Turkey, Azerbaijan's closest ally, has supplied ...": a possessive description.
        const bool possessive_description =
            k + 2 < before && norms_[k + 2] == "'s" && mention_starting_at(ms, k + 1) != kNone;
        const bool describes = possessive_description || kDeterminers.count(norms_[k + 1]) > 0 ||
                               norms_[k + 1] == "who" ||
                               norms_[k + 1] == "whom" || norms_[k + 1] == "which" ||
                               k_.match_title(norms_, k + 1, before).has_value();
        const uint32_t head = mention_ending_at(ms, k);
        if (describes && head != kNone && usable(ms[head], false) && !ms[head].possessive) {
          out.mentions.push_back(head);
          out.distance = pos - ms[head].e;
          coordinate(ms, head, -1, out.mentions, s, false);
          return out;
        }
        break;
      }
    }
    uint32_t stop = s.first_token;  // the nearest clause boundary left of `pos`
    for (uint32_t i = pos; i > s.first_token; --i)
      if (stops_clause(i - 1) && !scare_quote(i - 1)) {
        stop = i;
        break;
      }
    for (int mi = static_cast<int>(ms.size()) - 1; mi >= 0; --mi) {
      const Mention& m = ms[static_cast<size_t>(mi)];
      if (m.e > pos) continue;
      if (m.e < stop || pos - m.e > max_distance) break;
      if (!usable(m, false) || m.possessive) continue;
      out.mentions.push_back(static_cast<uint32_t>(mi));
      out.distance = pos - m.e;
      coordinate(ms, static_cast<uint32_t>(mi), -1, out.mentions, s, false);
      break;
    }
    return out;
  }

  // The actor an apposition before the relative pronoun at `rel` describes: "Jaish al-Adl, a
  // Sunni militant group that ...", "Wagner, the mercenary force which ...". kNone if none.
  uint32_t described_actor(const std::vector<Mention>& ms, uint32_t rel, const SentenceSpan& s) const {
    uint32_t j = rel;
    uint32_t words = 0;
    while (j > s.first_token && toks_[j - 1].word && norms_[j - 1] != "," && words < 7) {
      if (mention_starting_at(ms, j - 1) != kNone) return kNone;
      --j;
      ++words;
    }
    if (words < 2 || j <= s.first_token + 1 || norms_[j - 1] != "," ||
        !(norms_[j] == "a" || norms_[j] == "an" || norms_[j] == "the"))
      return kNone;
    return mention_ending_at(ms, j - 1);
  }

  // The subject of the clause `pos` is in: the actor a relative "who" refers to ("Xi, who
  // visited Riyadh and hosted Raisi"), else the first actor after the clause boundary (with
  // `whole_sentence`, of the sentence: "Peskov told reporters that ..., and accused").
  ArgList clause_subject(const std::vector<Mention>& ms, uint32_t pos, const SentenceSpan& s,
                         bool whole_sentence) const {
    ArgList out;
    uint32_t start = s.first_token;
    for (uint32_t i = pos; i > s.first_token && !whole_sentence; --i) {
      const std::string& w = norms_[i - 1];
      if (w == "who" || w == "which" || (w == "that" && described_actor(ms, i - 1, s) != kNone)) {
        const uint32_t at = i - 1 > s.first_token && norms_[i - 2] == "," ? i - 2 : i - 1;
        uint32_t m = mention_ending_at(ms, at);
        if (m == kNone) m = described_actor(ms, i - 1, s);
        if (m != kNone && usable(ms[m], false)) out.mentions.push_back(m);
        return out;
      }
      // "described the pact as "a beacon of hope" and praised Australia": a quotation that
      // names something inside the clause does not end it.
      if (w == "\"" && quoted(i - 1, s.first_token)) {
        static const std::unordered_set<std::string> kNaming = {"as", "called", "calls", "dubbed",
                                                                "termed", "branded"};
        uint32_t j = i - 1;
        while (j > s.first_token && norms_[j - 1] != "\"") --j;
        if (j > s.first_token + 1 && kNaming.count(norms_[j - 2])) {
          i = j;
          continue;
        }
      }
      if (stops_clause(i - 1) && !scare_quote(i - 1)) {
        start = i;
        break;
      }
    }
    for (uint32_t mi = 0; mi < ms.size(); ++mi) {
      const Mention& m = ms[mi];
      if (m.b < start || !usable(m, false) || m.possessive) continue;
      if (m.e > pos) break;
      out.mentions.push_back(mi);
      out.distance = pos - m.e;
      coordinate(ms, mi, +1, out.mentions, s, false);
      break;
    }
    return out;
  }

  // The first usable actor after `pos` introduced directly or by one of `intro`, with its
  // coordinated neighbours. A direct object does not stand beyond a comma.
  ArgList right_argument(const std::vector<Mention>& ms, uint32_t pos, const SentenceSpan& s,
                         const std::vector<std::string>& intro, bool places,
                         uint32_t max_distance, ListOf list = ListOf::noun_object,
                         bool hostile = false) const {
    ArgList out;
    if (intro.empty()) return out;
    const bool direct = std::find(intro.begin(), intro.end(), "direct") != intro.end();
    for (uint32_t mi = 0; mi < ms.size(); ++mi) {
      const Mention& m = ms[mi];
      if (m.b < pos) continue;
      if (m.b - pos > max_distance) break;
      std::string last_prep;
      uint32_t preps = 0;
      bool stopped = false;
      uint32_t last_comma = kNone;
      for (uint32_t i = pos; i < m.b; ++i) {
        if (stops_clause(i) && !scare_quote(i)) stopped = true;
        if (norms_[i] == "and" && i > pos && i + 1 < m.b && starts_verb(i + 1, s.end_token))
          stopped = true;
        if (norms_[i] == "." && !(i > pos && kHonorifics.count(norms_[i - 1]))) stopped = true;  // not "Mr."
        if (norms_[i] == ",") last_comma = i;
        // "with the breakaway region of Somaliland": the region is Somaliland.
        static const std::unordered_set<std::string> kPlaceNouns = {
            "region", "territory", "province", "republic", "enclave", "island", "islands",
            "government", "people", "state", "kingdom", "city", "town", "port", "village"};
        if (norms_[i] == "of" && i > pos && kPlaceNouns.count(norms_[i - 1])) continue;
        // "struck dozens of targets in northern Iraq": a count's "of" is no phrase of its own;
        // "hideouts of the BLA", "bases of Jaish al-Adl": what is hit belongs to the actor.
        static const std::unordered_set<std::string> kCountOf = {
            "dozens", "hundreds", "scores", "thousands", "number", "series", "wave", "barrage",
            "one", "two", "three", "four", "five", "six", "several", "some", "many", "both",
            "each", "all"};
        static const std::unordered_set<std::string> kTargetNouns = {
            "hideouts", "hideout", "bases", "base", "camps", "camp", "positions", "facilities",
            "facility", "sites", "targets", "headquarters", "compound", "depots", "strongholds",
            "fighters", "militants", "members", "commanders", "leaders", "infrastructure"};
        if (norms_[i] == "of" && i > pos &&
            (kCountOf.count(norms_[i - 1]) || (hostile && kTargetNouns.count(norms_[i - 1]))))
          continue;
        // "strikes on what it called PKK facilities", "hitting what it described as hideouts".
        if (hostile && norms_[i] == "as" && i > pos && norms_[i - 1] == "described") continue;
        if (kPrepositions.count(norms_[i])) {
          last_prep = norms_[i];
          ++preps;
        }
      }
      // "struck nine sites in Pakistan": a place reached through "in" after a direct object
      // only, not after another phrase ("a strike on its consulate in Damascus").
      if (last_prep == "in" && direct && preps > 1) continue;
      // "a strike on its consulate in Damascus": what is owned abroad does not make the host
      // state the target ("strikes on militant hideouts in Iran" does).
      if (last_prep == "in" && preps > 1) {
        bool owned = false;
        for (uint32_t i = pos; i < m.b; ++i) owned |= kPossessivePronouns.count(norms_[i]) > 0;
        if (owned) continue;
      }
      if (stopped) break;
      // "strikes on what it called PKK facilities": the speaker of "what X called" is no object.
      if (m.b > pos && norms_[m.b - 1] == "what" && m.e < s.end_token &&
          (norms_[m.e] == "called" || norms_[m.e] == "described" || norms_[m.e] == "termed" ||
           norms_[m.e] == "said"))
        continue;
      // Past a comma the argument may only be an apposition renaming the phrase before it
      // ("met the summit's host, Russian President Vladimir Putin"), not an actor in a new
      // clause ("attacks on critical infrastructure, saying Moscow ...").
      const bool apposition = last_comma != kNone && last_comma > pos &&
                              (m.b == last_comma + 1 ||
                               (m.b == last_comma + 2 && kDeterminers.count(norms_[last_comma + 1])));
      if (last_comma != kNone && !apposition) continue;
      // "fired a missile into the sea, Japan said": a speaker, not an apposition.
      if (apposition && m.e < s.end_token && kSpeechVerbs.count(norms_[m.e])) continue;
      const bool ok = last_prep.empty()
                          ? direct
                          : std::find(intro.begin(), intro.end(), last_prep) != intro.end();
      // An actor reached through another preposition ("on Monday in Beijing") is not the
      // object, but a later one may be.
      if (!ok || m.possessive) continue;
      if (!usable(m, places)) continue;
      // "on two of Israel's most senior ministers, A and B": the people named after the comma.
      if (m.e + 1 < s.end_token && norms_[m.e] == "'s") {
        // "congratulated Senegal's Bassirou Diomaye Faye": the person.
        const uint32_t owned = mention_starting_at(ms, m.e + 1);
        if (owned != kNone && is_person(ms[owned].entity) && !is_person(m.entity)) continue;
        uint32_t c = m.e + 1;
        while (c < s.end_token && c < m.e + 7 && toks_[c].word && !toks_[c].cap) ++c;
        if (c > m.e + 1 && c + 1 < s.end_token && norms_[c] == ",") {
          const uint32_t named = mention_starting_at(ms, c + 1);
          // People, or companies ("two of Russia's biggest oil producers, Gazprom Neft and
          // Surgutneftegas"), but not other states.
          if (named != kNone && out_.entities[ms[named].entity].kind != EntityKind::country &&
              !ms[named].locative) {
            out.mentions.push_back(named);
            out.distance = ms[named].b - pos;
            out.preposition = last_prep;
            coordinate(ms, named, +1, out.mentions, s, places, list);
            break;
          }
        }
      }
      // A place object is a state, not an adjective: "arrived in a Venezuelan military jet",
      // "visited U.S. troops".
      // A unit after "at" or "on" is the state's, though: "fired water cannon at Philippine
      // vessels".
      // Whatever of a state's an attack hits is the state's: "attacked a Chadian army base",
      // "attacked Iranian border guards".
      const bool aimed = hostile || last_prep == "at" || last_prep == "on" || last_prep == "against";
      // "arrived in the Serbian capital" reaches Serbia, though.
      // So does "landed in the Saudi port city".
      const auto city_noun = [&](uint32_t i) {
        return i < s.end_token && (norms_[i] == "capital" || norms_[i] == "city" ||
                                   norms_[i] == "town");
      };
      const bool capital_noun =
          city_noun(m.e) || (m.e < s.end_token && norms_[m.e] == "port" && city_noun(m.e + 1));
      if (places && !hostile && !capital_noun &&
          ((m.source == Source::demonym && m.b > pos && kDeterminers.count(norms_[m.b - 1])) ||
                     (!aimed && m.e < s.end_token && kUnitNouns.count(norms_[m.e]))))
        continue;
      out.mentions.push_back(mi);
      out.distance = m.b - pos;
      out.preposition = last_prep;
      coordinate(ms, mi, +1, out.mentions, s, places, list);
      break;
    }
    return out;
  }

  // Does a verb start at `i` ("accused", "said")? A verb trigger or a speech verb, not a noun
  // trigger ("and trade").
  bool starts_verb(uint32_t i, uint32_t end) const {
    if (kSpeechVerbs.count(norms_[i])) return true;
    for (const auto& hit : k_.match_triggers(norms_, i, end))
      if (k_.relation_types()[hit.type].triggers[hit.trigger].verb &&
          (norms_[i].ends_with("ed") || norms_[i].ends_with("s")))
        return true;
    return false;
  }

  // A quotation mark around at most three words is a scare quote ("his “friend” Trump"), not
  // the start of a quoted clause.
  bool scare_quote(uint32_t i) const {
    if (norms_[i] != "\"") return false;
    for (uint32_t d = 1; d <= 4; ++d) {
      if (i + d < norms_.size() && norms_[i + d] == "\"") return true;
      if (i >= d && norms_[i - d] == "\"") return true;
    }
    return false;
  }

  bool word_within(const std::vector<std::string>& words, uint32_t b, uint32_t e) const {
    for (uint32_t i = b; i < e; ++i)
      if (std::find(words.begin(), words.end(), norms_[i]) != words.end()) return true;
    return false;
  }

  // A sentence about the past: "in 1988", a year at least four years before the article's date.
  // A year in a "since" clause dates a baseline, not the sentence's event ("the first visit
  // ... since the two countries established ties in 1992").
  bool recounts_history(uint32_t b, uint32_t e) const { return history_from(b, e) != kNone; }

  // Where a sentence starts recounting an old year ("in 1988"): `b`, or the start of the
  // relative clause that holds the year ("..., the school from which he graduated in 1961"),
  // so the acts before that clause still count. kNone when it recounts none.
  uint32_t history_from(uint32_t b, uint32_t e) const {
    if (day_ >= std::numeric_limits<int32_t>::max() - 1) return kNone;
    const int year_now = std::stoi(iso_from_days(day_).substr(0, 4));
    for (uint32_t i = b; i + 1 < e; ++i) {
      if (norms_[i] != "in" || !toks_[i + 1].number || norms_[i + 1].size() != 4) continue;
      const int year = std::atoi(norms_[i + 1].c_str());
      if (!(year > 1000 && year <= year_now - 4)) continue;
      bool since = false;
      for (uint32_t j = i; j > b && i - j < 10 && !since; --j) {
        if (norms_[j - 1] == "," || stops_clause(j - 1)) break;
        since = norms_[j - 1] == "since";
      }
      if (since) continue;
      // A relative clause that runs from its word to the year: only it recounts.
      for (uint32_t j = i; j > b + 1 && i - j < 14; --j) {
        const std::string& w = norms_[j - 1];
        if (w == "which" || w == "where" || w == "whom") {
          const uint32_t r = norms_[j - 2] == "from" || norms_[j - 2] == "in" || norms_[j - 2] == "at"
                                 ? j - 2
                                 : j - 1;
          return r;
        }
        if (w == "," || w == ";" || w == "(") break;
      }
      return b;
    }
    return kNone;
  }

  // "met visiting Chinese Foreign Minister Wang Yi": a participle before a title describes
  // the titled person; it is not a verb.
  bool describes_title(uint32_t tb, uint32_t te, uint32_t sb, uint32_t se) const {
    if (!norms_[te - 1].ends_with("ing")) return false;
    // Only where a verb cannot stand: "met with visiting ...", "Visiting ..." at the start;
    // ", meeting Ukrainian President X" is a verb.
    if (tb > sb && !kPrepositions.count(norms_[tb - 1])) return false;
    for (uint32_t j = te; j < se && j < te + 3; ++j) {
      if (title_len_[j]) return true;
      if (!(toks_[j].word && toks_[j].cap)) return false;
    }
    return false;
  }

  // "China's support", "the attack": after a possessive or an article a verb trigger's word
  // is a noun.
  bool reads_as_noun(uint32_t tb, uint32_t sb) const {
    if (tb <= sb) return false;
    const std::string& w = norms_[tb - 1];
    // "an air strike", "a drone attack": a noun after a noun that classifies it.
    static const std::unordered_set<std::string> kNounModifiers = {
        "air", "missile", "drone", "military", "rocket", "artillery", "terror", "terrorist",
        "cyber", "hunger", "general"};
    // A past form after a classifier is a verb: "the Israeli military struck Hezbollah".
    const std::string& form = norms_[tb];
    const bool past = form.ends_with("ed") || form == "struck" || form == "fought";
    return w == "'s" || kDeterminers.count(w) || kPossessivePronouns.count(w) ||
           (kNounModifiers.count(w) && !past);
  }

  void find_relations(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms) {
    const uint32_t sb = s.first_token, se = s.end_token;
    const Cues& cues = k_.cues();
    if (sports_article_ || find_cue(cues.sports, sb, se, se) != kNone ||
        find_cue(cues.history, sb, se, se) != kNone)
      return;
    const uint32_t history = history_from(sb, se);
    if (history == sb) return;
    const bool sports_context = find_cue(cues.sports_context, sb, se, se) != kNone;
    const uint32_t according = find_cue(cues.attribution, sb, se, se);
    uint32_t accusation = kNone;  // the first "accuses" trigger of the sentence
    for (uint32_t i = sb; i < se; ++i) {
      const auto hits = k_.match_triggers(norms_, i, se);
      for (const auto& hit : hits) {
        const RelationType& rt = k_.relation_types()[hit.type];
        const Trigger& tr = rt.triggers[hit.trigger];
        const uint32_t tb = i, te = i + hit.length;
        if (history != kNone && tb >= history) break;
        if (rt.name == "accuses" && accusation == kNone) accusation = tb;
        if (sports_context && kSportsMetaphorTypes.count(rt.name)) continue;
        // A trigger word inside an actor's name ("Trade Organization") is not a trigger.
        bool inside = false;
        for (const Mention& m : ms)
          if (tb >= m.b && tb < m.e) inside = true;
        if (inside || (tr.verb && (reads_as_noun(tb, sb) || describes_title(tb, te, sb, se)))) continue;
        if (!tr.verb && te < se && kModifiedNouns.count(norms_[te])) continue;
        // "and still imports most of its gas from Russia": after such an adverb it is a verb.
        if (!tr.verb && tb > sb && (norms_[tb - 1] == "still" || norms_[tb - 1] == "also"))
          continue;
        // A topic, not an act: "the two leaders discussed trade", "talks about aid", and
        // further down the list, "to discuss security in the Baltic and support for Ukraine".
        if (tb > sb && kTopicWords.count(norms_[tb - 1])) continue;
        if (!tr.verb) {
          bool topic = false;
          for (uint32_t j = tb; j > sb && tb - j < 10; --j) {
            const std::string& w = norms_[j - 1];
            if (w == "," || w == "." || stops_clause(j - 1) || mention_ending_at(ms, j) != kNone)
              break;
            if (w.starts_with("discuss")) topic = true;
          }
          if (topic) continue;
        }
        if (!tr.excludes_after.empty() && word_within(tr.excludes_after, te, std::min(se, te + 3)))
          continue;
        if (!tr.requires_before.empty()) {
          // Past the act's name: "joined the alliance's Cold Response exercise".
          uint32_t from = tb;
          while (from > sb && tb - from < 4 && (toks_[from - 1].cap || norms_[from - 1] == "'s")) --from;
          const uint32_t reach = from < tb ? 4 : 3;  // "part in the alliance's exercise"
          if (!word_within(tr.requires_before, from >= sb + reach ? from - reach : sb, tb)) continue;
        }
        if (!tr.requires_after.empty() && !word_within(tr.requires_after, te, std::min(se, te + 8)) &&
            !(is_passive(tr, tb, te, sb) && word_within(tr.requires_after, tb >= sb + 6 ? tb - 6 : sb, tb)) &&
            !(tr.verb && relative_object(tr.requires_after, tb, sb)))
          continue;
        // "..., according to South Korean intelligence" after a verb of war or of arming
        // reports a claim about others (after a trade figure it is only a source).
        const bool claimed_after = tr.verb && (rt.name == "attacks" || rt.name == "supports") &&
                                   according_after(tb, se);
        // A second accusation ("X accused Y of ..., while Y has accused X of ...") is stated,
        // not claimed.
        const bool accusing = rt.name == "accuses";
        const bool attributed =
            (according != kNone && according < tb &&
             !(accusing && norms_[according].starts_with("accus"))) ||
            (accusation != kNone && accusation < tb && !accusing) || claimed_after;
        if (emit(sentence, s, ms, hit.type, tr, tb, te, attributed)) break;
      }
    }
  }

  // "the protocol that Sisi and his Somali counterpart signed": one of `words` is the object
  // of the relative clause the verb at `tb` ends.
  bool relative_object(const std::vector<std::string>& words, uint32_t tb, uint32_t sb) const {
    for (uint32_t r = tb; r > sb + 1 && tb - r < 14; --r) {
      const std::string& w = norms_[r - 1];
      if (w == "," || w == "." || stops_clause(r - 1)) {
        if (w != "that" && w != "which") return false;
      }
      if (w == "that" || w == "which") {
        const std::string& head = norms_[r - 2] == "," && r > sb + 2 ? norms_[r - 3] : norms_[r - 2];
        return std::find(words.begin(), words.end(), head) != words.end();
      }
      // Without "that": "a treaty the two countries signed", "the deal Kenya signed".
      if (r < tb && tb - r < 6 && (norms_[r] == "the" || norms_[r] == "both" || toks_[r].cap) &&
          std::find(words.begin(), words.end(), w) != words.end())
        return true;
    }
    return false;
  }

  // "was attacked by", "missiles supplied by": the passive, written with a form of "be" or
  // as a participle right after its noun with the agent introduced by "by".
  bool is_passive(const Trigger& tr, uint32_t tb, uint32_t te, uint32_t sb) const {
    if (!tr.verb) return false;
    const std::string& form = norms_[te - 1];
    if (!(form.ends_with("ed") || form == "met" || form == "struck" || form == "spoken")) return false;
    uint32_t before = tb;
    while (before > sb && is_adverb(norms_[before - 1])) --before;
    if (before > sb && kBeForms.count(norms_[before - 1])) return true;
    // A reduced relative clause: "the Sudanese Armed Forces, led by General X,".
    if (before > sb && norms_[before - 1] == "," && te < norms_.size() && norms_[te] == "by")
      return true;
    return before > sb && te < norms_.size() && norms_[te] == "by" && toks_[before - 1].word &&
           !toks_[before - 1].cap && !kPrepositions.count(norms_[before - 1]) &&
           norms_[before - 1] != "have" && norms_[before - 1] != "has" && norms_[before - 1] != "had";
  }

  // Intent is not action: "will hold drills next year", "agreed to expand sanctions".
  // "agreed at their first summit to hold annual military exercises", "invited Modi to
  // visit", "urged both sides to sign": the trigger (or the phrase it heads) is an infinitive
  // governed, further back in its clause, by a word of intent, plan or appeal.
  bool infinitive_of_intent(uint32_t tb, uint32_t sb) const {
    static const std::array<std::string_view, 24> kIntentStems = {
        "agree", "planned", "pledg", "vow", "promis", "decid", "aim", "hope", "hoping", "intend",
        "seek", "sought", "want", "expect", "threat", "propos", "prepar", "commit", "consider",
        "urg", "invit", "ready", "willing", "keen"};
    uint32_t to = kNone;
    for (uint32_t j = tb; j > sb && tb - j < 9; --j) {
      const Token& t = toks_[j - 1];
      if (norms_[j - 1] == "to") {
        to = j - 1;
        break;
      }
      if (!(t.word || norms_[j - 1] == "-") || t.cap) return false;
    }
    if (to == kNone) return false;
    for (uint32_t j = to; j > sb && to - j < 11; --j) {
      const std::string& w = norms_[j - 1];
      if (w == ";" || w == "." || w == "\"" || w == "that" || w == "and" || w == "but") return false;
      if (w == "plan" || w == "plans" || w == "planning") return true;
      for (std::string_view stem : kIntentStems)
        if (w.starts_with(stem)) return true;
    }
    return false;
  }

  bool intended(const Trigger& tr, uint32_t tb, uint32_t te, uint32_t sb, uint32_t se) const {
    const Cues& cues = k_.cues();
    // "Poland will no longer send weapons": an act that stops now, told as a negation.
    if (tb >= sb + 3 && norms_[tb - 2] == "no" && norms_[tb - 1] == "longer" &&
        (norms_[tb - 3] == "will" || norms_[tb - 3] == "would"))
      return false;
    if (find_cue(cues.modality, tb >= sb + 5 ? tb - 5 : sb, tb, tb) != kNone) return true;
    if (infinitive_of_intent(tb, sb)) return true;
    // After a noun, only right after it: "sanctions would follow", not a later clause's "if".
    const uint32_t after_end = std::min(se, te + 3);
    for (uint32_t i = te; i < after_end; ++i)
      if (norms_[i] == "," || norms_[i] == "and") return false;
    return !tr.verb && find_cue(cues.modality, te, after_end, se) != kNone;
  }

  // A noun trigger's subject: a possessive ("Russia's invasion of"), a pre-modifier
  // ("China-Russia trade", "Chinese and Russian warships"), or "by X".
  ArgList noun_subject(const std::vector<Mention>& ms, const SentenceSpan& s, uint32_t tb,
                       uint32_t te, uint32_t max_gap = 4) const {
    ArgList subj;
    for (int mi = static_cast<int>(ms.size()) - 1; mi >= 0; --mi) {
      const Mention& m = ms[static_cast<size_t>(mi)];
      if (m.e > tb) continue;
      if (tb - m.e > max_gap) break;
      // "the U.S.-led RIMPAC exercise": the leader of the act is not who does it here.
      if (m.e + 1 < tb && norms_[m.e] == "-" && norms_[m.e + 1] == "led") break;
      bool only_modifiers = true;
      for (uint32_t j = m.e; j < tb; ++j)
        if (!(norms_[j] == "'s" || norms_[j] == "-" || scare_quote(j) ||
              (toks_[j].word && !toks_[j].cap && !kPrepositions.count(norms_[j]) &&
               !kClauseStops.count(norms_[j]))))
          only_modifiers = false;
      if (!only_modifiers || !usable(m, false)) break;
      subj.mentions.push_back(static_cast<uint32_t>(mi));
      coordinate(ms, static_cast<uint32_t>(mi), -1, subj.mentions, s, false);
      if (mi > 0 && ms[static_cast<size_t>(mi) - 1].e + 1 == m.b && norms_[m.b - 1] == "-")
        subj.mentions.push_back(static_cast<uint32_t>(mi) - 1);
      break;
    }
    // "Egypt's efforts to deliver aid to Gaza": the owner of the effort.
    if (subj.mentions.empty() && tb >= s.first_token + 5) {
      uint32_t j = tb;
      if (kDeterminers.count(norms_[j - 1])) --j;
      if (j >= s.first_token + 4 && toks_[j - 1].word && !toks_[j - 1].cap && norms_[j - 2] == "to" &&
          toks_[j - 3].word && !toks_[j - 3].cap && norms_[j - 4] == "'s") {
        const uint32_t owner = mention_ending_at(ms, j - 4);
        if (owner != kNone && usable(ms[owner], false) && !is_person(ms[owner].entity))
          subj.mentions.push_back(owner);
      }
    }
    if (subj.mentions.empty() && te < s.end_token && norms_[te] == "by")
      subj = right_argument(ms, te, s, {"by"}, false, 3);
    return subj;
  }

  // Is the noun phrase of the trigger at `tb` an adverbial or an apposition ("at the end of
  // a three-day visit to China", ", a surprise trip to Moscow")? Then its subject is the
  // clause's.
  bool in_adverbial_phrase(uint32_t tb, uint32_t sb) const {
    uint32_t j = tb;
    while (j > sb && j + 4 > tb && toks_[j - 1].word && !toks_[j - 1].cap &&
           !kPrepositions.count(norms_[j - 1]))
      --j;
    if (j > sb && norms_[j - 1] == "-") return in_adverbial_phrase(j - 1, sb);
    return j > sb && (kPrepositions.count(norms_[j - 1]) || norms_[j - 1] == ",");
  }

  // Does the noun phrase of the trigger at `tb` follow "after", "before", "following" ...?
  bool after_temporal_preposition(uint32_t tb, uint32_t sb) const {
    static const std::unordered_set<std::string> kTemporal = {"after", "before", "following",
                                                              "since", "ahead", "until"};
    for (uint32_t j = tb; j > sb && tb - j < 4; --j) {
      if (kTemporal.count(norms_[j - 1])) return true;
      // "after months of talks"
      if (!(toks_[j - 1].word && !toks_[j - 1].cap) ||
          (kPrepositions.count(norms_[j - 1]) && norms_[j - 1] != "of"))
        break;
    }
    return false;
  }

  // Is token `i` inside a quotation opened in this sentence? ("'Venezuela has been a victim,'
  // Lula said, praising Maduro": Venezuela is quoted, not the one praising.)
  bool quoted(uint32_t i, uint32_t sb) const {
    bool open = false;
    for (uint32_t j = sb; j < i; ++j)
      if (norms_[j] == "\"" && !scare_quote(j)) open = !open;
    return open;
  }

  // "Hungary's ruling Fidesz party": a possessor whose noun is another actor, not one that
  // acts for it ("China's foreign ministry", "Russia's military").
  bool owns_other_actor(const Mention& m, uint32_t limit) const {
    static const std::unordered_set<std::string> kOtherActors = {
        "party", "opposition", "company", "companies", "firm", "firms", "rebels", "media",
        "militia", "militias", "critics", "lawmakers", "politicians", "ally", "allies",
        "partners", "neighbours", "neighbors", "rivals", "court", "courts"};
    if (m.e >= limit || norms_[m.e] != "'s") return false;
    for (uint32_t j = m.e + 1; j < limit && j < m.e + 5 && toks_[j].word; ++j)
      if (kOtherActors.count(norms_[j])) return true;
    return false;
  }

  // "In a phone call with Erdoğan, Putin said ...": a noun trigger in a phrase that opens the
  // sentence has the subject of the clause after the phrase's comma.
  ArgList fronted_phrase_subject(const std::vector<Mention>& ms, const SentenceSpan& s,
                                 uint32_t tb, uint32_t te) const {
    const uint32_t sb = s.first_token;
    if (!kPrepositions.count(norms_[sb])) return {};
    for (uint32_t j = sb; j < tb; ++j)
      if (norms_[j] == "," || stops_clause(j)) return {};
    uint32_t comma = kNone;
    for (uint32_t j = te; j < s.end_token && j < te + 16 && comma == kNone; ++j) {
      if (stops_clause(j)) return {};
      if (norms_[j] == ",") comma = j;
    }
    if (comma == kNone) return {};
    // The phrase names the other side ("with Erdoğan"); "After the talks, A and B signed"
    // says nothing of who talked.
    bool other_side = false;
    for (const Mention& m : ms) other_side |= m.b >= te && m.e <= comma;
    if (!other_side) return {};
    ArgList subj;
    for (uint32_t mi = 0; mi < ms.size(); ++mi) {
      const Mention& m = ms[mi];
      if (m.b <= comma) continue;
      if (m.b > comma + 4) break;
      if (!usable(m, false) || m.possessive) continue;
      subj.mentions.push_back(mi);
      subj.distance = m.b - te;
      coordinate(ms, mi, +1, subj.mentions, s, false);
      break;
    }
    return subj;
  }

  // The subject of a verb trigger in active voice.
  ArgList verb_subject(const std::vector<Mention>& ms, const SentenceSpan& s, uint32_t tb,
                       uint32_t te) const {
    const uint32_t sb = s.first_token;
    uint32_t before = tb;
    while (before > sb && is_adverb(norms_[before - 1])) --before;
    // ", praising Putin": the clause's first actor (not the owner of another actor:
    // "Hungary's ruling Fidesz party ..., accusing Swedish politicians").
    if (norms_[te - 1].ends_with("ing") && before > sb && norms_[before - 1] == ",") {
      ArgList subj;
      // Outside quotations first: in "'Venezuela has been a victim,' Lula said, praising
      // Maduro" the quoted name is not the speaker.
      for (const bool in_quote : {false, true}) {
        for (uint32_t mi = 0; mi < ms.size() && subj.mentions.empty(); ++mi)
          if (ms[mi].e <= tb && usable(ms[mi], false) && !ms[mi].possessive &&
              !owns_other_actor(ms[mi], tb) && quoted(ms[mi].b, sb) == in_quote) {
            subj.mentions.push_back(mi);
            subj.distance = tb - ms[mi].e;
          }
        if (!subj.mentions.empty()) break;
      }
      return subj;
    }
    // "Erdogan phoned Putin to congratulate him": an infinitive of purpose after an object has
    // the clause's subject; after a request ("urged Kyiv to strike") it is only asked for.
    if (before > sb + 1 && norms_[before - 1] == "to") {
      const uint32_t m = mention_ending_at(ms, before - 1);
      if (m != kNone && !ms[m].locative) {
        static const std::unordered_set<std::string> kRequests = {
            "urged", "urge", "urges", "urging", "asked", "ask", "asks", "asking", "pressed",
            "press", "presses", "pressing", "called", "invited", "invite", "invites",
            "encouraged", "encourage", "encourages", "allowed", "allow", "allows", "told",
            "tell", "tells", "persuade", "persuaded", "begged", "implored", "wanted", "want",
            "wants", "expects", "expected", "forced", "warned", "advised", "permitted"};
        uint32_t v = ms[m].b;
        while (v > sb && (kDeterminers.count(norms_[v - 1]) || kHonorifics.count(norms_[v - 1]) ||
                          norms_[v - 1] == "."))
          --v;
        if (v > sb && (kRequests.count(norms_[v - 1]) || norms_[v - 1] == "on")) return ArgList{};
        if (v > sb && toks_[v - 1].word && !toks_[v - 1].cap && norms_[v - 1].ends_with("ed")) {
          ArgList subj = clause_subject(ms, tb, s, false);
          if (!subj.mentions.empty()) return subj;
        }
      }
    }
    // "Dissanayake visited New Delhi, before travelling to Beijing": a gerund after a
    // temporal conjunction has the clause's subject.
    if (norms_[te - 1].ends_with("ing") && before > sb &&
        (norms_[before - 1] == "before" || norms_[before - 1] == "after" ||
         norms_[before - 1] == "while" || norms_[before - 1] == "since")) {
      ArgList subj = clause_subject(ms, tb, s, false);
      if (!subj.mentions.empty()) return subj;
    }
    // A gerund after "of" or "for": its subject is the actor right before the preposition
    // ("accused China of harassing", "the Rwandan army of attacking", "criticised Modi for
    // embracing"); after a plain noun it has none ("the tradition of visiting India").
    if (norms_[te - 1].ends_with("ing") && before > sb + 1 &&
        (norms_[before - 1] == "of" || norms_[before - 1] == "for")) {
      static const std::unordered_set<std::string> kOwnedNouns = {
          "army", "military", "government", "forces", "troops", "navy", "authorities",
          "regime", "leadership", "officials"};
      uint32_t q = before - 1;
      if (mention_ending_at(ms, q) == kNone && q > sb + 1 && kOwnedNouns.count(norms_[q - 1])) --q;
      const uint32_t m = mention_ending_at(ms, q);
      if (m != kNone && usable(ms[m], false) && !ms[m].possessive) {
        ArgList subj;
        subj.mentions.push_back(m);
        subj.distance = tb - ms[m].e;
        coordinate(ms, m, -1, subj.mentions, s, false);
        return subj;
      }
      // "the tradition of", "its policy of", but not "stopped short of".
      bool determined = false;
      for (uint32_t j = q - 1; j > sb && q - j < 4 && toks_[j - 1].word && !toks_[j - 1].cap; --j)
        determined |= kDeterminers.count(norms_[j - 1]) || kPossessivePronouns.count(norms_[j - 1]);
      if (m == kNone && toks_[q - 1].word && !toks_[q - 1].cap && determined) return ArgList{};
    }
    // A second verb of the same subject: "X said ... and accused Manila"; after ", and" the
    // subject is the sentence's ("Peskov told reporters that ..., and accused Washington").
    static const std::unordered_set<std::string> kAuxiliaries = {
        "also", "did", "does", "do", "not", "n't", "has", "have", "had", "never", "then",
        "later", "was", "were", "is", "are"};
    while (before > sb && (kAuxiliaries.count(norms_[before - 1]) || is_adverb(norms_[before - 1])))
      --before;
    if (before > sb && norms_[before - 1] == "and") {
      const bool after_comma = before > sb + 1 && norms_[before - 2] == ",";
      ArgList subj = clause_subject(ms, tb, s, after_comma);
      if (!subj.mentions.empty()) return subj;
    }
    // "Guterres deplored the escalation, but did not condemn Iran": the sentence's subject.
    if (before > sb + 1 && norms_[before - 1] == "but" && norms_[before - 2] == ",") {
      ArgList subj = clause_subject(ms, tb, s, true);
      if (!subj.mentions.empty()) return subj;
    }
    // "Xi, who visited Riyadh": the relative pronoun's antecedent.
    if (before > sb && (norms_[before - 1] == "who" || norms_[before - 1] == "which" ||
                        (norms_[before - 1] == "that" && described_actor(ms, before - 1, s) != kNone)))
      return clause_subject(ms, tb, s, false);
    return left_argument(ms, tb, s, 14);
  }

  // "X is Y's largest supplier of arms": the copula's subject and the possessor.
  bool copular_arguments(const std::vector<Mention>& ms, const SentenceSpan& s, uint32_t tb,
                         uint32_t te, ArgList& subj, ArgList& obj) const {
    // "China is the largest trading partner of both Japan and South Korea".
    if (te + 1 < s.end_token && norms_[te] == "of") {
      uint32_t b = tb;
      while (b > s.first_token && toks_[b - 1].word && !toks_[b - 1].cap &&
             !kBeForms.count(norms_[b - 1]) && !is_adverb(norms_[b - 1]) && tb - b < 4)
        --b;
      while (b > s.first_token && is_adverb(norms_[b - 1])) --b;
      static const std::unordered_set<std::string> kCopulasOf = {"is", "was", "remains", "became"};
      const uint32_t first = norms_[te + 1] == "both" ? te + 2 : te + 1;
      const uint32_t m = mention_starting_at(ms, first);
      if (b > s.first_token && kCopulasOf.count(norms_[b - 1]) && m != kNone && usable(ms[m], false)) {
        obj.mentions = {m};
        coordinate(ms, m, +1, obj.mentions, s, false, ListOf::noun_object);
        subj = left_argument(ms, b - 1, s, 4);
        if (!subj.mentions.empty()) return true;
      }
    }
    obj = noun_subject(ms, s, tb, te, 6);
    if (obj.mentions.empty()) return false;
    const Mention& owner = ms[obj.mentions.front()];
    if (owner.e >= s.end_token || norms_[owner.e] != "'s") return false;
    // "Australia's largest trading partner remains China": the copula follows.
    if (te + 1 < s.end_token &&
        (norms_[te] == "is" || norms_[te] == "remains" || norms_[te] == "was")) {
      const uint32_t first = norms_[te + 1] == "still" ? te + 2 : te + 1;
      const uint32_t m = mention_starting_at(ms, first);
      if (m != kNone && usable(ms[m], false) && !is_person(ms[m].entity) &&
          (ms[m].e >= s.end_token || norms_[ms[m].e] != "'s")) {
        subj.mentions = {m};
        return true;
      }
    }
    uint32_t b = owner.b;
    while (b > s.first_token && kDeterminers.count(norms_[b - 1])) --b;
    // An apposition says it as well: "China, Pakistan's closest ally and main arms supplier,".
    if (b > s.first_token + 1 && norms_[b - 1] == "," && (te >= s.end_token || norms_[te] == ",")) {
      const uint32_t named = mention_ending_at(ms, b - 1);
      if (named != kNone && usable(ms[named], false) && !is_person(ms[named].entity)) {
        subj.mentions = {named};
        return true;
      }
    }
    // "X is one of Y's largest trading partners", "X is among Y's biggest backers".
    if (b > s.first_token + 1 && norms_[b - 1] == "of" && norms_[b - 2] == "one") b -= 2;
    else if (b > s.first_token && norms_[b - 1] == "among") --b;
    while (b > s.first_token && is_adverb(norms_[b - 1])) --b;
    if (b > s.first_token && norms_[b - 1] == "long") --b;
    // "X remains Y's largest trading partner", "with Brazil remaining Argentina's ...".
    static const std::unordered_set<std::string> kCopulas = {
        "remains", "remained", "remain", "remaining", "became", "become", "becomes", "becoming"};
    if (!(b > s.first_token && (kBeForms.count(norms_[b - 1]) || kCopulas.count(norms_[b - 1]))))
      return false;
    // "China, including Hong Kong, is still Taiwan's largest trading partner".
    uint32_t at = b - 1;
    if (at > s.first_token + 3 && norms_[at - 1] == ",") {
      uint32_t k = at - 1;
      while (k > s.first_token && k + 6 > at && norms_[k - 1] != "including" &&
             norms_[k - 1] != "excluding" && norms_[k - 1] != ",")
        --k;
      if (k > s.first_token + 1 && (norms_[k - 1] == "including" || norms_[k - 1] == "excluding") &&
          norms_[k - 2] == ",")
        at = k - 2;
    }
    subj = left_argument(ms, at, s, 4);
    return !subj.mentions.empty();
  }

  // "Lee sent Prabowo a congratulatory letter": a noun trigger after a verb of giving and its
  // indirect object. Returns the verb's token (its subject is the act's subject) and sets
  // `receiver` to the indirect object's mention; kNone when the noun does not stand so.
  uint32_t giving_verb_before(const std::vector<Mention>& ms, const SentenceSpan& s, uint32_t tb,
                              uint32_t& receiver) const {
    static const std::unordered_set<std::string> kGiving = {
        "sent", "send", "sends", "sending", "gave", "give", "gives", "giving", "wrote",
        "writes", "write", "handed", "offered", "offers", "offer", "extended", "extends",
        "conveyed", "conveys", "paid", "pays"};
    uint32_t j = tb;
    // Back over the noun's modifiers to its article: "a warm congratulatory".
    while (j > s.first_token && toks_[j - 1].word && !toks_[j - 1].cap &&
           !kDeterminers.count(norms_[j - 1]) && !kGiving.count(norms_[j - 1]) && tb - j < 3)
      --j;
    if (j > s.first_token && kDeterminers.count(norms_[j - 1]) && norms_[j - 1] != "the") --j;
    const uint32_t m = mention_ending_at(ms, j);
    if (m == kNone) return kNone;
    uint32_t b = ms[m].b;
    while (b > s.first_token && (norms_[b - 1] == "mr" || norms_[b - 1] == "mrs" ||
                                 norms_[b - 1] == "ms" || norms_[b - 1] == "dr" ||
                                 norms_[b - 1] == "."))
      --b;
    if (b <= s.first_token || !kGiving.count(norms_[b - 1])) return kNone;
    receiver = m;
    return b - 1;
  }

  // "New Zealand joined Britain and Canada in imposing sanctions on X": the ones joined act
  // too. Adds them to `subj` when the act at `tb` follows "joined <actors> in <verb>ing".
  void add_joined_partners(const std::vector<Mention>& ms, const SentenceSpan& s, uint32_t tb,
                           ArgList& subj) const {
    if (subj.mentions.empty()) return;
    uint32_t in = kNone;
    for (uint32_t j = tb; j > s.first_token + 1 && tb - j < 8; --j) {
      const std::string& w = norms_[j - 1];
      if (w == "in" && norms_[j].ends_with("ing")) {
        in = j - 1;
        break;
      }
      if (!toks_[j - 1].word || toks_[j - 1].cap) return;
    }
    if (in == kNone) return;
    std::vector<uint32_t> partners;
    uint32_t at = in;
    for (;;) {
      const uint32_t m = mention_ending_at(ms, at);
      if (m == kNone) break;
      partners.push_back(m);
      at = ms[m].b;
      if (at > s.first_token && (norms_[at - 1] == "," || norms_[at - 1] == "and")) {
        --at;
        if (at > s.first_token && norms_[at] == "and" && norms_[at - 1] == ",") --at;
        continue;
      }
      break;
    }
    if (partners.empty() || at <= s.first_token) return;
    const std::string& verb = norms_[at - 1];
    if (verb != "joined" && verb != "joins" && verb != "join" && verb != "joining") return;
    for (uint32_t m : partners)
      if (std::find(subj.mentions.begin(), subj.mentions.end(), m) == subj.mentions.end())
        subj.mentions.push_back(m);
  }

  // Is "according to" somewhere in [from, end)?
  bool according_after(uint32_t from, uint32_t end) const {
    for (uint32_t i = from; i + 1 < end; ++i)
      if (norms_[i] == "according" && norms_[i + 1] == "to") return true;
    return false;
  }

  // Applies one trigger occurrence; true when it produced a relation.
  bool emit(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms,
            uint16_t type, const Trigger& tr, uint32_t tb, uint32_t te, bool attributed) {
    const uint32_t sb = s.first_token, se = s.end_token;
    const RelationType& rt = k_.relation_types()[type];
    if (intended(tr, tb, te, sb, se)) return false;
    if (tr.passive_only && !is_passive(tr, tb, te, sb)) return false;

    ArgList subj, obj;
    if (tr.copular) {
      if (!copular_arguments(ms, s, tb, te, subj, obj)) return false;
      // "China is Nepal's second-largest trading partner after India": India is one too.
      if (rt.symmetric && te + 1 < se && norms_[te] == "after" && !obj.mentions.empty()) {
        uint32_t other = mention_starting_at(ms, te + 1);
        if (other == kNone && norms_[te + 1] == "the") other = mention_starting_at(ms, te + 2);
        if (other != kNone && usable(ms[other], false) && !is_person(ms[other].entity))
          add_relation(type, ms[other].entity, ms[obj.mentions.front()].entity, sentence,
                       false, attributed, 0.7f);
      }
    } else if (!tr.subject.empty()) {
      // "with help from X": the subject follows (after "from", a state is no place here), the
      // one helped precedes.
      // ("bought most of its heavy weapons in recent years from the United States": a verb's
      // phrase runs longer than a noun's.)
      subj = right_argument(ms, te, s, tr.subject, true, tr.verb ? 10 : 3);
      obj = left_argument(ms, tb, s, 4);
      // "Israel's military said the projectiles were intercepted with help from the US".
      if (obj.mentions.empty() && !subj.mentions.empty()) obj = clause_subject(ms, tb, s, true);
    } else if (is_passive(tr, tb, te, sb)) {
      obj = left_argument(ms, tb, s, 12);
      // "congratulated Faye in a statement signed by his spokesman": a participle right after
      // a noun that names no actor is signed, met or traded by the agents only.
      static const std::unordered_set<std::string> kBe = {"was", "were", "is", "are", "been",
                                                          "be", "being"};
      if (rt.symmetric && tr.verb && tb > sb && mention_ending_at(ms, tb) == kNone &&
          toks_[tb - 1].word && !toks_[tb - 1].cap && !kBe.count(norms_[tb - 1]) &&
          !is_adverb(norms_[tb - 1]))
        obj.mentions.clear();
      // "the G20 summit hosted by India": the event is hosted, not the name before it.
      static const std::unordered_set<std::string> kEventNouns = {
          "summit", "meeting", "talks", "conference", "forum", "visit", "ceremony", "dinner",
          "session", "games", "exercises", "drills", "event", "festival"};
      if (!obj.mentions.empty() && ms[obj.mentions.front()].e + 1 == tb &&
          kEventNouns.count(norms_[tb - 1]))
        return false;
      // "was received at the headquarters of the Communist Party of Vietnam by X": the agent
      // may follow a place.
      if (te < se) subj = right_argument(ms, te, s, {"by"}, false, 12);
      if (subj.mentions.empty()) return false;
    } else {
      uint32_t receiver = kNone;
      if (!tr.verb) {
        const uint32_t giving = giving_verb_before(ms, s, tb, receiver);
        if (giving != kNone) subj = verb_subject(ms, s, giving, giving + 1);
      }
      // "Finnish soldiers took part in the alliance's Cold Response exercise": who takes part
      // in the act does it, whatever names the act.
      if (!tr.verb && subj.mentions.empty()) {
        for (uint32_t j = tb; j > sb + 1 && tb - j < 7; --j) {
          if (stops_clause(j - 1) || norms_[j - 1] == ",") break;
          const bool part_in = norms_[j - 1] == "in" && (norms_[j - 2] == "part" ||
                                                          norms_[j - 2].starts_with("participat"));
          if (!part_in) continue;
          uint32_t v = j - 2;
          if (norms_[v] == "part" && v > sb) --v;  // "took part", "take part"
          subj = verb_subject(ms, s, v, v + 1);
          break;
        }
      }
      if (!tr.verb && subj.mentions.empty()) {
        receiver = kNone;
        subj = noun_subject(ms, s, tb, te);
        // "the first visit to Brazil by the Venezuelan leader": the agent after the object.
        for (uint32_t j = te; subj.mentions.empty() && j < se && j < te + 7; ++j) {
          if (norms_[j] == "," || stops_clause(j)) break;
          if (norms_[j] != "by") continue;
          // "talks brokered by Caricom": the agent of a participle, not of the noun.
          if (!norms_[j - 1].ends_with("ed")) subj = right_argument(ms, j, s, {"by"}, false, 3);
          break;
        }
        if (subj.mentions.empty()) subj = fronted_phrase_subject(ms, s, tb, te);
        // "Trump visited U.S. troops and had lunch with Moon": the noun after a second verb
        // of the sentence has that verb's subject.
        if (subj.mentions.empty()) {
          static const std::unordered_set<std::string> kLightVerbs = {
              "had", "held", "hold", "holds", "made", "makes", "paid", "pays", "conducted",
              "began", "gave", "attended"};
          uint32_t j = tb;
          while (j > sb && (kDeterminers.count(norms_[j - 1]) ||
                            (toks_[j - 1].word && !toks_[j - 1].cap && is_adverb(norms_[j - 1]))))
            --j;
          if (j > sb + 1 && kLightVerbs.count(norms_[j - 1]) && norms_[j - 2] == "and")
            subj = clause_subject(ms, tb, s, j > sb + 2 && norms_[j - 3] == ",");
          // "A and B attended the signing after holding talks": the gerund's subject is the
          // clause's.
          static const std::unordered_set<std::string> kLightGerunds = {
              "holding", "having", "conducting", "making", "paying", "concluding"};
          if (subj.mentions.empty() && j > sb + 1 && kLightGerunds.count(norms_[j - 1]) &&
              (norms_[j - 2] == "after" || norms_[j - 2] == "before" ||
               norms_[j - 2] == "while" || norms_[j - 2] == ","))
            subj = clause_subject(ms, tb, s, false);
          // "the TTP, which has waged an insurgency against Pakistan": the relative's antecedent.
          static const std::unordered_set<std::string> kActVerbs = {
              "waged", "wage", "wages", "launched", "mounted", "staged", "carried", "conducted",
              "stepped", "led", "fought"};
          uint32_t v = j;
          while (v > sb && (adjective_like(norms_[v - 1]) || norms_[v - 1] == "out" ||
                            norms_[v - 1] == "up"))
            --v;
          if (subj.mentions.empty() && v > sb + 1 && kActVerbs.count(norms_[v - 1])) {
            uint32_t r = v - 1;
            while (r > sb && (norms_[r - 1] == "has" || norms_[r - 1] == "have" ||
                              norms_[r - 1] == "had" || is_adverb(norms_[r - 1])))
              --r;
            if (r > sb && (norms_[r - 1] == "which" || norms_[r - 1] == "who" ||
                           (norms_[r - 1] == "that" && described_actor(ms, r - 1, s) != kNone)))
              subj = clause_subject(ms, r, s, false);
          }
        }
        if (subj.mentions.empty() && in_adverbial_phrase(tb, sb)) {
          subj = clause_subject(ms, tb, s, false);
          // "A and B signed agreements after the talks" says nothing of who talked (but "A, B
          // and C wrapped up ten days of joint exercises" does).
          if (rt.symmetric && after_temporal_preposition(tb, sb) &&
              right_argument(ms, te, s, tr.parties, tr.places, 8).mentions.empty() &&
              right_argument(ms, te, s, tr.object, tr.places, 8).mentions.empty())
            return false;
        }
        if (subj.mentions.empty()) subj = left_argument(ms, tb, s, 14);
      } else if (tr.verb) {
        subj = verb_subject(ms, s, tb, te);
      }
      add_joined_partners(ms, s, tb, subj);
      obj = right_argument(ms, te, s, tr.object, tr.places, 8,
                           tr.verb ? ListOf::verb_object : ListOf::noun_object,
                           type == attacks_type_);
      if (receiver != kNone && obj.mentions.empty()) obj.mentions = {receiver};
    }
    // "the border region where the three countries meet" is geography, not a meeting.
    if (tr.verb && norms_[te - 1] == "meet" && !subj.mentions.empty()) {
      const uint32_t b = ms[subj.mentions.front()].b;
      if (b > sb && norms_[b - 1] == "where") return false;
    }
    // A city stands for its state only as the target of an attack ("Russia attacked Odesa");
    // reaching one is no state visit ("arrived in Kazan").
    // Not "attacked army positions in El Fasher" either: a city reached through "in" is where
    // the attack happened, and the attacker may be of the same state.
    const bool travel = rt.name == "visits" && tr.verb;
    if ((type != attacks_type_ || obj.preposition == "in") && !travel)
      obj.mentions.erase(std::remove_if(obj.mentions.begin(), obj.mentions.end(),
                                        [&](uint32_t mi) { return ms[mi].city; }),
                         obj.mentions.end());
    // "travelled to Brussels": the city that stands for the EU is where it sits, not a state
    // visited (nor a visit to the EU).
    if (rt.name == "visits")
      obj.mentions.erase(std::remove_if(obj.mentions.begin(), obj.mentions.end(),
                                        [&](uint32_t mi) {
                                          return ms[mi].source == Source::capital &&
                                                 out_.entities[ms[mi].entity].kind != EntityKind::country;
                                        }),
                         obj.mentions.end());
    // "called on Putin to end the war" is an appeal; "called on King Charles at Sandringham"
    // a visit to him.
    if (tr.verb && rt.name == "meets-with" && obj.preposition == "on" && !obj.mentions.empty()) {
      const uint32_t after = ms[obj.mentions.back()].e;
      if (after < se && (norms_[after] == "to" || norms_[after] == "for")) return false;
    }
    if (tr.person_object) {  // also in the passive: "Sánchez was received by Xi"
      auto& objects = obj.mentions;
      // "welcomed Erdogan's visit" welcomes the visit, not the man.
      objects.erase(std::remove_if(objects.begin(), objects.end(),
                                   [&](uint32_t mi) {
                                     return !is_person(ms[mi].entity) ||
                                            (ms[mi].e < se && norms_[ms[mi].e] == "'s");
                                   }),
                    objects.end());
      if (objects.empty()) return false;
    }
    // Only a person leads ("China heads the Security Council this month" is a rotation).
    if (rt.name == "leads") {
      auto& subjects = subj.mentions;
      subjects.erase(std::remove_if(subjects.begin(), subjects.end(),
                                    [&](uint32_t mi) { return !is_person(ms[mi].entity); }),
                     subjects.end());
      if (subjects.empty()) return false;
    }
    // "Jakarta has signed no comparable agreement with Beijing": "no" after the verb negates.
    const bool none_after = tr.verb && te < se && norms_[te] == "no";
    const Qualifiers q{none_after || negated(ms, subj, tb, sb), attributed,
                       confidence(tr, subj, obj, ms)};
    if (rt.symmetric) return emit_symmetric(sentence, s, ms, type, tr, tb, te, subj, obj, q);
    const auto subjects = entities_of(ms, subj.mentions);
    const auto is_subject = [&](uint32_t ent) {
      return std::find(subjects.begin(), subjects.end(), ent) != subjects.end();
    };
    std::vector<uint32_t> objects;
    for (uint32_t om : obj.mentions) {
      const Mention& m = ms[om];
      // "them" is never the subjects themselves ("... fighters, supported by Italian aircraft
      // and NATO tankers, shot down several of them").
      if (m.source == Source::coref && m.e == m.b + 1 && norms_[m.b] == "them" &&
          is_subject(m.entity))
        continue;
      if (m.source != Source::coref || m.e != m.b + 1 ||
          !(norms_[m.b] == "him" || norms_[m.b] == "her")) {
        objects.push_back(m.entity);
        if (m.entity2 != kNone) objects.push_back(m.entity2);
        if (m.entity3 != kNone) objects.push_back(m.entity3);
        continue;
      }
      // An object pronoun is not its own verb's subject: the most recent other compatible
      // person named before it in the sentence ("congratulating Modi ..., and Lula also
      // congratulated him"), else before the sentence ("Sharif and Muizzu also congratulated
      // him").
      const Gender want = norms_[m.b] == "him" ? Gender::male : Gender::female;
      const auto compatible = [&](uint32_t ent) {
        const Gender g = gender_of(ent);
        return !is_subject(ent) && (g == Gender::unknown || g == want);
      };
      uint32_t found = kNone;
      for (uint32_t j = om; j-- > 0 && found == kNone;) {
        const Mention& c = ms[j];
        if (c.b < m.b && is_person(c.entity) && c.entity2 == kNone && compatible(c.entity))
          found = c.entity;
      }
      // Before the sentence, the pronoun's own reading unless that is the subject.
      if (found == kNone && !is_subject(m.entity)) found = m.entity;
      for (auto it = recent_people_.rbegin(); it != recent_people_.rend() && found == kNone; ++it)
        if (compatible(*it)) found = *it;
      if (found != kNone) objects.push_back(found);
    }
    // "Erdogan and Mitsotakis congratulated each other": each subject acts on the others.
    if (objects.empty() && subjects.size() >= 2 && te + 1 < se &&
        ((norms_[te] == "each" && norms_[te + 1] == "other") ||
         (norms_[te] == "one" && norms_[te + 1] == "another")))
      objects = subjects;
    // "Xi and Kishida also sent messages of congratulation": with no one named, the one the
    // article's congratulations go to.
    // (Not in a phrase of its own: "In a congratulatory message relayed by CCTV, Xi told
    // Putin" gives its reader someone to follow.)
    const bool congratulation = rt.name == "congratulates";
    bool in_phrase = false;
    for (uint32_t j = tb; j > sb && tb - j < 4; --j)
      in_phrase |= norms_[j - 1] != "of" && kPrepositions.count(norms_[j - 1]) > 0;
    if (objects.empty() && congratulation && !in_phrase && last_congratulated_ != kNone &&
        !is_subject(last_congratulated_))
      objects.push_back(last_congratulated_);
    bool produced = false;
    for (uint32_t su : subjects)
      for (uint32_t ob : objects) {
        if (su == ob) continue;
        add_relation(type, su, ob, sentence, q.negated, q.attributed, q.confidence);
        if (congratulation && is_person(ob)) last_congratulated_ = ob;
        produced = true;
      }
    return produced;
  }

  struct Qualifiers {
    bool negated;
    bool attributed;
    float confidence;
  };

  // Negation before the trigger, within its clause, and not before its subject: that
  // belongs to another verb ("refusal to condemn Russia's attack").
  bool negated(const std::vector<Mention>& ms, const ArgList& subj, uint32_t tb, uint32_t sb) const {
    uint32_t clause_b = tb >= sb + 6 ? tb - 6 : sb;
    for (uint32_t mi : subj.mentions)
      if (ms[mi].e <= tb) clause_b = std::max(clause_b, ms[mi].e);
    // "... would not be intimidated, and accused China": the negation is another clause's.
    for (uint32_t j = tb; j > clause_b; --j) {
      const std::string& w = norms_[j - 1];
      if (w == "," || w == "but" || w == "while" || w == "whereas" || w == "although") {
        clause_b = j;
        break;
      }
    }
    if (find_cue(k_.cues().negation, clause_b, tb, tb) != kNone) return true;
    // "Peskov has denied that North Korean soldiers were fighting for Russia".
    if (!subj.mentions.empty()) {
      const uint32_t b = ms[subj.mentions.front()].b;
      if (b >= sb + 2 && norms_[b - 1] == "that") {
        const std::string& v = norms_[b - 2];
        if (v.starts_with("den") || v.starts_with("reject") || v.starts_with("dismiss"))
          return true;
      }
    }
    return false;
  }

  float confidence(const Trigger& tr, const ArgList& subj, const ArgList& obj,
                   const std::vector<Mention>& ms) const {
    float c = tr.verb ? 0.9f : 0.8f;
    if (subj.distance > 6) c -= 0.1f;
    bool coref = false;
    for (const ArgList* a : {&subj, &obj})
      for (uint32_t mi : a->mentions) coref |= ms[mi].source == Source::coref;
    return coref ? c - 0.15f : c;
  }

  static std::vector<uint32_t> entities_of(const std::vector<Mention>& ms,
                                           const std::vector<uint32_t>& list) {
    std::vector<uint32_t> out;
    for (uint32_t mi : list) {
      out.push_back(ms[mi].entity);
      if (ms[mi].entity2 != kNone) out.push_back(ms[mi].entity2);
      if (ms[mi].entity3 != kNone) out.push_back(ms[mi].entity3);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Symmetric relations. "talks between A and B" pairs A and B only (a host or mediator is
  // no party). A reciprocal trigger ("parties") pairs coordinated subjects with each other
  // and each subject with each party ("Japan has signed similar agreements with Australia
  // and Britain" is two agreements); a transitive one ("object") pairs subject and object.
  bool emit_symmetric(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms,
                      uint16_t type, const Trigger& tr, uint32_t tb, uint32_t te,
                      const ArgList& subj, const ArgList& obj, const Qualifiers& q) {
    // "signed a memorandum of understanding with the breakaway region of Somaliland".
    ArgList p = right_argument(ms, te, s, tr.parties, tr.places, 10);
    p.mentions.erase(std::remove_if(p.mentions.begin(), p.mentions.end(),
                                    [&](uint32_t mi) { return ms[mi].city; }),
                     p.mentions.end());
    const auto parties = entities_of(ms, p.mentions);
    auto parties_of_ok = [&](const ArgList& a) { return a.mentions.size() >= 2; };
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    auto all_pairs = [&](const std::vector<uint32_t>& ents) {
      for (size_t a = 0; a < ents.size(); ++a)
        for (size_t b = a + 1; b < ents.size(); ++b) pairs.push_back({ents[a], ents[b]});
    };
    // "a joint exercise of Armenian and U.S. troops": "of" names the parties too.
    const bool collective = p.preposition == "between" || p.preposition == "among" ||
                            p.preposition == "involving" ||
                            (p.preposition == "of" && parties_of_ok(p));
    const auto subjects = entities_of(ms, subj.mentions);
    // "memoranda covering trade, education and energy", "talks on trade": a topic, not an act.
    if (parties.empty() && obj.mentions.empty() && tb > s.first_token) {
      static const std::unordered_set<std::string> kTopicIntros = {
          "covering", "including", "on", "about", "regarding", "concerning", "in", "of"};
      if (kTopicIntros.count(norms_[tb - 1])) return false;
    }
    // Everyone in one exercise drills with everyone else: "Japanese warships joined RIMPAC
    // alongside South Korean and Australian vessels" is three pairs.
    const bool drill = k_.relation_types()[type].name == "drills-with";
    if (collective && parties.size() >= 2) {
      all_pairs(parties);
    } else if (drill && !subjects.empty() && parties.size() >= 2) {
      std::vector<uint32_t> everyone = subjects;
      // "Japanese warships joined the U.S.-led RIMPAC exercise": who leads it takes part, and
      // the clause's subject does, not only the leader named next to the act.
      for (uint32_t j = tb; j > s.first_token + 2 && tb - j < 4; --j)
        if (norms_[j - 1] == "led" && norms_[j - 2] == "-")
          if (const uint32_t leader = mention_ending_at(ms, j - 2); leader != kNone) {
            for (uint32_t e : entities_of(ms, clause_subject(ms, ms[leader].b, s, false).mentions))
              if (std::find(everyone.begin(), everyone.end(), e) == everyone.end()) everyone.push_back(e);
            everyone.push_back(ms[leader].entity);
          }
      std::sort(everyone.begin(), everyone.end());
      everyone.erase(std::unique(everyone.begin(), everyone.end()), everyone.end());
      for (uint32_t p2 : parties)
        if (std::find(everyone.begin(), everyone.end(), p2) == everyone.end()) everyone.push_back(p2);
      all_pairs(everyone);
    } else if (subjects.empty()) {
      // "a meeting with A and B" says someone met A and B, not that they met each other.
    } else {
      std::vector<uint32_t> others = entities_of(ms, obj.mentions);
      others.insert(others.end(), parties.begin(), parties.end());
      // "Finland and Denmark signed similar agreements with Washington": each signed with
      // Washington, not with each other.
      if (!tr.parties.empty() && !(type == signs_type_ && !others.empty())) all_pairs(subjects);
      for (uint32_t a : subjects)
        for (uint32_t b : others) pairs.push_back({a, b});
    }
    bool produced = false;
    for (const auto& [a, b] : pairs) {
      if (a == b) continue;
      add_relation(type, a, b, sentence, q.negated, q.attributed, q.confidence);
      produced = true;
    }
    return produced;
  }

  // ---- the coreference state -------------------------------------------------------------

  void remember(const std::vector<Mention>& ms) {
    for (uint32_t ent : title_states_) {
      recent_things_.erase(std::remove(recent_things_.begin(), recent_things_.end(), ent),
                           recent_things_.end());
      recent_things_.push_back(ent);
    }
    uint32_t first_person = kNone;
    for (const Mention& m : ms) {
      if (m.locative) continue;
      for (uint32_t ent : {m.entity, m.entity2, m.entity3}) {
        if (ent == kNone) continue;
        if (is_person(ent)) {
          ++mention_counts_[ent];
          if (first_person == kNone) first_person = ent;
          recent_people_.erase(std::remove(recent_people_.begin(), recent_people_.end(), ent),
                               recent_people_.end());
          recent_people_.push_back(ent);
          // "Chong" and "Wang" later refer back to Ja Ian Chong and Wang Yiwei. When two people
          // share the name, a bare "Kim" stays with the one the article talks about more (Kim
          // Jong Un, not a minister Kim Yung-ho quoted once).
          const auto parts = phrase_tokens(out_.entities[ent].name);
          if (parts.size() >= 2) {
            for (const auto& p : {parts.front(), parts.back()}) {
              if (p.size() < 2) continue;
              auto [it, fresh] = name_tokens_.try_emplace(p, ent);
              if (!fresh && it->second != ent &&
                  mention_counts_[ent] >= mention_counts_[it->second])
                it->second = ent;
            }
          }
        } else {
          recent_things_.erase(std::remove(recent_things_.begin(), recent_things_.end(), ent),
                               recent_things_.end());
          recent_things_.push_back(ent);
        }
      }
    }
    if (first_person != kNone) topic_person_ = first_person;
    // The opening actor, past a possessor ("Beijing's Taiwan Affairs Office reacted").
    topic_thing_ = kNone;
    size_t f = 0;
    while (f + 1 < ms.size() && ms[f].e < norms_.size() && norms_[ms[f].e] == "'s" &&
           ms[f + 1].b == ms[f].e + 1)
      ++f;
    if (f < ms.size() && !ms[f].locative && !ms[f].possessive && ms[f].source != Source::demonym &&
        ms[f].entity2 == kNone && !is_person(ms[f].entity))
      topic_thing_ = ms[f].entity;
  }

  void process_sentence(uint32_t index, const SentenceSpan& s) {
    appositions_.clear();
    title_states_.clear();
    pending_counterparts_.clear();
    // Where titles start, looked up once: names stop at titles ("European Commission
    // President Ursula von der Leyen"), so name spans ask about every token.
    for (uint32_t i = s.first_token; i < s.end_token; ++i) {
      const auto t = k_.match_title(norms_, i, s.end_token);
      title_len_[i] = t ? static_cast<uint8_t>(std::min<uint32_t>(t->second, 255)) : 0;
    }
    // "Pakistan Army chief General Asim Munir": the chief of the named army, not an "army
    // chief" of Pakistan.
    for (uint32_t i = s.first_token + 1; i + 1 < s.end_token; ++i)
      if (title_len_[i] == 2 && toks_[i].cap && toks_[i - 1].cap && toks_[i - 1].word &&
          (norms_[i] == "army" || norms_[i] == "military" || norms_[i] == "navy") &&
          title_len_[i + 1] == 1 && norms_[i + 1] == "chief")
        title_len_[i] = 0;
    // "chief Latin America economist", "head of research": a job, not the head of anything.
    static const std::unordered_set<std::string> kOccupations = {
        "economist", "economists", "analyst", "analysts", "strategist", "correspondent",
        "scientist", "editor", "researcher", "officer", "investment", "research", "engineer"};
    for (uint32_t i = s.first_token; i < s.end_token; ++i) {
      if (title_len_[i] != 1 || (norms_[i] != "chief" && norms_[i] != "head")) continue;
      for (uint32_t j = i + 1; j < std::min(s.end_token, i + 5); ++j) {
        if (kOccupations.count(norms_[j])) title_len_[i] = 0;
        if (!toks_[j].word || kOccupations.count(norms_[j])) break;
      }
    }
    current_sentence_ = index;
    std::vector<Mention> ms;
    std::vector<TitleMention> titles;
    find_mentions(s, ms, titles);
    resolve_titles(index, s, ms, titles);
    add_party_memberships(index, s, ms);
    const size_t before = out_.relations.size();
    find_relations(index, s, ms);
    add_calls(index, s, before);
    add_denials(index, s, ms, before);
    remember(ms);
  }

  // "Petteri Orpo's National Coalition Party", "his Liberal Democratic Party", "Marin, whose
  // Social Democrats came third", "Dahal's own party, the CPN (Maoist Centre)": a person's
  // party is one the person belongs to.
  void add_party_memberships(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms) {
    static const std::unordered_set<std::string> kPartyWords = {"party", "democrats", "republicans",
                                                                "socialists", "conservatives"};
    const auto affiliated = k_.relation_type("affiliated-with");
    if (!affiliated) return;
    for (uint32_t mi = 0; mi < ms.size(); ++mi) {
      const Mention& m = ms[mi];
      if (out_.entities[m.entity].kind != EntityKind::organization || m.b <= s.first_token) continue;
      const bool party = kPartyWords.count(norms_[m.e - 1]) ||
                         (m.e < s.end_token && norms_[m.e] == "party");
      if (!party) continue;
      uint32_t at = m.b;  // the token before the party's name, past "own party, the"
      if (at > s.first_token + 3 && norms_[at - 1] == "the" && norms_[at - 2] == "," &&
          norms_[at - 3] == "party")
        at -= 3;
      if (at > s.first_token && norms_[at - 1] == "own") --at;
      if (at <= s.first_token) continue;
      const std::string& w = norms_[at - 1];
      uint32_t person = kNone;
      if (w == "'s") {
        const uint32_t owner = mention_ending_at(ms, at - 1);
        if (owner != kNone && is_person(ms[owner].entity)) person = ms[owner].entity;
      } else if (w == "his" || w == "her") {
        person = resolve_pronoun(w, at - 1 == s.first_token, ms);
      } else if (w == "whose" && at > s.first_token + 2 && norms_[at - 2] == ",") {
        const uint32_t owner = mention_ending_at(ms, at - 2);
        if (owner != kNone && is_person(ms[owner].entity)) person = ms[owner].entity;
      }
      if (person != kNone)
        add_relation(*affiliated, person, m.entity, sentence, false, false, 0.8f);
    }
  }

  // A greeting or praise delivered "in a telephone call" is also a conversation between the
  // two: congratulated(A, B) "by phone" gives meets-with(A, B) too. Looks at the relations
  // found in this sentence (from `first`).
  void add_calls(uint32_t sentence, const SentenceSpan& s, size_t first) {
    if (first == out_.relations.size()) return;
    bool call = false;
    for (uint32_t i = s.first_token; i + 1 < s.end_token && !call; ++i) {
      const std::string& w = norms_[i];
      const std::string& next = norms_[i + 1];
      call = ((w == "phone" || w == "telephone" || w == "video") &&
              (next == "call" || next == "calls" || next == "conversation" ||
               next == "conversations")) ||
             (w == "by" && (next == "phone" || next == "telephone"));
    }
    if (!call) return;
    const auto meets = k_.relation_type("meets-with");
    if (!meets) return;
    for (size_t i = first, n = out_.relations.size(); i < n; ++i) {
      const RelationMention r = out_.relations[i];
      if (r.negated || r.attributed) continue;
      const std::string& name = k_.relation_types()[r.type].name;
      if (name != "congratulates" && name != "praises") continue;
      add_relation(*meets, r.subject, r.object, sentence, false, false, r.confidence * 0.9f);
    }
  }

  // "Kinshasa accuses Kigali of arming the M23, a charge Kigali denies": the accused denies
  // the claim made in the same sentence, so each attributed relation of the denier found in
  // this sentence (from `first`) is also stated negated. The denier stands between the noun
  // of the claim and the verb of denial.
  void add_denials(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms,
                   size_t first) {
    if (first == out_.relations.size()) return;
    static const std::unordered_set<std::string> kClaims = {
        "charge", "charges", "accusation", "accusations", "allegation", "allegations", "claim",
        "claims", "which"};
    static const std::unordered_set<std::string> kDenials = {
        "denies", "denied", "deny", "rejects", "rejected", "reject", "disputes", "disputed",
        "dismisses", "dismissed"};
    for (uint32_t v = s.first_token + 2; v < s.end_token; ++v) {
      if (!kDenials.count(norms_[v])) continue;
      for (uint32_t c = v; c-- > s.first_token && v - c <= 8;) {
        if (!kClaims.count(norms_[c])) continue;
        // The denier: an actor between the claim's noun and the verb.
        uint32_t denier = kNone;
        for (const Mention& m : ms)
          if (m.b > c && m.e <= v && !m.locative && m.entity != kNone) denier = m.entity;
        if (denier == kNone) break;
        for (size_t i = first, n = out_.relations.size(); i < n; ++i) {
          const RelationMention r = out_.relations[i];
          if (r.attributed && !r.negated && r.subject == denier)
            add_relation(r.type, r.subject, r.object, sentence, true, false, r.confidence);
        }
        break;
      }
    }
  }

  // An office holder who leads a state or organisation is not also "affiliated with" it: when
  // a title list gives both ("Crown Prince and Prime Minister"), leads stands.
  void drop_affiliations_of_leaders() {
    const auto leads = k_.relation_type("leads");
    const auto affiliated = k_.relation_type("affiliated-with");
    if (!leads || !affiliated) return;
    std::set<std::pair<uint32_t, uint32_t>> led;
    for (const RelationMention& r : out_.relations)
      if (r.type == *leads) led.emplace(r.subject, r.object);
    if (led.empty()) return;
    std::erase_if(out_.relations, [&](const RelationMention& r) {
      return r.type == *affiliated && led.count({r.subject, r.object}) > 0;
    });
    // Nobody visits the state they serve ("Lula and Macron closed a state visit to Brazil").
    const auto visits = k_.relation_type("visits");
    if (visits)
      std::erase_if(out_.relations, [&](const RelationMention& r) {
        return r.type == *visits && is_person(r.subject) &&
               (led.count({r.subject, r.object}) > 0 || state_of_office_holder(r.subject) == r.object);
      });
    // Nor does anyone meet, visit or talk with what they lead ("Kurdistan Region President
    // Nechirvan Barzani" is no meeting of the region with him).
    const auto meets = k_.relation_type("meets-with");
    if (!meets) return;
    std::erase_if(out_.relations, [&](const RelationMention& r) {
      return r.type == *meets && (led.count({r.subject, r.object}) > 0 ||
                                  led.count({r.object, r.subject}) > 0);
    });
  }

  const Knowledge& k_;
  std::string_view text_;
  int32_t day_;
  uint16_t attacks_type_;  // the relation type a city may be the object of
  uint16_t signs_type_;    // agreements signed "with" someone pair each signer with them only
  std::vector<Token> toks_;
  std::vector<std::string> norms_;
  std::vector<uint8_t> caps_;
  Extraction out_;
  std::unordered_map<std::string, uint32_t> by_key_;
  std::vector<uint32_t> dict_of_;  // extraction entity -> dictionary index or kNone
  std::vector<uint32_t> recent_people_, recent_things_;
  std::unordered_map<std::string, uint32_t> name_tokens_;
  std::unordered_set<std::string> learned_orgs_;  // keys of names described as organisations
  std::unordered_map<std::string, uint32_t> acronyms_;
  uint32_t topic_thing_ = kNone;  // the previous sentence's opening state or organisation  // "cne" -> the council named before "(CNE)"
  // Tokens of a mention that only describes a titled name ("Gabriel Boric of Chile"): no actor,
  // but part of the name's phrase when lists are coordinated.
  std::vector<uint8_t> described_;
  std::unordered_map<uint32_t, uint32_t> mention_counts_;  // person -> mentions so far
  uint32_t topic_person_ = kNone;
  bool sports_article_ = false;
  bool dateline_state_checked_ = false;
  uint32_t current_sentence_ = 0;  // the sentence process_sentence is reading
  uint32_t last_congratulated_ = kNone;  // the person the latest congratulations went to
  struct {
    uint32_t a = kNone, b = kNone, sentence = kNone;
    bool ambiguous = false;
  } last_meeting_;  // the latest meets-with relation found (see sides_of_latest_meeting())
  uint32_t dateline_state_dict_ = kNone;  // dictionary index (see dateline_state())
  uint32_t dateline_end_ = 0;  // first token after "MOSCOW (Reuters) - "
  std::unordered_set<std::string> cue_first_words_;  // first words of all cue phrases
  std::array<std::unordered_set<std::string>, 2> collective_words_;  // first, second words
  std::vector<uint8_t> title_len_;  // tokens of the title starting at each token, or 0
  // (type, subject, object, sentence, flags) of each relation mention, to merge repeats in
  // O(1). The flags (negated, attributed) are part of it: "accused the UAE of arming the RSF,
  // a charge Abu Dhabi denies" states the claim and its denial in one sentence.
  using RelationKey = std::tuple<uint16_t, uint32_t, uint32_t, uint32_t, uint8_t>;
  struct RelationKeyHash {
    size_t operator()(const RelationKey& k) const {
      const auto [t, s, o, n, flags] = k;
      return (((static_cast<size_t>(t) * 1000003u + s) * 1000003u + o) * 1000003u + n) * 4u + flags;
    }
  };
  std::unordered_map<RelationKey, size_t, RelationKeyHash> relation_index_;
  // Token ranges of the current sentence's appositions (", Iran's top security official"),
  // which coordination steps over.
  std::vector<std::pair<uint32_t, uint32_t>> appositions_;
  // States consumed by the current sentence's titles ("Chinese President"), remembered as named.
  std::vector<uint32_t> title_states_;
  // "his Russian counterpart" in the current sentence: the state's span through "counterpart".
  std::vector<Mention> pending_counterparts_;
};

}  // namespace

Extraction extract(std::string_view text, std::optional<int32_t> published,
                   const Knowledge& knowledge) {
  return ArticleExtractor(text, published, knowledge).run();
}

}  // namespace relgraph::ingest
