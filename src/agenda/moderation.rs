//! The moderation queue of events sent without an account: the site's admins and moderators
//! approve (published as sent) or refuse (deleted) each one.

use actix_web::{web, HttpResponse};

use super::{is_staff, store, views, Status};
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// Submissions shown at once.
const QUEUE_LIMIT: i64 = 200;

fn staff(user: User) -> Result<User, AppError> {
    if is_staff(&user) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// GET /admin/agenda: the submissions waiting, oldest first.
pub async fn queue(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    staff(user)?;
    let pending = state
        .db
        .read(|c| Ok(store::pending(c, QUEUE_LIMIT)?))
        .await?;
    Ok(views::form::queue(&ctx, &pending))
}

/// POST /admin/agenda/{id}/approve
pub async fn approve(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = staff(user)?;
    let id = id.into_inner();
    let done = state
        .db
        .write(move |tx| {
            let pending = store::event_by_id(tx, id)?.is_some_and(|e| e.status == Status::Pending);
            if !pending {
                return Ok(None);
            }
            // A submission in a room booked at one of its dates stays in the queue: the
            // guarantee's trigger refuses it (migration 15).
            match store::set_status(tx, id, Status::Scheduled, Some(user.id), now()) {
                Ok(_) => Ok(Some("flash.agenda.approved")),
                Err(e) if store::rooms::is_overlap(&e) => Ok(Some("flash.agenda.room_booked")),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    let Some(flash) = done else {
        return Err(AppError::NotFound);
    };
    Ok(redirect_with_flash(&ctx, "/admin/agenda", flash))
}

/// POST /admin/agenda/{id}/reject: the submission is deleted.
pub async fn reject(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    staff(user)?;
    let id = id.into_inner();
    let pending = state
        .db
        .read(move |c| Ok(store::event_by_id(c, id)?.is_some_and(|e| e.status == Status::Pending)))
        .await?;
    if !pending {
        return Err(AppError::NotFound);
    }
    super::manage::delete_event(&state, id).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/agenda",
        "flash.agenda.rejected",
    ))
}
