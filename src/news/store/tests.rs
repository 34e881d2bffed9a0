//! Store tests on an in-memory database with the real schema.

use rusqlite::Connection;

use super::comments::*;
use super::*;
use crate::db::Db;
use crate::moderation::store::{
    add_report, open_reports, reports_by, resolve, staff_addresses, NewReport,
};

fn user(c: &Connection, name: &str, role: &str) -> i64 {
    c.execute(
        "INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
         VALUES (?1, ?2, 'x', ?3, 0, 0)",
        (format!("{name}@village.test"), name, role),
    )
    .unwrap();
    c.last_insert_rowid()
}

fn actor(c: &Connection, slug: &str, visibility: &str) -> i64 {
    c.execute(
        "INSERT INTO actors (slug, kind, type, name, visibility, created_at, updated_at)
         VALUES (?1, 'organisation', 'association', ?1, ?2, 0, 0)",
        (slug, visibility),
    )
    .unwrap();
    c.last_insert_rowid()
}

fn post(c: &Connection, actor: Option<i64>, author: i64, audience: Audience, at: i64) -> i64 {
    let input = PostInput {
        title: String::new(),
        body: format!("post {at}"),
        audience,
    };
    insert_post(c, actor, author, &input, None, at).unwrap()
}

fn ids(c: &Connection, v: Viewer, scope: Scope) -> Vec<i64> {
    let mut ids: Vec<i64> = visible_posts(c, v, scope, 100, 0)
        .unwrap()
        .0
        .iter()
        .map(|p| p.id)
        .collect();
    ids.sort();
    ids
}

fn as_user(id: i64) -> Viewer {
    Viewer {
        user_id: Some(id),
        staff: false,
    }
}

#[test]
fn each_audience_reaches_exactly_its_readers() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let (author, follower, member, other, moderator) = (
        user(&c, "author", "member"),
        user(&c, "follower", "member"),
        user(&c, "member", "member"),
        user(&c, "other", "member"),
        user(&c, "moderator", "moderator"),
    );
    let club = actor(&c, "club", "public");
    let secret = actor(&c, "secret", "members");
    c.execute_batch(&format!(
        "INSERT INTO follows VALUES ({follower}, {club}, 0);
         INSERT INTO memberships (actor_id, user_id, role, status, created_at) VALUES ({club}, {member}, 'member', 'active', 0);
         INSERT INTO memberships (actor_id, user_id, role, status, created_at) VALUES ({secret}, {member}, 'member', 'active', 0);
         INSERT INTO follows VALUES ({follower}, {secret}, 0);"
    ))
    .unwrap();
    let wall_public = post(&c, None, author, Audience::Public, 1);
    let wall_members = post(&c, None, author, Audience::Members, 2);
    let club_followers = post(&c, Some(club), author, Audience::Followers, 3);
    let secret_public = post(&c, Some(secret), member, Audience::Public, 4);
    let hidden = post(&c, None, author, Audience::Public, 5);
    assert!(set_post_hidden(&c, hidden, true, moderator, 6).unwrap());

    let visitor = Viewer::default();
    assert_eq!(ids(&c, visitor, Scope::All), vec![wall_public]);
    assert_eq!(
        ids(&c, as_user(other), Scope::All),
        vec![wall_public, wall_members]
    );
    assert_eq!(
        ids(&c, as_user(follower), Scope::All),
        vec![wall_public, wall_members, club_followers],
        "a follower of a members-only page does not read its journal"
    );
    assert_eq!(
        ids(&c, as_user(member), Scope::All),
        vec![wall_public, wall_members, club_followers, secret_public]
    );
    let staff = Viewer {
        user_id: Some(moderator),
        staff: true,
    };
    assert_eq!(
        ids(&c, staff, Scope::All).len(),
        4,
        "hidden posts are never listed"
    );
    assert!(post_for(&c, hidden, staff)
        .unwrap()
        .is_some_and(|p| p.hidden));
    assert!(post_for(&c, hidden, as_user(author)).unwrap().is_none());
    assert!(post_for(&c, club_followers, as_user(other))
        .unwrap()
        .is_none());
    assert!(post_for(&c, club_followers, as_user(author))
        .unwrap()
        .is_some());
    assert_eq!(
        ids(&c, as_user(follower), Scope::Actor(club)),
        vec![club_followers]
    );
    let (first, more) = visible_posts(&c, as_user(other), Scope::All, 1, 0).unwrap();
    assert_eq!(
        (first[0].id, more),
        (wall_members, true),
        "newest first, more follow"
    );
    let (last, more) = visible_posts(&c, as_user(other), Scope::All, 1, 1).unwrap();
    assert_eq!((last[0].id, more), (wall_public, false));
    assert_eq!(
        ids(&c, as_user(member), Scope::Followed),
        vec![club_followers, secret_public]
    );

    // Feeds and search see what a visitor sees, and nothing else.
    assert_eq!(public_post_ids(&c).unwrap(), vec![wall_public]);
    let all = [
        wall_public,
        wall_members,
        club_followers,
        secret_public,
        hidden,
    ];
    let docs: Vec<i64> = public_posts_by_ids(&c, &all)
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(docs, vec![wall_public]);
    assert_eq!(public_posts(&c, Some(club), 10).unwrap().len(), 0);
}

#[test]
fn writes_queue_the_search_and_page_visibility_requeues_the_journal() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let author = user(&c, "author", "member");
    let club = actor(&c, "club", "public");
    let id = post(&c, Some(club), author, Audience::Public, 1);
    let queued = |c: &Connection| -> i64 {
        c.query_row(
            "SELECT count(*) FROM search_queue WHERE kind = 'news' AND item_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(queued(&c), 1);
    c.execute(
        "UPDATE actors SET visibility = 'members' WHERE id = ?1",
        [club],
    )
    .unwrap();
    assert_eq!(queued(&c), 2);
    assert!(public_post_ids(&c).unwrap().is_empty());
    c.execute("DELETE FROM actors WHERE id = ?1", [club])
        .unwrap();
    assert_eq!(
        queued(&c),
        3,
        "the journal goes with its page, and leaves the index"
    );
    assert!(post_by_id(&c, id).unwrap().is_none());
}

#[test]
fn a_deleted_comment_with_replies_leaves_a_marker_until_its_last_reply_goes() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let a = user(&c, "a", "member");
    let p = post(&c, None, a, Audience::Public, 1);
    let top = insert_comment(&c, p, None, a, "Bonne idée", 2).unwrap();
    let reply = insert_comment(&c, p, Some(top), a, "Merci", 3).unwrap();
    delete_comment(&c, top, 4).unwrap();
    let marker = comment_by_id(&c, top).unwrap().unwrap();
    assert!(marker.deleted && marker.body.is_empty());
    assert_eq!(post_by_id(&c, p).unwrap().unwrap().comments, 1);
    delete_comment(&c, reply, 5).unwrap();
    assert!(comments_of(&c, p).unwrap().is_empty());
}

#[test]
fn a_target_enters_the_queue_once_and_leaves_it_when_resolved() {
    let db = Db::memory().unwrap();
    let c = db.conn().unwrap();
    let (a, b, m) = (
        user(&c, "a", "member"),
        user(&c, "b", "member"),
        user(&c, "m", "moderator"),
    );
    let p = post(&c, None, a, Audience::Public, 1);
    let report = |who: i64, at: i64| NewReport {
        kind: "news",
        item_id: p,
        reason: "hate",
        note: "",
        reporter_id: Some(who),
        reporter_email: "",
        lang: crate::i18n::Lang::Fr,
        now: at,
    };
    assert!(add_report(&c, &report(b, 2)).unwrap());
    assert!(!add_report(&c, &report(b, 3)).unwrap());
    assert!(!add_report(&c, &report(a, 4)).unwrap());
    let q = open_reports(&c, 100).unwrap();
    assert_eq!(q.len(), 2, "one open report per person");
    assert_eq!(resolve(&c, "news", p, m, "kept", "", 5).unwrap(), 2);
    assert!(open_reports(&c, 100).unwrap().is_empty());
    assert_eq!(staff_addresses(&c).unwrap().len(), 1);
    assert_eq!(reports_by(&c, b).unwrap().len(), 1);
}
