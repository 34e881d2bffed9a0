//! THE upload mechanism, for every module's pictures (an actor's logo, an event's image, a
//! news post's or an aid post's photo): one reader of form bodies (urlencoded, or multipart
//! with one file field), one processing (decoded, resized to fit 800×800, re-encoded as JPEG,
//! which drops metadata such as GPS positions and any polyglot content), one store (an
//! unguessable name in one folder, DATA/uploads/, written atomically), one removal, and the
//! `/media/` route that serves them.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::web::{self, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use image::{ImageReader, Limits};

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::context::FORM_LIMIT;
use crate::web::next_or_stall;

/// Largest accepted file.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;
/// Stored pictures fit in this square.
pub const MAX_SIDE: u32 = 800;
/// Beyond this many bytes of file the body is not read further (a bare 413).
const DRAIN_LIMIT: usize = 8 * MAX_UPLOAD;

/// A form as received.
#[derive(Default)]
pub struct Submitted {
    pub fields: HashMap<String, String>,
    /// The bytes of the chosen file; `None` when no file was chosen.
    pub file: Option<Vec<u8>>,
    /// The chosen file was over [`MAX_UPLOAD`]: it was read and dropped, the other fields kept,
    /// so that a form can come back (413) with what was typed and a message on the file field.
    pub too_big: bool,
}

fn refuse(status: StatusCode) -> HttpResponse {
    HttpResponse::build(status).finish()
}

/// A stalled upload reads as a truncated one.
fn stalled<T>() -> Option<Result<T, actix_multipart::MultipartError>> {
    Some(Err(actix_multipart::MultipartError::Incomplete))
}

/// Whether the body is multipart (a file can only come that way).
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Reads a form body, urlencoded or multipart, whose file (if any) is the field `file_field`;
/// `Err(response)` for a body that is broken (400) or far too large (413).
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    file_field: &str,
) -> Result<Submitted, HttpResponse> {
    if !is_multipart(req) {
        let mut body = BytesMut::new();
        while let Some(chunk) = next_or_stall(&mut payload)
            .await
            .map_err(|_| refuse(StatusCode::BAD_REQUEST))?
        {
            let chunk = chunk.map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
            if body.len() + chunk.len() > FORM_LIMIT {
                return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE));
            }
            body.extend_from_slice(&chunk);
        }
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
        return Ok(Submitted {
            fields: pairs.into_iter().collect(),
            ..Submitted::default()
        });
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut out = Submitted::default();
    // The text fields together weigh no more than a form.
    let mut text_bytes = 0;
    while let Some(field) = next_or_stall(&mut multipart)
        .await
        .unwrap_or_else(|_| stalled())
    {
        let mut field = field.map_err(|e| {
            log::info!("upload: bad multipart body: {e}");
            refuse(StatusCode::BAD_REQUEST)
        })?;
        let name = field.name().unwrap_or_default().to_string();
        let is_file = name == file_field;
        let limit = if is_file { MAX_UPLOAD } else { FORM_LIMIT };
        let mut data = Vec::new();
        let mut dropped = 0;
        while let Some(chunk) = next_or_stall(&mut field)
            .await
            .unwrap_or_else(|_| stalled())
        {
            let chunk = chunk.map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
            if is_file && (dropped > 0 || data.len() + chunk.len() > limit) {
                // A phone's photo over the limit: read on (to reach the other fields), keep
                // nothing of it; a body far over it is refused outright.
                dropped += data.len() + chunk.len();
                data.clear();
                if dropped > DRAIN_LIMIT {
                    return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE));
                }
                continue;
            }
            if data.len() + chunk.len() > limit {
                return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE));
            }
            data.extend_from_slice(&chunk);
        }
        if is_file && dropped > 0 {
            out.too_big = true;
            out.file = None;
        } else if is_file {
            // An empty file input still sends a part, without bytes.
            out.file = (!data.is_empty()).then_some(data);
        } else {
            text_bytes += data.len();
            if text_bytes > FORM_LIMIT {
                return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE));
            }
            let text = String::from_utf8(data).map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}

/// What is not a JPEG, PNG or WebP picture.
#[derive(Debug)]
pub struct NotAnImage;

/// Decodes, resizes and re-encodes a picture as JPEG.
pub fn process(bytes: &[u8]) -> Result<Vec<u8>, NotAnImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| NotAnImage)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| NotAnImage)?;
    let img = if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let mut out = Vec::new();
    img.to_rgb8()
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .map_err(|_| NotAnImage)?;
    Ok(out)
}

/// The one folder of uploaded files.
fn dir(config: &Config) -> PathBuf {
    config.data_dir.join("uploads")
}

/// Whether `name` can be a stored file's name (no path, no hidden file).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !name.starts_with('.')
}

/// Processes and stores a picture under an unguessable name starting with `prefix` (the
/// module); returns the name, or `None` when the bytes are not a picture.
pub async fn store(
    config: &Config,
    prefix: &'static str,
    bytes: Vec<u8>,
) -> Result<Option<String>, AppError> {
    let jpeg = match web::block(move || process(&bytes)).await? {
        Ok(j) => j,
        Err(NotAnImage) => return Ok(None),
    };
    let name = format!(
        "{prefix}-{:016x}{:016x}.jpg",
        rand::random::<u64>(),
        rand::random::<u64>()
    );
    let dir = dir(config);
    let path = dir.join(&name);
    web::block(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{}.tmp", rand::random::<u32>()));
        std::fs::write(&tmp, &jpeg)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await??;
    Ok(Some(name))
}

/// Deletes a stored file after the commit that stopped using it (a missing file is fine).
pub fn remove(config: &Config, name: Option<&str>) {
    if let Some(name) = name.filter(|n| valid_name(n)) {
        let _ = std::fs::remove_file(dir(config).join(name));
    }
}

/// GET /media/{name}: a stored picture; names are unique, so it is cached for a year.
pub async fn media(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    if !valid_name(&name) {
        return Err(AppError::NotFound);
    }
    let path = dir(&state.config).join(&name);
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
        let out = process(&png).unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (800, 400));
        assert!(process(b"not a picture").is_err());
    }

    #[test]
    fn only_plain_names_are_served_or_removed() {
        assert!(valid_name("news-0123abcd.jpg"));
        for bad in ["", "../etc/passwd", ".hidden", "a/b.jpg", "a b.jpg"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
