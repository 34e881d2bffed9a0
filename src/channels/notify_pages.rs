//! A person's choice of notifications (/account/notifications) and the one-click
//! unsubscribe of the notification mails (RFC 8058): `POST /channels/u/{token}` comes from the
//! mail provider with no session and no CSRF token (`web::context` exempts exactly that
//! path); the person's HMAC token in the path is the credential, a wrong one gets 403.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::notify::{self, Choice, Prefs, PrefsForm};
use super::store::notify as store;
use super::views::notify as views;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// GET /account/notifications
pub async fn form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let p = state.db.read(move |c| Ok(store::prefs(c, uid)?)).await?;
    Ok(views::prefs_page(
        &ctx,
        &PrefsForm::of(p),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /account/notifications
pub async fn save(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    f: web::Form<PrefsForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FormErrors::new();
    let Some(p) = f.parse(&mut e) else {
        return Ok(views::prefs_page(
            &ctx,
            &f,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let uid = user.id;
    state
        .db
        .write(move |tx| Ok(store::set_prefs(tx, uid, p, now())?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/account/notifications",
        "flash.channels_notify.saved",
    ))
}

/// GET /channels/u/{token}: the page with its button (mail scanners that follow links do
/// not unsubscribe anyone).
pub async fn unsubscribe_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = state.instance().secret.clone();
    notify::check_token(&secret, &token).ok_or(AppError::NotFound)?;
    Ok(views::unsubscribe_page(&ctx, &token, false))
}

/// POST /channels/u/{token}: no more notification mail, at once (both choices "none").
pub async fn unsubscribe(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = state.instance().secret.clone();
    let uid = notify::check_token(&secret, &token).ok_or(AppError::Forbidden)?;
    let none = Prefs {
        mentions: Choice::None,
        follows: Choice::None,
    };
    state
        .db
        .write(move |tx| {
            // The account may be gone since the mail: nothing to do then.
            if store::recipient(tx, uid)?.is_some() {
                store::set_prefs(tx, uid, none, now())?;
            }
            Ok(())
        })
        .await?;
    Ok(views::unsubscribe_page(&ctx, &token, true))
}
