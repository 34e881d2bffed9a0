//! GET /account/export and POST /account/delete.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{self, store, verify_password, Role};
use crate::directory::store as directory;
use crate::error::AppError;
use crate::mail::Mail;
use crate::state::AppState;
use crate::web::context::SESSION_COOKIE;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// GET /account/export: the person's data as a JSON download.
pub async fn export(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let doc = state.db.read(move |c| super::collect(c, &user)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"placette-my-data.json\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string_pretty(&doc)?))
}

/// The deletion form: the password confirms it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    pub delete_password: String,
}

/// POST /account/delete: removes the account and its personal data. Pages the person created
/// stay (their author becomes unknown); their public profile, memberships and follows go.
/// Every newsletter subscription of the address ends; future room bookings made for oneself
/// are cancelled (with the agenda dates they published); mutual-aid posts go; news posts,
/// comments and events stay, signed « ancien membre ».
/// The last site admin cannot leave the instance without an admin.
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let email = user.email.clone();
    let found = state
        .db
        .read(move |c| Ok(store::user_by_email(c, &email)?))
        .await?;
    let password = form.delete_password.clone();
    let ok = web::block(move || found.is_some_and(|(_, hash)| verify_password(&password, &hash)))
        .await?;
    let mut errors = FormErrors::new();
    errors.check(!ok, "delete_password", "privacy.password_wrong");
    let id = user.id;
    if errors.is_empty() {
        // The whole deletion is one write transaction: it happens entirely or not at all.
        let outcome = state
            .db
            .write(move |tx| {
                if user.role == Role::Admin && store::admin_count(tx)? <= 1 {
                    return Ok(Err("privacy.last_admin"));
                }
                let now = crate::db::now();
                // Every subscription of the address ends, one made before the account too.
                crate::lists::store::subscribers::end_all_of(tx, id, &user.email, now)?;
                // Future bookings for oneself are cancelled and the rooms freed; those made
                // for an association stay with it, under its name.
                crate::rooms::store::leaving::cancel_own_future(tx, id, now)?;
                // Leaving is a right: pages whose only admin leaves are handed to the site's
                // admins, who are told below.
                let orphans = directory::members::sole_admin_of(tx, id)?;
                // Their mutual-aid posts go with the account, and so do the posts' photos.
                let mut photos = crate::aid::store::photos_of_author(tx, id)?;
                if let Some(profile) = directory::profile_id_of(tx, id)? {
                    photos.extend(directory::delete_actor(tx, profile)?);
                }
                store::delete_user(tx, id)?;
                Ok(Ok((photos, orphans, store::admin_addresses(tx)?)))
            })
            .await?;
        if let Ok((photos, orphans, site_admins)) = &outcome {
            for p in photos {
                crate::uploads::remove(&state.config, Some(p));
            }
            if !orphans.is_empty() {
                let inst = &ctx.instance;
                let pages = orphans.join("\n- ");
                state
                    .mailer
                    .send_each(
                        &inst.smtp,
                        &inst.name,
                        site_admins.clone(),
                        inst.default_lang,
                        |lang, to| {
                            Mail::new(
                                to,
                                lang.tf("privacy.orphans_subject", &[("site", &inst.name)]),
                                lang.tf("privacy.orphans_body", &[("pages", &pages)]),
                            )
                        },
                    )
                    .await;
            }
            let mut res = redirect_with_flash(&ctx, "/", "flash.account_deleted");
            let mut gone = ctx.cookie(SESSION_COOKIE, String::new(), None);
            gone.make_removal();
            let _ = res.add_cookie(&gone);
            return Ok(res);
        }
        if let Err(key) = outcome {
            errors.add("delete_password", key);
        }
    }
    let name = ctx
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    auth::account::render(
        &ctx,
        &state,
        id,
        &name,
        &errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
