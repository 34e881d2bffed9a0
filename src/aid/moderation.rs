//! The admin's setting (how long a post lives) and the daily digest subscription (reports and
//! their queue are the one moderation mechanism's: `crate::moderation`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::form::SettingsForm;
use super::store::admin;
use super::{now, views, Category};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx};
use crate::web::{Admin, CurrentUser};

/// GET /aid/settings (admins): how long posts live.
pub async fn settings_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    Admin(_): Admin,
) -> Result<HttpResponse, AppError> {
    let (e, w) = state.db.read(|c| Ok(admin::settings(c)?)).await?;
    let form = SettingsForm {
        expiry_days: e.to_string(),
        warn_days: w.to_string(),
    };
    Ok(views::admin::settings(
        &ctx,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /aid/settings (admins).
pub async fn settings_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    Admin(_): Admin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FormErrors::new();
    let expiry = form
        .expiry_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=365).contains(d));
    e.check(expiry.is_none(), "expiry_days", "aid.error_expiry_days");
    let warn = form
        .warn_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=30).contains(d));
    e.check(warn.is_none(), "warn_days", "aid.error_warn_days");
    let (Some(expiry), Some(warn)) = (expiry, warn) else {
        return Ok(views::admin::settings(
            &ctx,
            &form,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    state
        .db
        .write(move |tx| Ok(admin::save_settings(tx, expiry, warn)?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/aid/settings",
        "flash.aid.settings_saved",
    ))
}

/// GET /aid/digest: the daily digest's categories.
pub async fn digest_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let chosen = state
        .db
        .read(move |c| Ok(admin::digest_of(c, uid)?))
        .await?;
    Ok(views::admin::digest(&ctx, &chosen))
}

/// POST /aid/digest: one checkbox per category; none unsubscribes.
pub async fn digest_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let chosen: Vec<&'static str> = Category::ALL
        .into_iter()
        .filter(|c| form.contains_key(&format!("cat_{}", c.as_str())))
        .map(Category::as_str)
        .collect();
    let uid = user.id;
    state
        .db
        .write(move |tx| Ok(admin::set_digest(tx, uid, &chosen, now())?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/aid/digest",
        "flash.aid.digest_saved",
    ))
}
