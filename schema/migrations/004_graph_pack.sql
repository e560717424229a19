-- A packed copy of what the graph loader reads, kept in the database and in the same
-- transactions as the rows (store/graph_pack.h has the blob format). Ids are grouped in blocks of
-- 1024 (block = id >> 10); a block's blob holds every row of the block, compactly encoded.
-- Decoding the blobs instead of nine columns per relation row is what makes a cold start fast.
--
-- Correctness does not depend on anyone remembering the packs: the triggers below record in the
-- *_dirty tables every block that a write to relations or entities touches, whatever wrote it
-- (ingest, merge, manual SQL), and the loader reads the rows of a dirty block instead of its
-- blob. relgraph re-encodes dirty blocks off the write path (Store::repack_graph).
CREATE TABLE relation_pack (block INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE relation_pack_dirty (block INTEGER PRIMARY KEY);
CREATE TABLE entity_pack (block INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE entity_pack_dirty (block INTEGER PRIMARY KEY);

-- The marks are written with ON CONFLICT DO NOTHING, not INSERT OR IGNORE: the conflict policy
-- of the statement that fires a trigger overrides an OR clause inside it (ingest's upsert turned
-- OR IGNORE into a UNIQUE error), but not an upsert clause. Each is one cheap statement (a
-- NOT EXISTS subquery cost ~3 us per write, this ~0.4 us).
CREATE TRIGGER relations_pack_insert AFTER INSERT ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) VALUES (new.id >> 10) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER relations_pack_update AFTER UPDATE ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) VALUES (old.id >> 10) ON CONFLICT DO NOTHING;
  INSERT INTO relation_pack_dirty (block) SELECT new.id >> 10 WHERE new.id >> 10 <> old.id >> 10
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER relations_pack_delete AFTER DELETE ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) VALUES (old.id >> 10) ON CONFLICT DO NOTHING;
END;
-- REPLACE conflict resolution deletes the row it collides with without firing delete triggers
-- (unless recursive_triggers is on): mark that row's block before the insert or update.
CREATE TRIGGER relations_pack_insert_conflict BEFORE INSERT ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT id >> 10 FROM relations
    WHERE type = new.type AND subject_id = new.subject_id AND object_id = new.object_id
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER relations_pack_update_conflict BEFORE UPDATE OF type, subject_id, object_id
ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT id >> 10 FROM relations
    WHERE type = new.type AND subject_id = new.subject_id AND object_id = new.object_id
      AND id <> old.id
    ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER entities_pack_insert AFTER INSERT ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) VALUES (new.id >> 10) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER entities_pack_update AFTER UPDATE ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) VALUES (old.id >> 10) ON CONFLICT DO NOTHING;
  INSERT INTO entity_pack_dirty (block) SELECT new.id >> 10 WHERE new.id >> 10 <> old.id >> 10
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER entities_pack_delete AFTER DELETE ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) VALUES (old.id >> 10) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER entities_pack_insert_conflict BEFORE INSERT ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT id >> 10 FROM entities WHERE key = new.key
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER entities_pack_update_conflict BEFORE UPDATE OF key ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT id >> 10 FROM entities WHERE key = new.key AND id <> old.id
    ON CONFLICT DO NOTHING;
END;

-- A blob deleted by hand (to force a rebuild, say) leaves its block to the rows until repacked.
CREATE TRIGGER relation_pack_delete AFTER DELETE ON relation_pack BEGIN
  INSERT INTO relation_pack_dirty (block) VALUES (old.block) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER entity_pack_delete AFTER DELETE ON entity_pack BEGIN
  INSERT INTO entity_pack_dirty (block) VALUES (old.block) ON CONFLICT DO NOTHING;
END;

-- Every block that holds rows starts dirty: the loader reads rows until relgraph packs them
-- (Store::open does so right after this migration).
INSERT OR IGNORE INTO relation_pack_dirty (block) SELECT id >> 10 FROM relations;
INSERT OR IGNORE INTO entity_pack_dirty (block) SELECT id >> 10 FROM entities;
