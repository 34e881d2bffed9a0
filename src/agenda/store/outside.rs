//! Every SQL statement through which events leave the agenda: the series of the iCalendar
//! feeds, the search documents, the map's points.

use std::collections::HashSet;

use rusqlite::{named_params, Connection};

use super::lists::{as_params, few_located, filter_sql, Filter};
use super::{event_from_row, EVENT_SELECT, GEO_KIND};
use crate::agenda::{Event, EventType, MAX_DURATION_SECS};
use crate::map::{MapFilter, Point};
use crate::time::utc_to_local;

/// Which events a feed holds: those with a date in [`now - past`, `now + ahead`), nearest
/// first, at most `limit`. A date to come is as far as its start; a date gone counts
/// `past_weight` times as far (a subscriber looks ahead more than back).
#[derive(Clone, Copy, Debug)]
pub struct FeedWindow {
    pub now: i64,
    pub past: i64,
    pub ahead: i64,
    pub past_weight: i64,
    pub limit: usize,
}

/// The public events of a feed (not pending), filtered, that have a date in the window:
/// nearest first when there are more than `limit`, then ordered by first date.
///
/// Two walks of the dates in order, one from now onwards and one from now backwards, merged
/// by distance: each stops as soon as `limit` events are found, so a département's feed
/// reads the dates of its next weeks only, never every event. A filter that selects few
/// events (an organiser, a place, a small area) starts from those events instead.
pub fn feed_series(conn: &Connection, f: &Filter, w: FeedWindow) -> rusqlite::Result<Vec<Event>> {
    let rtree = f
        .near
        .is_some_and(|n| few_located(conn, n).unwrap_or(false));
    let events_first = f.organiser.is_some() || f.place.is_some() || f.actor.is_some() || rtree;
    let join = if events_first {
        "FROM events e CROSS JOIN occurrences o ON o.event_id = e.id"
    } else {
        "FROM occurrences o CROSS JOIN events e ON e.id = o.event_id"
    };
    let walk = |dates: &str, order: &str| {
        let (cond, params) = filter_sql(f, rtree);
        let sql = format!(
            "SELECT o.event_id, o.start_utc {join}
             WHERE {dates} AND e.status <> 'pending' AND e.visibility = 'public' AND {cond}
             ORDER BY o.start_utc {order}"
        );
        (sql, params)
    };
    // Dates not over yet (those going on included), from the nearest start.
    let (ahead_sql, mut ahead_params) = walk(
        "o.start_utc >= :from_min AND o.start_utc < :to AND o.end_utc > :now",
        "ASC",
    );
    ahead_params.push((
        ":from_min",
        Box::new(w.now.saturating_sub(MAX_DURATION_SECS)),
    ));
    ahead_params.push((":to", Box::new(w.now.saturating_add(w.ahead))));
    ahead_params.push((":now", Box::new(w.now)));
    // Dates over, ending inside the window, from the latest start.
    let (past_sql, mut past_params) = walk(
        "o.start_utc >= :from_min AND o.start_utc < :now AND o.end_utc <= :now AND o.end_utc > :from",
        "DESC",
    );
    let from = w.now.saturating_sub(w.past);
    past_params.push((
        ":from_min",
        Box::new(from.saturating_sub(MAX_DURATION_SECS)),
    ));
    past_params.push((":from", Box::new(from)));
    past_params.push((":now", Box::new(w.now)));

    let mut ahead_stmt = conn.prepare_cached(&ahead_sql)?;
    let mut past_stmt = conn.prepare_cached(&past_sql)?;
    let pair = |r: &rusqlite::Row| -> rusqlite::Result<(i64, i64)> { Ok((r.get(0)?, r.get(1)?)) };
    let mut ahead = ahead_stmt.query_map(as_params(&ahead_params).as_slice(), pair)?;
    let mut past = past_stmt.query_map(as_params(&past_params).as_slice(), pair)?;
    let (mut next_ahead, mut next_past) = (ahead.next().transpose()?, past.next().transpose()?);
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    while ids.len() < w.limit {
        let from_ahead = match (next_ahead, next_past) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((_, a)), Some((_, p))) => {
                (a - w.now).max(0) <= (w.now - p).saturating_mul(w.past_weight)
            }
        };
        let id = if from_ahead {
            let (id, _) = next_ahead.take().unwrap_or_default();
            next_ahead = ahead.next().transpose()?;
            id
        } else {
            let (id, _) = next_past.take().unwrap_or_default();
            next_past = past.next().transpose()?;
            id
        };
        if seen.insert(id) {
            ids.push(id);
        }
    }
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

/// The start of each event's next date not cancelled and not over at `now` (else of its last
/// date), for these ids in one statement: the dates a page of search results shows.
pub fn next_starts(conn: &Connection, ids: &[i64], now: i64) -> rusqlite::Result<Vec<(i64, i64)>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, coalesce(
                (SELECT min(o.start_utc) FROM occurrences o
                  WHERE o.event_id = e.id AND o.end_utc > :now AND o.cancelled = 0),
                (SELECT max(o.start_utc) FROM occurrences o
                  WHERE o.event_id = e.id AND o.cancelled = 0),
                e.start_utc)
           FROM events e WHERE e.id IN (SELECT value FROM json_each(:ids))",
    )?;
    let rows = stmt.query_map(named_params! {":ids": list, ":now": now}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
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

#[cfg(test)]
mod tests {
    use super::super::occurrences::materialise;
    use super::super::tests::{event_row, fixture};
    use super::super::{insert_event, FOREVER};
    use super::*;
    use crate::agenda::store::lists::Near;
    use crate::agenda::Status;

    #[test]
    fn a_feed_takes_the_events_nearest_now_within_its_window() {
        let (db, user) = fixture();
        let c = db.conn().unwrap();
        let add = |slug: &str, start: &str, end: &str, rrule: &str| {
            let mut row = event_row(start, end);
            row.rrule = rrule.to_string();
            let id = insert_event(
                &c,
                &row,
                slug,
                slug,
                Status::Scheduled,
                Some(user),
                ("", ""),
                1,
            )
            .unwrap();
            materialise(&c, id, FOREVER).unwrap();
        };
        // Now is Wednesday 10 March 2027, noon. Distances: ahead from the start, gone four
        // times (now - start).
        add("near", "2027-03-12 10:00", "2027-03-12 11:00", ""); // 46 h
                                                                 // A series begun years ago: its last date (9 March, 18:30) is 17.5 h gone (70 h).
        add(
            "old-series",
            "2024-01-02 18:30",
            "2024-01-02 19:30",
            "FREQ=WEEKLY;COUNT=200",
        );
        add("gone-3-days", "2027-03-07 10:00", "2027-03-07 11:00", ""); // 12 days
        add("gone-20-days", "2027-02-18 12:00", "2027-02-18 13:00", ""); // 80 days
        add("far", "2027-09-01 12:00", "2027-09-01 13:00", ""); // 175 days
        add("gone-40-days", "2027-01-29 12:00", "2027-01-29 13:00", "");
        add("next-year", "2028-04-01 12:00", "2028-04-01 13:00", "");
        let now = crate::time::local_to_utc(
            chrono_tz::Europe::Paris,
            chrono::NaiveDate::from_ymd_opt(2027, 3, 10)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
        );
        let window = |limit| FeedWindow {
            now,
            past: 30 * 86_400,
            ahead: 365 * 86_400,
            past_weight: 4,
            limit,
        };
        let village = Filter {
            near: Some(Near {
                lat: 47.35,
                lon: -0.81,
                km: 5.0,
            }),
            ..Default::default()
        };
        // Every date walked (no filter) and the few events of a small area first: the same.
        for f in [Filter::default(), village] {
            let slugs = |limit| -> Vec<String> {
                let mut s: Vec<String> = feed_series(&c, &f, window(limit))
                    .unwrap()
                    .into_iter()
                    .map(|e| e.slug)
                    .collect();
                s.sort();
                s
            };
            assert_eq!(slugs(2), ["near", "old-series"], "{f:?}");
            assert_eq!(
                slugs(4),
                ["gone-20-days", "gone-3-days", "near", "old-series"]
            );
            assert_eq!(
                slugs(100),
                ["far", "gone-20-days", "gone-3-days", "near", "old-series"],
                "nothing ended over 30 days ago or starts over a year ahead"
            );
        }
    }
}
