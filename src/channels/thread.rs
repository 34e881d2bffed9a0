//! A thread's pages: reading by keyed pages, replying (through [`super::post::message`]),
//! the newer messages for the polling script, following, editing and deleting a message.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::access;
use super::form::{MessageForm, PageQuery, TextForm};
use super::post::{self, NewMessage};
use super::store::{self, conduct, At};
use super::views::{self, ThreadPage};
use super::{Channel, Powers, Thread, PAGE};
use crate::db::now;
use crate::error::AppError;
use crate::personal_data::masking::{self, Masking, FLASH};
use crate::personal_data::store as kept;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

fn at_of(q: &PageQuery) -> At {
    if let Ok(m) = q.m.parse::<i64>() {
        return At::After(m.saturating_sub(1));
    }
    if let Ok(k) = q.after.parse() {
        return At::After(k);
    }
    if let Ok(k) = q.before.parse() {
        return At::Before(k);
    }
    if q.at == "end" {
        return At::End;
    }
    At::Start
}

/// Renders a thread's page at a page of messages (with a reply being re-shown).
#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    ch: &Channel,
    powers: Powers,
    t: &Thread,
    at: At,
    form: &MessageForm,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (tid, all) = (t.id, powers.moderate);
    let user = ctx.user.clone();
    let uid = user.as_ref().map(|u| u.id);
    let (messages, older, newer, following, pending, originals) = state
        .db
        .read(move |c| {
            let messages = store::messages(c, tid, all, at, PAGE)?;
            let (older, newer) = match (messages.first(), messages.last()) {
                (Some(f), Some(l)) => (
                    store::has_message(c, tid, all, true, f.id)?,
                    store::has_message(c, tid, all, false, l.id)?,
                ),
                _ => (false, false),
            };
            let following = match uid {
                Some(u) => store::following(c, tid, u)?,
                None => None,
            };
            let mut originals = Vec::new();
            for m in messages
                .iter()
                .filter(|m| masking::may_see(user.as_ref(), m.author_id))
            {
                originals.extend(kept::originals(c, "channel_message", m.id)?);
            }
            Ok((
                messages,
                older,
                newer,
                following,
                conduct::pending(c, uid)?,
                originals,
            ))
        })
        .await?;
    // A follower shown newer messages than before: remembered for "my village" (a write only
    // when something new was shown).
    if let (Some(u), Some(seen), Some(last)) = (uid, following, messages.last().map(|m| m.id)) {
        if last > seen {
            state
                .db
                .write(move |tx| Ok(store::mark_seen(tx, tid, u, last)?))
                .await?;
        }
    }
    let page = ThreadPage {
        ch,
        t,
        powers,
        messages: &messages,
        older,
        newer,
        following: following.is_some(),
        form,
        errors,
        conduct: pending.as_ref(),
        originals: &originals,
    };
    Ok(views::thread(ctx, &page, status))
}

/// GET /c/{channel}/t/{thread}: the first page, or the page asked (`?after=`, `?before=`,
/// `?at=end`, `?m=` a message's).
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p, t) = access::thread(&state, &ctx, slug, id).await?;
    let none = FormErrors::new();
    render(
        &state,
        &ctx,
        &ch,
        p,
        &t,
        at_of(&q),
        &MessageForm::default(),
        &none,
        StatusCode::OK,
    )
    .await
}

/// POST /c/{channel}/t/{thread}: a reply, while the thread is open.
pub async fn reply(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    f: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, p, t) = access::thread(&state, &ctx, slug, id).await?;
    if !p.post {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let parsed = f.parse(false, &mut e);
    if t.closed_at.is_some() {
        e.add("body", "channels.thread_closed");
    }
    let Some((_, body)) = parsed.filter(|_| t.closed_at.is_none()) else {
        return render(&state, &ctx, &ch, p, &t, At::End, &f, &e, unprocessable).await;
    };
    let (uid, lang, accepting) = (user.id, ctx.instance.default_lang, f.accepted_version());
    let written = state
        .db
        .write(move |tx| {
            let at = now();
            if !conduct::pass(tx, uid, accepting, at)? {
                return Ok(None);
            }
            let new = NewMessage {
                thread_id: id,
                author_id: Some(uid),
                author_label: String::new(),
                body,
            };
            Ok(Some(post::message(tx, lang, new, at)?))
        })
        .await?;
    let Some(posted) = written else {
        e.add("accept_conduct", "channels.conduct_required");
        return render(&state, &ctx, &ch, p, &t, At::End, &f, &e, unprocessable).await;
    };
    let flash = if posted.masked {
        FLASH
    } else {
        "flash.channels.sent"
    };
    let to = format!("{}/t/{id}?at=end#m{}", ch.url(), posted.id);
    Ok(redirect_with_flash(&ctx, &to, flash))
}

/// GET /c/{channel}/t/{thread}/since/{id}: the messages after `id` (a page at most), as list
/// items for the polling script; empty when there are none.
pub async fn since(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id, last) = path.into_inner();
    let (ch, p, t) = access::thread(&state, &ctx, slug, id).await?;
    let (tid, all) = (t.id, p.moderate);
    let messages = state
        .db
        .read(move |c| Ok(store::messages(c, tid, all, At::After(last), PAGE)?))
        .await?;
    Ok(views::fragment(&ctx, &ch, p, &messages))
}

/// POST /c/{channel}/t/{thread}/follow
pub async fn follow(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    set_follow(ctx, state, user, path, true).await
}

/// POST /c/{channel}/t/{thread}/unfollow
pub async fn unfollow(
    ctx: Ctx,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    set_follow(ctx, state, user, path, false).await
}

async fn set_follow(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    on: bool,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, _, t) = access::thread(&state, &ctx, slug, id).await?;
    let (tid, uid, last) = (t.id, user.id, t.last_message_id.unwrap_or(0));
    state
        .db
        .write(move |tx| {
            if on {
                store::follow(tx, tid, uid, now())?;
                store::mark_seen(tx, tid, uid, last)?;
            } else {
                store::unfollow(tx, tid, uid)?;
            }
            Ok(())
        })
        .await?;
    let flash = if on {
        "flash.channels.following"
    } else {
        "flash.channels.unfollowed"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}/t/{tid}", ch.url()),
        flash,
    ))
}

/// A message of a channel, and whether the viewer may change it (its author, the moderators).
async fn changeable(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    id: i64,
) -> Result<(Channel, super::Message), AppError> {
    let (ch, p) = access::load(state, ctx, slug).await?;
    let cid = ch.id;
    let m = state
        .db
        .read(move |c| {
            let m = store::message(c, id)?.ok_or(AppError::NotFound)?;
            let t = store::thread(c, m.thread_id)?.ok_or(AppError::NotFound)?;
            if t.channel_id != cid {
                return Err(AppError::NotFound);
            }
            Ok(m)
        })
        .await?;
    if (m.hidden && !p.moderate) || !p.read {
        return Err(AppError::NotFound);
    }
    if !p.may_change(ctx.user.as_ref(), m.author_id) {
        return Err(AppError::Forbidden);
    }
    Ok((ch, m))
}

/// GET /c/{channel}/m/{id}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, m) = changeable(&state, &ctx, slug, id).await?;
    let original = state
        .db
        .read(move |c| Ok(kept::originals(c, "channel_message", id)?))
        .await?
        .into_iter()
        .find(|o| o.field == "body")
        .filter(|_| masking::may_see(ctx.user.as_ref(), m.author_id))
        .map(|o| o.original);
    let f = TextForm {
        body: masking::prefill(&m.body, original),
    };
    Ok(views::edit_message(
        &ctx,
        &ch,
        &m,
        &f,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /c/{channel}/m/{id}/edit
pub async fn edit(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    f: web::Form<TextForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, m) = changeable(&state, &ctx, slug, id).await?;
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let Some(mut body) = f.parse(&mut e) else {
        return Ok(views::edit_message(
            &ctx,
            &ch,
            &m,
            &f,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let mut mask = Masking::new(ctx.instance.default_lang);
    mask.field("body", &mut body);
    let flash = mask.flash("flash.channels.saved");
    let (author, by) = (m.author_id, user.id);
    state
        .db
        .write(move |tx| {
            let at = now();
            store::edit_message(tx, id, &body, at)?;
            mask.keep(tx, "channel_message", id, author.or(Some(by)), at)?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}/t/{}?m={id}#m{id}", ch.url(), m.thread_id),
        flash,
    ))
}

/// POST /c/{channel}/m/{id}/delete
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (ch, m) = changeable(&state, &ctx, slug, id).await?;
    let tid = m.thread_id;
    let thread_left = state
        .db
        .write(move |tx| {
            store::delete_message(tx, id)?;
            Ok(store::thread(tx, tid)?.is_some())
        })
        .await?;
    let to = if thread_left {
        format!("{}/t/{tid}", ch.url())
    } else {
        ch.url()
    };
    Ok(redirect_with_flash(&ctx, &to, "flash.channels.deleted"))
}
