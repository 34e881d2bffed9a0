//! What every page carries for search engines and assistive technology (issue 18, point 10):
//! a meta description of its own, headings that skip no level, and the focus moved to the
//! error summary after a form came back with errors.

use crate::support::*;

/// The content of the page's `<meta name="description">` (as written: HTML-escaped).
fn meta_description(body: &str) -> String {
    let start = body
        .find("<meta name=\"description\" content=\"")
        .unwrap_or_else(|| panic!("no meta description: {body}"))
        + "<meta name=\"description\" content=\"".len();
    let end = start + body[start..].find('"').unwrap();
    body[start..end].to_string()
}

/// The levels of the headings of `<main>`, in order.
fn heading_levels(body: &str) -> Vec<u8> {
    let main = &body[body.find("<main").unwrap()..body.find("</main>").unwrap()];
    let bytes = main.as_bytes();
    (0..bytes.len().saturating_sub(3))
        .filter(|&i| {
            bytes[i] == b'<'
                && bytes[i + 1] == b'h'
                && (b'1'..=b'6').contains(&bytes[i + 2])
                && matches!(bytes[i + 3], b'>' | b' ')
        })
        .map(|i| bytes[i + 2] - b'0')
        .collect()
}

#[test]
fn pages_describe_themselves_without_addresses_and_headings_skip_no_level() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let anon = server.client();

    // Home: the site's description.
    assert_eq!(meta_description(&anon.get("/").body), "Un village de test.");

    // An actor: its summary, the email in it masked.
    let page = admin.get("/directory/new");
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", "organisation"),
        ("type", "association"),
        ("name", "Chorale du Lavoir"),
        (
            "summary",
            "On chante le jeudi soir, écrivez à chef@chorale.test",
        ),
        ("description", "Une longue histoire."),
        ("visibility", "public"),
    ];
    for empty in [
        "tags", "address", "lat", "lon", "phone", "website", "social", "capacity", "parent",
    ] {
        fields.push((empty, ""));
    }
    let r = admin.post_form("/directory/new", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let meta = meta_description(&anon.get(&r.location()).body);
    assert!(meta.starts_with("On chante le jeudi soir"), "{meta}");
    assert!(!meta.contains('@'), "no email address: {meta}");

    // An event: the first line of its description, escaped.
    let slug = crate::agenda::create(&admin, &crate::agenda::fields("Concert au lavoir"));
    let meta = meta_description(&anon.get(&format!("/e/{slug}")).body);
    assert!(meta.starts_with("Venez nombreux, &lt;script"), "{meta}");
    assert!(!meta.contains('<') && !meta.contains('*'), "{meta}");

    // A post: its first line, cut to 160 characters at most.
    let long = "Nous cherchons des bénévoles pour tenir le four à pain, la buvette et les \
                jeux des enfants pendant toute la journée de samedi, de huit heures du matin \
                jusqu'au feu d'artifice du soir sur la place.";
    let id = crate::news::publish(
        &admin,
        "/news",
        "Fête du pain",
        &format!("{long}\nContact : boulanger@village.test"),
        "public",
    );
    let meta = meta_description(&anon.get(&format!("/news/{id}")).body);
    assert!(meta.starts_with("Nous cherchons des bénévoles"), "{meta}");
    assert!(meta.chars().count() <= 160 && meta.ends_with('…'), "{meta}");
    assert!(!meta.contains('@'));

    // The directory's outline: h1, then h2, then the cards' h3.
    let levels = heading_levels(&anon.get("/directory").body);
    assert_eq!(levels.first(), Some(&1), "{levels:?}");
    assert!(levels.contains(&3), "{levels:?}");
    for pair in levels.windows(2) {
        assert!(
            pair[1] <= pair[0] + 1,
            "a heading skips a level: {levels:?}"
        );
    }
}

#[test]
fn a_form_error_summary_is_announced_and_takes_the_focus() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/directory/new");
    let r = admin.post_form(
        "/directory/new",
        &page,
        &[
            ("kind", "organisation"),
            ("type", "association"),
            ("name", ""),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    // Right under the page's title, before the form.
    let main = &r.body[r.body.find("<main").unwrap()..];
    let summary = main
        .find("<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\">")
        .expect("the error summary");
    assert!(summary < main.find("<form").unwrap());
    assert!(summary > main.find("</h1>").unwrap());
    // Its script is served and moves the focus to it.
    let start = r.body.find("/assets/js/form-errors.").expect("its script");
    let end = start + r.body[start..].find('"').unwrap();
    let js = server.client().get(&r.body[start..end]);
    assert_eq!(js.status, 200);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains(".error-summary") && js.body.contains("focus()"));
    // A page without errors does not load it.
    assert!(!admin.get("/directory/new").body.contains("form-errors."));
}
