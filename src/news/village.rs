//! The news block of "my village" (the directory's page /my shows it).

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
