//! THE background mail mechanism for mails that must not be lost: a mail is written in the
//! same transaction as the change that causes it (`enqueue`), then sent right after the
//! commit by the request (`flush`) or, when the relay was down or the process stopped, by the
//! task (`run`), with retries. A row is claimed before it is sent, so two flushes never send
//! it twice; it is deleted once the relay took it.

use std::time::Duration;

use actix_web::web::Data;
use rusqlite::{params, Connection};

use crate::db::now;
use crate::mail::Mail;
use crate::state::AppState;

/// How long a claimed mail waits before another try (the relay was down).
const RETRY_SECS: i64 = 300;
/// After this many tries a mail is given up (logged).
const MAX_TRIES: i64 = 20;

/// Files a mail to send, inside the caller's write transaction.
pub fn enqueue(c: &Connection, mail: &Mail, now: i64) -> rusqlite::Result<()> {
    enqueue_unsubscribable(c, mail, None, now)
}

/// Files a mail that carries RFC 8058 one-click unsubscribe headers with this URL (the
/// notifications of the channels).
pub fn enqueue_unsubscribable(
    c: &Connection,
    mail: &Mail,
    unsubscribe: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO mail_outbox (to_addr, reply_to, subject, body, created_at, next_try_at,
            list_unsubscribe)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        params![
            mail.to,
            mail.reply_to,
            mail.subject,
            mail.text,
            now,
            unsubscribe
        ],
    )?;
    Ok(())
}

/// Claims the mails due now: each gets its next try set, so no one else sends it meanwhile.
fn claim(c: &Connection, now: i64) -> rusqlite::Result<Vec<(i64, Mail, i64, Option<String>)>> {
    c.execute(
        "DELETE FROM mail_outbox WHERE tries >= ?1",
        params![MAX_TRIES],
    )?;
    let mut st = c.prepare_cached(
        "UPDATE mail_outbox SET tries = tries + 1, next_try_at = ?1 + ?2 * (tries + 1)
         WHERE id IN (SELECT id FROM mail_outbox WHERE next_try_at <= ?1 ORDER BY id LIMIT 50)
         RETURNING id, to_addr, subject, body, tries, reply_to, list_unsubscribe",
    )?;
    let rows = st.query_map(params![now, RETRY_SECS], |r| {
        let mut mail = Mail::new(
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        );
        mail.reply_to = r.get(5)?;
        Ok((r.get::<_, i64>(0)?, mail, r.get::<_, i64>(4)?, r.get(6)?))
    })?;
    rows.collect()
}

/// Sends what is due; returns how many went out.
pub async fn flush(state: &AppState) -> usize {
    let claimed = match state.db.write(|tx| Ok(claim(tx, now())?)).await {
        Ok(c) => c,
        Err(e) => {
            log::error!("mail outbox: {e}");
            return 0;
        }
    };
    if claimed.is_empty() {
        return 0;
    }
    let inst = state.instance();
    let mut sent = Vec::new();
    for (id, mail, tries, unsubscribe) in claimed {
        let to = mail.to.clone();
        let sending =
            state
                .mailer
                .send_unsubscribable(&inst.smtp, &inst.name, mail, unsubscribe.as_deref());
        match sending.await {
            Ok(_) => sent.push(id),
            Err(e) => log::error!("mail to {to} not sent (try {tries}): {e}"),
        }
    }
    let n = sent.len();
    let done = state
        .db
        .write(move |tx| {
            for id in &sent {
                tx.execute("DELETE FROM mail_outbox WHERE id = ?1", [id])?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = done {
        log::error!("mail outbox: {e}");
    }
    n
}

/// The task: every minute, what the requests could not send.
pub async fn run(state: Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        while flush(&state).await > 0 {}
    }
}
