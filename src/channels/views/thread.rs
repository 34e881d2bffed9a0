//! A thread's page: its messages by pages of keys (first, previous, next, last), each with
//! its author, time, text and what the viewer may do with it; the reply form; follow; close
//! with a summary. The list carries what `assets/js/channel-poll.js` needs to fetch newer
//! messages (`data-poll`, and the last id shown) when the last page is shown.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::{composer, when};
use crate::channels::form::{MessageForm, TextForm};
use crate::channels::store::conduct::Version;
use crate::channels::{Channel, Message, Powers, Thread};
use crate::personal_data::store::Original;
use crate::personal_data::views::originals_of;
use crate::web::forms::{csrf, error_summary, post_button, Field, FormErrors};
use crate::web::{assets, markdown, page_with_status, Ctx};

/// What a thread's page shows.
pub struct ThreadPage<'a> {
    pub ch: &'a Channel,
    pub t: &'a Thread,
    pub powers: Powers,
    pub messages: &'a [Message],
    pub older: bool,
    pub newer: bool,
    pub following: bool,
    pub form: &'a MessageForm,
    pub errors: &'a FormErrors,
    pub conduct: Option<&'a Version>,
    pub originals: &'a [Original],
}

/// One message, as a list item (the page and the polling fragment).
pub fn item(
    ctx: &Ctx,
    ch: &Channel,
    powers: Powers,
    m: &Message,
    originals: &[Original],
) -> Markup {
    let mine = powers.may_change(ctx.user.as_ref(), m.author_id);
    html! {
        li.message.hidden[m.hidden] id={ "m" (m.id) } data-id=(m.id) {
            p.meta {
                strong { @if m.author_name.is_empty() { (ctx.t("channels.gone_account")) } @else { (m.author_name) } }
                " · " a href={ "#m" (m.id) } { (when(ctx, m.created_at)) }
                @if m.edited_at.is_some() { " · " (ctx.t("channels.edited")) }
                @if m.hidden { " · " strong { (ctx.t("channels.hidden")) } }
            }
            div.body { (PreEscaped(markdown::render(&m.body))) }
            (originals_of(ctx, "channel_message", m.id, originals))
            p.small.actions {
                @if mine {
                    a href={ (ch.url()) "/m/" (m.id) "/edit" } { (ctx.t("channels.edit")) } " "
                    (post_button(ctx, &format!("{}/m/{}/delete", ch.url(), m.id), ctx.t("channels.delete"), Some("link")))
                    " "
                }
                a.report href={ "/report/channel_message/" (m.id) } { (ctx.t("channels.report")) }
            }
        }
    }
}

/// GET /c/{channel}/t/{thread}/since/{id}: the newer messages as list items.
pub fn fragment(ctx: &Ctx, ch: &Channel, powers: Powers, messages: &[Message]) -> HttpResponse {
    let body = html! { @for m in messages { (item(ctx, ch, powers, m, &[])) } };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body.into_string())
}

/// GET /c/{channel}/t/{thread} (and its 422 re-render)
pub fn thread(ctx: &Ctx, p: &ThreadPage, status: StatusCode) -> HttpResponse {
    let (ch, t) = (p.ch, p.t);
    let url = format!("{}/t/{}", ch.url(), t.id);
    let first = p.messages.first().map(|m| m.id);
    let last = p.messages.last().map(|m| m.id).unwrap_or(0);
    page_with_status(
        status,
        ctx,
        &t.title,
        html! {
            p.small { a href=(ch.url()) { (ch.name) } }
            h1 { (t.title) }
            p.small {
                (ctx.lang.tf("channels.messages_count", &[("n", &t.messages.to_string())]))
                @if t.hidden { " · " strong { (ctx.t("channels.hidden")) } }
                @if ctx.user.is_some() {
                    " "
                    @if p.following { (post_button(ctx, &format!("{url}/unfollow"), ctx.t("channels.unfollow"), Some("link"))) }
                    @else { (post_button(ctx, &format!("{url}/follow"), ctx.t("channels.follow"), Some("link"))) }
                }
                " " a.report href={ "/report/channel_thread/" (t.id) } { (ctx.t("channels.report")) }
            }
            @if t.closed_at.is_some() {
                aside.closed {
                    p { strong { (ctx.t("channels.closed")) } " " a href={ (url) "/summary" } { (ctx.t("channels.read_summary")) } }
                }
            }
            nav.pager aria-label=(ctx.t("channels.pages")) {
                @if let (true, Some(f)) = (p.older, first) {
                    a href=(url) { (ctx.t("channels.first_page")) } " · "
                    a rel="prev" href={ (url) "?before=" (f) } { (ctx.t("channels.previous_page")) }
                }
            }
            ol.messages #messages data-poll=[(!p.newer).then(|| format!("{url}/since/"))] data-since=(last) aria-live="polite" {
                @for m in p.messages { (item(ctx, ch, p.powers, m, p.originals)) }
            }
            nav.pager aria-label=(ctx.t("channels.pages")) {
                @if p.newer {
                    a rel="next" href={ (url) "?after=" (last) } { (ctx.t("channels.next_page")) } " · "
                    a href={ (url) "?at=end" } { (ctx.t("channels.last_page")) }
                }
            }
            @if t.closed_at.is_none() && p.powers.post {
                section aria-labelledby="reply-h" {
                    h2 #reply-h { (ctx.t("channels.reply")) }
                    (error_summary(ctx, p.errors))
                    (composer(ctx, &url, p.form, p.errors, p.conduct, false))
                }
            } @else if ctx.user.is_none() {
                p { a href={ "/login?next=" (crate::web::url_encode(&ctx.path)) } { (ctx.t("channels.login_to_post")) } }
            }
            @if p.powers.may_close() {
                p { a href={ (url) "/close" } { (ctx.t(if t.closed_at.is_some() { "channels.edit_summary" } else { "channels.close_with_summary" })) } }
            }
            script src=(assets::url("js/channel-poll.js")) defer {}
        },
    )
}

/// GET /c/{channel}/m/{id}/edit (and its 422 re-render)
pub fn edit_message(
    ctx: &Ctx,
    ch: &Channel,
    m: &Message,
    f: &TextForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("channels.edit_message");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            p.small { a href={ (ch.url()) "/t/" (m.thread_id) "#m" (m.id) } { (ctx.t("channels.back_to_thread")) } }
            h1 { (title) }
            (error_summary(ctx, e))
            form method="post" action={ (ch.url()) "/m/" (m.id) "/edit" } novalidate {
                (csrf(ctx))
                (Field::text("body", "channels.body_label", &f.body).kind("textarea").hint("channels.body_hint").render(ctx, e))
                button type="submit" { (ctx.t("channels.save")) }
            }
        },
    )
}
