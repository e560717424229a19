// The relgraph service: the knowledge the extractor uses, the store, and the published graph
// snapshot, wired together. HTTP handlers and the CLI both go through it.
//
// Thread-safety: every method may be called from any thread. Extraction runs in the
// caller's thread; storing and publishing are serialised so graph versions follow commit
// order. Readers take a snapshot with snapshot() and never wait for a writer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "graph/graph.h"
#include "ingest/extraction.h"
#include "server/api_error.h"
#include "store/store.h"

namespace relgraph::server {

// Store rows as the graph takes them. A relation of a type the ontology lacks gives nullopt.
graph::EntityRow graph_row(const store::EntityRecord& e);
std::optional<graph::RelationRow> graph_row(const store::RelationRecord& r,
                                            const ingest::Knowledge& knowledge);

// The items of a comma-separated parameter ("drills-with, trades-with"), trimmed, empty
// items dropped.
std::vector<std::string> split_comma_list(const std::string& list);

struct ServiceOptions {
  // Where the graph's snapshot image is kept (graph::SnapshotImage); empty: no image. At
  // start-up an image whose tag matches the store's state (StoreState) and this ontology is
  // loaded instead of the rows; otherwise the rows are, and an image of the result is written
  // in the background for the next start. An image that is stale, damaged or unwritable is
  // reported on stderr and otherwise ignored: start-up never fails because of it.
  std::string snapshot_image;
  // Where the first snapshot and rebuilds read the store: its packed copy where current (the
  // default), or the rows only (the same graph; for comparisons and as an escape hatch).
  store::GraphSource graph_source = store::GraphSource::packed;
  // Re-encode the store's dirty packed blocks (store::Store::repack_graph) on a thread of the
  // service: right after start-up and curation merges, and `repack_delay` after ingests (so a
  // run of ingests is repacked once). Off: only whoever calls repack_graph repacks (the CLI's
  // bulk ingest does, at its end, so that it does not compete with the ingest).
  bool repack_in_background = true;
  std::chrono::milliseconds repack_delay{5000};
};

class Service {
 public:
  // Builds the first snapshot from what the store holds.
  Service(ingest::Knowledge knowledge, std::unique_ptr<store::Store> store,
          ServiceOptions options = {});
  // Waits for the snapshot image being written, if any.
  ~Service();

  // How the first snapshot was made: "image" (read from the snapshot image) or "store".
  const std::string& started_from() const { return started_from_; }
  // Waits until the snapshot image started at start-up is written (or failed). For tests and
  // benchmarks; the destructor does it too.
  void wait_for_snapshot_image();
  // How the last full load read the store (start-up from the store, merges).
  store::GraphLoadStats last_load_stats() const;
  // Waits until the background repacker has nothing requested or running (for tests and
  // benchmarks). Returns at once when repack_in_background is off.
  void wait_for_repack();

  struct Ingested {
    store::IngestOutcome outcome;
    uint64_t graph_version = 0;  // the snapshot that includes this article
  };
  // Extracts, stores and publishes one article. REQUIRES: valid UTF-8 text; published_at
  // empty or a valid ISO date.
  Ingested ingest(const store::ArticleInput& article);
  // Extracts and stores many articles in one transaction, then publishes once.
  std::vector<store::IngestOutcome> ingest_batch(const std::vector<store::ArticleInput>& articles);

  // ingest_batch in two steps, so that a bulk load can extract the next batch while this one
  // is stored. extract_batch is pure (no lock, no store; any thread, concurrently with
  // anything); store_batch stores in one transaction and publishes once, as ingest_batch.
  using Extracted = std::vector<std::pair<store::ArticleInput, ingest::Extraction>>;
  Extracted extract_batch(const std::vector<store::ArticleInput>& articles) const;
  std::vector<store::IngestOutcome> store_batch(const Extracted& work);

  std::shared_ptr<const graph::Snapshot> snapshot() const { return publisher_.current(); }
  // The current snapshot once its version is at least `version`, waiting up to `wait` for
  // it (read your writes); nullptr when it did not arrive in time.
  std::shared_ptr<const graph::Snapshot> snapshot_at_least(uint64_t version,
                                                           std::chrono::milliseconds wait);
  store::Store& store() { return *store_; }
  const ingest::Knowledge& knowledge() const { return knowledge_; }

  // An entity reference as clients write it: numeric id, key, or name/alias
  // (case-insensitive). 404 when nothing fits, 409 with candidates when several do.
  Result<int64_t> resolve_entity(const std::string& ref, const std::string& param);

  // Curation (admin). Both publish a new snapshot before they return, so the next query
  // sees the change. add_alias returns false when the entity already had the alias.
  bool add_alias(int64_t entity, const std::string& alias);
  store::Store::MergeOutcome merge_entities(int64_t into, int64_t from);

  // Called with the seconds each snapshot publication took (for metrics). Set before use.
  void set_publish_observer(std::function<void(double)> observer) { on_publish_ = std::move(observer); }
  // True when the database answers a trivial query.
  bool store_ready();

  // Parses a comma-separated list of relation type names into a graph type mask.
  Result<uint64_t> type_mask(const std::string& types, const std::string& param) const;

  using Aliases = std::shared_ptr<const std::vector<std::string>>;
  // The aliases of each entity in `ids` (same order; an unknown id has none), as the store
  // holds them, in the store's order. Served from a cache in front of the store: graph
  // answers list the aliases of every entity they return, and asking SQLite for each was
  // most of the cost of a path or neighbourhood request. Every write through this Service
  // invalidates the entities it touched, so a reader never gets aliases older than the
  // last commit it could have seen. Never null.
  std::vector<Aliases> aliases(const std::vector<int64_t>& ids);

  // True when every relation in the store is in the current snapshot's graph (none has a
  // type the ontology lacks), so that a relation list can be answered from the snapshot
  // instead of the store.
  bool snapshot_has_all_relations() const { return snapshot_has_all_relations_.load(); }

 private:
  void publish(const std::vector<store::IngestOutcome>& outcomes);
  // Forgets the cached aliases of these entities. Called after the commit that changed them.
  void forget_aliases(const std::vector<int64_t>& ids);
  // A snapshot of everything in the store (start-up, and after curation rewrites rows).
  // `state`, when given, receives the store state the rows were read at.
  std::shared_ptr<const graph::Snapshot> load_snapshot(uint64_t version,
                                                       store::StoreState* state = nullptr);
  // The first snapshot: from the image when it is valid, else from the store (and then an
  // image of it is written in image_writer_).
  std::shared_ptr<const graph::Snapshot> first_snapshot();
  // What an image must carry to stand for `state` under this ontology.
  graph::SnapshotImage::Tag image_tag(const store::StoreState& state) const;

  ingest::Knowledge knowledge_;
  std::unique_ptr<store::Store> store_;
  graph::SnapshotPublisher publisher_;
  std::mutex write_mutex_;  // orders store commits and snapshot publication
  std::function<void(double)> on_publish_;
  std::mutex version_mutex_;  // with version_cv_: wakes readers waiting for a version
  std::condition_variable version_cv_;
  void publish_snapshot(std::shared_ptr<const graph::Snapshot> next);

  // The alias cache. alias_epoch_ grows with every invalidation: a reader that missed the
  // cache keeps what it read from the store only if no invalidation happened meanwhile (its
  // read might have preceded the commit).
  std::shared_mutex alias_mutex_;
  std::unordered_map<int64_t, Aliases> alias_cache_;
  uint64_t alias_epoch_ = 0;
  std::atomic<bool> snapshot_has_all_relations_{true};

  ServiceOptions options_;
  std::string started_from_;
  std::thread image_writer_;  // writes the snapshot image after a start from the store

  // The background repacker (ServiceOptions::repack_in_background).
  void request_repack(std::chrono::milliseconds delay);
  void repack_loop();
  mutable std::mutex repack_mutex_;  // guards the fields below
  std::condition_variable repack_cv_;
  bool repack_requested_ = false;
  bool repack_running_ = false;
  std::chrono::steady_clock::time_point repack_due_;
  std::atomic<bool> stopping_{false};
  store::GraphLoadStats last_load_stats_;  // under repack_mutex_
  std::thread repacker_;
};

}  // namespace relgraph::server
