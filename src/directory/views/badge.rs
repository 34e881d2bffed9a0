//! The badge of an official page (town hall, school, public service), shown wherever the
//! page's name appears: text, not only an icon, with its meaning in a title.

use maud::{html, Markup};

use crate::web::Ctx;

/// « Officiel », after an actor's name; nothing when the page is not official.
pub fn official(ctx: &Ctx, official: bool) -> Markup {
    html! {
        @if official {
            " "
            span.badge.official title=(ctx.t("dir.official_title")) {
                span aria-hidden="true" { "✓ " }
                (ctx.t("dir.official"))
            }
        }
    }
}
