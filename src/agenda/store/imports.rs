//! Every SQL statement of the iCalendar import: calendar sources of organiser pages, their last
//! result, and the link of each imported event to (source, upstream UID).

use rusqlite::{named_params, Connection, OptionalExtension};

/// A calendar source as listed on its page.
#[derive(Clone, Debug)]
pub struct Source {
    pub id: i64,
    pub actor_id: i64,
    /// `None` for an uploaded file.
    pub url: Option<String>,
    pub etag: String,
    pub last_modified: String,
    pub last_fetch: i64,
    pub added: i64,
    pub updated: i64,
    pub cancelled: i64,
    pub simplified: i64,
    pub refused: i64,
    pub error: String,
    /// The last run's report (JSON).
    pub report: String,
}

const COLUMNS: &str = "id, actor_id, url, etag, last_modified, last_fetch, last_added,
    last_updated, last_cancelled, last_simplified, last_error, last_refused, last_report";

fn source_row(r: &rusqlite::Row) -> rusqlite::Result<Source> {
    Ok(Source {
        id: r.get(0)?,
        actor_id: r.get(1)?,
        url: r.get(2)?,
        etag: r.get(3)?,
        last_modified: r.get(4)?,
        last_fetch: r.get(5)?,
        added: r.get(6)?,
        updated: r.get(7)?,
        cancelled: r.get(8)?,
        simplified: r.get(9)?,
        error: r.get(10)?,
        refused: r.get(11)?,
        report: r.get(12)?,
    })
}

/// The calendar sources of an organiser page, URLs first, oldest first (its fediverse
/// follows are listed apart).
pub fn sources_of(conn: &Connection, actor_id: i64) -> rusqlite::Result<Vec<Source>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agenda_sources WHERE actor_id = :a AND protocol = 'ical'
         ORDER BY url IS NULL, id"
    ))?
    .query_map(named_params! {":a": actor_id}, source_row)?
    .collect()
}

/// One source of an organiser page.
pub fn source_of(conn: &Connection, actor_id: i64, id: i64) -> rusqlite::Result<Option<Source>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agenda_sources WHERE actor_id = :a AND id = :id"
    ))?
    .query_row(named_params! {":a": actor_id, ":id": id}, source_row)
    .optional()
}

/// Stops importing from a source: its events stay, as the page's own (their links go with it).
pub fn delete_source(conn: &Connection, actor_id: i64, id: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM agenda_sources WHERE actor_id = :a AND id = :id")?
        .execute(named_params! {":a": actor_id, ":id": id})
}

/// URL sources whose refresh is due, least recently fetched first.
pub fn due(conn: &Connection, now: i64, limit: i64) -> rusqlite::Result<Vec<Source>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agenda_sources
         WHERE url IS NOT NULL AND protocol = 'ical' AND last_fetch + refresh_secs <= :now ORDER BY last_fetch LIMIT :limit"
    ))?
    .query_map(named_params! {":now": now, ":limit": limit}, source_row)?
    .collect()
}

/// The page's file source (created on first use): each upload replaces the previous file.
pub fn file_source(
    conn: &Connection,
    actor_id: i64,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO agenda_sources (actor_id, url, created_by, created_at)
         VALUES (:a, NULL, :by, :now) ON CONFLICT DO NOTHING",
    )?
    .execute(named_params! {":a": actor_id, ":by": by, ":now": now})?;
    conn.prepare_cached("SELECT id FROM agenda_sources WHERE actor_id = :a AND url IS NULL")?
        .query_row(named_params! {":a": actor_id}, |r| r.get(0))
}

/// The page's source fed by a followed ActivityPub actor (created on first use).
pub fn activitypub_source(
    conn: &Connection,
    actor_id: i64,
    remote: &str,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO agenda_sources (actor_id, url, protocol, refresh_secs, created_by, created_at)
         VALUES (:a, :url, 'activitypub', 86400, :by, :now) ON CONFLICT DO NOTHING",
    )?
    .execute(named_params! {":a": actor_id, ":url": remote, ":by": by, ":now": now})?;
    conn.prepare_cached("SELECT id FROM agenda_sources WHERE actor_id = :a AND url = :url")?
        .query_row(named_params! {":a": actor_id, ":url": remote}, |r| r.get(0))
}

/// The page a source's events are organised by.
pub fn source_actor(conn: &Connection, source_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT actor_id FROM agenda_sources WHERE id = :s")?
        .query_row(named_params! {":s": source_id}, |r| r.get(0))
        .optional()
}

/// Whether an event came from the fediverse (it is not published back there).
pub fn from_activitypub(conn: &Connection, event_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM event_imports i JOIN agenda_sources s ON s.id = i.source_id
                        WHERE i.event_id = :e AND s.protocol = 'activitypub')",
    )?
    .query_row(named_params! {":e": event_id}, |r| r.get(0))
}

/// The page's source for this URL (created on first use).
pub fn url_source(
    conn: &Connection,
    actor_id: i64,
    url: &str,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO agenda_sources (actor_id, url, created_by, created_at)
         VALUES (:a, :url, :by, :now) ON CONFLICT DO NOTHING",
    )?
    .execute(named_params! {":a": actor_id, ":url": url, ":by": by, ":now": now})?;
    conn.prepare_cached("SELECT id FROM agenda_sources WHERE actor_id = :a AND url = :url")?
        .query_row(named_params! {":a": actor_id, ":url": url}, |r| r.get(0))
}

/// A run's result: counts, or an error (`error` not empty, counts zero).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunResult {
    pub added: i64,
    pub updated: i64,
    pub cancelled: i64,
    /// Events adjusted on the way in (the report says how).
    pub simplified: i64,
    pub refused: i64,
    pub error: String,
}

/// Keeps the report of a run (JSON, see `agenda::import::report`) with its refused count.
pub fn set_report(conn: &Connection, id: i64, json: &str, refused: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE agenda_sources SET last_report = :r, last_refused = :n WHERE id = :id",
    )?
    .execute(named_params! {":id": id, ":r": json, ":n": refused})?;
    Ok(())
}

/// The report of a source's last run (empty when there is none).
pub fn report_of(
    conn: &Connection,
    id: i64,
) -> rusqlite::Result<crate::agenda::import::report::Report> {
    let json: Option<String> = conn
        .prepare_cached("SELECT last_report FROM agenda_sources WHERE id = :id")?
        .query_row(named_params! {":id": id}, |r| r.get(0))
        .optional()?;
    Ok(crate::agenda::import::report::Report::from_json(
        json.as_deref().unwrap_or(""),
    ))
}

/// Records a run (and the HTTP validators when the server sent new ones).
pub fn record(
    conn: &Connection,
    id: i64,
    r: &RunResult,
    validators: Option<(&str, &str)>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE agenda_sources SET last_fetch = :now, last_added = :a, last_updated = :u,
            last_cancelled = :c, last_simplified = :s, last_error = :e,
            etag = COALESCE(:etag, etag), last_modified = COALESCE(:lm, last_modified)
         WHERE id = :id",
    )?
    .execute(named_params! {
        ":id": id, ":now": now, ":a": r.added, ":u": r.updated, ":c": r.cancelled,
        ":s": r.simplified, ":e": r.error, ":etag": validators.map(|v| v.0),
        ":lm": validators.map(|v| v.1),
    })?;
    Ok(())
}

/// An event imported from a source.
#[derive(Clone, Debug)]
pub struct Link {
    pub event_id: i64,
    pub slug: String,
    /// What the feed said last time (a hash).
    pub fingerprint: String,
    pub status: String,
}

/// The event imported from this source under this UID.
pub fn linked(conn: &Connection, source_id: i64, uid: &str) -> rusqlite::Result<Option<Link>> {
    conn.prepare_cached(
        "SELECT i.event_id, e.slug, i.fingerprint, e.status FROM event_imports i
         JOIN events e ON e.id = i.event_id WHERE i.source_id = :s AND i.uid = :uid",
    )?
    .query_row(named_params! {":s": source_id, ":uid": uid}, |r| {
        Ok(Link {
            event_id: r.get(0)?,
            slug: r.get(1)?,
            fingerprint: r.get(2)?,
            status: r.get(3)?,
        })
    })
    .optional()
}

/// Links an event to (source, UID) with the fingerprint of what the feed said.
pub fn set_link(
    conn: &Connection,
    event_id: i64,
    source_id: i64,
    uid: &str,
    fingerprint: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO event_imports (event_id, source_id, uid, fingerprint) VALUES (:e, :s, :uid, :f)
         ON CONFLICT (event_id) DO UPDATE SET fingerprint = excluded.fingerprint",
    )?
    .execute(named_params! {":e": event_id, ":s": source_id, ":uid": uid, ":f": fingerprint})?;
    Ok(())
}

/// Every event of the source not cancelled yet: (event id, upstream UID).
pub fn live_links(conn: &Connection, source_id: i64) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached(
        "SELECT i.event_id, i.uid FROM event_imports i JOIN events e ON e.id = i.event_id
         WHERE i.source_id = :s AND e.status <> 'cancelled'",
    )?
    .query_map(named_params! {":s": source_id}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?
    .collect()
}

/// The URLs of the sources a person added (their personal data).
pub fn urls_added_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT url FROM agenda_sources WHERE created_by = :u AND url IS NOT NULL AND protocol = 'ical' ORDER BY id",
    )?
    .query_map(named_params! {":u": user_id}, |r| r.get(0))?
    .collect()
}

/// An organiser page by slug (not a person's): (id, name).
pub fn organiser(conn: &Connection, slug: &str) -> rusqlite::Result<Option<(i64, String)>> {
    conn.prepare_cached("SELECT id, name FROM actors WHERE slug = :slug AND kind <> 'person'")?
        .query_row(named_params! {":slug": slug}, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
}
