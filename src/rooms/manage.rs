//! Managers' pages: pending requests with approve / decline (one button each, fine on a phone),
//! a room's rules form, cancelling a booking or the rest of its series, private feeds.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::book;
use super::handlers::load_room;
use super::rules::RulesForm;
use super::store::{self, bookings};
use super::views;
use crate::auth::{random_token, token_hash, User};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::{joined, FormErrors};
use crate::web::picker::Choices;
use crate::web::CurrentUser;
use crate::web::{base_url, redirect_with_flash, safe_next, Ctx};

/// The form of the buttons on a booking.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    /// "following": this booking and the following ones of its series.
    pub scope: String,
    pub next: String,
    /// "yes" once the person saw how many dates "this one and the following" cancels.
    pub confirm: String,
}

async fn requests_page(
    ctx: &Ctx,
    state: &AppState,
    user: &User,
    message: Option<&'static str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (uid, admin) = (user.id, user.is_admin());
    let list = state
        .db
        .read(move |c| {
            let rooms = store::managed_room_ids(c, uid, admin)?;
            Ok(bookings::requested_in(c, &rooms, now())?)
        })
        .await?;
    Ok(views::manage::requests(ctx, &list, message, status))
}

/// GET /rooms/requests: the pending requests of the rooms one manages.
pub async fn requests(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    requests_page(&ctx, &state, &user, None, StatusCode::OK).await
}

async fn require_manager(state: &AppState, room_id: i64, user: &User) -> Result<(), AppError> {
    let u = user.clone();
    let ok = state
        .db
        .read(move |c| book::manages(c, room_id, &u))
        .await?;
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn manage_page(
    ctx: &Ctx,
    state: &AppState,
    room: super::Room,
    form: Option<RulesForm>,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = room.id;
    let (rules, pending, upcoming, refs) = state
        .db
        .read(move |c| {
            let t = now();
            Ok((
                store::rules_of(c, id)?,
                bookings::requested_in(c, &[id], t)?,
                bookings::between(c, Some(id), t, t + 400 * 86_400)?,
                views::manage::PageRefs {
                    managers: Choices::new(store::page_choices(c, true)?),
                    members: store::page_choices(c, false)?,
                },
            ))
        })
        .await?;
    let form = form.unwrap_or_else(|| RulesForm::from_rules(&rules));
    let upcoming: Vec<_> = upcoming
        .into_iter()
        .filter(|b| b.status == super::Status::Confirmed)
        .take(200)
        .collect();
    Ok(views::manage::room(
        ctx, &room, &form, errors, &pending, &upcoming, &refs, status,
    ))
}

/// GET /rooms/{slug}/manage: the rules form, the pending requests, the coming bookings.
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let room = load_room(&state, slug.into_inner()).await?;
    require_manager(&state, room.id, &user).await?;
    manage_page(&ctx, &state, room, None, &FormErrors::new(), StatusCode::OK).await
}

/// POST /rooms/{slug}/rules: saves the rules; bad input re-renders the form (422).
pub async fn save_rules(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form: RulesForm = joined(form.into_inner());
    let room = load_room(&state, slug.into_inner()).await?;
    require_manager(&state, room.id, &user).await?;
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(&mut errors) else {
        return manage_page(
            &ctx,
            &state,
            room,
            Some(form),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let room_id = room.id;
    let refused = state
        .db
        .write(move |tx| {
            let mut e = FormErrors::new();
            let manager_actor = match &input.manager_actor {
                Some(typed) => {
                    let choices = Choices::new(store::page_choices(tx, true)?);
                    let slug = choices.resolve(typed).unwrap_or_default();
                    let id = store::actor_id(tx, &slug)?;
                    e.check(id.is_none(), "manager_actor", "rooms.actor_unknown");
                    id
                }
                None => None,
            };
            let mut allowed = Vec::new();
            for slug in &input.allowed {
                match store::actor_id(tx, slug)? {
                    Some(id) => allowed.push(id),
                    None => e.add("allowed", "rooms.actor_unknown"),
                }
            }
            let mut managers = Vec::new();
            for email in &input.managers {
                match crate::auth::store::user_by_email(tx, email)? {
                    Some((u, _)) => managers.push(u.id),
                    None => e.add("managers", "rooms.account_unknown"),
                }
            }
            if !e.is_empty() {
                return Ok(Some(e));
            }
            store::save_rules(
                tx,
                room_id,
                &input.rules,
                manager_actor,
                &allowed,
                &managers,
                now(),
            )?;
            Ok(None)
        })
        .await?;
    match refused {
        Some(e) => {
            manage_page(
                &ctx,
                &state,
                room,
                Some(form),
                &e,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        None => Ok(redirect_with_flash(
            &ctx,
            &format!("/rooms/{}/manage", room.slug),
            "flash.rooms.rules_saved",
        )),
    }
}

async fn load_booking(state: &AppState, id: i64) -> Result<super::Booking, AppError> {
    state
        .db
        .read(move |c| bookings::by_id(c, id)?.ok_or(AppError::NotFound))
        .await
}

async fn decide(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: User,
    id: i64,
    form: ActionForm,
    approve: bool,
) -> Result<HttpResponse, AppError> {
    let b = load_booking(&state, id).await?;
    require_manager(&state, b.room_id, &user).await?;
    let tz = ctx.instance.time_zone;
    let u = user.clone();
    if form.scope == "following" && b.series_id.is_some() {
        let (_, left) = state
            .db
            .write(move |tx| book::decide_series(tx, &b, &u, approve, now()))
            .await?;
        super::tasks::wake();
        let key = match (approve, left) {
            (false, _) => "flash.rooms_series.declined",
            (true, 0) => "flash.rooms_series.approved",
            (true, _) => "flash.rooms_series.approved_some",
        };
        return Ok(redirect_with_flash(
            &ctx,
            &next_or_requests(&form.next),
            key,
        ));
    }
    let result = state
        .db
        .write(move |tx| book::decide(tx, &b, &u, approve, tz, now()))
        .await?;
    match result {
        Ok(()) => {
            super::tasks::wake();
            let key = if approve {
                "flash.rooms.approved"
            } else {
                "flash.rooms.declined"
            };
            Ok(redirect_with_flash(
                &ctx,
                &next_or_requests(&form.next),
                key,
            ))
        }
        Err(key) => requests_page(&ctx, &state, &user, Some(key), StatusCode::CONFLICT).await,
    }
}

fn next_or_requests(next: &str) -> String {
    if next.is_empty() {
        "/rooms/requests".into()
    } else {
        safe_next(Some(next))
    }
}

/// POST /rooms/bookings/{id}/approve (`scope=following`: the rest of the series)
pub async fn approve(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    decide(ctx, state, user, id.into_inner(), form.into_inner(), true).await
}

/// POST /rooms/bookings/{id}/decline (`scope=following`: the rest of the series)
pub async fn decline(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    decide(ctx, state, user, id.into_inner(), form.into_inner(), false).await
}

/// POST /rooms/bookings/{id}/cancel: the booker or a manager cancels one booking, or
/// (`scope=following`) it and the following ones of its series.
pub async fn cancel(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let b = load_booking(&state, id.into_inner()).await?;
    if b.user_id != Some(user.id) {
        require_manager(&state, b.room_id, &user).await?;
    }
    let following = form.scope == "following";
    if following && form.confirm != "yes" {
        // One tap would cancel a whole season: say how many dates first.
        let (series, start) = (b.series_id.unwrap_or(b.id), b.start);
        let count = state
            .db
            .read(move |c| Ok(bookings::series_from(c, series, start)?.len()))
            .await?;
        return Ok(super::views::confirm_cancel(&ctx, &b, count, &form.next));
    }
    let u = user.clone();
    state
        .db
        .write(move |tx| book::cancel(tx, &b, &u, following, now()))
        .await?;
    super::tasks::wake();
    let next = if form.next.is_empty() {
        "/rooms/mine".to_string()
    } else {
        safe_next(Some(&form.next))
    };
    Ok(redirect_with_flash(&ctx, &next, "flash.rooms.cancelled"))
}

/// POST /rooms/feeds/{slug}: a new private feed address for an actor one administers (the old
/// one stops working); shown once.
pub async fn new_feed(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let token = random_token();
    let hash = token_hash(&token);
    let uid = user.id;
    let (list, actors, ok) = state
        .db
        .write(move |tx| {
            let actors = store::bookable_actors(tx, uid)?;
            let target = actors.iter().find(|a| a.1 == slug && a.3).map(|a| a.0);
            if let Some(id) = target {
                store::set_feed_token(tx, id, &hash, now())?;
            }
            Ok((
                bookings::of_user(tx, uid, now() - 86_400)?,
                actors,
                target.is_some(),
            ))
        })
        .await?;
    if !ok {
        return Err(AppError::Forbidden);
    }
    let admin_of: Vec<(String, String)> = actors
        .into_iter()
        .filter(|a| a.3)
        .map(|a| (a.1, a.2))
        .collect();
    let url = format!("{}/rooms/feed/{token}", base_url(&req, &state));
    Ok(views::mine(&ctx, &list, &admin_of, Some(&url)))
}
