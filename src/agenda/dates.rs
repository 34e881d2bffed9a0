//! One date of an event on its own: cancelled, restored, moved or retitled, and the RSVPs
//! (going / interested) with the capacity checked in the write transaction.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::form::{OccurrenceForm, OccurrenceInput};
use super::handlers::{around, load};
use super::store::{self, occurrences, rsvps};
use super::{views, Event, Occurrence, Rsvp, Status};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{local_to_utc, utc_to_local};
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect, redirect_with_flash, Ctx};

/// The page of one date.
fn date_url(ev: &Event, rid: i64) -> String {
    if ev.is_series() {
        format!("/e/{}?o={rid}", ev.slug)
    } else {
        format!("/e/{}", ev.slug)
    }
}

/// The event (which the user manages) and one of its dates.
async fn managed_date(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    rid: i64,
) -> Result<(Event, Occurrence), AppError> {
    let (ev, access) = load(state, ctx, slug).await?;
    if !access.manage {
        return Err(AppError::Forbidden);
    }
    let id = ev.id;
    let occ = state
        .db
        .read(move |c| Ok(occurrences::by_recurrence_id(c, id, rid)?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((ev, occ))
}

/// POST /e/{slug}/dates/{rid}/cancel and .../restore: one date called off (shown struck
/// through, STATUS:CANCELLED in the feeds) or back on.
pub async fn cancel(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, rid) = path.into_inner();
    let (ev, occ) = managed_date(&state, &ctx, slug, rid).await?;
    let off = !req.path().ends_with("/restore");
    let (id, oid, uid) = (ev.id, occ.id, user.id);
    let done = state
        .db
        .write(move |tx| {
            // Back on only if its room is not booked at that time meanwhile: the guarantee's
            // trigger refuses it (migration 15).
            match occurrences::set_cancelled(tx, oid, off) {
                Ok(()) => {}
                Err(e) if store::rooms::is_overlap(&e) => return Ok(false),
                Err(e) => return Err(e.into()),
            }
            store::touch(tx, id, Some(uid), now())?;
            Ok(true)
        })
        .await?;
    if !done {
        return Ok(redirect_with_flash(
            &ctx,
            &date_url(&ev, rid),
            "flash.agenda.room_booked",
        ));
    }
    let flash = if off {
        "flash.agenda.date_cancelled"
    } else {
        "flash.agenda.restored"
    };
    Ok(redirect_with_flash(&ctx, &date_url(&ev, rid), flash))
}

fn date_form(ev: &Event, o: &Occurrence) -> OccurrenceForm {
    let (start, end) = (
        utc_to_local(ev.tz, o.start_utc),
        utc_to_local(ev.tz, o.end_utc),
    );
    OccurrenceForm {
        date: start.format("%Y-%m-%d").to_string(),
        start_time: start.format("%H:%M").to_string(),
        end_time: if o.end_utc > o.start_utc {
            end.format("%H:%M").to_string()
        } else {
            String::new()
        },
        title: o.title.clone().unwrap_or_default(),
        note: o.note.clone(),
    }
}

/// GET /e/{slug}/dates/{rid}/edit
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, rid) = path.into_inner();
    let (ev, occ) = managed_date(&state, &ctx, slug, rid).await?;
    let form = date_form(&ev, &occ);
    Ok(views::form::date_form(
        &ctx,
        &ev,
        &occ,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /e/{slug}/dates/{rid}/edit: this date alone gets other times, title or note; the
/// rest of the series is unchanged, and a later edit of the series keeps this date as it is.
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<OccurrenceForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, rid) = path.into_inner();
    let (ev, occ) = managed_date(&state, &ctx, slug, rid).await?;
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let days = ((ev.end - ev.start).num_seconds() / 86_400).max(1);
    let Some(OccurrenceInput {
        start,
        end,
        title,
        note,
    }) = form.parse(ev.all_day, days, &mut errors)
    else {
        return Ok(views::form::date_form(
            &ctx,
            &ev,
            &occ,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let (tz, id, oid, uid) = (ev.tz, ev.id, occ.id, user.id);
    let (cancelled, live) = (occ.cancelled, ev.status == super::Status::Scheduled);
    let booked = state
        .db
        .write(move |tx| {
            let (s, e) = (local_to_utc(tz, start), local_to_utc(tz, end));
            // A live date moved into a time its room is booked: refused, naming the booking.
            if !cancelled && live {
                if let Some(b) = store::rooms::booking_over(tx, id, s, e)? {
                    return Ok(Some(b));
                }
            }
            occurrences::set_override(tx, oid, s, e, title.as_deref(), &note)?;
            store::touch(tx, id, Some(uid), now())?;
            Ok(None)
        })
        .await?;
    if let Some((start, end)) = booked {
        let (key, args) = super::manage::booked_message(&ctx, start, end);
        errors.add_with("date", key, args);
        return Ok(views::form::date_form(
            &ctx,
            &ev,
            &occ,
            &form,
            &errors,
            StatusCode::CONFLICT,
        ));
    }
    Ok(redirect_with_flash(
        &ctx,
        &date_url(&ev, rid),
        "flash.saved",
    ))
}

/// The RSVP form: the date (recurrence id; empty: the next date) and the answer (going,
/// interested, none).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RsvpForm {
    pub o: String,
    pub answer: String,
}

/// POST /e/{slug}/rsvp: going or interested for one date, or neither. "Going" is refused
/// with 409 (the page says the event is full) when every place is taken.
pub async fn rsvp(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<RsvpForm>,
) -> Result<HttpResponse, AppError> {
    let (ev, access) = load(&state, &ctx, slug.into_inner()).await?;
    // Without a date, the next one (the only one of a single event).
    let rid = match form.o.trim() {
        "" => None,
        o => Some(o.parse::<i64>().map_err(|_| AppError::NotFound)?),
    };
    let answer = Rsvp::parse(&form.answer);
    let (id, capacity, uid, now) = (ev.id, ev.capacity, user.id, now());
    let status = ev.status;
    let (outcome, rid) = state
        .db
        .write(move |tx| {
            let found = match rid {
                Some(rid) => occurrences::by_recurrence_id(tx, id, rid)?,
                None => occurrences::current(tx, id, now)?,
            };
            let Some(o) = found else {
                return Err(AppError::NotFound);
            };
            // No new answer for a date that is off or over; withdrawing is always possible.
            if answer.is_some() && (status != Status::Scheduled || o.cancelled || o.end_utc <= now)
            {
                return Err(AppError::Forbidden);
            }
            let outcome = rsvps::set(tx, o.id, uid, answer, capacity, now)?;
            Ok((outcome, o.recurrence_id))
        })
        .await?;
    if outcome == rsvps::Outcome::Full {
        let mut page = around(&state, &ctx, &ev, Some(rid)).await?;
        page.full = true;
        return Ok(views::event::page(
            &ctx,
            &ev,
            access,
            &page,
            StatusCode::CONFLICT,
        ));
    }
    Ok(redirect(&format!("{}#rsvp", date_url(&ev, rid))))
}
