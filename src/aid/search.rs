//! What mutual aid gives the search index: the open posts not hidden by moderation. A post
//! that closes, expires or is hidden is absent from the documents and so leaves the index.
//! The category is the post's kind (`offer`, `need`, `ad_sale`, `ad_wanted`), which lets the
//! matching ask the index for one kind only.

use rusqlite::Connection;

use super::{store, KIND};
use crate::search::{Doc, Source};

/// Mutual aid's search source.
pub const SOURCE: Source = Source {
    kind: KIND,
    ids: store::indexed_ids,
    docs,
    next_dates: None,
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(store::indexable_by_ids(conn, ids)?
        .into_iter()
        .map(|p| Doc {
            kind: KIND,
            id: p.id,
            body: p.description.clone(),
            tags: vec![p.category.as_str().to_string()],
            category: p.kind.as_str().to_string(),
            point: p.point,
            date: None,
            url: p.url(),
            title: p.title,
        })
        .collect())
}
