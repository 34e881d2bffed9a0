//! Feeds are discoverable: every page that has feeds announces them in its head
//! (`<link rel="alternate">`), each link answers 200 with its media type, and the items of
//! every RSS and JSON feed carry their dates.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::support::*;

/// A `<link rel="alternate">` of a page's head.
#[derive(Debug)]
struct Alternate {
    media_type: String,
    href: String,
    title: String,
}

/// Undoes the HTML escaping of an attribute value.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The value of `name="..."` inside one tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

/// The feeds a page announces in its head.
fn alternates(html: &str) -> Vec<Alternate> {
    let head = &html[..html.find("</head>").expect("a head")];
    head.split("<link ")
        .skip(1)
        .map(|rest| format!(" {}", &rest[..rest.find('>').unwrap_or(rest.len())]))
        .filter(|tag| attr(tag, "rel").as_deref() == Some("alternate"))
        .map(|tag| Alternate {
            media_type: attr(&tag, "type").unwrap_or_default(),
            href: attr(&tag, "href").unwrap_or_default(),
            title: attr(&tag, "title").unwrap_or_default(),
        })
        .collect()
}

/// Fetches a page, checks that it announces exactly `want` (media type, href) and that each
/// announced feed answers 200 with that media type and a translated title; returns them.
fn check_page(c: &Client, path: &str, want: &[(&str, &str)]) -> Vec<Alternate> {
    let page = c.get(path);
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    let found = alternates(&page.body);
    let pairs: Vec<(&str, &str)> = found
        .iter()
        .map(|a| (a.media_type.as_str(), a.href.as_str()))
        .collect();
    assert_eq!(pairs, want, "{path} announces {found:?}");
    for a in &found {
        assert!(
            !a.title.is_empty() && a.title.contains("(flux "),
            "{path}: untranslated title {a:?}"
        );
        let feed = c.get(&a.href);
        assert_eq!(feed.status, 200, "{path} -> {}: {}", a.href, feed.body);
        assert!(
            feed.header("content-type").starts_with(&a.media_type),
            "{path} -> {} answers {}",
            a.href,
            feed.header("content-type")
        );
    }
    found
}

/// The text of every `<tag>` of every `<item>` of an RSS document, per item.
fn rss_items(xml: &str, tag: &str) -> Vec<Option<String>> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split("<item>")
        .skip(1)
        .map(|item| {
            let item = &item[..item.find("</item>").expect("a closed item")];
            let start = item.find(&open)? + open.len();
            let len = item[start..].find(&close)?;
            Some(item[start..start + len].to_string())
        })
        .collect()
}

/// Asserts that every item of an RSS feed has a `pubDate` in RFC 822 form within the last
/// hour (everything in these tests was just written); returns how many items there are.
fn assert_rss_dates(c: &Client, path: &str) -> usize {
    let r = c.get(path);
    assert_eq!(r.status, 200, "{path}");
    let dates = rss_items(&r.body, "pubDate");
    for d in &dates {
        let d = d
            .as_deref()
            .unwrap_or_else(|| panic!("{path}: an item without pubDate: {}", r.body));
        let t = DateTime::parse_from_rfc2822(d)
            .unwrap_or_else(|e| panic!("{path}: pubDate {d:?} is not RFC 822: {e}"));
        let age = Utc::now().signed_duration_since(t);
        assert!(
            age >= chrono::Duration::seconds(-5) && age < chrono::Duration::hours(1),
            "{path}: pubDate {d} is not when it was published"
        );
    }
    dates.len()
}

/// Creates a public concert in ten days, organised by `organiser`, held at `place`.
fn create_event(c: &Client, title: &str, organiser: &str, place: &str) {
    let day = (Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let fields: Vec<(&str, String)> = [
        ("title", title),
        ("type", "concert"),
        ("start_date", &day),
        ("start_time", "18:30"),
        ("end_date", ""),
        ("end_time", "20:00"),
        ("repeat", ""),
        ("interval", "1"),
        ("ends", "never"),
        ("until", ""),
        ("count", ""),
        ("exdates", ""),
        ("place", place),
        ("address", ""),
        ("lat", ""),
        ("lon", ""),
        ("organiser", organiser),
        ("parent", ""),
        ("description", "Entrée libre."),
        ("tags", "musique"),
        ("capacity", ""),
        ("visibility", "public"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    let page = c.get("/agenda/new");
    let r = c.post_form("/agenda/new", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Publishes a public post through the form of `path` (the wall or a journal).
fn publish(c: &Client, path: &str, title: &str) {
    let page = c.get(path);
    let r = c.post_form(
        path,
        &page,
        &[("title", title), ("body", "Texte."), ("audience", "public")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Sends a mailing on the village list to one imported address (written to the outbox:
/// no relay); waits until the archive shows it.
fn send_newsletter(c: &Client, subject: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while c.get("/lists/village").status != 200 {
        assert!(Instant::now() < deadline, "no village list");
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = c.get("/lists/village/import");
    let r = c.post_form(
        "/lists/village/import",
        &page,
        &[
            ("csv", "email\nlea@village.test\n"),
            ("origin", "fiche papier"),
            ("attest", "on"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page = c.get("/lists/village/mailings/new");
    let r = c.post_form(
        "/lists/village/mailings/new",
        &page,
        &[
            ("subject", subject),
            ("body", "Bonjour."),
            ("base_revision", "0"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mailing = r.location();
    let r = c.post_form(
        &format!("{mailing}/send"),
        &c.get(&mailing),
        &[("send_at", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    while !c.get("/lists/village/archive").body.contains(subject) {
        assert!(
            Instant::now() < deadline,
            "the mailing never reached the archive"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn pages_announce_their_feeds_and_feed_items_carry_their_dates() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let chorale = new_actor(&admin, "Chorale du Val", "organisation", "association");
    let hall = new_actor(&admin, "Salle des fêtes", "place", "room");
    create_event(&admin, "Concert de printemps", &chorale, &hall);
    publish(&admin, "/news", "Le marché revient");
    publish(&admin, &format!("/a/{chorale}/news"), "Répétition ouverte");
    send_newsletter(&admin, "La lettre du printemps");

    // Every page that has feeds announces them, and each announced feed answers.
    let anon = server.client();
    let agenda = [
        ("application/rss+xml", "/agenda.rss"),
        ("text/calendar", "/agenda.ics"),
        ("application/feed+json", "/agenda.json"),
    ];
    let mut home = agenda.to_vec();
    home.push(("application/rss+xml", "/news.rss"));
    check_page(&anon, "/", &home);
    for path in ["/agenda", "/agenda/month", "/agenda/week"] {
        check_page(&anon, path, &agenda);
    }
    let by_organiser = format!("organiser={chorale}");
    let filtered: Vec<(String, String)> = [
        ("rss", "application/rss+xml"),
        ("ics", "text/calendar"),
        ("json", "application/feed+json"),
    ]
    .iter()
    .map(|(ext, t)| (t.to_string(), format!("/agenda.{ext}?{by_organiser}")))
    .collect();
    let want: Vec<(&str, &str)> = filtered
        .iter()
        .map(|(t, h)| (t.as_str(), h.as_str()))
        .collect();
    let found = check_page(&anon, &format!("/agenda?{by_organiser}"), &want);
    assert!(
        found[0].title.contains("Chorale du Val"),
        "the organiser's feed is named after it: {found:?}"
    );
    let found = check_page(
        &anon,
        "/agenda/month?tag=musique",
        &[
            ("application/rss+xml", "/agenda.rss?tag=musique"),
            ("text/calendar", "/agenda.ics?tag=musique"),
            ("application/feed+json", "/agenda.json?tag=musique"),
        ],
    );
    assert!(found[0].title.contains("#musique"), "{found:?}");
    check_page(
        &anon,
        &format!("/agenda/week?place={hall}"),
        &[
            ("application/rss+xml", &format!("/agenda.rss?place={hall}")),
            ("text/calendar", &format!("/agenda.ics?place={hall}")),
            (
                "application/feed+json",
                &format!("/agenda.json?place={hall}"),
            ),
        ],
    );
    check_page(&anon, "/news", &[("application/rss+xml", "/news.rss")]);
    let journal = format!("/a/{chorale}/news.rss");
    check_page(
        &anon,
        &format!("/a/{chorale}/news"),
        &[("application/rss+xml", &journal)],
    );
    let found = check_page(
        &anon,
        &format!("/a/{chorale}"),
        &[
            ("application/rss+xml", &journal),
            ("text/calendar", &format!("/a/{chorale}/agenda.ics")),
            (
                "application/rss+xml",
                &format!("/agenda.rss?{by_organiser}"),
            ),
            (
                "application/feed+json",
                &format!("/agenda.json?{by_organiser}"),
            ),
        ],
    );
    assert!(
        found.iter().all(|a| a.title.contains("Chorale du Val")),
        "{found:?}"
    );
    check_page(
        &anon,
        &format!("/a/{hall}"),
        &[
            ("application/rss+xml", &format!("/a/{hall}/news.rss")),
            ("text/calendar", &format!("/a/{hall}/agenda.ics")),
            ("application/rss+xml", &format!("/agenda.rss?place={hall}")),
            (
                "application/feed+json",
                &format!("/agenda.json?place={hall}"),
            ),
        ],
    );
    let archive = [("application/rss+xml", "/lists/village/feed.rss")];
    check_page(&anon, "/lists/village/archive", &archive);
    check_page(&anon, "/lists/village", &archive);

    // The feeds the filtered pages announce hold what the page shows.
    assert!(anon
        .get(&format!("/agenda.rss?{by_organiser}"))
        .body
        .contains("Concert de printemps"));
    assert!(anon
        .get(&format!("/a/{hall}/agenda.ics"))
        .body
        .contains("SUMMARY:Concert de printemps"));

    // Pages without feeds announce none; titles follow the reader's language.
    let page = anon.get("/directory");
    assert!(alternates(&page.body).is_empty());
    let en = anon.get_with("/agenda", &[("Accept-Language", "en")]);
    let titles: Vec<String> = alternates(&en.body).into_iter().map(|a| a.title).collect();
    assert_eq!(
        titles,
        [
            "Agenda (RSS feed)",
            "Agenda (iCalendar feed)",
            "Agenda (JSON feed)"
        ],
        "{}",
        en.body
    );

    // Every item of every RSS feed has its publication date.
    assert_eq!(assert_rss_dates(&anon, "/agenda.rss"), 1);
    assert_eq!(
        assert_rss_dates(&anon, &format!("/agenda.rss?{by_organiser}")),
        1
    );
    assert_eq!(assert_rss_dates(&anon, "/news.rss"), 2);
    assert_eq!(assert_rss_dates(&anon, &journal), 1);
    assert_eq!(assert_rss_dates(&anon, "/lists/village/feed.rss"), 1);

    // And every item of the JSON Feed its RFC 3339 dates.
    let r = anon.get("/agenda.json");
    let feed: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    for item in items {
        for key in ["date_published", "date_modified"] {
            let d = item[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key} in {item}"));
            let t = DateTime::parse_from_rfc3339(d)
                .unwrap_or_else(|e| panic!("{key} {d:?} is not RFC 3339: {e}"));
            let age = Utc::now().signed_duration_since(t);
            assert!(age >= chrono::Duration::seconds(-5) && age < chrono::Duration::hours(1));
        }
    }
}
