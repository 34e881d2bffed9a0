//! What the directory gives the search index: every public actor, with its name, summary,
//! description, tags, category and location.

use rusqlite::Connection;

use super::store;
use crate::search::{Doc, Source};

/// The directory's search source.
pub const SOURCE: Source = Source {
    kind: "actor",
    ids: store::public_actor_ids,
    docs,
    next_dates: None,
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(store::public_actors_by_ids(conn, ids)?
        .into_iter()
        .map(|a| Doc {
            kind: "actor",
            id: a.id,
            body: format!("{}\n{}\n{}", a.summary, a.description, a.address),
            title: a.name,
            tags: a.tags,
            category: a.kind.as_str().to_string(),
            point: a.lat.zip(a.lon),
            date: None,
            url: format!("/a/{}", a.slug),
        })
        .collect())
}
