//! Proposals and amendments in the one moderation mechanism (reports, hiding, masking a
//! person). SQL only.

use rusqlite::{params, Connection};

use crate::moderation::{store::ids, store::items, Item};

/// Public: a village proposal or a public page's, not hidden.
const PUBLIC: &str = "p.hidden = 0 AND (p.actor_id IS NULL OR EXISTS (SELECT 1 FROM actors a
    WHERE a.id = p.actor_id AND a.visibility = 'public'))";

/// The proposals of these ids.
pub fn load(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        &format!(
            "SELECT p.id, p.title, p.body, '/votes/' || p.id, p.author_id, p.actor_id, {PUBLIC},
                    p.hidden = 1
             FROM proposals p WHERE p.id IN (SELECT value FROM json_each(?1))"
        ),
        id_list,
    )
}

fn set_hidden(c: &Connection, table: &str, id: i64, hidden: bool) -> rusqlite::Result<()> {
    c.execute(
        &format!("UPDATE {table} SET hidden = ?2 WHERE id = ?1"),
        params![id, hidden],
    )?;
    Ok(())
}

/// Hides a proposal from every surface but its page for the moderators.
pub fn hide(c: &Connection, id: i64, _by: i64, _now: i64) -> rusqlite::Result<String> {
    set_hidden(c, "proposals", id, true)?;
    Ok(String::new())
}

/// Puts a proposal back.
pub fn restore(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    set_hidden(c, "proposals", id, false)
}

/// Deletes a proposal with its amendments, ballots and result.
pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM proposals WHERE id = ?1", params![id])?;
    Ok(())
}

/// Replaces a proposal's text (personal data edited out).
pub fn edit(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE proposals SET body = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

/// A person's visible proposals.
pub fn by_author(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM proposals WHERE author_id = ?1 AND hidden = 0",
        user_id,
    )
}

/// The amendments of these ids.
pub fn load_amendments(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        &format!(
            "SELECT m.id, p.title, m.body, '/votes/' || p.id || '#amendment-' || m.id,
                    m.author_id, p.actor_id, {PUBLIC} AND m.hidden = 0, m.hidden = 1
             FROM proposal_amendments m JOIN proposals p ON p.id = m.proposal_id
             WHERE m.id IN (SELECT value FROM json_each(?1))"
        ),
        id_list,
    )
}

/// Hides an amendment (it can then be neither seen nor accepted).
pub fn hide_amendment(c: &Connection, id: i64, _by: i64, _now: i64) -> rusqlite::Result<String> {
    set_hidden(c, "proposal_amendments", id, true)?;
    Ok(String::new())
}

/// Puts an amendment back.
pub fn restore_amendment(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    set_hidden(c, "proposal_amendments", id, false)
}

/// Deletes an amendment.
pub fn delete_amendment(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM proposal_amendments WHERE id = ?1", params![id])?;
    Ok(())
}

/// Replaces an amendment's text.
pub fn edit_amendment(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE proposal_amendments SET body = ?2 WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

/// A person's visible amendments.
pub fn amendments_by(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM proposal_amendments WHERE author_id = ?1 AND hidden = 0",
        user_id,
    )
}

/// The ids of every public proposal (the search index's rebuild).
pub fn public_ids(c: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(&format!("SELECT p.id FROM proposals p WHERE {PUBLIC}"))?;
    let rows = st.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The public proposals of these ids: (id, title, body, page name, deadline).
pub type Public = (i64, String, String, Option<String>, i64);

/// The public proposals among these ids (the others leave the index).
pub fn public_by_ids(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Public>> {
    let list = serde_json::to_string(id_list).unwrap_or_else(|_| "[]".into());
    let mut st = c.prepare_cached(&format!(
        "SELECT p.id, p.title, p.body, (SELECT name FROM actors a WHERE a.id = p.actor_id),
                p.deadline
         FROM proposals p WHERE p.id IN (SELECT value FROM json_each(?1)) AND {PUBLIC}"
    ))?;
    let rows = st.query_map([list], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    rows.collect()
}
