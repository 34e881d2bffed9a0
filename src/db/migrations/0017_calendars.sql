-- Migration 17: calendars from the real world (issue 17). Any RFC 5545 rule is kept as
-- written (events.rrule), with its added dates (RDATE) and the dates an imported calendar
-- changed alone (RECURRENCE-ID overrides), so that our own feeds re-emit them; each import
-- run keeps its report, event by event.

-- Added dates of a series: local wall times 'YYYY-MM-DDTHH:MM' in the event's zone, by commas.
-- (events.exdates now holds local days 'YYYY-MM-DD' or local starts 'YYYY-MM-DDTHH:MM'.)
ALTER TABLE events ADD COLUMN rdates TEXT NOT NULL DEFAULT '';

-- One date of a series as its calendar changed it (moved, retimed, retitled or cancelled),
-- keyed by its place in the series (the RECURRENCE-ID, UTC seconds). Materialising applies it
-- to the occurrence of that recurrence id, however far the horizon is.
CREATE TABLE event_overrides (
    event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    recurrence_id  INTEGER NOT NULL,
    start_utc      INTEGER NOT NULL,
    end_utc        INTEGER NOT NULL CHECK (end_utc >= start_utc),
    cancelled      INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    -- NULL: the series' title.
    title          TEXT,
    PRIMARY KEY (event_id, recurrence_id)
) WITHOUT ROWID;

-- The last run's report (JSON: each event kept, adjusted or refused, with the reasons) and
-- its count of refused events.
ALTER TABLE agenda_sources ADD COLUMN last_report TEXT NOT NULL DEFAULT '';
ALTER TABLE agenda_sources ADD COLUMN last_refused INTEGER NOT NULL DEFAULT 0;
