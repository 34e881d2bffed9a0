//! The module's background work, run by the server's housekeeping (no cron). All of its
//! progress is in SQLite, so a restart picks up where it stopped:
//!
//! - relay: each message not relayed yet (`relayed_at` NULL) is mailed to the other person,
//!   then marked; woken at once by a new message, else checked every few seconds. A crash
//!   between the mail and the mark may send one message twice, never lose it.
//! - expiry warning: an open post whose end is within `warn_days` gets one mail to its author
//!   (`warned_at` is claimed in a transaction before the mail: never twice; given back if the
//!   mail fails, so it is retried).
//! - expiry: open posts past their date become `expired` (they leave lists, map and search).
//! - digest: once a day per subscriber (`last_sent_at`), the new posts of their categories.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::web;

use super::store::{admin, talk};
use super::{now, Post};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::state::AppState;

static WOKEN: AtomicBool = AtomicBool::new(false);

/// How often the upkeep (expiry, warnings, digests) runs.
const UPKEEP_EVERY: Duration = Duration::from_secs(60);
/// How often the relay queue is read when nothing woke the task.
const RELAY_EVERY: Duration = Duration::from_secs(5);

/// Asks the task to relay new messages now (after a commit).
pub fn wake() {
    WOKEN.store(true, Ordering::SeqCst);
}

/// Runs forever beside the requests.
pub async fn run(state: web::Data<AppState>) {
    let tick = Duration::from_millis(250);
    let (mut since_relay, mut since_upkeep) = (RELAY_EVERY, UPKEEP_EVERY);
    loop {
        if since_upkeep >= UPKEEP_EVERY {
            since_upkeep = Duration::ZERO;
            if let Err(e) = upkeep(&state).await {
                log::error!("aid upkeep: {e}");
            }
        }
        if WOKEN.swap(false, Ordering::SeqCst) || since_relay >= RELAY_EVERY {
            since_relay = Duration::ZERO;
            if let Err(e) = relay(&state).await {
                log::error!("aid relay: {e}");
            }
        }
        actix_web::rt::time::sleep(tick).await;
        since_relay += tick;
        since_upkeep += tick;
    }
}

/// The site's address for links in mails (the configured or recorded public address).
fn base(state: &AppState) -> String {
    crate::web::public_base(state)
}

fn lang_of(code: Option<&str>, default: Lang) -> Lang {
    code.and_then(Lang::from_code).unwrap_or(default)
}

/// Mails every message not relayed yet to the other person of its thread.
pub async fn relay(state: &AppState) -> Result<usize, AppError> {
    let pending = state.db.read(|c| Ok(talk::pending_relays(c, 50)?)).await?;
    let inst = state.instance();
    let mut sent = 0;
    for m in pending {
        let lang = lang_of(m.to_lang.as_deref(), inst.default_lang);
        let url = format!("{}/aid/conversations/{}", base(state), m.conversation_id);
        // From: the site's sender; no Reply-To; only the sender's display name is named.
        let mail = Mail::new(
            m.to_email.clone(),
            lang.tf(
                "aid.relay_subject",
                &[("title", &m.post_title), ("site", &inst.name)],
            ),
            lang.tf(
                "aid.relay_body",
                &[("name", &m.from_name), ("body", &m.body), ("url", &url)],
            ),
        );
        match state.mailer.send(&inst.smtp, &inst.name, mail).await {
            Ok(_) => {
                let id = m.message_id;
                state
                    .db
                    .write(move |tx| Ok(talk::mark_relayed(tx, id, now())?))
                    .await?;
                sent += 1;
            }
            // Kept for the next round; the others still go (no message blocks the queue).
            Err(e) => log::error!("aid relay of message {}: {e}", m.message_id),
        }
    }
    Ok(sent)
}

/// Expiry, warnings and digests.
pub async fn upkeep(state: &AppState) -> Result<(), AppError> {
    let t = now();
    let expired = state
        .db
        .write(move |tx| Ok(admin::expire_due(tx, t)?))
        .await?;
    if expired > 0 {
        log::info!("aid: {expired} posts expired");
    }
    warn_authors(state, t).await?;
    send_digests(state, t).await
}

async fn warn_authors(state: &AppState, t: i64) -> Result<(), AppError> {
    let due = state
        .db
        .read(move |c| {
            let (_, warn) = admin::settings(c)?;
            Ok(admin::to_warn(c, t, warn)?)
        })
        .await?;
    let inst = state.instance();
    for (post, email, lang) in due {
        let id = post.id;
        let claimed = state
            .db
            .write(move |tx| Ok(admin::mark_warned(tx, id, t)?))
            .await?;
        if !claimed {
            continue;
        }
        let lang = lang_of(lang.as_deref(), inst.default_lang);
        let url = format!("{}{}", base(state), post.url());
        let mail = Mail::new(
            email,
            lang.tf("aid.warn_subject", &[("title", &post.title)]),
            lang.tf(
                "aid.warn_body",
                &[
                    ("title", &post.title),
                    ("date", &lang.date(post.expires_at, inst.time_zone)),
                    ("extend", &format!("{url}/extend")),
                    ("close", &format!("{url}/close")),
                    ("url", &url),
                ],
            ),
        );
        if let Err(e) = state.mailer.send(&inst.smtp, &inst.name, mail).await {
            log::error!("aid expiry warning for post {id}: {e}");
            state
                .db
                .write(move |tx| Ok(admin::unmark_warned(tx, id)?))
                .await?;
        }
    }
    Ok(())
}

fn digest_text(lang: Lang, base: &str, posts: &[Post]) -> String {
    posts
        .iter()
        .map(|p| {
            format!(
                "- [{}] {} — {}{}",
                lang.t(&format!("aid.kind.{}", p.kind.as_str())),
                p.title,
                base,
                p.url()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn send_digests(state: &AppState, t: i64) -> Result<(), AppError> {
    let due = state
        .db
        .read(move |c| Ok(admin::digests_due(c, t)?))
        .await?;
    let inst = state.instance();
    for d in due {
        if !d.posts.is_empty() {
            let lang = lang_of(d.lang.as_deref(), inst.default_lang);
            let b = base(state);
            let mail = Mail::new(
                d.email.clone(),
                lang.tf("aid.digest_subject", &[("site", &inst.name)]),
                lang.tf(
                    "aid.digest_body",
                    &[
                        ("list", &digest_text(lang, &b, &d.posts)),
                        ("url", &format!("{b}/aid/digest")),
                    ],
                ),
            );
            if let Err(e) = state.mailer.send(&inst.smtp, &inst.name, mail).await {
                log::error!("aid digest: {e}");
                continue;
            }
        }
        let uid = d.user_id;
        state
            .db
            .write(move |tx| Ok(admin::mark_digest_sent(tx, uid, t)?))
            .await?;
    }
    Ok(())
}
