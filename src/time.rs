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

/// A duration as people type it, in whole minutes: `2 h 30`, `2h30`, `2 h`, `90 min`, `1:30`,
/// `1,5 h`, `2 heures 30`, `2 Std. 30 Min.`, or plain minutes (`90`). None when unreadable.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim().to_lowercase().replace(',', ".");
    if let Some((h, m)) = s.split_once(':') {
        let (h, m) = (h.trim(), m.trim());
        let digits =
            |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || !digits(m) || m.len() != 2 {
            return None;
        }
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        return (m < 60).then_some(h * 60 + m);
    }
    // Numbers, each followed by a unit or not: "2 h 30", "90 min", "2heures30".
    let mut parts: Vec<(f64, Option<bool>)> = Vec::new(); // (value, Some(true) hours, Some(false) minutes)
    let mut rest = s.as_str();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n == 0 || n > 7 {
            return None;
        }
        let value: f64 = rest[..n].parse().ok()?;
        rest = rest[n..].trim_start();
        let w = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = &rest[..w];
        rest = rest[w..].strip_prefix('.').unwrap_or(&rest[w..]);
        let unit = match word {
            "" => None,
            "h" | "hr" | "hrs" | "hour" | "hours" | "heure" | "heures" | "std" | "stunde"
            | "stunden" => Some(true),
            "m" | "mn" | "min" | "mins" | "minute" | "minutes" | "minuten" => Some(false),
            _ => return None,
        };
        parts.push((value, unit));
        // "et", "and", "und" between the hours and the minutes.
        let t = rest.trim_start();
        for joint in ["et ", "and ", "und "] {
            if let Some(after) = t.strip_prefix(joint) {
                rest = after;
            }
        }
    }
    let whole = |v: f64| ((v - v.round()).abs() < 1e-6).then_some(v.round() as i64);
    match parts.as_slice() {
        [(m, None | Some(false))] => whole(*m),
        [(h, Some(true))] => whole(*h * 60.0),
        [(h, Some(true)), (m, None | Some(false))] => {
            let (h, m) = (whole(*h)?, whole(*m)?);
            (m < 60).then_some(h * 60 + m)
        }
        _ => None,
    }
}

/// A duration in minutes as people read it, and as [`parse_duration`] reads it back:
/// `2 h 30`, `2 h`, `45 min`.
pub fn format_duration(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02}"),
    }
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

/// Whether the system clock is kept synchronised (NTP), as far as one can tell: `None` when it
/// cannot be told (no systemd). HTTP signatures carry a Date that peers check within five
/// minutes, and a Raspberry Pi has no hardware clock; `placette check` and the federation
/// admin page say so. Never fails; at most a two-second wait on `timedatectl`.
pub fn clock_synchronised() -> Option<bool> {
    timedatectl_synchronised().or_else(|| {
        // systemd-timesyncd marks its first synchronisation with this file.
        std::path::Path::new("/run/systemd/timesync/synchronized")
            .exists()
            .then_some(true)
    })
}

/// `timedatectl show -p NTPSynchronized --value`: "yes" or "no"; `None` when it is missing,
/// fails, says something else or takes more than two seconds.
fn timedatectl_synchronised() -> Option<bool> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new("timedatectl")
        .args(["show", "-p", "NTPSynchronized", "--value"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    match (status.success(), out.trim()) {
        (true, "yes") => Some(true),
        (true, "no") => Some(false),
        _ => None,
    }
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

    #[test]
    fn durations_as_typed_and_as_shown() {
        let cases = [
            ("2 h 30", Some(150)),
            ("2h30", Some(150)),
            ("2H30", Some(150)),
            ("2 h", Some(120)),
            ("2h", Some(120)),
            ("90 min", Some(90)),
            ("90min", Some(90)),
            ("90", Some(90)),
            (" 1:30 ", Some(90)),
            ("0:05", Some(5)),
            ("1,5 h", Some(90)),
            ("1.5h", Some(90)),
            ("2 heures 30", Some(150)),
            ("1 heure et 15 minutes", Some(75)),
            ("2 Std. 30 Min.", Some(150)),
            ("3 hours", Some(180)),
            ("1 h 30 min", Some(90)),
            ("0 min", Some(0)),
            ("24 h", Some(1440)),
            ("un quart d'heure", None),
            ("", None),
            ("1:75", None),
            ("1:3", None),
            ("2 h 75", None),
            ("30 min 2 h", None),
            ("2 jours", None),
            ("1.3 min", None),
            ("-30", None),
            ("99999999999999999999", None),
        ];
        for (typed, minutes) in cases {
            assert_eq!(parse_duration(typed), minutes, "{typed:?}");
        }
        for (minutes, shown) in [
            (150, "2 h 30"),
            (120, "2 h"),
            (45, "45 min"),
            (65, "1 h 05"),
            (0, "0 min"),
        ] {
            assert_eq!(format_duration(minutes), shown);
            assert_eq!(parse_duration(shown), Some(minutes), "read back");
        }
    }
}
