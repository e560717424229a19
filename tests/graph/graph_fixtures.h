// Shared by the graph module's tests: the named "world" graph the table tests read, the
// renderers that make their answers readable, and the random graphs and plain reference
// implementations the randomized tests compare against.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace relgraph_graph_test {

using namespace relgraph::graph;  // the fixtures speak the module's vocabulary

// Relation types by index, in the order of the base ontology.
enum Type : uint16_t {
  kCongratulates,
  kPraises,
  kCriticizes,
  kAccuses,
  kMeetsWith,
  kVisits,
  kTradesWith,
  kDrillsWith,
  kSupports,
  kSanctions,
  kAttacks,
  kSignsAgreementWith,
  kLeads,
  kAffiliatedWith,
};

const char* const kTypeNames[] = {"congratulates", "praises",        "criticizes",
                                  "accuses",       "meets-with",     "visits",
                                  "trades-with",   "drills-with",    "supports",
                                  "sanctions",     "attacks",        "signs-agreement-with",
                                  "leads",         "affiliated-with"};

inline bool is_symmetric(Type type) {
  return type == kMeetsWith || type == kTradesWith || type == kDrillsWith ||
         type == kSignsAgreementWith;
}

inline uint64_t only(std::initializer_list<Type> types) {
  uint64_t mask = 0;
  for (Type type : types) mask |= uint64_t{1} << type;
  return mask;
}

constexpr uint64_t kAllTypes = ~uint64_t{0};

inline RelationRow relation(RelationId id, EntityId subject, Type type, EntityId object,
                            uint32_t evidence, uint32_t negated = 0) {
  RelationRow row;
  row.id = id;
  row.type = type;
  row.subject = subject;
  row.object = object;
  row.symmetric = is_symmetric(type);
  row.evidence_count = evidence;
  row.negated_count = negated;
  row.first_seen = 19800;
  row.last_seen = 19800;
  return row;
}

// The named graph. Ids are the store's; keys are what the tables below use.
constexpr EntityId kXi = 1;
constexpr EntityId kPutin = 2;
constexpr EntityId kChina = 3;
constexpr EntityId kRussia = 4;
constexpr EntityId kIran = 5;
constexpr EntityId kUkraine = 6;
constexpr EntityId kHouthis = 7;
constexpr EntityId kTuvalu = 8;
constexpr EntityId kKiribati = 9;

inline std::vector<EntityRow> world_entities() {
  return {
      {kXi, "xi-jinping", "Xi Jinping", "person"},
      {kPutin, "vladimir-putin", "Vladimir Putin", "person"},
      {kChina, "china", "China", "country"},
      {kRussia, "russia", "Russia", "country"},
      {kIran, "iran", "Iran", "country"},
      {kUkraine, "ukraine", "Ukraine", "country"},
      {kHouthis, "houthis", "Houthis", "group"},
      // An island of its own: nothing connects it to the rest.
      {kTuvalu, "tuvalu", "Tuvalu", "country"},
      {kKiribati, "kiribati", "Kiribati", "country"},
  };
}

// `row` with its evidence dated from `first` to `last` (ISO dates).
inline RelationRow seen(RelationRow row, const char* first, const char* last) {
  row.first_seen = days_from_iso(first).value();
  row.last_seen = days_from_iso(last).value();
  return row;
}

inline std::vector<RelationRow> world_relations() {
  return {
      seen(relation(11, kXi, kCongratulates, kPutin, 1), "2024-05-07", "2024-05-07"),
      seen(relation(12, kChina, kTradesWith, kRussia, 5), "2015-03-01", "2025-06-30"),
      seen(relation(13, kChina, kDrillsWith, kRussia, 3), "2019-09-16", "2024-07-01"),
      seen(relation(14, kChina, kDrillsWith, kIran, 2), "2019-12-27", "2019-12-30"),
      seen(relation(15, kRussia, kDrillsWith, kIran, 4), "2023-03-15", "2023-03-20"),
      seen(relation(16, kRussia, kAttacks, kUkraine, 10), "2022-02-24", "2022-12-31"),
      // "Iran denies supplying the Houthis": every piece of evidence is negated.
      seen(relation(17, kIran, kSupports, kHouthis, 2, /*negated=*/2), "2023-11-01", "2023-11-20"),
      seen(relation(18, kXi, kLeads, kChina, 3), "2013-03-14", "2025-06-30"),
      seen(relation(19, kPutin, kLeads, kRussia, 3), "2000-05-07", "2025-06-30"),
      seen(relation(20, kUkraine, kTradesWith, kChina, 2), "2023-01-10", "2024-02-01"),
      seen(relation(21, kTuvalu, kMeetsWith, kKiribati, 1), "2020-08-01", "2020-08-01"),
  };
}

inline std::shared_ptr<const Snapshot> world() {
  return Snapshot::build(1, world_entities(), world_relations());
}

inline EntityId id_of(const Snapshot& g, const std::string& key) {
  const std::optional<EntityView> row = g.entity_by_key(key);
  REQUIRE_MESSAGE(row.has_value(), "unknown key " << key);
  return row->id;
}

inline Filter filter(uint64_t types, Direction direction = Direction::both, bool negated = false) {
  Filter f;
  f.type_mask = types;
  f.direction = direction;
  f.include_negated = negated;
  return f;
}

// Filters of one kind each, for the table tests.
inline int32_t day(const char* iso) { return days_from_iso(iso).value(); }

inline Filter since(const char* iso) {
  Filter f;
  f.since = day(iso);
  return f;
}

inline Filter until(const char* iso) {
  Filter f;
  f.until = day(iso);
  return f;
}

inline Filter window(const char* first, const char* last) {
  Filter f;
  f.since = day(first);
  f.until = day(last);
  return f;
}

inline Filter min_evidence(uint32_t count) {
  Filter f;
  f.min_evidence = count;
  return f;
}

inline Filter excluding(std::vector<EntityId> ids) {
  Filter f;
  f.exclude = std::move(ids);
  return f;
}

inline Filter kinds(std::vector<std::string> allowed) {
  Filter f;
  f.kinds = std::move(allowed);
  return f;
}

// "a -type- b -type- c"; "" for no path.
inline std::string render(const Snapshot& g, const Path& path) {
  std::string text;
  for (size_t i = 0; i < path.nodes.size(); ++i) {
    if (i > 0) {
      const std::optional<RelationRow> hop = g.relation(path.relations[i - 1]);
      text += std::string(" -") + (hop ? kTypeNames[hop->type] : "?") + "- ";
    }
    const std::optional<EntityView> node = g.entity(path.nodes[i]);
    text += node ? node->key : "?";
  }
  return text;
}

inline std::string render_first(const Snapshot& g, const PathResult& result) {
  return result.paths.empty() ? "" : render(g, result.paths.front());
}

// "key/distance key/distance ..." in result order.
inline std::string render(const Snapshot& g, const Neighborhood& hood) {
  std::string text;
  for (const auto& node : hood.nodes) {
    if (!text.empty()) text += ' ';
    text += std::string(g.entity(node.entity)->key) + "/" + std::to_string(node.distance);
  }
  return text;
}

struct RandomGraph {
  std::vector<EntityRow> entities;
  std::vector<RelationRow> relations;
};

inline RandomGraph random_graph(std::mt19937& rng, int vertex_count, int relation_count,
                                int type_count) {
  RandomGraph graph;
  for (int v = 1; v <= vertex_count; ++v) {
    // Kinds and dates come from the ids, not from `rng`, so they add no draws to its stream.
    static const char* const kKinds[] = {"country", "person", "group"};
    graph.entities.push_back({v, "e" + std::to_string(v), "E" + std::to_string(v), kKinds[v % 3]});
  }
  std::uniform_int_distribution<int> vertex(1, vertex_count);
  std::uniform_int_distribution<int> type(0, type_count - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<int> evidence(1, 4);
  for (int r = 1; r <= relation_count; ++r) {
    RelationRow row;
    row.id = r;
    row.type = static_cast<uint16_t>(type(rng));
    row.subject = vertex(rng);
    row.object = percent(rng) < 3 ? row.subject : vertex(rng);  // a few self-loops
    row.symmetric = percent(rng) < 30;
    row.evidence_count = static_cast<uint32_t>(evidence(rng));
    row.negated_count = percent(rng) < 10 ? row.evidence_count : 0;
    row.first_seen = 18000 + (r * 37) % 2000;
    row.last_seen = row.first_seen + (r * 11) % 800;
    graph.relations.push_back(row);
  }
  // Relation ids need not follow insertion order.
  std::shuffle(graph.relations.begin(), graph.relations.end(), rng);
  return graph;
}

inline bool reference_passes(const RelationRow& row, const Filter& f) {
  const uint32_t support =
      row.evidence_count > row.negated_count ? row.evidence_count - row.negated_count : 0;
  return ((f.type_mask >> row.type) & 1u) != 0 &&
         (f.include_negated || row.negated_count < row.evidence_count) &&
         support >= f.min_evidence && (!f.since || row.last_seen >= *f.since) &&
         (!f.until || row.first_seen <= *f.until);
}

// Whether a walk may enter `entity` under `f`; the query's named entities always may.
inline bool reference_allows(const std::map<EntityId, std::string>& kind_of, EntityId entity,
                             const Filter& f, const std::set<EntityId>& exempt) {
  if (exempt.count(entity)) return true;
  if (std::find(f.exclude.begin(), f.exclude.end(), entity) != f.exclude.end()) return false;
  return f.kinds.empty() ||
         std::find(f.kinds.begin(), f.kinds.end(), kind_of.at(entity)) != f.kinds.end();
}

using Steps = std::map<EntityId, std::vector<std::pair<EntityId, const RelationRow*>>>;

// Steps a walk may take under `f`, straight from the rows: step[a] = {(b, relation row)}.
// `exempt`: the entities the query names, which kinds and exclude do not apply to.
inline Steps reference_steps(const RandomGraph& graph, const Filter& f,
                             const std::set<EntityId>& exempt = {}) {
  std::map<EntityId, std::string> kind_of;
  for (const EntityRow& row : graph.entities) kind_of[row.id] = row.kind;
  Steps steps;
  for (const RelationRow& row : graph.relations) {
    if (!reference_passes(row, f)) continue;
    const bool forward = row.symmetric || f.direction != Direction::in;
    const bool backward = row.symmetric || f.direction != Direction::out;
    if (forward && reference_allows(kind_of, row.object, f, exempt)) {
      steps[row.subject].push_back({row.object, &row});
    }
    // A self-loop is one step, however many directions allow it.
    const bool loop_taken = forward && row.subject == row.object;
    if (backward && !loop_taken && reference_allows(kind_of, row.subject, f, exempt)) {
      steps[row.object].push_back({row.subject, &row});
    }
  }
  return steps;
}

// Plain one-sided BFS: hop counts from `from` to everything reachable.
inline std::map<EntityId, int> reference_distances(const Steps& steps, EntityId from) {
  std::map<EntityId, int> distance{{from, 0}};
  std::queue<EntityId> queue;
  queue.push(from);
  while (!queue.empty()) {
    const EntityId v = queue.front();
    queue.pop();
    auto it = steps.find(v);
    if (it == steps.end()) continue;
    for (const auto& [u, row] : it->second) {
      if (distance.emplace(u, distance[v] + 1).second) queue.push(u);
    }
  }
  return distance;
}

inline Filter random_filter(std::mt19937& rng, int type_count) {
  std::uniform_int_distribution<int> percent(0, 99);
  Filter f;
  f.type_mask = percent(rng) < 30 ? kAllTypes : 0;
  for (int t = 0; t < type_count; ++t) {
    if (percent(rng) < 60) f.type_mask |= uint64_t{1} << t;
  }
  const int direction = percent(rng) % 3;
  f.direction = direction == 0 ? Direction::out : direction == 1 ? Direction::in : Direction::both;
  f.include_negated = percent(rng) < 30;
  return f;
}

// random_filter plus, now and then, a time window, min_evidence, exclusions and kinds.
inline Filter random_full_filter(std::mt19937& rng, int type_count, int vertex_count) {
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<int> vertex(1, vertex_count);
  Filter f = random_filter(rng, type_count);
  if (percent(rng) < 30) f.since = 18000 + percent(rng) * 20;
  if (percent(rng) < 30) f.until = 18800 + percent(rng) * 20;
  if (percent(rng) < 30) f.min_evidence = static_cast<uint32_t>(percent(rng) % 4);
  if (percent(rng) < 40) {
    for (int i = percent(rng) % 3; i >= 0; --i) f.exclude.push_back(vertex(rng));
  }
  if (percent(rng) < 25) f.kinds = {"country", "group"};
  return f;
}

// Checks that `path` walks from `from` to `to` over steps allowed by `steps`, without
// repeating a node, and that each hop reports the allowed relation with the most evidence.
inline void check_path(const Steps& steps, const Path& path, EntityId from, EntityId to) {
  REQUIRE(path.nodes.size() == path.relations.size() + 1);
  CHECK(path.nodes.front() == from);
  CHECK(path.nodes.back() == to);
  CHECK(std::set<EntityId>(path.nodes.begin(), path.nodes.end()).size() == path.nodes.size());
  for (size_t i = 0; i + 1 < path.nodes.size(); ++i) {
    const RelationRow* best = nullptr;
    auto it = steps.find(path.nodes[i]);
    if (it != steps.end()) {
      for (const auto& [u, row] : it->second) {
        if (u != path.nodes[i + 1]) continue;
        if (best == nullptr || row->evidence_count > best->evidence_count ||
            (row->evidence_count == best->evidence_count && row->id < best->id)) {
          best = row;
        }
      }
    }
    REQUIRE_MESSAGE(best != nullptr, "hop " << i << " is not an allowed step");
    CHECK(path.relations[i] == best->id);
  }
}

// Every loopless path from -> to of at most max_hops hops, as node sequences.
inline void all_simple_paths(const Steps& steps, EntityId to, int max_hops,
                             std::vector<EntityId>& current, std::set<std::vector<EntityId>>& out) {
  if (current.back() == to) {
    out.insert(current);
    return;
  }
  if (static_cast<int>(current.size()) - 1 == max_hops) return;
  auto it = steps.find(current.back());
  if (it == steps.end()) return;
  for (const auto& [u, row] : it->second) {
    if (std::find(current.begin(), current.end(), u) != current.end()) continue;
    current.push_back(u);
    all_simple_paths(steps, to, max_hops, current, out);
    current.pop_back();
  }
}

}  // namespace relgraph_graph_test
