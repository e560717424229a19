-- A generation that every write transaction of the store replaces with a random number (random
-- rather than counted, so that a restored backup written to as often as the original does not
-- take the original's value), and a random id of this database, so that a cache of the graph kept outside SQLite (the snapshot image beside the
-- database file) can tell whether it still describes what the database holds. One row; the
-- migration writes no other table, so it is instant whatever the database's size.
CREATE TABLE store_generation (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  store_id   INTEGER NOT NULL,
  generation INTEGER NOT NULL
);
INSERT INTO store_generation (id, store_id, generation) VALUES (1, random(), random());
