//! Summaries: the form that closes a thread with one, a summary's page (with « Insérer dans
//! une lettre » for those who edit a newsletter draft), a channel's summaries.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, PreEscaped};

use super::when;
use crate::channels::form::TextForm;
use crate::channels::{Channel, Powers, Thread};
use crate::web::forms::{csrf, error_summary, post_button, select, Field, FormErrors};
use crate::web::{markdown, page_with_status, Ctx};

/// GET /c/{channel}/t/{thread}/close (and its 422 re-render)
pub fn close_page(
    ctx: &Ctx,
    ch: &Channel,
    t: &Thread,
    f: &TextForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("channels.close_with_summary");
    let url = format!("{}/t/{}", ch.url(), t.id);
    page_with_status(
        status,
        ctx,
        title,
        html! {
            p.small { a href=(url) { (t.title) } }
            h1 { (title) }
            p { (ctx.t("channels.summary_intro")) }
            (error_summary(ctx, e))
            form method="post" action={ (url) "/close" } novalidate {
                (csrf(ctx))
                (Field::text("body", "channels.summary_label", &f.body).kind("textarea").hint("channels.body_hint").render(ctx, e))
                button type="submit" { (ctx.t("channels.close_button")) }
            }
            @if t.closed_at.is_some() {
                (post_button(ctx, &format!("{url}/reopen"), ctx.t("channels.reopen"), None))
            }
        },
    )
}

/// GET /c/{channel}/t/{thread}/summary; `drafts`: (id, list and subject) the viewer may edit.
pub fn summary_page(
    ctx: &Ctx,
    ch: &Channel,
    t: &Thread,
    powers: Powers,
    drafts: &[(i64, String)],
) -> HttpResponse {
    let url = format!("{}/t/{}", ch.url(), t.id);
    let summary = t.summary.as_deref().unwrap_or("");
    let choices: Vec<(String, String)> = drafts
        .iter()
        .map(|(id, l)| (id.to_string(), l.clone()))
        .collect();
    let choices: Vec<(&str, String)> = choices
        .iter()
        .map(|(id, l)| (id.as_str(), l.clone()))
        .collect();
    page_with_status(
        StatusCode::OK,
        ctx,
        &ctx.lang.tf("channels.summary_of", &[("title", &t.title)]),
        html! {
            p.small { a href=(ch.url()) { (ch.name) } " · " a href={ (ch.url()) "/summaries" } { (ctx.t("channels.summaries")) } }
            article.summary {
                h1 { (ctx.lang.tf("channels.summary_of", &[("title", &t.title)])) }
                p.small {
                    @if let Some(at) = t.closed_at { (when(ctx, at)) }
                    @if let Some(n) = &t.closed_by_name { " · " (ctx.lang.tf("channels.summary_by", &[("name", n)])) }
                }
                div.body { (PreEscaped(markdown::render(summary))) }
            }
            p { a href=(url) { (ctx.lang.tf("channels.read_thread", &[("n", &t.messages.to_string())])) } }
            @if powers.may_close() { p { a href={ (url) "/close" } { (ctx.t("channels.edit_summary")) } } }
            @if !drafts.is_empty() && ch.is_public() {
                section aria-labelledby="insert-h" {
                    h2 #insert-h { (ctx.t("channels.insert_title")) }
                    form method="post" action={ (url) "/summary/insert" } {
                        (csrf(ctx))
                        (select(ctx, "draft", "channels.draft_label", &choices, ""))
                        button type="submit" { (ctx.t("channels.insert_button")) }
                    }
                }
            }
        },
    )
}

/// GET /c/{channel}/summaries
pub fn summaries(ctx: &Ctx, ch: &Channel, list: &[Thread]) -> HttpResponse {
    let title = ctx.lang.tf("channels.summaries_of", &[("name", &ch.name)]);
    page_with_status(
        StatusCode::OK,
        ctx,
        &title,
        html! {
            p.small { a href=(ch.url()) { (ch.name) } }
            h1 { (title) }
            @if list.is_empty() { p { (ctx.t("channels.no_summaries")) } }
            ul {
                @for t in list {
                    li {
                        a href={ (ch.url()) "/t/" (t.id) "/summary" } { (t.title) }
                        @if let Some(at) = t.closed_at { " " span.small { (when(ctx, at)) } }
                        p.small { (crate::text::excerpt(t.summary.as_deref().unwrap_or(""), 200)) }
                    }
                }
            }
        },
    )
}
