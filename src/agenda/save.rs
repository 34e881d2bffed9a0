//! Saving an event: the slugs of the form (place, organiser, parent) resolved and checked
//! inside the write transaction, the title and description masked of personal data (the
//! originals filed aside), the row written, the occurrences materialised. Shared by the web
//! form, the demo village and the rooms (the iCalendar import masks the same way in sync.rs).

use chrono_tz::Tz;
use rusqlite::Connection;

use super::store::{self, occurrences, EventRow};
use super::{event_slug, Event, EventInput, Status, Viewer, HORIZON_SECS};
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::personal_data::masking::Masking;
use crate::time::local_to_utc;
use crate::web::picker::Choices;

/// Why an event cannot be saved as the form says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A form field and the message key.
    Field(&'static str, &'static str),
    /// The room is booked at this time (UTC seconds): the booking's start and end, never who.
    RoomBooked { start: i64, end: i64 },
}

/// The form's references as ids, and the location to store.
struct Resolved {
    place_id: Option<i64>,
    address: String,
    point: Option<(f64, f64)>,
    organiser_actor_id: Option<i64>,
    organiser_user_id: Option<i64>,
    parent_id: Option<i64>,
}

/// Checks the place, organiser and parent the form names. A person may organise for the pages
/// they are an active member of (staff for any page); keeping the organiser an event already
/// has is always allowed. A parent must be an event the person manages, not itself a sub-event.
fn resolve(
    tx: &Connection,
    input: &EventInput,
    user: Option<&User>,
    current: Option<&Event>,
) -> Result<Result<Resolved, Refusal>, AppError> {
    let (mut place_id, mut address, mut point) =
        (None, input.address.clone(), input.lat.zip(input.lon));
    if let Some(slug) = &input.place_slug {
        match store::refs::actor_facts(tx, slug)?.filter(|f| f.kind == "place") {
            Some(f) => {
                place_id = Some(f.id);
                address = f.address;
                point = f.point;
            }
            None => return Ok(Err(Refusal::Field("place", "agenda.place_unknown"))),
        }
    } else if point.is_none() && !address.trim().is_empty() {
        let inst = crate::settings::store::load_instance(tx)?;
        let around = crate::addresses::Around {
            lat: inst.center_lat,
            lon: inst.center_lon,
            radius_km: inst.radius_km,
        };
        point = crate::addresses::store::geocode(tx, &address, Some(&around))?;
    }
    let viewer = Viewer::of(user);
    let (mut organiser_actor_id, mut organiser_user_id) = (None, user.map(|u| u.id));
    if let Some(slug) = &input.organiser_slug {
        let facts = store::refs::actor_facts(tx, slug)?.filter(|f| f.kind != "person");
        let Some(f) = facts else {
            return Ok(Err(Refusal::Field("organiser", "agenda.organiser_unknown")));
        };
        let kept = current
            .and_then(|c| c.organiser.as_ref())
            .is_some_and(|o| o.id == f.id);
        let member = match user {
            Some(u) => store::refs::active_role(tx, f.id, u.id)?.is_some(),
            None => false,
        };
        if !(kept || member || viewer.staff) {
            return Ok(Err(Refusal::Field("organiser", "agenda.organiser_unknown")));
        }
        organiser_actor_id = Some(f.id);
        organiser_user_id = None;
    } else if let Some(c) = current {
        // An event organised by someone else keeps its person when staff edit it.
        if c.organiser_user.is_some() || c.organiser.is_some() {
            organiser_user_id = c
                .organiser_user
                .as_ref()
                .map(|(id, _)| *id)
                .or(organiser_user_id);
        }
    }
    let mut parent_id = None;
    if let Some(typed) = &input.parent_slug {
        let choices = store::refs::parent_choices(tx, viewer, current.map(|c| c.id), now())?;
        let slug = Choices::new(choices).resolve(typed).unwrap_or_default();
        let parent = store::event_by_slug(tx, &slug)?;
        let ok = match &parent {
            Some(p) if p.parent.is_none() && Some(p.id) != current.map(|c| c.id) => {
                store::refs::access(tx, p, viewer)?.manage
            }
            _ => false,
        };
        if !ok {
            return Ok(Err(Refusal::Field("parent", "agenda.parent_unknown")));
        }
        parent_id = parent.map(|p| p.id);
    }
    Ok(Ok(Resolved {
        place_id,
        address,
        point,
        organiser_actor_id,
        organiser_user_id,
        parent_id,
    }))
}

fn row<'a>(input: &'a EventInput, r: &'a Resolved, tz: &'a Tz) -> EventRow<'a> {
    EventRow {
        title: &input.title,
        description: &input.description,
        type_: input.type_,
        tags: &input.tags,
        tz: tz.name(),
        start: input.start,
        end: input.end,
        start_utc: local_to_utc(*tz, input.start),
        end_utc: local_to_utc(*tz, input.end).max(local_to_utc(*tz, input.start)),
        all_day: input.all_day,
        place_id: r.place_id,
        address: &r.address,
        point: r.point,
        organiser_actor_id: r.organiser_actor_id,
        organiser_user_id: r.organiser_user_id,
        parent_id: r.parent_id,
        visibility: input.visibility,
        capacity: input.capacity,
        rrule: input
            .rule
            .as_ref()
            .map(|r| r.to_string())
            .or_else(|| input.custom_rule.clone())
            .unwrap_or_default(),
        exdates: &input.exdates,
        exdate_times: &input.exdate_times,
        rdates: &input.rdates,
    }
}

/// The input with its title and description masked in the instance's language, and the
/// originals to file once the event's id is known.
fn masked(tx: &Connection, input: &EventInput) -> Result<(EventInput, Masking), AppError> {
    let lang = crate::personal_data::store::village_lang(tx)?;
    let mut input = input.clone();
    let mut m = Masking::new(lang);
    m.field("title", &mut input.title);
    m.field("description", &mut input.description);
    Ok((input, m))
}

/// A UID that stays the event's forever (`<random>@placette`).
fn new_uid() -> String {
    format!(
        "{:016x}{:016x}@placette",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

/// Creates an event in `tz` and its occurrences; returns its slug. Without a user it is a
/// submission that waits for a moderator.
pub fn create(
    tx: &Connection,
    input: &EventInput,
    user: Option<&User>,
    tz: Tz,
    now: i64,
) -> Result<Result<String, Refusal>, AppError> {
    create_linked(tx, input, user, tz, now, |_, _| Ok(()))
}

/// [`create`], with `link` run on the new event's id before it is put in its room: a room
/// booking links the event it publishes, so that the event is the booking, not a clash.
pub fn create_linked(
    tx: &Connection,
    input: &EventInput,
    user: Option<&User>,
    tz: Tz,
    now: i64,
    link: impl FnOnce(&Connection, i64) -> rusqlite::Result<()>,
) -> Result<Result<String, Refusal>, AppError> {
    let r = match resolve(tx, input, user, None)? {
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let (input, m) = masked(tx, input)?;
    let input = &input;
    let slug = store::unique_slug(tx, &event_slug(&input.title, input.start.date()))?;
    let status = if user.is_some() {
        Status::Scheduled
    } else {
        Status::Pending
    };
    tx.execute_batch("SAVEPOINT agenda_save")?;
    // The row goes in without its place, its dates are written, then the place is set: the
    // room's bookings are checked against every date at once (and named if one clashes).
    let placeless = EventRow {
        place_id: None,
        ..row(input, &r, &tz)
    };
    let id = store::insert_event(
        tx,
        &placeless,
        &slug,
        &new_uid(),
        status,
        user.map(|u| u.id),
        (&input.submitter_name, &input.submitter_email),
        now,
    )?;
    m.keep(tx, "event", id, user.map(|u| u.id), now)?;
    occurrences::materialise(tx, id, now + HORIZON_SECS)?;
    link(tx, id)?;
    finish(tx, id, r.place_id, status).map(|done| done.map(|()| slug))
}

/// Saves an edited event (in its own zone) and brings its occurrences in step.
pub fn update(
    tx: &Connection,
    current: &Event,
    input: &EventInput,
    user: &User,
    now: i64,
) -> Result<Result<(), Refusal>, AppError> {
    let r = match resolve(tx, input, Some(user), Some(current))? {
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let (input, m) = masked(tx, input)?;
    let input = &input;
    tx.execute_batch("SAVEPOINT agenda_save")?;
    let placeless = EventRow {
        place_id: None,
        ..row(input, &r, &current.tz)
    };
    store::update_event(tx, current.id, &placeless, Some(user.id), now)?;
    m.keep(tx, "event", current.id, current.created_by, now)?;
    occurrences::materialise(tx, current.id, now + HORIZON_SECS)?;
    finish(tx, current.id, r.place_id, current.status)
}

/// Puts a saved event in its place, unless the place is a room booked at one of its live
/// dates: then everything since the savepoint is undone and the booking's time returned.
fn finish(
    tx: &Connection,
    id: i64,
    place: Option<i64>,
    status: Status,
) -> Result<Result<(), Refusal>, AppError> {
    let clash = match place {
        Some(place) if status == Status::Scheduled => {
            store::rooms::first_booking_clash(tx, id, place)?
        }
        _ => None,
    };
    if let Some((start, end)) = clash {
        tx.execute_batch("ROLLBACK TO agenda_save; RELEASE agenda_save")?;
        return Ok(Err(Refusal::RoomBooked { start, end }));
    }
    store::rooms::set_place(tx, id, place)?;
    tx.execute_batch("RELEASE agenda_save")?;
    Ok(Ok(()))
}
