//! The query string of every agenda view (filters, month, week, page cursor), read leniently:
//! a bad value is ignored, never refused; and the days a view covers.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use super::store::lists::{Filter, Item, Near};
use super::EventType;
use crate::time::{local_to_utc, utc_to_local};
use crate::web::forms::number;
use crate::web::{url_encode, Ctx};

/// Dates per page of the upcoming list.
pub const PER_PAGE: usize = 60;

/// The query string of every agenda view, as typed; bad values are ignored, not refused.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AgendaQuery {
    pub tag: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub organiser: String,
    pub place: String,
    /// Within this many km of the village centre (or of lat/lon).
    pub km: String,
    pub lat: String,
    pub lon: String,
    /// Dates `YYYY-MM-DD` (list and feeds).
    pub from: String,
    pub to: String,
    /// Month `2026-12` (month and print).
    pub m: String,
    /// ISO week `2026-W48` (week and print).
    pub w: String,
    /// The next page of the list: `start:end:id` of the last date shown.
    pub after: String,
    /// `1`: the neighbouring villages' events too, in the list (remembered by the page).
    pub neighbours: String,
    /// Dates per page of the API (1 to 1000; 100 when empty).
    pub limit: String,
}

/// Query of the event page: `o` picks one date of a series (its recurrence id).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventQuery {
    pub o: String,
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The UTC instant a local day starts.
pub fn day_start(tz: Tz, d: NaiveDate) -> i64 {
    local_to_utc(tz, d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

impl AgendaQuery {
    /// The store filter (the distance around the village centre unless a point is given).
    pub fn filter(&self, ctx: &Ctx) -> Filter {
        let i = &ctx.instance;
        let lat = number(&self.lat).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(&self.lon).filter(|v| (-180.0..=180.0).contains(v));
        let (lat, lon) = lat.zip(lon).unwrap_or((i.center_lat, i.center_lon));
        let near = number(&self.km)
            .filter(|k| *k > 0.0 && *k <= 500.0)
            .map(|km| Near { lat, lon, km });
        Filter {
            tag: nonempty(&self.tag).map(|t| t.trim_start_matches('#').to_lowercase()),
            type_: EventType::parse(self.type_.trim()),
            organiser: nonempty(&self.organiser),
            place: nonempty(&self.place),
            actor: None,
            near,
        }
    }

    /// `tag=...&type=...` of the filters in use, for links that keep them.
    pub fn filters_query(&self) -> String {
        let fields = [
            ("tag", &self.tag),
            ("type", &self.type_),
            ("organiser", &self.organiser),
            ("place", &self.place),
            ("km", &self.km),
            ("lat", &self.lat),
            ("lon", &self.lon),
        ];
        fields
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", url_encode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The first day of the month asked for (this month by default).
    pub fn month(&self, today: NaiveDate) -> NaiveDate {
        NaiveDate::parse_from_str(&format!("{}-01", self.m.trim()), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2200).contains(&d.year()))
            .unwrap_or_else(|| today.with_day(1).unwrap_or(today))
    }

    /// The Monday of the ISO week asked for (this week by default).
    pub fn week(&self, today: NaiveDate) -> NaiveDate {
        let parsed = self.w.trim().split_once("-W").and_then(|(y, w)| {
            let (y, w) = (y.parse::<i32>().ok()?, w.parse::<u32>().ok()?);
            NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)
                .filter(|d| (1900..=2200).contains(&d.year()))
        });
        parsed.unwrap_or_else(|| {
            today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()))
        })
    }
}

/// The cursor of the next page (`start:end:id` of the last date shown), if it reads as one.
pub fn cursor(s: &str) -> Option<(i64, i64, i64)> {
    let mut parts = s.split(':').map(|p| p.parse::<i64>().ok());
    let (a, b, c) = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some((a, b, c))
}

/// The ISO week of a date as `2026-W48`.
pub fn week_code(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The local days a date covers (its start day to the day of its last second), within `days`.
pub fn days_of(item: &Item, tz: Tz) -> (NaiveDate, NaiveDate) {
    span_days(tz, item.occurrence.start_utc, item.occurrence.end_utc)
}

/// The local days from `start` to the last second before `end`.
fn span_days(tz: Tz, start: i64, end: i64) -> (NaiveDate, NaiveDate) {
    let first = utc_to_local(tz, start).date();
    let last = utc_to_local(tz, (end - 1).max(start)).date();
    (first, last.max(first))
}

/// From the dates of a calendar as (occurrence id, start, end) in order: the ids of the first
/// `per_day` dates of each day of `days` (each once), and how many dates each day has. A
/// calendar reads those few dates whole and shows the count of the others.
pub fn pick_per_day(
    keys: &[(i64, i64, i64)],
    tz: Tz,
    days: &[NaiveDate],
    per_day: usize,
) -> (Vec<i64>, Vec<usize>) {
    let mut totals = vec![0usize; days.len()];
    let mut ids = Vec::new();
    let Some(first) = days.first().copied() else {
        return (ids, totals);
    };
    for &(id, start, end) in keys {
        let (a, b) = span_days(tz, start, end);
        let from = (a.max(first) - first).num_days().max(0);
        let to = (b - first).num_days().min(totals.len() as i64 - 1);
        let mut picked = false;
        for i in from..=to {
            let i = i as usize;
            totals[i] += 1;
            if totals[i] <= per_day && !picked {
                ids.push(id);
                picked = true;
            }
        }
    }
    (ids, totals)
}

/// The dates of each day of `days`, a date spanning several days under each of them.
pub fn by_day<'a>(
    items: &'a [Item],
    tz: Tz,
    days: &[NaiveDate],
) -> Vec<(NaiveDate, Vec<&'a Item>)> {
    let mut out: Vec<(NaiveDate, Vec<&Item>)> = days.iter().map(|d| (*d, Vec::new())).collect();
    let Some(first) = days.first().copied() else {
        return out;
    };
    for item in items {
        let (a, b) = days_of(item, tz);
        let mut d = a.max(first);
        while d <= b {
            if let Some(i) = usize::try_from((d - first).num_days())
                .ok()
                .filter(|i| *i < out.len())
            {
                out[i].1.push(item);
            } else {
                break;
            }
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
    }
    out
}

/// The days of the month grid: Monday before the 1st to Sunday after the last day.
pub fn month_days(first: NaiveDate) -> Vec<NaiveDate> {
    let start = first - chrono::Duration::days(i64::from(first.weekday().num_days_from_monday()));
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    let end = last + chrono::Duration::days(i64::from(6 - last.weekday().num_days_from_monday()));
    start.iter_days().take_while(|d| *d <= end).collect()
}

/// The UTC instants a run of local days starts and ends.
pub fn range_of(tz: Tz, days: &[NaiveDate]) -> (i64, i64) {
    let first = days.first().copied().unwrap_or_default();
    let after = days
        .last()
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(first);
    (day_start(tz, first), day_start(tz, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weeks_are_read_from_the_query() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let q = AgendaQuery {
            m: "2026-12".into(),
            w: "2026-W48".into(),
            ..Default::default()
        };
        assert_eq!(
            q.month(today),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(
            q.week(today),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        let bad = AgendaQuery {
            m: "2026-13".into(),
            w: "W99".into(),
            ..Default::default()
        };
        assert_eq!(
            bad.month(today),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            bad.week(today),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(week_code(today), "2026-W48");
        assert_eq!(cursor("1:2:3"), Some((1, 2, 3)));
        assert_eq!(cursor("1:2"), None);
        assert_eq!(cursor("1:2:3:4"), None);
        assert_eq!(cursor("x:y:z"), None);
        // December 2026 starts on a Tuesday and ends on a Thursday: 5 rows of 7 days.
        let days = month_days(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(days.len(), 35);
        assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    }

    #[test]
    fn a_calendar_keeps_the_first_dates_of_each_day_and_counts_them_all() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let days: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2027, 3, 1)
            .unwrap()
            .iter_days()
            .take(3)
            .collect();
        let (d0, d1) = (day_start(tz, days[0]), day_start(tz, days[1]));
        // Day 1: three dates, one of which goes on into day 2; day 2: one date of its own.
        let keys = [
            (1, d0 + 3600, d0 + 7200),
            (2, d0 + 5000, d1 + 3600),
            (3, d0 + 9000, d0 + 9600),
            (4, d1 + 7200, d1 + 9000),
        ];
        let (ids, totals) = pick_per_day(&keys, tz, &days, 2);
        assert_eq!(totals, vec![3, 2, 0]);
        assert_eq!(ids, vec![1, 2, 4], "the first two of each day, each once");
        // A date that started before the first day counts from the first day.
        let (ids, totals) = pick_per_day(&[(9, d0 - 86_400, d0 + 60)], tz, &days, 2);
        assert_eq!((ids, totals), (vec![9], vec![1, 0, 0]));
    }
}
