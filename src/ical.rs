//! iCalendar out (RFC 5545), written by hand, for every module's feeds: CRLF line ends, lines
//! folded at 75 octets (never inside a UTF-8 character), TEXT escaping, UTC and local date-time
//! values, and a VTIMEZONE for the instance's zone computed from the compiled-in IANA database.
//!
//! By hand rather than with the `icalendar` crate: writing is the easy half of the format
//! (the crate would not compute the VTIMEZONE either), and the tests check the output with a
//! real parser (Python's `icalendar`). The agenda's events (`agenda::ical`) and the rooms'
//! free/busy (`rooms::feeds`) are written with it.

use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// The media type of the feeds.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// Whether a character may stand in a content line: RFC 5545 allows no control character
/// (CTL, U+0000 to U+001F and U+007F) in a value but the tab; the C1 controls (U+0080 to
/// U+009F) are dropped too, as in XML, where they have no business either.
fn allowed(c: char) -> bool {
    !c.is_control() || c == '\t'
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks; drops the control
/// characters a TEXT value may not hold (a stray U+000B in a title makes parsers refuse the
/// whole calendar).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if !allowed(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// An iCalendar stream being written.
#[derive(Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// Adds one content line (`NAME;PARAMS:value`), folded at 75 octets. Control characters
    /// are dropped whatever the value's type (a UID or URL from an imported calendar too): a
    /// line break inside would end the line, any other makes the calendar invalid.
    pub fn line(&mut self, name: &str, value: &str) {
        let line = format!("{name}:{value}");
        let mut width = 0;
        for c in line.chars().filter(|&c| allowed(c)) {
            let len = c.len_utf8();
            if width + len > 75 {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(c);
            width += len;
        }
        self.out.push_str("\r\n");
    }

    /// Adds a TEXT property, escaped.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line(name, &escape(value));
    }

    /// The finished stream.
    pub fn finish(self) -> String {
        self.out
    }
}

pub fn utc_stamp(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

pub fn local_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// `;TZID=Europe/Paris:20270302T183000`, or `;VALUE=DATE:20270302` for all-day events.
pub fn when(name: &str, tz: Tz, all_day: bool, local: NaiveDateTime) -> (String, String) {
    if all_day {
        (
            format!("{name};VALUE=DATE"),
            local.format("%Y%m%d").to_string(),
        )
    } else {
        (format!("{name};TZID={}", tz.name()), local_stamp(local))
    }
}

/// One change of offset: the instant, the offsets before and after, whether daylight saving
/// time starts, and the abbreviation after.
#[derive(Clone, Debug)]
struct Transition {
    at: i64,
    from: i32,
    to: i32,
    dst: bool,
    name: String,
}

fn offset_at(tz: Tz, t: i64) -> (i32, bool, String) {
    let o = tz.offset_from_utc_datetime(
        &DateTime::<Utc>::from_timestamp(t, 0)
            .unwrap_or_default()
            .naive_utc(),
    );
    (
        o.fix().local_minus_utc(),
        !o.dst_offset().is_zero(),
        o.abbreviation().unwrap_or("").to_string(),
    )
}

/// The changes of offset of `tz` during the years `from..=to`, found day by day and then to
/// the second (the zone database compiled into chrono-tz gives offsets, not rules).
fn transitions(tz: Tz, from: i32, to: i32) -> Vec<Transition> {
    let start = Utc
        .with_ymd_and_hms(from, 1, 1, 0, 0, 0)
        .single()
        .map_or(0, |d| d.timestamp());
    let end = Utc
        .with_ymd_and_hms(to + 1, 1, 1, 0, 0, 0)
        .single()
        .map_or(0, |d| d.timestamp());
    let mut out = Vec::new();
    let mut t = start;
    let mut before = offset_at(tz, t).0;
    while t < end {
        let next = t + 86_400;
        let after = offset_at(tz, next).0;
        if after != before {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid).0 == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (to, dst, name) = offset_at(tz, hi);
            out.push(Transition {
                at: hi,
                from: before,
                to,
                dst,
                name,
            });
            before = after;
        }
        t = next;
    }
    out
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// The yearly rule all these transitions follow (`FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`), if any:
/// the same month, weekday and wall time, on the same nth (or last) weekday every year.
fn yearly_rule(ts: &[(NaiveDateTime, &Transition)]) -> Option<String> {
    let (first, _) = ts.first()?;
    let same = ts.iter().all(|(l, _)| {
        l.month() == first.month() && l.weekday() == first.weekday() && l.time() == first.time()
    });
    if !same || ts.windows(2).any(|w| w[1].0.year() != w[0].0.year() + 1) {
        return None;
    }
    let nth = |d: &NaiveDateTime| (d.day() as i32 - 1) / 7 + 1;
    let last = |d: &NaiveDateTime| (d.date() + chrono::Duration::days(7)).month() != d.month();
    let day = weekday_code(first.weekday());
    if ts.iter().all(|(l, _)| last(l)) {
        Some(format!(
            "FREQ=YEARLY;BYMONTH={};BYDAY=-1{day}",
            first.month()
        ))
    } else if ts.iter().all(|(l, _)| nth(l) == nth(first)) {
        Some(format!(
            "FREQ=YEARLY;BYMONTH={};BYDAY={}{day}",
            first.month(),
            nth(first)
        ))
    } else {
        None
    }
}

/// The VTIMEZONE of `tz` for the years `from..=to`: its standard and daylight observances as
/// yearly rules when they follow one (as in the EU), else each change listed (RDATE).
pub fn vtimezone(w: &mut Writer, tz: Tz, from: i32, to: i32) {
    w.line("BEGIN", "VTIMEZONE");
    w.line("TZID", tz.name());
    let all = transitions(tz, from, to);
    if all.is_empty() {
        let start = Utc
            .with_ymd_and_hms(from, 1, 1, 0, 0, 0)
            .single()
            .map_or(0, |d| d.timestamp());
        let (offset, dst, name) = offset_at(tz, start);
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        w.line("BEGIN", kind);
        w.line("DTSTART", &format!("{from}0101T000000"));
        w.line("TZOFFSETFROM", &offset_text(offset));
        w.line("TZOFFSETTO", &offset_text(offset));
        if !name.is_empty() {
            w.text("TZNAME", &name);
        }
        w.line("END", kind);
    }
    for dst in [false, true] {
        let group: Vec<&Transition> = all.iter().filter(|t| t.dst == dst).collect();
        // Each observance's rules start from its own offsets; a zone that changed them (a new
        // base offset) gets one block per combination.
        let mut blocks: Vec<Vec<&Transition>> = Vec::new();
        for t in group {
            match blocks.last_mut() {
                Some(b) if b[0].from == t.from && b[0].to == t.to && b[0].name == t.name => {
                    b.push(t)
                }
                _ => blocks.push(vec![t]),
            }
        }
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        for block in blocks {
            let locals: Vec<(NaiveDateTime, &Transition)> = block
                .iter()
                .map(|t| {
                    let wall = DateTime::<Utc>::from_timestamp(t.at + i64::from(t.from), 0)
                        .unwrap_or_default()
                        .naive_utc();
                    (wall, *t)
                })
                .collect();
            let (first, t) = locals[0];
            w.line("BEGIN", kind);
            w.line("DTSTART", &local_stamp(first));
            w.line("TZOFFSETFROM", &offset_text(t.from));
            w.line("TZOFFSETTO", &offset_text(t.to));
            if !t.name.is_empty() {
                w.text("TZNAME", &t.name);
            }
            match yearly_rule(&locals) {
                Some(rule) if locals.len() > 1 => w.line("RRULE", &rule),
                _ => {
                    for (l, _) in locals.iter().skip(1) {
                        w.line("RDATE", &local_stamp(*l));
                    }
                }
            }
            w.line("END", kind);
        }
    }
    w.line("END", "VTIMEZONE");
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "MO"),
    (Weekday::Tue, "TU"),
    (Weekday::Wed, "WE"),
    (Weekday::Thu, "TH"),
    (Weekday::Fri, "FR"),
    (Weekday::Sat, "SA"),
    (Weekday::Sun, "SU"),
];

/// The two-letter RFC 5545 code of a weekday.
pub fn weekday_code(d: Weekday) -> &'static str {
    WEEKDAYS[d.num_days_from_monday() as usize].1
}

/// The weekday of a two-letter RFC 5545 code.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(_, c)| *c == s).map(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_folded_at_75_octets_without_splitting_characters() {
        let mut w = Writer::default();
        w.text("SUMMARY", &"é".repeat(60));
        let out = w.finish();
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn control_characters_never_reach_the_stream() {
        assert_eq!(
            escape("Yoga\u{b} du\u{1} soir\r\u{7f}\u{85}\t!"),
            "Yoga du soir\t!"
        );
        let mut w = Writer::default();
        w.text("SUMMARY", "a\u{b}b");
        w.line("UID", "x\u{0}y\r\nz@example.org");
        assert_eq!(w.finish(), "SUMMARY:ab\r\nUID:xyz@example.org\r\n");
    }

    #[test]
    fn paris_gets_eu_rules_and_a_zone_without_changes_one_observance() {
        let mut w = Writer::default();
        vtimezone(&mut w, chrono_tz::Europe::Paris, 2026, 2029);
        let out = w.finish();
        assert!(out.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"), "{out}");
        assert!(out.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"), "{out}");
        let mut w = Writer::default();
        vtimezone(&mut w, chrono_tz::Asia::Tokyo, 2026, 2027);
        let out = w.finish();
        assert!(
            out.contains("TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900"),
            "{out}"
        );
        // The US: second Sunday of March, first Sunday of November.
        let mut w = Writer::default();
        vtimezone(&mut w, chrono_tz::America::New_York, 2026, 2028);
        let out = w.finish();
        assert!(
            out.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"),
            "{out}"
        );
        assert!(
            out.contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"),
            "{out}"
        );
    }
}
