//! Local news: posts on the village wall and actors' journals, comments, reports (issue 6).
