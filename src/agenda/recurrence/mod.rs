//! Recurrence. A series is any RFC 5545 RRULE (every FREQ, BYSETPOS, WKST, BYWEEKNO...: what
//! Google, Outlook, Thunderbird, Nextcloud, Mobilizon and Gancio export), RDATE and EXDATE,
//! expanded by the `rrule` crate. [`Rule`] is the subset the event form offers as plain fields
//! (DAILY; WEEKLY with a BYDAY list; MONTHLY by BYMONTHDAY or by the nth weekday, BYDAY=2TU or
//! -1FR; INTERVAL; UNTIL or COUNT): a rule outside it is shown and kept as text.
//!
//! Expansion works on wall-clock dates and times in the event's zone (the crate expands in a
//! floating clock), then converts each one
//! to UTC with [`crate::time::local_to_utc`]: a class at 18:30 stays at 18:30 across the clock changes. A
//! local time that does not exist (the spring gap) is read with the offset in force before the
//! gap, which moves it forward by the gap (02:30 becomes 03:30); a local time that happens twice
//! (the autumn fold) is the first of the two. Both are RFC 5545's rules (section 3.3.5).
//!
//! The `rrule` crate rather than our own code: real calendars use all of RFC 5545 (a hand-written
//! subset cut 140 of 375 real-world series to one date); the clock-change rules above stay ours
//! to test, since the crate only ever sees wall times.

mod expand;

pub use expand::{check, expand, Exdate, Expansion, Instance, Series};

use std::fmt;

use crate::ical::{parse_weekday, weekday_code};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};

use expand::month_candidate;

/// How often a series repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
}

/// Which day of the month a monthly series falls on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonthDay {
    /// BYMONTHDAY=n: the n-th day (negative counts from the end: -1 is the last day).
    Day(i8),
    /// BYDAY=nWD: the n-th weekday of the month (negative from the end: -1FR, the last Friday).
    Nth(i8, Weekday),
}

/// UNTIL as written: an instant in UTC, a floating local time, or a date (all-day series).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    Utc(NaiveDateTime),
    Local(NaiveDateTime),
    Date(NaiveDate),
}

/// How a series ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Never,
    Until(Until),
    Count(u32),
}

/// A recurrence rule of the supported subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    /// WEEKLY: the days of the week (empty: the start's weekday).
    pub by_day: Vec<Weekday>,
    /// MONTHLY: the day of the month (`None`: the start's day of the month).
    pub month_day: Option<MonthDay>,
    pub end: End,
}

/// Why an RRULE string was refused: the part we do not support, or that is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported or invalid RRULE part: {}", self.0)
    }
}

/// Most occurrences one series may produce, whatever its rule says (a daily series for 18
/// months is about 550).
pub const MAX_OCCURRENCES: usize = 5000;

/// Parses `20270630T215959Z`, `20270630T215959` or `20270630`.
pub fn parse_ical_time(s: &str) -> Option<Until> {
    if let Some(utc) = s.strip_suffix('Z') {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .ok()
            .map(Until::Utc);
    }
    if s.len() == 8 {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok().map(Until::Date);
    }
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S")
        .ok()
        .map(Until::Local)
}

impl Rule {
    /// Parses an RRULE value (with or without the `RRULE:` prefix). Parts outside the subset
    /// (BYSETPOS, BYHOUR, YEARLY...) are refused rather than ignored, so that no series is
    /// silently expanded to other dates than its author meant.
    pub fn parse(s: &str) -> Result<Rule, RuleError> {
        let s = s.trim();
        let s = s.strip_prefix("RRULE:").unwrap_or(s);
        let (mut freq, mut interval, mut end) = (None, 1u32, End::Never);
        let (mut by_day_raw, mut month_day_raw) = (None, None);
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| RuleError(part.to_string()))?;
            let bad = || RuleError(part.to_string());
            match k.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(match v.to_ascii_uppercase().as_str() {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        _ => return Err(bad()),
                    })
                }
                "INTERVAL" => {
                    interval = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or_else(bad)?
                }
                "COUNT" if end == End::Never => {
                    end = End::Count(
                        v.parse()
                            .ok()
                            .filter(|n| (1..=MAX_OCCURRENCES as u32).contains(n))
                            .ok_or_else(bad)?,
                    )
                }
                "UNTIL" if end == End::Never => {
                    end = End::Until(parse_ical_time(v).ok_or_else(bad)?)
                }
                "BYDAY" => by_day_raw = Some(v.to_ascii_uppercase()),
                "BYMONTHDAY" => month_day_raw = Some(v.to_string()),
                // Monday is the default week start and the only one the subset uses.
                "WKST" if v.eq_ignore_ascii_case("MO") => {}
                _ => return Err(bad()),
            }
        }
        let freq = freq.ok_or_else(|| RuleError("FREQ missing".into()))?;
        let mut rule = Rule {
            freq,
            interval,
            by_day: Vec::new(),
            month_day: None,
            end,
        };
        match (freq, by_day_raw, month_day_raw) {
            (_, Some(_), Some(_)) => return Err(RuleError("BYDAY with BYMONTHDAY".into())),
            (Freq::Daily, Some(d), _) => return Err(RuleError(format!("BYDAY={d} with DAILY"))),
            (Freq::Daily, _, Some(d)) => {
                return Err(RuleError(format!("BYMONTHDAY={d} with DAILY")))
            }
            (Freq::Weekly, _, Some(d)) => {
                return Err(RuleError(format!("BYMONTHDAY={d} with WEEKLY")))
            }
            (Freq::Weekly, Some(days), None) => {
                for code in days.split(',') {
                    let d = parse_weekday(code.trim())
                        .ok_or_else(|| RuleError(format!("BYDAY={days}")))?;
                    if !rule.by_day.contains(&d) {
                        rule.by_day.push(d);
                    }
                }
                rule.by_day.sort_by_key(|d| d.num_days_from_monday());
            }
            (Freq::Monthly, Some(days), None) => {
                // One nth weekday: 2TU, -1FR, +1SU.
                let split = days.len().saturating_sub(2);
                let (n, code) = days.split_at(split);
                let n: i8 = n.trim_start_matches('+').parse().unwrap_or(0);
                let d = parse_weekday(code).filter(|_| (1..=5).contains(&n.abs()));
                let d = d.ok_or_else(|| RuleError(format!("BYDAY={days}")))?;
                rule.month_day = Some(MonthDay::Nth(n, d));
            }
            (Freq::Monthly, None, Some(day)) => {
                let n: i8 = day
                    .parse()
                    .ok()
                    .filter(|n: &i8| *n != 0 && (-31..=31).contains(n))
                    .ok_or_else(|| RuleError(format!("BYMONTHDAY={day}")))?;
                rule.month_day = Some(MonthDay::Day(n));
            }
            (_, None, None) => {}
        }
        Ok(rule)
    }

    /// Whether the series can produce the date `start` as an occurrence (RFC 5545 asks DTSTART to
    /// be "synchronized" with its rule; the event form checks it).
    pub fn matches_start(&self, start: NaiveDate) -> bool {
        match (self.freq, self.month_day) {
            (Freq::Weekly, _) => self.by_day.is_empty() || self.by_day.contains(&start.weekday()),
            (Freq::Monthly, Some(md)) => {
                month_candidate(start.year(), start.month(), md) == Some(start)
            }
            _ => true,
        }
    }
}

impl fmt::Display for Rule {
    /// The RRULE value (without the `RRULE:` prefix), parts in a fixed order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let freq = match self.freq {
            Freq::Daily => "DAILY",
            Freq::Weekly => "WEEKLY",
            Freq::Monthly => "MONTHLY",
        };
        write!(f, "FREQ={freq}")?;
        if self.interval > 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.by_day.is_empty() {
            let days: Vec<&str> = self.by_day.iter().map(|d| weekday_code(*d)).collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        match self.month_day {
            Some(MonthDay::Day(n)) => write!(f, ";BYMONTHDAY={n}")?,
            Some(MonthDay::Nth(n, d)) => write!(f, ";BYDAY={n}{}", weekday_code(d))?,
            None => {}
        }
        match self.end {
            End::Never => Ok(()),
            End::Count(n) => write!(f, ";COUNT={n}"),
            End::Until(Until::Utc(t)) => write!(f, ";UNTIL={}Z", t.format("%Y%m%dT%H%M%S")),
            End::Until(Until::Local(t)) => write!(f, ";UNTIL={}", t.format("%Y%m%dT%H%M%S")),
            End::Until(Until::Date(d)) => write!(f, ";UNTIL={}", d.format("%Y%m%d")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn paris() -> chrono_tz::Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn utc(s: &str) -> i64 {
        at(s).and_utc().timestamp()
    }

    #[test]
    fn rules_round_trip_and_the_unsupported_is_refused() {
        for s in [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3;COUNT=10",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270630T215959Z",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231",
            "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15",
        ] {
            assert_eq!(Rule::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            Rule::parse("RRULE:freq=weekly;byday=tu;wkst=MO")
                .unwrap()
                .to_string(),
            "FREQ=WEEKLY;BYDAY=TU"
        );
        assert_eq!(
            Rule::parse("FREQ=MONTHLY;BYDAY=+1SU").unwrap().month_day,
            Some(MonthDay::Nth(1, Weekday::Sun))
        );
        for bad in [
            "",
            "FREQ=YEARLY",
            "FREQ=WEEKLY;BYSETPOS=1",
            "FREQ=DAILY;BYDAY=MO",
            "FREQ=MONTHLY;BYDAY=MO,TU",
            "FREQ=MONTHLY;BYDAY=6MO",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;COUNT=ten",
            "FREQ=DAILY;UNTIL=tomorrow",
            "FREQ=DAILY;WKST=SU",
            "FREQ",
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    fn expand(
        rule: &Rule,
        start: NaiveDateTime,
        tz: chrono_tz::Tz,
        _ex: &[NaiveDate],
        horizon: i64,
    ) -> Expansion {
        let text = rule.to_string();
        let series = Series {
            start,
            tz,
            all_day: false,
            rrule: &text,
            rdates: &[],
            exdates: &[],
        };
        super::expand(&series, horizon).unwrap()
    }

    #[test]
    fn the_start_must_be_one_of_the_rule_dates() {
        let weekly = Rule::parse("FREQ=WEEKLY;BYDAY=TU,TH").unwrap();
        assert!(weekly.matches_start(date("2027-03-02")));
        assert!(!weekly.matches_start(date("2027-03-01")));
        let nth = Rule::parse("FREQ=MONTHLY;BYDAY=1SU").unwrap();
        assert!(nth.matches_start(date("2027-03-07")));
        assert!(!nth.matches_start(date("2027-03-14")));
        // An unsynchronised start is still the first occurrence (RFC 5545: DTSTART counts).
        let e = expand(
            &weekly,
            at("2027-03-01 10:00"),
            paris(),
            &[],
            utc("2027-03-05 00:00"),
        );
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(days, ["2027-03-01", "2027-03-02", "2027-03-04"].map(date));
    }
}
