//! Reports and the moderators' page (`/aid/moderation`: hide, restore, keep), the admin's
//! setting (how long a post lives), and the daily digest subscription.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::form::{ReportForm, SettingsForm};
use super::handlers::visible_post;
use super::store::{self, admin};
use super::{is_staff, now, views, Category};
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{base_url, redirect_with_flash, Ctx};
use crate::web::{Admin, CurrentUser};

/// Longest reason given with a report, in characters.
pub const MAX_REASON: usize = 1_000;

/// POST /aid/{id}/report: into the moderators' queue; they are mailed when it enters it.
pub async fn report(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    let reason: String = form.reason.trim().chars().take(MAX_REASON).collect();
    let (pid, uid, r) = (post.id, user.id, reason.clone());
    let first = state
        .db
        .write(move |tx| Ok(admin::add_report(tx, pid, uid, &r, now())?))
        .await?;
    if first {
        let staff = state.db.read(|c| Ok(admin::staff_addresses(c)?)).await?;
        let url = format!("{}/aid/moderation", base_url(&req, &state));
        let inst = ctx.instance.clone();
        let title = post.title.clone();
        state
            .mailer
            .send_each(
                &inst.smtp,
                &inst.name,
                staff,
                inst.default_lang,
                |lang, to| {
                    Mail::new(
                        to,
                        lang.tf("aid.report_subject", &[("site", &inst.name)]),
                        lang.tf(
                            "aid.report_body",
                            &[("title", &title), ("reason", &reason), ("url", &url)],
                        ),
                    )
                },
            )
            .await;
    }
    Ok(redirect_with_flash(&ctx, &post.url(), "flash.aid.reported"))
}

fn require_staff(ctx: &Ctx) -> Result<i64, AppError> {
    match &ctx.user {
        Some(u) if is_staff(u) => Ok(u.id),
        _ => Err(AppError::Forbidden),
    }
}

/// GET /aid/moderation: reported and hidden posts (moderators and admins).
pub async fn queue(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(_): CurrentUser,
) -> Result<HttpResponse, AppError> {
    require_staff(&ctx)?;
    let items = state.db.read(|c| Ok(admin::queue(c)?)).await?;
    Ok(views::admin::queue(&ctx, &items))
}

/// POST /aid/moderation/{id}/{action}: `hide`, `restore` or `keep` (closes the reports).
pub async fn act(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(_): CurrentUser,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let by = require_staff(&ctx)?;
    let (id, action) = path.into_inner();
    let hide = match action.as_str() {
        "hide" => Some(true),
        "restore" => Some(false),
        "keep" => None,
        _ => return Err(AppError::NotFound),
    };
    let found = state
        .db
        .write(move |tx| {
            if store::post_by_id(tx, id)?.is_none() {
                return Ok(false);
            }
            let t = now();
            if let Some(h) = hide {
                store::set_hidden(tx, id, h, by, t)?;
            }
            admin::resolve_reports(tx, id, t)?;
            Ok(true)
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        &ctx,
        "/aid/moderation",
        "flash.aid.moderated",
    ))
}

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
