//! The channels' background work, spawned by the server (no cron). Everything it owes is a
//! row committed with the message that caused it, so a restart forgets nothing:
//!
//! - immediate mails: each mark of `channel_notify_queue` becomes an outbox mail (with the
//!   person's one-click unsubscribe) in the write that deletes the mark: exactly once; then
//!   the outbox is flushed. Woken by `notify::on_message`, else every few seconds.
//! - outgoing webhooks: the deliveries due are POSTed, signed (`hooks::sign`), through
//!   `net`'s filtered client; a failure is retried after 1, 2, 4... minutes (at most 17 h),
//!   12 tries; a 4xx other than 408/429 is final.
//! - the daily digest: from 7:00 in the village's time zone, once per local day per person
//!   (`digest_day`), the messages since their last digest (`digest_upto`), filed in the outbox
//!   in the write that records both. `PLACETTE_DIGEST_NOW=1` drops the hour (tests, demos).

use std::time::Duration;

use actix_web::web::Data;
use chrono::Timelike;
use serde_json::json;

use super::notify::{self, digest_mail, immediate_mail};
use super::store::{hooks, notify as store};
use super::webhook::sign;
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// The local hour from which the day's digest goes.
pub const DIGEST_HOUR: u32 = 7;
/// Messages a digest lists at most.
const DIGEST_ITEMS: i64 = 50;
/// Tries before a delivery is given up.
pub const MAX_TRIES: i64 = 12;

fn digest_now() -> bool {
    std::env::var("PLACETTE_DIGEST_NOW").as_deref() == Ok("1")
}

fn lang_of(code: Option<&str>, default: Lang) -> Lang {
    code.and_then(Lang::from_code).unwrap_or(default)
}

/// Runs forever beside the requests.
pub async fn run(state: Data<AppState>) {
    let tick = Duration::from_millis(250);
    let (every, digest_every) = (
        Duration::from_secs(5),
        Duration::from_secs(if digest_now() { 1 } else { 60 }),
    );
    let (mut since, mut since_digest) = (every, digest_every);
    loop {
        if notify::take_wake() || since >= every {
            since = Duration::ZERO;
            if let Err(e) = immediate(&state).await {
                log::error!("channels notifications: {e}");
            }
            if let Err(e) = deliver(&state).await {
                log::error!("channels webhooks: {e}");
            }
        }
        if since_digest >= digest_every {
            since_digest = Duration::ZERO;
            if let Err(e) = digests(&state).await {
                log::error!("channels digest: {e}");
            }
        }
        actix_web::rt::time::sleep(tick).await;
        since += tick;
        since_digest += tick;
    }
}

/// Turns the marks into outbox mails, then flushes the outbox; returns how many mails.
pub async fn immediate(state: &AppState) -> Result<usize, AppError> {
    let pending = state
        .db
        .read(|c| Ok(store::pending_immediate(c, 100)?))
        .await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let inst = state.instance();
    let base = crate::web::public_base(state);
    let secret = inst.secret.clone();
    let default = inst.default_lang;
    let n = state
        .db
        .write(move |tx| {
            let (t, mut n) = (now(), 0);
            for (p, hidden) in pending {
                if !store::take_immediate(tx, p.queue_id)? || hidden {
                    continue;
                }
                let lang = lang_of(p.lang.as_deref(), default);
                let unsubscribe =
                    notify::unsubscribe_url(&base, &notify::token(&secret, p.user_id));
                let mail = immediate_mail(p.email, lang, &base, &p.item, &unsubscribe);
                crate::outbox::enqueue_unsubscribable(tx, &mail, Some(&unsubscribe), t)?;
                n += 1;
            }
            Ok(n)
        })
        .await?;
    if n > 0 {
        while crate::outbox::flush(state).await > 0 {}
    }
    Ok(n)
}

/// Whether the day's digests may go now; the local day (YYYY-MM-DD).
fn digest_day(state: &AppState, t: i64) -> Option<String> {
    let local = crate::time::utc_to_local(state.instance().time_zone, t);
    (digest_now() || local.hour() >= DIGEST_HOUR).then(|| local.date().to_string())
}

/// Sends the day's digests due; returns how many.
pub async fn digests(state: &AppState) -> Result<usize, AppError> {
    let Some(day) = digest_day(state, now()) else {
        return Ok(0);
    };
    let d = day.clone();
    let due = state
        .db
        .read(move |c| Ok(store::digests_due(c, &d, 100)?))
        .await?;
    let inst = state.instance();
    let (base, secret, site, default) = (
        crate::web::public_base(state),
        inst.secret.clone(),
        inst.name.clone(),
        inst.default_lang,
    );
    let mut sent = 0;
    for uid in due {
        let (day, base, secret, site) = (day.clone(), base.clone(), secret.clone(), site.clone());
        // Read, filed and recorded in one write: a second run (or a restart) finds the day
        // recorded and sends nothing twice.
        sent += state
            .db
            .write(move |tx| {
                let (items, upto) = store::digest_items(tx, uid, DIGEST_ITEMS)?;
                let Some((email, lang)) = store::recipient(tx, uid)? else {
                    return Ok(0);
                };
                let t = now();
                if items.is_empty() {
                    store::mark_digest(tx, uid, upto, None, t)?;
                    return Ok(0);
                }
                let lang = lang_of(lang.as_deref(), default);
                let unsubscribe = notify::unsubscribe_url(&base, &notify::token(&secret, uid));
                let mail = digest_mail(email, lang, &site, &base, &items, &unsubscribe);
                crate::outbox::enqueue_unsubscribable(tx, &mail, Some(&unsubscribe), t)?;
                store::mark_digest(tx, uid, upto, Some(&day), t)?;
                Ok(1)
            })
            .await?;
    }
    if sent > 0 {
        while crate::outbox::flush(state).await > 0 {}
    }
    Ok(sent)
}

/// The JSON an outgoing hook receives for a message.
pub fn delivery_body(base: &str, p: &hooks::Payload) -> String {
    let thread_url = format!("{base}/c/{}/t/{}", p.channel_slug, p.thread_id);
    json!({
        "event": "message",
        "channel": {"slug": p.channel_slug, "name": p.channel_name, "url": format!("{base}/c/{}", p.channel_slug)},
        "thread": {"id": p.thread_id, "title": p.thread_title, "url": thread_url},
        "message": {
            "id": p.message_id,
            "author": p.author,
            "text": p.body,
            "url": format!("{thread_url}?m={}#m{}", p.message_id, p.message_id),
            "created_at": chrono::DateTime::from_timestamp(p.created_at, 0).map(|d| d.to_rfc3339()),
        }
    })
    .to_string()
}

/// What became of one delivery: `Ok` done (with the status to show), `Err` to retry.
fn post(url: &str, secret: &str, body: &str) -> Result<String, String> {
    if !crate::net::acceptable_url(url) {
        return Ok("refused: not an http(s) address".into());
    }
    let t = now();
    let agent = crate::net::agent(
        concat!("Placette/", env!("CARGO_PKG_VERSION")),
        Duration::from_secs(10),
    );
    let r = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set("X-Placette-Timestamp", &t.to_string())
        .set("X-Placette-Signature", &sign(secret, t, body.as_bytes()))
        .send_string(body);
    match r {
        Ok(r) => Ok(format!("HTTP {}", r.status())),
        Err(ureq::Error::Status(s, _)) if (400..500).contains(&s) && s != 408 && s != 429 => {
            Ok(format!("HTTP {s} (refused)"))
        }
        Err(ureq::Error::Status(s, _)) => Err(format!("HTTP {s}")),
        Err(e) => Err(e.kind().to_string()),
    }
}

/// Sends the deliveries due, one at a time; returns how many were done.
pub async fn deliver(state: &AppState) -> Result<usize, AppError> {
    let t = now();
    let (waiting, soonest) = state.db.read(|c| Ok(hooks::pending(c)?)).await?;
    if waiting == 0 || soonest.is_some_and(|s| s > t) {
        return Ok(0);
    }
    let claimed = state
        .db
        .write(move |tx| Ok(hooks::claim(tx, t, 50, MAX_TRIES)?))
        .await?;
    let base = crate::web::public_base(state);
    let mut done = 0;
    for d in claimed {
        let mid = d.message_id;
        let payload = state.db.read(move |c| Ok(hooks::payload(c, mid)?)).await?;
        let outcome = match payload {
            // Gone or hidden by a moderator since: nothing to tell.
            None => Ok("-".to_string()),
            Some(p) if p.hidden => Ok("-".to_string()),
            Some(p) => {
                let (url, secret, body) =
                    (d.url.clone(), d.secret.clone(), delivery_body(&base, &p));
                actix_web::web::block(move || post(&url, &secret, &body))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
            }
        };
        let (id, hook) = (d.id, d.hook_id);
        if outcome.is_ok() {
            done += 1;
        } else {
            log::info!("channels webhook {} (try {}): {outcome:?}", d.url, d.tries);
        }
        state
            .db
            .write(move |tx| {
                match &outcome {
                    Ok(s) => hooks::delivered(tx, id, hook, s)?,
                    Err(e) => hooks::failed(tx, id, hook, e)?,
                }
                Ok(())
            })
            .await?;
    }
    Ok(done)
}
