//! The mutual aid part of a dataset: offers, needs and small ads spread around the centre
//! (people's points rounded as the form rounds them), most open, some closed or expired, with
//! a few conversations.

use rusqlite::Connection;

use super::Rng;
use crate::aid::store::{self, talk};
use crate::aid::{round_point, Category, Kind, PostInput, Price, Status};

const TITLES: &[(&str, &str)] = &[
    (
        "Je prête ma tondeuse",
        "Tondeuse thermique, à venir chercher le samedi.",
    ),
    (
        "Aide pour les papiers",
        "Dossiers de retraite, CAF, impôts en ligne.",
    ),
    (
        "Covoiturage vers le marché",
        "Le samedi matin, départ 8 h 30.",
    ),
    (
        "Lit bébé pour un mois",
        "Un lit parapluie ferait l'affaire.",
    ),
    (
        "Donne plants de tomates",
        "Cœur de bœuf et cerise, à prendre au jardin.",
    ),
    (
        "Cours de guitare",
        "Débutants bienvenus, le mercredi après-midi.",
    ),
    (
        "Garde de chats",
        "Je nourris vos chats pendant les vacances.",
    ),
    (
        "Chambre pour un apprenti",
        "En semaine, de septembre à juin.",
    ),
    ("Vélo d'enfant", "16 pouces, avec stabilisateurs."),
    ("Bois de chauffage", "Chêne sec, deux stères."),
    ("Perceuse à prêter", "Avec un jeu de forets béton."),
    ("Taille de haie", "Haie de 20 m, avant l'été."),
];

/// Inserts `n` posts within `spread_km` of `centre`; returns a few open ones for the benchmark.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    n: usize,
    accounts: &[i64],
    centre: (f64, f64),
    spread_km: f64,
) -> rusqlite::Result<Vec<i64>> {
    let now = crate::db::now();
    let mut samples = Vec::new();
    for i in 0..n {
        let (title, description) = *rng.pick(TITLES);
        let kind = *rng.pick(&Kind::ALL);
        let price = kind.is_ad().then(|| match rng.below(4) {
            0 => Price::Free,
            1 => Price::Exchange,
            _ => Price::Cents(100 * (1 + rng.below(300) as i64)),
        });
        let (r, angle) = (
            spread_km * rng.unit().sqrt(),
            rng.unit() * std::f64::consts::TAU,
        );
        let exact = (
            centre.0 + r * angle.cos() / 111.32,
            centre.1 + r * angle.sin() / (111.32 * centre.0.to_radians().cos()),
        );
        let input = PostInput {
            kind,
            category: *rng.pick(&Category::ALL),
            title: format!("{title} ({i})"),
            description: description.to_string(),
            price,
            condition: kind.is_ad().then(|| "good".to_string()),
            available_from: None,
            available_until: None,
            actor_id: None,
            point: Some(round_point(exact)),
        };
        let at = now - rng.below(40 * 86_400) as i64;
        let author = *rng.pick(accounts);
        let id = store::insert_post(tx, author, &input, None, at, at + 30 * 86_400)?;
        if at + 30 * 86_400 <= now {
            store::set_status(tx, id, Status::Expired, None, at + 30 * 86_400)?;
        } else if rng.chance(0.1) {
            store::set_status(tx, id, Status::Fulfilled, None, at + 86_400)?;
        } else if samples.len() < 10 && i % 7 == 0 {
            samples.push(id);
        }
        if rng.chance(0.1) {
            let replier = *rng.pick(accounts);
            if replier != author {
                let c = talk::open_conversation(tx, id, replier, at + 3600)?;
                let m = talk::add_message(
                    tx,
                    c,
                    replier,
                    "Bonjour, est-ce toujours possible ?",
                    at + 3600,
                )?;
                talk::mark_relayed(tx, m, at + 3600)?;
            }
        }
    }
    Ok(samples)
}
