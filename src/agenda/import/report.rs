//! The import report: for each event of a calendar, whether it was kept as written, adjusted
//! (and how) or refused (and why). Nothing is dropped silently: the managers' page lists the
//! adjusted and refused events with their reasons, and `report.json` gives all of them.

use serde::{Deserialize, Serialize};

/// Why an event was adjusted or refused: a code (the message key is
/// `agenda_import.reason_<code>`) and what it concerns (a TZID, a rule, a line number...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Reason {
    pub fn new(code: &str, detail: impl Into<String>) -> Reason {
        Reason {
            code: code.into(),
            detail: detail.into(),
        }
    }

    /// The message key of the reason.
    pub fn key(&self) -> String {
        format!("agenda_import.reason_{}", self.code)
    }
}

/// What became of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Kept,
    Adjusted,
    Refused,
}

/// One event of the calendar (a series and its changed dates count as one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The UID upstream (or the one made for an event without one).
    pub uid: String,
    pub title: String,
    pub outcome: Outcome,
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// The slug of the event here (`None` when refused).
    #[serde(default)]
    pub event: Option<String>,
}

impl Entry {
    /// An entry whose outcome follows from its reasons: refused when any reason refuses.
    pub fn new(uid: &str, title: &str, reasons: Vec<Reason>, event: Option<String>) -> Entry {
        let outcome = if event.is_none() {
            Outcome::Refused
        } else if reasons.is_empty() {
            Outcome::Kept
        } else {
            Outcome::Adjusted
        };
        Entry {
            uid: uid.into(),
            title: title.into(),
            outcome,
            reasons,
            event,
        }
    }
}

/// The report of a run, as stored with its source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub events: Vec<Entry>,
}

impl Report {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.events.iter().filter(|e| e.outcome == outcome).count()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The stored report ('' or unreadable: an empty one).
    pub fn from_json(s: &str) -> Report {
        serde_json::from_str(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_reasons_and_the_report_round_trips() {
        let kept = Entry::new("a", "Marché", vec![], Some("marche".into()));
        let adjusted = Entry::new(
            "b",
            "Réunion",
            vec![Reason::new(
                "zone",
                "Eastern Standard Time → America/New_York",
            )],
            Some("reunion".into()),
        );
        let refused = Entry::new("c", "Loto", vec![Reason::new("private", "")], None);
        assert_eq!(
            (kept.outcome, adjusted.outcome, refused.outcome),
            (Outcome::Kept, Outcome::Adjusted, Outcome::Refused)
        );
        let r = Report {
            events: vec![kept, adjusted, refused],
        };
        assert_eq!(Report::from_json(&r.to_json()), r);
        assert_eq!(r.count(Outcome::Refused), 1);
        assert!(r.to_json().contains(r#""outcome":"adjusted""#));
        assert_eq!(Report::from_json(""), Report::default());
    }
}
