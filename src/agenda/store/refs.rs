//! Every SQL statement about what surrounds an event: the directory pages it names (place,
//! organiser), who may see and manage it, its sub-events, and the menus of its form.

use rusqlite::{named_params, Connection, OptionalExtension};

use super::lists;
use crate::agenda::{Access, Event, Status, Viewer, Visibility};

/// A directory page by slug: (id, kind, name, address, lat, lon, public).
pub struct ActorFacts {
    pub id: i64,
    pub kind: String,
    pub address: String,
    pub point: Option<(f64, f64)>,
    pub public: bool,
}

/// The facts of the actor with this slug, if any.
pub fn actor_facts(conn: &Connection, slug: &str) -> rusqlite::Result<Option<ActorFacts>> {
    conn.prepare_cached(
        "SELECT id, kind, address, lat, lon, visibility FROM actors WHERE slug = :slug",
    )?
    .query_row(named_params! {":slug": slug}, |r| {
        let lat: Option<f64> = r.get(3)?;
        let lon: Option<f64> = r.get(4)?;
        let vis: String = r.get(5)?;
        Ok(ActorFacts {
            id: r.get(0)?,
            kind: r.get(1)?,
            address: r.get(2)?,
            point: lat.zip(lon),
            public: vis == "public",
        })
    })
    .optional()
}

/// The user's role in an actor if they are an active member (`admin` or `member`).
pub fn active_role(
    conn: &Connection,
    actor_id: i64,
    user_id: i64,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT role FROM memberships WHERE actor_id = :a AND user_id = :u AND status = 'active'",
    )?
    .query_row(named_params! {":a": actor_id, ":u": user_id}, |r| r.get(0))
    .optional()
}

/// Whether the viewer may see this event, and whether they may manage it: its creator, the
/// admins of its organiser, the site's staff. Members-only events are seen by the organiser's
/// active members; pending ones by staff only.
pub fn access(conn: &Connection, ev: &Event, viewer: Viewer) -> rusqlite::Result<Access> {
    let role = match (viewer.user_id, &ev.organiser) {
        (Some(u), Some(org)) => active_role(conn, org.id, u)?,
        _ => None,
    };
    let creator = viewer.user_id.is_some() && ev.created_by == viewer.user_id;
    let manage = viewer.staff || creator || role.as_deref() == Some("admin");
    let see = match ev.status {
        Status::Pending => viewer.staff,
        _ => ev.visibility == Visibility::Public || manage || role.is_some(),
    };
    Ok(Access {
        manage: manage && see,
        moderate: viewer.staff,
        see,
    })
}

/// The public sub-events of an event (and those the viewer may see), by first date:
/// (slug, title, first start UTC, status).
pub fn children(
    conn: &Connection,
    parent_id: i64,
    viewer: Viewer,
) -> rusqlite::Result<Vec<(String, String, i64, Status)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.slug, e.title, e.start_utc, e.status FROM events e
         WHERE e.parent_id = :p AND e.status <> 'pending' AND {}
         ORDER BY e.start_utc, e.id",
        lists::VISIBLE
    ))?;
    let rows = stmt.query_map(
        named_params! {":p": parent_id, ":staff": viewer.staff, ":viewer": viewer.user_id},
        |r| {
            let s: String = r.get(3)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                Status::parse(&s).unwrap_or(Status::Scheduled),
            ))
        },
    )?;
    rows.collect()
}

/// The actors a person may organise events for (active member), by name: (slug, name).
pub fn organisers_for(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.slug, a.name FROM memberships m JOIN actors a ON a.id = m.actor_id
         WHERE m.user_id = :u AND m.status = 'active' AND a.kind <> 'person'
         ORDER BY a.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// The events a person may make an event part of (those they manage that are not themselves
/// part of one, and still running or to come, or repeating): (slug, title), by first date,
/// at most 300, `except` left out.
pub fn parent_choices(
    conn: &Connection,
    viewer: Viewer,
    except: Option<i64>,
    now: i64,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.slug, e.title FROM events e
         WHERE e.parent_id IS NULL AND e.status = 'scheduled' AND e.id IS NOT :except
           AND (e.end_utc >= :since OR e.rrule <> '')
           AND (:staff OR e.created_by = :u
                OR EXISTS (SELECT 1 FROM memberships m WHERE m.actor_id = e.organiser_actor_id
                           AND m.user_id = :u AND m.role = 'admin' AND m.status = 'active'))
         ORDER BY e.start_utc, e.id LIMIT 300",
    )?;
    let rows = stmt.query_map(
        named_params! {":u": viewer.user_id, ":staff": viewer.staff, ":except": except,
        ":since": now - 30 * 86_400},
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.collect()
}

/// The public places of the directory (for the place menu), by name: (slug, name).
pub fn places(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT slug, name FROM actors WHERE kind = 'place' AND visibility = 'public'
         ORDER BY name COLLATE NOCASE LIMIT :limit",
    )?;
    let rows = stmt.query_map(named_params! {":limit": limit}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}
