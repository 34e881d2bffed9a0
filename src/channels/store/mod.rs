//! Every SQL statement about channels, threads and messages. The counters a page needs (a
//! thread's messages, its latest one, the channel's last activity) are kept here by the
//! writes, so that no read counts a thread's messages; pages are read by key
//! (`channel_messages(thread_id, id)`, `channel_threads(channel_id, last_activity_at, id)`).
//! Beside: conduct.rs (the code of conduct), invitations.rs, moderation.rs (targets, search
//! documents), export.rs ("download my data").

pub mod conduct;
pub mod drafts;
pub mod export;
pub mod hooks;
pub mod invitations;
pub mod moderation;
pub mod notify;

use rusqlite::{named_params, Connection, OptionalExtension, Row};

pub use drafts::{append_to_draft, drafts_for};

use super::form::ChannelInput;
use super::{Channel, Message, Owner, Role, Thread, Visibility};

const CHANNEL: &str =
    "SELECT c.id, c.actor_id, a.slug, a.name, c.slug, c.name, c.topic, c.description,
        c.visibility, c.recommended, c.created_by, c.last_activity_at,
        (SELECT count(*) FROM channel_threads t WHERE t.channel_id = c.id AND t.hidden = 0)
    FROM channels c LEFT JOIN actors a ON a.id = c.actor_id";

fn channel_row(r: &Row) -> rusqlite::Result<Channel> {
    let actor = match r.get::<_, Option<i64>>(1)? {
        Some(id) => Some(Owner {
            id,
            slug: r.get(2)?,
            name: r.get(3)?,
        }),
        None => None,
    };
    Ok(Channel {
        id: r.get(0)?,
        actor,
        slug: r.get(4)?,
        name: r.get(5)?,
        topic: r.get(6)?,
        description: r.get(7)?,
        visibility: Visibility::parse(&r.get::<_, String>(8)?).unwrap_or(Visibility::Members),
        recommended: r.get(9)?,
        created_by: r.get(10)?,
        last_activity_at: r.get(11)?,
        threads: r.get(12)?,
    })
}

/// A channel by its slug.
pub fn channel_by_slug(c: &Connection, slug: &str) -> rusqlite::Result<Option<Channel>> {
    c.prepare_cached(&format!("{CHANNEL} WHERE c.slug = :s"))?
        .query_row(named_params! {":s": slug}, channel_row)
        .optional()
}

/// A channel by its id.
pub fn channel(c: &Connection, id: i64) -> rusqlite::Result<Option<Channel>> {
    c.prepare_cached(&format!("{CHANNEL} WHERE c.id = :id"))?
        .query_row(named_params! {":id": id}, channel_row)
        .optional()
}

/// The channels a viewer may read (`uid`: signed in; `admin`: a site admin), newest activity
/// first: public ones, residents' ones when signed in, members' ones of their pages.
pub fn readable(
    c: &Connection,
    uid: Option<i64>,
    admin: bool,
    actor: Option<i64>,
) -> rusqlite::Result<Vec<Channel>> {
    let mut st = c.prepare_cached(&format!(
        "{CHANNEL} WHERE (c.visibility = 'public'
            OR (c.visibility = 'residents' AND :u IS NOT NULL)
            OR (c.visibility = 'members' AND (:admin OR EXISTS (SELECT 1 FROM memberships m
                WHERE m.actor_id = c.actor_id AND m.user_id = :u AND m.status = 'active'))))
          AND (:actor IS NULL OR c.actor_id = :actor)
          AND (c.actor_id IS NULL OR :admin
            OR EXISTS (SELECT 1 FROM actors a WHERE a.id = c.actor_id AND a.visibility = 'public')
            OR EXISTS (SELECT 1 FROM memberships m
                WHERE m.actor_id = c.actor_id AND m.user_id = :u AND m.status = 'active'))
         ORDER BY c.last_activity_at DESC, c.id"
    ))?;
    let rows = st.query_map(
        named_params! {":u": uid, ":admin": admin, ":actor": actor},
        channel_row,
    )?;
    rows.collect()
}

/// Messages of the last 30 days per channel (from the threads' counters: no message is
/// counted): the busiest channels for newcomers.
pub fn activity(c: &Connection, since: i64) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT channel_id, sum(messages) FROM channel_threads
         WHERE hidden = 0 AND last_activity_at >= :since GROUP BY channel_id",
    )?;
    let rows = st.query_map(named_params! {":since": since}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// The channels where a person follows a thread or holds a role.
pub fn channels_of(c: &Connection, uid: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT t.channel_id FROM channel_follows f JOIN channel_threads t ON t.id = f.thread_id
         WHERE f.user_id = :u
         UNION SELECT channel_id FROM channel_roles WHERE user_id = :u",
    )?;
    let rows = st.query_map(named_params! {":u": uid}, |r| r.get(0))?;
    rows.collect()
}

/// The visibility of a channel's page.
pub fn page_visibility(
    c: &Connection,
    actor_id: i64,
) -> rusqlite::Result<Option<crate::directory::Visibility>> {
    Ok(
        c.prepare_cached("SELECT visibility FROM actors WHERE id = :a")?
            .query_row(named_params! {":a": actor_id}, |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| crate::directory::Visibility::parse(&v)),
    )
}

/// The channels of members-only pages.
pub fn channels_of_private_pages(c: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT c.id FROM channels c JOIN actors a ON a.id = c.actor_id WHERE a.visibility <> 'public'",
    )?;
    let rows = st.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Whether a slug is taken.
pub fn slug_taken(c: &Connection, slug: &str) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM channels WHERE slug = :s)")?
        .query_row(named_params! {":s": slug}, |r| r.get(0))
}

/// Creates a channel; returns its id.
pub fn insert_channel(
    c: &Connection,
    actor_id: Option<i64>,
    slug: &str,
    input: &ChannelInput,
    by: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO channels (actor_id, slug, name, topic, description, visibility, recommended,
            created_by, created_at, updated_at, last_activity_at)
         VALUES (:actor, :slug, :name, :topic, :description, :visibility, :recommended, :by,
            :now, :now, :now)",
    )?
    .execute(named_params! {
        ":actor": actor_id, ":slug": slug, ":name": input.name, ":topic": input.topic,
        ":description": input.description, ":visibility": input.visibility.as_str(),
        ":recommended": input.recommended, ":by": by, ":now": now,
    })?;
    Ok(c.last_insert_rowid())
}

/// Changes a channel's settings.
pub fn update_channel(
    c: &Connection,
    id: i64,
    input: &ChannelInput,
    now: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE channels SET name = :name, topic = :topic, description = :description,
            visibility = :visibility, recommended = :recommended, updated_at = :now WHERE id = :id",
    )?
    .execute(named_params! {
        ":id": id, ":name": input.name, ":topic": input.topic, ":description": input.description,
        ":visibility": input.visibility.as_str(), ":recommended": input.recommended, ":now": now,
    })?;
    Ok(())
}

/// The roles a person was named to in a channel.
pub fn roles_of(c: &Connection, channel_id: i64, uid: i64) -> rusqlite::Result<Vec<Role>> {
    let mut st =
        c.prepare_cached("SELECT role FROM channel_roles WHERE channel_id = :c AND user_id = :u")?;
    let rows = st.query_map(named_params! {":c": channel_id, ":u": uid}, |r| {
        r.get::<_, String>(0)
    })?;
    Ok(rows
        .filter_map(|r| r.ok().and_then(|s| Role::parse(&s)))
        .collect())
}

/// Everyone named in a channel: (user id, name, role).
pub fn named(c: &Connection, channel_id: i64) -> rusqlite::Result<Vec<(i64, String, Role)>> {
    let mut st = c.prepare_cached(
        "SELECT u.id, u.name, r.role FROM channel_roles r JOIN users u ON u.id = r.user_id
         WHERE r.channel_id = :c ORDER BY r.role, u.name COLLATE NOCASE",
    )?;
    let rows = st.query_map(named_params! {":c": channel_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?))
    })?;
    Ok(rows
        .filter_map(|r| r.ok())
        .filter_map(|(id, name, role)| Role::parse(&role).map(|role| (id, name, role)))
        .collect())
}

/// Names a person (found by their address); false when no account has it.
pub fn add_role(
    c: &Connection,
    channel_id: i64,
    email: &str,
    role: Role,
    now: i64,
) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached(
            "INSERT OR IGNORE INTO channel_roles (channel_id, user_id, role, created_at)
             SELECT :c, id, :role, :now FROM users WHERE email = :email",
        )?
        .execute(
            named_params! {":c": channel_id, ":email": email, ":role": role.as_str(), ":now": now},
        )?;
    let exists: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE email = :email)")?
        .query_row(named_params! {":email": email}, |r| r.get(0))?;
    Ok(n > 0 || exists)
}

/// Ends a person's role in a channel.
pub fn remove_role(c: &Connection, channel_id: i64, uid: i64, role: Role) -> rusqlite::Result<()> {
    c.prepare_cached(
        "DELETE FROM channel_roles WHERE channel_id = :c AND user_id = :u AND role = :r",
    )?
    .execute(named_params! {":c": channel_id, ":u": uid, ":r": role.as_str()})?;
    Ok(())
}

const THREAD: &str =
    "SELECT t.id, t.channel_id, t.author_id, u.name, t.title, t.hidden, t.messages,
        t.last_message_id, t.last_activity_at, t.closed_at, cb.name, t.summary, t.created_at
    FROM channel_threads t LEFT JOIN users u ON u.id = t.author_id
    LEFT JOIN users cb ON cb.id = t.closed_by";

fn thread_row(r: &Row) -> rusqlite::Result<Thread> {
    Ok(Thread {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        author_id: r.get(2)?,
        author_name: r.get(3)?,
        title: r.get(4)?,
        hidden: r.get(5)?,
        messages: r.get(6)?,
        last_message_id: r.get(7)?,
        last_activity_at: r.get(8)?,
        closed_at: r.get(9)?,
        closed_by_name: r.get(10)?,
        summary: r.get(11)?,
        created_at: r.get(12)?,
    })
}

/// A thread, hidden or not.
pub fn thread(c: &Connection, id: i64) -> rusqlite::Result<Option<Thread>> {
    c.prepare_cached(&format!("{THREAD} WHERE t.id = :id"))?
        .query_row(named_params! {":id": id}, thread_row)
        .optional()
}

/// A page of a channel's threads, latest activity first, after the cursor (activity, id) of
/// the previous page's last one; hidden ones only for moderators. One more than `limit` is
/// read, so the caller knows whether a next page exists.
pub fn threads(
    c: &Connection,
    channel_id: i64,
    with_hidden: bool,
    after: Option<(i64, i64)>,
    limit: i64,
) -> rusqlite::Result<Vec<Thread>> {
    let mut st = c.prepare_cached(&format!(
        "{THREAD} WHERE t.channel_id = :c AND (t.hidden = 0 OR :all)
           AND (:at IS NULL OR (t.last_activity_at, t.id) < (:at, :id))
         ORDER BY t.last_activity_at DESC, t.id DESC LIMIT :n"
    ))?;
    let rows = st.query_map(
        named_params! {
            ":c": channel_id, ":all": with_hidden, ":at": after.map(|a| a.0),
            ":id": after.map(|a| a.1), ":n": limit + 1,
        },
        thread_row,
    )?;
    rows.collect()
}

/// A channel's closed threads (their summaries), latest first.
pub fn summaries(c: &Connection, channel_id: i64, limit: i64) -> rusqlite::Result<Vec<Thread>> {
    let mut st = c.prepare_cached(&format!(
        "{THREAD} WHERE t.channel_id = :c AND t.hidden = 0 AND t.closed_at IS NOT NULL
         ORDER BY t.closed_at DESC, t.id DESC LIMIT :n"
    ))?;
    let rows = st.query_map(named_params! {":c": channel_id, ":n": limit}, thread_row)?;
    rows.collect()
}

/// Creates a thread without messages (post::thread adds the first); returns its id.
pub fn insert_thread(
    c: &Connection,
    channel_id: i64,
    author: Option<i64>,
    title: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO channel_threads (channel_id, author_id, title, last_activity_at, created_at)
         VALUES (:c, :a, :title, :now, :now)",
    )?
    .execute(named_params! {":c": channel_id, ":a": author, ":title": title, ":now": now})?;
    Ok(c.last_insert_rowid())
}

/// Closes a thread with its summary (or replaces the summary); false when it is gone.
pub fn close(c: &Connection, id: i64, by: i64, summary: &str, now: i64) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE channel_threads SET summary = :s, closed_by = :by,
                closed_at = COALESCE(closed_at, :now) WHERE id = :id",
        )?
        .execute(named_params! {":id": id, ":s": summary, ":by": by, ":now": now})?;
    Ok(n > 0)
}

/// Reopens a closed thread (its summary is dropped).
pub fn reopen(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE channel_threads SET summary = NULL, closed_at = NULL, closed_by = NULL WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(())
}

/// Writes a message and keeps its thread's and channel's counters (called by post::message).
pub fn insert_message(
    c: &Connection,
    thread_id: i64,
    author: Option<i64>,
    label: &str,
    body: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO channel_messages (thread_id, author_id, author_label, body, created_at)
         VALUES (:t, :a, :label, :body, :now)",
    )?
    .execute(
        named_params! {":t": thread_id, ":a": author, ":label": label, ":body": body, ":now": now},
    )?;
    let id = c.last_insert_rowid();
    c.prepare_cached(
        "UPDATE channel_threads SET messages = messages + 1, last_message_id = :m,
            last_activity_at = :now WHERE id = :t",
    )?
    .execute(named_params! {":t": thread_id, ":m": id, ":now": now})?;
    c.prepare_cached(
        "UPDATE channels SET last_activity_at = :now
         WHERE id = (SELECT channel_id FROM channel_threads WHERE id = :t)",
    )?
    .execute(named_params! {":t": thread_id, ":now": now})?;
    Ok(id)
}

/// Resolves names to the accounts that may read the thread's channel (not the author) and
/// files them as mentioned by the message.
pub fn add_mentions(
    c: &Connection,
    message_id: i64,
    thread_id: i64,
    author: Option<i64>,
    names: &[String],
) -> rusqlite::Result<usize> {
    let list = serde_json::to_string(names).unwrap_or_else(|_| "[]".into());
    c.prepare_cached(
        "INSERT OR IGNORE INTO channel_mentions (message_id, user_id)
         SELECT :m, u.id FROM users u, channel_threads t JOIN channels ch ON ch.id = t.channel_id
         WHERE t.id = :t AND u.id IS NOT :author
           AND u.name COLLATE NOCASE IN (SELECT value FROM json_each(:names))
           AND (ch.visibility <> 'members' OR u.role = 'admin' OR EXISTS (SELECT 1 FROM memberships mb
                WHERE mb.actor_id = ch.actor_id AND mb.user_id = u.id AND mb.status = 'active'))",
    )?
    .execute(named_params! {":m": message_id, ":t": thread_id, ":author": author, ":names": list})
}

/// The accounts a message mentions.
pub fn mentions_of(c: &Connection, message_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT user_id FROM channel_mentions WHERE message_id = :m ORDER BY user_id",
    )?;
    let rows = st.query_map(named_params! {":m": message_id}, |r| r.get(0))?;
    rows.collect()
}

/// Follows a thread (nothing when already following).
pub fn follow(c: &Connection, thread_id: i64, uid: i64, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO channel_follows (thread_id, user_id, created_at) VALUES (:t, :u, :now)",
    )?
    .execute(named_params! {":t": thread_id, ":u": uid, ":now": now})?;
    Ok(())
}

/// Stops following a thread.
pub fn unfollow(c: &Connection, thread_id: i64, uid: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM channel_follows WHERE thread_id = :t AND user_id = :u")?
        .execute(named_params! {":t": thread_id, ":u": uid})?;
    Ok(())
}

/// Whether a person follows a thread, and the latest message they were shown.
pub fn following(c: &Connection, thread_id: i64, uid: i64) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached("SELECT seen_id FROM channel_follows WHERE thread_id = :t AND user_id = :u")?
        .query_row(named_params! {":t": thread_id, ":u": uid}, |r| r.get(0))
        .optional()
}

/// Remembers that a follower was shown the thread up to `message_id` (only forwards).
pub fn mark_seen(
    c: &Connection,
    thread_id: i64,
    uid: i64,
    message_id: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE channel_follows SET seen_id = :m WHERE thread_id = :t AND user_id = :u AND seen_id < :m",
    )?
    .execute(named_params! {":t": thread_id, ":u": uid, ":m": message_id})?;
    Ok(())
}

/// The threads a person follows that have messages they were not shown: (channel slug,
/// thread id, title, new messages since, latest activity). New messages are counted on the
/// index from the last seen one, at most 100 per thread.
pub fn followed_with_news(
    c: &Connection,
    uid: i64,
    limit: i64,
) -> rusqlite::Result<Vec<(String, i64, String, i64, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT ch.slug, t.id, t.title,
                (SELECT count(*) FROM (SELECT 1 FROM channel_messages m WHERE m.thread_id = t.id
                    AND m.id > f.seen_id AND m.hidden = 0 LIMIT 100)),
                t.last_activity_at
         FROM channel_follows f JOIN channel_threads t ON t.id = f.thread_id
         JOIN channels ch ON ch.id = t.channel_id JOIN users u ON u.id = f.user_id
         WHERE f.user_id = :u AND t.hidden = 0 AND t.last_message_id > f.seen_id
           AND (u.role = 'admin' OR EXISTS (SELECT 1 FROM memberships mb WHERE mb.actor_id =
                ch.actor_id AND mb.user_id = u.id AND mb.status = 'active')
             OR (ch.visibility <> 'members' AND (ch.actor_id IS NULL OR EXISTS (SELECT 1
                FROM actors a WHERE a.id = ch.actor_id AND a.visibility = 'public'))))
         ORDER BY t.last_activity_at DESC LIMIT :n",
    )?;
    let rows = st.query_map(named_params! {":u": uid, ":n": limit}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    rows.collect()
}

const MESSAGE: &str = "SELECT m.id, m.thread_id, m.author_id, COALESCE(u.name, m.author_label),
        m.body, m.hidden, m.created_at, m.edited_at
    FROM channel_messages m LEFT JOIN users u ON u.id = m.author_id";

fn message_row(r: &Row) -> rusqlite::Result<Message> {
    Ok(Message {
        id: r.get(0)?,
        thread_id: r.get(1)?,
        author_id: r.get(2)?,
        author_name: r.get(3)?,
        body: r.get(4)?,
        hidden: r.get(5)?,
        created_at: r.get(6)?,
        edited_at: r.get(7)?,
    })
}

/// A message, hidden or not.
pub fn message(c: &Connection, id: i64) -> rusqlite::Result<Option<Message>> {
    c.prepare_cached(&format!("{MESSAGE} WHERE m.id = :id"))?
        .query_row(named_params! {":id": id}, message_row)
        .optional()
}

/// Which page of a thread to read, by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The first messages.
    Start,
    /// The messages after this id (the next page; also what polling asks).
    After(i64),
    /// The messages before this id (the previous page).
    Before(i64),
    /// The last messages.
    End,
}

/// A page of a thread's messages in chronological order, each an index range on
/// (thread_id, id); hidden ones only for moderators.
pub fn messages(
    c: &Connection,
    thread_id: i64,
    with_hidden: bool,
    at: At,
    limit: i64,
) -> rusqlite::Result<Vec<Message>> {
    let (cond, order) = match at {
        At::Start => ("1", "ASC"),
        At::After(_) => ("m.id > :k", "ASC"),
        At::Before(_) => ("m.id < :k", "DESC"),
        At::End => ("1", "DESC"),
    };
    let key = match at {
        At::After(k) | At::Before(k) => k,
        _ => 0,
    };
    let sql = format!(
        "{MESSAGE} WHERE m.thread_id = :t AND (m.hidden = 0 OR :all) AND {cond} AND :k = :k
         ORDER BY m.id {order} LIMIT :n"
    );
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(
        named_params! {":t": thread_id, ":all": with_hidden, ":k": key, ":n": limit},
        message_row,
    )?;
    let mut list: Vec<Message> = rows.collect::<rusqlite::Result<_>>()?;
    if order == "DESC" {
        list.reverse();
    }
    Ok(list)
}

/// Whether a thread has a message (shown to this viewer) before, or after, an id.
pub fn has_message(
    c: &Connection,
    thread_id: i64,
    with_hidden: bool,
    before: bool,
    id: i64,
) -> rusqlite::Result<bool> {
    let cond = if before { "id < :k" } else { "id > :k" };
    c.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM channel_messages WHERE thread_id = :t AND {cond}
            AND (hidden = 0 OR :all))"
    ))?
    .query_row(
        named_params! {":t": thread_id, ":k": id, ":all": with_hidden},
        |r| r.get(0),
    )
}

/// Replaces a message's text (already masked).
pub fn edit_message(c: &Connection, id: i64, body: &str, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE channel_messages SET body = :b, edited_at = :now WHERE id = :id")?
        .execute(named_params! {":id": id, ":b": body, ":now": now})?;
    Ok(())
}

/// Deletes a message and keeps its thread's counters; a thread left without any message goes
/// with it.
pub fn delete_message(c: &Connection, id: i64) -> rusqlite::Result<()> {
    let Some(tid) = c
        .prepare_cached("SELECT thread_id FROM channel_messages WHERE id = :id")?
        .query_row(named_params! {":id": id}, |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(());
    };
    c.prepare_cached("DELETE FROM channel_messages WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    let left = c
        .prepare_cached(
            "UPDATE channel_threads SET messages = max(messages - 1, 0),
                last_message_id = (SELECT max(id) FROM channel_messages WHERE thread_id = :t)
             WHERE id = :t RETURNING last_message_id",
        )?
        .query_row(named_params! {":t": tid}, |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten();
    if left.is_none() {
        c.prepare_cached("DELETE FROM channel_threads WHERE id = :t")?
            .execute(named_params! {":t": tid})?;
    }
    Ok(())
}
