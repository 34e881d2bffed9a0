//! The news part of a dataset: posts on the village wall and on associations' journals over
//! the last months, most public, some for members or followers, a share with comments and a
//! reply.

use rusqlite::Connection;

use super::directory::Generated;
use super::Rng;
use crate::news::store;
use crate::news::{Audience, PostInput};

const TITLES: &[&str] = &[
    "Retour sur l'assemblée générale",
    "Les inscriptions sont ouvertes",
    "Merci aux bénévoles !",
    "Travaux dans la salle",
    "Nouveaux horaires",
    "Appel aux bonnes volontés",
    "Le compte rendu du conseil",
    "",
];

const BODIES: &[&str] = &[
    "Une belle soirée : **merci** à toutes et à tous d'être venus si nombreux.",
    "Les inscriptions pour la saison se font à la permanence du samedi matin, de 10 h à 12 h.",
    "Nous cherchons deux personnes pour tenir la buvette le jour de la fête.\n\n- montage à 8 h\n- démontage à 18 h",
    "La salle sera fermée deux semaines pour la réfection du plancher.",
    "Le compte rendu complet est affiché en mairie et [sur notre site](https://example.org/cr).",
];

const COMMENTS: &[&str] = &[
    "Merci pour l'information !",
    "Je peux aider le samedi.",
    "Est-ce que les enfants peuvent venir ?",
    "Bravo à toute l'équipe.",
];

/// Inserts `n` posts (a third on the wall, the rest on associations' journals) with comments on
/// one in four; returns how many comments were written and a few public posts with comments.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    n: usize,
    accounts: &[i64],
    actors: &[Generated],
) -> rusqlite::Result<(usize, Vec<i64>)> {
    let now = crate::db::now();
    let associations: Vec<&Generated> = actors.iter().filter(|a| a.organisation).collect();
    let mut comments = 0;
    let mut samples = Vec::new();
    for i in 0..n {
        let on_wall = associations.is_empty() || rng.chance(0.33);
        let actor = (!on_wall).then(|| rng.pick(&associations).id);
        let audience = match rng.below(10) {
            0 => Audience::Members,
            1 if actor.is_some() => Audience::Followers,
            _ => Audience::Public,
        };
        let input = PostInput {
            title: rng.pick(TITLES).to_string(),
            body: format!("{}\n\n(n° {i})", rng.pick(BODIES)),
            audience,
        };
        let at = now - rng.below(180 * 86_400) as i64;
        let author = *rng.pick(accounts);
        let post = store::insert_post(tx, actor, author, &input, None, at)?;
        if rng.chance(0.25) {
            let first = store::comments::insert_comment(
                tx,
                post,
                None,
                *rng.pick(accounts),
                *rng.pick(COMMENTS),
                at + 3600,
            )?;
            store::comments::insert_comment(
                tx,
                post,
                Some(first),
                author,
                "Oui, avec plaisir.",
                at + 7200,
            )?;
            comments += 2;
            if matches!(input.audience, Audience::Public) && samples.len() < 10 {
                samples.push(post);
            }
        }
    }
    Ok((comments, samples))
}
