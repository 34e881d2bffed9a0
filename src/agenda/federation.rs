//! The agenda on the fediverse: each public event as an ActivityStreams `Event` in the richer
//! form `../shared/ACTIVITYPUB.md` describes (Mobilizon's: a `Place` with a `PostalAddress`
//! and a name, `timezone`, `ical:status`; Gancio reads it too), and the `Event`s of the actors
//! followed merged into the agenda like an imported calendar (by object id, updated in place,
//! cancelled when deleted). Mastodon shows an Event's `name` and `summary` only, so the
//! summary says when and where.

use chrono::{DateTime, NaiveDateTime};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::import::event::Imported;
use super::import::sync::merge;
use super::store::{self, imports, outside};
use super::{Status, Visibility};
use crate::db::now;
use crate::error::AppError;
use crate::federation::Object;

/// A public event as followers see it; `None` when it is not public (members-only, pending,
/// hidden by a moderator) or came from the fediverse itself.
pub fn object(c: &Connection, id: i64, base: &str) -> rusqlite::Result<Option<Object>> {
    let Some(ev) = store::event_by_id(c, id)? else {
        return Ok(None);
    };
    let public = ev.visibility == Visibility::Public
        && ev.status != Status::Pending
        && ev.organiser.as_ref().is_none_or(|o| o.public);
    if !public || imports::from_activitypub(c, id)? {
        return Ok(None);
    }
    let lang = crate::personal_data::store::village_lang(c)?;
    // A series is announced by its next date.
    let (start, end) = match outside::next_starts(c, &[id], now())?.first() {
        Some((_, s)) if !ev.rrule.is_empty() || !ev.rdates.is_empty() => {
            (*s, *s + (ev.end_utc - ev.start_utc))
        }
        _ => (ev.start_utc, ev.end_utc),
    };
    let when = lang.datetime(start, ev.tz);
    let place_name = ev
        .place
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let where_ = [place_name.as_str(), ev.address.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let summary = if where_.is_empty() {
        when
    } else {
        format!("{when} · {where_}")
    };
    let time = |t: i64| {
        DateTime::from_timestamp(t, 0)
            .map(|d| d.with_timezone(&ev.tz).to_rfc3339())
            .unwrap_or_default()
    };
    let mut json = json!({
        "type": "Event",
        "name": ev.title,
        "summary": crate::text::xml_escape(&summary),
        "content": crate::web::markdown::render(&ev.description),
        "mediaType": "text/html",
        "url": format!("{base}/e/{}", ev.slug),
        "startTime": time(start),
        "endTime": time(end),
        "timezone": ev.tz.name(),
        "ical:status": if ev.status == Status::Cancelled { "CANCELLED" } else { "CONFIRMED" },
        "inLanguage": lang.code(),
        "isOnline": false,
        "commentsEnabled": false,
        "joinMode": "external",
        "tag": ev.tags.iter().map(|t| json!({
            "type": "Hashtag",
            "name": format!("#{}", t.replace(' ', "_")),
            "href": format!("{base}/agenda?tag={}", crate::web::url_encode(t)),
        })).collect::<Vec<_>>(),
        "attachment": ev.image.as_ref().map(|img| vec![json!({
            "type": "Document",
            "mediaType": crate::federation::media_type(img),
            "url": format!("{base}/media/{img}"),
            "name": ev.title,
        })]).unwrap_or_default(),
    });
    if !ev.address.is_empty() || ev.place.is_some() || ev.lat.is_some() {
        let mut place = json!({
            "type": "Place",
            "name": if place_name.is_empty() { ev.address.clone() } else { place_name },
            "address": {"type": "PostalAddress", "streetAddress": ev.address},
        });
        if let Some(p) = &ev.place {
            place["id"] = json!(format!("{base}/a/{}", p.slug));
        }
        if let (Some(lat), Some(lon)) = (ev.lat, ev.lon) {
            place["latitude"] = json!(lat);
            place["longitude"] = json!(lon);
        }
        json["location"] = place;
    }
    if let Some(cap) = ev.capacity {
        json["maximumAttendeeCapacity"] = json!(cap);
    }
    Ok(Some(Object {
        json,
        local_actor: ev.organiser.as_ref().map_or(0, |o| o.id),
        announce: true,
    }))
}

/// Text of a string or of a language map (`nameMap`: the first language).
fn text(v: &Value, key: &str) -> String {
    let direct = v.get(key).and_then(Value::as_str);
    let mapped = || {
        v.get(&format!("{key}Map"))
            .and_then(Value::as_object)
            .and_then(|m| m.values().find_map(Value::as_str))
    };
    direct.or_else(mapped).unwrap_or_default().to_string()
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// A remote `Event` as the import reads events: `None` without a readable start.
pub fn imported(v: &Value, default_tz: Tz) -> Option<Imported> {
    let uid = v.get("id")?.as_str()?.to_string();
    let start = DateTime::parse_from_rfc3339(v.get("startTime")?.as_str()?).ok()?;
    let tz: Tz = v
        .get("timezone")
        .and_then(Value::as_str)
        .and_then(|z| z.parse().ok())
        .unwrap_or(default_tz);
    let end = v
        .get("endTime")
        .and_then(Value::as_str)
        .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
        .filter(|e| *e >= start)
        // Gancio leaves the end out: two hours, as a calendar would show it.
        .unwrap_or(start + chrono::Duration::hours(2));
    let local =
        |d: DateTime<chrono::FixedOffset>| -> NaiveDateTime { d.with_timezone(&tz).naive_local() };
    let location = v.get("location").map(|l| match l {
        Value::Array(a) => a.first().cloned().unwrap_or_default(),
        other => other.clone(),
    });
    let (address, point) = match &location {
        Some(l) => {
            let name = text(l, "name");
            let addr = match l.get("address") {
                Some(Value::String(s)) => s.clone(),
                Some(a @ Value::Object(_)) => [
                    "streetAddress",
                    "postalCode",
                    "addressLocality",
                    "addressCountry",
                ]
                .iter()
                .map(|k| text(a, k))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
                _ => String::new(),
            };
            let full = [name, addr]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let point = number(l.get("latitude"))
                .zip(number(l.get("longitude")))
                .filter(|(la, lo)| la.abs() <= 90.0 && lo.abs() <= 180.0);
            (full, point)
        }
        None => (String::new(), None),
    };
    let tags = match v.get("tag") {
        Some(Value::Array(a)) => a
            .iter()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("Hashtag"))
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .map(|n| n.trim_start_matches('#').replace('_', " "))
            .filter(|n| !n.is_empty())
            .take(20)
            .collect(),
        _ => Vec::new(),
    };
    let status = [text(v, "ical:status"), text(v, "status")];
    let title: String = text(v, "name").chars().take(200).collect();
    Some(Imported {
        title: if title.is_empty() { uid.clone() } else { title },
        description: crate::text::html_to_text(&text(v, "content"))
            .chars()
            .take(20_000)
            .collect(),
        address: address.chars().take(300).collect(),
        point,
        tags,
        tz,
        start: local(start),
        end: local(end),
        all_day: false,
        rrule: String::new(),
        rdates: Vec::new(),
        exdates: Vec::new(),
        exdate_times: Vec::new(),
        overrides: Vec::new(),
        cancelled: status.iter().any(|s| s.eq_ignore_ascii_case("cancelled")),
        notes: Vec::new(),
        uid,
    })
}

/// A remote Event arrives (Create, Update, Announce, or the outbox read on acceptance).
pub fn upsert(c: &Connection, source_id: i64, v: &Value, now: i64) -> Result<(), AppError> {
    let Some(actor) = imports::source_actor(c, source_id)? else {
        return Ok(());
    };
    let tz = crate::settings::store::load_instance(c)?.time_zone;
    let Some(ev) = imported(v, tz) else {
        return Ok(());
    };
    let lang = crate::personal_data::store::village_lang(c)?;
    merge(c, source_id, actor, &ev, lang, None, now)?;
    Ok(())
}

/// A remote Event is deleted upstream: cancelled here (people may have noted it).
pub fn remove(c: &Connection, source_id: i64, id: &str, now: i64) -> Result<(), AppError> {
    if let Some(link) = imports::linked(c, source_id, id)? {
        if link.status != Status::Cancelled.as_str() {
            store::set_status(c, link.event_id, Status::Cancelled, None, now)?;
        }
    }
    Ok(())
}

/// The agenda source a follow feeds, for a page.
pub fn open(
    c: &Connection,
    page: i64,
    remote: &str,
    _name: &str,
    by: Option<i64>,
    now: i64,
) -> Result<i64, AppError> {
    Ok(imports::activitypub_source(c, page, remote, by, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gancio_and_mobilizon_events_are_read() {
        let gancio = json!({
            "id": "https://gancio.example/federation/m/12", "type": "Event",
            "name": "Concert au lavoir", "content": "<p>Avec <b>la fanfare</b> &amp; amis</p>",
            "startTime": "2027-06-12T20:30:00+02:00",
            "location": {"type": "Place", "name": "Lavoir", "address": "Rue du Lavoir, Bourg",
                         "latitude": 47.35, "longitude": -0.81},
            "tag": [{"type": "Hashtag", "name": "#musique"}]
        });
        let ev = imported(&gancio, chrono_tz::Europe::Paris).unwrap();
        assert_eq!(ev.title, "Concert au lavoir");
        assert_eq!(ev.description, "Avec la fanfare & amis");
        assert_eq!(ev.start.to_string(), "2027-06-12 20:30:00");
        assert_eq!(ev.end.to_string(), "2027-06-12 22:30:00");
        assert_eq!(ev.address, "Lavoir, Rue du Lavoir, Bourg");
        assert_eq!(ev.point, Some((47.35, -0.81)));
        assert_eq!(ev.tags, vec!["musique"]);
        let mobilizon = json!({
            "id": "https://mobilizon.example/events/uuid", "type": "Event",
            "name": "Assemblée", "startTime": "2027-06-12T18:00:00Z",
            "endTime": "2027-06-12T20:00:00Z", "timezone": "Europe/Paris",
            "ical:status": "CANCELLED",
            "location": {"type": "Place", "name": "Mairie",
                         "address": {"type": "PostalAddress", "streetAddress": "1 place",
                                     "postalCode": "49999", "addressLocality": "Bourg"}}
        });
        let ev = imported(&mobilizon, chrono_tz::UTC).unwrap();
        assert_eq!(ev.start.to_string(), "2027-06-12 20:00:00");
        assert!(ev.cancelled);
        assert_eq!(ev.address, "Mairie, 1 place 49999 Bourg");
        assert!(imported(&json!({"id": "x", "type": "Event"}), chrono_tz::UTC).is_none());
    }
}
