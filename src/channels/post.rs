//! THE posting path: every message of every channel, whoever writes it (the thread and reply
//! forms, and any later writer such as an incoming webhook), is written by [`message`] inside
//! the caller's write transaction. It masks personal data (the original filed aside), keeps
//! the thread's and the channel's counters, resolves `@name` mentions into `channel_mentions`
//! and makes the author follow the thread (`channel_follows`), all in that one transaction:
//! what the notifications read is committed with the message or not at all.

use rusqlite::Connection;

use super::store;
use super::MAX_MENTIONS;
use crate::i18n::Lang;
use crate::personal_data::masking::Masking;

/// A message to write.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub thread_id: i64,
    /// The account that writes; `None` for a tool (then `author_label` names it).
    pub author_id: Option<i64>,
    pub author_label: String,
    /// Markdown as typed; masked here.
    pub body: String,
}

/// What [`message`] wrote.
#[derive(Clone, Copy, Debug)]
pub struct Posted {
    /// The new message's id.
    pub id: i64,
    /// Whether personal data was masked (the author is told).
    pub masked: bool,
}

/// Writes one message in its thread; `lang` is the instance's default language (masking).
pub fn message(c: &Connection, lang: Lang, new: NewMessage, now: i64) -> rusqlite::Result<Posted> {
    let mut body = new.body;
    let mut m = Masking::new(lang);
    m.field("body", &mut body);
    let id = store::insert_message(
        c,
        new.thread_id,
        new.author_id,
        &new.author_label,
        &body,
        now,
    )?;
    m.keep(c, "channel_message", id, new.author_id, now)?;
    let names = mentioned(&body);
    if !names.is_empty() {
        store::add_mentions(c, id, new.thread_id, new.author_id, &names)?;
    }
    if let Some(uid) = new.author_id {
        store::follow(c, new.thread_id, uid, now)?;
        store::mark_seen(c, new.thread_id, uid, id)?;
    }
    super::notify::on_message(c, id, new.thread_id, new.author_id, now)?;
    Ok(Posted {
        id,
        masked: m.found(),
    })
}

/// Opens a thread with its first message; returns the thread's id and the message written.
pub fn thread(
    c: &Connection,
    lang: Lang,
    channel_id: i64,
    author_id: Option<i64>,
    author_label: &str,
    title: &str,
    body: String,
    now: i64,
) -> rusqlite::Result<(i64, Posted)> {
    let mut title = title.to_string();
    let mut m = Masking::new(lang);
    m.field("title", &mut title);
    let tid = store::insert_thread(c, channel_id, author_id, &title, now)?;
    m.keep(c, "channel_thread", tid, author_id, now)?;
    let new = NewMessage {
        thread_id: tid,
        author_id,
        author_label: author_label.to_string(),
        body,
    };
    let mut posted = message(c, lang, new, now)?;
    posted.masked |= m.found();
    Ok((tid, posted))
}

/// The names a text mentions: for each `@` starting a word, the next one, two and three words
/// (« @Ana », « @Ana Dupont »), with `_` read as a space (« @Ana_Dupont »); at most
/// [`MAX_MENTIONS`] mentions. Resolved against accounts' names by the store.
pub fn mentioned(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut seen = 0;
    for (i, ch) in chars.iter().enumerate() {
        if *ch != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '@')) {
            continue;
        }
        let rest: String = chars[i + 1..].iter().take(120).collect();
        let words: Vec<&str> = rest
            .split(|c: char| c.is_whitespace())
            .take(3)
            .map(|w| w.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')))
            .collect();
        let first = words.first().copied().unwrap_or("");
        if first.is_empty() || !first.chars().next().is_some_and(char::is_alphanumeric) {
            continue;
        }
        seen += 1;
        if seen > MAX_MENTIONS {
            break;
        }
        let mut name = String::new();
        for w in words.iter().take_while(|w| !w.is_empty()) {
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(&w.replace('_', " "));
            if !out.contains(&name) {
                out.push(name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::{mentioned, message, thread, NewMessage};
    use crate::channels::store;
    use crate::i18n::Lang;

    fn db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut c).unwrap();
        for (id, name) in [(1, "Ana"), (2, "Bob Martin"), (3, "Chloé")] {
            c.execute(
                "INSERT INTO users (id, email, name, password_hash, email_confirmed_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'x', 0, 0, 0)",
                rusqlite::params![id, format!("u{id}@village.test"), name],
            )
            .unwrap();
        }
        c.execute(
            "INSERT INTO channels (id, slug, name, visibility, created_at, updated_at, last_activity_at)
             VALUES (1, 'jardin', 'Jardin', 'public', 0, 0, 0)",
            [],
        )
        .unwrap();
        c
    }

    #[test]
    fn a_message_keeps_counters_mentions_follows_and_masks() {
        let c = db();
        let (tid, first) = thread(
            &c,
            Lang::Fr,
            1,
            Some(1),
            "",
            "Semis",
            "Qui a des graines ?".into(),
            10,
        )
        .unwrap();
        let new = NewMessage {
            thread_id: tid,
            author_id: Some(3),
            author_label: String::new(),
            body: "Moi ! @bob martin et @Ana, écrivez à chloe@example.org".into(),
        };
        let reply = message(&c, Lang::Fr, new, 20).unwrap();
        assert!(reply.masked && !first.masked);
        assert_eq!(store::mentions_of(&c, reply.id).unwrap(), vec![1, 2]);
        let t = store::thread(&c, tid).unwrap().unwrap();
        assert_eq!(
            (t.messages, t.last_message_id, t.last_activity_at),
            (2, Some(reply.id), 20)
        );
        assert!(store::following(&c, tid, 1).unwrap().is_some());
        assert_eq!(store::following(&c, tid, 3).unwrap(), Some(reply.id));
        let m = store::message(&c, reply.id).unwrap().unwrap();
        assert!(!m.body.contains("chloe@example.org"));
        store::delete_message(&c, reply.id).unwrap();
        store::delete_message(&c, first.id).unwrap();
        assert!(
            store::thread(&c, tid).unwrap().is_none(),
            "a thread without messages goes"
        );
    }

    #[test]
    fn mentions_are_words_after_an_at_sign_starting_a_word() {
        assert_eq!(
            mentioned("Merci @Ana, à demain"),
            vec!["Ana", "Ana à", "Ana à demain"]
        );
        assert!(mentioned("écrire à ana@example.org").is_empty());
        assert!(mentioned("@ seul").is_empty());
        assert_eq!(mentioned("@Jean_Luc !"), vec!["Jean Luc"]);
    }
}
