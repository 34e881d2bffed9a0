//! Proposals on the map: those about a place (a point given), public, not closed. SQL only.

use rusqlite::{named_params, Connection, Row};

use super::GEO_KIND;
use crate::map::{MapFilter, Point};

/// Their kinds on the map (one: the map filters proposals as a whole).
pub const MAP_KINDS: [&str; 1] = ["proposal"];

const WHERE: &str =
    "FROM geo g CROSS JOIN geo_items i ON i.id = g.id CROSS JOIN proposals p ON p.id = i.item_id
     WHERE g.max_lat >= :min_lat AND g.min_lat <= :max_lat
       AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon
       AND i.kind = 'proposal' AND p.hidden = 0 AND p.deadline > unixepoch()
       AND p.lat IS NOT NULL AND (p.actor_id IS NULL OR EXISTS (SELECT 1 FROM actors a
            WHERE a.id = p.actor_id AND a.visibility = 'public'))";

fn point(r: &Row) -> rusqlite::Result<Point> {
    let id: i64 = r.get(0)?;
    Ok(Point {
        source: GEO_KIND,
        kind: "proposal".into(),
        type_: r.get(1)?,
        id,
        lat: r.get(3)?,
        lon: r.get(4)?,
        title: r.get(2)?,
        url: format!("/votes/{id}"),
    })
}

/// The proposals in the map's box, soonest deadline first.
pub fn map_points(conn: &Connection, f: &MapFilter) -> rusqlite::Result<Vec<Point>> {
    if f.kinds_of(GEO_KIND, &MAP_KINDS)
        .is_some_and(|k| k.is_empty())
    {
        return Ok(Vec::new());
    }
    let mut st = conn.prepare_cached(&format!(
        "SELECT p.id, p.method, p.title, p.lat, p.lon {WHERE} ORDER BY p.deadline LIMIT :limit"
    ))?;
    let b = f.bbox;
    let rows = st.query_map(
        named_params! {
            ":min_lat": b.min_lat, ":max_lat": b.max_lat, ":min_lon": b.min_lon,
            ":max_lon": b.max_lon, ":limit": f.limit.unwrap_or(-1),
        },
        point,
    )?;
    rows.collect()
}

/// The points of these proposals (those a clustered map shows alone).
pub fn map_details(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Point>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut st = conn.prepare_cached(
        "SELECT p.id, p.method, p.title, p.lat, p.lon FROM proposals p
         WHERE p.id IN (SELECT value FROM json_each(:ids)) AND p.lat IS NOT NULL",
    )?;
    let rows = st.query_map(named_params! {":ids": list}, point)?;
    rows.collect()
}
