//! The image of an event: uploaded as multipart, decoded, resized and re-encoded by the
//! directory's photo code (no metadata, no polyglot files), stored under DATA/uploads/ and
//! served from /media/ like the directory's photos.

use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};

use super::handlers::load;
use super::store;
use crate::state::AppState;
use crate::auth::CurrentUser;
use crate::directory::photo::{process, remove_file, Refusal, MAX_UPLOAD};
use crate::error::AppError;
use crate::web::{next_or_stall, redirect_with_flash, Ctx};

/// The bytes of the `image` field, or the answer that refuses the upload.
async fn read_image(mut payload: Multipart) -> Result<Vec<u8>, Box<HttpResponse>> {
    let mut data = Vec::new();
    let bad = |e: actix_multipart::MultipartError| {
        log::info!("event image: bad multipart body: {e}");
        Box::new(HttpResponse::BadRequest().finish())
    };
    let stalled = || Some(Err(actix_multipart::MultipartError::Incomplete));
    while let Some(field) = next_or_stall(&mut payload)
        .await
        .unwrap_or_else(|_| stalled())
    {
        let mut field = field.map_err(bad)?;
        if field.name() != Some("image") {
            continue;
        }
        while let Some(chunk) = next_or_stall(&mut field)
            .await
            .unwrap_or_else(|_| Some(Err(actix_multipart::MultipartError::Incomplete)))
        {
            let chunk = chunk.map_err(bad)?;
            if data.len() + chunk.len() > MAX_UPLOAD {
                return Err(Box::new(HttpResponse::PayloadTooLarge().finish()));
            }
            data.extend_from_slice(&chunk);
        }
    }
    Ok(data)
}

/// POST /e/{slug}/image (multipart, CSRF token in the query string).
pub async fn upload(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.manage {
        return Err(AppError::Forbidden);
    }
    let data = match read_image(payload).await {
        Ok(d) => d,
        Err(refused) => return Ok(*refused),
    };
    let back = format!("/e/{}/edit", ev.slug);
    if data.is_empty() {
        return Ok(redirect_with_flash(&ctx, &back, "flash.photo_missing"));
    }
    let jpeg = match web::block(move || process(&data)).await? {
        Ok(j) => j,
        Err(Refusal::NotAnImage) => {
            return Ok(redirect_with_flash(&ctx, &back, "flash.photo_invalid"))
        }
    };
    let name = format!("event-{}-{:08x}.jpg", ev.id, rand::random::<u32>());
    let dir = state.config.data_dir.join("uploads");
    let path = dir.join(&name);
    web::block(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{}.tmp", rand::random::<u32>()));
        std::fs::write(&tmp, &jpeg)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await??;
    let (id, stored) = (ev.id, name.clone());
    let old = state
        .db
        .write(move |tx| Ok(store::set_image(tx, id, Some(&stored))?))
        .await?;
    if let Some(old) = old {
        remove_file(&state.config, &old);
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("/e/{}", ev.slug),
        "flash.photo_saved",
    ))
}
