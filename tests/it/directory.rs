//! The directory as residents use it: pages, members, invitations, follows, contact, photos,
//! visibility, modules, personal data; and a permission matrix over every mutating route.

use crate::support::*;

fn actor_fields<'a>(name: &'a str, kind: &'a str, type_: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("kind", kind),
        ("type", type_),
        ("name", name),
        ("summary", "On chante le jeudi soir."),
        (
            "description",
            "**Bienvenue** à tous.\n\n<script>alert(1)</script>",
        ),
        ("tags", "Musique, chant"),
        ("address", "Place de l'Église"),
        ("lat", "47,3512"),
        ("lon", "-0.8143"),
        ("phone", "02 41 00 00 00"),
        ("website", "https://chorale.example.org"),
        ("social", ""),
        ("hours_3", "20h-22h"),
        ("capacity", ""),
        ("parent", ""),
        ("visibility", "public"),
    ]
}

/// Creates an actor through the form; returns its slug.
fn create(c: &Client, fields: &[(&str, &str)]) -> String {
    let page = c.get("/directory/new");
    assert_eq!(page.status, 200);
    let r = c.post_form("/directory/new", &page, fields);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().trim_start_matches("/a/").to_string()
}

#[test]
fn a_resident_creates_a_page_that_everyone_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");

    // Bad input: 422, messages on the fields, everything typed kept.
    let page = jeanne.get("/directory/new");
    let mut bad = actor_fields("Chorale du Bourg", "organisation", "compost");
    bad[8].1 = "quatre";
    bad[12].1 = "le soir";
    let r = jeanne.post_form("/directory/new", &page, &bad);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("ne correspond pas à la catégorie"));
    assert!(r.body.contains("Horaires illisibles"));
    assert!(r.body.contains("value=\"Chorale du Bourg\"") && r.body.contains("value=\"le soir\""));

    let slug = create(
        &jeanne,
        &actor_fields("Chorale du Bourg", "organisation", "association"),
    );
    assert_eq!(slug, "chorale-du-bourg");
    let again = create(
        &jeanne,
        &actor_fields("Chorale du Bourg", "organisation", "association"),
    );
    assert_eq!(again, "chorale-du-bourg-2", "slugs are unique");

    // Anyone reads it: Markdown rendered safely, hours, JSON-LD, no email anywhere.
    let anon = server.client();
    let p = anon.get("/a/chorale-du-bourg");
    assert_eq!(p.status, 200);
    assert!(p.body.contains("<strong>Bienvenue</strong>"));
    assert!(!p.body.contains("<script>alert"), "raw HTML is escaped");
    assert!(p.body.contains("20:00–22:00"));
    assert!(
        p.body.contains("application/ld+json") && p.body.contains("\"@type\":\"Organization\"")
    );
    assert!(p.body.contains("\"openingHoursSpecification\""));
    assert!(!p.body.contains("jeanne@village.test"));

    // Lists filter by kind, type and tag.
    let l = anon.get("/directory?kind=organisation&tag=musique");
    assert!(l.body.contains("Chorale du Bourg"));
    assert!(!anon
        .get("/directory?kind=place")
        .body
        .contains("Chorale du Bourg"));
    assert!(!anon
        .get("/directory?tag=football")
        .body
        .contains("Chorale du Bourg"));

    // The creator edits it; a bad edit keeps the input.
    let edit = jeanne.get("/a/chorale-du-bourg/edit");
    assert_eq!(edit.status, 200);
    let mut fields = actor_fields("Chorale du Bourg", "organisation", "association");
    fields[3].1 = "Répétitions le mardi.";
    let r = jeanne.post_form("/a/chorale-du-bourg/edit", &edit, &fields);
    assert_eq!(r.status, 303);
    assert!(anon
        .get("/a/chorale-du-bourg")
        .body
        .contains("Répétitions le mardi."));
    fields[11].1 = "pas une adresse";
    let r = jeanne.post_form("/a/chorale-du-bourg/edit", &edit, &fields);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("pas une adresse"));

    // A room is a place with capacity, and part of its hall.
    let mut room = actor_fields("Salle du fond", "place", "room");
    room[13].1 = "40";
    room[14].1 = "chorale-du-bourg";
    let room_slug = create(&jeanne, &room);
    let p = anon.get(&format!("/a/{room_slug}"));
    assert!(p.body.contains("\"maximumAttendeeCapacity\":40"));
    assert!(
        anon.get("/a/chorale-du-bourg")
            .body
            .contains("Salle du fond"),
        "the parent lists its rooms"
    );

    // Delete.
    let r = jeanne.post_form(
        &format!("/a/{again}/delete"),
        &jeanne.get(&format!("/a/{again}/edit")),
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/a/{again}")).status, 404);
}

#[test]
fn invitation_by_mail_creates_the_account_and_the_membership() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, smtp.port);
    let slug = create(
        &admin,
        &actor_fields("Comité des fêtes", "organisation", "association"),
    );

    let members = admin.get(&format!("/a/{slug}/members"));
    let r = admin.post_form(
        &format!("/a/{slug}/invite"),
        &members,
        &[
            ("email", "tresoriere@village.test"),
            ("role", "member"),
            ("title", "trésorière"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = smtp.wait_message(1);
    assert!(mail.contains("To: tresoriere@village.test"));
    let link = link_containing(&mail, "/invite/");
    let path = link[link.find("/invite/").unwrap()..].to_string();

    // She has no account: the page asks for a name and a password, and keeps the name on error.
    let c = server.client();
    let page = c.get(&path);
    assert_eq!(page.status, 200);
    let r = c.post_form(&path, &page, &[("name", "Odile"), ("password", "court")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"Odile\""));
    let r = c.post_form(
        &path,
        &page,
        &[("name", "Odile"), ("password", "les comptes sont justes")],
    );
    assert_eq!(r.status, 303);
    let list = c.get(&format!("/a/{slug}/members"));
    assert_eq!(list.status, 200, "she is signed in and a member");
    assert!(list.body.contains("Odile") && list.body.contains("trésorière"));
    assert_eq!(c.get(&path).status, 404, "an invitation works once");

    // The admin hands over, then may leave; the last admin may not, and is not offered to:
    // the page says why and where to name another admin.
    let detail = admin.get(&format!("/a/{slug}"));
    assert!(
        !detail.body.contains(&format!("action=\"/a/{slug}/leave\"")),
        "{}",
        detail.body
    );
    assert!(detail
        .body
        .contains("Vous êtes le seul administrateur de cette page : pour la quitter, nommez d'abord un autre administrateur."));
    assert!(detail.body.contains(&format!("href=\"/a/{slug}/members\"")));
    let odile_page = c.get(&format!("/a/{slug}"));
    assert!(
        odile_page
            .body
            .contains(&format!("action=\"/a/{slug}/leave\""))
            && odile_page.body.contains(">Quitter<"),
        "a member who is not an admin may leave"
    );
    let odile_id = user_id_in(&admin.get(&format!("/a/{slug}/members")).body, "Odile");
    let page = admin.get(&format!("/a/{slug}/members"));
    let r = admin.post_form(&format!("/a/{slug}/leave"), &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert!(
        admin
            .get(&format!("/a/{slug}/members"))
            .body
            .contains("Mairie"),
        "the last admin stays"
    );
    let r = admin.post_form(
        &format!("/a/{slug}/members/{odile_id}/role"),
        &page,
        &[("role", "admin"), ("title", "présidente")],
    );
    assert_eq!(r.status, 303);
    let detail = admin.get(&format!("/a/{slug}"));
    assert!(
        detail.body.contains(&format!("action=\"/a/{slug}/leave\""))
            && !detail.body.contains("seul administrateur"),
        "with two admins, each may leave"
    );
    let r = admin.post_form(&format!("/a/{slug}/leave"), &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    let odile_page = c.get(&format!("/a/{slug}"));
    assert!(
        !odile_page
            .body
            .contains(&format!("action=\"/a/{slug}/leave\"")),
        "now she is the only admin"
    );
    assert!(odile_page.body.contains("seul administrateur"));
    let list = c.get(&format!("/a/{slug}/members"));
    assert!(!list.body.contains("<td>Mairie"), "{}", list.body);
    assert!(list.body.contains("présidente"));
}

#[test]
fn a_website_typed_as_a_bare_domain_is_completed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let mut fields = actor_fields("Comité des fêtes", "organisation", "association");
    fields.retain(|(k, _)| *k != "website" && *k != "social");

    // The form takes any text there (no type=url for the browser to refuse) and says how.
    let page = admin.get("/directory/new");
    assert!(page.body.contains("Par exemple comite-fetes.fr"));
    assert!(!page.body.contains("type=\"url\""), "{}", page.body);

    // Not a website: 422, said clearly, everything typed kept.
    let mut bad = fields.clone();
    bad.extend([("website", "comite fetes"), ("social", "")]);
    let r = admin.post_form("/directory/new", &page, &bad);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Ce n'est pas l'adresse d'un site"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"comite fetes\"") && r.body.contains("value=\"Comité des fêtes\"")
    );

    // A bare domain is completed to https://, on the page and in the edit form.
    let mut good = fields.clone();
    good.extend([
        ("website", "comite-fetes.fr"),
        ("social", "facebook.com/comite-fetes"),
    ]);
    let slug = create(&admin, &good);
    let detail = admin.get(&format!("/a/{slug}"));
    assert!(
        detail.body.contains("href=\"https://comite-fetes.fr\""),
        "{}",
        detail.body
    );
    let edit = admin.get(&format!("/a/{slug}/edit"));
    assert!(edit.body.contains("value=\"https://comite-fetes.fr\""));
    assert!(edit.body.contains("https://facebook.com/comite-fetes"));
    // An address with its scheme stays as typed.
    let mut kept = fields.clone();
    kept.extend([("website", "http://www.club.fr/agenda"), ("social", "")]);
    let r = admin.post_form(&format!("/a/{slug}/edit"), &edit, &kept);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin
        .get(&format!("/a/{slug}"))
        .body
        .contains("href=\"http://www.club.fr/agenda\""));
}

/// The user id in a members page's form actions, for the row of `name`.
fn user_id_in(body: &str, name: &str) -> String {
    let row = body
        .split("<tr>")
        .find(|r| r.contains(name))
        .expect("member row");
    let start = row.find("/members/").expect("member action") + "/members/".len();
    row[start..].split('/').next().unwrap().to_string()
}

#[test]
fn join_requests_follow_and_my_village() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create(
        &admin,
        &actor_fields("US Football", "organisation", "association"),
    );
    let paul = server.resident("paul@village.test", "Paul");

    let page = paul.get(&format!("/a/{slug}"));
    let r = paul.post_form(&format!("/a/{slug}/join"), &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    // The admin was told by mail (no relay: the outbox).
    let mail = server.outbox_for(ADMIN_EMAIL).pop().unwrap();
    assert!(mail.contains("Paul") && mail.contains("/members"));
    assert!(paul
        .get(&format!("/a/{slug}"))
        .body
        .contains("demande en attente"));
    assert_eq!(
        paul.get(&format!("/a/{slug}/members")).status,
        403,
        "not a member yet"
    );

    let members = admin.get(&format!("/a/{slug}/members"));
    let pid = user_id_in(&members.body, "Paul");
    let r = admin.post_form(
        &format!("/a/{slug}/members/{pid}/approve"),
        &members,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(paul.get(&format!("/a/{slug}/members")).status, 200);

    let page = paul.get(&format!("/a/{slug}"));
    let r = paul.post_form(&format!("/a/{slug}/follow"), &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    let my = paul.get("/my");
    assert!(my.body.contains("US Football"));
    assert!(my.body.contains("Ce que je suis"));
    let r = paul.post_form(&format!("/a/{slug}/unfollow"), &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    let my = paul.get("/my");
    let follows = &my.body[my.body.find("follow-h").unwrap()..];
    assert!(!follows.contains("US Football"));
}

#[test]
fn contact_reaches_the_admins_without_showing_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, smtp.port);
    let slug = create(
        &admin,
        &actor_fields("Bibliothèque", "organisation", "public_service"),
    );

    let anon = server.client();
    let page = anon.get(&format!("/a/{slug}"));
    let r = anon.post_form(
        &format!("/a/{slug}/contact"),
        &page,
        &[
            ("name", "Lucie"),
            ("email", "pas-une-adresse"),
            ("message", "Bonjour, êtes-vous ouverts samedi ?"),
            ("share_email", "on"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Bonjour, êtes-vous ouverts samedi ?"),
        "the message is kept"
    );
    let r = anon.post_form(
        &format!("/a/{slug}/contact"),
        &page,
        &[
            ("name", "Lucie"),
            ("email", "lucie@village.test"),
            ("message", "Bonjour, êtes-vous ouverts samedi ?"),
            ("share_email", "on"),
        ],
    );
    assert_eq!(r.status, 303);
    let mail = smtp.wait_message(1);
    assert!(mail.contains(&format!("To: {ADMIN_EMAIL}")));
    assert!(mail.contains("Reply-To: lucie@village.test"), "{mail}");
    assert!(mail.contains("ouverts samedi"));

    // Without consent, no Reply-To.
    let r = anon.post_form(
        &format!("/a/{slug}/contact"),
        &page,
        &[
            ("name", "Marc"),
            ("email", "marc@village.test"),
            ("message", "Un simple merci pour tout."),
        ],
    );
    assert_eq!(r.status, 303);
    let mail = smtp.wait_message(2);
    assert!(
        !mail.contains("Reply-To") && !mail.contains("marc@village.test"),
        "{mail}"
    );
    let page = anon.get(&format!("/a/{slug}")).body;
    assert!(
        !page.contains("village.test") && !page.contains("mailto:"),
        "no address on the page"
    );
}

#[test]
fn members_only_pages_are_hidden_from_others() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let mut fields = actor_fields("Conseil des sages", "organisation", "group");
    fields[15].1 = "members";
    let slug = create(&jeanne, &fields);
    assert_eq!(jeanne.get(&format!("/a/{slug}")).status, 200);
    assert_eq!(server.client().get(&format!("/a/{slug}")).status, 404);
    assert!(!server
        .client()
        .get("/directory")
        .body
        .contains("Conseil des sages"));
    let paul = server.resident("paul@village.test", "Paul");
    assert_eq!(paul.get(&format!("/a/{slug}")).status, 404);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    // A valid PNG built by hand: uncompressed (stored) zlib blocks, grey pixels.
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

fn multipart(c: &Client, path: &str, file: &[u8]) -> Resp {
    let boundary = "----placette-test-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    Resp::from(
        c.agent
            .post(&format!("{}{path}", c.base))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(&body),
    )
}

#[test]
fn photos_are_resized_served_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create(
        &admin,
        &actor_fields("Boulangerie", "organisation", "business"),
    );
    let edit = admin.get(&format!("/a/{slug}/edit"));
    let token = edit.csrf();

    let r = multipart(&admin, &format!("/a/{slug}/photo"), &png(1600, 1200));
    assert_eq!(r.status, 403, "the CSRF token is required in the query");
    let r = multipart(
        &admin,
        &format!("/a/{slug}/photo?_csrf={token}"),
        &png(1600, 1200),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get(&format!("/a/{slug}"));
    let start = page.body.find("/media/").expect("photo shown");
    let src = page.body[start..].split('"').next().unwrap().to_string();
    let img = server.client().get(&src);
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type"), "image/jpeg");

    let r = multipart(
        &admin,
        &format!("/a/{slug}/photo?_csrf={token}"),
        b"GIF89a not really",
    );
    assert_eq!(r.status, 303);
    assert!(
        admin
            .get(&r.location())
            .body
            .contains("n'est pas une image")
            || admin.get(&format!("/a/{slug}/edit")).status == 200
    );
    let big = vec![0u8; 6 * 1024 * 1024];
    let r = multipart(&admin, &format!("/a/{slug}/photo?_csrf={token}"), &big);
    assert_eq!(r.status, 413);
}

#[test]
fn switching_the_module_off_hides_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    create(
        &admin,
        &actor_fields("Chorale", "organisation", "association"),
    );
    let page = admin.get("/admin");
    let fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .chain([
            ("modules", "agenda".to_string()),
            ("public_url", server.url.clone()),
        ])
        .collect();
    assert_eq!(admin.post_form("/admin", &page, &fields).status, 303);
    let c = server.client();
    assert_eq!(c.get("/directory").status, 404);
    assert_eq!(c.get("/a/chorale").status, 404);
    assert!(!c.get("/").body.contains("href=\"/directory\""));
}

#[test]
fn my_data_download_and_account_deletion_keep_shared_pages() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let slug = create(
        &jeanne,
        &actor_fields("Jardin des Possibles", "organisation", "association"),
    );
    let export = jeanne.get("/account/export");
    assert_eq!(export.status, 200);
    let json: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(json["account"]["email"], "jeanne@village.test");
    assert_eq!(json["directory"]["pages_created"][0]["slug"], slug.as_str());
    assert_eq!(json["directory"]["memberships"][0]["role"], "admin");

    let account = jeanne.get("/account");
    let r = jeanne.post_form(
        "/account/delete",
        &account,
        &[("delete_password", "faux mot de passe")],
    );
    assert_eq!(r.status, 422);
    let r = jeanne.post_form(
        "/account/delete",
        &account,
        &[("delete_password", "mot de passe du village")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(jeanne.get("/account").status, 303, "signed out");
    assert_eq!(
        server.client().get(&format!("/a/{slug}")).status,
        200,
        "the association page stays"
    );
    let told = server
        .outbox_for(ADMIN_EMAIL)
        .pop()
        .expect("the site admins are told");
    assert!(told.contains("Jardin des Possibles"), "{told}");
    let c = server.client();
    let r = c.post_form(
        "/login",
        &c.get("/login"),
        &[
            ("email", "jeanne@village.test"),
            ("password", "mot de passe du village"),
        ],
    );
    assert_eq!(r.status, 422, "the account is gone");
}

/// Who tries, in the permission matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Resident,
    Member,
    ActorAdmin,
    SiteAdmin,
}

#[test]
fn every_mutating_route_checks_permissions_for_every_role() {
    use Who::*;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let site_admin = server.set_up();
    let owner = server.resident("owner@village.test", "Owner");
    let member = server.resident("member@village.test", "Member");
    let resident = server.resident("resident@village.test", "Resident");
    let target = server.resident("target@village.test", "Target");
    let anonymous = server.client();

    // Each case runs on a fresh actor so that one success does not change the next case.
    let routes: &[(&str, &[Who], Vec<(&str, &str)>)] = &[
        (
            "edit",
            &[ActorAdmin, SiteAdmin],
            actor_fields("X", "organisation", "association"),
        ),
        ("delete", &[ActorAdmin, SiteAdmin], vec![]),
        (
            "invite",
            &[ActorAdmin, SiteAdmin],
            vec![
                ("email", "new@village.test"),
                ("role", "member"),
                ("title", ""),
            ],
        ),
        ("members/{target}/approve", &[ActorAdmin, SiteAdmin], vec![]),
        ("members/{target}/remove", &[ActorAdmin, SiteAdmin], vec![]),
        (
            "members/{target}/role",
            &[ActorAdmin, SiteAdmin],
            vec![("role", "member"), ("title", "t")],
        ),
        ("follow", &[Resident, Member, ActorAdmin, SiteAdmin], vec![]),
        (
            "unfollow",
            &[Resident, Member, ActorAdmin, SiteAdmin],
            vec![],
        ),
        ("join", &[Resident, Member, ActorAdmin, SiteAdmin], vec![]),
        ("leave", &[Resident, Member, ActorAdmin, SiteAdmin], vec![]),
    ];
    let mut n = 0;
    for (route, allowed, fields) in routes {
        for who in [Anonymous, Resident, Member, ActorAdmin, SiteAdmin] {
            n += 1;
            let slug = create(
                &owner,
                &actor_fields(&format!("Groupe {n}"), "organisation", "association"),
            );
            // The member joins and is approved; the target asks to join.
            let page = member.get(&format!("/a/{slug}"));
            member.post_form(&format!("/a/{slug}/join"), &page, &[("x", "")]);
            let members = owner.get(&format!("/a/{slug}/members"));
            let mid = user_id_in(&members.body, "Member");
            owner.post_form(
                &format!("/a/{slug}/members/{mid}/approve"),
                &members,
                &[("x", "")],
            );
            let page = target.get(&format!("/a/{slug}"));
            target.post_form(&format!("/a/{slug}/join"), &page, &[("x", "")]);
            let tid = user_id_in(&owner.get(&format!("/a/{slug}/members")).body, "Target");

            let client = match who {
                Anonymous => &anonymous,
                Resident => &resident,
                Member => &member,
                ActorAdmin => &owner,
                SiteAdmin => &site_admin,
            };
            let path = format!("/a/{slug}/{}", route.replace("{target}", &tid));
            let page = client.get(&format!("/a/{slug}"));
            let r = client.post_form(&path, &page, fields);
            let accepted = r.status == 303 && !r.location().starts_with("/login");
            assert_eq!(
                accepted,
                allowed.contains(&who),
                "{who:?} POST {path}: {} {}",
                r.status,
                r.location()
            );
            if !accepted {
                match who {
                    Anonymous => assert!(
                        r.location().starts_with("/login"),
                        "{path}: anonymous sent to login"
                    ),
                    _ => assert_eq!(r.status, 403, "{who:?} POST {path}"),
                }
            }
        }
    }
    assert!(n >= 50);
    // And GET pages reserved to managers.
    let slug = create(
        &owner,
        &actor_fields("Dernier", "organisation", "association"),
    );
    assert_eq!(resident.get(&format!("/a/{slug}/edit")).status, 403);
    assert_eq!(site_admin.get(&format!("/a/{slug}/edit")).status, 200);
    assert_eq!(
        anonymous.get(&format!("/a/{slug}/edit")).location(),
        format!("/login?next=/a/{slug}/edit")
    );
}

#[test]
fn the_list_is_paginated_without_a_cap() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let r = admin.post_form(
        "/account/tokens",
        &admin.get("/account"),
        &[("token_name", "import")],
    );
    let start = r.body.find("plt_").unwrap();
    let token = r.body[start..start + 68].to_string();
    for i in 0..25 {
        let body = serde_json::json!({"kind": "place", "type": "book_box", "name": format!("Boîte à livres {i:02}"), "visibility": "public"});
        let r = Resp::from(
            ureq::post(&format!("{}/api/v1/actors", server.url))
                .set("Authorization", &format!("Bearer {token}"))
                .send_json(body),
        );
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
    }
    let c = server.client();
    let p1 = c.get("/directory");
    assert!(p1.body.contains("25 résultat(s)"));
    assert_eq!(p1.body.matches("class=\"card\"").count(), 20);
    assert!(p1.body.contains("Page 1 sur 2") && p1.body.contains("rel=\"next\""));
    let p2 = c.get("/directory?page=2");
    assert_eq!(p2.body.matches("class=\"card\"").count(), 5);
    assert!(p2.body.contains("Boîte à livres 24"));
}

#[test]
fn pages_attach_only_to_parents_one_administers_and_invitations_never_demote() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    create(
        &admin,
        &actor_fields("Mairie", "organisation", "public_service"),
    );
    let paul = server.resident("paul@village.test", "Paul");
    let mut room = actor_fields("Salle pirate", "place", "room");
    room[14].1 = "mairie";
    let page = paul.get("/directory/new");
    let r = paul.post_form("/directory/new", &page, &room);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Aucune page que vous administrez"));
    assert!(!server
        .client()
        .get("/a/mairie")
        .body
        .contains("Salle pirate"));

    // The page's only admin accepts an invitation "as member": they stay admin.
    let members = admin.get("/a/mairie/members");
    let r = admin.post_form(
        "/a/mairie/invite",
        &members,
        &[("email", ADMIN_EMAIL), ("role", "member"), ("title", "")],
    );
    assert_eq!(r.status, 303);
    let mail = server.outbox_for(ADMIN_EMAIL).pop().unwrap();
    let link = link_containing(&mail, "/invite/");
    let path = &link[link.find("/invite/").unwrap()..];
    // Someone else signed in cannot use it.
    let r = paul.post_form(path, &paul.get(path), &[("x", "")]);
    assert_eq!(r.status, 403);
    let r = admin.post_form(path, &admin.get(path), &[("x", "")]);
    assert_eq!(r.status, 303);
    let members = admin.get("/a/mairie/members");
    assert!(
        members.body.contains("option value=\"admin\" selected"),
        "still admin"
    );
}

#[test]
fn the_new_page_form_folds_room_fields_for_an_association_and_reads_a_decimal_comma() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/directory/new");
    assert!(
        page.body.contains("<details class=\"room\">"),
        "{}",
        page.body
    );
    let room = admin.get("/directory/new?kind=place&type=room");
    assert!(
        room.body.contains("<details class=\"room\" open>"),
        "{}",
        room.body
    );
    // Coordinates are typed as text with the decimal keyboard: « 47,3512 » arrives as typed.
    assert!(
        page.body
            .contains("id=\"f-lat\" name=\"lat\" type=\"text\" inputmode=\"decimal\""),
        "{}",
        page.body
    );
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", "organisation"),
        ("type", "association"),
        ("name", "Club de pétanque"),
        ("visibility", "public"),
        ("lat", "47,3512"),
        ("lon", "-0,8143"),
    ];
    for empty in [
        "summary",
        "description",
        "tags",
        "address",
        "phone",
        "website",
        "social",
        "capacity",
        "parent",
    ] {
        fields.push((empty, ""));
    }
    let r = admin.post_form("/directory/new", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let slug = r.location().trim_start_matches("/a/").to_string();
    let api = server.client().get(&format!("/api/v1/actors/{slug}"));
    assert!(
        api.body.contains("47.3512") && api.body.contains("-0.8143"),
        "{}",
        api.body
    );
}
