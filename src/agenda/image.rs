//! The image of an event: read, processed and stored by the one upload mechanism
//! (`crate::uploads`), served from /media/.

use actix_web::{web, HttpRequest, HttpResponse};

use super::handlers::load;
use super::store;
use crate::error::AppError;
use crate::state::AppState;
use crate::uploads;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// POST /e/{slug}/image (multipart, CSRF token in the query string).
pub async fn upload(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.manage {
        return Err(AppError::Forbidden);
    }
    // A picture only comes as multipart: anything else is a broken request.
    if !uploads::is_multipart(&req) {
        return Ok(HttpResponse::BadRequest().finish());
    }
    let sub = match uploads::read(&req, payload, "image").await {
        Ok(s) => s,
        Err(refused) => return Ok(refused),
    };
    if sub.too_big {
        return Ok(HttpResponse::PayloadTooLarge().finish());
    }
    let back = format!("/e/{}/edit", ev.slug);
    let Some(bytes) = sub.file else {
        return Ok(redirect_with_flash(&ctx, &back, "flash.photo_missing"));
    };
    let Some(name) = uploads::store(&state.config, "event", bytes).await? else {
        return Ok(redirect_with_flash(&ctx, &back, "flash.photo_invalid"));
    };
    let id = ev.id;
    let old = state
        .db
        .write(move |tx| Ok(store::set_image(tx, id, Some(&name))?))
        .await?;
    uploads::remove(&state.config, old.as_deref());
    Ok(redirect_with_flash(
        &ctx,
        &format!("/e/{}", ev.slug),
        "flash.photo_saved",
    ))
}
