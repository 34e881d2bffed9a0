//! Every SQL statement about rooms, their rules and managers. Bookings are beside this file.

pub mod bookings;
pub mod leaving;
pub mod moderation;

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::rules::{Rules, Who};
use super::Room;
use crate::directory::hours::Hours;
use crate::i18n::Lang;

const ROOM_SELECT: &str =
    "SELECT id, slug, name, summary, capacity, equipment, accessibility, photo,
        address, hours FROM actors
    WHERE kind = 'place' AND type = 'room' AND visibility = 'public'";

fn room_from_row(r: &Row) -> rusqlite::Result<Room> {
    let hours: String = r.get("hours")?;
    Ok(Room {
        id: r.get("id")?,
        slug: r.get("slug")?,
        name: r.get("name")?,
        summary: r.get("summary")?,
        capacity: r.get("capacity")?,
        equipment: r.get("equipment")?,
        accessibility: r.get("accessibility")?,
        photo: r.get("photo")?,
        address: r.get("address")?,
        hours: Hours::from_json(&hours),
    })
}

/// The public room with this slug.
pub fn room_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<Room>> {
    conn.prepare_cached(&format!("{ROOM_SELECT} AND slug = :slug"))?
        .query_row(named_params! {":slug": slug}, room_from_row)
        .optional()
}

/// The public room with this id.
pub fn room_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Room>> {
    conn.prepare_cached(&format!("{ROOM_SELECT} AND id = :id"))?
        .query_row(named_params! {":id": id}, room_from_row)
        .optional()
}

/// Every public room, by name.
pub fn rooms(conn: &Connection) -> rusqlite::Result<Vec<Room>> {
    conn.prepare_cached(&format!("{ROOM_SELECT} ORDER BY name COLLATE NOCASE, id"))?
        .query_map([], room_from_row)?
        .collect()
}

/// One page of the public rooms, by name, and how many there are.
pub fn rooms_page(
    conn: &Connection,
    offset: usize,
    limit: usize,
) -> rusqlite::Result<(Vec<Room>, usize)> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM actors INDEXED BY actors_public_rooms
             WHERE kind = 'place' AND type = 'room' AND visibility = 'public'",
        )?
        .query_row([], |r| r.get(0))?;
    let rooms = conn
        .prepare_cached(&format!(
            "{} ORDER BY name COLLATE NOCASE, id LIMIT :limit OFFSET :offset",
            ROOM_SELECT.replace("FROM actors", "FROM actors INDEXED BY actors_public_rooms")
        ))?
        .query_map(
            named_params! {":limit": limit as i64, ":offset": offset as i64},
            room_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rooms, total as usize))
}

fn actor_refs(
    conn: &Connection,
    sql: &str,
    id: i64,
) -> rusqlite::Result<Vec<(i64, String, String)>> {
    conn.prepare_cached(sql)?
        .query_map(named_params! {":id": id}, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect()
}

const RULES_COLUMNS: &str = "min_minutes, max_minutes, buffer_minutes, horizon_days, who,
    approval, quota_week, quota_month, access_instructions, manager_actor_id, room_id";

/// The saved rules of a row (without their lists of actors and managers) and its manager actor.
fn rules_row(r: &rusqlite::Row) -> rusqlite::Result<(Rules, Option<i64>)> {
    let who: String = r.get(4)?;
    Ok((
        Rules {
            min_minutes: r.get(0)?,
            max_minutes: r.get(1)?,
            buffer_minutes: r.get(2)?,
            horizon_days: r.get(3)?,
            who: Who::parse(&who).unwrap_or(Who::Managers),
            approval: r.get(5)?,
            quota_week: r.get(6)?,
            quota_month: r.get(7)?,
            access_instructions: r.get(8)?,
            ..Rules::default()
        },
        r.get::<_, Option<i64>>(9)?,
    ))
}

/// The rules of every room that has saved ones, in one query (the list of rooms in the API):
/// without the allowed actors and the managers.
pub fn all_rules(conn: &Connection) -> rusqlite::Result<std::collections::HashMap<i64, Rules>> {
    conn.prepare_cached(&format!("SELECT {RULES_COLUMNS} FROM room_rules"))?
        .query_map([], |r| Ok((r.get::<_, i64>(10)?, rules_row(r)?.0)))?
        .collect()
}

/// The rules of a room (the defaults when none were saved).
pub fn rules_of(conn: &Connection, room_id: i64) -> rusqlite::Result<Rules> {
    let mut rules = conn
        .prepare_cached(&format!(
            "SELECT {RULES_COLUMNS} FROM room_rules WHERE room_id = :id"
        ))?
        .query_row(named_params! {":id": room_id}, rules_row)
        .optional()?;
    let Some((mut r, manager_actor_id)) = rules.take() else {
        return Ok(Rules::default());
    };
    if let Some(id) = manager_actor_id {
        r.manager_actor = actor_refs(conn, "SELECT id, slug, name FROM actors WHERE id = :id", id)?
            .into_iter()
            .next();
    }
    r.allowed = actor_refs(
        conn,
        "SELECT a.id, a.slug, a.name FROM room_allowed ra JOIN actors a ON a.id = ra.actor_id
         WHERE ra.room_id = :id ORDER BY a.name",
        room_id,
    )?;
    r.managers = conn
        .prepare_cached(
            "SELECT u.id, u.name, u.email FROM room_managers m JOIN users u ON u.id = m.user_id
             WHERE m.room_id = :id ORDER BY u.name",
        )?
        .query_map(named_params! {":id": room_id}, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(r)
}

/// Saves a room's rules, its allowed actors and its manager accounts (replacing the old lists).
pub fn save_rules(
    conn: &Connection,
    room_id: i64,
    r: &Rules,
    manager_actor_id: Option<i64>,
    allowed: &[i64],
    managers: &[i64],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO room_rules (room_id, min_minutes, max_minutes, buffer_minutes, horizon_days,
            who, approval, quota_week, quota_month, access_instructions, manager_actor_id, updated_at)
         VALUES (:room, :min, :max, :buffer, :horizon, :who, :approval, :qw, :qm, :access, :mactor, :now)
         ON CONFLICT (room_id) DO UPDATE SET min_minutes = excluded.min_minutes,
            max_minutes = excluded.max_minutes, buffer_minutes = excluded.buffer_minutes,
            horizon_days = excluded.horizon_days, who = excluded.who, approval = excluded.approval,
            quota_week = excluded.quota_week, quota_month = excluded.quota_month,
            access_instructions = excluded.access_instructions,
            manager_actor_id = excluded.manager_actor_id, updated_at = excluded.updated_at",
        named_params! {
            ":room": room_id, ":min": r.min_minutes, ":max": r.max_minutes,
            ":buffer": r.buffer_minutes, ":horizon": r.horizon_days, ":who": r.who.as_str(),
            ":approval": r.approval, ":qw": r.quota_week, ":qm": r.quota_month,
            ":access": r.access_instructions, ":mactor": manager_actor_id, ":now": now,
        },
    )?;
    conn.execute(
        "DELETE FROM room_allowed WHERE room_id = :room",
        named_params! {":room": room_id},
    )?;
    for a in allowed {
        conn.execute(
            "INSERT OR IGNORE INTO room_allowed (room_id, actor_id) VALUES (:room, :actor)",
            named_params! {":room": room_id, ":actor": a},
        )?;
    }
    conn.execute(
        "DELETE FROM room_managers WHERE room_id = :room",
        named_params! {":room": room_id},
    )?;
    for u in managers {
        conn.execute(
            "INSERT OR IGNORE INTO room_managers (room_id, user_id) VALUES (:room, :user)",
            named_params! {":room": room_id, ":user": u},
        )?;
    }
    Ok(())
}

/// Whether the account manages the room: named manager, admin of the room's page, or admin of
/// the manager actor (site admins are checked by the caller).
pub fn is_manager(conn: &Connection, room_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM room_managers WHERE room_id = :room AND user_id = :user)
             OR EXISTS (SELECT 1 FROM memberships WHERE actor_id = :room AND user_id = :user
                        AND role = 'admin' AND status = 'active')
             OR EXISTS (SELECT 1 FROM room_rules r JOIN memberships m ON m.actor_id = r.manager_actor_id
                        WHERE r.room_id = :room AND m.user_id = :user AND m.role = 'admin'
                        AND m.status = 'active')",
    )?
    .query_row(named_params! {":room": room_id, ":user": user_id}, |r| {
        r.get(0)
    })
}

/// The addresses (and languages) of a room's managers; the site's admins when it has none.
pub fn manager_addresses(
    conn: &Connection,
    room_id: i64,
) -> rusqlite::Result<Vec<(String, Option<Lang>)>> {
    let rows: Vec<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT email, lang FROM users WHERE id IN (
                SELECT user_id FROM room_managers WHERE room_id = :room
                UNION SELECT user_id FROM memberships WHERE actor_id = :room AND role = 'admin'
                      AND status = 'active'
                UNION SELECT m.user_id FROM room_rules r JOIN memberships m
                      ON m.actor_id = r.manager_actor_id
                      WHERE r.room_id = :room AND m.role = 'admin' AND m.status = 'active')
             ORDER BY id",
        )?
        .query_map(named_params! {":room": room_id}, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return crate::auth::store::admin_addresses(conn);
    }
    Ok(rows
        .into_iter()
        .map(|(e, l)| (e, l.as_deref().and_then(Lang::from_code)))
        .collect())
}

/// Whether the account is an active member of one of the actors allowed to book the room.
pub fn member_of_allowed(conn: &Connection, room_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM room_allowed ra JOIN memberships m ON m.actor_id = ra.actor_id
             WHERE ra.room_id = :room AND m.user_id = :user AND m.status = 'active')",
    )?
    .query_row(named_params! {":room": room_id, ":user": user_id}, |r| {
        r.get(0)
    })
}

/// Whether the actor is one of those allowed to book the room.
pub fn is_allowed(conn: &Connection, room_id: i64, actor_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM room_allowed WHERE room_id = :room AND actor_id = :actor)",
    )?
    .query_row(named_params! {":room": room_id, ":actor": actor_id}, |r| {
        r.get(0)
    })
}

/// The actors (not people) the account is an active member of: those it may book for, with
/// whether it is their admin.
pub fn bookable_actors(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Vec<(i64, String, String, bool)>> {
    conn.prepare_cached(
        "SELECT a.id, a.slug, a.name, m.role = 'admin' FROM memberships m
         JOIN actors a ON a.id = m.actor_id
         WHERE m.user_id = :user AND m.status = 'active' AND a.kind <> 'person'
         ORDER BY a.name COLLATE NOCASE",
    )?
    .query_map(named_params! {":user": user_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?
    .collect()
}

/// The id of the actor with this slug, if it is not a person.
pub fn actor_id(conn: &Connection, slug: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM actors WHERE slug = :slug AND kind <> 'person'")?
        .query_row(named_params! {":slug": slug}, |r| r.get(0))
        .optional()
}

/// The pages a room's form offers, by name: (slug, name). With `places`, every page but the
/// people's (the page whose admins manage the room: the town hall, a place); without, the
/// organisations and projects (whose members may book), at most 500.
pub fn page_choices(conn: &Connection, places: bool) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT slug, name FROM actors
         WHERE kind <> 'person' AND (:places OR kind <> 'place')
         ORDER BY name COLLATE NOCASE, slug LIMIT 500",
    )?;
    let rows = stmt.query_map(named_params! {":places": places}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// The ids of the rooms the account manages (all of them for a site admin).
pub fn managed_room_ids(
    conn: &Connection,
    user_id: i64,
    site_admin: bool,
) -> rusqlite::Result<Vec<i64>> {
    let mut out = Vec::new();
    for room in rooms(conn)? {
        if site_admin || is_manager(conn, room.id, user_id)? {
            out.push(room.id);
        }
    }
    Ok(out)
}

/// Records the hash of an actor's private feed token (replacing the old one).
pub fn set_feed_token(
    conn: &Connection,
    actor_id: i64,
    hash: &[u8],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO room_feeds (actor_id, token_hash, created_at) VALUES (:actor, :hash, :now)
         ON CONFLICT (actor_id) DO UPDATE SET token_hash = excluded.token_hash,
            created_at = excluded.created_at",
        named_params! {":actor": actor_id, ":hash": hash, ":now": now},
    )?;
    Ok(())
}

/// The actor (id, name) whose private feed token has this hash.
pub fn actor_by_feed_token(
    conn: &Connection,
    hash: &[u8],
) -> rusqlite::Result<Option<(i64, String)>> {
    conn.prepare_cached(
        "SELECT a.id, a.name FROM room_feeds f JOIN actors a ON a.id = f.actor_id
         WHERE f.token_hash = :hash",
    )?
    .query_row(named_params! {":hash": hash}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}
