-- Migration 6: the search index's queue. The tantivy index is derived from SQLite; triggers
-- record every change of an indexed row in the same transaction as the change, and the
-- indexer thread applies the queue to the index (then empties it). A crash at any instant
-- leaves the queue with whatever the index has not seen yet.
CREATE TABLE search_queue (
    seq      INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL,
    item_id  INTEGER NOT NULL
);

CREATE TRIGGER search_actors_insert AFTER INSERT ON actors BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('actor', NEW.id);
END;
CREATE TRIGGER search_actors_update AFTER UPDATE ON actors BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('actor', NEW.id);
END;
CREATE TRIGGER search_actors_delete AFTER DELETE ON actors BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('actor', OLD.id);
END;
CREATE TRIGGER search_actor_tags_insert AFTER INSERT ON actor_tags BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('actor', NEW.actor_id);
END;
CREATE TRIGGER search_actor_tags_delete AFTER DELETE ON actor_tags BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('actor', OLD.actor_id);
END;
