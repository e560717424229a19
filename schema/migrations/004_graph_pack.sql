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

-- The marks are written without a conflict clause (INSERT ... WHERE NOT EXISTS rather than
-- INSERT OR IGNORE): the conflict policy of the statement that fires a trigger overrides the
-- trigger's own, so an OR IGNORE inside would turn into an error under an upsert.
CREATE TRIGGER relations_pack_insert AFTER INSERT ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT new.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = new.id >> 10);
END;
CREATE TRIGGER relations_pack_update AFTER UPDATE ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT old.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = old.id >> 10);
  INSERT INTO relation_pack_dirty (block) SELECT new.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = new.id >> 10);
END;
CREATE TRIGGER relations_pack_delete AFTER DELETE ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT old.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = old.id >> 10);
END;
-- REPLACE conflict resolution deletes the row it collides with without firing delete triggers
-- (unless recursive_triggers is on): mark that row's block before the insert or update.
CREATE TRIGGER relations_pack_insert_conflict BEFORE INSERT ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT r.id >> 10 FROM relations r
    WHERE r.type = new.type AND r.subject_id = new.subject_id AND r.object_id = new.object_id
      AND NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = r.id >> 10);
END;
CREATE TRIGGER relations_pack_update_conflict BEFORE UPDATE OF type, subject_id, object_id
ON relations BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT r.id >> 10 FROM relations r
    WHERE r.type = new.type AND r.subject_id = new.subject_id AND r.object_id = new.object_id
      AND r.id <> old.id AND NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = r.id >> 10);
END;

CREATE TRIGGER entities_pack_insert AFTER INSERT ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT new.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = new.id >> 10);
END;
CREATE TRIGGER entities_pack_update AFTER UPDATE ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT old.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = old.id >> 10);
  INSERT INTO entity_pack_dirty (block) SELECT new.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = new.id >> 10);
END;
CREATE TRIGGER entities_pack_delete AFTER DELETE ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT old.id >> 10
    WHERE NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = old.id >> 10);
END;
CREATE TRIGGER entities_pack_insert_conflict BEFORE INSERT ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT e.id >> 10 FROM entities e
    WHERE e.key = new.key AND NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = e.id >> 10);
END;
CREATE TRIGGER entities_pack_update_conflict BEFORE UPDATE OF key ON entities BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT e.id >> 10 FROM entities e
    WHERE e.key = new.key AND e.id <> old.id
      AND NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = e.id >> 10);
END;

-- A blob deleted by hand (to force a rebuild, say) leaves its block to the rows until repacked.
CREATE TRIGGER relation_pack_delete AFTER DELETE ON relation_pack BEGIN
  INSERT INTO relation_pack_dirty (block) SELECT old.block
    WHERE NOT EXISTS (SELECT 1 FROM relation_pack_dirty WHERE block = old.block);
END;
CREATE TRIGGER entity_pack_delete AFTER DELETE ON entity_pack BEGIN
  INSERT INTO entity_pack_dirty (block) SELECT old.block
    WHERE NOT EXISTS (SELECT 1 FROM entity_pack_dirty WHERE block = old.block);
END;

-- Every block that holds rows starts dirty: the loader reads rows until relgraph packs them
-- (Store::open does so right after this migration).
INSERT OR IGNORE INTO relation_pack_dirty (block) SELECT id >> 10 FROM relations;
INSERT OR IGNORE INTO entity_pack_dirty (block) SELECT id >> 10 FROM entities;
