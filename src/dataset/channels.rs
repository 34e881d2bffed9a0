//! The channels part of a dataset: a public village channel with threads over the last weeks
//! and one long thread of 10^4 messages (the benchmark reads its last page), every message
//! through the one posting path.

use rusqlite::Connection;

use super::Rng;
use crate::channels::form::ChannelInput;
use crate::channels::post::{self, NewMessage};
use crate::channels::{store, Visibility};
use crate::db;
use crate::error::AppError;
use crate::i18n::Lang;

/// Messages of the long thread.
pub const LONG: usize = 10_000;

const LINES: &[&str] = &[
    "Qui vient samedi pour le chantier ?",
    "Je peux apporter des outils, **dites-moi lesquels**.",
    "Bonne idée, on en parle à la prochaine réunion.",
    "Le compte rendu est affiché en mairie.",
    "Merci à tous pour le coup de main !",
];

/// Inserts the channel, `threads` short threads and the long one; returns the paths of the
/// channel and of the long thread.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    threads: usize,
    accounts: &[i64],
) -> Result<Vec<String>, AppError> {
    let now = db::now();
    let input = ChannelInput {
        name: "Place du village".into(),
        topic: "Vie du village".into(),
        description: "Tout ce qui se discute au village.".into(),
        visibility: Visibility::Public,
        recommended: true,
    };
    let cid = store::insert_channel(
        tx,
        None,
        "place-du-village",
        &input,
        accounts[0],
        now - 60 * 86_400,
    )?;
    let mut who = || accounts[rng.below(accounts.len())];
    for i in 0..threads {
        let at = now - 60 * 86_400 + (i as i64) * 3_600;
        let (tid, _) = post::thread(
            tx,
            Lang::Fr,
            cid,
            Some(who()),
            "",
            &format!("Sujet {i}"),
            LINES[i % LINES.len()].into(),
            at,
        )?;
        for j in 0..(i % 7) {
            let new = NewMessage {
                thread_id: tid,
                author_id: Some(who()),
                author_label: String::new(),
                body: LINES[j % LINES.len()].into(),
            };
            post::message(tx, Lang::Fr, new, at + 60 * (j as i64 + 1))?;
        }
    }
    let start = now - 30 * 86_400;
    let (tid, _) = post::thread(
        tx,
        Lang::Fr,
        cid,
        Some(accounts[0]),
        "",
        "La grande discussion",
        LINES[0].into(),
        start,
    )?;
    for j in 1..LONG {
        let new = NewMessage {
            thread_id: tid,
            author_id: Some(who()),
            author_label: String::new(),
            body: format!("{} ({j})", LINES[j % LINES.len()]),
        };
        post::message(tx, Lang::Fr, new, start + j as i64 * 60)?;
    }
    Ok(vec![
        "/c/place-du-village".into(),
        format!("/c/place-du-village/t/{tid}?at=end"),
    ])
}
