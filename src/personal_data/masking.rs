//! Mask on save: each public field of one save is masked in place before it is written, and
//! the originals are filed aside in the same write transaction once the item's id is known.
//!
//! ```text
//! let mut m = Masking::new(lang);
//! m.field("title", &mut input.title);
//! m.field("body", &mut input.body);
//! db.write(move |tx| { let id = insert(tx, &input)?; m.keep(tx, "news", id, Some(uid), now)?; ... })
//! // then, if m.found(): redirect with "flash.personal.masked"
//! ```

use rusqlite::Connection;

use super::{shield, store, Shielded};
use crate::auth::User;
use crate::i18n::Lang;

/// The flash shown to an author whose text held personal data.
pub const FLASH: &str = "flash.personal.masked";

/// The masked fields of one save.
#[derive(Clone, Debug)]
pub struct Masking {
    lang: Lang,
    fields: Vec<(&'static str, Shielded)>,
}

impl Masking {
    /// Masks in `lang`: the instance's default language, what every surface shows.
    pub fn new(lang: Lang) -> Masking {
        Masking {
            lang,
            fields: Vec::new(),
        }
    }

    /// Masks `text` in place (it becomes what is published) and remembers its original.
    pub fn field(&mut self, name: &'static str, text: &mut String) {
        let s = shield(text, self.lang);
        if s.original.is_some() {
            text.clone_from(&s.public);
        }
        self.fields.push((name, s));
    }

    /// Whether any field held personal data (the author is told).
    pub fn found(&self) -> bool {
        self.fields.iter().any(|(_, s)| s.original.is_some())
    }

    /// The flash after the save: the author is told when personal data was masked, else
    /// `otherwise`.
    pub fn flash(&self, otherwise: &'static str) -> &'static str {
        if self.found() {
            FLASH
        } else {
            otherwise
        }
    }

    /// Files the originals of item `item_id` of `kind` ('news', 'comment', 'aid', 'event',
    /// 'actor', 'mailing'), and forgets those of fields that no longer hold personal data.
    pub fn keep(
        &self,
        c: &Connection,
        kind: &str,
        item_id: i64,
        author_id: Option<i64>,
        now: i64,
    ) -> rusqlite::Result<()> {
        for (field, s) in &self.fields {
            store::keep(c, kind, item_id, field, s, author_id, now)?;
        }
        Ok(())
    }
}

/// Whether any of `texts` holds personal data: a save path that masks deeper down (the agenda's
/// `save`) tells its author with this.
pub fn holds_any(texts: &[&str]) -> bool {
    texts.iter().any(|t| !super::find(t).is_empty())
}

/// A moderator or an admin of the site: they see every original and may purge it.
pub fn is_moderator(user: Option<&User>) -> bool {
    user.is_some_and(User::is_staff)
}

/// Who sees the original of an item's text: its author and the site's moderators and admins.
pub fn may_see(user: Option<&User>, author_id: Option<i64>) -> bool {
    is_moderator(user) || user.is_some_and(|u| author_id == Some(u.id))
}

/// The text to prefill an edit form with: the original when one was filed, else the published.
pub fn prefill(published: &str, original: Option<String>) -> String {
    original.unwrap_or_else(|| published.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_in_place_and_remembers() {
        let mut m = Masking::new(Lang::Fr);
        let mut title = "Vélo à donner".to_string();
        let mut body = "Écrire à jeanne.dupont@example.org ou 06 12 34 56 78".to_string();
        m.field("title", &mut title);
        m.field("body", &mut body);
        assert!(m.found());
        assert_eq!(title, "Vélo à donner");
        assert!(!body.contains("jeanne.dupont"));
        assert!(body.contains("[adresse masquée]"));
        assert!(body.contains("[téléphone masqué]"));
    }

    #[test]
    fn keeps_and_forgets() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE personal_originals (kind TEXT, item_id INTEGER, field TEXT,
             original TEXT, found TEXT, author_id INTEGER, created_at INTEGER,
             PRIMARY KEY (kind, item_id, field));",
        )
        .unwrap();
        let mut m = Masking::new(Lang::Fr);
        let mut body = "tel 06 12 34 56 78".to_string();
        m.field("body", &mut body);
        m.keep(&c, "news", 1, Some(7), 10).unwrap();
        assert_eq!(
            store::original(&c, "news", 1, "body").unwrap().as_deref(),
            Some("tel 06 12 34 56 78")
        );
        let mut m = Masking::new(Lang::Fr);
        let mut body = "plus rien".to_string();
        m.field("body", &mut body);
        assert!(!m.found());
        m.keep(&c, "news", 1, Some(7), 11).unwrap();
        assert_eq!(store::original(&c, "news", 1, "body").unwrap(), None);
    }
}
