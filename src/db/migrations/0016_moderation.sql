-- Migration 16: moderation and personal data, one mechanism for every module.
--   * personal_originals: the text as its author typed it when it held personal data; the
--     published columns hold the masked text, so every surface (pages, feeds, iCalendar, API,
--     search index, exports, mails to lists) shows the masked form by construction.
--   * reports: one table for every module's reports (news posts and comments, aid posts,
--     events, pages, public room bookings, and later modules), the one queue reads it.
--   * moderation_hidden: what a moderator hid, with the state it had, so restore is exact.
--   * moderation_log: append-only audit log, kept for the admin's retention.
--   * mail_outbox: mails committed with the write that causes them, sent by one task.
--   * suspensions and masking of users; a page's masked users; official pages.

CREATE TABLE personal_originals (
    kind        TEXT    NOT NULL,
    item_id     INTEGER NOT NULL,
    field       TEXT    NOT NULL,
    original    TEXT    NOT NULL,
    -- What was found, as a comma list of kinds ('email,phone').
    found       TEXT    NOT NULL,
    author_id   INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, item_id, field)
) WITHOUT ROWID;
CREATE INDEX personal_originals_author ON personal_originals(author_id);

-- An item gone takes its originals with it.
CREATE TRIGGER personal_news_gone AFTER DELETE ON news_posts BEGIN
    DELETE FROM personal_originals WHERE kind = 'news' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_comment_gone AFTER DELETE ON news_comments BEGIN
    DELETE FROM personal_originals WHERE kind = 'comment' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_aid_gone AFTER DELETE ON aid_posts BEGIN
    DELETE FROM personal_originals WHERE kind = 'aid' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_event_gone AFTER DELETE ON events BEGIN
    DELETE FROM personal_originals WHERE kind = 'event' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_actor_gone AFTER DELETE ON actors BEGIN
    DELETE FROM personal_originals WHERE kind = 'actor' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_mailing_gone AFTER DELETE ON list_mailings BEGIN
    DELETE FROM personal_originals WHERE kind = 'mailing' AND item_id = OLD.id;
END;

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    -- A registered kind ('news', 'comment', 'aid', 'event', 'actor', 'booking', ...).
    kind            TEXT    NOT NULL,
    item_id         INTEGER NOT NULL,
    reason          TEXT    NOT NULL CHECK (reason IN ('illegal', 'hate', 'personal_data', 'spam',
                        'off_topic', 'other')),
    note            TEXT    NOT NULL DEFAULT '',
    reporter_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- An anonymous reporter who wishes an answer (never shown publicly).
    reporter_email  TEXT    NOT NULL DEFAULT '',
    reporter_lang   TEXT    NOT NULL DEFAULT 'fr',
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    resolved_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    outcome         TEXT    CHECK (outcome IN ('hidden', 'deleted', 'edited', 'kept', 'warned',
                        'gone')),
    -- The moderator's answer to the reporter (a canned reply, edited).
    answer          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX reports_open ON reports(resolved_at, created_at);
CREATE INDEX reports_item ON reports(kind, item_id);
CREATE INDEX reports_reporter ON reports(reporter_id, created_at);

INSERT INTO reports (kind, item_id, reason, note, reporter_id, created_at, resolved_at,
                     resolved_by, outcome)
    SELECT CASE WHEN post_id IS NOT NULL THEN 'news' ELSE 'comment' END,
           COALESCE(post_id, comment_id), 'other', reason, reporter_id, created_at, resolved_at,
           resolved_by, resolution
    FROM news_reports;
INSERT INTO reports (kind, item_id, reason, note, reporter_id, created_at, resolved_at, outcome)
    SELECT 'aid', post_id, 'other', reason, reporter_id, created_at, resolved_at,
           CASE WHEN resolved_at IS NULL THEN NULL ELSE 'kept' END
    FROM aid_reports;
DROP TABLE news_reports;
DROP TABLE aid_reports;

CREATE TABLE moderation_hidden (
    kind          TEXT    NOT NULL,
    item_id       INTEGER NOT NULL,
    -- The item's state before (module-defined, e.g. an event's status), restored as it was.
    before        TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    hidden_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    hidden_at     INTEGER NOT NULL,
    -- Hidden because its author was masked: restored when the author is.
    masked_user   INTEGER REFERENCES users(id) ON DELETE CASCADE,
    author_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;
CREATE INDEX moderation_hidden_masked ON moderation_hidden(masked_user);

CREATE TABLE moderation_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    moderator_id  INTEGER,
    -- Kept as it was at the time: the log outlives accounts.
    moderator     TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    kind          TEXT    NOT NULL DEFAULT '',
    item_id       INTEGER,
    user_id       INTEGER,
    reason        TEXT    NOT NULL DEFAULT '',
    before        TEXT    NOT NULL DEFAULT '',
    after         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX moderation_log_at ON moderation_log(at);

CREATE TABLE moderation_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    log_retention_days   INTEGER NOT NULL DEFAULT 365 CHECK (log_retention_days BETWEEN 30 AND 3650)
);
INSERT INTO moderation_settings (id) VALUES (1);

-- Append only: no row is ever changed, and none leaves before the retention has passed.
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log BEGIN
    SELECT RAISE(ABORT, 'the moderation log is append-only');
END;
CREATE TRIGGER moderation_log_retention BEFORE DELETE ON moderation_log
    WHEN OLD.at > unixepoch() - 86400 * (SELECT log_retention_days FROM moderation_settings)
BEGIN
    SELECT RAISE(ABORT, 'the moderation log keeps its rows for the retention period');
END;

-- Canned replies a moderator picks and edits; seeded with the guidance's standard answers.
CREATE TABLE moderation_replies (
    id       INTEGER PRIMARY KEY,
    lang     TEXT    NOT NULL,
    title    TEXT    NOT NULL,
    body     TEXT    NOT NULL
);
INSERT INTO moderation_replies (lang, title, body) VALUES
 ('fr', 'Données personnelles retirées',
  'Bonjour, votre message contenait des données personnelles (adresse, téléphone ou numéro de sécurité sociale). Pour votre sécurité nous les avons retirées de la page publique. Pour toute demande personnelle, écrivez-nous par le formulaire de contact du site : nous vous répondrons en privé.'),
 ('fr', 'Contenu retiré',
  'Bonjour, votre contribution a été retirée car elle ne respecte pas la charte de la commune (propos injurieux, haineux ou illégaux). Vous pouvez contester cette décision en nous écrivant par le formulaire de contact du site.'),
 ('fr', 'Signalement examiné',
  'Bonjour, merci pour votre signalement. Nous l''avons examiné et avons pris la mesure indiquée ci-dessus.'),
 ('en', 'Personal data removed',
  'Hello, your message contained personal data (address, phone or social security number). For your safety we removed it from the public page. For any personal request, write to us through the site''s contact form: we will answer privately.'),
 ('en', 'Content removed',
  'Hello, your contribution was removed because it breaks the village''s charter (abusive, hateful or illegal content). You can contest this decision by writing to us through the site''s contact form.'),
 ('en', 'Report reviewed',
  'Hello, thank you for your report. We reviewed it and took the action stated above.'),
 ('de', 'Persönliche Daten entfernt',
  'Guten Tag, Ihre Nachricht enthielt persönliche Daten (Adresse, Telefon- oder Sozialversicherungsnummer). Zu Ihrer Sicherheit haben wir sie von der öffentlichen Seite entfernt. Für persönliche Anliegen schreiben Sie uns über das Kontaktformular der Website: Wir antworten Ihnen privat.'),
 ('de', 'Inhalt entfernt',
  'Guten Tag, Ihr Beitrag wurde entfernt, weil er gegen die Charta der Gemeinde verstößt (beleidigende, hasserfüllte oder rechtswidrige Inhalte). Sie können dieser Entscheidung über das Kontaktformular der Website widersprechen.'),
 ('de', 'Meldung geprüft',
  'Guten Tag, vielen Dank für Ihre Meldung. Wir haben sie geprüft und die oben genannte Maßnahme ergriffen.');

-- Messages to a person from the moderators (a warning, content hidden): on their account page.
CREATE TABLE moderation_notices (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL DEFAULT '',
    item_id     INTEGER,
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX moderation_notices_user ON moderation_notices(user_id, created_at);

-- Suspended: cannot post anywhere until then (9223372036854775807: for good); masked: all
-- their public content hidden at once (moderation_hidden.masked_user), restorable.
ALTER TABLE users ADD COLUMN suspended_until INTEGER;
ALTER TABLE users ADD COLUMN suspended_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN masked_at INTEGER;

-- A page's admins mask a person on their page: no more posts or comments there.
CREATE TABLE actor_masked_users (
    actor_id    INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    masked_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (actor_id, user_id)
) WITHOUT ROWID;

-- Official pages (town hall, school, public service): a badge wherever the name appears.
ALTER TABLE actors ADD COLUMN official INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1));

-- Mails committed with the write that causes them; one task sends them (restart-safe).
CREATE TABLE mail_outbox (
    id           INTEGER PRIMARY KEY,
    to_addr      TEXT    NOT NULL,
    -- Where answers go (the site's contact form: the sender's own address).
    reply_to     TEXT,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    next_try_at  INTEGER NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_try_at);
