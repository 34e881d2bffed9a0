//! Comments: add (with one level of replies), edit, delete.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::handlers::{journal_access, render_post, visible_post};
use super::store::comments as store;
use super::views;
use super::{can_delete, can_edit, Comment, CommentForm};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect, Ctx};

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
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render_post(&state, &ctx, &post, Some((&form, &errors)), status).await;
    };
    let (pid, uid) = (post.id, user.id);
    let cid = state
        .db
        .write(move |tx| Ok(store::insert_comment(tx, pid, parent, uid, &body, now())?))
        .await?;
    Ok(redirect(&format!("/news/{pid}#c{cid}")))
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
    let form = CommentForm {
        comment: comment.body.clone(),
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
    let Some(body) = form.parse(&mut errors) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::comment_edit_page(
            &ctx, &comment, &form, &errors, status,
        ));
    };
    let cid = comment.id;
    state
        .db
        .write(move |tx| Ok(store::update_comment(tx, cid, &body, now())?))
        .await?;
    Ok(redirect(&format!("/news/{}#c{cid}", comment.post_id)))
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
