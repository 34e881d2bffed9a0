-- Agenda speed on a département (10^5 events, ~2x10^5 dates): the month grid and the week
-- count every date of their days from (start, end) alone, and find each date's event: with the
-- event id in the index of the dates by start, that walk never reads the occurrence rows.
DROP INDEX occurrences_start;
CREATE INDEX occurrences_start ON occurrences(start_utc, end_utc, event_id);
