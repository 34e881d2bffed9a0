//! Every SQL statement about conversations: threads, messages, their relay state, blocks.

use rusqlite::{named_params, Connection, OptionalExtension};

/// A thread between a post's author and one person who replied.
#[derive(Clone, Debug)]
pub struct Conversation {
    pub id: i64,
    pub post_id: i64,
    pub post_title: String,
    pub author_id: i64,
    pub author_name: String,
    pub replier_id: i64,
    pub replier_name: String,
    pub closed: bool,
    pub created_at: i64,
    /// The last message's time (or the creation's).
    pub last_at: i64,
}

impl Conversation {
    /// Whether the user is one of the two people.
    pub fn involves(&self, user_id: i64) -> bool {
        self.author_id == user_id || self.replier_id == user_id
    }

    /// The other person: `(id, name)`.
    pub fn other(&self, user_id: i64) -> (i64, &str) {
        if user_id == self.author_id {
            (self.replier_id, &self.replier_name)
        } else {
            (self.author_id, &self.author_name)
        }
    }

    /// The page of the thread.
    pub fn url(&self) -> String {
        format!("/aid/conversations/{}", self.id)
    }
}

/// One message.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: i64,
    pub sender_id: i64,
    pub body: String,
    pub created_at: i64,
}

const SELECT: &str = "SELECT c.id, c.post_id, p.title, p.author_id, au.name, c.replier_id, ru.name,
        c.closed_at, c.created_at,
        COALESCE((SELECT MAX(m.created_at) FROM aid_messages m WHERE m.conversation_id = c.id), c.created_at)
    FROM aid_conversations c JOIN aid_posts p ON p.id = c.post_id
    JOIN users au ON au.id = p.author_id JOIN users ru ON ru.id = c.replier_id";

fn conversation(r: &rusqlite::Row) -> rusqlite::Result<Conversation> {
    Ok(Conversation {
        id: r.get(0)?,
        post_id: r.get(1)?,
        post_title: r.get(2)?,
        author_id: r.get(3)?,
        author_name: r.get(4)?,
        replier_id: r.get(5)?,
        replier_name: r.get(6)?,
        closed: r.get::<_, Option<i64>>(7)?.is_some(),
        created_at: r.get(8)?,
        last_at: r.get(9)?,
    })
}

/// The thread of a replier on a post, created if needed; returns its id.
pub fn open_conversation(
    conn: &Connection,
    post_id: i64,
    replier_id: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO aid_conversations (post_id, replier_id, created_at) VALUES (:p, :u, :now)
         ON CONFLICT (post_id, replier_id) DO UPDATE SET post_id = excluded.post_id
         RETURNING id",
        named_params! {":p": post_id, ":u": replier_id, ":now": now},
        |r| r.get(0),
    )
}

/// A thread by id.
pub fn conversation_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Conversation>> {
    conn.query_row(
        &format!("{SELECT} WHERE c.id = :id"),
        named_params! {":id": id},
        conversation,
    )
    .optional()
}

/// The threads a person is in, latest activity first.
pub fn conversations_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Conversation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE c.replier_id = :u OR p.author_id = :u ORDER BY 10 DESC, c.id DESC"
    ))?;
    let rows = stmt.query_map(named_params! {":u": user_id}, conversation)?;
    rows.collect()
}

/// The messages of a thread, oldest first.
pub fn messages_of(conn: &Connection, conversation_id: i64) -> rusqlite::Result<Vec<Message>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, sender_id, body, created_at FROM aid_messages
         WHERE conversation_id = :c ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map(named_params! {":c": conversation_id}, |r| {
        Ok(Message {
            id: r.get(0)?,
            sender_id: r.get(1)?,
            body: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// Stores a message, to be relayed by the background task; returns its id.
pub fn add_message(
    conn: &Connection,
    conversation_id: i64,
    sender_id: i64,
    body: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO aid_messages (conversation_id, sender_id, body, created_at)
         VALUES (:c, :s, :b, :now) RETURNING id",
        named_params! {":c": conversation_id, ":s": sender_id, ":b": body, ":now": now},
        |r| r.get(0),
    )
}

/// Closes a thread (its post's author): no more messages.
pub fn close_conversation(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_conversations SET closed_at = COALESCE(closed_at, :now) WHERE id = :id",
        named_params! {":id": id, ":now": now},
    )?;
    Ok(())
}

/// `blocker` no longer accepts messages from `blocked`.
pub fn block(conn: &Connection, blocker: i64, blocked: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO aid_blocks (blocker_id, blocked_id, created_at) VALUES (:a, :b, :now)",
        named_params! {":a": blocker, ":b": blocked, ":now": now},
    )?;
    Ok(())
}

/// Whether either person blocked the other.
pub fn blocked_between(conn: &Connection, a: i64, b: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM aid_blocks
            WHERE (blocker_id = :a AND blocked_id = :b) OR (blocker_id = :b AND blocked_id = :a))",
        named_params! {":a": a, ":b": b},
        |r| r.get(0),
    )
}

/// A message waiting for its relay mail: the recipient's address and language, the sender's
/// display name, the post's title and the thread. The sender's address is not read at all.
#[derive(Clone, Debug)]
pub struct Pending {
    pub message_id: i64,
    pub conversation_id: i64,
    pub to_email: String,
    pub to_lang: Option<String>,
    pub from_name: String,
    pub post_title: String,
    pub body: String,
}

/// Messages not relayed yet, oldest first (at most `limit`).
pub fn pending_relays(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<Pending>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, c.id, rcpt.email, rcpt.lang, snd.name, p.title, m.body
         FROM aid_messages m JOIN aid_conversations c ON c.id = m.conversation_id
         JOIN aid_posts p ON p.id = c.post_id
         JOIN users snd ON snd.id = m.sender_id
         JOIN users rcpt ON rcpt.id = CASE WHEN m.sender_id = p.author_id THEN c.replier_id ELSE p.author_id END
         WHERE m.relayed_at IS NULL ORDER BY m.id LIMIT :limit",
    )?;
    let rows = stmt.query_map(named_params! {":limit": limit}, |r| {
        Ok(Pending {
            message_id: r.get(0)?,
            conversation_id: r.get(1)?,
            to_email: r.get(2)?,
            to_lang: r.get(3)?,
            from_name: r.get(4)?,
            post_title: r.get(5)?,
            body: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Records that a message's relay mail went out.
pub fn mark_relayed(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_messages SET relayed_at = :now WHERE id = :id",
        named_params! {":id": message_id, ":now": now},
    )?;
    Ok(())
}

/// Every message a person wrote, with its thread ("download my data").
pub fn messages_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<(i64, Message)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT conversation_id, id, sender_id, body, created_at FROM aid_messages
         WHERE sender_id = :u ORDER BY created_at",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        Ok((
            r.get(0)?,
            Message {
                id: r.get(1)?,
                sender_id: r.get(2)?,
                body: r.get(3)?,
                created_at: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}
