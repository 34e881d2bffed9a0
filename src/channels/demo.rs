//! The demo village's channels: a code of conduct, « Jardins partagés » (recommended, with a
//! thread closed with a summary and a lively one), « Entraide numérique » for residents, and
//! the comité des fêtes' members-only channel. Every message goes through post::message.

use rusqlite::Connection;

use super::form::ChannelInput;
use super::post::{self, NewMessage};
use super::{store, Visibility};
use crate::db;
use crate::directory::store as directory;
use crate::error::AppError;
use crate::i18n::Lang;

const HOUR: i64 = 3_600;

fn channel(
    name: &str,
    topic: &str,
    description: &str,
    visibility: Visibility,
    recommended: bool,
) -> ChannelInput {
    ChannelInput {
        name: name.into(),
        topic: topic.into(),
        description: description.into(),
        visibility,
        recommended,
    }
}

/// Writes a thread and its replies by `(author, text)`, an hour apart, starting `start`.
fn conversation(
    tx: &Connection,
    cid: i64,
    title: &str,
    lines: &[(i64, &str)],
    start: i64,
) -> Result<i64, AppError> {
    let Some(((first_author, first), rest)) = lines.split_first() else {
        return Ok(0);
    };
    let (tid, _) = post::thread(
        tx,
        Lang::Fr,
        cid,
        Some(*first_author),
        "",
        title,
        first.to_string(),
        start,
    )?;
    for (i, (who, text)) in rest.iter().enumerate() {
        let new = NewMessage {
            thread_id: tid,
            author_id: Some(*who),
            author_label: String::new(),
            body: text.to_string(),
        };
        post::message(tx, Lang::Fr, new, start + (i as i64 + 1) * HOUR)?;
    }
    Ok(tid)
}

/// Loads the demo channels; `people` are the demo accounts (the town hall, Claire, Yannick).
pub fn load(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    let [mairie, claire, yannick] = people else {
        return Ok(());
    };
    let now = db::now();
    store::conduct::save(
        tx,
        "Ici, on se parle comme sur la place du marché : **avec respect**.\n\n\
         - Pas d'insulte, pas d'attaque personnelle.\n- On reste dans le sujet du canal.\n\
         - Les coordonnées personnelles ne s'écrivent pas en public.\n\n\
         Les modérateurs peuvent masquer un message qui ne respecte pas ces règles.",
        *mairie,
        now - 40 * 24 * HOUR,
    )?;
    for who in [mairie, claire, yannick] {
        store::conduct::accept(tx, *who, 1, now - 30 * 24 * HOUR)?;
    }
    let jardins = channel(
        "Jardins partagés",
        "Jardiner ensemble",
        "Les parcelles derrière la salle des fêtes, les semis, les outils à prêter.",
        Visibility::Public,
        true,
    );
    let jid = store::insert_channel(
        tx,
        None,
        "jardins-partages",
        &jardins,
        *mairie,
        now - 30 * 24 * HOUR,
    )?;
    let closed = conversation(
        tx,
        jid,
        "Quand planter les tomates ?",
        &[
            (
                *claire,
                "Les plants sont prêts à la serre. On plante quand ?",
            ),
            (
                *yannick,
                "Pas avant les saints de glace, mi-mai, sinon gare au gel.",
            ),
            (
                *mairie,
                "@Claire Morin, on peut prêter le motoculteur de la commune le 15 mai.",
            ),
        ],
        now - 20 * 24 * HOUR,
    )?;
    store::close(
        tx,
        closed,
        *mairie,
        "On plante les tomates **après les saints de glace** (mi-mai). La commune prête le \
         motoculteur le 15 mai ; rendez-vous à 9 h aux parcelles.",
        now - 18 * 24 * HOUR,
    )?;
    conversation(
        tx,
        jid,
        "Composteur : qui le retourne cette semaine ?",
        &[
            (
                *yannick,
                "Je peux le faire samedi matin, quelqu'un pour m'aider ?",
            ),
            (*claire, "Présente ! @Yannick Le Goff je passe vers 10 h."),
        ],
        now - 2 * 24 * HOUR,
    )?;
    let numerique = channel(
        "Entraide numérique",
        "Entraide",
        "Une question sur un téléphone, un ordinateur, une démarche en ligne ? Demandez ici.",
        Visibility::Residents,
        false,
    );
    let nid = store::insert_channel(
        tx,
        None,
        "entraide-numerique",
        &numerique,
        *mairie,
        now - 25 * 24 * HOUR,
    )?;
    conversation(
        tx,
        nid,
        "Déclarer ses impôts en ligne",
        &[
            (
                *yannick,
                "Quelqu'un peut m'aider à créer mon espace sur le site des impôts ?",
            ),
            (*claire, "Oui, passez jeudi à la médiathèque."),
        ],
        now - 5 * 24 * HOUR,
    )?;
    if let Some(comite) = directory::actor_id_by_slug(tx, "comite-des-fetes")? {
        let bureau = channel(
            "Bureau du comité",
            "Fêtes",
            "Les préparatifs entre membres du comité.",
            Visibility::Members,
            false,
        );
        let bid = store::insert_channel(
            tx,
            Some(comite),
            "bureau-du-comite",
            &bureau,
            *mairie,
            now - 15 * 24 * HOUR,
        )?;
        store::add_role(
            tx,
            bid,
            "claire@demo.placette.invalid",
            super::Role::Documentalist,
            now,
        )?;
        conversation(
            tx,
            bid,
            "Buvette de la fête de la musique",
            &[
                (*claire, "Qui tient la buvette de 18 h à 20 h ?"),
                (*mairie, "Je prends le premier créneau."),
            ],
            now - 3 * 24 * HOUR,
        )?;
    }
    Ok(())
}
