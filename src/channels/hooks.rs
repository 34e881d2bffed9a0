//! A channel's webhooks pages and the incoming endpoint: the moderators set them on
//! /c/{channel}/hooks; `POST /hooks/c/{token}` posts a message into the hook's thread (or a
//! new thread when the JSON has a `title`) as « Intégration : name », through THE posting
//! path. The signature scheme, the form and the OpenAPI part are in `webhook.rs`; the
//! outgoing deliveries in `tasks.rs`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::json;

use super::access::load;
use super::post::{self, NewMessage};
use super::store::{self, hooks};
use super::views::hooks as views;
use super::webhook::{verify, HookForm, MAX_INCOMING};
use super::{MAX_BODY, MAX_TITLE};
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// GET /c/{channel}/hooks: the channel's hooks (its moderators only).
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let none = FormErrors::new();
    render(
        &state,
        &ctx,
        slug.into_inner(),
        &HookForm::default(),
        &none,
        None,
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    f: &HookForm,
    e: &FormErrors,
    new_url: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(state, ctx, slug).await?;
    if !p.moderate {
        return Err(AppError::Forbidden);
    }
    let cid = ch.id;
    let (list, threads) = state
        .db
        .read(move |c| {
            Ok((
                hooks::hooks_of(c, cid)?,
                store::threads(c, cid, false, None, 100)?,
            ))
        })
        .await?;
    let threads: Vec<(i64, String)> = threads.into_iter().map(|t| (t.id, t.title)).collect();
    Ok(views::hooks_page(
        ctx,
        &ch,
        &list,
        &threads,
        f,
        e,
        new_url.as_deref(),
        status,
    ))
}

/// POST /c/{channel}/hooks/out: a new outgoing hook, with its secret.
pub async fn create_outgoing(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<HookForm>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (ch, p) = load(&state, &ctx, slug.clone()).await?;
    if !p.moderate {
        return Err(AppError::Forbidden);
    }
    let mut e = FormErrors::new();
    let name = f.parse_name(&mut e);
    let url = f.url.trim().to_string();
    e.check(
        !crate::net::acceptable_url(&url),
        "url",
        "channels.hooks.url_invalid",
    );
    let Some(name) = name.filter(|_| e.is_empty()) else {
        let s = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &ctx, slug, &f, &e, None, s).await;
    };
    let (cid, uid, secret) = (ch.id, user.id, crate::auth::random_token());
    state
        .db
        .write(move |tx| {
            Ok(hooks::create_outgoing(
                tx,
                cid,
                &name,
                &url,
                &secret,
                uid,
                now(),
            )?)
        })
        .await?;
    let to = format!("{}/hooks", ch.url());
    Ok(redirect_with_flash(
        &ctx,
        &to,
        "flash.channels_hooks.created",
    ))
}

/// POST /c/{channel}/hooks/in: a new incoming hook; its address is shown this once.
pub async fn create_incoming(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<HookForm>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (ch, p) = load(&state, &ctx, slug.clone()).await?;
    if !p.moderate {
        return Err(AppError::Forbidden);
    }
    let mut e = FormErrors::new();
    let name = f.parse_name(&mut e);
    let thread = match f.thread.trim() {
        "" => Ok(None),
        t => t.parse::<i64>().map(Some),
    };
    let cid = ch.id;
    let thread = match thread {
        Ok(Some(t))
            if state
                .db
                .read(move |c| Ok(hooks::thread_in(c, cid, t)?))
                .await? =>
        {
            Some(t)
        }
        Ok(None) => None,
        _ => {
            e.add("thread", "channels.hooks.thread_invalid");
            None
        }
    };
    let Some(name) = name.filter(|_| e.is_empty()) else {
        let s = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &ctx, slug, &f, &e, None, s).await;
    };
    let token = crate::auth::random_token();
    let (hash, uid, secret) = (
        crate::auth::token_hash(&token),
        user.id,
        crate::auth::random_token(),
    );
    state
        .db
        .write(move |tx| {
            Ok(hooks::create_incoming(
                tx,
                cid,
                &name,
                &hash,
                thread,
                &secret,
                uid,
                now(),
            )?)
        })
        .await?;
    let url = format!("{}/hooks/c/{token}", ctx.base);
    let none = FormErrors::new();
    render(
        &state,
        &ctx,
        slug,
        &HookForm::default(),
        &none,
        Some(url),
        StatusCode::OK,
    )
    .await
}

/// POST /c/{channel}/hooks/{id}/delete
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p) = load(&state, &ctx, slug).await?;
    if !p.moderate {
        return Err(AppError::Forbidden);
    }
    let cid = ch.id;
    if !state
        .db
        .write(move |tx| Ok(hooks::delete(tx, cid, id)?))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let to = format!("{}/hooks", ch.url());
    Ok(redirect_with_flash(
        &ctx,
        &to,
        "flash.channels_hooks.deleted",
    ))
}

fn json_error(status: StatusCode, lang: Lang, key: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"error": lang.t(key)}))
}

/// What an incoming hook may send.
#[derive(serde::Deserialize)]
struct Incoming {
    text: Option<String>,
    title: Option<String>,
}

/// POST /hooks/c/{token}: a tool posts into the channel. No session is read and no CSRF
/// token is asked (`web::context` exempts this path): the signature is the credential.
pub async fn incoming(
    ctx: Ctx,
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let lang = ctx.lang;
    let hash = crate::auth::token_hash(&token);
    let Some(hook) = state
        .db
        .read(move |c| Ok(hooks::incoming(c, &hash)?))
        .await?
    else {
        // Like a wrong signature: nothing tells a guessed token from a real one.
        return Ok(json_error(
            StatusCode::UNAUTHORIZED,
            lang,
            "channels.hooks.unknown",
        ));
    };
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                lang,
                "channels.hooks.too_large",
            ));
        };
        if body.len() + chunk.len() > MAX_INCOMING {
            return Ok(json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                lang,
                "channels.hooks.too_large",
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (ts, sig) = (
        header("x-placette-timestamp"),
        header("x-placette-signature"),
    );
    if !verify(&hook.secret, &ts, &sig, &body, now()) {
        return Ok(json_error(
            StatusCode::UNAUTHORIZED,
            lang,
            "channels.hooks.bad_signature",
        ));
    }
    let unprocessable = |key| Ok(json_error(StatusCode::UNPROCESSABLE_ENTITY, lang, key));
    let Ok(msg) = serde_json::from_slice::<Incoming>(&body) else {
        return unprocessable("channels.hooks.bad_json");
    };
    let text = msg.text.unwrap_or_default().trim().to_string();
    let title = msg.title.unwrap_or_default().trim().to_string();
    if text.is_empty() {
        return unprocessable("channels.hooks.text_required");
    }
    if text.chars().count() > MAX_BODY || title.chars().count() > MAX_TITLE {
        return unprocessable("channels.hooks.too_long");
    }
    if title.is_empty() && hook.thread.is_none() {
        return unprocessable("channels.hooks.title_required");
    }
    let default = state.instance().default_lang;
    let label = default.tf("channels.hooks.bot", &[("name", &hook.name)]);
    let (cid, thread) = (hook.channel_id, hook.thread.map(|t| t.0));
    let written = state
        .db
        .write(move |tx| {
            let at = now();
            if !title.is_empty() {
                let (tid, p) = post::thread(tx, default, cid, None, &label, &title, text, at)?;
                return Ok(Some((tid, p.id)));
            }
            let Some(tid) = thread else { return Ok(None) };
            match store::thread(tx, tid)? {
                Some(t) if t.closed_at.is_none() && t.channel_id == cid => {}
                _ => return Ok(None),
            }
            let new = NewMessage {
                thread_id: tid,
                author_id: None,
                author_label: label,
                body: text,
            };
            Ok(Some((tid, post::message(tx, default, new, at)?.id)))
        })
        .await?;
    let Some((tid, id)) = written else {
        return unprocessable("channels.hooks.thread_closed");
    };
    let slug = state
        .db
        .read(move |c| Ok(store::channel(c, cid)?.map(|c| c.slug)))
        .await?
        .unwrap_or_default();
    let url = format!("{}/c/{slug}/t/{tid}?m={id}#m{id}", ctx.base);
    Ok(HttpResponse::Created().json(json!({"id": id, "thread": tid, "url": url})))
}
