-- Migration 19: the change feed of public summaries (issue 20), for neighbouring instances.
-- One row per public item (the search sources' documents: pages, events, news, aid posts),
-- kept by the search indexer as it applies search_queue: a summary that changed gets a new
-- `modified`; an item gone or no longer public keeps its row as a deletion. Read in
-- (modified, kind, item_id) order, paged by the OpenActive RPDE convention.
CREATE TABLE public_changes (
    kind      TEXT    NOT NULL,
    item_id   INTEGER NOT NULL,
    -- Milliseconds, strictly increasing across writes (one writer: the indexer).
    modified  INTEGER NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    -- The summary as JSON ('' once deleted).
    data      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;
CREATE INDEX public_changes_order ON public_changes(modified, kind, item_id);

-- Every existing item passes through the indexer once, which fills the feed.
INSERT INTO search_queue (kind, item_id) SELECT 'actor', id FROM actors;
INSERT INTO search_queue (kind, item_id) SELECT 'event', id FROM events;
INSERT INTO search_queue (kind, item_id) SELECT 'news', id FROM news_posts;
INSERT INTO search_queue (kind, item_id) SELECT 'aid', id FROM aid_posts;
