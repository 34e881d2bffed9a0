//! The channels' writes in the crash harness (a child of `crash`, which it shares the ledger
//! and the writers with): the admin opens threads in a public channel and replies in them,
//! every message through the one posting path. After each restart: every acknowledged thread
//! and reply is there, and each thread's kept counter equals its messages (the counters and
//! the message commit together or not at all).

use super::*;

/// The channel the writers talk in.
pub(super) const CHANNEL: &str = "/c/crashcanal";

/// A thread whose opening was acknowledged, with its acknowledged replies (cycle, word).
#[derive(Clone)]
pub(super) struct ThreadLog {
    id: i64,
    word: String,
    cycle: usize,
    writer: usize,
    replies: Vec<(usize, String)>,
    /// Replies sent whose answer did not come (each may have been committed).
    sent: usize,
}

/// Creates [`CHANNEL`], public.
pub(super) fn crash_channel(admin: &Client) {
    let page = admin.get("/channels/new");
    let r = admin.post_form(
        "/channels/new",
        &page,
        &[
            ("name", "Crashcanal"),
            ("topic", ""),
            ("description", ""),
            ("visibility", "public"),
        ],
    );
    assert_eq!(r.location(), CHANNEL, "{}", r.body);
}

impl Writer {
    fn channel_token(&mut self) -> Result<String, Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        Ok(self.admin_csrf.clone().unwrap_or_default())
    }

    /// A thread in [`CHANNEL`], as the admin.
    pub(super) fn channel_thread(&mut self) -> Result<(), Cut> {
        let csrf = self.channel_token()?;
        let word = self.rng.word();
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("{CHANNEL}/threads")))
            .send_form(&[
                ("_csrf", &csrf),
                ("title", &format!("Crashfil {word}")),
                ("body", &format!("crashfil {word}")),
            ]);
        let prefix = format!("{CHANNEL}/t/");
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with(&prefix) => {
                let Ok(id) = location[prefix.len()..].parse() else {
                    return Err(format!("unexpected answer 303 {location} to a thread"));
                };
                let log = ThreadLog {
                    id,
                    word,
                    cycle: self.cycle,
                    writer: self.t,
                    replies: Vec::new(),
                    sent: 0,
                };
                self.shared.ledger.lock().unwrap().threads.push(log);
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to a thread: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// A reply in one of this writer's threads (a thread first when it has none).
    pub(super) fn channel_reply(&mut self) -> Result<(), Cut> {
        let target = {
            let mut l = self.shared.ledger.lock().unwrap();
            let mine: Vec<usize> = (0..l.threads.len())
                .filter(|i| l.threads[*i].writer == self.t)
                .collect();
            let pick = (!mine.is_empty()).then(|| mine[self.rng.below(mine.len() as u64) as usize]);
            if let Some(i) = pick {
                l.threads[i].sent += 1;
            }
            pick.map(|i| (i, l.threads[i].id))
        };
        let Some((index, id)) = target else {
            return self.channel_thread();
        };
        let csrf = self.channel_token()?;
        let word = self.rng.word();
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("{CHANNEL}/t/{id}")))
            .send_form(&[("_csrf", &csrf), ("body", &format!("crashreply {word}"))]);
        match outcome(r) {
            Outcome::Answered { status: 303, .. } => {
                let mut l = self.shared.ledger.lock().unwrap();
                let cycle = self.cycle;
                let t = &mut l.threads[index];
                t.replies.push((cycle, word));
                t.sent -= 1;
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to a reply in thread {id}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }
}

/// Checks the threads opened or replied to in `cycle`, or all of them.
pub(super) fn verify_threads(admin: &Client, ledger: &Ledger, cycle: Option<usize>) -> Vec<String> {
    let mut problems = Vec::new();
    let slug = &CHANNEL["/c/".len()..];
    for t in &ledger.threads {
        if cycle.is_some_and(|c| t.cycle != c && !t.replies.iter().any(|(rc, _)| *rc == c)) {
            continue;
        }
        let api = json(&admin.get(&format!(
            "/api/v1/channels/{slug}/threads/{}/messages",
            t.id
        )));
        let Some(items) = api["items"].as_array() else {
            problems.push(format!(
                "thread {} ({}, cycle {}) is missing: {api}",
                t.id, t.word, t.cycle
            ));
            continue;
        };
        let bodies: Vec<&str> = items.iter().filter_map(|m| m["body"].as_str()).collect();
        if !bodies.iter().any(|b| b.contains(&t.word)) {
            problems.push(format!(
                "thread {} lost its first message ({})",
                t.id, t.word
            ));
        }
        for (c, w) in &t.replies {
            if !bodies.iter().any(|b| b.contains(w.as_str())) {
                problems.push(format!(
                    "thread {}: the reply {w} acknowledged in cycle {c} is missing",
                    t.id
                ));
            }
        }
        let n = items.len();
        let acked = 1 + t.replies.len();
        if n < acked || n > acked + t.sent {
            problems.push(format!(
                "thread {}: {n} messages, {acked} acknowledged, {} sent since",
                t.id, t.sent
            ));
        }
        let page = admin.get(&format!("{CHANNEL}/t/{}", t.id));
        let counted = format!("{n} message(s)");
        if !page.body.contains(&counted) {
            problems.push(format!(
                "thread {}: the kept counter does not say {counted}",
                t.id
            ));
        }
    }
    problems
}

/// The line the harness prints at the end.
pub(super) fn summary(l: &Ledger) -> String {
    let replies: usize = l.threads.iter().map(|t| t.replies.len()).sum();
    format!(
        "{} threads and {replies} replies acknowledged, all present, counters exact",
        l.threads.len()
    )
}
