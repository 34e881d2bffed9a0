//! Room pages: the list with the week across rooms, a room's page with its week and the
//! booking form, booking (one date or a series with its conflict report), "my bookings".

use std::sync::{Arc, LazyLock};

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::book::{self, Outcome};
use super::rules::Rules;
use super::store::{self, bookings};
use super::views::{self, RoomPage, Viewer};
use super::{BookingForm, Room, Status, Why};
use crate::db::memo::Memo;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{local_to_utc, utc_to_local};
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// Query of the calendars: `?week=2026-W48`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WeekQuery {
    pub week: String,
    /// The page of rooms on `/rooms` (from 1).
    pub page: usize,
}

/// A page of `/rooms`: its rooms, their week, the number of pages.
type ListPage = (Vec<Room>, Vec<super::Booking>, usize);

/// Rooms per page of `/rooms` (a village has a handful; a whole area can have hundreds).
pub const ROOMS_PER_PAGE: usize = 20;

/// The Monday of the week asked for and the UTC bounds of that local week.
pub fn week_bounds(ctx: &Ctx, q: &str) -> (NaiveDate, i64, i64) {
    let tz = ctx.instance.time_zone;
    let monday = super::week_monday(q, utc_to_local(tz, now()).date());
    let at = |d: NaiveDate| local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default());
    (monday, at(monday), at(monday + chrono::Duration::days(7)))
}

/// GET /rooms: every room and the week across rooms.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<WeekQuery>,
) -> Result<HttpResponse, AppError> {
    let (monday, from, to) = week_bounds(&ctx, &q.week);
    let asked = q.page;
    // The same for every viewer (the view hides what a viewer may not see): memoised until
    // the next write (db::memo).
    static MEMO: LazyLock<Memo<ListPage>> = LazyLock::new(|| Memo::new(64));
    let key = format!("{from}|{to}|{asked}");
    let list = state
        .db
        .read(move |c| {
            MEMO.get_or(&key, || -> Result<ListPage, AppError> {
                let page = asked.max(1);
                let (mut shown, total) =
                    store::rooms_page(c, (page - 1) * ROOMS_PER_PAGE, ROOMS_PER_PAGE)?;
                let pages = total.div_ceil(ROOMS_PER_PAGE).max(1);
                if page > pages {
                    // Past the end: the last page.
                    shown = store::rooms_page(c, (pages - 1) * ROOMS_PER_PAGE, ROOMS_PER_PAGE)?.0;
                }
                let ids: Vec<i64> = shown.iter().map(|r| r.id).collect();
                Ok((shown, bookings::calendar_of(c, &ids, from, to)?, pages))
            })
        })
        .await?;
    let (shown, week, pages) = (&list.0, &list.1, list.2);
    let page = asked.clamp(1, pages);
    let viewer = Viewer {
        user_id: ctx.user.as_ref().map(|u| u.id),
        manager: false,
    };
    Ok(views::list(
        &ctx,
        shown,
        week,
        monday,
        viewer,
        (page, pages),
    ))
}

/// Loads a public room or answers 404.
pub async fn load_room(state: &AppState, slug: String) -> Result<Room, AppError> {
    state
        .db
        .read(move |c| store::room_by_slug(c, &slug)?.ok_or(AppError::NotFound))
        .await
}

/// Everything a room page shows besides the form.
async fn room_page(
    state: &AppState,
    ctx: &Ctx,
    room: Room,
    week: &str,
) -> Result<RoomPage, AppError> {
    let (monday, from, to) = week_bounds(ctx, week);
    let user = ctx.user.clone();
    let room_id = room.id;
    // The rules and the week are the same for every viewer: memoised until the next write.
    static MEMO: LazyLock<Memo<(Rules, Vec<super::Booking>)>> = LazyLock::new(|| Memo::new(256));
    let key = format!("{room_id}|{from}|{to}");
    let (shared, manager, insider, actors) = state
        .db
        .read(move |c| {
            let shared = MEMO.get_or(&key, || -> Result<_, AppError> {
                Ok((
                    store::rules_of(c, room_id)?,
                    bookings::calendar(c, Some(room_id), from, to)?,
                ))
            })?;
            let (manager, insider, actors) = match &user {
                Some(u) => (
                    book::manages(c, room_id, u)?,
                    bookings::has_confirmed(c, room_id, u.id, now())?,
                    store::bookable_actors(c, u.id)?,
                ),
                None => (false, false, Vec::new()),
            };
            Ok((shared, manager, insider, actors))
        })
        .await?;
    let (rules, week) = Arc::unwrap_or_clone(shared);
    Ok(RoomPage {
        room,
        rules,
        week,
        monday,
        viewer: Viewer {
            user_id: ctx.user.as_ref().map(|u| u.id),
            manager,
        },
        insider,
        actors: actors.into_iter().map(|a| (a.1, a.2)).collect(),
    })
}

/// GET /rooms/{slug}: the room, its rules, its week, the booking form.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<WeekQuery>,
) -> Result<HttpResponse, AppError> {
    let room = load_room(&state, slug.into_inner()).await?;
    let page = room_page(&state, &ctx, room, &q.week).await?;
    let form = BookingForm::default();
    Ok(views::room(
        &ctx,
        &page,
        &form,
        &FormErrors::new(),
        None,
        StatusCode::OK,
    ))
}

/// POST /rooms/{slug}/book: books one date, or a series. A series with occurrences that cannot
/// be booked gets the conflict report; "book the free ones" posts again with `mode=free`.
pub async fn book(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<BookingForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let room = load_room(&state, slug.into_inner()).await?;
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(&mut errors) else {
        let page = room_page(&state, &ctx, room, "").await?;
        return Ok(views::room(
            &ctx,
            &page,
            &form,
            &errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let tz = ctx.instance.time_zone;
    let only_free = form.mode == "free";
    let (r, u, i) = (room.clone(), user.clone(), input.clone());
    let outcome = state
        .db
        .write(move |tx| book::book(tx, &r, &u, &i, tz, now(), only_free))
        .await?;
    match outcome {
        Outcome::Booked { ids, status, .. } => {
            super::tasks::wake();
            let flash = match (status, ids.len()) {
                (Status::Requested, 1) => "flash.rooms.requested",
                (Status::Requested, _) => "flash.rooms.requested_series",
                (_, 1) => "flash.rooms.booked",
                _ => "flash.rooms.booked_series",
            };
            Ok(redirect_with_flash(&ctx, "/rooms/mine", flash))
        }
        Outcome::Refused(key) => {
            let page = room_page(&state, &ctx, room, "").await?;
            Ok(views::room(
                &ctx,
                &page,
                &form,
                &errors,
                Some(key),
                StatusCode::FORBIDDEN,
            ))
        }
        Outcome::Report(occurrences) if occurrences.len() == 1 => {
            // One date: the reason, on the form, with what was typed.
            let why = occurrences[0].1.unwrap_or(Why::Taken);
            let status = if matches!(why, Why::Taken | Why::Event) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = room_page(&state, &ctx, room, "").await?;
            Ok(views::room(
                &ctx,
                &page,
                &form,
                &errors,
                Some(why.key()),
                status,
            ))
        }
        Outcome::Report(occurrences) => Ok(views::report(&ctx, &room, &form, &occurrences)),
    }
}

/// GET /rooms/mine: the bookings one made, with cancel buttons, and the private feeds of the
/// actors one administers.
pub async fn mine(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let from = now() - 86_400;
    let (list, actors) = state
        .db
        .read(move |c| {
            Ok((
                bookings::of_user(c, uid, from)?,
                store::bookable_actors(c, uid)?,
            ))
        })
        .await?;
    let admin_of: Vec<(String, String)> = actors
        .into_iter()
        .filter(|a| a.3)
        .map(|a| (a.1, a.2))
        .collect();
    Ok(views::mine(&ctx, &list, &admin_of, None))
}

/// « Mon village »: the person's next bookings (nothing when there are none or rooms are off).
pub async fn my_village_block(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
) -> Result<maud::Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::Rooms) {
        return Ok(maud::html! {});
    }
    let from = now();
    let mut list = state
        .db
        .read(move |c| Ok(bookings::of_user(c, user_id, from)?))
        .await?;
    list.retain(|b| matches!(b.status, Status::Requested | Status::Confirmed));
    list.truncate(5);
    if list.is_empty() {
        return Ok(maud::html! {});
    }
    Ok(views::my_village_block(ctx, &list))
}
