//! People in moderation: suspension, masking, a page's masked people. SQL only.

use rusqlite::{params, Connection, OptionalExtension};

/// A person as the moderators see them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub lang: Option<String>,
    pub role: String,
    pub suspended_until: Option<i64>,
    pub suspended_reason: String,
    pub masked_at: Option<i64>,
}

const PERSON: &str =
    "SELECT id, name, email, lang, role, suspended_until, suspended_reason, masked_at FROM users";

fn person_row(r: &rusqlite::Row) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        lang: r.get(3)?,
        role: r.get(4)?,
        suspended_until: r.get(5)?,
        suspended_reason: r.get(6)?,
        masked_at: r.get(7)?,
    })
}

pub fn person(c: &Connection, id: i64) -> rusqlite::Result<Option<Person>> {
    c.query_row(&format!("{PERSON} WHERE id = ?1"), [id], person_row)
        .optional()
}

/// Suspends until `until` (FOREVER for good), or lifts with None.
pub fn set_suspension(
    c: &Connection,
    user_id: i64,
    until: Option<i64>,
    reason: &str,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE users SET suspended_until = ?2, suspended_reason = ?3 WHERE id = ?1",
        params![user_id, until, reason],
    )?;
    Ok(())
}

pub fn set_masked(c: &Connection, user_id: i64, at: Option<i64>) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE users SET masked_at = ?2 WHERE id = ?1",
        params![user_id, at],
    )?;
    Ok(())
}

/// People suspended or masked now, for the moderators' page.
pub fn restricted_people(c: &Connection, now: i64) -> rusqlite::Result<Vec<Person>> {
    let mut st = c.prepare_cached(&format!(
        "{PERSON} WHERE suspended_until > ?1 OR masked_at IS NOT NULL ORDER BY name LIMIT 500"
    ))?;
    let rows = st.query_map([now], person_row)?;
    rows.collect()
}

/// Whether the person is masked on that page (no more posts or comments there).
pub fn masked_on(c: &Connection, actor_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM actor_masked_users WHERE actor_id = ?1 AND user_id = ?2)",
        params![actor_id, user_id],
        |r| r.get(0),
    )
}

pub fn mask_on(
    c: &Connection,
    actor_id: i64,
    user_id: i64,
    by: i64,
    reason: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(c.execute(
        "INSERT INTO actor_masked_users (actor_id, user_id, masked_by, reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![actor_id, user_id, by, reason, now],
    )? > 0)
}

pub fn unmask_on(c: &Connection, actor_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    Ok(c.execute(
        "DELETE FROM actor_masked_users WHERE actor_id = ?1 AND user_id = ?2",
        params![actor_id, user_id],
    )? > 0)
}

/// The people masked on a page: (user id, name, reason, since).
pub fn masked_people_on(
    c: &Connection,
    actor_id: i64,
) -> rusqlite::Result<Vec<(i64, String, String, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT m.user_id, u.name, m.reason, m.created_at FROM actor_masked_users m
         JOIN users u ON u.id = m.user_id WHERE m.actor_id = ?1 ORDER BY u.name",
    )?;
    let rows = st.query_map([actor_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}
