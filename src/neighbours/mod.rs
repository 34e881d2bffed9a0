//! Neighbours: the instances of the next villages. The admin adds one by its address; its
//! public summaries are pulled from its change feed (`/api/v1/changes`, OpenActive RPDE) every
//! 15 minutes and on demand, kept in `neighbour_items` (derived: removing the neighbour removes
//! them) and indexed in the same search index as local items, so one query ranks both by the
//! same relevance × distance rule; each result says where it comes from and links to the
//! neighbour's page. A neighbour silent for 7 days has its items hidden from searches.

pub mod admin;
pub mod choice;
pub mod link;
pub mod store;
pub mod sync;

use rusqlite::Connection;

use crate::search::{Doc, Source};

/// The search kind of the neighbours' items (appended to the search sources: its position is
/// stored in the index).
pub const KIND: &str = "neighbour";

/// A neighbouring instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbour {
    pub id: i64,
    /// Its base URL, no trailing slash.
    pub url: String,
    pub name: String,
    pub center: Option<(f64, f64)>,
    pub radius_km: Option<f64>,
    pub cursor_t: i64,
    pub cursor_id: String,
    pub last_try: i64,
    pub last_ok: i64,
    pub last_error: String,
    pub failures: i64,
    pub items: i64,
    /// `asked` (we asked, they have not answered), `pending` (they asked, our admin has not
    /// answered), `linked`, `declined` (we declined their request).
    pub state: String,
    /// The link's token, the same on both sides (empty for a neighbour added before links).
    pub token: String,
}

/// Where a neighbour's search result comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub name: String,
    /// The neighbour's base URL.
    pub url: String,
    /// When its copy was last pulled.
    pub pulled: i64,
    /// Its last pull failed: the result comes from that older copy.
    pub stale: bool,
    /// For an event, its start.
    pub start: Option<i64>,
}

impl Origin {
    /// The neighbour's host, as shown beside its name.
    pub fn host(&self) -> String {
        crate::federation::host_of(&self.url).unwrap_or_default()
    }
}

/// A summary pulled from a neighbour.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Its id in the neighbour's feed (`event:12`).
    pub remote_id: String,
    pub kind: String,
    pub category: String,
    pub title: String,
    pub text: String,
    pub tags: Vec<String>,
    pub point: Option<(f64, f64)>,
    pub start: Option<i64>,
    /// Its page on the neighbour's site (absolute).
    pub url: String,
    pub modified: i64,
}

/// The neighbours' search source.
pub const SOURCE: Source = Source {
    kind: KIND,
    ids: store::item_ids,
    docs,
    next_dates: None,
};

fn docs(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Doc>> {
    Ok(store::items_by_ids(conn, ids, crate::db::now())?
        .into_iter()
        .map(|(id, i, neighbour)| Doc {
            kind: KIND,
            id,
            title: i.title,
            body: format!("{}\n{neighbour}", i.text),
            tags: i.tags,
            category: KIND.to_string(),
            point: i.point,
            date: i.start,
            url: i.url,
        })
        .collect())
}
