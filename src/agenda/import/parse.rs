//! A reader of iCalendar files (RFC 5545) as Google Calendar, Outlook/Exchange, Thunderbird,
//! Nextcloud, Mobilizon and Gancio publish them: unfolding (also in the middle of a UTF-8
//! character), parameters with quoted values, text escaping, the structure of VCALENDAR,
//! VEVENT and VTIMEZONE. What each VEVENT means (dates, zones, rules, changed dates) is read by
//! [`super::event`]; a file that is not a calendar, or is cut short, is refused whole.

use super::event::{self, Imported};
use super::report::Entry;
use super::zones::{parse_offset, Definition, Observance};

/// What a feed holds: the events to import, and those refused, with the reason.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    pub events: Vec<Imported>,
    pub refused: Vec<Entry>,
}

/// Why a file is not a calendar we can read (nothing of it is imported).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    NotCalendar,
    /// BEGIN/END do not match (a truncated download).
    Unbalanced,
}

/// A content line: name, parameters (upper-cased names), raw value.
#[derive(Clone, Debug)]
pub(super) struct Line {
    pub no: usize,
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
    /// Malformed, read anyway (an empty parameter).
    pub repaired: bool,
}

impl Line {
    pub fn param(&self, name: &str) -> Option<&str> {
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
    let mut repaired = false;
    for w in bounds.windows(2) {
        let p = &s[w[0] + 1..w[1]];
        match p.split_once('=') {
            Some((k, v)) => params.push((
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            )),
            // `DTSTART;;VALUE=DATE:...`: an empty or nameless parameter is skipped.
            None => repaired = true,
        }
    }
    Some(Line {
        no,
        name: s[..name_end].trim().to_ascii_uppercase(),
        params,
        value: s[colon + 1..].to_string(),
        repaired,
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

/// `P1DT2H30M`, `PT1H`, `P1W` in seconds (no months or years, as the RFC says). Absurd
/// values (`P999999999999999999W`) are `None`, never an overflow.
pub(super) fn duration(s: &str) -> Option<i64> {
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
                let unit = match (c, time) {
                    ('W', _) => 7 * 86_400,
                    ('D', _) => 86_400,
                    ('H', true) => 3600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                secs = secs.checked_add(n.checked_mul(unit)?)?;
            }
            _ => return None,
        }
    }
    Some(if neg { -secs } else { secs })
}

/// `20270328T020000` (seconds optional), as VTIMEZONE parts write their local starts.
fn local_stamp(v: &str) -> Option<chrono::NaiveDateTime> {
    let v = v.trim().trim_end_matches('Z');
    chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M"))
        .ok()
}

/// A STANDARD or DAYLIGHT part of a VTIMEZONE (`None`: unreadable, left out).
fn observance(lines: &[Line]) -> Option<Observance> {
    let get = |n: &str| lines.iter().find(|l| l.name == n).map(|l| l.value.trim());
    Some(Observance {
        dtstart: local_stamp(get("DTSTART")?)?,
        offset_from: parse_offset(get("TZOFFSETFROM")?)?,
        offset_to: parse_offset(get("TZOFFSETTO")?)?,
        rrule: get("RRULE").map(str::to_string),
        rdates: lines
            .iter()
            .filter(|l| l.name == "RDATE")
            .flat_map(|l| l.value.split(','))
            .filter_map(local_stamp)
            .collect(),
    })
}

/// Reads a whole calendar. Dates without a zone ("floating") are in `default`, the village's.
pub fn parse(text: &str, default: chrono_tz::Tz) -> Result<Feed, ParseError> {
    let lines = unfold(text.trim_start_matches('\u{feff}'));
    let first = lines.first().map(|(_, l)| l.trim().to_ascii_uppercase());
    if first.as_deref() != Some("BEGIN:VCALENDAR") {
        return Err(ParseError::NotCalendar);
    }
    let mut stack: Vec<String> = Vec::new();
    let mut vevents: Vec<Vec<Line>> = Vec::new();
    let mut current: Option<Vec<Line>> = None;
    let mut definitions: Vec<Definition> = Vec::new();
    let mut zone: Option<Definition> = None;
    let mut part: Option<Vec<Line>> = None;
    for (no, raw) in lines {
        let Some(l) = content_line(no, &raw) else {
            continue;
        };
        let parent = stack.last().map(String::as_str);
        match l.name.as_str() {
            "BEGIN" => {
                let what = l.value.trim().to_ascii_uppercase();
                match (what.as_str(), parent) {
                    ("VEVENT", Some("VCALENDAR")) => current = Some(Vec::new()),
                    ("VTIMEZONE", Some("VCALENDAR")) => zone = Some(Definition::default()),
                    ("STANDARD" | "DAYLIGHT", Some("VTIMEZONE")) => part = Some(Vec::new()),
                    _ => {}
                }
                stack.push(what);
            }
            "END" => {
                let what = l.value.trim().to_ascii_uppercase();
                if stack.pop().as_deref() != Some(what.as_str()) {
                    return Err(ParseError::Unbalanced);
                }
                let parent = stack.last().map(String::as_str);
                match (what.as_str(), parent) {
                    ("VEVENT", Some("VCALENDAR")) => vevents.extend(current.take()),
                    ("VTIMEZONE", Some("VCALENDAR")) => definitions.extend(zone.take()),
                    ("STANDARD" | "DAYLIGHT", Some("VTIMEZONE")) => {
                        let o = part.take().and_then(|p| observance(&p));
                        if let (Some(z), Some(o)) = (zone.as_mut(), o) {
                            z.observances.push(o);
                        }
                    }
                    _ => {}
                }
            }
            _ => match parent {
                Some("VEVENT") => {
                    if let Some(c) = current.as_mut() {
                        c.push(l);
                    }
                }
                Some("VTIMEZONE") if l.name == "TZID" => {
                    if let Some(z) = zone.as_mut() {
                        z.tzid = l.value.trim().to_string();
                    }
                }
                Some("STANDARD" | "DAYLIGHT") => {
                    if let Some(p) = part.as_mut() {
                        p.push(l);
                    }
                }
                _ => {}
            },
        }
    }
    if !stack.is_empty() {
        return Err(ParseError::Unbalanced);
    }
    Ok(event::read_all(vevents, &definitions, default))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fold_inside_a_character_is_undone_before_decoding() {
        let bytes = "SUMMARY:Fête".as_bytes();
        let mut folded = bytes[..10].to_vec(); // in the middle of the two bytes of "ê"
        folded.extend_from_slice(b"\r\n ");
        folded.extend_from_slice(&bytes[10..]);
        assert_eq!(decode(&folded), "SUMMARY:Fête");
    }

    #[test]
    fn durations_and_absurd_ones() {
        assert_eq!(duration("P1DT2H30M"), Some(95_400));
        assert_eq!(duration("P1W"), Some(7 * 86_400));
        assert_eq!(duration("-PT15M"), Some(-900));
        assert_eq!(duration("PT1Y"), None);
        assert_eq!(duration("P999999999999999999W"), None);
        assert_eq!(duration("P99999999999999999999D"), None);
    }

    #[test]
    fn refuses_what_is_not_a_calendar_or_is_cut_short() {
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(parse("<html>", paris).unwrap_err(), ParseError::NotCalendar);
        assert_eq!(
            parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n", paris).unwrap_err(),
            ParseError::Unbalanced
        );
    }

    #[test]
    fn reads_the_vtimezone_parts_of_the_file() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\n\
            DTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n\
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n\
            DTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
            BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Custom:20270706T100000\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let feed = parse(text, chrono_tz::UTC).unwrap();
        assert_eq!(feed.events.len(), 1);
        // 10:00 at +02:00 in July: 08:00 UTC.
        let ev = &feed.events[0];
        assert_eq!(
            crate::time::local_to_utc(ev.tz, ev.start),
            chrono::NaiveDate::from_ymd_opt(2027, 7, 6)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        );
    }
}
