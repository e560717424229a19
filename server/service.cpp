#include "server/service.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

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

Service::Service(ingest::Knowledge knowledge, std::unique_ptr<store::Store> store,
                 ServiceOptions options)
    : knowledge_(std::move(knowledge)),
      store_(std::move(store)),
      publisher_(nullptr),
      options_(std::move(options)) {
  publisher_.publish(first_snapshot());
  if (options_.repack_in_background) {
    repacker_ = std::thread([this] { repack_loop(); });
    request_repack(std::chrono::milliseconds(0));
  }
}

Service::~Service() {
  {
    std::lock_guard lock(repack_mutex_);
    stopping_ = true;
  }
  repack_cv_.notify_all();
  if (repacker_.joinable()) repacker_.join();
  wait_for_snapshot_image();
}

store::GraphLoadStats Service::last_load_stats() const {
  std::lock_guard lock(repack_mutex_);
  return last_load_stats_;
}

void Service::request_repack(std::chrono::milliseconds delay) {
  if (!options_.repack_in_background) return;
  const auto due = std::chrono::steady_clock::now() + delay;
  {
    std::lock_guard lock(repack_mutex_);
    // The earliest due time wins: a steady stream of ingests does not postpone it forever.
    if (!repack_requested_ || due < repack_due_) repack_due_ = due;
    repack_requested_ = true;
  }
  repack_cv_.notify_all();
}

void Service::wait_for_repack() {
  if (!options_.repack_in_background) return;
  std::unique_lock lock(repack_mutex_);
  repack_cv_.wait(lock, [&] { return stopping_ || (!repack_requested_ && !repack_running_); });
}

void Service::repack_loop() {
  std::unique_lock lock(repack_mutex_);
  for (;;) {
    repack_cv_.wait(lock, [&] { return stopping_ || repack_requested_; });
    if (stopping_) return;
    if (repack_cv_.wait_until(lock, repack_due_, [&] { return stopping_.load(); })) return;
    if (std::chrono::steady_clock::now() < repack_due_) continue;  // moved meanwhile
    repack_requested_ = false;
    repack_running_ = true;
    lock.unlock();
    try {
      store_->repack_graph([this] { return stopping_.load(); });
    } catch (const std::exception& e) {
      // The loader reads the rows of blocks left dirty: nothing is wrong, only slower.
      std::fprintf(stderr, "relgraph: %s\n", e.what());
    }
    lock.lock();
    repack_running_ = false;
    repack_cv_.notify_all();
  }
}

void Service::wait_for_snapshot_image() {
  if (image_writer_.joinable()) image_writer_.join();
}

graph::SnapshotImage::Tag Service::image_tag(const store::StoreState& state) const {
  // The ontology decides type indices and symmetry, so it is part of what an image stands for.
  uint64_t ontology = 0xcbf29ce484222325ull;  // FNV-1a over names and symmetry
  for (const auto& t : knowledge_.relation_types()) {
    for (unsigned char c : t.name + (t.symmetric ? "/s;" : "/d;")) {
      ontology = (ontology ^ c) * 0x100000001b3ull;
    }
  }
  graph::SnapshotImage::Tag tag;
  tag.words = {0x72656c6772617068ull,  // "relgraph"
               static_cast<uint64_t>(state.store_id),
               static_cast<uint64_t>(state.generation),
               static_cast<uint64_t>(state.max_entity_id),
               static_cast<uint64_t>(state.max_relation_id),
               static_cast<uint64_t>(state.schema_version),
               ontology,
               0};
  return tag;
}

std::shared_ptr<const graph::Snapshot> Service::first_snapshot() {
  const std::string& path = options_.snapshot_image;
  started_from_ = "store";
  if (path.empty()) return load_snapshot(1);
  // Flags in the image: bit 0, snapshot_has_all_relations.
  graph::SnapshotImage::Loaded image = graph::SnapshotImage::read(path, image_tag(store_->state()), 1);
  if (image.snapshot) {
    snapshot_has_all_relations_ = (image.flags & 1) != 0;
    started_from_ = "image";
    return std::move(image.snapshot);
  }
  if (image.problem == "stale") {
    std::fprintf(stderr, "relgraph: the snapshot image %s is older than the database; loading "
                 "the database\n", path.c_str());
  } else if (image.problem != "missing") {
    std::fprintf(stderr, "relgraph: not using the snapshot image %s (%s); loading the database\n",
                 path.c_str(), image.problem.c_str());
  }
  store::StoreState state;
  auto snapshot = load_snapshot(1, &state);
  const graph::SnapshotImage::Tag tag = image_tag(state);
  const uint64_t flags = snapshot_has_all_relations_ ? 1 : 0;
  // Written off the start-up path: the server answers meanwhile, from the same snapshot.
  image_writer_ = std::thread([snapshot, tag, flags, path] {
    try {
      graph::SnapshotImage::write(*snapshot, tag, flags, path);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "relgraph: %s (the next start will load the store)\n", e.what());
    }
  });
  return snapshot;
}

std::shared_ptr<const graph::Snapshot> Service::load_snapshot(uint64_t version,
                                                              store::StoreState* state) {
  // Rows go from the store straight into the graph's builder: neither side holds all of them.
  class Loader : public store::GraphRowSink {
   public:
    explicit Loader(const std::vector<ingest::RelationType>& types) : types_(types) {}
    void entity(store::EntityRecord& e) override {
      builder_.add_entity({e.id, std::move(e.key), std::move(e.name), std::move(e.kind)});
    }
    void expect_relations(size_t count) override { builder_.expect_relations(count); }
    void relation(const store::GraphRelationRow& r) override {
      if (r.type < 0) {  // a type the ontology lacks, as graph_row() drops it
        all_ = false;
        return;
      }
      graph::RelationRow row;
      row.id = r.id;
      row.type = static_cast<uint16_t>(r.type);
      row.subject = r.subject;
      row.object = r.object;
      row.symmetric = types_[static_cast<size_t>(r.type)].symmetric;
      row.evidence_count = r.evidence_count;
      row.negated_count = r.negated_count;
      row.attributed_count = r.attributed_count;
      row.first_seen = r.first_seen;
      row.last_seen = r.last_seen;
      builder_.add_relation(row);
    }
    bool all() const { return all_; }
    graph::SnapshotBuilder& builder() { return builder_; }

   private:
    const std::vector<ingest::RelationType>& types_;
    graph::SnapshotBuilder builder_;
    bool all_ = true;
  };
  const auto& types = knowledge_.relation_types();
  std::vector<std::string> type_names;
  for (const auto& t : types) type_names.push_back(t.name);
  Loader loader(types);
  store::GraphLoadStats stats;
  const store::StoreState read_at =
      store_->load_graph(type_names, loader, options_.graph_source, &stats);
  {
    std::lock_guard lock(repack_mutex_);
    last_load_stats_ = stats;
  }
  if (state != nullptr) *state = read_at;
  snapshot_has_all_relations_ = loader.all();
  return loader.builder().build(version);
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
  const bool added = store_->add_alias(entity, alias);
  forget_aliases({entity});
  return added;
}

store::Store::MergeOutcome Service::merge_entities(int64_t into, int64_t from) {
  std::lock_guard lock(write_mutex_);
  auto out = store_->merge_entities(into, from);
  forget_aliases({into, from});
  // A merge removes an entity and rewrites relations: rebuild rather than patch.
  publish_snapshot(load_snapshot(publisher_.current()->version() + 1));
  request_repack(std::chrono::milliseconds(0));
  return out;
}


void Service::publish(const std::vector<store::IngestOutcome>& outcomes) {
  std::vector<graph::EntityRow> entities;
  std::vector<graph::RelationRow> relations;
  std::vector<int64_t> touched;  // entities whose aliases the ingest may have extended
  for (const auto& o : outcomes) {
    if (o.duplicate) continue;
    for (const auto& e : o.entities) touched.push_back(e.id);
    for (const auto& e : o.new_entities) entities.push_back(graph_row(e));
    for (const auto& r : o.changed_relations) {
      if (auto row = graph_row(r, knowledge_))
        relations.push_back(*row);
      else
        snapshot_has_all_relations_ = false;
    }
  }
  forget_aliases(touched);
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
  if (!out.outcome.duplicate) request_repack(options_.repack_delay);
  return out;
}

std::vector<store::IngestOutcome> Service::ingest_batch(
    const std::vector<store::ArticleInput>& articles) {
  return store_batch(extract_batch(articles));
}

Service::Extracted Service::extract_batch(const std::vector<store::ArticleInput>& articles) const {
  Extracted work;
  work.reserve(articles.size());
  for (const auto& a : articles)
    work.emplace_back(a, ingest::extract(a.text, published_day(a.published_at), knowledge_));
  return work;
}

std::vector<store::IngestOutcome> Service::store_batch(const Extracted& work) {
  std::lock_guard lock(write_mutex_);
  auto outcomes = store_->ingest_batch(work, knowledge_);
  publish(outcomes);
  request_repack(options_.repack_delay);
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
  if (const auto e = snap->entity_by_key(ref)) return e->id;
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

void Service::forget_aliases(const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  std::unique_lock lock(alias_mutex_);
  ++alias_epoch_;
  for (int64_t id : ids) alias_cache_.erase(id);
}

std::vector<Service::Aliases> Service::aliases(const std::vector<int64_t>& ids) {
  // Entities cached at most; past it the cache starts over (a few hundred bytes each).
  constexpr size_t kMaxCached = 1'000'000;
  static const Aliases kNone = std::make_shared<const std::vector<std::string>>();
  std::vector<Aliases> out(ids.size());
  std::vector<int64_t> missing;
  uint64_t epoch = 0;
  {
    std::shared_lock lock(alias_mutex_);
    epoch = alias_epoch_;
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = alias_cache_.find(ids[i]);
      if (it != alias_cache_.end())
        out[i] = it->second;
      else
        missing.push_back(ids[i]);
    }
  }
  if (missing.empty()) return out;
  auto stored = store_->aliases_of(missing);
  std::unordered_map<int64_t, Aliases> found;
  for (auto& [id, list] : stored)
    found.emplace(id, list.empty() ? kNone
                                   : std::make_shared<const std::vector<std::string>>(std::move(list)));
  for (size_t i = 0; i < ids.size(); ++i) {
    if (out[i]) continue;
    auto it = found.find(ids[i]);
    out[i] = it == found.end() ? kNone : it->second;
  }
  std::unique_lock lock(alias_mutex_);
  if (alias_epoch_ != epoch) return out;  // a write happened meanwhile: do not cache
  if (alias_cache_.size() + found.size() > kMaxCached) alias_cache_.clear();
  alias_cache_.insert(found.begin(), found.end());
  return out;
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
