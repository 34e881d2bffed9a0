//! iCalendar feeds: a room's busy times for everyone (no identity, the title of public
//! bookings only) and an actor's bookings in detail behind a private token.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::store::{self, bookings};
use super::{Booking, Status};
use crate::auth::token_hash;
use crate::db::memo::Memo;
use crate::db::now;
use crate::error::AppError;
use crate::ical::{Writer, CONTENT_TYPE};
use crate::state::AppState;
use crate::web::{base_url, Ctx};

/// Bookings that ended this long ago are still in a feed.
const PAST_SECS: i64 = 30 * 86_400;
/// How far ahead a feed reaches.
const AHEAD_SECS: i64 = 400 * 86_400;

fn stamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn calendar(name: &str, events: impl FnOnce(&mut Writer)) -> String {
    let mut w = Writer::default();
    w.line("BEGIN", "VCALENDAR");
    w.line("VERSION", "2.0");
    w.line("PRODID", "-//Placette//Rooms//FR");
    w.line("CALSCALE", "GREGORIAN");
    w.text("X-WR-CALNAME", name);
    events(&mut w);
    w.line("END", "VCALENDAR");
    w.finish()
}

fn vevent(
    w: &mut Writer,
    b: &Booking,
    summary: &str,
    description: Option<&str>,
    url: Option<&str>,
) {
    w.line("BEGIN", "VEVENT");
    w.line("UID", &format!("room-booking-{}@placette", b.id));
    w.line("DTSTAMP", &stamp(b.created_at));
    w.line("DTSTART", &stamp(b.start));
    w.line("DTEND", &stamp(b.end));
    w.text("SUMMARY", summary);
    if let Some(d) = description {
        w.text("DESCRIPTION", d);
    }
    if let Some(u) = url {
        w.line("URL", u);
    }
    w.line("TRANSP", "OPAQUE");
    let status = if b.status == Status::Confirmed {
        "CONFIRMED"
    } else {
        "TENTATIVE"
    };
    w.line("STATUS", status);
    w.line("END", "VEVENT");
}

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// GET /rooms/{slug}/freebusy.ics: the confirmed bookings as busy times, without who booked;
/// a public booking shows its title and its agenda event.
pub async fn freebusy(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    // The same feed for every visitor of one address and language: memoised until the next
    // write (db::memo), whose 30 s at most also bound how far its window has slid.
    static MEMO: LazyLock<Memo<String>> = LazyLock::new(|| Memo::new(256));
    let base = base_url(&req, &state);
    let busy = ctx.t("rooms.busy").to_string();
    let slug = slug.into_inner();
    let key = format!("{slug}|{base}|{busy}");
    let body = state
        .db
        .read(move |c| {
            MEMO.get_or(&key, || -> Result<String, AppError> {
                let room = store::room_by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
                let t = now();
                let list = bookings::calendar(c, Some(room.id), t - PAST_SECS, t + AHEAD_SECS)?;
                Ok(calendar(&room.name, |w| {
                    for b in list.iter().filter(|b| b.status == Status::Confirmed) {
                        let url = b.event_slug.as_ref().map(|s| format!("{base}/e/{s}"));
                        let summary = if b.public {
                            b.purpose.as_str()
                        } else {
                            busy.as_str()
                        };
                        vevent(w, b, summary, None, url.as_deref().filter(|_| b.public));
                    }
                }))
            })
        })
        .await?;
    Ok(ics(String::clone(&body)))
}

/// GET /rooms/feed/{token}: an actor's requested and confirmed bookings in detail, for its
/// members' calendars; the token is the only key (404 otherwise).
pub async fn actor_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let token = token.trim_end_matches(".ics").to_string();
    let hash = token_hash(&token);
    let t = now();
    let (name, list) = state
        .db
        .read(move |c| {
            let (id, name) = store::actor_by_feed_token(c, &hash)?.ok_or(AppError::NotFound)?;
            Ok((name, bookings::of_actor(c, id, t - PAST_SECS)?))
        })
        .await?;
    let base = base_url(&req, &state);
    let body = calendar(&name, |w| {
        for b in &list {
            let summary = format!("{} — {}", b.room_name, b.purpose);
            let who = b.user_name.clone().unwrap_or_default();
            let url = format!("{base}/rooms/{}", b.room_slug);
            vevent(w, b, &summary, Some(&who), Some(&url));
        }
    });
    Ok(ics(body))
}
