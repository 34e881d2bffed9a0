//! The moderation forms and queries.

use serde::Deserialize;

/// Longest note of a report, answer, reason or warning, in characters.
pub const MAX_TEXT: usize = 2_000;

/// Trims and cuts a free text field.
pub fn clean(s: &str) -> String {
    crate::text::clip(s.trim(), MAX_TEXT)
}

/// A report: a reason, a note, and for a visitor an address to be answered at (optional).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    pub reason: String,
    pub note: String,
    pub email: String,
}

/// A moderator's decision on an item: the reason (to the author and the log), the answer to
/// the reporters (a canned reply, edited), the warning to the author, the edited text.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ActionForm {
    pub reason: String,
    pub answer: String,
    pub message: String,
    pub text: String,
}

/// Where to go after a decision (`?next=`, a local path), and the canned reply to prefill.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemQuery {
    pub next: Option<String>,
    pub reply: Option<i64>,
}

/// A decision about a person: how many days (empty: for good) and why.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PersonForm {
    pub days: String,
    pub reason: String,
}

/// Masking someone on a page.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PageMaskForm {
    pub user_id: String,
    pub reason: String,
}

/// The audit log's filters, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LogQuery {
    pub action: String,
    pub kind: String,
    pub user: String,
    pub moderator: String,
    pub from: String,
    pub to: String,
}

/// The admin's retention of the audit log.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pub retention_days: String,
}

/// The site's contact form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub message: String,
}
