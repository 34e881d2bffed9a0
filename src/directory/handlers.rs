//! Directory pages: list, detail, create, edit, delete, follow, contact, "my village".

use std::sync::{Arc, LazyLock};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::load;
use super::form::{ContactForm, ListQuery, PER_PAGE};
use super::parent::{check_parent, form_page};
use super::store::{self, follows, members, Origin, Viewer};
use super::views::{self, Around};
use super::{slugify, Access, ActorForm, ActorInput, Kind, MemberRole};
use crate::addresses;
use crate::auth::{plausible_email, User};
use crate::db::memo::Memo;
use crate::db::now;
use crate::error::AppError;
use crate::mail::Mail;
use crate::personal_data::masking::{self, Masking};
use crate::personal_data::store as originals;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{base_url, client_ip, redirect_with_flash, Ctx};

fn viewer(ctx: &Ctx) -> Viewer {
    Viewer {
        user_id: ctx.user.as_ref().map(|u| u.id),
        site_admin: ctx.user.as_ref().is_some_and(User::is_admin),
    }
}

/// One page of the list: its actors, the total, the tag cloud.
type ListPage = (Vec<store::Listing>, i64, Vec<(String, i64)>);

/// GET /directory
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let page = q.page.clamp(1, 100_000);
    let (filter, who) = (q.filter(), viewer(&ctx));
    // A visitor's page is the same for every visitor: memoised until the next write.
    static MEMO: LazyLock<Memo<ListPage>> = LazyLock::new(|| Memo::new(256));
    let anonymous = who.user_id.is_none() && !who.site_admin;
    let key = format!("{filter:?}|{page}");
    let list = state
        .db
        .read(move |c| {
            let read = || -> Result<ListPage, AppError> {
                let (items, total) =
                    store::list_actors(c, &filter, who, PER_PAGE, (page - 1) * PER_PAGE)?;
                Ok((items, total, store::public_tags(c, 40)?))
            };
            if anonymous {
                MEMO.get_or(&key, read)
            } else {
                read().map(Arc::new)
            }
        })
        .await?;
    let (items, total, tags) = list.as_ref();
    Ok(views::list(&ctx, &q, items, *total, page, tags))
}

/// GET /a/{slug}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    let around = around(&state, &ctx, actor.id, sees_original(&ctx, &access)).await?;
    let blocks = crate::web::home::actor_blocks(&state, &ctx, actor.id, &actor.slug).await?;
    let page = views::DetailPage {
        actor: &actor,
        access,
        around: &around,
        contact: None,
        blocks,
    };
    Ok(views::detail(&ctx, &page, StatusCode::OK))
}

/// What the detail page shows around the actor: sub-pages, follows, members, and the
/// originals of its masked text when `originals` (the viewer manages it or moderates).
async fn around(state: &AppState, ctx: &Ctx, id: i64, originals: bool) -> Result<Around, AppError> {
    let user_id = ctx.user.as_ref().map(|u| u.id);
    state
        .db
        .read(move |c| {
            let (following, followers) = follows::follow_state(c, user_id, id)?;
            Ok(Around {
                children: store::children(c, id)?,
                following,
                followers,
                members: members::active_member_count(c, id)?,
                admins: members::admin_count(c, id)?,
                originals: if originals {
                    originals::originals(c, "actor", id)?
                } else {
                    Vec::new()
                },
            })
        })
        .await
}

/// Who sees the original of a page's masked text: the page's admins (its authors, who edit
/// it together) and the site's moderators and admins.
fn sees_original(ctx: &Ctx, access: &Access) -> bool {
    access.can_manage() || masking::is_moderator(ctx.user.as_ref())
}

/// Masks the personal data of a page's summary and description (in the instance's language).
fn mask_actor(tx: &rusqlite::Connection, input: &mut ActorInput) -> rusqlite::Result<Masking> {
    let mut m = Masking::new(originals::village_lang(tx)?);
    m.field("summary", &mut input.summary);
    m.field("description", &mut input.description);
    Ok(m)
}

/// "Saved", or the author is told the personal data of the text was masked.
fn saved_flash(form: &ActorForm) -> &'static str {
    if masking::holds_any(&[&form.summary, &form.description]) {
        masking::FLASH
    } else {
        "flash.saved"
    }
}

/// Query of the new-actor form (`?kind=place&type=room` preselects).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub kind: String,
    #[serde(rename = "type")]
    pub type_: String,
}

/// GET /directory/new
pub async fn new_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let form = ActorForm {
        kind: if Kind::parse(&q.kind).is_some() {
            q.kind.clone()
        } else {
            "organisation".into()
        },
        type_: q.type_.clone(),
        visibility: "public".into(),
        ..Default::default()
    };
    form_page(
        &state,
        &ctx,
        None,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Creates an actor whose admin is its creator (web form and API alike); returns its slug, or
/// `Err((field, message key))` when the parent is not the user's or they already have a profile.
pub fn create_actor(
    tx: &rusqlite::Transaction,
    input: &ActorInput,
    user: &User,
) -> Result<Result<String, (&'static str, &'static str)>, AppError> {
    let mut input = locate(tx, input)?.unwrap_or_else(|| input.clone());
    let masked = mask_actor(tx, &mut input)?;
    let input = &input;
    let Ok(parent) = check_parent(tx, input, None, user)? else {
        return Ok(Err(("parent", "dir.parent_unknown")));
    };
    if input.kind == Kind::Person && store::profile_of(tx, user.id)?.is_some() {
        return Ok(Err(("kind", "dir.profile_exists")));
    }
    let slug = store::unique_slug(tx, &slugify(&input.name))?;
    let origin = Origin {
        created_by: Some(user.id),
        profile_of: (input.kind == Kind::Person).then_some(user.id),
        rna_id: None,
    };
    let id = store::insert_actor(tx, input, &slug, parent, &origin, now())?;
    masked.keep(tx, "actor", id, Some(user.id), now())?;
    members::put_member(tx, id, user.id, MemberRole::Admin, "", true, now())?;
    Ok(Ok(slug))
}

/// The input with the coordinates of its address, found in the imported address base, when it
/// has an address but no coordinates (a form sent without JavaScript); `None` when unchanged.
fn locate(c: &rusqlite::Connection, input: &ActorInput) -> Result<Option<ActorInput>, AppError> {
    if input.lat.is_some() || input.lon.is_some() || input.address.trim().is_empty() {
        return Ok(None);
    }
    let inst = crate::settings::store::load_instance(c)?;
    let around = addresses::Around {
        lat: inst.center_lat,
        lon: inst.center_lon,
        radius_km: inst.radius_km,
    };
    let found = addresses::store::geocode(c, &input.address, Some(&around))?;
    Ok(found.map(|(lat, lon)| ActorInput {
        lat: Some(lat),
        lon: Some(lon),
        ..input.clone()
    }))
}

/// POST /directory/new: creates the actor; its creator becomes its admin.
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<ActorForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(&mut errors) else {
        return form_page(
            &state,
            &ctx,
            None,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let created = state
        .db
        .write(move |tx| create_actor(tx, &input, &user))
        .await?;
    match created {
        Ok(slug) => Ok(redirect_with_flash(
            &ctx,
            &format!("/a/{slug}"),
            saved_flash(&form),
        )),
        Err((field, key)) => {
            errors.add(field, key);
            form_page(
                &state,
                &ctx,
                None,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// GET /a/{slug}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.can_manage() {
        return Err(AppError::Forbidden);
    }
    let mut form = ActorForm::from_actor(&actor);
    // Its editors see what was typed (masked again on save), so that an edit keeps it.
    let id = actor.id;
    let kept = state
        .db
        .read(move |c| Ok(originals::originals(c, "actor", id)?))
        .await?;
    for o in kept {
        match o.field.as_str() {
            "summary" => form.summary = o.original,
            "description" => form.description = o.original,
            _ => {}
        }
    }
    form_page(
        &state,
        &ctx,
        Some(&actor),
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// POST /a/{slug}/edit
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<ActorForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.can_manage() {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    // A person's profile stays a person, and nothing else becomes one.
    let kind_changes = (actor.kind == Kind::Person) != (form.kind == Kind::Person.as_str());
    errors.check(kind_changes, "kind", "dir.kind_locked");
    let input = form.parse(&mut errors).filter(|_| errors.is_empty());
    let Some(input) = input else {
        return form_page(
            &state,
            &ctx,
            Some(&actor),
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (id, uid) = (actor.id, user.id);
    let saved = state
        .db
        .write(move |tx| {
            let mut input = locate(tx, &input)?.unwrap_or(input);
            let Ok(parent) = check_parent(tx, &input, Some(id), &user)? else {
                return Ok(false);
            };
            let masked = mask_actor(tx, &mut input)?;
            store::update_actor(tx, id, &input, parent, Some(uid), now())?;
            masked.keep(tx, "actor", id, Some(uid), now())?;
            Ok(true)
        })
        .await?;
    if !saved {
        errors.add("parent", "dir.parent_unknown");
        return form_page(
            &state,
            &ctx,
            Some(&actor),
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        saved_flash(&form),
    ))
}

/// POST /a/{slug}/delete
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.can_manage() {
        return Err(AppError::Forbidden);
    }
    delete_actor(&state, actor.id).await?;
    Ok(redirect_with_flash(&ctx, "/directory", "flash.deleted"))
}

/// Deletes an actor in one transaction, then its photo file.
pub async fn delete_actor(state: &AppState, id: i64) -> Result<(), AppError> {
    let photo = state
        .db
        .write(move |tx| Ok(store::delete_actor(tx, id)?))
        .await?;
    if let Some(p) = photo {
        crate::uploads::remove(&state.config, Some(&p));
    }
    Ok(())
}

/// POST /a/{slug}/follow and /a/{slug}/unfollow
pub async fn follow(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, _) = load(&state, &ctx, slug.into_inner()).await?;
    let on = !req.path().ends_with("/unfollow");
    let (uid, id) = (user.id, actor.id);
    state
        .db
        .write(move |tx| {
            if on {
                follows::follow(tx, uid, id, now())?;
            } else {
                follows::unfollow(tx, uid, id)?;
            }
            Ok(())
        })
        .await?;
    let flash = if on {
        "flash.followed"
    } else {
        "flash.unfollowed"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        flash,
    ))
}

/// POST /a/{slug}/contact: relays the message by mail to the actor's admins (or, when it has
/// none, the site's admins). The sender's address goes in Reply-To only if they agree.
pub async fn contact(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    let mut form = form.into_inner();
    if let Some(u) = &ctx.user {
        form.name = u.name.clone();
        form.email = u.email.clone();
    }
    let share = form.share_email == "on";
    let mut errors = FormErrors::new();
    errors.check(form.name.trim().is_empty(), "name", "account.name_required");
    errors.check(
        share && !plausible_email(form.email.trim()),
        "email",
        "account.email_invalid",
    );
    let len = form.message.trim().chars().count();
    errors.check(len < 5 || len > 5000, "message", "dir.message_length");
    if errors.is_empty() && !state.limits.mail_ip.hit(&client_ip(&req)) {
        errors.add("message", "error.too_many");
    }
    if !errors.is_empty() {
        let around = around(&state, &ctx, actor.id, sees_original(&ctx, &access)).await?;
        let page = views::DetailPage {
            actor: &actor,
            access,
            around: &around,
            contact: Some((&form, &errors)),
            blocks: maud::html! {},
        };
        let status = if errors.get("message") == Some("error.too_many") {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(views::detail(&ctx, &page, status));
    }
    let id = actor.id;
    let mut recipients = state
        .db
        .read(move |c| Ok(members::admin_addresses(c, id)?))
        .await?;
    if recipients.is_empty() {
        recipients = state
            .db
            .read(|c| Ok(crate::auth::store::admin_addresses(c)?))
            .await?;
    }
    let url = format!("{}/a/{}", base_url(&req, &state), actor.slug);
    let inst = &ctx.instance;
    let sent = state
        .mailer
        .send_each(
            &inst.smtp,
            &inst.name,
            recipients,
            inst.default_lang,
            |lang, to| {
                let reply = lang.t(if share {
                    "dir.contact_reply_hint"
                } else {
                    "dir.contact_no_reply"
                });
                let mut mail = Mail::new(
                    to,
                    lang.tf(
                        "dir.contact_subject",
                        &[("site", &inst.name), ("actor", &actor.name)],
                    ),
                    lang.tf(
                        "dir.contact_body",
                        &[
                            ("name", form.name.trim()),
                            ("actor", &actor.name),
                            ("message", form.message.trim()),
                            ("reply", reply),
                            ("url", &url),
                        ],
                    ),
                );
                mail.reply_to = share.then(|| form.email.trim().to_string());
                mail
            },
        )
        .await;
    let flash = if sent > 0 {
        "flash.message_sent"
    } else {
        "flash.message_not_sent"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("/a/{}", actor.slug),
        flash,
    ))
}

/// GET /my: "my village", what I follow and the groups I belong to.
pub async fn my_village(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let uid = user.id;
    let (followed, memberships) = state
        .db
        .read(move |c| {
            Ok((
                follows::followed_by(c, uid)?,
                members::memberships_of(c, uid)?,
            ))
        })
        .await?;
    let blocks = crate::web::home::village_blocks(&state, &ctx).await?;
    Ok(views::my_village(&ctx, &followed, &memberships, &blocks))
}

/// Whether a user may manage an actor: used by the members and photo handlers too.
pub fn require_manage(access: &Access) -> Result<(), AppError> {
    if access.can_manage() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
