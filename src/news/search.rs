//! What the news gives the search index: only the posts a visitor may read (public, not
//! hidden, not on a members-only journal). Any other post is absent from the documents and
//! so leaves the index: search never shows a restricted post.

use rusqlite::Connection;

use super::store;
use crate::search::{Doc, Source};

/// The news' search source.
pub const SOURCE: Source = Source {
    kind: "news",
    ids: store::public_post_ids,
    docs,
    next_dates: None,
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(store::public_posts_by_ids(conn, ids)?
        .into_iter()
        .map(|p| Doc {
            kind: "news",
            id: p.id,
            title: p.headline(),
            body: match &p.actor {
                Some((_, _, name)) => format!("{}\n{name}", p.body),
                None => p.body.clone(),
            },
            tags: Vec::new(),
            category: "news".to_string(),
            point: None,
            date: None,
            url: p.url(),
        })
        .collect())
}
