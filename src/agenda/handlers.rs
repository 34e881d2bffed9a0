//! The agenda's reading pages: the upcoming list, the month grid, the week, the printable
//! agenda, and the event page. Every view takes the same filters (tag, type, organiser,
//! place, distance from the village or a point, date range).

use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};

use super::query::{by_day, cursor, day_start, month_days, pick_per_day, range_of, AgendaQuery};
use super::query::{EventQuery, PER_PAGE};
use super::views::calendar::{MONTH_CELL, WEEK_DAY};

use super::store::lists::{self, Filter, Item};
use super::store::{self, occurrences, rsvps};
use super::{views, Access, Event, EventPage, Viewer};
use super::{HORIZON_MARGIN_SECS, HORIZON_SECS};
use crate::db::memo::Memo;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{parse_date, utc_to_local};
use crate::web::Ctx;

/// Most dates a printed month shows.
const MONTH_LIMIT: i64 = 3000;
/// Most dates a month grid or a week counts.
const CALENDAR_LIMIT: i64 = 50_000;
/// Series extended per page view, at most (the rest at the next views).
const EXTEND_BATCH: i64 = 50;

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
) -> Result<(Arc<Vec<Item>>, Arc<lists::Choices>), AppError> {
    // A visitor's list is the same for every visitor: memoised until the next write.
    static MEMO: LazyLock<Memo<Vec<Item>>> = LazyLock::new(|| Memo::new(256));
    let viewer = Viewer::of(ctx.user.as_ref());
    let key = format!("{filter:?}|{range:?}|{after:?}|{limit}");
    let list = state
        .db
        .read(move |c| {
            let read = || lists::between(c, &filter, viewer, range, after, limit);
            Ok(if viewer.user_id.is_none() {
                MEMO.get_or(&key, read)?
            } else {
                Arc::new(read()?)
            })
        })
        .await?;
    Ok((list, choices(state).await?))
}

/// What a calendar shows: the first `per_day` dates of each day, whole, and how many dates
/// each day has. Only (id, start, end) of every date is read, then the chosen ones whole.
pub struct Calendar {
    pub items: Vec<Item>,
    pub totals: Vec<usize>,
}

async fn calendar(
    state: &AppState,
    ctx: &Ctx,
    filter: Filter,
    days: Vec<NaiveDate>,
    per_day: usize,
) -> Result<(Arc<Calendar>, Arc<lists::Choices>), AppError> {
    static MEMO: LazyLock<Memo<Calendar>> = LazyLock::new(|| Memo::new(128));
    let tz = ctx.instance.time_zone;
    let range = range_of(tz, &days);
    extend_horizon(state, range.1).await?;
    let viewer = Viewer::of(ctx.user.as_ref());
    let key = format!("{filter:?}|{range:?}|{per_day}|{tz}");
    let cal = state
        .db
        .read(move |c| {
            let read = || -> rusqlite::Result<Calendar> {
                let keys = lists::keys_between(c, &filter, viewer, range, CALENDAR_LIMIT)?;
                let (ids, totals) = pick_per_day(&keys, tz, &days, per_day);
                Ok(Calendar {
                    items: lists::items_by_ids(c, &ids)?,
                    totals,
                })
            };
            Ok(if viewer.user_id.is_none() {
                MEMO.get_or(&key, read)?
            } else {
                Arc::new(read()?)
            })
        })
        .await?;
    Ok((cal, choices(state).await?))
}

/// GET /agenda: what's on from now (or `from`), day by day, a page at a time.
pub async fn list(
    ctx: Ctx,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let tz = ctx.instance.time_zone;
    let now = now();
    // From the current minute: the same page for a minute's visitors (memoised below).
    let from = parse_date(&q.from).map_or(now - now.rem_euclid(60), |d| day_start(tz, d));
    let to = parse_date(&q.to)
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, |d| day_start(tz, d));
    extend_horizon(&state, if to == i64::MAX { from } else { to }).await?;
    let after = cursor(&q.after);
    let (list, choices) = items(
        &state,
        &ctx,
        q.filter(&ctx),
        (from, to),
        after,
        PER_PAGE as i64 + 1,
    )
    .await?;
    let next = (list.len() > PER_PAGE).then(|| {
        list.get(PER_PAGE - 1)
            .map(|i| {
                format!(
                    "{}:{}:{}",
                    i.occurrence.start_utc, i.occurrence.end_utc, i.occurrence.id
                )
            })
            .unwrap_or_default()
    });
    let list = &list[..list.len().min(PER_PAGE)];
    // The neighbours' events of the same span (from this page's first date to its last, or a
    // year on when it is the last page), when the visitor asked for them.
    let choice =
        crate::neighbours::choice::Choice::read(&state, &req, &q.neighbours, false).await?;
    let remote = if choice.shown {
        let lo = after.map_or(from, |a| a.0 + 1);
        let hi = match (&next, list.last()) {
            (Some(_), Some(last)) => last.occurrence.start_utc,
            _ => to.min(now + 366 * 86_400),
        };
        state
            .db
            .read(move |c| Ok(crate::neighbours::store::events_between(c, lo, hi, 100)?))
            .await?
    } else {
        Vec::new()
    };
    let resp = views::list(
        &ctx,
        &q,
        list,
        next.as_deref(),
        &choices,
        (choice.toggle(), &remote),
    );
    Ok(choice.remember(&req, resp))
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
    let (cal, choices) = calendar(&state, &ctx, q.filter(&ctx), days.clone(), MONTH_CELL).await?;
    let grid = by_day(&cal.items, tz, &days);
    Ok(views::calendar::month(
        &ctx,
        &q,
        first,
        &grid,
        &cal.totals,
        &choices,
    ))
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
    let (cal, choices) = calendar(&state, &ctx, q.filter(&ctx), days.clone(), WEEK_DAY).await?;
    let grid = by_day(&cal.items, tz, &days);
    Ok(views::calendar::week(
        &ctx,
        &q,
        monday,
        &grid,
        &cal.totals,
        &choices,
    ))
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
            let access = store::refs::access(c, &ev, viewer)?;
            if !access.see {
                return Err(AppError::NotFound);
            }
            Ok((ev, access))
        })
        .await
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
    let sees_original = crate::personal_data::masking::may_see(ctx.user.as_ref(), ev.created_by);
    state
        .db
        .read(move |c| {
            let originals = if sees_original {
                crate::personal_data::store::originals(c, "event", id)?
            } else {
                Vec::new()
            };
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
                children: store::refs::children(c, id, viewer)?,
                occurrence,
                counts,
                mine,
                full: false,
                originals,
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
    // A visitor's block is the same for every visitor: memoised until the next write, with the
    // week starting at the current minute.
    static MEMO: LazyLock<Memo<Vec<Item>>> = LazyLock::new(|| Memo::new(4));
    let now = now() / 60 * 60;
    let week = (now, now + 7 * 86_400);
    extend_horizon(state, week.1).await?;
    let viewer = Viewer::of(ctx.user.as_ref());
    let list = state
        .db
        .read(move |c| {
            let read = || lists::between(c, &Filter::default(), viewer, week, None, 12);
            Ok(if viewer.user_id.is_none() {
                MEMO.get_or(&format!("{now}"), read)?
            } else {
                Arc::new(read()?)
            })
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

/// The next dates an organisation organises or a place hosts, on its directory page (the
/// viewer's visibility; nothing when there are none or the agenda is off).
pub async fn actor_block(
    state: &AppState,
    ctx: &Ctx,
    actor_id: i64,
    _slug: &str,
) -> Result<maud::Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::Agenda) {
        return Ok(maud::html! {});
    }
    let now = now();
    let filter = Filter {
        actor: Some(actor_id),
        ..Filter::default()
    };
    let viewer = Viewer::of(ctx.user.as_ref());
    let list = state
        .db
        .read(move |c| {
            Ok(lists::between(
                c,
                &filter,
                viewer,
                (now, i64::MAX),
                None,
                6,
            )?)
        })
        .await?;
    if list.is_empty() {
        return Ok(maud::html! {});
    }
    Ok(views::calendar::block(
        ctx,
        "agenda.actor_heading",
        &list,
        "agenda.my_empty",
    ))
}
