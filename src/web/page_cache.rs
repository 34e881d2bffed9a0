//! Whole answers for visitors, kept in memory until the next write.
//!
//! A visitor (no session, no API token, no one-shot message) gets the same bytes as every
//! other visitor asking the same address in the same language: nothing in a visitor's page is
//! personal (their forms carry the instance's visitor token, see `context`). So the answer to a
//! visitor's `GET` is kept whole, gzipped once, under the path and query, the language, the
//! site address it was asked on, the `Accept` header and the cookies the visitor holds (the
//! choice of seeing the neighbours...), and served again until a write is committed:
//! the process-wide write generation of [`crate::db::memo`] (30 s at most for a write made by
//! another process, a command-line import).
//!
//! Each kept answer has an `ETag` (a hash of its bytes) and a `Last-Modified`, with
//! `Cache-Control: no-cache` so browsers ask again and get a 304 with no body while nothing
//! changed. Kept: 200 answers that set no cookie, that their handler did not encode or tag
//! itself, not `private` or `no-store`, of at most [`MAX_BODY`]. Below [`MIN_GZIP`] the
//! bytes are kept as they are; above, only their gzip is kept (every browser asks for gzip; a
//! client that does not gets the bytes inflated again).

use std::io::Read;
use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse};
use sha2::{Digest, Sha256};

use super::compress::{accepts_gzip, gzip_bytes};
use super::context::{FLASH_COOKIE, LANG_COOKIE, SESSION_COOKIE};
use super::Ctx;
use crate::db::memo::{self, Memo};

/// The largest answer kept (a département's directory page is ~150 KB before gzip).
pub const MAX_BODY: usize = 512 * 1024;
/// Below this, gzip saves less than a packet: the bytes are kept as they are.
const MIN_GZIP: usize = 860;
/// How many answers are kept (each ~2–20 KB once gzipped).
const CAPACITY: usize = 256;
/// A cookie of earlier releases (a visitor's CSRF base) that no longer changes anything.
const FORMER_VISITOR_COOKIE: &str = "pl_v";

static PAGES: LazyLock<Memo<Page>> = LazyLock::new(|| Memo::new(CAPACITY));

/// A kept answer.
struct Page {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    gzipped: bool,
    etag: HeaderValue,
    modified: SystemTime,
}

/// The middleware, inside `context` (it reads the request's `Ctx`).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(key) = key(&req) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if let Some(page) = PAGES.peek(&key) {
        let res = page.answer(req.headers());
        return Ok(req.into_response(res));
    }
    // Taken before the page is computed: a write committed meanwhile makes it stale at once.
    let generation = memo::generation();
    let res = next.call(req).await?;
    if !keepable(&res) {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = body::to_bytes(body).await.map_err(|e| {
        actix_web::error::ErrorInternalServerError(format!("response body: {}", e.into()))
    })?;
    let page = Arc::new(Page::new(head.headers(), bytes));
    PAGES.put(&key, generation, page.clone());
    let res = page.answer(req.headers());
    Ok(ServiceResponse::new(req, res))
}

/// The key of a visitor's GET, or `None` when the answer may be personal.
fn key(req: &ServiceRequest) -> Option<String> {
    if req.method() != Method::GET || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    let path = req.path();
    if ["/assets/", "/media/", "/tiles/"]
        .iter()
        .any(|p| path.starts_with(p))
        || path == "/healthz"
    {
        return None;
    }
    let (lang, base) = {
        let ext = req.extensions();
        let ctx = ext.get::<Ctx>()?;
        if ctx.user.is_some() || ctx.flash.is_some() || !ctx.instance.setup_done {
            return None;
        }
        (ctx.lang.code(), ctx.base.clone())
    };
    let cookies = req.cookies().ok()?;
    if cookies
        .iter()
        .any(|c| c.name() == SESSION_COOKIE || c.name() == FLASH_COOKIE)
    {
        return None;
    }
    // Every cookie but the language (already in the key) and a former release's visitor id:
    // a module's choice remembered in a cookie (the neighbours') changes its pages.
    let mut ours: Vec<String> = cookies
        .iter()
        .filter(|c| c.name() != LANG_COOKIE && c.name() != FORMER_VISITOR_COOKIE)
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect();
    ours.sort();
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let target = req.uri().path_and_query().map_or(path, |p| p.as_str());
    Some(format!(
        "{lang}\n{base}\n{accept}\n{}\n{target}",
        ours.join(";")
    ))
}

/// Whether an answer may be kept for every visitor.
fn keepable(res: &ServiceResponse<impl MessageBody>) -> bool {
    let headers = res.headers();
    let private = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    res.status() == StatusCode::OK
        && !private
        && !headers.contains_key(header::SET_COOKIE)
        && !headers.contains_key(header::CONTENT_ENCODING)
        && !headers.contains_key(header::ETAG)
        && matches!(res.response().body().size(), BodySize::Sized(n) if n as usize <= MAX_BODY)
}

impl Page {
    fn new(headers: &HeaderMap, bytes: Bytes) -> Page {
        let headers = headers
            .iter()
            .filter(|(name, _)| {
                ![
                    header::CONTENT_LENGTH,
                    header::CONTENT_ENCODING,
                    header::DATE,
                    header::CACHE_CONTROL,
                    header::LAST_MODIFIED,
                ]
                .contains(name)
            })
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        let etag = etag_of(&bytes);
        // HTTP dates have whole seconds: the page is as new as the second it was made in.
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let modified = UNIX_EPOCH + std::time::Duration::from_secs(secs);
        let gzipped = bytes.len() >= MIN_GZIP;
        let body = if gzipped { gzip_bytes(&bytes) } else { bytes };
        Page {
            headers,
            body,
            gzipped,
            etag,
            modified,
        }
    }

    /// The answer to one request: 304 when the client's copy is this one, else the bytes.
    fn answer(&self, req: &HeaderMap) -> HttpResponse {
        let not_modified = self.not_modified_for(req);
        let mut res = if not_modified {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        res.insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::LAST_MODIFIED, HttpDate::from(self.modified)))
            .insert_header((header::CACHE_CONTROL, "no-cache"));
        if self.gzipped {
            res.insert_header((header::VARY, "accept-encoding"));
        }
        if not_modified {
            return res.finish();
        }
        for (name, value) in &self.headers {
            res.append_header((name.clone(), value.clone()));
        }
        if !self.gzipped {
            return res.body(self.body.clone());
        }
        if accepts_gzip(req) {
            res.insert_header((header::CONTENT_ENCODING, "gzip"));
            return res.body(self.body.clone());
        }
        let mut plain = Vec::with_capacity(self.body.len() * 4);
        match flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut plain) {
            Ok(_) => res.body(plain),
            Err(_) => HttpResponse::InternalServerError().finish(),
        }
    }

    /// `If-None-Match` (weak comparison, RFC 9110 13.1.2), else `If-Modified-Since`.
    fn not_modified_for(&self, req: &HeaderMap) -> bool {
        if req.contains_key(header::IF_NONE_MATCH) {
            return none_match_fails(req, &self.etag);
        }
        req.get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<HttpDate>().ok())
            .is_some_and(|since| SystemTime::from(since) >= self.modified)
    }
}

/// A weak entity tag for `bytes` (a hash of them): the same bytes, the same tag.
pub fn etag_of(bytes: &[u8]) -> HeaderValue {
    let hash = Sha256::digest(bytes);
    let tag = format!("W/\"{}\"", crate::auth::hex(&hash[..12]));
    HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("W/\"0\""))
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison), so a 304 answers it.
pub fn none_match_fails(req: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(tags) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = etag.to_str().unwrap_or("");
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    tags.split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(ours))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Page {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("5"));
        Page::new(&h, Bytes::from(body.to_string()))
    }

    #[test]
    fn the_tag_follows_the_bytes_and_a_matching_client_gets_304() {
        let a = page(&"<p>Loto</p>".repeat(200));
        let b = page(&"<p>Loto</p>".repeat(200));
        let c = page(&"<p>Lotos</p>".repeat(200));
        assert_eq!(a.etag, b.etag, "same bytes, same tag");
        assert_ne!(a.etag, c.etag);
        assert!(a.gzipped);
        let mut req = HeaderMap::new();
        req.insert(header::IF_NONE_MATCH, a.etag.clone());
        assert_eq!(a.answer(&req).status(), StatusCode::NOT_MODIFIED);
        req.insert(header::IF_NONE_MATCH, c.etag.clone());
        assert_eq!(a.answer(&req).status(), StatusCode::OK);
        // The strong form of the tag matches too (weak comparison).
        let strong = a
            .etag
            .to_str()
            .unwrap()
            .trim_start_matches("W/")
            .to_string();
        req.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&strong).unwrap(),
        );
        assert_eq!(a.answer(&req).status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn a_client_without_gzip_gets_the_bytes_and_the_length_is_not_kept() {
        let html = "<p>Fête du pain</p>".repeat(100);
        let p = page(&html);
        assert!(p.headers.iter().all(|(n, _)| n != header::CONTENT_LENGTH));
        let res = p.answer(&HeaderMap::new());
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
        let body = actix_web::rt::System::new()
            .block_on(body::to_bytes(res.into_body()))
            .unwrap();
        assert_eq!(body, html.as_bytes());
        let mut gz = HeaderMap::new();
        gz.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        let res = p.answer(&gz);
        assert_eq!(res.headers().get(header::CONTENT_ENCODING).unwrap(), "gzip");
        let small = page("<p>ok</p>");
        assert!(!small.gzipped);
        assert!(small
            .answer(&gz)
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_none());
    }

    #[test]
    fn if_modified_since_is_compared_to_the_second() {
        let p = page("<p>ok</p>");
        let mut req = HeaderMap::new();
        req.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&HttpDate::from(p.modified).to_string()).unwrap(),
        );
        assert_eq!(p.answer(&req).status(), StatusCode::NOT_MODIFIED);
        let before = p.modified - std::time::Duration::from_secs(10);
        req.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&HttpDate::from(before).to_string()).unwrap(),
        );
        assert_eq!(p.answer(&req).status(), StatusCode::OK);
    }
}
