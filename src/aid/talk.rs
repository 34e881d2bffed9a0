//! Conversations: "reply" on a post opens a private thread between the replier and the
//! author. Messages are stored, then relayed by mail by the background task (restart-safe),
//! from the site's address, without Reply-To: neither address is ever shown to the other.

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::handlers::visible_post;
use super::store::talk::{self, Conversation};
use super::views::{self, PostPage};
use super::{now, tasks, MAX_MESSAGE};
use crate::auth::ratelimit::RateLimiter;
use crate::auth::User;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// Messages a person may send in an hour (every thread together).
pub const MESSAGES_PER_HOUR: usize = 30;

fn limiter() -> &'static RateLimiter {
    static L: OnceLock<RateLimiter> = OnceLock::new();
    L.get_or_init(|| RateLimiter::new(MESSAGES_PER_HOUR, Duration::from_secs(3600)))
}

/// A message as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MessageForm {
    pub body: String,
}

impl MessageForm {
    /// The message, or the key of what is wrong with it.
    pub fn parse(&self) -> Result<String, &'static str> {
        let body = self.body.trim();
        if body.is_empty() {
            Err("aid.error_message")
        } else if body.chars().count() > MAX_MESSAGE {
            Err("aid.error_message_long")
        } else {
            Ok(body.to_string())
        }
    }
}

/// Why a message cannot be sent now, as a translation key (`None`: it can).
async fn refusal(
    state: &AppState,
    user: &User,
    other: i64,
    closed: bool,
) -> Result<Option<&'static str>, AppError> {
    if closed {
        return Ok(Some("aid.thread_closed"));
    }
    let uid = user.id;
    let blocked = state
        .db
        .read(move |c| Ok(talk::blocked_between(c, uid, other)?))
        .await?;
    if blocked {
        return Ok(Some("aid.blocked"));
    }
    Ok(None)
}

/// POST /aid/{id}/reply: opens (or continues) the user's thread with the post's author.
pub async fn reply(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    if post.author_id == user.id || !post.is_public(now()) {
        return Err(AppError::Forbidden);
    }
    let problem = match form.parse() {
        Err(key) => Some(key),
        Ok(_) => refusal(&state, &user, post.author_id, false).await?,
    };
    let problem =
        problem.or_else(|| (!limiter().hit(&user.id.to_string())).then_some("aid.too_many"));
    if let Some(key) = problem {
        let status = if key == "aid.too_many" {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = PostPage {
            post: &post,
            matches: &[],
            conversation: None,
            reply: Some((&form.body, key)),
            originals: &[],
        };
        return Ok(views::post_page(&ctx, &page, status));
    }
    let body = form.parse().unwrap_or_default();
    let (pid, uid) = (post.id, user.id);
    let cid = state
        .db
        .write(move |tx| {
            let t = now();
            let cid = talk::open_conversation(tx, pid, uid, t)?;
            talk::add_message(tx, cid, uid, &body, t)?;
            Ok(cid)
        })
        .await?;
    tasks::wake();
    Ok(redirect_with_flash(
        &ctx,
        &format!("/aid/conversations/{cid}"),
        "flash.aid.sent",
    ))
}

/// GET /aid/conversations: the user's threads.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let threads = state
        .db
        .read(move |c| Ok(talk::conversations_of(c, uid)?))
        .await?;
    Ok(views::talk::list(&ctx, &threads, uid))
}

/// A thread the user is in, or 404 (a stranger learns nothing, not even that it exists).
async fn own_thread(state: &AppState, user: &User, id: i64) -> Result<Conversation, AppError> {
    let uid = user.id;
    state
        .db
        .read(move |c| Ok(talk::conversation_by_id(c, id)?))
        .await?
        .filter(|t| t.involves(uid))
        .ok_or(AppError::NotFound)
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    thread: &Conversation,
    typed: Option<(&str, &'static str)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let cid = thread.id;
    let messages = state
        .db
        .read(move |c| Ok(talk::messages_of(c, cid)?))
        .await?;
    let (other, _) = thread.other(user.id);
    let refused = refusal(state, user, other, thread.closed).await?;
    let page = views::talk::ThreadPage {
        thread,
        messages: &messages,
        me: user.id,
        refused,
        typed,
    };
    Ok(views::talk::thread(ctx, &page, status))
}

/// GET /aid/conversations/{id}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let thread = own_thread(&state, &user, id.into_inner()).await?;
    render(&state, &ctx, &user, &thread, None, StatusCode::OK).await
}

/// POST /aid/conversations/{id}: a new message in the thread.
pub async fn send(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let thread = own_thread(&state, &user, id.into_inner()).await?;
    let (other, _) = thread.other(user.id);
    let problem = match form.parse() {
        Err(key) => Some(key),
        Ok(_) => refusal(&state, &user, other, thread.closed).await?,
    };
    let problem =
        problem.or_else(|| (!limiter().hit(&user.id.to_string())).then_some("aid.too_many"));
    if let Some(key) = problem {
        let status = if key == "aid.too_many" {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return render(
            &state,
            &ctx,
            &user,
            &thread,
            Some((&form.body, key)),
            status,
        )
        .await;
    }
    let body = form.parse().unwrap_or_default();
    let (cid, uid) = (thread.id, user.id);
    state
        .db
        .write(move |tx| Ok(talk::add_message(tx, cid, uid, &body, now())?))
        .await?;
    tasks::wake();
    Ok(redirect_with_flash(&ctx, &thread.url(), "flash.aid.sent"))
}

/// POST /aid/conversations/{id}/close: the post's author ends the thread.
pub async fn close(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let thread = own_thread(&state, &user, id.into_inner()).await?;
    if thread.author_id != user.id {
        return Err(AppError::Forbidden);
    }
    let cid = thread.id;
    state
        .db
        .write(move |tx| Ok(talk::close_conversation(tx, cid, now())?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &thread.url(),
        "flash.aid.thread_closed",
    ))
}

/// POST /aid/conversations/{id}/block: the other person can no longer write to the user
/// (in this thread or any other).
pub async fn block(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let thread = own_thread(&state, &user, id.into_inner()).await?;
    let (other, _) = thread.other(user.id);
    let uid = user.id;
    state
        .db
        .write(move |tx| Ok(talk::block(tx, uid, other, now())?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &thread.url(),
        "flash.aid.blocked",
    ))
}
