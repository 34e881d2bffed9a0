//! Assets embedded in the binary and served under content-hashed URLs
//! (`/assets/placette.3f2a9c1e.css`), cached for a year since a change changes the URL.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// logical name -> hashed name, computed on first use (a few KB of hashing).
fn hashed_names() -> &'static HashMap<String, String> {
    static NAMES: OnceLock<HashMap<String, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        Assets::iter()
            .filter_map(|name| {
                let file = Assets::get(&name)?;
                let digest = Sha256::digest(&file.data);
                let short: String = crate::auth::hex(&digest[..4]);
                let hashed = match name.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
                    None => format!("{name}.{short}"),
                };
                Some((name.to_string(), hashed))
            })
            .collect()
    })
}

/// The URL of an asset by its logical name (e.g. `placette.css`).
pub fn url(name: &str) -> String {
    match hashed_names().get(name) {
        Some(h) => format!("/assets/{h}"),
        None => format!("/assets/{name}"),
    }
}

/// GET /assets/{file}: the hashed name gets a year of caching, the plain name a short one.
pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let requested = path.into_inner();
    let names = hashed_names();
    let (logical, immutable) = match names.iter().find(|(_, h)| **h == requested) {
        Some((logical, _)) => (logical.clone(), true),
        None => (requested, false),
    };
    let file = Assets::get(&logical).ok_or(AppError::NotFound)?;
    let mime = match logical.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned()))
}
