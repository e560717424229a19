#include "server/dictionary_tools.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "ingest/text.h"

namespace relgraph::server {
namespace {

using nlohmann::json;

int line_at(const std::string& text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(),
                                         text.begin() + static_cast<long>(std::min(offset, text.size())),
                                         '\n'));
}

// Byte ranges of the elements of a top-level JSON array, found by scanning brackets outside
// strings; used to place problems of entries that have no usable "key".
std::vector<std::pair<size_t, size_t>> element_spans(const std::string& text) {
  std::vector<std::pair<size_t, size_t>> out;
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      if (depth == 1) start = i;
    } else if (c == '{' || c == '[') {
      if (depth == 1) start = i;
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth == 1) out.push_back({start, i + 1});
    }
  }
  return out;
}

// Offset of `"field": "value"` inside [from, to) of `text`, allowing any spacing.
size_t find_field(const std::string& text, const std::string& field, const std::string& value,
                  size_t from, size_t to) {
  const std::string quoted_value = json(value).dump();
  const std::string quoted_field = "\"" + field + "\"";
  for (size_t at = text.find(quoted_field, from); at != std::string::npos && at < to;
       at = text.find(quoted_field, at + 1)) {
    size_t j = at + quoted_field.size();
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j >= text.size() || text[j] != ':') continue;
    ++j;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (text.compare(j, quoted_value.size(), quoted_value) == 0) return at;
  }
  return std::string::npos;
}

std::string normal_form(const std::string& phrase) {
  std::string out;
  for (const auto& t : ingest::phrase_tokens(phrase)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

struct EntryInfo {
  std::string key;
  const ingest::KnowledgeSource* src = nullptr;
  int line = 0;
};

}  // namespace

std::string format_problem(const DictionaryProblem& p) {
  std::string out = p.file;
  if (p.line > 0) out += ":" + std::to_string(p.line);
  out += p.warning ? ": warning: " : ": error: ";
  out += p.message;
  return out;
}

std::vector<DictionaryProblem> check_dictionaries(const ingest::KnowledgeSources& sources) {
  std::vector<DictionaryProblem> problems;
  auto error = [&](const std::string& file, int line, const std::string& msg) {
    problems.push_back({file, line, msg, false});
  };
  auto parse = [&](const ingest::KnowledgeSource& src, json& out) {
    try {
      out = json::parse(src.json);
      return true;
    } catch (const json::parse_error& e) {
      error(src.name, line_at(src.json, e.byte > 0 ? e.byte - 1 : 0),
            std::string("not valid JSON: ") + e.what());
      return false;
    }
  };

  // Relation types and titles.
  std::set<std::string> relation_types;
  json types;
  if (parse(sources.relation_types, types)) {
    if (!types.is_object() || !types.contains("types") || !types["types"].is_array()) {
      error(sources.relation_types.name, 1, "expected an object with a \"types\" array");
    } else {
      for (const auto& t : types["types"])
        if (t.is_object() && t.contains("name") && t["name"].is_string()) {
          const std::string name = t["name"].get<std::string>();
          if (!relation_types.insert(name).second)
            error(sources.relation_types.name,
                  line_at(sources.relation_types.json,
                          find_field(sources.relation_types.json, "name", name, 0,
                                     sources.relation_types.json.size())),
                  "relation type \"" + name + "\" is defined twice");
        }
    }
  }
  std::set<std::string> titles;
  json title_list;
  const ingest::KnowledgeSource& tsrc = sources.titles;
  if (parse(tsrc, title_list)) {
    if (!title_list.is_array()) error(tsrc.name, 1, "expected an array of titles");
    for (const auto& t : title_list.is_array() ? title_list : json::array()) {
      if (!t.is_object() || !t.contains("title") || !t["title"].is_string()) {
        error(tsrc.name, 0, "a title entry has no \"title\"");
        continue;
      }
      const std::string name = t["title"].get<std::string>();
      const int line = line_at(tsrc.json, find_field(tsrc.json, "title", name, 0, tsrc.json.size()));
      if (!titles.insert(name).second) error(tsrc.name, line, "title \"" + name + "\" is defined twice");
      const std::string rel = t.value("relation", std::string());
      if (rel.empty())
        error(tsrc.name, line, "title \"" + name + "\" names no relation type");
      else if (!relation_types.empty() && !relation_types.count(rel))
        error(tsrc.name, line, "title \"" + name + "\" names the unknown relation type \"" + rel + "\"");
    }
  }
  json cues;
  parse(sources.cues, cues);

  // Entities: keys, names, aliases.
  struct Pending {
    const ingest::KnowledgeSource* src;
    size_t from, to;  // the entry's bytes
    std::string key;
    int line;
    json roles;
  };
  std::unordered_map<std::string, EntryInfo> keys;
  // normal form -> (entity key, form type, file, line) of its first holder
  struct FormHolder {
    std::string key, form_type, file;
    int line;
    bool country;
  };
  std::unordered_map<std::string, FormHolder> forms;
  std::vector<Pending> pending;
  for (const auto& file : sources.entities) {
    const ingest::KnowledgeSource& src = file.source;
    json root;
    if (!parse(src, root)) continue;
    if (!root.is_array()) {
      error(src.name, 1, "expected an array of entries");
      continue;
    }
    const auto spans = element_spans(src.json);
    for (size_t n = 0; n < root.size(); ++n) {
      const json& e = root[n];
      const size_t from = n < spans.size() ? spans[n].first : 0;
      const size_t to = n < spans.size() ? spans[n].second : src.json.size();
      int line = line_at(src.json, from);
      if (!e.is_object()) {
        error(src.name, line, "entry " + std::to_string(n + 1) + " is not an object");
        continue;
      }
      if (!e.contains("key") || !e["key"].is_string()) {
        error(src.name, line, "entry " + std::to_string(n + 1) + " has no \"key\"");
        continue;
      }
      const std::string key = e["key"].get<std::string>();
      const size_t at = find_field(src.json, "key", key, from, to);
      if (at != std::string::npos) line = line_at(src.json, at);
      const std::string where = "entry \"" + key + "\"";
      if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        error(src.name, line, where + ": a key is lowercase letters, digits and '-'");
      if (auto it = keys.find(key); it != keys.end()) {
        error(src.name, line,
              where + ": key already defined at " + it->second.src->name + ":" +
                  std::to_string(it->second.line));
        continue;
      }
      keys[key] = {key, &src, line};
      if (!e.contains("name") || !e["name"].is_string())
        error(src.name, line, where + ": missing \"name\"");
      ingest::EntityKind kind = file.default_kind;
      if (e.contains("kind")) {
        auto k = e["kind"].is_string() ? ingest::parse_kind(e["kind"].get<std::string>()) : std::nullopt;
        if (!k)
          error(src.name, line, where + ": unknown kind (person, country, organization, group, location)");
        else
          kind = *k;
      } else if (file.require_kind) {
        error(src.name, line, where + ": missing \"kind\" (person, country, organization, group or location)");
      }
      // Names, aliases, demonyms, capitals: one normal form, one entity.
      std::set<std::string> own;
      for (const char* field : {"name", "aliases", "demonyms", "capitals"}) {
        if (!e.contains(field)) continue;
        std::vector<std::string> values;
        const json& v = e[field];
        if (v.is_string()) {
          values.push_back(v.get<std::string>());
        } else if (v.is_array()) {
          for (const auto& x : v)
            if (x.is_string())
              values.push_back(x.get<std::string>());
            else
              error(src.name, line, where + ": \"" + field + "\" must hold strings");
        } else {
          error(src.name, line, where + ": \"" + field + "\" must be " +
                                    (std::string(field) == "name" ? "a string" : "an array of strings"));
        }
        for (const auto& value : values) {
          const std::string nf = normal_form(value);
          if (nf.empty() || !own.insert(nf).second) continue;
          auto [it, added] = forms.try_emplace(
              nf, FormHolder{key, field, src.name, line, kind == ingest::EntityKind::country});
          if (added || it->second.key == key) continue;
          const bool shared_demonym = std::string(field) == "demonyms" &&
                                      it->second.form_type == "demonyms";
          problems.push_back(
              {src.name, line,
               where + ": \"" + value + "\" (" + field + ") already stands for \"" + it->second.key +
                   "\" (" + it->second.file + ":" + std::to_string(it->second.line) + ")",
               shared_demonym});
        }
      }
      if (e.contains("state") && e["state"].is_string())
        pending.push_back({&src, from, to, key, line, json::array({json{{"__state", e["state"]}}})});
      if (e.contains("roles")) pending.push_back({&src, from, to, key, line, e["roles"]});
    }
  }

  // Roles: known titles and countries, well-formed dates, no overlap per title and country.
  for (const Pending& p : pending) {
    const std::string where = "entry \"" + p.key + "\"";
    if (!p.roles.is_array()) {
      error(p.src->name, p.line, where + ": \"roles\" must be an array");
      continue;
    }
    struct Span {
      int32_t from, to;
      int line;
    };
    std::map<std::pair<std::string, std::string>, std::vector<Span>> spans;
    size_t cursor = p.from;  // roles are found in order, so each gets its own line
    for (const json& r : p.roles) {
      if (r.is_object() && r.contains("__state")) {
        const std::string st = r["__state"].get<std::string>();
        if (!keys.count(st)) error(p.src->name, p.line, where + ": unknown state \"" + st + "\"");
        continue;
      }
      if (!r.is_object()) {
        error(p.src->name, p.line, where + ": a role is not an object");
        continue;
      }
      const std::string title = r.value("title", std::string());
      const std::string country = r.value("country", std::string());
      int line = p.line;
      if (!title.empty()) {
        const size_t at = find_field(p.src->json, "title", title, cursor, p.to);
        if (at != std::string::npos) {
          line = line_at(p.src->json, at);
          cursor = at + 1;
        }
      }
      if (title.empty())
        error(p.src->name, line, where + ": a role has no \"title\"");
      else if (!titles.empty() && !titles.count(title))
        error(p.src->name, line, where + ": role with the unknown title \"" + title + "\"");
      if (country.empty())
        error(p.src->name, line, where + ": a role has no \"country\"");
      else if (!keys.count(country))
        error(p.src->name, line, where + ": role in the unknown country or organisation \"" + country + "\"");
      int32_t dates[2] = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
      bool ok = true;
      for (int i = 0; i < 2; ++i) {
        const char* field = i == 0 ? "from" : "to";
        if (!r.contains(field) || r[field].is_null()) continue;
        std::optional<int32_t> d;
        if (r[field].is_string()) {
          const std::string s = r[field].get<std::string>();
          if (s.size() == 10) d = ingest::days_from_iso(s);
        }
        if (!d) {
          error(p.src->name, line,
                where + ": role \"" + title + "\": \"" + field + "\" is not a date (YYYY-MM-DD): " + r[field].dump());
          ok = false;
        } else {
          dates[i] = *d;
        }
      }
      if (!ok) continue;
      if (dates[1] < dates[0]) {
        error(p.src->name, line, where + ": role \"" + title + "\" ends before it starts");
        continue;
      }
      auto& list = spans[{title, country}];
      for (const Span& s : list)
        if (dates[0] < s.to && s.from < dates[1])
          error(p.src->name, line,
                where + ": role \"" + title + "\" of \"" + country + "\" overlaps the one at line " +
                    std::to_string(s.line));
      list.push_back({dates[0], dates[1], line});
    }
  }

  // Anything else Knowledge::build refuses (trigger grammar, cue lists).
  const bool failed = std::any_of(problems.begin(), problems.end(),
                                  [](const DictionaryProblem& p) { return !p.warning; });
  if (!failed) {
    try {
      ingest::Knowledge::build(sources);
    } catch (const ingest::KnowledgeError& e) {
      const std::string what = e.what();
      const size_t colon = what.find(": ");
      problems.push_back({colon == std::string::npos ? std::string("dictionaries") : what.substr(0, colon), 0,
                          colon == std::string::npos ? what : what.substr(colon + 2), false});
    }
  }
  std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  return problems;
}

// ---- PETRARCH / TABARI actors ---------------------------------------------------------------
//
// The format (PETRARCH's and TABARI's .actors files):
//   NAME_WITH_UNDERSCORES [CODE]      an actor; "_" joins words, a trailing "_" asks for an
//                                     exact word match; the code may instead follow on
//                                     indented lines
//   +ALIAS_NAME                       another name of the actor above
//       [CODE]  [CODE <YYMMDD]  [CODE >YYYYMMDD]  [CODE YYYYMMDD-YYYYMMDD]
//                                     the actor's code, optionally restricted to dates
//   # comment (to the end of the line), <!-- comment --> (may span lines)
//
// Heuristics of the conversion:
//   - name: words title-cased ("UNITED_STATES" -> "United States"); words of at most three
//     letters stay upper case ("IMF", "U.S."), "of", "the", "and", "for" lower case inside a
//     name; the key is the slug of the name (with "-2", "-3" when taken).
//   - aliases: the "+" lines, converted the same way.
//   - one actor per code: an actor whose single code equals an earlier actor's single code
//     ("ISRAELI [ISR]" after "ISRAEL [ISR]") becomes an alias of that actor.
//   - kind: "person" when the name starts with a title (PRESIDENT, PRIME MINISTER, KING,
//     MINISTER, GENERAL, ...) or the codes are date-restricted (PETRARCH restricts codes by
//     date for individuals whose role changes); "country" for a plain three-letter code
//     (CAMEO country codes: "AFG", "USA"); "organization" otherwise (IGO..., NGO..., UNO,
//     a country code with a sector such as "USAGOV" or "ISRMIL", militant groups).
//   - the codes and their dates are kept in each entry's "petrarch" field for reference
//     (relgraph ignores it); date-restricted codes do not become roles, because relgraph
//     roles need a title and a state key that the code does not give.
//   - skipped: codes without an actor name, "+" lines before any actor, actors without a
//     code, names with no letters, discard entries ("---", "###", "+++" codes).

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string readable_name(std::string raw) {
  while (!raw.empty() && raw.back() == '_') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '_', ' ');
  std::istringstream in(raw);
  std::string word, out;
  bool first = true;
  while (in >> word) {
    std::string w;
    size_t letters = 0;
    for (char c : word) letters += std::isalpha(static_cast<unsigned char>(c)) ? 1 : 0;
    std::string lower;
    for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!first && (lower == "of" || lower == "the" || lower == "and" || lower == "for" || lower == "de")) {
      w = lower;
    } else if (letters <= 3 && letters > 0 && lower != "al") {
      w = word;  // "IMF", "U.S.", "UN"
      for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
      bool start = true;
      for (char c : lower) {
        w += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        start = !std::isalpha(static_cast<unsigned char>(c)) && c != '\'';
      }
    }
    if (!out.empty()) out += ' ';
    out += w;
    first = false;
  }
  return out;
}

// "950601" (YYMMDD) or "20121109" (YYYYMMDD) to "YYYY-MM-DD"; empty when malformed.
std::string petrarch_date(const std::string& d) {
  std::string digits;
  for (char c : d)
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  if (digits.size() == 6) digits = (digits[0] >= '3' ? "19" : "20") + digits;
  if (digits.size() != 8) return {};
  std::string iso = digits.substr(0, 4) + "-" + digits.substr(4, 2) + "-" + digits.substr(6, 2);
  return ingest::days_from_iso(iso) ? iso : std::string();
}

struct Code {
  std::string code, from, to;
  bool restricted = false;
};

// "[CODE]", "[CODE <950601]", "[CODE >990816]", "[CODE 19950601 - 19990815]".
std::optional<Code> parse_code(const std::string& inside, std::string& why) {
  static const std::regex re(
      R"(^\s*([A-Za-z0-9~+#\-/]+)\s*(?:([<>])\s*(\d{6,8})|(\d{6,8})\s*-\s*(\d{6,8}))?\s*$)");
  std::smatch m;
  if (!std::regex_match(inside, m, re)) {
    why = "malformed code block [" + inside + "]";
    return std::nullopt;
  }
  Code c;
  c.code = m[1].str();
  if (m[2].matched) {
    c.restricted = true;
    const std::string d = petrarch_date(m[3].str());
    if (d.empty()) {
      why = "malformed date in [" + inside + "]";
      return std::nullopt;
    }
    (m[2].str() == "<" ? c.to : c.from) = d;
  } else if (m[4].matched) {
    c.restricted = true;
    c.from = petrarch_date(m[4].str());
    c.to = petrarch_date(m[5].str());
    if (c.from.empty() || c.to.empty()) {
      why = "malformed date in [" + inside + "]";
      return std::nullopt;
    }
  }
  return c;
}

bool starts_with_title(const std::string& name) {
  static const std::vector<std::string> kTitles = {
      "PRESIDENT", "PRIME MINISTER", "PRIME_MINISTER", "KING", "QUEEN", "MINISTER", "GENERAL",
      "SECRETARY", "CHANCELLOR", "PREMIER", "EMIR", "SHEIKH", "SHEIK", "PRINCE", "PRINCESS",
      "AYATOLLAH", "SENATOR", "GOVERNOR", "MR", "MRS", "DR", "COLONEL", "ADMIRAL", "POPE"};
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& t : kTitles)
    if (upper.rfind(t, 0) == 0 && (upper.size() == t.size() || upper[t.size()] == '_' ||
                                   upper[t.size()] == ' ' || upper[t.size()] == '.'))
      return true;
  return false;
}

struct Actor {
  std::string name;
  int line = 0;
  std::vector<std::string> aliases;
  std::vector<Code> codes;
};

}  // namespace

ImportOptions known_entities(const ingest::KnowledgeSources& sources) {
  ImportOptions o;
  for (const auto& file : sources.entities) {
    const json root = json::parse(file.source.json, nullptr, false);
    if (!root.is_array()) continue;
    for (const auto& e : root) {
      if (!e.is_object()) continue;
      if (e.contains("key") && e["key"].is_string()) o.known_keys.insert(e["key"].get<std::string>());
      for (const char* f : {"name", "aliases", "demonyms", "capitals"}) {
        if (!e.contains(f)) continue;
        if (e[f].is_string()) o.known_forms.insert(normal_form(e[f].get<std::string>()));
        if (e[f].is_array())
          for (const auto& x : e[f])
            if (x.is_string()) o.known_forms.insert(normal_form(x.get<std::string>()));
      }
    }
  }
  return o;
}

namespace {

// Is `b` a variant of `a` that names the same actor: "Israeli" of "Israel" (a shared stem
// of four letters or more), "UAE" of "United Arab Emirates" (initials)?
bool same_actor_names(const std::string& a, const std::string& b) {
  auto letters = [](const std::string& s) {
    std::string out;
    for (char c : s)
      if (std::isalpha(static_cast<unsigned char>(c)))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  auto initials = [](const std::string& s) {
    std::string out;
    std::istringstream in(s);
    std::string w;
    while (in >> w)
      if (std::isalpha(static_cast<unsigned char>(w[0])))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(w[0])));
    return out;
  };
  const std::string la = letters(a), lb = letters(b);
  size_t common = 0;
  while (common < la.size() && common < lb.size() && la[common] == lb[common]) ++common;
  if (common >= 4) return true;
  return (initials(a).size() >= 2 && initials(a) == lb) || (initials(b).size() >= 2 && initials(b) == la);
}

}  // namespace

ImportResult import_petrarch_actors(const std::string& text, const std::string& source_name,
                                    const ImportOptions& options) {
  ImportResult r;
  std::vector<Actor> actors;
  std::istringstream in(text);
  std::string raw;
  int n = 0;
  bool in_comment = false;
  auto skip = [&](const std::string& why) { r.skipped.push_back({n, why}); };
  while (std::getline(in, raw)) {
    ++n;
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // <!-- comments --> (also the "<! --" spelling), possibly over several lines.
    std::string kept;
    for (size_t i = 0; i < line.size();) {
      if (in_comment) {
        const size_t end = line.find("-->", i);
        if (end == std::string::npos) {
          i = line.size();
        } else {
          in_comment = false;
          i = end + 3;
        }
      } else if (line.compare(i, 2, "<!") == 0) {
        in_comment = true;
        i += 2;
      } else {
        kept += line[i++];
      }
    }
    line = kept;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line = line.substr(0, hash);
    const bool indented = !line.empty() && std::isspace(static_cast<unsigned char>(line[0]));
    line = trim(line);
    if (line.empty()) continue;
    // Code blocks on the line.
    std::vector<Code> codes;
    std::string rest;
    bool bad = false;
    for (size_t i = 0; i < line.size();) {
      if (line[i] == '[') {
        const size_t close = line.find(']', i);
        if (close == std::string::npos) {
          skip("unclosed code block");
          bad = true;
          break;
        }
        std::string why;
        if (auto c = parse_code(line.substr(i + 1, close - i - 1), why))
          codes.push_back(*c);
        else
          skip(why);
        i = close + 1;
      } else {
        rest += line[i++];
      }
    }
    if (bad) continue;
    rest = trim(rest);
    if (rest.empty()) {
      if (indented || !codes.empty()) {
        if (actors.empty()) {
          skip("code block before any actor");
          continue;
        }
        for (auto& c : codes) actors.back().codes.push_back(c);
      }
      continue;
    }
    if (rest[0] == '+') {
      const std::string alias = readable_name(trim(rest.substr(1)));
      if (actors.empty()) {
        skip("alias before any actor");
      } else if (alias.empty()) {
        skip("alias with no name");
      } else {
        actors.back().aliases.push_back(alias);
        for (auto& c : codes) actors.back().codes.push_back(c);
      }
      continue;
    }
    const std::string name = readable_name(rest);
    if (std::none_of(name.begin(), name.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
      skip("actor name with no letters: " + rest);
      continue;
    }
    actors.push_back({name, n, {}, codes});
    (void)indented;
  }

  // Merge actors that share one plain code; decide kinds; write entries.
  std::map<std::string, size_t> by_code;  // single plain code -> index in `kept`
  std::vector<Actor> kept;
  for (auto& a : actors) {
    if (a.codes.empty()) {
      r.skipped.push_back({a.line, "actor without a code: " + a.name});
      continue;
    }
    // Discard codes ("---", "###", "+++") mark names that must not be coded; an actor with
    // only those is skipped, and they are dropped from an actor that has real codes.
    auto discard = [](const Code& c) { return c.code == "---" || c.code == "###" || c.code == "+++"; };
    const std::string first_code = a.codes.front().code;
    a.codes.erase(std::remove_if(a.codes.begin(), a.codes.end(), discard), a.codes.end());
    if (a.codes.empty()) {
      r.skipped.push_back({a.line, "discard code [" + first_code + "]: " + a.name});
      continue;
    }
    const std::string& c0 = a.codes.front().code;
    const bool single = a.codes.size() == 1 && !a.codes[0].restricted;
    if (single) {
      auto it = by_code.find(c0);
      if (it != by_code.end() && same_actor_names(kept[it->second].name, a.name)) {
        Actor& first = kept[it->second];
        first.aliases.push_back(a.name);
        for (auto& al : a.aliases) first.aliases.push_back(al);
        ++r.merged;
        continue;
      }
      if (it == by_code.end()) by_code[c0] = kept.size();
    }
    kept.push_back(a);
  }
  std::set<std::string> keys = options.known_keys;
  std::ostringstream out;
  out << "[\n";
  bool first_entry = true;
  for (auto& a : kept) {
    bool restricted = false;
    for (const auto& c : a.codes) restricted |= c.restricted;
    const std::string& c0 = a.codes.front().code;
    const bool three_letters = c0.size() == 3 && std::all_of(c0.begin(), c0.end(), [](char c) {
                                 return std::isalpha(static_cast<unsigned char>(c));
                               });
    std::string kind;
    if (a.codes.empty()) continue;
    if (options.new_only && options.known_forms.count(normal_form(a.name))) {
      r.skipped.push_back({a.line, "already in the loaded dictionaries: " + a.name});
      continue;
    }
    if (starts_with_title(a.name) || restricted) {
      kind = "person";
      ++r.people;
    } else if (three_letters && c0 != "IMF" && c0 != "UNO" && c0 != "NGO" && c0 != "NGM" &&
               c0 != "IGO" && c0 != "MNC") {
      kind = "country";
      ++r.countries;
    } else {
      kind = "organization";
      ++r.organizations;
    }
    std::string key = ingest::slug(a.name);
    if (key.empty()) key = "actor";
    const std::string base = key;
    for (int i = 2; keys.count(key); ++i) key = base + "-" + std::to_string(i);
    keys.insert(key);
    // Aliases: distinct from the name and each other (by normal form).
    std::vector<std::string> aliases;
    std::set<std::string> seen = {normal_form(a.name)};
    for (const auto& al : a.aliases) {
      if (options.new_only && options.known_forms.count(normal_form(al))) {
        ++r.known_aliases;
        continue;
      }
      if (seen.insert(normal_form(al)).second) aliases.push_back(al);
    }
    json codes = json::array();
    for (const auto& c : a.codes) {
      json j = {{"code", c.code}};
      if (!c.from.empty()) j["from"] = c.from;
      if (!c.to.empty()) j["to"] = c.to;
      codes.push_back(j);
    }
    json entry = {{"key", key}, {"name", a.name}, {"kind", kind}, {"aliases", aliases},
                  {"petrarch", {{"codes", codes}, {"source", source_name + ":" + std::to_string(a.line)}}}};
    // Keep "key" first so the validator's line numbers point at the entry.
    std::string dumped = "{\"key\": " + json(key).dump();
    for (const char* f : {"name", "kind", "aliases", "petrarch"}) dumped += ", \"" + std::string(f) + "\": " + entry[f].dump();
    dumped += "}";
    out << (first_entry ? "  " : ",\n  ") << dumped;
    first_entry = false;
    ++r.actors;
    r.aliases += aliases.size();
  }
  out << "\n]\n";
  r.json = out.str();
  std::sort(r.skipped.begin(), r.skipped.end());
  return r;
}

std::string format_import_summary(const ImportResult& r, const std::string& file) {
  std::ostringstream o;
  o << file << ": " << r.actors << " actors (" << r.countries << " countries, " << r.organizations
    << " organizations, " << r.people << " people), " << r.aliases << " aliases, " << r.merged
    << " actors merged into an earlier actor with the same code";
  if (r.known_aliases) o << ", " << r.known_aliases << " aliases already known elsewhere dropped";
  o << ", " << r.skipped.size() << " lines skipped\n";
  std::map<std::string, std::vector<int>> reasons;
  for (const auto& [line, why] : r.skipped) {
    // Group by the reason's kind (text before ":").
    const std::string kind = why.substr(0, why.find(':'));
    reasons[kind].push_back(line);
  }
  for (const auto& [why, lines] : reasons) {
    o << "  skipped " << lines.size() << " (" << why << "): lines ";
    for (size_t i = 0; i < lines.size() && i < 12; ++i) o << (i ? ", " : "") << lines[i];
    if (lines.size() > 12) o << ", ...";
    o << "\n";
  }
  return o.str();
}

}  // namespace relgraph::server
