//! The votes part of a dataset: village proposals over the last months, most of them counted
//! (the ballots of a share of the residents, then the kept result), a few under discussion
//! with amendments, and one majority judgement open now that many have graded.

use rusqlite::Connection;

use super::Rng;
use crate::db;
use crate::error::AppError;
use crate::votes::form::ProposalInput;
use crate::votes::{store, Method, Threshold};

const DAY: i64 = 86_400;

const TITLES: &[&str] = &[
    "Éteindre l'éclairage public la nuit",
    "Un jardin partagé derrière l'école",
    "Réaménager la place de la Halle",
    "Une boîte à livres à la gare",
    "Changer l'heure du marché",
    "Une fête des voisins en juin",
];

const BODY: &str = "La commune propose ce projet ; le texte complet et le budget sont \
    affichés en mairie.\n\n- coût estimé : 4 000 €\n- durée des travaux : deux mois";

/// Inserts `n` proposals (the first one counted with a ballot from every account, the
/// second a majority judgement open now, graded by half the accounts); returns their ids in
/// that order, then a few others.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    n: usize,
    accounts: &[i64],
) -> Result<Vec<i64>, AppError> {
    let now = db::now();
    let mut samples = Vec::new();
    for i in 0..n {
        let (start, deadline, method) = match i {
            0 => (now - 20 * DAY, now - 10 * DAY, Method::YesNo),
            1 => (now - DAY, now + 10 * DAY, Method::Judgement),
            _ if i % 5 == 0 => (now + 5 * DAY, now + 12 * DAY, Method::YesNo),
            _ => {
                let end = now - rng.below(300) as i64 * DAY;
                (end - 7 * DAY, end, Method::YesNo)
            }
        };
        let options: Vec<String> = match method {
            Method::Judgement => [
                "Sous la halle",
                "Au bord de la Loire",
                "Dans la cour de l'école",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            Method::YesNo => Vec::new(),
        };
        let input = ProposalInput {
            title: rng.pick(TITLES).to_string(),
            body: BODY.to_string(),
            method,
            options,
            quorum_pct: 10,
            threshold: Threshold::Half,
            secret: true,
            vote_start: start,
            deadline,
            place: String::new(),
            point: None,
        };
        let id = store::insert_proposal(tx, None, accounts[0], &input, start - 7 * DAY)?;
        if start > now {
            for a in accounts.iter().skip(1).take(3) {
                let text = format!("{BODY}\n\nAmendement proposé.");
                store::insert_amendment(tx, id, *a, &text, "", now)?;
            }
            continue;
        }
        let share = match i {
            0 => accounts.len(),
            1 => accounts.len() / 2,
            _ => (accounts.len() / (2 + rng.below(8))).min(500),
        };
        let at = start + 3600;
        for a in accounts.iter().take(share) {
            let choice = match method {
                Method::YesNo => ["yes", "yes", "no", "abstain"][rng.below(4)].to_string(),
                Method::Judgement => (0..3)
                    .map(|_| (b'0' + rng.below(7) as u8) as char)
                    .collect(),
            };
            store::cast(tx, id, *a, &choice, at)?;
        }
        if deadline <= now {
            store::publish(tx, id, deadline)?;
        }
        if i < 2 || samples.len() < 5 {
            samples.push(id);
        }
    }
    Ok(samples)
}
