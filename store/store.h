// store: the SQLite database behind relgraph (through SQLiteCpp).
//
// A Store owns one database file: articles, entities and their aliases, relations aggregated
// per (type, subject, object) with symmetric pairs stored once, and the evidence behind each
// relation. Every article is written in one IMMEDIATE transaction, so a reader never sees half
// an article and a failure leaves nothing behind. Articles are keyed by the SHA-256 of their
// text: the same text is never stored twice.
//
// Thread-safety: a Store is safe for concurrent use from many threads. Writes are serialised
// on one connection; reads use a pool of connections and run alongside writes (WAL mode).
//
// Errors: methods throw StoreError when SQLite fails (disk full, corrupt file); expected
// outcomes (unknown id, duplicate article) are return values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingest/extraction.h"

namespace relgraph::store {

class StoreError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ArticleInput {
  std::string text;
  std::string title;
  std::string url;
  std::string source;
  std::string published_at;  // ISO 8601 or empty. REQUIRES: empty or a valid date
};

struct ArticleRecord {
  int64_t id = 0;
  std::string title, url, source;
  std::string published_at;  // as given; empty when unknown
  std::string ingested_at;   // UTC, ISO 8601
  std::string text;          // filled only where asked for
};

struct EntityRecord {
  int64_t id = 0;
  std::string key, name, kind;
  std::vector<std::string> aliases;
};

struct RelationRecord {
  int64_t id = 0;
  std::string type;
  int64_t subject = 0, object = 0;
  uint32_t evidence_count = 0, negated_count = 0, attributed_count = 0;
  std::string first_seen, last_seen;  // YYYY-MM-DD
};

// A relation as the graph loader takes it (Store::load_graph): integers only, no strings.
struct GraphRelationRow {
  int64_t id = 0, subject = 0, object = 0;
  int32_t type = -1;  // index of the type's name in load_graph's `type_names`; -1: not among them
  uint32_t evidence_count = 0, negated_count = 0, attributed_count = 0;
  int32_t first_seen = 0, last_seen = 0;  // days since 1970-01-01; 0 when not a valid date
};

// Everything the in-memory graph is built from, each vector ordered by id.
struct GraphRows {
  std::vector<EntityRecord> entities;  // without aliases
  std::vector<GraphRelationRow> relations;
};

// Where the store's content stands: equal states mean equal content, so a cache of the graph
// kept outside SQLite (graph::SnapshotImage) is valid exactly while the state it was built
// from is the current one. `generation` is replaced by a fresh random number in every write
// transaction of this Store (random, not a counter: a database restored from a backup and then
// written to as often as the original was must not take the original's value); `store_id` is
// random per database file (made by the schema migration), so an image left beside a different
// database does not match it. The largest ids are a second check, against rows added by
// something other than a Store (which does not replace the generation).
struct StoreState {
  int64_t store_id = 0;
  int64_t generation = 0;
  int64_t max_entity_id = 0;    // 0 when there are none
  int64_t max_relation_id = 0;  // 0 when there are none
  int schema_version = 0;
  bool operator==(const StoreState&) const = default;
};

// Where Store::load_graph takes the graph's rows from.
enum class GraphSource {
  // The packed copy (store/graph_pack.h) of every block of 1024 ids that no write has touched
  // since it was packed, and the rows of the others: the same rows as `rows`, faster.
  packed,
  // The rows only: what the packed copy must always agree with.
  rows,
};

// How one Store::load_graph read the graph, in blocks of 1024 ids (entities and relations
// together).
struct GraphLoadStats {
  size_t packed_blocks = 0;   // decoded from the packed copy
  size_t row_blocks = 0;      // read as rows: written to since they were packed, or never packed
  size_t damaged_blocks = 0;  // a blob that failed its checks: read as rows instead (and said so
                              // on stderr); the next repack_graph re-encodes it
};

// What one Store::repack_graph did.
struct RepackOutcome {
  size_t relation_blocks = 0;  // blocks re-encoded (or whose blob was dropped: no rows left)
  size_t entity_blocks = 0;
  bool complete = true;  // false when `stop` ended it early; what is left stays dirty
};

// Receives Store::load_graph's rows one at a time, so that a caller can build its own structure
// without holding every row: entities first (by id), then relations (by id).
class GraphRowSink {
 public:
  virtual ~GraphRowSink() = default;
  // The row may be moved from.
  virtual void entity(EntityRecord& row) = 0;
  // Called once, before the first relation: about how many relations follow (a capacity hint).
  virtual void expect_relations(size_t count) { (void)count; }
  virtual void relation(const GraphRelationRow& row) = 0;
};

struct EntityRef {
  int64_t id = 0;
  std::string key, name;
};

struct EvidenceRecord {
  int64_t id = 0;
  int64_t relation_id = 0;
  std::string type;
  EntityRef subject, object;
  int64_t article_id = 0;
  std::string article_title, article_url, article_published_at;
  std::string sentence;
  uint32_t sentence_index = 0, char_start = 0, char_end = 0;
  bool negated = false, attributed = false;
  double confidence = 0;
};

// What one ingest did. For a duplicate text nothing was written and the fields describe the
// article stored before.
struct IngestOutcome {
  bool duplicate = false;
  ArticleRecord article;
  std::vector<EntityRecord> entities;          // every entity the article mentions
  std::vector<EvidenceRecord> evidence;        // every relation mention, as stored
  std::vector<RelationRecord> changed_relations;  // new or updated relations (empty if duplicate)
  std::vector<EntityRecord> new_entities;      // entities created by this ingest
};

// A page of a list, ordered by id. `next_cursor` is absent on the last page.
template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<int64_t> next_cursor;
};

struct RelationQuery {
  std::vector<std::string> types;  // empty: all
  std::optional<int64_t> subject;  // for symmetric types either side matches
  std::optional<int64_t> object;
  std::optional<int64_t> entity;   // either side (with `direction`)
  enum class Direction { out, in, both } direction = Direction::both;
};

struct Stats {
  int64_t articles = 0, entities = 0, relations = 0, evidence = 0;
  std::vector<std::pair<std::string, int64_t>> relations_by_type;
  std::vector<std::pair<std::string, int64_t>> evidence_by_type;
  std::vector<std::pair<std::string, int64_t>> entities_by_kind;
};

class Store {
 public:
  // Opens (creating if needed) the database at `path` and applies pending migrations
  // (upgrading an existing database says so in one line on stderr).
  // `symmetric_types` names the relation types whose pairs are stored once.
  // Throws StoreError when the file cannot be opened or is newer than this program.
  static std::unique_ptr<Store> open(const std::string& path,
                                     std::vector<std::string> symmetric_types);
  ~Store();

  // Stores one article and what was extracted from it, in one transaction.
  IngestOutcome ingest(const ArticleInput& article, const ingest::Extraction& extraction,
                       const ingest::Knowledge& knowledge);
  // Several articles in one transaction (bulk ingest); outcomes in input order.
  std::vector<IngestOutcome> ingest_batch(
      const std::vector<std::pair<ArticleInput, ingest::Extraction>>& articles,
      const ingest::Knowledge& knowledge);
  // True when an article with exactly this text is stored.
  bool has_text(const std::string& text);

  std::optional<ArticleRecord> article(int64_t id, bool with_text);
  std::vector<EvidenceRecord> article_evidence(int64_t article_id);
  // Full-text search over titles and texts; an empty query lists all.
  Page<ArticleRecord> search_articles(const std::string& query, int limit,
                                      std::optional<int64_t> after);

  std::optional<EntityRecord> entity(int64_t id);
  std::optional<EntityRecord> entity_by_key(const std::string& key);
  // The aliases of several entities at once (for graph answers).
  std::unordered_map<int64_t, std::vector<std::string>> aliases_of(const std::vector<int64_t>& ids);
  // Entities one of whose names or aliases equals `name` (case-insensitive).
  std::vector<EntityRecord> entities_named(const std::string& name);
  // Entities whose names or aliases contain words starting with the query's words.
  Page<EntityRecord> search_entities(const std::string& query, const std::string& kind, int limit,
                                     std::optional<int64_t> after);

  std::optional<RelationRecord> relation(int64_t id);
  Page<RelationRecord> relations(const RelationQuery& query, int limit,
                                 std::optional<int64_t> after);
  Page<EvidenceRecord> relation_evidence(int64_t relation_id, int limit,
                                         std::optional<int64_t> after);
  // The most telling piece of evidence for each relation: plain before attributed before
  // negated, then the most confident, then the most recent article.
  std::unordered_map<int64_t, EvidenceRecord> best_evidence(const std::vector<int64_t>& relation_ids);
  // Counts of evidence per relation type for one entity, for entity detail pages.
  std::vector<std::pair<std::string, int64_t>> relation_counts(int64_t entity_id);

  Stats stats();

  // Evidence counts over time for one entity, or for a pair when `other` is given, by
  // article publication date. `bucket` is "day", "week", "month" or "year"; buckets are
  // labelled "2024-03-18", "2024-W11", "2024-03", "2024"; empty buckets are left out.
  // REQUIRES: bucket is one of those.
  std::vector<std::pair<std::string, int64_t>> timeline(int64_t entity, std::optional<int64_t> other,
                                                        const std::vector<std::string>& types,
                                                        const std::string& bucket);

  // Curation. Adds an alias to an entity; false when it already had it. REQUIRES: entity
  // exists, alias non-empty.
  bool add_alias(int64_t entity_id, const std::string& alias);
  struct MergeOutcome {
    int64_t relations_moved = 0;   // relations re-pointed from the merged entity
    int64_t relations_folded = 0;  // ... of which joined a relation the survivor already had
    int64_t relations_dropped = 0; // would have linked the survivor to itself
  };
  // Merges entity `from` into `into` in one transaction: aliases, mentions, relations and
  // evidence move to `into`, and `from` is deleted. REQUIRES: both exist, from != into.
  MergeOutcome merge_entities(int64_t into, int64_t from);

  // Streams every entity and relation, for building the graph at start-up.
  void scan_graph(const std::function<void(const EntityRecord&)>& on_entity,
                  const std::function<void(const RelationRecord&)>& on_relation);

  // Every entity and relation as the graph needs them, read in one read transaction: the
  // start-up path (scan_graph's rows, without a string per relation). `type_names[i]` is the
  // name of relation type i; relations of other types get type -1. Reads over a connection of
  // its own (memory-mapped, no SQLite mutex), so it neither waits for nor holds a pooled reader.
  // Throws StoreError.
  // `source` packed (the default) decodes the packed copy where it is current; the rows are
  // the same either way.
  GraphRows load_graph(const std::vector<std::string>& type_names,
                       GraphSource source = GraphSource::packed);
  // The same rows, in the same order and the same read transaction, handed to `sink` as they
  // are read instead of collected. Exceptions from the sink propagate (the read ends).
  // Returns the state of the store that the rows are (read in the same transaction). `stats`,
  // when given, receives how the blocks were read.
  StoreState load_graph(const std::vector<std::string>& type_names, GraphRowSink& sink,
                        GraphSource source = GraphSource::packed,
                        GraphLoadStats* stats = nullptr);

  // Re-encodes the packed copy of every block that was dirty when it started (written to since
  // it was packed, or damaged as a load found it), in transactions of a few hundred blocks on
  // a connection of its own, each under the write lock: an ingest waits for one such
  // transaction at most (~0.1 s). `stop`, when given, is asked between transactions; true ends
  // the repack early. The store's content and state (StoreState) do not change, so a snapshot
  // image stays valid. Safe from any thread. Throws StoreError.
  RepackOutcome repack_graph(const std::function<bool()>& stop = {});
  // Blocks waiting for repack_graph (entities and relations together).
  size_t dirty_pack_blocks();

  // The store's current state (one read transaction; a few index seeks, no scan).
  // Throws StoreError.
  StoreState state();

  // Copies the database at `db_path` to `out_path` with SQLite's online backup API: a
  // consistent copy even while a server writes to it. Writes `out_path` + ".tmp" first and
  // renames it when the copy passed integrity_check, so `out_path` is never half-written.
  // Throws StoreError.
  static void backup(const std::string& db_path, const std::string& out_path);

  // PRAGMA user_version of the open database.
  int schema_version();

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The lowercase token form used to compare names: "Beijing’s" and "beijing's" are equal.
std::string alias_norm(const std::string& name);

}  // namespace relgraph::store
