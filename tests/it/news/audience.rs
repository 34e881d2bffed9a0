//! Audiences on every surface: the wall, journals, permalinks, search, feeds, API, "my village".

use super::*;

#[test]
fn a_members_only_post_is_invisible_to_visitors_on_every_surface() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();
    let public = publish(
        &jeanne,
        "/news",
        "Concert zorglubique <vendredi> & samedi",
        "À l'église.",
        "public",
    );
    let members = publish(
        &jeanne,
        "/news",
        "Réunion quarkonium",
        "Réservé aux habitants.",
        "members",
    );

    // Search: the public post is found once indexed; the members-only one never.
    wait_search(&anon, "zorglubique", &[format!("/news/{public}")]);
    assert!(search_urls(&anon, "quarkonium").is_empty());
    assert!(
        search_urls(&paul, "quarkonium").is_empty(),
        "the index holds public posts only"
    );

    // A visitor: not on the wall, 404 on its page (not 403), not in the feed nor the API.
    let wall = anon.get("/news");
    assert!(wall.body.contains("zorglubique") && !wall.body.contains("quarkonium"));
    assert_eq!(anon.get(&format!("/news/{members}")).status, 404);
    assert_eq!(anon.get(&format!("/api/v1/news/{members}")).status, 404);
    assert!(!anon.get("/api/v1/news").body.contains("quarkonium"));
    let feed = anon.get("/news.rss");
    assert_eq!(feed.status, 200);
    assert!(feed
        .header("content-type")
        .starts_with("application/rss+xml"));
    let titles = feed_titles(&feed.body);
    assert_eq!(titles[0], "Actualités de Saint-Test-sur-Loire");
    assert_eq!(titles[1..], ["Concert zorglubique <vendredi> & samedi"]);

    // A signed-in resident reads it everywhere the site shows it.
    assert!(paul.get("/news").body.contains("quarkonium"));
    let p = paul.get(&format!("/news/{members}"));
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Habitants connectés"));
    let api = json(&paul.get("/api/v1/news"));
    assert_eq!(api["items"].as_array().unwrap().len(), 2);
    assert_eq!(api["has_more"], false);
    assert_eq!(api["items"][0]["audience"], "members");
    assert!(
        !paul.get("/news.rss").body.contains("quarkonium"),
        "feeds are public only"
    );
}

#[test]
fn a_followers_only_post_reaches_followers_and_members_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create_actor(&admin, "Chorale du Bourg");
    let journal = format!("/a/{slug}/news");
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();

    // Only the page's members post on its journal; followers-only exists only there.
    assert_eq!(
        post_news(&paul, &journal, "", "Je ne suis pas membre", "public").status,
        403
    );
    let r = post_news(&paul, "/news", "Pour mes abonnés", "Texte", "followers");
    assert_eq!(r.status, 422, "the wall has no followers");
    assert!(r.body.contains("value=\"Pour mes abonnés\""));
    let secret = publish(
        &admin,
        &journal,
        "Répétition tralalère",
        "Jeudi 20 h.",
        "followers",
    );
    let open = publish(
        &admin,
        &journal,
        "Concert de printemps",
        "Entrée libre.",
        "public",
    );

    for c in [&anon, &paul] {
        assert_eq!(c.get(&format!("/news/{secret}")).status, 404);
        let page = c.get(&journal);
        assert!(page.body.contains("Concert de printemps"));
        assert!(!page.body.contains("tralalère"));
    }
    let feed = anon.get(&format!("{journal}.rss"));
    let titles = feed_titles(&feed.body);
    assert_eq!(titles[0], "Journal de Chorale du Bourg");
    assert_eq!(titles[1..], ["Concert de printemps"]);

    // Paul follows the page: the post is his to read, on the journal and in "my village".
    let page = paul.get(&format!("/a/{slug}"));
    let r = paul.post_form(&format!("/a/{slug}/follow"), &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert_eq!(paul.get(&format!("/news/{secret}")).status, 200);
    assert!(paul.get(&journal).body.contains("tralalère"));
    let my = paul.get("/my");
    assert!(my.body.contains("Répétition tralalère") && my.body.contains("Concert de printemps"));
    assert!(!feed_titles(&anon.get(&format!("{journal}.rss")).body)
        .iter()
        .any(|t| t.contains("tralalère")));
    assert_eq!(
        json(&paul.get(&format!("/api/v1/news?actor={slug}")))["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        json(&anon.get(&format!("/api/v1/news?actor={slug}")))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let _ = open;
}
