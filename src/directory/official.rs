//! POST /a/{slug}/official: a site admin marks a page official (town hall, school, public
//! service), or no longer; the change goes to the moderation log.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::access::load;
use super::store::official;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{redirect_with_flash, Admin, Ctx};

/// The control's form: `official=1` marks, anything else unmarks.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfficialForm {
    pub official: String,
}

/// POST /a/{slug}/official (site admins only: anyone else gets 403).
pub async fn set(
    ctx: Ctx,
    state: web::Data<AppState>,
    Admin(admin): Admin,
    slug: web::Path<String>,
    form: web::Form<OfficialForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, _) = load(&state, &ctx, slug.into_inner()).await?;
    let on = form.official == "1";
    let id = actor.id;
    state
        .db
        .write(move |tx| {
            Ok(official::set_official(
                tx,
                id,
                on,
                (admin.id, &admin.name),
                now(),
            )?)
        })
        .await?;
    let flash = if on {
        "flash.official_marked"
    } else {
        "flash.official_removed"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        flash,
    ))
}
