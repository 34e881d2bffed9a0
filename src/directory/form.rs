//! What the directory's pages take as typed: the list query and the contact and invitation
//! forms (their handlers read them, their views show them again).

use serde::Deserialize;

use super::store::Filter;
use super::Kind;

/// Actors per page in lists.
pub const PER_PAGE: i64 = 20;

/// Query of the directory list.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub kind: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub tag: String,
    pub page: i64,
}

impl ListQuery {
    /// The store filter; unknown values are ignored rather than refused.
    pub fn filter(&self) -> Filter {
        let kind = Kind::parse(&self.kind);
        Filter {
            kind,
            type_: (!self.type_.is_empty()).then(|| self.type_.clone()),
            tag: (!self.tag.is_empty()).then(|| self.tag.trim().to_lowercase()),
        }
    }
}

/// The contact form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub message: String,
    pub share_email: String,
}

/// The invitation form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub role: String,
    pub title: String,
}
