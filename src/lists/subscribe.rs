//! Subscribing (double opt-in with a consent ledger) and unsubscribing, including the
//! one-click unsubscribe of RFC 8058 (a POST without session nor CSRF token, authorised by
//! the subscriber's own token; `web::context` exempts exactly that path).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::handlers::{load, render_sign_up};
use super::store::subscribers::{NewSubscriber, Subscribed};
use super::store::{self, subscribers};
use super::{check_token, token, valid_email, views, Consent, Source, SubStatus};
use crate::db::now;
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{client_ip, safe_next, Ctx};

/// The sign-up form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubscribeForm {
    pub email: String,
    /// "on" when the consent box is ticked.
    pub consent: String,
    /// The page the form was on (the home page's box says `/`).
    pub from: String,
}

/// POST /lists/{slug}: records the sign-up, its consent and the confirmation mail to send
/// (in one transaction). An account's own confirmed address is subscribed at once.
pub async fn subscribe(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<SubscribeForm>,
) -> Result<HttpResponse, AppError> {
    let (list, rights) = load(&state, &ctx, slug.into_inner()).await?;
    let email = form.email.trim().to_string();
    let mut errors = FormErrors::new();
    errors.check(!valid_email(&email), "email", "lists.email_invalid");
    errors.check(form.consent != "on", "consent", "lists.consent_required");
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render_sign_up(&state, &ctx, &list, rights, &email, &errors, status).await;
    }
    let account = ctx
        .user
        .as_ref()
        .filter(|u| u.email_confirmed && u.email.eq_ignore_ascii_case(&email));
    if account.is_none() && !state.limits.mail_ip.hit(&client_ip(&req)) {
        errors.add("email", "error.too_many");
        let status = StatusCode::TOO_MANY_REQUESTS;
        return render_sign_up(&state, &ctx, &list, rights, &email, &errors, status).await;
    }
    let consent = Consent::for_list(&list, ctx.lang);
    let page = if form.from.trim().is_empty() {
        list.url()
    } else {
        safe_next(Some(form.from.trim()))
    };
    let (lid, uid, lang) = (list.id, account.map(|u| u.id), ctx.lang.code());
    let source = if account.is_some() {
        Source::Account
    } else {
        Source::Form
    };
    let addr = email.clone();
    let outcome = state
        .db
        .write(move |tx| {
            let s = NewSubscriber {
                list_id: lid,
                email: &addr,
                user_id: uid,
                lang: Some(lang),
                consent: &consent,
                source,
                page: &page,
                recorded_by: uid,
            };
            Ok(subscribers::subscribe(tx, &s, now())?)
        })
        .await?;
    // The confirmation mail goes from the background task (`tasks`), which reads the
    // `notify` mark committed with the sign-up: a crash right now loses no mail.
    // The same answer whatever the address's state: the page reveals nobody's subscription.
    let active = matches!(outcome, Subscribed::Active(_));
    Ok(views::notice(
        &ctx,
        &list.name,
        if active {
            "lists.subscribed"
        } else {
            "lists.check_inbox"
        },
        Some(&list.url()),
    ))
}

/// The confirmation mail of a sign-up, in the subscriber's language, with absolute links
/// from the site's public address.
pub fn confirmation_mail(
    list: &super::List,
    lang: crate::i18n::Lang,
    base: &str,
    secret: &[u8],
    id: i64,
    email: &str,
) -> Mail {
    let link = format!("{base}/lists/confirm/{}", token(secret, "confirm", id));
    let text = lang.tf(
        "lists.confirm_mail",
        &[
            ("list", &list.name),
            ("frequency", &list.frequency.describe(lang)),
            ("link", &link),
        ],
    );
    let subject = lang.tf("lists.confirm_subject", &[("list", &list.name)]);
    Mail::new(email, subject, text)
}

/// GET /lists/confirm/{token}: a page with one button (mail scanners that follow links do
/// not confirm anything by themselves).
pub async fn confirm_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    t: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = state.instance().secret.clone();
    let id = check_token(&secret, "confirm", &t).ok_or(AppError::NotFound)?;
    let (list, status) = subscriber_list(&state, id).await?;
    if status == SubStatus::Active {
        return Ok(views::notice(
            &ctx,
            &list.name,
            "lists.subscribed",
            Some(&list.url()),
        ));
    }
    Ok(views::confirm(
        &ctx,
        &list,
        &format!("/lists/confirm/{}", t.as_str()),
        "lists.confirm_button",
    ))
}

/// POST /lists/confirm/{token}: the subscription becomes active; the ledger records when.
pub async fn confirm(
    ctx: Ctx,
    state: web::Data<AppState>,
    t: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = state.instance().secret.clone();
    let id = check_token(&secret, "confirm", &t).ok_or(AppError::NotFound)?;
    let (list, _) = subscriber_list(&state, id).await?;
    state
        .db
        .write(move |tx| Ok(subscribers::confirm(tx, id, now())?))
        .await?;
    Ok(views::notice(
        &ctx,
        &list.name,
        "lists.subscribed",
        Some(&list.url()),
    ))
}

async fn subscriber_list(state: &AppState, id: i64) -> Result<(super::List, SubStatus), AppError> {
    state
        .db
        .read(move |c| {
            let (lid, _, status, _) = subscribers::subscriber(c, id)?.ok_or(AppError::NotFound)?;
            let list = store::list_by_id(c, lid)?.ok_or(AppError::NotFound)?;
            Ok((list, status))
        })
        .await
}

/// GET /lists/u/{token}: the unsubscribe page with its button, for humans.
pub async fn unsubscribe_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    t: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = state.instance().secret.clone();
    let id = check_token(&secret, "unsubscribe", &t).ok_or(AppError::NotFound)?;
    let (list, status) = subscriber_list(&state, id).await?;
    if status == SubStatus::Unsubscribed {
        return Ok(views::notice(&ctx, &list.name, "lists.unsubscribed", None));
    }
    Ok(views::confirm(
        &ctx,
        &list,
        &format!("/lists/u/{}", t.as_str()),
        "lists.unsubscribe_button",
    ))
}

/// POST /lists/u/{token}: unsubscribes at once. The one-click POST of RFC 8058 comes from
/// the mail provider with no session and no CSRF token; the token in the path is the proof
/// (a wrong one gets 403, like any unauthorised POST).
pub async fn unsubscribe(
    ctx: Ctx,
    state: web::Data<AppState>,
    t: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = state.instance().secret.clone();
    let id = check_token(&secret, "unsubscribe", &t).ok_or(AppError::Forbidden)?;
    let (list, _) = subscriber_list(&state, id)
        .await
        .map_err(|_| AppError::Forbidden)?;
    state
        .db
        .write(move |tx| Ok(subscribers::unsubscribe(tx, id, now())?))
        .await?;
    Ok(views::notice(&ctx, &list.name, "lists.unsubscribed", None))
}
