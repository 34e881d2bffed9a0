//! What the agenda gives the search index: every public, scheduled event (cancelled and
//! members-only ones are left out), with its place and the date of its next occurrence.

use rusqlite::Connection;

use super::store::{outside, GEO_KIND};
use crate::search::{Doc, Source};

/// The agenda's search source.
pub const SOURCE: Source = Source {
    kind: GEO_KIND,
    ids: outside::indexed_ids,
    docs,
    next_dates: Some(outside::next_starts),
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(outside::indexed_events(conn, ids, crate::db::now())?
        .into_iter()
        .map(|(e, next)| Doc {
            kind: GEO_KIND,
            id: e.id,
            body: format!(
                "{}\n{}\n{}\n{}",
                e.description,
                e.location_label(),
                e.organiser_name().unwrap_or(""),
                e.type_.as_str()
            ),
            point: e.point(),
            url: format!("/e/{}", e.slug),
            title: e.title,
            tags: e.tags,
            category: GEO_KIND.to_string(),
            date: Some(next),
        })
        .collect())
}
