#include "store/store.h"

#include <openssl/evp.h>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <ctime>
#include <limits>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_map>

#include "ingest/text.h"
#include "schema/embedded.h"
#include "store/graph_pack.h"

namespace relgraph::store {
namespace {

// The first schema version with the store_generation table (003_store_generation.sql).
constexpr size_t kGenerationSchema = 3;
// The first schema version with the packed copy of the graph (004_graph_pack.sql).
constexpr size_t kPackSchema = 4;

constexpr int kReaders = 8;

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw StoreError("cannot hash the article text");
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void configure(SQLite::Database& db) {
  db.setBusyTimeout(10000);
  SQLite::Statement(db, "PRAGMA journal_mode=WAL").executeStep();
  db.exec("PRAGMA foreign_keys=ON");
  db.exec("PRAGMA synchronous=NORMAL");
}

// An FTS5 query from user words: each word a quoted prefix, all required. Quotes inside
// words are dropped, so user input never reaches FTS5 syntax.
std::string fts_query(const std::string& q) {
  std::string out;
  for (const auto& tok : ingest::tokenize(q)) {
    if (!tok.word) continue;
    std::string w;
    for (char c : tok.norm)
      if (c != '"' && c != '\'') w += c;
    if (w.empty()) continue;
    if (!out.empty()) out += ' ';
    out += '"' + w + "\"*";
  }
  return out;
}

EntityRecord read_entity(SQLite::Statement& q) {
  EntityRecord e;
  e.id = q.getColumn(0).getInt64();
  e.key = q.getColumn(1).getString();
  e.name = q.getColumn(2).getString();
  e.kind = q.getColumn(3).getString();
  return e;
}

constexpr const char* kRelationColumns =
    "id, type, subject_id, object_id, evidence_count, negated_count, attributed_count, "
    "first_seen, last_seen";

RelationRecord read_relation(SQLite::Statement& q) {
  RelationRecord r;
  r.id = q.getColumn(0).getInt64();
  r.type = q.getColumn(1).getString();
  r.subject = q.getColumn(2).getInt64();
  r.object = q.getColumn(3).getInt64();
  r.evidence_count = static_cast<uint32_t>(q.getColumn(4).getInt64());
  r.negated_count = static_cast<uint32_t>(q.getColumn(5).getInt64());
  r.attributed_count = static_cast<uint32_t>(q.getColumn(6).getInt64());
  r.first_seen = q.getColumn(7).getString();
  r.last_seen = q.getColumn(8).getString();
  return r;
}

constexpr const char* kEvidenceSelect =
    "SELECT v.id, v.relation_id, r.type, s.id, s.key, s.name, o.id, o.key, o.name, a.id, a.title, "
    "a.url, COALESCE(a.published_at, ''), v.sentence, v.sentence_index, v.char_start, "
    "v.char_end, v.negated, v.attributed, v.confidence "
    "FROM evidence v JOIN relations r ON r.id = v.relation_id "
    "JOIN entities s ON s.id = r.subject_id JOIN entities o ON o.id = r.object_id "
    "JOIN articles a ON a.id = v.article_id ";

EvidenceRecord read_evidence(SQLite::Statement& q) {
  EvidenceRecord e;
  e.id = q.getColumn(0).getInt64();
  e.relation_id = q.getColumn(1).getInt64();
  e.type = q.getColumn(2).getString();
  e.subject = {q.getColumn(3).getInt64(), q.getColumn(4).getString(), q.getColumn(5).getString()};
  e.object = {q.getColumn(6).getInt64(), q.getColumn(7).getString(), q.getColumn(8).getString()};
  e.article_id = q.getColumn(9).getInt64();
  e.article_title = q.getColumn(10).getString();
  e.article_url = q.getColumn(11).getString();
  e.article_published_at = q.getColumn(12).getString();
  e.sentence = q.getColumn(13).getString();
  e.sentence_index = static_cast<uint32_t>(q.getColumn(14).getInt64());
  e.char_start = static_cast<uint32_t>(q.getColumn(15).getInt64());
  e.char_end = static_cast<uint32_t>(q.getColumn(16).getInt64());
  e.negated = q.getColumn(17).getInt() != 0;
  e.attributed = q.getColumn(18).getInt() != 0;
  e.confidence = q.getColumn(19).getDouble();
  return e;
}

ArticleRecord read_article(SQLite::Statement& q, bool with_text) {
  ArticleRecord a;
  a.id = q.getColumn(0).getInt64();
  a.title = q.getColumn(1).getString();
  a.url = q.getColumn(2).getString();
  a.source = q.getColumn(3).getString();
  a.published_at = q.getColumn(4).getString();
  a.ingested_at = q.getColumn(5).getString();
  if (with_text) a.text = q.getColumn(6).getString();
  return a;
}

constexpr const char* kArticleColumns =
    "id, title, url, source, COALESCE(published_at, ''), ingested_at";

}  // namespace

std::string alias_norm(const std::string& name) {
  std::string out;
  for (const auto& t : ingest::phrase_tokens(name)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

struct Store::Impl {
  std::string path;
  std::set<std::string> symmetric;
  std::mutex write_mutex;
  std::unique_ptr<SQLite::Database> writer;
  std::mutex pool_mutex;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<SQLite::Database>> idle_readers;
  // Packed blocks that a load found damaged, for the next repack_graph (graph_pack.h).
  std::mutex damaged_mutex;
  std::set<int64_t> damaged_relation_blocks, damaged_entity_blocks;

  // A reader connection for the lifetime of the lease.
  class Lease {
   public:
    explicit Lease(Impl& impl) : impl_(impl) {
      std::unique_lock lock(impl_.pool_mutex);
      impl_.pool_cv.wait(lock, [&] { return !impl_.idle_readers.empty(); });
      db_ = std::move(impl_.idle_readers.back());
      impl_.idle_readers.pop_back();
    }
    ~Lease() {
      std::lock_guard lock(impl_.pool_mutex);
      impl_.idle_readers.push_back(std::move(db_));
      impl_.pool_cv.notify_one();
    }
    SQLite::Database& db() { return *db_; }

   private:
    Impl& impl_;
    std::unique_ptr<SQLite::Database> db_;
  };

  // Statements on the writer connection, prepared once and kept: an ingest runs the same few
  // statements for every entity, mention and relation, and preparing them each time was 40 %
  // of bulk ingest's CPU. Used only under write_mutex, like the writer itself. Declared after
  // `writer`, so they are finalized before it closes.
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> writer_statements;

  // A statement on `db` for one use: the kept one when `db` is the writer connection, else
  // one prepared now. Reset (and its bindings cleared) when the Query goes, so it never holds
  // a read snapshot or stale bindings.
  class Query {
   public:
    Query(Impl& impl, SQLite::Database& db, const std::string& sql) {
      if (&db == impl.writer.get()) {
        auto& kept = impl.writer_statements[sql];
        if (!kept) kept = std::make_unique<SQLite::Statement>(db, sql);
        stmt_ = kept.get();
      } else {
        owned_ = std::make_unique<SQLite::Statement>(db, sql);
        stmt_ = owned_.get();
      }
    }
    ~Query() {
      if (owned_) return;
      stmt_->tryReset();
      try {
        stmt_->clearBindings();  // sqlite3_clear_bindings cannot fail
      } catch (const SQLite::Exception&) {
      }
    }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    SQLite::Statement* operator->() { return stmt_; }
    SQLite::Statement& operator*() { return *stmt_; }

   private:
    SQLite::Statement* stmt_ = nullptr;
    std::unique_ptr<SQLite::Statement> owned_;
  };

  // Every write transaction calls this before it commits: the generation is how a cache of
  // the graph outside SQLite knows that it went stale (StoreState).
  void bump_generation(SQLite::Database& db) {
    Query q(*this, db, "UPDATE store_generation SET generation = random() WHERE id = 1");
    q->exec();
  }

  std::vector<std::string> aliases_of(SQLite::Database& db, int64_t id) {
    Query q(*this, db, "SELECT alias FROM aliases WHERE entity_id = ? ORDER BY id");
    q->bind(1, id);
    std::vector<std::string> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getString());
    return out;
  }

  std::optional<EntityRecord> entity_where(SQLite::Database& db, const char* where,
                                           const std::function<void(SQLite::Statement&)>& bind) {
    Query q(*this, db, std::string("SELECT id, key, name, kind FROM entities WHERE ") + where);
    bind(*q);
    if (!q->executeStep()) return std::nullopt;
    EntityRecord e = read_entity(*q);
    e.aliases = aliases_of(db, e.id);
    return e;
  }

  void refresh_entity_fts(SQLite::Database& db, int64_t id) {
    Query del(*this, db, "DELETE FROM entities_fts WHERE rowid = ?");
    del->bind(1, id);
    del->exec();
    Query ins(*this, db,
                          "INSERT INTO entities_fts(rowid, names) SELECT ?, e.name || ' ' || "
                          "COALESCE((SELECT group_concat(alias, ' ') FROM aliases WHERE "
                          "entity_id = e.id), '') FROM entities e WHERE e.id = ?");
    ins->bind(1, id);
    ins->bind(2, id);
    ins->exec();
  }

  // Finds or creates the stored entity for an extracted one; adds aliases it lacks.
  int64_t resolve_entity(SQLite::Database& db, const ingest::Entity& e, bool& created) {
    created = false;
    int64_t id = 0;
    {
      Query q(*this, db, "SELECT id FROM entities WHERE key = ?");
      q->bind(1, e.key);
      if (q->executeStep()) id = q->getColumn(0).getInt64();
    }
    const std::string kind(ingest::kind_name(e.kind));
    if (id == 0 && !e.from_dictionary) {
      // An entity found in text may already be stored under another key with this name.
      Query q(*this, db,
                          "SELECT DISTINCT e.id FROM aliases a JOIN entities e ON e.id = "
                          "a.entity_id WHERE a.alias_norm = ? AND e.kind = ? LIMIT 2");
      q->bind(1, alias_norm(e.name));
      q->bind(2, kind);
      std::vector<int64_t> found;
      while (q->executeStep()) found.push_back(q->getColumn(0).getInt64());
      if (found.size() == 1) id = found[0];
    }
    if (id == 0) {
      Query ins(*this, db, "INSERT INTO entities(key, name, kind) VALUES (?, ?, ?)");
      ins->bind(1, e.key);
      ins->bind(2, e.name);
      ins->bind(3, kind);
      ins->exec();
      id = db.getLastInsertRowid();
      created = true;
    }
    Query alias(*this, db,
                            "INSERT OR IGNORE INTO aliases(entity_id, alias, alias_norm) VALUES "
                            "(?, ?, ?)");
    bool added = false;
    auto add = [&](const std::string& a) {
      if (a.empty()) return;
      alias->bind(1, id);
      alias->bind(2, a);
      alias->bind(3, alias_norm(a));
      added |= alias->exec() > 0;
      alias->reset();
    };
    add(e.name);
    for (const auto& a : e.aliases) add(a);
    if (added || created) refresh_entity_fts(db, id);
    return id;
  }

  IngestOutcome stored_article(SQLite::Database& db, int64_t article_id) {
    IngestOutcome out;
    out.duplicate = true;
    Query q(*this, db, std::string("SELECT ") + kArticleColumns +
                                " FROM articles WHERE id = ?");
    q->bind(1, article_id);
    if (q->executeStep()) out.article = read_article(*q, false);
    Query ents(*this, db,
                           "SELECT e.id, e.key, e.name, e.kind FROM article_entities ae JOIN "
                           "entities e ON e.id = ae.entity_id WHERE ae.article_id = ? ORDER BY "
                           "e.id");
    ents->bind(1, article_id);
    while (ents->executeStep()) out.entities.push_back(read_entity(*ents));
    for (auto& e : out.entities) e.aliases = aliases_of(db, e.id);
    out.evidence = evidence_of_article(db, article_id);
    return out;
  }

  std::vector<EvidenceRecord> evidence_of_article(SQLite::Database& db, int64_t article_id) {
    Query q(*this, db, std::string(kEvidenceSelect) +
                                "WHERE v.article_id = ? ORDER BY v.sentence_index, v.id");
    q->bind(1, article_id);
    std::vector<EvidenceRecord> out;
    while (q->executeStep()) out.push_back(read_evidence(*q));
    return out;
  }

  // Writes one article inside the caller's transaction.
  IngestOutcome write_article(SQLite::Database& db, const ArticleInput& a,
                              const ingest::Extraction& x, const ingest::Knowledge& k) {
    const std::string hash = sha256_hex(a.text);
    {
      Query q(*this, db, "SELECT id FROM articles WHERE text_hash = ?");
      q->bind(1, hash);
      if (q->executeStep()) return stored_article(db, q->getColumn(0).getInt64());
    }
    IngestOutcome out;
    const std::string now = utc_now();
    const std::string day = a.published_at.empty() ? now.substr(0, 10) : a.published_at.substr(0, 10);
    {
      Query ins(*this, db,
                            "INSERT INTO articles(text_hash, title, url, source, published_at, "
                            "published_day, ingested_at, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      ins->bind(1, hash);
      ins->bind(2, a.title);
      ins->bind(3, a.url);
      ins->bind(4, a.source);
      if (a.published_at.empty())
        ins->bind(5);
      else
        ins->bind(5, a.published_at);
      ins->bind(6, day);
      ins->bind(7, now);
      ins->bind(8, a.text);
      ins->exec();
    }
    const int64_t article_id = db.getLastInsertRowid();
    {
      Query fts(*this, db, "INSERT INTO articles_fts(rowid, title, text) VALUES (?, ?, ?)");
      fts->bind(1, article_id);
      fts->bind(2, a.title);
      fts->bind(3, a.text);
      fts->exec();
    }
    out.article = {article_id, a.title, a.url, a.source, a.published_at, now, {}};

    std::vector<int64_t> ids(x.entities.size());
    std::set<int64_t> seen;
    Query mention(*this, db,
                              "INSERT OR IGNORE INTO article_entities(article_id, entity_id) "
                              "VALUES (?, ?)");
    for (size_t i = 0; i < x.entities.size(); ++i) {
      bool created = false;
      ids[i] = resolve_entity(db, x.entities[i], created);
      mention->bind(1, article_id);
      mention->bind(2, ids[i]);
      mention->exec();
      mention->reset();
      if (!seen.insert(ids[i]).second) continue;
      auto rec = entity_where(db, "id = ?", [&](SQLite::Statement& q) { q.bind(1, ids[i]); });
      if (created) out.new_entities.push_back(*rec);
      out.entities.push_back(std::move(*rec));
    }

    Query upsert(*this, db,
                             "INSERT INTO relations(type, subject_id, object_id, first_seen, "
                             "last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT(type, subject_id, "
                             "object_id) DO UPDATE SET first_seen = min(first_seen, "
                             "excluded.first_seen), last_seen = max(last_seen, excluded.last_seen) "
                             "RETURNING id");
    Query evidence(*this, db,
                               "INSERT OR IGNORE INTO evidence(relation_id, article_id, "
                               "sentence_index, char_start, char_end, sentence, negated, "
                               "attributed, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Query count(*this, db,
                            "UPDATE relations SET evidence_count = evidence_count + 1, "
                            "negated_count = negated_count + ?, attributed_count = "
                            "attributed_count + ? WHERE id = ?");
    std::set<int64_t> changed;
    for (const auto& r : x.relations) {
      const std::string& type = k.relation_types()[r.type].name;
      int64_t s = ids[r.subject], o = ids[r.object];
      if (s == o) continue;
      if (symmetric.count(type) && o < s) std::swap(s, o);
      upsert->bind(1, type);
      upsert->bind(2, s);
      upsert->bind(3, o);
      upsert->bind(4, day);
      upsert->bind(5, day);
      if (!upsert->executeStep()) throw StoreError("relation upsert returned no id");
      const int64_t rel = upsert->getColumn(0).getInt64();
      upsert->reset();
      const ingest::Sentence& sent = x.sentences[r.sentence];
      evidence->bind(1, rel);
      evidence->bind(2, article_id);
      evidence->bind(3, static_cast<int64_t>(sent.index));
      evidence->bind(4, static_cast<int64_t>(sent.start));
      evidence->bind(5, static_cast<int64_t>(sent.end));
      evidence->bind(6, a.text.substr(sent.start, sent.end - sent.start));
      evidence->bind(7, r.negated ? 1 : 0);
      evidence->bind(8, r.attributed ? 1 : 0);
      evidence->bind(9, static_cast<double>(r.confidence));
      const int inserted = evidence->exec();
      evidence->reset();
      if (inserted == 0) continue;
      count->bind(1, r.negated ? 1 : 0);
      count->bind(2, r.attributed ? 1 : 0);
      count->bind(3, rel);
      count->exec();
      count->reset();
      changed.insert(rel);
    }
    for (int64_t rel : changed) {
      Query q(*this, db, std::string("SELECT ") + kRelationColumns +
                                  " FROM relations WHERE id = ?");
      q->bind(1, rel);
      if (q->executeStep()) out.changed_relations.push_back(read_relation(*q));
    }
    out.evidence = evidence_of_article(db, article_id);
    return out;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& path,
                                   std::vector<std::string> symmetric_types) {
  auto impl = std::make_unique<Impl>();
  size_t migrated_from = kPackSchema;  // the schema version before this open's migrations
  impl->path = path;
  impl->symmetric = {symmetric_types.begin(), symmetric_types.end()};
  try {
    impl->writer = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    SQLite::Database& db = *impl->writer;
    configure(db);
    // Ingest updates indexes keyed at random (text hashes, relation triples, evidence keys):
    // with SQLite's default 2 MB page cache, most of those look-ups re-read pages from the OS
    // on a large database. 64 MB for the one writer connection.
    db.exec("PRAGMA cache_size = -65536");
    const auto migrations = schema::migrations();
    int version = 0;
    {
      SQLite::Statement q(db, "PRAGMA user_version");
      q.executeStep();
      version = q.getColumn(0).getInt();
    }
    if (version > static_cast<int>(migrations.size()))
      throw StoreError(path + " was written by a newer relgraph (schema version " +
                       std::to_string(version) + "; this program knows up to " +
                       std::to_string(migrations.size()) + ")");
    migrated_from = static_cast<size_t>(version);
    if (version > 0 && version < static_cast<int>(migrations.size()))
      std::fprintf(stderr,
                   "relgraph: upgrading %s from schema version %d to %zu (once; on a database of "
                   "millions of relations this takes minutes)\n",
                   path.c_str(), version, migrations.size());
    for (size_t i = static_cast<size_t>(version); i < migrations.size(); ++i) {
      // PRAGMA user_version rolls back with the transaction: a failed migration leaves the
      // database at the previous version.
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(std::string(migrations[i].content));
      db.exec("PRAGMA user_version = " + std::to_string(i + 1));
      // A migration may change what the graph is built from: caches of it must go stale.
      if (i + 1 >= kGenerationSchema) {
        db.exec("UPDATE store_generation SET generation = random() WHERE id = 1");
      }
      tx.commit();
    }
    for (int r = 0; r < kReaders; ++r) {
      auto reader = std::make_unique<SQLite::Database>(
          path, SQLite::OPEN_READONLY | SQLite::OPEN_FULLMUTEX);
      reader->setBusyTimeout(10000);
      reader->exec("PRAGMA foreign_keys=ON");
      impl->idle_readers.push_back(std::move(reader));
    }
  } catch (const SQLite::Exception& e) {
    throw StoreError("cannot open database " + path + ": " + e.what());
  }
  auto store = std::unique_ptr<Store>(new Store(std::move(impl)));
  if (migrated_from < kPackSchema) {
    // The migration marked every block dirty: pack them now, once, so that the next start reads
    // the packed copy. (A failure here loses nothing: the loader reads the rows of dirty blocks.)
    const auto t0 = std::chrono::steady_clock::now();
    try {
      const RepackOutcome packed = store->repack_graph();
      if (migrated_from > 0 && packed.relation_blocks + packed.entity_blocks > 0) {
        std::fprintf(stderr, "relgraph: packed %zu blocks of the graph for fast starts in %.1fs\n",
                     packed.relation_blocks + packed.entity_blocks,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
    } catch (const StoreError& e) {
      std::fprintf(stderr, "relgraph: %s (starts read the rows until it is packed)\n", e.what());
    }
  }
  return store;
}

IngestOutcome Store::ingest(const ArticleInput& article, const ingest::Extraction& extraction,
                            const ingest::Knowledge& knowledge) {
  std::lock_guard lock(impl_->write_mutex);
  try {
    SQLite::Database& db = *impl_->writer;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    IngestOutcome out = impl_->write_article(db, article, extraction, knowledge);
    impl_->bump_generation(db);
    tx.commit();
    return out;
  } catch (const SQLite::Exception& e) {
    throw StoreError(std::string("cannot store the article: ") + e.what());
  }
}

std::vector<IngestOutcome> Store::ingest_batch(
    const std::vector<std::pair<ArticleInput, ingest::Extraction>>& articles,
    const ingest::Knowledge& knowledge) {
  std::lock_guard lock(impl_->write_mutex);
  try {
    SQLite::Database& db = *impl_->writer;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<IngestOutcome> out;
    out.reserve(articles.size());
    for (const auto& [a, x] : articles) out.push_back(impl_->write_article(db, a, x, knowledge));
    impl_->bump_generation(db);
    tx.commit();
    return out;
  } catch (const SQLite::Exception& e) {
    throw StoreError(std::string("cannot store the articles: ") + e.what());
  }
}

bool Store::has_text(const std::string& text) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(), "SELECT 1 FROM articles WHERE text_hash = ?");
  q.bind(1, sha256_hex(text));
  return q.executeStep();
}

std::optional<ArticleRecord> Store::article(int64_t id, bool with_text) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(), std::string("SELECT ") + kArticleColumns +
                                      ", text FROM articles WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_article(q, with_text);
}

std::vector<EvidenceRecord> Store::article_evidence(int64_t article_id) {
  Impl::Lease lease(*impl_);
  return impl_->evidence_of_article(lease.db(), article_id);
}

Page<ArticleRecord> Store::search_articles(const std::string& query, int limit,
                                           std::optional<int64_t> after) {
  Impl::Lease lease(*impl_);
  const std::string fts = fts_query(query);
  std::string sql = std::string("SELECT ") + kArticleColumns + " FROM articles WHERE id > ? ";
  if (!fts.empty()) sql += "AND id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) ";
  sql += "ORDER BY id LIMIT ?";
  SQLite::Statement q(lease.db(), sql);
  int p = 1;
  q.bind(p++, after.value_or(0));
  if (!fts.empty()) q.bind(p++, fts);
  q.bind(p++, limit + 1);
  Page<ArticleRecord> page;
  while (q.executeStep()) page.items.push_back(read_article(q, false));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  return page;
}

std::optional<EntityRecord> Store::entity(int64_t id) {
  Impl::Lease lease(*impl_);
  return impl_->entity_where(lease.db(), "id = ?", [&](SQLite::Statement& q) { q.bind(1, id); });
}

std::optional<EntityRecord> Store::entity_by_key(const std::string& key) {
  Impl::Lease lease(*impl_);
  return impl_->entity_where(lease.db(), "key = ?", [&](SQLite::Statement& q) { q.bind(1, key); });
}

std::unordered_map<int64_t, std::vector<std::string>> Store::aliases_of(
    const std::vector<int64_t>& ids) {
  Impl::Lease lease(*impl_);
  std::unordered_map<int64_t, std::vector<std::string>> out;
  SQLite::Statement q(lease.db(), "SELECT alias FROM aliases WHERE entity_id = ? ORDER BY id");
  for (int64_t id : ids) {
    auto& list = out[id];
    q.bind(1, id);
    while (q.executeStep()) list.push_back(q.getColumn(0).getString());
    q.reset();
  }
  return out;
}

std::vector<EntityRecord> Store::entities_named(const std::string& name) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(),
                      "SELECT DISTINCT e.id, e.key, e.name, e.kind FROM aliases a JOIN entities e "
                      "ON e.id = a.entity_id WHERE a.alias_norm = ? ORDER BY e.id LIMIT 50");
  q.bind(1, alias_norm(name));
  std::vector<EntityRecord> out;
  while (q.executeStep()) out.push_back(read_entity(q));
  for (auto& e : out) e.aliases = impl_->aliases_of(lease.db(), e.id);
  return out;
}

Page<EntityRecord> Store::search_entities(const std::string& query, const std::string& kind,
                                          int limit, std::optional<int64_t> after) {
  Impl::Lease lease(*impl_);
  const std::string fts = fts_query(query);
  std::string sql = "SELECT id, key, name, kind FROM entities WHERE id > ? ";
  if (!kind.empty()) sql += "AND kind = ? ";
  if (!fts.empty()) sql += "AND id IN (SELECT rowid FROM entities_fts WHERE entities_fts MATCH ?) ";
  sql += "ORDER BY id LIMIT ?";
  SQLite::Statement q(lease.db(), sql);
  int p = 1;
  q.bind(p++, after.value_or(0));
  if (!kind.empty()) q.bind(p++, kind);
  if (!fts.empty()) q.bind(p++, fts);
  q.bind(p++, limit + 1);
  Page<EntityRecord> page;
  while (q.executeStep()) page.items.push_back(read_entity(q));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  for (auto& e : page.items) e.aliases = impl_->aliases_of(lease.db(), e.id);
  return page;
}

std::optional<RelationRecord> Store::relation(int64_t id) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(),
                      std::string("SELECT ") + kRelationColumns + " FROM relations WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_relation(q);
}

Page<RelationRecord> Store::relations(const RelationQuery& query, int limit,
                                      std::optional<int64_t> after) {
  Impl::Lease lease(*impl_);
  std::string sql = std::string("SELECT ") + kRelationColumns + " FROM relations WHERE id > ? ";
  std::vector<std::function<void(SQLite::Statement&, int&)>> binds;
  if (!query.types.empty()) {
    sql += "AND type IN (";
    for (size_t i = 0; i < query.types.size(); ++i) {
      sql += i ? ", ?" : "?";
      binds.push_back([&, i](SQLite::Statement& q, int& p) { q.bind(p++, query.types[i]); });
    }
    sql += ") ";
  }
  std::string sym = "(";
  for (const auto& t : impl_->symmetric) sym += (sym.size() > 1 ? ", '" : "'") + t + "'";
  sym += sym.size() > 1 ? ")" : "'')";
  auto side = [&](const char* column, const char* other, int64_t id) {
    sql += std::string("AND (") + column + " = ? OR (type IN " + sym + " AND " + other +
           " = ?)) ";
    binds.push_back([id](SQLite::Statement& q, int& p) {
      q.bind(p++, id);
      q.bind(p++, id);
    });
  };
  if (query.subject) side("subject_id", "object_id", *query.subject);
  if (query.object) side("object_id", "subject_id", *query.object);
  if (query.entity) {
    using D = RelationQuery::Direction;
    if (query.direction == D::out)
      side("subject_id", "object_id", *query.entity);
    else if (query.direction == D::in)
      side("object_id", "subject_id", *query.entity);
    else {
      sql += "AND (subject_id = ? OR object_id = ?) ";
      const int64_t id = *query.entity;
      binds.push_back([id](SQLite::Statement& q, int& p) {
        q.bind(p++, id);
        q.bind(p++, id);
      });
    }
  }
  sql += "ORDER BY id LIMIT ?";
  SQLite::Statement q(lease.db(), sql);
  int p = 1;
  q.bind(p++, after.value_or(0));
  for (auto& b : binds) b(q, p);
  q.bind(p++, limit + 1);
  Page<RelationRecord> page;
  while (q.executeStep()) page.items.push_back(read_relation(q));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  return page;
}

Page<EvidenceRecord> Store::relation_evidence(int64_t relation_id, int limit,
                                              std::optional<int64_t> after) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(), std::string(kEvidenceSelect) +
                                      "WHERE v.relation_id = ? AND v.id > ? ORDER BY v.id LIMIT ?");
  q.bind(1, relation_id);
  q.bind(2, after.value_or(0));
  q.bind(3, limit + 1);
  Page<EvidenceRecord> page;
  while (q.executeStep()) page.items.push_back(read_evidence(q));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  return page;
}

std::unordered_map<int64_t, EvidenceRecord> Store::best_evidence(
    const std::vector<int64_t>& relation_ids) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(), std::string(kEvidenceSelect) +
                                      "WHERE v.relation_id = ? ORDER BY v.negated, v.attributed, "
                                      "v.confidence DESC, a.published_day DESC, v.id LIMIT 1");
  std::unordered_map<int64_t, EvidenceRecord> out;
  for (int64_t id : relation_ids) {
    if (out.count(id)) continue;
    q.bind(1, id);
    if (q.executeStep()) out.emplace(id, read_evidence(q));
    q.reset();
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> Store::relation_counts(int64_t entity_id) {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(),
                      "SELECT type, count(*) FROM relations WHERE subject_id = ? OR object_id = ? "
                      "GROUP BY type ORDER BY type");
  q.bind(1, entity_id);
  q.bind(2, entity_id);
  std::vector<std::pair<std::string, int64_t>> out;
  while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
  return out;
}

Stats Store::stats() {
  Impl::Lease lease(*impl_);
  SQLite::Database& db = lease.db();
  // One read transaction, so the counts agree with each other.
  db.exec("BEGIN");
  Stats s;
  try {
    auto scalar = [&](const char* sql) {
      SQLite::Statement q(db, sql);
      q.executeStep();
      return q.getColumn(0).getInt64();
    };
    auto grouped = [&](const char* sql) {
      SQLite::Statement q(db, sql);
      std::vector<std::pair<std::string, int64_t>> out;
      while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
      return out;
    };
    s.articles = scalar("SELECT count(*) FROM articles");
    s.entities = scalar("SELECT count(*) FROM entities");
    s.relations = scalar("SELECT count(*) FROM relations");
    s.evidence = scalar("SELECT count(*) FROM evidence");
    s.relations_by_type = grouped("SELECT type, count(*) FROM relations GROUP BY type ORDER BY type");
    s.evidence_by_type = grouped(
        "SELECT r.type, count(*) FROM evidence v JOIN relations r ON r.id = v.relation_id GROUP "
        "BY r.type ORDER BY r.type");
    s.entities_by_kind = grouped("SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
  db.exec("COMMIT");
  return s;
}

std::vector<std::pair<std::string, int64_t>> Store::timeline(int64_t entity,
                                                             std::optional<int64_t> other,
                                                             const std::vector<std::string>& types,
                                                             const std::string& bucket) {
  const char* fmt = bucket == "day"    ? "'%Y-%m-%d'"
                    : bucket == "week" ? "'%Y-W%W'"
                    : bucket == "year" ? "'%Y'"
                                       : "'%Y-%m'";
  std::string sql = std::string("SELECT strftime(") + fmt +
                    ", a.published_day) AS b, count(*) FROM evidence v JOIN relations r ON r.id "
                    "= v.relation_id JOIN articles a ON a.id = v.article_id WHERE ";
  sql += other ? "((r.subject_id = ?1 AND r.object_id = ?2) OR (r.subject_id = ?2 AND r.object_id = ?1)) "
               : "(r.subject_id = ?1 OR r.object_id = ?1) ";
  if (!types.empty()) {
    sql += "AND r.type IN (";
    for (size_t i = 0; i < types.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 3);
    sql += ") ";
  }
  sql += "GROUP BY b ORDER BY b";
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(), sql);
  q.bind(1, entity);
  if (other) q.bind(2, *other);  // ?2 is only in the pair's query: binding it otherwise throws
  for (size_t i = 0; i < types.size(); ++i) q.bind(static_cast<int>(i + 3), types[i]);
  std::vector<std::pair<std::string, int64_t>> out;
  while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
  return out;
}

bool Store::add_alias(int64_t entity_id, const std::string& alias) {
  std::lock_guard lock(impl_->write_mutex);
  try {
    SQLite::Database& db = *impl_->writer;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement ins(db,
                          "INSERT OR IGNORE INTO aliases(entity_id, alias, alias_norm) VALUES (?, ?, ?)");
    ins.bind(1, entity_id);
    ins.bind(2, alias);
    ins.bind(3, alias_norm(alias));
    const bool added = ins.exec() > 0;
    if (added) impl_->refresh_entity_fts(db, entity_id);
    impl_->bump_generation(db);
    tx.commit();
    return added;
  } catch (const SQLite::Exception& e) {
    throw StoreError(std::string("cannot add the alias: ") + e.what());
  }
}

Store::MergeOutcome Store::merge_entities(int64_t into, int64_t from) {
  std::lock_guard lock(impl_->write_mutex);
  MergeOutcome out;
  try {
    SQLite::Database& db = *impl_->writer;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto exec = [&](const char* sql) {
      SQLite::Statement q(db, sql);
      q.bind(1, into);
      q.bind(2, from);
      return q.exec();
    };
    // The merged entity's names become aliases of the survivor.
    exec("INSERT OR IGNORE INTO aliases(entity_id, alias, alias_norm) SELECT ?1, alias, alias_norm "
         "FROM aliases WHERE entity_id = ?2");
    {
      SQLite::Statement q(db, "SELECT name FROM entities WHERE id = ?");
      q.bind(1, from);
      if (q.executeStep()) {
        const std::string name = q.getColumn(0).getString();
        SQLite::Statement ins(db, "INSERT OR IGNORE INTO aliases(entity_id, alias, alias_norm) VALUES (?, ?, ?)");
        ins.bind(1, into);
        ins.bind(2, name);
        ins.bind(3, alias_norm(name));
        ins.exec();
      }
    }
    exec("INSERT OR IGNORE INTO article_entities(article_id, entity_id) SELECT article_id, ?1 FROM "
         "article_entities WHERE entity_id = ?2");
    // Each relation of `from`, re-pointed: joined with an existing relation, or moved.
    struct Rel {
      int64_t id, s, o;
      std::string type;
    };
    std::vector<Rel> rels;
    {
      SQLite::Statement q(db, "SELECT id, subject_id, object_id, type FROM relations WHERE subject_id = ?1 OR object_id = ?1");
      q.bind(1, from);
      while (q.executeStep())
        rels.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                        q.getColumn(3).getString()});
    }
    for (const Rel& r : rels) {
      int64_t s = r.s == from ? into : r.s, o = r.o == from ? into : r.o;
      SQLite::Statement del_ev(db, "DELETE FROM evidence WHERE relation_id = ?");
      SQLite::Statement del_rel(db, "DELETE FROM relations WHERE id = ?");
      if (s == o) {
        del_ev.bind(1, r.id);
        del_ev.exec();
        del_rel.bind(1, r.id);
        del_rel.exec();
        ++out.relations_dropped;
        continue;
      }
      if (impl_->symmetric.count(r.type) && o < s) std::swap(s, o);
      int64_t existing = 0;
      {
        SQLite::Statement q(db, "SELECT id FROM relations WHERE type = ? AND subject_id = ? AND object_id = ?");
        q.bind(1, r.type);
        q.bind(2, s);
        q.bind(3, o);
        if (q.executeStep()) existing = q.getColumn(0).getInt64();
      }
      ++out.relations_moved;
      if (existing == 0 || existing == r.id) {
        SQLite::Statement up(db, "UPDATE relations SET subject_id = ?, object_id = ? WHERE id = ?");
        up.bind(1, s);
        up.bind(2, o);
        up.bind(3, r.id);
        up.exec();
        continue;
      }
      ++out.relations_folded;
      SQLite::Statement move(db, "UPDATE OR IGNORE evidence SET relation_id = ? WHERE relation_id = ?");
      move.bind(1, existing);
      move.bind(2, r.id);
      move.exec();
      del_ev.bind(1, r.id);
      del_ev.exec();
      del_rel.bind(1, r.id);
      del_rel.exec();
      SQLite::Statement recount(db,
          "UPDATE relations SET evidence_count = (SELECT count(*) FROM evidence WHERE relation_id = ?1), "
          "negated_count = (SELECT count(*) FROM evidence WHERE relation_id = ?1 AND negated = 1), "
          "attributed_count = (SELECT count(*) FROM evidence WHERE relation_id = ?1 AND attributed = 1), "
          "first_seen = (SELECT min(a.published_day) FROM evidence v JOIN articles a ON a.id = v.article_id WHERE v.relation_id = ?1), "
          "last_seen = (SELECT max(a.published_day) FROM evidence v JOIN articles a ON a.id = v.article_id WHERE v.relation_id = ?1) "
          "WHERE id = ?1");
      recount.bind(1, existing);
      recount.exec();
    }
    for (const char* sql : {"DELETE FROM article_entities WHERE entity_id = ?",
                            "DELETE FROM aliases WHERE entity_id = ?",
                            "DELETE FROM entities_fts WHERE rowid = ?",
                            "DELETE FROM entities WHERE id = ?"}) {
      SQLite::Statement del(db, sql);
      del.bind(1, from);
      del.exec();
    }
    impl_->refresh_entity_fts(db, into);
    impl_->bump_generation(db);
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw StoreError(std::string("cannot merge the entities: ") + e.what());
  }
  return out;
}

void Store::scan_graph(const std::function<void(const EntityRecord&)>& on_entity,
                       const std::function<void(const RelationRecord&)>& on_relation) {
  Impl::Lease lease(*impl_);
  SQLite::Database& db = lease.db();
  db.exec("BEGIN");
  try {
    SQLite::Statement e(db, "SELECT id, key, name, kind FROM entities ORDER BY id");
    while (e.executeStep()) on_entity(read_entity(e));
    SQLite::Statement r(db, std::string("SELECT ") + kRelationColumns + " FROM relations ORDER BY id");
    while (r.executeStep()) on_relation(read_relation(r));
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
  db.exec("COMMIT");
}

namespace {

// A text column as a view (valid until the statement steps); empty for NULL.
std::string_view text_column(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}

// Maps a relation's type name to its index. The names repeat on every row, so the last match
// is tried first; the rest is a short linear search (the ontology has a handful of types).
class TypeIndex {
 public:
  explicit TypeIndex(const std::vector<std::string>& names) : names_(names) {}
  int32_t find(std::string_view name) {
    if (last_ >= 0 && names_[static_cast<size_t>(last_)] == name) return last_;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return last_ = static_cast<int32_t>(i);
    }
    return -1;
  }

 private:
  const std::vector<std::string>& names_;
  int32_t last_ = -1;
};

// Days since 1970-01-01 of a stored date, 0 when it is not one (as graph rows have it). Stored
// dates are "YYYY-MM-DD": parsed here without the general parser's loops; anything else goes
// to ingest::days_from_iso, which agrees with this on every 10-character date.
int32_t day_number(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return ingest::days_from_iso(text).value_or(0);
  }
  auto digit = [&](size_t i) { return static_cast<unsigned>(text[i]) - '0'; };
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (digit(i) > 9) return 0;
  }
  const int y = static_cast<int>(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3));
  const unsigned m = digit(5) * 10 + digit(6);
  const unsigned d = digit(8) * 10 + digit(9);
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return 0;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > ((m == 2 && leap) ? 29 : kDays[m - 1])) return 0;
  // days_from_civil (H. Hinnant), for years >= 0.
  const int yy = y - (m <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const auto yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

}  // namespace

namespace {

// A prepared statement of a raw connection, finalized when it goes.
class RawStatement {
 public:
  RawStatement() = default;
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;
  ~RawStatement() { sqlite3_finalize(stmt_); }
  // Finalizes what was prepared before. Returns the SQLite result code.
  int prepare(sqlite3* db, const char* sql) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    return sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// A connection of the graph loader or the repacker of its own: NOMUTEX (a FULLMUTEX connection
// locks twice per column read) and memory-mapped (no copy of each page through read()).
// Closing ends a transaction still open (a loader's read transaction; a repacker commits its own
// before).
class RawConnection {
 public:
  // `purpose` begins every error message ("cannot load the graph").
  RawConnection(const std::string& path, int flags, const char* purpose) : purpose_(purpose) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      StoreError failed = error("open");
      sqlite3_close(db_);  // the handle exists even when opening failed
      throw failed;
    }
    sqlite3_busy_timeout(db_, 10000);
    // Address space, not memory: the pages are the OS page cache's. SQLite caps it at its
    // compile-time maximum (2 GiB in Debian's build).
    sqlite3_exec(db_, "PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
  }
  ~RawConnection() {
    statements_.clear();
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  sqlite3* db() const { return db_; }

  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw error(sql);
  }

  // A statement prepared once per connection (`sql` is a literal: its address is the key).
  sqlite3_stmt* statement(const char* sql) {
    for (auto& [key, stmt] : statements_) {
      if (key == sql) {
        sqlite3_reset(stmt->get());
        sqlite3_clear_bindings(stmt->get());
        return stmt->get();
      }
    }
    auto stmt = std::make_unique<RawStatement>();
    if (stmt->prepare(db_, sql) != SQLITE_OK) throw error(sql);
    statements_.emplace_back(sql, std::move(stmt));
    return statements_.back().second->get();
  }

  // Runs `sql`, which returns one row, and returns its integer columns.
  std::vector<int64_t> row(const char* sql) {
    sqlite3_stmt* q = statement(sql);
    std::vector<int64_t> out;
    if (sqlite3_step(q) != SQLITE_ROW) throw error(sql);
    for (int i = 0; i < sqlite3_column_count(q); ++i) out.push_back(sqlite3_column_int64(q, i));
    sqlite3_reset(q);
    return out;
  }

  // The first column of every row of `sql`, in order.
  std::vector<int64_t> column(const char* sql) {
    sqlite3_stmt* q = statement(sql);
    std::vector<int64_t> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) out.push_back(sqlite3_column_int64(q, 0));
    if (rc != SQLITE_DONE) throw error(sql);
    return out;
  }

  // Steps `q` once more; false at its end. Throws on an error.
  bool step(sqlite3_stmt* q, const char* what) {
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw error(what);
    return false;
  }

  StoreError error(const char* what) const {
    return StoreError(std::string(purpose_) + " (" + what +
                      "): " + (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }

 private:
  const char* purpose_;
  sqlite3* db_ = nullptr;
  std::vector<std::pair<const char*, std::unique_ptr<RawStatement>>> statements_;
};

constexpr const char* kEntityRange =
    "SELECT id, key, name, kind FROM entities WHERE id BETWEEN ? AND ? ORDER BY id";
constexpr const char* kRelationRange =
    "SELECT id, type, subject_id, object_id, evidence_count, negated_count, attributed_count, "
    "first_seen, last_seen FROM relations WHERE id BETWEEN ? AND ? ORDER BY id";

// Calls `on_row(q)` for each row of the range statement `sql` over ids first..last.
template <class OnRow>
void read_range(RawConnection& c, const char* sql, int64_t first, int64_t last, OnRow&& on_row) {
  sqlite3_stmt* q = c.statement(sql);
  sqlite3_bind_int64(q, 1, first);
  sqlite3_bind_int64(q, 2, last);
  while (c.step(q, sql)) on_row(q);
  sqlite3_reset(q);
}

// The entity of a row of kEntityRange.
void entity_of(sqlite3_stmt* q, EntityRecord& e) {
  e.id = sqlite3_column_int64(q, 0);
  e.key = text_column(q, 1);
  e.name = text_column(q, 2);
  e.kind = text_column(q, 3);
}

// The relation of a row of kRelationRange, with its type as `types` maps it.
void relation_of(sqlite3_stmt* q, TypeIndex& types, GraphRelationRow& r) {
  r.id = sqlite3_column_int64(q, 0);
  r.type = types.find(text_column(q, 1));
  r.subject = sqlite3_column_int64(q, 2);
  r.object = sqlite3_column_int64(q, 3);
  r.evidence_count = static_cast<uint32_t>(sqlite3_column_int64(q, 4));
  r.negated_count = static_cast<uint32_t>(sqlite3_column_int64(q, 5));
  r.attributed_count = static_cast<uint32_t>(sqlite3_column_int64(q, 6));
  r.first_seen = day_number(text_column(q, 7));
  r.last_seen = day_number(text_column(q, 8));
}

// The tables of one kind of packed block.
struct PackTables {
  const char* what;         // "relations" or "entities", for messages
  const char* dirty;        // SELECT block FROM ..._dirty ORDER BY block
  const char* packs;        // SELECT block, data FROM ..._pack ORDER BY block
  const char* range;        // the rows of an id range
  const char* upsert;       // stores a blob
  const char* drop_pack;    // deletes a blob
  const char* clean;        // deletes a dirty mark
};

constexpr PackTables kRelationPacks = {
    "relations",
    "SELECT block FROM relation_pack_dirty ORDER BY block",
    "SELECT block, data FROM relation_pack ORDER BY block",
    kRelationRange,
    "INSERT INTO relation_pack (block, data) VALUES (?, ?) "
    "ON CONFLICT (block) DO UPDATE SET data = excluded.data",
    "DELETE FROM relation_pack WHERE block = ?",
    "DELETE FROM relation_pack_dirty WHERE block = ?"};
constexpr PackTables kEntityPacks = {
    "entities",
    "SELECT block FROM entity_pack_dirty ORDER BY block",
    "SELECT block, data FROM entity_pack ORDER BY block",
    kEntityRange,
    "INSERT INTO entity_pack (block, data) VALUES (?, ?) "
    "ON CONFLICT (block) DO UPDATE SET data = excluded.data",
    "DELETE FROM entity_pack WHERE block = ?",
    "DELETE FROM entity_pack_dirty WHERE block = ?"};

// Walks the blocks of one kind in id order: each clean blob goes to `decode` (false: the blob
// failed its checks), and each dirty block, run of dirty blocks or block whose blob failed goes
// to `rows` as an id range. Every block that holds rows is either packed or dirty (the triggers
// of 004_graph_pack.sql see to it), so this covers every row.
template <class Rows, class Decode>
void walk_blocks(RawConnection& c, const PackTables& t, Rows&& rows, Decode&& decode,
                 GraphLoadStats& stats, std::vector<int64_t>& damaged) {
  const std::vector<int64_t> dirty = c.column(t.dirty);
  size_t d = 0;
  // Reads the dirty blocks before `limit` as rows, runs of consecutive blocks as one range.
  auto dirty_before = [&](int64_t limit) {
    while (d < dirty.size() && dirty[d] < limit) {
      size_t e = d;
      while (e + 1 < dirty.size() && dirty[e + 1] == dirty[e] + 1 && dirty[e + 1] < limit) ++e;
      rows(pack::first_id_of(dirty[d]), pack::last_id_of(dirty[e]));
      stats.row_blocks += e - d + 1;
      d = e + 1;
    }
  };
  sqlite3_stmt* q = c.statement(t.packs);
  while (c.step(q, t.packs)) {
    const int64_t block = sqlite3_column_int64(q, 0);
    dirty_before(block);
    if (d < dirty.size() && dirty[d] == block) {
      ++d;
      rows(pack::first_id_of(block), pack::last_id_of(block));
      ++stats.row_blocks;
      continue;
    }
    const void* data = sqlite3_column_blob(q, 1);
    const std::string_view blob(data == nullptr ? "" : static_cast<const char*>(data),
                                static_cast<size_t>(sqlite3_column_bytes(q, 1)));
    if (decode(block, blob)) {
      ++stats.packed_blocks;
    } else {
      rows(pack::first_id_of(block), pack::last_id_of(block));
      ++stats.damaged_blocks;
      damaged.push_back(block);
    }
  }
  dirty_before(std::numeric_limits<int64_t>::max());
}

// The graph loader's connection: one read transaction over everything it reads.
class LoaderConnection {
 public:
  explicit LoaderConnection(const std::string& path)
      : c_(path, SQLITE_OPEN_READONLY, "cannot load the graph"), path_(path) {}

  // Starts a read transaction and pins its snapshot (a deferred BEGIN reads nothing yet).
  // Returns the relations' smallest and largest id (0, 0 when there are none).
  std::pair<int64_t, int64_t> begin() {
    c_.exec("BEGIN");
    // Two subqueries: min() and max() in one SELECT would scan the table instead of two seeks.
    const auto ids = c_.row(
        "SELECT coalesce((SELECT min(id) FROM relations), 0), "
        "coalesce((SELECT max(id) FROM relations), 0)");
    return {ids[0], ids[1]};
  }

  // The store's state as this transaction sees it. REQUIRES: begin() was called.
  StoreState state() {
    const auto v = c_.row(
        "SELECT (SELECT store_id FROM store_generation WHERE id = 1), "
        "(SELECT generation FROM store_generation WHERE id = 1), "
        "coalesce((SELECT max(id) FROM entities), 0), "
        "coalesce((SELECT max(id) FROM relations), 0), "
        "(SELECT user_version FROM pragma_user_version)");
    return StoreState{v[0], v[1], v[2], v[3], static_cast<int>(v[4])};
  }

  void read_entities(GraphRowSink& sink, GraphSource source, GraphLoadStats& stats,
                     std::vector<int64_t>& damaged) {
    EntityRecord e;
    auto rows = [&](int64_t first, int64_t last) {
      read_range(c_, kEntityRange, first, last, [&](sqlite3_stmt* q) {
        entity_of(q, e);
        sink.entity(e);
      });
    };
    if (source == GraphSource::rows) {
      rows(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
      return;
    }
    std::vector<EntityRecord> block_rows;
    walk_blocks(
        c_, kEntityPacks, rows,
        [&](int64_t block, std::string_view blob) {
          const std::string problem = pack::decode_entities(blob, block, block_rows);
          if (!problem.empty()) return report(kEntityPacks, block, problem);
          for (EntityRecord& row : block_rows) sink.entity(row);
          return true;
        },
        stats, damaged);
  }

  // Hands over the relations in id order; min_id..max_id is their id range (a capacity hint).
  void read_relations(int64_t min_id, int64_t max_id, const std::vector<std::string>& type_names,
                      GraphRowSink& sink, GraphSource source, GraphLoadStats& stats,
                      std::vector<int64_t>& damaged) {
    // Relation ids are rowids: the range is a capacity hint, exact when they are dense.
    // (Unsigned: max_id - min_id overflows int64 for ids at both ends of its range.) When
    // they are sparse, the blocks of 1024 ids that hold relations, packed or dirty, bound it
    // closer.
    const uint64_t span = static_cast<uint64_t>(max_id) - static_cast<uint64_t>(min_id);
    uint64_t hint = max_id >= min_id && span < (uint64_t{1} << 32) ? span + 1 : 0;
    if (source != GraphSource::rows && hint > 0) {
      const std::vector<int64_t> blocks = c_.column(
          "SELECT (SELECT count(*) FROM relation_pack) + "
          "(SELECT count(*) FROM relation_pack_dirty)");
      if (!blocks.empty() && blocks[0] >= 0) {
        hint = std::min(hint,
                        static_cast<uint64_t>(blocks[0]) * static_cast<uint64_t>(pack::kBlockIds));
      }
    }
    sink.expect_relations(static_cast<size_t>(hint));
    TypeIndex types(type_names);
    GraphRelationRow r;
    auto rows = [&](int64_t first, int64_t last) {
      read_range(c_, kRelationRange, first, last, [&](sqlite3_stmt* q) {
        relation_of(q, types, r);
        sink.relation(r);
      });
    };
    if (source == GraphSource::rows) {
      rows(min_id, max_id);
      return;
    }
    std::vector<GraphRelationRow> block_rows;
    walk_blocks(
        c_, kRelationPacks, rows,
        [&](int64_t block, std::string_view blob) {
          const std::string problem = pack::decode_relations(blob, block, type_names, block_rows);
          if (!problem.empty()) return report(kRelationPacks, block, problem);
          for (const GraphRelationRow& row : block_rows) sink.relation(row);
          return true;
        },
        stats, damaged);
  }

 private:
  // Says once per kind and load that a blob failed its checks. Returns false.
  bool report(const PackTables& t, int64_t block, const std::string& problem) {
    if (reported_.insert(t.what).second) {
      std::fprintf(stderr,
                   "relgraph: a packed block of %s in %s failed its checks (block %lld: %s); its "
                   "rows are read instead, and it will be packed again\n",
                   t.what, path_.c_str(), static_cast<long long>(block), problem.c_str());
    }
    return false;
  }

  RawConnection c_;
  std::string path_;
  std::set<std::string> reported_;
};

// An IMMEDIATE transaction on a raw connection, rolled back unless committed (so that a failure
// never leaves it open while the write lock is released).
class WriteTransaction {
 public:
  explicit WriteTransaction(RawConnection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }
  ~WriteTransaction() {
    if (!done_) sqlite3_exec(c_.db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  RawConnection& c_;
  bool done_ = false;
};

// Re-encodes the packed blocks of one kind: the repacker's side of graph_pack.h.
class Repacker {
 public:
  explicit Repacker(const std::string& path)
      : c_(path, SQLITE_OPEN_READWRITE, "cannot pack the graph") {
    c_.exec("PRAGMA synchronous = NORMAL");
  }

  RawConnection& connection() { return c_; }

  // The dirty blocks of `t`.
  std::vector<int64_t> dirty(const PackTables& t) { return c_.column(t.dirty); }

  // Drops the blob of each block in `blocks` (the pack's delete trigger marks it dirty).
  void drop(const PackTables& t, const std::vector<int64_t>& blocks) {
    for (int64_t block : blocks) {
      sqlite3_stmt* q = c_.statement(t.drop_pack);
      sqlite3_bind_int64(q, 1, block);
      c_.step(q, t.drop_pack);
    }
  }

  // Packs `block` from its rows and clears its dirty mark. REQUIRES: a write transaction.
  void repack(const PackTables& t, int64_t block) {
    std::string blob;
    if (&t == &kRelationPacks) {
      pack::RelationBlockEncoder enc(block);
      read_range(c_, t.range, pack::first_id_of(block), pack::last_id_of(block),
                 [&](sqlite3_stmt* q) {
                   enc.add(sqlite3_column_int64(q, 0), text_column(q, 1),
                           sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3),
                           static_cast<uint32_t>(sqlite3_column_int64(q, 4)),
                           static_cast<uint32_t>(sqlite3_column_int64(q, 5)),
                           static_cast<uint32_t>(sqlite3_column_int64(q, 6)),
                           day_number(text_column(q, 7)), day_number(text_column(q, 8)));
                 });
      if (enc.rows() > 0) blob = enc.finish();
    } else {
      pack::EntityBlockEncoder enc(block);
      read_range(c_, t.range, pack::first_id_of(block), pack::last_id_of(block),
                 [&](sqlite3_stmt* q) {
                   enc.add(sqlite3_column_int64(q, 0), text_column(q, 1), text_column(q, 2),
                           text_column(q, 3));
                 });
      if (enc.rows() > 0) blob = enc.finish();
    }
    if (blob.empty()) {
      drop(t, {block});
    } else {
      sqlite3_stmt* q = c_.statement(t.upsert);
      sqlite3_bind_int64(q, 1, block);
      sqlite3_bind_blob(q, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
      c_.step(q, t.upsert);
      sqlite3_reset(q);
    }
    sqlite3_stmt* q = c_.statement(t.clean);
    sqlite3_bind_int64(q, 1, block);
    c_.step(q, t.clean);
  }

 private:
  RawConnection c_;
};

// Blocks per repack transaction: ~0.1 s of work, the longest an ingest waits for a repack.
constexpr size_t kRepackBlocksPerTransaction = 256;

}  // namespace

// Reading rows was most of the start-up time: SQLite decodes ~3M of these rows per CPU second
// here, hence the packed copy. (Two connections reading the two halves of the id range in two
// threads gave no wall-time gain on the shared 2-core machine, only more CPU time.)
GraphRows Store::load_graph(const std::vector<std::string>& type_names, GraphSource source) {
  class Collector : public GraphRowSink {
   public:
    explicit Collector(GraphRows& out) : out_(out) {}
    void entity(EntityRecord& row) override { out_.entities.push_back(std::move(row)); }
    void expect_relations(size_t count) override { out_.relations.reserve(count); }
    void relation(const GraphRelationRow& row) override { out_.relations.push_back(row); }

   private:
    GraphRows& out_;
  };
  GraphRows out;
  Collector collector(out);
  load_graph(type_names, collector, source);
  return out;
}

StoreState Store::load_graph(const std::vector<std::string>& type_names, GraphRowSink& sink,
                             GraphSource source, GraphLoadStats* stats) {
  GraphLoadStats local;
  GraphLoadStats& counts = stats != nullptr ? *stats : local;
  counts = {};
  std::vector<int64_t> damaged_entities, damaged_relations;
  StoreState state;
  {
    LoaderConnection connection(impl_->path);
    const auto [min_id, max_id] = connection.begin();
    state = connection.state();
    connection.read_entities(sink, source, counts, damaged_entities);
    connection.read_relations(min_id, max_id, type_names, sink, source, counts,
                              damaged_relations);
  }
  if (!damaged_entities.empty() || !damaged_relations.empty()) {
    std::lock_guard lock(impl_->damaged_mutex);
    impl_->damaged_entity_blocks.insert(damaged_entities.begin(), damaged_entities.end());
    impl_->damaged_relation_blocks.insert(damaged_relations.begin(), damaged_relations.end());
  }
  return state;
}

RepackOutcome Store::repack_graph(const std::function<bool()>& stop) {
  RepackOutcome out;
  {
    Repacker repacker(impl_->path);
    RawConnection& c = repacker.connection();
    std::vector<int64_t> relation_blocks, entity_blocks;
    {
      std::lock_guard lock(impl_->write_mutex);
      std::vector<int64_t> damaged_relations, damaged_entities;
      {
        std::lock_guard damaged_lock(impl_->damaged_mutex);
        damaged_relations.assign(impl_->damaged_relation_blocks.begin(),
                                 impl_->damaged_relation_blocks.end());
        damaged_entities.assign(impl_->damaged_entity_blocks.begin(),
                                impl_->damaged_entity_blocks.end());
        impl_->damaged_relation_blocks.clear();
        impl_->damaged_entity_blocks.clear();
      }
      WriteTransaction tx(c);
      repacker.drop(kRelationPacks, damaged_relations);
      repacker.drop(kEntityPacks, damaged_entities);
      relation_blocks = repacker.dirty(kRelationPacks);
      entity_blocks = repacker.dirty(kEntityPacks);
      tx.commit();
    }
    // What was dirty when the repack started; blocks dirtied meanwhile are the next repack's.
    size_t r = 0, e = 0;
    while (r < relation_blocks.size() || e < entity_blocks.size()) {
      if (stop && stop()) {
        out.complete = false;
        break;
      }
      std::lock_guard lock(impl_->write_mutex);
      WriteTransaction tx(c);
      for (size_t n = 0; n < kRepackBlocksPerTransaction; ++n) {
        if (e < entity_blocks.size()) {
          repacker.repack(kEntityPacks, entity_blocks[e++]);
          ++out.entity_blocks;
        } else if (r < relation_blocks.size()) {
          repacker.repack(kRelationPacks, relation_blocks[r++]);
          ++out.relation_blocks;
        } else {
          break;
        }
      }
      tx.commit();
    }
  }
  return out;
}

size_t Store::dirty_pack_blocks() {
  RawConnection c(impl_->path, SQLITE_OPEN_READONLY, "cannot count the graph's dirty blocks");
  const auto v = c.row(
      "SELECT (SELECT count(*) FROM relation_pack_dirty) + "
      "(SELECT count(*) FROM entity_pack_dirty)");
  return static_cast<size_t>(v[0]);
}

StoreState Store::state() {
  LoaderConnection connection(impl_->path);
  connection.begin();
  return connection.state();
}

void Store::backup(const std::string& db_path, const std::string& out_path) {
  const std::string tmp = out_path + ".tmp";
  std::remove(tmp.c_str());
  try {
    SQLite::Database source(db_path, SQLite::OPEN_READONLY);
    source.setBusyTimeout(10000);
    {
      SQLite::Database target(tmp, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      SQLite::Backup copy(target, source);
      copy.executeStep(-1);
      SQLite::Statement check(target, "PRAGMA integrity_check");
      if (!check.executeStep() || check.getColumn(0).getString() != "ok")
        throw StoreError("the copy of " + db_path + " failed its integrity check");
    }
    if (std::rename(tmp.c_str(), out_path.c_str()) != 0)
      throw StoreError("cannot rename " + tmp + " to " + out_path);
  } catch (const SQLite::Exception& e) {
    std::remove(tmp.c_str());
    throw StoreError("cannot back up " + db_path + ": " + e.what());
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

int Store::schema_version() {
  Impl::Lease lease(*impl_);
  SQLite::Statement q(lease.db(), "PRAGMA user_version");
  q.executeStep();
  return q.getColumn(0).getInt();
}

}  // namespace relgraph::store
