//! The channels' block of "my village": the threads I follow with messages I have not seen.

use maud::{html, Markup};

use super::store;
use super::views::when;
use crate::error::AppError;
use crate::settings::Module;
use crate::state::AppState;
use crate::web::Ctx;

/// How many threads the block lists.
const BLOCK: i64 = 8;

/// The followed threads with new replies, for "my village".
pub async fn my_village_block(state: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    let Some(uid) = ctx.user.as_ref().map(|u| u.id) else {
        return Ok(html! {});
    };
    if !ctx.instance.enabled(Module::Channels) {
        return Ok(html! {});
    }
    let items = state
        .db
        .read(move |c| Ok(store::followed_with_news(c, uid, BLOCK)?))
        .await?;
    Ok(html! {
        section aria-labelledby="my-channels-h" {
            h2 #my-channels-h { (ctx.t("channels.my_title")) }
            @if items.is_empty() { p { (ctx.t("channels.my_empty")) } }
            ul {
                @for (slug, id, title, n, at) in &items {
                    li {
                        a href={ "/c/" (slug) "/t/" (id) "?at=end" } { (title) }
                        " " span.small { (ctx.lang.tf("channels.new_messages", &[("n", &n.to_string())])) " · " (when(ctx, *at)) }
                    }
                }
            }
            p { a href="/channels" { (ctx.t("channels.see_all")) } }
        }
    })
}
