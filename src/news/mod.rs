//! Local news: posts on the village wall (`/news`) and on actors' journals (`/a/{slug}/news`),
//! each with an audience (everyone, signed-in residents, the actor's followers), comments with
//! one level of replies, and reports that reach the moderators, who hide or restore.
//!
//! Who sees a post is decided in one place, the SQL of [`store::VISIBLE`], used by every
//! page, feed, API and by the search source; a post one may not see answers 404, not 403.

pub mod api;
pub mod comments;
pub mod demo;
pub mod export;
pub mod federation;
pub mod feed;
pub mod handlers;
pub mod search;
pub mod store;
pub mod views;
pub mod village;

use std::collections::HashMap;

use serde::Deserialize;

use crate::auth::User;
use crate::directory::Access;
use crate::web::forms::FormErrors;

/// Posts per page on the wall and on a journal.
pub const PER_PAGE: i64 = 20;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 150;
/// Longest post, in characters.
pub const MAX_BODY: usize = 20_000;
/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 5_000;
/// Longest reason given with a report, in characters.
pub const MAX_REASON: usize = 1_000;

/// Who may read a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everyone, visitors included; the only posts in feeds and search.
    Public,
    /// Signed-in residents.
    Members,
    /// The actor's followers and members (journal posts only).
    Followers,
}

impl Audience {
    /// Every audience, widest first.
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Members, Audience::Followers];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Members => "members",
            Audience::Followers => "followers",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A post as shown: with its actor, its author's name and its number of comments.
#[derive(Clone, Debug)]
pub struct Post {
    pub id: i64,
    /// The journal's actor `(id, slug, name)`; `None` on the village wall.
    pub actor: Option<(i64, String, String)>,
    pub author_id: Option<i64>,
    /// `None` when the author deleted their account.
    pub author_name: Option<String>,
    pub title: String,
    pub body: String,
    pub image: Option<String>,
    pub audience: Audience,
    pub hidden: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub comments: i64,
    /// The journal's actor is an official page (town hall, school, public service).
    pub actor_official: bool,
}

impl Post {
    /// The title, or the beginning of the text when it has none (feeds, search, mails).
    pub fn headline(&self) -> String {
        if !self.title.is_empty() {
            return self.title.clone();
        }
        excerpt(&self.body, 80)
    }

    /// The permalink.
    pub fn url(&self) -> String {
        format!("/news/{}", self.id)
    }
}

pub use crate::text::excerpt;

/// A comment as shown.
#[derive(Clone, Debug)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub hidden: bool,
    pub deleted: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// Who is looking: the whole visibility rule takes only this (see [`store::VISIBLE`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    pub user_id: Option<i64>,
    /// Site admins and moderators: they see every audience, and hidden content on its page.
    pub staff: bool,
}

impl Viewer {
    /// The viewer of a request.
    pub fn of(user: Option<&User>) -> Viewer {
        Viewer {
            user_id: user.map(|u| u.id),
            staff: user.is_some_and(is_staff),
        }
    }
}

/// Site admins and moderators moderate the news.
pub fn is_staff(user: &User) -> bool {
    user.is_staff()
}

/// Edit a post or a comment: its author and the moderators.
pub fn can_edit(user: &User, author_id: Option<i64>) -> bool {
    author_id == Some(user.id) || is_staff(user)
}

/// Delete a post or a comment: its author, the moderators, and the admins of the journal's
/// actor (they keep their journal tidy).
pub fn can_delete(user: &User, author_id: Option<i64>, journal: Option<&Access>) -> bool {
    can_edit(user, author_id) || journal.is_some_and(|a| a.admin)
}

/// Post on an actor's journal: its members and admins, and the site's admins.
pub fn can_post_on(access: &Access) -> bool {
    access.member || access.site_admin
}

/// The post form as typed (from an urlencoded or a multipart body).
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PostForm {
    pub title: String,
    pub body: String,
    pub audience: String,
    /// "on" to drop the current image (edit form).
    pub remove_image: String,
}

impl PostForm {
    /// The form from the text fields of a body.
    pub fn from_fields(f: &HashMap<String, String>) -> PostForm {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        PostForm {
            title: get("title"),
            body: get("body"),
            audience: get("audience"),
            remove_image: get("remove_image"),
        }
    }

    /// The form filled with a stored post.
    pub fn from_post(p: &Post) -> PostForm {
        PostForm {
            title: p.title.clone(),
            body: p.body.clone(),
            audience: p.audience.as_str().into(),
            remove_image: String::new(),
        }
    }

    /// Checks every field; `on_journal` allows the followers audience.
    pub fn parse(&self, on_journal: bool, e: &mut FormErrors) -> Option<PostInput> {
        let title = self.title.trim().to_string();
        e.check(
            title.chars().count() > MAX_TITLE,
            "title",
            "news.title_too_long",
        );
        let body = self.body.trim().to_string();
        e.check(body.is_empty(), "body", "news.body_required");
        e.check(
            body.chars().count() > MAX_BODY,
            "body",
            "news.body_too_long",
        );
        let audience =
            Audience::parse(&self.audience).filter(|a| on_journal || *a != Audience::Followers);
        e.check(audience.is_none(), "audience", "news.audience_invalid");
        let input = PostInput {
            title,
            body,
            audience: audience?,
        };
        e.is_empty().then_some(input)
    }
}

/// A valid post, ready to store.
#[derive(Clone, Debug)]
pub struct PostInput {
    pub title: String,
    pub body: String,
    pub audience: Audience,
}

/// The comment form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CommentForm {
    pub comment: String,
    /// The comment this one answers (empty for a top-level comment).
    pub parent: String,
}

impl CommentForm {
    /// Checks the text; returns it trimmed.
    pub fn parse(&self, e: &mut FormErrors) -> Option<String> {
        let body = self.comment.trim().to_string();
        e.check(body.is_empty(), "comment", "news.comment_required");
        e.check(
            body.chars().count() > MAX_COMMENT,
            "comment",
            "news.comment_too_long",
        );
        e.is_empty().then_some(body)
    }

    /// The parent comment's id, when it is a number.
    pub fn parent_id(&self) -> Option<i64> {
        self.parent.trim().parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_form_reports_each_bad_field_and_keeps_followers_for_journals() {
        let form = PostForm {
            title: "x".repeat(MAX_TITLE + 1),
            body: "   ".into(),
            audience: "followers".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        assert!(form.parse(false, &mut e).is_none());
        for f in ["title", "body", "audience"] {
            assert!(e.get(f).is_some(), "{f} should be reported");
        }
        let ok = PostForm {
            body: " Fête du pain samedi ".into(),
            audience: "followers".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        let input = ok.parse(true, &mut e).unwrap();
        assert_eq!(input.body, "Fête du pain samedi");
        assert_eq!(input.audience, Audience::Followers);
    }

    #[test]
    fn comments_must_say_something() {
        let mut e = FormErrors::new();
        assert!(CommentForm::default().parse(&mut e).is_none());
        assert_eq!(e.get("comment"), Some("news.comment_required"));
        let f = CommentForm {
            comment: "Merci !".into(),
            parent: "12".into(),
        };
        assert_eq!(f.parse(&mut FormErrors::new()).as_deref(), Some("Merci !"));
        assert_eq!(f.parent_id(), Some(12));
    }
}
