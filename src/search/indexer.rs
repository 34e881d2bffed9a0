//! Keeps the index in step with SQLite: a thread applies the change queue a few times a
//! second (so a write is searchable within a second), and rebuilds the whole index when it
//! was missing, old or unreadable, or on `placette reindex`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::index::SearchIndex;
use super::{source, sources, store};
use crate::db::Db;
use crate::error::AppError;

/// How often the queue is looked at.
const TICK: Duration = Duration::from_millis(250);
/// Ticks without a change after which the index's writer is dropped (a minute).
const QUIET_TICKS: u32 = 240;
/// Rows loaded per batch.
const BATCH: usize = 500;

/// Starts the indexer thread; `rebuild` first rebuilds everything (in the background, so that
/// the server answers at once).
pub fn spawn(index: Arc<SearchIndex>, db: Db, rebuild_first: bool) {
    std::thread::Builder::new()
        .name("search-indexer".into())
        .spawn(move || {
            if rebuild_first {
                match rebuild(&index, &db, |_, _| {}) {
                    Ok(n) => log::info!("search index rebuilt: {n} documents"),
                    Err(e) => log::error!("search index rebuild failed: {e}"),
                }
            }
            let mut quiet = 0;
            loop {
                match apply_queue(&index, &db) {
                    Ok(0) => {
                        quiet += 1;
                        if quiet == QUIET_TICKS {
                            index.release_writer();
                        }
                        std::thread::sleep(TICK);
                    }
                    Ok(_) => quiet = 0,
                    Err(e) => {
                        // The queue keeps the changes: roll back and try again shortly.
                        log::error!("search indexer: {e}");
                        index.rollback();
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            }
        })
        .expect("start the search indexer thread");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The change feed's summary of each document: what a neighbouring instance indexes.
fn summaries(docs: &[super::Doc]) -> Vec<(i64, String)> {
    docs.iter()
        .map(|d| {
            let json = serde_json::json!({
                "kind": d.kind,
                "category": d.category,
                "title": d.title,
                "text": crate::text::excerpt(&d.body, 300),
                "tags": d.tags,
                "lat": d.point.map(|p| p.0),
                "lon": d.point.map(|p| p.1),
                "start": d.date,
                "url": d.url,
            });
            (d.id, json.to_string())
        })
        .collect()
}

/// Applies one batch of queued changes; returns how many were applied.
pub fn apply_queue(index: &SearchIndex, db: &Db) -> Result<usize, AppError> {
    let conn = db.conn()?;
    let queued = store::queued(&conn, BATCH as i64)?;
    let Some(last) = queued.last().map(|(seq, _, _)| *seq) else {
        return Ok(0);
    };
    let mut by_kind: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (_, kind, id) in &queued {
        by_kind.entry(kind.clone()).or_default().push(*id);
    }
    let mut changes = Vec::new();
    for (kind, mut ids) in by_kind {
        ids.sort_unstable();
        ids.dedup();
        let Some(src) = source(&kind) else { continue };
        let docs = (src.docs)(&conn, &ids)?;
        index.apply(src.kind, &ids, &docs)?;
        // The neighbours' items are theirs to publish, not ours.
        if src.kind != crate::neighbours::KIND {
            changes.push((src.kind, ids, summaries(&docs)));
        }
    }
    // The change feed and the queue move together (a crash between them replays the batch),
    // in one short write: nothing slow (documents, the index) is done holding the lock.
    let tx = rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Immediate)?;
    for (kind, ids, docs) in &changes {
        store::record_changes(&tx, kind, ids, docs, now_ms())?;
    }
    store::dequeue(&tx, last)?;
    tx.commit()?;
    // The pages and answers kept for visitors (searches, "related" blocks) are stale now.
    crate::db::memo::bump();
    Ok(queued.len())
}

/// Rebuilds the index from SQLite; `progress(done, total)` is called along the way.
/// Changes made during the rebuild stay queued and are applied after it.
pub fn rebuild(
    index: &SearchIndex,
    db: &Db,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize, AppError> {
    let conn = db.conn()?;
    let start_seq = store::last_seq(&conn)?;
    let all: Vec<(&super::Source, Vec<i64>)> = sources()
        .iter()
        .map(|s| Ok((s, (s.ids)(&conn)?)))
        .collect::<Result<_, AppError>>()?;
    let total: usize = all.iter().map(|(_, ids)| ids.len()).sum();
    index.clear()?;
    let mut done = 0;
    for (src, ids) in all {
        for chunk in ids.chunks(BATCH) {
            let docs = (src.docs)(&conn, chunk)?;
            index.add(&docs)?;
            let tx = rusqlite::Transaction::new_unchecked(
                &conn,
                rusqlite::TransactionBehavior::Immediate,
            )?;
            if src.kind != crate::neighbours::KIND {
                store::record_changes(&tx, src.kind, chunk, &summaries(&docs), now_ms())?;
            }
            tx.commit()?;
            done += chunk.len();
            progress(done, total);
        }
    }
    index.commit()?;
    store::dequeue(&conn, start_seq)?;
    crate::db::memo::bump();
    Ok(index.len() as usize)
}
