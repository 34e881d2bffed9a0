-- Migration 3: the site's public address, used in links sent by mail. Recorded at first-run
-- setup from the address the admin used, editable on the admin page; never taken from a
-- request's Host header afterwards (that would let anyone poison password-reset links).
ALTER TABLE instance ADD COLUMN public_url TEXT NOT NULL DEFAULT '';
