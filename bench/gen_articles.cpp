// gen_articles: deterministic synthetic news articles in NDJSON for `relgraph ingest` and
// POST /v1/articles, built from the real dictionaries and relation types (the ones compiled
// into relgraph from schema/), so ingest runs the real extractor on sentences it handles.
//
//   gen_articles --count 5000 [--seed 7] [--sentences 8] [--fresh-pairs]  > articles.ndjson
//
// Each article has a publication date in 2015-2026 and --sentences sentences, each stating a
// relation of one of the twelve verb-triggered types between dictionary actors (states by
// name, demonym or capital; people introduced with their title as of the publication date,
// which also states `leads` or `affiliated-with`; organisations), with some negated and some
// attributed sentences. --fresh-pairs writes one short article per line, each stating
// drills-with between a distinct pair of states, for the freshness test (every post adds a
// relation that did not exist); each line then carries "expect": {"subject", "object", "type"}
// keys for the poller (the field is not part of the article and is stripped by run.sh).
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "ingest/text.h"
#include "server/knowledge_loader.h"

namespace {

using json = nlohmann::json;
using relgraph::bench::Rng;
using relgraph::ingest::DictionaryEntity;
using relgraph::ingest::EntityKind;

struct Actor {
  std::string first;  // first mention
  std::string later;  // later mentions
};

std::string title_case(const std::string& s) {
  std::string out = s;
  bool start = true;
  for (char& c : out) {
    if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    start = c == ' ' || c == '-';
  }
  return out;
}

struct Templates {
  const char* type;
  const char* positive;  // {S} subject, {O} object
  const char* negative;
};

// One sentence pattern per verb-triggered type, in the grammar of schema/relation-types.json.
const Templates kTemplates[] = {
    {"congratulates", "{S} congratulated {O} on the election victory.", "{S} did not congratulate {O} on the result."},
    {"praises", "{S} praised {O} for its role in the negotiations.", "{S} refused to praise {O} for the deal."},
    {"criticizes", "{S} criticized {O} over the border dispute.", "{S} did not criticize {O} over the dispute."},
    {"accuses", "{S} accused {O} of violating the ceasefire.", "{S} did not accuse {O} of interference."},
    {"meets-with", "{S} met {O} on Tuesday to discuss regional security.", "{S} did not meet {O} during the summit."},
    {"visits", "{S} visited {O} on Monday.", "{S} did not visit {O} this year."},
    {"trades-with", "Bilateral trade between {S} and {O} rose sharply last year.", "{S} does not trade with {O}."},
    {"drills-with", "{S} held joint naval drills with {O}.", "{S} did not hold drills with {O}."},
    {"supports", "{S} backed {O} in the dispute.", "{S} did not back {O} in the dispute."},
    {"sanctions", "{S} sanctioned {O} over its missile programme.", "{S} did not sanction {O} this time."},
    {"attacks", "{S} attacked {O} on Sunday.", "{S} denied that it attacked {O}."},
    {"signs-agreement-with", "{S} signed an agreement with {O} on energy cooperation.",
     "{S} did not sign an agreement with {O}."},
};

std::string fill(const std::string& pattern, const std::string& s, const std::string& o) {
  std::string out = pattern;
  auto put = [&](const std::string& key, const std::string& value) {
    const auto at = out.find(key);
    if (at != std::string::npos) out.replace(at, key.size(), value);
  };
  put("{S}", s);
  put("{O}", o);
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 1000;
  uint64_t seed = 7;
  int sentences = 8;
  bool fresh_pairs = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--count" && i + 1 < argc) count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--sentences" && i + 1 < argc) sentences = std::atoi(argv[++i]);
    else if (a == "--fresh-pairs") fresh_pairs = true;
    else {
      std::fprintf(stderr, "usage: gen_articles --count N [--seed S] [--sentences K] [--fresh-pairs]\n");
      return 2;
    }
  }
  const auto knowledge = relgraph::server::bundled_knowledge();
  const auto& ents = knowledge.entities();
  std::vector<uint32_t> countries, orgs;
  for (uint32_t i = 0; i < ents.size(); ++i) {
    if (ents[i].kind == EntityKind::country && !ents[i].demonyms.empty() && !ents[i].capitals.empty())
      countries.push_back(i);
    if ((ents[i].kind == EntityKind::organization) && ents[i].state.empty() && !ents[i].aliases.empty())
      orgs.push_back(i);
  }
  Rng rng(seed);
  const int32_t day0 = *relgraph::ingest::days_from_iso("2015-01-01");
  const int32_t n_days = *relgraph::ingest::days_from_iso("2026-06-30") - day0 + 1;

  if (fresh_pairs) {
    // Distinct unordered pairs of states, in a seeded order.
    for (size_t i = 0; i < count; ++i) {
      const uint32_t a = countries[(i * 7) % countries.size()];
      const uint32_t b = countries[(i * 7 + 1 + i / countries.size()) % countries.size()];
      const std::string day = relgraph::ingest::iso_from_days(day0 + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_days))));
      json j = {{"title", "Freshness probe " + std::to_string(i)},
                {"published_at", day},
                {"source", "bench"},
                {"text", ents[a].name + " held joint naval drills with " + ents[b].name +
                             " in the region, officials said on probe day " + std::to_string(i) + "."},
                {"expect", {{"subject", ents[a].key}, {"object", ents[b].key}, {"type", "drills-with"}}}};
      std::printf("%s\n", j.dump().c_str());
    }
    return 0;
  }

  for (size_t n = 0; n < count; ++n) {
    const int32_t day = day0 + static_cast<int32_t>(rng.below(static_cast<uint64_t>(n_days)));
    // People holding a state title on that day.
    std::vector<std::pair<uint32_t, size_t>> officials;  // (person, role)
    for (uint32_t i = 0; i < ents.size(); ++i) {
      if (ents[i].kind != EntityKind::person) continue;
      for (size_t r = 0; r < ents[i].roles.size(); ++r) {
        const auto& role = ents[i].roles[r];
        if (role.from <= day && day < role.to) {
          auto of = knowledge.entity_by_key(role.of);
          if (of && ents[*of].kind == EntityKind::country && !ents[*of].demonyms.empty())
            officials.emplace_back(i, r);
        }
      }
    }
    std::vector<int> introduced(ents.size(), 0);
    auto actor = [&](bool place) -> std::string {
      const double u = rng.uniform();
      if (place || officials.empty() || u < 0.5) {
        const auto& c = ents[countries[rng.below(countries.size())]];
        const double v = rng.uniform();
        if (!place && v < 0.15) return c.capitals[0];
        return c.name;
      }
      if (u < 0.8) {
        const auto [p, r] = officials[rng.below(officials.size())];
        const auto& person = ents[p];
        if (introduced[p]++) return person.aliases.empty() ? person.name : person.aliases[0];
        const auto& role = person.roles[r];
        const auto& of = ents[*knowledge.entity_by_key(role.of)];
        return of.demonyms[0] + " " + title_case(role.title) + " " + person.name;
      }
      const auto& o = ents[orgs[rng.below(orgs.size())]];
      return o.name;
    };
    std::string text;
    for (int s = 0; s < sentences; ++s) {
      const auto& t = kTemplates[rng.below(std::size(kTemplates))];
      const bool visits = std::string(t.type) == "visits";
      std::string subject = actor(false), object = actor(visits);
      if (object == subject) object = actor(true);
      const bool negated = rng.chance(0.07);
      std::string sentence = fill(negated ? t.negative : t.positive, subject, object);
      if (!negated && rng.chance(0.08)) {
        sentence[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(sentence[0])));
        sentence = "According to state media, " + sentence;
      }
      text += (text.empty() ? "" : " ") + sentence;
    }
    text += " (Dispatch " + std::to_string(seed) + "-" + std::to_string(n) + ".)";
    json j = {{"title", "Synthetic report " + std::to_string(n)},
              {"url", "https://example.org/bench/" + std::to_string(seed) + "/" + std::to_string(n)},
              {"source", "bench"},
              {"published_at", relgraph::ingest::iso_from_days(day)},
              {"text", text}};
    std::printf("%s\n", j.dump().c_str());
  }
  return 0;
}
