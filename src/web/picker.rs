//! Choosing another page in a form (the parent of a page or of an event, the page that manages
//! a room): one text input whose suggestions are the names of the pages the person may pick
//! (an HTML `datalist`: searchable as one types, on phones too, and with no JavaScript).
//! The person picks or types a name; a page's address or identifier still works, as before.
//! The same list is read again in the write transaction to turn the name back into the page:
//! [`Choices::resolve`]. Names shared by two pages get their identifier in brackets.

/// The pages one may pick: (identifier, label shown), in the order shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choices(Vec<(String, String)>);

impl Choices {
    /// The list from (identifier, name) pairs; a name that two pages share is shown with the
    /// identifier, « Salle des fêtes (salle-des-fetes-2) », so that every label is one page.
    pub fn new(pairs: Vec<(String, String)>) -> Choices {
        let shared = |name: &str| {
            pairs
                .iter()
                .filter(|(_, n)| n.trim().eq_ignore_ascii_case(name.trim()))
                .count()
                > 1
        };
        let labels = pairs
            .iter()
            .map(|(slug, name)| {
                let label = if shared(name) {
                    format!("{} ({slug})", name.trim())
                } else {
                    name.trim().to_string()
                };
                (slug.clone(), label)
            })
            .collect();
        Choices(labels)
    }

    /// The labels, in order (for the datalist).
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, l)| l.as_str())
    }

    /// What to show in the input for a stored identifier: its label when it is in the list.
    pub fn shown<'a>(&'a self, value: &'a str) -> &'a str {
        self.0
            .iter()
            .find(|(slug, _)| slug == value.trim())
            .map_or(value, |(_, l)| l.as_str())
    }

    /// The identifier of what was typed: a label of the list (case aside), else an identifier or
    /// a page's address (`/a/comite-des-fetes`, `https://…/a/comite-des-fetes/`), which the caller
    /// checks as it always did. `None` when nothing was typed.
    pub fn resolve(&self, typed: &str) -> Option<String> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        let lower = typed.to_lowercase();
        if let Some((slug, _)) = self.0.iter().find(|(_, l)| l.to_lowercase() == lower) {
            return Some(slug.clone());
        }
        let path = typed.trim_end_matches('/');
        let slug = path.rsplit('/').next().unwrap_or(path).trim();
        (!slug.is_empty()).then(|| slug.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Choices {
        Choices::new(vec![
            ("comite-des-fetes".into(), "Comité des fêtes".into()),
            ("salle-des-fetes".into(), "Salle des fêtes".into()),
            ("salle-des-fetes-2".into(), "Salle des fêtes".into()),
        ])
    }

    #[test]
    fn names_shared_by_two_pages_carry_their_identifier() {
        let c = choices();
        let labels: Vec<&str> = c.labels().collect();
        assert_eq!(
            labels,
            [
                "Comité des fêtes",
                "Salle des fêtes (salle-des-fetes)",
                "Salle des fêtes (salle-des-fetes-2)"
            ]
        );
    }

    #[test]
    fn a_label_an_identifier_or_an_address_leads_to_the_page() {
        let c = choices();
        assert_eq!(
            c.resolve(" comité des FÊTES "),
            Some("comite-des-fetes".into())
        );
        assert_eq!(
            c.resolve("Salle des fêtes (salle-des-fetes-2)"),
            Some("salle-des-fetes-2".into())
        );
        assert_eq!(
            c.resolve("https://placette.example/a/comite-des-fetes/"),
            Some("comite-des-fetes".into())
        );
        assert_eq!(c.resolve("/a/ailleurs"), Some("ailleurs".into()));
        assert_eq!(c.resolve("  "), None);
    }

    #[test]
    fn a_stored_identifier_is_shown_by_its_label() {
        let c = choices();
        assert_eq!(c.shown("comite-des-fetes"), "Comité des fêtes");
        assert_eq!(c.shown("inconnue"), "inconnue");
    }
}
