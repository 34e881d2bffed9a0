//! Mailing lists: the village newsletter and actors' lists, double opt-in with a consent
//! ledger, drafts written together, a published sending frequency the software enforces,
//! and a restart-safe sending queue.
//!
//! The promise is enforced by the store, inside the write transaction that schedules a
//! mailing ([`store::mailings::schedule`]); the queue is worked by [`tasks::run`].

pub mod api;
pub mod csv;
pub mod demo;
pub mod diff;
pub mod drafts;
pub mod export;
pub mod handlers;
pub mod message;
pub mod relay;
pub mod store;
pub mod subscribe;
pub mod tasks;
pub mod views;

use chrono::{Duration, Months, TimeZone};
use chrono_tz::Tz;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::web::forms::FormErrors;

/// The version of the consent text shown on the sign-up form; bump it when its wording changes.
pub const CONSENT_VERSION: &str = "v1";
/// Unconfirmed subscriptions are purged after this many seconds (7 days).
pub const PENDING_TTL: i64 = 7 * 86_400;
/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest mailing, in characters.
pub const MAX_BODY: usize = 100_000;

/// How often a list promises to write at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Week,
    Month,
    /// Every N days (1 to 366).
    Days(i64),
}

impl Frequency {
    /// The stored pair (kind, days).
    pub fn to_db(self) -> (&'static str, i64) {
        match self {
            Frequency::Week => ("week", 0),
            Frequency::Month => ("month", 0),
            Frequency::Days(n) => ("days", n),
        }
    }

    /// From the stored pair.
    pub fn from_db(kind: &str, days: i64) -> Frequency {
        match kind {
            "week" => Frequency::Week,
            "days" if days > 0 => Frequency::Days(days),
            _ => Frequency::Month,
        }
    }

    /// The earliest instant a mailing may follow one sent at `last`: a week later, the same
    /// local day and hour a calendar month later (the last day of a shorter month), or N days.
    pub fn next_after(self, last: i64, tz: Tz) -> i64 {
        let Some(local) = tz.timestamp_opt(last, 0).single() else {
            return last + 31 * 86_400;
        };
        // In local wall time, so that a week across a DST change is still 10:00 to 10:00.
        let wall = local.naive_local();
        let next = match self {
            Frequency::Week => wall.checked_add_signed(Duration::days(7)),
            Frequency::Days(n) => wall.checked_add_signed(Duration::days(n)),
            Frequency::Month => wall.checked_add_months(Months::new(1)),
        };
        next.and_then(|d| tz.from_local_datetime(&d).latest())
            .map_or(last + 31 * 86_400, |d| d.timestamp())
    }

    /// The translation key and argument of the promise, e.g. « at most once a month ».
    pub fn describe(self, lang: crate::i18n::Lang) -> String {
        match self {
            Frequency::Week => lang.t("lists.freq.week").to_string(),
            Frequency::Month => lang.t("lists.freq.month").to_string(),
            Frequency::Days(1) => lang.t("lists.freq.day").to_string(),
            Frequency::Days(n) => lang.tf("lists.freq.days", &[("n", &n.to_string())]),
        }
    }
}

/// A list as stored.
#[derive(Clone, Debug)]
pub struct List {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub purpose: String,
    /// The owner `(id, slug, name)`; `None` for the village list.
    pub actor: Option<(i64, String, String)>,
    pub is_village: bool,
    pub public: bool,
    pub frequency: Frequency,
    pub needs_approval: bool,
    /// Open to members' posts (moderated by the editors).
    pub members_post: bool,
    pub created_at: i64,
}

impl List {
    /// The sign-up page.
    pub fn url(&self) -> String {
        format!("/lists/{}", self.slug)
    }

    /// The `List-Id` value: `<slug.lists.host>`.
    pub fn list_id(&self, host: &str) -> String {
        format!("<{}.lists.{}>", self.slug, host)
    }
}

/// What a person may do with a list.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rights {
    /// Write, approve and send mailings, see subscribers, export and import.
    pub editor: bool,
    /// Propose mailings (and edit their own proposals): the editors, and the members when
    /// the list is open to members' posts.
    pub contributor: bool,
}

/// A subscriber's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubStatus {
    Pending,
    Active,
    Unsubscribed,
}

impl SubStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubStatus::Pending => "pending",
            SubStatus::Active => "active",
            SubStatus::Unsubscribed => "unsubscribed",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> SubStatus {
        match s {
            "active" => SubStatus::Active,
            "unsubscribed" => SubStatus::Unsubscribed,
            _ => SubStatus::Pending,
        }
    }
}

/// Where a consent came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Form,
    Import,
    Account,
}

impl Source {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Form => "form",
            Source::Import => "import",
            Source::Account => "account",
        }
    }
}

/// The consent as recorded: the exact text, its version and its hash.
#[derive(Clone, Debug)]
pub struct Consent {
    pub version: String,
    pub text: String,
    pub hash: String,
}

impl Consent {
    /// The consent text of a list's sign-up form in a language.
    pub fn for_list(list: &List, lang: crate::i18n::Lang) -> Consent {
        let text = lang.tf(
            "lists.consent_text",
            &[
                ("list", &list.name),
                ("frequency", &list.frequency.describe(lang)),
            ],
        );
        Consent::of_text(&text)
    }

    /// A consent from its exact text.
    pub fn of_text(text: &str) -> Consent {
        Consent {
            version: CONSENT_VERSION.to_string(),
            text: text.to_string(),
            hash: crate::auth::hex(&Sha256::digest(text.as_bytes())),
        }
    }
}

/// A mailing's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailingStatus {
    Draft,
    Scheduled,
    Sending,
    Sent,
}

impl MailingStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            MailingStatus::Draft => "draft",
            MailingStatus::Scheduled => "scheduled",
            MailingStatus::Sending => "sending",
            MailingStatus::Sent => "sent",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> MailingStatus {
        match s {
            "scheduled" => MailingStatus::Scheduled,
            "sending" => MailingStatus::Sending,
            "sent" => MailingStatus::Sent,
            _ => MailingStatus::Draft,
        }
    }
}

/// A mailing as stored.
#[derive(Clone, Debug)]
pub struct Mailing {
    pub id: i64,
    pub list_id: i64,
    pub subject: String,
    pub body: String,
    pub revision: i64,
    pub status: MailingStatus,
    pub approved_by: Option<i64>,
    pub approved_rev: Option<i64>,
    pub send_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Mailing {
    /// Whether the current revision was approved.
    pub fn approved(&self) -> bool {
        self.approved_by.is_some() && self.approved_rev == Some(self.revision)
    }

    /// Whether it went out (or is going out): in the archive.
    pub fn sent_or_sending(&self) -> bool {
        matches!(self.status, MailingStatus::Sending | MailingStatus::Sent)
    }
}

/// One revision of a mailing.
#[derive(Clone, Debug)]
pub struct Revision {
    pub number: i64,
    pub subject: String,
    pub body: String,
    pub author: Option<String>,
    pub created_at: i64,
}

/// Per-subscriber tokens: an HMAC of the subscriber's id with the instance secret, so that
/// nothing secret is stored and a link in any mail keeps working.
pub fn token(secret: &[u8], purpose: &str, subscriber: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(subscriber.to_string().as_bytes());
    let sig = crate::auth::hex(&mac.finalize().into_bytes());
    format!("{subscriber}-{}", &sig[..32])
}

/// The subscriber a token was made for, if it is genuine.
pub fn check_token(secret: &[u8], purpose: &str, token_text: &str) -> Option<i64> {
    let (id, _) = token_text.split_once('-')?;
    let id: i64 = id.parse().ok()?;
    let expected = token(secret, purpose, id);
    let ok = expected.len() == token_text.len()
        && expected
            .bytes()
            .zip(token_text.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    ok.then_some(id)
}

pub use crate::mail::valid_email;

/// The list form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ListForm {
    pub name: String,
    pub purpose: String,
    /// Empty for the village list (site admins), else an actor's slug.
    pub owner: String,
    pub public: String,
    /// `week`, `month` or `days`.
    pub frequency: String,
    pub days: String,
    pub needs_approval: String,
    pub members_post: String,
}

/// A valid list, ready to store.
#[derive(Clone, Debug)]
pub struct ListInput {
    pub name: String,
    pub purpose: String,
    pub owner: Option<String>,
    pub public: bool,
    pub frequency: Frequency,
    pub needs_approval: bool,
    pub members_post: bool,
}

impl ListForm {
    /// Checks every field.
    pub fn parse(&self, e: &mut FormErrors) -> Option<ListInput> {
        let name = self.name.trim().to_string();
        e.check(name.is_empty(), "name", "lists.name_required");
        e.check(name.chars().count() > 120, "name", "lists.name_too_long");
        let purpose = self.purpose.trim().to_string();
        e.check(
            purpose.chars().count() > 2_000,
            "purpose",
            "lists.purpose_too_long",
        );
        let frequency = match self.frequency.as_str() {
            "week" => Some(Frequency::Week),
            "month" | "" => Some(Frequency::Month),
            "days" => match self.days.trim().parse::<i64>() {
                Ok(n) if (1..=366).contains(&n) => Some(Frequency::Days(n)),
                _ => None,
            },
            _ => None,
        };
        e.check(frequency.is_none(), "days", "lists.days_invalid");
        let owner = Some(self.owner.trim().to_string()).filter(|s| !s.is_empty());
        e.is_empty().then(|| ListInput {
            name,
            purpose,
            owner,
            public: self.public == "on",
            frequency: frequency.unwrap_or(Frequency::Month),
            needs_approval: self.needs_approval == "on",
            members_post: self.members_post == "on",
        })
    }
}

/// The draft form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct DraftForm {
    pub subject: String,
    pub body: String,
    /// The revision the editor started from (optimistic concurrency).
    pub base_revision: String,
    /// Which button: `save`, `preview` or `agenda` (insert the upcoming events).
    pub action: String,
}

/// A valid draft.
#[derive(Clone, Debug)]
pub struct DraftInput {
    pub subject: String,
    pub body: String,
}

impl DraftForm {
    /// Checks the subject and the text.
    pub fn parse(&self, e: &mut FormErrors) -> Option<DraftInput> {
        let subject = self.subject.trim().to_string();
        e.check(subject.is_empty(), "subject", "lists.subject_required");
        e.check(
            subject.chars().count() > MAX_SUBJECT,
            "subject",
            "lists.subject_too_long",
        );
        e.check(
            subject.chars().any(|c| c.is_control()),
            "subject",
            "lists.subject_required",
        );
        let body = self.body.replace("\r\n", "\n").trim_end().to_string();
        e.check(body.trim().is_empty(), "body", "lists.body_required");
        e.check(
            body.chars().count() > MAX_BODY,
            "body",
            "lists.body_too_long",
        );
        e.is_empty().then_some(DraftInput { subject, body })
    }

    /// The revision number the form started from (0 when missing).
    pub fn base(&self) -> i64 {
        self.base_revision.trim().parse().unwrap_or(0)
    }
}

/// The import form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ImportForm {
    /// CSV: the address in the first column; a header line is skipped.
    pub csv: String,
    /// Where and how these people gave their consent (recorded with it).
    pub origin: String,
    /// "on": the editor attests that every address consented.
    pub attest: String,
}

/// The sending settings form: the relay's limits and the optional DKIM key.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitsForm {
    pub per_minute: String,
    pub per_day: String,
    pub dkim_domain: String,
    pub dkim_selector: String,
    /// A new RSA private key (PKCS#1 PEM); empty keeps the stored one (never shown again).
    pub dkim_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_a_calendar_month_in_local_time() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        // 31 January 2026 10:00 Paris -> 28 February 2026 10:00 Paris.
        let jan31 = tz
            .with_ymd_and_hms(2026, 1, 31, 10, 0, 0)
            .unwrap()
            .timestamp();
        let next = Frequency::Month.next_after(jan31, tz);
        assert_eq!(
            next,
            tz.with_ymd_and_hms(2026, 2, 28, 10, 0, 0)
                .unwrap()
                .timestamp()
        );
        // Across the spring DST change, a week is still 10:00 local.
        let mar25 = tz
            .with_ymd_and_hms(2026, 3, 25, 10, 0, 0)
            .unwrap()
            .timestamp();
        let next = Frequency::Week.next_after(mar25, tz);
        assert_eq!(
            next,
            tz.with_ymd_and_hms(2026, 4, 1, 10, 0, 0)
                .unwrap()
                .timestamp()
        );
        assert_eq!(Frequency::Days(3).next_after(0, chrono_tz::UTC), 3 * 86_400);
    }

    #[test]
    fn tokens_are_bound_to_their_subscriber_and_purpose() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let t = token(secret, "unsubscribe", 42);
        assert_eq!(check_token(secret, "unsubscribe", &t), Some(42));
        assert_eq!(check_token(secret, "confirm", &t), None);
        let forged = t.replacen("42-", "43-", 1);
        assert_eq!(check_token(secret, "unsubscribe", &forged), None);
        assert_eq!(check_token(secret, "unsubscribe", "garbage"), None);
    }

    #[test]
    fn forms_report_bad_fields() {
        let mut e = FormErrors::new();
        let f = ListForm {
            frequency: "days".into(),
            days: "0".into(),
            ..Default::default()
        };
        assert!(f.parse(&mut e).is_none());
        assert!(e.get("name").is_some() && e.get("days").is_some());
        let mut e = FormErrors::new();
        assert!(DraftForm::default().parse(&mut e).is_none());
        assert_eq!(e.get("subject"), Some("lists.subject_required"));
        assert!(valid_email("ana@village.test"));
        assert!(!valid_email("ana@village"));
        assert!(!valid_email("a b@village.test"));
    }
}
