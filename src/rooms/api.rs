//! The rooms' read API: `/api/v1/rooms` (the rooms and their rules) and
//! `/api/v1/rooms/{slug}/bookings?from&to` (public free/busy: never who booked); their part of
//! the OpenAPI document; a person's bookings for "download my data".

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use super::handlers::load_room;
use super::store::{self, bookings};
use super::{Room, Rules, Status};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{local_to_utc, parse_date, rfc3339};
use crate::web::Ctx;

/// Query of the bookings: local days `from` (today) and `to` (included; 31 days at most).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Range {
    pub from: String,
    pub to: String,
}

fn room_json(r: &Room, rules: &Rules, base: &str) -> Value {
    json!({
        "slug": r.slug, "name": r.name, "summary": r.summary, "capacity": r.capacity,
        "url": format!("{base}/rooms/{}", r.slug),
        "equipment": r.equipment, "accessibility": r.accessibility, "address": r.address,
        "hours": r.hours.schema_org(),
        "rules": {
            "min_minutes": rules.min_minutes, "max_minutes": rules.max_minutes,
            "buffer_minutes": rules.buffer_minutes, "horizon_days": rules.horizon_days,
            "who": rules.who.as_str(), "approval": rules.approval,
            "quota_week": rules.quota_week, "quota_month": rules.quota_month,
        },
    })
}

/// GET /api/v1/rooms
pub async fn list(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let base = ctx.base;
    let items = state
        .db
        .read(move |c| {
            let rules = store::all_rules(c)?;
            let default = Rules::default();
            Ok(store::rooms(c)?
                .iter()
                .map(|r| room_json(r, rules.get(&r.id).unwrap_or(&default), &base))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// GET /api/v1/rooms/{slug}/bookings: the confirmed bookings between two days, as busy times;
/// a public booking gives its title and agenda event.
pub async fn bookings(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<Range>,
) -> Result<HttpResponse, AppError> {
    let room = load_room(&state, slug.into_inner()).await?;
    // A date the API cannot read is said, not silently replaced by this week.
    let unreadable = |s: &str| !s.trim().is_empty() && parse_date(s).is_none();
    if unreadable(&q.from) || unreadable(&q.to) {
        return Ok(HttpResponse::BadRequest().json(json!({
            "error": ctx.t("error.bad_request"),
            "detail": "from and to are days: YYYY-MM-DD",
        })));
    }
    let tz = ctx.instance.time_zone;
    let day = |d: NaiveDate| local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default());
    let from = parse_date(&q.from).map_or(now(), day);
    let to = parse_date(&q.to)
        .and_then(|d| d.succ_opt())
        .map_or(from + 7 * 86_400, day)
        .clamp(from, from + 31 * 86_400);
    let id = room.id;
    let list = state
        .db
        .read(move |c| Ok(bookings::calendar(c, Some(id), from, to)?))
        .await?;
    let busy: Vec<Value> = list
        .iter()
        .filter(|b| b.status == Status::Confirmed)
        .map(|b| {
            json!({
                "start": rfc3339(b.start, tz), "end": rfc3339(b.end, tz),
                "title": b.public.then_some(&b.purpose),
                "event": b.event_slug.as_ref().filter(|_| b.public).map(|s| ctx.absolute(&format!("/e/{s}"))),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "room": room.slug, "from": rfc3339(from, tz), "to": rfc3339(to, tz), "busy": busy,
    })))
}

/// A person's bookings, for "download my data".
pub fn personal_data(conn: &rusqlite::Connection, user_id: i64) -> Result<Value, AppError> {
    let utc = |t: i64| rfc3339(t, chrono_tz::UTC);
    Ok(json!(bookings::all_of_user(conn, user_id)?
        .iter()
        .map(|b| json!({
            "room": b.room_slug, "start": utc(b.start), "end": utc(b.end),
            "on_behalf_of": b.actor.as_ref().map(|a| &a.1), "purpose": b.purpose,
            "public": b.public, "status": b.status.as_str(), "series": b.series_id,
            "created_at": utc(b.created_at), "decided_at": b.decided_at.map(utc),
        }))
        .collect::<Vec<_>>()))
}

/// The rooms' paths for the OpenAPI document.
pub fn openapi_paths() -> Value {
    let day = |name: &str, d: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string", "format": "date"}, "description": d});
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let time = json!({"type": "string", "format": "date-time"});
    let int = json!({"type": "integer"});
    let opt_int = json!({"type": "integer", "nullable": true});
    let text = json!({"type": "string"});
    let room = json!({
        "type": "object",
        "required": ["slug", "name", "summary", "capacity", "equipment", "accessibility", "address", "hours", "rules", "url"],
        "properties": {
            "slug": text, "name": text, "summary": text,
            "capacity": opt_int, "equipment": text, "accessibility": text, "address": text,
            "url": {"type": "string", "format": "uri", "description": "The room's page (absolute)."},
            "hours": {"type": "array", "description": "Opening hours as schema.org OpeningHoursSpecification objects.", "items": {"type": "object"}},
            "rules": {
                "type": "object",
                "required": ["min_minutes", "max_minutes", "buffer_minutes", "horizon_days", "who", "approval", "quota_week", "quota_month"],
                "properties": {
                    "min_minutes": int, "max_minutes": int, "buffer_minutes": int, "horizon_days": int,
                    "who": {"type": "string", "description": "Who may book"},
                    "approval": {"type": "boolean", "description": "Whether a manager approves each booking"},
                    "quota_week": opt_int, "quota_month": opt_int
                }
            }
        }
    });
    json!({
        "/api/v1/rooms": {"get": {
            "summary": "The rooms that can be booked, with their rules",
            "operationId": "listRooms",
            "responses": {"200": {"description": "The rooms", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": room}}
            }}}}}
        }},
        "/api/v1/rooms/{slug}/bookings": {
            "parameters": [{"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}}],
            "get": {
                "summary": "A room's busy times (public free/busy: never who booked; the title of public bookings only)",
                "operationId": "roomBookings",
                "parameters": [day("from", "First day (default: now)"), day("to", "Last day, included (31 days at most)")],
                "responses": {
                    "200": {"description": "Busy times", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["room", "from", "to", "busy"], "properties": {
                            "room": {"type": "string"},
                            "from": time, "to": time,
                            "busy": {"type": "array", "items": {"type": "object", "required": ["start", "end", "title", "event"], "properties": {
                                "start": time,
                                "end": time,
                                "title": {"type": "string", "nullable": true},
                                "event": {"type": "string", "format": "uri", "nullable": true, "description": "The agenda event of a public booking (absolute)."}
                            }}}
                        }
                    }}}},
                    "400": error("A from or to that is not a day (YYYY-MM-DD), or a query parameter given twice"),
                    "404": error("No such room")
                }
            }
        }
    })
}
