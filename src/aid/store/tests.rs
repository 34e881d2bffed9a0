//! Store tests on an in-memory database with the real schema.

use super::*;
use crate::aid::{round_point, Status};
use crate::db::Db;

fn user(c: &Connection, email: &str) -> i64 {
    c.query_row(
        "INSERT INTO users (email, name, password_hash, created_at, updated_at)
         VALUES (?1, ?1, 'x', 0, 0) RETURNING id",
        [email],
        |r| r.get(0),
    )
    .unwrap()
}

fn input(kind: Kind, title: &str, point: Option<(f64, f64)>) -> PostInput {
    PostInput {
        kind,
        category: Category::Lend,
        title: title.into(),
        description: String::new(),
        price: None,
        condition: None,
        available_from: None,
        available_until: None,
        actor_id: None,
        point,
    }
}

#[test]
fn expired_and_closed_posts_leave_the_public_list_but_stay_for_their_author() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let a = user(&c, "a@x.test");
    let p = round_point((47.35, -0.81));
    let open = insert_post(
        &c,
        a,
        &input(Kind::Offer, "Tondeuse", Some(p)),
        None,
        100,
        1_000,
    )
    .unwrap();
    let old = insert_post(&c, a, &input(Kind::Offer, "Vieux", None), None, 100, 500).unwrap();
    let done = insert_post(&c, a, &input(Kind::Need, "Fini", None), None, 100, 1_000).unwrap();
    set_status(&c, done, Status::Fulfilled, None, 200).unwrap();
    assert_eq!(admin::expire_due(&c, 600).unwrap(), 1);
    let (list, more) = public_posts(&c, &ListFilter::default(), 10, 600).unwrap();
    assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), vec![open]);
    assert!(!more);
    assert_eq!(posts_by_author(&c, a).unwrap().len(), 3);
    assert_eq!(
        post_by_id(&c, old).unwrap().unwrap().status,
        Status::Expired
    );
    // Only the rounded point is in the R*Tree.
    let (lat, lon): (f64, f64) = c
        .query_row("SELECT min_lat, min_lon FROM geo", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!((lat - p.0).abs() < 1e-4 && (lon - p.1).abs() < 1e-4);
    // The distance filter keeps what is near.
    let near = ListFilter {
        near: Some(((47.35, -0.81), 1.0)),
        ..Default::default()
    };
    assert_eq!(public_posts(&c, &near, 10, 600).unwrap().0.len(), 1);
    let wide = ListFilter {
        near: Some(((47.5, -0.81), 25.0)),
        ..Default::default()
    };
    assert_eq!(public_posts(&c, &wide, 10, 600).unwrap().0.len(), 1);
    let far = ListFilter {
        near: Some(((48.85, 2.35), 10.0)),
        ..Default::default()
    };
    assert!(public_posts(&c, &far, 10, 600).unwrap().0.is_empty());
}

#[test]
fn warnings_go_once_and_an_extension_allows_the_next() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let a = user(&c, "a@x.test");
    let id = insert_post(
        &c,
        a,
        &input(Kind::Offer, "Tondeuse", None),
        None,
        0,
        30 * 86_400,
    )
    .unwrap();
    assert!(admin::to_warn(&c, 20 * 86_400, 3).unwrap().is_empty());
    assert_eq!(admin::to_warn(&c, 28 * 86_400, 3).unwrap().len(), 1);
    assert!(admin::mark_warned(&c, id, 28 * 86_400).unwrap());
    assert!(!admin::mark_warned(&c, id, 28 * 86_400).unwrap());
    assert!(admin::to_warn(&c, 28 * 86_400, 3).unwrap().is_empty());
    set_status(&c, id, Status::Open, Some(58 * 86_400), 28 * 86_400).unwrap();
    assert_eq!(admin::to_warn(&c, 56 * 86_400, 3).unwrap().len(), 1);
}

#[test]
fn messages_wait_for_their_relay_and_blocks_work_both_ways() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let (a, b) = (user(&c, "a@x.test"), user(&c, "b@x.test"));
    let post = insert_post(&c, a, &input(Kind::Offer, "Tondeuse", None), None, 0, 100).unwrap();
    let t = talk::open_conversation(&c, post, b, 1).unwrap();
    assert_eq!(talk::open_conversation(&c, post, b, 2).unwrap(), t);
    let m = talk::add_message(&c, t, b, "Bonjour", 3).unwrap();
    let pending = talk::pending_relays(&c, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].to_email, "a@x.test");
    talk::mark_relayed(&c, m, 4).unwrap();
    assert!(talk::pending_relays(&c, 10).unwrap().is_empty());
    assert!(!talk::blocked_between(&c, a, b).unwrap());
    talk::block(&c, a, b, 5).unwrap();
    assert!(talk::blocked_between(&c, b, a).unwrap());
}

#[test]
fn the_digest_brings_the_new_posts_of_the_chosen_categories_once_a_day() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let (a, b) = (user(&c, "a@x.test"), user(&c, "b@x.test"));
    admin::set_digest(&c, b, &["lend", "rides"], 1_000).unwrap();
    assert_eq!(admin::digest_of(&c, b).unwrap(), vec!["lend", "rides"]);
    let lend = insert_post(
        &c,
        a,
        &input(Kind::Offer, "Tondeuse", None),
        None,
        2_000,
        90_000_000,
    )
    .unwrap();
    let mut other = input(Kind::Offer, "Guitare", None);
    other.category = Category::Skills;
    insert_post(&c, a, &other, None, 2_000, 90_000_000).unwrap();
    // Own posts are not in one's digest.
    insert_post(
        &c,
        b,
        &input(Kind::Need, "Remorque", None),
        None,
        2_000,
        90_000_000,
    )
    .unwrap();
    assert!(
        admin::digests_due(&c, 50_000).unwrap().is_empty(),
        "not a day yet"
    );
    let due = admin::digests_due(&c, 1_000 + 86_400).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        due[0].posts.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![lend]
    );
    admin::mark_digest_sent(&c, b, 1_000 + 86_400).unwrap();
    assert!(admin::digests_due(&c, 1_000 + 86_400 + 10)
        .unwrap()
        .is_empty());
    admin::set_digest(&c, b, &[], 0).unwrap();
    assert!(admin::digest_of(&c, b).unwrap().is_empty());
}
