//! The news blocks of "my village" (the directory's page /my shows it) and of a page's own
//! directory page.

use maud::Markup;

use super::store::{self, Scope};
use super::{views, Viewer};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// The latest news of what the user follows or belongs to, for "my village".
pub async fn my_village_block(state: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::News) {
        return Ok(maud::html! {});
    }
    let viewer = Viewer::of(ctx.user.as_ref());
    let (posts, _) = state
        .db
        .read(move |c| Ok(store::visible_posts(c, viewer, Scope::Followed, 5, 0)?))
        .await?;
    Ok(views::my_block(ctx, &posts))
}

/// The latest news of a page's journal, on its directory page (what the viewer may read;
/// nothing when there is none or the news are off).
pub async fn actor_block(
    state: &AppState,
    ctx: &Ctx,
    actor_id: i64,
    slug: &str,
) -> Result<Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::News) {
        return Ok(maud::html! {});
    }
    let viewer = Viewer::of(ctx.user.as_ref());
    let (posts, _) = state
        .db
        .read(move |c| {
            Ok(store::visible_posts(
                c,
                viewer,
                Scope::Actor(actor_id),
                3,
                0,
            )?)
        })
        .await?;
    if posts.is_empty() {
        return Ok(maud::html! {});
    }
    Ok(views::latest_block(ctx, &posts, &format!("/a/{slug}/news")))
}
