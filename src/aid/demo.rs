//! The demo village's mutual aid: offers, needs and small ads of every category, one
//! expired, one fulfilled.

use rusqlite::Connection;

use super::store::{self, admin};
use super::{round_point, Category, Kind, PostInput, Price, Status};
use crate::error::AppError;

/// One demo post: kind, category, title, description, author (index in the demo people),
/// actor name (posted for it, at its point), offset from the centre in metres (north, east),
/// price, condition, age in days, status.
struct Sample {
    kind: Kind,
    category: Category,
    title: &'static str,
    description: &'static str,
    author: usize,
    actor: Option<&'static str>,
    offset: (f64, f64),
    price: Option<Price>,
    condition: Option<&'static str>,
    days_ago: i64,
    status: Status,
}

const fn s(
    kind: Kind,
    category: Category,
    title: &'static str,
    description: &'static str,
    author: usize,
    offset: (f64, f64),
    days_ago: i64,
) -> Sample {
    Sample {
        kind,
        category,
        title,
        description,
        author,
        actor: None,
        offset,
        price: None,
        condition: None,
        days_ago,
        status: Status::Open,
    }
}

const SAMPLES: &[Sample] = &[
    s(Kind::Offer, Category::Lend, "Je prête ma tondeuse", "Tondeuse thermique en bon état, à venir chercher le samedi matin. Je montre comment la démarrer.", 1, (400.0, -250.0), 3),
    s(Kind::Offer, Category::Skills, "Aide pour les papiers administratifs", "Ancienne secrétaire de mairie, j'aide volontiers pour les dossiers de retraite, la CAF, les impôts en ligne.", 1, (400.0, -250.0), 5),
    s(Kind::Need, Category::Rides, "Trajet vers le marché de Chalonnes le samedi", "Nous cherchons un covoiturage vers le marché de Chalonnes le samedi matin, départ vers 8 h 30. Participation aux frais.", 2, (-600.0, 300.0), 2),
    s(Kind::Need, Category::Lend, "Un lit bébé pour un mois", "Nous accueillons notre nièce en juillet : un lit parapluie ou un lit bébé nous rendrait bien service.", 2, (-600.0, 300.0), 1),
    s(Kind::Offer, Category::Give, "Donne plants de tomates", "Une trentaine de plants de tomates (cœur de bœuf, cerise) à donner, à prendre au jardin.", 0, (150.0, 700.0), 4),
    s(Kind::Offer, Category::Services, "Garde de chats pendant les vacances", "Je passe nourrir vos chats et arroser les plantes quand vous êtes absents.", 2, (-600.0, 300.0), 8),
    s(Kind::Need, Category::Housing, "Chambre pour un apprenti boulanger", "Apprenti de 17 ans cherche une chambre chez l'habitant en semaine, de septembre à juin.", 0, (0.0, 0.0), 6),
    s(Kind::Need, Category::Other, "Cartons de déménagement", "Quelqu'un aurait-il des cartons vides ? Je les rendrai après.", 1, (400.0, -250.0), 12),
    s(Kind::Offer, Category::Rides, "Covoiturage vers Angers le mardi", "Je pars vers Angers tous les mardis à 7 h 45, deux places libres.", 0, (900.0, -400.0), 10),
    Sample {
        kind: Kind::AdSale,
        category: Category::Other,
        title: "Ancien four de la boulangerie",
        description: "Four à sole électrique, 2 étages, remplacé cet hiver. Fonctionne, à enlever sur place (prévoir quatre personnes).",
        author: 0,
        actor: Some("Boulangerie Au Pain de Loire"),
        offset: (0.0, 0.0),
        price: Some(Price::Cents(45_000)),
        condition: Some("used"),
        days_ago: 7,
        status: Status::Open,
    },
    Sample {
        kind: Kind::AdSale,
        category: Category::Give,
        title: "Vélo d'enfant 16 pouces",
        description: "Petit vélo rouge avec stabilisateurs, donné contre un pot de confiture.",
        author: 2,
        actor: None,
        offset: (-600.0, 300.0),
        price: Some(Price::Exchange),
        condition: Some("good"),
        days_ago: 9,
        status: Status::Open,
    },
    Sample {
        kind: Kind::AdWanted,
        category: Category::Other,
        title: "Cherche bois de chauffage",
        description: "Deux stères de chêne ou de frêne, livrés si possible.",
        author: 1,
        actor: None,
        offset: (400.0, -250.0),
        price: Some(Price::Cents(12_000)),
        condition: None,
        days_ago: 2,
        status: Status::Open,
    },
    Sample {
        kind: Kind::Need,
        category: Category::Services,
        title: "Quelqu'un pour tailler la haie",
        description: "Haie de thuyas de 20 m à tailler avant l'été.",
        author: 2,
        actor: None,
        offset: (-600.0, 300.0),
        price: None,
        condition: None,
        days_ago: 40,
        status: Status::Expired,
    },
    Sample {
        kind: Kind::Offer,
        category: Category::Lend,
        title: "Prête une remorque",
        description: "Petite remorque de 750 kg, pour vos déménagements et la déchetterie.",
        author: 0,
        actor: None,
        offset: (150.0, 700.0),
        price: None,
        condition: None,
        days_ago: 15,
        status: Status::Fulfilled,
    },
];

/// Adds the demo posts (and one conversation), in the demo's transaction.
pub fn load(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    const CENTRE: (f64, f64) = (47.3512, -0.8143);
    let now = super::now();
    let (days, _) = admin::settings(tx)?;
    let Some(&admin_id) = people.first() else {
        return Ok(());
    };
    let actors = store::actors_managed_by(tx, admin_id)?;
    let mut first = None;
    for s in SAMPLES {
        let Some(&author) = people.get(s.author) else {
            continue;
        };
        let actor = s.actor.and_then(|name| actors.iter().find(|a| a.1 == name));
        let exact = (
            CENTRE.0 + s.offset.0 / 111_320.0,
            CENTRE.1 + s.offset.1 / (111_320.0 * CENTRE.0.to_radians().cos()),
        );
        let point = match actor {
            Some(a) => a.2,
            None => Some(round_point(exact)),
        };
        let input = PostInput {
            kind: s.kind,
            category: s.category,
            title: s.title.to_string(),
            description: s.description.to_string(),
            price: s.price,
            condition: s.condition.map(String::from),
            available_from: None,
            available_until: None,
            actor_id: actor.map(|a| a.0),
            point,
        };
        let at = now - s.days_ago * 86_400;
        let author = if actor.is_some() { admin_id } else { author };
        let id = store::insert_post(tx, author, &input, None, at, at + days * 86_400)?;
        if s.status != Status::Open {
            store::set_status(tx, id, s.status, None, at + 86_400)?;
        }
        first.get_or_insert(id);
    }
    // The young couple asks about the lawnmower.
    if let (Some(post), Some(&couple)) = (first, people.get(2)) {
        let c = store::talk::open_conversation(tx, post, couple, now - 86_400)?;
        let m = store::talk::add_message(
            tx,
            c,
            couple,
            "Bonjour, pourrions-nous emprunter la tondeuse samedi ?",
            now - 86_400,
        )?;
        store::talk::mark_relayed(tx, m, now - 86_400)?;
    }
    Ok(())
}
