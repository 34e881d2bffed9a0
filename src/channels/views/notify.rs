//! The pages of the notifications: a person's choice (/account/notifications) and the
//! unsubscribe page of a mail's link (one button, for the humans; the mail provider POSTs).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use crate::channels::notify::{Choice, PrefsForm};
use crate::web::forms::{csrf, error_summary, select, FormErrors};
use crate::web::{page_with_status, Ctx};

/// GET /account/notifications
pub fn prefs_page(ctx: &Ctx, f: &PrefsForm, e: &FormErrors, status: StatusCode) -> HttpResponse {
    let options: Vec<(&str, String)> = Choice::ALL
        .iter()
        .map(|c| (c.as_str(), ctx.t(c.label_key()).to_string()))
        .collect();
    let body = html! {
        h1 { (ctx.t("channels.notify.title")) }
        p { (ctx.t("channels.notify.intro")) }
        (error_summary(ctx, e))
        form method="post" action="/account/notifications" {
            (csrf(ctx))
            (select(ctx, "mentions", "channels.notify.mentions", &options, &f.mentions))
            (select(ctx, "follows", "channels.notify.follows", &options, &f.follows))
            p.small { (ctx.t("channels.notify.digest_hint")) }
            button type="submit" { (ctx.t("channels.notify.save")) }
        }
        p { a href="/account" { (ctx.t("channels.notify.back")) } }
    };
    page_with_status(status, ctx, ctx.t("channels.notify.title"), body)
}

/// GET /channels/u/{token}: one button; `done` after the POST.
pub fn unsubscribe_page(ctx: &Ctx, token: &str, done: bool) -> HttpResponse {
    let body = html! {
        h1 { (ctx.t("channels.notify.unsubscribe_title")) }
        @if done {
            p { (ctx.t("channels.notify.unsubscribed")) }
        } @else {
            p { (ctx.t("channels.notify.unsubscribe_intro")) }
            form method="post" action={ "/channels/u/" (token) } {
                (csrf(ctx))
                button type="submit" { (ctx.t("channels.notify.unsubscribe_button")) }
            }
        }
        p { a href="/account/notifications" { (ctx.t("channels.notify.title")) } }
    };
    page_with_status(
        StatusCode::OK,
        ctx,
        ctx.t("channels.notify.unsubscribe_title"),
        body,
    )
}
