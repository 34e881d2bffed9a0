//! A room's booking rules, their form, and the checks one occurrence must pass.

use serde::Deserialize;

use super::{Slot, Why};
use crate::directory::hours::Hours;
use crate::web::forms::FormErrors;

/// Who may book a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Any signed-in account.
    Any,
    /// Active members of the listed actors.
    Members,
    /// The room's managers only.
    Managers,
}

impl Who {
    /// Every choice, in menu order.
    pub const ALL: [Who; 3] = [Who::Any, Who::Members, Who::Managers];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Who::Any => "any",
            Who::Members => "members",
            Who::Managers => "managers",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Who> {
        Who::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

/// A reference to an actor: id, slug, name.
pub type ActorRef = (i64, String, String);

/// The booking rules of a room.
#[derive(Clone, Debug)]
pub struct Rules {
    pub min_minutes: i64,
    pub max_minutes: i64,
    pub buffer_minutes: i64,
    pub horizon_days: i64,
    pub who: Who,
    pub approval: bool,
    pub quota_week: Option<i64>,
    pub quota_month: Option<i64>,
    pub access_instructions: String,
    pub manager_actor: Option<ActorRef>,
    /// With [`Who::Members`]: the actors whose members may book.
    pub allowed: Vec<ActorRef>,
    /// Accounts named managers: (id, name, email). The email is shown to managers only.
    pub managers: Vec<(i64, String, String)>,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            min_minutes: 30,
            max_minutes: 720,
            buffer_minutes: 0,
            horizon_days: 365,
            who: Who::Any,
            approval: true,
            quota_week: None,
            quota_month: None,
            access_instructions: String::new(),
            manager_actor: None,
            allowed: Vec::new(),
            managers: Vec::new(),
        }
    }
}

impl Rules {
    /// The checks of one occurrence that need no database: the past, the horizon, the
    /// durations and the opening hours (none given: always open).
    pub fn check_slot(&self, hours: &Hours, slot: &Slot, now: i64) -> Option<Why> {
        let minutes = (slot.end - slot.start) / 60;
        if slot.start < now {
            Some(Why::Past)
        } else if slot.start > now + self.horizon_days * 86_400 {
            Some(Why::Horizon)
        } else if minutes < self.min_minutes {
            Some(Why::TooShort)
        } else if minutes > self.max_minutes {
            Some(Why::TooLong)
        } else if !open_during(hours, slot) {
            Some(Why::Closed)
        } else {
            None
        }
    }

    /// Seconds the room stays busy after a booking.
    pub fn buffer_secs(&self) -> i64 {
        self.buffer_minutes * 60
    }
}

/// Whether a slot lies within one opening interval of its weekday.
fn open_during(hours: &Hours, slot: &Slot) -> bool {
    use chrono::{Datelike, Timelike};
    if hours.is_empty() {
        return true;
    }
    if slot.start_local.date() != slot.end_local.date() {
        return false;
    }
    let day = slot.start_local.weekday().num_days_from_monday() as u8;
    let minute = |t: chrono::NaiveDateTime| (t.hour() * 60 + t.minute()) as u16;
    let (from, to) = (minute(slot.start_local), minute(slot.end_local));
    hours
        .0
        .iter()
        .any(|i| i.day == day && i.open <= from && to <= i.close)
}

/// The rules form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RulesForm {
    pub min_minutes: String,
    pub max_minutes: String,
    pub buffer_minutes: String,
    pub horizon_days: String,
    pub who: String,
    pub approval: String,
    pub quota_week: String,
    pub quota_month: String,
    pub access_instructions: String,
    /// The page whose admins manage the room: its name (from the list), slug or address.
    pub manager_actor: String,
    /// Slugs of the actors whose members may book, separated by commas (the form's boxes,
    /// joined by [`crate::web::forms::joined`]).
    pub allowed: String,
    /// Addresses of the accounts that manage the room, one per line.
    pub managers: String,
}

/// Valid rules with their references still as typed (resolved in the write transaction).
#[derive(Clone, Debug)]
pub struct RulesInput {
    pub rules: Rules,
    pub manager_actor: Option<String>,
    pub allowed: Vec<String>,
    pub managers: Vec<String>,
}

fn number(e: &mut FormErrors, s: &str, field: &'static str, range: (i64, i64)) -> Option<i64> {
    let v = s
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| (range.0..=range.1).contains(v));
    e.check(v.is_none(), field, "rooms.number_invalid");
    v
}

/// A duration typed as people write it (« 2 h 30 », « 90 min », « 1:30 », minutes), within
/// `range` minutes; the message names the limits as the page shows durations.
fn duration(e: &mut FormErrors, s: &str, field: &'static str, range: (i64, i64)) -> Option<i64> {
    let v = crate::time::parse_duration(s).filter(|v| (range.0..=range.1).contains(v));
    if v.is_none() {
        e.add_with(
            field,
            "rooms.duration_invalid",
            vec![
                ("min", crate::time::format_duration(range.0)),
                ("max", crate::time::format_duration(range.1)),
            ],
        );
    }
    v
}

fn optional(e: &mut FormErrors, s: &str, field: &'static str) -> Option<i64> {
    if s.trim().is_empty() {
        return None;
    }
    number(e, s, field, (1, 1000))
}

/// Slugs from links or names separated by commas, spaces or lines.
fn slugs(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split([',', '\n', ' '])
        .map(|p| {
            let p = p.trim().trim_end_matches('/');
            p.rsplit('/').next().unwrap_or(p).to_string()
        })
        .filter(|p| !p.is_empty())
        .collect();
    v.dedup();
    v.truncate(50);
    v
}

impl RulesForm {
    /// Checks every field; records problems by field in `e`.
    pub fn parse(&self, e: &mut FormErrors) -> Option<RulesInput> {
        let min = duration(e, &self.min_minutes, "min_minutes", (5, 1440));
        let max = duration(e, &self.max_minutes, "max_minutes", (5, 1440));
        e.check(
            matches!((min, max), (Some(a), Some(b)) if b < a),
            "max_minutes",
            "rooms.max_below_min",
        );
        let buffer = duration(e, &self.buffer_minutes, "buffer_minutes", (0, 1440));
        let horizon = number(e, &self.horizon_days, "horizon_days", (1, 1000));
        let who = Who::parse(&self.who);
        e.check(who.is_none(), "who", "rooms.who_invalid");
        let quota_week = optional(e, &self.quota_week, "quota_week");
        let quota_month = optional(e, &self.quota_month, "quota_month");
        let allowed = slugs(&self.allowed);
        e.check(
            who == Some(Who::Members) && allowed.is_empty(),
            "allowed",
            "rooms.allowed_required",
        );
        let managers: Vec<String> = self
            .managers
            .split([',', '\n', ' ', ';'])
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .take(20)
            .collect();
        let access = self.access_instructions.trim();
        e.check(
            access.chars().count() > 4000,
            "access_instructions",
            "rooms.too_long",
        );
        // A name from the form's list, an identifier or an address: resolved on save.
        let manager_actor = Some(
            self.manager_actor
                .trim()
                .chars()
                .take(300)
                .collect::<String>(),
        )
        .filter(|m| !m.is_empty());
        let rules = Rules {
            min_minutes: min?,
            max_minutes: max?,
            buffer_minutes: buffer?,
            horizon_days: horizon?,
            who: who?,
            approval: self.approval == "1",
            quota_week,
            quota_month,
            access_instructions: access.to_string(),
            ..Rules::default()
        };
        e.is_empty().then_some(RulesInput {
            rules,
            manager_actor,
            allowed,
            managers,
        })
    }

    /// The form filled with stored rules.
    pub fn from_rules(r: &Rules) -> RulesForm {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        RulesForm {
            min_minutes: crate::time::format_duration(r.min_minutes),
            max_minutes: crate::time::format_duration(r.max_minutes),
            buffer_minutes: crate::time::format_duration(r.buffer_minutes),
            horizon_days: r.horizon_days.to_string(),
            who: r.who.as_str().into(),
            approval: if r.approval { "1" } else { "" }.into(),
            quota_week: opt(r.quota_week),
            quota_month: opt(r.quota_month),
            access_instructions: r.access_instructions.clone(),
            manager_actor: r
                .manager_actor
                .as_ref()
                .map(|a| a.1.clone())
                .unwrap_or_default(),
            allowed: r
                .allowed
                .iter()
                .map(|a| a.1.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            managers: r
                .managers
                .iter()
                .map(|m| m.2.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rooms::{BookingForm, Why};

    fn slot(date: &str, start: &str, end: &str) -> Slot {
        let f = BookingForm {
            date: date.into(),
            start: start.into(),
            end: end.into(),
            purpose: "x".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        f.parse(&mut e).unwrap().slots(chrono_tz::Europe::Paris)[0].clone()
    }

    #[test]
    fn each_rule_refuses_its_case() {
        let rules = Rules {
            min_minutes: 60,
            max_minutes: 180,
            horizon_days: 30,
            ..Rules::default()
        };
        // Thursday 2027-01-14; evenings only on Thursdays.
        let hours = Hours(Hours::parse_day(3, "18h-23h").unwrap());
        let now = slot("2027-01-01", "10:00", "11:00").start;
        let ok = slot("2027-01-14", "19:00", "21:00");
        assert_eq!(rules.check_slot(&hours, &ok, now), None);
        let cases = [
            (slot("2027-01-14", "19:00", "19:30"), Why::TooShort),
            (slot("2027-01-14", "18:00", "22:30"), Why::TooLong),
            (slot("2027-01-14", "17:00", "19:00"), Why::Closed),
            (slot("2027-01-15", "19:00", "21:00"), Why::Closed),
            (slot("2027-03-04", "19:00", "21:00"), Why::Horizon),
            (slot("2026-12-31", "19:00", "21:00"), Why::Past),
        ];
        for (s, why) in cases {
            assert_eq!(rules.check_slot(&hours, &s, now), Some(why), "{s:?}");
        }
        assert_eq!(
            rules.check_slot(
                &Hours::default(),
                &slot("2027-01-15", "07:00", "09:00"),
                now
            ),
            None,
            "no hours given: always open"
        );
    }

    #[test]
    fn the_rules_form_keeps_what_was_typed_and_names_bad_fields() {
        let f = RulesForm {
            min_minutes: "60".into(),
            max_minutes: "30".into(),
            buffer_minutes: "un quart d'heure".into(),
            horizon_days: "90".into(),
            who: "members".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        assert!(f.parse(&mut e).is_none());
        for field in ["max_minutes", "buffer_minutes", "allowed"] {
            assert!(e.get(field).is_some(), "{field}");
        }
        let good = RulesForm {
            min_minutes: "1h".into(),
            buffer_minutes: "15".into(),
            max_minutes: "2 h 30".into(),
            allowed: "/a/chorale, fanfare".into(),
            approval: "1".into(),
            quota_week: "2".into(),
            ..f
        };
        let mut e = FormErrors::new();
        let input = good.parse(&mut e).unwrap();
        assert_eq!(input.allowed, ["chorale", "fanfare"]);
        assert!(input.rules.approval && input.rules.quota_week == Some(2));
        let r = &input.rules;
        assert_eq!(
            (r.min_minutes, r.max_minutes, r.buffer_minutes),
            (60, 150, 15)
        );
        let shown = RulesForm::from_rules(r);
        assert_eq!(
            (shown.min_minutes.as_str(), shown.max_minutes.as_str()),
            ("1 h", "2 h 30")
        );
        assert_eq!(shown.buffer_minutes, "15 min");
        let mut e = FormErrors::new();
        let long = RulesForm {
            max_minutes: "25 h".into(),
            ..good
        };
        assert!(long.parse(&mut e).is_none());
        assert_eq!(e.get("max_minutes"), Some("rooms.duration_invalid"));
    }
}
