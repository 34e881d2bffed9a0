//! Reports reach the moderators (by mail too), who hide and restore; the admin sets the
//! expiry; "download my data" has the posts and the conversations.

use super::*;

#[test]
fn a_reported_post_is_hidden_then_restored_by_a_moderator() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let admin = server.set_up();
    let author = server.resident("jeanne@village.test", "Jeanne");
    let neighbour = server.resident("paul@village.test", "Paul");
    let id = publish(&author, "ad_sale", "other", "Chiots à vendre", None);
    assert!(neighbour
        .get(&format!("/aid/{id}"))
        .body
        .contains(&format!("/report/aid/{id}")));
    let page = neighbour.get(&format!("/report/aid/{id}"));
    let r = neighbour.post_form(
        &format!("/report/aid/{id}"),
        &page,
        &[
            ("reason", "illegal"),
            ("note", "Vente d'animaux interdite ici"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The moderators were told (the outbox: no relay configured).
    let told = server.outbox_for(ADMIN_EMAIL);
    assert!(
        told.iter()
            .any(|m| m.contains(&format!("/moderation/items/aid/{id}"))),
        "{told:?}"
    );
    // Residents have no access to the queue; the aid posts are in the one queue.
    assert_eq!(neighbour.get("/moderation").status, 403);
    let queue = admin.get("/moderation");
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains("Chiots à vendre")
            && (queue.body.contains("Vente d&#39;animaux")
                || queue.body.contains("Vente d'animaux"))
    );
    let r = admin.post_form(
        &format!("/moderation/items/aid/{id}/hide"),
        &queue,
        &[("reason", "Vente d'animaux interdite")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let visitor = server.client();
    assert_eq!(visitor.get(&format!("/aid/{id}")).status, 404);
    assert!(!visitor.get("/aid").body.contains("Chiots"));
    let own = author.get(&format!("/aid/{id}"));
    assert_eq!(own.status, 200);
    assert!(own.body.contains("masquée par la modération"));
    let r = admin.post_form(
        &format!("/moderation/items/aid/{id}/restore"),
        &queue,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(visitor.get(&format!("/aid/{id}")).status, 200);
    let queue = admin.get("/moderation");
    assert!(
        !queue.body.contains("Chiots"),
        "reports closed, nothing hidden"
    );
}

#[test]
fn the_admin_sets_the_duration_and_my_data_has_my_posts_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let admin = server.set_up();
    let page = admin.get("/aid/settings");
    assert_eq!(page.status, 200);
    let bad = admin.post_form(
        "/aid/settings",
        &page,
        &[("expiry_days", "0"), ("warn_days", "3")],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"0\""));
    let ok = admin.post_form(
        "/aid/settings",
        &page,
        &[("expiry_days", "10"), ("warn_days", "2")],
    );
    assert_eq!(ok.status, 303);
    let author = server.resident("jeanne@village.test", "Jeanne");
    assert_eq!(author.get("/aid/settings").status, 403);
    let id = publish(&author, "offer", "give", "Donne plants de tomates", None);
    let v = json(&server.client().get(&format!("/api/v1/aid/{id}")));
    let created = chrono_like(&v["created_at"]);
    let expires = chrono_like(&v["expires_at"]);
    assert_eq!(expires - created, 10 * 86_400);
    let other = server.resident("paul@village.test", "Paul");
    let page = other.get(&format!("/aid/{id}"));
    let r = other.post_form(
        &format!("/aid/{id}/reply"),
        &page,
        &[("body", "Je prends volontiers !")],
    );
    assert_eq!(r.status, 303);
    let mine = json(&other.get("/account/export"));
    let conv = &mine["aid"]["conversations"][0];
    assert_eq!(conv["messages"][0]["body"], "Je prends volontiers !");
    assert_eq!(conv["with"], "Jeanne");
    let hers = json(&author.get("/account/export"));
    assert_eq!(hers["aid"]["posts"][0]["title"], "Donne plants de tomates");
    assert!(!hers.to_string().contains("paul@village.test"));
}

/// Seconds of an RFC 3339 date as the API gives it (UTC, `+00:00`).
fn chrono_like(v: &serde_json::Value) -> i64 {
    let s = v.as_str().unwrap();
    let (date, time) = s.split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let t: Vec<i64> = time[..8].split(':').map(|x| x.parse().unwrap()).collect();
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]
}
