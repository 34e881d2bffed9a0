//! The rooms part of a dataset: rules on every generated room (a share with approval, buffer,
//! quotas, evening hours) and about twenty bookings per room over the coming weeks, from the
//! generated associations, a few of them public; one weekly series per room.

use chrono::{Days, NaiveTime};
use rusqlite::Connection;

use super::directory::Generated;
use super::Rng;
use crate::error::AppError;
use crate::rooms::rules::{Rules, Who};
use crate::rooms::store::{self, bookings, bookings::NewBooking};
use crate::rooms::Status;
use crate::time::{local_to_utc, utc_to_local};

const PURPOSES: &[&str] = &[
    "Répétition",
    "Assemblée générale",
    "Atelier couture",
    "Cours de yoga",
    "Réunion du bureau",
    "Goûter des anciens",
    "Loto",
    "Permanence",
];

/// Rules and bookings for the generated rooms; returns the bookings written and a few room slugs.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    actors: &[Generated],
    accounts: &[i64],
) -> Result<(usize, Vec<String>), AppError> {
    let tz = chrono_tz::Europe::Paris;
    let now = crate::db::now();
    let today = utc_to_local(tz, now).date();
    let orgs: Vec<&Generated> = actors.iter().filter(|a| a.organisation).collect();
    let (mut written, mut samples) = (0, Vec::new());
    for room in actors.iter().filter(|a| a.room) {
        let rules = Rules {
            buffer_minutes: [0, 15, 30][rng.below(3)],
            approval: rng.chance(0.5),
            quota_week: rng.chance(0.3).then_some(3),
            access_instructions: "Clé à la mairie.".into(),
            who: Who::Any,
            ..Rules::default()
        };
        store::save_rules(tx, room.id, &rules, None, &[], &[], now)?;
        if samples.len() < 5 {
            samples.push(room.slug.clone());
        }
        let mut series: Option<i64> = None;
        for i in 0..20 {
            // The first eight are the weekly series of one association, the others scattered.
            let (day, hour, hours) = if i < 8 {
                (7 * i as u64 + 1, 20, 2)
            } else {
                (
                    rng.below(56) as u64,
                    8 + rng.below(12) as u32,
                    1 + rng.below(3) as u32,
                )
            };
            let date = today.checked_add_days(Days::new(day)).unwrap_or(today);
            let at = |h: u32| {
                local_to_utc(
                    tz,
                    date.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()),
                )
            };
            let (start, end) = (at(hour), at(hour + hours));
            let busy_end = end + rules.buffer_secs();
            if bookings::clashes(tx, room.id, start, busy_end, None)?
                || bookings::event_clashes(tx, room.id, start, busy_end, None)?
            {
                continue;
            }
            let actor = (!orgs.is_empty()).then(|| orgs[rng.below(orgs.len())].id);
            let status = if rules.approval && rng.chance(0.2) {
                Status::Requested
            } else {
                Status::Confirmed
            };
            let new = NewBooking {
                room_id: room.id,
                start,
                end,
                busy_end,
                user_id: *rng.pick(accounts),
                actor_id: actor,
                purpose: *rng.pick(PURPOSES),
                public: rng.chance(0.1),
                status,
                series_id: if i < 8 { series } else { None },
            };
            let id = bookings::insert(tx, &new, now)?;
            if i == 0 {
                bookings::set_series(tx, id, id)?;
                series = Some(id);
            }
            written += 1;
        }
    }
    bookings::forget_notifications(tx)?;
    Ok((written, samples))
}
