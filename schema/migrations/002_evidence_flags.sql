-- A claim and its denial in one sentence ("Kinshasa accuses Kigali of arming the M23, a charge
-- Kigali denies") are two pieces of evidence for one relation, one attributed and one negated:
-- the evidence key includes the flags. SQLite cannot change a table constraint in place, so the
-- table is rebuilt (rows, ids and the article index kept).
CREATE TABLE evidence_v2 (
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
  UNIQUE (relation_id, article_id, sentence_index, negated, attributed)
);
INSERT INTO evidence_v2 (id, relation_id, article_id, sentence_index, char_start, char_end,
                         sentence, negated, attributed, confidence)
  SELECT id, relation_id, article_id, sentence_index, char_start, char_end, sentence, negated,
         attributed, confidence
  FROM evidence ORDER BY id;
DROP TABLE evidence;
ALTER TABLE evidence_v2 RENAME TO evidence;
CREATE INDEX evidence_by_article ON evidence(article_id);
