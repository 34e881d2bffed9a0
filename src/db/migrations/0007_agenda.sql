-- Migration 7: the agenda (events, occurrences, RSVPs).
SELECT 1;
