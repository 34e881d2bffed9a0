//! The demo village's rooms: rules for the village hall (approval, a quarter of an hour to
//! tidy up, evenings and week-ends) and the town hall's small room (automatic, two bookings
//! a week per association), the choir's weekly rehearsal until June, a pending request of the
//! festival committee, and a public concert published in the agenda.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};
use rusqlite::Connection;

use super::book::{self, Outcome};
use super::rules::{Rules, Who};
use super::{store, BookingInput, Repeat};
use crate::auth::store as users;
use crate::error::AppError;
use crate::time::utc_to_local;

const TZ: chrono_tz::Tz = chrono_tz::Europe::Paris;

fn next(d: NaiveDate, weekday: Weekday) -> NaiveDate {
    // The coming one (this week's, so the demo's calendar is alive), never today.
    let ahead = (7 + weekday.num_days_from_monday() - d.weekday().num_days_from_monday()) % 7;
    d + Days::new(u64::from(if ahead == 0 { 7 } else { ahead }))
}

fn hm(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()
}

fn input(date: NaiveDate, from: u32, to: u32, actor: &str, purpose: &str) -> BookingInput {
    BookingInput {
        date,
        start: hm(from),
        end: hm(to),
        actor_slug: Some(actor.into()),
        purpose: purpose.into(),
        public: false,
        repeat: Repeat::None,
        until: None,
    }
}

/// Adds the rooms' rules and bookings; `people` are the demo accounts (mayor, Claire, Yannick).
pub fn load(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    let now = crate::db::now();
    let (Some(hall), Some(small), Some(mairie)) = (
        store::room_by_slug(tx, "salle-des-fetes")?,
        store::room_by_slug(tx, "petite-salle-de-la-mairie")?,
        store::actor_id(tx, "mairie-de-saint-placide")?,
    ) else {
        return Ok(());
    };
    let hall_rules = Rules {
        buffer_minutes: 15,
        horizon_days: 300,
        approval: true,
        quota_month: Some(8),
        access_instructions: "Clé au secrétariat de la mairie, code du portail 1850.".into(),
        ..Rules::default()
    };
    store::save_rules(tx, hall.id, &hall_rules, Some(mairie), &[], &[], now)?;
    let small_rules = Rules {
        max_minutes: 240,
        who: Who::Any,
        approval: false,
        quota_week: Some(2),
        ..Rules::default()
    };
    store::save_rules(tx, small.id, &small_rules, Some(mairie), &[], &[], now)?;
    let [_, claire, yannick, ..] = people else {
        return Ok(());
    };
    let (Some(claire), Some(yannick)) = (
        users::user_by_id(tx, *claire)?,
        users::user_by_id(tx, *yannick)?,
    ) else {
        return Ok(());
    };
    let today = utc_to_local(TZ, now).date();
    // The choir rehearses every Thursday evening until the end of June.
    let june = NaiveDate::from_ymd_opt(today.year() + i32::from(today.month() > 6), 6, 30)
        .unwrap_or(today);
    let mut rehearsal = input(
        next(today, Weekday::Thu),
        20,
        22,
        "chorale-les-voix-de-loire",
        "Répétition de la chorale",
    );
    rehearsal.repeat = Repeat::Weekly;
    rehearsal.until = Some(june);
    book::book(tx, &small, &claire, &rehearsal, TZ, now, true)?;
    // A public concert in the hall, confirmed by the town hall and published in the agenda.
    let mut concert = input(
        next(today, Weekday::Sat) + Days::new(14),
        18,
        23,
        "chorale-les-voix-de-loire",
        "Concert de printemps de la chorale",
    );
    concert.public = true;
    if let Outcome::Booked { ids, .. } = book::book(tx, &hall, &claire, &concert, TZ, now, true)? {
        if let Some(b) = ids
            .first()
            .and_then(|id| super::store::bookings::by_id(tx, *id).ok().flatten())
        {
            if let Some(mayor) = users::user_by_id(tx, people[0])? {
                let _ = book::decide(tx, &b, &mayor, true, TZ, now)?;
            }
        }
    }
    // The festival committee asks for the hall: the request waits for the town hall.
    let request = input(
        next(today, Weekday::Sat) + Days::new(21),
        10,
        22,
        "comite-des-fetes",
        "Préparation de la fête du village",
    );
    book::book(tx, &hall, &yannick, &request, TZ, now, true)?;
    // Nobody is told by mail about the demo's own bookings.
    super::store::bookings::forget_notifications(tx)?;
    Ok(())
}
