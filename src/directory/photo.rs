//! An actor's logo or photo: read, processed and stored by the one upload mechanism
//! (`crate::uploads`), served from /media/.

use actix_web::{web, HttpRequest, HttpResponse};

use super::access::load;
use super::handlers::require_manage;
use super::store;
use crate::error::AppError;
use crate::state::AppState;
use crate::uploads;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// POST /a/{slug}/photo (multipart, CSRF token in the query string).
pub async fn upload(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    require_manage(&access)?;
    // A picture only comes as multipart: anything else is a broken request.
    if !uploads::is_multipart(&req) {
        return Ok(HttpResponse::BadRequest().finish());
    }
    let sub = match uploads::read(&req, payload, "photo").await {
        Ok(s) => s,
        Err(refused) => return Ok(refused),
    };
    if sub.too_big {
        return Ok(HttpResponse::PayloadTooLarge().finish());
    }
    let back = format!("/a/{}/edit", actor.slug);
    let Some(bytes) = sub.file else {
        return Ok(redirect_with_flash(&ctx, &back, "flash.photo_missing"));
    };
    let Some(name) = uploads::store(&state.config, "actor", bytes).await? else {
        return Ok(redirect_with_flash(&ctx, &back, "flash.photo_invalid"));
    };
    let id = actor.id;
    let old = state
        .db
        .write(move |tx| Ok(store::set_photo(tx, id, Some(&name))?))
        .await?;
    uploads::remove(&state.config, old.as_deref());
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        "flash.photo_saved",
    ))
}
