//! The agenda: events, their recurrence, pages and feeds (issue 6).
