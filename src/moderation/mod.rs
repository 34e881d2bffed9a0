//! Moderation, one mechanism for every module: reports from residents and visitors into one
//! queue, the moderators' actions on any registered item (hide, restore, delete, edit, warn,
//! keep, with a reason and an answer to the reporter), people (suspension, masking of all
//! their public content, masking on one page), the append-only audit log, and the purge of
//! personal data's originals.
//!
//! The mechanism knows no module: each module registers a [`Target`] per kind of item (its
//! functions read and change its own rows); the top (`crate::modules`) registers the list at
//! start-up, like the search's sources.

pub mod contact;
pub mod form;
pub mod handlers;
pub mod log;
pub mod people;
pub mod store;
pub mod tasks;
pub mod views;

use rusqlite::Connection;

use crate::settings::Module;

/// Why something is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Illegal,
    Hate,
    PersonalData,
    Spam,
    OffTopic,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Illegal,
        Reason::Hate,
        Reason::PersonalData,
        Reason::Spam,
        Reason::OffTopic,
        Reason::Other,
    ];
    /// What an anonymous visitor may report (what a host must let anyone report).
    pub const ANONYMOUS: [Reason; 2] = [Reason::Illegal, Reason::Hate];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Illegal => "illegal",
            Reason::Hate => "hate",
            Reason::PersonalData => "personal_data",
            Reason::Spam => "spam",
            Reason::OffTopic => "off_topic",
            Reason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Reason::Illegal => "moderation.reason_illegal",
            Reason::Hate => "moderation.reason_hate",
            Reason::PersonalData => "moderation.reason_personal_data",
            Reason::Spam => "moderation.reason_spam",
            Reason::OffTopic => "moderation.reason_off_topic",
            Reason::Other => "moderation.reason_other",
        }
    }
}

/// What a moderator does with an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Hide,
    Restore,
    Delete,
    Edit,
    Warn,
    Keep,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Hide,
        Action::Restore,
        Action::Delete,
        Action::Edit,
        Action::Warn,
        Action::Keep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Hide => "hide",
            Action::Restore => "restore",
            Action::Delete => "delete",
            Action::Edit => "edit",
            Action::Warn => "warn",
            Action::Keep => "keep",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The outcome it gives the open reports (told to the reporters); restore closes none.
    pub fn outcome(self) -> Option<&'static str> {
        match self {
            Action::Hide => Some("hidden"),
            Action::Delete => Some("deleted"),
            Action::Edit => Some("edited"),
            Action::Warn => Some("warned"),
            Action::Keep => Some("kept"),
            Action::Restore => None,
        }
    }
}

/// One reportable item as the moderation pages show it.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Item {
    pub id: i64,
    pub title: String,
    /// Its main text as published (masked).
    pub text: String,
    /// Where it is read (a local path).
    pub url: String,
    pub author_id: Option<i64>,
    /// The page it belongs to (a journal, an organiser, a room), for the page's own admins.
    pub actor_id: Option<i64>,
    /// Visible to visitors right now (not hidden, not members-only).
    pub public: bool,
    /// Hidden by the module's own flag (or by moderation).
    pub hidden: bool,
}

/// What a module registers for one kind of item. Every function runs inside the caller's
/// transaction (reads or the moderator's write).
pub struct Target {
    /// The kind's name, stored in `reports.kind`, `moderation_hidden.kind` and the log.
    pub kind: &'static str,
    pub module: Module,
    /// The i18n key of its name (« un message »).
    pub label_key: &'static str,
    /// The items of these ids that exist (any state).
    pub load: fn(&Connection, &[i64]) -> rusqlite::Result<Vec<Item>>,
    /// Hides it from every public surface; returns the state to restore (module-defined).
    pub hide: fn(&Connection, i64, i64, i64) -> rusqlite::Result<String>,
    /// Puts it back as it was (the string `hide` returned).
    pub restore: fn(&Connection, i64, &str) -> rusqlite::Result<()>,
    /// Deletes it for good, if the kind can be deleted by a moderator.
    pub delete: Option<fn(&Connection, i64) -> rusqlite::Result<()>>,
    /// Replaces its main text (a moderator editing personal data out).
    pub edit: Option<fn(&Connection, i64, &str) -> rusqlite::Result<()>>,
    /// The ids of a person's items visible now (masking a person hides them all).
    pub by_author: fn(&Connection, i64) -> rusqlite::Result<Vec<i64>>,
}

/// One entry of the queue: an item and its open reports.
pub struct Entry {
    pub target: &'static Target,
    pub item: Item,
    pub reports: Vec<store::Report>,
}

static TARGETS: std::sync::OnceLock<&'static [Target]> = std::sync::OnceLock::new();

/// Registered once at start-up by the top (`crate::modules`).
pub fn register(targets: &'static [Target]) {
    let _ = TARGETS.set(targets);
}

/// Every registered kind.
pub fn targets() -> &'static [Target] {
    TARGETS.get().copied().unwrap_or(&[])
}

/// The registered kind of that name.
pub fn target(kind: &str) -> Option<&'static Target> {
    targets().iter().find(|t| t.kind == kind)
}

/// The largest "for good": a suspension without end.
pub const FOREVER: i64 = i64::MAX;
