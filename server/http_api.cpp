#include "server/http_api.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <sys/socket.h>
#include <limits>
#include <random>
#include <unordered_map>
#include <set>

#include "graph/analytics.h"
#include "server/article_input.h"
#include "server/graph_export.h"
#include "server/http_connection.h"
#include "server/json_text.h"
#include "server/openapi_document.h"
#include "server/worker_pool.h"

namespace relgraph::server {
namespace {

using nlohmann::json;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr int kMaxDepth = 6;
constexpr int kMaxHops = 6;
constexpr int kMaxPaths = 20;
constexpr int kListenBacklog = 1024;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// What the middleware knows about the request a worker thread is serving.
struct RequestContext {
  std::string id;
  std::string route = "unmatched";
  std::chrono::steady_clock::time_point start;
};
thread_local RequestContext t_request;

std::string new_request_id() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%06llx", static_cast<unsigned long long>(salt & 0xffffffff),
                static_cast<unsigned long long>(++counter));
  return buf;
}

// A client's X-Request-Id is reused when it is short and plain; otherwise a new one is made.
std::string request_id_for(const httplib::Request& req) {
  const std::string given = req.get_header_value("X-Request-Id");
  if (given.empty() || given.size() > 64) return new_request_id();
  for (char c : given)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return new_request_id();
  return given;
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

// The role a request needs when the server has API keys.
Role required_role(const httplib::Request& req) {
  if (req.path == "/healthz" || req.path == "/readyz") return Role::none;
  if (req.method == "GET" || req.method == "HEAD") return Role::reader;
  if (req.method == "POST" && req.path == "/v1/articles") return Role::ingester;
  return Role::admin;
}

std::string presented_key(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  return req.get_header_value("X-API-Key");
}

void write_error(httplib::Response& res, const ApiError& e) {
  res.status = http_status(e.code);
  if (e.retry_after > 0) res.set_header("Retry-After", std::to_string(e.retry_after));
  res.set_content(dump(e.to_json()), "application/json");
}

// The query parameters of one request, checked against what its route accepts.
class Params {
 public:
  Params(const httplib::Request& req, const std::vector<std::string>& allowed,
         const json* body = nullptr)
      : req_(req), allowed_(allowed), body_(body) {}

  // The JSON body of a POST route (an object).
  const json& body() const { return *body_; }

  std::optional<ApiError> unknown() const {
    for (const auto& [name, value] : req_.params) {
      if (std::find(allowed_.begin(), allowed_.end(), name) == allowed_.end()) {
        std::string list;
        for (const auto& a : allowed_) list += (list.empty() ? "" : ", ") + a;
        return bad_param(name, "unknown parameter \"" + name + "\"" +
                                   (list.empty() ? "; this endpoint takes none"
                                                 : "; this endpoint takes " + list));
      }
      if (req_.params.count(name) > 1)
        return bad_param(name, "parameter \"" + name + "\" is given more than once");
    }
    return std::nullopt;
  }

  std::string text(const std::string& name) const {
    return req_.has_param(name.c_str()) ? req_.get_param_value(name.c_str()) : std::string();
  }
  bool has(const std::string& name) const { return req_.has_param(name.c_str()); }
  std::string path(size_t i) const { return req_.matches[static_cast<long>(i)].str(); }
  std::string header(const char* name) const { return req_.get_header_value(name); }

  Result<int> integer(const std::string& name, int fallback, int min, int max) const {
    if (!has(name)) return fallback;
    const std::string v = text(name);
    long long n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size() || n < min || n > max)
      return bad_param(name, name + " must be a whole number between " + std::to_string(min) +
                                 " and " + std::to_string(max));
    return static_cast<int>(n);
  }

  Result<int> limit() const { return integer("limit", kDefaultLimit, 1, kMaxLimit); }

  Result<std::optional<int64_t>> cursor() const {
    if (!has("cursor")) return std::optional<int64_t>();
    const std::string v = text("cursor");
    int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size() || n < 0)
      return bad_param("cursor", "cursor must be a next_cursor value from a previous page");
    return std::optional<int64_t>(n);
  }

  Result<graph::Direction> direction() const {
    const std::string v = has("direction") ? text("direction") : "both";
    if (v == "out") return graph::Direction::out;
    if (v == "in") return graph::Direction::in;
    if (v == "both") return graph::Direction::both;
    return bad_param("direction", "direction must be out, in or both");
  }

  Result<bool> boolean(const std::string& name, bool fallback) const {
    if (!has(name)) return fallback;
    const std::string v = text(name);
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    return bad_param(name, name + " must be true or false");
  }

 private:
  const httplib::Request& req_;
  const std::vector<std::string>& allowed_;
  const json* body_;
};

struct Reply {
  Reply() = default;
  Reply(int s, json b) : status(s), body(std::move(b)) {}
  int status = 200;
  json body;
  std::string raw;           // when set, sent as is instead of `body` (exports, JSON text)
  std::string content_type;  // of `raw`

  // An answer already written as JSON text (json_text.h).
  static Reply json_text(std::string text) {
    Reply r;
    r.raw = std::move(text);
    r.content_type = kJsonType;
    return r;
  }
  static constexpr const char* kJsonType = "application/json";
};

using Handler = std::function<Result<Reply>(const Params&)>;

// ---- JSON views --------------------------------------------------------------------------

json entity_ref(const graph::Snapshot& snap, int64_t id) {
  const std::optional<graph::EntityView> e = snap.entity(id);
  if (!e) return {{"id", id}};
  return {{"id", e->id}, {"key", e->key}, {"name", e->name}};
}

// For rows read from the store: an entity committed a moment ago may not be in the
// snapshot yet (the store commits before the snapshot is published), so ask the store.
json entity_ref(const graph::Snapshot& snap, store::Store& store, int64_t id) {
  if (snap.entity(id)) return entity_ref(snap, id);
  auto e = store.entity(id);
  if (!e) return {{"id", id}};
  return {{"id", e->id}, {"key", e->key}, {"name", e->name}};
}

// A numeric id from a path segment; nullopt when it is not one (too large included).
std::optional<int64_t> path_id(const std::string& digits) {
  int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return id;
}

json entity_json(const store::EntityRecord& e, const graph::Snapshot& snap) {
  return {{"id", e.id},           {"key", e.key},       {"name", e.name},
          {"kind", e.kind},       {"aliases", e.aliases}, {"degree", snap.degree(e.id)}};
}

json relation_json(const graph::RelationRow& r, const graph::Snapshot& snap,
                   const ingest::Knowledge& k) {
  const auto& type = k.relation_types()[r.type];
  return {{"id", r.id},
          {"type", type.name},
          {"symmetric", type.symmetric},
          {"subject", entity_ref(snap, r.subject)},
          {"object", entity_ref(snap, r.object)},
          {"evidence_count", r.evidence_count},
          {"negated_count", r.negated_count},
          {"attributed_count", r.attributed_count},
          {"first_seen", ingest::iso_from_days(r.first_seen)},
          {"last_seen", ingest::iso_from_days(r.last_seen)}};
}

json relation_json(const store::RelationRecord& r, const graph::Snapshot& snap,
                   const ingest::Knowledge& k, store::Store& store) {
  const auto type = k.relation_type(r.type);
  return {{"id", r.id},
          {"type", r.type},
          {"symmetric", type ? k.relation_types()[*type].symmetric : false},
          {"subject", entity_ref(snap, store, r.subject)},
          {"object", entity_ref(snap, store, r.object)},
          {"evidence_count", r.evidence_count},
          {"negated_count", r.negated_count},
          {"attributed_count", r.attributed_count},
          {"first_seen", r.first_seen},
          {"last_seen", r.last_seen}};
}

json evidence_json(const store::EvidenceRecord& e) {
  return {{"id", e.id},
          {"relation_id", e.relation_id},
          {"type", e.type},
          {"subject", {{"id", e.subject.id}, {"key", e.subject.key}, {"name", e.subject.name}}},
          {"object", {{"id", e.object.id}, {"key", e.object.key}, {"name", e.object.name}}},
          {"article",
           {{"id", e.article_id},
            {"title", e.article_title},
            {"url", e.article_url},
            {"published_at", e.article_published_at}}},
          {"sentence", e.sentence},
          {"sentence_index", e.sentence_index},
          {"char_start", e.char_start},
          {"char_end", e.char_end},
          {"negated", e.negated},
          {"attributed", e.attributed},
          {"confidence", e.confidence}};
}

json article_json(const store::ArticleRecord& a, bool with_text) {
  json j = {{"id", a.id},         {"title", a.title},   {"url", a.url},
            {"source", a.source}, {"published_at", a.published_at.empty() ? json(nullptr) : json(a.published_at)},
            {"ingested_at", a.ingested_at}};
  if (with_text) j["text"] = a.text;
  return j;
}

template <typename T, typename F>
json page_json(const store::Page<T>& page, const char* field, F&& item) {
  json items = json::array();
  for (const auto& x : page.items) items.push_back(item(x));
  json j = {{field, std::move(items)}};
  if (page.next_cursor) j["next_cursor"] = std::to_string(*page.next_cursor);
  return j;
}

// Entities as graph answers list them: the Entity shape, from the snapshot, with aliases.
json graph_entities(const std::vector<int64_t>& ids, const graph::Snapshot& snap, Service& svc) {
  const auto aliases = svc.aliases(ids);
  json out = json::array();
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::optional<graph::EntityView> e = snap.entity(ids[i]);
    if (!e) continue;
    out.push_back({{"id", e->id},
                   {"key", e->key},
                   {"name", e->name},
                   {"kind", e->kind},
                   {"aliases", *aliases[i]},
                   {"degree", snap.degree(ids[i])}});
  }
  return out;
}

// ---- the same shapes written as JSON text (json_text.h), for the hot endpoints -----------
// Keys in sorted order, as nlohmann writes them, so the text is the same as the trees' above.

// {"id", "key", "name"}, or {"id"} for an entity the snapshot lacks (as entity_ref).
void write_entity_ref(std::string& out, const graph::EntityView* e, int64_t id) {
  out += "{\"id\":";
  append_json_int(out, id);
  if (e) {
    out += ",\"key\":";
    append_json_string(out, e->key);
    out += ",\"name\":";
    append_json_string(out, e->name);
  }
  out += '}';
}
void write_entity_ref(std::string& out, const graph::Snapshot& snap, int64_t id) {
  const std::optional<graph::EntityView> e = snap.entity(id);
  write_entity_ref(out, e ? &*e : nullptr, id);
}

// An entity whose reference text is already written (the entity a relation list is about:
// one end of each of its relations).
struct KnownRef {
  int64_t id = 0;
  std::string text;
};

// The Relation shape of relation_json(RelationRow); `subject` and `object` are its ends'
// entities (null when the snapshot lacks them), `known` an end already written, or null.
void write_relation(std::string& out, const graph::RelationRow& r, const graph::EntityView* subject,
                    const graph::EntityView* object, const KnownRef* known,
                    const ingest::Knowledge& k) {
  const auto& type = k.relation_types()[r.type];
  out += "{\"attributed_count\":";
  append_json_uint(out, r.attributed_count);
  out += ",\"evidence_count\":";
  append_json_uint(out, r.evidence_count);
  out += ",\"first_seen\":";
  append_json_date(out, r.first_seen);
  out += ",\"id\":";
  append_json_int(out, r.id);
  out += ",\"last_seen\":";
  append_json_date(out, r.last_seen);
  out += ",\"negated_count\":";
  append_json_uint(out, r.negated_count);
  out += ",\"object\":";
  if (known && known->id == r.object)
    out += known->text;
  else
    write_entity_ref(out, object, r.object);
  out += ",\"subject\":";
  if (known && known->id == r.subject)
    out += known->text;
  else
    write_entity_ref(out, subject, r.subject);
  out += ",\"symmetric\":";
  append_json_bool(out, type.symmetric);
  out += ",\"type\":";
  append_json_string(out, type.name);
  out += '}';
}

// A JSON array of the relations with these ids that the snapshot has (as relations_json).
// Written in two passes: the first looks up every row and its ends' entities and prefetches
// their key and name text, which the second reads. Rows are scattered over a large snapshot,
// so one relation after the other meant a chain of cache misses; looked up together (the
// look-ups of different relations do not wait on each other), they overlap.
void write_relations(std::string& out, const std::vector<int64_t>& ids,
                     const graph::Snapshot& snap, const ingest::Knowledge& k,
                     const KnownRef* known = nullptr) {
  struct Row {
    graph::RelationRow relation;
    std::optional<graph::EntityView> subject;
    std::optional<graph::EntityView> object;
  };
  std::vector<Row> rows;
  rows.reserve(ids.size());
  for (int64_t id : ids)
    if (const std::optional<graph::RelationRow> r = snap.relation(id))
      rows.push_back({*r, std::nullopt, std::nullopt});
  auto end_entity = [&](int64_t id) -> std::optional<graph::EntityView> {
    if (known && known->id == id) return std::nullopt;  // not read
    std::optional<graph::EntityView> e = snap.entity(id);
    if (e) {
      __builtin_prefetch(e->key.data());
      __builtin_prefetch(e->name.data());
    }
    return e;
  };
  for (Row& row : rows) {
    row.subject = end_entity(row.relation.subject);
    row.object = end_entity(row.relation.object);
  }
  out += '[';
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    const Row& row = rows[i];
    write_relation(out, row.relation, row.subject ? &*row.subject : nullptr,
                   row.object ? &*row.object : nullptr, known, k);
  }
  out += ']';
}

// The Entity shape of graph_entities(), with "distance" when one is given.
void write_graph_entity(std::string& out, const graph::EntityView& e, const graph::Snapshot& snap,
                        const std::vector<std::string>& aliases, const int* distance) {
  out += "{\"aliases\":[";
  for (size_t i = 0; i < aliases.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, aliases[i]);
  }
  out += "],\"degree\":";
  append_json_uint(out, snap.degree(e.id));
  if (distance) {
    out += ",\"distance\":";
    append_json_int(out, *distance);
  }
  out += ",\"id\":";
  append_json_int(out, e.id);
  out += ",\"key\":";
  append_json_string(out, e.key);
  out += ",\"kind\":";
  append_json_string(out, e.kind);
  out += ",\"name\":";
  append_json_string(out, e.name);
  out += '}';
}

// A JSON array of graph_entities(ids); distances[i], when given, goes with ids[i].
void write_graph_entities(std::string& out, const std::vector<int64_t>& ids,
                          const graph::Snapshot& snap, Service& svc,
                          const std::vector<int>* distances = nullptr) {
  const auto aliases = svc.aliases(ids);
  out += '[';
  bool first = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::optional<graph::EntityView> e = snap.entity(ids[i]);
    if (!e) continue;
    if (!first) out += ',';
    first = false;
    write_graph_entity(out, *e, snap, *aliases[i], distances ? &(*distances)[i] : nullptr);
  }
  out += ']';
}

// The bookkeeping of bounded() for a JSON text answer: `"edges_visited":N,"graph_version":N`
// and, written separately because of key order, `"truncated":b[,"truncated_by":"..."]`.
void write_visited_and_version(std::string& out, uint64_t edges_visited,
                               const graph::Snapshot& snap) {
  out += "\"edges_visited\":";
  append_json_uint(out, edges_visited);
  out += ",\"graph_version\":";
  append_json_uint(out, snap.version());
}
void write_truncated(std::string& out, bool truncated, graph::TruncatedBy by) {
  out += "\"truncated\":";
  append_json_bool(out, truncated);
  if (truncated) {
    out += ",\"truncated_by\":";
    append_json_string(out, graph::truncated_by_name(by));
  }
}


// ---- traversal options shared by every graph query ---------------------------------------

constexpr int64_t kDefaultBudgetEdges = 5'000'000;
constexpr int64_t kMaxBudgetEdges = 50'000'000;
constexpr int64_t kDefaultBudgetMs = 2'000;
constexpr int64_t kMaxBudgetMs = 10'000;
constexpr int kMaxVersionWaitMs = 2'000;

const std::vector<std::string> kTraversalParams = {
    "types",  "direction",    "since",     "until",     "exclude",     "min_evidence",
    "include_negated", "kinds", "budget_edges", "budget_ms", "min_version", "format"};

std::vector<std::string> with_traversal(std::vector<std::string> own) {
  own.insert(own.end(), kTraversalParams.begin(), kTraversalParams.end());
  return own;
}

struct Traversal {
  graph::Filter filter;
  graph::Bounds bounds;
  std::shared_ptr<const graph::Snapshot> snap;
  ExportFormat format = ExportFormat::json;
};

Result<std::optional<int32_t>> date_param(const Params& p, const char* name) {
  if (!p.has(name)) return std::optional<int32_t>();
  auto d = ingest::days_from_iso(p.text(name));
  if (!d) return bad_param(name, std::string(name) + " must be an ISO date such as 2022-01-01");
  return std::optional<int32_t>(*d);
}

// Filters, bounds, the snapshot to read (waiting for min_version) and the export format.
Result<Traversal> traversal(const Params& p, Service& svc) {
  Traversal t;
  auto mask = svc.type_mask(p.text("types"), "types");
  if (!mask) return mask.error();
  t.filter.type_mask = *mask;
  auto dir = p.direction();
  if (!dir) return dir.error();
  t.filter.direction = *dir;
  auto negated = p.boolean("include_negated", false);
  if (!negated) return negated.error();
  t.filter.include_negated = *negated;
  auto since = date_param(p, "since");
  if (!since) return since.error();
  auto until = date_param(p, "until");
  if (!until) return until.error();
  if (*since && *until && **since > **until) return bad_param("until", "until is before since");
  t.filter.since = *since;
  t.filter.until = *until;
  auto min_evidence = p.integer("min_evidence", 0, 0, 1'000'000);
  if (!min_evidence) return min_evidence.error();
  t.filter.min_evidence = static_cast<uint32_t>(*min_evidence);
  for (const auto& ref : split_comma_list(p.text("exclude"))) {
    auto id = svc.resolve_entity(ref, "exclude");
    if (!id) return id.error();
    t.filter.exclude.push_back(*id);
  }
  for (const auto& kind : split_comma_list(p.text("kinds"))) {
    if (!ingest::parse_kind(kind))
      return bad_param("kinds", "kinds lists person, country, organization, group or location");
    t.filter.kinds.push_back(kind);
  }
  auto edges = p.integer("budget_edges", kDefaultBudgetEdges, 1, kMaxBudgetEdges);
  if (!edges) return edges.error();
  t.bounds.max_edges_visited = static_cast<uint64_t>(*edges);
  auto ms = p.integer("budget_ms", kDefaultBudgetMs, 1, kMaxBudgetMs);
  if (!ms) return ms.error();
  t.bounds.max_millis = *ms;
  auto format = export_format(p.text("format"), p.header("Accept"));
  if (!format)
    return bad_param("format", "format must be json, cytoscape, graphml, gexf, dot or csv");
  t.format = *format;
  if (p.has("min_version")) {
    auto v = p.integer("min_version", 0, 0, std::numeric_limits<int>::max());
    if (!v) return v.error();
    t.snap = svc.snapshot_at_least(static_cast<uint64_t>(*v), std::chrono::milliseconds(kMaxVersionWaitMs));
    if (!t.snap) {
      ApiError e{ErrorCode::not_ready,
                 "graph version " + std::to_string(*v) + " is not published yet; retry shortly",
                 "min_version", nullptr};
      e.retry_after = 1;
      return e;
    }
  } else {
    t.snap = svc.snapshot();
  }
  return t;
}

json relations_json(const std::vector<int64_t>& ids, const graph::Snapshot& snap,
                    const ingest::Knowledge& k) {
  json out = json::array();
  for (int64_t id : ids)
    if (const auto r = snap.relation(id)) out.push_back(relation_json(*r, snap, k));
  return out;
}

// Adds the bound bookkeeping every graph answer carries.
void bounded(json& out, bool truncated, graph::TruncatedBy by, uint64_t edges_visited,
             const graph::Snapshot& snap) {
  out["truncated"] = truncated;
  if (truncated) out["truncated_by"] = graph::truncated_by_name(by);
  out["edges_visited"] = edges_visited;
  out["graph_version"] = snap.version();
}

Reply exported(const Traversal& t, const json& nodes, const json& edges, const std::string& title) {
  Exported e = export_graph(t.format, nodes, edges, title);
  Reply r;
  r.raw = std::move(e.body);
  r.content_type = std::move(e.content_type);
  return r;
}

// GET /v1/entities/{ref}/relations from the snapshot: the store's answer (same rows, order,
// pages and cursors: keyset on the relation id) without a SQLite query per request.
// REQUIRES: the snapshot has every stored relation and the entity.
Reply relations_from_snapshot(int64_t entity, graph::Direction direction, uint64_t type_mask,
                              int limit, std::optional<int64_t> after, const graph::Snapshot& snap,
                              const ingest::Knowledge& k) {
  graph::Filter f;
  f.type_mask = type_mask;
  f.direction = direction;
  f.include_negated = true;  // a list shows every relation, denied or not
  // The page alone: a hub's relations are selected, not all sorted, for each page.
  const graph::Snapshot::RelationPage page =
      snap.relations_page(entity, f, after, static_cast<size_t>(limit));  // by id
  std::string out;
  out.reserve(256 + page.ids.size() * 320);
  KnownRef center{entity, {}};  // one end of every relation listed
  write_entity_ref(center.text, snap, entity);
  out += "{\"entity\":";
  out += center.text;
  if (page.more && !page.ids.empty()) {
    out += ",\"next_cursor\":\"";
    append_json_int(out, page.ids.back());
    out += '"';
  }
  out += ",\"relations\":";
  write_relations(out, page.ids, snap, k, &center);
  out += '}';
  return Reply::json_text(std::move(out));
}

// The JSON answer of GET /v1/neighborhood, as text.
Reply neighborhood_text(const graph::Neighborhood& n, const std::vector<int64_t>& ids,
                        const graph::Snapshot& snap, Service& svc) {
  std::vector<int> distances;
  distances.reserve(n.nodes.size());
  for (const auto& node : n.nodes) distances.push_back(node.distance);
  std::string out;
  out.reserve(512 + ids.size() * 200 + n.relations.size() * 320);
  out += "{\"center\":";
  const std::optional<graph::EntityView> center = ids.empty() ? std::nullopt : snap.entity(ids[0]);
  if (center)
    write_graph_entity(out, *center, snap, *svc.aliases({ids[0]})[0], nullptr);
  else
    out += "null";
  out += ",\"edges\":";
  write_relations(out, n.relations, snap, svc.knowledge());
  out += ',';
  write_visited_and_version(out, n.edges_visited, snap);
  out += ",\"nodes\":";
  write_graph_entities(out, ids, snap, svc, &distances);
  out += ',';
  write_truncated(out, n.truncated, n.truncated_by);
  out += '}';
  return Reply::json_text(std::move(out));
}

// The JSON answer of GET /v1/paths without explain, as text.
Reply paths_text(const graph::PathResult& r, const graph::Snapshot& snap, Service& svc) {
  std::string out;
  out.reserve(512 + r.paths.size() * 2048);
  out += '{';
  write_visited_and_version(out, r.edges_visited, snap);
  out += ",\"paths\":[";
  for (size_t i = 0; i < r.paths.size(); ++i) {
    const graph::Path& path = r.paths[i];
    if (i) out += ',';
    out += "{\"cost\":";
    append_json_double(out, path.cost);
    out += ",\"edges\":";
    write_relations(out, path.relations, snap, svc.knowledge());
    out += ",\"length\":";
    append_json_uint(out, path.relations.size());
    out += ",\"nodes\":";
    write_graph_entities(out, path.nodes, snap, svc);
    out += '}';
  }
  out += "],";
  write_truncated(out, r.truncated, r.truncated_by);
  out += '}';
  return Reply::json_text(std::move(out));
}

}  // namespace

HttpApi::HttpApi(Service& service, HttpOptions options)
    : service_(service), options_(std::move(options)), http_(std::make_unique<HttpServer>()) {
  limiter_ = std::make_unique<RateLimiter>(options_.rate_limit, std::max(1.0, 2 * options_.rate_limit));
  service_.set_publish_observer([this](double seconds) { metrics_.observe_snapshot_build(seconds); });
  register_middleware();
  register_routes();
}

HttpApi::~HttpApi() = default;

bool HttpApi::bind(std::string& error) {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host.c_str());
    if (port_ <= 0) {
      error = "cannot listen on " + options_.host + " (any port)";
      return false;
    }
  } else {
    if (!http_->bind_to_port(options_.host.c_str(), options_.port)) {
      error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
              " (is another server using the port, or is the address not on this machine?)";
      return false;
    }
    port_ = options_.port;
  }
  // cpp-httplib 0.11 listens with a backlog of 5 (compiled into the shared library): when
  // more clients than that connect at once, the kernel drops their SYNs and they retry a
  // second later (p99 over 1 s at 64 connections). Listening again on a listening socket
  // only raises its backlog (Linux); the kernel caps it at net.core.somaxconn.
  if (listen_socket_ >= 0) ::listen(listen_socket_, kListenBacklog);
  return true;
}

void HttpApi::serve() { http_->listen_after_bind(); }
void HttpApi::stop() {
  stopping_ = true;
  http_->stop_and_wake();
}
bool HttpApi::running() const { return http_->is_running(); }

// Before routing: request id, admission (queue full, keys, rate); after: metrics and the log.
void HttpApi::register_middleware() {
  httplib::Server& http = *http_;
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  const size_t max_queued = std::max<size_t>(1, options_.max_queued);
  http.new_task_queue = [threads, max_queued] { return new BoundedWorkerPool(threads, max_queued); };
  http.set_tcp_nodelay(true);
  // cpp-httplib's own socket options, and the listening socket's number for bind().
  http.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });
  http.set_payload_max_length(options_.max_body_bytes);
  http.set_read_timeout(options_.read_timeout_seconds, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(options_.keep_alive_max_requests);

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request.id = request_id_for(req);
    t_request.route = "unmatched";
    t_request.start = std::chrono::steady_clock::now();
    res.set_header("X-Request-Id", t_request.id);
    using Handled = httplib::Server::HandlerResponse;
    if (BoundedWorkerPool::overloaded()) {
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      write_error(res, {ErrorCode::not_ready, "the server is busy; retry in a second", "", nullptr});
      return Handled::Handled;
    }
    // cpp-httplib 0.11 does not cap chunked bodies; only /v1/articles reads them itself.
    if (req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos &&
        req.path != "/v1/articles") {
      res.set_header("Connection", "close");
      write_error(res, {ErrorCode::length_required,
                        "send this request with a Content-Length, not chunked", "", nullptr});
      return Handled::Handled;
    }
    const std::string key = presented_key(req);
    const Role needed = required_role(req);
    const bool open = needed == Role::none || options_.keys.empty() ||
                      (options_.public_reads && needed == Role::reader && key.empty());
    if (!open) {
      if (key.empty()) {
        res.set_header("WWW-Authenticate", "Bearer");
        write_error(res, {ErrorCode::unauthorized,
                          "this server needs an API key: send Authorization: Bearer KEY", "",
                          nullptr});
        return Handled::Handled;
      }
      const Role has = options_.keys.role_of(key);
      if (has == Role::none) {
        res.set_header("WWW-Authenticate", "Bearer");
        write_error(res, {ErrorCode::unauthorized, "the API key is not known to this server", "",
                          nullptr});
        return Handled::Handled;
      }
      if (has < needed) {
        write_error(res, {ErrorCode::forbidden,
                          std::string("this request needs the ") + role_name(needed) +
                              " role; the key has " + role_name(has),
                          "", nullptr});
        return Handled::Handled;
      }
    }
    int retry_after = 0;
    const std::string client = key.empty() ? "addr:" + req.remote_addr
                                           : "key:" + std::to_string(std::hash<std::string>{}(key));
    if (!limiter_->allow(client, retry_after)) {
      res.set_header("Retry-After", std::to_string(retry_after));
      write_error(res, {ErrorCode::rate_limited, "too many requests; retry after " +
                                                     std::to_string(retry_after) + " s",
                        "", nullptr});
      return Handled::Handled;
    }
    return Handled::Unhandled;
  });

  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request.start).count();
    metrics_.observe_request(t_request.route, req.method, res.status, seconds);
    if (!options_.log_requests) return;
    // Paths are logged, keys never (they travel in headers).
    const json line = {{"ts", utc_timestamp()},     {"level", res.status >= 500 ? "error" : "info"},
                       {"msg", "request"},          {"request_id", t_request.id},
                       {"method", req.method},      {"path", req.path},
                       {"route", t_request.route},  {"status", res.status},
                       {"duration_ms", seconds * 1000}, {"remote", req.remote_addr}};
    std::fprintf(stderr, "%s\n", dump(line).c_str());
  });
}

void HttpApi::register_routes() {
  httplib::Server& http = *http_;

  // Anything >= 400 without a body of ours gets the JSON error body (unknown routes, 413
  // from the server itself, ...).
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const ErrorCode code = code_for_status(res.status);
    std::string message;
    switch (code) {
      case ErrorCode::not_found:
        message = "no endpoint " + req.method + " " + req.path +
                  "; GET /v1/openapi.json describes every endpoint";
        break;
      case ErrorCode::payload_too_large:
        message = "the request body is larger than the server accepts";
        break;
      default:
        message = "the request could not be handled (HTTP " + std::to_string(res.status) + ")";
    }
    res.set_content(dump(ApiError{code, message, "", nullptr}.to_json()), "application/json");
  });
  // An exception must never leak its message or produce a 200.
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        write_error(res, {ErrorCode::internal, "internal error; the server log has details", "",
                          nullptr});
      });

  const size_t max_response = options_.max_response_bytes;
  auto route = [this, &http, max_response](const std::string& method, const std::string& pattern,
                       std::vector<std::string> allowed, Handler handler) {
    routes_.push_back({method, pattern, allowed});
    auto wrapped = [allowed = std::move(allowed), handler = std::move(handler), pattern,
                    max_response](const httplib::Request& req, httplib::Response& res) {
      t_request.route = pattern;
      json body;
      if (req.method == "POST") {
        if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
          return write_error(res, {ErrorCode::unsupported_media_type,
                                   "send JSON with Content-Type: application/json", "", nullptr});
        body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
          return write_error(res, bad_param("", "the body must be a JSON object"));
      }
      Params params(req, allowed, &body);
      if (auto bad = params.unknown()) return write_error(res, *bad);
      Result<Reply> reply = handler(params);
      if (!reply) return write_error(res, reply.error());
      const bool is_export = !reply->raw.empty() && reply->content_type != Reply::kJsonType;
      if (is_export) {
        res.status = reply->status;
        res.set_content(std::move(reply->raw), reply->content_type);
        return;
      }
      std::string text = reply->raw.empty() ? dump(reply->body) : std::move(reply->raw);
      if (text.size() > max_response)
        return write_error(res, bad_param("", "the answer would be " + std::to_string(text.size()) +
                                                  " bytes, more than this server sends; ask for "
                                                  "less (lower limit, depth or k)"));
      res.status = reply->status;
      res.set_content(std::move(text), "application/json");
    };
    if (method == "GET") http.Get(pattern, wrapped);
    if (method == "POST") http.Post(pattern, wrapped);
  };

  Service& svc = service_;

  // ---- articles --------------------------------------------------------------------------

  // POST /v1/articles reads its body itself so that chunked bodies over the limit get 413
  // too (cpp-httplib 0.11 does not enforce the limit on chunked bodies).
  const size_t max_body = options_.max_body_bytes;
  Metrics& metrics = metrics_;
  routes_.push_back({"POST", "/v1/articles", {}});
  http.Post("/v1/articles", [&svc, &metrics, max_body](const httplib::Request& req, httplib::Response& res,
                                             const httplib::ContentReader& read) {
    t_request.route = "/v1/articles";
    static const std::vector<std::string> kNoParams;
    if (auto bad = Params(req, kNoParams).unknown()) return write_error(res, *bad);
    const std::string type = req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) != 0) {
      return write_error(res, {ErrorCode::unsupported_media_type,
                               "send the article as JSON with Content-Type: application/json", "",
                               nullptr});
    }
    std::string body;
    bool too_large = false;
    size_t discarded = 0;
    const bool complete = read([&](const char* data, size_t len) {
      if (too_large || body.size() + len > max_body) {
        // Keep reading (and dropping) a while, so the client is not reset mid-upload and
        // sees the 413; give up on bodies far over the limit.
        too_large = true;
        discarded += len;
        return discarded <= 4 * max_body;
      }
      body.append(data, len);
      return true;
    });
    // A Content-Length over the limit is refused by the server before any byte reaches us.
    too_large = too_large || res.status == 413;
    if (!complete && !too_large)
      return write_error(res, bad_param("", "the request body could not be read completely"));
    if (too_large) {
      res.set_header("Connection", "close");
      return write_error(res, {ErrorCode::payload_too_large,
                               "the article is larger than " + std::to_string(max_body) +
                                   " bytes, the most this server accepts",
                               "", nullptr});
    }
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded())
      return write_error(res, bad_param("", "the body is not valid JSON (or not UTF-8)"));
    auto article = article_from_json(j);
    if (!article) return write_error(res, article.error());
    Service::Ingested done = svc.ingest(*article);
    metrics.observe_ingest(done.outcome.duplicate, done.outcome.evidence.size());
    auto snap = svc.snapshot();
    json entities = json::array();
    for (const auto& e : done.outcome.entities) entities.push_back(entity_json(e, *snap));
    json relations = json::array();
    for (const auto& e : done.outcome.evidence) relations.push_back(evidence_json(e));
    json out = {{"article", article_json(done.outcome.article, false)},
                {"duplicate", done.outcome.duplicate},
                {"entities", std::move(entities)},
                {"relations", std::move(relations)},
                {"graph_version", done.graph_version}};
    res.status = done.outcome.duplicate ? 200 : 201;
    res.set_content(dump(out), "application/json");
  });

  route("GET", R"(/v1/articles/(\d+))", {}, [&svc](const Params& p) -> Result<Reply> {
    const auto id = path_id(p.path(1));
    if (!id) return ApiError{ErrorCode::not_found, "no article has id " + p.path(1), "", nullptr};
    auto a = svc.store().article(*id, true);
    if (!a) return ApiError{ErrorCode::not_found, "no article has id " + p.path(1), "", nullptr};
    json j = article_json(*a, true);
    json ev = json::array();
    for (const auto& e : svc.store().article_evidence(*id)) ev.push_back(evidence_json(e));
    j["evidence"] = std::move(ev);
    return Reply{200, std::move(j)};
  });

  route("GET", "/v1/articles", {"q", "limit", "cursor"}, [&svc](const Params& p) -> Result<Reply> {
    auto limit = p.limit();
    if (!limit) return limit.error();
    auto cursor = p.cursor();
    if (!cursor) return cursor.error();
    auto page = svc.store().search_articles(p.text("q"), *limit, *cursor);
    return Reply{200, page_json(page, "articles", [](const store::ArticleRecord& a) {
                   return article_json(a, false);
                 })};
  });

  // ---- entities --------------------------------------------------------------------------

  route("GET", "/v1/entities", {"q", "kind", "limit", "cursor"},
        [&svc](const Params& p) -> Result<Reply> {
          auto limit = p.limit();
          if (!limit) return limit.error();
          auto cursor = p.cursor();
          if (!cursor) return cursor.error();
          const std::string kind = p.text("kind");
          if (!kind.empty() && !ingest::parse_kind(kind))
            return bad_param("kind",
                             "kind must be person, country, organization, group or location");
          auto page = svc.store().search_entities(p.text("q"), kind, *limit, *cursor);
          auto snap = svc.snapshot();
          return Reply{200, page_json(page, "entities", [&](const store::EntityRecord& e) {
                         return entity_json(e, *snap);
                       })};
        });

  route("GET", R"(/v1/entities/([^/]+))", {}, [&svc](const Params& p) -> Result<Reply> {
    auto id = svc.resolve_entity(p.path(1), "ref");
    if (!id) return id.error();
    auto e = svc.store().entity(*id);
    if (!e) return ApiError{ErrorCode::not_found, "no entity " + p.path(1), "ref", nullptr};
    auto snap = svc.snapshot();
    json j = entity_json(*e, *snap);
    json counts = json::object();
    for (const auto& [type, n] : svc.store().relation_counts(*id)) counts[type] = n;
    j["relation_counts"] = std::move(counts);
    j["graph_version"] = snap->version();
    return Reply{200, std::move(j)};
  });

  route("GET", R"(/v1/entities/([^/]+)/relations)", {"types", "direction", "limit", "cursor"},
        [&svc](const Params& p) -> Result<Reply> {
          auto id = svc.resolve_entity(p.path(1), "ref");
          if (!id) return id.error();
          auto limit = p.limit();
          if (!limit) return limit.error();
          auto cursor = p.cursor();
          if (!cursor) return cursor.error();
          auto dir = p.direction();
          if (!dir) return dir.error();
          auto mask = svc.type_mask(p.text("types"), "types");
          if (!mask) return mask.error();
          auto snap = svc.snapshot();
          if (svc.snapshot_has_all_relations() && snap->entity(*id))
            return relations_from_snapshot(*id, *dir, *mask, *limit, *cursor, *snap, svc.knowledge());
          // The store's answer: the snapshot lacks relations of types the ontology does not
          // know, and an entity committed a moment ago is in the store before the snapshot.
          store::RelationQuery q;
          q.entity = *id;
          q.direction = *dir == graph::Direction::out  ? store::RelationQuery::Direction::out
                        : *dir == graph::Direction::in ? store::RelationQuery::Direction::in
                                                       : store::RelationQuery::Direction::both;
          if (p.has("types")) {
            const auto& types = svc.knowledge().relation_types();
            for (size_t t = 0; t < types.size(); ++t)
              if (*mask & (uint64_t{1} << t)) q.types.push_back(types[t].name);
          }
          auto page = svc.store().relations(q, *limit, *cursor);
          json j = page_json(page, "relations", [&](const store::RelationRecord& r) {
            return relation_json(r, *snap, svc.knowledge(), svc.store());
          });
          j["entity"] = entity_ref(*snap, *id);
          return Reply{200, std::move(j)};
        });

  // ---- curation (admin) ------------------------------------------------------------------

  route("POST", R"(/v1/entities/([^/]+)/aliases)", {}, [&svc](const Params& p) -> Result<Reply> {
    auto id = svc.resolve_entity(p.path(1), "ref");
    if (!id) return id.error();
    const json& b = p.body();
    for (const auto& [k, v] : b.items())
      if (k != "alias") return bad_param(k, "unknown field \"" + k + "\"; send {\"alias\": \"...\"}");
    if (!b.contains("alias") || !b["alias"].is_string())
      return bad_param("alias", "\"alias\" must be a string");
    const std::string alias = b["alias"];
    if (alias.find_first_not_of(" \t") == std::string::npos || alias.size() > 200 ||
        !ingest::is_valid_utf8(alias))
      return bad_param("alias", "\"alias\" must be 1 to 200 characters of UTF-8 text");
    const bool added = svc.add_alias(*id, alias);
    auto e = svc.store().entity(*id);
    return Reply{added ? 201 : 200, entity_json(*e, *svc.snapshot())};
  });

  route("POST", R"(/v1/entities/([^/]+)/merge)", {}, [&svc](const Params& p) -> Result<Reply> {
    auto into = svc.resolve_entity(p.path(1), "ref");
    if (!into) return into.error();
    const json& b = p.body();
    for (const auto& [k, v] : b.items())
      if (k != "from") return bad_param(k, "unknown field \"" + k + "\"; send {\"from\": \"entity\"}");
    if (!b.contains("from") || !(b["from"].is_string() || b["from"].is_number_integer()))
      return bad_param("from", "\"from\" must name the entity to merge (id, key or name)");
    const std::string from_ref = b["from"].is_string() ? b["from"].get<std::string>()
                                                       : std::to_string(b["from"].get<int64_t>());
    auto from = svc.resolve_entity(from_ref, "from");
    if (!from) return from.error();
    if (*from == *into) return bad_param("from", "an entity cannot be merged into itself");
    const auto merged = svc.store().entity(*from);
    const auto outcome = svc.merge_entities(*into, *from);
    auto snap = svc.snapshot();
    auto e = svc.store().entity(*into);
    return Reply{200,
                 {{"entity", entity_json(*e, *snap)},
                  {"merged", {{"id", merged->id}, {"key", merged->key}, {"name", merged->name}}},
                  {"relations_moved", outcome.relations_moved},
                  {"relations_folded", outcome.relations_folded},
                  {"relations_dropped", outcome.relations_dropped},
                  {"graph_version", snap->version()}}};
  });

  // ---- relations -------------------------------------------------------------------------

  route("GET", "/v1/relations", {"type", "types", "subject", "object", "limit", "cursor"},
        [&svc](const Params& p) -> Result<Reply> {
          auto limit = p.limit();
          if (!limit) return limit.error();
          auto cursor = p.cursor();
          if (!cursor) return cursor.error();
          store::RelationQuery q;
          for (const char* param : {"type", "types"}) {
            if (!p.has(param)) continue;
            auto mask = svc.type_mask(p.text(param), param);
            if (!mask) return mask.error();
            const auto& types = svc.knowledge().relation_types();
            for (size_t t = 0; t < types.size(); ++t)
              if (*mask & (uint64_t{1} << t)) q.types.push_back(types[t].name);
          }
          for (auto [param, target] : {std::pair{"subject", &q.subject}, std::pair{"object", &q.object}}) {
            if (!p.has(param)) continue;
            auto id = svc.resolve_entity(p.text(param), param);
            if (!id) return id.error();
            *target = *id;
          }
          auto page = svc.store().relations(q, *limit, *cursor);
          auto snap = svc.snapshot();
          return Reply{200, page_json(page, "relations", [&](const store::RelationRecord& r) {
                         return relation_json(r, *snap, svc.knowledge(), svc.store());
                       })};
        });

  route("GET", R"(/v1/relations/(\d+)/evidence)", {"limit", "cursor"},
        [&svc](const Params& p) -> Result<Reply> {
          const auto id = path_id(p.path(1));
          if (!id) return ApiError{ErrorCode::not_found, "no relation has id " + p.path(1), "", nullptr};
          if (!svc.store().relation(*id))
            return ApiError{ErrorCode::not_found, "no relation has id " + p.path(1), "", nullptr};
          auto limit = p.limit();
          if (!limit) return limit.error();
          auto cursor = p.cursor();
          if (!cursor) return cursor.error();
          auto page = svc.store().relation_evidence(*id, *limit, *cursor);
          return Reply{200, page_json(page, "evidence", evidence_json)};
        });

  route("GET", "/v1/relation-types", {}, [&svc](const Params&) -> Result<Reply> {
    json types = json::array();
    for (const auto& t : svc.knowledge().relation_types())
      types.push_back({{"name", t.name},
                       {"symmetric", t.symmetric},
                       {"cameo", t.cameo},
                       {"description", t.description}});
    return Reply{200, {{"relation_types", std::move(types)}}};
  });

  // ---- graph -----------------------------------------------------------------------------

  route("GET", "/v1/neighborhood",
        with_traversal({"entity", "depth", "limit", "max_degree", "hub_policy"}),
        [&svc](const Params& p) -> Result<Reply> {
          auto id = svc.resolve_entity(p.text("entity"), "entity");
          if (!id) return id.error();
          auto depth = p.integer("depth", 1, 1, kMaxDepth);
          if (!depth) return depth.error();
          auto limit = p.limit();
          if (!limit) return limit.error();
          auto t = traversal(p, svc);
          if (!t) return t.error();
          auto max_degree = p.integer("max_degree", 0, 0, 1'000'000'000);
          if (!max_degree) return max_degree.error();
          const std::string policy = p.has("hub_policy") ? p.text("hub_policy") : "truncate";
          if (policy != "skip" && policy != "truncate" && policy != "sample")
            return bad_param("hub_policy", "hub_policy must be skip, truncate or sample");
          t->bounds.max_nodes = static_cast<size_t>(*limit);
          t->bounds.max_degree = static_cast<size_t>(*max_degree);
          t->bounds.hub_policy = policy == "skip"     ? graph::HubPolicy::skip
                                 : policy == "sample" ? graph::HubPolicy::sample
                                                      : graph::HubPolicy::truncate;
          graph::Neighborhood n = t->snap->neighborhood(*id, *depth, t->filter, t->bounds);
          std::vector<int64_t> ids;
          for (const auto& node : n.nodes) ids.push_back(node.entity);
          if (t->format == ExportFormat::json) return neighborhood_text(n, ids, *t->snap, svc);
          json nodes = graph_entities(ids, *t->snap, svc);
          for (size_t i = 0; i < nodes.size() && i < n.nodes.size(); ++i)
            nodes[i]["distance"] = n.nodes[i].distance;
          json edges = relations_json(n.relations, *t->snap, svc.knowledge());
          if (t->format != ExportFormat::json)
            return exported(*t, nodes, edges, "neighborhood of " + p.text("entity"));
          json center = nodes.empty() ? json(nullptr) : nodes[0];
          if (center.is_object()) center.erase("distance");
          json out = {{"center", std::move(center)}, {"nodes", std::move(nodes)},
                      {"edges", std::move(edges)}};
          bounded(out, n.truncated, n.truncated_by, n.edges_visited, *t->snap);
          return Reply{200, std::move(out)};
        });

  route("GET", "/v1/paths",
        with_traversal({"from", "to", "max_hops", "k", "weight", "via", "all", "limit", "explain"}),
        [&svc](const Params& p) -> Result<Reply> {
          auto from = svc.resolve_entity(p.text("from"), "from");
          if (!from) return from.error();
          auto to = svc.resolve_entity(p.text("to"), "to");
          if (!to) return to.error();
          auto hops = p.integer("max_hops", kMaxHops, 1, kMaxHops);
          if (!hops) return hops.error();
          auto k = p.integer("k", 1, 1, kMaxPaths);
          if (!k) return k.error();
          auto all = p.boolean("all", false);
          if (!all) return all.error();
          auto limit = p.integer("limit", kDefaultLimit, 1, kMaxLimit);
          if (!limit) return limit.error();
          auto explain = p.boolean("explain", false);
          if (!explain) return explain.error();
          auto t = traversal(p, svc);
          if (!t) return t.error();
          graph::PathQuery q;
          q.from = *from;
          q.to = *to;
          q.k = *k;
          q.max_hops = *hops;
          q.filter = t->filter;
          q.bounds = t->bounds;
          const std::string weight = p.has("weight") ? p.text("weight") : "hops";
          if (weight == "evidence")
            q.weight = graph::PathWeight::evidence;
          else if (weight == "recency")
            q.weight = graph::PathWeight::recency;
          else if (weight != "hops")
            return bad_param("weight", "weight must be hops, evidence or recency");
          if (p.has("via")) {
            auto via = svc.resolve_entity(p.text("via"), "via");
            if (!via) return via.error();
            q.via = *via;
          }
          if (*all && (q.via || q.weight != graph::PathWeight::hops || p.has("k")))
            return bad_param("all", "all=true lists every shortest path; it does not combine with k, via or weight");
          graph::PathResult r = *all ? t->snap->all_shortest_paths(q.from, q.to, q.max_hops,
                                                                   static_cast<size_t>(*limit),
                                                                   q.filter, q.bounds)
                                     : t->snap->paths(q);
          if (t->format == ExportFormat::json && !*explain) return paths_text(r, *t->snap, svc);
          std::vector<int64_t> rel_ids;
          for (const auto& path : r.paths) rel_ids.insert(rel_ids.end(), path.relations.begin(), path.relations.end());
          std::unordered_map<int64_t, store::EvidenceRecord> best;
          if (*explain) best = svc.store().best_evidence(rel_ids);
          json paths = json::array();
          std::vector<int64_t> all_nodes;
          for (const auto& path : r.paths) {
            json edges = relations_json(path.relations, *t->snap, svc.knowledge());
            for (auto& e : edges) {
              auto it = best.find(e["id"].get<int64_t>());
              if (it != best.end()) e["top_evidence"] = evidence_json(it->second);
            }
            all_nodes.insert(all_nodes.end(), path.nodes.begin(), path.nodes.end());
            paths.push_back({{"length", path.relations.size()},
                             {"cost", path.cost},
                             {"nodes", graph_entities(path.nodes, *t->snap, svc)},
                             {"edges", std::move(edges)}});
          }
          if (t->format != ExportFormat::json) {
            std::sort(all_nodes.begin(), all_nodes.end());
            all_nodes.erase(std::unique(all_nodes.begin(), all_nodes.end()), all_nodes.end());
            std::sort(rel_ids.begin(), rel_ids.end());
            rel_ids.erase(std::unique(rel_ids.begin(), rel_ids.end()), rel_ids.end());
            return exported(*t, graph_entities(all_nodes, *t->snap, svc),
                            relations_json(rel_ids, *t->snap, svc.knowledge()),
                            "paths from " + p.text("from") + " to " + p.text("to"));
          }
          json out = {{"paths", std::move(paths)}};
          bounded(out, r.truncated, r.truncated_by, r.edges_visited, *t->snap);
          return Reply{200, std::move(out)};
        });

  route("POST", "/v1/subgraph", with_traversal({"max_hops", "paths_per_pair"}),
        [&svc](const Params& p) -> Result<Reply> {
          const json& b = p.body();
          for (const auto& [key, v] : b.items())
            if (key != "seeds") return bad_param(key, "unknown field \"" + key + "\"; the body is {\"seeds\": [...]} and options are query parameters");
          if (!b.contains("seeds") || !b["seeds"].is_array() || b["seeds"].size() < 2 || b["seeds"].size() > 50)
            return bad_param("seeds", "\"seeds\" must be an array of 2 to 50 entities (ids, keys or names)");
          std::vector<int64_t> seeds;
          for (const auto& s : b["seeds"]) {
            if (!s.is_string() && !s.is_number_integer())
              return bad_param("seeds", "each seed is an entity id, key or name");
            auto id = svc.resolve_entity(s.is_string() ? s.get<std::string>() : std::to_string(s.get<int64_t>()), "seeds");
            if (!id) return id.error();
            seeds.push_back(*id);
          }
          auto hops = p.integer("max_hops", kMaxHops, 1, kMaxHops);
          if (!hops) return hops.error();
          auto per_pair = p.integer("paths_per_pair", 1, 1, kMaxPaths);
          if (!per_pair) return per_pair.error();
          auto t = traversal(p, svc);
          if (!t) return t.error();
          graph::Subgraph g = t->snap->subgraph(seeds, *hops, static_cast<size_t>(*per_pair),
                                                t->filter, t->bounds);
          json nodes = graph_entities(g.nodes, *t->snap, svc);
          json edges = relations_json(g.relations, *t->snap, svc.knowledge());
          if (t->format != ExportFormat::json) return exported(*t, nodes, edges, "subgraph");
          json unconnected = json::array();
          for (const auto& [a, c] : g.unconnected) unconnected.push_back({entity_ref(*t->snap, a), entity_ref(*t->snap, c)});
          json out = {{"nodes", std::move(nodes)}, {"edges", std::move(edges)},
                      {"unconnected", std::move(unconnected)}};
          bounded(out, g.truncated, g.truncated_by, g.edges_visited, *t->snap);
          return Reply{200, std::move(out)};
        });

  route("GET", "/v1/analytics", with_traversal({"metric", "top"}),
        [&svc](const Params& p) -> Result<Reply> {
          const std::string metric = p.text("metric");
          auto top = p.integer("top", 20, 1, kMaxLimit);
          if (!top) return top.error();
          auto t = traversal(p, svc);
          if (!t) return t.error();
          graph::AnalyticsQuery q{t->filter, t->bounds, static_cast<size_t>(*top)};
          auto ranking = [&](const graph::Ranking& r) {
            std::vector<int64_t> ids;
            for (const auto& e : r.top) ids.push_back(e.entity);
            json list = graph_entities(ids, *t->snap, svc);
            for (size_t i = 0; i < list.size() && i < r.top.size(); ++i) list[i]["score"] = r.top[i].score;
            json out = {{"metric", metric}, {"top", std::move(list)}, {"ranked", r.ranked}};
            bounded(out, r.truncated, r.truncated_by, r.edges_visited, *t->snap);
            return out;
          };
          if (metric == "degree") return Reply{200, ranking(graph::degree_centrality(*t->snap, q))};
          if (metric == "pagerank") {
            auto r = graph::page_rank(*t->snap, q);
            json out = ranking(r.ranking);
            out["iterations"] = r.iterations;
            out["converged"] = r.converged;
            return Reply{200, std::move(out)};
          }
          if (metric == "betweenness") {
            auto r = graph::betweenness_centrality(*t->snap, q);
            json out = ranking(r.ranking);
            out["exact"] = r.exact;
            out["sources"] = r.sources;
            return Reply{200, std::move(out)};
          }
          if (metric == "components") {
            auto r = graph::weak_components(*t->snap, q);
            json comps = json::array();
            for (const auto& c : r.top)
              comps.push_back({{"size", c.size}, {"members", graph_entities(c.members, *t->snap, svc)}});
            json out = {{"metric", metric}, {"count", r.count}, {"components", std::move(comps)}};
            bounded(out, r.truncated, r.truncated_by, r.edges_visited, *t->snap);
            return Reply{200, std::move(out)};
          }
          return bad_param("metric", "metric must be degree, pagerank, betweenness or components");
        });

  route("GET", "/v1/timeline", {"a", "b", "types", "bucket"}, [&svc](const Params& p) -> Result<Reply> {
    auto a = svc.resolve_entity(p.text("a"), "a");
    if (!a) return a.error();
    std::optional<int64_t> b;
    if (p.has("b")) {
      auto id = svc.resolve_entity(p.text("b"), "b");
      if (!id) return id.error();
      b = *id;
    }
    const std::string bucket = p.has("bucket") ? p.text("bucket") : "month";
    if (bucket != "day" && bucket != "week" && bucket != "month" && bucket != "year")
      return bad_param("bucket", "bucket must be day, week, month or year");
    auto mask = svc.type_mask(p.text("types"), "types");
    if (!mask) return mask.error();
    std::vector<std::string> types;
    if (p.has("types"))
      for (size_t i = 0; i < svc.knowledge().relation_types().size(); ++i)
        if (*mask & (uint64_t{1} << i)) types.push_back(svc.knowledge().relation_types()[i].name);
    auto snap = svc.snapshot();
    json buckets = json::array();
    for (const auto& [label, n] : svc.store().timeline(*a, b, types, bucket))
      buckets.push_back({{"bucket", label}, {"evidence", n}});
    json out = {{"a", entity_ref(*snap, *a)}, {"bucket", bucket}, {"buckets", std::move(buckets)},
                {"graph_version", snap->version()}};
    if (b) out["b"] = entity_ref(*snap, *b);
    return Reply{200, std::move(out)};
  });

  // ---- service ---------------------------------------------------------------------------

  route("GET", "/healthz", {}, [&svc](const Params&) -> Result<Reply> {
    return Reply{200, {{"status", "ok"}, {"graph_version", svc.snapshot()->version()}}};
  });

  route("GET", "/readyz", {}, [&svc, this](const Params&) -> Result<Reply> {
    if (stopping_) return ApiError{ErrorCode::not_ready, "the server is stopping", "", nullptr};
    if (!svc.store_ready())
      return ApiError{ErrorCode::not_ready, "the database does not answer", "", nullptr};
    return Reply{200, {{"status", "ready"}, {"graph_version", svc.snapshot()->version()}}};
  });

  // Prometheus text, not JSON: registered directly.
  routes_.push_back({"GET", "/metrics", {}});
  http.Get("/metrics", [&svc, this](const httplib::Request&, httplib::Response& res) {
    t_request.route = "/metrics";
    auto snap = svc.snapshot();
    res.set_content(metrics_.render(snap->version(), snap->entity_count(), snap->relation_count()),
                    "text/plain; version=0.0.4");
  });

  route("GET", "/v1/openapi.json", {}, [](const Params&) -> Result<Reply> {
    Reply r;
    r.raw = std::string(openapi_document());
    r.content_type = "application/json";
    return r;
  });

  route("GET", "/v1/stats", {}, [&svc](const Params&) -> Result<Reply> {
    store::Stats s = svc.store().stats();
    auto snap = svc.snapshot();
    auto obj = [](const std::vector<std::pair<std::string, int64_t>>& pairs) {
      json j = json::object();
      for (const auto& [k, v] : pairs) j[k] = v;
      return j;
    };
    return Reply{200,
                 {{"articles", s.articles},
                  {"entities", s.entities},
                  {"relations", s.relations},
                  {"evidence", s.evidence},
                  {"relations_by_type", obj(s.relations_by_type)},
                  {"evidence_by_type", obj(s.evidence_by_type)},
                  {"entities_by_kind", obj(s.entities_by_kind)},
                  {"graph",
                   {{"version", snap->version()},
                    {"entities", snap->entity_count()},
                    {"relations", snap->relation_count()}}},
                  {"graph_version", snap->version()}}};
  });
}

}  // namespace relgraph::server
