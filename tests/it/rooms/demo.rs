//! The demo village's rooms: what a visitor and the town hall's manager see on day one.

use crate::support::*;

#[test]
fn the_demo_has_a_weekly_booking_a_pending_request_and_a_public_event() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--demo"]);
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(
        count("SELECT COUNT(DISTINCT room_id) FROM room_rules") >= 2,
        "rooms with rules"
    );
    assert!(
        count("SELECT COUNT(*) FROM room_bookings WHERE series_id IS NOT NULL AND status = 'confirmed'") > 10,
        "a weekly series"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM room_bookings WHERE status = 'requested'"),
        1,
        "a request waiting for the town hall"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM room_bookings WHERE public = 1 AND event_id IS NOT NULL"),
        1,
        "a public booking published in the agenda"
    );
    let rooms = server.client().get("/rooms");
    assert_eq!(rooms.status, 200);
    assert!(rooms.body.contains("Salle des fêtes"));
}

#[test]
fn a_whole_area_s_rooms_come_twenty_to_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    for i in 1..=21 {
        super::room(&admin, &format!("Salle {i:02}"), "");
    }
    let first = server.client().get("/rooms");
    assert_eq!(first.status, 200);
    assert_eq!(first.body.matches("<li class=\"card\">").count(), 20);
    assert!(first.body.contains("Page 1 sur 2") && first.body.contains("page=2"));
    assert!(first.body.contains("Salle 20") && !first.body.contains("Salle 21"));
    let second = server.client().get("/rooms?page=2");
    assert!(second.body.contains("Salle 21") && second.body.contains("Page 2 sur 2"));
    // Past the end: the last page.
    assert!(server
        .client()
        .get("/rooms?page=9")
        .body
        .contains("Salle 21"));
}
