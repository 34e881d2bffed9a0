-- Migration 8: local news. Posts on the village wall (actor_id NULL) or on an actor's journal,
-- their comments (one level of replies), and the reports that reach the moderators.

CREATE TABLE news_posts (
    id          INTEGER PRIMARY KEY,
    -- NULL: the village wall; else the actor whose journal it is on.
    actor_id    INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    -- NULL once the author deleted their account: the post stays, unsigned.
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    title       TEXT    NOT NULL DEFAULT '',
    -- Markdown, rendered with raw HTML escaped.
    body        TEXT    NOT NULL,
    -- File name under DATA/uploads/ (re-encoded JPEG).
    image       TEXT,
    -- Who may read it: everyone, signed-in residents, or the actor's followers (and members).
    audience    TEXT    NOT NULL DEFAULT 'public'
                        CHECK (audience IN ('public', 'members', 'followers')),
    -- Set by a moderator: the post is gone from every page, feed and search until restored.
    hidden_at   INTEGER,
    hidden_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    edited_at   INTEGER,
    CHECK (audience <> 'followers' OR actor_id IS NOT NULL)
);
CREATE INDEX news_posts_created ON news_posts(created_at);
CREATE INDEX news_posts_actor ON news_posts(actor_id, created_at);
CREATE INDEX news_posts_author ON news_posts(author_id);

CREATE TABLE news_comments (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES news_posts(id) ON DELETE CASCADE,
    -- One level of replies: a reply's parent is a comment without parent.
    parent_id   INTEGER REFERENCES news_comments(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body        TEXT    NOT NULL,
    hidden_at   INTEGER,
    hidden_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- A deleted comment that has replies stays as an empty marker so the replies keep their place.
    deleted_at  INTEGER,
    created_at  INTEGER NOT NULL,
    edited_at   INTEGER
);
CREATE INDEX news_comments_post ON news_comments(post_id, created_at);
CREATE INDEX news_comments_parent ON news_comments(parent_id);
CREATE INDEX news_comments_author ON news_comments(author_id);

CREATE TABLE news_reports (
    id           INTEGER PRIMARY KEY,
    -- Exactly one of post_id and comment_id.
    post_id      INTEGER REFERENCES news_posts(id) ON DELETE CASCADE,
    comment_id   INTEGER REFERENCES news_comments(id) ON DELETE CASCADE,
    reporter_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolved_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolution   TEXT    CHECK (resolution IN ('hidden', 'kept')),
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE INDEX news_reports_open ON news_reports(resolved_at, created_at);
CREATE INDEX news_reports_post ON news_reports(post_id);
CREATE INDEX news_reports_comment ON news_reports(comment_id);
CREATE INDEX news_reports_reporter ON news_reports(reporter_id);

-- The search index follows the posts (only public, visible ones are indexed: see news::search).
CREATE TRIGGER search_news_insert AFTER INSERT ON news_posts BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('news', NEW.id);
END;
CREATE TRIGGER search_news_update AFTER UPDATE ON news_posts BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('news', NEW.id);
END;
CREATE TRIGGER search_news_delete AFTER DELETE ON news_posts BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('news', OLD.id);
END;
-- A journal whose actor becomes members-only leaves the index with it (and comes back).
CREATE TRIGGER search_news_actor_visibility AFTER UPDATE OF visibility ON actors BEGIN
    INSERT INTO search_queue (kind, item_id)
        SELECT 'news', id FROM news_posts WHERE actor_id = NEW.id;
END;
