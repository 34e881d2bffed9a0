//! The originals of masked text: one row per field of an item that held personal data. SQL only.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Kind, Shielded};
use crate::i18n::Lang;

/// The original of one field, for its author and the moderators.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Original {
    pub kind: String,
    pub item_id: i64,
    pub field: String,
    pub original: String,
    pub found: Vec<String>,
    pub created_at: i64,
}

impl Original {
    pub fn kinds(&self) -> Vec<Kind> {
        self.found.iter().filter_map(|k| Kind::parse(k)).collect()
    }
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<Original> {
    let found: String = r.get(4)?;
    Ok(Original {
        kind: r.get(0)?,
        item_id: r.get(1)?,
        field: r.get(2)?,
        original: r.get(3)?,
        found: found
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        created_at: r.get(5)?,
    })
}

const COLUMNS: &str = "kind, item_id, field, original, found, created_at";

/// Files the original of `field` aside when it held personal data, or forgets the one filed
/// before when the new text holds none (inside the caller's write transaction).
pub fn keep(
    c: &Connection,
    kind: &str,
    item_id: i64,
    field: &str,
    s: &Shielded,
    author_id: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    match &s.original {
        Some(original) => {
            let found: Vec<&str> = s.found.iter().map(|k| k.name()).collect();
            c.execute(
                "INSERT INTO personal_originals (kind, item_id, field, original, found, author_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (kind, item_id, field) DO UPDATE SET original = excluded.original,
                     found = excluded.found, created_at = excluded.created_at",
                params![kind, item_id, field, original, found.join(","), author_id, now],
            )?;
        }
        None => {
            c.execute(
                "DELETE FROM personal_originals WHERE kind = ?1 AND item_id = ?2 AND field = ?3",
                params![kind, item_id, field],
            )?;
        }
    }
    Ok(())
}

/// The originals of one item's fields.
pub fn originals(c: &Connection, kind: &str, item_id: i64) -> rusqlite::Result<Vec<Original>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM personal_originals WHERE kind = ?1 AND item_id = ?2 ORDER BY field"
    ))?;
    let rows = st.query_map(params![kind, item_id], row)?;
    rows.collect()
}

/// The original of one field, if it was masked.
pub fn original(
    c: &Connection,
    kind: &str,
    item_id: i64,
    field: &str,
) -> rusqlite::Result<Option<String>> {
    c.query_row(
        "SELECT original FROM personal_originals WHERE kind = ?1 AND item_id = ?2 AND field = ?3",
        params![kind, item_id, field],
        |r| r.get(0),
    )
    .optional()
}

/// Forgets an item's originals for good (a moderator's purge); how many fields went.
pub fn purge(c: &Connection, kind: &str, item_id: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM personal_originals WHERE kind = ?1 AND item_id = ?2",
        params![kind, item_id],
    )
}

/// Every original a person wrote ("download my data").
pub fn by_author(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<Original>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM personal_originals WHERE author_id = ?1 ORDER BY created_at"
    ))?;
    let rows = st.query_map([user_id], row)?;
    rows.collect()
}

/// The language text is masked in: the instance's default language (French before setup).
pub fn village_lang(c: &Connection) -> rusqlite::Result<Lang> {
    let code: Option<String> = c
        .query_row("SELECT default_lang FROM instance WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(code.and_then(|c| Lang::from_code(&c)).unwrap_or(Lang::Fr))
}
