//! The lists' part of a benchmark dataset: the village list (monthly) with one subscriber
//! per generated account, each with its ledger row, and a year of sent mailings in the archive.

use rusqlite::Connection;

use super::Rng;
use crate::db;
use crate::error::AppError;
use crate::lists::store::{self, mailings, subscribers};
use crate::lists::{Consent, DraftInput, Frequency, ListInput, Source};

/// Fills the village list; returns (subscribers, slugs of the lists to measure).
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    subscribers_n: usize,
    admin: i64,
) -> Result<(usize, Vec<String>), AppError> {
    let now = db::now();
    let input = ListInput {
        name: "La lettre du village".into(),
        purpose: "Les nouvelles du village et l'agenda du mois.".into(),
        owner: None,
        public: true,
        frequency: Frequency::Month,
        needs_approval: false,
        members_post: false,
    };
    let slug = store::insert_list(tx, &input, None, true, Some(admin), now - 400 * 86_400)?;
    let list = store::village_list(tx)?.ok_or_else(|| AppError::msg("dataset list missing"))?;
    let consent = Consent::of_text("Jeu de données : consentement généré.");
    for i in 1..=subscribers_n {
        let email = format!("habitant{i}@bench.placette.invalid");
        let s = subscribers::NewSubscriber {
            list_id: list.id,
            email: &email,
            user_id: None,
            lang: Some("fr"),
            consent: &consent,
            source: Source::Import,
            page: "dataset",
            recorded_by: Some(admin),
        };
        subscribers::subscribe(tx, &s, now - 300 * 86_400 + rng.below(86_400) as i64)?;
    }
    for month in (1..=12).rev() {
        let d = DraftInput {
            subject: format!("La lettre, il y a {month} mois"),
            body: format!(
                "Bonjour,\n\nLes nouvelles du mois **{month}** : {} associations ont publié.\n\n- marché\n- conseil municipal\n- fête",
                rng.below(40) + 1
            ),
        };
        let at = now - month * 30 * 86_400;
        let id = mailings::create_draft(tx, list.id, &d, admin, at - 86_400)?;
        mailings::record_sent(tx, id, at)?;
    }
    Ok((subscribers_n, vec![slug]))
}
