//! Logos and photos: uploaded as multipart, size-limited, decoded, resized to fit 800×800 and
//! re-encoded as JPEG (which also drops any metadata such as GPS positions), stored under
//! DATA/uploads/ and served from /media/.

use std::io::Cursor;
use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use image::{ImageReader, Limits};

use super::handlers::{load, require_manage};
use super::store;
use crate::state::AppState;
use crate::auth::CurrentUser;
use crate::config::Config;
use crate::error::AppError;
use crate::web::{redirect_with_flash, Ctx};

/// Largest accepted upload.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;
/// Stored photos fit in this square.
pub const MAX_SIDE: u32 = 800;

fn uploads_dir(config: &Config) -> PathBuf {
    config.data_dir.join("uploads")
}

/// Deletes a stored photo file (missing files are fine).
pub fn remove_file(config: &Config, name: &str) {
    if valid_name(name) {
        let _ = std::fs::remove_file(uploads_dir(config).join(name));
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !name.starts_with('.')
}

/// Why an upload was refused.
pub enum Refusal {
    NotAnImage,
}

/// Decodes, resizes and re-encodes an image; refuses what is not a JPEG, PNG or WebP picture.
pub fn process(bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::NotAnImage)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| Refusal::NotAnImage)?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let mut out = Vec::new();
    img.to_rgb8()
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .map_err(|_| Refusal::NotAnImage)?;
    Ok(out)
}

/// POST /a/{slug}/photo (multipart, CSRF token in the query string).
pub async fn upload(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    require_manage(&access)?;
    let mut data = Vec::new();
    // A broken multipart body (a truncated upload, a wrong boundary) is the client's fault: 400.
    let bad_request = |e: actix_multipart::MultipartError| {
        log::info!("photo upload: bad multipart body: {e}");
        HttpResponse::BadRequest().finish()
    };
    while let Some(field) = crate::web::next_or_stall(&mut payload)
        .await
        .unwrap_or_else(|_| Some(Err(actix_multipart::MultipartError::Incomplete)))
    {
        let mut field = match field {
            Ok(f) => f,
            Err(e) => return Ok(bad_request(e)),
        };
        if field.name() != Some("photo") {
            continue;
        }
        while let Some(chunk) = crate::web::next_or_stall(&mut field)
            .await
            .unwrap_or_else(|_| Some(Err(actix_multipart::MultipartError::Incomplete)))
        {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => return Ok(bad_request(e)),
            };
            if data.len() + chunk.len() > MAX_UPLOAD {
                return Ok(HttpResponse::PayloadTooLarge().finish());
            }
            data.extend_from_slice(&chunk);
        }
    }
    let back = format!("/a/{}/edit", actor.slug);
    if data.is_empty() {
        return Ok(redirect_with_flash(&ctx, &back, "flash.photo_missing"));
    }
    let jpeg = match web::block(move || process(&data)).await? {
        Ok(j) => j,
        Err(Refusal::NotAnImage) => {
            return Ok(redirect_with_flash(&ctx, &back, "flash.photo_invalid"))
        }
    };
    let name = format!("{}-{:08x}.jpg", actor.slug, rand::random::<u32>());
    let dir = uploads_dir(&state.config);
    let path = dir.join(&name);
    web::block(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{}.tmp", rand::random::<u32>()));
        std::fs::write(&tmp, &jpeg)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await??;
    let id = actor.id;
    let stored = name.clone();
    let old = state
        .db
        .write(move |tx| Ok(store::set_photo(tx, id, Some(&stored))?))
        .await?;
    if let Some(old) = old {
        remove_file(&state.config, &old);
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        "flash.photo_saved",
    ))
}

/// GET /media/{name}: a stored photo; names are unique, so it is cached for a year.
pub async fn media(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    if !valid_name(&name) {
        return Err(AppError::NotFound);
    }
    let path = uploads_dir(&state.config).join(&name);
    let bytes = web::block(move || std::fs::read(path))
        .await?
        .map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_pictures_are_resized_and_junk_refused() {
        let img = image::RgbImage::from_pixel(2000, 1000, image::Rgb([200, 30, 30]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let out = process(&png).ok().unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (800, 400));
        assert!(process(b"not a picture").is_err());
    }
}
