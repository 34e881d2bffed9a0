//! The event form as typed, and its parsing into an [`EventInput`] (or messages by field).
//! Recurrence is offered with plain fields (repeat never / daily / weekly on these days /
//! monthly on this day / monthly on the nth weekday; until a date or a number of times),
//! never as a raw RRULE box.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

mod date;
mod fill;

pub use date::{OccurrenceForm, OccurrenceInput};

use super::recurrence::{End, Freq, MonthDay, Rule, Until};
use super::{EventType, Visibility, MAX_DURATION_SECS};
use crate::text::parse_tags;
use crate::time::{local_to_utc, parse_date, parse_time};
use crate::web::forms::FormErrors;

/// Field names of the weekday boxes, Monday first.
pub const DAY_FIELDS: [&str; 7] = [
    "day_mo", "day_tu", "day_we", "day_th", "day_fr", "day_sa", "day_su",
];

/// The event form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct EventForm {
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub tags: String,
    pub start_date: String,
    pub start_time: String,
    pub end_date: String,
    pub end_time: String,
    pub all_day: String,
    /// "", daily, weekly, monthly_day, monthly_nth, monthly_last.
    pub repeat: String,
    pub interval: String,
    pub day_mo: String,
    pub day_tu: String,
    pub day_we: String,
    pub day_th: String,
    pub day_fr: String,
    pub day_sa: String,
    pub day_su: String,
    /// never, until, count.
    pub ends: String,
    pub until: String,
    pub count: String,
    pub exdates: String,
    /// With `repeat=custom`: any RFC 5545 rule, as an imported calendar wrote it.
    pub rrule: String,
    /// Added dates (RDATE), `2027-03-02T18:30` separated by commas.
    pub rdates: String,
    pub place: String,
    pub address: String,
    pub lat: String,
    pub lon: String,
    pub organiser: String,
    pub parent: String,
    pub visibility: String,
    pub capacity: String,
    pub submitter_name: String,
    pub submitter_email: String,
}

/// A valid event, ready to store (references to other pages are still slugs: the handler
/// resolves them in the write transaction).
#[derive(Clone, Debug, PartialEq)]
pub struct EventInput {
    pub title: String,
    pub description: String,
    pub type_: EventType,
    pub tags: Vec<String>,
    pub start: NaiveDateTime,
    /// Exclusive for all-day events (the next day at 00:00).
    pub end: NaiveDateTime,
    pub all_day: bool,
    pub rule: Option<Rule>,
    /// A rule outside the plain fields' subset, kept as written.
    pub custom_rule: Option<String>,
    pub exdates: Vec<NaiveDate>,
    pub exdate_times: Vec<NaiveDateTime>,
    pub rdates: Vec<NaiveDateTime>,
    pub place_slug: Option<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// `None`: the person posting organises in their own name.
    pub organiser_slug: Option<String>,
    pub parent_slug: Option<String>,
    pub visibility: Visibility,
    pub capacity: Option<i64>,
    pub submitter_name: String,
    pub submitter_email: String,
}

/// A local start as stored and shown: `2027-03-02T18:30` (also with a space).
fn local_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim().replace(' ', "T");
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").ok()
}

/// A slug typed or pasted as a link: `/e/fete-2027-07-14` or `https://site/a/club` → the slug.
fn slug_of(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('/');
    let s = s.rsplit('/').next().unwrap_or(s);
    (!s.is_empty()).then(|| s.to_string())
}

impl EventForm {
    /// The weekday boxes that are ticked.
    pub fn days(&self) -> Vec<Weekday> {
        let boxes = [
            &self.day_mo,
            &self.day_tu,
            &self.day_we,
            &self.day_th,
            &self.day_fr,
            &self.day_sa,
            &self.day_su,
        ];
        boxes
            .iter()
            .zip(0u8..)
            .filter(|(b, _)| !b.is_empty())
            .filter_map(|(_, n)| Weekday::try_from(n).ok())
            .collect()
    }

    /// Checks every field; records problems by field in `e`. `tz` is the instance's zone
    /// (an end date of the series becomes an instant there); `anonymous` asks for the
    /// submitter's name and address.
    pub fn parse(&self, tz: Tz, anonymous: bool, e: &mut FormErrors) -> Option<EventInput> {
        let title = self.title.trim().to_string();
        e.check(
            title.is_empty() || title.chars().count() > 150,
            "title",
            "agenda.title_required",
        );
        e.check(
            self.description.chars().count() > 20_000,
            "description",
            "dir.description_too_long",
        );
        let type_ = EventType::parse(&self.type_);
        e.check(type_.is_none(), "type", "agenda.type_invalid");
        let all_day = !self.all_day.is_empty();
        let (start, end) = self.times(all_day, e);
        let rule = start.and_then(|s| self.rule(s, all_day, tz, e));
        let custom_rule = start.and_then(|s| self.custom_rule(s, e));
        let (mut exdates, mut exdate_times) = (Vec::new(), Vec::new());
        for piece in self
            .exdates
            .split([',', ';', '\n', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            match (parse_date(piece), local_time(piece)) {
                (Some(d), _) => exdates.push(d),
                (None, Some(t)) => exdate_times.push(t),
                (None, None) => {
                    e.add("exdates", "agenda.exdates_invalid");
                    break;
                }
            }
        }
        exdates.sort();
        exdates.dedup();
        exdate_times.sort();
        exdate_times.dedup();
        let mut rdates = Vec::new();
        for piece in self
            .rdates
            .split([',', ';', '\n'])
            .filter(|p| !p.trim().is_empty())
        {
            match local_time(piece) {
                Some(t) => rdates.push(t),
                None => {
                    e.add("rdates", "agenda.rdates_invalid");
                    break;
                }
            }
        }
        let (lat, lon) = crate::web::forms::optional_point(e, &self.lat, &self.lon);
        let visibility = Visibility::parse(&self.visibility);
        e.check(visibility.is_none(), "visibility", "dir.visibility_invalid");
        let organiser_slug = slug_of(&self.organiser);
        e.check(
            visibility == Some(Visibility::Members) && organiser_slug.is_none(),
            "visibility",
            "agenda.members_need_organiser",
        );
        let cap_t = self.capacity.trim();
        let capacity = cap_t
            .parse::<i64>()
            .ok()
            .filter(|c| (1..=100_000).contains(c));
        e.check(
            !cap_t.is_empty() && capacity.is_none(),
            "capacity",
            "agenda.capacity_invalid",
        );
        if anonymous {
            let name = self.submitter_name.trim();
            e.check(
                name.is_empty() || name.chars().count() > 100,
                "submitter_name",
                "account.name_required",
            );
            e.check(
                !crate::auth::plausible_email(self.submitter_email.trim()),
                "submitter_email",
                "account.email_invalid",
            );
        }
        let input = EventInput {
            title,
            description: self.description.trim().to_string(),
            type_: type_?,
            tags: parse_tags(&self.tags),
            start: start?,
            end: end?,
            all_day,
            rule,
            custom_rule,
            exdates,
            exdate_times,
            rdates,
            place_slug: slug_of(&self.place),
            address: self.address.trim().chars().take(300).collect(),
            lat: lat.filter(|_| lon.is_some()),
            lon: lon.filter(|_| lat.is_some()),
            organiser_slug,
            // A title from the form's list, an identifier or an address: resolved on save.
            parent_slug: Some(self.parent.trim().chars().take(300).collect::<String>())
                .filter(|p| !p.is_empty()),
            visibility: visibility?,
            capacity,
            submitter_name: self.submitter_name.trim().chars().take(100).collect(),
            submitter_email: self.submitter_email.trim().chars().take(200).collect(),
        };
        e.is_empty().then_some(input)
    }

    /// The first start and end (local), or the errors.
    fn times(
        &self,
        all_day: bool,
        e: &mut FormErrors,
    ) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
        let start_date = parse_date(&self.start_date);
        e.check(start_date.is_none(), "start_date", "agenda.date_invalid");
        let end_date = if self.end_date.trim().is_empty() {
            start_date
        } else {
            let d = parse_date(&self.end_date);
            e.check(d.is_none(), "end_date", "agenda.date_invalid");
            d
        };
        let (start, end) = if all_day {
            let start = start_date.and_then(|d| d.and_hms_opt(0, 0, 0));
            let end = end_date
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0));
            (start, end)
        } else {
            let start_time = parse_time(&self.start_time);
            e.check(start_time.is_none(), "start_time", "agenda.time_invalid");
            let end_time = if self.end_time.trim().is_empty() {
                e.check(end_date != start_date, "end_time", "agenda.end_time_needed");
                start_time
            } else {
                let t = parse_time(&self.end_time);
                e.check(t.is_none(), "end_time", "agenda.time_invalid");
                t
            };
            (
                start_date.zip(start_time).map(|(d, t)| d.and_time(t)),
                end_date.zip(end_time).map(|(d, t)| d.and_time(t)),
            )
        };
        if let (Some(s), Some(en)) = (start, end) {
            e.check(en < s, "end_date", "agenda.end_before_start");
            e.check(
                (en - s).num_seconds() > MAX_DURATION_SECS,
                "end_date",
                "agenda.too_long",
            );
        }
        (start, end)
    }

    /// With `repeat=custom`: the rule as typed or imported, checked by the recurrence library.
    fn custom_rule(&self, start: NaiveDateTime, e: &mut FormErrors) -> Option<String> {
        if self.repeat != "custom" {
            return None;
        }
        let text = self.rrule.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text).to_string();
        let ok = !text.is_empty()
            && text.len() <= 500
            && crate::agenda::recurrence::check(&text, start).is_ok();
        e.check(!ok, "rrule", "agenda.rrule_invalid");
        ok.then_some(text)
    }

    /// The recurrence rule of the plain fields, `None` for a single date.
    fn rule(
        &self,
        start: NaiveDateTime,
        all_day: bool,
        tz: Tz,
        e: &mut FormErrors,
    ) -> Option<Rule> {
        let day = start.date();
        let (freq, month_day) = match self.repeat.as_str() {
            "" | "never" | "custom" => return None,
            "daily" => (Freq::Daily, None),
            "weekly" => (Freq::Weekly, None),
            "monthly_day" => (Freq::Monthly, Some(MonthDay::Day(day.day() as i8))),
            "monthly_nth" => (
                Freq::Monthly,
                Some(MonthDay::Nth(
                    ((day.day() - 1) / 7 + 1) as i8,
                    day.weekday(),
                )),
            ),
            "monthly_last" => (Freq::Monthly, Some(MonthDay::Nth(-1, day.weekday()))),
            _ => {
                e.add("repeat", "agenda.repeat_invalid");
                return None;
            }
        };
        let interval_t = self.interval.trim();
        let interval = if interval_t.is_empty() {
            Some(1)
        } else {
            interval_t
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=99).contains(n))
        };
        e.check(interval.is_none(), "interval", "agenda.interval_invalid");
        let by_day = if freq == Freq::Weekly {
            self.days()
        } else {
            Vec::new()
        };
        let end = match self.ends.as_str() {
            "until" => match parse_date(&self.until) {
                Some(d) if d >= day => Some(End::Until(if all_day {
                    Until::Date(d)
                } else {
                    let last = d.and_hms_opt(23, 59, 59).unwrap_or(start);
                    let utc = chrono::DateTime::from_timestamp(local_to_utc(tz, last), 0)
                        .unwrap_or_default();
                    Until::Utc(utc.naive_utc())
                })),
                _ => {
                    e.add("until", "agenda.until_invalid");
                    None
                }
            },
            "count" => match self.count.trim().parse::<u32>() {
                Ok(n) if (1..=500).contains(&n) => Some(End::Count(n)),
                _ => {
                    e.add("count", "agenda.count_invalid");
                    None
                }
            },
            _ => Some(End::Never),
        };
        let rule = Rule {
            freq,
            interval: interval.unwrap_or(1),
            by_day,
            month_day,
            end: end.unwrap_or(End::Never),
        };
        if self.repeat == "weekly" && !rule.matches_start(day) {
            e.add("days", "agenda.days_start");
        }
        if self.repeat == "monthly_last" && !rule.matches_start(day) {
            e.add("repeat", "agenda.not_last_week");
        }
        Some(rule)
    }
}

/// The menus of the event form: (slug, name) of the pages the person may organise for, and
/// of the places.
#[derive(Clone, Debug, Default)]
pub struct Refs {
    pub organisers: Vec<(String, String)>,
    pub places: Vec<(String, String)>,
    /// The events this one may be part of (see [`crate::web::picker`]).
    pub parents: crate::web::picker::Choices,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn form() -> EventForm {
        EventForm {
            title: "Yoga".into(),
            type_: "sport".into(),
            start_date: "2027-03-02".into(),
            start_time: "18h30".into(),
            end_time: "20:00".into(),
            visibility: "public".into(),
            ..Default::default()
        }
    }

    #[test]
    fn dates_and_times_are_read_as_people_type_them() {
        assert_eq!(
            parse_date("02/03/2027"),
            NaiveDate::from_ymd_opt(2027, 3, 2)
        );
        assert_eq!(parse_time("18h30"), NaiveTime::from_hms_opt(18, 30, 0));
        assert_eq!(parse_time("9h"), NaiveTime::from_hms_opt(9, 0, 0));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_date("demain"), None);
    }

    #[test]
    fn a_weekly_series_until_june_becomes_an_rrule() {
        let mut f = form();
        f.repeat = "weekly".into();
        f.day_tu = "on".into();
        f.day_th = "on".into();
        f.ends = "until".into();
        f.until = "2027-06-29".into();
        let mut e = FormErrors::new();
        let input = f.parse(paris(), false, &mut e).unwrap();
        // The end of 29 June in Paris (summer time) is 21:59:59 UTC.
        assert_eq!(
            input.rule.unwrap().to_string(),
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270629T215959Z"
        );
        assert_eq!(input.end.format("%H:%M").to_string(), "20:00");
    }

    #[test]
    fn monthly_choices_come_from_the_first_date() {
        let mut f = form();
        f.start_date = "2027-03-07".into();
        f.repeat = "monthly_nth".into();
        let mut e = FormErrors::new();
        let r = f.parse(paris(), false, &mut e).unwrap().rule.unwrap();
        assert_eq!(r.to_string(), "FREQ=MONTHLY;BYDAY=1SU");
        f.repeat = "monthly_last".into();
        let mut e = FormErrors::new();
        assert!(f.parse(paris(), false, &mut e).is_none());
        assert_eq!(e.get("repeat"), Some("agenda.not_last_week"));
        f.start_date = "2027-03-28".into();
        let mut e = FormErrors::new();
        let r = f.parse(paris(), false, &mut e).unwrap().rule.unwrap();
        assert_eq!(r.to_string(), "FREQ=MONTHLY;BYDAY=-1SU");
    }

    #[test]
    fn each_bad_field_is_reported() {
        let f = EventForm {
            title: " ".into(),
            type_: "rave".into(),
            start_date: "2027-03-02".into(),
            start_time: "18:30".into(),
            end_date: "2027-03-01".into(),
            end_time: "10:00".into(),
            repeat: "weekly".into(),
            day_we: "on".into(),
            ends: "count".into(),
            count: "0".into(),
            exdates: "2027-03-09, someday".into(),
            visibility: "members".into(),
            capacity: "-3".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        assert!(f.parse(paris(), true, &mut e).is_none());
        for field in [
            "title",
            "type",
            "end_date",
            "days",
            "count",
            "exdates",
            "visibility",
            "capacity",
            "submitter_name",
            "submitter_email",
        ] {
            assert!(e.get(field).is_some(), "{field} should be reported");
        }
    }

    #[test]
    fn all_day_events_end_the_next_morning_and_round_trip() {
        let mut f = form();
        f.all_day = "on".into();
        f.end_date = "2027-07-15".into();
        f.start_date = "2027-07-13".into();
        let mut e = FormErrors::new();
        let input = f.parse(paris(), false, &mut e).unwrap();
        assert_eq!(input.end.to_string(), "2027-07-16 00:00:00");
    }
}
