//! The demo village's proposals: one the village decided last week (counted, with its result),
//! one the comité des fêtes is voting on now by majority judgement (after an accepted
//! amendment), and one still under discussion with a pending amendment.

use rusqlite::Connection;

use super::form::ProposalInput;
use super::{store, Method, Threshold};
use crate::db;
use crate::directory::store as directory;
use crate::error::AppError;

const DAY: i64 = 86_400;

fn input(
    title: &str,
    body: &str,
    method: Method,
    options: &[&str],
    (quorum_pct, secret): (i64, bool),
    (vote_start, deadline): (i64, i64),
) -> ProposalInput {
    ProposalInput {
        title: title.into(),
        body: body.into(),
        method,
        options: options.iter().map(|o| o.to_string()).collect(),
        quorum_pct,
        threshold: Threshold::Half,
        secret,
        vote_start,
        deadline,
        place: String::new(),
        point: None,
    }
}

/// Loads the demo proposals; `people` are the demo accounts (the town hall, Claire, Yannick).
pub fn load(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    let [mairie, claire, yannick] = people else {
        return Ok(());
    };
    let now = db::now();
    // Decided last week: the result is counted and kept.
    let night = input(
        "Éteindre l'éclairage public de minuit à 5 h",
        "La commune propose d'éteindre l'éclairage public **de minuit à 5 h**, sauf place de \
         la Halle, pour économiser environ 4 000 € par an.",
        Method::YesNo,
        &[],
        (20, true),
        (now - 10 * DAY, now - 3 * DAY),
    );
    let id = store::insert_proposal(tx, None, *mairie, &night, now - 20 * DAY)?;
    for (who, choice) in [(mairie, "yes"), (claire, "yes"), (yannick, "no")] {
        store::cast(tx, id, *who, choice, now - 8 * DAY)?;
    }
    store::publish(tx, id, now - 3 * DAY)?;

    // Voting now, by majority judgement, on the comité des fêtes' page.
    if let Some(comite) = directory::actor_id_by_slug(tx, "comite-des-fetes")? {
        let music = input(
            "Où fêter la musique le 21 juin ?",
            "Trois lieux sont possibles ; donnez une mention à chacun.",
            Method::Judgement,
            &[
                "Sous la halle",
                "Au bord de la Loire",
                "Dans la cour de l'école",
            ],
            (0, false),
            (now - DAY, now + 6 * DAY),
        );
        let id = store::insert_proposal(tx, Some(comite), *claire, &music, now - 5 * DAY)?;
        let better = "Trois lieux sont possibles ; donnez une mention à chacun. En cas de \
                      pluie, la fête se replie sous la halle.";
        if let Some(a) =
            store::insert_amendment(tx, id, *yannick, better, "Et s'il pleut ?", now - 4 * DAY)?
        {
            store::decide_amendment(tx, a, true, now - 3 * DAY)?;
        }
        store::cast(tx, id, *claire, "632", now - DAY / 2)?;
        store::cast(tx, id, *yannick, "451", now - DAY / 3)?;
    }

    // Under discussion, with an amendment waiting for its author's answer.
    let garden = input(
        "Un jardin partagé derrière l'école",
        "La parcelle communale derrière l'école deviendrait un jardin partagé, ouvert à tous, \
         entretenu par les volontaires.",
        Method::YesNo,
        &[],
        (10, true),
        (now + 5 * DAY, now + 12 * DAY),
    );
    let id = store::insert_proposal(tx, None, *mairie, &garden, now - DAY)?;
    let amended = "La parcelle communale derrière l'école deviendrait un jardin partagé, ouvert \
                   à tous, entretenu par les volontaires, avec un composteur collectif.";
    store::insert_amendment(
        tx,
        id,
        *claire,
        amended,
        "Le compost de la cantine y servirait.",
        now,
    )?;
    Ok(())
}
