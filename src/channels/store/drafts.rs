//! Summaries into newsletter drafts: the drafts a person edits, and appending a text to one
//! as a new revision (through the lists' own store, so revisions and conflicts hold).

use rusqlite::{named_params, Connection};

use crate::lists::store::mailings;
use crate::lists::DraftInput;

/// The drafts a person may edit: every list's for the site's staff, those of the lists of
/// pages they administer otherwise; (mailing id, « list — subject »).
pub fn drafts_for(c: &Connection, uid: i64, staff: bool) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut st = c.prepare_cached(
        "SELECT m.id, l.name || ' — ' || m.subject FROM list_mailings m JOIN lists l ON l.id = m.list_id
         WHERE m.status = 'draft' AND (:staff OR EXISTS (SELECT 1 FROM memberships mb
            WHERE mb.actor_id = l.actor_id AND mb.user_id = :u AND mb.role = 'admin' AND mb.status = 'active'))
         ORDER BY m.updated_at DESC LIMIT 50",
    )?;
    let rows = st.query_map(named_params! {":u": uid, ":staff": staff}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// Appends `text` to a draft as a new revision by `by`; returns the list's slug, or `None`
/// when the mailing is no longer a draft.
pub fn append_to_draft(
    c: &Connection,
    id: i64,
    text: &str,
    by: i64,
    now: i64,
) -> rusqlite::Result<Option<String>> {
    let Some(m) = mailings::mailing(c, id)? else {
        return Ok(None);
    };
    let input = DraftInput {
        subject: m.subject.clone(),
        body: format!("{}\n\n{text}", m.body.trim_end()),
    };
    if mailings::save_revision(c, id, m.revision, &input, by, now)?.is_err() {
        return Ok(None);
    }
    c.prepare_cached(
        "SELECT slug FROM lists WHERE id = (SELECT list_id FROM list_mailings WHERE id = :id)",
    )?
    .query_row(named_params! {":id": id}, |r| r.get(0))
    .map(Some)
}
