//! Members of an actor: join requests, approval, roles and titles, leaving, handing over,
//! and invitations by email (which create the account on acceptance).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::load;
use super::form::InviteForm;
use super::handlers::require_manage;
use super::store::members::{self, Invitation};
use super::views::{self, InvitationView};
use super::MemberRole;
use crate::auth::{
    self, hash_password, password_problem, plausible_email, random_token, token_hash, Role,
};
use crate::db::now;
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::context::SESSION_COOKIE;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{base_url, client_ip, redirect_with_flash, Ctx};

/// An invitation link is valid this long.
pub const INVITATION_SECS: i64 = 14 * 24 * 3600;

/// GET /a/{slug}/members: the list for members; forms for the actor's admins.
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !(access.member || access.can_manage()) {
        return Err(AppError::Forbidden);
    }
    let id = actor.id;
    let list = state
        .db
        .read(move |c| Ok(members::members_of(c, id)?))
        .await?;
    Ok(views::members(
        &ctx,
        &actor,
        access,
        &list,
        &InviteForm::default(),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /a/{slug}/join: asks to join; the actor's admins are told by mail.
pub async fn join(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    if access.member || access.requested {
        return Ok(redirect_with_flash(
            &ctx,
            &format!("/a/{}", actor.slug),
            "flash.join_requested",
        ));
    }
    let (id, uid) = (actor.id, user.id);
    let admins = state
        .db
        .write(move |tx| {
            members::put_member(tx, id, uid, MemberRole::Member, "", false, now())?;
            Ok(members::admin_addresses(tx, id)?)
        })
        .await?;
    let url = format!("{}/a/{}/members", base_url(&req, &state), actor.slug);
    let inst = &ctx.instance;
    state
        .mailer
        .send_each(
            &inst.smtp,
            &inst.name,
            admins,
            inst.default_lang,
            |lang, to| {
                Mail::new(
                    to,
                    lang.tf("dir.join_subject", &[("actor", &actor.name)]),
                    lang.tf(
                        "dir.join_body",
                        &[("name", &user.name), ("actor", &actor.name), ("url", &url)],
                    ),
                )
            },
        )
        .await;
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        "flash.join_requested",
    ))
}

/// The role form of one member.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
    pub title: String,
}

/// What an admin does to one member.
enum Change {
    Approve,
    Remove,
    Role(MemberRole, String),
}

async fn change(
    ctx: &Ctx,
    state: &AppState,
    slug: String,
    user_id: i64,
    change: Change,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(state, ctx, slug).await?;
    require_manage(&access)?;
    let id = actor.id;
    let outcome = state
        .db
        .write(move |tx| {
            let current = members::membership(tx, id, user_id)?;
            let Some((role, active)) = current else {
                return Ok(None);
            };
            let last_admin =
                active && role == MemberRole::Admin && members::admin_count(tx, id)? <= 1;
            Ok(Some(match change {
                Change::Approve => members::approve(tx, id, user_id)?.then_some("flash.saved"),
                Change::Remove if last_admin => None,
                Change::Remove => {
                    members::remove_member(tx, id, user_id)?.then_some("flash.member_removed")
                }
                Change::Role(MemberRole::Member, _) if last_admin => None,
                Change::Role(r, title) => {
                    members::set_member(tx, id, user_id, r, &title)?.then_some("flash.saved")
                }
            }))
        })
        .await?;
    let back = format!("/a/{}/members", actor.slug);
    match outcome {
        None => Err(AppError::NotFound),
        Some(None) => Ok(redirect_with_flash(ctx, &back, "flash.last_actor_admin")),
        Some(Some(flash)) => Ok(redirect_with_flash(ctx, &back, flash)),
    }
}

/// POST /a/{slug}/members/{user}/approve
pub async fn approve(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, uid) = path.into_inner();
    change(&ctx, &state, slug, uid, Change::Approve).await
}

/// POST /a/{slug}/members/{user}/remove (also declines a request)
pub async fn remove(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, uid) = path.into_inner();
    change(&ctx, &state, slug, uid, Change::Remove).await
}

/// POST /a/{slug}/members/{user}/role: role and free title; making someone admin hands over.
pub async fn set_role(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, uid) = path.into_inner();
    let role = MemberRole::parse(&form.role).ok_or(AppError::NotFound)?;
    let title: String = form.title.trim().chars().take(60).collect();
    change(&ctx, &state, slug, uid, Change::Role(role, title)).await
}

/// POST /a/{slug}/leave: the last admin must hand over first.
pub async fn leave(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, _) = load(&state, &ctx, slug.into_inner()).await?;
    let (id, uid) = (actor.id, user.id);
    let left = state
        .db
        .write(move |tx| {
            let m = members::membership(tx, id, uid)?;
            if m == Some((MemberRole::Admin, true)) && members::admin_count(tx, id)? <= 1 {
                return Ok(false);
            }
            members::remove_member(tx, id, uid)?;
            Ok(true)
        })
        .await?;
    let flash = if left {
        "flash.left"
    } else {
        "flash.last_actor_admin"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        flash,
    ))
}

/// POST /a/{slug}/invite: mails a link that makes the invitee a member (creating their account).
pub async fn invite(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    require_manage(&access)?;
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let email = form.email.trim().to_string();
    errors.check(!plausible_email(&email), "email", "account.email_invalid");
    let role = MemberRole::parse(&form.role);
    errors.check(role.is_none(), "role", "dir.role_invalid");
    if errors.is_empty() && !state.limits.mail_ip.hit(&client_ip(&req)) {
        errors.add("email", "error.too_many");
    }
    if !errors.is_empty() {
        let id = actor.id;
        let list = state
            .db
            .read(move |c| Ok(members::members_of(c, id)?))
            .await?;
        return Ok(views::members(
            &ctx,
            &actor,
            access,
            &list,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let token = random_token();
    let th = token_hash(&token);
    let inv = Invitation {
        actor_id: actor.id,
        email: email.clone(),
        role: role.unwrap_or(MemberRole::Member),
        title: form.title.trim().chars().take(60).collect(),
    };
    let uid = user.id;
    state
        .db
        .write(move |tx| {
            Ok(members::create_invitation(
                tx,
                &th,
                &inv,
                uid,
                now(),
                INVITATION_SECS,
            )?)
        })
        .await?;
    let url = format!("{}/invite/{token}", base_url(&req, &state));
    let lang = ctx.lang;
    let mail = Mail::new(
        email,
        lang.tf(
            "dir.invite_subject",
            &[("actor", &actor.name), ("site", &ctx.instance.name)],
        ),
        lang.tf(
            "dir.invite_body",
            &[
                ("name", &user.name),
                ("actor", &actor.name),
                ("site", &ctx.instance.name),
                ("url", &url),
            ],
        ),
    );
    let flash = match state
        .mailer
        .send(&ctx.instance.smtp, &ctx.instance.name, mail)
        .await
    {
        Ok(_) => "flash.invitation_sent",
        Err(e) => {
            log::error!("invitation not sent: {e}");
            "flash.message_not_sent"
        }
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}/members", actor.slug),
        flash,
    ))
}

async fn invitation_view(
    state: &AppState,
    token: &str,
) -> Result<Option<(Invitation, InvitationView)>, AppError> {
    let th = token_hash(token);
    state
        .db
        .read(move |c| {
            let Some(inv) = members::invitation(c, &th, now())? else {
                return Ok(None);
            };
            let Some((actor_name, actor_slug)) = super::store::actor_name_slug(c, inv.actor_id)?
            else {
                return Ok(None);
            };
            let has_account = auth::store::user_by_email(c, &inv.email)?.is_some();
            let view = InvitationView {
                actor_name,
                actor_slug,
                email: inv.email.clone(),
                has_account,
            };
            Ok(Some((inv, view)))
        })
        .await
}

/// GET /invite/{token}
pub async fn invitation(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match invitation_view(&state, &token).await? {
        Some((_, view)) => Ok(views::invitation(
            &ctx,
            &token,
            &view,
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

/// POST /invite/{token}: accepts. A signed-in user joins as themselves; someone without an
/// account gets one, confirmed by the link itself, and is signed in.
pub async fn accept(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let Some((inv, view)) = invitation_view(&state, &token).await? else {
        return Ok(crate::auth::views::link_invalid(&ctx));
    };
    let signed_in = ctx.user.as_ref().map(|u| u.id);
    // The link was sent to one address: only that person may use it.
    if ctx
        .user
        .as_ref()
        .is_some_and(|u| !u.email.eq_ignore_ascii_case(&inv.email))
    {
        let mut errors = FormErrors::new();
        errors.add("name", "dir.invitation_other_account");
        return Ok(views::invitation(
            &ctx,
            &token,
            &view,
            "",
            &errors,
            StatusCode::FORBIDDEN,
        ));
    }
    if signed_in.is_none() && view.has_account {
        return Ok(crate::web::redirect(&format!(
            "/login?next=/invite/{token}"
        )));
    }
    let mut hash = None;
    if signed_in.is_none() {
        let mut errors = FormErrors::new();
        errors.check(form.name.trim().is_empty(), "name", "account.name_required");
        if let Some(p) = password_problem(&form.password) {
            errors.add("password", p);
        }
        if !errors.is_empty() {
            return Ok(views::invitation(
                &ctx,
                &token,
                &view,
                &form.name,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
        let password = form.password.clone();
        hash = Some(web::block(move || hash_password(&password)).await??);
    }
    let th = token_hash(&token);
    let sid = random_token();
    let sh = token_hash(&sid);
    let (name, lang) = (form.name.trim().to_string(), ctx.lang);
    let new_session = state
        .db
        .write(move |tx| {
            if !members::spend_invitation(tx, &th, now())? {
                return Err(AppError::NotFound);
            }
            let user_id = match (signed_in, hash) {
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
                    let id =
                        auth::store::create_user(tx, &new, now())?.ok_or(AppError::NotFound)?;
                    auth::store::create_session(tx, &sh, id, now())?;
                    id
                }
                (None, None) => return Err(AppError::NotFound),
            };
            // An invitation never lowers a role: an admin invited as a member stays admin.
            let role = match members::membership(tx, inv.actor_id, user_id)? {
                Some((MemberRole::Admin, true)) => MemberRole::Admin,
                _ => inv.role,
            };
            members::put_member(tx, inv.actor_id, user_id, role, &inv.title, true, now())?;
            Ok(signed_in.is_none())
        })
        .await?;
    let mut res = redirect_with_flash(&ctx, &format!("/a/{}", view.actor_slug), "flash.joined");
    if new_session {
        let _ = res.add_cookie(&ctx.cookie(SESSION_COOKIE, sid, None));
    }
    Ok(res)
}
