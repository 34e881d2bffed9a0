//! Sign-up, email confirmation, login, logout, password reset, account settings, API tokens.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::{self, AccountPage, LoginNotice};
use super::{
    hash_password, password_problem, plausible_email, random_token, store, token_hash,
    verify_password, CurrentUser, Role, User, CONFIRM_TOKEN_SECS, RESET_TOKEN_SECS,
};
use crate::app::AppState;
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::web::context::{LANG_COOKIE, SESSION_COOKIE};
use crate::web::forms::FormErrors;
use crate::web::{base_url, client_ip, redirect, redirect_with_flash, safe_next, Ctx};

/// The sign-up form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SignupForm {
    pub name: String,
    pub email: String,
    pub password: String,
}

impl SignupForm {
    fn validate(&self) -> FormErrors {
        let mut e = FormErrors::new();
        let name = self.name.trim();
        e.check(name.is_empty(), "name", "account.name_required");
        e.check(name.chars().count() > 100, "name", "account.name_too_long");
        e.check(
            !plausible_email(self.email.trim()),
            "email",
            "account.email_invalid",
        );
        if let Some(p) = password_problem(&self.password) {
            e.add("password", p);
        }
        e
    }
}

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
    let base = base_url(&req, state.config.base_url.as_deref());
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
    }
}

/// Sends a mail; a failure is logged and reported to the page rather than failing the request,
/// since the account was saved and the mail can be sent again.
async fn send(state: &AppState, ctx: &Ctx, mail: Mail) -> bool {
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

/// The "send me the link again" form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
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
        let url = format!(
            "{}/confirm/{token}",
            base_url(&req, state.config.base_url.as_deref())
        );
        sent = send(
            &state,
            &ctx,
            confirm_mail(&ctx, u.lang.unwrap_or(ctx.lang), &u.email, &url),
        )
        .await;
    }
    Ok(views::check_inbox(&ctx, &email, sent))
}

/// The login form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

/// Query of GET /login.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub next: String,
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

/// GET /password/forgot
pub async fn forgot_form(ctx: Ctx) -> HttpResponse {
    views::forgot(&ctx, "", &FormErrors::new(), StatusCode::OK)
}

/// POST /password/forgot: mails a reset link if the account exists; says the same either way.
pub async fn forgot_submit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.email.trim().to_string();
    if !plausible_email(&email) {
        let mut e = FormErrors::new();
        e.add("email", "account.email_invalid");
        return Ok(views::forgot(
            &ctx,
            &email,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    if !state.limits.mail_ip.hit(&client_ip(&req)) {
        let mut e = FormErrors::new();
        e.add("email", "error.too_many");
        return Ok(views::forgot(
            &ctx,
            &email,
            &e,
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let token = random_token();
    let th = token_hash(&token);
    let e2 = email.clone();
    let target = state
        .db
        .write(move |tx| {
            let u = store::user_by_email(tx, &e2)?.map(|(u, _)| u);
            if let Some(u) = &u {
                store::create_email_token(tx, &th, u.id, "reset", now(), RESET_TOKEN_SECS)?;
            }
            Ok(u)
        })
        .await?;
    let mut sent = true;
    if let Some(u) = target {
        let lang = u.lang.unwrap_or(ctx.lang);
        let url = format!(
            "{}/password/reset/{token}",
            base_url(&req, state.config.base_url.as_deref())
        );
        let mail = Mail {
            to: u.email.clone(),
            subject: lang.tf("mail.reset_subject", &[("site", &ctx.instance.name)]),
            text: lang.tf(
                "mail.reset_body",
                &[("site", &ctx.instance.name), ("url", &url)],
            ),
        };
        sent = send(&state, &ctx, mail).await;
    }
    Ok(views::check_inbox(&ctx, &email, sent))
}

/// GET /password/reset/{token}
pub async fn reset_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let th = token_hash(&token);
    let valid = state
        .db
        .read(move |c| Ok(store::peek_email_token(c, &th, "reset", now())?))
        .await?;
    Ok(match valid {
        Some(_) => views::reset(&ctx, &FormErrors::new(), StatusCode::OK),
        None => views::link_invalid(&ctx),
    })
}

/// The new-password form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    pub password: String,
    pub password_again: String,
}

/// POST /password/reset/{token}: sets the new password and signs out every session.
pub async fn reset_submit(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    if let Some(p) = password_problem(&form.password) {
        errors.add("password", p);
    }
    errors.check(
        form.password != form.password_again,
        "password_again",
        "account.passwords_differ",
    );
    if !errors.is_empty() {
        return Ok(views::reset(
            &ctx,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let password = form.password.clone();
    let hash = web::block(move || hash_password(&password)).await??;
    let th = token_hash(&token);
    let done = state
        .db
        .write(move |tx| {
            let id = store::take_email_token(tx, &th, "reset", now())?;
            if let Some(id) = id {
                store::set_password(tx, id, &hash, now())?;
                store::confirm_email(tx, id, now())?;
                store::delete_user_sessions(tx, id)?;
            }
            Ok(id)
        })
        .await?;
    Ok(match done {
        Some(_) => redirect_with_flash(&ctx, "/login", "flash.password_changed"),
        None => views::link_invalid(&ctx),
    })
}

/// GET /account: profile, language, API tokens.
pub async fn account(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let tokens = state
        .db
        .read(move |c| Ok(store::api_tokens_of(c, user.id)?))
        .await?;
    let name = ctx
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Ok(views::account(
        &ctx,
        AccountPage {
            name: &name,
            tokens: &tokens,
            new_token: None,
            errors: &FormErrors::new(),
        },
        StatusCode::OK,
    ))
}

/// The profile form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    pub name: String,
    pub lang: String,
}

/// POST /account: saves name and language.
pub async fn account_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let name = form.name.trim().to_string();
    let mut errors = FormErrors::new();
    errors.check(name.is_empty(), "name", "account.name_required");
    errors.check(name.chars().count() > 100, "name", "account.name_too_long");
    if !errors.is_empty() {
        let tokens = state
            .db
            .read(move |c| Ok(store::api_tokens_of(c, user.id)?))
            .await?;
        let page = AccountPage {
            name: &form.name,
            tokens: &tokens,
            new_token: None,
            errors: &errors,
        };
        return Ok(views::account(&ctx, page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let lang = Lang::from_code(&form.lang);
    state
        .db
        .write(move |tx| Ok(store::update_profile(tx, user.id, &name, lang, now())?))
        .await?;
    let mut res = redirect_with_flash(&ctx, "/account", "flash.saved");
    if let Some(lang) = lang {
        let _ = res.add_cookie(&ctx.cookie(LANG_COOKIE, lang.code().to_string(), Some(365)));
    }
    Ok(res)
}

/// The new-token form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    pub token_name: String,
}

/// POST /account/tokens: creates an API token and shows it once.
pub async fn token_create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let label = form.token_name.trim().to_string();
    let mut errors = FormErrors::new();
    errors.check(
        label.is_empty() || label.chars().count() > 100,
        "token_name",
        "account.token_name_required",
    );
    let token = (errors.is_empty()).then(|| format!("plt_{}", random_token()));
    let th = token.as_deref().map(token_hash);
    let tokens = state
        .db
        .write(move |tx| {
            if let Some(th) = th {
                store::create_api_token(tx, user.id, &label, &th, now())?;
            }
            Ok(store::api_tokens_of(tx, user.id)?)
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let name = ctx
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let page = AccountPage {
        name: &name,
        tokens: &tokens,
        new_token: token.as_deref(),
        errors: &errors,
    };
    Ok(views::account(&ctx, page, status))
}

/// POST /account/tokens/{id}/delete: revokes one of the user's tokens.
pub async fn token_delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let deleted = state
        .db
        .write(move |tx| Ok(store::delete_api_token(tx, user.id, id)?))
        .await?;
    if !deleted {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&ctx, "/account", "flash.token_revoked"))
}
