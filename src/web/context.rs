//! The per-request middleware: who is asking (session cookie or API token), in which language,
//! with which CSRF token; the first-run gate; and the CSRF check of every unsafe request.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut, Data};
use actix_web::{Error, HttpMessage, HttpResponse};
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{build_cookie, redirect, Ctx};
use crate::auth::{self, store, token_hash, User};
use crate::db;
use crate::i18n::Lang;
use crate::state::AppState;

/// Largest urlencoded form body accepted (larger gets 413).
pub const FORM_LIMIT: usize = 256 * 1024;
/// The session cookie: a random id whose SHA-256 is the key of `sessions`.
pub const SESSION_COOKIE: &str = "pl_session";
/// The language a visitor picked in the footer.
pub const LANG_COOKIE: &str = "pl_lang";
/// A one-shot message key carried over a redirect.
pub const FLASH_COOKIE: &str = "pl_flash";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// A session's `last_seen_at` is written at most this often.
const TOUCH_EVERY_SECS: i64 = 300;

/// The path and query of the Referer when it is a page of this site (same Host).
fn same_site_referer(req: &ServiceRequest) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let rest = referer.split_once("://")?.1;
    let (authority, path) = rest.split_at(rest.find('/')?);
    (authority == host && path.starts_with('/') && !path.starts_with("//"))
        .then(|| path.split('#').next().unwrap_or("/").to_string())
}

/// Marker left in the request extensions when a CSRF check failed, for the error page.
#[derive(Clone, Copy)]
pub struct CsrfRejected;

/// The middleware; see the module documentation.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req
        .app_data::<Data<AppState>>()
        .cloned()
        .expect("AppState is registered");
    let instance = state.instance();
    let secure = state.config.secure_cookies;

    // Assets, photos and the health check need no session, no cookie, no database.
    let light = req.path().starts_with("/assets/")
        || req.path().starts_with("/media/")
        || req.path().starts_with("/tiles/")
        || req.path() == "/healthz";
    if light && matches!(*req.method(), Method::GET | Method::HEAD) {
        let ctx = Ctx {
            lang: request_lang(&req, None, instance.default_lang),
            user: None,
            csrf: String::new(),
            instance: instance.clone(),
            path: req.path().to_string(),
            flash: None,
            secure_cookies: secure,
            base: super::base_url(req.request(), &state),
        };
        req.extensions_mut().insert(ctx);
        return Ok(next.call(req).await?.map_into_boxed_body());
    }

    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let session_cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());

    let (user, session_valid) = match (&bearer, &session_cookie) {
        (Some(token), _) => match api_user(&state, token).await? {
            Some(u) => (Some(u), false),
            None => {
                let res = HttpResponse::Unauthorized()
                    .json(serde_json::json!({"error": request_lang(&req, None, instance.default_lang).t("error.invalid_token")}));
                return Ok(req.into_response(res));
            }
        },
        (None, Some(sid)) => match session_user(&state, sid).await? {
            Some(u) => (Some(u), true),
            None => (None, false),
        },
        (None, None) => (None, false),
    };

    // A session's token is bound to the session. Visitors share one token, so that a visitor's
    // page is the same for all and can be served whole from memory (`page_cache`): it only
    // marks a form of this site, and what refuses a forged visitor request is the browser's
    // Origin and Sec-Fetch-Site (ARCHITECTURE.md, "Invariants").
    let csrf = match (&session_cookie, session_valid) {
        (Some(sid), true) => csrf_token(&instance.secret, "s", sid),
        _ => csrf_token(&instance.secret, "v", "visitors"),
    };

    let lang = request_lang(
        &req,
        user.as_ref().and_then(|u| u.lang),
        instance.default_lang,
    );
    let flash = req
        .cookie(FLASH_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|k| k.starts_with("flash.") && Lang::has(k));

    let ctx = Ctx {
        lang,
        user: user.clone(),
        csrf: csrf.clone(),
        instance: instance.clone(),
        // After a POST (a form sent back with errors), "here" is the page the form was on: the
        // language picker and "log in" must not lead to a GET of a POST-only URL.
        path: if matches!(*req.method(), Method::GET | Method::HEAD) {
            req.uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into())
        } else {
            same_site_referer(&req).unwrap_or_else(|| "/".into())
        },
        flash,
        secure_cookies: secure,
        base: super::base_url(req.request(), &state),
    };
    req.extensions_mut().insert(ctx.clone());
    if let Some(u) = user {
        req.extensions_mut().insert(u);
    }

    let path = req.path();
    let setup_free = path == "/setup"
        || path == "/healthz"
        || path.starts_with("/assets/")
        || path.starts_with("/api/");
    // Only uploads (multipart) may be larger than a form, whatever the route does with its body.
    let too_large = is_unsafe(req.method())
        && !content_type_is(&req, "multipart/form-data")
        && req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > FORM_LIMIT);
    let early = if !instance.setup_done && !setup_free {
        Some(redirect("/setup"))
    } else if too_large {
        Some(HttpResponse::PayloadTooLarge().finish())
    } else if is_unsafe(req.method())
        && bearer.is_none()
        && !(path.starts_with("/api/") && !session_valid)
        // ActivityPub inboxes: peers prove who they are by an HTTP Signature, checked by the
        // handler; no session is read there, so a cookie carries no authority.
        && !(req.method() == Method::POST && path.starts_with("/ap/") && path.ends_with("/inbox"))
        // A channel's incoming webhook: the tool's HMAC signature of the body, checked by the
        // handler (401 otherwise), is the credential; no session is read there.
        && !(req.method() == Method::POST
            && path
                .strip_prefix("/hooks/c/")
                .is_some_and(|t| !t.is_empty() && !t.contains('/')))
        // RFC 8058 one-click unsubscribe: the mail provider POSTs with no session and no
        // token; the subscriber's token in the path authorises it (a wrong one gets 403).
        // Exactly `/lists/u/{token}` (list slugs never take the reserved `u`).
        && !(req.method() == Method::POST
            && path
                .strip_prefix("/lists/u/")
                .is_some_and(|t| !t.is_empty() && !t.contains('/')))
        // The same one-click unsubscribe for the channels' notification mails: exactly
        // `/channels/u/{token}`, the person's HMAC token (a wrong one gets 403).
        && !(req.method() == Method::POST
            && path
                .strip_prefix("/channels/u/")
                .is_some_and(|t| !t.is_empty() && !t.contains('/')))
    {
        // An API call without a session carries no ambient credential: it is refused with 401
        // by the handler, not as a forged form.
        check_csrf(&mut req, &csrf, !session_valid).await?
    } else {
        None
    };
    // A suspended person posts nothing, anywhere (forms and API alike), but keeps their
    // account: they may still log out, change the language, download or delete their data.
    let early = early.or_else(|| {
        let (until, reason) = ctx.user.as_ref()?.suspension(db::now())?;
        let path = req.path();
        let free = path.starts_with("/account") || path == "/logout" || path == "/lang";
        (is_unsafe(req.method()) && !free).then(|| suspended_page(&ctx, until, reason))
    });

    let mut res = match early {
        Some(r) => req.into_response(r),
        None => next.call(req).await?.map_into_boxed_body(),
    };
    if session_cookie.is_some() && !session_valid && bearer.is_none() {
        let mut gone = build_cookie(SESSION_COOKIE, String::new(), None, secure);
        gone.make_removal();
        // A handler that just logged in set a fresh cookie: keep it.
        if !res.response().cookies().any(|c| c.name() == SESSION_COOKIE) {
            let _ = res.response_mut().add_cookie(&gone);
        }
    }
    Ok(res)
}

/// The answer to a suspended person's POST: 403, why and until when.
pub fn suspended_page(ctx: &Ctx, until: i64, reason: &str) -> HttpResponse {
    let title = ctx.t("moderation.suspended_title");
    super::page_with_status(
        StatusCode::FORBIDDEN,
        ctx,
        title,
        maud::html! {
            h1 { (title) }
            p role="alert" { (suspension_text(ctx, until, reason)) }
            p { a href="/account" { (ctx.t("account.title")) } }
        },
    )
}

/// « Votre compte est suspendu (jusqu'au …) : … Motif : … »
pub fn suspension_text(ctx: &Ctx, until: i64, reason: &str) -> String {
    let when = if until == i64::MAX {
        ctx.t("moderation.for_good").to_string()
    } else {
        ctx.lang.tf(
            "moderation.suspended_until",
            &[("until", &ctx.datetime(until))],
        )
    };
    let reason = if reason.is_empty() { "—" } else { reason };
    ctx.lang.tf(
        "moderation.suspended_banner",
        &[("until", &when), ("reason", reason)],
    )
}

/// The page language: the account's, else the picker's cookie, else Accept-Language, else the
/// instance default.
fn request_lang(req: &ServiceRequest, account: Option<Lang>, default: Lang) -> Lang {
    account
        .or_else(|| {
            req.cookie(LANG_COOKIE)
                .and_then(|c| Lang::from_code(c.value()))
        })
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or(default)
}

fn content_type_is(req: &ServiceRequest, prefix: &str) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(prefix))
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The CSRF token bound to a session (or to a visitor before login).
pub fn csrf_token(secret: &[u8], kind: &str, id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(kind.as_bytes());
    mac.update(b":");
    mac.update(id.as_bytes());
    auth::hex(&mac.finalize().into_bytes())
}

/// Checks the Origin header and the token of an unsafe request; `Some(response)` refuses it.
/// The token comes from the `X-CSRF-Token` header, the `_csrf` query parameter, the `_csrf`
/// field of an urlencoded body (read here and put back), or the `_csrf` field of a multipart
/// body (only its first few kilobytes are read here, then the whole body is handed on), so
/// that a form never needs the token in its address, where a re-rendered page would show it.
///
/// The browser's own word comes first: `Sec-Fetch-Site` other than `same-origin` (or `none`,
/// typed by the user), or an `Origin` of another site, is refused whatever the token. For a
/// visitor (no session), whose token is the same for all visitors and so no secret, that is the
/// protection: an `Origin: null` (a sandboxed frame) is refused too unless `Sec-Fetch-Site`
/// says the form is ours. A client that sends neither header is not a browser a page can
/// drive (every browser since 2020 sends one of them), and without a session it can do nothing
/// a stranger could not do on their own.
async fn check_csrf(
    req: &mut ServiceRequest,
    expected: &str,
    visitor: bool,
) -> Result<Option<HttpResponse>, Error> {
    let fetch_site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    if fetch_site
        .as_deref()
        .is_some_and(|s| s != "same-origin" && s != "none")
    {
        return Ok(Some(reject_csrf(req)));
    }
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    {
        let host = req.connection_info().host().to_string();
        let origin_host = origin.split("://").nth(1).unwrap_or(origin);
        let null_allowed = !visitor || fetch_site.is_some();
        if (origin == "null" && !null_allowed) || (origin != "null" && origin_host != host) {
            return Ok(Some(reject_csrf(req)));
        }
    }
    let mut given = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| field(req.query_string().as_bytes(), CSRF_FIELD));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if given.is_none() && is_form {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            body.extend_from_slice(&chunk?);
            if body.len() > FORM_LIMIT {
                return Ok(Some(HttpResponse::PayloadTooLarge().finish()));
            }
        }
        let body: Bytes = body.freeze();
        given = field(&body, CSRF_FIELD);
        req.set_payload(body.into());
    } else if given.is_none() && content_type_is(req, "multipart/form-data") {
        let boundary = multipart_boundary(req);
        let mut payload = req.take_payload();
        let mut head = BytesMut::new();
        while head.len() < MULTIPART_HEAD {
            match payload.next().await {
                Some(chunk) => head.extend_from_slice(&chunk?),
                None => break,
            }
        }
        let head: Bytes = head.freeze();
        given = boundary.and_then(|b| multipart_field(&head, &b, CSRF_FIELD));
        let whole = futures_util::stream::once(async move { Ok(head) }).chain(payload);
        req.set_payload(actix_web::dev::Payload::Stream {
            payload: Box::pin(whole),
        });
    }
    match given {
        Some(t) if constant_time_eq(t.as_bytes(), expected.as_bytes()) => Ok(None),
        _ => Ok(Some(reject_csrf(req))),
    }
}

fn reject_csrf(req: &ServiceRequest) -> HttpResponse {
    req.extensions_mut().insert(CsrfRejected);
    HttpResponse::build(StatusCode::FORBIDDEN).finish()
}

/// The value of one field of an urlencoded string.
fn field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// How much of a multipart body is read to find its `_csrf` field (forms put it first).
const MULTIPART_HEAD: usize = 8 * 1024;

/// The boundary of a multipart body, from its Content-Type.
fn multipart_boundary(req: &ServiceRequest) -> Option<String> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let b = ct
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    (!b.is_empty()).then(|| b.to_string())
}

/// The value of a text field among the complete parts at the start of a multipart body.
fn multipart_field(head: &[u8], boundary: &str, name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let mut parts: Vec<&str> = text.split(delimiter.as_str()).collect();
    parts.pop(); // the last piece may be cut, or is the closing `--`
    parts.into_iter().skip(1).find_map(|part| {
        let part = part.strip_prefix("\r\n")?;
        let (headers, value) = part.split_once("\r\n\r\n")?;
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let is_it = disposition.split(';').any(|p| p.trim() == wanted)
            && !disposition.contains("filename=");
        is_it.then(|| value.strip_suffix("\r\n").unwrap_or(value).to_string())
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn session_user(state: &AppState, sid: &str) -> Result<Option<User>, Error> {
    let hash = token_hash(sid);
    let now = db::now();
    let h = hash.clone();
    let found = state
        .db
        .read(move |c| Ok(store::session_user(c, &h, now)?))
        .await?;
    Ok(match found {
        Some((user, last_seen)) => {
            if now - last_seen > TOUCH_EVERY_SECS {
                state
                    .db
                    .write(move |tx| Ok(store::touch_session(tx, &hash, now)?))
                    .await?;
            }
            Some(user)
        }
        None => None,
    })
}

async fn api_user(state: &AppState, token: &str) -> Result<Option<User>, Error> {
    let hash = token_hash(token);
    let now = db::now();
    let h = hash.clone();
    let found = state
        .db
        .read(move |c| Ok(store::user_by_api_token(c, &h)?))
        .await?;
    Ok(match found {
        Some((user, last_used)) => {
            if last_used.is_none_or(|t| now - t > 60) {
                state
                    .db
                    .write(move |tx| Ok(store::touch_api_token(tx, &hash, now)?))
                    .await?;
            }
            Some(user)
        }
        None => None,
    })
}
