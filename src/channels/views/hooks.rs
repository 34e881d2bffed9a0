//! A channel's webhooks page, for its moderators: the outgoing hooks with their secret and
//! latest outcome, the incoming ones, the forms creating each, and the signature scheme.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use crate::channels::store::hooks::Hook;
use crate::channels::webhook::HookForm;
use crate::channels::Channel;
use crate::web::forms::{csrf, error_summary, post_button, select, Field, FormErrors};
use crate::web::{page_with_status, Ctx};

/// GET /c/{channel}/hooks (and the 422s of its forms; `new_url`: an incoming hook's
/// address, shown this once).
#[allow(clippy::too_many_arguments)]
pub fn hooks_page(
    ctx: &Ctx,
    ch: &Channel,
    hooks: &[Hook],
    threads: &[(i64, String)],
    f: &HookForm,
    e: &FormErrors,
    new_url: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let base = ch.url();
    let mut options: Vec<(String, String)> = vec![(
        String::new(),
        ctx.t("channels.hooks.new_threads_only").to_string(),
    )];
    options.extend(threads.iter().map(|(id, t)| (id.to_string(), t.clone())));
    let options: Vec<(&str, String)> = options
        .iter()
        .map(|(v, l)| (v.as_str(), l.clone()))
        .collect();
    let title = ctx
        .lang
        .tf("channels.hooks.title", &[("channel", &ch.name)]);
    let body = html! {
        p { a href=(base) { "← " (ch.name) } }
        h1 { (title) }
        p { (ctx.t("channels.hooks.intro")) }
        p.small { (ctx.t("channels.hooks.scheme")) }
        @if let Some(url) = new_url {
            div.notice role="status" {
                p { strong { (ctx.t("channels.hooks.new_url")) } }
                p { code.hook-new-url { (url) } }
            }
        }
        (error_summary(ctx, e))
        h2 { (ctx.t("channels.hooks.outgoing")) }
        @if hooks.iter().all(|h| !h.outgoing) { p { (ctx.t("channels.hooks.none")) } }
        ul {
            @for h in hooks.iter().filter(|h| h.outgoing) {
                li data-hook=(h.id) {
                    strong { (h.name) } " → " code.hook-url { (h.url.as_deref().unwrap_or("")) }
                    br;
                    (ctx.t("channels.hooks.secret")) " " code.hook-secret { (h.secret) }
                    @if let Some(s) = &h.last_status {
                        br; span.small { (ctx.t("channels.hooks.last_status")) " " (s) }
                    }
                    (post_button(ctx, &format!("{base}/hooks/{}/delete", h.id), ctx.t("channels.hooks.delete"), None))
                }
            }
        }
        form method="post" action={ (base) "/hooks/out" } {
            (csrf(ctx))
            (Field::text("name", "channels.hooks.name", &f.name).render(ctx, e))
            (Field::text("url", "channels.hooks.url", &f.url).kind("url").render(ctx, e))
            button type="submit" { (ctx.t("channels.hooks.create_outgoing")) }
        }
        h2 { (ctx.t("channels.hooks.incoming")) }
        @if hooks.iter().all(|h| h.outgoing) { p { (ctx.t("channels.hooks.none")) } }
        ul {
            @for h in hooks.iter().filter(|h| !h.outgoing) {
                li data-hook=(h.id) {
                    strong { (h.name) } " → "
                    @match &h.thread {
                        Some((_, t)) => { (t) }
                        None => { (ctx.t("channels.hooks.new_threads_only")) }
                    }
                    br;
                    (ctx.t("channels.hooks.secret")) " " code.hook-secret { (h.secret) }
                    (post_button(ctx, &format!("{base}/hooks/{}/delete", h.id), ctx.t("channels.hooks.delete"), None))
                }
            }
        }
        form method="post" action={ (base) "/hooks/in" } {
            (csrf(ctx))
            (Field::text("name", "channels.hooks.name", &f.name).render(ctx, e))
            (select(ctx, "thread", "channels.hooks.thread", &options, &f.thread))
            button type="submit" { (ctx.t("channels.hooks.create_incoming")) }
        }
    };
    page_with_status(status, ctx, &title, body)
}
