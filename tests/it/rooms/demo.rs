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
