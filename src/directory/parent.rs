//! A page's parent: the pages the form offers (those the person administers) and the one
//! typed or picked, checked on save.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::store::{self, members};
use super::{views, ActorForm, ActorInput, MemberRole};
use crate::auth::User;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::picker::Choices;
use crate::web::Ctx;

/// The create/edit form with the pages the person may attach it to.
pub async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    actor: Option<&super::Actor>,
    form: &ActorForm,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (uid, admin) = ctx
        .user
        .as_ref()
        .map_or((0, false), |u| (u.id, u.is_admin()));
    let except = actor.map(|a| a.id);
    let parents = state
        .db
        .read(move |c| Ok(store::parent_choices(c, uid, admin, except)?))
        .await?;
    let parents = Choices::new(parents);
    Ok(views::form(ctx, actor, form, errors, &parents, status))
}

/// Resolves the parent slug typed in the form: `Err(())` when it is unknown or not managed by the user.
pub fn check_parent(
    c: &rusqlite::Connection,
    input: &ActorInput,
    own_id: Option<i64>,
    user: &User,
) -> Result<Result<Option<i64>, ()>, AppError> {
    let Some(typed) = &input.parent_slug else {
        return Ok(Ok(None));
    };
    // The name picked in the form's list, or an identifier or address as typed.
    let choices = Choices::new(store::parent_choices(c, user.id, user.is_admin(), own_id)?);
    let Some(slug) = choices.resolve(typed) else {
        return Ok(Ok(None));
    };
    let slug = &slug;
    // Only the parent's admins (or the site's) may attach a page to it; an unknown slug and
    // a page one does not manage get the same answer, so hidden pages stay hidden.
    let Some(id) = store::actor_id_by_slug(c, slug)?.filter(|id| Some(*id) != own_id) else {
        return Ok(Err(()));
    };
    let manages =
        user.is_admin() || members::membership(c, id, user.id)? == Some((MemberRole::Admin, true));
    Ok(if manages { Ok(Some(id)) } else { Err(()) })
}
