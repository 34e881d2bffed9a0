//! Loading a channel (and a thread of it) with what the viewer may do there: every channel
//! page starts here. A channel the viewer may not read is "not found", so that a members'
//! channel is not even revealed; so is a channel of a page they may not see.

use super::store;
use super::{powers, Channel, Powers, Thread};
use crate::directory::store::members;
use crate::directory::{Access, MemberRole, Visibility as PageVisibility};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// A channel and the viewer's powers in it; "not found" when they may not read it.
pub async fn load(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(Channel, Powers), AppError> {
    let user = ctx.user.clone();
    let uid = user.as_ref().map(|u| u.id);
    let (ch, p) = state
        .db
        .read(move |c| {
            let ch = store::channel_by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
            let (membership, page_visibility) = match (&ch.actor, uid) {
                (Some(a), Some(u)) => (
                    members::membership(c, a.id, u)?,
                    store::page_visibility(c, a.id)?,
                ),
                (Some(a), None) => (None, store::page_visibility(c, a.id)?),
                _ => (None, None),
            };
            let named = match uid {
                Some(u) => store::roles_of(c, ch.id, u)?,
                None => Vec::new(),
            };
            let access = Access::of(user.as_ref(), membership);
            if let Some(v) = page_visibility {
                if ch.actor.is_some() && !access.can_see(v) {
                    return Err(AppError::NotFound);
                }
            }
            let page_admin = membership.is_some_and(|(r, active)| active && r == MemberRole::Admin);
            let p = powers(&ch, user.as_ref(), access.member, page_admin, &named);
            Ok((ch, p))
        })
        .await?;
    if !p.read {
        return Err(AppError::NotFound);
    }
    Ok((ch, p))
}

/// A thread of a channel the viewer may read; hidden ones for its moderators only.
pub async fn thread(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    id: i64,
) -> Result<(Channel, Powers, Thread), AppError> {
    let (ch, p) = load(state, ctx, slug).await?;
    let t = state
        .db
        .read(move |c| Ok(store::thread(c, id)?))
        .await?
        .filter(|t| t.channel_id == ch.id && (!t.hidden || p.moderate))
        .ok_or(AppError::NotFound)?;
    Ok((ch, p, t))
}

/// Whether a page's visibility lets everyone see it (for the API and the search).
pub fn page_public(v: Option<PageVisibility>) -> bool {
    v.is_none_or(|v| v == PageVisibility::Public)
}
