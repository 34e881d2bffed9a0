//! The store on an in-memory database with the real schema.

use rusqlite::Connection;

use super::*;
use crate::votes::form::ProposalInput;

fn db() -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    crate::db::migrate(&mut c).unwrap();
    for (id, name) in [(1, "Ana"), (2, "Bob"), (3, "Chloé")] {
        c.execute(
            "INSERT INTO users (id, email, name, password_hash, email_confirmed_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'x', 0, 0, 0)",
            rusqlite::params![id, format!("{name}@village.test"), name],
        )
        .unwrap();
    }
    c
}

fn input(method: Method, secret: bool) -> ProposalInput {
    ProposalInput {
        title: "Rénover le lavoir".into(),
        body: "Texte initial".into(),
        method,
        options: if method == Method::Judgement {
            vec!["Halle".into(), "Lavoir".into()]
        } else {
            Vec::new()
        },
        quorum_pct: 50,
        threshold: Threshold::Half,
        secret,
        vote_start: 100,
        deadline: 200,
        place: String::new(),
        point: None,
    }
}

#[test]
fn ballots_count_once_change_until_the_deadline_and_are_refused_after() {
    let c = db();
    let id = insert_proposal(&c, None, 1, &input(Method::YesNo, true), 0).unwrap();
    assert_eq!(cast(&c, id, 1, "yes", 99).unwrap(), Cast::NotOpen);
    assert_eq!(cast(&c, id, 1, "yes", 100).unwrap(), Cast::Saved(false));
    assert_eq!(cast(&c, id, 2, "yes", 150).unwrap(), Cast::Saved(false));
    assert_eq!(cast(&c, id, 2, "no", 199).unwrap(), Cast::Saved(true));
    assert_eq!(cast(&c, id, 3, "yes", 200).unwrap(), Cast::Closed);
    assert_eq!(voters(&c, id).unwrap(), 2);
    assert!(!publish(&c, id, 199).unwrap(), "not before the deadline");
    assert!(publish(&c, id, 200).unwrap());
    assert!(!publish(&c, id, 201).unwrap(), "counted once");
    let r = result(&c, id).unwrap().unwrap();
    assert_eq!((r.eligible, r.voters, r.yes, r.no), (3, 2, 1, 1));
    assert_eq!(r.outcome, "rejected", "a tie is not a majority");
    assert_eq!(
        ballot_of(&c, id, 1).unwrap(),
        None,
        "a secret ballot is unlinked at the count"
    );
    assert!(due(&c, 500).unwrap().is_empty());
}

#[test]
fn an_accepted_amendment_changes_the_text_and_keeps_the_former_one() {
    let c = db();
    let id = insert_proposal(&c, None, 1, &input(Method::YesNo, false), 0).unwrap();
    let a = insert_amendment(&c, id, 2, "Texte amendé", "plus clair", 10)
        .unwrap()
        .unwrap();
    let b = insert_amendment(&c, id, 3, "Autre texte", "", 11)
        .unwrap()
        .unwrap();
    assert!(decide_amendment(&c, a, true, 20).unwrap());
    assert!(!decide_amendment(&c, a, false, 21).unwrap(), "decided once");
    assert!(decide_amendment(&c, b, false, 22).unwrap());
    assert_eq!(proposal(&c, id).unwrap().unwrap().body, "Texte amendé");
    let texts: Vec<String> = revisions(&c, id)
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert_eq!(texts, vec!["Texte initial", "Texte amendé"]);
    assert_eq!(
        insert_amendment(&c, id, 2, "Trop tard", "", 100).unwrap(),
        None
    );
    cast(&c, id, 2, "yes", 150).unwrap();
    assert_eq!(
        public_ballots(&c, id).unwrap(),
        vec![("Bob".to_string(), "yes".to_string())]
    );
}
