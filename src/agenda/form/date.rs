//! The form that changes one date of a series on its own.

use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::time::{parse_date, parse_time};
use crate::web::forms::FormErrors;

/// The form that changes one date of a series (or of a single event) on its own.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct OccurrenceForm {
    pub date: String,
    pub start_time: String,
    pub end_time: String,
    pub title: String,
    pub note: String,
}

/// A valid change of one date: new local start and end, optional title and note.
#[derive(Clone, Debug, PartialEq)]
pub struct OccurrenceInput {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub title: Option<String>,
    pub note: String,
}

impl OccurrenceForm {
    /// Checks the fields; an all-day event keeps whole days.
    pub fn parse(&self, all_day: bool, days: i64, e: &mut FormErrors) -> Option<OccurrenceInput> {
        let date = parse_date(&self.date);
        e.check(date.is_none(), "date", "agenda.date_invalid");
        let (start, end) = if all_day {
            let start = date.and_then(|d| d.and_hms_opt(0, 0, 0));
            (
                start,
                start.map(|s| s + chrono::Duration::days(days.max(1))),
            )
        } else {
            let st = parse_time(&self.start_time);
            e.check(st.is_none(), "start_time", "agenda.time_invalid");
            let et = if self.end_time.trim().is_empty() {
                st
            } else {
                parse_time(&self.end_time)
            };
            e.check(et.is_none(), "end_time", "agenda.time_invalid");
            let start = date.zip(st).map(|(d, t)| d.and_time(t));
            let mut end = date.zip(et).map(|(d, t)| d.and_time(t));
            // An end before the start runs past midnight.
            if let (Some(s), Some(en)) = (start, end) {
                if en < s {
                    end = Some(en + chrono::Duration::days(1));
                }
            }
            (start, end)
        };
        let title = self.title.trim();
        e.check(
            title.chars().count() > 150,
            "title",
            "agenda.title_required",
        );
        e.check(
            self.note.chars().count() > 1000,
            "note",
            "agenda.note_too_long",
        );
        let input = OccurrenceInput {
            start: start?,
            end: end?,
            title: (!title.is_empty()).then(|| title.to_string()),
            note: self.note.trim().to_string(),
        };
        e.is_empty().then_some(input)
    }
}
