//! The audit log: its page with filters, its CSV export, the admin's retention.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::form::{LogQuery, SettingsForm};
use super::handlers::require_staff;
use super::store::{self, LogEntry, LogFilter};
use super::views;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::text::spreadsheet_safe;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// The filter as typed, read.
fn filter_of(ctx: &Ctx, q: &LogQuery) -> LogFilter {
    let tz = ctx.instance.time_zone;
    let day = |s: &str| {
        crate::time::parse_date(s.trim())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| crate::time::local_to_utc(tz, d))
    };
    LogFilter {
        action: q.action.trim().to_string(),
        kind: q.kind.trim().to_string(),
        moderator_id: q.moderator.trim().parse().ok(),
        user_id: q.user.trim().parse().ok(),
        from: day(&q.from),
        to: day(&q.to).map(|t| t + 86_400),
    }
}

/// GET /moderation/log: the audit log with filters (moderators and admins).
pub async fn log_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let f = filter_of(&ctx, &q);
    let (entries, days) = state
        .db
        .read(move |c| Ok((store::log_entries(c, &f, 500)?, store::retention_days(c)?)))
        .await?;
    Ok(views::log_page(&ctx, &q, &entries, days))
}

/// GET /moderation/log.csv: the same, as CSV.
pub async fn log_csv(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let f = filter_of(&ctx, &q);
    let entries = state
        .db
        .read(move |c| Ok(store::log_entries(c, &f, i64::MAX)?))
        .await?;
    let tz = ctx.instance.time_zone;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "at",
        "moderator_id",
        "moderator",
        "action",
        "kind",
        "item_id",
        "user_id",
        "reason",
        "before",
        "after",
    ];
    let number = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut rows = vec![header.map(str::to_string)];
    for e in entries {
        rows.push([
            e.id.to_string(),
            crate::time::rfc3339(e.at, tz),
            number(e.moderator_id),
            spreadsheet_safe(&e.moderator),
            e.action,
            e.kind,
            number(e.item_id),
            number(e.user_id),
            spreadsheet_safe(&e.reason),
            spreadsheet_safe(&e.before),
            spreadsheet_safe(&e.after),
        ]);
    }
    for row in rows {
        w.write_record(&row)
            .map_err(|e| AppError::msg(format!("CSV: {e}")))?;
    }
    let out = w
        .into_inner()
        .map_err(|e| AppError::msg(format!("CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"moderation-log.csv\"",
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(out))
}

/// POST /moderation/settings (admins): how long the log is kept.
pub async fn settings_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    crate::web::Admin(me): crate::web::Admin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let days = form
        .retention_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (30..=3650).contains(d));
    let Some(days) = days else {
        let mut e = FormErrors::new();
        e.add("retention_days", "moderation.error_retention");
        let entries = state
            .db
            .read(|c| Ok(store::log_entries(c, &LogFilter::default(), 500)?))
            .await?;
        return Ok(views::log_page_with(
            &ctx,
            &LogQuery::default(),
            &entries,
            &form.retention_days,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    state
        .db
        .write(move |tx| {
            let before = store::retention_days(tx)?;
            store::set_retention_days(tx, days)?;
            store::log(
                tx,
                &LogEntry {
                    at: now(),
                    moderator_id: Some(me.id),
                    moderator: me.name.clone(),
                    action: "retention".into(),
                    before: before.to_string(),
                    after: days.to_string(),
                    ..LogEntry::default()
                },
            )?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/moderation/log",
        "flash.moderation.settings_saved",
    ))
}
