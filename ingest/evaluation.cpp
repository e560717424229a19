#include "ingest/evaluation.h"

#include <cstdio>
#include <set>
#include <stdexcept>
#include <tuple>

namespace relgraph::ingest {
namespace {

std::string lower_key(const std::string& name) {
  std::string out;
  for (const auto& t : phrase_tokens(name)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::string flags(bool negated, bool attributed) {
  std::string f;
  if (negated) f += " [negated]";
  if (attributed) f += " [attributed]";
  return f;
}

using Key = std::tuple<std::string, std::string, std::string, bool, bool>;

}  // namespace

double Counts::precision() const {
  const int d = true_positives + false_positives;
  return d ? static_cast<double>(true_positives) / d : 0.0;
}
double Counts::recall() const {
  const int d = true_positives + false_negatives;
  return d ? static_cast<double>(true_positives) / d : 0.0;
}
double Counts::f1() const {
  const double p = precision(), r = recall();
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

void Score::add(const Score& o) {
  overall.true_positives += o.overall.true_positives;
  overall.false_positives += o.overall.false_positives;
  overall.false_negatives += o.overall.false_negatives;
  for (const auto& [t, c] : o.by_type) {
    Counts& mine = by_type[t];
    mine.true_positives += c.true_positives;
    mine.false_positives += c.false_positives;
    mine.false_negatives += c.false_negatives;
  }
  negated_gold += o.negated_gold;
  negated_found += o.negated_found;
  misses.insert(misses.end(), o.misses.begin(), o.misses.end());
  spurious.insert(spurious.end(), o.spurious.begin(), o.spurious.end());
}

std::vector<PredictedRelation> predicted_relations(const Extraction& x, std::string_view text,
                                                   const Knowledge& k) {
  std::vector<PredictedRelation> out;
  for (const auto& r : x.relations) {
    const Sentence& s = x.sentences[r.sentence];
    out.push_back({k.relation_types()[r.type].name, x.entities[r.subject].name,
                   x.entities[r.object].name, r.negated, r.attributed,
                   std::string(text.substr(s.start, s.end - s.start)),
                   x.entities[r.subject].aliases, x.entities[r.object].aliases});
  }
  return out;
}

Score score_article(const std::string& article, const nlohmann::json& gold,
                    const std::vector<PredictedRelation>& predicted, const Knowledge& k,
                    const std::vector<std::string>& sentences) {
  if (!gold.is_object() || !gold.contains("entities") || !gold["entities"].is_array() ||
      !gold.contains("relations") || !gold["relations"].is_array())
    throw std::invalid_argument(article + ": gold needs \"entities\" and \"relations\" arrays");
  // Every name and alias of a gold entity maps to its canonical name.
  std::map<std::string, std::string> canonical;
  for (const auto& e : gold["entities"]) {
    if (!e.contains("name") || !e["name"].is_string())
      throw std::invalid_argument(article + ": a gold entity has no \"name\"");
    const std::string name = e["name"].get<std::string>();
    canonical[lower_key(name)] = name;
    if (e.contains("aliases") && e["aliases"].is_array())
      for (const auto& a : e["aliases"])
        if (a.is_string()) canonical.emplace(lower_key(a.get<std::string>()), name);
  }
  auto resolve = [&](const std::string& name, const std::vector<std::string>& aliases = {}) {
    auto it = canonical.find(lower_key(name));
    if (it != canonical.end()) return it->second;
    for (const auto& a : aliases)
      if (auto al = canonical.find(lower_key(a)); al != canonical.end()) return al->second;
    return "?" + name;
  };
  auto key = [&](const std::string& type, std::string s, std::string o, bool neg, bool attr) {
    const auto t = k.relation_type(type);
    if (t && k.relation_types()[*t].symmetric && o < s) std::swap(s, o);
    return Key{type, s, o, neg, attr};
  };

  std::map<Key, int> gold_keys;  // -> the sentence index that states it (-1: none given)
  for (const auto& r : gold["relations"]) {
    for (const char* f : {"type", "subject", "object"})
      if (!r.contains(f) || !r[f].is_string())
        throw std::invalid_argument(article + ": a gold relation has no \"" + f + "\"");
    const std::string type = r["type"].get<std::string>();
    if (!k.relation_type(type))
      throw std::invalid_argument(article + ": unknown relation type \"" + type + "\"");
    const int sentence = r.contains("sentence") && r["sentence"].is_number_integer()
                             ? r["sentence"].get<int>()
                             : -1;
    gold_keys.emplace(key(type, resolve(r["subject"].get<std::string>()),
                          resolve(r["object"].get<std::string>()), r.value("negated", false),
                          r.value("attributed", false)),
                      sentence);
  }
  std::map<Key, std::string> predicted_keys;
  for (const auto& p : predicted)
    predicted_keys.emplace(key(p.type, resolve(p.subject, p.subject_aliases),
                               resolve(p.object, p.object_aliases), p.negated, p.attributed),
                           p.sentence);

  Score s;
  for (const auto& [g, sentence] : gold_keys) {
    const auto& [type, subj, obj, neg, attr] = g;
    Counts& c = s.by_type[type];
    if (neg) ++s.negated_gold;
    if (predicted_keys.count(g)) {
      ++c.true_positives;
      ++s.overall.true_positives;
      if (neg) ++s.negated_found;
    } else {
      ++c.false_negatives;
      ++s.overall.false_negatives;
      std::string miss = article + ": " + type + "(" + subj + ", " + obj + ")" + flags(neg, attr);
      if (sentence >= 0 && static_cast<size_t>(sentence) < sentences.size())
        miss += "\n    in: " + sentences[static_cast<size_t>(sentence)];
      s.misses.push_back(std::move(miss));
    }
  }
  for (const auto& [p, sentence] : predicted_keys) {
    if (gold_keys.count(p)) continue;
    const auto& [type, subj, obj, neg, attr] = p;
    ++s.by_type[type].false_positives;
    ++s.overall.false_positives;
    s.spurious.push_back(article + ": " + type + "(" + subj + ", " + obj + ")" + flags(neg, attr) +
                         "\n    in: " + sentence);
  }
  return s;
}

std::string format_score(const Score& s, bool details) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-22s %6s %6s %6s %6s %6s %6s\n", "type", "gold", "found",
                "tp", "P", "R", "F1");
  out += line;
  auto row = [&](const std::string& name, const Counts& c) {
    std::snprintf(line, sizeof line, "%-22s %6d %6d %6d %6.3f %6.3f %6.3f\n", name.c_str(),
                  c.true_positives + c.false_negatives, c.true_positives + c.false_positives,
                  c.true_positives, c.precision(), c.recall(), c.f1());
    out += line;
  };
  for (const auto& [t, c] : s.by_type) row(t, c);
  row("micro (all types)", s.overall);
  std::snprintf(line, sizeof line, "negated gold relations found flagged negated: %d of %d\n",
                s.negated_found, s.negated_gold);
  out += line;
  if (details) {
    out += "\nmissed (" + std::to_string(s.misses.size()) + "):\n";
    for (const auto& m : s.misses) out += "  " + m + "\n";
    out += "\nspurious (" + std::to_string(s.spurious.size()) + "):\n";
    for (const auto& m : s.spurious) out += "  " + m + "\n";
  }
  return out;
}

}  // namespace relgraph::ingest
