//! SQL of the channels' webhooks: the hooks a channel's moderators set, the outgoing
//! deliveries written with each message and claimed by the task (retried with backoff), and
//! what a delivery's JSON says about its message.

use rusqlite::{named_params, Connection, OptionalExtension, Row};

/// A channel's webhook.
#[derive(Clone, Debug)]
pub struct Hook {
    pub id: i64,
    pub channel_id: i64,
    /// true: outgoing (to `url`); false: incoming (its token).
    pub outgoing: bool,
    pub name: String,
    pub url: Option<String>,
    /// The thread an incoming hook posts into (and its title).
    pub thread: Option<(i64, String)>,
    /// The HMAC key, hex.
    pub secret: String,
    pub created_at: i64,
    /// The latest delivery's outcome (outgoing).
    pub last_status: Option<String>,
}

const HOOK: &str = "SELECT h.id, h.channel_id, h.direction, h.name, h.url, h.thread_id, t.title,
        h.secret, h.created_at, h.last_status
    FROM channel_hooks h LEFT JOIN channel_threads t ON t.id = h.thread_id";

fn hook_row(r: &Row) -> rusqlite::Result<Hook> {
    let thread = match (r.get::<_, Option<i64>>(5)?, r.get::<_, Option<String>>(6)?) {
        (Some(id), Some(title)) => Some((id, title)),
        _ => None,
    };
    Ok(Hook {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        outgoing: r.get::<_, String>(2)? == "out",
        name: r.get(3)?,
        url: r.get(4)?,
        thread,
        secret: r.get(7)?,
        created_at: r.get(8)?,
        last_status: r.get(9)?,
    })
}

/// A channel's hooks, outgoing first, oldest first.
pub fn hooks_of(c: &Connection, channel_id: i64) -> rusqlite::Result<Vec<Hook>> {
    let mut st = c.prepare_cached(&format!(
        "{HOOK} WHERE h.channel_id = :c ORDER BY h.direction DESC, h.id"
    ))?;
    let rows = st.query_map(named_params! {":c": channel_id}, hook_row)?;
    rows.collect()
}

/// The incoming hook of a token's hash.
pub fn incoming(c: &Connection, token_hash: &[u8]) -> rusqlite::Result<Option<Hook>> {
    c.prepare_cached(&format!(
        "{HOOK} WHERE h.token_hash = :h AND h.direction = 'in'"
    ))?
    .query_row(named_params! {":h": token_hash}, hook_row)
    .optional()
}

/// Creates an outgoing hook; returns its id.
pub fn create_outgoing(
    c: &Connection,
    channel_id: i64,
    name: &str,
    url: &str,
    secret: &str,
    by: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO channel_hooks (channel_id, direction, name, url, secret, created_by, created_at)
         VALUES (:c, 'out', :name, :url, :secret, :by, :now)",
    )?
    .execute(named_params! {
        ":c": channel_id, ":name": name, ":url": url, ":secret": secret, ":by": by, ":now": now,
    })?;
    Ok(c.last_insert_rowid())
}

/// Creates an incoming hook posting into `thread_id` (or new threads only); returns its id.
#[allow(clippy::too_many_arguments)]
pub fn create_incoming(
    c: &Connection,
    channel_id: i64,
    name: &str,
    token_hash: &[u8],
    thread_id: Option<i64>,
    secret: &str,
    by: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO channel_hooks (channel_id, direction, name, token_hash, thread_id, secret,
            created_by, created_at)
         VALUES (:c, 'in', :name, :token, :thread, :secret, :by, :now)",
    )?
    .execute(named_params! {
        ":c": channel_id, ":name": name, ":token": token_hash, ":thread": thread_id,
        ":secret": secret, ":by": by, ":now": now,
    })?;
    Ok(c.last_insert_rowid())
}

/// Deletes a channel's hook (its deliveries with it); false when it is not the channel's.
pub fn delete(c: &Connection, channel_id: i64, id: i64) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached("DELETE FROM channel_hooks WHERE id = :id AND channel_id = :c")?
        .execute(named_params! {":id": id, ":c": channel_id})?;
    Ok(n > 0)
}

/// Whether a thread belongs to a channel (the thread an incoming hook posts into).
pub fn thread_in(c: &Connection, channel_id: i64, thread_id: i64) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM channel_threads WHERE id = :t AND channel_id = :c)",
    )?
    .query_row(named_params! {":t": thread_id, ":c": channel_id}, |r| {
        r.get(0)
    })
}

/// Files a delivery of a new message to each outgoing hook of its thread's channel.
pub fn queue_deliveries(
    c: &Connection,
    message_id: i64,
    thread_id: i64,
    now: i64,
) -> rusqlite::Result<usize> {
    c.prepare_cached(
        "INSERT INTO channel_hook_deliveries (hook_id, message_id, next_try_at, created_at)
         SELECT h.id, :m, :now, :now FROM channel_hooks h
         JOIN channel_threads t ON t.channel_id = h.channel_id
         WHERE t.id = :t AND h.direction = 'out'",
    )?
    .execute(named_params! {":m": message_id, ":t": thread_id, ":now": now})
}

/// Deliveries waiting, and the soonest due.
pub fn pending(c: &Connection) -> rusqlite::Result<(i64, Option<i64>)> {
    c.prepare_cached("SELECT count(*), min(next_try_at) FROM channel_hook_deliveries")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// A delivery claimed for sending.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub hook_id: i64,
    pub url: String,
    pub secret: String,
    pub message_id: i64,
    pub tries: i64,
}

/// Claims the deliveries due: each gets its next try set first (1, 2, 4... minutes, at most
/// 17 h), so no other run sends it meanwhile; those tried `max_tries` times are given up.
pub fn claim(
    c: &Connection,
    now: i64,
    limit: i64,
    max_tries: i64,
) -> rusqlite::Result<Vec<Delivery>> {
    c.prepare_cached("DELETE FROM channel_hook_deliveries WHERE tries >= :max")?
        .execute(named_params! {":max": max_tries})?;
    let mut st = c.prepare_cached(
        "UPDATE channel_hook_deliveries
            SET tries = tries + 1, next_try_at = :now + 60 * (1 << min(tries, 10))
         WHERE id IN (SELECT id FROM channel_hook_deliveries WHERE next_try_at <= :now
                      ORDER BY id LIMIT :limit)
         RETURNING id",
    )?;
    let ids: Vec<i64> = st
        .query_map(named_params! {":now": now, ":limit": limit}, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = c.prepare_cached(
        "SELECT d.id, d.hook_id, h.url, h.secret, d.message_id, d.tries
         FROM channel_hook_deliveries d JOIN channel_hooks h ON h.id = d.hook_id
         WHERE d.id = :id",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let d = st.query_row(named_params! {":id": id}, |r| {
            Ok(Delivery {
                id: r.get(0)?,
                hook_id: r.get(1)?,
                url: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                secret: r.get(3)?,
                message_id: r.get(4)?,
                tries: r.get(5)?,
            })
        })?;
        out.push(d);
    }
    Ok(out)
}

/// A delivery done (or refused for good): it goes; the hook keeps the outcome.
pub fn delivered(c: &Connection, id: i64, hook_id: i64, status: &str) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM channel_hook_deliveries WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    c.prepare_cached("UPDATE channel_hooks SET last_status = :s WHERE id = :h")?
        .execute(named_params! {":h": hook_id, ":s": status})?;
    Ok(())
}

/// A delivery failed for now: it waits for its next try.
pub fn failed(c: &Connection, id: i64, hook_id: i64, error: &str) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE channel_hook_deliveries SET last_error = :e WHERE id = :id")?
        .execute(named_params! {":id": id, ":e": error})?;
    c.prepare_cached("UPDATE channel_hooks SET last_status = :s WHERE id = :h")?
        .execute(named_params! {":h": hook_id, ":s": error})?;
    Ok(())
}

/// What a delivery tells of its message.
#[derive(Clone, Debug)]
pub struct Payload {
    pub channel_slug: String,
    pub channel_name: String,
    pub thread_id: i64,
    pub thread_title: String,
    pub message_id: i64,
    pub author: String,
    pub body: String,
    pub created_at: i64,
    /// Hidden by a moderator since: not sent.
    pub hidden: bool,
}

/// A message as a delivery tells it.
pub fn payload(c: &Connection, message_id: i64) -> rusqlite::Result<Option<Payload>> {
    c.prepare_cached(
        "SELECT ch.slug, ch.name, t.id, t.title, m.id, COALESCE(u.name, m.author_label), m.body,
            m.created_at, m.hidden OR t.hidden
         FROM channel_messages m JOIN channel_threads t ON t.id = m.thread_id
         JOIN channels ch ON ch.id = t.channel_id LEFT JOIN users u ON u.id = m.author_id
         WHERE m.id = :m",
    )?
    .query_row(named_params! {":m": message_id}, |r| {
        Ok(Payload {
            channel_slug: r.get(0)?,
            channel_name: r.get(1)?,
            thread_id: r.get(2)?,
            thread_title: r.get(3)?,
            message_id: r.get(4)?,
            author: r.get(5)?,
            body: r.get(6)?,
            created_at: r.get(7)?,
            hidden: r.get(8)?,
        })
    })
    .optional()
}
