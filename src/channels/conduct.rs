//! The code of conduct's admin page: every save is a new version (kept), which everyone is
//! asked to accept again before their next post.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::form::TextForm;
use super::store::conduct;
use super::views;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Admin, Ctx};

/// GET /admin/conduct
pub async fn form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _admin: Admin,
) -> Result<HttpResponse, AppError> {
    let (current, n) = state
        .db
        .read(|c| Ok((conduct::current(c)?, conduct::versions(c)?)))
        .await?;
    let body = current.map(|v| v.body).unwrap_or_default();
    Ok(views::conduct_admin(
        &ctx,
        &body,
        n,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /admin/conduct: saves a new version (nothing when the text did not change).
pub async fn save(
    ctx: Ctx,
    state: web::Data<AppState>,
    Admin(user): Admin,
    f: web::Form<TextForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FormErrors::new();
    let Some(body) = f.parse(&mut e) else {
        let n = state.db.read(|c| Ok(conduct::versions(c)?)).await?;
        return Ok(views::conduct_admin(
            &ctx,
            &f.body,
            n,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let uid = user.id;
    state
        .db
        .write(move |tx| {
            if conduct::current(tx)?.is_some_and(|v| v.body == body) {
                return Ok(());
            }
            conduct::save(tx, &body, uid, now())?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/conduct",
        "flash.channels.conduct_saved",
    ))
}
