//! Saving an event: the slugs of the form (place, organiser, parent) resolved and checked
//! inside the write transaction, the row written, the occurrences materialised. Shared by the
//! web form, the demo village and (later) the iCalendar import.

use chrono_tz::Tz;
use rusqlite::Connection;

use super::recurrence::local_to_utc;
use super::store::{self, occurrences, EventRow};
use super::{event_slug, Event, EventInput, Status, Viewer, HORIZON_SECS};
use crate::auth::User;
use crate::error::AppError;

/// A refusal tied to a form field: (field, message key).
pub type Refusal = (&'static str, &'static str);

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
            None => return Ok(Err(("place", "agenda.place_unknown"))),
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
            return Ok(Err(("organiser", "agenda.organiser_unknown")));
        };
        let kept = current
            .and_then(|c| c.organiser.as_ref())
            .is_some_and(|o| o.id == f.id);
        let member = match user {
            Some(u) => store::refs::active_role(tx, f.id, u.id)?.is_some(),
            None => false,
        };
        if !(kept || member || viewer.staff) {
            return Ok(Err(("organiser", "agenda.organiser_unknown")));
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
    if let Some(slug) = &input.parent_slug {
        let parent = store::event_by_slug(tx, slug)?;
        let ok = match &parent {
            Some(p) if p.parent.is_none() && Some(p.id) != current.map(|c| c.id) => {
                store::refs::access(tx, p, viewer)?.manage
            }
            _ => false,
        };
        if !ok {
            return Ok(Err(("parent", "agenda.parent_unknown")));
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
            .unwrap_or_default(),
        exdates: &input.exdates,
    }
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
    let r = match resolve(tx, input, user, None)? {
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let slug = store::unique_slug(tx, &event_slug(&input.title, input.start.date()))?;
    let status = if user.is_some() {
        Status::Scheduled
    } else {
        Status::Pending
    };
    let id = store::insert_event(
        tx,
        &row(input, &r, &tz),
        &slug,
        &new_uid(),
        status,
        user.map(|u| u.id),
        (&input.submitter_name, &input.submitter_email),
        now,
    )?;
    occurrences::materialise(tx, id, now + HORIZON_SECS)?;
    Ok(Ok(slug))
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
    store::update_event(
        tx,
        current.id,
        &row(input, &r, &current.tz),
        Some(user.id),
        now,
    )?;
    occurrences::materialise(tx, current.id, now + HORIZON_SECS)?;
    Ok(Ok(()))
}
