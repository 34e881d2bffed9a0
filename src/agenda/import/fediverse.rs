//! POST /a/{slug}/fediverse/follow and /a/{slug}/fediverse/unfollow/{id}: the page's managers
//! (the same as for its calendar import: its admins, the site's staff) follow a fediverse
//! account for their page (a Mobilizon group, a Gancio instance...), whose public events then
//! come into the agenda organised by the page, and stop following it. Shown on the page's
//! import page, next to the iCalendar import; bad input re-renders it (422) with the message.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::handlers::{managed, render_with};
use super::views::Fediverse;
use crate::error::AppError;
use crate::federation::{follow as fediverse, store};
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// Longest handle or URL accepted.
const MAX_HANDLE: usize = 500;

/// « Suivre un compte du fédivers »: a handle (`@groupe@mobilizon.example`) or a URL.
#[derive(Deserialize, Default)]
pub struct FollowForm {
    #[serde(default)]
    handle: String,
}

/// Where both forms come back to.
fn back(slug: &str) -> String {
    format!("/a/{slug}/agenda/import")
}

/// POST /a/{slug}/fediverse/follow
pub async fn follow(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    form: web::Form<FollowForm>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let actor = managed(&state, &user, slug.clone()).await?;
    let handle = form.into_inner().handle.trim().to_string();
    let mut errors = FormErrors::new();
    errors.check(handle.is_empty(), "handle", "federation.handle_required");
    errors.check(
        handle.len() > MAX_HANDLE || handle.chars().any(char::is_whitespace),
        "handle",
        "federation.error_not_found",
    );
    if errors.is_empty() {
        match fediverse::follow(&state, actor.0, &handle, Some(user.0.id)).await? {
            Ok(_) => {
                return Ok(redirect_with_flash(
                    &ctx,
                    &back(&slug),
                    "flash.federation.page_followed",
                ))
            }
            Err(key) => errors.add("handle", key),
        }
    }
    let fedi = Fediverse {
        handle,
        errors,
        ..Fediverse::default()
    };
    render_with(&state, &ctx, &slug, actor, "", None, fedi).await
}

/// POST /a/{slug}/fediverse/unfollow/{id}: stops following (Undo), for a follow of this page
/// only; the events already received stay in the agenda.
pub async fn unfollow(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (page, _) = managed(&state, &user, slug.clone()).await?;
    let follows = state
        .db
        .read(move |c| Ok(store::page_following(c, page)?))
        .await?;
    if !follows.iter().any(|(f, _, _)| f.id == id) {
        return Err(AppError::NotFound);
    }
    fediverse::unfollow(&state, id).await?;
    Ok(redirect_with_flash(
        &ctx,
        &back(&slug),
        "flash.federation.page_unfollowed",
    ))
}
