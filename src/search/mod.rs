//! One search box for every kind of thing, French-aware, ranked by relevance and distance.
//!
//! The tantivy index in `DATA/search-index/` is derived from SQLite: triggers put every change
//! of an indexed row in `search_queue` (same transaction), and the indexer thread applies the
//! queue within a fraction of a second. Modules say what they index in [`sources`]; the
//! search code knows nothing else about them.
//!
//! Ranking: `rank = bm25 × 1 / (1 + distance_km / 5)`. Of two results equally relevant, the
//! nearer wins (2 km → ×0.71, 12 km → ×0.29); a far result needs to be much more relevant to
//! come first. Things without a location rank as if they were at the edge of the radius.

pub mod changes;
pub mod collector;
pub mod handlers;
pub mod index;
pub mod indexer;
pub mod query;
pub mod store;
pub mod views;
mod writer;

use rusqlite::Connection;

/// What a module gives the index for one of its rows.
#[derive(Clone, Debug)]
pub struct Doc {
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// A finer kind shown with the result and usable as a filter (organisation, place...).
    pub category: String,
    pub point: Option<(f64, f64)>,
    /// For dated things (events, offers): Unix seconds.
    pub date: Option<i64>,
    pub url: String,
}

/// A module's indexed rows: all their ids (for a rebuild) and their documents by id (rows
/// that no longer exist or are not public are simply absent, and leave the index).
pub struct Source {
    pub kind: &'static str,
    pub ids: fn(&Connection) -> rusqlite::Result<Vec<i64>>,
    pub docs: fn(&Connection, &[i64]) -> rusqlite::Result<Vec<Doc>>,
    /// For dated things: `(id, start)` of the date to show with each result (the next one),
    /// read for a whole page of results at once, at `now`.
    pub next_dates: Option<NextDates>,
}

/// Reads the dates a page of results shows: `(conn, ids, now) -> (id, unix start)`.
pub type NextDates = fn(&Connection, &[i64], i64) -> rusqlite::Result<Vec<(i64, i64)>>;

/// The indexed modules, registered once at start-up by the top (`crate::modules`); a kind's
/// position in the list is stored in the index.
static SOURCES: std::sync::OnceLock<&'static [Source]> = std::sync::OnceLock::new();

/// Registers the indexed modules (the first registration stands).
pub fn register(sources: &'static [Source]) {
    let _ = SOURCES.set(sources);
}

/// Every indexed module (none before [`register`]).
pub fn sources() -> &'static [Source] {
    SOURCES.get().copied().unwrap_or(&[])
}

/// The number of a kind (its place in [`sources`]), as stored in the index.
pub fn kind_no(kind: &str) -> Option<usize> {
    sources().iter().position(|s| s.kind == kind)
}

/// The source of a kind.
pub fn source(kind: &str) -> Option<&'static Source> {
    sources().iter().find(|s| s.kind == kind)
}

/// How much nearness weighs: relevance is divided by `1 + distance / DISTANCE_SCALE_KM`.
pub const DISTANCE_SCALE_KM: f64 = 5.0;

/// The documented mix of relevance and distance.
pub fn rank(relevance: f32, distance_km: f64) -> f64 {
    relevance as f64 / (1.0 + distance_km / DISTANCE_SCALE_KM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{bbox_around, distance_km};

    #[test]
    fn distances_and_boxes() {
        let paris = (48.8566, 2.3522);
        let angers = (47.4784, -0.5632);
        let d = distance_km(paris, angers);
        assert!((d - 265.0).abs() < 5.0, "{d}");
        let (a, b, c, e) = bbox_around(angers, 15.0);
        assert!(a < angers.0 && c > angers.0 && b < angers.1 && e > angers.1);
        let east = (angers.0, e);
        assert!((distance_km(angers, east) - 15.0).abs() < 0.1);
    }

    #[test]
    fn nearer_wins_at_equal_relevance() {
        assert!(rank(1.0, 2.0) > rank(1.0, 12.0));
        assert!(
            rank(3.0, 12.0) > rank(1.0, 2.0),
            "much more relevant can come first"
        );
    }
}
