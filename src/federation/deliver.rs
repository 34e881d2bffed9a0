//! The federation task: every two seconds it turns queued changes into activities
//! (`publish`) and sends the deliveries due, signed, several hosts at once but one request at a
//! time per host; a failed delivery is retried after 1, 2, 4... minutes (at most 17 h), up to
//! 12 tries, and survives restarts (it is a row). A peer that answers 4xx (other than 408 and
//! 429) refused it for good: it is dropped. The instance's key is made here the first time one
//! is needed (in the blocking pool: it takes a moment), never at start-up.

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::web::Data;

use super::remote::{self, RemoteError, Signer};
use super::{keys, publish, store};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

/// Deliveries claimed per round.
const CLAIM: i64 = 200;
/// Tries before a delivery is given up.
pub const MAX_TRIES: i64 = 12;
/// Hosts served at once.
const HOSTS_AT_ONCE: usize = 4;

/// The instance's key pair (private, public), made and stored the first time.
pub async fn key_pair(state: &AppState) -> Result<(String, String), AppError> {
    if let Some((_, private, public)) = state.db.read(|c| Ok(store::current_key(c)?)).await? {
        return Ok((private, public));
    }
    let pair = actix_web::web::block(keys::generate)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .db
        .write(move |tx| {
            // Two first requests may both have made one: the first stored stands.
            if let Some((_, private, public)) = store::current_key(tx)? {
                return Ok((private, public));
            }
            store::replace_key(tx, &pair.private_pem, &pair.public_pem, now())?;
            Ok((pair.private_pem, pair.public_pem))
        })
        .await
}

/// Replaces the key pair (the admin's "rotate"): peers refetch our actors when a signature
/// stops verifying.
pub async fn rotate(state: &AppState) -> Result<(), AppError> {
    let pair = actix_web::web::block(keys::generate)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .db
        .write(move |tx| {
            store::replace_key(tx, &pair.private_pem, &pair.public_pem, now())?;
            Ok(())
        })
        .await
}

/// The signer of an activity: its `actor`'s key id, with the instance's key.
fn signer_for(activity: &str, private_pem: &str) -> Signer {
    let actor = serde_json::from_str::<serde_json::Value>(activity)
        .ok()
        .and_then(|v| v.get("actor").and_then(|a| a.as_str()).map(str::to_string))
        .unwrap_or_default();
    Signer {
        key_id: format!("{actor}#main-key"),
        private_pem: private_pem.to_string(),
    }
}

/// Whether a failure is final (the peer refused the activity itself).
fn final_failure(e: &RemoteError) -> bool {
    match e {
        RemoteError::Status(s) => (400..500).contains(s) && *s != 408 && *s != 429,
        RemoteError::Url(_) => true,
        _ => false,
    }
}

/// Sends the deliveries due; returns how many went through.
pub async fn flush(state: &AppState) -> Result<usize, AppError> {
    let t = now();
    let (waiting, soonest) = state.db.read(|c| Ok(store::pending(c)?)).await?;
    if waiting == 0 || soonest.is_some_and(|s| s > t) {
        return Ok(0);
    }
    let (private, _) = key_pair(state).await?;
    let claimed = state
        .db
        .write(move |tx| Ok(store::claim(tx, t, CLAIM, MAX_TRIES)?))
        .await?;
    let mut by_host: BTreeMap<String, Vec<super::Delivery>> = BTreeMap::new();
    for d in claimed {
        by_host.entry(d.host.clone()).or_default().push(d);
    }
    let hosts: Vec<Vec<super::Delivery>> = by_host.into_values().collect();
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for group in hosts.chunks(HOSTS_AT_ONCE) {
        let runs = group.iter().cloned().map(|deliveries| {
            let private = private.clone();
            actix_web::web::block(move || {
                let mut out = Vec::new();
                for d in deliveries {
                    let signer = signer_for(&d.activity, &private);
                    let r = remote::post(&d.inbox, &d.activity, &signer);
                    out.push((d, r));
                }
                out
            })
        });
        for run in futures_util::future::join_all(runs).await {
            for (d, r) in run.map_err(|e| AppError::Internal(e.to_string()))? {
                match r {
                    Ok(_) => done.push(d.id),
                    Err(e) if final_failure(&e) => {
                        log::warn!("federation: {} refused an activity: {e}", d.inbox);
                        done.push(d.id);
                    }
                    Err(e) => {
                        log::info!("federation: {} (try {}): {e}", d.inbox, d.tries);
                        failed.push((d.id, e.to_string()));
                    }
                }
            }
        }
    }
    let n = done.len();
    state
        .db
        .write(move |tx| {
            for id in &done {
                store::delivered(tx, *id)?;
            }
            for (id, e) in &failed {
                store::failed(tx, *id, e)?;
            }
            Ok(())
        })
        .await?;
    Ok(n)
}

/// Turns queued changes into deliveries; returns how many changes were read.
pub async fn publish_queued(state: &AppState) -> Result<usize, AppError> {
    let waiting = state
        .db
        .read(|c| Ok(!store::queued(c, 1)?.is_empty()))
        .await?;
    if !waiting {
        return Ok(0);
    }
    let base = crate::web::public_base(state);
    // The modules build their objects in a read; the write only files the result, so the
    // write lock is held for a few inserts, not while a batch of objects is built.
    let Some(plan) = state
        .db
        .read(move |c| Ok(publish::plan(c, &base, now())?))
        .await?
    else {
        return Ok(0);
    };
    let read = plan.read;
    state
        .db
        .write(move |tx| Ok(publish::apply(tx, &plan)?))
        .await?;
    Ok(read)
}

/// The task: publish what changed, then deliver what is due; reads only while idle.
pub async fn run(state: Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        loop {
            match publish_queued(&state).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    log::error!("federation: {e}");
                    break;
                }
            }
        }
        loop {
            match flush(&state).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    log::error!("federation: {e}");
                    break;
                }
            }
        }
    }
}
