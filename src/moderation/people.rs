//! People: a site moderator suspends a person (for a while or for good) or masks all their
//! public content at once (restorable); a page's admins mask a person on their page.

use actix_web::{web, HttpResponse};

use super::form::{clean, PageMaskForm, PersonForm};
use super::handlers::{mail_to, require_staff};
use super::store::{self, Hidden, LogEntry};
use super::{targets, views, FOREVER};
use crate::auth::User;
use crate::db::now;
use crate::directory::access;
use crate::error::AppError;
use crate::outbox;
use crate::state::AppState;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// GET /moderation/people/{id}
pub async fn person_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let id = id.into_inner();
    let (person, log) = state
        .db
        .read(move |c| {
            let p = store::person(c, id)?.ok_or(AppError::NotFound)?;
            let f = store::LogFilter {
                user_id: Some(id),
                ..store::LogFilter::default()
            };
            Ok((p, store::log_entries(c, &f, 100)?))
        })
        .await?;
    Ok(views::person_page(
        &ctx,
        &person,
        &log,
        &PersonForm::default(),
    ))
}

/// Whether `me` may act on `person`: never on oneself; moderators not on staff.
fn may_act(me: &User, person: &store::Person) -> bool {
    me.id != person.id && (me.is_admin() || person.role == "member")
}

/// POST /moderation/people/{id}/{action}: suspend, unsuspend, mask, unmask.
pub async fn act(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(i64, String)>,
    form: web::Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let me = require_staff(&user)?;
    let (id, action) = path.into_inner();
    if !["suspend", "unsuspend", "mask", "unmask"].contains(&action.as_str()) {
        return Err(AppError::NotFound);
    }
    let days = form.days.trim();
    let until = if days.is_empty() {
        Some(FOREVER)
    } else {
        match days.parse::<i64>().ok().filter(|d| (1..=3650).contains(d)) {
            Some(d) => Some(now() + d * 86_400),
            None => {
                let person = state
                    .db
                    .read(move |c| Ok(store::person(c, id)?.ok_or(AppError::NotFound)?))
                    .await?;
                let mut e = crate::web::forms::FormErrors::new();
                e.add("days", "moderation.error_days");
                return Ok(views::person_page_with(&ctx, &person, &[], &form, &e));
            }
        }
    };
    let reason = clean(&form.reason);
    let inst = ctx.instance.clone();
    let base = ctx.base.clone();
    let flash = state
        .db
        .write(move |tx| {
            let at = now();
            let person = store::person(tx, id)?.ok_or(AppError::NotFound)?;
            if !may_act(&me, &person) {
                return Err(AppError::Forbidden);
            }
            let before = serde_json::json!({
                "suspended_until": person.suspended_until,
                "masked": person.masked_at.is_some(),
            })
            .to_string();
            let mut hidden_count = 0usize;
            let flash = match action.as_str() {
                "suspend" => {
                    store::set_suspension(tx, id, until, &reason)?;
                    let when = match until {
                        Some(FOREVER) | None => {
                            inst.default_lang.t("moderation.for_good").to_string()
                        }
                        Some(u) => inst.default_lang.datetime(u, inst.time_zone),
                    };
                    let text = inst.default_lang.tf(
                        "moderation.notice_suspended",
                        &[("until", &when), ("reason", &reason)],
                    );
                    store::add_notice(tx, id, "", None, &text, at)?;
                    let lang = person
                        .lang
                        .as_deref()
                        .and_then(crate::i18n::Lang::from_code);
                    let data = format!("{base}/account");
                    mail_to(
                        tx,
                        (person.email.clone(), lang),
                        inst.default_lang,
                        ("moderation.mail_suspended_subject", &[("site", &inst.name)]),
                        (
                            "moderation.mail_suspended_body",
                            &[("until", &when), ("reason", &reason), ("url", &data)],
                        ),
                        at,
                    )?;
                    "flash.moderation.suspended"
                }
                "unsuspend" => {
                    store::set_suspension(tx, id, None, "")?;
                    "flash.moderation.unsuspended"
                }
                "mask" => {
                    if person.masked_at.is_none() {
                        for t in targets() {
                            for item_id in (t.by_author)(tx, id)? {
                                if store::hidden_one(tx, t.kind, item_id)?.is_some() {
                                    continue;
                                }
                                let prior = (t.hide)(tx, item_id, me.id, at)?;
                                let h = Hidden {
                                    kind: t.kind.to_string(),
                                    item_id,
                                    before: prior,
                                    reason: reason.clone(),
                                    hidden_at: at,
                                    masked_user: Some(id),
                                };
                                store::mark_hidden(tx, &h, me.id, Some(id))?;
                                hidden_count += 1;
                            }
                        }
                        store::set_masked(tx, id, Some(at))?;
                    }
                    "flash.moderation.masked"
                }
                _ => {
                    for h in store::hidden_by_mask(tx, id)? {
                        if let Some(t) = super::target(&h.kind) {
                            // A restore a module's rule refuses stays hidden (listed in the queue).
                            tx.execute_batch("SAVEPOINT unmask_one")?;
                            match (t.restore)(tx, h.item_id, &h.before) {
                                Ok(()) => {
                                    store::unmark_hidden(tx, &h.kind, h.item_id)?;
                                    tx.execute_batch("RELEASE unmask_one")?;
                                    hidden_count += 1;
                                }
                                Err(_) => {
                                    tx.execute_batch("ROLLBACK TO unmask_one; RELEASE unmask_one")?
                                }
                            }
                        }
                    }
                    store::set_masked(tx, id, None)?;
                    "flash.moderation.unmasked"
                }
            };
            let after = store::person(tx, id)?
                .map(|p| {
                    serde_json::json!({
                        "suspended_until": p.suspended_until,
                        "masked": p.masked_at.is_some(),
                        "items": hidden_count,
                    })
                    .to_string()
                })
                .unwrap_or_default();
            store::log(
                tx,
                &LogEntry {
                    at,
                    moderator_id: Some(me.id),
                    moderator: me.name.clone(),
                    action: action.clone(),
                    kind: "user".into(),
                    item_id: None,
                    user_id: Some(id),
                    reason: reason.clone(),
                    before,
                    after,
                    ..LogEntry::default()
                },
            )?;
            Ok(flash)
        })
        .await?;
    outbox::flush(&state).await;
    Ok(redirect_with_flash(
        &ctx,
        &format!("/moderation/people/{id}"),
        flash,
    ))
}

/// GET /a/{slug}/masked: the people masked on a page (its admins and the site's).
pub async fn page_masked(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(_): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, acc) = access::load(&state, &ctx, slug.into_inner()).await?;
    if !(acc.admin || acc.site_admin || ctx.user.as_ref().is_some_and(User::is_staff)) {
        return Err(AppError::Forbidden);
    }
    let aid = actor.id;
    let people = state
        .db
        .read(move |c| Ok(store::masked_people_on(c, aid)?))
        .await?;
    Ok(views::page_masked(&ctx, &actor.slug, &actor.name, &people))
}

/// POST /a/{slug}/mask and /a/{slug}/unmask: a page's admins mask (or unmask) a person on
/// their page; the person can no longer post or comment there.
pub async fn page_mask(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
    form: web::Form<PageMaskForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, action) = path.into_inner();
    let mask = match action.as_str() {
        "mask" => true,
        "unmask" => false,
        _ => return Err(AppError::NotFound),
    };
    let (actor, acc) = access::load(&state, &ctx, slug).await?;
    if !(acc.admin || acc.site_admin || user.is_staff()) {
        return Err(AppError::Forbidden);
    }
    let target: i64 = form
        .user_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    if target == user.id {
        return Err(AppError::Forbidden);
    }
    let reason = clean(&form.reason);
    let (aid, aslug) = (actor.id, actor.slug.clone());
    state
        .db
        .write(move |tx| {
            store::person(tx, target)?.ok_or(AppError::NotFound)?;
            let changed = if mask {
                store::mask_on(tx, aid, target, user.id, &reason, now())?
            } else {
                store::unmask_on(tx, aid, target)?
            };
            if changed {
                store::log(
                    tx,
                    &LogEntry {
                        at: now(),
                        moderator_id: Some(user.id),
                        moderator: user.name.clone(),
                        action: if mask { "page_mask" } else { "page_unmask" }.into(),
                        kind: "actor".into(),
                        item_id: Some(aid),
                        user_id: Some(target),
                        reason: reason.clone(),
                        ..LogEntry::default()
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{aslug}/masked"),
        if mask {
            "flash.moderation.page_masked"
        } else {
            "flash.moderation.page_unmasked"
        },
    ))
}

/// The reports a person made, for their account page (the outcomes) and their data.
pub async fn my_reports(
    state: &AppState,
    user_id: i64,
) -> Result<Vec<(store::Report, String)>, AppError> {
    state
        .db
        .read(move |c| {
            let reports = store::reports_by(c, user_id)?;
            let keys: Vec<(String, i64)> = reports
                .iter()
                .map(|r| (r.kind.clone(), r.item_id))
                .collect();
            let items = super::handlers::items_of(c, &keys)?;
            Ok(reports
                .into_iter()
                .map(|r| {
                    let title = items
                        .get(&(r.kind.clone(), r.item_id))
                        .map(|(_, i)| i.title.clone())
                        .unwrap_or_default();
                    (r, title)
                })
                .collect())
        })
        .await
}

/// GET /account/moderation
pub async fn my_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let reports = my_reports(&state, user.id).await?;
    let uid = user.id;
    let notices = state.db.read(move |c| Ok(store::notices(c, uid)?)).await?;
    Ok(views::my_page(&ctx, &reports, &notices))
}
