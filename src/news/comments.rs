//! Comments: add (with one level of replies), edit, delete.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::handlers::{journal_access, render_post, visible_post};
use super::store::comments as store;
use super::views;
use super::{can_delete, can_edit, Comment, CommentForm};
use crate::db::now;
use crate::error::AppError;
use crate::personal_data::masking::{self, Masking};
use crate::personal_data::store as originals;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect, redirect_with_flash, Ctx};

/// POST /news/{id}/comments: a comment, or a reply when `parent` names one.
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    if post.hidden {
        return Err(AppError::NotFound);
    }
    if let Some((actor_id, _, _)) = &post.actor {
        if super::handlers::masked_on(&state, *actor_id, user.id).await? {
            return Err(AppError::Forbidden);
        }
    }
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let body = form.parse(&mut errors);
    // One level of replies: answering a reply answers its parent.
    let parent = match form.parent_id() {
        Some(pid) => {
            let found = state
                .db
                .read(move |c| Ok(store::comment_by_id(c, pid)?))
                .await?
                .filter(|c| c.post_id == post.id && !c.deleted && !c.hidden);
            match found {
                Some(c) => Some(c.parent_id.unwrap_or(c.id)),
                None => {
                    errors.add("comment", "news.parent_unknown");
                    None
                }
            }
        }
        None => None,
    };
    let Some(mut body) = body.filter(|_| errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render_post(&state, &ctx, &post, Some((&form, &errors)), status).await;
    };
    let masked = mask_comment(&ctx, &mut body);
    let (pid, uid, m) = (post.id, user.id, masked.clone());
    let cid = state
        .db
        .write(move |tx| {
            let at = now();
            let cid = store::insert_comment(tx, pid, parent, uid, &body, at)?;
            m.keep(tx, "comment", cid, Some(uid), at)?;
            Ok(cid)
        })
        .await?;
    Ok(after_save(&ctx, &masked, &format!("/news/{pid}#c{cid}")))
}

/// Masks the personal data of a comment (in the instance's language).
fn mask_comment(ctx: &Ctx, body: &mut String) -> Masking {
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("body", body);
    m
}

/// Back to the comment, telling the author when personal data was masked.
fn after_save(ctx: &Ctx, masked: &Masking, to: &str) -> HttpResponse {
    if masked.found() {
        redirect_with_flash(ctx, to, masking::FLASH)
    } else {
        redirect(to)
    }
}

/// The comment, if its post is visible to the viewer and it is not deleted.
async fn load(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Comment, super::Post), AppError> {
    let comment = state
        .db
        .read(move |c| Ok(store::comment_by_id(c, id)?))
        .await?
        .filter(|c| !c.deleted)
        .ok_or(AppError::NotFound)?;
    let post = visible_post(state, ctx, comment.post_id).await?;
    let staff = ctx.user.as_ref().is_some_and(super::is_staff);
    if comment.hidden && !staff {
        return Err(AppError::NotFound);
    }
    Ok((comment, post))
}

/// GET /news/comments/{id}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (comment, _) = load(&state, &ctx, id.into_inner()).await?;
    if !can_edit(&user, comment.author_id) {
        return Err(AppError::Forbidden);
    }
    let cid = comment.id;
    let kept = state
        .db
        .read(move |c| Ok(originals::original(c, "comment", cid, "body")?))
        .await?;
    let form = CommentForm {
        comment: masking::prefill(&comment.body, kept),
        parent: String::new(),
    };
    Ok(views::comment_edit_page(
        &ctx,
        &comment,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /news/comments/{id}/edit (author and moderators).
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (comment, _) = load(&state, &ctx, id.into_inner()).await?;
    if !can_edit(&user, comment.author_id) {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let Some(mut body) = form.parse(&mut errors) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::comment_edit_page(
            &ctx, &comment, &form, &errors, status,
        ));
    };
    let masked = mask_comment(&ctx, &mut body);
    let (cid, author, m) = (comment.id, comment.author_id, masked.clone());
    state
        .db
        .write(move |tx| {
            let at = now();
            store::update_comment(tx, cid, &body, at)?;
            m.keep(tx, "comment", cid, author, at)?;
            Ok(())
        })
        .await?;
    let to = format!("/news/{}#c{cid}", comment.post_id);
    Ok(after_save(&ctx, &masked, &to))
}

/// POST /news/comments/{id}/delete (author, moderators, the journal's admins).
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (comment, post) = load(&state, &ctx, id.into_inner()).await?;
    let journal = journal_access(&state, Some(&user), &post).await?;
    if !can_delete(&user, comment.author_id, journal.as_ref()) {
        return Err(AppError::Forbidden);
    }
    let cid = comment.id;
    state
        .db
        .write(move |tx| Ok(store::delete_comment(tx, cid, now())?))
        .await?;
    Ok(crate::web::redirect_with_flash(
        &ctx,
        &format!("/news/{}#comments", post.id),
        "flash.news.comment_deleted",
    ))
}
