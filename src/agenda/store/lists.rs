//! Every SQL statement of the agenda's lists: the dates between two instants with the
//! filters (tag, type, organiser, place, distance), what the filter menus offer, and the
//! dates of "my village".

use rusqlite::{named_params, Connection, Row, ToSql};

use super::split_tags;
use crate::agenda::{EventType, Occurrence, Status, Viewer, MAX_DURATION_SECS};

/// Who may see an event in a list (with `:staff` and `:viewer` bound): public ones, and the
/// members-only ones of an organiser the viewer belongs to, or that they created.
pub const VISIBLE: &str = "(e.visibility = 'public' OR :staff OR e.created_by = :viewer
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.actor_id = e.organiser_actor_id
               AND m.user_id = :viewer AND m.status = 'active'))";

/// Around a point: within `km` of (`lat`, `lon`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    pub lat: f64,
    pub lon: f64,
    pub km: f64,
}

/// Filters of every agenda view and feed; `None` lets everything through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub tag: Option<String>,
    pub type_: Option<EventType>,
    /// The organiser's slug.
    pub organiser: Option<String>,
    /// The place's slug.
    pub place: Option<String>,
    /// An actor's id, as organiser or as place (its own feed).
    pub actor: Option<i64>,
    pub near: Option<Near>,
}

/// One date in a list, with what the list shows of its event.
#[derive(Clone, Debug)]
pub struct Item {
    pub occurrence: Occurrence,
    pub event_id: i64,
    pub slug: String,
    pub title: String,
    pub type_: EventType,
    pub status: Status,
    pub all_day: bool,
    pub recurring: bool,
    pub members_only: bool,
    pub location: String,
    pub organiser: Option<String>,
    /// The organiser is an official page (town hall, school, public service).
    pub organiser_official: bool,
    /// Organised by a person who has since deleted their account.
    pub organiser_gone: bool,
    pub tags: Vec<String>,
    pub point: Option<(f64, f64)>,
    pub tz: String,
    /// When the event was created (published, unless it waited for a moderator), and last
    /// changed: the feeds' publication and update dates.
    pub created_at: i64,
    pub updated_at: i64,
}

impl Item {
    /// The title of this date (its own, if it was retitled alone).
    pub fn title(&self) -> &str {
        self.occurrence.title.as_deref().unwrap_or(&self.title)
    }

    /// Whether this date is off: the whole event, or this date alone.
    pub fn cancelled(&self) -> bool {
        self.status == Status::Cancelled || self.occurrence.cancelled
    }

    /// The page of this date.
    pub fn url(&self) -> String {
        if self.recurring {
            format!("/e/{}?o={}", self.slug, self.occurrence.recurrence_id)
        } else {
            format!("/e/{}", self.slug)
        }
    }
}

const ITEM_COLUMNS: &str = "o.id, o.recurrence_id, o.start_utc, o.end_utc, o.cancelled, o.moved,
        o.title AS o_title, o.note, e.id AS event_id, e.slug, e.title, e.type, e.status, e.all_day,
        e.rrule <> '' AS recurring, e.visibility, e.address, e.lat, e.lon, e.tz, e.created_at, e.updated_at,
        pl.name AS place_name, coalesce(org.name, u.name) AS organiser,
        coalesce(org.official, 0) AS organiser_official,
        (e.organiser_actor_id IS NULL AND e.organiser_user_id IS NULL AND e.created_by IS NULL
            AND e.submitter_email = '') AS organiser_gone,
        (SELECT group_concat(tag, ',') FROM (SELECT tag FROM event_tags WHERE event_id = e.id ORDER BY tag)) AS tags";

const ITEM_JOINS: &str = "LEFT JOIN actors pl ON pl.id = e.place_id
    LEFT JOIN actors org ON org.id = e.organiser_actor_id
    LEFT JOIN users u ON u.id = e.organiser_user_id";

/// Named SQL parameters built at run time.
pub(super) type Params = Vec<(&'static str, Box<dyn ToSql>)>;

/// The SQL conditions on `e` of the filters in use, and their parameters. Only the filters in
/// use are written: a condition such as `(:org IS NULL OR ...)` would hide an index from SQLite.
/// The distance is the exact (flat-earth, fine at village scale) distance, after the R*Tree's
/// box when `rtree` (which makes SQLite start from the events of the box: right for a small
/// area, wrong for a wide one, where walking the dates in order finds a page sooner). Events
/// without a location are not "within" any distance.
pub(super) fn filter_sql(f: &Filter, rtree: bool) -> (String, Params) {
    let mut sql = String::from("1");
    let mut params: Params = Vec::new();
    if let Some(t) = f.type_ {
        sql.push_str(" AND e.type = :type");
        params.push((":type", Box::new(t.as_str())));
    }
    if let Some(tag) = &f.tag {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM event_tags t WHERE t.event_id = e.id AND t.tag = :tag)",
        );
        params.push((":tag", Box::new(tag.clone())));
    }
    if let Some(org) = &f.organiser {
        sql.push_str(" AND e.organiser_actor_id = (SELECT id FROM actors WHERE slug = :org)");
        params.push((":org", Box::new(org.clone())));
    }
    if let Some(place) = &f.place {
        sql.push_str(" AND e.place_id = (SELECT id FROM actors WHERE slug = :place)");
        params.push((":place", Box::new(place.clone())));
    }
    if let Some(actor) = f.actor {
        sql.push_str(" AND (e.organiser_actor_id = :actor OR e.place_id = :actor)");
        params.push((":actor", Box::new(actor)));
    }
    if let Some(n) = f.near {
        if rtree {
            let (min_lat, min_lon, max_lat, max_lon) =
                crate::geo::bbox_around((n.lat, n.lon), n.km);
            sql.push_str(
                " AND e.id IN (SELECT i.item_id FROM geo g CROSS JOIN geo_items i ON i.id = g.id
                    WHERE i.kind = 'event' AND g.max_lat >= :min_lat AND g.min_lat <= :max_lat
                      AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon)",
            );
            params.push((":min_lat", Box::new(min_lat)));
            params.push((":max_lat", Box::new(max_lat)));
            params.push((":min_lon", Box::new(min_lon)));
            params.push((":max_lon", Box::new(max_lon)));
        }
        sql.push_str(
            " AND ((e.lat - :lat) * 111.32) * ((e.lat - :lat) * 111.32)
                + ((e.lon - :lon) * :kx) * ((e.lon - :lon) * :kx) <= :km2",
        );
        params.push((":lat", Box::new(n.lat)));
        params.push((":lon", Box::new(n.lon)));
        params.push((":kx", Box::new(111.32 * n.lat.to_radians().cos())));
        params.push((":km2", Box::new(n.km * n.km)));
    }
    (sql, params)
}

/// The parameters as rusqlite takes them.
pub(super) fn as_params(p: &Params) -> Vec<(&str, &dyn ToSql)> {
    p.iter().map(|(k, v)| (*k, v.as_ref())).collect()
}

fn item_from_row(r: &Row) -> rusqlite::Result<Item> {
    let type_: String = r.get("type")?;
    let status: String = r.get("status")?;
    let visibility: String = r.get("visibility")?;
    let address: String = r.get("address")?;
    let place: Option<String> = r.get("place_name")?;
    let lat: Option<f64> = r.get("lat")?;
    let lon: Option<f64> = r.get("lon")?;
    Ok(Item {
        occurrence: Occurrence {
            id: r.get("id")?,
            recurrence_id: r.get("recurrence_id")?,
            start_utc: r.get("start_utc")?,
            end_utc: r.get("end_utc")?,
            cancelled: r.get("cancelled")?,
            moved: r.get("moved")?,
            title: r.get("o_title")?,
            note: r.get("note")?,
        },
        event_id: r.get("event_id")?,
        slug: r.get("slug")?,
        title: r.get("title")?,
        type_: EventType::parse(&type_).unwrap_or(EventType::Other),
        status: Status::parse(&status).unwrap_or(Status::Scheduled),
        all_day: r.get("all_day")?,
        recurring: r.get("recurring")?,
        members_only: visibility != "public",
        location: place.unwrap_or(address),
        organiser: r.get("organiser")?,
        organiser_official: r.get("organiser_official")?,
        organiser_gone: r.get("organiser_gone")?,
        tags: split_tags(r.get("tags")?),
        point: lat.zip(lon),
        tz: r.get("tz")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// Below this many events in an area, a list walks those events rather than every date.
const FEW_EVENTS: i64 = 1000;

/// Whether the R*Tree has at most [`FEW_EVENTS`] events in the box around an area (it stops
/// counting there: a wide area costs no more than a small one).
pub(super) fn few_located(conn: &Connection, n: Near) -> rusqlite::Result<bool> {
    let (min_lat, min_lon, max_lat, max_lon) = crate::geo::bbox_around((n.lat, n.lon), n.km);
    let count: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM geo g CROSS JOIN geo_items i ON i.id = g.id
             WHERE i.kind = 'event' AND g.max_lat >= :min_lat AND g.min_lat <= :max_lat
               AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon LIMIT :few)",
        )?
        .query_row(
            named_params! {":min_lat": min_lat, ":max_lat": max_lat, ":min_lon": min_lon,
            ":max_lon": max_lon, ":few": FEW_EVENTS + 1},
            |r| r.get(0),
        )?;
    Ok(count <= FEW_EVENTS)
}

/// The SQL of the dates the viewer may see that overlap [`from`, `to`), selecting `columns`
/// (with `joins`), and its parameters.
fn between_sql(
    conn: &Connection,
    f: &Filter,
    viewer: Viewer,
    (from, to): (i64, i64),
    after: Option<(i64, i64, i64)>,
    limit: i64,
    (columns, joins): (&str, &str),
) -> (String, Params) {
    // A place, an organiser, or an area over a bounded time (a month, a week) or a small area
    // over an open one selects few dates: walk those events and their dates. Otherwise walk
    // the dates in order and stop at the page's end.
    let rtree = f
        .near
        .is_some_and(|n| to < i64::MAX || few_located(conn, n).unwrap_or(false));
    let events_first = f.organiser.is_some() || f.place.is_some() || f.actor.is_some() || rtree;
    let (cond, mut params) = filter_sql(f, rtree);
    let join = if events_first {
        "FROM events e CROSS JOIN occurrences o ON o.event_id = e.id"
    } else {
        "FROM occurrences o CROSS JOIN events e ON e.id = o.event_id"
    };
    let after_cond = if after.is_some() {
        "AND (o.start_utc, o.end_utc, o.id) > (:after_s, :after_e, :after_id)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns} {join} {joins}
         WHERE o.start_utc >= :from_min AND o.start_utc < :to AND o.end_utc > :from {after_cond}
           AND e.status <> 'pending' AND {VISIBLE} AND {cond}
         ORDER BY o.start_utc, o.end_utc, o.id LIMIT :limit"
    );
    params.push((
        ":from_min",
        Box::new(from.saturating_sub(MAX_DURATION_SECS)),
    ));
    params.push((":from", Box::new(from)));
    params.push((":to", Box::new(to)));
    params.push((":staff", Box::new(viewer.staff)));
    params.push((":viewer", Box::new(viewer.user_id)));
    params.push((":limit", Box::new(limit)));
    if let Some((s, e, id)) = after {
        params.push((":after_s", Box::new(s)));
        params.push((":after_e", Box::new(e)));
        params.push((":after_id", Box::new(id)));
    }
    (sql, params)
}

/// The dates the viewer may see that overlap [`from`, `to`), in order (start, end, id),
/// filtered; with `after` (start, end, occurrence id), only those after it (the next page).
/// At most `limit`.
pub fn between(
    conn: &Connection,
    f: &Filter,
    viewer: Viewer,
    range: (i64, i64),
    after: Option<(i64, i64, i64)>,
    limit: i64,
) -> rusqlite::Result<Vec<Item>> {
    let (sql, params) = between_sql(
        conn,
        f,
        viewer,
        range,
        after,
        limit,
        (ITEM_COLUMNS, ITEM_JOINS),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(as_params(&params).as_slice(), item_from_row)?;
    rows.collect()
}

/// The same dates as [`between`], only (occurrence id, start, end): what a calendar counts
/// per day without reading each event's title, places and tags.
pub fn keys_between(
    conn: &Connection,
    f: &Filter,
    viewer: Viewer,
    range: (i64, i64),
    limit: i64,
) -> rusqlite::Result<Vec<(i64, i64, i64)>> {
    let (sql, params) = between_sql(
        conn,
        f,
        viewer,
        range,
        None,
        limit,
        ("o.id, o.start_utc, o.end_utc", ""),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(as_params(&params).as_slice(), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// The dates of these occurrence ids, in order (start, end, id); the caller chose them
/// among those the viewer may see.
pub fn items_by_ids(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Item>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM occurrences o CROSS JOIN events e ON e.id = o.event_id {ITEM_JOINS}
         WHERE o.id IN (SELECT value FROM json_each(:ids))
         ORDER BY o.start_utc, o.end_utc, o.id"
    ))?;
    let rows = stmt.query_map(named_params! {":ids": list}, item_from_row)?;
    rows.collect()
}

/// What the filter menus offer: the tags, organisers and places of events not over yet.
#[derive(Clone, Debug, Default)]
pub struct Choices {
    pub tags: Vec<String>,
    /// (slug, name)
    pub organisers: Vec<(String, String)>,
    pub places: Vec<(String, String)>,
}

/// The filter menus' choices (public events that are not over, at most 60 of each).
pub fn choices(conn: &Connection, now: i64) -> rusqlite::Result<Choices> {
    let pairs = |sql: &str| -> rusqlite::Result<Vec<(String, String)>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(named_params! {":now": now}, |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    };
    // The partial indexes of migration 7 keep this to small index reads (no wide event row).
    let tags = pairs(
        "SELECT t.tag, t.tag FROM event_tags t
         CROSS JOIN events e INDEXED BY events_public_upcoming ON e.id = t.event_id
         WHERE e.visibility = 'public' AND e.status <> 'pending' AND e.last_end_utc > :now
         GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT 60",
    )?;
    let actors = |column: &str, index: &str| {
        pairs(&format!(
            "SELECT a.slug, a.name FROM actors a WHERE a.visibility = 'public' AND EXISTS (
                SELECT 1 FROM events e INDEXED BY {index} WHERE e.{column} = a.id
                AND e.visibility = 'public' AND e.status <> 'pending' AND e.last_end_utc > :now)
             ORDER BY a.name COLLATE NOCASE LIMIT 60"
        ))
    };
    Ok(Choices {
        tags: tags.into_iter().map(|(t, _)| t).collect(),
        organisers: actors("organiser_actor_id", "events_organiser_upcoming")?,
        places: actors("place_id", "events_place_upcoming")?,
    })
}

/// The dates of "my village" in [`from`, `to`): events of the pages a person follows or
/// belongs to, and those they answered. At most `limit`.
pub fn for_person(
    conn: &Connection,
    user_id: i64,
    (from, to): (i64, i64),
    limit: i64,
) -> rusqlite::Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM occurrences o CROSS JOIN events e ON e.id = o.event_id {ITEM_JOINS}
         WHERE o.start_utc >= :from_min AND o.start_utc < :to AND o.end_utc > :from
           AND e.status <> 'pending' AND {VISIBLE}
           AND (e.organiser_actor_id IN (SELECT actor_id FROM follows WHERE user_id = :viewer)
             OR e.organiser_actor_id IN (SELECT actor_id FROM memberships WHERE user_id = :viewer AND status = 'active')
             OR e.place_id IN (SELECT actor_id FROM follows WHERE user_id = :viewer)
             OR EXISTS (SELECT 1 FROM rsvps r WHERE r.occurrence_id = o.id AND r.user_id = :viewer))
         ORDER BY o.start_utc, o.end_utc, o.id LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {
            ":from_min": from.saturating_sub(MAX_DURATION_SECS), ":from": from, ":to": to,
            ":staff": false, ":viewer": user_id, ":limit": limit,
        },
        item_from_row,
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::super::occurrences::materialise;
    use super::super::tests::{event_row, fixture};
    use super::super::{insert_event, FOREVER};
    use super::*;

    #[test]
    fn pages_of_dates_follow_each_other_and_filters_narrow_them() {
        let (db, user) = fixture();
        let c = db.conn().unwrap();
        let tags = vec!["yoga".to_string()];
        let mut row = event_row("2027-03-02 18:30", "2027-03-02 20:00");
        row.rrule = "FREQ=DAILY;COUNT=10".into();
        row.tags = &tags;
        let a = insert_event(
            &c,
            &row,
            "a",
            "ua",
            Status::Scheduled,
            Some(user),
            ("", ""),
            1,
        )
        .unwrap();
        let mut far = event_row("2027-03-05 10:00", "2027-03-05 11:00");
        far.point = Some((48.85, 2.35));
        let b = insert_event(
            &c,
            &far,
            "b",
            "ub",
            Status::Scheduled,
            Some(user),
            ("", ""),
            1,
        )
        .unwrap();
        for id in [a, b] {
            materialise(&c, id, FOREVER).unwrap();
        }
        let all = (0, i64::MAX);
        let viewer = Viewer::default();
        let first = between(&c, &Filter::default(), viewer, all, None, 6).unwrap();
        assert_eq!(first.len(), 6);
        let last = &first[5].occurrence;
        let rest = between(
            &c,
            &Filter::default(),
            viewer,
            all,
            Some((last.start_utc, last.end_utc, last.id)),
            60,
        )
        .unwrap();
        assert_eq!(rest.len(), 5, "11 dates in all, none twice");
        assert!(rest[0].occurrence.start_utc >= last.start_utc);
        let yoga = Filter {
            tag: Some("yoga".into()),
            ..Default::default()
        };
        assert_eq!(between(&c, &yoga, viewer, all, None, 60).unwrap().len(), 10);
        let near = Filter {
            near: Some(Near {
                lat: 47.35,
                lon: -0.81,
                km: 10.0,
            }),
            ..Default::default()
        };
        let found = between(&c, &near, viewer, all, None, 60).unwrap();
        assert!(found.iter().all(|i| i.slug == "a") && found.len() == 10);
        // A date that started before the range and is still going is in it.
        let going_on = between(
            &c,
            &Filter::default(),
            viewer,
            (row.start_utc + 600, row.start_utc + 700),
            None,
            60,
        )
        .unwrap();
        assert_eq!(going_on.len(), 1);
        let choices = choices(&c, 0).unwrap();
        assert_eq!(choices.tags, vec!["yoga"]);
    }
}
