//! The demo village's news: posts on the wall and on journals, with comments and a reply.

use rusqlite::Connection;

use super::store::{self, comments};
use super::{Audience, PostInput};
use crate::db;
use crate::directory::store as directory;
use crate::error::AppError;

/// One demo post: journal (actor slug, or the wall), author (index in the demo people),
/// audience, title, body, age in hours, comments (author, text, replies).
struct Sample {
    journal: Option<&'static str>,
    author: usize,
    audience: Audience,
    title: &'static str,
    body: &'static str,
    hours_ago: i64,
    comments: &'static [(usize, &'static str, &'static [(usize, &'static str)])],
}

const SAMPLES: &[Sample] = &[
    Sample {
        journal: Some("mairie-de-saint-placide"),
        author: 0,
        audience: Audience::Public,
        title: "Coupure d'eau mardi matin",
        body: "Des travaux sur le réseau rue des Tilleuls priveront d'eau le bas du bourg \
               **mardi de 8 h à 12 h**. Pensez à faire quelques réserves la veille.",
        hours_ago: 30,
        comments: &[(
            2,
            "Merci pour l'info ! L'école est-elle concernée ?",
            &[(0, "Non, l'école est sur l'autre réseau.")],
        )],
    },
    Sample {
        journal: Some("comite-des-fetes"),
        author: 1,
        audience: Audience::Public,
        title: "Fête du pain : on cherche des bénévoles",
        body:
            "La fête du pain revient le premier dimanche de juin. Il nous faut du monde pour :\n\n\
               - allumer le four dès 6 h ;\n- tenir la buvette ;\n- ranger la halle le soir.\n\n\
               Inscrivez-vous en commentaire ou à la permanence du samedi.",
        hours_ago: 52,
        comments: &[
            (
                2,
                "Je prends le four, comme l'an dernier.",
                &[(1, "Parfait, merci Yannick !")],
            ),
            (0, "La mairie prête les barnums, comme d'habitude.", &[]),
        ],
    },
    Sample {
        journal: Some("chorale-les-voix-de-loire"),
        author: 1,
        audience: Audience::Followers,
        title: "Répétition déplacée",
        body: "Jeudi, la répétition a lieu exceptionnellement à la salle des fêtes, à 20 h 30.",
        hours_ago: 8,
        comments: &[],
    },
    Sample {
        journal: None,
        author: 2,
        audience: Audience::Members,
        title: "",
        body: "Perdu : un chat roux, très câlin, du côté du lavoir. Il répond au nom de Caramel. \
               Merci de me prévenir si vous le voyez !",
        hours_ago: 20,
        comments: &[(
            1,
            "Je crois l'avoir vu ce matin près de la boulangerie.",
            &[],
        )],
    },
    Sample {
        journal: None,
        author: 0,
        audience: Audience::Public,
        title: "Bienvenue sur le site du village",
        body: "Annuaire, agenda, actualités : tout ce qui se passe à Saint-Placide est ici. \
               Les associations peuvent publier sur leur propre page.",
        hours_ago: 24 * 6,
        comments: &[],
    },
];

/// Adds the demo posts; `people` are the demo accounts (admin, moderator, resident).
pub fn load(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    let now = db::now();
    for s in SAMPLES {
        let Some(&author) = people.get(s.author) else {
            continue;
        };
        let actor = match s.journal {
            Some(slug) => match directory::actor_id_by_slug(tx, slug)? {
                Some(id) => Some(id),
                None => continue,
            },
            None => None,
        };
        let input = PostInput {
            title: s.title.to_string(),
            body: s.body.to_string(),
            audience: s.audience,
        };
        let at = now - s.hours_ago * 3600;
        let post = store::insert_post(tx, actor, author, &input, None, at)?;
        for (n, (who, text, replies)) in s.comments.iter().enumerate() {
            let Some(&who) = people.get(*who) else {
                continue;
            };
            let t = at + 1800 * (n as i64 + 1);
            let parent = comments::insert_comment(tx, post, None, who, text, t)?;
            for (k, (who, text)) in replies.iter().enumerate() {
                if let Some(&who) = people.get(*who) {
                    comments::insert_comment(
                        tx,
                        post,
                        Some(parent),
                        who,
                        text,
                        t + 600 * (k as i64 + 1),
                    )?;
                }
            }
        }
    }
    Ok(())
}
