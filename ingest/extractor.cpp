// The extraction engine: mentions, then relations, sentence by sentence, with the
// coreference state carried across sentences. The trigger grammar is in ingest/patterns.h.
#include <algorithm>
#include <array>
#include <unordered_map>
#include <unordered_set>

#include "ingest/extraction.h"
#include "ingest/patterns.h"

namespace relgraph::ingest {
namespace {

constexpr uint32_t kNone = ~uint32_t{0};

// Head words that make a capitalised name an organisation ("National University of Singapore").
const std::unordered_set<std::string> kOrgHeads = {
    "university", "ministry", "agency", "institute", "institution", "council", "bank", "party",
    "organization", "organisation", "committee", "commission", "corporation", "company",
    "center", "centre", "foundation", "association", "academy", "court", "office",
    "department", "fund", "service", "school", "college", "forum", "network", "program",
    "programme", "parliament", "assembly", "congress", "senate", "army", "navy", "guard",
    "police", "group", "authority", "board", "bureau", "federation", "alliance", "union",
    "coalition", "league", "society", "observatory", "initiative", "laboratory", "times",
    "post", "news", "television", "broadcasting", "press", "journal", "tribune", "herald"};

// Words that may join a capitalised organisation name: "University of Singapore".
const std::unordered_set<std::string> kNameJoiners = {"of", "for", "de", "on", "the", "and"};

const std::unordered_set<std::string> kDeterminers = {"the", "a", "an"};

const std::unordered_set<std::string> kPlacePrepositions = {
    "in", "at", "near", "from", "outside", "across", "around", "inside", "into", "via",
    "throughout", "within"};

const std::unordered_set<std::string> kPrepositions = {
    "to", "on", "for", "of", "with", "against", "from", "in", "at", "by", "into", "over",
    "about", "between", "among", "involving", "alongside", "through", "toward", "towards",
    "upon", "under", "after", "before", "during", "since"};

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

const std::unordered_set<std::string> kRegionAdjectives = {
    "european", "asian", "african", "american", "arab", "middle", "eastern", "western",
    "southern", "northern", "central", "caucasian", "baltic", "nordic", "balkan", "gulf",
    "pacific", "latin"};

bool is_adverb(const std::string& w) { return w.size() > 4 && w.ends_with("ly"); }

enum class Source : uint8_t { name, alias, demonym, capital, unknown, coref };

// An actor mention in a sentence, over tokens [b, e).
struct Mention {
  uint32_t b = 0, e = 0;
  uint32_t entity = kNone;   // index into Extraction::entities
  uint32_t entity2 = kNone;  // the second of "the two countries"
  Source source = Source::name;
  bool locative = false;  // a capital after a place preposition: a place, not an actor
  bool modifier = false;  // consumed as the country of a title ("Chinese President")
};

struct TitleMention {
  uint32_t b = 0, e = 0;
  uint32_t title = 0;
};

struct ArgList {
  std::vector<uint32_t> mentions;  // indices into the sentence's mentions
  uint32_t distance = 0;           // tokens between the argument and the trigger
};

class ArticleExtractor {
 public:
  ArticleExtractor(std::string_view text, std::optional<int32_t> published, const Knowledge& k)
      : k_(k), text_(text), day_(published.value_or(std::numeric_limits<int32_t>::max() - 1)) {}

  Extraction run() {
    toks_ = tokenize(text_);
    norms_.reserve(toks_.size());
    caps_.reserve(toks_.size());
    for (const Token& t : toks_) {
      norms_.push_back(t.norm);
      caps_.push_back(t.upper ? 2 : (t.cap ? 1 : 0));
    }
    const auto spans = split_sentences(toks_);
    sports_article_ = count_sports_cues() >= 3;
    for (uint32_t s = 0; s < spans.size(); ++s) {
      out_.sentences.push_back({s, spans[s].start, spans[s].end});
      process_sentence(s, spans[s]);
    }
    return std::move(out_);
  }

 private:
  // ---- entities --------------------------------------------------------------------------

  uint32_t dictionary_entity(uint32_t dict_index) {
    const DictionaryEntity& d = k_.entities()[dict_index];
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
    std::string key = slug(name);
    if (key.empty()) return kNone;
    if (auto dict = k_.entity_by_key(key)) return dictionary_entity(*dict);
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

  // First position in [b, e) where one of `phrases` starts, or kNone.
  uint32_t find_cue(const std::vector<std::vector<std::string>>& phrases, uint32_t b,
                    uint32_t e, uint32_t limit) const {
    for (uint32_t i = b; i < e; ++i)
      for (const auto& p : phrases)
        if (phrase_at(p, i, limit)) return i;
    return kNone;
  }

  int count_sports_cues() const {
    int n = 0;
    for (uint32_t i = 0; i < toks_.size(); ++i) {
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

  // The longest capitalised name at `i`: capitalised words, joined by "of", "for", ...
  uint32_t capitalised_span(uint32_t i, uint32_t end) const {
    if (!toks_[i].word || !toks_[i].cap || toks_[i].norm == "'s") return 0;
    uint32_t j = i + 1;
    uint32_t last_cap = i + 1;
    while (j < end) {
      if (toks_[j].word && toks_[j].cap && !toks_[j].newline_before) {
        last_cap = ++j;
        continue;
      }
      if (kNameJoiners.count(norms_[j]) && j + 1 < end) {
        ++j;
        continue;
      }
      break;
    }
    return last_cap - i;
  }

  bool has_org_head(uint32_t b, uint32_t e) const {
    for (uint32_t i = b; i < e; ++i)
      if (toks_[i].cap && kOrgHeads.count(norms_[i])) return true;
    return false;
  }

  bool all_name_words(uint32_t b, uint32_t e) const {
    for (uint32_t i = b; i < e; ++i) {
      if (!toks_[i].word || !toks_[i].cap || toks_[i].number) return false;
      if (k_.match_title(norms_, i, i + 1)) return false;
    }
    return true;
  }

  // Does a title follow "<name>, " within a few words ("Ja Ian Chong, an associate
  // professor")? Returns the position after the comma when it does.
  bool apposition_title_follows(uint32_t after, uint32_t end) const {
    if (after >= end || norms_[after] != ",") return false;
    for (uint32_t j = after + 1; j < std::min(end, after + 8); ++j) {
      if (k_.match_title(norms_, j, end)) return true;
      if (norms_[j] == "," || norms_[j] == ".") return false;
    }
    return false;
  }

  void push_mention(std::vector<Mention>& ms, Mention m) {
    if (m.entity == kNone) return;
    if (m.source != Source::coref && m.source != Source::demonym && !m.locative)
      add_surface_form(m.entity, m.b, m.e);
    ms.push_back(m);
  }

  uint32_t resolve_pronoun(const std::string& w, bool sentence_start) const {
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
    if (sentence_start && topic_person_ != kNone && compatible(topic_person_)) return topic_person_;
    for (auto it = recent_people_.rbegin(); it != recent_people_.rend(); ++it)
      if (compatible(*it)) return *it;
    return kNone;
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

  void find_mentions(const SentenceSpan& s, std::vector<Mention>& ms,
                     std::vector<TitleMention>& titles) {
    const uint32_t end = s.end_token;
    for (uint32_t i = s.first_token; i < end;) {
      // Titles are found in lowercase text as well ("the Russian president").
      if (auto t = k_.match_title(norms_, i, end)) {
        titles.push_back({i, i + t->second, t->first});
      }
      const Knowledge::Match dm = k_.match_entity(norms_, caps_, i, end);
      uint32_t span = capitalised_span(i, end);
      uint32_t span_b = i;
      // A leading article is not part of a name: "The European Union".
      if (span > 1 && kDeterminers.count(norms_[i])) {
        ++span_b;
        --span;
      }
      const bool org_span = span > 0 && has_org_head(span_b, span_b + span) &&
                            span_b + span > i + dm.length;
      if (org_span && span_b == i) {
        const auto whole = k_.match_entity(norms_, caps_, i, i + span);
        if (whole.length == span) {
          // The whole name is in the dictionary.
        } else {
          push_mention(ms, {i, i + span, text_entity(i, i + span, EntityKind::organization)});
          i += span;
          continue;
        }
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
        // After a place preposition a capital or state is where something happens, not who
        // acts ("a summit in Beijing", "its actions in Ukraine"), unless it owns what follows.
        const bool place_form = hit.form == NameForm::capital ||
                                k_.entities()[hit.entity].kind == EntityKind::country;
        if (place_form && i > s.first_token && kPlacePrepositions.count(norms_[i - 1]) &&
            !(m.e < end && norms_[m.e] == "'s"))
          m.locative = true;
        push_mention(ms, m);
        i += dm.length;
        continue;
      }
      if (org_span) {
        push_mention(ms, {span_b, span_b + span,
                          text_entity(span_b, span_b + span, EntityKind::organization)});
        i = span_b + span;
        continue;
      }
      // People the dictionaries do not know.
      if (span >= 2 && span <= 4 && all_name_words(span_b, span_b + span)) {
        const uint32_t b = span_b, e = span_b + span;
        const bool titled_before = !titles.empty() && titles.back().e == b;
        const bool apposition = apposition_title_follows(e, end);
        const bool speaker = (e < end && kSpeechVerbs.count(norms_[e])) ||
                             (b > s.first_token && kSpeechVerbs.count(norms_[b - 1]));
        if (titled_before || apposition || speaker) {
          push_mention(ms, {b, e, text_entity(b, e, EntityKind::person), kNone, Source::unknown});
          i = e;
          continue;
        }
      }
      // A surname or first name of someone already named in this article.
      if (toks_[i].word && toks_[i].cap) {
        auto it = name_tokens_.find(norms_[i]);
        if (it != name_tokens_.end() &&
            !(i + 1 < end && toks_[i + 1].cap && toks_[i + 1].word && norms_[i + 1] != "'s")) {
          push_mention(ms, {i, i + 1, it->second, kNone, Source::coref});
          ++i;
          continue;
        }
      }
      // Pronouns.
      {
        const uint32_t p = resolve_pronoun(norms_[i], i == s.first_token);
        if (p != kNone) {
          push_mention(ms, {i, i + 1, p, kNone, Source::coref});
          ++i;
          continue;
        }
      }
      // "the two countries", "both sides".
      bool matched_pair = false;
      for (const auto& phrase : k_.cues().collective_pairs) {
        if (!phrase_at(phrase, i, end)) continue;
        uint32_t a = kNone, b2 = kNone;
        for (auto it = recent_things_.rbegin(); it != recent_things_.rend(); ++it) {
          if (a == kNone) {
            a = *it;
          } else if (*it != a) {
            b2 = *it;
            break;
          }
        }
        if (a != kNone && b2 != kNone) {
          const uint32_t len = static_cast<uint32_t>(phrase.size());
          push_mention(ms, {i, i + len, a, b2, Source::coref});
          i += len;
          matched_pair = true;
        }
        break;
      }
      if (matched_pair) continue;
      // "its European neighbour".
      if (k_.cues().neuter_pronouns.count(norms_[i]) && norms_[i] != "it") {
        uint32_t j = i + 1;
        uint32_t region = kNone;
        if (j < end && kRegionAdjectives.count(norms_[j])) region = j++;
        if (j < end && (norms_[j].starts_with("neighbor") || norms_[j].starts_with("neighbour"))) {
          uint32_t possessor = kNone;
          for (auto it = ms.rbegin(); it != ms.rend(); ++it)
            if (!is_person(it->entity) && !it->locative) {
              possessor = it->entity;
              break;
            }
          const uint32_t n = resolve_neighbour(possessor, region);
          if (n != kNone) {
            push_mention(ms, {i, j + 1, n, kNone, Source::coref});
            i = j + 1;
            continue;
          }
        }
      }
      ++i;
    }
  }

  // Titles next to names: "Chinese President Xi Jinping" (leads), "Wang Yi, China's
  // foreign minister" and "X, a professor at Y" (affiliated-with); a title with a state and no
  // name is a reference to whoever held it ("the Russian president").
  void resolve_titles(uint32_t sentence, const SentenceSpan& s, std::vector<Mention>& ms,
                      const std::vector<TitleMention>& titles) {
    auto mention_ending_at = [&](uint32_t pos) -> Mention* {
      for (auto& m : ms)
        if (m.e == pos && !m.modifier) return &m;
      return nullptr;
    };
    auto mention_starting_at = [&](uint32_t pos) -> Mention* {
      for (auto& m : ms)
        if (m.b == pos) return &m;
      return nullptr;
    };
    for (const TitleMention& t : titles) {
      const uint16_t rel = k_.titles()[t.title].relation;
      // The title's state or organisation, written before it.
      Mention* of = mention_ending_at(t.b);
      if (!of && t.b > s.first_token && norms_[t.b - 1] == "'s") of = mention_ending_at(t.b - 1);
      if (of && (is_person(of->entity) || of->locative)) of = nullptr;
      // ... or after it: "the president of Russia".
      Mention* of_after = nullptr;
      if (t.e + 1 < s.end_token && norms_[t.e] == "of") {
        uint32_t j = t.e + 1;
        if (kDeterminers.count(norms_[j])) ++j;
        Mention* m = mention_starting_at(j);
        if (m && !is_person(m->entity)) of_after = m;
      }
      Mention* person = mention_starting_at(t.e);
      if (person && !is_person(person->entity)) person = nullptr;
      if (of && person) {
        of->modifier = true;
        add_relation(rel, person->entity, of->entity, sentence, false, false, 0.85f);
        continue;
      }
      // Apposition: "<person>, [a|the] [state's] [adjectives] <title> [of ...] [at|of <org>]".
      Mention* named = nullptr;
      for (uint32_t j = t.b; j > s.first_token && t.b - j < 8; --j) {
        if (norms_[j - 1] == ",") {
          named = mention_ending_at(j - 1);
          break;
        }
      }
      if (named && is_person(named->entity)) {
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
        const uint32_t target = org != kNone ? org : (of ? of->entity : (of_after ? of_after->entity : kNone));
        if (target != kNone) {
          if (of && target == of->entity) of->modifier = true;
          add_relation(rel, named->entity, target, sentence, false, false, 0.8f);
        }
        continue;
      }
      // A role reference: "the Russian president", "Beijing's foreign minister".
      Mention* state = of ? of : nullptr;
      if (state && !(t.e < s.end_token && toks_[t.e].cap && toks_[t.e].word &&
                     norms_[t.e] != "'s")) {
        const uint32_t d = dict_of_[state->entity];
        if (d == kNone) continue;
        auto holder = k_.role_holder(t.title, d, day_);
        if (!holder) continue;
        const uint32_t p = dictionary_entity(*holder);
        state->modifier = true;
        const uint32_t b = state->b;
        Mention ref;
        ref.b = b;
        ref.e = t.e;
        ref.entity = p;
        ref.source = Source::coref;
        ms.push_back(ref);  // invalidates `state`, `of` and `person`
        const bool article = b > s.first_token && kDeterminers.count(norms_[b - 1]);
        add_surface_form(p, article ? b - 1 : b, t.e);
      }
    }
    ms.erase(std::remove_if(ms.begin(), ms.end(), [](const Mention& m) { return m.modifier; }),
             ms.end());
    std::sort(ms.begin(), ms.end(), [](const Mention& a, const Mention& b) { return a.b < b.b; });
  }

  // ---- relations -------------------------------------------------------------------------

  void add_relation(uint16_t type, uint32_t subject, uint32_t object, uint32_t sentence,
                    bool negated, bool attributed, float confidence) {
    if (subject == kNone || object == kNone || subject == object) return;
    if (k_.relation_types()[type].symmetric && object < subject) std::swap(subject, object);
    for (RelationMention& r : out_.relations) {
      if (r.type == type && r.subject == subject && r.object == object && r.sentence == sentence) {
        r.confidence = std::max(r.confidence, confidence);
        return;
      }
    }
    out_.relations.push_back({type, subject, object, sentence, negated, attributed, confidence});
  }

  bool stops_clause(uint32_t i) const { return kClauseStops.count(norms_[i]) > 0; }

  bool usable(const Mention& m, bool places) const { return !m.locative || places; }

  // Extends an argument through coordination: "China, Russia and Iran".
  void coordinate(const std::vector<Mention>& ms, uint32_t at, int step, std::vector<uint32_t>& out,
                  const SentenceSpan& s, bool places) const {
    int cur = static_cast<int>(at);
    bool seen_conjunction = false;
    size_t committed = out.size();  // rightwards, comma-only links count once a conjunction follows
    for (;;) {
      const int next = cur + step;
      if (next < 0 || next >= static_cast<int>(ms.size())) return;
      const Mention& a = ms[static_cast<size_t>(std::min(cur, next))];
      const Mention& b = ms[static_cast<size_t>(std::max(cur, next))];
      // Allowed between them: connectors, "along with", "as well as", and up to two plain
      // words after the first ("Chinese and Russian warships, along with Iran").
      uint32_t plain = 0;
      bool joined = false, conjunction = false, ok = true;
      for (uint32_t i = a.e; i < b.b && ok; ++i) {
        const std::string& w = norms_[i];
        if (kConnectors.count(w) || w == "along" || w == "with" || w == "as" || w == "well" ||
            w == "together" || w == "plus" || w == "or" || w == "nor" || w == "both" ||
            w == "the" || w == "'s") {
          if (kConnectors.count(w) || w == "with" || w == "plus" || w == "or" || w == "nor") joined = true;
          if (w != "," && w != "the" && w != "'s" && w != "both") conjunction = true;
          continue;
        }
        if (!joined && ++plain <= 2 && toks_[i].word && !toks_[i].cap) continue;
        ok = false;
      }
      if (!ok || !joined || b.b >= s.end_token || !usable(ms[static_cast<size_t>(next)], places)) break;
      // A comma alone joins a list only next to a conjunction: "A, B and C", not
      // "in Ukraine, Western powers accuse".
      if (step < 0 && !conjunction && !seen_conjunction) break;
      if (conjunction) {
        seen_conjunction = true;
        committed = out.size() + 1;
      }
      out.push_back(static_cast<uint32_t>(next));
      cur = next;
    }
    if (step > 0) out.resize(committed);
  }

  // The nearest usable actor left of token `pos` in the same clause, with its coordinated
  // neighbours.
  ArgList left_argument(const std::vector<Mention>& ms, uint32_t pos, const SentenceSpan& s,
                        uint32_t max_distance) const {
    ArgList out;
    for (int mi = static_cast<int>(ms.size()) - 1; mi >= 0; --mi) {
      const Mention& m = ms[static_cast<size_t>(mi)];
      if (m.e > pos) continue;
      bool stopped = false;
      for (uint32_t i = m.e; i < pos; ++i)
        if (stops_clause(i)) stopped = true;
      if (stopped || pos - m.e > max_distance) break;
      if (!usable(m, false)) continue;
      out.mentions.push_back(static_cast<uint32_t>(mi));
      out.distance = pos - m.e;
      coordinate(ms, static_cast<uint32_t>(mi), -1, out.mentions, s, false);
      break;
    }
    (void)s;
    return out;
  }

  // The first usable actor after `pos` introduced directly or by one of `intro`, with its
  // coordinated neighbours.
  ArgList right_argument(const std::vector<Mention>& ms, uint32_t pos, const SentenceSpan& s,
                         const std::vector<std::string>& intro, bool places,
                         uint32_t max_distance) const {
    ArgList out;
    if (intro.empty()) return out;
    const bool direct = std::find(intro.begin(), intro.end(), "direct") != intro.end();
    for (uint32_t mi = 0; mi < ms.size(); ++mi) {
      const Mention& m = ms[mi];
      if (m.b < pos) continue;
      if (m.b - pos > max_distance) break;
      std::string last_prep;
      bool stopped = false;
      for (uint32_t i = pos; i < m.b; ++i) {
        if (stops_clause(i) || norms_[i] == ".") stopped = true;
        if (kPrepositions.count(norms_[i])) last_prep = norms_[i];
      }
      if (stopped) break;
      const bool ok = last_prep.empty()
                          ? direct
                          : std::find(intro.begin(), intro.end(), last_prep) != intro.end();
      // An actor reached through another preposition ("on Monday in Beijing") is not the
      // object, but a later one may be.
      if (!ok) continue;
      if (!usable(m, places)) continue;
      out.mentions.push_back(mi);
      out.distance = m.b - pos;
      coordinate(ms, mi, +1, out.mentions, s, places);
      break;
    }
    return out;
  }

  bool word_within(const std::vector<std::string>& words, uint32_t b, uint32_t e) const {
    for (uint32_t i = b; i < e; ++i)
      if (std::find(words.begin(), words.end(), norms_[i]) != words.end()) return true;
    return false;
  }

  void find_relations(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms) {
    const uint32_t sb = s.first_token, se = s.end_token;
    const Cues& cues = k_.cues();
    if (sports_article_ || find_cue(cues.sports, sb, se, se) != kNone ||
        find_cue(cues.history, sb, se, se) != kNone)
      return;
    const uint32_t according = find_cue(cues.attribution, sb, se, se);
    for (uint32_t i = sb; i < se; ++i) {
      const auto hits = k_.match_triggers(norms_, i, se);
      for (const auto& hit : hits) {
        const RelationType& rt = k_.relation_types()[hit.type];
        const Trigger& tr = rt.triggers[hit.trigger];
        const uint32_t tb = i, te = i + hit.length;
        // A trigger word inside an actor's name ("Trade Organization") is not a trigger.
        bool inside = false;
        for (const Mention& m : ms)
          if (tb >= m.b && tb < m.e) inside = true;
        if (inside) continue;
        if (!tr.requires_before.empty() &&
            !word_within(tr.requires_before, tb >= sb + 3 ? tb - 3 : sb, tb))
          continue;
        if (!tr.requires_after.empty() && !word_within(tr.requires_after, te, std::min(se, te + 6)))
          continue;
        if (emit(sentence, s, ms, hit.type, tr, tb, te, according)) break;
      }
    }
  }

  // Applies one trigger occurrence; true when it produced a relation.
  bool emit(uint32_t sentence, const SentenceSpan& s, const std::vector<Mention>& ms,
            uint16_t type, const Trigger& tr, uint32_t tb, uint32_t te, uint32_t according) {
    const uint32_t sb = s.first_token, se = s.end_token;
    const Cues& cues = k_.cues();
    const RelationType& rt = k_.relation_types()[type];
    // Intent is not action: "will hold drills next year".
    if (find_cue(cues.modality, tb >= sb + 5 ? tb - 5 : sb, tb, tb) != kNone) return false;
    if (find_cue(cues.modality, te, se, se) != kNone && !tr.verb) return false;
    // The verb form, for the passive and participles.
    const std::string& form = norms_[te - 1];
    uint32_t before = tb;
    while (before > sb && is_adverb(norms_[before - 1])) --before;
    const bool passive = tr.verb && (form.ends_with("ed") || form == "met" || form == "struck" ||
                                     form == "spoken") &&
                         before > sb && kBeForms.count(norms_[before - 1]);
    const bool participle = tr.verb && form.ends_with("ing") && before > sb && norms_[before - 1] == ",";

    ArgList subj, obj;
    bool coref_args = false;
    if (passive) {
      obj = left_argument(ms, tb, s, 12);
      if (te < se) subj = right_argument(ms, te, s, {"by"}, false, 6);
      if (subj.mentions.empty()) return false;
    } else {
      if (!tr.verb) {
        // Possessive ("Russia's invasion of"), pre-modifier ("China-Russia trade"), or "by X".
        for (int mi = static_cast<int>(ms.size()) - 1; mi >= 0; --mi) {
          const Mention& m = ms[static_cast<size_t>(mi)];
          if (m.e > tb) continue;
          if (tb - m.e > 4) break;
          bool only_modifiers = true;
          for (uint32_t j = m.e; j < tb; ++j)
            if (!(norms_[j] == "'s" || norms_[j] == "-" || (toks_[j].word && !toks_[j].cap &&
                                                            !kPrepositions.count(norms_[j]) &&
                                                            !kClauseStops.count(norms_[j]))))
              only_modifiers = false;
          if (!only_modifiers || !usable(m, false)) break;
          subj.mentions.push_back(static_cast<uint32_t>(mi));
          // "China-Russia trade", "Chinese and Russian": both are parties.
          coordinate(ms, static_cast<uint32_t>(mi), -1, subj.mentions, s, false);
          if (mi > 0 && ms[static_cast<size_t>(mi) - 1].e + 1 == m.b && norms_[m.b - 1] == "-")
            subj.mentions.push_back(static_cast<uint32_t>(mi) - 1);
          break;
        }
        if (subj.mentions.empty() && te < se && norms_[te] == "by")
          subj = right_argument(ms, te, s, {"by"}, false, 3);
      }
      if (subj.mentions.empty()) {
        if (participle) {
          for (uint32_t mi = 0; mi < ms.size(); ++mi)
            if (ms[mi].e <= tb && usable(ms[mi], false)) {
              subj.mentions.push_back(mi);
              subj.distance = tb - ms[mi].e;
              break;
            }
        } else {
          subj = left_argument(ms, tb, s, 14);
        }
      }
      obj = right_argument(ms, te, s, tr.object, tr.places, 8);
    }
    std::vector<uint32_t> parties;
    if (rt.symmetric) {
      ArgList p = right_argument(ms, te, s, tr.parties, false, 6);
      for (uint32_t m : subj.mentions) parties.push_back(m);
      for (uint32_t m : obj.mentions) parties.push_back(m);
      for (uint32_t m : p.mentions) parties.push_back(m);
    }

    // Qualifiers: negation before the trigger, within its clause; attribution anywhere before it.
    uint32_t clause_b = tb >= sb + 6 ? tb - 6 : sb;
    // Negation before the subject belongs to another verb: "refusal to condemn Russia's attack".
    for (uint32_t mi : subj.mentions)
      if (ms[mi].e <= tb) clause_b = std::max(clause_b, ms[mi].e);
    const bool negated = find_cue(cues.negation, clause_b, tb, tb) != kNone;
    bool attributed = according != kNone && according < tb;
    if (!attributed) {
      // An earlier accusation governs what follows it: "accuse Beijing of supporting Moscow".
      for (uint32_t j = sb; j < tb && !attributed; ++j)
        for (const auto& hit : k_.match_triggers(norms_, j, tb))
          if (k_.relation_types()[hit.type].name == "accuses") attributed = true;
    }

    auto entities_of = [&](const std::vector<uint32_t>& list) {
      std::vector<uint32_t> out;
      for (uint32_t mi : list) {
        if (ms[mi].source == Source::coref) coref_args = true;
        out.push_back(ms[mi].entity);
        if (ms[mi].entity2 != kNone) out.push_back(ms[mi].entity2);
      }
      return out;
    };
    float confidence = tr.verb ? 0.9f : 0.8f;
    if (subj.distance > 6) confidence -= 0.1f;

    bool produced = false;
    if (rt.symmetric) {
      std::vector<uint32_t> ents = entities_of(parties);
      std::sort(ents.begin(), ents.end());
      ents.erase(std::unique(ents.begin(), ents.end()), ents.end());
      if (coref_args) confidence -= 0.15f;
      for (size_t a = 0; a < ents.size(); ++a)
        for (size_t b = a + 1; b < ents.size(); ++b) {
          add_relation(type, ents[a], ents[b], sentence, negated, attributed, confidence);
          produced = true;
        }
    } else {
      const auto subjects = entities_of(subj.mentions);
      const auto objects = entities_of(obj.mentions);
      if (coref_args) confidence -= 0.15f;
      for (uint32_t su : subjects)
        for (uint32_t ob : objects) {
          if (su == ob) continue;
          add_relation(type, su, ob, sentence, negated, attributed, confidence);
          produced = true;
        }
    }
    return produced;
  }

  // ---- the coreference state -------------------------------------------------------------

  void remember(const std::vector<Mention>& ms) {
    uint32_t first_person = kNone;
    for (const Mention& m : ms) {
      if (m.locative) continue;
      for (uint32_t ent : {m.entity, m.entity2}) {
        if (ent == kNone) continue;
        if (is_person(ent)) {
          if (first_person == kNone) first_person = ent;
          recent_people_.erase(std::remove(recent_people_.begin(), recent_people_.end(), ent),
                               recent_people_.end());
          recent_people_.push_back(ent);
          // "Chong" and "Wang" later refer back to Ja Ian Chong and Wang Yiwei.
          const auto parts = phrase_tokens(out_.entities[ent].name);
          if (parts.size() >= 2) {
            for (const auto& p : {parts.front(), parts.back()})
              if (p.size() >= 3) name_tokens_[p] = ent;
          }
        } else {
          recent_things_.erase(std::remove(recent_things_.begin(), recent_things_.end(), ent),
                               recent_things_.end());
          recent_things_.push_back(ent);
        }
      }
    }
    if (first_person != kNone) topic_person_ = first_person;
  }

  void process_sentence(uint32_t index, const SentenceSpan& s) {
    std::vector<Mention> ms;
    std::vector<TitleMention> titles;
    find_mentions(s, ms, titles);
    resolve_titles(index, s, ms, titles);
    find_relations(index, s, ms);
    remember(ms);
  }

  const Knowledge& k_;
  std::string_view text_;
  int32_t day_;
  std::vector<Token> toks_;
  std::vector<std::string> norms_;
  std::vector<uint8_t> caps_;
  Extraction out_;
  std::unordered_map<std::string, uint32_t> by_key_;
  std::vector<uint32_t> dict_of_;  // extraction entity -> dictionary index or kNone
  std::vector<uint32_t> recent_people_, recent_things_;
  std::unordered_map<std::string, uint32_t> name_tokens_;
  uint32_t topic_person_ = kNone;
  bool sports_article_ = false;
};

}  // namespace

Extraction extract(std::string_view text, std::optional<int32_t> published,
                   const Knowledge& knowledge) {
  return ArticleExtractor(text, published, knowledge).run();
}

}  // namespace relgraph::ingest
