//! The agenda's reading pages: the upcoming list, the month grid, the week, the printable
//! agenda, and the event page. Every view takes the same filters (tag, type, organiser,
//! place, distance from the village or a point, date range).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, HttpResponse};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use super::form::parse_date;
use super::recurrence::{local_to_utc, utc_to_local};
use super::store::lists::{self, Filter, Item, Near};
use super::store::{self, occurrences, rsvps};
use super::{views, Access, Event, EventType, Occurrence, Viewer};
use super::{HORIZON_MARGIN_SECS, HORIZON_SECS};
use crate::app::AppState;
use crate::db::now;
use crate::error::AppError;
use crate::web::{url_encode, Ctx};

/// Dates per page of the upcoming list.
pub const PER_PAGE: usize = 60;
/// Most dates a month grid or a printed month shows.
const MONTH_LIMIT: i64 = 3000;
/// Series extended per page view, at most (the rest at the next views).
const EXTEND_BATCH: i64 = 50;

/// The query string of every agenda view, as typed; bad values are ignored, not refused.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AgendaQuery {
    pub tag: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub organiser: String,
    pub place: String,
    /// Within this many km of the village centre (or of lat/lon).
    pub km: String,
    pub lat: String,
    pub lon: String,
    /// Dates `YYYY-MM-DD` (list and feeds).
    pub from: String,
    pub to: String,
    /// Month `2026-12` (month and print).
    pub m: String,
    /// ISO week `2026-W48` (week and print).
    pub w: String,
    /// The next page of the list: `start:end:id` of the last date shown.
    pub after: String,
}

fn number(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The UTC instant a local day starts.
pub fn day_start(tz: Tz, d: NaiveDate) -> i64 {
    local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

impl AgendaQuery {
    /// The store filter (the distance around the village centre unless a point is given).
    pub fn filter(&self, ctx: &Ctx) -> Filter {
        let i = &ctx.instance;
        let lat = number(&self.lat).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(&self.lon).filter(|v| (-180.0..=180.0).contains(v));
        let (lat, lon) = lat.zip(lon).unwrap_or((i.center_lat, i.center_lon));
        let near = number(&self.km)
            .filter(|k| *k > 0.0 && *k <= 500.0)
            .map(|km| Near { lat, lon, km });
        Filter {
            tag: nonempty(&self.tag).map(|t| t.trim_start_matches('#').to_lowercase()),
            type_: EventType::parse(self.type_.trim()),
            organiser: nonempty(&self.organiser),
            place: nonempty(&self.place),
            actor: None,
            near,
        }
    }

    /// `tag=...&type=...` of the filters in use, for links that keep them.
    pub fn filters_query(&self) -> String {
        let fields = [
            ("tag", &self.tag),
            ("type", &self.type_),
            ("organiser", &self.organiser),
            ("place", &self.place),
            ("km", &self.km),
            ("lat", &self.lat),
            ("lon", &self.lon),
        ];
        fields
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", url_encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The first day of the month asked for (this month by default).
    pub fn month(&self, today: NaiveDate) -> NaiveDate {
        NaiveDate::parse_from_str(&format!("{}-01", self.m.trim()), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2200).contains(&d.year()))
            .unwrap_or_else(|| today.with_day(1).unwrap_or(today))
    }

    /// The Monday of the ISO week asked for (this week by default).
    pub fn week(&self, today: NaiveDate) -> NaiveDate {
        let parsed = self.w.trim().split_once("-W").and_then(|(y, w)| {
            let (y, w) = (y.parse::<i32>().ok()?, w.parse::<u32>().ok()?);
            NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)
                .filter(|d| (1900..=2200).contains(&d.year()))
        });
        parsed.unwrap_or_else(|| {
            today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()))
        })
    }
}

/// The cursor of the next page (`start:end:id` of the last date shown), if it reads as one.
pub fn cursor(s: &str) -> Option<(i64, i64, i64)> {
    let mut parts = s.split(':').map(|p| p.parse::<i64>().ok());
    let (a, b, c) = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some((a, b, c))
}

/// The ISO week of a date as `2026-W48`.
pub fn week_code(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Makes sure occurrences exist up to `to` (and a year ahead of now): series that stop short
/// are expanded further, a batch per call. A cheap indexed read when nothing is missing.
pub async fn extend_horizon(state: &AppState, to: i64) -> Result<(), AppError> {
    let now = now();
    let target = to
        .max(now + HORIZON_MARGIN_SECS)
        .min(now + 10 * 365 * 86_400);
    let missing = state
        .db
        .read(move |c| Ok(occurrences::to_extend(c, target, 1)?))
        .await?;
    if missing.is_empty() {
        return Ok(());
    }
    let horizon = target.max(now + HORIZON_SECS);
    state
        .db
        .write(move |tx| {
            for id in occurrences::to_extend(tx, target, EXTEND_BATCH)? {
                occurrences::materialise(tx, id, horizon)?;
            }
            Ok(())
        })
        .await
}

/// The local days a date covers (its start day to the day of its last second), within `days`.
pub fn days_of(item: &Item, tz: Tz) -> (NaiveDate, NaiveDate) {
    let o = &item.occurrence;
    let first = utc_to_local(tz, o.start_utc).date();
    let last = utc_to_local(tz, (o.end_utc - 1).max(o.start_utc)).date();
    (first, last.max(first))
}

/// The dates of each day of `days`, a date spanning several days under each of them.
pub fn by_day<'a>(
    items: &'a [Item],
    tz: Tz,
    days: &[NaiveDate],
) -> Vec<(NaiveDate, Vec<&'a Item>)> {
    let mut out: Vec<(NaiveDate, Vec<&Item>)> = days.iter().map(|d| (*d, Vec::new())).collect();
    let Some(first) = days.first().copied() else {
        return out;
    };
    for item in items {
        let (a, b) = days_of(item, tz);
        let mut d = a.max(first);
        while d <= b {
            if let Some(i) = usize::try_from((d - first).num_days())
                .ok()
                .filter(|i| *i < out.len())
            {
                out[i].1.push(item);
            } else {
                break;
            }
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
    }
    out
}

/// How long the filter menus' choices are reused: they group every event not over yet, too
/// much work for each page view of a département-sized agenda.
const CHOICES_TTL: Duration = Duration::from_secs(60);

/// The filter menus' choices, read at most once a minute.
async fn choices(state: &AppState) -> Result<Arc<lists::Choices>, AppError> {
    static CACHE: Mutex<Option<(Instant, Arc<lists::Choices>)>> = Mutex::new(None);
    if let Some((at, c)) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        if at.elapsed() < CHOICES_TTL {
            return Ok(c.clone());
        }
    }
    let now = now();
    let fresh = Arc::new(state.db.read(move |c| Ok(lists::choices(c, now)?)).await?);
    *CACHE.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), fresh.clone()));
    Ok(fresh)
}

async fn items(
    state: &AppState,
    ctx: &Ctx,
    filter: Filter,
    range: (i64, i64),
    after: Option<(i64, i64, i64)>,
    limit: i64,
) -> Result<(Vec<Item>, Arc<lists::Choices>), AppError> {
    let viewer = Viewer::of(ctx.user.as_ref());
    let list = state
        .db
        .read(move |c| Ok(lists::between(c, &filter, viewer, range, after, limit)?))
        .await?;
    Ok((list, choices(state).await?))
}

/// GET /agenda: what's on from now (or `from`), day by day, a page at a time.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let tz = ctx.instance.time_zone;
    let now = now();
    let from = parse_date(&q.from).map_or(now, |d| day_start(tz, d));
    let to = parse_date(&q.to)
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, |d| day_start(tz, d));
    extend_horizon(&state, if to == i64::MAX { from } else { to }).await?;
    let after = cursor(&q.after);
    let (mut list, choices) = items(
        &state,
        &ctx,
        q.filter(&ctx),
        (from, to),
        after,
        PER_PAGE as i64 + 1,
    )
    .await?;
    let next = (list.len() > PER_PAGE).then(|| {
        list.truncate(PER_PAGE);
        list.last()
            .map(|i| {
                format!(
                    "{}:{}:{}",
                    i.occurrence.start_utc, i.occurrence.end_utc, i.occurrence.id
                )
            })
            .unwrap_or_default()
    });
    Ok(views::list(&ctx, &q, &list, next.as_deref(), &choices))
}

/// The days of the month grid: Monday before the 1st to Sunday after the last day.
pub fn month_days(first: NaiveDate) -> Vec<NaiveDate> {
    let start = first - chrono::Duration::days(i64::from(first.weekday().num_days_from_monday()));
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let end = last + chrono::Duration::days(i64::from(6 - last.weekday().num_days_from_monday()));
    start.iter_days().take_while(|d| *d <= end).collect()
}

fn range_of(tz: Tz, days: &[NaiveDate]) -> (i64, i64) {
    let first = days.first().copied().unwrap_or_default();
    let after = days
        .last()
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(first);
    (day_start(tz, first), day_start(tz, after))
}

/// GET /agenda/month?m=2026-12
pub async fn month(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let tz = ctx.instance.time_zone;
    let first = q.month(utc_to_local(tz, now()).date());
    let days = month_days(first);
    let range = range_of(tz, &days);
    extend_horizon(&state, range.1).await?;
    let (list, choices) = items(&state, &ctx, q.filter(&ctx), range, None, MONTH_LIMIT).await?;
    let grid = by_day(&list, tz, &days);
    Ok(views::calendar::month(&ctx, &q, first, &grid, &choices))
}

/// GET /agenda/week?w=2026-W48
pub async fn week(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let tz = ctx.instance.time_zone;
    let monday = q.week(utc_to_local(tz, now()).date());
    let days: Vec<NaiveDate> = monday.iter_days().take(7).collect();
    let range = range_of(tz, &days);
    extend_horizon(&state, range.1).await?;
    let (list, choices) = items(&state, &ctx, q.filter(&ctx), range, None, MONTH_LIMIT).await?;
    let grid = by_day(&list, tz, &days);
    Ok(views::calendar::week(&ctx, &q, monday, &grid, &choices))
}

/// GET /agenda/print?w=2026-W48 or ?m=2026-12: the agenda for the notice board (A4).
pub async fn print(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let tz = ctx.instance.time_zone;
    let today = utc_to_local(tz, now()).date();
    let (title, days) = if q.w.trim().is_empty() {
        let first = q.month(today);
        let days: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| d.month() == first.month())
            .collect();
        (views::month_title(&ctx, first), days)
    } else {
        let monday = q.week(today);
        (
            views::week_title(&ctx, monday),
            monday.iter_days().take(7).collect(),
        )
    };
    let range = range_of(tz, &days);
    extend_horizon(&state, range.1).await?;
    let (list, _) = items(&state, &ctx, q.filter(&ctx), range, None, MONTH_LIMIT).await?;
    let grid = by_day(&list, tz, &days);
    Ok(views::calendar::print(&ctx, &title, &grid))
}

/// Loads an event and what the viewer may do with it; an event they may not see is "not found".
pub async fn load(state: &AppState, ctx: &Ctx, slug: String) -> Result<(Event, Access), AppError> {
    let viewer = Viewer::of(ctx.user.as_ref());
    state
        .db
        .read(move |c| {
            let ev = store::event_by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
            let access = store::access(c, &ev, viewer)?;
            if !access.see {
                return Err(AppError::NotFound);
            }
            Ok((ev, access))
        })
        .await
}

/// Query of the event page: `o` picks one date of a series (its recurrence id).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventQuery {
    pub o: String,
}

/// Everything the event page shows besides the event.
pub struct EventPage {
    pub occurrence: Option<Occurrence>,
    pub upcoming: Vec<Occurrence>,
    pub children: Vec<(String, String, i64, super::Status)>,
    pub counts: rsvps::Counts,
    pub mine: Option<super::Rsvp>,
    /// The form answer that could not be saved (event full).
    pub full: bool,
}

/// Reads what the event page shows around one date (`rid`, or the next one).
pub async fn around(
    state: &AppState,
    ctx: &Ctx,
    ev: &Event,
    rid: Option<i64>,
) -> Result<EventPage, AppError> {
    let (id, viewer, uid) = (
        ev.id,
        Viewer::of(ctx.user.as_ref()),
        ctx.user.as_ref().map(|u| u.id),
    );
    let now = now();
    state
        .db
        .read(move |c| {
            let occurrence = match rid {
                Some(r) => occurrences::by_recurrence_id(c, id, r)?,
                None => occurrences::current(c, id, now)?,
            };
            let (counts, mine) = match (&occurrence, uid) {
                (Some(o), Some(u)) => (rsvps::counts(c, o.id)?, rsvps::of_user(c, o.id, u)?),
                (Some(o), None) => (rsvps::counts(c, o.id)?, None),
                _ => Default::default(),
            };
            Ok(EventPage {
                upcoming: occurrences::upcoming(c, id, now, 12)?,
                children: store::children(c, id, viewer)?,
                occurrence,
                counts,
                mine,
                full: false,
            })
        })
        .await
}

/// GET /e/{slug}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<EventQuery>,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    let rid = q.o.trim().parse::<i64>().ok();
    let page = around(&state, &ctx, &ev, rid).await?;
    if rid.is_some() && page.occurrence.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(views::event::page(
        &ctx,
        &ev,
        access,
        &page,
        actix_web::http::StatusCode::OK,
    ))
}

/// The home page's block: what's on in the next seven days (empty when the agenda is off).
pub async fn home_block(state: &AppState, ctx: &Ctx) -> Result<maud::Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::Agenda) {
        return Ok(maud::html! {});
    }
    let now = now();
    let week = (now, now + 7 * 86_400);
    extend_horizon(state, week.1).await?;
    let viewer = Viewer::of(ctx.user.as_ref());
    let list = state
        .db
        .read(move |c| {
            Ok(lists::between(
                c,
                &Filter::default(),
                viewer,
                week,
                None,
                12,
            )?)
        })
        .await?;
    Ok(views::calendar::block(
        ctx,
        "agenda.this_week",
        &list,
        "agenda.nothing_this_week",
    ))
}

/// The block of "my village": the next dates of the pages I follow or belong to, and of the
/// events I answered (empty when the agenda is off).
pub async fn my_village_block(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
) -> Result<maud::Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::Agenda) {
        return Ok(maud::html! {});
    }
    let now = now();
    let range = (now, now + 60 * 86_400);
    let list = state
        .db
        .read(move |c| Ok(lists::for_person(c, user_id, range, 20)?))
        .await?;
    Ok(views::calendar::block(
        ctx,
        "agenda.my_heading",
        &list,
        "agenda.my_empty",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weeks_are_read_from_the_query() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let q = AgendaQuery {
            m: "2026-12".into(),
            w: "2026-W48".into(),
            ..Default::default()
        };
        assert_eq!(
            q.month(today),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(
            q.week(today),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        let bad = AgendaQuery {
            m: "2026-13".into(),
            w: "W99".into(),
            ..Default::default()
        };
        assert_eq!(
            bad.month(today),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            bad.week(today),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(week_code(today), "2026-W48");
        assert_eq!(cursor("1:2:3"), Some((1, 2, 3)));
        assert_eq!(cursor("1:2"), None);
        assert_eq!(cursor("1:2:3:4"), None);
        assert_eq!(cursor("x:y:z"), None);
        // December 2026 starts on a Tuesday and ends on a Thursday: 5 rows of 7 days.
        let days = month_days(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(days.len(), 35);
        assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    }
}
