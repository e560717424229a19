#include <cctype>
#include <limits>
#include "ingest/knowledge.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ingest/text.h"

namespace relgraph::ingest {

namespace {
// Letters and digits only, ASCII lowercased; other UTF-8 bytes kept.
std::string squashed_spelling(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (unsigned char c : name) {
    if (c >= 0x80) out.push_back(static_cast<char>(c));
    else if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}
constexpr uint32_t kAmbiguousSpelling = std::numeric_limits<uint32_t>::max();
}  // namespace
namespace {

using nlohmann::json;

[[noreturn]] void fail(const KnowledgeSource& src, const std::string& what) {
  throw KnowledgeError(src.name + ": " + what);
}

json parse(const KnowledgeSource& src) {
  json j = json::parse(src.json, nullptr, false);
  if (j.is_discarded()) fail(src, "not valid JSON");
  return j;
}

std::vector<std::string> strings(const KnowledgeSource& src, const json& obj, const char* field,
                                 const std::string& where) {
  std::vector<std::string> out;
  if (!obj.contains(field)) return out;
  const json& arr = obj.at(field);
  if (!arr.is_array()) fail(src, where + ": \"" + field + "\" must be an array of strings");
  for (const json& s : arr) {
    if (!s.is_string()) fail(src, where + ": \"" + field + "\" must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::string string_field(const KnowledgeSource& src, const json& obj, const char* field,
                         const std::string& where, bool required = true) {
  if (!obj.contains(field) || obj.at(field).is_null()) {
    if (required) fail(src, where + ": missing \"" + field + "\"");
    return {};
  }
  if (!obj.at(field).is_string()) fail(src, where + ": \"" + field + "\" must be a string");
  return obj.at(field).get<std::string>();
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// A short verb ending consonant-vowel-consonant doubles its last letter: "slam", "slammed".
bool doubles(const std::string& b) {
  if (b.size() < 3 || b.size() > 4) return false;
  const char c3 = b[b.size() - 1], c2 = b[b.size() - 2], c1 = b[b.size() - 3];
  return !is_vowel(c3) && c3 != 'w' && c3 != 'x' && c3 != 'y' && is_vowel(c2) && !is_vowel(c1);
}

std::vector<std::string> verb_forms(const std::string& b) {
  std::vector<std::string> f = {b};
  const bool y_after_consonant = ends_with(b, "y") && b.size() > 1 && !is_vowel(b[b.size() - 2]);
  if (ends_with(b, "s") || ends_with(b, "x") || ends_with(b, "z") || ends_with(b, "ch") ||
      ends_with(b, "sh"))
    f.push_back(b + "es");
  else if (y_after_consonant)
    f.push_back(b.substr(0, b.size() - 1) + "ies");
  else
    f.push_back(b + "s");
  if (ends_with(b, "e")) {
    f.push_back(b + "d");
    f.push_back(ends_with(b, "ee") ? b + "ing" : b.substr(0, b.size() - 1) + "ing");
  } else if (y_after_consonant) {
    f.push_back(b.substr(0, b.size() - 1) + "ied");
    f.push_back(b + "ing");
  } else if (doubles(b)) {
    f.push_back(b + b.back() + "ed");
    f.push_back(b + b.back() + "ing");
  } else {
    f.push_back(b + "ed");
    f.push_back(b + "ing");
  }
  return f;
}

std::string plural(const std::string& n) {
  if (ends_with(n, "s") || ends_with(n, "x") || ends_with(n, "ch") || ends_with(n, "sh"))
    return n + "es";
  if (ends_with(n, "y") && n.size() > 1 && !is_vowel(n[n.size() - 2]))
    return n.substr(0, n.size() - 1) + "ies";
  return n + "s";
}

std::vector<std::vector<std::string>> phrase_list(const KnowledgeSource& src, const json& obj,
                                                  const char* field) {
  std::vector<std::vector<std::string>> out;
  for (const auto& s : strings(src, obj, field, src.name)) out.push_back(phrase_tokens(s));
  return out;
}

std::unordered_set<std::string> word_set(const KnowledgeSource& src, const json& obj,
                                         const char* field) {
  std::unordered_set<std::string> out;
  for (const auto& s : strings(src, obj, field, src.name)) {
    auto toks = phrase_tokens(s);
    if (toks.size() == 1) out.insert(toks[0]);
  }
  return out;
}

int32_t role_date(const KnowledgeSource& src, const json& role, const char* field,
                  const std::string& where, int32_t open) {
  if (!role.contains(field) || role.at(field).is_null()) return open;
  if (!role.at(field).is_string()) fail(src, where + ": \"" + field + "\" must be a date");
  auto d = days_from_iso(role.at(field).get<std::string>());
  if (!d) fail(src, where + ": \"" + field + "\" is not an ISO date (YYYY-MM-DD)");
  return *d;
}

}  // namespace

std::string_view kind_name(EntityKind kind) {
  switch (kind) {
    case EntityKind::person: return "person";
    case EntityKind::country: return "country";
    case EntityKind::organization: return "organization";
    case EntityKind::group: return "group";
    case EntityKind::location: return "location";
  }
  return "organization";
}

std::optional<EntityKind> parse_kind(std::string_view name) {
  for (EntityKind k : {EntityKind::person, EntityKind::country, EntityKind::organization,
                       EntityKind::group, EntityKind::location})
    if (kind_name(k) == name) return k;
  return std::nullopt;
}

Knowledge Knowledge::build(const KnowledgeSources& sources) {
  Knowledge k;

  // Relation types and their triggers.
  {
    const KnowledgeSource& src = sources.relation_types;
    json root = parse(src);
    if (!root.is_object() || !root.contains("types") || !root["types"].is_array())
      fail(src, "expected an object with a \"types\" array");
    for (const json& t : root["types"]) {
      if (!t.is_object()) fail(src, "each type must be an object");
      RelationType rt;
      rt.name = string_field(src, t, "name", "a type");
      const std::string where = "type \"" + rt.name + "\"";
      if (k.relation_type(rt.name)) fail(src, where + " is defined twice");
      if (!t.contains("symmetric") || !t["symmetric"].is_boolean())
        fail(src, where + ": \"symmetric\" must be true or false");
      rt.symmetric = t["symmetric"].get<bool>();
      rt.cameo = strings(src, t, "cameo", where);
      rt.description = string_field(src, t, "description", where, false);
      if (t.contains("triggers")) {
        if (!t["triggers"].is_array()) fail(src, where + ": \"triggers\" must be an array");
        for (const json& tr : t["triggers"]) {
          Trigger trig;
          const bool is_verb = tr.contains("verb");
          const std::string word =
              string_field(src, tr, is_verb ? "verb" : "noun", where + " trigger");
          trig.verb = is_verb;
          std::vector<std::string> base = phrase_tokens(word);
          if (base.empty()) fail(src, where + ": empty trigger");
          std::vector<std::string> lasts;
          if (is_verb) {
            lasts = verb_forms(base.back());
          } else {
            lasts.push_back(base.back());
            if (!tr.contains("plural") || tr["plural"].get<bool>()) lasts.push_back(plural(base.back()));
          }
          for (const auto& f : strings(src, tr, "forms", where)) lasts.push_back(f);
          for (const auto& last : lasts) {
            auto p = base;
            p.back() = last;
            trig.phrases.push_back(std::move(p));
          }
          trig.object = strings(src, tr, "object", where);
          if (is_verb && trig.object.empty() && !tr.contains("parties")) trig.object = {"direct"};
          trig.parties = strings(src, tr, "parties", where);
          trig.requires_before = strings(src, tr, "requires_before", where);
          trig.requires_after = strings(src, tr, "requires_after", where);
          trig.places = tr.value("places", false);
          trig.subject = strings(src, tr, "subject", where);
          trig.copular = tr.value("copular", false);
          trig.person_object = tr.value("person_object", false);
          trig.passive_only = tr.value("passive_only", false);
          if (tr.contains("excludes_after"))
            for (const auto& w : tr.at("excludes_after")) trig.excludes_after.push_back(w.get<std::string>());
          if (rt.symmetric && trig.parties.empty() && trig.object.empty() && !trig.copular)
            fail(src, where + ": a trigger of a symmetric type needs \"parties\", \"object\" or \"copular\"");
          rt.triggers.push_back(std::move(trig));
        }
      }
      k.types_.push_back(std::move(rt));
    }
    if (k.types_.empty()) fail(src, "no relation types");
    if (k.types_.size() > 64) fail(src, "at most 64 relation types are supported");
    for (uint16_t ti = 0; ti < k.types_.size(); ++ti)
      for (uint32_t gi = 0; gi < k.types_[ti].triggers.size(); ++gi)
        for (const auto& p : k.types_[ti].triggers[gi].phrases)
          k.trigger_phrases_[p.front()].push_back({p, ti, gi});
  }

  // Titles.
  {
    const KnowledgeSource& src = sources.titles;
    json root = parse(src);
    if (!root.is_array()) fail(src, "expected an array of titles");
    for (const json& t : root) {
      Title title;
      title.title = string_field(src, t, "title", "a title");
      const std::string where = "title \"" + title.title + "\"";
      const std::string rel = string_field(src, t, "relation", where);
      auto ti = k.relation_type(rel);
      if (!ti) fail(src, where + ": unknown relation type \"" + rel + "\"");
      title.relation = *ti;
      title.before_name = t.value("before_name", false);
      if (t.contains("org_relation")) {
        const std::string org_rel = string_field(src, t, "org_relation", where);
        title.org_relation = k.relation_type(org_rel);
        if (!title.org_relation) fail(src, where + ": unknown relation type \"" + org_rel + "\"");
      }
      const uint32_t index = static_cast<uint32_t>(k.titles_.size());
      auto forms = strings(src, t, "forms", where);
      forms.push_back(title.title);
      for (const auto& f : forms) {
        auto toks = phrase_tokens(f);
        if (toks.empty()) continue;
        k.title_forms_[toks.front()].push_back({toks, index});
        auto pl = toks;
        pl.back() = plural(pl.back());
        k.title_forms_[pl.front()].push_back({pl, index});
      }
      k.titles_.push_back(std::move(title));
    }
  }

  // Cues.
  {
    const KnowledgeSource& src = sources.cues;
    json root = parse(src);
    if (!root.is_object()) fail(src, "expected an object of word lists");
    k.cues_.negation = phrase_list(src, root, "negation");
    k.cues_.attribution = phrase_list(src, root, "attribution");
    k.cues_.modality = phrase_list(src, root, "modality");
    k.cues_.sports = phrase_list(src, root, "sports");
    k.cues_.sports_context = phrase_list(src, root, "sports_context");
    k.cues_.history = phrase_list(src, root, "history");
    k.cues_.collective_pairs = phrase_list(src, root, "collective_pairs");
    k.cues_.collective_people_pairs = phrase_list(src, root, "collective_people_pairs");
    if (root.contains("pronouns")) {
      const json& p = root["pronouns"];
      k.cues_.male_pronouns = word_set(src, p, "male");
      k.cues_.female_pronouns = word_set(src, p, "female");
      k.cues_.neuter_pronouns = word_set(src, p, "neuter");
      k.cues_.plural_pronouns = word_set(src, p, "plural");
    }
  }

  // Entities.
  struct PendingRoles {
    uint32_t entity;
    const KnowledgeSource* src;
    json roles;
  };
  std::vector<PendingRoles> pending;
  std::unordered_map<std::string, const KnowledgeSource*> defined_in;  // key -> its file
  for (const auto& file : sources.entities) {
    const KnowledgeSource& src = file.source;
    json root = parse(src);
    if (!root.is_array()) fail(src, "expected an array of entries");
    size_t n = 0;
    for (const json& e : root) {
      ++n;
      if (!e.is_object()) fail(src, "entry " + std::to_string(n) + " is not an object");
      DictionaryEntity d;
      d.key = string_field(src, e, "key", "entry " + std::to_string(n));
      const std::string where = "entry \"" + d.key + "\"";
      if (d.key.empty() || d.key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
                               std::string::npos)
        fail(src, where + ": a key is lowercase letters, digits and '-'");
      if (k.key_index_.count(d.key)) {
        const KnowledgeSource* first = defined_in[d.key];
        fail(src, where + ": key used twice" +
                      (first && first != &src ? " (also defined in " + first->name + ")"
                                              : std::string(" in this file")));
      }
      defined_in[d.key] = &src;
      d.name = string_field(src, e, "name", where);
      d.kind = file.default_kind;
      if (file.require_kind && !e.contains("kind"))
        fail(src, where + ": missing \"kind\" (person, country, organization, group or location)");
      if (e.contains("kind")) {
        auto kind = parse_kind(string_field(src, e, "kind", where));
        if (!kind) fail(src, where + ": unknown kind");
        d.kind = *kind;
      }
      d.aliases = strings(src, e, "aliases", where);
      d.demonyms = strings(src, e, "demonyms", where);
      d.capitals = strings(src, e, "capitals", where);
      d.places = strings(src, e, "places", where);
      d.neighbors = strings(src, e, "neighbors", where);
      d.region = string_field(src, e, "region", where, false);
      d.state = string_field(src, e, "state", where, false);
      const std::string gender = string_field(src, e, "gender", where, false);
      d.gender = gender == "male" ? Gender::male : gender == "female" ? Gender::female : Gender::unknown;
      const uint32_t index = static_cast<uint32_t>(k.entities_.size());
      if (e.contains("roles")) pending.push_back({index, &src, e["roles"]});
      k.key_index_[d.key] = index;
      k.entities_.push_back(std::move(d));
    }
  }
  for (uint32_t i = 0; i < k.entities_.size(); ++i) {
    const DictionaryEntity& d = k.entities_[i];
    if (d.kind != EntityKind::person) continue;
    std::vector<std::string> spellings{squashed_spelling(d.name)};
    for (const auto& a : d.aliases)
      if (a.find(' ') != std::string::npos || a.find('-') != std::string::npos)
        spellings.push_back(squashed_spelling(a));  // full names only, not "Kakar"
    for (const auto& sp : spellings) {
      auto [it, fresh] = k.person_spellings_.try_emplace(sp, i);
      if (!fresh && it->second != i) it->second = kAmbiguousSpelling;
    }
  }
  for (const DictionaryEntity& d : k.entities_)
    if (!d.state.empty() && !k.entity_by_key(d.state))
      throw KnowledgeError("entry \"" + d.key + "\": unknown state \"" + d.state + "\"");
  for (auto& p : pending) {
    DictionaryEntity& d = k.entities_[p.entity];
    const std::string where = "entry \"" + d.key + "\"";
    if (!p.roles.is_array()) fail(*p.src, where + ": \"roles\" must be an array");
    for (const json& r : p.roles) {
      Role role;
      role.title = string_field(*p.src, r, "title", where + " role");
      if (!k.title_by_name(role.title)) fail(*p.src, where + ": unknown title \"" + role.title + "\"");
      role.of = string_field(*p.src, r, "country", where + " role");
      if (!k.entity_by_key(role.of)) fail(*p.src, where + ": unknown country or organisation \"" + role.of + "\"");
      role.from = role_date(*p.src, r, "from", where, std::numeric_limits<int32_t>::min());
      role.to = role_date(*p.src, r, "to", where, std::numeric_limits<int32_t>::max());
      if (role.to < role.from) fail(*p.src, where + ": a role ends before it starts");
      d.roles.push_back(std::move(role));
    }
  }

  // Name phrases. A capitalised dictionary word must be capitalised in the text; a short
  // all-caps name ("US", "EU") must be all caps.
  for (uint32_t i = 0; i < k.entities_.size(); ++i) {
    const DictionaryEntity& d = k.entities_[i];
    auto add = [&](const std::string& phrase, NameForm form) {
      auto toks = tokenize(phrase);
      if (toks.empty()) return;
      PhraseEntry pe;
      for (const auto& t : toks) {
        pe.tokens.push_back(t.norm);
        const bool short_caps = t.upper && t.word && t.norm.size() <= 3 && t.norm.find('.') == std::string::npos;
        pe.caps.push_back(short_caps ? 2 : (t.cap ? 1 : 0));
      }
      pe.hit = {i, form};
      k.phrases_[pe.tokens.front()].push_back(std::move(pe));
    };
    // Each name also without its diacritics, as wires often write it ("Erdogan", "Sanchez").
    std::unordered_set<std::string> written(d.aliases.begin(), d.aliases.end());
    written.insert(d.name);
    auto add_folded = [&](const std::string& phrase, NameForm form) {
      add(phrase, form);
      std::string folded = ascii_fold(phrase);
      if (folded != phrase && written.insert(folded).second) add(folded, form);
    };
    add_folded(d.name, NameForm::name);
    for (const auto& a : d.aliases) add_folded(a, NameForm::alias);
    for (const auto& a : d.demonyms) add_folded(a, NameForm::demonym);
    for (const auto& a : d.capitals) add_folded(a, NameForm::capital);
    for (const auto& a : d.places) add_folded(a, NameForm::place);
  }
  // Who held which role of each state or organisation, in dictionary order.
  for (uint32_t i = 0; i < k.entities_.size(); ++i)
    for (uint32_t r = 0; r < k.entities_[i].roles.size(); ++r)
      k.holders_by_of_[k.entities_[i].roles[r].of].push_back({i, r});
  return k;
}

std::optional<uint16_t> Knowledge::relation_type(std::string_view name) const {
  for (uint16_t i = 0; i < types_.size(); ++i)
    if (types_[i].name == name) return i;
  return std::nullopt;
}


std::optional<uint32_t> Knowledge::person_by_spelling(std::string_view name) const {
  auto it = person_spellings_.find(squashed_spelling(name));
  if (it == person_spellings_.end() || it->second == kAmbiguousSpelling) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Knowledge::entity_by_key(std::string_view key) const {
  auto it = key_index_.find(std::string(key));
  if (it == key_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Knowledge::title_by_name(std::string_view title) const {
  for (uint32_t i = 0; i < titles_.size(); ++i)
    if (titles_[i].title == title) return i;
  return std::nullopt;
}

Knowledge::Match Knowledge::match_entity(const std::vector<std::string>& norms,
                                         const std::vector<uint8_t>& caps, size_t at,
                                         size_t end) const {
  Match best;
  auto it = phrases_.find(norms[at]);
  if (it == phrases_.end()) return best;
  for (const PhraseEntry& pe : it->second) {
    const size_t len = pe.tokens.size();
    if (at + len > end || len < best.length) continue;
    bool ok = true;
    for (size_t j = 0; j < len && ok; ++j) {
      ok = norms[at + j] == pe.tokens[j] && caps[at + j] >= pe.caps[j];
    }
    if (!ok) continue;
    if (len > best.length) {
      best.length = static_cast<uint32_t>(len);
      best.hits.clear();
    }
    best.hits.push_back(pe.hit);
  }
  return best;
}

std::optional<std::pair<uint32_t, uint32_t>> Knowledge::match_title(
    const std::vector<std::string>& norms, size_t at, size_t end) const {
  auto it = title_forms_.find(norms[at]);
  if (it == title_forms_.end()) return std::nullopt;
  std::optional<std::pair<uint32_t, uint32_t>> best;
  for (const auto& [toks, index] : it->second) {
    if (at + toks.size() > end) continue;
    if (!std::equal(toks.begin(), toks.end(), norms.begin() + static_cast<long>(at))) continue;
    if (!best || toks.size() > best->second) best = {index, static_cast<uint32_t>(toks.size())};
  }
  return best;
}

std::vector<Knowledge::TriggerHit> Knowledge::match_triggers(const std::vector<std::string>& norms,
                                                             size_t at, size_t end) const {
  std::vector<TriggerHit> out;
  auto it = trigger_phrases_.find(norms[at]);
  if (it == trigger_phrases_.end()) return out;
  for (const TriggerPhrase& tp : it->second) {
    if (at + tp.tokens.size() > end) continue;
    if (!std::equal(tp.tokens.begin(), tp.tokens.end(), norms.begin() + static_cast<long>(at)))
      continue;
    out.push_back({tp.type, tp.trigger, static_cast<uint32_t>(tp.tokens.size())});
  }
  // Longest phrases first: "phone call" wins over "call".
  std::sort(out.begin(), out.end(),
            [](const TriggerHit& a, const TriggerHit& b) { return a.length > b.length; });
  return out;
}

std::optional<uint32_t> Knowledge::role_holder(uint32_t title, uint32_t of, int32_t day) const {
  const std::string& t = titles_[title].title;
  const auto it = holders_by_of_.find(entities_[of].key);
  if (it == holders_by_of_.end()) return std::nullopt;
  for (const auto& [entity, role] : it->second) {
    const Role& r = entities_[entity].roles[role];
    if (r.title == t && day >= r.from && day < r.to) return entity;
  }
  return std::nullopt;
}

}  // namespace relgraph::ingest
