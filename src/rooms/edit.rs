//! Moving a booking: one date, or it and the following ones of its series (new times, their
//! own dates kept). Every moved date passes the rules again; nothing moves if one fails.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::book;
use super::store::bookings;
use super::views;
use super::{Booking, EditForm};
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{parse_date, parse_time};
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// The form that links a booking to an agenda event.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct LinkForm {
    /// The event's slug, or its link (`/e/slug`).
    pub event: String,
}

/// Loads a live booking the user may move: theirs, or of a room they manage.
async fn load(state: &AppState, id: i64, user: &User) -> Result<Booking, AppError> {
    let u = user.clone();
    state
        .db
        .read(move |c| {
            let b = bookings::by_id(c, id)?.ok_or(AppError::NotFound)?;
            if b.user_id != Some(u.id) && !book::manages(c, b.room_id, &u)? {
                return Err(AppError::Forbidden);
            }
            if !matches!(
                b.status,
                super::Status::Requested | super::Status::Confirmed
            ) {
                return Err(AppError::NotFound);
            }
            Ok(b)
        })
        .await
}

/// GET /rooms/bookings/{id}/edit
pub async fn form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let b = load(&state, id.into_inner(), &user).await?;
    let f = EditForm::of(&b, ctx.instance.time_zone);
    Ok(views::manage::edit(
        &ctx,
        &b,
        &f,
        &FormErrors::new(),
        None,
        StatusCode::OK,
    ))
}

/// POST /rooms/bookings/{id}/edit: 422 for a bad form or a rule, 409 for a taken slot.
pub async fn save(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let b = load(&state, id.into_inner(), &user).await?;
    let mut e = FormErrors::new();
    let date = parse_date(&f.date);
    e.check(date.is_none(), "date", "rooms.date_invalid");
    let (start, end) = (parse_time(&f.start), parse_time(&f.end));
    e.check(start.is_none(), "start", "rooms.time_invalid");
    e.check(end.is_none(), "end", "rooms.time_invalid");
    e.check(
        start.is_some() && end.is_some() && end <= start,
        "end",
        "rooms.end_before_start",
    );
    let (Some(date), Some(start), Some(end), true) = (date, start, end, e.is_empty()) else {
        return Ok(views::manage::edit(
            &ctx,
            &b,
            &f,
            &e,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let tz = ctx.instance.time_zone;
    let following = f.scope == "following";
    let (b2, u) = (b.clone(), user.clone());
    let result = state
        .db
        .write(move |tx| book::reschedule(tx, &b2, &u, date, (start, end), following, tz, now()))
        .await?;
    match result {
        Ok(_) => {
            super::tasks::wake();
            let next = if b.user_id == Some(user.id) {
                "/rooms/mine".to_string()
            } else {
                format!("/rooms/{}/manage", b.room_slug)
            };
            Ok(redirect_with_flash(&ctx, &next, "flash.rooms_edit.moved"))
        }
        Err((day, why)) => {
            let status = if matches!(why, super::Why::Taken | super::Why::Event) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(views::manage::edit(
                &ctx,
                &b,
                &f,
                &e,
                Some((day, why.key())),
                status,
            ))
        }
    }
}

/// POST /rooms/bookings/{id}/event: links a confirmed booking to an agenda event the person
/// manages (an unknown event, or one they do not manage, is a 422 with the form kept).
pub async fn link_event(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let b = load(&state, id.into_inner(), &user).await?;
    let typed = form.into_inner().event;
    let slug = typed
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let (u, bid, confirmed) = (user.clone(), b.id, b.status == super::Status::Confirmed);
    let linked = state
        .db
        .write(move |tx| {
            let Some(ev) = crate::agenda::store::event_by_slug(tx, &slug)? else {
                return Ok(Err("rooms_link.unknown"));
            };
            let viewer = crate::agenda::Viewer::of(Some(&u));
            if !confirmed || !crate::agenda::store::refs::access(tx, &ev, viewer)?.manage {
                return Ok(Err("rooms_link.unknown"));
            }
            // Linked to another event, the booking would clash with the one it published (or
            // with another event held in the room then): refused, nothing changed.
            match bookings::set_event(tx, bid, ev.id) {
                Ok(()) => Ok(Ok(())),
                Err(e) if super::book::is_event_overlap(&e) => Ok(Err("rooms.why.event")),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    let key = match linked {
        Ok(()) => None,
        Err(key) => Some(key),
    };
    if key.is_none() {
        return Ok(redirect_with_flash(
            &ctx,
            &format!("/rooms/{}", b.room_slug),
            "flash.rooms_link.linked",
        ));
    }
    let mut e = FormErrors::new();
    e.add("event", key.unwrap_or("rooms_link.unknown"));
    let f = EditForm::of(&b, ctx.instance.time_zone);
    Ok(views::manage::edit(
        &ctx,
        &b,
        &f,
        &e,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}
