//! Proposals and votes (issue 22), through the real binary: a proposal opened with the form,
//! amended and the amendment accepted; 64 residents voting at the same instant, each counted
//! once; a vote changed before the deadline; a vote after it refused (422, nothing changed);
//! the result with its turnout published by the server at the deadline and kept; the deadline
//! as iCalendar read by a real parser; a secret ballot never naming anyone, a public one
//! naming everyone; a page's proposal voted by its members only.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::support::*;

mod permissions;
mod registrations;

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A Unix time as the form's `datetime-local` value in the village's zone (Europe/Paris).
pub(crate) fn local(t: i64) -> String {
    use chrono::TimeZone;
    chrono_tz::Europe::Paris
        .timestamp_opt(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// A resident signed in by a session written straight into the database (the login form
/// is rate-limited per address, rightly; 64 sign-ups through it would test the limit).
pub(crate) struct Voter {
    pub(crate) name: String,
    cookie: String,
    agent: ureq::Agent,
    base: String,
}

impl Voter {
    pub(crate) fn get(&self, path: &str) -> Resp {
        self.agent
            .get(&format!("{}{path}", self.base))
            .set("Cookie", &self.cookie)
            .call()
            .into()
    }

    pub(crate) fn post(&self, path: &str, page: &Resp, fields: &[(&str, &str)]) -> Resp {
        let token = page.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.agent
            .post(&format!("{}{path}", self.base))
            .set("Cookie", &self.cookie)
            .send_form(&all)
            .into()
    }
}

/// `n` confirmed residents (their password is the admin's; they never type it), each with a
/// session.
pub(crate) fn seed_voters(server: &Server, n: usize) -> Vec<Voter> {
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let hash: String = db
        .query_row(
            "SELECT password_hash FROM users WHERE email = ?1",
            [ADMIN_EMAIL],
            |r| r.get(0),
        )
        .unwrap();
    let at = now();
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(60))
        .build();
    let mut voters = Vec::new();
    for i in 0..n {
        let name = format!("Votant{i:02}");
        db.execute(
            "INSERT INTO users (email, name, password_hash, email_confirmed_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
            rusqlite::params![format!("votant{i:02}@village.test"), name, hash, at],
        )
        .unwrap();
        let uid = db.last_insert_rowid();
        let token = format!("{:064x}", 0xfeed_0000_u64 + i as u64);
        let id_hash = Sha256::digest(token.as_bytes()).to_vec();
        db.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)",
            rusqlite::params![id_hash, uid, at],
        )
        .unwrap();
        voters.push(Voter {
            name,
            cookie: format!("pl_session={token}"),
            agent: agent.clone(),
            base: server.url.clone(),
        });
    }
    voters
}

/// Opens a village proposal through the form; returns its path.
pub(crate) fn open_proposal(admin: &Client, fields: &[(&str, String)]) -> String {
    let page = admin.get("/votes/new");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = admin.post_form("/votes/new", &page, fields);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
}

pub(crate) fn sleep_until(t: i64) {
    while now() < t {
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub(crate) fn db_count(server: &Server, sql: &str, id: i64) -> i64 {
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    db.query_row(sql, [id], |r| r.get(0)).unwrap()
}

#[test]
fn a_proposal_amended_then_voted_by_64_at_once_is_counted_once_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let ana = server.resident("ana@village.test", "Ana");
    let voters = seed_voters(&server, 64);

    // Bad input: 422, in French, with what was typed kept.
    let start = now() + 12;
    let deadline = start + 25;
    let mut fields = vec![
        ("title", "Rénover le lavoir".to_string()),
        (
            "body",
            "Le conseil propose de **rénover** le lavoir.".to_string(),
        ),
        ("method", "yes_no".to_string()),
        ("options", String::new()),
        ("quorum", "50".to_string()),
        ("threshold", "half".to_string()),
        ("ballot", "secret".to_string()),
        ("vote_start", local(start)),
        ("deadline", local(start - 60)),
    ];
    let page = admin.get("/votes/new");
    let r = admin.post_form("/votes/new", &page, &fields);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("La date limite doit venir après l"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Rénover le lavoir"),
        "the title typed is kept"
    );
    fields[8].1 = local(deadline);
    let url = open_proposal(&admin, &fields);
    let id: i64 = url.trim_start_matches("/votes/").parse().unwrap();

    // Discussion: Ana proposes an amendment, the author accepts it, the first text is kept.
    let page = ana.get(&url);
    assert!(page.body.contains("En discussion"), "{}", page.body);
    let r = ana.post_form(
        &format!("{url}/amendments"),
        &page,
        &[
            (
                "body",
                "Le conseil propose de **rénover** le lavoir et sa toiture.",
            ),
            ("note", "La toiture fuit."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let told = server.outbox_for(ADMIN_EMAIL);
    let mail = told
        .iter()
        .find(|m| m.contains("Un amendement"))
        .expect("the author is told of the amendment");
    assert!(mail.contains(&format!("/votes/{id}#amendments")), "{mail}");
    let amendment: i64 = db_count(
        &server,
        "SELECT max(id) FROM proposal_amendments WHERE proposal_id = ?1",
        id,
    );
    let refused = ana.post_form(
        &format!("{url}/amendments/{amendment}/accept"),
        &page,
        &[("x", "")],
    );
    assert_eq!(refused.status, 403, "only the author accepts");
    let page = admin.get(&url);
    let r = admin.post_form(
        &format!("{url}/amendments/{amendment}/accept"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    let page = admin.get(&url);
    assert!(page.body.contains("le lavoir et sa toiture"));
    assert!(page.body.contains("Historique du texte"));
    assert!(page.body.contains("accepté"));

    // Before the vote opens: refused, kept nothing.
    let page0 = voters[0].get(&url);
    let r = voters[0].post(&format!("{url}/vote"), &page0, &[("choice", "yes")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("pas encore ouvert"), "{}", r.body);

    // Every voter has their page (and its CSRF token) before the vote opens.
    let pages: Vec<Resp> = voters.iter().map(|v| v.get(&url)).collect();
    sleep_until(start);

    // 64 ballots at the same instant: 40 yes, 16 no, 8 abstain.
    let choice = |i: usize| match i {
        0..=39 => "yes",
        40..=55 => "no",
        _ => "abstain",
    };
    let barrier = Arc::new(Barrier::new(voters.len()));
    let began = Instant::now();
    let voters = Arc::new(voters);
    let pages = Arc::new(pages);
    let handles: Vec<_> = (0..64)
        .map(|i| {
            let (voters, pages, barrier, url) =
                (voters.clone(), pages.clone(), barrier.clone(), url.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let r = voters[i].post(&format!("{url}/vote"), &pages[i], &[("choice", choice(i))]);
                r.status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let took = began.elapsed();
    eprintln!("64 concurrent ballots answered in {took:?}");
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let sql = "SELECT count(*) FROM proposal_votes WHERE proposal_id = ?1";
    assert_eq!(
        db_count(&server, sql, id),
        64,
        "each voter counted exactly once"
    );

    // Ten change yes to no; one sends the same ballot again.
    for (i, v) in voters[..10].iter().enumerate() {
        let r = v.post(&format!("{url}/vote"), &pages[i], &[("choice", "no")]);
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = voters[63].post(&format!("{url}/vote"), &pages[63], &[("choice", "abstain")]);
    assert_eq!(r.status, 303);
    assert_eq!(
        db_count(&server, sql, id),
        64,
        "changing a ballot adds none"
    );
    let mine = voters[0].get(&url);
    assert!(mine.body.contains("Votre vote :"), "{}", mine.body);
    assert!(mine.body.contains("Changer mon vote"));

    // After the deadline: refused, 422, with the ballot shown back; nothing recorded.
    sleep_until(deadline);
    let r = voters[20].post(&format!("{url}/vote"), &pages[20], &[("choice", "no")]);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Le vote est clos"), "{}", r.body);
    assert!(r.body.contains("Le bulletin que vous aviez rempli"));

    // The server counts at the deadline by itself (the task), and keeps the result.
    let waited = Instant::now();
    let results = "SELECT count(*) FROM proposal_results WHERE proposal_id = ?1";
    while db_count(&server, results, id) == 0 {
        assert!(waited.elapsed() < Duration::from_secs(15), "no count");
        std::thread::sleep(Duration::from_millis(100));
    }
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    let (eligible, n, yes, no, abstain, outcome): (i64, i64, i64, i64, i64, String) = db
        .query_row(
            "SELECT eligible, voters, yes, no, abstain, outcome FROM proposal_results
             WHERE proposal_id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    // 64 voters + Ana + the admin may vote.
    assert_eq!((eligible, n, yes, no, abstain), (66, 64, 30, 26, 8));
    assert_eq!(
        outcome, "adopted",
        "30 yes > half of 56 expressed, quorum 64/66"
    );
    let linked: i64 = db
        .query_row(
            "SELECT count(*) FROM proposal_votes WHERE proposal_id = ?1 AND voter_id IS NOT NULL",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        linked, 0,
        "a secret ballot is unlinked from its voters at the count"
    );

    let page = server.client().get(&url);
    assert!(page.body.contains("Adoptée"), "{}", page.body);
    assert!(
        page.body
            .contains("Participation : 64 votant·e·s sur 66 (97,0 %)."),
        "{}",
        page.body
    );
    for v in voters.iter().take(5) {
        assert!(!page.body.contains(&v.name), "a secret ballot names nobody");
    }

    // The deadline in iCalendar, read by a real parser.
    let ics = server.client().get(&format!("{url}.ics"));
    assert_eq!(ics.status, 200);
    assert!(ics.header("content-type").starts_with("text/calendar"));
    let events: Vec<(String, String, i64)> = python_json(
        "import sys, json, icalendar\n\
         cal = icalendar.Calendar.from_ical(sys.stdin.read())\n\
         print(json.dumps([[str(e.get('uid')), str(e.get('summary')), int(e.decoded('dtstart').timestamp())] for e in cal.walk('VEVENT')]))",
        &[],
        &ics.body,
        "icalendar refused the proposal's calendar",
    );
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].0, format!("proposal-{id}-deadline@placette"));
    assert!(events[1].1.starts_with("Fin du vote : Rénover le lavoir"));
    assert_eq!(events[1].2, deadline);
}

#[test]
fn a_public_majority_judgement_names_its_voters_and_ranks_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let voters = seed_voters(&server, 3);
    let start = now() + 3;
    let deadline = start + 8;
    let url = open_proposal(
        &admin,
        &[
            ("title", "Où installer la boîte à livres ?".to_string()),
            ("body", "Trois lieux possibles.".to_string()),
            ("method", "judgement".to_string()),
            ("options", "La halle\nLe lavoir\nL'école".to_string()),
            ("quorum", "0".to_string()),
            ("threshold", "half".to_string()),
            ("ballot", "public".to_string()),
            ("vote_start", local(start)),
            ("deadline", local(deadline)),
        ],
    );
    let id: i64 = url.trim_start_matches("/votes/").parse().unwrap();
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    let options: Vec<i64> = db
        .prepare("SELECT id FROM proposal_options WHERE proposal_id = ?1 ORDER BY position")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pages: Vec<Resp> = voters.iter().map(|v| v.get(&url)).collect();
    sleep_until(start);
    // Grades (6 Excellent .. 0 À rejeter): the lavoir's median is Très bien.
    let ballots = [["2", "5", "4"], ["3", "6", "1"], ["4", "5", "0"]];
    for (i, v) in voters.iter().enumerate() {
        let names: Vec<String> = options.iter().map(|o| format!("grade-{o}")).collect();
        let fields: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(ballots[i]).collect();
        let missing = v.post(&format!("{url}/vote"), &pages[i], &fields[..2]);
        assert_eq!(missing.status, 422, "every option must be graded");
        assert!(missing.body.contains("Donnez une mention à chaque option."));
        let r = v.post(&format!("{url}/vote"), &pages[i], &fields);
        assert_eq!(r.status, 303, "{}", r.body);
    }
    sleep_until(deadline);
    let page = server.client().get(&url);
    assert!(
        page.body.contains("Classement par mention majoritaire"),
        "{}",
        page.body
    );
    let lavoir = page.body.find("<th scope=\"row\">Le lavoir</th>").unwrap();
    let halle = page.body.find("<th scope=\"row\">La halle</th>").unwrap();
    assert!(lavoir < halle, "the lavoir ranks first");
    assert!(
        page.body.contains(
            "Votant00 : La halle : Passable ; Le lavoir : Très bien ; L&#39;école : Bien"
        ) || page
            .body
            .contains("Votant00 : La halle : Passable ; Le lavoir : Très bien ; L'école : Bien"),
        "a public ballot names its voters with their choice: {}",
        page.body
    );
    assert!(page
        .body
        .contains("Participation : 3 votant·e·s sur 4 (75,0 %)."));
}

#[test]
fn a_pages_proposal_is_voted_by_its_members_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let bob = server.resident("bob@village.test", "Bob");
    let page = bob.get(&format!("/a/{slug}/votes/new"));
    assert_eq!(
        page.status, 403,
        "a non-member opens no proposal on the page"
    );
    let page = admin.get(&format!("/a/{slug}/votes/new"));
    assert_eq!(page.status, 200);
    let start = now() + 2;
    let r = admin.post_form(
        &format!("/a/{slug}/votes/new"),
        &page,
        &[
            ("title", "Date de la fête"),
            ("body", "Le 21 juin ?"),
            ("method", "yes_no"),
            ("options", ""),
            ("quorum", ""),
            ("threshold", "two_thirds"),
            ("ballot", "public"),
            ("vote_start", &local(start)),
            ("deadline", &local(start + 600)),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let url = r.location();
    let list = server.client().get(&format!("/a/{slug}/votes"));
    assert!(list.body.contains("Date de la fête"));
    sleep_until(start);
    let page = bob.get(&url);
    assert!(page.body.contains("Seuls les membres de la page votent"));
    let r = bob.post_form(&format!("{url}/vote"), &page, &[("choice", "yes")]);
    assert_eq!(r.status, 403);
    let page = admin.get(&url);
    let r = admin.post_form(&format!("{url}/vote"), &page, &[("choice", "yes")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = server.client().get(&url);
    assert!(
        page.body.contains("Mairie : Oui"),
        "a public ballot shows the name: {}",
        page.body
    );
}
