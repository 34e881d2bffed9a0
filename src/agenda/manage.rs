//! Creating, editing, cancelling and deleting events. Residents with an account publish
//! directly; a visitor without one sends a submission that a moderator approves
//! (`moderation.rs`), and the site's admins are told by mail.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::form::Refs;
use super::handlers::load;
use super::store;
use super::{save, views, Event, EventForm, Status, Viewer};
use crate::db::now;
use crate::error::AppError;
use crate::mail::Mail;
use crate::personal_data::masking;
use crate::personal_data::store as originals;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::picker::Choices;
use crate::web::CurrentUser;
use crate::web::{base_url, client_ip, redirect_with_flash, Ctx};

/// Reads the menus of the event form: the pages the person may organise for, the places.
pub async fn refs(state: &AppState, ctx: &Ctx, ev: Option<&Event>) -> Result<Refs, AppError> {
    let uid = ctx.user.as_ref().map(|u| u.id);
    let viewer = Viewer::of(ctx.user.as_ref());
    let except = ev.map(|e| e.id);
    state
        .db
        .read(move |c| {
            Ok(Refs {
                organisers: match uid {
                    Some(u) => store::refs::organisers_for(c, u)?,
                    None => Vec::new(),
                },
                places: store::refs::places(c, 1000)?,
                parents: match uid {
                    Some(_) => Choices::new(store::refs::parent_choices(c, viewer, except, now())?),
                    None => Choices::default(),
                },
            })
        })
        .await
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    ev: Option<&Event>,
    form: &EventForm,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut refs = refs(state, ctx, ev).await?;
    // The event's own organiser stays in the menu even for staff who are not its members.
    if let Some(org) = ev.and_then(|e| e.organiser.as_ref()) {
        if !refs.organisers.iter().any(|(s, _)| *s == org.slug) {
            refs.organisers
                .insert(0, (org.slug.clone(), org.name.clone()));
        }
    }
    Ok(views::form::event_form(
        ctx, ev, form, errors, &refs, status,
    ))
}

/// Query of the new-event form: `parent` (add a sub-event), `place`, `organiser` preselect.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub parent: String,
    pub place: String,
    pub organiser: String,
}

/// GET /agenda/new: the form (for a visitor without an account, a submission).
pub async fn new_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let form = EventForm {
        type_: "other".into(),
        visibility: "public".into(),
        ends: "never".into(),
        parent: q.parent.clone(),
        place: q.place.clone(),
        organiser: q.organiser.clone(),
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

/// POST /agenda/new
pub async fn create(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EventForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    let anonymous = ctx.user.is_none();
    if anonymous {
        // A submission is public and has no organiser page or parent: a moderator decides.
        (form.visibility, form.organiser, form.parent) =
            ("public".into(), String::new(), String::new());
    }
    let tz = ctx.instance.time_zone;
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(tz, anonymous, &mut errors) else {
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
    if anonymous && !state.limits.mail_ip.hit(&client_ip(&req)) {
        errors.add("title", "error.too_many");
        return form_page(
            &state,
            &ctx,
            None,
            &form,
            &errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let user = ctx.user.clone();
    let created = state
        .db
        .write(move |tx| save::create(tx, &input, user.as_ref(), tz, now()))
        .await?;
    let slug = match created {
        Ok(slug) => slug,
        Err(refusal) => {
            let status = refuse(&mut errors, &ctx, refusal);
            return form_page(&state, &ctx, None, &form, &errors, status).await;
        }
    };
    if anonymous {
        tell_admins(&state, &ctx, &req, form.title.trim()).await?;
        return Ok(redirect_with_flash(
            &ctx,
            "/agenda",
            "flash.agenda.submitted",
        ));
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("/e/{slug}"),
        saved_flash(&form),
    ))
}

/// "Saved", or the author is told the personal data of the text was masked (by `save`).
fn saved_flash(form: &EventForm) -> &'static str {
    if masking::holds_any(&[&form.title, &form.description]) {
        masking::FLASH
    } else {
        "flash.saved"
    }
}

/// A refusal of the save as the form's message and status: a booked room (409) names the
/// booking's time in the village's time zone, never who booked.
fn refuse(errors: &mut FormErrors, ctx: &Ctx, refusal: save::Refusal) -> StatusCode {
    match refusal {
        save::Refusal::Field(field, key) => {
            errors.add(field, key);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        save::Refusal::RoomBooked { start, end } => {
            let (key, args) = booked_message(ctx, start, end);
            errors.add_with("place", key, args);
            StatusCode::CONFLICT
        }
    }
}

/// The message key and its values for a room booked from `start` to `end`.
pub fn booked_message(
    ctx: &Ctx,
    start: i64,
    end: i64,
) -> (&'static str, Vec<(&'static str, String)>) {
    let tz = ctx.instance.time_zone;
    let time = |t: i64| crate::time::utc_to_local(tz, t).format("%H:%M").to_string();
    let same_day = ctx.lang.date(start, tz) == ctx.lang.date(end - 1, tz);
    if same_day {
        (
            "agenda.room_booked",
            vec![
                ("date", ctx.lang.date(start, tz)),
                ("from", time(start)),
                ("to", time(end)),
            ],
        )
    } else {
        (
            "agenda.room_booked_days",
            vec![
                ("from", ctx.lang.datetime(start, tz)),
                ("to", ctx.lang.datetime(end, tz)),
            ],
        )
    }
}

/// Tells the site's admins that a submission waits (after the commit).
async fn tell_admins(
    state: &AppState,
    ctx: &Ctx,
    req: &HttpRequest,
    title: &str,
) -> Result<(), AppError> {
    let admins = state
        .db
        .read(|c| Ok(crate::auth::store::admin_addresses(c)?))
        .await?;
    let url = format!("{}/admin/agenda", base_url(req, state));
    let inst = &ctx.instance;
    state
        .mailer
        .send_each(
            &inst.smtp,
            &inst.name,
            admins,
            inst.default_lang,
            |lang, to| {
                Mail::new(
                    to,
                    lang.tf("agenda.submitted_subject", &[("site", &inst.name)]),
                    lang.tf("agenda.submitted_body", &[("title", title), ("url", &url)]),
                )
            },
        )
        .await;
    Ok(())
}

/// GET /e/{slug}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.manage {
        return Err(AppError::Forbidden);
    }
    let mut form = EventForm::from_event(&ev);
    // The author and the moderators edit what they typed (it is masked again on save).
    if masking::may_see(ctx.user.as_ref(), ev.created_by) {
        let id = ev.id;
        let kept = state
            .db
            .read(move |c| Ok(originals::originals(c, "event", id)?))
            .await?;
        for o in kept {
            match o.field.as_str() {
                "title" => form.title = o.original,
                "description" => form.description = o.original,
                _ => {}
            }
        }
    }
    form_page(
        &state,
        &ctx,
        Some(&ev),
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// POST /e/{slug}/edit
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<EventForm>,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.manage {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(ev.tz, false, &mut errors) else {
        return form_page(
            &state,
            &ctx,
            Some(&ev),
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let current = ev.clone();
    let saved = state
        .db
        .write(move |tx| save::update(tx, &current, &input, &user, now()))
        .await?;
    if let Err(refusal) = saved {
        let status = refuse(&mut errors, &ctx, refusal);
        return form_page(&state, &ctx, Some(&ev), &form, &errors, status).await;
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("/e/{}", ev.slug),
        saved_flash(&form),
    ))
}

/// POST /e/{slug}/delete: the event, its dates and answers; its sub-events stay, on their own.
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.manage {
        return Err(AppError::Forbidden);
    }
    delete_event(&state, ev.id).await?;
    Ok(redirect_with_flash(&ctx, "/agenda", "flash.deleted"))
}

/// Deletes an event in one transaction, then its image file.
pub async fn delete_event(state: &AppState, id: i64) -> Result<(), AppError> {
    let image = state
        .db
        .write(move |tx| Ok(store::delete_event(tx, id)?))
        .await?;
    if let Some(i) = image {
        crate::uploads::remove(&state.config, Some(&i));
    }
    Ok(())
}

/// POST /e/{slug}/cancel and /e/{slug}/restore: the whole event called off (still shown,
/// marked cancelled in pages and feeds) or back on.
pub async fn cancel(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    if !access.manage || ev.status == Status::Pending {
        return Err(AppError::Forbidden);
    }
    let restore = req.path().ends_with("/restore");
    let status = if restore {
        Status::Scheduled
    } else {
        Status::Cancelled
    };
    let (id, uid) = (ev.id, user.id);
    let done = state
        .db
        .write(move |tx| {
            // Back on only if its room is not booked meanwhile at one of its dates: the
            // guarantee's trigger refuses it (migration 15).
            match store::set_status(tx, id, status, Some(uid), now()) {
                Ok(_) => Ok(true),
                Err(e) if store::rooms::is_overlap(&e) => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    if !done {
        return Ok(redirect_with_flash(
            &ctx,
            &format!("/e/{}", ev.slug),
            "flash.agenda.room_booked",
        ));
    }
    let flash = if restore {
        "flash.agenda.restored"
    } else {
        "flash.agenda.cancelled"
    };
    Ok(redirect_with_flash(&ctx, &format!("/e/{}", ev.slug), flash))
}
