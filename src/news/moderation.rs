//! Reports and the moderators' queue: anyone signed in reports a post or a comment; the
//! site's moderators and admins are mailed when something enters the queue, and hide,
//! restore, or keep it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::handlers::visible_post;
use super::store::{self, comments, reports, reports::Target};
use super::{excerpt, is_staff, views, ReportForm};
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::{base_url, redirect_with_flash, safe_next, Ctx};

/// POST /news/{id}/report
pub async fn report_post(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    let text = format!("{}\n{}", post.title, post.body);
    report(
        &state,
        &ctx,
        &req,
        &user,
        Target::Post(post.id),
        &text,
        &form,
    )
    .await?;
    Ok(redirect_with_flash(
        &ctx,
        &post.url(),
        "flash.news.reported",
    ))
}

/// POST /news/comments/{id}/report
pub async fn report_comment(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let comment = state
        .db
        .read(move |c| Ok(comments::comment_by_id(c, id)?))
        .await?
        .filter(|c| !c.deleted && !c.hidden)
        .ok_or(AppError::NotFound)?;
    let post = visible_post(&state, &ctx, comment.post_id).await?;
    let target = Target::Comment(comment.id);
    report(&state, &ctx, &req, &user, target, &comment.body, &form).await?;
    let back = format!("{}#c{}", post.url(), comment.id);
    Ok(redirect_with_flash(&ctx, &back, "flash.news.reported"))
}

/// Records the report; mails the moderators when the target just entered the queue.
async fn report(
    state: &AppState,
    ctx: &Ctx,
    req: &HttpRequest,
    user: &User,
    target: Target,
    text: &str,
    form: &ReportForm,
) -> Result<(), AppError> {
    let (uid, reason) = (user.id, form.reason());
    let r = reason.clone();
    let first = state
        .db
        .write(move |tx| Ok(reports::add_report(tx, target, uid, &r, now())?))
        .await?;
    if !first {
        return Ok(());
    }
    let staff = state.db.read(|c| Ok(reports::staff_addresses(c)?)).await?;
    let url = format!("{}/moderation", base_url(req, state));
    let inst = &ctx.instance;
    let quoted = excerpt(text, 300);
    state
        .mailer
        .send_each(
            &inst.smtp,
            &inst.name,
            staff,
            inst.default_lang,
            |lang, to| {
                let what = lang.t(match target {
                    Target::Post(_) => "news.a_post",
                    Target::Comment(_) => "news.a_comment",
                });
                let reason = if reason.is_empty() {
                    lang.t("news.no_reason").to_string()
                } else {
                    reason.clone()
                };
                Mail::new(
                    to,
                    lang.tf("news.report_subject", &[("site", &inst.name)]),
                    lang.tf(
                        "news.report_body",
                        &[
                            ("what", what),
                            ("text", &quoted),
                            ("reason", &reason),
                            ("url", &url),
                        ],
                    ),
                )
            },
        )
        .await;
    Ok(())
}

fn require_staff(user: &User) -> Result<(), AppError> {
    if is_staff(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// GET /moderation: open reports and hidden content (moderators and admins).
pub async fn queue(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let (open, hidden) = state
        .db
        .read(|c| Ok((reports::open_queue(c)?, reports::hidden(c, 100)?)))
        .await?;
    Ok(views::queue(&ctx, &open, &hidden))
}

/// Where to go after a decision (`?next=`, a local path), else the queue.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Next {
    pub next: Option<String>,
}

/// POST /moderation/posts/{id}/{hide|restore|keep}
pub async fn act_on_post(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(i64, String)>,
    q: web::Query<Next>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    act(
        &state,
        &ctx,
        &user,
        Target::Post(id),
        &action,
        q.next.as_deref(),
    )
    .await
}

/// POST /moderation/comments/{id}/{hide|restore|keep}
pub async fn act_on_comment(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(i64, String)>,
    q: web::Query<Next>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    act(
        &state,
        &ctx,
        &user,
        Target::Comment(id),
        &action,
        q.next.as_deref(),
    )
    .await
}

async fn act(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    target: Target,
    action: &str,
    next: Option<&str>,
) -> Result<HttpResponse, AppError> {
    require_staff(user)?;
    let (hide, resolution, flash) = match action {
        "hide" => (Some(true), Some("hidden"), "flash.news.hidden"),
        "restore" => (Some(false), None, "flash.news.restored"),
        "keep" => (None, Some("kept"), "flash.news.kept"),
        _ => return Err(AppError::NotFound),
    };
    let by = user.id;
    let found = state
        .db
        .write(move |tx| {
            let t = now();
            let found = match (target, hide) {
                (Target::Post(id), Some(h)) => store::set_post_hidden(tx, id, h, by, t)?,
                (Target::Comment(id), Some(h)) => comments::set_comment_hidden(tx, id, h, by, t)?,
                (Target::Post(id), None) => store::post_by_id(tx, id)?.is_some(),
                (Target::Comment(id), None) => comments::comment_by_id(tx, id)?.is_some(),
            };
            if let (true, Some(res)) = (found, resolution) {
                reports::resolve(tx, target, by, res, t)?;
            }
            Ok(found)
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    let back = match next {
        Some(_) => safe_next(next),
        None => "/moderation".to_string(),
    };
    Ok(redirect_with_flash(ctx, &back, flash))
}
