//! The channels' notifications: each person's choice for mentions and for followed threads
//! (immediate mail, daily digest, none), the marks [`on_message`] writes in the message's own
//! transaction (immediate mails and webhook deliveries), the mails' text, and the per-person
//! token of the one-click unsubscribe (RFC 8058).
//!
//! Defaults, as Zulip and Discourse do: a mention is mailed at once; new messages in followed
//! threads come in the daily digest.

use std::sync::atomic::{AtomicBool, Ordering};

use hmac::{Hmac, Mac};
use rusqlite::Connection;
use sha2::Sha256;

use super::store::{hooks, notify};
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::web::forms::FormErrors;

/// How a person hears of something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Immediate,
    Digest,
    None,
}

impl Choice {
    /// Every choice, in the form's order.
    pub const ALL: [Choice; 3] = [Choice::Immediate, Choice::Digest, Choice::None];

    /// The stored (and form) value.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Immediate => "immediate",
            Choice::Digest => "digest",
            Choice::None => "none",
        }
    }

    /// Parses the stored (or form) value.
    pub fn parse(s: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The translation key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            Choice::Immediate => "channels.notify.choice_immediate",
            Choice::Digest => "channels.notify.choice_digest",
            Choice::None => "channels.notify.choice_none",
        }
    }
}

/// A person's choice for each kind of news.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefs {
    /// Messages that mention them.
    pub mentions: Choice,
    /// New messages in threads they follow.
    pub follows: Choice,
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            mentions: Choice::Immediate,
            follows: Choice::Digest,
        }
    }
}

/// What the form sent back (kept as typed on a 422).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PrefsForm {
    pub mentions: String,
    pub follows: String,
}

impl PrefsForm {
    /// The form showing a saved choice.
    pub fn of(p: Prefs) -> PrefsForm {
        PrefsForm {
            mentions: p.mentions.as_str().into(),
            follows: p.follows.as_str().into(),
        }
    }

    /// The choice, or the errors.
    pub fn parse(&self, e: &mut FormErrors) -> Option<Prefs> {
        let mentions = Choice::parse(&self.mentions);
        let follows = Choice::parse(&self.follows);
        e.check(
            mentions.is_none(),
            "mentions",
            "channels.notify.invalid_choice",
        );
        e.check(
            follows.is_none(),
            "follows",
            "channels.notify.invalid_choice",
        );
        Some(Prefs {
            mentions: mentions?,
            follows: follows?,
        })
    }
}

static WOKEN: AtomicBool = AtomicBool::new(false);

/// Whether a message asked the task to run (and forgets the asking).
pub fn take_wake() -> bool {
    WOKEN.swap(false, Ordering::SeqCst)
}

/// THE hook of the posting path, inside the message's write transaction: marks the immediate
/// mails (mentioned people and followers who chose them, never the author, only people who
/// may read the channel) and, for a person's message, one delivery per outgoing webhook of
/// the channel (a tool's message is not sent back out, so two tools never loop). The task,
/// woken here, sends them after the commit.
pub fn on_message(
    c: &Connection,
    message_id: i64,
    thread_id: i64,
    author_id: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    let mut n = notify::queue_immediate(c, message_id, thread_id, author_id, now)?;
    if author_id.is_some() {
        n += hooks::queue_deliveries(c, message_id, thread_id, now)?;
    }
    if n > 0 {
        WOKEN.store(true, Ordering::SeqCst);
    }
    Ok(())
}

/// A person's unsubscribe token: their id and an HMAC of it with the instance's secret, so
/// nothing is stored and a link in any mail keeps working.
pub fn token(secret: &[u8], uid: i64) -> String {
    format!("{uid}-{}", &mac(secret, uid)[..32])
}

fn mac(secret: &[u8], uid: i64) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    m.update(b"channels-notify:");
    m.update(uid.to_string().as_bytes());
    crate::auth::hex(&m.finalize().into_bytes())
}

/// The person a token was made for, if it is genuine (compared in constant time).
pub fn check_token(secret: &[u8], text: &str) -> Option<i64> {
    let (id, _) = text.split_once('-')?;
    let uid: i64 = id.parse().ok()?;
    let expected = token(secret, uid);
    let same = expected.len() == text.len()
        && expected
            .bytes()
            .zip(text.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then_some(uid)
}

/// The one-click unsubscribe address of a token.
pub fn unsubscribe_url(base: &str, token: &str) -> String {
    format!("{base}/channels/u/{token}")
}

/// A message's address.
pub fn message_url(base: &str, it: &notify::Item) -> String {
    format!(
        "{base}/c/{}/t/{}?m={}#m{}",
        it.channel_slug, it.thread_id, it.message_id, it.message_id
    )
}

/// The start of a text, at most `n` characters.
pub fn excerpt(text: &str, n: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= n {
        return t.to_string();
    }
    let mut s: String = t.chars().take(n).collect();
    s.push('…');
    s
}

/// The footer of every notification: where to choose, and the unsubscribe link.
fn footer(lang: Lang, base: &str, unsubscribe: &str) -> String {
    lang.tf(
        "channels.notify.footer",
        &[
            ("prefs", &format!("{base}/account/notifications")),
            ("unsubscribe", unsubscribe),
        ],
    )
}

/// The mail of one message (a mention, or a followed thread's news).
pub fn immediate_mail(
    to: String,
    lang: Lang,
    base: &str,
    it: &notify::Item,
    unsubscribe: &str,
) -> Mail {
    let subject_key = if it.reason == "mention" {
        "channels.notify.mention_subject"
    } else {
        "channels.notify.follow_subject"
    };
    let subject = lang.tf(
        subject_key,
        &[("author", &it.author), ("thread", &it.thread_title)],
    );
    let text = format!(
        "{}\n\n{}",
        lang.tf(
            "channels.notify.mail_body",
            &[
                ("author", &it.author),
                ("channel", &it.channel_name),
                ("thread", &it.thread_title),
                ("text", &excerpt(&it.body, 2000)),
                ("url", &message_url(base, it)),
            ],
        ),
        footer(lang, base, unsubscribe)
    );
    Mail::new(to, subject, text)
}

/// The daily digest: each message with its thread, author, start and address.
pub fn digest_mail(
    to: String,
    lang: Lang,
    site: &str,
    base: &str,
    items: &[notify::Item],
    unsubscribe: &str,
) -> Mail {
    let mut list = String::new();
    for it in items {
        let mention = if it.reason == "mention" {
            format!(" {}", lang.t("channels.notify.digest_mention"))
        } else {
            String::new()
        };
        list.push_str(&format!(
            "* {} › {} — {}{mention}\n  {}\n  {}\n\n",
            it.channel_name,
            it.thread_title,
            it.author,
            excerpt(&it.body, 200).replace('\n', " "),
            message_url(base, it)
        ));
    }
    let subject = lang.tf("channels.notify.digest_subject", &[("site", site)]);
    let text = format!(
        "{}\n\n{}",
        lang.tf("channels.notify.digest_body", &[("list", list.trim_end())]),
        footer(lang, base, unsubscribe)
    );
    Mail::new(to, subject, text)
}

#[cfg(test)]
mod tests {
    use super::{check_token, excerpt, token, Choice};

    #[test]
    fn tokens_name_their_person_and_nobody_else() {
        let t = token(b"secret", 42);
        assert_eq!(check_token(b"secret", &t), Some(42));
        assert_eq!(check_token(b"other", &t), None);
        assert_eq!(check_token(b"secret", &t.replacen("42", "43", 1)), None);
        assert_eq!(check_token(b"secret", "x"), None);
    }

    #[test]
    fn choices_and_excerpts() {
        assert_eq!(Choice::parse("digest"), Some(Choice::Digest));
        assert_eq!(Choice::parse("weekly"), None);
        assert_eq!(excerpt("  abc ", 5), "abc");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
