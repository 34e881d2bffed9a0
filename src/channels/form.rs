//! The channels' forms as typed, and their parsing into values ready to store. A failure is a
//! list of messages (a 422 re-render keeping what was typed), never an error.

use serde::Deserialize;

use super::{Visibility, MAX_BODY, MAX_NAME, MAX_TITLE, MAX_TOPIC};
use crate::web::forms::FormErrors;

/// The channel form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ChannelForm {
    pub name: String,
    pub topic: String,
    pub description: String,
    pub visibility: String,
    /// "1" when ticked (the site's admins only).
    pub recommended: String,
}

/// A valid channel.
#[derive(Clone, Debug)]
pub struct ChannelInput {
    pub name: String,
    pub topic: String,
    pub description: String,
    pub visibility: Visibility,
    pub recommended: bool,
}

impl ChannelForm {
    /// Checks every field; `of_page`: a page's channel (only those may be members-only).
    pub fn parse(&self, of_page: bool, e: &mut FormErrors) -> Option<ChannelInput> {
        let name = self.name.trim().to_string();
        e.check(name.is_empty(), "name", "channels.name_required");
        e.check(
            name.chars().count() > MAX_NAME,
            "name",
            "channels.name_too_long",
        );
        let topic = self.topic.split_whitespace().collect::<Vec<_>>().join(" ");
        e.check(
            topic.chars().count() > MAX_TOPIC,
            "topic",
            "channels.topic_too_long",
        );
        let description = self.description.trim().to_string();
        e.check(
            description.chars().count() > MAX_BODY,
            "description",
            "channels.text_too_long",
        );
        let visibility =
            Visibility::parse(&self.visibility).filter(|v| of_page || *v != Visibility::Members);
        e.check(
            visibility.is_none(),
            "visibility",
            "channels.visibility_invalid",
        );
        let visibility = visibility?;
        if !e.is_empty() {
            return None;
        }
        Some(ChannelInput {
            name,
            topic,
            description,
            visibility,
            recommended: self.recommended == "1",
        })
    }
}

/// A message (a reply, or a new thread's first one with its title) as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MessageForm {
    pub title: String,
    pub body: String,
    /// "1" when the code of conduct's box is ticked.
    pub accept_conduct: String,
    /// The version of the code of conduct shown beside the box.
    pub conduct_version: String,
}

impl MessageForm {
    /// The text, checked (`with_title`: a new thread's title too).
    pub fn parse(&self, with_title: bool, e: &mut FormErrors) -> Option<(String, String)> {
        let title = self.title.trim().to_string();
        if with_title {
            e.check(title.is_empty(), "title", "channels.title_required");
            e.check(
                title.chars().count() > MAX_TITLE,
                "title",
                "channels.title_too_long",
            );
        }
        let body = self.body.trim().to_string();
        e.check(body.is_empty(), "body", "channels.body_required");
        e.check(
            body.chars().count() > MAX_BODY,
            "body",
            "channels.text_too_long",
        );
        e.is_empty().then_some((title, body))
    }

    /// Whether the code of conduct's box is ticked.
    pub fn accepts(&self) -> bool {
        self.accept_conduct == "1"
    }

    /// The version accepted: the one shown, when its box is ticked.
    pub fn accepted_version(&self) -> Option<i64> {
        self.accepts()
            .then(|| self.conduct_version.trim().parse().ok())
            .flatten()
    }
}

/// A summary (closing a thread), or the code of conduct, as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct TextForm {
    pub body: String,
}

impl TextForm {
    /// The text, required and not too long.
    pub fn parse(&self, e: &mut FormErrors) -> Option<String> {
        let body = self.body.trim().to_string();
        e.check(body.is_empty(), "body", "channels.body_required");
        e.check(
            body.chars().count() > MAX_BODY,
            "body",
            "channels.text_too_long",
        );
        e.is_empty().then_some(body)
    }
}

/// An address (an invitation, or a person named moderator or documentalist) as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PersonForm {
    pub email: String,
    pub role: String,
}

/// The paging of a channel's threads (`after` = "activity.id") and of a thread's messages.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PageQuery {
    pub after: String,
    pub before: String,
    /// "end": the last page.
    pub at: String,
    /// A message to show (its page).
    pub m: String,
}

impl PageQuery {
    /// The threads' cursor.
    pub fn thread_cursor(&self) -> Option<(i64, i64)> {
        let (a, b) = self.after.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }
}
