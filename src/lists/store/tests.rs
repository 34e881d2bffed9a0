//! Store tests on an in-memory database with the real schema.

use super::mailings::{self, SaveRefused, ScheduleRefused};
use super::subscribers::{self, NewSubscriber, Subscribed};
use super::*;
use crate::db::{write_now, Db};
use crate::lists::{Consent, DraftInput, Frequency, ListInput, Source};

fn village(db: &Db) -> i64 {
    let mut c = db.conn().unwrap();
    write_now(&mut c, |tx| {
        tx.execute_batch(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
             VALUES (1, 'ana@v.test', 'Ana', 'x', 0, 0), (2, 'bob@v.test', 'Bob', 'x', 0, 0);",
        )?;
        let input = ListInput {
            name: "La lettre".into(),
            purpose: String::new(),
            owner: None,
            public: true,
            frequency: Frequency::Month,
            needs_approval: false,
            members_post: false,
        };
        insert_list(tx, &input, None, true, None, 0)?;
        Ok(village_list(tx)?.unwrap().id)
    })
    .unwrap()
}

#[test]
fn the_promise_refuses_a_second_mailing_within_a_month() {
    let db = Db::memory().unwrap();
    let list = village(&db);
    let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
    let mut c = db.conn().unwrap();
    let draft = |subject: &str| DraftInput {
        subject: subject.into(),
        body: "Bonjour".into(),
    };
    let (a, b) = write_now(&mut c, |tx| {
        Ok((
            mailings::create_draft(tx, list, &draft("Mars"), 1, 0)?,
            mailings::create_draft(tx, list, &draft("Mars bis"), 1, 0)?,
        ))
    })
    .unwrap();
    let start = 1_770_000_000;
    write_now(&mut c, |tx| {
        assert_eq!(
            mailings::schedule(tx, a, start, false, Frequency::Month, tz)?,
            Ok(())
        );
        let refused = mailings::schedule(tx, b, start + 10 * 86_400, false, Frequency::Month, tz)?;
        assert_eq!(
            refused,
            Err(ScheduleRefused::TooSoon(
                Frequency::Month.next_after(start, tz)
            ))
        );
        let later = Frequency::Month.next_after(start, tz);
        assert_eq!(
            mailings::schedule(tx, b, later, false, Frequency::Month, tz)?,
            Ok(())
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_save_over_a_newer_revision_is_a_conflict() {
    let db = Db::memory().unwrap();
    let list = village(&db);
    let mut c = db.conn().unwrap();
    write_now(&mut c, |tx| {
        let d = |b: &str| DraftInput {
            subject: "S".into(),
            body: b.into(),
        };
        let id = mailings::create_draft(tx, list, &d("un"), 1, 0)?;
        assert_eq!(mailings::save_revision(tx, id, 1, &d("deux"), 1, 1)?, Ok(2));
        assert_eq!(
            mailings::save_revision(tx, id, 1, &d("trois"), 1, 2)?,
            Err(SaveRefused::Conflict(2))
        );
        assert_eq!(mailings::revisions(tx, id)?.len(), 2);
        assert!(
            !mailings::approve(tx, id, 2, 1)?,
            "the author cannot approve"
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn sign_up_confirm_withdraw_and_purge_keep_the_ledger() {
    let db = Db::memory().unwrap();
    let list = village(&db);
    let mut c = db.conn().unwrap();
    let consent = Consent::of_text("J'accepte");
    write_now(&mut c, |tx| {
        let s = |email| NewSubscriber {
            list_id: list,
            email,
            user_id: None,
            lang: Some("fr"),
            consent: &consent,
            source: Source::Form,
            page: "/lists/village",
            recorded_by: None,
        };
        let Subscribed::Pending(ana) = subscribers::subscribe(tx, &s("ana@v.test"), 100)? else {
            panic!("pending expected")
        };
        subscribers::subscribe(tx, &s("bob@v.test"), 100)?;
        // Both confirmation mails are due, committed with the sign-ups.
        assert_eq!(subscribers::confirmations_due(tx, 10)?.len(), 2);
        subscribers::confirmation_sent(tx, ana)?;
        assert_eq!(subscribers::confirmations_due(tx, 10)?[0].2, "bob@v.test");
        assert_eq!(subscribers::confirm(tx, ana, 200)?, Some(list));
        assert_eq!(
            subscribers::purge_pending(tx, 150)?,
            1,
            "bob never confirmed"
        );
        assert!(subscribers::unsubscribe(tx, ana, 300)?);
        let ledger = subscribers::ledger(tx, Some(list), None)?;
        assert_eq!(ledger.len(), 1);
        let row = &ledger[0].1;
        assert_eq!((row.confirmed_at, row.withdrawn_at), (Some(200), Some(300)));
        assert_eq!(row.text_hash, consent.hash);
        Ok(())
    })
    .unwrap();
}

#[test]
fn deleting_an_account_withdraws_its_subscriptions() {
    let db = Db::memory().unwrap();
    let list = village(&db);
    let mut c = db.conn().unwrap();
    let consent = Consent::of_text("J'accepte");
    write_now(&mut c, |tx| {
        let s = NewSubscriber {
            list_id: list,
            email: "ana@v.test",
            user_id: Some(1),
            lang: None,
            consent: &consent,
            source: Source::Account,
            page: "/lists/village",
            recorded_by: Some(1),
        };
        assert!(matches!(
            subscribers::subscribe(tx, &s, 10)?,
            Subscribed::Active(_)
        ));
        tx.execute("DELETE FROM users WHERE id = 1", [])?;
        assert_eq!(subscribers::counts(tx, list)?, (0, 0, 1));
        let ledger = subscribers::ledger(tx, Some(list), None)?;
        assert!(ledger[0].1.withdrawn_at.is_some());
        Ok(())
    })
    .unwrap();
}
