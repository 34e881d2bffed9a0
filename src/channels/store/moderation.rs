//! Messages and threads in the one moderation mechanism (reports, hiding, masking a person),
//! and the search documents of summaries. SQL only.

use rusqlite::{params, Connection};

use crate::moderation::{store::ids, store::items, Item};

/// A thread everyone may read: in a public channel (of the village or of a public page), not
/// hidden.
const PUBLIC: &str = "t.hidden = 0 AND ch.visibility = 'public' AND (ch.actor_id IS NULL
    OR EXISTS (SELECT 1 FROM actors a WHERE a.id = ch.actor_id AND a.visibility = 'public'))";

/// The messages of these ids.
pub fn load_messages(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        &format!(
            "SELECT m.id, t.title, m.body, '/c/' || ch.slug || '/t/' || t.id || '?m=' || m.id || '#m' || m.id,
                    m.author_id, ch.actor_id, {PUBLIC} AND m.hidden = 0, m.hidden = 1 OR t.hidden = 1
             FROM channel_messages m JOIN channel_threads t ON t.id = m.thread_id
             JOIN channels ch ON ch.id = t.channel_id
             WHERE m.id IN (SELECT value FROM json_each(?1))"
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

/// Hides a message (its moderators still see it, marked).
pub fn hide_message(c: &Connection, id: i64, _by: i64, _now: i64) -> rusqlite::Result<String> {
    set_hidden(c, "channel_messages", id, true)?;
    Ok(String::new())
}

/// Puts a message back.
pub fn restore_message(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    set_hidden(c, "channel_messages", id, false)
}

/// Deletes a message (its thread's counters kept).
pub fn delete_message(c: &Connection, id: i64) -> rusqlite::Result<()> {
    super::delete_message(c, id)
}

/// Replaces a message's text (personal data edited out).
pub fn edit_message(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    super::edit_message(c, id, text, crate::db::now())
}

/// A person's visible messages.
pub fn messages_by(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM channel_messages WHERE author_id = ?1 AND hidden = 0",
        user_id,
    )
}

/// The threads of these ids (their text: the summary, else empty).
pub fn load_threads(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        &format!(
            "SELECT t.id, t.title, COALESCE(t.summary, ''), '/c/' || ch.slug || '/t/' || t.id,
                    t.author_id, ch.actor_id, {PUBLIC}, t.hidden = 1
             FROM channel_threads t JOIN channels ch ON ch.id = t.channel_id
             WHERE t.id IN (SELECT value FROM json_each(?1))"
        ),
        id_list,
    )
}

/// Hides a whole thread.
pub fn hide_thread(c: &Connection, id: i64, _by: i64, _now: i64) -> rusqlite::Result<String> {
    set_hidden(c, "channel_threads", id, true)?;
    Ok(String::new())
}

/// Puts a thread back.
pub fn restore_thread(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    set_hidden(c, "channel_threads", id, false)
}

/// Deletes a thread with its messages.
pub fn delete_thread(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM channel_threads WHERE id = ?1", params![id])?;
    Ok(())
}

/// Replaces a thread's summary (a closed thread's text; nothing for an open one).
pub fn edit_thread(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE channel_threads SET summary = ?2 WHERE id = ?1 AND summary IS NOT NULL",
        params![id, text],
    )?;
    Ok(())
}

/// A person's visible threads.
pub fn threads_by(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM channel_threads WHERE author_id = ?1 AND hidden = 0",
        user_id,
    )
}

/// The ids of every public summary (the search index's rebuild).
pub fn public_summary_ids(c: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT t.id FROM channel_threads t JOIN channels ch ON ch.id = t.channel_id
         WHERE {PUBLIC} AND t.summary IS NOT NULL"
    ))?;
    let rows = st.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// A public summary: (thread id, channel slug, channel name, title, summary, closed at).
pub type Public = (i64, String, String, String, String, i64);

/// The public summaries among these ids (the others leave the index).
pub fn public_summaries(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Public>> {
    let list = serde_json::to_string(id_list).unwrap_or_else(|_| "[]".into());
    let mut st = c.prepare_cached(&format!(
        "SELECT t.id, ch.slug, ch.name, t.title, t.summary, t.closed_at
         FROM channel_threads t JOIN channels ch ON ch.id = t.channel_id
         WHERE t.id IN (SELECT value FROM json_each(?1)) AND {PUBLIC} AND t.summary IS NOT NULL"
    ))?;
    let rows = st.query_map([list], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })?;
    rows.collect()
}
