//! Expansion of a rule into dates, in local wall time, and the conversions between wall time
//! and UTC with the clock-change rules of RFC 5545 (see the module above).

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::{End, Freq, MonthDay, Rule, Until, MAX_OCCURRENCES};
use crate::time::local_to_utc;

/// The UTC instant at which a series stops (its last start may not be after it).
fn until_utc(u: Until, tz: Tz) -> i64 {
    match u {
        Until::Utc(t) => t.and_utc().timestamp(),
        Until::Local(t) => local_to_utc(tz, t),
        Until::Date(d) => local_to_utc(tz, d.and_hms_opt(23, 59, 59).unwrap_or_default()),
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    (next - first).num_days() as u32
}

/// The date a monthly rule gives in one month, if that month has it (no 31st in April, no fifth
/// Monday in most months: those months are skipped, as RFC 5545 says).
pub(super) fn month_candidate(year: i32, month: u32, md: MonthDay) -> Option<NaiveDate> {
    let len = days_in_month(year, month) as i32;
    match md {
        MonthDay::Day(n) => {
            let day = if n > 0 {
                i32::from(n)
            } else {
                len + 1 + i32::from(n)
            };
            (1..=len)
                .contains(&day)
                .then(|| NaiveDate::from_ymd_opt(year, month, day as u32))
                .flatten()
        }
        MonthDay::Nth(n, wd) => {
            if n > 0 {
                NaiveDate::from_weekday_of_month_opt(year, month, wd, n as u8)
            } else {
                let last = NaiveDate::from_ymd_opt(year, month, len as u32)?;
                let back =
                    (last.weekday().num_days_from_monday() + 7 - wd.num_days_from_monday()) % 7;
                let day = len - back as i32 - 7 * (i32::from(-n) - 1);
                (day >= 1)
                    .then(|| NaiveDate::from_ymd_opt(year, month, day as u32))
                    .flatten()
            }
        }
    }
}

/// Days, weeks or months a rule may walk through: a monthly rule that no month satisfies
/// (the 30th, every 12 months from February) must not loop forever.
const MAX_STEPS: u64 = 20_000;

/// The dates the rule produces from `start`, in order, not before `start` (the caller stops
/// the iteration; [`MAX_STEPS`] bounds it).
fn dates(rule: &Rule, start: NaiveDate) -> Box<dyn Iterator<Item = NaiveDate> + '_> {
    let step = u64::from(rule.interval.max(1));
    match rule.freq {
        Freq::Daily => Box::new(
            (0u64..MAX_STEPS).map_while(move |k| start.checked_add_days(Days::new(k * step))),
        ),
        Freq::Weekly => {
            let monday =
                start - chrono::Duration::days(i64::from(start.weekday().num_days_from_monday()));
            let days = if rule.by_day.is_empty() {
                vec![start.weekday()]
            } else {
                rule.by_day.clone()
            };
            Box::new(
                (0u64..MAX_STEPS)
                    .map_while(move |k| monday.checked_add_days(Days::new(7 * k * step)))
                    .flat_map(move |week| {
                        days.clone().into_iter().filter_map(move |d| {
                            week.checked_add_days(Days::new(u64::from(d.num_days_from_monday())))
                        })
                    })
                    .filter(move |d| *d >= start),
            )
        }
        Freq::Monthly => {
            let md = rule.month_day.unwrap_or(MonthDay::Day(start.day() as i8));
            let first = start.with_day(1).unwrap_or(start);
            Box::new(
                (0u32..MAX_STEPS as u32)
                    .map_while(move |k| first.checked_add_months(Months::new(k * step as u32)))
                    .filter_map(move |m| month_candidate(m.year(), m.month(), md))
                    .filter(move |d| *d >= start),
            )
        }
    }
}

/// One occurrence: its local start and its UTC start (which is also its RECURRENCE-ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    pub local: NaiveDateTime,
    pub utc: i64,
}

/// What an expansion produced.
#[derive(Clone, Debug, Default)]
pub struct Expansion {
    pub instances: Vec<Instance>,
    /// Whether the series ended (UNTIL, COUNT, or the cap) before `horizon`: nothing more will
    /// ever be produced.
    pub finished: bool,
}

/// Expands a series from its first local start: every occurrence starting at or before
/// `horizon` (UTC), except the excluded local dates (which still count towards COUNT, as in
/// RFC 5545). The first start is always an occurrence, even if the rule does not produce it.
pub fn expand(
    rule: &Rule,
    start: NaiveDateTime,
    tz: Tz,
    exdates: &[NaiveDate],
    horizon: i64,
) -> Expansion {
    let until = match rule.end {
        End::Until(u) => Some(until_utc(u, tz)),
        _ => None,
    };
    let count = match rule.end {
        End::Count(n) => n as usize,
        _ => MAX_OCCURRENCES,
    }
    .min(MAX_OCCURRENCES);
    let time = start.time();
    let first = start.date();
    let produced = std::iter::once(first).chain(dates(rule, first).filter(move |d| *d != first));
    let mut out = Expansion::default();
    for (n, date) in produced.enumerate() {
        if n >= count {
            out.finished = true;
            break;
        }
        let local = date.and_time(time);
        let utc = local_to_utc(tz, local);
        if until.is_some_and(|u| utc > u) {
            out.finished = true;
            break;
        }
        if utc > horizon {
            break;
        }
        if !exdates.contains(&date) {
            out.instances.push(Instance { local, utc });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::recurrence::Rule;
    use crate::time::utc_to_local;
    use chrono::Timelike;
    use chrono::Weekday;

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn utc(s: &str) -> i64 {
        at(s).and_utc().timestamp()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekly_class_keeps_its_wall_time_across_both_clock_changes_of_2027() {
        // Tuesdays 18:30 from 2 March to the end of November 2027, in Paris.
        let rule = Rule::parse("FREQ=WEEKLY;BYDAY=TU;UNTIL=20271130T225959Z").unwrap();
        let e = expand(&rule, at("2027-03-02 18:30"), paris(), &[], i64::MAX);
        assert!(e.finished);
        assert!(e
            .instances
            .iter()
            .all(|i| i.local.hour() == 18 && i.local.minute() == 30));
        assert!(e
            .instances
            .iter()
            .all(|i| i.local.weekday() == Weekday::Tue));
        // Winter time (UTC+1) until the last Sunday of March, summer time (UTC+2) until the
        // last Sunday of October.
        let find = |d: &str| {
            e.instances
                .iter()
                .find(|i| i.local.date() == date(d))
                .unwrap()
                .utc
        };
        assert_eq!(find("2027-03-23"), utc("2027-03-23 17:30"));
        assert_eq!(find("2027-03-30"), utc("2027-03-30 16:30"));
        assert_eq!(find("2027-10-26"), utc("2027-10-26 16:30"));
        assert_eq!(find("2027-11-02"), utc("2027-11-02 17:30"));
        assert_eq!(e.instances.last().unwrap().local.date(), date("2027-11-30"));
        assert_eq!(e.instances.len(), 40);
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_and_the_autumn_fold_takes_the_first() {
        let tz = paris();
        // 28 March 2027: 02:00 → 03:00. 02:30 does not exist: read at UTC+1 → 01:30Z = 03:30.
        assert_eq!(
            local_to_utc(tz, at("2027-03-28 02:30")),
            utc("2027-03-28 01:30")
        );
        assert_eq!(
            utc_to_local(tz, utc("2027-03-28 01:30")),
            at("2027-03-28 03:30")
        );
        // 31 October 2027: 03:00 → 02:00. 02:30 happens twice: the first is at UTC+2.
        assert_eq!(
            local_to_utc(tz, at("2027-10-31 02:30")),
            utc("2027-10-31 00:30")
        );
        // A daily series at 02:30 over both changes: every day exists, once.
        let rule = Rule::parse("FREQ=DAILY;COUNT=3").unwrap();
        let e = expand(&rule, at("2027-03-27 02:30"), tz, &[], i64::MAX);
        let times: Vec<i64> = e.instances.iter().map(|i| i.utc).collect();
        assert_eq!(
            times,
            vec![
                utc("2027-03-27 01:30"),
                utc("2027-03-28 01:30"),
                utc("2027-03-29 00:30")
            ]
        );
        let e = expand(&rule, at("2027-10-30 02:30"), tz, &[], i64::MAX);
        let times: Vec<i64> = e.instances.iter().map(|i| i.utc).collect();
        assert_eq!(
            times,
            vec![
                utc("2027-10-30 00:30"),
                utc("2027-10-31 00:30"),
                utc("2027-11-01 01:30")
            ]
        );
    }

    #[test]
    fn weekly_on_several_days_with_an_interval_and_a_count() {
        let rule = Rule::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO;COUNT=5").unwrap();
        assert_eq!(rule.by_day, vec![Weekday::Mon, Weekday::Thu]);
        // Starts on a Thursday: the Monday of that week is before the start and is skipped.
        let e = expand(&rule, at("2027-01-07 10:00"), paris(), &[], i64::MAX);
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(
            days,
            [
                "2027-01-07",
                "2027-01-18",
                "2027-01-21",
                "2027-02-01",
                "2027-02-04"
            ]
            .map(date)
        );
        assert!(e.finished);
    }

    #[test]
    fn monthly_by_day_and_by_nth_weekday() {
        let tz = paris();
        // The first Sunday of each month (the market).
        let rule = Rule::parse("FREQ=MONTHLY;BYDAY=1SU;COUNT=4").unwrap();
        let e = expand(&rule, at("2027-01-03 08:00"), tz, &[], i64::MAX);
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(
            days,
            ["2027-01-03", "2027-02-07", "2027-03-07", "2027-04-04"].map(date)
        );
        // The last Friday.
        let rule = Rule::parse("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3").unwrap();
        let e = expand(&rule, at("2027-01-29 20:00"), tz, &[], i64::MAX);
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(days, ["2027-01-29", "2027-02-26", "2027-03-26"].map(date));
        // The second Tuesday, every other month.
        let rule = Rule::parse("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=3").unwrap();
        let e = expand(&rule, at("2027-01-12 20:00"), tz, &[], i64::MAX);
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(days, ["2027-01-12", "2027-03-09", "2027-05-11"].map(date));
        // The 31st skips the months without one; COUNT counts produced dates only.
        let rule = Rule::parse("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3").unwrap();
        let e = expand(&rule, at("2027-01-31 09:00"), tz, &[], i64::MAX);
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(days, ["2027-01-31", "2027-03-31", "2027-05-31"].map(date));
        // The last day of the month.
        let rule = Rule::parse("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2").unwrap();
        let e = expand(&rule, at("2028-01-31 09:00"), tz, &[], i64::MAX);
        assert_eq!(e.instances[1].local.date(), date("2028-02-29"));
    }

    #[test]
    fn excluded_dates_are_skipped_but_still_count_and_the_horizon_stops_an_endless_series() {
        let tz = paris();
        let rule = Rule::parse("FREQ=DAILY;COUNT=4").unwrap();
        let e = expand(
            &rule,
            at("2027-05-01 09:00"),
            tz,
            &[date("2027-05-02")],
            i64::MAX,
        );
        let days: Vec<NaiveDate> = e.instances.iter().map(|i| i.local.date()).collect();
        assert_eq!(days, ["2027-05-01", "2027-05-03", "2027-05-04"].map(date));

        let rule = Rule::parse("FREQ=WEEKLY").unwrap();
        let e = expand(
            &rule,
            at("2027-05-01 09:00"),
            tz,
            &[],
            utc("2027-05-29 07:00"),
        );
        assert_eq!(e.instances.len(), 5);
        assert!(!e.finished, "an endless series is never finished");
        // UNTIL is inclusive; a date UNTIL covers that whole local day.
        let rule = Rule::parse("FREQ=DAILY;UNTIL=20270503").unwrap();
        let e = expand(&rule, at("2027-05-01 23:00"), tz, &[], i64::MAX);
        assert_eq!(e.instances.len(), 3);
    }
}
