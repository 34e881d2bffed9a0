//! The public archive of a list: its sent mailings, and one mailing as it was sent.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, PreEscaped};

use crate::lists::{List, Mailing};
use crate::web::layout::{Alternate, FeedFormat};
use crate::web::{markdown, page, page_with_feeds, Ctx};

/// GET /lists/{slug}/archive
pub fn list(ctx: &Ctx, list: &List, sent: &[Mailing]) -> HttpResponse {
    let title = ctx.lang.tf("lists.archive_of", &[("list", &list.name)]);
    let body = html! {
        h1 { (title) }
        p { a href=(list.url()) { (ctx.t("lists.subscribe")) } " · " a href={ "/lists/" (list.slug) "/feed.rss" } { "RSS" } }
        @if sent.is_empty() { p { (ctx.t("lists.no_mailings")) } }
        ul {
            @for m in sent {
                li { a href={ "/lists/" (list.slug) "/archive/" (m.id) } { (m.subject) } " · " (ctx.datetime(m.send_at.unwrap_or(m.created_at))) }
            }
        }
    };
    let feed = Alternate::new(
        ctx,
        FeedFormat::Rss,
        format!("/lists/{}/feed.rss", list.slug),
        &title,
    );
    page_with_feeds(StatusCode::OK, ctx, &title, &[feed], body)
}

/// GET /lists/{slug}/archive/{id}
pub fn one(ctx: &Ctx, list: &List, m: &Mailing) -> HttpResponse {
    let body = html! {
        p.small { a href={ "/lists/" (list.slug) "/archive" } { (list.name) } }
        article {
            h1 { (m.subject) }
            p.small { (ctx.datetime(m.send_at.unwrap_or(m.created_at))) }
            div.markdown { (PreEscaped(markdown::render(&m.body))) }
        }
        p { a href=(list.url()) { (ctx.t("lists.subscribe")) } }
    };
    page(ctx, &m.subject, body)
}
