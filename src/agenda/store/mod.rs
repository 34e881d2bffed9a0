//! Every SQL statement about events and their tags. Occurrences, RSVPs and the queries for
//! lists, feeds, search and map are beside this file.

pub mod imports;
pub mod lists;
pub mod moderation;
pub mod occurrences;
pub mod outside;
pub mod refs;
pub mod rooms;
pub mod rsvps;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::recurrence::Rule;
use super::{ActorRef, Event, EventType, Status, Visibility};
use crate::geo::store as geo;

/// The R*Tree kind (and map source, and search kind) of events.
pub const GEO_KIND: &str = "event";
/// `materialised_until` and `last_end_utc` of a series without end.
pub const FOREVER: i64 = i64::MAX;

/// Local wall time as stored: `2027-03-02T18:30`.
pub fn local_text(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

fn parse_local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap_or_default()
}

pub(crate) fn split_tags(s: Option<String>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

pub(super) const EVENT_SELECT: &str = "SELECT e.id, e.slug, e.uid, e.title, e.description, e.type, e.tz,
        e.start_local, e.end_local, e.start_utc, e.end_utc, e.all_day, e.place_id, e.address, e.lat, e.lon,
        e.organiser_actor_id, e.organiser_user_id, e.parent_id, e.image, e.visibility, e.status,
        e.capacity, e.rrule, e.exdates, e.rdates, e.submitter_name, e.submitter_email, e.created_by,
        e.created_at, e.updated_at,
        pl.slug AS place_slug, pl.name AS place_name, pl.visibility AS place_visibility,
        pl.official AS place_official,
        org.slug AS org_slug, org.name AS org_name, org.visibility AS org_visibility,
        org.official AS org_official,
        -- Organised in their own name by a person who has since deleted their account.
        (e.organiser_actor_id IS NULL AND e.organiser_user_id IS NULL AND e.created_by IS NULL
            AND e.submitter_email = '') AS organiser_gone,
        u.name AS org_user_name, par.slug AS parent_slug, par.title AS parent_title,
        (SELECT group_concat(tag, ',') FROM (SELECT tag FROM event_tags WHERE event_id = e.id ORDER BY tag)) AS tags
    FROM events e
    LEFT JOIN actors pl ON pl.id = e.place_id
    LEFT JOIN actors org ON org.id = e.organiser_actor_id
    LEFT JOIN users u ON u.id = e.organiser_user_id
    LEFT JOIN events par ON par.id = e.parent_id";

fn actor_ref(r: &Row, id: &str, prefix: &str) -> rusqlite::Result<Option<ActorRef>> {
    let id: Option<i64> = r.get(id)?;
    let slug: Option<String> = r.get(format!("{prefix}_slug").as_str())?;
    let name: Option<String> = r.get(format!("{prefix}_name").as_str())?;
    let vis: Option<String> = r.get(format!("{prefix}_visibility").as_str())?;
    let official: Option<bool> = r.get(format!("{prefix}_official").as_str())?;
    Ok(match (id, slug, name) {
        (Some(id), Some(slug), Some(name)) => Some(ActorRef {
            id,
            slug,
            name,
            public: vis.as_deref() == Some("public"),
            official: official.unwrap_or(false),
        }),
        _ => None,
    })
}

pub(super) fn event_from_row(r: &Row) -> rusqlite::Result<Event> {
    let tz: String = r.get("tz")?;
    let type_: String = r.get("type")?;
    let rrule: String = r.get("rrule")?;
    let exdates: String = r.get("exdates")?;
    let org_user: Option<i64> = r.get("organiser_user_id")?;
    let org_user_name: Option<String> = r.get("org_user_name")?;
    let parent_id: Option<i64> = r.get("parent_id")?;
    let parent_slug: Option<String> = r.get("parent_slug")?;
    let parent_title: Option<String> = r.get("parent_title")?;
    let visibility: String = r.get("visibility")?;
    let status: String = r.get("status")?;
    Ok(Event {
        id: r.get("id")?,
        slug: r.get("slug")?,
        uid: r.get("uid")?,
        title: r.get("title")?,
        description: r.get("description")?,
        type_: EventType::parse(&type_).unwrap_or(EventType::Other),
        tags: split_tags(r.get("tags")?),
        tz: tz.parse().unwrap_or(chrono_tz::Europe::Paris),
        start: parse_local(&r.get::<_, String>("start_local")?),
        end: parse_local(&r.get::<_, String>("end_local")?),
        start_utc: r.get("start_utc")?,
        end_utc: r.get("end_utc")?,
        all_day: r.get("all_day")?,
        place: actor_ref(r, "place_id", "place")?,
        address: r.get("address")?,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
        organiser: actor_ref(r, "organiser_actor_id", "org")?,
        organiser_user: org_user.zip(org_user_name),
        organiser_gone: r.get("organiser_gone")?,
        parent: match (parent_id, parent_slug, parent_title) {
            (Some(i), Some(s), Some(t)) => Some((i, s, t)),
            _ => None,
        },
        image: r.get("image")?,
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Members),
        status: Status::parse(&status).unwrap_or(Status::Pending),
        capacity: r.get("capacity")?,
        rule: (!rrule.is_empty())
            .then(|| Rule::parse(&rrule).ok())
            .flatten(),
        exdates: exdates
            .split(',')
            .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .collect(),
        exdate_times: exdates
            .split(',')
            .filter_map(|d| NaiveDateTime::parse_from_str(d, "%Y-%m-%dT%H:%M").ok())
            .collect(),
        rdates: local_list(&r.get::<_, String>("rdates")?),
        rrule,
        created_by: r.get("created_by")?,
        submitter_name: r.get("submitter_name")?,
        submitter_email: r.get("submitter_email")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// The event with this slug.
pub fn event_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<Event>> {
    conn.prepare_cached(&format!("{EVENT_SELECT} WHERE e.slug = :slug"))?
        .query_row(named_params! {":slug": slug}, event_from_row)
        .optional()
}

/// The event with this id.
pub fn event_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Event>> {
    conn.prepare_cached(&format!("{EVENT_SELECT} WHERE e.id = :id"))?
        .query_row(named_params! {":id": id}, event_from_row)
        .optional()
}

/// These events, complete, in id order (search documents, feeds).
pub fn events_by_ids(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Event>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "{EVENT_SELECT} WHERE e.id IN (SELECT value FROM json_each(:ids)) ORDER BY e.id"
    ))?;
    let rows = stmt.query_map(named_params! {":ids": list}, event_from_row)?;
    rows.collect()
}

/// A free slug starting with `base` (`base`, `base-2`, ...).
pub fn unique_slug(conn: &Connection, base: &str) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM events WHERE slug = :slug")?;
    let mut candidate = base.to_string();
    let mut n = 2;
    while stmt.exists(named_params! {":slug": candidate})? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// What an event row holds, resolved (ids rather than slugs, the place's position copied).
#[derive(Clone, Debug)]
pub struct EventRow<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub type_: EventType,
    pub tags: &'a [String],
    pub tz: &'a str,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub start_utc: i64,
    pub end_utc: i64,
    pub all_day: bool,
    pub place_id: Option<i64>,
    pub address: &'a str,
    pub point: Option<(f64, f64)>,
    pub organiser_actor_id: Option<i64>,
    pub organiser_user_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub visibility: Visibility,
    pub capacity: Option<i64>,
    /// Any RFC 5545 RRULE value, kept as written ('' for none).
    pub rrule: String,
    /// Whole local days left out of the series.
    pub exdates: &'a [NaiveDate],
    /// Single local starts left out (EXDATE with a time, from imported calendars).
    pub exdate_times: &'a [NaiveDateTime],
    /// Added local starts (RDATE).
    pub rdates: &'a [NaiveDateTime],
}

impl EventRow<'_> {
    fn exdates_text(&self) -> String {
        let days = self
            .exdates
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string());
        let times = self.exdate_times.iter().map(|t| local_text(*t));
        days.chain(times).collect::<Vec<_>>().join(",")
    }

    fn rdates_text(&self) -> String {
        let mut v: Vec<String> = self.rdates.iter().map(|t| local_text(*t)).collect();
        v.sort();
        v.dedup();
        v.join(",")
    }
}

/// `2027-03-02T18:30,2027-03-09T18:30` as stored (what does not parse is left out).
pub fn local_list(s: &str) -> Vec<NaiveDateTime> {
    s.split(',')
        .filter_map(|d| NaiveDateTime::parse_from_str(d.trim(), "%Y-%m-%dT%H:%M").ok())
        .collect()
}

/// Creates an event (tags and location too; occurrences by [`occurrences::materialise`]).
/// Returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_event(
    conn: &Connection,
    e: &EventRow,
    slug: &str,
    uid: &str,
    status: Status,
    created_by: Option<i64>,
    submitter: (&str, &str),
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO events (slug, uid, title, description, type, tz, start_local, end_local, start_utc,
            end_utc, all_day, place_id, address, lat, lon, organiser_actor_id, organiser_user_id, parent_id,
            visibility, status, capacity, rrule, exdates, rdates, submitter_name, submitter_email, created_by,
            created_at, updated_by, updated_at)
         VALUES (:slug, :uid, :title, :description, :type, :tz, :start_local, :end_local, :start_utc,
            :end_utc, :all_day, :place, :address, :lat, :lon, :org, :org_user, :parent, :visibility,
            :status, :capacity, :rrule, :exdates, :rdates, :sub_name, :sub_email, :by, :now, :by, :now)",
    )?
    .execute(named_params! {
        ":slug": slug, ":uid": uid, ":title": e.title, ":description": e.description,
        ":type": e.type_.as_str(), ":tz": e.tz, ":start_local": local_text(e.start),
        ":end_local": local_text(e.end), ":start_utc": e.start_utc, ":end_utc": e.end_utc,
        ":all_day": e.all_day, ":place": e.place_id, ":address": e.address,
        ":lat": e.point.map(|p| p.0), ":lon": e.point.map(|p| p.1), ":org": e.organiser_actor_id,
        ":org_user": e.organiser_user_id, ":parent": e.parent_id, ":visibility": e.visibility.as_str(),
        ":status": status.as_str(), ":capacity": e.capacity, ":rrule": e.rrule, ":exdates": e.exdates_text(),
        ":rdates": e.rdates_text(), ":sub_name": submitter.0, ":sub_email": submitter.1, ":by": created_by, ":now": now,
    })?;
    let id = conn.last_insert_rowid();
    set_tags(conn, id, e.tags)?;
    geo::set_point(conn, GEO_KIND, id, e.point)?;
    Ok(id)
}

/// Saves an edited event with its tags and location (the caller re-materialises).
pub fn update_event(
    conn: &Connection,
    id: i64,
    e: &EventRow,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE events SET title = :title, description = :description, type = :type, tz = :tz,
            start_local = :start_local, end_local = :end_local, start_utc = :start_utc, end_utc = :end_utc,
            all_day = :all_day, place_id = :place, address = :address, lat = :lat, lon = :lon,
            organiser_actor_id = :org, organiser_user_id = :org_user, parent_id = :parent,
            visibility = :visibility, capacity = :capacity, rrule = :rrule, exdates = :exdates,
            rdates = :rdates, updated_by = :by, updated_at = :now
         WHERE id = :id",
    )?
    .execute(named_params! {
        ":id": id, ":title": e.title, ":description": e.description, ":type": e.type_.as_str(),
        ":tz": e.tz, ":start_local": local_text(e.start), ":end_local": local_text(e.end),
        ":start_utc": e.start_utc, ":end_utc": e.end_utc, ":all_day": e.all_day, ":place": e.place_id,
        ":address": e.address, ":lat": e.point.map(|p| p.0), ":lon": e.point.map(|p| p.1),
        ":org": e.organiser_actor_id, ":org_user": e.organiser_user_id, ":parent": e.parent_id,
        ":visibility": e.visibility.as_str(), ":capacity": e.capacity, ":rrule": e.rrule,
        ":exdates": e.exdates_text(), ":rdates": e.rdates_text(), ":by": by, ":now": now,
    })?;
    set_tags(conn, id, e.tags)?;
    geo::set_point(conn, GEO_KIND, id, e.point)?;
    Ok(())
}

fn set_tags(conn: &Connection, id: i64, tags: &[String]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM event_tags WHERE event_id = :id")?
        .execute(named_params! {":id": id})?;
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO event_tags (event_id, tag) VALUES (:id, :tag)")?;
    for t in tags {
        stmt.execute(named_params! {":id": id, ":tag": t})?;
    }
    Ok(())
}

/// Sets the status (cancel, restore, approve); returns whether the event exists.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: Status,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE events SET status = :status, updated_by = :by, updated_at = :now WHERE id = :id",
        )?
        .execute(named_params! {":id": id, ":status": status.as_str(), ":by": by, ":now": now})?;
    Ok(n == 1)
}

/// Marks the event changed (a date cancelled or moved alone): feeds, search and caches follow.
pub fn touch(conn: &Connection, id: i64, by: Option<i64>, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE events SET updated_by = :by, updated_at = :now WHERE id = :id")?
        .execute(named_params! {":id": id, ":by": by, ":now": now})?;
    Ok(())
}

/// Deletes an event (occurrences, RSVPs and tags go with it; sub-events lose their parent)
/// and its location; returns its image's file name, for the caller to delete after commit.
pub fn delete_event(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    let image = set_image(conn, id, None)?;
    geo::remove(conn, GEO_KIND, id)?;
    conn.prepare_cached("DELETE FROM events WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(image)
}

/// Sets the image file name; returns the previous one (to delete its file).
pub fn set_image(
    conn: &Connection,
    id: i64,
    image: Option<&str>,
) -> rusqlite::Result<Option<String>> {
    let old: Option<String> = conn
        .prepare_cached("SELECT image FROM events WHERE id = :id")?
        .query_row(named_params! {":id": id}, |r| r.get(0))
        .optional()?
        .flatten();
    conn.prepare_cached("UPDATE events SET image = :i WHERE id = :id")?
        .execute(named_params! {":id": id, ":i": image})?;
    Ok(old)
}

/// The events a person created (for "download my data").
pub fn events_created_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{EVENT_SELECT} WHERE e.created_by = :u OR e.organiser_user_id = :u ORDER BY e.id"
    ))?;
    let rows = stmt.query_map(named_params! {":u": user_id}, event_from_row)?;
    rows.collect()
}

/// The submissions waiting for a moderator, oldest first.
pub fn pending(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{EVENT_SELECT} WHERE e.status = 'pending' ORDER BY e.created_at, e.id LIMIT :limit"
    ))?;
    let rows = stmt.query_map(named_params! {":limit": limit}, event_from_row)?;
    rows.collect()
}

/// The id of an event by slug.
pub fn event_id_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM events WHERE slug = :slug")?
        .query_row(named_params! {":slug": slug}, |r| r.get(0))
        .optional()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::agenda::Viewer;
    use crate::db::Db;
    use crate::time::local_to_utc;

    /// An in-memory database with the real schema and one account; returns its id.
    pub fn fixture() -> (Db, i64) {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        c.execute(
            "INSERT INTO users (email, name, password_hash, created_at, updated_at)
             VALUES ('jeanne@village.test', 'Jeanne', 'x', 0, 0)",
            [],
        )
        .unwrap();
        let id = c.last_insert_rowid();
        drop(c);
        (db, id)
    }

    /// A public event row in Paris from `start` to `end` (`2027-03-02 18:30`).
    pub fn event_row<'a>(start: &str, end: &str) -> EventRow<'a> {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let tz = chrono_tz::Europe::Paris;
        EventRow {
            title: "Yoga",
            description: "",
            type_: EventType::Sport,
            tags: &[],
            tz: "Europe/Paris",
            start: at(start),
            end: at(end),
            start_utc: local_to_utc(tz, at(start)),
            end_utc: local_to_utc(tz, at(end)),
            all_day: false,
            place_id: None,
            address: "Salle des fêtes",
            point: Some((47.35, -0.81)),
            organiser_actor_id: None,
            organiser_user_id: None,
            parent_id: None,
            visibility: Visibility::Public,
            capacity: None,
            rrule: String::new(),
            exdates: &[],
            exdate_times: &[],
            rdates: &[],
        }
    }

    #[test]
    fn events_are_stored_found_located_and_deleted() {
        let (db, user) = fixture();
        let c = db.conn().unwrap();
        let tags = vec!["yoga".to_string(), "sport".to_string()];
        let mut row = event_row("2027-03-02 18:30", "2027-03-02 20:00");
        row.tags = &tags;
        let id = insert_event(
            &c,
            &row,
            "yoga",
            "u1",
            Status::Scheduled,
            Some(user),
            ("", ""),
            5,
        )
        .unwrap();
        occurrences::materialise(&c, id, FOREVER).unwrap();
        let ev = event_by_slug(&c, "yoga").unwrap().unwrap();
        assert_eq!(ev.tags, vec!["sport", "yoga"]);
        assert_eq!(ev.start_utc, row.start_utc);
        assert_eq!(ev.start.format("%H:%M").to_string(), "18:30");
        assert_eq!(unique_slug(&c, "yoga").unwrap(), "yoga-2");
        let box_ = (47.0, -1.0, 47.5, -0.5);
        assert_eq!(geo::items_in_box(&c, GEO_KIND, box_).unwrap(), vec![id]);
        let a = refs::access(
            &c,
            &ev,
            Viewer {
                user_id: Some(user),
                staff: false,
            },
        )
        .unwrap();
        assert!(a.see && a.manage && !a.moderate);
        let stranger = refs::access(&c, &ev, Viewer::default()).unwrap();
        assert!(stranger.see && !stranger.manage);
        delete_event(&c, id).unwrap();
        assert!(event_by_slug(&c, "yoga").unwrap().is_none());
        assert!(geo::items_in_box(&c, GEO_KIND, box_).unwrap().is_empty());
        let n: i64 = c
            .query_row("SELECT count(*) FROM occurrences", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "occurrences go with their event");
    }
}
