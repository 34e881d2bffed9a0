//! A reader of VCALENDAR/VEVENT (RFC 5545) as Mobilizon, Gancio, Nextcloud and Google Calendar
//! publish them: unfolding, text escaping, TZID (IANA names, chrono-tz), VALUE=DATE all-day
//! events, UTC `Z` times, DTEND or DURATION, RRULE (the supported subset; another rule keeps
//! the first date only and says so), EXDATE, STATUS:CANCELLED. RECURRENCE-ID overrides (one
//! date of a series changed alone) are skipped and counted; private events are not imported.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::agenda::recurrence::Rule;
use crate::agenda::MAX_DURATION_SECS;
use crate::time::local_to_utc;

/// One event of the feed, in its own zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub address: String,
    pub point: Option<(f64, f64)>,
    pub tags: Vec<String>,
    pub tz: Tz,
    pub start: NaiveDateTime,
    /// Exclusive for all-day events (the next day at 00:00).
    pub end: NaiveDateTime,
    pub all_day: bool,
    pub rule: Option<Rule>,
    pub exdates: Vec<NaiveDate>,
    pub cancelled: bool,
    /// Its RRULE was outside the supported subset: only the first date is imported.
    pub simplified: bool,
}

/// What a feed holds.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    pub events: Vec<Imported>,
    /// Left out: no UID or no start, private, too long, a duplicate UID, a RECURRENCE-ID override.
    pub skipped: usize,
}

/// Why a file is not a calendar we can read (nothing of it is imported).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    NotCalendar,
    /// BEGIN/END do not match (a truncated download).
    Unbalanced,
    /// A date or time we cannot read, on this (unfolded) line.
    BadDate(usize),
}

/// A content line: name, parameters (upper-cased names), raw value.
struct Line {
    no: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Line {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The text of a calendar file. Folds are undone on the bytes first: some producers fold at 75
/// octets in the middle of a multi-byte character, which decoding line by line would mangle.
pub fn decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let fold = match &bytes[i..] {
            [b'\r', b'\n', b' ' | b'\t', ..] => 3,
            [b'\n', b' ' | b'\t', ..] => 2,
            _ => 0,
        };
        if fold > 0 {
            i += fold;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Joins folded lines (a line starting with a space or a tab continues the previous one).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push_str(rest);
                continue;
            }
        }
        if !raw.trim().is_empty() {
            out.push((i + 1, raw.to_string()));
        }
    }
    out
}

/// Splits `NAME;P=V;Q="a:b":value` (colons and semicolons inside quotes are not separators).
fn content_line(no: usize, s: &str) -> Option<Line> {
    let mut in_quotes = false;
    let mut cuts = Vec::new();
    let mut colon = None;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => cuts.push(i),
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    // Quoted parameter values may hold ';': split on the unquoted cut positions.
    let name_end = cuts.first().copied().unwrap_or(colon);
    let mut params = Vec::new();
    let mut bounds = cuts;
    bounds.push(colon);
    for w in bounds.windows(2) {
        let p = &s[w[0] + 1..w[1]];
        if let Some((k, v)) = p.split_once('=') {
            params.push((
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            ));
        }
    }
    Some(Line {
        no,
        name: s[..name_end].trim().to_ascii_uppercase(),
        params,
        value: s[colon + 1..].to_string(),
    })
}

/// Undoes TEXT escaping: `\n`, `\,`, `\;`, `\\`.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') | Some('N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A TZID as an IANA zone; also accepts the `/mozilla.org/.../Europe/Paris` style.
fn zone(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim();
    if let Ok(tz) = tzid.parse::<Tz>() {
        return Some(tz);
    }
    let parts: Vec<&str> = tzid.split('/').collect();
    (1..parts.len()).find_map(|i| parts[i..].join("/").parse::<Tz>().ok())
}

/// A DTSTART/DTEND/EXDATE value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum When {
    Date(NaiveDate),
    /// Wall time in a zone.
    Local(NaiveDateTime, Tz),
}

fn when(value: &str, tzid: Option<&str>, date_only: bool, default: Tz) -> Option<When> {
    let v = value.trim();
    if date_only || v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d").ok().map(When::Date);
    }
    if let Some(utc) = v.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(When::Local(
            default.from_utc_datetime(&t).naive_local(),
            default,
        ));
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()?;
    let tz = tzid.and_then(zone).unwrap_or(default);
    Some(When::Local(t, tz))
}

fn line_when(l: &Line, default: Tz) -> Option<When> {
    let date_only = l
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    when(&l.value, l.param("TZID"), date_only, default)
}

/// `P1DT2H30M`, `PT1H`, `P1W` (no months or years, as the RFC says).
fn duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let s = s.strip_prefix('P')?;
    let (mut secs, mut num, mut time) = (0i64, String::new(), false);
    for c in s.chars() {
        match c {
            '0'..='9' => num.push(c),
            'T' => time = true,
            'W' | 'D' | 'H' | 'M' | 'S' => {
                let n: i64 = num.parse().ok()?;
                num.clear();
                secs += n * match (c, time) {
                    ('W', _) => 7 * 86_400,
                    ('D', _) => 86_400,
                    ('H', true) => 3600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
            }
            _ => return None,
        }
    }
    Some(Duration::seconds(if neg { -secs } else { secs }))
}

/// Wall time of `w` in `tz` (through UTC when the zones differ).
fn in_zone(w: When, tz: Tz) -> NaiveDateTime {
    match w {
        When::Date(d) => d.and_time(chrono::NaiveTime::MIN),
        When::Local(t, z) if z == tz => t,
        When::Local(t, z) => tz
            .from_utc_datetime(
                &chrono::DateTime::from_timestamp(local_to_utc(z, t), 0)
                    .map(|d| d.naive_utc())
                    .unwrap_or(t),
            )
            .naive_local(),
    }
}

/// Reads a whole calendar. Dates without a zone are in `default` (the instance's zone).
pub fn parse(text: &str, default: Tz) -> Result<Feed, ParseError> {
    let lines = unfold(text.trim_start_matches('\u{feff}'));
    let first = lines.first().map(|(_, l)| l.trim().to_ascii_uppercase());
    if first.as_deref() != Some("BEGIN:VCALENDAR") {
        return Err(ParseError::NotCalendar);
    }
    let mut stack: Vec<String> = Vec::new();
    let mut current: Option<Vec<Line>> = None;
    let mut feed = Feed::default();
    for (no, raw) in lines {
        let Some(l) = content_line(no, &raw) else {
            continue;
        };
        match l.name.as_str() {
            "BEGIN" => {
                let what = l.value.trim().to_ascii_uppercase();
                if what == "VEVENT" && stack.last().map(String::as_str) == Some("VCALENDAR") {
                    current = Some(Vec::new());
                }
                stack.push(what);
            }
            "END" => {
                let what = l.value.trim().to_ascii_uppercase();
                if stack.pop().as_deref() != Some(what.as_str()) {
                    return Err(ParseError::Unbalanced);
                }
                if what == "VEVENT" && stack.last().map(String::as_str) == Some("VCALENDAR") {
                    if let Some(props) = current.take() {
                        match event(&props, default)? {
                            Some(ev) if !feed.events.iter().any(|e| e.uid == ev.uid) => {
                                feed.events.push(ev)
                            }
                            _ => feed.skipped += 1,
                        }
                    }
                }
            }
            _ => {
                if stack.last().map(String::as_str) == Some("VEVENT") {
                    if let Some(props) = current.as_mut() {
                        props.push(l);
                    }
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err(ParseError::Unbalanced);
    }
    Ok(feed)
}

/// One VEVENT; `None` when it is left out.
fn event(props: &[Line], default: Tz) -> Result<Option<Imported>, ParseError> {
    let get = |n: &str| props.iter().find(|l| l.name == n);
    let text = |n: &str| get(n).map(|l| unescape(&l.value).trim().to_string());
    let private = text("CLASS").is_some_and(|c| {
        c.eq_ignore_ascii_case("PRIVATE") || c.eq_ignore_ascii_case("CONFIDENTIAL")
    });
    let uid = text("UID").unwrap_or_default();
    if uid.is_empty() || private || get("RECURRENCE-ID").is_some() {
        return Ok(None);
    }
    let Some(dtstart) = get("DTSTART") else {
        return Ok(None);
    };
    let start_w = line_when(dtstart, default).ok_or(ParseError::BadDate(dtstart.no))?;
    let (tz, all_day) = match start_w {
        When::Date(_) => (default, true),
        When::Local(_, z) => (z, false),
    };
    let start = in_zone(start_w, tz);
    let end = if let Some(l) = get("DTEND") {
        in_zone(line_when(l, default).ok_or(ParseError::BadDate(l.no))?, tz)
    } else if let Some(l) = get("DURATION") {
        start + duration(&l.value).ok_or(ParseError::BadDate(l.no))?
    } else if all_day {
        start + Duration::days(1)
    } else {
        start
    };
    let end = if all_day && end <= start {
        start + Duration::days(1)
    } else {
        end.max(start)
    };
    if (end - start).num_seconds() > MAX_DURATION_SECS {
        return Ok(None);
    }
    let (mut rule, mut simplified) = (None, false);
    if let Some(l) = get("RRULE") {
        match Rule::parse(&l.value) {
            Ok(r) if r.matches_start(start.date()) => rule = Some(r),
            _ => simplified = true,
        }
    }
    let mut exdates = Vec::new();
    for l in props.iter().filter(|l| l.name == "EXDATE") {
        let date_only = l
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
        for v in l.value.split(',') {
            let w =
                when(v, l.param("TZID"), date_only, default).ok_or(ParseError::BadDate(l.no))?;
            let d = in_zone(w, tz).date();
            if !exdates.contains(&d) {
                exdates.push(d);
            }
        }
    }
    exdates.sort();
    let mut description = text("DESCRIPTION").unwrap_or_default();
    if let Some(url) = text("URL").filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        if !description.contains(&url) {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&url);
        }
    }
    let point = get("GEO").and_then(|l| {
        let (a, b) = l.value.split_once([';', ','])?;
        let (lat, lon) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
    });
    let categories: Vec<String> = props
        .iter()
        .filter(|l| l.name == "CATEGORIES")
        .map(|l| unescape(&l.value))
        .collect();
    let title: String = text("SUMMARY")
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Ok(Some(Imported {
        title: if title.is_empty() { uid.clone() } else { title },
        uid,
        description,
        address: text("LOCATION").unwrap_or_default(),
        point,
        tags: crate::text::parse_tags(&categories.join(",")),
        tz,
        start,
        end,
        all_day,
        rule,
        exdates,
        cancelled: text("STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED")),
        simplified,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::recurrence::Freq;

    const PARIS: Tz = chrono_tz::Europe::Paris;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn reads_a_mobilizon_feed() {
        let feed = parse(
            include_str!("../../../tests/data/mobilizon-chorale.ics"),
            PARIS,
        )
        .unwrap();
        // The private event is left out; the alarm's DESCRIPTION does not leak into the event.
        assert_eq!(feed.events.len(), 3);
        assert_eq!(feed.skipped, 1);
        let concert = &feed.events[0];
        assert_eq!(concert.title, "Concert de Noël de la chorale");
        assert_eq!(concert.start, at("2026-12-18 20:30"));
        assert_eq!(concert.end, at("2026-12-18 22:30"));
        assert_eq!(concert.tz, PARIS);
        assert!(concert.description.starts_with(
            "Chants de Noël du monde entier, suivis d'un vin chaud.\nEntrée libre; participation au chapeau."
        ));
        assert!(concert
            .description
            .ends_with("https://mobilizon.fr/events/6b1c2f7e-4c1e-4b4e-9f0a-2d3c4b5a6e7f"));
        assert_eq!(
            concert.address,
            "Église Saint-Pierre, Place de l'Église, 49000 Le Bourg"
        );
        assert_eq!(concert.point, Some((47.3512, -0.8143)));
        assert_eq!(
            concert.tags,
            vec!["chant".to_string(), "musique".to_string()]
        );
        let weekly = &feed.events[1];
        assert_eq!(weekly.end, at("2026-12-01 22:00"));
        let rule = weekly.rule.as_ref().unwrap();
        assert_eq!(rule.freq, Freq::Weekly);
        assert_eq!(
            weekly.exdates,
            vec![NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()]
        );
        let ag = &feed.events[2];
        assert!(ag.all_day);
        assert_eq!(
            (ag.start, ag.end),
            (at("2027-01-16 00:00"), at("2027-01-17 00:00"))
        );
    }

    #[test]
    fn reads_a_gancio_feed_with_utc_times_and_tab_folding() {
        let feed = parse(include_str!("../../../tests/data/gancio-bourg.ics"), PARIS).unwrap();
        assert_eq!(feed.events.len(), 4);
        let market = &feed.events[0];
        // 08:00Z is 09:00 in Paris in December.
        assert_eq!(market.start, at("2026-12-05 09:00"));
        assert!(market.description.contains("vos paniers !"));
        let fete = &feed.events[1];
        assert!(fete.all_day && fete.end == at("2026-12-13 00:00"));
        assert!(feed.events[3].cancelled && !market.cancelled);
    }

    #[test]
    fn a_fold_inside_a_character_is_undone_before_decoding() {
        let bytes = "SUMMARY:Fête".as_bytes();
        let mut folded = bytes[..10].to_vec(); // in the middle of the two bytes of "ê"
        folded.extend_from_slice(b"\r\n ");
        folded.extend_from_slice(&bytes[10..]);
        assert_eq!(decode(&folded), "SUMMARY:Fête");
    }

    #[test]
    fn refuses_what_is_not_a_calendar_and_simplifies_unsupported_rules() {
        assert_eq!(parse("<html>", PARIS).unwrap_err(), ParseError::NotCalendar);
        assert_eq!(
            parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n", PARIS).unwrap_err(),
            ParseError::Unbalanced
        );
        let bad =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:2026-12-01\nEND:VEVENT\nEND:VCALENDAR\n";
        assert_eq!(parse(bad, PARIS).unwrap_err(), ParseError::BadDate(4));
        let yearly = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=\"/mozilla.org/20070129_1/Europe/Paris\":20261201T100000\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n";
        let feed = parse(yearly, chrono_tz::UTC).unwrap();
        assert!(feed.events[0].simplified && feed.events[0].rule.is_none());
        assert_eq!(feed.events[0].tz, PARIS);
        assert_eq!(duration("P1DT2H30M"), Some(Duration::seconds(95_400)));
        assert_eq!(duration("P1W"), Some(Duration::days(7)));
        assert_eq!(duration("PT1Y"), None);
    }
}
