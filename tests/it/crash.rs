//! The crash harness (`make crash-test`; a short run in `make test`): cycles of concurrent
//! writers → `kill -9` at a random instant → `placette check` → restart → every write the
//! server acknowledged (its 2xx/3xx answer fully received) is there, and the search index
//! agrees with SQLite.
//!
//! `PLACETTE_CRASH_CYCLES` (default 20) sets the number of cycles, `PLACETTE_CRASH_SEED` the
//! seed of the kill instants and of the writers' choices (printed at the start, so that a
//! failing run can be replayed; the interleaving of threads is, of course, not replayable).
//!
//! A module that adds a write adds it here: a `Writer` method and its share of the dice in
//! `Writer::run`, a record in the `Ledger` once its answer is received, and a check in
//! `verify_cycle` / `verify_all` (the votes' are in `crash_votes.rs`, the channels' in
//! `crash_channels.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::*;

#[path = "crash_votes.rs"]
mod votes;

#[path = "crash_channels.rs"]
mod channels;

/// Concurrent writers per cycle.
const WRITERS: usize = 4;
/// The word every generated actor carries (name and tag): the search must find all of them.
const TAG: &str = "crashtest";
/// Marks the revision number inside a summary: `crashrev123x`.
const REV: &str = "crashrev";
/// The village centre of `setup_fields`.
const CENTRE: (f64, f64) = (47.35, -0.81);
/// How long the search index may take to catch up with SQLite after a restart.
const INDEX_CATCH_UP: Duration = Duration::from_secs(10);
/// Older actors re-checked at each cycle besides those written in it.
const SAMPLE: usize = 16;

/// splitmix64: small, seedable, good enough to pick instants and words.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A random lower-case word of 12 letters: unique in practice and far (in edit distance)
    /// from every other, so that the search's typo tolerance finds exactly its actor.
    pub(crate) fn word(&mut self) -> String {
        (0..12)
            .map(|_| (b'a' + self.below(26) as u8) as char)
            .collect()
    }
}

/// One version of an actor as sent to the server (creation or edit).
#[derive(Clone)]
struct Revision {
    /// The unique word of its summary (for a creation, also the word of the name).
    word: String,
    public: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Deletion {
    Live,
    /// Sent, answer not received: the actor may or may not be there.
    Sent,
    /// Acknowledged: the actor must be gone.
    Done,
}

/// What the clients know about one actor whose creation was acknowledged.
#[derive(Clone)]
struct ActorLog {
    name: String,
    name_word: String,
    lat: String,
    lon: String,
    created_cycle: usize,
    /// Every revision sent, acknowledged or not (an unacknowledged one may have been committed).
    attempts: BTreeMap<u64, Revision>,
    /// The last acknowledged revision: what is stored must be it or a later attempt.
    acked: u64,
    deletion: Deletion,
    /// The last cycle in which it was written.
    touched: usize,
}

/// Everything acknowledged so far, shared by the writers.
#[derive(Default)]
struct Ledger {
    actors: HashMap<String, ActorLog>,
    /// Slugs in creation order.
    order: Vec<String>,
    /// The live actors each writer may edit or delete (each actor has one writer: its edits
    /// are sequential, so "the last acknowledged revision" is well defined).
    owned: Vec<Vec<String>>,
    /// Acknowledged sign-ups: (cycle, email).
    signups: Vec<(usize, String)>,
    /// Acknowledged news posts (on the wall, as the admin), with their acknowledged comments.
    posts: Vec<NewsLog>,
    /// Acknowledged events (through the web form, as the admin), with their acknowledged RSVP.
    events: Vec<EventLog>,
    /// Acknowledged mutual aid posts (as the admin), with the neighbour's acknowledged replies.
    aid: Vec<AidLog>,
    /// Acknowledged room bookings of the room [`CRASH_ROOM`]: (cycle, day, start `HH:00`).
    bookings: Vec<(usize, String, String)>,
    /// Acknowledged sign-ups to the village newsletter: (cycle, email), in its consent ledger.
    list_signups: Vec<(usize, String)>,
    /// Acknowledged village proposals, with the admin's ballots on them.
    proposals: Vec<votes::ProposalLog>,
    /// Acknowledged threads of the crash channel, with their acknowledged replies.
    threads: Vec<channels::ThreadLog>,
    /// Answers no valid write should get, and transport errors before the kill.
    problems: Vec<String>,
    created: usize,
    edited: usize,
    deleted: usize,
}

/// A news post whose creation was acknowledged: its id, its word, its cycle, and the
/// acknowledged comments on it (cycle, word).
#[derive(Clone)]
struct NewsLog {
    id: i64,
    word: String,
    cycle: usize,
    comments: Vec<(usize, String)>,
}

/// An event whose creation was acknowledged: its slug, its word, its cycle, and the cycle in
/// which the admin's "going" was last acknowledged.
#[derive(Clone)]
struct EventLog {
    slug: String,
    word: String,
    cycle: usize,
    going: Option<usize>,
}

/// A mutual aid post whose creation was acknowledged: its id, its word, its cycle, and the
/// neighbour's acknowledged messages about it (cycle, word, conversation id).
#[derive(Clone)]
struct AidLog {
    id: i64,
    word: String,
    cycle: usize,
    messages: Vec<(usize, String, i64)>,
}

/// What the writer threads share.
struct Shared {
    ledger: Mutex<Ledger>,
    /// Set just before the kill: a transport error after it is the crash, before it a bug.
    killing: AtomicBool,
    /// Revision numbers, increasing over the whole run.
    revs: AtomicU64,
    /// Requests cut by the kill (sent, no complete answer).
    cut: AtomicUsize,
    token: String,
    admin: ureq::Agent,
    /// A signed-in resident who replies to the admin's mutual aid posts.
    neighbour: ureq::Agent,
    seed: u64,
}

/// The answer to a request, or why there was none.
pub(crate) enum Outcome {
    Answered {
        status: u16,
        location: String,
        body: String,
    },
    Cut(String),
}

pub(crate) fn outcome(r: Result<ureq::Response, ureq::Error>) -> Outcome {
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Outcome::Cut(e.to_string()),
    };
    let status = resp.status();
    let location = resp.header("location").unwrap_or("").to_string();
    // Acknowledged means the whole answer arrived, not just its status line.
    match resp.into_string() {
        Ok(body) => Outcome::Answered {
            status,
            location,
            body,
        },
        Err(e) => Outcome::Cut(format!("answer {status} cut: {e}")),
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(20))
        .build()
}

fn csrf_of(body: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = body.find(marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_string())
}

/// The revision number shown in a summary or page (`crashrev123x`).
fn rev_in(text: &str) -> Option<u64> {
    let start = text.find(REV)? + REV.len();
    let digits: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn summary(rev: u64, word: &str) -> String {
    format!("{TAG} {REV}{rev}x {word}")
}

/// One writer thread of one cycle.
struct Writer {
    shared: Arc<Shared>,
    base: String,
    t: usize,
    cycle: usize,
    rng: Rng,
    /// For the bearer-token API (no cookies needed).
    api: ureq::Agent,
    /// A visitor without an account, for sign-ups.
    anon: ureq::Agent,
    admin_csrf: Option<String>,
    signup_csrf: Option<String>,
}

/// A write whose answer did not come: the kill (or, before it, a server that died by itself).
type Cut = String;

impl Writer {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Random writes until the server dies under the writer.
    fn run(mut self) {
        for n in 1.. {
            let roll = self.rng.below(100);
            let mine = {
                let l = self.shared.ledger.lock().unwrap();
                let owned = &l.owned[self.t];
                (!owned.is_empty()).then(|| {
                    let slug = owned[self.rng.below(owned.len() as u64) as usize].clone();
                    (slug.clone(), l.actors[&slug].clone())
                })
            };
            let result = match (roll, mine) {
                (0..=17, _) => self.sign_up(n),
                (18..=47, Some((slug, log))) => self.edit(&slug, &log),
                (48..=52, Some((slug, _))) => self.delete(&slug),
                (53..=60, _) => self.news_post(),
                (61..=68, _) => self.news_comment(),
                (69..=76, _) => self.event(),
                (77..=80, _) => self.rsvp(),
                (81..=84, _) => self.aid_post(),
                (85..=87, _) => self.aid_message(),
                (88..=91, _) => self.room_booking(),
                (92..=93, _) => self.list_signup(n),
                (94, _) => self.proposal(),
                (95..=96, _) => self.ballot(),
                (97, _) => self.channel_thread(),
                (98, _) => self.channel_reply(),
                _ => self.create(),
            };
            let Err(e) = result else { continue };
            if self.shared.killing.load(Ordering::SeqCst) {
                self.shared.cut.fetch_add(1, Ordering::SeqCst);
                return;
            }
            // Not the kill: a valid write was refused, or the server died by itself.
            let unexpected = e.contains("unexpected answer");
            self.shared.ledger.lock().unwrap().problems.push(format!(
                "cycle {}, writer {}, before the kill: {e}",
                self.cycle, self.t
            ));
            if !unexpected {
                return;
            }
        }
    }

    /// The CSRF token of a page (the same for every form of the session or visitor).
    fn csrf(agent: &ureq::Agent, url: &str) -> Result<String, Cut> {
        match outcome(agent.get(url).call()) {
            Outcome::Answered { body, .. } => Ok(csrf_of(&body).unwrap_or_default()),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// Sign-up to the village newsletter through its form, as a visitor (double opt-in: the
    /// subscription and its consent row are committed, pending confirmation).
    fn list_signup(&mut self, n: u64) -> Result<(), Cut> {
        let (cycle, t) = (self.cycle, self.t);
        if self.signup_csrf.is_none() {
            self.signup_csrf = Some(Self::csrf(&self.anon, &self.url("/signup"))?);
        }
        let csrf = self.signup_csrf.clone().unwrap_or_default();
        let email = format!("lettre-{cycle}-{t}-{n}@village.test");
        let ip = format!("11.{t}.{}.{}", (n >> 8) & 255, n & 255);
        let r = self
            .anon
            .post(&self.url("/lists/village"))
            .set("X-Forwarded-For", &ip)
            .send_form(&[("_csrf", &csrf), ("email", &email), ("consent", "on")]);
        match outcome(r) {
            Outcome::Answered { status: 200, .. } => {
                let mut l = self.shared.ledger.lock().unwrap();
                l.list_signups.push((cycle, email));
                Ok(())
            }
            // The village list is created by the server's background task just after setup.
            Outcome::Answered { status: 404, .. } => Ok(()),
            Outcome::Answered { status, body, .. } => Err(format!(
                "unexpected answer {status} to the newsletter sign-up of {email}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// Sign-up through the web form (argon2 on the server: the slowest write).
    fn sign_up(&mut self, n: u64) -> Result<(), Cut> {
        let (cycle, t) = (self.cycle, self.t);
        if self.signup_csrf.is_none() {
            self.signup_csrf = Some(Self::csrf(&self.anon, &self.url("/signup"))?);
        }
        let csrf = self.signup_csrf.clone().unwrap_or_default();
        let email = format!("crash-{cycle}-{t}-{n}@village.test");
        // A client address of its own, as real residents have, so that the per-IP mail limit
        // (10 an hour) does not refuse the harness's sign-ups.
        let ip = format!("10.{t}.{}.{}", (n >> 8) & 255, n & 255);
        let r = self
            .anon
            .post(&self.url("/signup"))
            .set("X-Forwarded-For", &ip)
            .send_form(&[
                ("_csrf", &csrf),
                ("name", &format!("Habitante {cycle}-{t}-{n}")),
                ("email", &email),
                ("password", "mot de passe du village"),
            ]);
        match outcome(r) {
            Outcome::Answered { status: 200, .. } => {
                let mut l = self.shared.ledger.lock().unwrap();
                l.signups.push((cycle, email));
                Ok(())
            }
            Outcome::Answered { status, body, .. } => Err(format!(
                "unexpected answer {status} to the sign-up of {email}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// Edit through the web form as the site's admin (who created every actor): a new summary,
    /// sometimes members-only (which must take the actor out of the search and the open data).
    fn edit(&mut self, slug: &str, log: &ActorLog) -> Result<(), Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let rev = self.shared.revs.fetch_add(1, Ordering::SeqCst);
        let word = self.rng.word();
        let public = self.rng.below(5) != 0;
        {
            let mut l = self.shared.ledger.lock().unwrap();
            let a = l.actors.get_mut(slug).unwrap();
            let sent = Revision {
                word: word.clone(),
                public,
            };
            a.attempts.insert(rev, sent);
            a.touched = self.cycle;
        }
        let summary = summary(rev, &word);
        let mut fields: Vec<(&str, &str)> = vec![
            ("_csrf", &csrf),
            ("kind", "organisation"),
            ("type", "association"),
            ("name", &log.name),
            ("summary", &summary),
            ("tags", TAG),
            ("lat", &log.lat),
            ("lon", &log.lon),
            ("visibility", if public { "public" } else { "members" }),
        ];
        for empty in [
            "description",
            "address",
            "phone",
            "website",
            "social",
            "hours_0",
            "hours_1",
            "hours_2",
            "hours_3",
            "hours_4",
            "hours_5",
            "hours_6",
            "capacity",
            "equipment",
            "accessibility",
            "parent",
        ] {
            fields.push((empty, ""));
        }
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("/a/{slug}/edit")))
            .send_form(&fields);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location == format!("/a/{slug}") => {
                let mut l = self.shared.ledger.lock().unwrap();
                l.actors.get_mut(slug).unwrap().acked = rev;
                l.edited += 1;
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the edit of {slug}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// A public post on the village wall through the web form, as the admin.
    fn news_post(&mut self) -> Result<(), Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let word = self.rng.word();
        let title = format!("Crashnews {word}");
        let r = self.shared.admin.post(&self.url("/news")).send_form(&[
            ("_csrf", &csrf),
            ("title", &title),
            ("body", &format!("crashnews {word}")),
            ("audience", "public"),
        ]);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with("/news/") => {
                let Ok(id) = location["/news/".len()..].parse() else {
                    return Err(format!("unexpected answer 303 {location} to a post"));
                };
                let log = NewsLog {
                    id,
                    word,
                    cycle: self.cycle,
                    comments: Vec::new(),
                };
                self.shared.ledger.lock().unwrap().posts.push(log);
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the post {title}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// A mutual aid offer, as the admin.
    fn aid_post(&mut self) -> Result<(), Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let word = self.rng.word();
        let title = format!("Crashaid {word}");
        let r = self.shared.admin.post(&self.url("/aid/new")).send_form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "offer"),
            ("category", "lend"),
            ("title", &title),
            ("description", &format!("crashaid {word}")),
            ("lat", "47.35"),
            ("lon", "-0.81"),
        ]);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with("/aid/") => {
                let Ok(id) = location["/aid/".len()..].parse() else {
                    return Err(format!("unexpected answer 303 {location} to an aid post"));
                };
                let log = AidLog {
                    id,
                    word,
                    cycle: self.cycle,
                    messages: Vec::new(),
                };
                self.shared.ledger.lock().unwrap().aid.push(log);
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the aid post {title}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// The neighbour's reply to an acknowledged aid post (a post first when there is none).
    /// A 429 (the per-person message limit) is a refusal, not an acknowledged write.
    fn aid_message(&mut self) -> Result<(), Cut> {
        let target = {
            let l = self.shared.ledger.lock().unwrap();
            (!l.aid.is_empty()).then(|| self.rng.below(l.aid.len() as u64) as usize)
        };
        let Some(index) = target else {
            return self.aid_post();
        };
        let post = self.shared.ledger.lock().unwrap().aid[index].id;
        let csrf = Self::csrf(&self.shared.neighbour, &self.url("/account"))?;
        let word = self.rng.word();
        let r = self
            .shared
            .neighbour
            .post(&self.url(&format!("/aid/{post}/reply")))
            .send_form(&[("_csrf", &csrf), ("body", &word)]);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with("/aid/conversations/") => {
                let Ok(cid) = location["/aid/conversations/".len()..].parse() else {
                    return Err(format!("unexpected answer 303 {location} to an aid reply"));
                };
                let mut l = self.shared.ledger.lock().unwrap();
                l.aid[index].messages.push((self.cycle, word, cid));
                Ok(())
            }
            Outcome::Answered { status: 429, .. } => Ok(()),
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to a reply on aid post {post}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// A comment on an acknowledged post, as the admin (a post first when there is none).
    fn news_comment(&mut self) -> Result<(), Cut> {
        let target = {
            let l = self.shared.ledger.lock().unwrap();
            (!l.posts.is_empty()).then(|| self.rng.below(l.posts.len() as u64) as usize)
        };
        let Some(index) = target else {
            return self.news_post();
        };
        let post = self.shared.ledger.lock().unwrap().posts[index].id;
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let word = self.rng.word();
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("/news/{post}/comments")))
            .send_form(&[("_csrf", &csrf), ("comment", &word), ("parent", "")]);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with(&format!("/news/{post}#c")) => {
                let mut l = self.shared.ledger.lock().unwrap();
                l.posts[index].comments.push((self.cycle, word));
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to a comment on post {post}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// An event through the agenda's web form, as the admin, a month ahead, with places.
    fn event(&mut self) -> Result<(), Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let word = self.rng.word();
        let title = format!("Kermesse {word}");
        let day = (chrono::Utc::now() + chrono::Duration::days(30))
            .format("%Y-%m-%d")
            .to_string();
        let r = self
            .shared
            .admin
            .post(&self.url("/agenda/new"))
            .send_form(&[
                ("_csrf", &csrf),
                ("title", &title),
                ("type", "festival"),
                ("start_date", &day),
                ("start_time", "20:00"),
                ("end_time", "22:00"),
                ("lat", "47.35"),
                ("lon", "-0.81"),
                ("capacity", "50"),
                ("visibility", "public"),
            ]);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with("/e/") => {
                let log = EventLog {
                    slug: location["/e/".len()..].to_string(),
                    word,
                    cycle: self.cycle,
                    going: None,
                };
                self.shared.ledger.lock().unwrap().events.push(log);
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the event {title}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// The admin goes to an acknowledged event (its next date); an event first when there is none.
    fn rsvp(&mut self) -> Result<(), Cut> {
        let target = {
            let l = self.shared.ledger.lock().unwrap();
            (!l.events.is_empty()).then(|| self.rng.below(l.events.len() as u64) as usize)
        };
        let Some(index) = target else {
            return self.event();
        };
        let slug = self.shared.ledger.lock().unwrap().events[index]
            .slug
            .clone();
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("/e/{slug}/rsvp")))
            .send_form(&[("_csrf", &csrf), ("o", ""), ("answer", "going")]);
        match outcome(r) {
            Outcome::Answered { status: 303, .. } => {
                self.shared.ledger.lock().unwrap().events[index].going = Some(self.cycle);
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the RSVP to {slug}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// A room booking as the admin (a manager: confirmed at once) at a random hour: writers may
    /// race for the same hour; the loser gets 409 (taken), never a 500.
    fn room_booking(&mut self) -> Result<(), Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        let csrf = self.admin_csrf.clone().unwrap_or_default();
        let day = (chrono::Utc::now() + chrono::Duration::days(20 + self.rng.below(40) as i64))
            .format("%Y-%m-%d")
            .to_string();
        let hour = 8 + self.rng.below(12);
        let (start, end) = (format!("{hour:02}:00"), format!("{:02}:00", hour + 1));
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("/rooms/{CRASH_ROOM}/book")))
            .send_form(&[
                ("_csrf", &csrf),
                ("date", &day),
                ("start", &start),
                ("end", &end),
                ("actor", ""),
                ("purpose", "Réunion de crash"),
                ("repeat", "none"),
                ("until", ""),
            ]);
        match outcome(r) {
            Outcome::Answered { status: 303, .. } => {
                let mut l = self.shared.ledger.lock().unwrap();
                l.bookings.push((self.cycle, day, start));
                Ok(())
            }
            Outcome::Answered { status: 409, .. } => Ok(()),
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the booking of {day} {start}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// Deletion through the API.
    fn delete(&mut self, slug: &str) -> Result<(), Cut> {
        {
            let mut l = self.shared.ledger.lock().unwrap();
            l.owned[self.t].retain(|s| s != slug);
            let a = l.actors.get_mut(slug).unwrap();
            a.deletion = Deletion::Sent;
            a.touched = self.cycle;
        }
        let r = self
            .api
            .delete(&self.url(&format!("/api/v1/actors/{slug}")))
            .set("Authorization", &format!("Bearer {}", self.shared.token))
            .call();
        match outcome(r) {
            Outcome::Answered { status: 204, .. } => {
                let mut l = self.shared.ledger.lock().unwrap();
                l.actors.get_mut(slug).unwrap().deletion = Deletion::Done;
                l.deleted += 1;
                Ok(())
            }
            Outcome::Answered { status, body, .. } => Err(format!(
                "unexpected answer {status} to the deletion of {slug}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// Creation through the JSON API with a bearer token, within 10 km of the centre.
    fn create(&mut self) -> Result<(), Cut> {
        let rev = self.shared.revs.fetch_add(1, Ordering::SeqCst);
        let word = self.rng.word();
        let name = format!("Crashtest {word}");
        let mut near =
            |c: f64| format!("{:.5}", c + (self.rng.below(1000) as f64 - 500.0) / 5000.0);
        let (lat, lon) = (near(CENTRE.0), near(CENTRE.1));
        let body = serde_json::json!({"kind": "organisation", "type": "association",
            "name": name, "summary": summary(rev, &word), "tags": TAG,
            "lat": lat, "lon": lon, "visibility": "public"});
        let r = self
            .api
            .post(&self.url("/api/v1/actors"))
            .set("Authorization", &format!("Bearer {}", self.shared.token))
            .send_json(body);
        let body = match outcome(r) {
            Outcome::Answered {
                status: 201, body, ..
            } => body,
            Outcome::Answered { status, body, .. } => {
                return Err(format!(
                    "unexpected answer {status} to the creation of {name}: {}",
                    snippet(&body)
                ))
            }
            Outcome::Cut(e) => return Err(e),
        };
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let Some(slug) = json["slug"].as_str().map(str::to_string) else {
            return Err(format!("unexpected answer 201 without a slug: {body}"));
        };
        let sent = Revision {
            word: word.clone(),
            public: true,
        };
        let log = ActorLog {
            name,
            name_word: word,
            lat,
            lon,
            created_cycle: self.cycle,
            attempts: BTreeMap::from([(rev, sent)]),
            acked: rev,
            deletion: Deletion::Live,
            touched: self.cycle,
        };
        let mut l = self.shared.ledger.lock().unwrap();
        l.actors.insert(slug.clone(), log);
        l.order.push(slug.clone());
        l.owned[self.t].push(slug);
        l.created += 1;
        Ok(())
    }
}

pub(crate) fn snippet(body: &str) -> String {
    body.chars().take(300).collect()
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// What a check saw of an actor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Seen {
    Public(u64),
    Hidden(u64),
    Gone,
    /// Its deletion was cut by the kill: either state is right.
    Either,
}

/// Checks one actor against what was acknowledged. `listed`: its entry in the public list,
/// when the caller has it (saves a request per public actor).
fn verify_actor(
    admin: &Client,
    anon: &Client,
    slug: &str,
    a: &ActorLog,
    listed: Option<Option<&serde_json::Value>>,
) -> Result<Seen, String> {
    match a.deletion {
        Deletion::Sent => Ok(Seen::Either),
        Deletion::Done => {
            let (page, api) = (
                admin.get(&format!("/a/{slug}")).status,
                anon.get(&format!("/api/v1/actors/{slug}")).status,
            );
            if page == 404 && api == 404 && !matches!(listed, Some(Some(_))) {
                Ok(Seen::Gone)
            } else {
                Err(format!(
                    "{slug}: its deletion was acknowledged, yet its page answers {page} and the API {api}"
                ))
            }
        }
        Deletion::Live => {
            let public = match listed {
                Some(Some(item)) => Some(item.clone()),
                Some(None) => None,
                None => {
                    let r = anon.get(&format!("/api/v1/actors/{slug}"));
                    match r.status {
                        200 => Some(json(&r)),
                        404 => None,
                        s => return Err(format!("{slug}: the API answers {s}: {}", r.body)),
                    }
                }
            };
            let (rev, shown) = match &public {
                Some(item) => {
                    let s = item["summary"].as_str().unwrap_or_default();
                    let name = item["name"].as_str().unwrap_or_default();
                    if name != a.name {
                        return Err(format!("{slug}: name {name:?}, acknowledged {:?}", a.name));
                    }
                    (rev_in(s), s.to_string())
                }
                None => {
                    let page = admin.get(&format!("/a/{slug}"));
                    if page.status != 200 {
                        return Err(format!(
                            "{slug}: acknowledged (revision {}, created in cycle {}), but missing: \
                             not in the public API and its page answers {} to its admin",
                            a.acked, a.created_cycle, page.status
                        ));
                    }
                    (rev_in(&page.body), snippet(&page.body))
                }
            };
            let Some(rev) = rev else {
                return Err(format!("{slug}: no revision in {shown:?}"));
            };
            let Some(sent) = a.attempts.get(&rev) else {
                return Err(format!("{slug}: shows revision {rev}, never sent to it"));
            };
            if rev < a.acked {
                return Err(format!(
                    "{slug}: shows revision {rev}, but revision {} was acknowledged (lost edit)",
                    a.acked
                ));
            }
            match (sent.public, public.is_some()) {
                (true, true) => Ok(Seen::Public(rev)),
                (false, false) => Ok(Seen::Hidden(rev)),
                (want, _) => Err(format!(
                    "{slug}: revision {rev} was sent {}, but the API {}",
                    if want { "public" } else { "members-only" },
                    if want { "does not show it" } else { "shows it" }
                )),
            }
        }
    }
}

/// Checks the news posts (and their comments) acknowledged in `cycle`, or all of them.
fn verify_news(admin: &Client, ledger: &Ledger, cycle: Option<usize>) -> Vec<String> {
    let mut problems = Vec::new();
    for p in &ledger.posts {
        let touched = p.cycle == cycle.unwrap_or(p.cycle)
            || p.comments.iter().any(|(c, _)| Some(*c) == cycle);
        if !touched {
            continue;
        }
        let page = admin.get(&format!("/news/{}", p.id));
        if page.status != 200 || !page.body.contains(&p.word) {
            problems.push(format!(
                "news post {} ({}, acknowledged in cycle {}) answers {} without its text",
                p.id, p.word, p.cycle, page.status
            ));
            continue;
        }
        for (c, word) in &p.comments {
            if !page.body.contains(word.as_str()) {
                problems.push(format!(
                    "the comment {word} on news post {} (acknowledged in cycle {c}) is missing",
                    p.id
                ));
            }
        }
    }
    problems
}

/// Checks the newsletter sign-ups acknowledged in `cycle`, or all of them: each is in the
/// village list's consent ledger (the editors' CSV).
fn verify_list_signups(admin: &Client, ledger: &Ledger, cycle: Option<usize>) -> Vec<String> {
    let wanted: Vec<_> = ledger
        .list_signups
        .iter()
        .filter(|(c, _)| *c == cycle.unwrap_or(*c))
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let csv = admin.get("/lists/village/consents.csv");
    wanted
        .into_iter()
        .filter(|(_, email)| !csv.body.contains(&format!("{email},form,")))
        .map(|(c, email)| {
            format!("the newsletter sign-up of {email} (acknowledged in cycle {c}) is missing")
        })
        .collect()
}

/// Checks the mutual aid posts and messages acknowledged in `cycle`, or all of them: the post's
/// page has its word, and the author's thread page has each message.
fn verify_aid(admin: &Client, ledger: &Ledger, cycle: Option<usize>) -> Vec<String> {
    let mut problems = Vec::new();
    for p in &ledger.aid {
        let touched = p.cycle == cycle.unwrap_or(p.cycle)
            || p.messages.iter().any(|(c, _, _)| Some(*c) == cycle);
        if !touched {
            continue;
        }
        let page = admin.get(&format!("/aid/{}", p.id));
        if page.status != 200 || !page.body.contains(&p.word) {
            problems.push(format!(
                "aid post {} ({}, acknowledged in cycle {}) answers {} without its text",
                p.id, p.word, p.cycle, page.status
            ));
        }
        for (c, word, cid) in &p.messages {
            let thread = admin.get(&format!("/aid/conversations/{cid}"));
            if thread.status != 200 || !thread.body.contains(word.as_str()) {
                problems.push(format!(
                    "the message {word} on aid post {} (acknowledged in cycle {c}) is missing",
                    p.id
                ));
            }
        }
    }
    problems
}

/// Checks the events created or answered in `cycle`, or all of them: each page is there with
/// its word, and the admin's acknowledged "going" counts.
fn verify_events(admin: &Client, ledger: &Ledger, cycle: Option<usize>) -> Vec<String> {
    let mut problems = Vec::new();
    for e in &ledger.events {
        let touched = e.cycle == cycle.unwrap_or(e.cycle) || (cycle.is_some() && e.going == cycle);
        if !touched {
            continue;
        }
        let page = admin.get(&format!("/e/{}", e.slug));
        if page.status != 200 || !page.body.contains(&e.word) {
            problems.push(format!(
                "event {} (acknowledged in cycle {}) answers {} without its title",
                e.slug, e.cycle, page.status
            ));
        } else if let Some(c) = e.going {
            if !page.body.contains("1 inscrit·e(s)") {
                problems.push(format!(
                    "the RSVP to {} acknowledged in cycle {c} is missing",
                    e.slug
                ));
            }
        }
    }
    problems
}

/// The room the writers book.
const CRASH_ROOM: &str = "salle-crashtest";

/// Creates [`CRASH_ROOM`] (tagged like every generated actor, so that the search counts agree).
fn crash_room(admin: &Client) {
    let page = admin.get("/directory/new");
    let (lat, lon) = (CENTRE.0.to_string(), CENTRE.1.to_string());
    let r = admin.post_form(
        "/directory/new",
        &page,
        &[
            ("kind", "place"),
            ("type", "room"),
            ("name", "Salle crashtest"),
            ("tags", TAG),
            ("lat", lat.as_str()),
            ("lon", lon.as_str()),
            ("visibility", "public"),
        ],
    );
    assert_eq!(r.location(), format!("/a/{CRASH_ROOM}"), "{}", r.body);
}

/// Checks the room bookings acknowledged in `cycle` (or all of them): each is in the room's
/// calendar, and no two confirmed bookings of that day overlap.
fn verify_bookings(anon: &Client, ledger: &Ledger, cycle: Option<usize>) -> Vec<String> {
    let mut days: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (c, day, start) in &ledger.bookings {
        if cycle.map_or(true, |x| x == *c) {
            days.entry(day.as_str()).or_default().push(start.as_str());
        }
    }
    let mut problems = Vec::new();
    for (day, starts) in days {
        let v = json(&anon.get(&format!(
            "/api/v1/rooms/{CRASH_ROOM}/bookings?from={day}&to={day}"
        )));
        let busy: Vec<(String, String)> = v["busy"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|b| (b["start"].to_string(), b["end"].to_string()))
                    .collect()
            })
            .unwrap_or_default();
        for start in starts {
            if !busy.iter().any(|b| b.0.contains(&format!("{day}T{start}"))) {
                problems.push(format!("the booking of {day} {start} is missing"));
            }
        }
        if busy.windows(2).any(|w| w[1].0 < w[0].1) {
            problems.push(format!("two confirmed bookings overlap on {day}: {busy:?}"));
        }
    }
    problems
}

/// The e-mail addresses on the admin's users page.
fn listed_emails(admin: &Client) -> HashSet<String> {
    let page = admin.get("/admin/users");
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .split("<td>")
        .skip(1)
        .filter_map(|cell| cell.split("</td>").next())
        .filter(|c| c.contains('@'))
        .map(str::to_string)
        .collect()
}

/// The paths (`/a/slug`) of the URLs and the total a search finds within 500 km.
pub(crate) fn search(anon: &Client, q: &str) -> (HashSet<String>, u64) {
    let r = anon.get(&format!("/api/v1/search?q={q}&km=500"));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = json(&r);
    // The API's URLs are absolute on the public address (the first server's, before restarts).
    let urls = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["url"].as_str())
        .filter_map(|u| {
            u.split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        })
        .collect();
    (urls, v["total"].as_u64().unwrap())
}

/// Polls until `f` gives no complaint, at most `limit`; the last complaint otherwise.
fn poll(limit: Duration, mut f: impl FnMut() -> Vec<String>) -> Vec<String> {
    let start = Instant::now();
    loop {
        let complaints = f();
        if complaints.is_empty() || start.elapsed() > limit {
            return complaints;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// After a restart: the actors written in this cycle and a sample of older ones, every
/// acknowledged sign-up, and the search index against what the checks saw.
fn verify_cycle(
    admin: &Client,
    anon: &Client,
    ledger: &Ledger,
    cycle: usize,
    rng: &mut Rng,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut slugs: Vec<&String> = ledger
        .order
        .iter()
        .filter(|s| ledger.actors[*s].touched == cycle)
        .collect();
    let older = ledger.order.len() - slugs.len();
    if older > 0 {
        for _ in 0..SAMPLE.min(older) {
            let s = &ledger.order[rng.below(ledger.order.len() as u64) as usize];
            if ledger.actors[s].touched != cycle {
                slugs.push(s);
            }
        }
    }
    let mut seen = Vec::new();
    for slug in slugs {
        let a = &ledger.actors[slug];
        match verify_actor(admin, anon, slug, a, None) {
            Ok(s) => seen.push((slug, a, s)),
            Err(e) => problems.push(format!("cycle {cycle}: {e}")),
        }
    }
    let emails = listed_emails(admin);
    for (c, email) in &ledger.signups {
        if !emails.contains(email) {
            problems.push(format!(
                "cycle {cycle}: the sign-up of {email} (acknowledged in cycle {c}) is missing"
            ));
        }
    }
    problems.extend(
        verify_news(admin, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    problems.extend(
        verify_aid(admin, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    problems.extend(
        verify_list_signups(admin, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    problems.extend(
        votes::verify_proposals(admin, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    problems.extend(
        channels::verify_threads(admin, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    // The newest post of the cycle is searchable once the index has caught up.
    if let Some(p) = ledger.posts.iter().rev().find(|p| p.cycle == cycle) {
        let url = format!("/news/{}", p.id);
        problems.extend(poll(INDEX_CATCH_UP, || {
            let (urls, _) = search(anon, &p.word);
            (!urls.contains(&url))
                .then(|| {
                    format!(
                        "cycle {cycle}: the search for {:?} does not find {url}",
                        p.word
                    )
                })
                .into_iter()
                .collect()
        }));
    }

    problems.extend(
        verify_events(admin, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    problems.extend(
        verify_bookings(anon, ledger, Some(cycle))
            .into_iter()
            .map(|p| format!("cycle {cycle}: {p}")),
    );
    // The newest event of the cycle is searchable once the index has caught up.
    if let Some(e) = ledger.events.iter().rev().find(|e| e.cycle == cycle) {
        let url = format!("/e/{}", e.slug);
        problems.extend(poll(INDEX_CATCH_UP, || {
            let (urls, _) = search(anon, &e.word);
            (!urls.contains(&url))
                .then(|| {
                    format!(
                        "cycle {cycle}: the search for {:?} does not find {url}",
                        e.word
                    )
                })
                .into_iter()
                .collect()
        }));
    }

    // The index must follow: the newest public creation by its name, the newest public edit
    // by the word of its summary, and an actor no longer public must not be found any more.
    // For each probe: (its order, the URL, the word searched, whether it must be found).
    let mut probes: [Option<(u64, String, String, bool)>; 3] = Default::default();
    let mut keep = |i: usize, key: u64, slug: &str, word: &str, found: bool| {
        if probes[i].as_ref().map_or(true, |p| p.0 < key) {
            probes[i] = Some((key, format!("/a/{slug}"), word.to_string(), found));
        }
    };
    for (slug, a, s) in &seen {
        let first = *a.attempts.keys().next().unwrap();
        match *s {
            Seen::Public(rev) => {
                if a.created_cycle == cycle {
                    keep(0, first, slug, &a.name_word, true);
                }
                if rev != first {
                    keep(1, rev, slug, &a.attempts[&rev].word, true);
                }
            }
            Seen::Hidden(rev) => keep(2, rev, slug, &a.name_word, false),
            Seen::Gone => keep(2, a.acked, slug, &a.name_word, false),
            Seen::Either => {}
        }
    }
    let expect: Vec<(String, String, bool)> = probes
        .into_iter()
        .flatten()
        .map(|(_, url, word, found)| (url, word, found))
        .collect();
    problems.extend(poll(INDEX_CATCH_UP, || {
        expect
            .iter()
            .filter_map(|(url, word, found)| {
                let (urls, _) = search(anon, word);
                (urls.contains(url) != *found).then(|| {
                    format!(
                        "cycle {cycle}: the search for {word:?} {} {url} {INDEX_CATCH_UP:?} after the restart",
                        if *found { "still does not find" } else { "still finds" }
                    )
                })
            })
            .collect()
    }));
    problems
}

/// At the end: every actor ever acknowledged, from the public list (paged) or its page; the
/// list and the search count the same public actors.
fn verify_all(admin: &Client, anon: &Client, ledger: &Ledger) -> Vec<String> {
    let mut listed: HashMap<String, serde_json::Value> = HashMap::new();
    let mut total = 0;
    for page in 1.. {
        let v = json(&anon.get(&format!("/api/v1/actors?per_page=200&page={page}")));
        total = v["total"].as_u64().unwrap();
        let items = v["items"].as_array().unwrap();
        for i in items {
            listed.insert(i["slug"].as_str().unwrap().to_string(), i.clone());
        }
        if items.is_empty() || listed.len() as u64 >= total {
            break;
        }
    }
    let mut problems = Vec::new();
    if listed.len() as u64 != total {
        problems.push(format!(
            "the public list says {total} actors but pages through {}",
            listed.len()
        ));
    }
    for slug in &ledger.order {
        if let Err(e) = verify_actor(
            admin,
            anon,
            slug,
            &ledger.actors[slug],
            Some(listed.get(slug)),
        ) {
            problems.push(format!("at the end: {e}"));
        }
    }
    let emails = listed_emails(admin);
    for (c, email) in &ledger.signups {
        if !emails.contains(email) {
            problems.push(format!(
                "at the end: the sign-up of {email} (acknowledged in cycle {c}) is missing"
            ));
        }
    }
    problems.extend(
        verify_news(admin, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(
        verify_aid(admin, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(
        verify_list_signups(admin, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(
        votes::verify_proposals(admin, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(
        channels::verify_threads(admin, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(
        verify_events(admin, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(
        verify_bookings(anon, ledger, None)
            .into_iter()
            .map(|p| format!("at the end: {p}")),
    );
    problems.extend(poll(INDEX_CATCH_UP * 2, || {
        let (_, found) = search(anon, TAG);
        (found != total)
            .then(|| {
                format!(
                    "the search for {TAG:?} finds {found} actors, the public list has {total} \
                     (after {:?})",
                    INDEX_CATCH_UP * 2
                )
            })
            .into_iter()
            .collect()
    }));
    problems
}

fn check_data(data: &std::path::Path, cycle: usize) {
    let (ok, out, err) = run(&["check", "--data", data.to_str().unwrap()], None);
    assert!(
        ok && out.contains("integrity:      ok"),
        "cycle {cycle}: `placette check` after the kill failed:\n{out}\n{err}"
    );
}

pub(crate) fn token(admin: &Client) -> String {
    let r = admin.post_form(
        "/account/tokens",
        &admin.get("/account"),
        &[("token_name", "crash test")],
    );
    let start = r.body.find("plt_").expect("a new API token on the page");
    r.body[start..start + 68].to_string()
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let started = Instant::now();
    let cycles: usize = std::env::var("PLACETTE_CRASH_CYCLES")
        .ok()
        .map(|v| v.parse().expect("PLACETTE_CRASH_CYCLES is a number"))
        .unwrap_or(20);
    let seed: u64 = std::env::var("PLACETTE_CRASH_SEED")
        .ok()
        .map(|v| v.parse().expect("PLACETTE_CRASH_SEED is a number"))
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash test: {cycles} cycles, seed {seed} (replay with PLACETTE_CRASH_SEED={seed})");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data, &[]);
    let admin = server.set_up();
    crash_room(&admin);
    channels::crash_channel(&admin);
    let shared = Arc::new(Shared {
        ledger: Mutex::new(Ledger {
            owned: vec![Vec::new(); WRITERS],
            ..Ledger::default()
        }),
        killing: AtomicBool::new(false),
        revs: AtomicU64::new(1),
        cut: AtomicUsize::new(0),
        token: token(&admin),
        admin: admin.agent.clone(),
        neighbour: server
            .resident("voisin@village.test", "Voisin")
            .agent
            .clone(),
        seed,
    });
    let mut rng = Rng(seed);
    let fail = |what: &str, problems: &[String]| {
        panic!(
            "crash test (seed {seed}) {what}:\n  {}",
            problems.join("\n  ")
        )
    };
    for cycle in 1..=cycles {
        shared.killing.store(false, Ordering::SeqCst);
        let writers: Vec<_> = (0..WRITERS)
            .map(|t| {
                let (shared, base) = (shared.clone(), server.url.clone());
                std::thread::spawn(move || {
                    let rng = Rng(shared.seed ^ ((cycle as u64) << 20) ^ ((t as u64 + 1) << 8));
                    Writer {
                        shared,
                        base,
                        t,
                        cycle,
                        rng,
                        api: agent(),
                        anon: agent(),
                        admin_csrf: None,
                        signup_csrf: None,
                    }
                    .run()
                })
            })
            .collect();
        let delay = 50 + rng.below(351);
        std::thread::sleep(Duration::from_millis(delay));
        shared.killing.store(true, Ordering::SeqCst);
        // The binary itself (Server::start runs it without a shell): SIGKILL, no clean-up.
        server.child.kill().expect("kill -9 the server");
        server.child.wait().unwrap();
        for w in writers {
            w.join().expect("a writer panicked");
        }
        {
            let l = shared.ledger.lock().unwrap();
            if !l.problems.is_empty() {
                fail(&format!("cycle {cycle}, during the writes"), &l.problems);
            }
        }
        check_data(&data, cycle);
        server = Server::start(&data, &[]);
        let admin = Client {
            base: server.url.clone(),
            agent: shared.admin.clone(),
        };
        let anon = server.client();
        let l = shared.ledger.lock().unwrap();
        let problems = verify_cycle(&admin, &anon, &l, cycle, &mut rng);
        if !problems.is_empty() {
            fail(&format!("cycle {cycle}, after the restart"), &problems);
        }
        if cycle % 10 == 0 || cycle == cycles {
            eprintln!(
                "crash test: cycle {cycle}/{cycles}, killed after {delay} ms; so far {} actors \
                 created, {} edits, {} deletions, {} sign-ups acknowledged, {} requests cut; {:.1} s",
                l.created,
                l.edited,
                l.deleted,
                l.signups.len(),
                shared.cut.load(Ordering::SeqCst),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let admin = Client {
        base: server.url.clone(),
        agent: shared.admin.clone(),
    };
    let l = shared.ledger.lock().unwrap();
    let problems = verify_all(&admin, &server.client(), &l);
    if !problems.is_empty() {
        fail("at the end", &problems);
    }
    assert!(
        server.stop().success(),
        "the last server did not stop cleanly"
    );
    check_data(&data, cycles + 1);
    let acked = l.created + l.edited + l.deleted + l.signups.len();
    assert!(
        l.created > 0 && l.edited > 0 && !l.signups.is_empty(),
        "the writers wrote too little to test anything"
    );
    let news_comments: usize = l.posts.iter().map(|p| p.comments.len()).sum();
    eprintln!(
        "crash test: news: {} posts and {news_comments} comments acknowledged, all present",
        l.posts.len()
    );
    let aid_messages: usize = l.aid.iter().map(|p| p.messages.len()).sum();
    eprintln!(
        "crash test: aid: {} posts and {aid_messages} messages acknowledged, all present",
        l.aid.len()
    );
    eprintln!(
        "crash test: rooms: {} bookings acknowledged, all present, none overlapping",
        l.bookings.len()
    );
    eprintln!("crash test: votes: {}", votes::summary(&l));
    eprintln!("crash test: channels: {}", channels::summary(&l));
    eprintln!(
        "crash test: lists: {} newsletter sign-ups acknowledged, all in the consent ledger",
        l.list_signups.len()
    );
    eprintln!(
        "crash test: {cycles} cycles, {acked} acknowledged writes ({} creations, {} edits, \
         {} deletions, {} sign-ups, {} events, {} RSVPs), all present; {} requests cut by the kills; \
         seed {seed}; {:.1} s",
        l.created,
        l.edited,
        l.deleted,
        l.signups.len(),
        l.events.len(),
        l.events.iter().filter(|e| e.going.is_some()).count(),
        shared.cut.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );
}
