//! Local news as residents use it: posts on the wall and on journals, comments and replies,
//! images, audiences enforced on every surface (pages, permalinks, search, feeds, API),
//! reports and moderation, permissions, form errors, feeds parsed by a real XML parser.

use std::time::{Duration, Instant};

use crate::support::*;

mod audience;
mod edges;
mod moderation;

/// Creates an association through the directory form; returns its slug.
fn create_actor(c: &Client, name: &str) -> String {
    new_actor(c, name, "organisation", "association")
}

/// Posts through the form of `path` (the wall `/news` or a journal `/a/{slug}/news`).
fn post_news(c: &Client, path: &str, title: &str, body: &str, audience: &str) -> Resp {
    let page = c.get(path);
    assert_eq!(page.status, 200, "{}", page.body);
    c.post_form(
        path,
        &page,
        &[("title", title), ("body", body), ("audience", audience)],
    )
}

/// Posts and returns the new post's id.
pub fn publish(c: &Client, path: &str, title: &str, body: &str, audience: &str) -> i64 {
    let r = post_news(c, path, title, body, audience);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/news/")
        .parse()
        .unwrap_or_else(|_| panic!("unexpected location {}", r.location()))
}

/// Comments (or replies to `parent`); returns the comment's id.
pub fn comment(c: &Client, post: i64, text: &str, parent: Option<i64>) -> i64 {
    let page = c.get(&format!("/news/{post}"));
    let parent = parent.map(|p| p.to_string()).unwrap_or_default();
    let r = c.post_form(
        &format!("/news/{post}/comments"),
        &page,
        &[("comment", text), ("parent", parent.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.location();
    loc[loc.find("#c").expect("anchor of the comment") + 2..]
        .parse()
        .unwrap()
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// The URLs the search finds for a word, within 500 km, as paths (`/news/1`).
fn search_urls(c: &Client, word: &str) -> Vec<String> {
    let v = json(&c.get(&format!("/api/v1/search?q={word}&km=500")));
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let url = i["url"].as_str().unwrap();
            url.strip_prefix(&c.base).unwrap_or(url).to_string()
        })
        .collect()
}

/// Waits until the search for `word` finds exactly `want` (the index follows within a second).
fn wait_search(c: &Client, word: &str, want: &[String]) {
    let start = Instant::now();
    loop {
        let found = search_urls(c, word);
        if found == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "search {word:?}: {found:?}, expected {want:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Parses an RSS document with Python's XML parser (expat): fails on malformed XML; returns
/// the channel title then the item titles, one per line.
fn feed_titles(xml: &str) -> Vec<String> {
    let script = "import sys, xml.etree.ElementTree as ET\n\
                  root = ET.fromstring(sys.stdin.buffer.read())\n\
                  assert root.tag == 'rss' and root.get('version') == '2.0', root.tag\n\
                  ch = root.find('channel')\n\
                  for item in ch.findall('item'):\n\
                  \x20   assert item.find('link').text.startswith('http'), 'absolute links'\n\
                  \x20   assert item.find('pubDate').text, 'dated'\n\
                  print(ch.find('title').text)\n\
                  for item in ch.findall('item'): print(item.find('title').text)\n";
    String::from_utf8(run_python(
        script,
        &[],
        xml,
        "the feed is not well-formed RSS",
    ))
    .unwrap()
    .lines()
    .map(str::to_string)
    .collect()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    // A valid PNG: stored (uncompressed) zlib blocks of grey pixels.
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for _ in 0..height {
        raw.push(0);
        raw.extend(std::iter::repeat_n(128u8, width as usize));
    }
    let mut z = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65535).enumerate() {
        let last = (i + 1) * 65535 >= raw.len();
        z.push(last as u8);
        z.extend((block.len() as u16).to_le_bytes());
        z.extend((!(block.len() as u16)).to_le_bytes());
        z.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// POSTs a multipart form (text fields and an `image` file), the CSRF token in the query.
fn multipart(c: &Client, path: &str, token: &str, fields: &[(&str, &str)], file: &[u8]) -> Resp {
    let boundary = "----placette-news-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .into_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes());
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    Resp::from(
        c.agent
            .post(&format!("{}{path}?_csrf={token}", c.base))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(&body),
    )
}
#[test]
fn post_comment_and_reply_round_trip_with_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();

    // A post with an image, as the form sends it (multipart).
    let page = jeanne.get("/news");
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let fields = [
        ("title", "Vide-grenier dimanche"),
        (
            "body",
            "**Inscriptions** à la mairie.\n\n<script>alert(1)</script>",
        ),
        ("audience", "public"),
    ];
    let r = multipart(&jeanne, "/news", &page.csrf(), &fields, b"pas une image");
    assert_eq!(r.status, 422, "a file that is not a picture is refused");
    assert!(
        r.body.contains("value=\"Vide-grenier dimanche\""),
        "input kept"
    );
    assert!(r.body.contains("n'est pas une image"));
    let r = multipart(&jeanne, "/news", &page.csrf(), &fields, &png(1600, 900));
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r.location().trim_start_matches("/news/").parse().unwrap();

    // Everyone reads it: Markdown rendered safely, the image re-encoded, the author named,
    // the date in the reader's language, no address anywhere.
    let p = anon.get(&format!("/news/{id}"));
    assert_eq!(p.status, 200);
    assert!(p.body.contains("<strong>Inscriptions</strong>"));
    assert!(!p.body.contains("<script>alert"), "raw HTML is escaped");
    assert!(p.body.contains("par Jeanne") && p.body.contains("<time datetime="));
    assert!(!p.body.contains("jeanne@village.test"));
    let img = &p.body[p.body.find("/media/news-").expect("the image")..];
    let img = &img[..img.find('"').unwrap()];
    let media = anon.get(img);
    assert_eq!(media.status, 200);
    assert_eq!(media.header("content-type"), "image/jpeg");
    let wall = anon.get("/news");
    assert!(wall.body.contains("Vide-grenier dimanche"));
    let en = anon.get_with(&format!("/news/{id}"), &[("Accept-Language", "en")]);
    assert!(en.body.contains("by Jeanne") && en.body.contains(" at "));

    // A comment, a reply, a reply to the reply (one level: it joins the same thread).
    let c1 = comment(&paul, id, "Je viens avec mes enfants.", None);
    let r1 = comment(&jeanne, id, "Super, à dimanche !", Some(c1));
    let r2 = comment(&paul, id, "On apporte des gâteaux.", Some(r1));
    let api = json(&anon.get(&format!("/api/v1/news/{id}")));
    let list = api["comment_list"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[1]["id"], r1);
    assert_eq!(list[1]["parent"], c1);
    assert_eq!(list[2]["id"], r2);
    assert_eq!(list[2]["parent"], c1, "a reply to a reply joins its thread");
    assert_eq!(list[0]["author"], "Paul");
    assert!(!anon.get(&format!("/api/v1/news/{id}")).body.contains('@'));
    let p = anon.get(&format!("/news/{id}"));
    let replies = &p.body[p.body.find("class=\"replies\"").expect("replies")..];
    assert!(replies.contains("Super, à dimanche") && replies.contains("gâteaux"));
    assert!(p.body.contains("3 commentaire(s)"));

    // Paul edits his comment, then deletes it: its replies stay under a marker.
    let edit = paul.get(&format!("/news/comments/{c1}/edit"));
    assert_eq!(edit.status, 200);
    let r = paul.post_form(
        &format!("/news/comments/{c1}/edit"),
        &edit,
        &[("comment", "")],
    );
    assert_eq!(r.status, 422, "an empty comment is refused");
    let r = paul.post_form(
        &format!("/news/comments/{c1}/edit"),
        &edit,
        &[("comment", "Je viens avec mes trois enfants.")],
    );
    assert_eq!(r.status, 303);
    assert!(anon
        .get(&format!("/news/{id}"))
        .body
        .contains("mes trois enfants"));
    let r = paul.post_form(&format!("/news/comments/{c1}/delete"), &edit, &[("x", "")]);
    assert_eq!(r.status, 303);
    let p = anon.get(&format!("/news/{id}"));
    assert!(!p.body.contains("mes trois enfants"));
    assert!(p.body.contains("Commentaire supprimé.") && p.body.contains("Super, à dimanche"));

    // Form errors keep what was typed: an empty post, an empty comment.
    let r = post_news(&jeanne, "/news", "Titre gardé", "   ", "public");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"Titre gardé\"") && r.body.contains("Écrivez le texte"));
    let r = jeanne.post_form(
        &format!("/news/{id}/comments"),
        &jeanne.get(&format!("/news/{id}")),
        &[("comment", " "), ("parent", "")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Écrivez votre commentaire"));

    // "Download my data" has the posts and comments.
    let export = json(&paul.get("/account/export"));
    assert_eq!(export["news"]["comments"].as_array().unwrap().len(), 1);
    let export = json(&jeanne.get("/account/export"));
    assert_eq!(export["news"]["posts"][0]["title"], "Vide-grenier dimanche");
}

#[test]
fn an_association_s_page_shows_its_next_events_and_latest_news() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create_actor(&admin, "Comité des fêtes");
    let visitor = server.client();
    // Nothing yet: no empty headings.
    let page = visitor.get(&format!("/a/{slug}"));
    assert!(
        !page.body.contains("Prochains événements") && !page.body.contains("Dernières nouvelles")
    );
    publish(
        &admin,
        &format!("/a/{slug}/news"),
        "Fête du pain : on cherche des bénévoles",
        "Rendez-vous samedi.",
        "public",
    );
    publish(
        &admin,
        &format!("/a/{slug}/news"),
        "Réservé aux membres",
        "Réunion du bureau.",
        "members",
    );
    let mut fete = crate::agenda::fields("Fête du pain");
    crate::agenda::set(&mut fete, "organiser", &slug);
    crate::agenda::set(&mut fete, "start_date", "2030-06-15");
    crate::agenda::create(&admin, &fete);
    let page = visitor.get(&format!("/a/{slug}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Prochains événements"), "{}", page.body);
    assert!(
        page.body.contains("Fête du pain</a>") || page.body.contains(">Fête du pain<"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Dernières nouvelles"));
    assert!(page
        .body
        .contains("Fête du pain : on cherche des bénévoles"));
    assert!(
        !page.body.contains("Réservé aux membres"),
        "members-only news stays with members"
    );
    assert!(page.body.contains(&format!("href=\"/a/{slug}/news\"")));
}
