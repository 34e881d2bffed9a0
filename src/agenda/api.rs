//! The agenda's read API: `/api/v1/events` (the dates the caller may see, filtered, a page at
//! a time) and `/api/v1/events/{slug}` (one event with its dates to come); their part of the
//! OpenAPI document.

use std::sync::{Arc, LazyLock};

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::feeds::item_json;
use super::handlers::{extend_horizon, load};
use super::query::{cursor, day_start, AgendaQuery};
use super::store::{lists, occurrences};
use super::{EventType, Viewer};
use crate::db::memo::Memo;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::parse_date;
use crate::time::rfc3339;
use crate::web::{base_url, Ctx};

/// Dates per page of the API, unless `limit` says otherwise (up to [`API_MAX`]: a month of a
/// département's agenda fits in one page).
const API_PAGE: usize = 100;
const API_MAX: usize = 1000;

/// GET /api/v1/events: the dates from `from` (today) to `to`, filtered; `next` is the cursor of
/// the following page (the `after` parameter), `null` on the last one. What a visitor reads is
/// memoised whole until the next write (from the current minute, like the agenda's list).
pub async fn list(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    static MEMO: LazyLock<Memo<String>> = LazyLock::new(|| Memo::new(256));
    let tz = ctx.instance.time_zone;
    let now = now();
    let from = parse_date(&q.from).map_or(now - now.rem_euclid(60), |d| day_start(tz, d));
    let to = parse_date(&q.to)
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, |d| day_start(tz, d));
    let page = match q.limit.trim() {
        "" => API_PAGE,
        l => match l.parse::<usize>() {
            Ok(n) if (1..=API_MAX).contains(&n) => n,
            _ => {
                return Ok(HttpResponse::BadRequest().json(json!({
                    "error": ctx.t("error.bad_request"),
                    "detail": format!("limit is a number from 1 to {API_MAX}"),
                })))
            }
        },
    };
    extend_horizon(&state, if to == i64::MAX { from } else { to }).await?;
    let after = cursor(&q.after);
    let (filter, viewer) = (q.filter(&ctx), Viewer::of(ctx.user.as_ref()));
    let base = base_url(&req, &state);
    let visitor = ctx.user.is_none();
    let key = format!("{}|{from}|{base}", req.query_string());
    let ctx2 = ctx.clone();
    let body = state
        .db
        .read(move |c| {
            let compute = || -> Result<String, AppError> {
                let mut items =
                    lists::between(c, &filter, viewer, (from, to), after, page as i64 + 1)?;
                let next = (items.len() > page).then(|| {
                    items.truncate(page);
                    items.last().map(|i| {
                        format!(
                            "{}:{}:{}",
                            i.occurrence.start_utc, i.occurrence.end_utc, i.occurrence.id
                        )
                    })
                });
                Ok(json!({
                    "items": items.iter().map(|i| item_json(&ctx2, &base, i)).collect::<Vec<_>>(),
                    "next": next.flatten(),
                })
                .to_string())
            };
            if visitor {
                MEMO.get_or(&key, compute)
            } else {
                compute().map(Arc::new)
            }
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_ref().clone()))
}

/// GET /api/v1/events/{slug}: one event the caller may see, with its next dates.
pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<DatesQuery>,
) -> Result<HttpResponse, AppError> {
    let (ev, _) = load(&state, &ctx, slug.into_inner()).await?;
    let id = ev.id;
    let tz = ctx.instance.time_zone;
    let window = match (instant(&q.from, tz), instant(&q.to, tz)) {
        (None, None) => None,
        (from, to) => Some((from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX))),
    };
    if let Some((_, to)) = window.filter(|w| w.1 != i64::MAX) {
        extend_horizon(&state, to).await?;
    }
    let dates = state
        .db
        .read(move |c| {
            Ok(match window {
                Some((from, to)) => occurrences::starting_between(c, id, from, to, 2000)?,
                None => occurrences::upcoming(c, id, now(), 50)?,
            })
        })
        .await?;
    let base = base_url(&req, &state);
    let tz = ev.tz;
    Ok(HttpResponse::Ok().json(json!({
        "slug": ev.slug,
        "uid": ev.uid,
        "title": ev.title,
        "description": ev.description,
        "type": ev.type_.as_str(),
        "tags": ev.tags,
        "status": ev.status.as_str(),
        "visibility": ev.visibility.as_str(),
        "time_zone": tz.name(),
        "start": rfc3339(ev.start_utc, tz),
        "end": rfc3339(ev.end_utc, tz),
        "all_day": ev.all_day,
        "rrule": (!ev.rrule.is_empty()).then_some(&ev.rrule),
        "rdates": ev.rdates.iter().map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).collect::<Vec<_>>(),
        "exdates": ev.exdates.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        "place": ev.place.as_ref().filter(|p| p.public).map(|p| p.slug.clone()),
        "location": ev.location_label(),
        "lat": ev.lat,
        "lon": ev.lon,
        "organiser": ev.organiser_name(),
        "organiser_page": ev.organiser.as_ref().filter(|o| o.public).map(|o| o.slug.clone()),
        "parent": ev.parent.as_ref().map(|p| p.1.clone()),
        "capacity": ev.capacity,
        "image": ev.image.as_ref().map(|i| format!("{base}/media/{i}")),
        "url": format!("{base}/e/{}", ev.slug),
        "ics": format!("{base}/e/{}.ics", ev.slug),
        "dates": dates.iter().map(|o| json!({
            "recurrence_id": o.recurrence_id,
            "start": rfc3339(o.start_utc, tz),
            "end": rfc3339(o.end_utc, tz),
            "cancelled": o.cancelled,
            "title": o.title,
            "note": o.note,
        })).collect::<Vec<_>>(),
    })))
}

/// The window of dates of one event (`from`, `to`: RFC 3339 instants or days; without them,
/// the next 50 dates).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DatesQuery {
    pub from: String,
    pub to: String,
}

/// `2027-03-02T18:30:00+01:00` or `2027-03-02` (midnight in the village's zone).
fn instant(s: &str, tz: chrono_tz::Tz) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|d| d.timestamp())
        .ok()
        .or_else(|| parse_date(s).map(|d| day_start(tz, d)))
}

/// The agenda's paths for the OpenAPI document (merged by `api::document`).
pub fn openapi_paths() -> Value {
    openapi()["paths"].take()
}

/// The agenda's schemas for the OpenAPI document.
pub fn openapi_schemas() -> Value {
    openapi()["components"]["schemas"].take()
}

/// A person's events and answers, for "download my data".
pub fn personal_data(conn: &rusqlite::Connection, user_id: i64) -> Result<Value, AppError> {
    let events = super::store::events_created_by(conn, user_id)?;
    let answers = super::store::rsvps::of_person(conn, user_id)?;
    let utc = |t: i64| rfc3339(t, chrono_tz::UTC);
    Ok(json!({
        "events": events.iter().map(|e| json!({
            "slug": e.slug, "uid": e.uid, "title": e.title, "description": e.description,
            "type": e.type_.as_str(), "tags": e.tags, "status": e.status.as_str(),
            "visibility": e.visibility.as_str(), "time_zone": e.tz.name(),
            "start": rfc3339(e.start_utc, e.tz), "end": rfc3339(e.end_utc, e.tz), "all_day": e.all_day,
            "rrule": (!e.rrule.is_empty()).then_some(&e.rrule), "location": e.location_label(),
            "lat": e.lat, "lon": e.lon, "capacity": e.capacity, "organiser": e.organiser_name(),
            "created_at": utc(e.created_at), "updated_at": utc(e.updated_at),
        })).collect::<Vec<_>>(),
        "answers": answers.iter().map(|(slug, title, start, answer)| json!({
            "event": slug, "title": title, "date": utc(*start), "answer": answer,
        })).collect::<Vec<_>>(),
    }))
}

fn openapi() -> Value {
    let q = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    let filters = vec![
        q("tag", "A tag"),
        json!({"name": "type", "in": "query", "required": false, "schema": {"type": "string", "enum": EventType::NAMES}}),
        q("organiser", "The organiser's page (slug)"),
        q("place", "The place's page (slug)"),
        q(
            "km",
            "Within this many km of the village centre, or of lat/lon",
        ),
        q("lat", "Latitude of another centre"),
        q("lon", "Longitude of another centre"),
        q("from", "First day, YYYY-MM-DD (default: now)"),
        q("to", "Last day, YYYY-MM-DD"),
        q("after", "The `next` cursor of the previous page"),
        json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "description": "Dates per page (a month fits in one page)"}),
    ];
    // The feeds take the filters, not the dates nor the cursor.
    let feed_filters: Vec<Value> = filters[..7].to_vec();
    let slug =
        json!({"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}});
    let date = json!({"type": "string", "format": "date-time"});
    let error = json!({"description": "No event the caller may see with this slug", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    // The feeds are not under /api/: their errors are the site's pages.
    let page_error = |d: &str| json!({"description": d, "content": {"text/html": {"schema": {"type": "string"}}}});
    json!({
        "paths": {
            "/api/v1/events": {"get": {
                "summary": "The dates of the agenda the caller may see (public ones without authentication), in order",
                "operationId": "listEvents",
                "parameters": filters,
                "responses": {"200": {"description": "One page of dates", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["items", "next"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/EventDate"}},
                        "next": {"type": "string", "nullable": true, "description": "Pass as `after` for the next page"}
                    }
                }}}}}
            }},
            "/api/v1/events/{slug}": {
                "parameters": [slug.clone()],
                "get": {
                    "summary": "One event with its next 50 dates, or every date starting in [from, to) (up to 2,000)",
                    "operationId": "getEvent",
                    "parameters": [
                        {"name": "from", "in": "query", "schema": {"type": "string"}, "description": "RFC 3339 instant or YYYY-MM-DD"},
                        {"name": "to", "in": "query", "schema": {"type": "string"}, "description": "RFC 3339 instant or YYYY-MM-DD (exclusive)"}
                    ],
                    "responses": {"200": {"description": "The event", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}, "404": error}
                }
            },
            "/agenda.ics": {"get": {
                "summary": "iCalendar (RFC 5545) feed of the public events, with VTIMEZONE, RRULE and EXDATE; cancelled dates as STATUS:CANCELLED",
                "operationId": "agendaIcs",
                "parameters": feed_filters.clone(),
                "responses": {"200": {"description": "A VCALENDAR", "content": {"text/calendar": {"schema": {"type": "string"}}}}}
            }},
            "/a/{slug}/agenda.ics": {
                "parameters": [slug.clone()],
                "get": {
                    "summary": "iCalendar feed of the public events a public page organises or hosts",
                    "operationId": "actorAgendaIcs",
                    "responses": {
                        "200": {"description": "A VCALENDAR", "content": {"text/calendar": {"schema": {"type": "string"}}}},
                        "404": page_error("No public page with this slug")
                    }
                }
            },
            "/e/{slug}.ics": {
                "parameters": [slug],
                "get": {
                    "summary": "iCalendar file of one event (its whole series), to add it to a calendar",
                    "operationId": "eventIcs",
                    "responses": {
                        "200": {"description": "A VCALENDAR", "content": {"text/calendar": {"schema": {"type": "string"}}}},
                        "404": page_error("No event the caller may see with this slug")
                    }
                }
            },
            "/agenda.rss": {"get": {
                "summary": "RSS 2.0 of the public dates to come", "operationId": "agendaRss",
                "parameters": feed_filters.clone(),
                "responses": {"200": {"description": "RSS", "content": {"application/rss+xml": {"schema": {"type": "string"}}}}}
            }},
            "/agenda.json": {"get": {
                "summary": "JSON Feed 1.1 of the public dates to come; each item's _event is an EventDate", "operationId": "agendaJsonFeed",
                "parameters": feed_filters,
                "responses": {"200": {"description": "JSON Feed", "content": {"application/feed+json": {"schema": {"type": "object"}}}}}
            }}
        },
        "components": {"schemas": {
            "EventDate": {
                "type": "object",
                "description": "One date of an event (a series has one per occurrence).",
                "required": ["event", "recurrence_id", "title", "url", "start", "end", "all_day", "status", "type", "tags", "location"],
                "properties": {
                    "event": {"type": "string", "description": "The event's slug"},
                    "recurrence_id": {"type": "integer", "description": "The date's original start in its series, Unix seconds (iCalendar RECURRENCE-ID)"},
                    "title": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                    "start": date, "end": date, "all_day": {"type": "boolean"},
                    "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
                    "type": {"type": "string", "enum": EventType::NAMES},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "location": {"type": "string"},
                    "lat": {"type": "number", "nullable": true}, "lon": {"type": "number", "nullable": true},
                    "organiser": {"type": "string", "nullable": true},
                    "note": {"type": "string", "description": "A note for this date alone"}
                }
            },
            "Event": {
                "type": "object",
                "description": "An event (a series, for a recurring one). No email address is ever included.",
                "required": ["slug", "uid", "title", "description", "type", "tags", "status", "time_zone", "start", "end", "all_day", "url", "ics", "dates"],
                "properties": {
                    "slug": {"type": "string"}, "uid": {"type": "string", "description": "iCalendar UID"},
                    "title": {"type": "string"}, "description": {"type": "string", "description": "Markdown."},
                    "type": {"type": "string", "enum": EventType::NAMES},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "status": {"type": "string", "enum": ["scheduled", "cancelled", "pending"]},
                    "visibility": {"type": "string", "enum": ["public", "members"]},
                    "time_zone": {"type": "string", "example": "Europe/Paris"},
                    "start": date, "end": date, "all_day": {"type": "boolean"},
                    "rrule": {"type": "string", "nullable": true, "example": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T215959Z"},
                    "rdates": {"type": "array", "items": {"type": "string"}, "description": "Added local starts (RDATE)"},
                    "exdates": {"type": "array", "items": {"type": "string", "format": "date"}},
                    "place": {"type": "string", "nullable": true}, "location": {"type": "string"},
                    "lat": {"type": "number", "nullable": true}, "lon": {"type": "number", "nullable": true},
                    "organiser": {"type": "string", "nullable": true}, "organiser_page": {"type": "string", "nullable": true},
                    "parent": {"type": "string", "nullable": true}, "capacity": {"type": "integer", "nullable": true},
                    "image": {"type": "string", "format": "uri", "nullable": true},
                    "url": {"type": "string", "format": "uri"}, "ics": {"type": "string", "format": "uri"},
                    "dates": {"type": "array", "items": {"type": "object"}}
                }
            }
        }}
    })
}
