-- relgraph store, version 1: articles, entities with aliases, relations aggregated per
-- (type, subject, object), and the evidence behind each relation.

CREATE TABLE articles (
  id           INTEGER PRIMARY KEY,
  text_hash    TEXT NOT NULL UNIQUE,          -- SHA-256 of the text: the same text is stored once
  title        TEXT NOT NULL DEFAULT '',
  url          TEXT NOT NULL DEFAULT '',
  source       TEXT NOT NULL DEFAULT '',
  published_at TEXT,                          -- ISO 8601 as given; NULL when unknown
  published_day TEXT NOT NULL,                -- YYYY-MM-DD used for first/last seen
  ingested_at  TEXT NOT NULL,
  text         TEXT NOT NULL
);

CREATE TABLE entities (
  id    INTEGER PRIMARY KEY,
  key   TEXT NOT NULL UNIQUE,
  name  TEXT NOT NULL,
  kind  TEXT NOT NULL CHECK (kind IN ('person', 'country', 'organization', 'group', 'location'))
);

-- Names an entity is known by; alias_norm is the lowercased token form used for look-ups.
CREATE TABLE aliases (
  id         INTEGER PRIMARY KEY,
  entity_id  INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  alias      TEXT NOT NULL,
  alias_norm TEXT NOT NULL,
  UNIQUE (entity_id, alias)
);
CREATE INDEX aliases_by_norm ON aliases(alias_norm);

CREATE TABLE relations (
  id               INTEGER PRIMARY KEY,
  type             TEXT NOT NULL,
  subject_id       INTEGER NOT NULL REFERENCES entities(id),
  object_id        INTEGER NOT NULL REFERENCES entities(id),
  evidence_count   INTEGER NOT NULL DEFAULT 0,
  negated_count    INTEGER NOT NULL DEFAULT 0,
  attributed_count INTEGER NOT NULL DEFAULT 0,
  first_seen       TEXT NOT NULL,
  last_seen        TEXT NOT NULL,
  UNIQUE (type, subject_id, object_id)
);
CREATE INDEX relations_by_subject ON relations(subject_id);
CREATE INDEX relations_by_object ON relations(object_id);

CREATE TABLE evidence (
  id             INTEGER PRIMARY KEY,
  relation_id    INTEGER NOT NULL REFERENCES relations(id),
  article_id     INTEGER NOT NULL REFERENCES articles(id),
  sentence_index INTEGER NOT NULL,
  char_start     INTEGER NOT NULL,
  char_end       INTEGER NOT NULL,
  sentence       TEXT NOT NULL,
  negated        INTEGER NOT NULL CHECK (negated IN (0, 1)),
  attributed     INTEGER NOT NULL CHECK (attributed IN (0, 1)),
  confidence     REAL NOT NULL,
  UNIQUE (relation_id, article_id, sentence_index)
);
CREATE INDEX evidence_by_article ON evidence(article_id);

-- Which entities each article mentions (with or without a relation).
CREATE TABLE article_entities (
  article_id INTEGER NOT NULL REFERENCES articles(id),
  entity_id  INTEGER NOT NULL REFERENCES entities(id),
  PRIMARY KEY (article_id, entity_id)
) WITHOUT ROWID;

-- Full-text search over articles (title and text) and entity names.
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id');
CREATE VIRTUAL TABLE entities_fts USING fts5(names, tokenize = 'unicode61 remove_diacritics 2');
