//! Closing a thread with a summary (its moderators and documentalists), the summary's page,
//! a channel's summaries, and inserting a summary into a newsletter draft the person edits.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::access;
use super::form::TextForm;
use super::store;
use super::views;
use crate::db::now;
use crate::error::AppError;
use crate::personal_data::masking::{self, Masking};
use crate::personal_data::store as kept;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// How many summaries a channel's list shows.
const LIST: i64 = 200;

/// GET /c/{channel}/t/{thread}/close
pub async fn close_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p, t) = access::thread(&state, &ctx, slug, id).await?;
    if !p.may_close() {
        return Err(AppError::Forbidden);
    }
    let original = state
        .db
        .read(move |c| Ok(kept::originals(c, "summary", id)?))
        .await?
        .into_iter()
        .find(|o| o.field == "summary")
        // The site's moderators only: the summary's author is not known here, and a channel's
        // documentalists are not the site's moderators (ARCHITECTURE.md, masking).
        .filter(|_| masking::is_moderator(ctx.user.as_ref()))
        .map(|o| o.original);
    let f = TextForm {
        body: masking::prefill(t.summary.as_deref().unwrap_or(""), original),
    };
    Ok(views::close_page(
        &ctx,
        &ch,
        &t,
        &f,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /c/{channel}/t/{thread}/close: closes the thread with its summary (or replaces it).
pub async fn close(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    f: web::Form<TextForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p, t) = access::thread(&state, &ctx, slug, id).await?;
    if !p.may_close() {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let Some(mut summary) = f.parse(&mut e) else {
        return Ok(views::close_page(
            &ctx,
            &ch,
            &t,
            &f,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("summary", &mut summary);
    let flash = m.flash("flash.channels.closed");
    let uid = user.id;
    state
        .db
        .write(move |tx| {
            let at = now();
            if !store::close(tx, id, uid, &summary, at)? {
                return Err(AppError::NotFound);
            }
            m.keep(tx, "summary", id, Some(uid), at)?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}/t/{id}/summary", ch.url()),
        flash,
    ))
}

/// POST /c/{channel}/t/{thread}/reopen: the summary is dropped, replies are open again.
pub async fn reopen(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p, _) = access::thread(&state, &ctx, slug, id).await?;
    if !p.may_close() {
        return Err(AppError::Forbidden);
    }
    state.db.write(move |tx| Ok(store::reopen(tx, id)?)).await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}/t/{id}", ch.url()),
        "flash.channels.reopened",
    ))
}

/// GET /c/{channel}/t/{thread}/summary: public when the channel is.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p, t) = access::thread(&state, &ctx, slug, id).await?;
    if t.summary.is_none() {
        return Err(AppError::NotFound);
    }
    let user = ctx.user.clone();
    let drafts = state
        .db
        .read(move |c| match &user {
            Some(u) => Ok(store::drafts_for(c, u.id, u.is_staff())?),
            None => Ok(Vec::new()),
        })
        .await?;
    Ok(views::summary_page(&ctx, &ch, &t, p, &drafts))
}

/// GET /c/{channel}/summaries
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ch, _) = access::load(&state, &ctx, slug.into_inner()).await?;
    let id = ch.id;
    let list = state
        .db
        .read(move |c| Ok(store::summaries(c, id, LIST)?))
        .await?;
    Ok(views::summaries(&ctx, &ch, &list))
}

/// The draft picked on a summary's page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InsertForm {
    pub draft: String,
}

/// POST /c/{channel}/t/{thread}/summary/insert: appends the summary, with its title and a
/// link on the public address, to a newsletter draft the person edits, as a new revision.
pub async fn insert(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    f: web::Form<InsertForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, _, t) = access::thread(&state, &ctx, slug, id).await?;
    let Some(summary) = t.summary.clone() else {
        return Err(AppError::NotFound);
    };
    // A newsletter goes out to its subscribers: only what everyone may read goes into one.
    if !ch.is_public() {
        return Err(AppError::Forbidden);
    }
    let draft: i64 = f.draft.parse().map_err(|_| AppError::NotFound)?;
    let link = format!(
        "{}{}/t/{id}/summary",
        crate::web::public_base(&state),
        ch.url()
    );
    let block = format!(
        "## {}\n\n{}\n\n{}: {link}\n",
        t.title,
        summary.trim(),
        ctx.t("channels.summary_link")
    );
    let (uid, staff) = (user.id, user.is_staff());
    let slug = state
        .db
        .write(move |tx| {
            let mine = store::drafts_for(tx, uid, staff)?;
            if !mine.iter().any(|(d, _)| *d == draft) {
                return Err(AppError::Forbidden);
            }
            Ok(store::append_to_draft(tx, draft, &block, uid, now())?)
        })
        .await?;
    match slug {
        Some(list) => Ok(redirect_with_flash(
            &ctx,
            &format!("/lists/{list}/mailings/{draft}"),
            "flash.channels.inserted",
        )),
        None => Err(AppError::NotFound),
    }
}
