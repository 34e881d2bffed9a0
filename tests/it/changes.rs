//! The change feed of public summaries (issue 20, for neighbouring instances): RPDE paging,
//! edits and deletions as they happen, nothing members-only, conditional requests.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::agenda::{create, fields, set};
use crate::support::*;

fn page(c: &Client, url: &str) -> Value {
    let r = c.get(url);
    assert_eq!(r.status, 200, "{url}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// Follows `next` from `start` until an empty page; returns every item and the last `next`.
fn read_all(c: &Client, server: &Server, start: &str) -> (Vec<Value>, String) {
    let mut url = start.to_string();
    let mut items = Vec::new();
    loop {
        let p = page(c, &url);
        let got = p["items"].as_array().unwrap().clone();
        let next = p["next"]
            .as_str()
            .unwrap()
            .trim_start_matches(&server.url)
            .to_string();
        if got.is_empty() {
            if url.contains('?') {
                assert_eq!(next, url, "the last page's next is itself");
            }
            return (items, next);
        }
        items.extend(got);
        url = next;
    }
}

/// Reads from `start` until an item satisfies `ok`.
fn wait_for(
    c: &Client,
    server: &Server,
    start: &str,
    ok: impl Fn(&Value) -> bool,
) -> (Vec<Value>, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (items, next) = read_all(c, server, start);
        if items.iter().any(&ok) {
            return (items, next);
        }
        assert!(Instant::now() < deadline, "never in the feed: {items:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_change_feed_pages_public_summaries_with_edits_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let visitor = server.client();
    let comite = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let slug = create(&admin, &fields("Bal du 14 juillet"));
    let mut private = fields("Réunion du bureau");
    set(&mut private, "organiser", &comite);
    set(&mut private, "visibility", "members");
    create(&admin, &private);

    let (items, next) = wait_for(&visitor, &server, "/api/v1/changes", |i| {
        i["data"]["title"] == "Bal du 14 juillet"
    });
    let event = items
        .iter()
        .find(|i| i["data"]["title"] == "Bal du 14 juillet")
        .unwrap();
    assert_eq!(event["state"], "updated");
    assert_eq!(event["kind"], "event");
    assert_eq!(
        event["data"]["url"],
        format!("{}/e/{slug}", server.url).as_str()
    );
    assert_eq!(event["data"]["lat"], 47.352);
    assert!(items
        .iter()
        .any(|i| i["data"]["title"] == "Comité des fêtes"));
    assert!(
        !items
            .iter()
            .any(|i| i.to_string().contains("Réunion du bureau")),
        "members-only never in the feed"
    );
    // In (modified, id) order.
    let keys: Vec<(i64, String)> = items
        .iter()
        .map(|i| {
            (
                i["modified"].as_i64().unwrap(),
                i["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Paging: one item at a time from the first one's position gives the rest.
    let first = &items[0];
    let after = format!(
        "/api/v1/changes?afterTimestamp={}&afterId={}",
        first["modified"],
        first["id"].as_str().unwrap()
    );
    let (rest, _) = read_all(&visitor, &server, &after);
    assert_eq!(rest.len(), items.len() - 1);

    // An edit comes after the last page read, once.
    let edit = admin.get(&format!("/e/{slug}/edit"));
    let mut changed = fields("Grand bal du 14 juillet");
    set(&mut changed, "title", "Grand bal du 14 juillet");
    assert_eq!(
        admin
            .post_form(&format!("/e/{slug}/edit"), &edit, &changed)
            .status,
        303
    );
    let (new, next) = wait_for(&visitor, &server, &next, |i| {
        i["data"]["title"] == "Grand bal du 14 juillet"
    });
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["id"], event["id"]);

    // A deletion is explicit, without data.
    let page_ = admin.get(&format!("/e/{slug}"));
    admin.post_form(&format!("/e/{slug}/delete"), &page_, &[] as &[(&str, &str)]);
    let (gone, next) = wait_for(&visitor, &server, &next, |i| i["state"] == "deleted");
    assert_eq!(gone[0]["id"], event["id"]);
    assert!(gone[0].get("data").is_none());

    // Unchanged since the ETag: 304.
    let r = visitor.get(&next);
    let tag = r.header("etag");
    assert!(!tag.is_empty());
    let again = visitor.get_with(&next, &[("If-None-Match", &tag)]);
    assert_eq!(again.status, 304);
    // A neighbour asks without having seen the page: the empty page after its cursor has the
    // tag it predicts from the cursor alone (src/neighbours/sync.rs).
    let cursor: Vec<String> = next
        .split(['?', '&'])
        .filter_map(|kv| kv.split_once('='))
        .map(|(_, v)| v.replace("%3A", ":"))
        .collect();
    assert_eq!(
        tag,
        format!("W/\"{}-{}-0\"", cursor[0], cursor[1]),
        "{next}"
    );

    // Bad positions are a 400 that says why.
    for bad in [
        "afterTimestamp=-1",
        "afterTimestamp=x",
        "afterId=Event:1",
        "afterId=12",
    ] {
        let r = visitor.get(&format!("/api/v1/changes?{bad}"));
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.body.contains("\"error\""), "{}", r.body);
    }
}
