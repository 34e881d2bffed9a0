//! What proposals give the search index: only the public ones (the village's and the public
//! pages', not hidden); any other is absent from the documents and so leaves the index.

use rusqlite::Connection;

use super::store::moderation::{public_by_ids, public_ids};
use crate::search::{Doc, Source};

/// The proposals' search source.
pub const SOURCE: Source = Source {
    kind: "proposal",
    ids: public_ids,
    docs,
    next_dates: None,
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(public_by_ids(conn, ids)?
        .into_iter()
        .map(|(id, title, body, page, deadline)| Doc {
            kind: "proposal",
            id,
            title,
            body: match page {
                Some(name) => format!("{body}\n{name}"),
                None => body,
            },
            tags: Vec::new(),
            category: "proposal".to_string(),
            point: None,
            date: Some(deadline),
            url: format!("/votes/{id}"),
        })
        .collect())
}
