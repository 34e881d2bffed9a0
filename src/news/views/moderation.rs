//! The moderation page: open reports, grouped by what they are about, and hidden content.

use actix_web::HttpResponse;
use maud::{html, Markup};

use super::{button, when};
use crate::news::excerpt;
use crate::news::store::reports::{Flagged, Target};
use crate::web::{page, Ctx};

fn item(ctx: &Ctx, f: &Flagged) -> Markup {
    let (kind, id, label) = match f.target {
        Target::Post(id) => ("posts", id, "news.a_post"),
        Target::Comment(id) => ("comments", id, "news.a_comment"),
    };
    let link = match f.target {
        Target::Post(_) => format!("/news/{}", f.post_id),
        Target::Comment(c) => format!("/news/{}#c{c}", f.post_id),
    };
    let text = if f.title.is_empty() {
        excerpt(&f.body, 300)
    } else {
        format!("{} — {}", f.title, excerpt(&f.body, 250))
    };
    let base = format!("/moderation/{kind}/{id}");
    html! {
        li.card {
            p.small {
                strong { (ctx.t(label)) } " · "
                (ctx.lang.tf("news.by", &[("name", f.author_name.as_deref().unwrap_or(ctx.t("news.former_member")))]))
                " · " a href=(link) { (ctx.t("news.open")) }
                @if f.hidden { " · " strong { (ctx.t("news.hidden")) } }
            }
            blockquote { (text) }
            @if !f.reports.is_empty() {
                p.small { (ctx.lang.tf("news.report_count", &[("n", &f.reports.len().to_string())])) }
                ul.small {
                    @for (reason, at) in &f.reports {
                        li { (when(ctx, *at)) " — " @if reason.is_empty() { em { (ctx.t("news.no_reason")) } } @else { (reason) } }
                    }
                }
            }
            div.actions {
                @if f.hidden {
                    (button(ctx, &format!("{base}/restore"), ctx.t("news.restore"), None))
                } @else {
                    (button(ctx, &format!("{base}/hide"), ctx.t("news.hide"), Some("danger")))
                }
                @if !f.reports.is_empty() { " " (button(ctx, &format!("{base}/keep"), ctx.t("news.keep"), None)) }
            }
        }
    }
}

/// GET /moderation
pub fn queue(ctx: &Ctx, open: &[Flagged], hidden: &[Flagged]) -> HttpResponse {
    let title = ctx.t("news.moderation_title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.hint { (ctx.t("news.moderation_intro")) }
            @if ctx.instance.enabled(crate::settings::Module::Aid) {
                p { a href="/aid/moderation" { (ctx.t("aid.moderation")) } }
            }
            section aria-labelledby="open-h" {
                h2 #open-h { (ctx.t("news.open_reports")) }
                @if open.is_empty() { p { (ctx.t("news.no_reports")) } }
                ul.cards { @for f in open { (item(ctx, f)) } }
            }
            section aria-labelledby="hidden-h" {
                h2 #hidden-h { (ctx.t("news.hidden_content")) }
                @if hidden.is_empty() { p { (ctx.t("news.nothing_hidden")) } }
                ul.cards { @for f in hidden { (item(ctx, f)) } }
            }
        },
    )
}
