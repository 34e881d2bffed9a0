//! The post form's body: urlencoded (no image) or multipart (with an image, the CSRF token in
//! the query string); the image is re-encoded by `directory::photo::process` and stored under
//! DATA/uploads/ with an unguessable name (a members-only post's image is not listed anywhere).

use std::collections::HashMap;
use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::web::{self, BytesMut};
use actix_web::{HttpRequest, HttpResponse};

use crate::config::Config;
use crate::directory::photo::{self, Refusal, MAX_UPLOAD};
use crate::error::AppError;
use crate::web::context::FORM_LIMIT;
use crate::web::next_or_stall;

/// The name of the file input.
pub const IMAGE_FIELD: &str = "image";

/// A post form as received.
#[derive(Default)]
pub struct Submitted {
    pub fields: HashMap<String, String>,
    /// The bytes of the chosen file; `None` when no file was chosen.
    pub image: Option<Vec<u8>>,
    /// The chosen file was over [`MAX_UPLOAD`]: it was read and dropped, the other fields kept,
    /// so the form comes back (413) with what was typed and a message on the file field.
    pub too_big: bool,
}

/// Beyond this many bytes of file the body is not read further (a bare 413).
const DRAIN_LIMIT: usize = 8 * MAX_UPLOAD;

fn refuse(status: actix_web::http::StatusCode) -> HttpResponse {
    HttpResponse::build(status).finish()
}

/// Reads the body; `Err(response)` for a body that is too large (413) or broken (400).
pub async fn read(req: &HttpRequest, mut payload: web::Payload) -> Result<Submitted, HttpResponse> {
    use actix_web::http::StatusCode;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("multipart/form-data") {
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
    while let Some(field) = next_or_stall(&mut multipart)
        .await
        .unwrap_or_else(|_| stalled())
    {
        let mut field = field.map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
        let name = field.name().unwrap_or_default().to_string();
        let is_image = name == IMAGE_FIELD;
        let limit = if is_image { MAX_UPLOAD } else { FORM_LIMIT };
        let mut data = Vec::new();
        let mut dropped = 0;
        while let Some(chunk) = next_or_stall(&mut field)
            .await
            .unwrap_or_else(|_| stalled())
        {
            let chunk = chunk.map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
            if is_image && (dropped > 0 || data.len() + chunk.len() > limit) {
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
        if is_image && dropped > 0 {
            out.too_big = true;
            out.image = None;
        } else if is_image {
            // An empty file input still sends a part, without bytes.
            out.image = (!data.is_empty()).then_some(data);
        } else {
            let text = String::from_utf8(data).map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}

/// A stalled upload reads as a truncated one.
fn stalled<T>() -> Option<Result<T, actix_multipart::MultipartError>> {
    Some(Err(actix_multipart::MultipartError::Incomplete))
}

fn uploads_dir(config: &Config) -> PathBuf {
    config.data_dir.join("uploads")
}

/// Re-encodes and stores an image; returns its file name, or `None` when it is not a picture.
pub async fn store_image(config: &Config, bytes: Vec<u8>) -> Result<Option<String>, AppError> {
    let jpeg = match web::block(move || photo::process(&bytes)).await? {
        Ok(j) => j,
        Err(Refusal::NotAnImage) => return Ok(None),
    };
    let name = format!("news-{}.jpg", &crate::auth::random_token()[..32]);
    let dir = uploads_dir(config);
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

/// Deletes a stored image (after the commit that stopped using it).
pub fn remove_image(config: &Config, name: Option<&str>) {
    if let Some(n) = name {
        photo::remove_file(config, n);
    }
}
