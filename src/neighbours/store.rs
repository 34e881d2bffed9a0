//! The neighbours' SQL: the neighbours, their pulled items, and the search source's reads.

use rusqlite::{named_params, Connection, OptionalExtension};

use super::{Item, Neighbour, Origin};

fn neighbour_from(r: &rusqlite::Row) -> rusqlite::Result<Neighbour> {
    Ok(Neighbour {
        id: r.get("id")?,
        url: r.get("url")?,
        name: r.get("name")?,
        center: r
            .get::<_, Option<f64>>("center_lat")?
            .zip(r.get::<_, Option<f64>>("center_lon")?),
        radius_km: r.get("radius_km")?,
        cursor_t: r.get("cursor_t")?,
        cursor_id: r.get("cursor_id")?,
        last_try: r.get("last_try")?,
        last_ok: r.get("last_ok")?,
        last_error: r.get("last_error")?,
        failures: r.get("failures")?,
        items: r.get("items")?,
        state: r.get("state")?,
        token: r.get("token")?,
    })
}

const NEIGHBOUR: &str = "SELECT n.id, n.url, n.name, n.center_lat, n.center_lon, n.radius_km,
    n.cursor_t, n.cursor_id, n.last_try, n.last_ok, n.last_error, n.failures, n.state, n.token,
    (SELECT count(*) FROM neighbour_items i WHERE i.neighbour_id = n.id) AS items
    FROM neighbours n";

/// Every neighbour, by name.
pub fn all(c: &Connection) -> rusqlite::Result<Vec<Neighbour>> {
    let mut st = c.prepare_cached(&format!("{NEIGHBOUR} ORDER BY n.name, n.id"))?;
    let rows = st.query_map([], neighbour_from)?;
    rows.collect()
}

/// One neighbour.
pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Neighbour>> {
    c.prepare_cached(&format!("{NEIGHBOUR} WHERE n.id = :id"))?
        .query_row(named_params! {":id": id}, neighbour_from)
        .optional()
}

/// One neighbour by its base URL.
pub fn by_url(c: &Connection, url: &str) -> rusqlite::Result<Option<Neighbour>> {
    c.prepare_cached(&format!("{NEIGHBOUR} WHERE n.url = :url"))?
        .query_row(named_params! {":url": url}, neighbour_from)
        .optional()
}

/// One neighbour by the token of its link.
pub fn by_token(c: &Connection, token: &str) -> rusqlite::Result<Option<Neighbour>> {
    if token.is_empty() {
        return Ok(None);
    }
    c.prepare_cached(&format!("{NEIGHBOUR} WHERE n.token = :t"))?
        .query_row(named_params! {":t": token}, neighbour_from)
        .optional()
}

/// What a neighbour says of itself.
pub struct Described<'a> {
    pub url: &'a str,
    pub name: &'a str,
    pub center: Option<(f64, f64)>,
    pub radius_km: Option<f64>,
}

/// Adds a neighbour in `state` with the link's `token` (or, for one already known, updates
/// what it says of itself, its state and token); returns its id.
pub fn put(
    c: &Connection,
    d: &Described,
    state: &str,
    token: &str,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO neighbours (url, name, center_lat, center_lon, radius_km, state, token,
            created_by, created_at)
         VALUES (:url, :name, :lat, :lon, :r, :state, :token, :by, :now)
         ON CONFLICT (url) DO UPDATE SET name = excluded.name, center_lat = excluded.center_lat,
            center_lon = excluded.center_lon, radius_km = excluded.radius_km,
            state = excluded.state, token = excluded.token",
    )?
    .execute(named_params! {
        ":url": d.url, ":name": d.name, ":lat": d.center.map(|c| c.0),
        ":lon": d.center.map(|c| c.1), ":r": d.radius_km, ":state": state, ":token": token,
        ":by": by, ":now": now,
    })?;
    c.prepare_cached("SELECT id FROM neighbours WHERE url = :url")?
        .query_row(named_params! {":url": d.url}, |r| r.get(0))
}

/// Sets a link's state (and token); a link that is no longer `linked` loses its items.
pub fn set_state(c: &Connection, id: i64, state: &str, token: &str) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE neighbours SET state = :s, token = :t WHERE id = :id")?
        .execute(named_params! {":s": state, ":t": token, ":id": id})?;
    if state != "linked" {
        c.prepare_cached("DELETE FROM neighbour_items WHERE neighbour_id = :id")?
            .execute(named_params! {":id": id})?;
    }
    Ok(())
}

/// How many requests wait for this admin's answer.
pub fn pending_count(c: &Connection) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT count(*) FROM neighbours WHERE state = 'pending'")?
        .query_row([], |r| r.get(0))
}

/// Whether this token is the one of a link both sides accepted.
pub fn linked_token(c: &Connection, token: &str) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM neighbours WHERE token = :t AND state = 'linked'")?
        .query_row(named_params! {":t": token}, |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// Removes a neighbour and every item pulled from it (they leave the search index).
pub fn remove(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM neighbour_items WHERE neighbour_id = :id")?
        .execute(named_params! {":id": id})?;
    c.prepare_cached("DELETE FROM neighbours WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(())
}

/// Adds or replaces a pulled item.
pub fn upsert_item(c: &Connection, neighbour: i64, item: &Item) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO neighbour_items
            (neighbour_id, remote_id, kind, category, title, text, tags, lat, lon, start, url, modified)
         VALUES (:n, :rid, :kind, :cat, :title, :text, :tags, :lat, :lon, :start, :url, :modified)
         ON CONFLICT (neighbour_id, remote_id) DO UPDATE SET kind = excluded.kind,
            category = excluded.category, title = excluded.title, text = excluded.text,
            tags = excluded.tags, lat = excluded.lat, lon = excluded.lon, start = excluded.start,
            url = excluded.url, modified = excluded.modified",
    )?
    .execute(named_params! {
        ":n": neighbour, ":rid": item.remote_id, ":kind": item.kind, ":cat": item.category,
        ":title": item.title, ":text": item.text, ":tags": item.tags.join(","),
        ":lat": item.point.map(|p| p.0), ":lon": item.point.map(|p| p.1), ":start": item.start,
        ":url": item.url, ":modified": item.modified,
    })?;
    Ok(())
}

/// Forgets a pulled item (deleted there).
pub fn delete_item(c: &Connection, neighbour: i64, remote_id: &str) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM neighbour_items WHERE neighbour_id = :n AND remote_id = :rid")?
        .execute(named_params! {":n": neighbour, ":rid": remote_id})?;
    Ok(())
}

/// Records a pull: where the next starts, and that it worked.
pub fn pulled(c: &Connection, id: i64, cursor: (i64, &str), now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE neighbours SET cursor_t = :t, cursor_id = :cid, last_try = :now, last_ok = :now,
            last_error = '', failures = 0 WHERE id = :id",
    )?
    .execute(named_params! {":t": cursor.0, ":cid": cursor.1, ":now": now, ":id": id})?;
    Ok(())
}

/// Moves the cursor after a page written (the pull goes on). The neighbour answered: its
/// items are fresh from now on, in the same transaction as the page's (the search indexer
/// shows an item only when its neighbour answered in the last week).
pub fn cursor_at(c: &Connection, id: i64, cursor: (i64, &str), now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE neighbours SET cursor_t = :t, cursor_id = :cid, last_ok = :now WHERE id = :id",
    )?
    .execute(named_params! {":t": cursor.0, ":cid": cursor.1, ":now": now, ":id": id})?;
    Ok(())
}

/// Records a try that neither failed nor pulled (a request sent, not answered yet).
pub fn tried(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE neighbours SET last_try = :now, last_error = '', failures = 0 WHERE id = :id",
    )?
    .execute(named_params! {":now": now, ":id": id})?;
    Ok(())
}

/// Records a failed pull.
pub fn failed(c: &Connection, id: i64, error: &str, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE neighbours SET last_try = :now, last_error = :e, failures = failures + 1
         WHERE id = :id",
    )?
    .execute(named_params! {":now": now, ":e": error, ":id": id})?;
    Ok(())
}

/// The neighbours due for a pull (linked) or for asking again (asked): never tried, or tried `every` seconds ago (longer after
/// failures: doubled up to a day).
pub fn due(c: &Connection, now: i64, every: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT id FROM neighbours
         WHERE state IN ('linked', 'asked') AND last_try + min(:every * (1 << min(failures, 6)), 86400) <= :now ORDER BY last_try",
    )?;
    let rows = st.query_map(named_params! {":now": now, ":every": every}, |r| r.get(0))?;
    rows.collect()
}

/// Puts the items of the neighbours that became silent for 7 days (or answer again after)
/// back through the search indexer, which shows or hides them by their neighbour's last pull.
pub fn requeue(c: &Connection, neighbour: Option<i64>, now: i64) -> rusqlite::Result<usize> {
    c.prepare_cached(
        "INSERT INTO search_queue (kind, item_id)
         SELECT 'neighbour', i.id FROM neighbour_items i JOIN neighbours n ON n.id = i.neighbour_id
         WHERE (:n IS NULL AND n.last_ok < :stale AND n.last_ok >= :stale - 86400)
            OR i.neighbour_id = :n",
    )?
    .execute(named_params! {":n": neighbour, ":stale": now - 7 * 86_400})
}

// --- The search source --------------------------------------------------------------------

/// Every pulled item (a rebuild of the index).
pub fn item_ids(c: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached("SELECT id FROM neighbour_items ORDER BY id")?;
    let rows = st.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Pulled items by id, with their neighbour's name and whether it answered in the last week
/// (a neighbour silent for 7 days has its items hidden): (item, neighbour name, fresh).
pub fn items_by_ids(
    c: &Connection,
    ids: &[i64],
    now: i64,
) -> rusqlite::Result<Vec<(i64, Item, String)>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut st = c.prepare_cached(
        "SELECT i.id, i.remote_id, i.kind, i.category, i.title, i.text, i.tags, i.lat, i.lon,
                i.start, i.url, i.modified, n.name
         FROM neighbour_items i JOIN neighbours n ON n.id = i.neighbour_id
         WHERE i.id IN (SELECT value FROM json_each(:ids)) AND n.last_ok >= :fresh",
    )?;
    let rows = st.query_map(
        named_params! {":ids": list, ":fresh": now - 7 * 86_400},
        |r| {
            let tags: String = r.get(6)?;
            Ok((
                r.get(0)?,
                Item {
                    remote_id: r.get(1)?,
                    kind: r.get(2)?,
                    category: r.get(3)?,
                    title: r.get(4)?,
                    text: r.get(5)?,
                    tags: tags
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                    point: r.get::<_, Option<f64>>(7)?.zip(r.get::<_, Option<f64>>(8)?),
                    start: r.get(9)?,
                    url: r.get(10)?,
                    modified: r.get(11)?,
                },
                r.get(12)?,
            ))
        },
    )?;
    rows.collect()
}

/// Where these pulled items come from (search results).
pub fn origins(c: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, Origin)>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut st = c.prepare_cached(
        "SELECT i.id, n.name, n.url, n.last_ok, n.last_try > n.last_ok AND n.failures > 0, i.start
         FROM neighbour_items i JOIN neighbours n ON n.id = i.neighbour_id
         WHERE i.id IN (SELECT value FROM json_each(:ids))",
    )?;
    let rows = st.query_map(named_params! {":ids": list}, |r| {
        Ok((
            r.get(0)?,
            Origin {
                name: r.get(1)?,
                url: r.get(2)?,
                pulled: r.get(3)?,
                stale: r.get(4)?,
                start: r.get(5)?,
            },
        ))
    })?;
    rows.collect()
}

/// Whether any neighbour is linked (the pages offer to include them).
pub fn any_linked(c: &Connection) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM neighbours WHERE state = 'linked')")?
        .query_row([], |r| r.get(0))
}

// --- The map ------------------------------------------------------------------------------

fn map_point(r: &rusqlite::Row) -> rusqlite::Result<crate::map::Point> {
    Ok(crate::map::Point {
        source: super::KIND,
        kind: r.get("kind")?,
        type_: r.get("category")?,
        id: r.get("id")?,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
        title: r.get("title")?,
        url: r.get("url")?,
    })
}

const MAP_FROM: &str = "FROM neighbour_items i JOIN neighbours n ON n.id = i.neighbour_id
    WHERE n.state = 'linked' AND n.last_ok >= :fresh AND i.lat IS NOT NULL";

/// The located items of the linked neighbours in the map's box, when the visitor asked for
/// them (a neighbour silent for a week is left out, as in the search).
pub fn map_points(
    c: &Connection,
    f: &crate::map::MapFilter,
) -> rusqlite::Result<Vec<crate::map::Point>> {
    if !f.neighbours {
        return Ok(Vec::new());
    }
    let b = f.bbox;
    let mut st = c.prepare_cached(&format!(
        "SELECT i.id, i.kind, i.category, i.title, i.lat, i.lon, i.url {MAP_FROM}
            AND i.lat BETWEEN :min_lat AND :max_lat AND i.lon BETWEEN :min_lon AND :max_lon
         ORDER BY i.title, i.id LIMIT :limit"
    ))?;
    let rows = st.query_map(
        named_params! {
            ":fresh": crate::db::now() - 7 * 86_400, ":min_lat": b.min_lat, ":max_lat": b.max_lat,
            ":min_lon": b.min_lon, ":max_lon": b.max_lon, ":limit": f.limit.unwrap_or(-1),
        },
        map_point,
    )?;
    rows.collect()
}

/// The complete points of these items (those a clustered map shows alone).
pub fn map_details(c: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<crate::map::Point>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut st = c.prepare_cached(&format!(
        "SELECT i.id, i.kind, i.category, i.title, i.lat, i.lon, i.url {MAP_FROM}
            AND i.id IN (SELECT value FROM json_each(:ids))"
    ))?;
    let rows = st.query_map(
        named_params! {":fresh": crate::db::now() - 7 * 86_400, ":ids": list},
        map_point,
    )?;
    rows.collect()
}

/// The linked neighbours' events starting in `[from, to]`, by start (the agenda's list, when
/// the visitor asked for them): (item, neighbour's name, neighbour's base URL).
pub fn events_between(
    c: &Connection,
    from: i64,
    to: i64,
    limit: i64,
) -> rusqlite::Result<Vec<(Item, String, String)>> {
    let mut st = c.prepare_cached(
        "SELECT i.remote_id, i.kind, i.category, i.title, i.text, i.tags, i.lat, i.lon, i.start,
                i.url, i.modified, n.name, n.url AS base
         FROM neighbour_items i JOIN neighbours n ON n.id = i.neighbour_id
         WHERE n.state = 'linked' AND n.last_ok >= :fresh AND i.kind = 'event'
           AND i.start BETWEEN :from AND :to
         ORDER BY i.start, i.id LIMIT :limit",
    )?;
    let rows = st.query_map(
        named_params! {
            ":fresh": crate::db::now() - 7 * 86_400, ":from": from, ":to": to, ":limit": limit,
        },
        |r| {
            let tags: String = r.get(5)?;
            Ok((
                Item {
                    remote_id: r.get(0)?,
                    kind: r.get(1)?,
                    category: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                    tags: tags
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                    point: r.get::<_, Option<f64>>(6)?.zip(r.get::<_, Option<f64>>(7)?),
                    start: r.get(8)?,
                    url: r.get(9)?,
                    modified: r.get(10)?,
                },
                r.get(11)?,
                r.get(12)?,
            ))
        },
    )?;
    rows.collect()
}
