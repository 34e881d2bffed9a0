-- Migration 21: neighbours are linked on both sides (issue 20). One admin asks (state 'asked'
-- on its side, 'pending' on the other), the other accepts ('linked' on both) or declines
-- ('declined', kept so that the same request is not made again). Both sides keep the link's
-- token: it proves a request, an acceptance or a removal really comes from the other side
-- (each is checked by asking the other side back), and it goes with each pull of the feed.
-- Neighbours added before this migration stay linked.
ALTER TABLE neighbours ADD COLUMN state TEXT NOT NULL DEFAULT 'linked'
    CHECK (state IN ('asked', 'pending', 'linked', 'declined'));
ALTER TABLE neighbours ADD COLUMN token TEXT NOT NULL DEFAULT '';
CREATE INDEX neighbours_token ON neighbours (token) WHERE token <> '';
