// Named graphs for golden query tests (fixtures/graphs/NAME.graph), and the loader that turns
// one into a relgraph database.
//
// The format is one statement per line; fields are separated by two or more spaces (or a
// tab), so names may contain single spaces; `#` starts a comment line.
//
//   entity  Xi Jinping  person  [key=xi-jinping] [alias=Xi]
//   2023-05-10  China  trades-with  Iran  [evidence=3] [negated] [attributed]
//
// An entity line declares a name, its kind (person, country, organization, group, location)
// and optionally its key (default: the name in lower case, spaces as dashes) and aliases.
// Entities get ids in declaration order. A relation line names a date, the subject, the
// relation type and the object; an end is written as a key, or as a name only one declared
// entity has. [evidence=N] stores N supporting articles of that date (default 1); [negated]
// and [attributed] flag every one of them. Relations get ids in order of first appearance.
//
// The loader bypasses the text extractor: each article is a synthesised sentence stating the
// relation, stored with an ingest::Extraction built from the line, so golden tests pin the
// query engine and not extraction.
#pragma once

#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/knowledge_loader.h"
#include "store/store.h"
#include "support/fixtures.h"

namespace relgraph::testing {

struct GoldenEntity {
  std::string name, key, kind;
  std::vector<std::string> aliases;
};

struct GoldenRelation {
  int line = 0;
  std::string date, subject_key, type, object_key;
  int evidence = 1;
  bool negated = false, attributed = false;
};

struct GoldenGraph {
  std::string name;
  std::vector<GoldenEntity> entities;
  std::vector<GoldenRelation> relations;
};

// Splits a line into fields at runs of two or more spaces or at tabs.
inline std::vector<std::string> golden_fields(const std::string& line) {
  static const std::regex kSeparator(R"(\t+| {2,})");
  std::vector<std::string> out;
  for (std::sregex_token_iterator it(line.begin(), line.end(), kSeparator, -1), end; it != end;
       ++it) {
    std::string f = *it;
    f.erase(0, f.find_first_not_of(' '));
    f.erase(f.find_last_not_of(' ') + 1);
    if (!f.empty()) out.push_back(f);
  }
  return out;
}

inline std::string golden_slug(const std::string& name) {
  std::string key;
  for (char c : name) key += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

// Parses fixtures/graphs/NAME.graph. Throws std::runtime_error naming the file and line.
inline GoldenGraph read_golden_graph(const std::string& name) {
  const auto path = fixtures_dir() / "graphs" / (name + ".graph");
  if (!std::filesystem::exists(path)) throw std::runtime_error("no graph file " + path.string());
  GoldenGraph g;
  g.name = name;
  std::istringstream in(read_text(path));
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": " + why);
  };
  // An end of a relation: a key, else a name that exactly one entity has.
  auto key_of = [&](const std::string& ref) {
    std::vector<std::string> by_name;
    for (const auto& e : g.entities) {
      if (e.key == ref) return e.key;
      if (e.name == ref) by_name.push_back(e.key);
    }
    if (by_name.size() != 1)
      fail("\"" + ref + "\" is " + (by_name.empty() ? "not declared" : "ambiguous: use its key"));
    return by_name[0];
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#')
      continue;
    auto f = golden_fields(line);
    std::vector<std::string> options;
    while (!f.empty() && f.back().front() == '[') {
      // Options may share one field ("[evidence=3] [negated]").
      std::string opts = f.back();
      f.pop_back();
      std::regex one(R"(\[([^\]]*)\])");
      for (std::sregex_iterator it(opts.begin(), opts.end(), one), end; it != end; ++it)
        options.push_back((*it)[1]);
    }
    if (f.size() == 3 && f[0] == "entity") {
      GoldenEntity e{f[1], golden_slug(f[1]), f[2], {}};
      if (!ingest::parse_kind(e.kind)) fail("unknown kind " + e.kind);
      for (const auto& o : options) {
        if (o.rfind("key=", 0) == 0) e.key = o.substr(4);
        else if (o.rfind("alias=", 0) == 0) e.aliases.push_back(o.substr(6));
        else fail("unknown entity option [" + o + "]");
      }
      for (const auto& other : g.entities)
        if (other.key == e.key) fail("key " + e.key + " declared twice");
      g.entities.push_back(std::move(e));
    } else if (f.size() == 4) {
      GoldenRelation r{number, f[0], key_of(f[1]), f[2], key_of(f[3])};
      if (!ingest::days_from_iso(r.date)) fail("bad date " + r.date);
      for (const auto& o : options) {
        if (o.rfind("evidence=", 0) == 0) r.evidence = std::stoi(o.substr(9));
        else if (o == "negated") r.negated = true;
        else if (o == "attributed") r.attributed = true;
        else fail("unknown relation option [" + o + "]");
      }
      g.relations.push_back(std::move(r));
    } else {
      fail("expected \"entity  NAME  KIND\" or \"DATE  SUBJECT  TYPE  OBJECT\"");
    }
  }
  return g;
}

// Writes `graph` into a new relgraph database at `db` through store::Store::ingest: first one
// article that mentions every entity (so ids follow declaration order), then one article per
// piece of evidence. Throws on an unknown relation type.
inline void build_golden_database(const GoldenGraph& graph, const std::filesystem::path& db) {
  const ingest::Knowledge k = server::bundled_knowledge();
  std::vector<std::string> symmetric;
  for (const auto& t : k.relation_types())
    if (t.symmetric) symmetric.push_back(t.name);
  auto store = store::Store::open(db.string(), symmetric);
  std::map<std::string, const GoldenEntity*> by_key;
  auto extracted = [](const GoldenEntity& e) {
    ingest::Entity x;
    x.key = e.key;
    x.name = e.name;
    x.kind = *ingest::parse_kind(e.kind);
    x.from_dictionary = true;  // matched by key, never merged with a namesake
    x.aliases = e.aliases;
    return x;
  };
  {
    store::ArticleInput roster{"The entities of the golden graph " + graph.name + ".",
                               graph.name + ": entities", "https://golden.test/" + graph.name, "golden", ""};
    ingest::Extraction x;
    for (const auto& e : graph.entities) {
      x.entities.push_back(extracted(e));
      by_key[e.key] = &e;
    }
    x.sentences.push_back({0, 0, static_cast<uint32_t>(roster.text.size())});
    store->ingest(roster, x, k);
  }
  for (const auto& r : graph.relations) {
    const auto type = k.relation_type(r.type);
    if (!type) throw std::runtime_error(graph.name + ".graph:" + std::to_string(r.line) +
                                        ": unknown relation type " + r.type);
    const GoldenEntity& s = *by_key.at(r.subject_key);
    const GoldenEntity& o = *by_key.at(r.object_key);
    for (int i = 1; i <= r.evidence; ++i) {
      const std::string sentence = s.name + (r.negated ? " does not " : " ") + r.type + " " + o.name + ".";
      const std::string where = graph.name + " line " + std::to_string(r.line) + " evidence " + std::to_string(i);
      store::ArticleInput a{sentence + " (" + where + ")", where,
                            "https://golden.test/" + graph.name + "/" + std::to_string(r.line) + "/" + std::to_string(i),
                            "golden", r.date};
      ingest::Extraction x;
      x.entities = {extracted(s), extracted(o)};
      x.sentences.push_back({0, 0, static_cast<uint32_t>(sentence.size())});
      ingest::RelationMention m;
      m.type = *type;
      m.subject = 0;
      m.object = 1;
      m.sentence = 0;
      m.negated = r.negated;
      m.attributed = r.attributed;
      m.confidence = 0.9f;
      x.relations.push_back(m);
      store->ingest(a, x, k);
    }
  }
}

}  // namespace relgraph::testing
