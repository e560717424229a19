#include "server/service.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace relgraph::server {
namespace {

std::optional<int32_t> published_day(const std::string& published_at) {
  if (published_at.empty()) return std::nullopt;
  return ingest::days_from_iso(published_at);
}

}  // namespace

graph::EntityRow graph_row(const store::EntityRecord& e) { return {e.id, e.key, e.name, e.kind}; }

std::optional<graph::RelationRow> graph_row(const store::RelationRecord& r,
                                            const ingest::Knowledge& knowledge) {
  const auto type = knowledge.relation_type(r.type);
  if (!type) return std::nullopt;
  graph::RelationRow row;
  row.id = r.id;
  row.type = *type;
  row.subject = r.subject;
  row.object = r.object;
  row.symmetric = knowledge.relation_types()[*type].symmetric;
  row.evidence_count = r.evidence_count;
  row.negated_count = r.negated_count;
  row.attributed_count = r.attributed_count;
  row.first_seen = ingest::days_from_iso(r.first_seen).value_or(0);
  row.last_seen = ingest::days_from_iso(r.last_seen).value_or(0);
  return row;
}

Service::Service(ingest::Knowledge knowledge, std::unique_ptr<store::Store> store)
    : knowledge_(std::move(knowledge)), store_(std::move(store)), publisher_(nullptr) {
  publisher_.publish(load_snapshot(1));
}

std::shared_ptr<const graph::Snapshot> Service::load_snapshot(uint64_t version) {
  const auto& types = knowledge_.relation_types();
  std::vector<std::string> type_names;
  for (const auto& t : types) type_names.push_back(t.name);
  store::GraphRows rows = store_->load_graph(type_names);
  std::vector<graph::EntityRow> entities;
  entities.reserve(rows.entities.size());
  for (auto& e : rows.entities)
    entities.push_back({e.id, std::move(e.key), std::move(e.name), std::move(e.kind)});
  std::vector<graph::RelationRow> relations;
  relations.reserve(rows.relations.size());
  for (const auto& r : rows.relations) {
    if (r.type < 0) continue;  // a type the ontology lacks, as graph_row() drops it
    graph::RelationRow& row = relations.emplace_back();
    row.id = r.id;
    row.type = static_cast<uint16_t>(r.type);
    row.subject = r.subject;
    row.object = r.object;
    row.symmetric = types[static_cast<size_t>(r.type)].symmetric;
    row.evidence_count = r.evidence_count;
    row.negated_count = r.negated_count;
    row.attributed_count = r.attributed_count;
    row.first_seen = r.first_seen;
    row.last_seen = r.last_seen;
  }
  rows = {};
  return graph::Snapshot::build(version, std::move(entities), std::move(relations));
}

void Service::publish_snapshot(std::shared_ptr<const graph::Snapshot> next) {
  {
    std::lock_guard lock(version_mutex_);
    publisher_.publish(std::move(next));
  }
  version_cv_.notify_all();
}

std::shared_ptr<const graph::Snapshot> Service::snapshot_at_least(uint64_t version,
                                                                  std::chrono::milliseconds wait) {
  std::unique_lock lock(version_mutex_);
  version_cv_.wait_for(lock, wait, [&] { return publisher_.current()->version() >= version; });
  auto snap = publisher_.current();
  return snap->version() >= version ? snap : nullptr;
}

bool Service::add_alias(int64_t entity, const std::string& alias) {
  std::lock_guard lock(write_mutex_);
  // Aliases live in the store only; the graph does not change.
  return store_->add_alias(entity, alias);
}

store::Store::MergeOutcome Service::merge_entities(int64_t into, int64_t from) {
  std::lock_guard lock(write_mutex_);
  auto out = store_->merge_entities(into, from);
  // A merge removes an entity and rewrites relations: rebuild rather than patch.
  publish_snapshot(load_snapshot(publisher_.current()->version() + 1));
  return out;
}


void Service::publish(const std::vector<store::IngestOutcome>& outcomes) {
  std::vector<graph::EntityRow> entities;
  std::vector<graph::RelationRow> relations;
  for (const auto& o : outcomes) {
    for (const auto& e : o.new_entities) entities.push_back(graph_row(e));
    for (const auto& r : o.changed_relations)
      if (auto row = graph_row(r, knowledge_)) relations.push_back(*row);
  }
  if (entities.empty() && relations.empty()) return;
  const auto start = std::chrono::steady_clock::now();
  auto current = publisher_.current();
  publish_snapshot(current->apply(current->version() + 1, std::move(entities), std::move(relations)));
  if (on_publish_)
    on_publish_(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

Service::Ingested Service::ingest(const store::ArticleInput& article) {
  // Extraction is pure and runs outside the lock.
  ingest::Extraction x = ingest::extract(article.text, published_day(article.published_at), knowledge_);
  std::lock_guard lock(write_mutex_);
  Ingested out;
  out.outcome = store_->ingest(article, x, knowledge_);
  publish({out.outcome});
  out.graph_version = publisher_.current()->version();
  return out;
}

std::vector<store::IngestOutcome> Service::ingest_batch(
    const std::vector<store::ArticleInput>& articles) {
  std::vector<std::pair<store::ArticleInput, ingest::Extraction>> work;
  work.reserve(articles.size());
  for (const auto& a : articles)
    work.emplace_back(a, ingest::extract(a.text, published_day(a.published_at), knowledge_));
  std::lock_guard lock(write_mutex_);
  auto outcomes = store_->ingest_batch(work, knowledge_);
  publish(outcomes);
  return outcomes;
}

Result<int64_t> Service::resolve_entity(const std::string& ref, const std::string& param) {
  if (ref.empty()) return bad_param(param, param + " is required: an entity id, key or name");
  auto snap = snapshot();
  int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), id);
  if (ec == std::errc() && ptr == ref.data() + ref.size()) {
    if (snap->entity(id)) return id;
    return ApiError{ErrorCode::not_found, "no entity has id " + ref, param, nullptr};
  }
  if (const auto* e = snap->entity_by_key(ref)) return e->id;
  auto named = store_->entities_named(ref);
  if (named.size() == 1) return named[0].id;
  if (named.empty())
    return ApiError{ErrorCode::not_found, "no entity is known as \"" + ref + "\"", param, nullptr};
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& e : named)
    candidates.push_back({{"id", e.id}, {"key", e.key}, {"name", e.name}, {"kind", e.kind}});
  return ApiError{ErrorCode::ambiguous,
                  "\"" + ref + "\" fits " + std::to_string(named.size()) +
                      " entities; use an id or key from \"candidates\"",
                  param, candidates};
}

bool Service::store_ready() {
  try {
    return store_->schema_version() > 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> split_comma_list(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

Result<uint64_t> Service::type_mask(const std::string& types, const std::string& param) const {
  if (types.empty()) return ~uint64_t{0};
  uint64_t mask = 0;
  for (const auto& name : split_comma_list(types)) {
    auto t = knowledge_.relation_type(name);
    if (!t) {
      std::string known;
      for (const auto& rt : knowledge_.relation_types()) known += (known.empty() ? "" : ", ") + rt.name;
      return bad_param(param, "unknown relation type \"" + name + "\"; known types: " + known);
    }
    mask |= uint64_t{1} << *t;
  }
  if (mask == 0) return bad_param(param, param + " names no relation type");
  return mask;
}

}  // namespace relgraph::server
