//! GET/POST /a/{slug}/agenda/import: the page's managers (its admins, the site's staff) add a
//! calendar URL or upload a .ics file, and see each source's last result.

use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};

use super::parse::{self, ParseError};
use super::views::{Fediverse, PageFollow};
use super::{fetch, sync, views};
use crate::agenda::is_staff;
use crate::agenda::store::imports;
use crate::agenda::store::refs::active_role;
use crate::error::AppError;
use crate::federation;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::{next_or_stall, redirect_with_flash, Ctx};

/// The organiser page, if the person manages it (its admins, the site's staff): (id, name).
pub async fn managed(
    state: &AppState,
    user: &CurrentUser,
    slug: String,
) -> Result<(i64, String), AppError> {
    let (uid, staff) = (user.0.id, is_staff(&user.0));
    state
        .db
        .read(move |c| {
            let Some((id, name)) = imports::organiser(c, &slug)? else {
                return Err(AppError::NotFound);
            };
            if !(staff || active_role(c, id, uid)?.as_deref() == Some("admin")) {
                return Err(AppError::Forbidden);
            }
            Ok((id, name))
        })
        .await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    actor: (i64, String),
    url: &str,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    render_with(state, ctx, slug, actor, url, error, Fediverse::default()).await
}

/// The page (422 on an error of either form), with the fediverse accounts the page follows.
pub async fn render_with(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    actor: (i64, String),
    url: &str,
    error: Option<String>,
    mut fedi: Fediverse,
) -> Result<HttpResponse, AppError> {
    let id = actor.0;
    let (sources, follows) = state
        .db
        .read(move |c| {
            Ok((
                imports::sources_of(c, id)?,
                federation::store::page_following(c, id)?,
            ))
        })
        .await?;
    fedi.follows = follows
        .into_iter()
        .map(|(f, handle, name)| PageFollow {
            id: f.id,
            who: [handle, name]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_else(|| f.remote.clone()),
            url: f.remote,
            state: f.state,
        })
        .collect();
    Ok(views::page(
        ctx,
        slug,
        &actor.1,
        &sources,
        url,
        error.as_deref(),
        &fedi,
    ))
}

/// GET /a/{slug}/agenda/import
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let actor = managed(&state, &user, slug.clone()).await?;
    render(&state, &ctx, &slug, actor, "", None).await
}

/// The `url` and `file` fields of the form, as sent.
enum Sent {
    Fields(String, Vec<u8>),
    /// The file is over the size cap.
    TooBig,
    /// Not a multipart body (or a broken one).
    Bad,
}

async fn read_form(mut payload: Multipart) -> Sent {
    let (mut url, mut file) = (Vec::new(), Vec::new());
    while let Some(field) = next_or_stall(&mut payload).await.unwrap_or(None) {
        let Ok(mut field) = field else {
            return Sent::Bad;
        };
        let name = field.name().unwrap_or("").to_string();
        let (buf, cap) = match name.as_str() {
            "url" => (&mut url, 2048),
            "file" => (&mut file, fetch::MAX_BYTES),
            _ => continue,
        };
        while let Some(chunk) = next_or_stall(&mut field).await.unwrap_or(None) {
            let Ok(chunk) = chunk else {
                return Sent::Bad;
            };
            if buf.len() + chunk.len() > cap {
                return Sent::TooBig;
            }
            buf.extend_from_slice(&chunk);
        }
    }
    Sent::Fields(String::from_utf8_lossy(&url).trim().to_string(), file)
}

fn parse_message(ctx: &Ctx, e: &ParseError) -> String {
    views::error_text(ctx, &super::parse_error_text(e))
}

/// POST /a/{slug}/agenda/import (multipart, CSRF token in the query string): a file is
/// imported at once; a URL is fetched at once, then kept and refreshed hourly.
pub async fn import(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let actor = managed(&state, &user, slug.clone()).await?;
    let (url, file) = match read_form(payload).await {
        Sent::Fields(url, file) => (url, file),
        Sent::TooBig => {
            let msg = ctx
                .lang
                .tf("agenda_import.error_too_big", &[("detail", "5 MB")]);
            return render(&state, &ctx, &slug, actor, "", Some(msg)).await;
        }
        Sent::Bad => return Ok(HttpResponse::BadRequest().finish()),
    };
    let tz = ctx.instance.time_zone;
    let (actor_id, by, now) = (actor.0, Some(user.0.id), crate::db::now());
    let back = format!("/a/{slug}/agenda/import");
    if !file.is_empty() {
        let text = parse::decode(&file);
        let feed = match parse::parse(&text, tz) {
            Ok(f) => f,
            Err(e) => {
                let msg = parse_message(&ctx, &e);
                return render(&state, &ctx, &slug, actor, &url, Some(msg)).await;
            }
        };
        state
            .db
            .write(move |tx| {
                let source = imports::file_source(tx, actor_id, by, now)?;
                sync::apply(tx, source, actor_id, &feed, by, now)
            })
            .await?;
        return Ok(redirect_with_flash(&ctx, &back, "flash.agenda_import.done"));
    }
    if url.is_empty() || !fetch::acceptable_url(&url) {
        let key = if url.is_empty() {
            "agenda_import.error_nothing"
        } else {
            "agenda_import.error_url"
        };
        let msg = ctx.lang.tf(key, &[("detail", &url)]);
        return render(&state, &ctx, &slug, actor, &url, Some(msg)).await;
    }
    let u = url.clone();
    let fetched = web::block(move || fetch::fetch(&u, "", "")).await?;
    let (text, etag, lm) = match fetched {
        Ok(fetch::Fetched::Body(t, e, l)) => (t, e, l),
        Ok(fetch::Fetched::NotModified) => (String::new(), String::new(), String::new()),
        Err(fetch::FetchError(key, detail)) => {
            let msg = views::error_text(&ctx, &format!("{key}|{detail}"));
            return render(&state, &ctx, &slug, actor, &url, Some(msg)).await;
        }
    };
    let feed = match parse::parse(&text, tz) {
        Ok(f) => f,
        Err(e) => {
            let msg = parse_message(&ctx, &e);
            return render(&state, &ctx, &slug, actor, &url, Some(msg)).await;
        }
    };
    state
        .db
        .write(move |tx| {
            let source = imports::url_source(tx, actor_id, &url, by, now)?;
            let r = sync::apply(tx, source, actor_id, &feed, by, now)?;
            imports::record(tx, source, &r, Some((&etag, &lm)), now)?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(&ctx, &back, "flash.agenda_import.done"))
}

/// GET /a/{slug}/agenda/import/{id}/report.json: the last run's report, event by event (for
/// the page's managers; what was kept, adjusted and how, refused and why).
pub async fn report_json(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (actor_id, _) = managed(&state, &user, slug).await?;
    let source = state
        .db
        .read(move |c| Ok(imports::source_of(c, actor_id, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let report = super::report::Report::from_json(&source.report);
    let error = if source.error.is_empty() {
        String::new()
    } else {
        views::error_text(&ctx, &source.error)
    };
    // Each reason with its code, what it concerns, and its text in the reader's language.
    let events: Vec<serde_json::Value> = report
        .events
        .iter()
        .map(|e| {
            let reasons: Vec<serde_json::Value> = e
                .reasons
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "detail": r.detail,
                        "text": ctx.lang.tf(&r.key(), &[("detail", &r.detail)]),
                    })
                })
                .collect();
            serde_json::json!({
                "uid": e.uid, "title": e.title, "outcome": e.outcome,
                "reasons": reasons, "event": e.event,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "source": source.url,
        "error": error,
        "events": events,
    })))
}

/// POST /a/{slug}/agenda/import/{id}/{action}: `refresh` a URL source now, or `delete` a
/// source (the events it brought stay, as the page's own).
pub async fn source_action(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id, action) = path.into_inner();
    let (actor_id, _) = managed(&state, &user, slug.clone()).await?;
    let source = state
        .db
        .read(move |c| Ok(imports::source_of(c, actor_id, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/a/{slug}/agenda/import");
    match action.as_str() {
        "refresh" if source.url.is_some() => {
            super::refresh(&state, source).await?;
            Ok(redirect_with_flash(
                &ctx,
                &back,
                "flash.agenda_import.refreshed",
            ))
        }
        "delete" => {
            state
                .db
                .write(move |tx| Ok(imports::delete_source(tx, actor_id, id)?))
                .await?;
            Ok(redirect_with_flash(
                &ctx,
                &back,
                "flash.agenda_import.deleted",
            ))
        }
        _ => Err(AppError::NotFound),
    }
}
