//! The demo village's newsletter: the village list with a monthly promise, three
//! subscribers (imported, with their ledger rows), one mailing sent 20 days ago (in the
//! archive) and next month's draft with two revisions by two editors.

use rusqlite::Connection;

use super::store::{self, mailings, subscribers};
use super::{Consent, DraftInput, Frequency, ListInput, Source};
use crate::db;
use crate::error::AppError;

/// Loads the sample list; `people` are the demo accounts (admin, moderator, resident).
pub fn load(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    let (Some(&admin), Some(&editor)) = (people.first(), people.get(1)) else {
        return Ok(());
    };
    let now = db::now();
    let input = ListInput {
        name: "La lettre de Saint-Placide".into(),
        purpose: "Les nouvelles du village et l'agenda du mois à venir, préparées par la mairie \
                  et les bénévoles."
            .into(),
        owner: None,
        public: true,
        frequency: Frequency::Month,
        needs_approval: true,
        members_post: false,
    };
    store::insert_list(tx, &input, None, true, Some(admin), now - 60 * 86_400)?;
    let list = store::village_list(tx)?.ok_or_else(|| AppError::msg("demo list missing"))?;
    let consent = Consent::of_text(
        "Import dans « La lettre de Saint-Placide » par la mairie, qui atteste le consentement \
         de chaque personne. Origine : fiches papier de la fête du village.",
    );
    for email in [
        "martine@demo.placette.invalid",
        "paul@demo.placette.invalid",
        "yannick@demo.placette.invalid",
    ] {
        let s = subscribers::NewSubscriber {
            list_id: list.id,
            email,
            user_id: None,
            lang: Some("fr"),
            consent: &consent,
            source: Source::Import,
            page: "import: fiches papier",
            recorded_by: Some(admin),
        };
        subscribers::subscribe(tx, &s, now - 50 * 86_400)?;
    }
    let sent = DraftInput {
        subject: "La lettre de novembre".into(),
        body: "Bonjour à toutes et à tous,\n\nLa **fête du pain** a réuni plus de 200 personnes : \
               merci aux bénévoles !\n\nLe marché de Noël aura lieu sous la halle le 13 décembre."
            .into(),
    };
    let id = mailings::create_draft(tx, list.id, &sent, editor, now - 22 * 86_400)?;
    mailings::approve(tx, id, 1, admin)?;
    mailings::record_sent(tx, id, now - 20 * 86_400)?;
    let v1 = DraftInput {
        subject: "La lettre de décembre".into(),
        body: "Bonjour,\n\nLe marché de Noël aura lieu sous la halle.\n\nÀ bientôt !".into(),
    };
    let id = mailings::create_draft(tx, list.id, &v1, editor, now - 3 * 86_400)?;
    let v2 = DraftInput {
        subject: "La lettre de décembre".into(),
        body: "Bonjour,\n\nLe marché de Noël aura lieu sous la halle le samedi 13 décembre, \
               de 10 h à 18 h.\n\nÀ bientôt !"
            .into(),
    };
    mailings::save_revision(tx, id, 1, &v2, admin, now - 86_400)?
        .map_err(|e| AppError::msg(format!("demo draft: {e:?}")))?;
    Ok(())
}
