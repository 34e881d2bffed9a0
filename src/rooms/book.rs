//! Booking inside one write transaction: who may book, every rule for every occurrence, the
//! clash test against confirmed bookings (the triggers of migration 12 being the last line),
//! decisions, cancellations, and the agenda event of a public booking.

use chrono::{Datelike, Days, Months, NaiveDate};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::store::{self, bookings, bookings::NewBooking};
use super::{Booking, BookingInput, Room, Rules, Slot, Status, Who, Why};
use crate::auth::User;
use crate::error::AppError;
use crate::time::local_to_utc;

/// What a booking request came to.
#[derive(Debug)]
pub enum Outcome {
    /// Written: the new ids, their status, and how many occurrences were left out.
    Booked {
        ids: Vec<i64>,
        status: Status,
        skipped: usize,
    },
    /// Some occurrences cannot be booked: every occurrence with its reason (nothing written).
    Report(Vec<(Slot, Option<Why>)>),
    /// The person may not book this room, or not for that actor: a message key.
    Refused(&'static str),
}

/// Whether the account manages the room (site admins manage every room).
pub fn manages(conn: &Connection, room_id: i64, user: &User) -> Result<bool, AppError> {
    Ok(user.is_admin() || store::is_manager(conn, room_id, user.id)?)
}

/// Whether a write failed on THE guarantee's trigger (two confirmed bookings).
pub fn is_overlap(e: &rusqlite::Error) -> bool {
    e.to_string().contains("room_booking_overlap")
}

/// Whether a write failed on the guarantee's agenda side: an event of the agenda is held in
/// the room then (migration 15).
pub fn is_event_overlap(e: &rusqlite::Error) -> bool {
    e.to_string().contains("room_booking_event")
}

/// The UTC bounds of the local ISO week and calendar month of a slot.
fn periods(tz: Tz, slot: &Slot) -> [(i64, i64); 2] {
    let d = slot.start_local.date();
    let monday = d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let at = |d: NaiveDate| local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default());
    let next_week = monday.checked_add_days(Days::new(7)).unwrap_or(monday);
    let next_month = first.checked_add_months(Months::new(1)).unwrap_or(first);
    [(at(monday), at(next_week)), (at(first), at(next_month))]
}

/// Checks who may book: the actor booked for must be one the person is an active member of;
/// then the room's rule (any account / members of the listed actors / managers only).
fn may_book(
    tx: &Connection,
    room: &Room,
    rules: &Rules,
    user: &User,
    manager: bool,
    actor_slug: Option<&str>,
) -> Result<Result<Option<i64>, &'static str>, AppError> {
    let actor_id = match actor_slug {
        None => None,
        Some(slug) => {
            let mine = store::bookable_actors(tx, user.id)?;
            match mine.into_iter().find(|a| a.1 == slug) {
                Some(a) => Some(a.0),
                None => return Ok(Err("rooms.actor_not_yours")),
            }
        }
    };
    let allowed = manager
        || match rules.who {
            Who::Any => true,
            Who::Managers => false,
            Who::Members => match actor_id {
                Some(a) => store::is_allowed(tx, room.id, a)?,
                None => store::member_of_allowed(tx, room.id, user.id)?,
            },
        };
    Ok(if allowed {
        Ok(actor_id)
    } else {
        Err(match rules.who {
            Who::Members => "rooms.refused_members",
            _ => "rooms.refused_managers",
        })
    })
}

/// Every occurrence with the reason it cannot be booked, if any. Quotas count the bookings
/// already made and the earlier occurrences of this request; managers have none.
#[allow(clippy::too_many_arguments)]
fn plan(
    tx: &Connection,
    room: &Room,
    rules: &Rules,
    slots: Vec<Slot>,
    user_id: i64,
    actor_id: Option<i64>,
    manager: bool,
    tz: Tz,
    now: i64,
) -> Result<Vec<(Slot, Option<Why>)>, AppError> {
    let mut accepted: Vec<[(i64, i64); 2]> = Vec::new();
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        let mut why = rules.check_slot(&room.hours, &slot, now);
        let busy_end = slot.end + rules.buffer_secs();
        if why.is_none() && bookings::clashes(tx, room.id, slot.start, busy_end, None)? {
            why = Some(Why::Taken);
        }
        if why.is_none() && bookings::event_clashes(tx, room.id, slot.start, busy_end, None)? {
            why = Some(Why::Event);
        }
        let ps = periods(tz, &slot);
        if why.is_none() && !manager {
            for (i, quota) in [rules.quota_week, rules.quota_month]
                .into_iter()
                .enumerate()
            {
                let Some(quota) = quota else { continue };
                let planned = accepted.iter().filter(|p| p[i] == ps[i]).count() as i64;
                if bookings::count_for(tx, room.id, actor_id, user_id, ps[i])? + planned >= quota {
                    why = Some(Why::Quota);
                }
            }
        }
        if why.is_none() {
            accepted.push(ps);
        }
        out.push((slot, why));
    }
    Ok(out)
}

/// Books a request (one date or a series) in the caller's transaction. With `only_free`, the
/// occurrences that cannot be booked are left out; without it, any such occurrence gives the
/// report and nothing is written.
pub fn book(
    tx: &Connection,
    room: &Room,
    user: &User,
    input: &BookingInput,
    tz: Tz,
    now: i64,
    only_free: bool,
) -> Result<Outcome, AppError> {
    let rules = store::rules_of(tx, room.id)?;
    let manager = manages(tx, room.id, user)?;
    let actor_id = match may_book(tx, room, &rules, user, manager, input.actor_slug.as_deref())? {
        Ok(a) => a,
        Err(key) => return Ok(Outcome::Refused(key)),
    };
    let planned = plan(
        tx,
        room,
        &rules,
        input.slots(tz),
        user.id,
        actor_id,
        manager,
        tz,
        now,
    )?;
    let skipped = planned.iter().filter(|(_, w)| w.is_some()).count();
    if skipped > 0 && (!only_free || skipped == planned.len()) {
        return Ok(Outcome::Report(planned));
    }
    let status = if rules.approval && !manager {
        Status::Requested
    } else {
        Status::Confirmed
    };
    let series = planned.len() > 1;
    let mut ids: Vec<i64> = Vec::new();
    // Checked above in this very transaction, so the triggers refuse nothing here but through a
    // bug elsewhere; then no date of the request stays booked.
    tx.execute_batch("SAVEPOINT room_book")?;
    for (slot, _) in planned.iter().filter(|(_, w)| w.is_none()) {
        let new = NewBooking {
            room_id: room.id,
            start: slot.start,
            end: slot.end,
            busy_end: slot.end + rules.buffer_secs(),
            user_id: user.id,
            actor_id,
            purpose: &input.purpose,
            public: input.public,
            status,
            series_id: ids.first().copied(),
        };
        let id = match bookings::insert(tx, &new, now) {
            Ok(id) => id,
            Err(e) if is_overlap(&e) || is_event_overlap(&e) => {
                tx.execute_batch("ROLLBACK TO room_book; RELEASE room_book")?;
                let why = if is_overlap(&e) {
                    Why::Taken
                } else {
                    Why::Event
                };
                return Ok(Outcome::Report(vec![(slot.clone(), Some(why))]));
            }
            Err(e) => return Err(e.into()),
        };
        if series && ids.is_empty() {
            bookings::set_series(tx, id, id)?;
        }
        ids.push(id);
    }
    tx.execute_batch("RELEASE room_book")?;
    if status == Status::Confirmed && input.public && !series {
        if let Some(b) = bookings::by_id(tx, ids[0])? {
            publish(tx, &b, user, tz, now)?;
        }
    }
    Ok(Outcome::Booked {
        ids,
        status,
        skipped,
    })
}

/// Publishes a confirmed public booking as an agenda event at the room, organised by the
/// actor booked for (or the booker), and links it.
pub fn publish(
    tx: &Connection,
    b: &Booking,
    booker: &User,
    tz: Tz,
    now: i64,
) -> Result<(), AppError> {
    use crate::time::utc_to_local;
    let input = crate::agenda::EventInput {
        title: b.purpose.clone(),
        description: String::new(),
        type_: crate::agenda::EventType::Other,
        tags: Vec::new(),
        start: utc_to_local(tz, b.start),
        end: utc_to_local(tz, b.end),
        all_day: false,
        rule: None,
        custom_rule: None,
        exdate_times: Vec::new(),
        rdates: Vec::new(),
        exdates: Vec::new(),
        place_slug: Some(b.room_slug.clone()),
        address: String::new(),
        lat: None,
        lon: None,
        organiser_slug: b.actor.as_ref().map(|a| a.1.clone()),
        parent_slug: None,
        visibility: crate::agenda::Visibility::Public,
        capacity: None,
        submitter_name: String::new(),
        submitter_email: String::new(),
    };
    // The booking is linked before the event is put in the room: it is the booking's own
    // event, not a clash with it.
    let link = |tx: &Connection, id: i64| bookings::set_event(tx, b.id, id);
    let _ = crate::agenda::save::create_linked(tx, &input, Some(booker), tz, now, link)?;
    Ok(())
}

/// A manager's decision on a request: approval is refused (with a message key) when the slot
/// is now taken; the booker is told by mail either way.
pub fn decide(
    tx: &Connection,
    b: &Booking,
    manager: &User,
    approve: bool,
    tz: Tz,
    now: i64,
) -> Result<Result<(), &'static str>, AppError> {
    if b.status != Status::Requested {
        return Ok(Err("rooms.already_decided"));
    }
    if !approve {
        bookings::set_status(
            tx,
            b.id,
            Status::Declined,
            manager.id,
            now,
            Some("decision"),
        )?;
        return Ok(Ok(()));
    }
    if bookings::clashes(tx, b.room_id, b.start, b.busy_end, Some(b.id))? {
        return Ok(Err("rooms.approve_clash"));
    }
    if bookings::event_clashes(tx, b.room_id, b.start, b.busy_end, Some(b.id))? {
        return Ok(Err("rooms.approve_event"));
    }
    match bookings::set_status(
        tx,
        b.id,
        Status::Confirmed,
        manager.id,
        now,
        Some("decision"),
    ) {
        Ok(_) => {}
        Err(e) if is_overlap(&e) => return Ok(Err("rooms.approve_clash")),
        Err(e) if is_event_overlap(&e) => return Ok(Err("rooms.approve_event")),
        Err(e) => return Err(e.into()),
    }
    if b.public && b.series_id.is_none() {
        let booker = match b.user_id {
            Some(id) => crate::auth::store::user_by_id(tx, id)?,
            None => None,
        };
        if let Some(booker) = booker {
            publish(tx, b, &booker, tz, now)?;
        }
    }
    Ok(Ok(()))
}

/// A manager's decision on the rest of a series from `b` on: declines every request left, or
/// approves each one that does not clash (those that do stay requested, for a decision one by
/// one). Returns (decided, left).
pub fn decide_series(
    tx: &Connection,
    b: &Booking,
    manager: &User,
    approve: bool,
    now: i64,
) -> Result<(usize, usize), AppError> {
    let Some(series) = b.series_id else {
        return Ok((0, 0));
    };
    let (mut done, mut left) = (0, 0);
    for t in bookings::series_from(tx, series, b.start)? {
        if t.status != Status::Requested {
            continue;
        }
        if approve && bookings::clashes(tx, t.room_id, t.start, t.busy_end, Some(t.id))? {
            left += 1;
            continue;
        }
        let status = if approve {
            Status::Confirmed
        } else {
            Status::Declined
        };
        bookings::set_status(tx, t.id, status, manager.id, now, Some("decision"))?;
        done += 1;
    }
    Ok((done, left))
}

/// New times for one booking, or for it and the following ones of its series (their own dates
/// kept, the chosen one moved to `date`). Every moved occurrence passes the rules and the clash
/// test, or nothing moves: `Err((date, why))` names the first that fails. Moved by its booker
/// in a room that needs approval, a booking waits for the managers again.
#[allow(clippy::too_many_arguments)]
pub fn reschedule(
    tx: &Connection,
    b: &Booking,
    user: &User,
    date: NaiveDate,
    (start, end): (chrono::NaiveTime, chrono::NaiveTime),
    following: bool,
    tz: Tz,
    now: i64,
) -> Result<Result<usize, (NaiveDate, Why)>, AppError> {
    use crate::time::utc_to_local;
    let Some(room) = store::room_by_id(tx, b.room_id)? else {
        return Err(AppError::NotFound);
    };
    let rules = store::rules_of(tx, room.id)?;
    let manager = manages(tx, room.id, user)?;
    let targets = match (following, b.series_id) {
        (true, Some(series)) => bookings::series_from(tx, series, b.start)?,
        _ => vec![b.clone()],
    };
    type Move = (
        i64,
        (i64, i64, i64),
        Status,
        Option<&'static str>,
        NaiveDate,
    );
    let mut moves: Vec<Move> = Vec::new();
    for t in &targets {
        let day = if t.id == b.id {
            date
        } else {
            utc_to_local(tz, t.start).date()
        };
        let (s, e) = (day.and_time(start), day.and_time(end));
        let slot = Slot {
            start_local: s,
            end_local: e,
            start: local_to_utc(tz, s),
            end: local_to_utc(tz, e),
        };
        let busy_end = slot.end + rules.buffer_secs();
        let mut why = rules.check_slot(&room.hours, &slot, now);
        if why.is_none() && bookings::clashes(tx, room.id, slot.start, busy_end, Some(t.id))? {
            why = Some(Why::Taken);
        }
        if why.is_none() && bookings::event_clashes(tx, room.id, slot.start, busy_end, Some(t.id))?
        {
            why = Some(Why::Event);
        }
        // Nor onto another occurrence moved by this same request.
        let onto_moved = moves
            .iter()
            .any(|m: &Move| slot.start < m.1 .2 && m.1 .0 < busy_end);
        if why.is_none() && onto_moved {
            why = Some(Why::Taken);
        }
        if let Some(w) = why {
            return Ok(Err((day, w)));
        }
        let (status, notify) = match t.status {
            Status::Confirmed if rules.approval && !manager => (Status::Requested, Some("request")),
            Status::Requested => (Status::Requested, Some("request")),
            s => (s, None),
        };
        moves.push((t.id, (slot.start, slot.end, busy_end), status, notify, day));
    }
    // Checked above: the triggers can only refuse a move here through a bug elsewhere; then
    // no booking of the request moves, and the date is reported.
    tx.execute_batch("SAVEPOINT room_move")?;
    for (id, times, status, notify, day) in &moves {
        match bookings::reschedule(tx, *id, *times, *status, *notify, now) {
            Ok(_) => {}
            Err(e) if is_overlap(&e) || is_event_overlap(&e) => {
                tx.execute_batch("ROLLBACK TO room_move; RELEASE room_move")?;
                let why = if is_overlap(&e) {
                    Why::Taken
                } else {
                    Why::Event
                };
                return Ok(Err((*day, why)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.execute_batch("RELEASE room_move")?;
    Ok(Ok(moves.len()))
}

/// Cancels a booking, or it and the following ones of its series; returns how many.
pub fn cancel(
    tx: &Connection,
    b: &Booking,
    user: &User,
    following: bool,
    now: i64,
) -> Result<usize, AppError> {
    let targets = match (following, b.series_id) {
        (true, Some(series)) => bookings::series_from(tx, series, b.start)?,
        _ => vec![b.clone()],
    };
    let mut n = 0;
    for t in targets {
        if matches!(t.status, Status::Requested | Status::Confirmed) {
            // A booking cancelled by a manager is news for the booker.
            let notify = (t.user_id != Some(user.id)).then_some("decision");
            if bookings::set_status(tx, t.id, Status::Cancelled, user.id, now, notify)? {
                n += 1;
            }
        }
    }
    Ok(n)
}
