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
    // The `rrule` crate slices by bytes and panics on other characters: ASCII only.
    if !rule.is_ascii() {
        return None;
    }
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
#[path = "zones_tests.rs"]
mod tests;
