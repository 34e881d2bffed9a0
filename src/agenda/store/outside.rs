//! Every SQL statement through which events leave the agenda: the series of the iCalendar
//! feeds, the search documents, the map's points.

use rusqlite::{named_params, Connection};

use super::lists::{as_params, filter_sql, Filter};
use super::{event_from_row, EVENT_SELECT, GEO_KIND};
use crate::agenda::{Event, EventType};
use crate::map::{MapFilter, Point};
use crate::time::utc_to_local;

/// The public events of a feed (not pending) whose last date ends after `cutoff`, filtered,
/// by first date, at most `limit`.
pub fn feed_series(
    conn: &Connection,
    f: &Filter,
    cutoff: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Event>> {
    // The ids first: sorting narrow rows, then reading the chosen events whole.
    let (cond, mut params) = filter_sql(f, true);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id FROM events e WHERE e.status <> 'pending' AND e.visibility = 'public'
           AND e.last_end_utc >= :cutoff AND {cond}
         ORDER BY e.start_utc, e.id LIMIT :limit"
    ))?;
    params.push((":cutoff", Box::new(cutoff)));
    params.push((":limit", Box::new(limit)));
    let ids: Vec<i64> = stmt
        .query_map(as_params(&params).as_slice(), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut events = super::events_by_ids(conn, &ids)?;
    events.sort_by_key(|e| (e.start_utc, e.id));
    Ok(events)
}

/// Ids of the events the search indexes: public and scheduled.
pub fn indexed_ids(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM events WHERE visibility = 'public' AND status = 'scheduled' ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The indexed events among these ids, each with the start of its next date not cancelled
/// (or of its first date, once all are over).
pub fn indexed_events(
    conn: &Connection,
    ids: &[i64],
    now: i64,
) -> rusqlite::Result<Vec<(Event, i64)>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "{EVENT_SELECT} WHERE e.visibility = 'public' AND e.status = 'scheduled'
           AND e.id IN (SELECT value FROM json_each(:ids)) ORDER BY e.id"
    ))?;
    let events: Vec<Event> = stmt
        .query_map(named_params! {":ids": list}, event_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut next = conn.prepare_cached(
        "SELECT min(start_utc) FROM occurrences WHERE event_id = :e AND end_utc > :now AND cancelled = 0",
    )?;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let date: Option<i64> =
            next.query_row(named_params! {":e": e.id, ":now": now}, |r| r.get(0))?;
        let date = date.unwrap_or(e.start_utc);
        out.push((e, date));
    }
    Ok(out)
}

const MAP_WHERE: &str = "FROM geo g CROSS JOIN geo_items i ON i.id = g.id CROSS JOIN events e ON e.id = i.item_id
     WHERE g.max_lat >= :min_lat AND g.min_lat <= :max_lat
       AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon
       AND i.kind = :source AND e.visibility = 'public' AND e.status = 'scheduled'
       AND e.last_end_utc > :now AND e.lat IS NOT NULL AND e.lon IS NOT NULL
       AND (:kinds IS NULL OR instr(:kinds, ',' || e.type || ',') > 0)
       AND (:type IS NULL OR e.type = :type)
       AND (:tag IS NULL OR EXISTS (SELECT 1 FROM event_tags t WHERE t.event_id = e.id AND t.tag = :tag))";

fn point(r: &rusqlite::Row) -> rusqlite::Result<Point> {
    let slug: String = r.get("slug")?;
    let title: String = r.get("title")?;
    let tz: String = r.get("tz")?;
    let all_day: bool = r.get("all_day")?;
    let next: Option<i64> = r.get("next")?;
    let label = next.map(|t| {
        let local = utc_to_local(tz.parse().unwrap_or(chrono_tz::Europe::Paris), t);
        let format = if all_day {
            "%Y-%m-%d"
        } else {
            "%Y-%m-%d %H:%M"
        };
        format!("{title} · {}", local.format(format))
    });
    Ok(Point {
        source: GEO_KIND,
        kind: r.get("type")?,
        type_: String::new(),
        id: r.get("id")?,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
        title: label.unwrap_or(title),
        url: format!("/e/{slug}"),
    })
}

const POINT_COLUMNS: &str = "e.id, e.slug, e.title, e.type, e.lat, e.lon, e.tz, e.all_day,
    (SELECT min(o.start_utc) FROM occurrences o WHERE o.event_id = e.id AND o.end_utc > :now AND o.cancelled = 0) AS next";

/// The public events not over yet located in the filter's box (the map source), with the
/// date of their next occurrence in the title. Kinds are event types; the R*Tree box first.
pub fn map_points(conn: &Connection, f: &MapFilter) -> rusqlite::Result<Vec<Point>> {
    let kinds = f
        .kinds_of(GEO_KIND, &EventType::NAMES)
        .map(|k| format!(",{},", k.join(",")));
    let sql = if f.light {
        format!("SELECT e.id, e.lat, e.lon {MAP_WHERE} LIMIT :limit")
    } else {
        format!("SELECT {POINT_COLUMNS} {MAP_WHERE} ORDER BY e.start_utc, e.id LIMIT :limit")
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let b = f.bbox;
    let params = named_params! {
        ":min_lat": b.min_lat, ":max_lat": b.max_lat, ":min_lon": b.min_lon, ":max_lon": b.max_lon,
        ":source": GEO_KIND, ":kinds": kinds, ":type": f.type_, ":tag": f.tag,
        ":now": crate::db::now(), ":limit": f.limit.unwrap_or(-1),
    };
    let rows = if f.light {
        stmt.query_map(params, |r| {
            Ok(Point {
                source: GEO_KIND,
                kind: String::new(),
                type_: String::new(),
                id: r.get("id")?,
                lat: r.get("lat")?,
                lon: r.get("lon")?,
                title: String::new(),
                url: String::new(),
            })
        })?
        .collect()
    } else {
        stmt.query_map(params, point)?.collect()
    };
    rows
}

/// The complete points of these events (those a clustered map shows alone).
pub fn map_details(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Point>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {POINT_COLUMNS} FROM events e WHERE e.id IN (SELECT value FROM json_each(:ids))"
    ))?;
    let rows = stmt.query_map(
        named_params! {":ids": list, ":now": crate::db::now()},
        point,
    )?;
    rows.collect()
}
