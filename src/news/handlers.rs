//! News pages: the wall, the journals, a post's page, posting, editing, deleting.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::store::{self, ImageChange, Scope};
use super::views::{self, ListPage, PostPage};
use super::{can_delete, can_edit, can_post_on, CommentForm, Post, PostForm, Viewer, PER_PAGE};
use crate::auth::User;
use crate::db::now;
use crate::directory::access::load as load_actor;
use crate::directory::store::members;
use crate::directory::{Access, Actor};
use crate::error::AppError;
use crate::personal_data::masking::{self, Masking};
use crate::personal_data::store as originals;
use crate::state::AppState;
use crate::uploads::{self, Submitted};
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// The page of a list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    pub page: i64,
}

/// Renders the wall (`journal` None) or a journal with its posting form.
async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    journal: Option<(Actor, Access)>,
    page: i64,
    form: Option<(&PostForm, &FormErrors)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = page.clamp(1, 100_000);
    let viewer = Viewer::of(ctx.user.as_ref());
    let scope = journal
        .as_ref()
        .map_or(Scope::All, |(a, _)| Scope::Actor(a.id));
    let (posts, more) = state
        .db
        .read(move |c| {
            Ok(store::visible_posts(
                c,
                viewer,
                scope,
                PER_PAGE,
                (page - 1) * PER_PAGE,
            )?)
        })
        .await?;
    let may_post = match &journal {
        Some((_, access)) => ctx.user.is_some() && can_post_on(access),
        None => ctx.user.is_some(),
    };
    let empty = (PostForm::default(), FormErrors::new());
    let list = ListPage {
        journal: journal.as_ref().map(|(a, access)| (a, *access)),
        posts: &posts,
        more,
        page,
        form: may_post.then(|| form.unwrap_or((&empty.0, &empty.1))),
    };
    Ok(views::list(ctx, &list, status))
}

/// GET /news: the village wall and every journal the viewer may read, newest first.
pub async fn wall(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    render_list(&state, &ctx, None, q.page, None, StatusCode::OK).await
}

/// GET /a/{slug}/news: an actor's journal.
pub async fn journal(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let journal = load_actor(&state, &ctx, slug.into_inner()).await?;
    render_list(&state, &ctx, Some(journal), q.page, None, StatusCode::OK).await
}

/// POST /news: a post on the village wall (any signed-in resident).
pub async fn create_on_wall(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let sub = match uploads::read(&req, payload, "image").await {
        Ok(s) => s,
        Err(res) => return Ok(res),
    };
    create(&state, &ctx, &user, None, sub).await
}

/// POST /a/{slug}/news: a post on an actor's journal (its members and admins).
pub async fn create_on_journal(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load_actor(&state, &ctx, slug.into_inner()).await?;
    if !can_post_on(&access) || masked_on(&state, actor.id, user.id).await? {
        return Err(AppError::Forbidden);
    }
    let sub = match uploads::read(&req, payload, "image").await {
        Ok(s) => s,
        Err(res) => return Ok(res),
    };
    create(&state, &ctx, &user, Some((actor, access)), sub).await
}

/// 413 when the photo was too large (the form comes back with what was typed), else 422.
pub fn form_status(too_big: bool) -> StatusCode {
    if too_big {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Checks the form and the image; `Err(errors)` keeps what the user typed for the re-render.
async fn parse_with_image(
    state: &AppState,
    form: &PostForm,
    on_journal: bool,
    image: Option<Vec<u8>>,
    too_big: bool,
) -> Result<Result<(super::PostInput, Option<String>), FormErrors>, AppError> {
    let mut errors = FormErrors::new();
    errors.check(too_big, "image", "news.image_too_big");
    let Some(input) = form.parse(on_journal, &mut errors).filter(|_| !too_big) else {
        return Ok(Err(errors));
    };
    let stored = match image {
        Some(bytes) => match uploads::store(&state.config, "news", bytes).await? {
            Some(name) => Some(name),
            None => {
                errors.add("image", "news.image_invalid");
                return Ok(Err(errors));
            }
        },
        None => None,
    };
    Ok(Ok((input, stored)))
}

async fn create(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    journal: Option<(Actor, Access)>,
    sub: Submitted,
) -> Result<HttpResponse, AppError> {
    let form = PostForm::from_fields(&sub.fields);
    let too_big = sub.too_big;
    let parsed = parse_with_image(state, &form, journal.is_some(), sub.file, too_big).await?;
    let (mut input, image) = match parsed {
        Ok(ok) => ok,
        Err(errors) => {
            let status = form_status(too_big);
            return render_list(state, ctx, journal, 1, Some((&form, &errors)), status).await;
        }
    };
    let masked = mask_post(ctx, &mut input);
    let (actor_id, uid, img) = (journal.map(|(a, _)| a.id), user.id, image.clone());
    let m = masked.clone();
    let created = state
        .db
        .write(move |tx| {
            let at = now();
            let id = store::insert_post(tx, actor_id, uid, &input, img.as_deref(), at)?;
            m.keep(tx, "news", id, Some(uid), at)?;
            Ok(id)
        })
        .await;
    let flash = if masked.found() {
        masking::FLASH
    } else {
        "flash.news.posted"
    };
    match created {
        Ok(id) => Ok(redirect_with_flash(ctx, &format!("/news/{id}"), flash)),
        Err(e) => {
            uploads::remove(&state.config, image.as_deref());
            Err(e)
        }
    }
}

/// Masks the personal data of a post's title and body (in the instance's language).
fn mask_post(ctx: &Ctx, input: &mut super::PostInput) -> Masking {
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("title", &mut input.title);
    m.field("body", &mut input.body);
    m
}

/// The originals of a post and of its comments that the viewer may see (author, moderators).
async fn visible_originals(
    state: &AppState,
    ctx: &Ctx,
    post: &Post,
    comments: &[super::Comment],
) -> Result<Vec<originals::Original>, AppError> {
    let user = ctx.user.as_ref();
    let mut items: Vec<(&'static str, i64)> = Vec::new();
    if masking::may_see(user, post.author_id) {
        items.push(("news", post.id));
    }
    for c in comments {
        if masking::may_see(user, c.author_id) && !c.deleted {
            items.push(("comment", c.id));
        }
    }
    if items.is_empty() {
        return Ok(Vec::new());
    }
    state
        .db
        .read(move |c| {
            let mut all = Vec::new();
            for (kind, id) in items {
                all.extend(originals::originals(c, kind, id)?);
            }
            Ok(all)
        })
        .await
}

/// Whether a page's admins masked this person on their page (no more posts or comments there).
pub async fn masked_on(state: &AppState, actor_id: i64, user_id: i64) -> Result<bool, AppError> {
    state
        .db
        .read(move |c| Ok(crate::moderation::store::masked_on(c, actor_id, user_id)?))
        .await
}

/// The viewer's access to the journal's actor (for the rights of its admins).
pub async fn journal_access(
    state: &AppState,
    user: Option<&User>,
    post: &Post,
) -> Result<Option<Access>, AppError> {
    let Some((actor_id, _, _)) = post.actor else {
        return Ok(None);
    };
    let uid = user.map(|u| u.id);
    let membership = match uid {
        Some(u) => {
            state
                .db
                .read(move |c| Ok(members::membership(c, actor_id, u)?))
                .await?
        }
        None => None,
    };
    Ok(Some(Access::of(user, membership)))
}

/// The post if the viewer may read it; "not found" otherwise, so that it is not revealed.
pub async fn visible_post(state: &AppState, ctx: &Ctx, id: i64) -> Result<Post, AppError> {
    let viewer = Viewer::of(ctx.user.as_ref());
    state
        .db
        .read(move |c| Ok(store::post_for(c, id, viewer)?))
        .await?
        .ok_or(AppError::NotFound)
}

/// Renders a post's page, with a comment form being re-shown when there is one.
pub async fn render_post(
    state: &AppState,
    ctx: &Ctx,
    post: &Post,
    comment: Option<(&CommentForm, &FormErrors)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = post.id;
    let comments = state
        .db
        .read(move |c| Ok(store::comments::comments_of(c, id)?))
        .await?;
    let journal = journal_access(state, ctx.user.as_ref(), post).await?;
    let originals = visible_originals(state, ctx, post, &comments).await?;
    let page = PostPage {
        post,
        comments: &comments,
        journal,
        comment,
        originals: &originals,
    };
    Ok(views::post_page(ctx, &page, status))
}

/// GET /news/{id}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    render_post(&state, &ctx, &post, None, StatusCode::OK).await
}

/// GET /news/{id}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    if !can_edit(&user, post.author_id) {
        return Err(AppError::Forbidden);
    }
    let mut form = PostForm::from_post(&post);
    let pid = post.id;
    let kept = state
        .db
        .read(move |c| Ok(originals::originals(c, "news", pid)?))
        .await?;
    for o in kept {
        match o.field.as_str() {
            "title" => form.title = o.original,
            "body" => form.body = o.original,
            _ => {}
        }
    }
    Ok(views::edit_page(
        &ctx,
        &post,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /news/{id}/edit (author and moderators).
pub async fn update(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    if !can_edit(&user, post.author_id) {
        return Err(AppError::Forbidden);
    }
    let sub = match uploads::read(&req, payload, "image").await {
        Ok(s) => s,
        Err(res) => return Ok(res),
    };
    let form = PostForm::from_fields(&sub.fields);
    let too_big = sub.too_big;
    let parsed = parse_with_image(&state, &form, post.actor.is_some(), sub.file, too_big).await?;
    let (mut input, image) = match parsed {
        Ok(ok) => ok,
        Err(errors) => {
            let status = form_status(too_big);
            return Ok(views::edit_page(&ctx, &post, &form, &errors, status));
        }
    };
    let masked = mask_post(&ctx, &mut input);
    let change = match (&image, form.remove_image == "on") {
        (Some(name), _) => ImageChange::Replace(name.clone()),
        (None, true) => ImageChange::Remove,
        (None, false) => ImageChange::Keep,
    };
    let (pid, author, m) = (post.id, post.author_id, masked.clone());
    let saved = state
        .db
        .write(move |tx| {
            let at = now();
            let dropped = store::update_post(tx, pid, &input, &change, at)?;
            m.keep(tx, "news", pid, author, at)?;
            Ok(dropped)
        })
        .await;
    let flash = if masked.found() {
        masking::FLASH
    } else {
        "flash.saved"
    };
    match saved {
        Ok(dropped) => {
            uploads::remove(&state.config, dropped.as_deref());
            Ok(redirect_with_flash(&ctx, &post.url(), flash))
        }
        Err(e) => {
            uploads::remove(&state.config, image.as_deref());
            Err(e)
        }
    }
}

/// POST /news/{id}/delete (author, moderators, the journal's admins).
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    let journal = journal_access(&state, Some(&user), &post).await?;
    if !can_delete(&user, post.author_id, journal.as_ref()) {
        return Err(AppError::Forbidden);
    }
    let pid = post.id;
    let image = state
        .db
        .write(move |tx| Ok(store::delete_post(tx, pid)?))
        .await?;
    uploads::remove(&state.config, image.as_deref());
    let back = match &post.actor {
        Some((_, slug, _)) => format!("/a/{slug}/news"),
        None => "/news".to_string(),
    };
    Ok(redirect_with_flash(&ctx, &back, "flash.news.deleted"))
}
