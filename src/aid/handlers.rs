//! Mutual aid pages: the list, a post's page (with its matches), posting, editing, closing,
//! extending, "my posts".

use std::sync::{Arc, LazyLock};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::form::ListQuery;
use super::store::{self, ListFilter};
use super::views::{self, FormPage, ListPage, PostPage};
use super::{matching, now, round_point, Kind, Post, PostForm, Status, PER_PAGE};
use crate::auth::User;
use crate::db::memo::Memo;
use crate::error::AppError;
use crate::personal_data::masking::{self, Masking};
use crate::personal_data::store as originals;
use crate::state::AppState;
use crate::uploads::{self, Submitted};
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// GET /aid: open offers, needs and ads, newest first, filtered by kind, category, distance.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter(&ctx);
    let (posts, more) = public_page(&state, filter.clone()).await?.as_ref().clone();
    let page = ListPage {
        query: &q,
        posts: &posts,
        more,
        page: filter.page,
    };
    Ok(views::list(&ctx, &page))
}

/// A page of the public list: the same for every viewer, memoised until the next write.
pub async fn public_page(
    state: &AppState,
    filter: ListFilter,
) -> Result<Arc<(Vec<Post>, bool)>, AppError> {
    static MEMO: LazyLock<Memo<(Vec<Post>, bool)>> = LazyLock::new(|| Memo::new(256));
    let key = format!("{filter:?}");
    state
        .db
        .read(move |c| Ok(MEMO.get_or(&key, || store::public_posts(c, &filter, PER_PAGE, now()))?))
        .await
}

/// GET /aid/mine: the user's posts, whatever their status (expired ones included).
pub async fn mine(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let posts = state
        .db
        .read(move |c| Ok(store::posts_by_author(c, uid)?))
        .await?;
    Ok(views::mine(&ctx, &posts))
}

type Actors = Vec<store::ManagedActor>;

async fn actors_of(state: &AppState, user: &User) -> Result<Actors, AppError> {
    let uid = user.id;
    state
        .db
        .read(move |c| Ok(store::actors_managed_by(c, uid)?))
        .await
}

/// GET /aid/new
pub async fn new_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let actors = actors_of(&state, &user).await?;
    let form = PostForm {
        kind: Kind::parse(&q.kind)
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        category: q.category.clone(),
        ..PostForm::default()
    };
    let page = FormPage {
        action: "/aid/new",
        form: &form,
        errors: &FormErrors::new(),
        actors: &actors,
        photo: None,
    };
    Ok(views::form_page(&ctx, &page, StatusCode::OK))
}

/// The parsed form with its final point and its stored photo, or the 422 page.
async fn parse(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    sub: Submitted,
    action: &str,
    current_photo: Option<&str>,
) -> Result<Result<(super::PostInput, Option<String>, PostForm), HttpResponse>, AppError> {
    let actors = actors_of(state, user).await?;
    let form = PostForm::from_fields(&sub.fields);
    let ids: Vec<i64> = actors.iter().map(|a| a.0).collect();
    let mut errors = FormErrors::new();
    let parsed = form.parse(ctx.instance.time_zone, &ids, &mut errors);
    let mut photo = None;
    let too_big = sub.too_big;
    errors.check(too_big, "photo", "aid.error_photo_too_big");
    if let (Some(_), Some(bytes)) = (&parsed, sub.file) {
        match uploads::store(&state.config, "aid", bytes).await? {
            Some(name) => photo = Some(name),
            None => errors.add("photo", "aid.error_photo"),
        }
    }
    // A typed address wins over the hidden coordinates (without JavaScript, they still hold
    // the previous point when editing). The sector is optional: one the address base does not
    // know leaves the post without a point (the caller says so), it never refuses the post.
    let mut found = None;
    if !form.address.trim().is_empty() {
        let address = form.address.clone();
        found = state
            .db
            .read(move |c| Ok(crate::addresses::store::geocode(c, &address, None)?))
            .await?;
    }
    let Some(mut input) = parsed.filter(|_| errors.is_empty()) else {
        uploads::remove(&state.config, photo.as_deref());
        let page = FormPage {
            action,
            form: &form,
            errors: &errors,
            actors: &actors,
            photo: current_photo,
        };
        return Ok(Err(views::form_page(
            ctx,
            &page,
            crate::news::handlers::form_status(too_big),
        )));
    };
    input.point = found.or(input.point);
    // An actor's post takes the actor's (public) point when it has one; a person's point is
    // rounded before it goes anywhere.
    let actor_point = input
        .actor_id
        .and_then(|id| actors.iter().find(|a| a.0 == id))
        .and_then(|a| a.2);
    input.point = actor_point.or(input.point.map(round_point));
    Ok(Ok((input, photo, form)))
}

/// POST /aid/new
pub async fn create(
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
    let (mut input, photo, form) = match parse(&state, &ctx, &user, sub, "/aid/new", None).await? {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    let unplaced = !form.address.trim().is_empty() && input.point.is_none();
    let masked = mask_post(&ctx, &mut input);
    let (uid, p, m) = (user.id, photo.clone(), masked.clone());
    let created = state
        .db
        .write(move |tx| {
            let (days, _) = store::admin::settings(tx)?;
            let t = now();
            let id = store::insert_post(tx, uid, &input, p.as_deref(), t, t + days * 86_400)?;
            m.keep(tx, "aid", id, Some(uid), t)?;
            Ok(id)
        })
        .await;
    let flash = if masked.found() {
        masking::FLASH
    } else if unplaced {
        "flash.aid.posted_unplaced"
    } else {
        "flash.aid.posted"
    };
    match created {
        Ok(id) => Ok(redirect_with_flash(&ctx, &format!("/aid/{id}"), flash)),
        Err(e) => {
            uploads::remove(&state.config, photo.as_deref());
            Err(e)
        }
    }
}

/// Masks the personal data of a post's title and description (in the instance's language).
fn mask_post(ctx: &Ctx, input: &mut super::form::PostInput) -> Masking {
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("title", &mut input.title);
    m.field("description", &mut input.description);
    m
}

/// The originals of a post's masked text, for its author and the moderators; else none.
pub async fn visible_originals(
    state: &AppState,
    ctx: &Ctx,
    post: &Post,
) -> Result<Vec<originals::Original>, AppError> {
    if !masking::may_see(ctx.user.as_ref(), Some(post.author_id)) {
        return Ok(Vec::new());
    }
    let pid = post.id;
    state
        .db
        .read(move |c| Ok(originals::originals(c, "aid", pid)?))
        .await
}

/// Whether the user may see the post: the public sees open visible posts; the author sees
/// all of theirs; moderators see hidden ones too.
pub fn may_see(p: &Post, user: Option<&User>) -> bool {
    p.is_public(now())
        || user.is_some_and(|u| u.id == p.author_id || (super::is_staff(u) && p.hidden))
}

/// A post the user may see, or 404.
pub async fn visible_post(state: &AppState, ctx: &Ctx, id: i64) -> Result<Post, AppError> {
    state
        .db
        .read(move |c| Ok(store::post_by_id(c, id)?))
        .await?
        .filter(|p| may_see(p, ctx.user.as_ref()))
        .ok_or(AppError::NotFound)
}

/// A post of the user (to edit, close, extend), or 404.
async fn own_post(state: &AppState, user: &User, id: i64) -> Result<Post, AppError> {
    let uid = user.id;
    state
        .db
        .read(move |c| Ok(store::post_by_id(c, id)?))
        .await?
        .filter(|p| p.author_id == uid)
        .ok_or(AppError::NotFound)
}

/// GET /aid/{id}: the post, and the open posts that answer it.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    let matches = if post.is_public(now()) {
        matching::matches_for(&state, &post).await?
    } else {
        Vec::new()
    };
    let conversation = match &ctx.user {
        Some(u) if u.id != post.author_id => {
            let (pid, uid) = (post.id, u.id);
            state
                .db
                .read(move |c| {
                    Ok(store::talk::conversations_of(c, uid)?
                        .into_iter()
                        .find(|t| t.post_id == pid && t.replier_id == uid))
                })
                .await?
        }
        _ => None,
    };
    let originals = visible_originals(&state, &ctx, &post).await?;
    let page = PostPage {
        post: &post,
        matches: &matches,
        conversation: conversation.as_ref(),
        reply: None,
        originals: &originals,
    };
    Ok(views::post_page(&ctx, &page, StatusCode::OK))
}

/// GET /aid/{id}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = own_post(&state, &user, id.into_inner()).await?;
    let actors = actors_of(&state, &user).await?;
    let mut form = PostForm::of(&post, ctx.instance.time_zone);
    for o in visible_originals(&state, &ctx, &post).await? {
        match o.field.as_str() {
            "title" => form.title = o.original,
            "description" => form.description = o.original,
            _ => {}
        }
    }
    let action = format!("/aid/{}/edit", post.id);
    let page = FormPage {
        action: &action,
        form: &form,
        errors: &FormErrors::new(),
        actors: &actors,
        photo: post.photo.as_deref(),
    };
    Ok(views::form_page(&ctx, &page, StatusCode::OK))
}

/// POST /aid/{id}/edit
pub async fn update(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let post = own_post(&state, &user, id.into_inner()).await?;
    let sub = match uploads::read(&req, payload, "image").await {
        Ok(s) => s,
        Err(res) => return Ok(res),
    };
    let action = format!("/aid/{}/edit", post.id);
    let parsed = parse(&state, &ctx, &user, sub, &action, post.photo.as_deref()).await?;
    let (mut input, photo, form) = match parsed {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    let unplaced = !form.address.trim().is_empty() && input.point.is_none();
    let masked = mask_post(&ctx, &mut input);
    // The edit form carries the stored point, already rounded: rounding again keeps it.
    let change = match (&photo, form.remove_photo == "on") {
        (Some(name), _) => Some(Some(name.clone())),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let (pid, c2, author, m) = (post.id, change.clone(), post.author_id, masked.clone());
    let saved = state
        .db
        .write(move |tx| {
            let t = now();
            store::update_post(tx, pid, &input, c2.as_ref().map(|c| c.as_deref()), t)?;
            m.keep(tx, "aid", pid, Some(author), t)?;
            Ok(())
        })
        .await;
    if let Err(e) = saved {
        uploads::remove(&state.config, photo.as_deref());
        return Err(e);
    }
    if change.is_some() {
        uploads::remove(&state.config, post.photo.as_deref());
    }
    let flash = if masked.found() {
        masking::FLASH
    } else if unplaced {
        "flash.aid.saved_unplaced"
    } else {
        "flash.aid.saved"
    };
    Ok(redirect_with_flash(&ctx, &post.url(), flash))
}

/// GET /aid/{id}/close and /aid/{id}/extend: a confirmation page (the links of the expiry
/// mail land here; the change itself is a POST).
pub async fn confirm_page(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = own_post(&state, &user, id.into_inner()).await?;
    let extend = req.path().ends_with("/extend");
    let days = state.db.read(|c| Ok(store::admin::settings(c)?.0)).await?;
    Ok(views::confirm(&ctx, &post, extend, days))
}

/// POST /aid/{id}/close: the author marks it fulfilled (it leaves lists, map and search).
pub async fn close(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = own_post(&state, &user, id.into_inner()).await?;
    let pid = post.id;
    state
        .db
        .write(move |tx| Ok(store::set_status(tx, pid, Status::Fulfilled, None, now())?))
        .await?;
    Ok(redirect_with_flash(&ctx, &post.url(), "flash.aid.closed"))
}

/// POST /aid/{id}/extend: open again, for the configured duration more: from its current end
/// while it still runs (so the date moves), from today once expired; never more than two
/// durations ahead.
pub async fn extend(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = own_post(&state, &user, id.into_inner()).await?;
    let (pid, current) = (post.id, post.expires_at);
    state
        .db
        .write(move |tx| {
            let (days, _) = store::admin::settings(tx)?;
            let t = now();
            let until = (current.max(t) + days * 86_400).min(t + 2 * days * 86_400);
            Ok(store::set_status(tx, pid, Status::Open, Some(until), t)?)
        })
        .await?;
    Ok(redirect_with_flash(&ctx, &post.url(), "flash.aid.extended"))
}

/// « Mon village »: the way to the person's own ads and conversations.
pub async fn my_village_block(_state: &AppState, ctx: &Ctx) -> Result<maud::Markup, AppError> {
    if ctx.user.is_none() || !ctx.instance.enabled(crate::settings::Module::Aid) {
        return Ok(maud::html! {});
    }
    Ok(maud::html! {
        section aria-labelledby="my-aid-h" {
            h2 #my-aid-h { (ctx.t("module.aid")) }
            p {
                a href="/aid/mine" { (ctx.t("aid.mine")) } " · "
                a href="/aid/conversations" { (ctx.t("aid.conversations")) }
            }
        }
    })
}
