-- Migration 9: the directory list without full scans.
-- The list is ordered by name: an index in that order serves a page without sorting them all.
CREATE INDEX actors_name ON actors(name COLLATE NOCASE, id);

-- The tag counts, kept by triggers. Counting tags of public actors on
-- every directory page read 3×10^4 rows on a département; this table answers in a few rows.
CREATE TABLE actor_tag_counts (
    tag  TEXT    PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO actor_tag_counts (tag, n)
    SELECT t.tag, count(*) FROM actor_tags t JOIN actors a ON a.id = t.actor_id
    WHERE a.visibility = 'public' GROUP BY t.tag;

CREATE TRIGGER actor_tag_counts_add AFTER INSERT ON actor_tags
WHEN (SELECT visibility FROM actors WHERE id = NEW.actor_id) = 'public'
BEGIN
    INSERT INTO actor_tag_counts (tag, n) VALUES (NEW.tag, 1)
        ON CONFLICT (tag) DO UPDATE SET n = n + 1;
END;

-- A tag removed from an actor that still exists (an actor's own deletion is counted below,
-- before its tags go by cascade).
CREATE TRIGGER actor_tag_counts_remove AFTER DELETE ON actor_tags
WHEN (SELECT visibility FROM actors WHERE id = OLD.actor_id) = 'public'
BEGIN
    UPDATE actor_tag_counts SET n = n - 1 WHERE tag = OLD.tag;
END;

CREATE TRIGGER actor_tag_counts_actor_gone BEFORE DELETE ON actors
WHEN OLD.visibility = 'public'
BEGIN
    UPDATE actor_tag_counts SET n = n - 1
        WHERE tag IN (SELECT tag FROM actor_tags WHERE actor_id = OLD.id);
END;

CREATE TRIGGER actor_tag_counts_visibility AFTER UPDATE OF visibility ON actors
WHEN (OLD.visibility = 'public') != (NEW.visibility = 'public')
BEGIN
    INSERT INTO actor_tag_counts (tag, n)
        SELECT tag, CASE WHEN NEW.visibility = 'public' THEN 1 ELSE -1 END
        FROM actor_tags WHERE actor_id = NEW.id AND true
        ON CONFLICT (tag) DO UPDATE SET n = n + excluded.n;
END;
