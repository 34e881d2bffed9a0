//! The module's background work, run by the server's housekeeping (no cron): create the
//! village list once the village is set up, purge unconfirmed sign-ups after 7 days, start
//! the mailings whose time came, and work the sending queue within the relay's limits.
//!
//! Restart-safe: every step reads its work from SQLite. A recipient is marked sent in its
//! own committed write right after the relay accepted the message, so after a kill -9 the
//! queue resumes where it stopped. The one residual window: if the process dies after the
//! final `.` of a message went out and before its "sent" write commits (the relay's own
//! processing, its answer, our write), that one message is sent again at the restart, with
//! the same Message-ID (mail stores show it once). No SMTP client can close that window:
//! the relay commits to delivering as soon as it has the `.`, whether the client lives or not.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::web;

use super::message::{self, Envelope};
use super::store::{self, mailings, queue, subscribers};
use super::{Frequency, List, ListInput, Mailing, PENDING_TTL};
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// A temporary failure is tried again this many times before it counts as permanent.
pub const MAX_ATTEMPTS: i64 = 8;

/// Runs forever beside the requests.
pub async fn run(state: web::Data<AppState>) {
    let mut w = Worker::default();
    loop {
        let pause = match w.tick(&state).await {
            Ok(true) => Duration::from_millis(0),
            Ok(false) => Duration::from_millis(500),
            Err(e) => {
                log::error!("lists: {e}");
                Duration::from_secs(5)
            }
        };
        if pause.is_zero() {
            actix_web::rt::task::yield_now().await;
        } else {
            actix_web::rt::time::sleep(pause).await;
        }
    }
}

/// What the loop keeps between ticks (nothing that matters after a restart).
#[derive(Default)]
struct Worker {
    village_done: bool,
    last_purge: i64,
    /// After a relay failure, confirmation mails wait until then.
    confirm_retry_at: i64,
    /// Lists and mailings being sent, read once.
    cache: HashMap<i64, (List, Mailing)>,
}

/// The site's public address for links in mails (never a request's Host header).
pub fn base_url(state: &AppState) -> String {
    crate::web::public_base(state)
}

impl Worker {
    /// One round; `Ok(true)` when there may be more to send right away.
    async fn tick(&mut self, state: &AppState) -> Result<bool, AppError> {
        let instance = state.instance();
        if !instance.setup_done {
            return Ok(false);
        }
        if !self.village_done {
            self.village_done = ensure_village_list(state).await?;
        }
        let t = now();
        if t - self.last_purge >= 3600 {
            let n = state
                .db
                .write(move |tx| Ok(subscribers::purge_pending(tx, t - PENDING_TTL)?))
                .await?;
            if n > 0 {
                log::info!("lists: {n} unconfirmed sign-ups purged after 7 days");
            }
            self.last_purge = t;
        }
        let (due, sending) = state
            .db
            .read(move |c| {
                let (due, sending) = (mailings::any_due(c, t)?, mailings::any_sending(c)?);
                Ok((due, sending))
            })
            .await?;
        if due {
            state
                .db
                .write(move |tx| Ok(mailings::start_due(tx, t)?))
                .await?;
        }
        if t >= self.confirm_retry_at && send_confirmations(state).await? {
            self.confirm_retry_at = t + 60;
        }
        if !due && !sending {
            return Ok(false);
        }
        let busy = self.send_some(state).await?;
        if !busy {
            state
                .db
                .write(move |tx| Ok(mailings::finish_done(tx, t)?))
                .await?;
            self.cache.clear();
        }
        Ok(busy)
    }

    /// Sends the due recipients while the limits allow, for at most a few seconds, over one
    /// relay connection; returns whether more are due now.
    async fn send_some(&mut self, state: &AppState) -> Result<bool, AppError> {
        let mut relay = super::relay::Relay::default();
        let more = self.send_batch(state, &mut relay).await;
        relay.close().await;
        more
    }

    async fn send_batch(
        &mut self,
        state: &AppState,
        relay: &mut super::relay::Relay,
    ) -> Result<bool, AppError> {
        let instance = state.instance();
        let base = base_url(state);
        let smtp = instance.smtp.clone();
        let to_files = smtp.host.trim().is_empty();
        let (domain, selector, pem) = state.db.read(|c| Ok(store::dkim(c)?)).await?;
        let dkim = if domain.is_empty() || pem.is_empty() {
            None
        } else {
            match message::dkim_config(&domain, &selector, &pem) {
                Ok(cfg) => Some(cfg),
                Err(e) => {
                    log::error!("lists: the DKIM key cannot be read, mails go unsigned: {e}");
                    None
                }
            }
        };
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            let t = now();
            let (per_minute, per_day, minute, day, due) = state
                .db
                .read(move |c| {
                    let (pm, pd) = store::limits(c)?;
                    Ok((
                        pm,
                        pd,
                        queue::sent_since(c, t - 60)?,
                        queue::sent_since(c, t - 86_400)?,
                        queue::next_due(c, t)?,
                    ))
                })
                .await?;
            let Some(due) = due else { return Ok(false) };
            if minute >= per_minute || day >= per_day {
                return Ok(false);
            }
            if !self.cache.contains_key(&due.mailing_id) {
                let mid = due.mailing_id;
                let found = state
                    .db
                    .read(move |c| {
                        let Some(m) = mailings::mailing(c, mid)? else {
                            return Ok(None);
                        };
                        Ok(store::list_by_id(c, m.list_id)?.map(|l| (l, m)))
                    })
                    .await?;
                match found {
                    Some(pair) => {
                        self.cache.insert(mid, pair);
                    }
                    None => continue,
                }
            }
            let Some((list, mailing)) = self.cache.get(&due.mailing_id) else {
                continue;
            };
            let sub = due.subscriber_id.unwrap_or(0);
            let token = super::token(&instance.secret, "unsubscribe", sub);
            let lang = due
                .lang
                .as_deref()
                .and_then(Lang::from_code)
                .unwrap_or(instance.default_lang);
            let env = Envelope {
                smtp: &smtp,
                base_url: &base,
                to: &due.email,
                lang,
                unsubscribe_token: Some(&token),
                subscriber_id: sub,
            };
            let built = message::build(list, mailing, &env).map(|mut msg| {
                if let Some(cfg) = &dkim {
                    msg.sign(cfg);
                }
                msg
            });
            let outcome = match built {
                Err(e) => Err((true, e.to_string())),
                Ok(msg) if to_files => state
                    .mailer
                    .write_file(msg.formatted())
                    .await
                    .map(|_| ())
                    .map_err(|e| (false, e.to_string())),
                Ok(msg) => relay.send(&smtp, &msg).await,
            };
            let (id, attempts) = (due.id, due.attempts);
            state
                .db
                .write(move |tx| {
                    let t = now();
                    match outcome {
                        Ok(()) => queue::mark_sent(tx, id, t)?,
                        Err((permanent, e)) if permanent || attempts + 1 >= MAX_ATTEMPTS => {
                            queue::mark_failed(tx, id, &e)?
                        }
                        Err((_, e)) => queue::mark_retry(tx, id, t + backoff(attempts + 1), &e)?,
                    }
                    Ok(())
                })
                .await?;
        }
        Ok(true)
    }
}

/// Sends the confirmation mails of the pending sign-ups (marked in the same transaction as
/// the sign-up), then clears each mark. A mail that cannot be built is dropped with a log
/// line; a relay failure leaves the mark for a later round and returns true.
async fn send_confirmations(state: &AppState) -> Result<bool, AppError> {
    let due = state
        .db
        .read(|c| Ok(subscribers::confirmations_due(c, 20)?))
        .await?;
    if due.is_empty() {
        return Ok(false);
    }
    let instance = state.instance();
    let base = base_url(state);
    for (id, list_id, email, lang) in due {
        let list = state
            .db
            .read(move |c| Ok(store::list_by_id(c, list_id)?))
            .await?;
        let Some(list) = list else { continue };
        let lang = lang
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or(instance.default_lang);
        let mail =
            super::subscribe::confirmation_mail(&list, lang, &base, &instance.secret, id, &email);
        match state
            .mailer
            .send(&instance.smtp, &instance.name, mail)
            .await
        {
            Ok(_) => {}
            Err(e) => {
                log::error!("lists: confirmation mail not sent, tried again in a minute: {e}");
                return Ok(true);
            }
        }
        state
            .db
            .write(move |tx| Ok(subscribers::confirmation_sent(tx, id)?))
            .await?;
    }
    Ok(false)
}

/// Seconds before try number `attempt + 1`: 1, 2, 4... minutes, at most 6 hours.
pub fn backoff(attempt: i64) -> i64 {
    (60 * (1i64 << attempt.clamp(1, 12).saturating_sub(1))).min(6 * 3600)
}

/// Creates the village list (monthly) once the village is set up; true when it exists.
async fn ensure_village_list(state: &AppState) -> Result<bool, AppError> {
    let instance = state.instance();
    let lang = instance.default_lang;
    let input = ListInput {
        name: lang.tf("lists.village_name", &[("village", &instance.name)]),
        purpose: lang.t("lists.village_purpose").to_string(),
        owner: None,
        public: true,
        frequency: Frequency::Month,
        needs_approval: false,
        members_post: false,
    };
    state
        .db
        .write(move |tx| {
            if store::village_list(tx)?.is_none() {
                store::insert_list(tx, &input, None, true, None, now())?;
            }
            Ok(true)
        })
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(super::backoff(1), 60);
        assert_eq!(super::backoff(2), 120);
        assert_eq!(super::backoff(3), 240);
        assert_eq!(super::backoff(12), 6 * 3600);
    }
}
