//! Expansion of a rule into dates, in local wall time, and the conversions between wall time
//! and UTC with the clock-change rules of RFC 5545 (see the module above).

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::{MonthDay, RuleError, Until, MAX_OCCURRENCES};
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

/// Rule dates walked through from the first start, at most: an hourly rule since 2005 must
/// not hold a request (its occurrences past the walk are then missing, and said so).
const MAX_WALK: usize = 200_000;

/// One excluded date: a whole local day (EXDATE;VALUE=DATE, and what the event form offers) or
/// one local start (EXDATE with a time, as calendars export it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exdate {
    Day(NaiveDate),
    At(NaiveDateTime),
}

impl Exdate {
    fn excludes(&self, local: NaiveDateTime) -> bool {
        match *self {
            Exdate::Day(d) => local.date() == d,
            Exdate::At(t) => local == t,
        }
    }

    /// `2027-03-16` or `2027-03-16T18:30`, as stored.
    pub fn parse(s: &str) -> Option<Exdate> {
        let s = s.trim();
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .map(Exdate::At)
            .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Exdate::Day))
            .ok()
    }
}

impl std::fmt::Display for Exdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exdate::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Exdate::At(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M")),
        }
    }
}

/// A series as stored: its first local start, its zone, its rule (any RFC 5545 RRULE value, or
/// empty), its added dates (RDATE) and its excluded ones (EXDATE).
#[derive(Clone, Copy, Debug)]
pub struct Series<'a> {
    pub start: NaiveDateTime,
    pub tz: Tz,
    /// All-day dates: UNTIL is a day (a UTC time there, as Outlook writes it, stands for its
    /// UTC date).
    pub all_day: bool,
    pub rrule: &'a str,
    pub rdates: &'a [NaiveDateTime],
    pub exdates: &'a [Exdate],
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
    /// Whether the series ended (UNTIL, COUNT, its last RDATE) before `horizon`: nothing more
    /// will ever be produced.
    pub finished: bool,
    /// Dates were left out: the oldest beyond [`MAX_OCCURRENCES`], or all past the walk limit.
    pub truncated: bool,
}

/// The rule's parts for the `rrule` crate, without UNTIL (applied here, in UTC, whatever form
/// it was written in: the crate wants it in DTSTART's zone, which exports often get wrong).
fn split_until(rrule: &str) -> Result<(String, Option<Until>), RuleError> {
    let rrule = rrule.trim();
    let rrule = rrule.strip_prefix("RRULE:").unwrap_or(rrule);
    // A rule is ASCII; the `rrule` crate slices what it is given by bytes (found by fuzzing:
    // `BYDAY=-1§` panicked inside it), so anything else is refused here.
    if !rrule.is_ascii() {
        return Err(RuleError(rrule.to_string()));
    }
    let mut parts = Vec::new();
    let mut until = None;
    for part in rrule.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| RuleError(part.to_string()))?;
        let k = k.trim().to_ascii_uppercase();
        if k == "UNTIL" {
            until = Some(super::parse_ical_time(v.trim()).ok_or_else(|| RuleError(part.into()))?);
        } else if !k.starts_with("X-") {
            parts.push(format!("{k}={}", v.trim().to_ascii_uppercase()));
        }
    }
    Ok((parts.join(";"), until))
}

/// Wall times in order, lazily.
type Dates = Box<dyn Iterator<Item = NaiveDateTime>>;

/// The rule's dates in wall time (the `rrule` crate expands in "UTC", which here stands for
/// the event's floating wall clock: the zone is applied afterwards, by our rules).
fn rule_dates(rrule: &str, start: NaiveDateTime) -> Result<(Dates, Option<Until>), RuleError> {
    if rrule.trim().is_empty() {
        return Ok((Box::new(std::iter::empty()), None));
    }
    let (rest, until) = split_until(rrule)?;
    let dtstart = start.and_utc().with_timezone(&rrule::Tz::UTC);
    let set = rest
        .parse::<rrule::RRule<rrule::Unvalidated>>()
        .map_err(|e| RuleError(e.to_string()))?
        .build(dtstart)
        .map_err(|e| RuleError(e.to_string()))?
        .limit();
    Ok((
        Box::new(set.into_iter().map(|d| d.naive_utc()).take(MAX_WALK)),
        until,
    ))
}

/// Checks a rule against a first start, as the import and the form do before saving.
pub fn check(rrule: &str, start: NaiveDateTime) -> Result<(), RuleError> {
    rule_dates(rrule, start).map(|_| ())
}

/// Expands a series: every occurrence starting at or before `horizon` (UTC), from the first
/// start (always an occurrence, as RFC 5545 says, even when the rule does not produce it), the
/// rule's dates up to UNTIL and COUNT, and the added dates, less the excluded ones (which still
/// count towards COUNT). At most [`MAX_OCCURRENCES`] are kept: the latest ones.
pub fn expand(s: &Series, horizon: i64) -> Result<Expansion, RuleError> {
    let (rule, until) = rule_dates(s.rrule, s.start)?;
    let until = until.map(|u| match u {
        Until::Utc(t) if s.all_day => until_utc(Until::Date(t.date()), s.tz),
        u => until_utc(u, s.tz),
    });
    let tz = s.tz;
    let rule = rule.take_while(move |local| until.is_none_or(|u| local_to_utc(tz, *local) <= u));
    let mut extra: Vec<NaiveDateTime> = s.rdates.to_vec();
    extra.push(s.start);
    extra.sort();
    extra.dedup();
    let mut rule = rule.peekable();
    let mut extra = extra.into_iter().peekable();
    let mut out = Expansion::default();
    let mut kept = std::collections::VecDeque::new();
    let mut last: Option<NaiveDateTime> = None;
    let mut walked = 0usize;
    loop {
        let next = match (rule.peek(), extra.peek()) {
            (None, None) => {
                out.finished = walked < MAX_WALK;
                out.truncated |= walked >= MAX_WALK;
                break;
            }
            (Some(a), Some(b)) if b <= a => extra.next(),
            (Some(_), _) => {
                walked += 1;
                rule.next()
            }
            (None, Some(_)) => extra.next(),
        };
        let Some(local) = next else { continue };
        if last == Some(local) {
            continue;
        }
        last = Some(local);
        let utc = local_to_utc(s.tz, local);
        if utc > horizon {
            break;
        }
        if s.exdates.iter().any(|x| x.excludes(local)) {
            continue;
        }
        kept.push_back(Instance { local, utc });
        if kept.len() > MAX_OCCURRENCES {
            kept.pop_front();
            out.truncated = true;
        }
    }
    out.instances = kept.into();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::recurrence::Rule;
    use crate::time::utc_to_local;

    /// The expansion of a rule of the form's subset with whole excluded days.
    fn expand(
        rule: &Rule,
        start: NaiveDateTime,
        tz: Tz,
        exdates: &[NaiveDate],
        horizon: i64,
    ) -> Expansion {
        let text = rule.to_string();
        let ex: Vec<Exdate> = exdates.iter().map(|d| Exdate::Day(*d)).collect();
        let series = Series {
            start,
            tz,
            all_day: false,
            rrule: &text,
            rdates: &[],
            exdates: &ex,
        };
        super::expand(&series, horizon).unwrap()
    }
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

    fn series_days(
        rrule: &str,
        start: &str,
        rdates: &[NaiveDateTime],
        ex: &[Exdate],
    ) -> Vec<String> {
        let series = Series {
            start: at(start),
            tz: paris(),
            all_day: false,
            rrule,
            rdates,
            exdates: ex,
        };
        super::expand(&series, i64::MAX)
            .unwrap()
            .instances
            .iter()
            .map(|i| i.local.format("%Y-%m-%d %H:%M").to_string())
            .collect()
    }

    #[test]
    fn what_real_calendars_export_outlook_weekly_with_wkst_yearly_and_bysetpos() {
        // Outlook: every Tuesday for half a year, the week starting on Sunday: 26 dates.
        let d = series_days(
            "FREQ=WEEKLY;UNTIL=20270629T163000Z;INTERVAL=1;BYDAY=TU;WKST=SU",
            "2027-01-05 18:30",
            &[],
            &[],
        );
        assert_eq!(d.len(), 26, "{d:?}");
        assert_eq!(d[25], "2027-06-29 18:30");
        // WKST matters with an interval: every other week on Sunday and Tuesday.
        let mo = series_days(
            "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
            "2027-08-03 09:00",
            &[],
            &[],
        );
        let su = series_days(
            "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            "2027-08-03 09:00",
            &[],
            &[],
        );
        assert_eq!(
            mo,
            [
                "2027-08-03 09:00",
                "2027-08-08 09:00",
                "2027-08-17 09:00",
                "2027-08-22 09:00"
            ]
        );
        assert_eq!(
            su,
            [
                "2027-08-03 09:00",
                "2027-08-15 09:00",
                "2027-08-17 09:00",
                "2027-08-29 09:00"
            ]
        );
        // YEARLY: the village fête on the last Saturday of June.
        let d = series_days(
            "FREQ=YEARLY;BYMONTH=6;BYDAY=-1SA;COUNT=3",
            "2027-06-26 14:00",
            &[],
            &[],
        );
        assert_eq!(
            d,
            ["2027-06-26 14:00", "2028-06-24 14:00", "2029-06-30 14:00"]
        );
        // BYSETPOS: the last weekday of each month.
        let d = series_days(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            "2027-01-29 18:00",
            &[],
            &[],
        );
        assert_eq!(
            d,
            ["2027-01-29 18:00", "2027-02-26 18:00", "2027-03-31 18:00"]
        );
    }

    #[test]
    fn added_dates_join_and_excluded_starts_leave_and_an_impossible_rule_ends() {
        let d = series_days(
            "FREQ=WEEKLY;COUNT=3",
            "2027-05-04 18:30",
            &[at("2027-05-06 10:00"), at("2027-05-04 18:30")],
            &[Exdate::At(at("2027-05-11 18:30"))],
        );
        assert_eq!(
            d,
            ["2027-05-04 18:30", "2027-05-06 10:00", "2027-05-18 18:30"]
        );
        // Only RDATEs, no rule.
        let d = series_days("", "2027-05-04 18:30", &[at("2027-06-01 18:30")], &[]);
        assert_eq!(d, ["2027-05-04 18:30", "2027-06-01 18:30"]);
        // The 30th of February never comes: the first date, then the walk ends, no hang.
        let d = series_days(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "2027-01-10 10:00",
            &[],
            &[],
        );
        assert_eq!(d, ["2027-01-10 10:00"]);
        // UNTIL as a date while the start has a time (many exports): the whole day counts.
        let d = series_days("FREQ=DAILY;UNTIL=20270503", "2027-05-01 23:00", &[], &[]);
        assert_eq!(d.len(), 3);
        assert!(check("FREQ=SOMETIMES", at("2027-05-01 10:00")).is_err());
        assert!(check("FREQ=MONTHLY;BYDAY=-1§¾", at("2027-05-01 10:00")).is_err());
        assert!(check("FREQ=WEEKLY;BYDAY=XX", at("2027-05-01 10:00")).is_err());
    }

    #[test]
    fn an_endless_daily_series_from_long_ago_keeps_its_latest_dates() {
        let series = Series {
            start: at("1990-01-01 09:00"),
            tz: paris(),
            all_day: false,
            rrule: "FREQ=DAILY",
            rdates: &[],
            exdates: &[],
        };
        let e = super::expand(&series, utc("2027-01-01 00:00")).unwrap();
        assert!(e.truncated && !e.finished);
        assert_eq!(e.instances.len(), MAX_OCCURRENCES);
        assert_eq!(e.instances.last().unwrap().local, at("2026-12-31 09:00"));
    }
}
