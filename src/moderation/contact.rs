//! The site's contact form: how a resident or a visitor writes to the moderators privately
//! (the answer the government's guidance gives to personal data posted in public, and the way
//! to contest a decision). The mail reaches the moderators and admins with the sender's
//! address in Reply-To; nothing is published.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::form::{clean, ContactForm};
use super::{store, views};
use crate::db::now;
use crate::error::AppError;
use crate::mail::{valid_email, Mail};
use crate::outbox;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{client_ip, redirect_with_flash, Ctx};

/// GET /contact
pub async fn form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let f = ContactForm {
        name: ctx
            .user
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        ..ContactForm::default()
    };
    Ok(views::contact(&ctx, &f, &FormErrors::new(), StatusCode::OK))
}

/// POST /contact: one mail per moderator and admin, through the outbox.
pub async fn send(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let email = match &ctx.user {
        Some(u) => u.email.clone(),
        None => f.email.trim().to_string(),
    };
    let (name, message) = (crate::text::clip(&f.name, 120), clean(&f.message));
    let mut e = FormErrors::new();
    e.check(name.is_empty(), "name", "contact.error_name");
    e.check(
        ctx.user.is_none() && !valid_email(&email),
        "email",
        "contact.error_email",
    );
    e.check(message.is_empty(), "message", "contact.error_message");
    if e.is_empty() && ctx.user.is_none() && !state.limits.mail_ip.hit(&client_ip(&req)) {
        e.add("message", "moderation.error_too_many");
        return Ok(views::contact(&ctx, &f, &e, StatusCode::TOO_MANY_REQUESTS));
    }
    if !e.is_empty() {
        return Ok(views::contact(
            &ctx,
            &f,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let inst = ctx.instance.clone();
    state
        .db
        .write(move |tx| {
            let at = now();
            for (to, lang) in store::staff_addresses(tx)? {
                let l = lang.unwrap_or(inst.default_lang);
                let mut mail = Mail::new(
                    to,
                    l.tf(
                        "contact.mail_subject",
                        &[("site", &inst.name), ("name", &name)],
                    ),
                    l.tf(
                        "contact.mail_body",
                        &[("name", &name), ("email", &email), ("message", &message)],
                    ),
                );
                mail.reply_to = Some(email.clone());
                outbox::enqueue(tx, &mail, at)?;
            }
            Ok(())
        })
        .await?;
    outbox::flush(&state).await;
    Ok(redirect_with_flash(&ctx, "/", "flash.contact.sent"))
}
