//! The forms as typed, and their parsing into values ready to store: a proposal, an
//! amendment, a ballot. A failure is a list of messages (a 422 re-render), never an error.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::Deserialize;

use super::judgement::GRADES;
use super::MAX_TITLE;
use super::{Method, Proposal, Threshold, MAX_AHEAD, MAX_BODY, MAX_LABEL, MAX_NOTE, MAX_OPTIONS};
use crate::web::forms::{number, FormErrors};

/// The proposal form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProposalForm {
    pub title: String,
    pub body: String,
    pub method: String,
    /// Majority judgement: one option per line.
    pub options: String,
    pub quorum: String,
    pub threshold: String,
    /// "secret" or "public".
    pub ballot: String,
    /// Local date and time (`2026-12-20T18:00`, seconds optional): the vote opens.
    pub vote_start: String,
    /// Local date and time: the vote closes.
    pub deadline: String,
    /// The place it is about (optional), and its point (filled by the address suggestions,
    /// or typed).
    pub place: String,
    pub lat: String,
    pub lon: String,
}

/// A valid proposal, ready to store.
#[derive(Clone, Debug)]
pub struct ProposalInput {
    pub title: String,
    pub body: String,
    pub method: Method,
    pub options: Vec<String>,
    pub quorum_pct: i64,
    pub threshold: Threshold,
    pub secret: bool,
    pub vote_start: i64,
    pub deadline: i64,
    pub place: String,
    pub point: Option<(f64, f64)>,
}

/// A local date and time as a browser's `datetime-local` sends it (or typed by hand).
pub fn parse_local(s: &str, tz: Tz) -> Option<i64> {
    let s = s.trim().replace(' ', "T");
    let t = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())?;
    Some(crate::time::local_to_utc(tz, t))
}

/// A time as a `datetime-local` value, to seconds, in the village's zone.
pub fn local_value(unix: i64, tz: Tz) -> String {
    crate::time::utc_to_local(tz, unix)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

impl ProposalForm {
    /// Checks every field; times are read in `tz` and must not be past at `now` (a minute's
    /// grace for the one being typed).
    pub fn parse(&self, tz: Tz, now: i64, e: &mut FormErrors) -> Option<ProposalInput> {
        let title = self.title.trim().to_string();
        e.check(title.is_empty(), "title", "votes.title_required");
        e.check(
            title.chars().count() > MAX_TITLE,
            "title",
            "votes.title_too_long",
        );
        let body = self.body.trim().to_string();
        e.check(body.is_empty(), "body", "votes.body_required");
        e.check(
            body.chars().count() > MAX_BODY,
            "body",
            "votes.body_too_long",
        );
        let method = Method::parse(&self.method);
        e.check(method.is_none(), "method", "votes.method_invalid");
        let options: Vec<String> = self
            .options
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if method == Some(Method::Judgement) {
            let mut seen = options.clone();
            seen.sort();
            seen.dedup();
            e.check(
                options.len() < 2 || options.len() > MAX_OPTIONS,
                "options",
                "votes.options_count",
            );
            e.check(
                seen.len() != options.len()
                    || options.iter().any(|o| o.chars().count() > MAX_LABEL),
                "options",
                "votes.options_invalid",
            );
        }
        let quorum = match self.quorum.trim() {
            "" => Some(0),
            q => q.trim_end_matches('%').trim().parse::<i64>().ok(),
        }
        .filter(|q| (0..=100).contains(q));
        e.check(quorum.is_none(), "quorum", "votes.quorum_invalid");
        let threshold = match self.threshold.as_str() {
            "" => Some(Threshold::Half),
            t => Threshold::parse(t),
        };
        e.check(threshold.is_none(), "threshold", "votes.threshold_invalid");
        let secret = match self.ballot.as_str() {
            "secret" | "" => Some(true),
            "public" => Some(false),
            _ => None,
        };
        e.check(secret.is_none(), "ballot", "votes.ballot_invalid");
        let start = parse_local(&self.vote_start, tz);
        e.check(start.is_none(), "vote_start", "votes.date_invalid");
        let deadline = parse_local(&self.deadline, tz);
        e.check(deadline.is_none(), "deadline", "votes.date_invalid");
        if let (Some(s), Some(d)) = (start, deadline) {
            e.check(s < now - 60, "vote_start", "votes.start_past");
            e.check(d <= s, "deadline", "votes.deadline_before_start");
            e.check(d > now + MAX_AHEAD, "deadline", "votes.deadline_too_far");
        }
        let place = self.place.trim().to_string();
        e.check(
            place.chars().count() > MAX_LABEL,
            "place",
            "votes.place_too_long",
        );
        let point = self.point(e);
        let input = ProposalInput {
            place,
            point,
            title,
            body,
            method: method?,
            options: if method == Some(Method::Judgement) {
                options
            } else {
                Vec::new()
            },
            quorum_pct: quorum?,
            threshold: threshold?,
            secret: secret?,
            vote_start: start?,
            deadline: deadline?,
        };
        e.is_empty().then_some(input)
    }
}

impl ProposalForm {
    /// The point typed (both coordinates, in range) or none; one alone is an error.
    fn point(&self, e: &mut FormErrors) -> Option<(f64, f64)> {
        let (lat, lon) = (self.lat.trim(), self.lon.trim());
        if lat.is_empty() && lon.is_empty() {
            return None;
        }
        let lat = number(lat).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(lon).filter(|v| (-180.0..=180.0).contains(v));
        match (lat, lon) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => {
                e.add("lat", "votes.point_invalid");
                None
            }
        }
    }
}

/// The amendment form as typed: the whole text as it would read, and why.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AmendmentForm {
    pub body: String,
    pub note: String,
}

impl AmendmentForm {
    /// Checks the text (required, not the current one) and the note.
    pub fn parse(&self, current: &str, e: &mut FormErrors) -> Option<(String, String)> {
        let body = self.body.trim().to_string();
        e.check(body.is_empty(), "body", "votes.body_required");
        e.check(
            body.chars().count() > MAX_BODY,
            "body",
            "votes.body_too_long",
        );
        e.check(
            !body.is_empty() && body == current.trim(),
            "body",
            "votes.amendment_same",
        );
        let note = self.note.trim().to_string();
        e.check(
            note.chars().count() > MAX_NOTE,
            "note",
            "votes.note_too_long",
        );
        e.is_empty().then_some((body, note))
    }
}

/// Reads a ballot from the vote form's fields: `choice` (yes / no / abstain), or one
/// `grade-{option id}` (0..=6) per option; the stored form, or the message.
pub fn ballot(p: &Proposal, fields: &HashMap<String, String>) -> Result<String, &'static str> {
    match p.method {
        Method::YesNo => match fields.get("choice").map(String::as_str) {
            Some(c @ ("yes" | "no" | "abstain")) => Ok(c.to_string()),
            _ => Err("votes.choice_required"),
        },
        Method::Judgement => {
            let mut out = String::with_capacity(p.options.len());
            for o in &p.options {
                let g = fields
                    .get(&format!("grade-{}", o.id))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .filter(|g| *g < GRADES)
                    .ok_or("votes.grade_every_option")?;
                out.push((b'0' + g as u8) as char);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ProposalForm {
        ProposalForm {
            title: "Rénover le lavoir".into(),
            body: "Le lavoir de la rue Basse.".into(),
            method: "yes_no".into(),
            quorum: "20".into(),
            threshold: "two_thirds".into(),
            ballot: "public".into(),
            vote_start: "2026-12-20T18:00".into(),
            deadline: "2026-12-27 18:00:30".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_proposal_is_read_in_the_village_time() {
        let now = 1_796_000_000; // 2026-11-30
        let input = valid()
            .parse(chrono_tz::Europe::Paris, now, &mut FormErrors::new())
            .unwrap();
        assert_eq!(
            input.vote_start, 1_797_786_000,
            "18:00 in Paris is 17:00 UTC"
        );
        assert_eq!(input.deadline - input.vote_start, 7 * 86_400 + 30);
        assert_eq!(
            (input.quorum_pct, input.threshold, input.secret),
            (20, Threshold::TwoThirds, false)
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let form = ProposalForm {
            title: String::new(),
            method: "judgement".into(),
            options: "Halle\nHalle".into(),
            quorum: "120".into(),
            threshold: "most".into(),
            ballot: "loud".into(),
            vote_start: "demain".into(),
            ..valid()
        };
        let mut e = FormErrors::new();
        assert!(form.parse(chrono_tz::Europe::Paris, 0, &mut e).is_none());
        for f in [
            "title",
            "options",
            "quorum",
            "threshold",
            "ballot",
            "vote_start",
        ] {
            assert!(e.get(f).is_some(), "{f} should be reported");
        }
        let late = ProposalForm {
            deadline: "2026-12-20T17:00".into(),
            ..valid()
        };
        let mut e = FormErrors::new();
        assert!(late
            .parse(chrono_tz::Europe::Paris, 1_796_000_000, &mut e)
            .is_none());
        assert_eq!(e.get("deadline"), Some("votes.deadline_before_start"));
    }
}
