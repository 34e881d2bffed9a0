//! Channels (issue 22, part 1): thematic channels of the village or of an organisation page,
//! each with a topic, a visibility and its moderators; threads (a title and a first message)
//! with flat, chronological replies paged by key; a code of conduct accepted once before a
//! first post (and again for each new version); a welcome page for newcomers; invitations by
//! mail; threads closed with a summary by a moderator or a documentalist, summaries being
//! public pages, searchable and insertable in a newsletter draft.
//!
//! Every message, whoever writes it (the forms, and any later writer), goes through
//! [`post::message`] inside the write transaction: masking, counters, mentions and follows.

pub mod access;
pub mod api;
pub mod conduct;
pub mod demo;
pub mod form;
pub mod handlers;
pub mod hooks;
pub mod invite;
pub mod notify;
pub mod notify_pages;
pub mod post;
pub mod search;
pub mod store;
pub mod summary;
pub mod tasks;
pub mod thread;
pub mod views;
pub mod village;
pub mod webhook;

use serde::Serialize;

use crate::auth::User;

/// Longest channel name, in characters.
pub const MAX_NAME: usize = 80;
/// Longest topic (one line), in characters.
pub const MAX_TOPIC: usize = 160;
/// Longest description, summary or message, in characters.
pub const MAX_BODY: usize = 20_000;
/// Longest thread title, in characters.
pub const MAX_TITLE: usize = 150;
/// Messages per page of a thread.
pub const PAGE: i64 = 50;
/// Threads per page of a channel.
pub const THREADS: i64 = 30;
/// Mentions resolved per message at most.
pub const MAX_MENTIONS: usize = 20;

/// Who may read (and so post in) a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone reads; residents with an account post.
    Public,
    /// Accounts only read and post.
    Residents,
    /// The page's active members only (never a village channel).
    Members,
}

impl Visibility {
    /// Every visibility, widest first.
    pub const ALL: [Visibility; 3] = [
        Visibility::Public,
        Visibility::Residents,
        Visibility::Members,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Residents => "residents",
            Visibility::Members => "members",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A named role in a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Moderator,
    Documentalist,
}

impl Role {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Documentalist => "documentalist",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "moderator" => Some(Role::Moderator),
            "documentalist" => Some(Role::Documentalist),
            _ => None,
        }
    }
}

/// The page a channel belongs to.
#[derive(Clone, Debug)]
pub struct Owner {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A channel.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: i64,
    /// `None` for the village's own channels.
    pub actor: Option<Owner>,
    pub slug: String,
    pub name: String,
    pub topic: String,
    pub description: String,
    pub visibility: Visibility,
    pub recommended: bool,
    pub created_by: Option<i64>,
    pub last_activity_at: i64,
    /// Threads not hidden (for lists; 0 where not counted).
    pub threads: i64,
}

impl Channel {
    /// The channel's address.
    pub fn url(&self) -> String {
        format!("/c/{}", self.slug)
    }

    /// Whether everyone (and the search, and the API) may read it.
    pub fn is_public(&self) -> bool {
        self.visibility == Visibility::Public
    }
}

/// A thread.
#[derive(Clone, Debug)]
pub struct Thread {
    pub id: i64,
    pub channel_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub title: String,
    pub hidden: bool,
    pub messages: i64,
    pub last_message_id: Option<i64>,
    pub last_activity_at: i64,
    pub closed_at: Option<i64>,
    pub closed_by_name: Option<String>,
    pub summary: Option<String>,
    pub created_at: i64,
}

/// A message of a thread.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: i64,
    pub thread_id: i64,
    pub author_id: Option<i64>,
    /// The account's name, or the tool's label.
    pub author_name: String,
    pub body: String,
    pub hidden: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// What the viewer may do in a channel, computed once per request by [`access::load`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Powers {
    pub read: bool,
    pub post: bool,
    pub moderate: bool,
    pub document: bool,
    /// Change the channel's settings and name its moderators: the page's admins (the site's
    /// admins for a village channel).
    pub manage: bool,
}

impl Powers {
    /// Close a thread with a summary.
    pub fn may_close(&self) -> bool {
        self.moderate || self.document
    }

    /// Edit or delete a message.
    pub fn may_change(&self, user: Option<&User>, author_id: Option<i64>) -> bool {
        self.moderate || (self.post && user.is_some_and(|u| author_id == Some(u.id)))
    }
}

/// The rules: who reads, posts, moderates, in a channel of this visibility, given whether the
/// viewer is signed in, an active member / an admin of the channel's page, and their site role
/// and named roles.
pub fn powers(
    c: &Channel,
    user: Option<&User>,
    member: bool,
    page_admin: bool,
    named: &[Role],
) -> Powers {
    let signed_in = user.is_some();
    let site_admin = user.is_some_and(User::is_admin);
    let staff = user.is_some_and(User::is_staff);
    let read = match c.visibility {
        Visibility::Public => true,
        Visibility::Residents => signed_in,
        Visibility::Members => member || site_admin,
    };
    let manage = match c.actor {
        Some(_) => page_admin || site_admin,
        None => site_admin,
    };
    let moderate = read && (manage || staff || named.contains(&Role::Moderator));
    Powers {
        read,
        post: read && signed_in,
        moderate,
        document: read && named.contains(&Role::Documentalist),
        manage: read && manage,
    }
}
