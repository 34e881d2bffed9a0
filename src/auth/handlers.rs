//! Sign-up, email confirmation, login, logout.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::form::{EmailForm, LoginForm, NextQuery, SignupForm};
use super::views::{self, LoginNotice};
use super::{
    hash_password, random_token, store, token_hash, verify_password, Role, User, CONFIRM_TOKEN_SECS,
};
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::context::{LANG_COOKIE, SESSION_COOKIE};
use crate::web::forms::FormErrors;
use crate::web::{base_url, client_ip, redirect, redirect_with_flash, safe_next, Ctx};

/// GET /signup
pub async fn signup_form(ctx: Ctx) -> HttpResponse {
    if ctx.user.is_some() {
        return redirect("/");
    }
    views::signup(
        &ctx,
        &SignupForm::default(),
        &FormErrors::new(),
        StatusCode::OK,
    )
}

/// POST /signup: creates the account and mails a confirmation link. An address already in use
/// gets a mail saying so, and the page says the same thing in both cases (no enumeration).
pub async fn signup_submit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let errors = form.validate();
    if !errors.is_empty() {
        return Ok(views::signup(
            &ctx,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    if !state.limits.mail_ip.hit(&client_ip(&req)) {
        let mut e = FormErrors::new();
        e.add("email", "error.too_many");
        return Ok(views::signup(
            &ctx,
            &form,
            &e,
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let password = form.password.clone();
    let hash = web::block(move || hash_password(&password)).await??;
    let (email, name, lang) = (
        form.email.trim().to_string(),
        form.name.trim().to_string(),
        ctx.lang,
    );
    let token = random_token();
    let th = token_hash(&token);
    let e2 = email.clone();
    let created = state
        .db
        .write(move |tx| {
            let new = store::NewUser {
                email: &e2,
                name: &name,
                password_hash: &hash,
                role: Role::Member,
                lang: Some(lang),
                confirmed: false,
            };
            let id = store::create_user(tx, &new, now())?;
            if let Some(id) = id {
                store::create_email_token(tx, &th, id, "confirm", now(), CONFIRM_TOKEN_SECS)?;
            }
            Ok(id)
        })
        .await?;
    let base = base_url(&req, &state);
    let mail = match created {
        Some(_) => confirm_mail(&ctx, ctx.lang, &email, &format!("{base}/confirm/{token}")),
        None => Mail {
            to: email.clone(),
            subject: ctx
                .lang
                .tf("mail.exists_subject", &[("site", &ctx.instance.name)]),
            text: ctx.lang.tf(
                "mail.exists_body",
                &[
                    ("site", &ctx.instance.name),
                    ("url", &format!("{base}/password/forgot")),
                ],
            ),
            reply_to: None,
        },
    };
    let sent = send(&state, &ctx, mail).await;
    Ok(views::check_inbox(&ctx, &email, sent))
}

fn confirm_mail(ctx: &Ctx, lang: Lang, to: &str, url: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: lang.tf("mail.confirm_subject", &[("site", &ctx.instance.name)]),
        text: lang.tf(
            "mail.confirm_body",
            &[("site", &ctx.instance.name), ("url", url)],
        ),
        reply_to: None,
    }
}

/// Sends a mail; a failure is logged and reported to the page rather than failing the request,
/// since the account was saved and the mail can be sent again.
pub(super) async fn send(state: &AppState, ctx: &Ctx, mail: Mail) -> bool {
    match state
        .mailer
        .send(&ctx.instance.smtp, &ctx.instance.name, mail)
        .await
    {
        Ok(_) => true,
        Err(e) => {
            log::error!("mail not sent: {e}");
            false
        }
    }
}

/// GET /confirm/{token}: confirms the address from the link in the mail.
pub async fn confirm(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let th = token_hash(&token);
    let user = state
        .db
        .write(move |tx| {
            let id = store::take_email_token(tx, &th, "confirm", now())?;
            if let Some(id) = id {
                store::confirm_email(tx, id, now())?;
            }
            Ok(id)
        })
        .await?;
    Ok(match user {
        Some(_) => redirect_with_flash(&ctx, "/login", "flash.email_confirmed"),
        None => views::link_invalid(&ctx),
    })
}

/// POST /confirm/resend: mails a new confirmation link if the address awaits confirmation.
pub async fn resend_confirmation(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.email.trim().to_string();
    if !state.limits.mail_ip.hit(&client_ip(&req)) {
        return Ok(HttpResponse::TooManyRequests().finish());
    }
    let token = random_token();
    let th = token_hash(&token);
    let e2 = email.clone();
    let target = state
        .db
        .write(move |tx| {
            Ok(match store::user_by_email(tx, &e2)? {
                Some((u, _)) if !u.email_confirmed => {
                    store::create_email_token(tx, &th, u.id, "confirm", now(), CONFIRM_TOKEN_SECS)?;
                    Some(u)
                }
                _ => None,
            })
        })
        .await?;
    let mut sent = true;
    if let Some(u) = target {
        let url = format!("{}/confirm/{token}", base_url(&req, &state));
        sent = send(
            &state,
            &ctx,
            confirm_mail(&ctx, u.lang.unwrap_or(ctx.lang), &u.email, &url),
        )
        .await;
    }
    Ok(views::check_inbox(&ctx, &email, sent))
}

/// GET /login
pub async fn login_form(ctx: Ctx, q: web::Query<NextQuery>) -> HttpResponse {
    views::login(&ctx, "", &q.next, LoginNotice::None, StatusCode::OK)
}

/// POST /login: checks the password (rate-limited per IP and per account), starts a new session.
pub async fn login_submit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let ip = client_ip(&req);
    let limits = &state.limits;
    if let Some(wait) = limits
        .login_account
        .blocked(&email)
        .or_else(|| limits.login_ip.blocked(&ip))
    {
        let minutes = wait.div_ceil(60);
        return Ok(views::login(
            &ctx,
            &form.email,
            &form.next,
            LoginNotice::TooMany(minutes),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    limits.login_ip.record(&ip);
    let e2 = email.clone();
    let found = state
        .db
        .read(move |c| Ok(store::user_by_email(c, &e2)?))
        .await?;
    let password = form.password.clone();
    let user: Option<User> = web::block(move || match found {
        Some((u, hash)) => verify_password(&password, &hash).then_some(u),
        None => {
            verify_password(&password, super::dummy_hash());
            None
        }
    })
    .await?;
    let Some(user) = user else {
        limits.login_account.record(&email);
        return Ok(views::login(
            &ctx,
            &form.email,
            &form.next,
            LoginNotice::Wrong,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    if !user.email_confirmed {
        return Ok(views::login(
            &ctx,
            &form.email,
            &form.next,
            LoginNotice::Unconfirmed,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    limits.login_account.clear(&email);
    let sid = random_token();
    let sh = token_hash(&sid);
    let uid = user.id;
    state
        .db
        .write(move |tx| Ok(store::create_session(tx, &sh, uid, now())?))
        .await?;
    let mut res = redirect_with_flash(&ctx, &safe_next(Some(&form.next)), "flash.welcome");
    let _ = res.add_cookie(&ctx.cookie(SESSION_COOKIE, sid, None));
    if let Some(lang) = user.lang {
        let _ = res.add_cookie(&ctx.cookie(LANG_COOKIE, lang.code().to_string(), Some(365)));
    }
    Ok(res)
}

/// POST /logout: ends the session.
pub async fn logout(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Some(c) = req.cookie(SESSION_COOKIE) {
        let sh = token_hash(c.value());
        state
            .db
            .write(move |tx| Ok(store::delete_session(tx, &sh)?))
            .await?;
    }
    let mut res = redirect_with_flash(&ctx, "/", "flash.logged_out");
    let mut gone = ctx.cookie(SESSION_COOKIE, String::new(), None);
    gone.make_removal();
    let _ = res.add_cookie(&gone);
    Ok(res)
}
