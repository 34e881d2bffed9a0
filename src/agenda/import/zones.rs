//! Time zones of imported calendars. A TZID is whatever name the producer chose: an IANA name
//! (Nextcloud, Google), the same behind a vendor prefix (Thunderbird's
//! `/mozilla.org/20070129_1/Europe/Paris`), a Windows name or display name (Outlook, Exchange),
//! an offset (`UTC+01:00`), or a made-up name whose only meaning is the file's own VTIMEZONE.
//! An event placed in the wrong zone is an hour off without anyone noticing, so every TZID is
//! either understood (and the import report says how) or refused: [`resolve`] never guesses.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{Tz, TZ_VARIANTS};

use super::windows_zones::{self, WINDOWS_ZONES};

/// One STANDARD or DAYLIGHT part of a VTIMEZONE, as read from the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Observance {
    /// Local wall time, in the offset in force before (TZOFFSETFROM).
    pub dtstart: NaiveDateTime,
    /// Seconds east of UTC.
    pub offset_from: i32,
    pub offset_to: i32,
    /// The RRULE value, e.g. "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU".
    pub rrule: Option<String>,
    pub rdates: Vec<NaiveDateTime>,
}

/// A VTIMEZONE of the file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Definition {
    pub tzid: String,
    pub observances: Vec<Observance>,
}

/// How a TZID was understood (said in the import report).
#[derive(Clone, Debug, PartialEq)]
pub enum How {
    Iana,
    Windows,
    Offset,
    Definition,
}

/// The IANA zone of a TZID, or `None` when it cannot be known (the caller then refuses the
/// event and says so). An exact IANA name wins over the file's VTIMEZONE (definitions in files
/// are often stale copies of old rules); any other name with a definition in the file is read
/// by that definition when an IANA zone matches it, else by its name; the definition also
/// vetoes a bare offset that contradicts it. `near` is the date the events are about: the
/// definition is compared with IANA zones from its year - 1 to its year + 3.
pub fn resolve(tzid: &str, definitions: &[Definition], near: NaiveDate) -> Option<(Tz, How)> {
    let name = unquote(tzid);
    if let Ok(tz) = name.parse::<Tz>() {
        return Some((tz, How::Iana));
    }
    // A name that is not exactly an IANA one ("Europe/lisbon", a Windows name, a vendor
    // prefix) with its own VTIMEZONE in the file: the definition decides, as other readers do
    // (the `icalendar` package), and the name only says which matching zone to prefer.
    let own = definition_of(definitions, name);
    if let (Some(window), Some(definition)) = (Window::around(near), own) {
        let hint = iana(name).or_else(|| windows(name));
        if let Some(found) = Timeline::of(definition, &window).and_then(|t| t.find(hint, &window)) {
            let how = match hint {
                Some(h) if h == found && iana(name).is_some() => How::Iana,
                Some(h) if h == found => How::Windows,
                _ => How::Definition,
            };
            return Some((found, how));
        }
    }
    if let Some(tz) = iana(name) {
        return Some((tz, How::Iana));
    }
    if let Some(tz) = windows(name) {
        return Some((tz, How::Windows));
    }
    let window = Window::around(near)?;
    let definition = definition_of(definitions, name);
    let timeline = definition.and_then(|d| Timeline::of(d, &window));
    let by_name = offset_name(name)
        .and_then(|seconds| fixed_zone(seconds, &window))
        .map(|tz| (tz, How::Offset))
        .or_else(|| display_name(name, &window));
    let mut named = None;
    if let Some((tz, how)) = by_name {
        let agrees = definition.is_none()
            || (timeline.as_ref()).is_some_and(|t| t.matches(tz, &t.samples(&window)));
        if how != How::Offset || agrees {
            return Some((tz, how));
        }
        named = Some(tz);
    }
    let found = timeline?.find(named, &window)?;
    Some((found, How::Definition))
}

/// The UTC time of a wall time in a zone that only the file's own VTIMEZONE defines (no IANA
/// zone has its offsets): read by that definition directly. A wall time that happens twice
/// is the first; one in a gap is read with the offset before it (RFC 5545).
pub fn utc_by_definition(
    tzid: &str,
    definitions: &[Definition],
    local: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let definition = definition_of(definitions, unquote(tzid))?;
    let window = Window::around(local.date())?;
    let timeline = Timeline::of(definition, &window)?;
    let mut offsets: Vec<i32> = timeline.onsets.iter().flat_map(|o| [o.1, o.2]).collect();
    offsets.sort_unstable();
    offsets.dedup();
    // Candidates from the largest offset (the earliest instant) down.
    let fits = offsets.iter().rev().find_map(|o| {
        let utc = local.checked_sub_signed(Duration::seconds((*o).into()))?;
        (timeline.offset_at(utc) == *o).then_some(utc)
    });
    fits.or_else(|| {
        let before = local.checked_sub_signed(Duration::hours(25))?;
        let o = timeline.offset_at(before);
        local.checked_sub_signed(Duration::seconds(o.into()))
    })
}

/// The file's VTIMEZONE of this TZID: the one spelt the same, else one differing only in case
/// (a file may hold both "Europe/Lisbon" and a differently defined "Europe/lisbon").
fn definition_of<'a>(definitions: &'a [Definition], name: &str) -> Option<&'a Definition> {
    definitions
        .iter()
        .find(|d| unquote(&d.tzid) == name)
        .or_else(|| {
            definitions
                .iter()
                .find(|d| unquote(&d.tzid).eq_ignore_ascii_case(name))
        })
}

/// Parses a UTC offset as VTIMEZONE writes it: "+0100", "-0530", "+013000" (also "+01:00",
/// which some producers write); seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let (sign, body) = split_sign(s)?;
    let digits: String = body.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || body.starts_with(':') {
        return None;
    }
    let (h, m, sec) = match digits.len() {
        4 => (&digits[0..2], &digits[2..4], "0"),
        6 => (&digits[0..2], &digits[2..4], &digits[4..6]),
        _ => return None,
    };
    let (h, m, sec): (i32, i32, i32) = (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

/// The TZID without spaces and quotes around it (some producers quote every parameter).
fn unquote(tzid: &str) -> &str {
    tzid.trim().trim_matches('"').trim()
}

/// An IANA name, whatever its case, or one behind a vendor prefix: the longest tail after a
/// slash that is an IANA name (`/mozilla.org/20070129_1/Europe/Paris`).
fn iana(name: &str) -> Option<Tz> {
    let by_name = |n: &str| {
        n.parse::<Tz>().ok().or_else(|| {
            TZ_VARIANTS
                .iter()
                .copied()
                .find(|tz| tz.name().eq_ignore_ascii_case(n))
        })
    };
    if let Some(tz) = by_name(name) {
        return Some(tz);
    }
    // Without the leading slash of a prefix, a one-word tail ("EST") is too loose a match.
    let prefixed = name.starts_with('/');
    name.match_indices('/')
        .map(|(i, _)| &name[i + 1..])
        .filter(|tail| !tail.is_empty() && (prefixed || tail.contains('/')))
        .find_map(by_name)
}

/// A Windows name through CLDR's table.
fn windows(name: &str) -> Option<Tz> {
    windows_zones::lookup(name)?.parse().ok()
}

/// The offset of `UTC`, `GMT`, `UTC+11`, `UTC-05:30`, `GMT+0100`, `GMT+1` (seconds east).
fn offset_name(name: &str) -> Option<i32> {
    let prefix = name.get(..3)?;
    if !prefix.eq_ignore_ascii_case("UTC") && !prefix.eq_ignore_ascii_case("GMT") {
        return None;
    }
    let rest = name.get(3..)?.trim();
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, body) = split_sign(rest)?;
    let body = body.trim();
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h, m),
        None if body.len() == 4 => body.split_at(2),
        None => (body, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// The sign of an offset (+1 or -1) and what follows it.
fn split_sign(s: &str) -> Option<(i32, &str)> {
    if let Some(body) = s.strip_prefix('+') {
        Some((1, body))
    } else {
        s.strip_prefix('-').map(|body| (-1, body))
    }
}

/// The zone that is `seconds` east of UTC all year: `Etc/GMT-N` for whole hours (POSIX
/// inverts the sign), otherwise the first IANA zone with that offset all through the window
/// (+05:30: Asia/Calcutta, the same zone as Asia/Kolkata).
fn fixed_zone(seconds: i32, window: &Window) -> Option<Tz> {
    if seconds % 3600 == 0 {
        let hours = seconds / 3600;
        let name = if hours == 0 {
            "Etc/UTC".to_string()
        } else {
            format!("Etc/GMT{:+}", -hours)
        };
        return name.parse().ok();
    }
    let grid = window.grid();
    TZ_VARIANTS.iter().copied().find(|tz| {
        tz.name().contains('/')
            && !tz.name().starts_with("Etc/")
            && grid.iter().all(|t| offset_of(*tz, *t) == seconds)
    })
}

/// An Outlook display name, "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris": the zone of
/// a listed city that keeps the stated offset (CLDR's choice for the Windows zone first, so
/// Paris rather than Brussels), or "Eastern Time (US & Canada)" read as the Windows name
/// "Eastern Standard Time"; else only the offset.
fn display_name(name: &str, window: &Window) -> Option<(Tz, How)> {
    let (inside, places) = name.strip_prefix('(')?.split_once(')')?;
    let seconds = offset_name(inside.trim())?;
    let keeps_offset = |tz: &Tz| window.grid().iter().any(|t| offset_of(*tz, *t) == seconds);
    let cities: Vec<Tz> = places
        .split(',')
        .map(|city| city.trim().replace(' ', "_"))
        .filter(|city| !city.is_empty())
        .filter_map(|city| {
            TZ_VARIANTS.iter().copied().find(|tz| {
                tz.name()
                    .rsplit_once('/')
                    .is_some_and(|(_, last)| last.eq_ignore_ascii_case(&city))
            })
        })
        .filter(keeps_offset)
        .collect();
    let golden = |tz: &&Tz| WINDOWS_ZONES.iter().any(|(_, iana)| *iana == tz.name());
    if let Some(tz) = cities.iter().find(golden).or(cities.first()) {
        return Some((*tz, How::Windows));
    }
    let region = places.split(" (").next().unwrap_or("").trim();
    if let Some(base) = region.strip_suffix(" Time") {
        if let Some(tz) = windows(&format!("{base} Standard Time")).filter(keeps_offset) {
            return Some((tz, How::Windows));
        }
    }
    fixed_zone(seconds, window).map(|tz| (tz, How::Offset))
}

/// The UTC offset of an IANA zone at a UTC instant, in seconds east.
fn offset_of(tz: Tz, utc: NaiveDateTime) -> i32 {
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The UTC instants over which a definition is compared with IANA zones.
struct Window {
    start: NaiveDateTime,
    end: NaiveDateTime,
}

impl Window {
    /// From the start of `near`'s previous year to the end of its third year after.
    fn around(near: NaiveDate) -> Option<Window> {
        let year = near.year();
        let start = NaiveDate::from_ymd_opt(year.checked_sub(1)?, 1, 1)?.and_hms_opt(0, 0, 0)?;
        let end = NaiveDate::from_ymd_opt(year.checked_add(4)?, 1, 1)?.and_hms_opt(0, 0, 0)?;
        Some(Window { start, end })
    }

    /// An instant every two weeks: enough to see any zone's summer time, or a Ramadan pause.
    fn grid(&self) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let mut t = Some(self.start);
        while let Some(now) = t.filter(|now| *now < self.end) {
            out.push(now);
            t = now.checked_add_signed(Duration::days(14));
        }
        out
    }
}

/// Ceiling on the onsets one observance may have before the window ends; a yearly rule from
/// 1601 has about 430. Past it the definition is refused rather than expanded for long.
const MAX_ONSETS: usize = 5_000;

/// A definition's onsets as UTC instants, sorted: (instant, offset before, offset after).
struct Timeline {
    onsets: Vec<(NaiveDateTime, i32, i32)>,
}

impl Timeline {
    /// Expands every observance (DTSTART, RDATEs, RRULE) up to the window's end; `None` when
    /// a part cannot be read (a rule the rrule crate refuses, an offset beyond 18 hours).
    fn of(definition: &Definition, window: &Window) -> Option<Timeline> {
        let limit = window.end.checked_add_signed(Duration::days(1))?;
        let mut onsets = Vec::new();
        for obs in &definition.observances {
            let sane = |s: i32| s.abs() <= 18 * 3600;
            if !sane(obs.offset_from) || !sane(obs.offset_to) {
                return None;
            }
            let mut walls = vec![obs.dtstart];
            walls.extend(obs.rdates.iter().copied());
            if let Some(rule) = &obs.rrule {
                walls.extend(expand(rule, obs.dtstart, obs.offset_from, limit)?);
            }
            for wall in walls {
                let instant = wall.checked_sub_signed(Duration::seconds(obs.offset_from.into()))?;
                if instant <= window.end {
                    onsets.push((instant, obs.offset_from, obs.offset_to));
                }
            }
        }
        if onsets.is_empty() {
            return None;
        }
        onsets.sort_by_key(|o| o.0);
        onsets.dedup_by_key(|o| o.0);
        Some(Timeline { onsets })
    }

    /// The offset in force at a UTC instant: that of the latest onset not after it.
    fn offset_at(&self, t: NaiveDateTime) -> i32 {
        let i = self.onsets.partition_point(|o| o.0 <= t);
        match i.checked_sub(1).and_then(|j| self.onsets.get(j)) {
            Some(o) => o.2,
            None => self.onsets.first().map_or(0, |o| o.1),
        }
    }

    /// Where a zone must agree: an hour either side of each transition in the window, the
    /// middle of each stretch between them, then every two weeks (transitions first, since
    /// they reject most candidates at once).
    fn samples(&self, window: &Window) -> Vec<NaiveDateTime> {
        let inside: Vec<NaiveDateTime> = self
            .onsets
            .iter()
            .map(|o| o.0)
            .filter(|t| *t >= window.start && *t < window.end)
            .collect();
        let hour = Duration::hours(1);
        let mut out: Vec<NaiveDateTime> = inside
            .iter()
            .flat_map(|t| [t.checked_sub_signed(hour), t.checked_add_signed(hour)])
            .flatten()
            .collect();
        let mut bounds = vec![window.start];
        bounds.extend(inside.iter().copied());
        bounds.push(window.end);
        for pair in bounds.windows(2) {
            out.extend(pair[0].checked_add_signed((pair[1] - pair[0]) / 2));
        }
        out.extend(window.grid());
        out
    }

    /// Whether a zone has this definition's offset at every sample.
    fn matches(&self, tz: Tz, samples: &[NaiveDateTime]) -> bool {
        samples
            .iter()
            .all(|t| offset_of(tz, *t) == self.offset_at(*t))
    }

    /// The first IANA zone with this definition's offsets: the one the name suggests, then,
    /// for a definition without any change in the window, the `Etc/GMT` zone of its offset,
    /// then CLDR's zones for the Windows names (familiar cities rather than Africa/Ceuta for
    /// the EU rules), then every zone.
    fn find(&self, named: Option<Tz>, window: &Window) -> Option<Tz> {
        let samples = self.samples(window);
        let first = self.offset_at(window.start);
        let fixed = samples.iter().all(|t| self.offset_at(*t) == first);
        let fixed = fixed.then(|| fixed_zone(first, window)).flatten();
        let golden = WINDOWS_ZONES
            .iter()
            .filter_map(|(_, iana)| iana.parse().ok());
        let all = TZ_VARIANTS.iter().copied();
        (named.into_iter().chain(fixed).chain(golden).chain(all))
            .find(|tz| self.matches(*tz, &samples))
    }
}

/// The onsets of an RRULE as wall times up to `limit`, expanded by the rrule crate in
/// floating time (UTC standing for wall time). UNTIL is applied here because the crate wants
/// it in UTC form only when DTSTART is; RFC 5545 writes it in UTC, so it is moved to the wall
/// time of the offset in force before each onset.
fn expand(
    rule: &str,
    dtstart: NaiveDateTime,
    offset_from: i32,
    limit: NaiveDateTime,
) -> Option<Vec<NaiveDateTime>> {
    let rule = rule.trim();
    let rule = match rule.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("RRULE:") => rule.get(6..)?,
        _ => rule,
    };
    let mut until = None;
    let mut kept = Vec::new();
    for part in rule.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                until = Some(parse_until(v.trim(), offset_from)?);
            }
            _ => kept.push(part),
        }
    }
    let start = rrule::Tz::UTC.from_utc_datetime(&dtstart);
    let rule: rrule::RRule<rrule::Unvalidated> = kept.join(";").parse().ok()?;
    let set = rule.build(start).ok()?.limit();
    let mut out = Vec::new();
    for occurrence in &set {
        let wall = occurrence.naive_utc();
        if wall > limit || until.is_some_and(|u| wall > u) {
            break;
        }
        if out.len() >= MAX_ONSETS {
            return None;
        }
        out.push(wall);
    }
    Some(out)
}

/// UNTIL as a wall time: `20071028T010000Z` (UTC, moved by `offset_from`), a floating
/// `20071028T030000`, or a date `20071028` (through the end of that day).
fn parse_until(value: &str, offset_from: i32) -> Option<NaiveDateTime> {
    let at = |v: &str| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok();
    let day = || {
        NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()?
            .and_hms_opt(23, 59, 59)
    };
    match value.strip_suffix('Z') {
        Some(utc) => at(utc)?.checked_add_signed(Duration::seconds(offset_from.into())),
        None => at(value).or_else(day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").expect("valid test time")
    }

    fn near() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 15).expect("valid test date")
    }

    /// Whether two zones have the same offset every hour of 2024–2028.
    fn same_offsets(a: Tz, b: Tz) -> bool {
        let mut t = at("20240101T000000");
        while t < at("20290101T000000") && offset_of(a, t) == offset_of(b, t) {
            t += Duration::hours(1);
        }
        t == at("20290101T000000")
    }

    /// A VTIMEZONE from lines "DTSTART TZOFFSETFROM TZOFFSETTO [RRULE]".
    fn custom(tzid: &str, lines: &[&str]) -> Vec<Definition> {
        let observance = |line: &&str| {
            let parts: Vec<&str> = line.split(' ').collect();
            Observance {
                dtstart: at(parts[0]),
                offset_from: parse_offset(parts[1]).expect("test offset"),
                offset_to: parse_offset(parts[2]).expect("test offset"),
                rrule: parts.get(3).map(|r| r.to_string()),
                rdates: vec![],
            }
        };
        let observances = lines.iter().map(observance).collect();
        vec![Definition {
            tzid: tzid.into(),
            observances,
        }]
    }

    /// The EU rules as Outlook writes them, under a name only the file knows.
    fn eu(tzid: &str) -> Vec<Definition> {
        custom(
            tzid,
            &[
                "16010101T030000 +0200 +0100 FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
                "16010101T020000 +0100 +0200 FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
            ],
        )
    }

    #[test]
    fn names_understood_without_a_definition() {
        for case in [
            "Europe/Paris => Europe/Paris Iana",
            "\"Europe/Paris\" => Europe/Paris Iana",
            "america/new_york => America/New_York Iana",
            "/mozilla.org/20070129_1/Europe/Paris => Europe/Paris Iana",
            "/citadel.org/20190914_1/America/Argentina/Salta => America/Argentina/Salta Iana",
            "Eastern Standard Time => America/New_York Windows",
            "Pacific Standard Time => America/Los_Angeles Windows",
            "Romance Standard Time => Europe/Paris Windows",
            "W. Europe Standard Time => Europe/Berlin Windows",
            "AUS Eastern Standard Time => Australia/Sydney Windows",
            "India Standard Time => Asia/Calcutta Windows",
            "GMT Standard Time => Europe/London Windows",
            "central standard time => America/Chicago Windows",
            "UTC+12 => Etc/GMT-12 Windows",
            "UTC-11 => Etc/GMT+11 Windows",
            // Windows has no UTC+11 zone; the name is read as an offset.
            "UTC+11 => Etc/GMT-11 Offset",
            "GMT+0100 => Etc/GMT-1 Offset",
            "UTC-5 => Etc/GMT+5 Offset",
            "GMT+00:00 => Etc/UTC Offset",
            "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris => Europe/Paris Windows",
            "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi => Asia/Kolkata Windows",
            "(UTC-05:00) Eastern Time (US & Canada) => America/New_York Windows",
            // A city at another offset than the one stated is not believed.
            "(UTC+03:00) Paris => Etc/GMT-3 Offset",
            "(UTC+01:00) Atlantis => Etc/GMT-1 Offset",
        ] {
            let (tzid, want) = case.split_once(" => ").expect("a test case");
            let found =
                resolve(tzid, &[], near()).map(|(tz, how)| format!("{} {how:?}", tz.name()));
            assert_eq!(found.as_deref(), Some(want), "{tzid}");
        }
    }

    #[test]
    fn half_hour_offsets_need_a_zone_that_keeps_them_all_year() {
        let (india, how) = resolve("GMT+0530", &[], near()).expect("India's offset");
        assert_eq!(how, How::Offset);
        assert!(same_offsets(india, Tz::Asia__Kolkata), "{}", india.name());
        assert!(resolve("UTC+05:30", &[], near()).is_some());
        assert_eq!(resolve("UTC-05:30", &[], near()), None);
        assert_eq!(resolve("UTC+15", &[], near()), None);
    }

    #[test]
    fn a_bare_offset_gives_way_to_a_definition_that_contradicts_it() {
        let name = "(UTC+01:00) Atlantis";
        let (tz, how) = resolve(name, &eu(name), near()).expect("the definition decides");
        assert_eq!(how, How::Definition);
        assert!(same_offsets(tz, Tz::Europe__Paris), "{}", tz.name());
        let fixed = custom(name, &["19700101T000000 +0100 +0100"]);
        let agreed = resolve(name, &fixed, near());
        assert_eq!(agreed, Some((Tz::Etc__GMTMinus1, How::Definition)));
    }

    #[test]
    fn a_zone_no_iana_zone_matches_is_read_by_its_own_definition() {
        // issue 722 of the icalendar package: +12:00 from 1 January, +10:00 from 5 May 08:00.
        let mine = custom(
            "MyTimezone",
            &["20240101T000000 +1000 +1200", "20240505T080000 +1200 +1000"],
        );
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(resolve("MyTimezone", &mine, near()), None);
        assert_eq!(
            utc_by_definition("MyTimezone", &mine, at("2024-03-03 08:00")),
            Some(at("2024-03-02 20:00"))
        );
        assert_eq!(
            utc_by_definition("MyTimezone", &mine, at("2024-07-03 08:00")),
            Some(at("2024-07-02 22:00"))
        );
        // 07:30 on 5 May happens twice (08:00 → 06:00): the first one, at +12:00.
        assert_eq!(
            utc_by_definition("MyTimezone", &mine, at("2024-05-05 07:30")),
            Some(at("2024-05-04 19:30"))
        );
        assert_eq!(
            utc_by_definition("Other", &mine, at("2024-03-03 08:00")),
            None
        );
    }

    #[test]
    fn a_name_that_is_not_exactly_iana_s_follows_the_file_s_own_definition() {
        // Google's export of issue 42: "Europe/lisbon" defined with the CET rules.
        let (tz, how) = resolve("Europe/lisbon", &eu("Europe/lisbon"), near()).unwrap();
        assert!(same_offsets(tz, Tz::Europe__Paris), "{}", tz.name());
        assert_eq!(how, How::Definition);
        // The exact name wins over a stale definition.
        assert_eq!(
            resolve("Europe/Lisbon", &eu("Europe/Lisbon"), near()),
            Some((Tz::Europe__Lisbon, How::Iana))
        );
    }

    #[test]
    fn a_custom_zone_with_the_eu_rules() {
        let (tz, how) = resolve("Custom Zone", &eu("Custom Zone"), near()).expect("EU rules");
        assert_eq!(how, How::Definition);
        assert!(same_offsets(tz, Tz::Europe__Paris), "{}", tz.name());
        let quoted = resolve("\"Custom Zone\"", &eu("Custom Zone"), near());
        assert_eq!(quoted.map(|z| z.1), Some(How::Definition));
    }

    #[test]
    fn a_custom_us_eastern_zone_with_its_2007_change() {
        let defs = custom(
            "Eastern (custom)",
            &[
                "19671029T020000 -0400 -0500 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z",
                "19870405T020000 -0500 -0400 FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z",
                "20071104T020000 -0400 -0500 FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
                "20070311T020000 -0500 -0400 FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
            ],
        );
        let found = resolve("Eastern (custom)", &defs, near());
        assert_eq!(found, Some((Tz::America__New_York, How::Definition)));
        // Around 2006 the old rules are in force, and they are still matched.
        let old = NaiveDate::from_ymd_opt(2006, 6, 1).expect("valid test date");
        let (tz, _) = resolve("Eastern (custom)", &defs, old).expect("old US rules");
        assert_eq!(offset_of(tz, at("20050415T120000")), -4 * 3600);
        assert_eq!(offset_of(tz, at("20050315T120000")), -5 * 3600);
    }

    #[test]
    fn a_fixed_offset_definition() {
        let defs = custom("Pacific islands", &["19700101T000000 +1100 +1100"]);
        let found = resolve("Pacific islands", &defs, near());
        assert_eq!(found, Some((Tz::Etc__GMTMinus11, How::Definition)));
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!(resolve("Customized Time Zone", &[], near()), None);
        assert_eq!(resolve("", &[], near()), None);
        // Daylight time in January at +01:30: no IANA zone does that.
        let odd = [
            "20000101T000000 +0100 +0130 FREQ=YEARLY;BYMONTH=1",
            "20000201T000000 +0130 +0100 FREQ=YEARLY;BYMONTH=2",
        ];
        assert_eq!(resolve("Odd", &custom("Odd", &odd), near()), None);
        // A rule the rrule crate cannot read leaves the zone unknown.
        let broken = custom("Broken", &["20000101T000000 +0100 +0200 FREQ=NEVER"]);
        assert_eq!(resolve("Broken", &broken, near()), None);
        assert_eq!(resolve("Empty", &custom("Empty", &[]), near()), None);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        // Split on spaces, and one more with an empty name.
        for name in "( () (UTC UTC+ GMT+99 / // é UTCé (UTC+01:00) ".split(' ') {
            let _ = resolve(name, &[], near());
            let _ = resolve(name, &eu(name), NaiveDate::MAX);
            let _ = resolve(name, &eu(name), NaiveDate::MIN);
        }
        let far = custom("Far", &["16010101T000000 +0100 +0200 FREQ=SECONDLY"]);
        assert_eq!(resolve("Far", &far, near()), None);
    }

    #[test]
    fn offsets_as_vtimezone_writes_them() {
        assert_eq!(parse_offset("+0100"), Some(3600));
        assert_eq!(parse_offset("-0530"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_offset("+013000"), Some(3600 + 1800));
        assert_eq!(parse_offset("+01:00"), Some(3600));
        assert_eq!(parse_offset("-0000"), Some(0));
        for bad in [
            "", "0100", "+1", "+2400", "+0160", "+01000", "++0100", "+0a00", "+:0100",
        ] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
