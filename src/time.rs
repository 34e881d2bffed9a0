//! Time, one home for every module: wall time in the village's zone and UTC seconds (the one
//! time format stored), the dates and times people type, and the formats feeds and APIs write.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The UTC instant of a wall-clock time in `tz`. A time in the spring gap is read with the
/// offset in force before the gap (so it moves forward by the gap); a time the autumn fold
/// repeats is the first of the two.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(dt) => dt.timestamp(),
        chrono::LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        chrono::LocalResult::None => {
            for hours in [1, 2, 3, 6, 12, 25, 49] {
                if let Some(before) = tz
                    .from_local_datetime(&(local - chrono::Duration::hours(hours)))
                    .earliest()
                {
                    let offset = i64::from(before.offset().fix().local_minus_utc());
                    return local.and_utc().timestamp() - offset;
                }
            }
            local.and_utc().timestamp()
        }
    }
}

/// The wall-clock time in `tz` of a UTC instant.
pub fn utc_to_local(tz: Tz, utc: i64) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp(utc, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .naive_local()
}

/// A date as typed: `2027-03-02` (what date inputs send) or `02/03/2027`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=2200).contains(&d.year()))
}

/// A time as typed: `18:30`, `18h30`, `18h`, `18`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim().to_lowercase().replace(['h', '.'], ":");
    let (h, m) = s.split_once(':').unwrap_or((&s, ""));
    let h: u32 = h.trim().parse().ok()?;
    let m: u32 = if m.trim().is_empty() {
        0
    } else {
        m.trim().get(..2.min(m.trim().len()))?.parse().ok()?
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

/// An instant as RFC 3339 with the zone's offset: `2027-03-02T18:30:00+01:00`.
pub fn rfc3339(t: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .to_rfc3339()
}

/// An instant as RSS dates are written (RFC 822, four-digit year): `Tue, 2 Mar 2027 17:30:00 +0000`.
pub fn rfc822(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .to_rfc2822()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_dates_and_times_and_written_instants() {
        assert_eq!(
            parse_date("02/03/2027"),
            NaiveDate::from_ymd_opt(2027, 3, 2)
        );
        assert_eq!(parse_time("18h30"), NaiveTime::from_hms_opt(18, 30, 0));
        assert_eq!(parse_date("demain"), None);
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let t = local_to_utc(
            paris,
            NaiveDate::from_ymd_opt(2027, 3, 2)
                .unwrap()
                .and_hms_opt(18, 30, 0)
                .unwrap(),
        );
        assert_eq!(rfc3339(t, paris), "2027-03-02T18:30:00+01:00");
        assert_eq!(rfc822(t), "Tue, 2 Mar 2027 17:30:00 +0000");
        assert_eq!(utc_to_local(paris, t).format("%H:%M").to_string(), "18:30");
    }
}
