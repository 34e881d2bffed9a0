//! Invitations to a channel by mail: a moderator types an address; the mail with its link
//! goes through the outbox in the same transaction as the invitation; on acceptance the
//! account is created when there is none (as for a page's invitations: the link confirms the
//! address), the person joins the page for a members' channel, and lands on the channel.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::load;
use super::form::PersonForm;
use super::store::{self, invitations};
use super::views;
use super::Visibility;
use crate::auth::{
    self, hash_password, password_problem, plausible_email, random_token, token_hash, Role,
};
use crate::db::now;
use crate::directory::store::members;
use crate::directory::MemberRole;
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::context::SESSION_COOKIE;
use crate::web::forms::FormErrors;
use crate::web::{client_ip, redirect_with_flash, Ctx, CurrentUser};

/// An invitation link is valid this long.
pub const VALID_SECS: i64 = 14 * 24 * 3600;

/// POST /c/{channel}/invite (the channel's moderators)
pub async fn invite(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(&state, &ctx, slug.into_inner()).await?;
    // An invitation to a members' channel makes the person an active member of the page, so
    // it is the page's admins' to send, as the page's own invitations are.
    if !p.moderate || (ch.visibility == Visibility::Members && !p.manage) {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let email = f.email.trim().to_string();
    let mut e = FormErrors::new();
    e.check(!plausible_email(&email), "email", "account.email_invalid");
    if e.is_empty() && !state.limits.mail_ip.hit(&client_ip(&req)) {
        e.add("email", "error.too_many");
    }
    if !e.is_empty() {
        return Ok(views::invite_refused(&ctx, &ch, &f, &e));
    }
    let token = random_token();
    let th = token_hash(&token);
    let url = format!(
        "{}/channels/invite/{token}",
        crate::web::public_base(&state)
    );
    let lang = ctx.lang;
    let mail = Mail::new(
        email.clone(),
        lang.tf(
            "channels.invite_subject",
            &[("channel", &ch.name), ("site", &ctx.instance.name)],
        ),
        lang.tf(
            "channels.invite_body",
            &[
                ("name", &user.name),
                ("channel", &ch.name),
                ("topic", &ch.topic),
                ("site", &ctx.instance.name),
                ("url", &url),
            ],
        ),
    );
    let (cid, uid) = (ch.id, user.id);
    state
        .db
        .write(move |tx| {
            let at = now();
            invitations::create(tx, &th, cid, &email, uid, at, VALID_SECS)?;
            crate::outbox::enqueue(tx, &mail, at)?;
            Ok(())
        })
        .await?;
    crate::outbox::flush(&state).await;
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}#people-h", ch.url()),
        "flash.channels.invited",
    ))
}

/// An invitation with its channel, and whether its address has an account.
async fn find(
    state: &AppState,
    token: &str,
) -> Result<Option<(invitations::Invitation, super::Channel, bool)>, AppError> {
    let th = token_hash(token);
    state
        .db
        .read(move |c| {
            let Some(inv) = invitations::find(c, &th, now())? else {
                return Ok(None);
            };
            let Some(ch) = store::channel(c, inv.channel_id)? else {
                return Ok(None);
            };
            let has_account = auth::store::user_by_email(c, &inv.email)?.is_some();
            Ok(Some((inv, ch, has_account)))
        })
        .await
}

/// GET /channels/invite/{token}
pub async fn invitation(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match find(&state, &token).await? {
        Some((inv, ch, has)) => Ok(views::invitation(
            &ctx,
            &token,
            &ch,
            &inv.email,
            has,
            "",
            &FormErrors::new(),
            StatusCode::OK,
        )),
        None => Ok(crate::auth::views::link_invalid(&ctx)),
    }
}

/// The acceptance form (name and password only when the invitee has no account yet).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    pub name: String,
    pub password: String,
}

/// POST /channels/invite/{token}: accepts. Someone signed in joins as themselves (only with
/// the invited address); someone without an account gets one, confirmed by the link, and is
/// signed in; someone with an account signs in first.
pub async fn accept(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let Some((inv, ch, has_account)) = find(&state, &token).await? else {
        return Ok(crate::auth::views::link_invalid(&ctx));
    };
    let show = |name: &str, e: &FormErrors, status| {
        views::invitation(&ctx, &token, &ch, &inv.email, has_account, name, e, status)
    };
    if ctx
        .user
        .as_ref()
        .is_some_and(|u| !u.email.eq_ignore_ascii_case(&inv.email))
    {
        let mut e = FormErrors::new();
        e.add("name", "dir.invitation_other_account");
        return Ok(show("", &e, StatusCode::FORBIDDEN));
    }
    let signed_in = ctx.user.as_ref().map(|u| u.id);
    if signed_in.is_none() && has_account {
        return Ok(crate::web::redirect(&format!(
            "/login?next=/channels/invite/{token}"
        )));
    }
    let mut hash = None;
    if signed_in.is_none() {
        let mut e = FormErrors::new();
        e.check(form.name.trim().is_empty(), "name", "account.name_required");
        if let Some(p) = password_problem(&form.password) {
            e.add("password", p);
        }
        if !e.is_empty() {
            return Ok(show(&form.name, &e, StatusCode::UNPROCESSABLE_ENTITY));
        }
        let password = form.password.clone();
        hash = Some(web::block(move || hash_password(&password)).await??);
    }
    let th = token_hash(&token);
    let sid = random_token();
    let sh = token_hash(&sid);
    let (name, lang) = (form.name.trim().to_string(), ctx.lang);
    let page = ch
        .actor
        .as_ref()
        .map(|a| a.id)
        .filter(|_| ch.visibility == Visibility::Members);
    let new_session = state
        .db
        .write(move |tx| {
            let at = now();
            if !invitations::spend(tx, &th, at)? {
                return Err(AppError::NotFound);
            }
            let uid = match (signed_in, hash) {
                (Some(id), _) => id,
                (None, Some(hash)) => {
                    let new = auth::store::NewUser {
                        email: &inv.email,
                        name: &name,
                        password_hash: &hash,
                        role: Role::Member,
                        lang: Some(lang),
                        confirmed: true,
                    };
                    let id = auth::store::create_user(tx, &new, at)?.ok_or(AppError::NotFound)?;
                    auth::store::create_session(tx, &sh, id, at)?;
                    id
                }
                (None, None) => return Err(AppError::NotFound),
            };
            // A members' channel: the invitee joins the page (never lowering a role).
            if let Some(aid) = page {
                if members::membership(tx, aid, uid)?.is_none_or(|(_, active)| !active) {
                    members::put_member(tx, aid, uid, MemberRole::Member, "", true, at)?;
                }
            }
            Ok(signed_in.is_none())
        })
        .await?;
    let mut res = redirect_with_flash(&ctx, &ch.url(), "flash.channels.welcome");
    if new_session {
        let _ = res.add_cookie(&ctx.cookie(SESSION_COOKIE, sid, None));
    }
    Ok(res)
}
