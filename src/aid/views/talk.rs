//! Conversation pages: the list of threads and one thread. Only display names appear: no
//! address, no phone, of either person.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use super::{button, when};
use crate::aid::store::talk::{Conversation, Message};
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::{page, page_with_status, Ctx};

/// GET /aid/conversations
pub fn list(ctx: &Ctx, threads: &[Conversation], me: i64) -> HttpResponse {
    let title = ctx.t("aid.conversations");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { a href="/aid" { (ctx.t("aid.back")) } }
            @if threads.is_empty() { p { (ctx.t("aid.no_conversations")) } }
            ul {
                @for t in threads {
                    li {
                        a href=(t.url()) { (t.post_title) }
                        " · " (ctx.lang.tf("aid.with", &[("name", t.other(me).1)]))
                        " · " (when(ctx, t.last_at))
                        @if t.closed { " · " strong { (ctx.t("aid.closed")) } }
                    }
                }
            }
        },
    )
}

/// What a thread's page shows.
pub struct ThreadPage<'a> {
    pub thread: &'a Conversation,
    pub messages: &'a [Message],
    pub me: i64,
    /// Why the user cannot write now (closed, blocked), as a translation key.
    pub refused: Option<&'static str>,
    /// The message as typed, with its error (a re-render).
    pub typed: Option<(&'a str, &'static str)>,
}

/// GET /aid/conversations/{id}
pub fn thread(ctx: &Ctx, p: &ThreadPage, status: StatusCode) -> HttpResponse {
    let t = p.thread;
    let (_, other) = t.other(p.me);
    let title = ctx.lang.tf("aid.thread_title", &[("title", &t.post_title)]);
    let mut e = FormErrors::new();
    if let Some((_, k)) = p.typed {
        e.add("body", k);
    }
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            p {
                a href={ "/aid/" (t.post_id) } { (ctx.t("aid.see_post")) } " · "
                a href="/aid/conversations" { (ctx.t("aid.conversations")) }
            }
            p.small { (ctx.lang.tf("aid.with", &[("name", other)])) " · " (ctx.t("aid.private_hint")) }
            ol.messages {
                @for m in p.messages {
                    li.card.mine[m.sender_id == p.me] {
                        p.small {
                            strong { @if m.sender_id == p.me { (ctx.t("aid.you")) } @else { (other) } }
                            " · " (when(ctx, m.created_at))
                        }
                        p { (m.body) }
                    }
                }
            }
            @match p.refused {
                Some(k) => { p.notice { (ctx.t(k)) } }
                None => {
                    (error_summary(ctx, &e))
                    form method="post" action=(t.url()) {
                        (csrf(ctx))
                        (Field::text("body", "aid.message_label", p.typed.map_or("", |x| x.0)).kind("textarea").render(ctx, &e))
                        button type="submit" { (ctx.t("aid.send")) }
                    }
                }
            }
            p {
                @if t.author_id == p.me && !t.closed { (button(ctx, &format!("{}/close", t.url()), ctx.t("aid.close_thread"))) " " }
                (button(ctx, &format!("{}/block", t.url()), &ctx.lang.tf("aid.block", &[("name", other)])))
            }
        },
    )
}
