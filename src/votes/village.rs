//! The proposals' blocks of "my village" (what I may vote on now) and of a page's own
//! directory page (its proposals still open).

use maud::{html, Markup};

use super::{store, views};
use crate::db::now;
use crate::error::AppError;
use crate::settings::Module;
use crate::state::AppState;
use crate::web::Ctx;

/// How many proposals a block lists.
const BLOCK: i64 = 5;

/// The open proposals the signed-in resident may vote on, for "my village".
pub async fn my_village_block(state: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    let Some(uid) = ctx.user.as_ref().map(|u| u.id) else {
        return Ok(html! {});
    };
    if !ctx.instance.enabled(Module::Votes) {
        return Ok(html! {});
    }
    let items = state
        .db
        .read(move |c| Ok(store::open_for(c, uid, now(), BLOCK)?))
        .await?;
    Ok(views::my_block(ctx, &items))
}

/// A page's proposals not closed yet, on its directory page (nothing when there is none).
pub async fn actor_block(
    state: &AppState,
    ctx: &Ctx,
    actor_id: i64,
    slug: &str,
) -> Result<Markup, AppError> {
    if !ctx.instance.enabled(Module::Votes) {
        return Ok(html! {});
    }
    let at = now();
    let items: Vec<_> = state
        .db
        .read(move |c| Ok(store::list(c, Some(actor_id), 50)?))
        .await?
        .into_iter()
        .filter(|s| s.deadline > at)
        .take(BLOCK as usize)
        .collect();
    if items.is_empty() {
        return Ok(html! {});
    }
    Ok(views::actor_block(ctx, &items, slug))
}
