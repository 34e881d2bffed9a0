-- Migration 8: local news (posts, comments, reports).
SELECT 1;
