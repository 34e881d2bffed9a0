//! The web layer shared by every module: the request context, the layout, form components,
//! embedded assets, error pages, and the home page.

pub mod assets;
pub mod compress;
pub mod context;
pub mod errors;
pub mod extract;
pub mod forms;
pub mod gate;
pub mod headers;
pub mod home;
pub mod layout;
pub mod markdown;
pub mod page_cache;
pub mod picker;

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use maud::Markup;

use crate::auth::User;
use crate::i18n::Lang;
use crate::settings::Instance;

pub use extract::{Admin, CurrentUser};

/// What a page needs to know about the request: language, user, CSRF token, settings.
/// Built once per request by [`context::middleware`].
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    pub instance: Arc<Instance>,
    /// Path and query of the request, for "come back here after login".
    pub path: String,
    /// A one-shot message carried over a redirect (a translation key starting with `flash.`).
    pub flash: Option<String>,
    pub secure_cookies: bool,
    /// The site's public address without a trailing slash (`https://placette.village.fr`),
    /// from [`base_url`]: the base of every absolute link in machine-readable output.
    pub base: String,
}

impl Ctx {
    /// Shorthand for `self.lang.t(key)`.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// A date and time in the user's language and the instance's time zone.
    pub fn datetime(&self, unix: i64) -> String {
        self.lang.datetime(unix, self.instance.time_zone)
    }

    /// `path` (from `/`) as an absolute URL on the public address: THE helper for the `url`
    /// fields of the JSON API and of JSON-LD, which are read away from this site.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A cookie with Placette's defaults: HttpOnly, SameSite=Lax, path /, Secure behind HTTPS.
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age_days: Option<i64>,
    ) -> Cookie<'static> {
        build_cookie(name, value, max_age_days, self.secure_cookies)
    }
}

/// A cookie with Placette's defaults (see [`Ctx::cookie`]).
pub fn build_cookie(
    name: &'static str,
    value: String,
    max_age_days: Option<i64>,
    secure: bool,
) -> Cookie<'static> {
    let mut c = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    if let Some(days) = max_age_days {
        c.set_max_age(CookieDuration::days(days));
    }
    c
}

impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Ctx>()
                .cloned()
                .ok_or_else(|| crate::error::AppError::msg("request context missing").into()),
        )
    }
}

/// How long an upload may stall between two chunks before it is refused.
pub const UPLOAD_IDLE: std::time::Duration = std::time::Duration::from_secs(15);

/// The next item of an upload stream, or `Err(())` when nothing came for [`UPLOAD_IDLE`]. A
/// multipart body cut right after a line break otherwise waits forever for its boundary.
pub async fn next_or_stall<S>(stream: &mut S) -> Result<Option<S::Item>, ()>
where
    S: futures_util::Stream + Unpin,
{
    use futures_util::StreamExt;
    actix_web::rt::time::timeout(UPLOAD_IDLE, stream.next())
        .await
        .map_err(|_| ())
}

/// A complete HTML page with status 200.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> HttpResponse {
    page_with_status(StatusCode::OK, ctx, title, body)
}

/// A complete HTML page with the given status (422 for a form with errors).
pub fn page_with_status(status: StatusCode, ctx: &Ctx, title: &str, body: Markup) -> HttpResponse {
    page_with_feeds(status, ctx, title, &[], body)
}

/// A complete HTML page that announces the feeds it offers in its head (see
/// [`layout::Alternate`]): the one way a page makes its feeds discoverable.
pub fn page_with_feeds(
    status: StatusCode,
    ctx: &Ctx,
    title: &str,
    feeds: &[layout::Alternate],
    body: Markup,
) -> HttpResponse {
    page_described(status, ctx, title, "", feeds, body)
}

/// A complete HTML page whose meta description is `description`'s first line (an actor's
/// summary, an event's or a post's text); the site's description when it is empty.
pub fn page_described(
    status: StatusCode,
    ctx: &Ctx,
    title: &str,
    description: &str,
    feeds: &[layout::Alternate],
    body: Markup,
) -> HttpResponse {
    // A person's pages are never stored by the browser (a shared computer after logout); a
    // visitor's page is the same for every visitor and is kept by `page_cache`, which tags it.
    let cache = if ctx.user.is_none() && status == StatusCode::OK {
        "no-cache"
    } else {
        "no-store"
    };
    let mut res = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, cache))
        .body(layout::layout(ctx, title, description, feeds, body).into_string());
    if ctx.flash.is_some() {
        let mut gone = build_cookie(
            context::FLASH_COOKIE,
            String::new(),
            None,
            ctx.secure_cookies,
        );
        gone.make_removal();
        let _ = res.add_cookie(&gone);
    }
    res
}

/// A 303 redirect (the answer to a successful form post).
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// A 303 redirect that shows a one-shot message on the next page.
pub fn redirect_with_flash(ctx: &Ctx, to: &str, flash_key: &'static str) -> HttpResponse {
    let mut res = redirect(to);
    let _ = res.add_cookie(&ctx.cookie(context::FLASH_COOKIE, flash_key.to_string(), None));
    res
}

/// The error to return when a page needs a signed-in user: a redirect to the login form
/// that comes back here, or 401 for the API.
pub fn login_required(req: &HttpRequest) -> actix_web::Error {
    let res = if req.path().starts_with("/api/") {
        let lang = req.extensions().get::<Ctx>().map_or(Lang::En, |c| c.lang);
        HttpResponse::Unauthorized()
            .json(serde_json::json!({"error": lang.t("error.unauthorized")}))
    } else {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        redirect(&format!("/login?next={}", url_encode(next)))
    };
    actix_web::error::InternalError::from_response("login required", res).into()
}

/// Percent-encodes a string for a query parameter.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A local path to go back to after a form, or `/` when `next` is missing or points elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The client's IP address, for rate limits. The TCP peer, except when the peer is a reverse
/// proxy on this machine (loopback): then the address that proxy appended to X-Forwarded-For.
pub fn client_ip(req: &HttpRequest) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    if peer.is_some_and(|ip| ip.is_loopback()) {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The address the server listens on (`http://127.0.0.1:8080`), set once at start: the last
/// resort for links in mails sent without a request (a demo or a new instance on a laptop).
static LISTEN_ORIGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Called by the server once it is bound.
pub fn set_listen_origin(origin: String) {
    let _ = LISTEN_ORIGIN.set(origin);
}

/// The absolute base URL for links in mails sent by background tasks (no request): the
/// configured one, else the public address recorded at setup, else the listening address.
pub fn public_base(state: &crate::state::AppState) -> String {
    if let Some(u) = &state.config.base_url {
        return u.trim_end_matches('/').to_string();
    }
    let recorded = state.instance().public_url.clone();
    if !recorded.is_empty() {
        return recorded.trim_end_matches('/').to_string();
    }
    LISTEN_ORIGIN
        .get()
        .cloned()
        .unwrap_or_else(|| "http://localhost".into())
}

/// The absolute base URL (no trailing slash) for links in mails, feeds and the API: the
/// configured one, else the public address recorded at setup (admin page), else (only
/// before setup) the address of this request.
pub fn base_url(req: &HttpRequest, state: &crate::state::AppState) -> String {
    if let Some(u) = &state.config.base_url {
        return u.trim_end_matches('/').to_string();
    }
    let recorded = state.instance().public_url.clone();
    if !recorded.is_empty() {
        return recorded.trim_end_matches('/').to_string();
    }
    request_origin(req)
}

/// `scheme://host` of a request as the browser addressed it (the Host header; forwarding
/// headers only from a reverse proxy on this machine).
pub fn request_origin(req: &HttpRequest) -> String {
    let local_proxy = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    if local_proxy {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(
            safe_next(Some("/\t/evil.example")),
            "/",
            "browsers drop tabs: //evil"
        );
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
        assert_eq!(url_encode("/a?b=c d"), "/a%3Fb%3Dc%20d");
    }
}
