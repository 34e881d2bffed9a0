//! Structured weekly opening hours: typed per weekday as « 9:00-12:00, 14h-18h30 », stored
//! as JSON `[[weekday, "09:00", "12:00"], ...]` (weekday 0 = Monday), shown as a table and in
//! schema.org `openingHoursSpecification`.

use serde_json::{json, Value};

/// One opening interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// 0 = Monday ... 6 = Sunday.
    pub day: u8,
    /// Minutes since midnight.
    pub open: u16,
    pub close: u16,
}

/// A week of opening intervals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hours(pub Vec<Interval>);

const SCHEMA_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn parse_time(s: &str) -> Option<u16> {
    let s = s.trim().to_ascii_lowercase().replace('h', ":");
    let (h, m) = match s.split_once(':') {
        Some((h, m)) => (h.trim(), if m.trim().is_empty() { "0" } else { m.trim() }),
        None => (s.as_str(), "0"),
    };
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    // `then`, not `then_some`: the minutes of a refused hour (« 8300 ») would overflow.
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then(|| h * 60 + m)
}

/// Formats minutes since midnight as `HH:MM`.
pub fn format_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl Hours {
    /// Parses one weekday's text; `Err(())` when it cannot be read.
    pub fn parse_day(day: u8, text: &str) -> Result<Vec<Interval>, ()> {
        let text = text.trim();
        if text.is_empty() || text == "-" {
            return Ok(Vec::new());
        }
        text.split([',', ';', '/'])
            .map(|part| {
                let (a, b) = part.split_once(['-', '–']).ok_or(())?;
                let (open, close) = (parse_time(a).ok_or(())?, parse_time(b).ok_or(())?);
                if close <= open {
                    return Err(());
                }
                Ok(Interval { day, open, close })
            })
            .collect()
    }

    /// The text of one weekday, as shown in the edit form.
    pub fn day_text(&self, day: u8) -> String {
        self.0
            .iter()
            .filter(|i| i.day == day)
            .map(|i| format!("{}-{}", format_time(i.open), format_time(i.close)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether no hours are given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        let v: Vec<Value> = self
            .0
            .iter()
            .map(|i| json!([i.day, format_time(i.open), format_time(i.close)]))
            .collect();
        Value::Array(v).to_string()
    }

    /// Reads the stored form (unreadable entries are skipped).
    pub fn from_json(text: &str) -> Hours {
        let v: Vec<(u8, String, String)> = serde_json::from_str(text).unwrap_or_default();
        Hours(
            v.into_iter()
                .filter_map(|(day, o, c)| {
                    Some(Interval {
                        day,
                        open: parse_time(&o)?,
                        close: parse_time(&c)?,
                    })
                })
                .collect(),
        )
    }

    /// schema.org `openingHoursSpecification`.
    pub fn schema_org(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|i| {
                    json!({
                        "@type": "OpeningHoursSpecification",
                        "dayOfWeek": format!("https://schema.org/{}", SCHEMA_DAYS[i.day as usize % 7]),
                        "opens": format_time(i.open),
                        "closes": format_time(i.close),
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_french_ways_of_writing_hours() {
        let ivs = Hours::parse_day(1, "9h-12h, 14h30-18h30").unwrap();
        assert_eq!(ivs.len(), 2);
        assert_eq!((ivs[1].open, ivs[1].close), (14 * 60 + 30, 18 * 60 + 30));
        assert!(Hours::parse_day(0, "").unwrap().is_empty());
        assert!(Hours::parse_day(0, "midi").is_err());
        assert!(Hours::parse_day(0, "18:00-9:00").is_err());
        // Found by the fuzzer: a large hour overflowed before being refused.
        assert!(Hours::parse_day(3, "08300--12:00").is_err());
        assert!(Hours::parse_day(3, "1093:00-12:00").is_err());
        let h = Hours(ivs);
        assert_eq!(h.day_text(1), "09:00-12:00, 14:30-18:30");
        assert_eq!(Hours::from_json(&h.to_json()), h);
        assert_eq!(h.schema_org()[0]["dayOfWeek"], "https://schema.org/Tuesday");
    }
}
