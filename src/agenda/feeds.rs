//! The agenda's feeds, public events only: iCalendar (everything, per organiser or place,
//! per tag or type; one event for "add to my calendar"), RSS 2.0 and JSON Feed 1.1 of the
//! dates to come. Members-only and pending events never appear in a feed: a calendar
//! application subscribes without anyone's session.

use std::io::Read;
use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono_tz::Tz;
use serde_json::json;

use super::handlers::{extend_horizon, load};
use super::ical::{self, Context};
use super::query::AgendaQuery;
use super::store::{lists, occurrences, outside};
use super::{Event, Occurrence, Viewer};
use crate::db::memo::Memo;
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::settings::Module;
use crate::state::AppState;
use crate::text::xml_escape;
use crate::time::{rfc3339, rfc822};
use crate::web::layout::site_name;
use crate::web::{base_url, Ctx};

/// An iCalendar feed holds the events with a date from a month ago on: what a subscriber's
/// calendar shows (its month, its weeks ahead) and everything announced beyond. A date that
/// ended a month ago no longer matters to anyone subscribing; nothing to come is left out for
/// its distance (a choir's concert in 13 months belongs in its feed): only [`FEED_LIMIT`]
/// bounds a big feed, nearest dates first. Each event comes whole (RRULE, EXDATE, overrides):
/// its dates outside the window come with it.
const FEED_PAST_SECS: i64 = 30 * 86_400;
const FEED_AHEAD_SECS: i64 = 100 * 366 * 86_400;
/// Series are materialised this far before a feed is read (within the 18 months kept anyway).
const FEED_EXTEND_SECS: i64 = 365 * 86_400;
/// When more events than [`FEED_LIMIT`] have a date in the window, the nearest come first and
/// a date gone counts this many times as far as one to come: at the limit, a feed reaching four
/// weeks ahead still shows the week gone.
const FEED_PAST_WEIGHT: i64 = 4;
/// Most events in one iCalendar feed. A département (10^5 events) has about 7,500 events with a
/// date in the next 30 days and 1,600 in the last 7.5: at 12,000 its feed reaches about 40 days
/// ahead and 10 back: 10 MB, 1.3 MB gzipped, built in under a second (x86) after a write or
/// half a minute, and served from memory in between. A village's window holds far fewer.
const FEED_LIMIT: usize = 12_000;
/// Dates in an RSS or JSON feed: those of the next [`ITEMS_DAYS`] days, at least
/// [`ITEMS_MIN`] (a quiet village's feed still shows what comes next), at most [`ITEMS_LIMIT`].
/// A feed reader polls often: what happens in two months is for the calendar feed.
const ITEMS_LIMIT: i64 = 100;
const ITEMS_MIN: usize = 20;
const ITEMS_DAYS: i64 = 31;

fn cached(content_type: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body)
}

/// An iCalendar feed as kept: gzipped only. A département's feed is some 10 MB of text and
/// 1.3 MB gzipped, and the memo keeps up to 64 feeds (languages, filters): the text would be
/// 640 MB. Calendar applications ask for gzip; a client that does not gets the text inflated
/// for it (some 30 ms for the largest feed), which costs less than building it again.
struct Body {
    /// Gzipped, or the text itself if compressing failed.
    bytes: Bytes,
    /// Its tag: a calendar application polling with `If-None-Match` gets 304 while it holds.
    etag: header::HeaderValue,
}

impl Body {
    fn of(text: String) -> Body {
        let gzip = crate::web::compress::gzip_bytes(text.as_bytes());
        // Copied to its size: the compressor's buffer is reserved at a third of the text.
        Body {
            etag: crate::web::page_cache::etag_of(&gzip),
            bytes: Bytes::copy_from_slice(&gzip),
        }
    }

    fn gzipped(&self) -> bool {
        self.bytes.starts_with(&[0x1f, 0x8b])
    }

    fn response(&self, req: &HttpRequest) -> Result<HttpResponse, AppError> {
        let mut res = HttpResponse::Ok();
        res.insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .insert_header((header::VARY, "accept-encoding"))
            .insert_header((header::ETAG, self.etag.clone()));
        if crate::web::page_cache::none_match_fails(req.headers(), &self.etag) {
            return Ok(HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag.clone()))
                .finish());
        }
        res.content_type(ical::CONTENT_TYPE);
        if !self.gzipped() {
            return Ok(res.body(self.bytes.clone()));
        }
        if crate::web::compress::accepts_gzip(req.headers()) {
            return Ok(res
                .insert_header((header::CONTENT_ENCODING, "gzip"))
                .body(self.bytes.clone()));
        }
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&self.bytes[..])
            .read_to_end(&mut text)
            .map_err(|e| AppError::Internal(format!("inflating a feed: {e}")))?;
        Ok(res.body(text))
    }
}

/// The iCalendar feeds are the same for every reader (public events only): memoised until
/// the next write, by kind, query, language and base address.
static FEEDS: LazyLock<Memo<Body>> = LazyLock::new(|| Memo::new(64));

/// The window of an iCalendar feed read now.
fn window() -> outside::FeedWindow {
    outside::FeedWindow {
        now: now(),
        past: FEED_PAST_SECS,
        ahead: FEED_AHEAD_SECS,
        past_weight: FEED_PAST_WEIGHT,
        limit: FEED_LIMIT,
    }
}

/// Each event with its exceptional dates (cancelled or moved), in one query.
fn exceptions_for(
    c: &rusqlite::Connection,
    events: Vec<Event>,
) -> rusqlite::Result<Vec<(Event, Vec<Occurrence>)>> {
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let mut exceptions = occurrences::exceptions_of(c, &ids)?;
    Ok(events
        .into_iter()
        .map(|e| {
            let x = exceptions.remove(&e.id).unwrap_or_default();
            (e, x)
        })
        .collect())
}

async fn with_exceptions(
    state: &AppState,
    events: Vec<Event>,
) -> Result<Vec<(Event, Vec<Occurrence>)>, AppError> {
    state.db.read(move |c| Ok(exceptions_for(c, events)?)).await
}

fn ics(lang: Lang, tz: Tz, base: &str, name: &str, events: &[(Event, Vec<Occurrence>)]) -> String {
    let organised_by = |n: &str| lang.tf("agenda.organised_by", &[("name", n)]);
    let cx = Context {
        base_url: base,
        organised_by: &organised_by,
    };
    ical::calendar(name, tz, events, &cx)
}

/// GET /agenda.ics: every public event (filters as the pages: tag, type, organiser, place, km).
pub async fn calendar(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    extend_horizon(&state, now() + FEED_EXTEND_SECS).await?;
    let filter = q.filter(&ctx);
    let mut name = format!("{} · {}", site_name(&ctx), ctx.t("agenda.title"));
    for part in [&q.organiser, &q.place, &q.tag, &q.type_] {
        if !part.trim().is_empty() {
            name.push_str(&format!(" · {}", part.trim()));
        }
    }
    let (lang, tz, base) = (ctx.lang, ctx.instance.time_zone, base_url(&req, &state));
    // Keyed by the filter as understood, not the query as typed: `?x=1`, `?x=2`... are one feed.
    let key = format!("ics|{filter:?}|{lang:?}|{base}|{name}");
    let body = state
        .db
        .read(move |c| {
            FEEDS.get_or(&key, || -> Result<Body, AppError> {
                let events = outside::feed_series(c, &filter, window())?;
                let text = ics(lang, tz, &base, &name, &exceptions_for(c, events)?);
                Ok(Body::of(text))
            })
        })
        .await?;
    body.response(&req)
}

/// GET /a/{slug}/agenda.ics: the events a page organises or hosts (a club, a village hall).
pub async fn actor_calendar(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !ctx.instance.enabled(Module::Agenda) {
        return Err(AppError::NotFound);
    }
    let slug = slug.into_inner();
    extend_horizon(&state, now() + FEED_EXTEND_SECS).await?;
    let (lang, tz, base) = (ctx.lang, ctx.instance.time_zone, base_url(&req, &state));
    let title = ctx.t("agenda.title").to_string();
    let key = format!("actor|{slug}|{lang:?}|{base}");
    let body = state
        .db
        .read(move |c| {
            FEEDS.get_or(&key, || -> Result<Body, AppError> {
                let actor = crate::directory::store::actor_by_slug(c, &slug)?
                    .filter(|a| a.visibility == crate::directory::Visibility::Public)
                    .ok_or(AppError::NotFound)?;
                let filter = lists::Filter {
                    actor: Some(actor.id),
                    ..Default::default()
                };
                let events = outside::feed_series(c, &filter, window())?;
                let name = format!("{} · {title}", actor.name);
                let text = ics(lang, tz, &base, &name, &exceptions_for(c, events)?);
                Ok(Body::of(text))
            })
        })
        .await?;
    body.response(&req)
}

/// GET /e/{slug}.ics: one event ("add to my calendar"), its whole series.
pub async fn event_calendar(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ev, _) = load(&state, &ctx, slug.into_inner()).await?;
    if ev.status == super::Status::Pending {
        return Err(AppError::NotFound);
    }
    let title = ev.title.clone();
    let events = with_exceptions(&state, vec![ev]).await?;
    let base = base_url(&req, &state);
    let body = ics(ctx.lang, ctx.instance.time_zone, &base, &title, &events);
    let file = format!("attachment; filename=\"{}.ics\"", events[0].0.slug);
    Ok(HttpResponse::Ok()
        .content_type(ical::CONTENT_TYPE)
        .insert_header((header::CONTENT_DISPOSITION, file))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// The public dates to come, filtered, for the RSS and JSON feeds.
async fn upcoming(
    state: &AppState,
    ctx: &Ctx,
    q: &AgendaQuery,
) -> Result<Arc<Vec<lists::Item>>, AppError> {
    let now = now();
    extend_horizon(state, now).await?;
    let filter = q.filter(ctx);
    // The same for every reader: memoised until the next write (and at most a minute, for
    // the dates that end meanwhile).
    static MEMO: LazyLock<Memo<Vec<lists::Item>>> = LazyLock::new(|| Memo::new(64));
    let key = format!("{filter:?}|{}", now / 60);
    state
        .db
        .read(move |c| {
            Ok(MEMO.get_or(&key, || {
                let mut items = lists::between(
                    c,
                    &filter,
                    Viewer::default(),
                    (now, i64::MAX),
                    None,
                    ITEMS_LIMIT,
                )?;
                let horizon = now + ITEMS_DAYS * 86_400;
                let within = items
                    .iter()
                    .take_while(|i| i.occurrence.start_utc < horizon)
                    .count();
                items.truncate(within.max(ITEMS_MIN));
                Ok::<_, rusqlite::Error>(items)
            })?)
        })
        .await
}

/// When a date happens, in words: « mardi 2 mars 2027 à 18:30 » or the day for all-day events.
pub fn when_text(ctx: &Ctx, item: &lists::Item) -> String {
    let tz = ctx.instance.time_zone;
    if item.all_day {
        ctx.lang.date(item.occurrence.start_utc, tz)
    } else {
        ctx.lang.datetime(item.occurrence.start_utc, tz)
    }
}

/// GET /agenda.rss: RSS 2.0 of the dates to come.
pub async fn rss(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let items = upcoming(&state, &ctx, &q).await?;
    let base = base_url(&req, &state);
    let title = format!("{} · {}", site_name(&ctx), ctx.t("agenda.title"));
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>");
    out.push_str(&format!(
        "<title>{}</title><link>{}/agenda</link><description>{}</description><language>{}</language>",
        xml_escape(&title),
        xml_escape(&base),
        xml_escape(ctx.t("agenda.feed_description")),
        ctx.lang.code()
    ));
    for i in items.iter() {
        let url = format!("{base}{}", i.url());
        let mut text = when_text(&ctx, i);
        if !i.location.is_empty() {
            text.push_str(&format!(" · {}", i.location));
        }
        if i.cancelled() {
            text = format!("{} · {text}", ctx.t("agenda.cancelled"));
        }
        out.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><pubDate>{}</pubDate><description>{}</description><category>{}</category></item>",
            xml_escape(&format!("{} — {}", i.title(), when_text(&ctx, i))),
            xml_escape(&url),
            xml_escape(&url),
            rfc822(i.created_at),
            xml_escape(&text),
            xml_escape(ctx.t(&format!("agenda.type.{}", i.type_.as_str())))
        ));
    }
    out.push_str("</channel></rss>\n");
    Ok(cached("application/rss+xml; charset=utf-8", out))
}

/// One date as JSON (the JSON feed and the API).
pub fn item_json(ctx: &Ctx, base: &str, i: &lists::Item) -> serde_json::Value {
    let tz = ctx.instance.time_zone;
    let o = &i.occurrence;
    json!({
        "event": i.slug,
        "recurrence_id": o.recurrence_id,
        "title": i.title(),
        "url": format!("{base}{}", i.url()),
        "start": rfc3339(o.start_utc, tz),
        "end": rfc3339(o.end_utc, tz),
        "all_day": i.all_day,
        "status": if i.cancelled() { "cancelled" } else { "scheduled" },
        "type": i.type_.as_str(),
        "tags": i.tags,
        "location": i.location,
        "lat": i.point.map(|p| p.0),
        "lon": i.point.map(|p| p.1),
        "organiser": i.organiser,
        "note": o.note,
    })
}

/// GET /agenda.json: JSON Feed 1.1 of the dates to come (each item's `_event` has the dates).
pub async fn json_feed(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let items = upcoming(&state, &ctx, &q).await?;
    let base = base_url(&req, &state);
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("{} · {}", site_name(&ctx), ctx.t("agenda.title")),
        "home_page_url": format!("{base}/agenda"),
        "feed_url": format!("{base}/agenda.json"),
        "description": ctx.t("agenda.feed_description"),
        "language": ctx.lang.code(),
        "items": items.iter().map(|i| {
            let url = format!("{base}{}", i.url());
            json!({
                "id": url,
                "url": url,
                "title": i.title(),
                "content_text": format!("{} · {}", when_text(&ctx, i), i.location),
                "date_published": rfc3339(i.created_at, ctx.instance.time_zone),
                "date_modified": rfc3339(i.updated_at, ctx.instance.time_zone),
                "tags": i.tags,
                "_event": item_json(&ctx, &base, i),
            })
        }).collect::<Vec<_>>(),
    });
    Ok(cached(
        "application/feed+json; charset=utf-8",
        feed.to_string(),
    ))
}
