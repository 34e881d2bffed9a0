//! Every SQL statement of the mailing lists: lists and settings here; subscribers and the
//! consent ledger, mailings and revisions, the sending queue in the submodules.

pub mod mailings;
pub mod queue;
pub mod subscribers;

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::{Frequency, List, ListInput};

const LIST_COLUMNS: &str = "l.id, l.slug, l.name, l.purpose, l.actor_id, a.slug, a.name,
    l.is_village, l.public, l.frequency, l.frequency_days, l.needs_approval, l.created_at, l.members_post";
const LIST_FROM: &str = "lists l LEFT JOIN actors a ON a.id = l.actor_id";

fn list_from_row(r: &Row) -> rusqlite::Result<List> {
    let actor_id: Option<i64> = r.get(4)?;
    let actor = match actor_id {
        Some(id) => Some((id, r.get(5)?, r.get(6)?)),
        None => None,
    };
    let kind: String = r.get(9)?;
    Ok(List {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        purpose: r.get(3)?,
        actor,
        is_village: r.get(7)?,
        public: r.get(8)?,
        frequency: Frequency::from_db(&kind, r.get(10)?),
        needs_approval: r.get(11)?,
        created_at: r.get(12)?,
        members_post: r.get(13)?,
    })
}

/// A list by its slug.
pub fn list_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<List>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM {LIST_FROM} WHERE l.slug = :slug");
    conn.prepare_cached(&sql)?
        .query_row(named_params! {":slug": slug}, list_from_row)
        .optional()
}

/// A list by its id.
pub fn list_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<List>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM {LIST_FROM} WHERE l.id = :id");
    conn.prepare_cached(&sql)?
        .query_row(named_params! {":id": id}, list_from_row)
        .optional()
}

/// The village list, if it was created.
pub fn village_list(conn: &Connection) -> rusqlite::Result<Option<List>> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM {LIST_FROM} WHERE l.is_village = 1");
    conn.prepare_cached(&sql)?
        .query_row([], list_from_row)
        .optional()
}

/// Every list, the village's first, then by name; private ones only for `with_private`.
pub fn all_lists(conn: &Connection, with_private: bool) -> rusqlite::Result<Vec<List>> {
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM {LIST_FROM} WHERE l.public = 1 OR :all
         ORDER BY l.is_village DESC, l.name COLLATE NOCASE"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(named_params! {":all": with_private}, list_from_row)?;
    rows.collect()
}

/// The slugs of the actors `user_id` administers: the lists they may edit and create.
pub fn admin_actors(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.slug, a.name FROM memberships m JOIN actors a ON a.id = m.actor_id
         WHERE m.user_id = :u AND m.role = 'admin' AND m.status = 'active'
         ORDER BY a.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// A free slug starting with `base`.
fn unique_slug(conn: &Connection, base: &str) -> rusqlite::Result<String> {
    // `u`, `new` and `confirm` are paths of their own under /lists/.
    let base = match base {
        "" | "u" | "new" | "confirm" => "liste",
        b => b,
    };
    let mut stmt = conn.prepare_cached("SELECT 1 FROM lists WHERE slug = :s")?;
    let mut candidate = base.to_string();
    let mut n = 2;
    while stmt.exists(named_params! {":s": candidate})? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Creates a list; `actor_id` None with `village` makes it the village list. Returns its slug.
pub fn insert_list(
    conn: &Connection,
    input: &ListInput,
    actor_id: Option<i64>,
    village: bool,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<String> {
    let base = if village {
        "village".to_string()
    } else {
        crate::text::slugify(&input.name)
    };
    let slug = unique_slug(conn, &base)?;
    let (kind, days) = input.frequency.to_db();
    conn.prepare_cached(
        "INSERT INTO lists (slug, name, purpose, actor_id, is_village, public, frequency,
             frequency_days, needs_approval, members_post, created_by, created_at)
         VALUES (:slug, :name, :purpose, :actor, :village, :public, :kind, :days, :approval,
             :members, :by, :now)",
    )?
    .execute(named_params! {
        ":slug": slug, ":name": input.name, ":purpose": input.purpose, ":actor": actor_id,
        ":village": village, ":public": input.public, ":kind": kind, ":days": days,
        ":approval": input.needs_approval, ":members": input.members_post, ":by": by, ":now": now,
    })?;
    Ok(slug)
}

/// Updates a list's description and promise.
pub fn update_list(conn: &Connection, id: i64, input: &ListInput) -> rusqlite::Result<()> {
    let (kind, days) = input.frequency.to_db();
    conn.prepare_cached(
        "UPDATE lists SET name = :name, purpose = :purpose, public = :public, frequency = :kind,
             frequency_days = :days, needs_approval = :approval, members_post = :members
         WHERE id = :id",
    )?
    .execute(named_params! {
        ":id": id, ":name": input.name, ":purpose": input.purpose, ":public": input.public,
        ":kind": kind, ":days": days, ":approval": input.needs_approval,
        ":members": input.members_post,
    })?;
    Ok(())
}

/// The relay's limits: (per minute, per day).
pub fn limits(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached("SELECT per_minute, per_day FROM list_settings WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// The DKIM settings: (domain, selector, private key PEM); empty domain for none.
pub fn dkim(conn: &Connection) -> rusqlite::Result<(String, String, String)> {
    conn.prepare_cached(
        "SELECT dkim_domain, dkim_selector, dkim_key FROM list_settings WHERE id = 1",
    )?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
}

/// Sets the DKIM settings; `key` None keeps the stored key.
pub fn set_dkim(
    conn: &Connection,
    domain: &str,
    selector: &str,
    key: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE list_settings SET dkim_domain = :d, dkim_selector = :s,
             dkim_key = COALESCE(:k, dkim_key) WHERE id = 1",
    )?
    .execute(named_params! {":d": domain, ":s": selector, ":k": key})?;
    Ok(())
}

/// Sets the relay's limits.
pub fn set_limits(conn: &Connection, per_minute: i64, per_day: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE list_settings SET per_minute = :m, per_day = :d WHERE id = 1")?
        .execute(named_params! {":m": per_minute, ":d": per_day})?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
