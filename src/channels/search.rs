//! What channels give the search index: the summaries of closed threads of public channels
//! (kind `summary`); members' and residents' channels are never indexed, and a summary whose
//! thread is hidden, reopened or gone leaves the index.

use rusqlite::Connection;

use super::store::moderation::{public_summaries, public_summary_ids};
use crate::search::{Doc, Source};

/// The summaries' search source.
pub const SOURCE: Source = Source {
    kind: "summary",
    ids: public_summary_ids,
    docs,
    next_dates: None,
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(public_summaries(conn, ids)?
        .into_iter()
        .map(|(id, slug, channel, title, summary, closed_at)| Doc {
            kind: "summary",
            id,
            title,
            body: format!("{summary}\n{channel}"),
            tags: Vec::new(),
            category: "summary".to_string(),
            point: None,
            date: Some(closed_at),
            url: format!("/c/{slug}/t/{id}/summary"),
        })
        .collect())
}
