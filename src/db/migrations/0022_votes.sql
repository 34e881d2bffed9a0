-- Proposals and votes (issue 22): a page (or the village, actor_id NULL) opens a proposal, which
-- is discussed (amendments), then voted on until its deadline; the result is counted once by
-- the server and kept.

INSERT OR IGNORE INTO modules (name) VALUES ('votes');

CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY,
    -- The page that opens it; NULL for the village's own proposals.
    actor_id        INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    title           TEXT    NOT NULL,
    -- Markdown, masked of personal data; the current text (earlier ones in proposal_revisions).
    body            TEXT    NOT NULL,
    method          TEXT    NOT NULL CHECK (method IN ('yes_no', 'judgement')),
    -- Minimum turnout, in % of the eligible voters at the deadline.
    quorum_pct      INTEGER NOT NULL DEFAULT 0 CHECK (quorum_pct BETWEEN 0 AND 100),
    -- yes/no: 'half' (yes > 50 % of yes + no) or 'two_thirds' (yes >= 2/3 of yes + no).
    threshold       TEXT    NOT NULL DEFAULT 'half' CHECK (threshold IN ('half', 'two_thirds')),
    -- Secret: only counts are ever shown; the link voter-ballot is cut at the count.
    secret          INTEGER NOT NULL DEFAULT 1 CHECK (secret IN (0, 1)),
    -- The discussion runs until vote_start; the vote from vote_start until deadline (UTC s).
    vote_start      INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    hidden          INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    -- The place it is about (optional): an address as typed and its point, also in the
    -- shared R*Tree (geo, kind 'proposal') for the map.
    place           TEXT    NOT NULL DEFAULT '',
    lat             REAL,
    lon             REAL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (deadline > vote_start),
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX proposals_actor ON proposals(actor_id, deadline);
CREATE INDEX proposals_deadline ON proposals(deadline);
CREATE INDEX proposals_author ON proposals(author_id);

-- The options of a majority-judgement proposal, in their order.
CREATE TABLE proposal_options (
    id              INTEGER PRIMARY KEY,
    proposal_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    label           TEXT    NOT NULL,
    UNIQUE (proposal_id, position)
);

-- Every text the proposal had, the first one included: accepted amendments never erase.
CREATE TABLE proposal_revisions (
    id              INTEGER PRIMARY KEY,
    proposal_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    body            TEXT    NOT NULL,
    amendment_id    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX proposal_revisions_proposal ON proposal_revisions(proposal_id, id);

CREATE TABLE proposal_amendments (
    id              INTEGER PRIMARY KEY,
    proposal_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- The whole text as the amendment would have it.
    body            TEXT    NOT NULL,
    -- Why, in a few words.
    note            TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'accepted', 'declined')),
    hidden          INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER
);
CREATE INDEX proposal_amendments_proposal ON proposal_amendments(proposal_id, id);
CREATE INDEX proposal_amendments_author ON proposal_amendments(author_id);

-- One ballot per person and proposal, changeable until the deadline. `choice` is 'yes', 'no'
-- or 'abstain', or for majority judgement one digit per option in their order (0 = « À
-- rejeter » .. 6 = « Excellent »). voter_id becomes NULL at the count of a secret ballot.
CREATE TABLE proposal_votes (
    id              INTEGER PRIMARY KEY,
    proposal_id     INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    voter_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    choice          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (proposal_id, voter_id)
);
CREATE INDEX proposal_votes_voter ON proposal_votes(voter_id);

-- The result, counted once at the deadline and kept (never recounted).
CREATE TABLE proposal_results (
    proposal_id     INTEGER PRIMARY KEY REFERENCES proposals(id) ON DELETE CASCADE,
    eligible        INTEGER NOT NULL,
    voters          INTEGER NOT NULL,
    -- 'adopted', 'rejected', 'no_quorum' (yes/no); 'chosen', 'no_quorum' (judgement).
    outcome         TEXT    NOT NULL,
    yes             INTEGER NOT NULL DEFAULT 0,
    no              INTEGER NOT NULL DEFAULT 0,
    abstain         INTEGER NOT NULL DEFAULT 0,
    -- Majority judgement: the options ranked, as JSON [{option, label, grade, counts}].
    ranking         TEXT    NOT NULL DEFAULT '[]',
    computed_at     INTEGER NOT NULL
);

-- An item gone takes its originals with it (see migration 16).
CREATE TRIGGER personal_proposal_gone AFTER DELETE ON proposals BEGIN
    DELETE FROM personal_originals WHERE kind = 'proposal' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_amendment_gone AFTER DELETE ON proposal_amendments BEGIN
    DELETE FROM personal_originals WHERE kind = 'amendment' AND item_id = OLD.id;
END;

-- The search index follows every change of a proposal (and of its page's visibility).
CREATE TRIGGER search_proposal_insert AFTER INSERT ON proposals BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('proposal', NEW.id);
END;
CREATE TRIGGER search_proposal_update AFTER UPDATE ON proposals BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('proposal', NEW.id);
END;
CREATE TRIGGER search_proposal_delete AFTER DELETE ON proposals BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('proposal', OLD.id);
END;
CREATE TRIGGER search_proposal_actor_visibility AFTER UPDATE OF visibility ON actors BEGIN
    INSERT INTO search_queue (kind, item_id)
        SELECT 'proposal', id FROM proposals WHERE actor_id = NEW.id;
END;

-- A proposal gone leaves the map with its point.
CREATE TRIGGER geo_proposal_gone AFTER DELETE ON proposals BEGIN
    DELETE FROM geo_items WHERE kind = 'proposal' AND item_id = OLD.id;
END;
