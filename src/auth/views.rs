//! Pages of the account flows.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use super::form::SignupForm;
use super::store::ApiToken;
use crate::i18n;
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::{page, page_with_status, Ctx};

/// The sign-up form.
pub fn signup(ctx: &Ctx, f: &SignupForm, errors: &FormErrors, status: StatusCode) -> HttpResponse {
    let title = ctx.t("signup.title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("signup.intro")) }
            (error_summary(ctx, errors))
            form method="post" action="/signup" novalidate {
                (csrf(ctx))
                (Field::text("name", "account.name", &f.name).hint("account.name_hint").autocomplete("name").render(ctx, errors))
                (Field::text("email", "account.email", &f.email).kind("email").hint("account.email_hint").autocomplete("email").render(ctx, errors))
                (Field::text("password", "account.password", "").kind("password").hint("account.password_hint").autocomplete("new-password").render(ctx, errors))
                button type="submit" { (ctx.t("signup.submit")) }
            }
            p { (ctx.t("signup.have_account")) " " a href="/login" { (ctx.t("nav.login")) } }
        },
    )
}

/// "Check your inbox", after any action that mails a link.
pub fn check_inbox(ctx: &Ctx, email: &str, sent: bool) -> HttpResponse {
    let title = ctx.t("inbox.title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if sent {
                p { (ctx.lang.tf("inbox.body", &[("email", email)])) }
            } @else {
                p.error role="alert" { (ctx.t("inbox.not_sent")) }
            }
            p.hint { (ctx.t("inbox.spam")) }
            form method="post" action="/confirm/resend" {
                (csrf(ctx))
                input type="hidden" name="email" value=(email);
                button.link type="submit" { (ctx.t("inbox.resend")) }
            }
        },
    )
}

/// A link from a mail that is unknown, used or expired.
pub fn link_invalid(ctx: &Ctx) -> HttpResponse {
    let title = ctx.t("link.invalid_title");
    page_with_status(
        StatusCode::NOT_FOUND,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("link.invalid_body")) }
            p { a href="/password/forgot" { (ctx.t("login.forgot")) } }
        },
    )
}

/// Why the login form is shown again.
pub enum LoginNotice {
    None,
    Wrong,
    Unconfirmed,
    TooMany(u64),
}

/// The login form.
pub fn login(
    ctx: &Ctx,
    email: &str,
    next: &str,
    notice: LoginNotice,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("login.title");
    let mut errors = FormErrors::new();
    match notice {
        LoginNotice::Wrong => errors.add("password", "login.wrong"),
        LoginNotice::Unconfirmed => errors.add("email", "login.unconfirmed"),
        LoginNotice::TooMany(_) | LoginNotice::None => {}
    }
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            @if let LoginNotice::TooMany(minutes) = notice {
                p.error role="alert" { (ctx.lang.tf("login.too_many", &[("minutes", &minutes.to_string())])) }
            }
            (error_summary(ctx, &errors))
            form method="post" action="/login" {
                (csrf(ctx))
                input type="hidden" name="next" value=(next);
                (Field::text("email", "account.email", email).kind("email").autocomplete("username").render(ctx, &errors))
                (Field::text("password", "account.password", "").kind("password").autocomplete("current-password").render(ctx, &errors))
                button type="submit" { (ctx.t("login.submit")) }
            }
            @if matches!(notice, LoginNotice::Unconfirmed) {
                form method="post" action="/confirm/resend" {
                    (csrf(ctx))
                    input type="hidden" name="email" value=(email);
                    button.link type="submit" { (ctx.t("inbox.resend")) }
                }
            }
            p { a href="/password/forgot" { (ctx.t("login.forgot")) } }
            p { (ctx.t("login.no_account")) " " a href="/signup" { (ctx.t("nav.signup")) } }
        },
    )
}

/// The "forgot my password" form.
pub fn forgot(ctx: &Ctx, email: &str, errors: &FormErrors, status: StatusCode) -> HttpResponse {
    let title = ctx.t("forgot.title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("forgot.intro")) }
            (error_summary(ctx, errors))
            form method="post" action="/password/forgot" novalidate {
                (csrf(ctx))
                (Field::text("email", "account.email", email).kind("email").autocomplete("email").render(ctx, errors))
                button type="submit" { (ctx.t("forgot.submit")) }
            }
        },
    )
}

/// The new-password form reached from the reset link.
pub fn reset(ctx: &Ctx, errors: &FormErrors, status: StatusCode) -> HttpResponse {
    let title = ctx.t("reset.title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (error_summary(ctx, errors))
            form method="post" novalidate {
                (csrf(ctx))
                (Field::text("password", "reset.new_password", "").kind("password").hint("account.password_hint").autocomplete("new-password").render(ctx, errors))
                (Field::text("password_again", "reset.again", "").kind("password").autocomplete("new-password").render(ctx, errors))
                button type="submit" { (ctx.t("reset.submit")) }
            }
        },
    )
}

/// What the account page shows.
pub struct AccountPage<'a> {
    pub name: &'a str,
    pub tokens: &'a [ApiToken],
    /// A token just created, shown once.
    pub new_token: Option<&'a str>,
    pub errors: &'a FormErrors,
}

/// The account page: profile, language, API tokens.
pub fn account(ctx: &Ctx, p: AccountPage, status: StatusCode) -> HttpResponse {
    let title = ctx.t("account.title");
    let user_lang = ctx.user.as_ref().and_then(|u| u.lang).unwrap_or(ctx.lang);
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (error_summary(ctx, p.errors))
            section aria-labelledby="profile-h" {
                h2 #profile-h { (ctx.t("account.profile")) }
                @if let Some(u) = &ctx.user {
                    p { span { (ctx.t("account.email")) } " " strong { (u.email) } " " span.hint { (ctx.t("account.email_private")) } }
                }
                form method="post" action="/account" {
                    (csrf(ctx))
                    (Field::text("name", "account.name", p.name).autocomplete("name").render(ctx, p.errors))
                    div.field {
                        label for="f-lang" { (ctx.t("account.lang")) }
                        select #f-lang name="lang" {
                            @for l in i18n::ALL {
                                option value=(l.code()) selected[l == user_lang] { (l.native_name()) }
                            }
                        }
                    }
                    button type="submit" { (ctx.t("form.save")) }
                }
            }
            section aria-labelledby="tokens-h" {
                h2 #tokens-h { (ctx.t("account.tokens")) }
                p { (ctx.t("account.tokens_intro")) }
                @if let Some(t) = p.new_token {
                    div.notice role="status" {
                        p { (ctx.t("account.token_once")) }
                        p { code.token { (t) } }
                    }
                }
                @if !p.tokens.is_empty() {
                    table {
                        thead { tr { th scope="col" { (ctx.t("account.token_name")) } th scope="col" { (ctx.t("account.token_created")) } th scope="col" { (ctx.t("account.token_used")) } th scope="col" { span.visually-hidden { (ctx.t("form.actions")) } } } }
                        tbody {
                            @for t in p.tokens {
                                tr {
                                    td { (t.name) }
                                    td { (ctx.datetime(t.created_at)) }
                                    td { @if let Some(u) = t.last_used_at { (ctx.datetime(u)) } @else { (ctx.t("account.never")) } }
                                    td {
                                        form.inline method="post" action={ "/account/tokens/" (t.id) "/delete" } {
                                            (csrf(ctx))
                                            button type="submit" aria-label={ (ctx.t("account.revoke")) " " (t.name) } { (ctx.t("account.revoke")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/account/tokens" {
                    (csrf(ctx))
                    (Field::text("token_name", "account.token_name", "").hint("account.token_name_hint").render(ctx, p.errors))
                    button type="submit" { (ctx.t("account.token_create")) }
                }
            }
            section aria-labelledby="mod-h" {
                h2 #mod-h { (ctx.t("moderation.my_reports")) }
                p { a href="/account/moderation" { (ctx.t("moderation.my_reports")) " · " (ctx.t("moderation.my_notices")) } }
            }
            @if ctx.instance.enabled(crate::settings::Module::Channels) {
                section aria-labelledby="notify-h" {
                    h2 #notify-h { (ctx.t("channels.notify.title")) }
                    p { a href="/account/notifications" { (ctx.t("channels.notify.link")) } }
                }
            }
            section aria-labelledby="data-h" {
                h2 #data-h { (ctx.t("privacy.title")) }
                p { a href="/account/export" download { (ctx.t("privacy.export")) } }
                p { (ctx.t("privacy.delete_intro")) }
                ul.deletion-ends {
                    @for k in ["account", "lists", "rooms", "aid"] { li { (ctx.t(&format!("privacy.delete_ends_{k}"))) } }
                }
                p { (ctx.t("privacy.delete_stays_title")) }
                ul.deletion-stays {
                    @for k in ["public", "rooms", "pages"] { li { (ctx.t(&format!("privacy.delete_stays_{k}"))) } }
                }
                form method="post" action="/account/delete" novalidate {
                    (csrf(ctx))
                    (Field::text("delete_password", "privacy.delete_password", "").kind("password").autocomplete("current-password").render(ctx, p.errors))
                    button.danger type="submit" { (ctx.t("privacy.delete")) }
                }
            }
        },
    )
}
