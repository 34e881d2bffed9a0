//! Forgotten password: the reset link by mail and the new-password form.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::form::EmailForm;
use super::handlers::send;
use super::views;
use super::{
    hash_password, password_problem, plausible_email, random_token, store, token_hash,
    RESET_TOKEN_SECS,
};
use crate::db::now;
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{base_url, client_ip, redirect_with_flash, Ctx};

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
        let url = format!("{}/password/reset/{token}", base_url(&req, &state));
        let mail = Mail {
            to: u.email.clone(),
            subject: lang.tf("mail.reset_subject", &[("site", &ctx.instance.name)]),
            text: lang.tf(
                "mail.reset_body",
                &[("site", &ctx.instance.name), ("url", &url)],
            ),
            reply_to: None,
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
                store::delete_user_api_tokens(tx, id)?;
            }
            Ok(id)
        })
        .await?;
    Ok(match done {
        Some(_) => redirect_with_flash(&ctx, "/login", "flash.password_changed"),
        None => views::link_invalid(&ctx),
    })
}
