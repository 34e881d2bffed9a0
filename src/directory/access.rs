//! Loading an actor with what the viewer may do with it: every page about one actor (the
//! directory's, the news journal's, the API's) starts here.

use super::store::{self, members};
use super::{Access, Actor};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// Loads an actor and what the viewer may do with it; hidden actors are "not found".
pub async fn load(state: &AppState, ctx: &Ctx, slug: String) -> Result<(Actor, Access), AppError> {
    let user_id = ctx.user.as_ref().map(|u| u.id);
    let (actor, membership) = state
        .db
        .read(move |c| {
            let actor = store::actor_by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
            let m = match user_id {
                Some(u) => members::membership(c, actor.id, u)?,
                None => None,
            };
            Ok((actor, m))
        })
        .await?;
    let access = Access::of(ctx.user.as_ref(), membership);
    if !access.can_see(actor.visibility) {
        return Err(AppError::NotFound);
    }
    Ok((actor, access))
}
