//! Linking two neighbours, on both sides. The admin of A types B's address: A records B as
//! `asked` with a fresh random token and sends B the request (`POST /api/v1/neighbours`, A's
//! address and the token). B checks that the request really comes from A by asking A back
//! (`GET /api/v1/neighbours/link` with the token in the `Placette-Neighbour` header: only A
//! knows it), reads what A says of itself, and records A as `pending`. When B's admin
//! accepts, B becomes `linked` and tells A (`POST /api/v1/neighbours/notify`, the token); A
//! asks B back in the same way and becomes `linked`; each side then pulls the other's feed,
//! with the token in the same header. A declined request stays `declined` on B (the same
//! request is not made again); a removed link is forgotten, the other side told, and its
//! items leave on both sides. A notice lost (a Pi switched off) is made up by the task: an
//! `asked` side sends its request again with each round, and a feed pulled with a token the
//! other side no longer links answers 403, after which the link is checked and forgotten.
//! Two admins who ask each other at the same time are linked at once, both keeping the
//! smaller of the two tokens.

use std::io::Read;
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::store::{self, Described};
use super::{sync, Neighbour};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

/// The header that carries a link's token.
pub const HEADER: &str = "Placette-Neighbour";
/// Requests waiting for the admin at most (more are refused until some are answered).
const MAX_PENDING: i64 = 50;

/// What a call to the other side came to.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// 2xx, with its JSON body.
    Ok(Value),
    /// The other side does not know this link (404) or refuses it (403).
    Unknown,
    /// It could not be asked (network, 5xx...): try later.
    Failed(String),
}

fn call(method: &str, url: &str, token: &str, body: Option<&Value>) -> Answer {
    if !crate::net::acceptable_url(url) {
        return Answer::Failed(format!("not an http(s) address: {url}"));
    }
    let agent = crate::net::agent(
        concat!("Placette/", env!("CARGO_PKG_VERSION"), " (neighbours)"),
        Duration::from_secs(10),
    );
    let req = agent
        .request(method, url)
        .set("Accept", "application/json")
        .set(HEADER, token);
    let sent = match body {
        Some(b) => req
            .set("Content-Type", "application/json")
            .send_string(&b.to_string()),
        None => req.call(),
    };
    match sent {
        Ok(resp) => {
            let mut bytes = Vec::new();
            let _ = resp.into_reader().take(64 * 1024).read_to_end(&mut bytes);
            Answer::Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        }
        Err(ureq::Error::Status(403 | 404 | 410, _)) => Answer::Unknown,
        Err(ureq::Error::Status(code, _)) => Answer::Failed(format!("HTTP {code}")),
        Err(e) => Answer::Failed(e.kind().to_string()),
    }
}

/// Asks `peer` for a link (blocking): its answer's state (`pending`, `linked`, `declined`).
fn ask(peer: &str, ours: &str, token: &str) -> Answer {
    let body = json!({"url": ours, "token": token});
    call(
        "POST",
        &format!("{peer}/api/v1/neighbours"),
        token,
        Some(&body),
    )
}

/// What `peer` says of the link with this token (blocking).
fn state_there(peer: &str, token: &str) -> Answer {
    call(
        "GET",
        &format!("{peer}/api/v1/neighbours/link"),
        token,
        None,
    )
}

/// Tells `peer` to look at the link again (blocking; a lost notice is made up later).
fn notify(peer: &str, token: &str) {
    if let Answer::Failed(e) = call(
        "POST",
        &format!("{peer}/api/v1/neighbours/notify"),
        token,
        Some(&json!({})),
    ) {
        log::info!("neighbour {peer}: notice not delivered ({e})");
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    web::block(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The admin asks `peer` (already described) for a link, or accepts its request if it made
/// one. Returns the state on this side.
pub async fn ask_for(
    state: &AppState,
    ours: String,
    peer: (String, String, Option<(f64, f64)>, Option<f64>),
    by: i64,
) -> Result<String, AppError> {
    let (url, name, center, radius_km) = peer;
    let u = url.clone();
    let known = state.db.read(move |c| Ok(store::by_url(c, &u)?)).await?;
    if let Some(n) = known.filter(|n| n.state == "pending") {
        accept(state, n.id).await?;
        return Ok("linked".into());
    }
    let token = crate::auth::random_token();
    let (u, t) = (url.clone(), token.clone());
    let id = state
        .db
        .write(move |tx| {
            let d = Described {
                url: &u,
                name: &name,
                center,
                radius_km,
            };
            Ok(store::put(tx, &d, "asked", &t, Some(by), now())?)
        })
        .await?;
    after_asking(state, id, &url, &ours, &token).await
}

/// Sends (again) an `asked` link's request and records the answer.
async fn after_asking(
    state: &AppState,
    id: i64,
    url: &str,
    ours: &str,
    token: &str,
) -> Result<String, AppError> {
    let (u, o, t) = (url.to_string(), ours.to_string(), token.to_string());
    let answer = blocking(move || ask(&u, &o, &t)).await?;
    let t = now();
    let (there, kept) = match answer {
        Answer::Ok(v) => (
            v["state"].as_str().unwrap_or_default().to_string(),
            v["token"].as_str().map(str::to_string),
        ),
        Answer::Unknown => ("declined".to_string(), None),
        Answer::Failed(e) => {
            state
                .db
                .write(move |tx| Ok(store::failed(tx, id, &e, t)?))
                .await?;
            return Ok("asked".into());
        }
    };
    match there.as_str() {
        "linked" => {
            // They had asked us too: both keep the smaller token, which they say.
            let token = kept
                .filter(|k| k.as_str() <= token && k.len() == token.len())
                .unwrap_or_else(|| token.to_string());
            state
                .db
                .write(move |tx| Ok(store::set_state(tx, id, "linked", &token)?))
                .await?;
            sync::pull(state, id).await?;
            Ok("linked".into())
        }
        "declined" => {
            state.db.write(move |tx| Ok(store::remove(tx, id)?)).await?;
            Ok("declined".into())
        }
        _ => {
            // Waiting for their admin: asked again at the next round, not before.
            state
                .db
                .write(move |tx| Ok(store::tried(tx, id, t)?))
                .await?;
            Ok("asked".into())
        }
    }
}

/// The admin accepts a request (or takes back a declined one): linked, the other side told,
/// its feed pulled.
pub async fn accept(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(n) = state.db.read(move |c| Ok(store::get(c, id)?)).await? else {
        return Ok(());
    };
    let token = n.token.clone();
    state
        .db
        .write(move |tx| Ok(store::set_state(tx, id, "linked", &token)?))
        .await?;
    let (url, token) = (n.url.clone(), n.token.clone());
    blocking(move || notify(&url, &token)).await?;
    sync::pull(state, id).await
}

/// The admin declines a request: kept as declined, its items gone, the other side told.
pub async fn decline(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(n) = state.db.read(move |c| Ok(store::get(c, id)?)).await? else {
        return Ok(());
    };
    let token = n.token.clone();
    state
        .db
        .write(move |tx| Ok(store::set_state(tx, id, "declined", &token)?))
        .await?;
    blocking(move || notify(&n.url, &n.token)).await
}

/// The admin removes a neighbour (or withdraws a request): forgotten with its items, the
/// other side told (it forgets us and our items too).
pub async fn remove(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(n) = state.db.read(move |c| Ok(store::get(c, id)?)).await? else {
        return Ok(());
    };
    state.db.write(move |tx| Ok(store::remove(tx, id)?)).await?;
    if !n.token.is_empty() {
        blocking(move || notify(&n.url, &n.token)).await?;
    }
    Ok(())
}

/// Looks at a link again by asking the other side: linked there → linked here (and pulled);
/// unknown or declined there → forgotten here. Nothing changes when it cannot be asked.
/// Returns whether it has just become linked (its feed is then to be pulled).
pub async fn recheck(state: &AppState, n: Neighbour) -> Result<bool, AppError> {
    let (url, token) = (n.url.clone(), n.token.clone());
    let answer = blocking(move || state_there(&url, &token)).await?;
    let id = n.id;
    match answer {
        Answer::Ok(v) if v["state"] == "linked" => {
            if n.state == "asked" || n.state == "linked" {
                let token = n.token.clone();
                state
                    .db
                    .write(move |tx| Ok(store::set_state(tx, id, "linked", &token)?))
                    .await?;
                return Ok(n.state == "asked");
            }
        }
        Answer::Ok(v) if v["state"] != "declined" => {}
        Answer::Ok(_) | Answer::Unknown => {
            if n.state != "declined" {
                log::info!("neighbour {}: the link ended on its side", n.url);
                state.db.write(move |tx| Ok(store::remove(tx, id)?)).await?;
            }
        }
        Answer::Failed(e) => log::info!("neighbour {}: {e}", n.url),
    }
    Ok(false)
}

/// One round of the task for an `asked` link: the request sent again.
pub async fn ask_again(state: &AppState, n: &Neighbour, ours: &str) -> Result<(), AppError> {
    after_asking(state, n.id, &n.url, ours, &n.token)
        .await
        .map(|_| ())
}

// --- What the other side calls --------------------------------------------------------------

fn token_of(req: &HttpRequest) -> String {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|t| (32..=128).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_default()
        .to_string()
}

fn refused(status: actix_web::http::StatusCode, why: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"error": why}))
}

/// GET /api/v1/neighbours/link (token in the header): this side's state of that link.
pub async fn link(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let token = token_of(&req);
    let n = state
        .db
        .read(move |c| Ok(store::by_token(c, &token)?))
        .await?;
    Ok(match n {
        Some(n) => HttpResponse::Ok().json(json!({"state": n.state})),
        None => refused(actix_web::http::StatusCode::NOT_FOUND, "no such link"),
    })
}

#[derive(Deserialize)]
pub struct Request {
    url: String,
    token: String,
}

/// POST /api/v1/neighbours: another instance asks for a link. Checked by asking it back.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Request>,
) -> Result<HttpResponse, AppError> {
    use actix_web::http::StatusCode;
    let Request { url, token } = body.into_inner();
    let Some(url) = super::admin::base_of(&url).filter(|u| *u == url.trim_end_matches('/')) else {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "url is the instance's base address",
        ));
    };
    if token_of(&req) != token || token.is_empty() {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "the token goes in the body and the header",
        ));
    }
    let u = url.clone();
    let (known, pending) = state
        .db
        .read(move |c| Ok((store::by_url(c, &u)?, store::pending_count(c)?)))
        .await?;
    if let Some(n) = &known {
        if n.state == "declined" && n.token == token {
            return Ok(HttpResponse::Ok().json(json!({"state": "declined"})));
        }
        if n.token == token {
            return Ok(HttpResponse::Ok().json(json!({"state": n.state})));
        }
    }
    if known.is_none() && pending >= MAX_PENDING {
        return Ok(refused(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests wait for an answer",
        ));
    }
    // Only the instance at that address knows the token: ask it back, and what it is.
    let (u, t) = (url.clone(), token.clone());
    let checked = blocking(move || match state_there(&u, &t) {
        Answer::Ok(v) if v["state"] == "asked" || v["state"] == "linked" => {
            sync::describe(&u).map_err(|e| e.to_string())
        }
        Answer::Failed(e) => Err(e),
        _ => Err("it does not know this token".into()),
    })
    .await?;
    let (name, center, radius_km) = match checked {
        Ok(d) => d,
        Err(e) => {
            return Ok(refused(
                StatusCode::FORBIDDEN,
                &format!("not confirmed: {e}"),
            ))
        }
    };
    let (new_state, kept): (&'static str, String) = match &known {
        // We had asked them too: linked at once, both keep the smaller token.
        Some(n) if n.state == "asked" || n.state == "linked" => {
            ("linked", n.token.clone().min(token.clone()))
        }
        _ => ("pending", token.clone()),
    };
    let (u, k) = (url.clone(), kept.clone());
    let id = state
        .db
        .write(move |tx| {
            let d = Described {
                url: &u,
                name: &name,
                center,
                radius_km,
            };
            Ok(store::put(tx, &d, new_state, &k, None, now())?)
        })
        .await?;
    if new_state == "linked" {
        let s = state.clone();
        actix_web::rt::spawn(async move {
            if let Err(e) = sync::pull(&s, id).await {
                log::error!("neighbours: {e}");
            }
        });
    }
    Ok(HttpResponse::Ok().json(json!({"state": new_state, "token": kept})))
}

/// POST /api/v1/neighbours/notify (token in the header): the other side changed the link;
/// it is looked at again (asking the other side back) before the answer.
pub async fn notified(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let token = token_of(&req);
    let Some(n) = state
        .db
        .read(move |c| Ok(store::by_token(c, &token)?))
        .await?
    else {
        return Ok(refused(
            actix_web::http::StatusCode::NOT_FOUND,
            "no such link",
        ));
    };
    // Checked before answering, so that the other side's next step (its pull) finds this side
    // up to date; the pull of its feed is left to the background.
    let id = n.id;
    if recheck(&state, n).await? {
        let s = state.clone();
        actix_web::rt::spawn(async move {
            if let Err(e) = sync::pull(&s, id).await {
                log::error!("neighbours: {e}");
            }
        });
    }
    Ok(HttpResponse::Accepted().json(json!({})))
}
