//! Subscribers and the consent ledger.

use rusqlite::{named_params, Connection, OptionalExtension};

use crate::lists::{Consent, Source, SubStatus};

/// What a sign-up did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscribed {
    /// Waiting for the confirmation link (a mail must go to this subscriber).
    Pending(i64),
    /// Active at once (import, or an account's confirmed address).
    Active(i64),
    /// Was already active: nothing changes, nothing is sent.
    Already(i64),
}

/// Who subscribes, how and where.
pub struct NewSubscriber<'a> {
    pub list_id: i64,
    pub email: &'a str,
    pub user_id: Option<i64>,
    pub lang: Option<&'a str>,
    pub consent: &'a Consent,
    pub source: Source,
    /// The page the consent was given on (or the import's description).
    pub page: &'a str,
    /// Who recorded it (the editor for an import).
    pub recorded_by: Option<i64>,
}

/// Records a sign-up and its consent in the ledger. A form sign-up waits for confirmation;
/// an import or an account's confirmed address is active at once.
pub fn subscribe(conn: &Connection, s: &NewSubscriber, now: i64) -> rusqlite::Result<Subscribed> {
    let existing: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, status FROM list_subscribers WHERE list_id = :l AND email = :e",
        )?
        .query_row(named_params! {":l": s.list_id, ":e": s.email}, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let immediate = s.source != Source::Form;
    let status = if immediate {
        SubStatus::Active
    } else {
        SubStatus::Pending
    };
    let confirmed = immediate.then_some(now);
    let id = match existing {
        Some((id, st)) if SubStatus::parse(&st) == SubStatus::Active => {
            return Ok(Subscribed::Already(id))
        }
        Some((id, _)) => {
            conn.prepare_cached(
                "UPDATE list_subscribers SET status = :st, created_at = :now, confirmed_at = :c,
                     unsubscribed_at = NULL, user_id = COALESCE(:u, user_id),
                     lang = COALESCE(:lang, lang), notify = :notify
                 WHERE id = :id",
            )?
            .execute(named_params! {
                ":st": status.as_str(), ":now": now, ":c": confirmed, ":u": s.user_id,
                ":lang": s.lang, ":id": id, ":notify": !immediate,
            })?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO list_subscribers (list_id, email, user_id, lang, status, created_at,
                     confirmed_at, notify)
                 VALUES (:l, :e, :u, :lang, :st, :now, :c, :notify)",
            )?
            .execute(named_params! {
                ":l": s.list_id, ":e": s.email, ":u": s.user_id, ":lang": s.lang,
                ":st": status.as_str(), ":now": now, ":c": confirmed, ":notify": !immediate,
            })?;
            conn.last_insert_rowid()
        }
    };
    conn.prepare_cached(
        "INSERT INTO list_consents (list_id, subscriber_id, email, text_version, text_hash,
             consent_text, source, page, recorded_by, given_at, confirmed_at)
         VALUES (:l, :s, :e, :v, :h, :t, :src, :page, :by, :now, :c)",
    )?
    .execute(named_params! {
        ":l": s.list_id, ":s": id, ":e": s.email, ":v": s.consent.version, ":h": s.consent.hash,
        ":t": s.consent.text, ":src": s.source.as_str(), ":page": s.page, ":by": s.recorded_by,
        ":now": now, ":c": confirmed,
    })?;
    Ok(if immediate {
        Subscribed::Active(id)
    } else {
        Subscribed::Pending(id)
    })
}

/// A subscriber as stored: (list id, email, status, language).
pub type SubscriberRow = (i64, String, SubStatus, Option<String>);

/// A confirmation mail to send: (subscriber id, list id, email, language).
pub type ConfirmationDue = (i64, i64, String, Option<String>);

/// The pending sign-ups whose confirmation mail is still to be sent, oldest first.
pub fn confirmations_due(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<ConfirmationDue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, list_id, email, lang FROM list_subscribers
         WHERE notify = 1 AND status = 'pending' ORDER BY id LIMIT :n",
    )?;
    let rows = stmt.query_map(named_params! {":n": limit}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}

/// The confirmation mail went (or cannot go): not to be sent again.
pub fn confirmation_sent(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE list_subscribers SET notify = 0 WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(())
}

/// A subscriber by id.
pub fn subscriber(conn: &Connection, id: i64) -> rusqlite::Result<Option<SubscriberRow>> {
    conn.prepare_cached("SELECT list_id, email, status, lang FROM list_subscribers WHERE id = :id")?
        .query_row(named_params! {":id": id}, |r| {
            let st: String = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, SubStatus::parse(&st), r.get(3)?))
        })
        .optional()
}

/// Confirms a pending subscription; returns its list id, or `None` when there was nothing
/// pending (already confirmed, purged or withdrawn).
pub fn confirm(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<Option<i64>> {
    let list: Option<i64> = conn
        .prepare_cached(
            "UPDATE list_subscribers SET status = 'active', confirmed_at = :now
             WHERE id = :id AND status = 'pending' RETURNING list_id",
        )?
        .query_row(named_params! {":id": id, ":now": now}, |r| r.get(0))
        .optional()?;
    if list.is_some() {
        conn.prepare_cached(
            "UPDATE list_consents SET confirmed_at = :now
             WHERE subscriber_id = :id AND confirmed_at IS NULL AND withdrawn_at IS NULL",
        )?
        .execute(named_params! {":id": id, ":now": now})?;
    }
    Ok(list)
}

/// Withdraws a subscription (and its consents); the mails still queued for it are skipped.
/// Returns whether it was subscribed.
pub fn unsubscribe(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE list_subscribers SET status = 'unsubscribed', unsubscribed_at = :now
             WHERE id = :id AND status <> 'unsubscribed'",
        )?
        .execute(named_params! {":id": id, ":now": now})?;
    conn.prepare_cached(
        "UPDATE list_consents SET withdrawn_at = :now WHERE subscriber_id = :id AND withdrawn_at IS NULL",
    )?
    .execute(named_params! {":id": id, ":now": now})?;
    conn.prepare_cached(
        "UPDATE list_queue SET status = 'skipped' WHERE subscriber_id = :id AND status = 'pending'",
    )?
    .execute(named_params! {":id": id})?;
    Ok(n == 1)
}

/// Deletes the subscriptions never confirmed since `before`, with their unconfirmed consents
/// (an address nobody confirmed is not kept). Returns how many.
pub fn purge_pending(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "DELETE FROM list_consents WHERE subscriber_id IN
             (SELECT id FROM list_subscribers WHERE status = 'pending' AND created_at < :b)",
    )?
    .execute(named_params! {":b": before})?;
    conn.prepare_cached(
        "DELETE FROM list_subscribers WHERE status = 'pending' AND created_at < :b",
    )?
    .execute(named_params! {":b": before})
}

/// Subscribers of a list by state: (pending, active, unsubscribed).
pub fn counts(conn: &Connection, list_id: i64) -> rusqlite::Result<(i64, i64, i64)> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'active'), 0),
                COALESCE(SUM(status = 'unsubscribed'), 0)
         FROM list_subscribers WHERE list_id = :l",
    )?
    .query_row(named_params! {":l": list_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// The active subscribers of a list: (email, status, confirmed at).
pub fn active(conn: &Connection, list_id: i64) -> rusqlite::Result<Vec<(String, Option<i64>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT email, confirmed_at FROM list_subscribers
         WHERE list_id = :l AND status = 'active' ORDER BY email",
    )?;
    let rows = stmt.query_map(named_params! {":l": list_id}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// One line of the consent ledger.
#[derive(Clone, Debug)]
pub struct LedgerRow {
    pub email: String,
    pub text_version: String,
    pub text_hash: String,
    pub consent_text: String,
    pub source: String,
    pub page: String,
    pub recorded_by: Option<String>,
    pub given_at: i64,
    pub confirmed_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
}

/// The consent ledger of a list (or of one person's address), oldest first.
pub fn ledger(
    conn: &Connection,
    list_id: Option<i64>,
    email: Option<&str>,
) -> rusqlite::Result<Vec<(i64, LedgerRow)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.list_id, c.email, c.text_version, c.text_hash, c.consent_text, c.source, c.page,
                u.name, c.given_at, c.confirmed_at, c.withdrawn_at
         FROM list_consents c LEFT JOIN users u ON u.id = c.recorded_by
         WHERE (:l IS NULL OR c.list_id = :l) AND (:e IS NULL OR c.email = :e COLLATE NOCASE)
         ORDER BY c.given_at, c.id",
    )?;
    let rows = stmt.query_map(named_params! {":l": list_id, ":e": email}, |r| {
        Ok((
            r.get(0)?,
            LedgerRow {
                email: r.get(1)?,
                text_version: r.get(2)?,
                text_hash: r.get(3)?,
                consent_text: r.get(4)?,
                source: r.get(5)?,
                page: r.get(6)?,
                recorded_by: r.get(7)?,
                given_at: r.get(8)?,
                confirmed_at: r.get(9)?,
                withdrawn_at: r.get(10)?,
            },
        ))
    })?;
    rows.collect()
}

/// The subscriptions of an address: (list slug, list name, status).
pub fn subscriptions_of(
    conn: &Connection,
    email: &str,
) -> rusqlite::Result<Vec<(String, String, SubStatus)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.slug, l.name, s.status FROM list_subscribers s JOIN lists l ON l.id = s.list_id
         WHERE s.email = :e ORDER BY l.name",
    )?;
    let rows = stmt.query_map(named_params! {":e": email}, |r| {
        let st: String = r.get(2)?;
        Ok((r.get(0)?, r.get(1)?, SubStatus::parse(&st)))
    })?;
    rows.collect()
}

/// Ends every subscription of a person who deletes their account: those of the account and
/// those of its address, made before the account existed too (consents withdrawn, queued mails
/// skipped). Returns how many were live.
pub fn end_all_of(
    conn: &Connection,
    user_id: i64,
    email: &str,
    now: i64,
) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM list_subscribers WHERE (user_id = :u OR email = :e)
             AND status <> 'unsubscribed'",
        )?
        .query_map(named_params! {":u": user_id, ":e": email}, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut n = 0;
    for id in ids {
        n += usize::from(unsubscribe(conn, id, now)?);
    }
    Ok(n)
}
