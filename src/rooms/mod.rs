//! Room booking between associations: rooms are directory places of type room with booking
//! rules; two confirmed bookings of one room (buffer included) never overlap.
//!
//! THE guarantee lives in three places that agree: `book::plan` checks inside the write's
//! IMMEDIATE transaction (a clear message for the user), and the triggers of migration 12
//! refuse any confirmed row that overlaps another, whatever code path writes it.

pub mod api;
pub mod book;
pub mod demo;
pub mod edit;
pub mod feeds;
pub mod handlers;
pub mod manage;
pub mod rules;
pub mod store;
pub mod tasks;
pub mod views;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::time::{local_to_utc, parse_date, parse_time, utc_to_local};
use crate::web::forms::FormErrors;

pub use rules::{Rules, RulesForm, Who};

/// The most occurrences one series may have (two years of weekly bookings).
pub const MAX_OCCURRENCES: usize = 104;

/// A booking's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Requested,
    Confirmed,
    Declined,
    Cancelled,
}

impl Status {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Confirmed => "confirmed",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Requested,
            Status::Confirmed,
            Status::Declined,
            Status::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// How a booking repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    None,
    Weekly,
    Monthly,
}

/// Why one occurrence cannot be booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// Another confirmed booking holds the slot (buffer included).
    Taken,
    /// An event of the agenda is held in the room then.
    Event,
    /// Outside the room's opening hours.
    Closed,
    TooShort,
    TooLong,
    /// Further ahead than the room allows.
    Horizon,
    /// Already begun.
    Past,
    /// The booking actor's weekly or monthly quota is used up.
    Quota,
}

impl Why {
    /// The translation key of the reason.
    pub fn key(self) -> &'static str {
        match self {
            Why::Taken => "rooms.why.taken",
            Why::Event => "rooms.why.event",
            Why::Closed => "rooms.why.closed",
            Why::TooShort => "rooms.why.too_short",
            Why::TooLong => "rooms.why.too_long",
            Why::Horizon => "rooms.why.horizon",
            Why::Past => "rooms.why.past",
            Why::Quota => "rooms.why.quota",
        }
    }
}

/// A room with the facts its pages need.
#[derive(Clone, Debug)]
pub struct Room {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub capacity: Option<i64>,
    pub equipment: String,
    pub accessibility: String,
    pub photo: Option<String>,
    pub address: String,
    pub hours: crate::directory::hours::Hours,
}

/// A booking as stored, with the names the pages show.
#[derive(Clone, Debug)]
pub struct Booking {
    pub id: i64,
    pub room_id: i64,
    pub room_slug: String,
    pub room_name: String,
    pub start: i64,
    pub end: i64,
    pub busy_end: i64,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub actor: Option<(i64, String, String)>,
    pub purpose: String,
    pub public: bool,
    pub status: Status,
    pub series_id: Option<i64>,
    pub event_slug: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

impl Booking {
    /// Who booked, as shown to managers and to the booker: the actor, else the person.
    pub fn booker_label(&self) -> String {
        match (&self.actor, &self.user_name) {
            (Some((_, _, name)), _) => name.clone(),
            (None, Some(n)) => n.clone(),
            _ => String::new(),
        }
    }
}

/// The booking form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct BookingForm {
    pub date: String,
    pub start: String,
    pub end: String,
    /// Slug of the actor booked for, "" for oneself.
    pub actor: String,
    pub purpose: String,
    pub public: String,
    pub repeat: String,
    pub until: String,
    /// "" on the first post; "free" to book the free occurrences of a reported series.
    pub mode: String,
}

/// A valid booking request, in local wall time.
#[derive(Clone, Debug)]
pub struct BookingInput {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub actor_slug: Option<String>,
    pub purpose: String,
    pub public: bool,
    pub repeat: Repeat,
    pub until: Option<NaiveDate>,
}

/// One occurrence of a booking request.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub start_local: NaiveDateTime,
    pub end_local: NaiveDateTime,
    pub start: i64,
    pub end: i64,
}

impl BookingForm {
    /// Checks every field; records problems by field in `e`.
    pub fn parse(&self, e: &mut FormErrors) -> Option<BookingInput> {
        let date = parse_date(&self.date);
        e.check(date.is_none(), "date", "rooms.date_invalid");
        let start = parse_time(&self.start);
        e.check(start.is_none(), "start", "rooms.time_invalid");
        let end = parse_time(&self.end);
        e.check(end.is_none(), "end", "rooms.time_invalid");
        e.check(
            start.is_some() && end.is_some() && end <= start,
            "end",
            "rooms.end_before_start",
        );
        let purpose = self.purpose.trim().to_string();
        e.check(
            purpose.is_empty() || purpose.chars().count() > 200,
            "purpose",
            "rooms.purpose_required",
        );
        let repeat = match self.repeat.as_str() {
            "" | "none" => Some(Repeat::None),
            "weekly" => Some(Repeat::Weekly),
            "monthly" => Some(Repeat::Monthly),
            _ => None,
        };
        e.check(repeat.is_none(), "repeat", "rooms.repeat_invalid");
        let until = parse_date(&self.until);
        let repeats = repeat.is_some_and(|r| r != Repeat::None);
        e.check(
            repeats && (until.is_none() || until < date),
            "until",
            "rooms.until_invalid",
        );
        let actor = self.actor.trim().to_string();
        let input = BookingInput {
            date: date?,
            start: start?,
            end: end?,
            actor_slug: (!actor.is_empty()).then_some(actor),
            purpose,
            public: self.public == "1",
            repeat: repeat?,
            until,
        };
        e.is_empty().then_some(input)
    }
}

impl BookingInput {
    /// The local dates of the request: one, or every week / month (same day of the month,
    /// months without it skipped) until `until`, at most [`MAX_OCCURRENCES`].
    pub fn dates(&self) -> Vec<NaiveDate> {
        let until = match (self.repeat, self.until) {
            (Repeat::None, _) | (_, None) => return vec![self.date],
            (_, Some(u)) => u,
        };
        let mut out = Vec::new();
        let mut i: u32 = 0;
        while out.len() < MAX_OCCURRENCES && i < 10 * MAX_OCCURRENCES as u32 {
            let next = match self.repeat {
                Repeat::Weekly => self
                    .date
                    .checked_add_days(chrono::Days::new(7 * u64::from(i))),
                Repeat::Monthly => self.date.checked_add_months(Months::new(i)),
                Repeat::None => None,
            };
            i += 1;
            let Some(d) = next else { break };
            if d > until {
                break;
            }
            // checked_add_months clamps the 31st to the 30th: that month has no such day.
            if self.repeat == Repeat::Monthly && d.day() != self.date.day() {
                continue;
            }
            out.push(d);
        }
        out
    }

    /// The occurrences as instants in the zone `tz` (wall time kept across clock changes).
    pub fn slots(&self, tz: Tz) -> Vec<Slot> {
        self.dates()
            .into_iter()
            .map(|d| {
                let (s, e) = (d.and_time(self.start), d.and_time(self.end));
                Slot {
                    start_local: s,
                    end_local: e,
                    start: local_to_utc(tz, s),
                    end: local_to_utc(tz, e).max(local_to_utc(tz, s) + 60),
                }
            })
            .collect()
    }
}

/// The form that moves a booking.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct EditForm {
    pub date: String,
    pub start: String,
    pub end: String,
    /// "following": this booking and the following ones of its series.
    pub scope: String,
}

impl EditForm {
    /// The form filled with a booking's date and times.
    pub fn of(b: &Booking, tz: Tz) -> EditForm {
        let (s, e) = (utc_to_local(tz, b.start), utc_to_local(tz, b.end));
        EditForm {
            date: s.format("%Y-%m-%d").to_string(),
            start: s.format("%H:%M").to_string(),
            end: e.format("%H:%M").to_string(),
            scope: String::new(),
        }
    }
}

/// The Monday of the ISO week `2026-W48`, or of the week of `today`.
pub fn week_monday(code: &str, today: NaiveDate) -> NaiveDate {
    crate::agenda::query::AgendaQuery {
        w: code.to_string(),
        ..Default::default()
    }
    .week(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(repeat: &str, until: &str) -> BookingForm {
        BookingForm {
            date: "2027-01-31".into(),
            start: "18h".into(),
            end: "20:30".into(),
            purpose: "Répétition".into(),
            repeat: repeat.into(),
            until: until.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_booking_form_reports_each_bad_field() {
        let bad = BookingForm {
            date: "demain".into(),
            start: "20:00".into(),
            end: "19:00".into(),
            repeat: "weekly".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        assert!(bad.parse(&mut e).is_none());
        for f in ["date", "end", "purpose", "until"] {
            assert!(e.get(f).is_some(), "{f} should be reported");
        }
    }

    #[test]
    fn series_repeat_weekly_and_monthly_skipping_short_months() {
        let mut e = FormErrors::new();
        let weekly = form("weekly", "2027-03-01").parse(&mut e).unwrap();
        assert_eq!(weekly.dates().len(), 5);
        let monthly = form("monthly", "2027-06-30").parse(&mut e).unwrap();
        let days: Vec<String> = monthly.dates().iter().map(|d| d.to_string()).collect();
        assert_eq!(days, ["2027-01-31", "2027-03-31", "2027-05-31"]);
        let once = form("none", "").parse(&mut e).unwrap();
        let slots = once.slots(chrono_tz::Europe::Paris);
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].end - slots[0].start, 150 * 60);
        assert!(e.is_empty());
    }

    #[test]
    fn a_weekly_series_keeps_its_wall_time_across_the_clock_change() {
        let mut e = FormErrors::new();
        let mut f = form("weekly", "2027-04-15");
        f.date = "2027-03-18".into();
        let s = f.parse(&mut e).unwrap().slots(chrono_tz::Europe::Paris);
        // 18:00 in winter is 17:00 UTC, in summer 16:00 UTC.
        assert_eq!(s[0].start % 86_400, 17 * 3600);
        assert_eq!(s.last().unwrap().start % 86_400, 16 * 3600);
    }
}
