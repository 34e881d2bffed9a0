//! SQL of the notifications: each person's choice, the immediate mails marked with the
//! message (channel_notify_queue), the daily digest's content and progress, and the
//! person's part of "download my data".

use rusqlite::{named_params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use crate::channels::notify::{Choice, Prefs};

/// Whether the account `u` may read the channel `ch` (the rules of `channels::powers`, for
/// a person who is not the viewer): public and residents' channels for every account, a
/// members' channel for the page's active members and the site's admins; a channel of a
/// members-only page for its members and the site's admins. Only confirmed addresses.
const MAY_READ: &str = "u.email_confirmed_at IS NOT NULL
    AND (u.role = 'admin'
         OR EXISTS (SELECT 1 FROM memberships mb WHERE mb.actor_id = ch.actor_id
                    AND mb.user_id = u.id AND mb.status = 'active')
         OR (ch.visibility <> 'members'
             AND (ch.actor_id IS NULL OR EXISTS (SELECT 1 FROM actors a
                  WHERE a.id = ch.actor_id AND a.visibility = 'public'))))";

/// A person's choice (the defaults when they never chose).
pub fn prefs(c: &Connection, uid: i64) -> rusqlite::Result<Prefs> {
    let row = c
        .prepare_cached("SELECT mentions, follows FROM channel_notify_prefs WHERE user_id = :u")?
        .query_row(named_params! {":u": uid}, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?;
    Ok(match row {
        Some((m, f)) => Prefs {
            mentions: Choice::parse(&m).unwrap_or(Choice::None),
            follows: Choice::parse(&f).unwrap_or(Choice::None),
        },
        None => Prefs::default(),
    })
}

/// Saves a person's choice.
pub fn set_prefs(c: &Connection, uid: i64, p: Prefs, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO channel_notify_prefs (user_id, mentions, follows, updated_at)
         VALUES (:u, :m, :f, :now)
         ON CONFLICT (user_id) DO UPDATE SET mentions = :m, follows = :f, updated_at = :now",
    )?
    .execute(named_params! {
        ":u": uid, ":m": p.mentions.as_str(), ":f": p.follows.as_str(), ":now": now,
    })?;
    Ok(())
}

/// Marks the immediate mails a new message causes: the people it mentions who chose
/// immediate mail for mentions, then the thread's followers who chose it for followed
/// threads; never its author, only people who may read the channel. Returns how many.
pub fn queue_immediate(
    c: &Connection,
    message_id: i64,
    thread_id: i64,
    author: Option<i64>,
    now: i64,
) -> rusqlite::Result<usize> {
    let mentions = c
        .prepare_cached(&format!(
            "INSERT OR IGNORE INTO channel_notify_queue (user_id, message_id, reason, created_at)
             SELECT u.id, :m, 'mention', :now FROM channel_mentions mn
             JOIN users u ON u.id = mn.user_id
             JOIN channel_threads t ON t.id = :t JOIN channels ch ON ch.id = t.channel_id
             LEFT JOIN channel_notify_prefs p ON p.user_id = u.id
             WHERE mn.message_id = :m AND u.id IS NOT :a
               AND COALESCE(p.mentions, 'immediate') = 'immediate' AND {MAY_READ}"
        ))?
        .execute(named_params! {":m": message_id, ":t": thread_id, ":a": author, ":now": now})?;
    let follows = c
        .prepare_cached(&format!(
            "INSERT OR IGNORE INTO channel_notify_queue (user_id, message_id, reason, created_at)
             SELECT u.id, :m, 'follow', :now FROM channel_follows f
             JOIN users u ON u.id = f.user_id
             JOIN channel_threads t ON t.id = f.thread_id JOIN channels ch ON ch.id = t.channel_id
             LEFT JOIN channel_notify_prefs p ON p.user_id = u.id
             WHERE f.thread_id = :t AND u.id IS NOT :a
               AND COALESCE(p.follows, 'digest') = 'immediate' AND {MAY_READ}"
        ))?
        .execute(named_params! {":m": message_id, ":t": thread_id, ":a": author, ":now": now})?;
    Ok(mentions + follows)
}

/// A message as a notification tells it.
#[derive(Clone, Debug)]
pub struct Item {
    pub message_id: i64,
    /// 'mention' or 'follow'.
    pub reason: String,
    pub channel_slug: String,
    pub channel_name: String,
    pub thread_id: i64,
    pub thread_title: String,
    pub author: String,
    pub body: String,
}

/// A mail to write: who gets it and what.
#[derive(Clone, Debug)]
pub struct Pending {
    pub queue_id: i64,
    pub user_id: i64,
    pub email: String,
    pub lang: Option<String>,
    pub item: Item,
}

const ITEM: &str = "m.id, ch.slug, ch.name, t.id, t.title,
    COALESCE(au.name, m.author_label), m.body";

fn item_row(r: &Row, at: usize, reason: String) -> rusqlite::Result<Item> {
    Ok(Item {
        message_id: r.get(at)?,
        reason,
        channel_slug: r.get(at + 1)?,
        channel_name: r.get(at + 2)?,
        thread_id: r.get(at + 3)?,
        thread_title: r.get(at + 4)?,
        author: r.get(at + 5)?,
        body: r.get(at + 6)?,
    })
}

/// The immediate mails waiting, oldest first (hidden messages and threads are dropped by
/// [`take_immediate`] without a mail).
pub fn pending_immediate(c: &Connection, limit: i64) -> rusqlite::Result<Vec<(Pending, bool)>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT q.id, q.user_id, u.email, u.lang, q.reason, m.hidden OR t.hidden, {ITEM}
         FROM channel_notify_queue q JOIN users u ON u.id = q.user_id
         JOIN channel_messages m ON m.id = q.message_id
         JOIN channel_threads t ON t.id = m.thread_id JOIN channels ch ON ch.id = t.channel_id
         LEFT JOIN users au ON au.id = m.author_id
         ORDER BY q.id LIMIT :n"
    ))?;
    let rows = st.query_map(named_params! {":n": limit}, |r| {
        let p = Pending {
            queue_id: r.get(0)?,
            user_id: r.get(1)?,
            email: r.get(2)?,
            lang: r.get(3)?,
            item: item_row(r, 6, r.get(4)?)?,
        };
        Ok((p, r.get::<_, bool>(5)?))
    })?;
    rows.collect()
}

/// Takes a mark (in the transaction that files its mail); false when another run took it.
pub fn take_immediate(c: &Connection, queue_id: i64) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached("DELETE FROM channel_notify_queue WHERE id = :id")?
        .execute(named_params! {":id": queue_id})?;
    Ok(n > 0)
}

/// The people due a digest on `day` (local YYYY-MM-DD): not sent one that day, and a
/// message they may want listed (a followed thread with a message after what they saw and
/// after their last digest, or a mention for those who chose the digest for mentions).
pub fn digests_due(c: &Connection, day: &str, limit: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT u.id FROM users u LEFT JOIN channel_notify_prefs p ON p.user_id = u.id
         WHERE u.email_confirmed_at IS NOT NULL AND COALESCE(p.digest_day, '') <> :day
           AND ((COALESCE(p.follows, 'digest') = 'digest' AND EXISTS (
                    SELECT 1 FROM channel_follows f JOIN channel_threads t ON t.id = f.thread_id
                    WHERE f.user_id = u.id AND t.hidden = 0
                      AND t.last_message_id > max(f.seen_id, COALESCE(p.digest_upto, 0))))
             OR (p.mentions = 'digest' AND EXISTS (SELECT 1 FROM channel_mentions mn
                    WHERE mn.user_id = u.id AND mn.message_id > p.digest_upto)))
         ORDER BY u.id LIMIT :n",
    )?;
    let rows = st.query_map(named_params! {":day": day, ":n": limit}, |r| r.get(0))?;
    rows.collect()
}

/// What a person's digest lists: the messages of others after their last digest, in the
/// threads they follow (after what they saw) and, when they chose the digest for mentions,
/// the messages mentioning them; only what they may still read, at most `limit`, oldest
/// first. Also the highest message id considered (the digest's new mark).
pub fn digest_items(c: &Connection, uid: i64, limit: i64) -> rusqlite::Result<(Vec<Item>, i64)> {
    let Prefs { mentions, follows } = prefs(c, uid)?;
    let upto: i64 = c
        .prepare_cached("SELECT digest_upto FROM channel_notify_prefs WHERE user_id = :u")?
        .query_row(named_params! {":u": uid}, |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let mut st = c.prepare_cached(&format!(
        "SELECT reason, {ITEM} FROM (
            SELECT 'follow' AS reason, m.id AS mid FROM channel_follows f
            JOIN channel_messages m ON m.thread_id = f.thread_id
            WHERE :follows AND f.user_id = :u AND m.id > max(f.seen_id, :upto)
              AND m.author_id IS NOT :u
            UNION ALL
            SELECT 'mention', mn.message_id FROM channel_mentions mn
            WHERE :mentions AND mn.user_id = :u AND mn.message_id > :upto
         ) x JOIN channel_messages m ON m.id = x.mid
         JOIN channel_threads t ON t.id = m.thread_id JOIN channels ch ON ch.id = t.channel_id
         JOIN users u ON u.id = :u LEFT JOIN users au ON au.id = m.author_id
         WHERE m.hidden = 0 AND t.hidden = 0 AND {MAY_READ}
         ORDER BY m.id, reason DESC LIMIT :n"
    ))?;
    let rows = st.query_map(
        named_params! {
            ":u": uid, ":upto": upto, ":n": limit,
            ":follows": follows == Choice::Digest, ":mentions": mentions == Choice::Digest,
        },
        |r| item_row(r, 1, r.get(0)?),
    )?;
    let mut items: Vec<Item> = Vec::new();
    for it in rows {
        let it = it?;
        // A mention in a followed thread is listed once, as a mention.
        if items.last().is_some_and(|l| l.message_id == it.message_id) {
            continue;
        }
        items.push(it);
    }
    let top: i64 = c
        .prepare_cached("SELECT COALESCE(max(id), 0) FROM channel_messages")?
        .query_row([], |r| r.get(0))?;
    let upto = match items.last() {
        Some(last) if items.len() as i64 >= limit => last.message_id,
        _ => top,
    };
    Ok((items, upto))
}

/// Records a digest (in the transaction that files its mail): the day, the time and the
/// latest message it covered; with `day` None, only moves the mark past messages that had
/// nothing to list (the person's own), without counting a digest.
pub fn mark_digest(
    c: &Connection,
    uid: i64,
    upto: i64,
    day: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO channel_notify_prefs (user_id, digest_upto, digest_day, digest_at, updated_at)
         VALUES (:u, :upto, COALESCE(:day, ''), CASE WHEN :day IS NULL THEN NULL ELSE :now END, :now)
         ON CONFLICT (user_id) DO UPDATE SET digest_upto = max(digest_upto, :upto),
            digest_day = COALESCE(:day, digest_day),
            digest_at = CASE WHEN :day IS NULL THEN digest_at ELSE :now END",
    )?
    .execute(named_params! {":u": uid, ":upto": upto, ":day": day, ":now": now})?;
    Ok(())
}

/// A person's address and language (for a digest).
pub fn recipient(c: &Connection, uid: i64) -> rusqlite::Result<Option<(String, Option<String>)>> {
    c.prepare_cached("SELECT email, lang FROM users WHERE id = :u")?
        .query_row(named_params! {":u": uid}, |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// A person's part of "download my data": their choice and their last digest.
pub fn personal_data(c: &Connection, uid: i64) -> rusqlite::Result<Value> {
    let p = prefs(c, uid)?;
    let last: Option<i64> = c
        .prepare_cached("SELECT digest_at FROM channel_notify_prefs WHERE user_id = :u")?
        .query_row(named_params! {":u": uid}, |r| r.get(0))
        .optional()?
        .flatten();
    Ok(json!({
        "mentions": p.mentions.as_str(),
        "followed_threads": p.follows.as_str(),
        "last_digest_at": last,
    }))
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::{digest_items, mark_digest, pending_immediate, set_prefs, take_immediate};
    use crate::channels::notify::{Choice, Prefs};
    use crate::channels::post::{message, NewMessage};
    use crate::channels::store::hooks;
    use crate::i18n::Lang;

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut c).unwrap();
        for (id, name) in [(1, "Ana"), (2, "Bob"), (3, "Chloé")] {
            c.execute(
                "INSERT INTO users (id, email, name, password_hash, email_confirmed_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'x', 0, 0, 0)",
                rusqlite::params![id, format!("u{id}@village.test"), name],
            )
            .unwrap();
        }
        c.execute_batch(
            "INSERT INTO actors (id, slug, kind, type, name, created_at, updated_at)
                 VALUES (1, 'jardins', 'organisation', 'association', 'Jardins', 0, 0);
             INSERT INTO memberships (actor_id, user_id, created_at) VALUES (1, 1, 0), (1, 2, 0);
             INSERT INTO channels (id, actor_id, slug, name, visibility, created_at, updated_at, last_activity_at)
                 VALUES (1, 1, 'bureau', 'Bureau', 'members', 0, 0, 0);
             INSERT INTO channel_threads (id, channel_id, title, last_activity_at, created_at)
                 VALUES (1, 1, 'Budget', 0, 0);
             INSERT INTO channel_follows (thread_id, user_id, created_at) VALUES (1, 2, 0), (1, 3, 0);",
        )
        .unwrap();
        c
    }

    fn post(c: &Connection, author: Option<i64>, body: &str) -> i64 {
        let new = NewMessage {
            thread_id: 1,
            author_id: author,
            author_label: if author.is_none() {
                "Outil".into()
            } else {
                String::new()
            },
            body: body.into(),
        };
        message(c, Lang::Fr, new, 10).unwrap().id
    }

    #[test]
    fn immediate_mails_go_to_those_who_chose_them_and_may_read() {
        let c = db();
        let all = Prefs {
            mentions: Choice::Immediate,
            follows: Choice::Immediate,
        };
        for u in [2, 3] {
            set_prefs(&c, u, all, 0).unwrap();
        }
        hooks::create_outgoing(&c, 1, "Outil", "https://outil.example/h", "s", 1, 0).unwrap();
        let m = post(&c, Some(1), "Le budget est prêt, @Bob et @Chloé.");
        let pending = pending_immediate(&c, 10).unwrap();
        // Chloé follows and is named, but may not read a members' channel.
        let to: Vec<(i64, &str)> = pending
            .iter()
            .map(|(p, _)| (p.user_id, p.item.reason.as_str()))
            .collect();
        assert_eq!(to, vec![(2, "mention")]);
        assert!(take_immediate(&c, pending[0].0.queue_id).unwrap());
        assert!(
            !take_immediate(&c, pending[0].0.queue_id).unwrap(),
            "taken once"
        );
        let claimed = hooks::claim(&c, 10, 10, 12).unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(
            (claimed[0].message_id, claimed[0].url.as_str()),
            (m, "https://outil.example/h")
        );
        assert!(
            hooks::claim(&c, 10, 10, 12).unwrap().is_empty(),
            "claimed for a minute"
        );
        // A tool's message is not sent back out.
        post(&c, None, "Rappel automatique");
        assert!(hooks::claim(&c, 10_000, 10, 12)
            .unwrap()
            .iter()
            .all(|d| d.message_id == m));
    }

    #[test]
    fn a_digest_lists_news_once() {
        let c = db();
        post(&c, Some(2), "Ma question.");
        let answer = post(&c, Some(1), "La réponse.");
        let (items, upto) = digest_items(&c, 2, 50).unwrap();
        let listed: Vec<i64> = items.iter().map(|i| i.message_id).collect();
        assert_eq!(listed, vec![answer], "his own message is not listed");
        mark_digest(&c, 2, upto, Some("2026-12-08"), 20).unwrap();
        assert!(digest_items(&c, 2, 50).unwrap().0.is_empty());
        assert!(!super::digests_due(&c, "2026-12-08", 10)
            .unwrap()
            .contains(&2));
    }
}
