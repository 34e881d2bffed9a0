//! Assets embedded in the binary and served under content-hashed URLs
//! (`/assets/placette.3f2a9c1e.css`), cached for a year since a change changes the URL.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use flate2::write::GzEncoder;
use flate2::Compression;
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
/// Text assets are gzipped once (best compression) and served as such to the clients that
/// accept gzip, with a length: no compression work per request.
pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
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
    let mut res = HttpResponse::Ok();
    res.content_type(mime)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "accept-encoding"));
    let textual = mime.starts_with("text/") || mime.contains("svg") || mime.contains("json");
    if textual && accepts_gzip(&req) {
        let body = gzipped(&logical, &file.data);
        return Ok(res
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(body));
    }
    Ok(res.body(file.data.into_owned()))
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    super::compress::accepts_gzip(req.headers())
}

/// The gzip form of an asset, computed on its first request.
fn gzipped(name: &str, data: &[u8]) -> Bytes {
    static CACHE: OnceLock<Mutex<HashMap<String, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(b) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return b.clone();
    }
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let body = match enc.write_all(data).and_then(|_| enc.finish()) {
        Ok(v) => Bytes::from(v),
        Err(_) => return Bytes::copy_from_slice(data),
    };
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_string(), body.clone());
    body
}
