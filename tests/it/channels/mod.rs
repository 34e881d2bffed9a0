//! Channels (issue 22, part 1), through the real binary: a newcomer invited by mail (real
//! SMTP) creates their account from the link, is shown the code of conduct, accepts it (kept
//! with its version), posts, and is mentioned (the mention row, then the mail it brings); a
//! documentalist closes a thread with a summary that is public, found by the search (page and
//! API) and inserted into a newsletter draft; a members' channel is invisible to others and to
//! the search; the polling endpoint gives only newer messages; an empty message is re-shown
//! with what was typed; a moderator hides a message; the last page of a long thread.

use std::time::{Duration, Instant};

use crate::support::*;

mod notifications;
mod permissions;

/// One number from the database.
pub(crate) fn db_i64(server: &Server, sql: &str) -> i64 {
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Creates a channel through a form (`/channels/new` or a page's); returns its path.
pub(crate) fn new_channel(
    c: &Client,
    form: &str,
    name: &str,
    topic: &str,
    visibility: &str,
) -> String {
    let page = c.get(form);
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.post_form(
        form,
        &page,
        &[
            ("name", name),
            ("topic", topic),
            ("description", "Pour en parler."),
            ("visibility", visibility),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
}

/// Opens a thread (the code of conduct accepted if asked); returns its path.
pub(crate) fn new_thread(c: &Client, channel: &str, title: &str, body: &str) -> String {
    let page = c.get(channel);
    assert_eq!(page.status, 200, "{}", page.body);
    let mut fields = vec![("title", title.to_string()), ("body", body.to_string())];
    if let Some(v) = conduct_version(&page.body) {
        fields.push(("accept_conduct", "1".into()));
        fields.push(("conduct_version", v));
    }
    let r = c.post_form(&format!("{channel}/threads"), &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
}

/// Replies in a thread; returns the answer.
pub(crate) fn reply(c: &Client, thread: &str, body: &str) -> Resp {
    let page = c.get(thread);
    assert_eq!(page.status, 200, "{}", page.body);
    let mut fields = vec![("body", body.to_string())];
    if let Some(v) = conduct_version(&page.body) {
        fields.push(("accept_conduct", "1".into()));
        fields.push(("conduct_version", v));
    }
    c.post_form(thread, &page, &fields)
}

/// The version of the code of conduct a page asks to accept, if it does.
pub(crate) fn conduct_version(body: &str) -> Option<String> {
    let marker = "name=\"conduct_version\" value=\"";
    let start = body.find(marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_string())
}

/// Waits until the search page finds (or no longer finds) `needle` for `q`.
fn searched(c: &Client, path: &str, needle: &str, present: bool) -> String {
    let waited = Instant::now();
    loop {
        let r = c.get(path);
        if r.body.contains(needle) == present {
            return r.body;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(15),
            "{path}: {needle} should be {present}: {}",
            r.body
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn save_conduct(admin: &Client, text: &str) {
    let page = admin.get("/admin/conduct");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = admin.post_form("/admin/conduct", &page, &[("body", text)]);
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn a_newcomer_invited_by_mail_accepts_the_code_of_conduct_posts_and_is_mentioned() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&dir.path().join("sink"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, sink.port);
    save_conduct(&admin, "On se parle **avec respect**. Version une.");
    let channel = new_channel(
        &admin,
        "/channels/new",
        "Jardins partagés",
        "Jardiner",
        "public",
    );
    assert_eq!(channel, "/c/jardins-partages");

    // The moderator (the site's admin) invites Nina by mail; the mail goes through the relay.
    let page = admin.get(&channel);
    assert!(page.body.contains("Inviter par courriel"), "{}", page.body);
    let bad = admin.post_form(
        &format!("{channel}/invite"),
        &page,
        &[("email", "pas une adresse")],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("pas une adresse"), "{}", bad.body);
    let r = admin.post_form(
        &format!("{channel}/invite"),
        &page,
        &[("email", "nina@village.test")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = sink.wait_message(1);
    assert!(
        mail.contains("nina@village.test") && mail.contains("Jardins partag"),
        "{mail}"
    );
    let link = link_containing(&mail, "/channels/invite/");
    let path = &link[link.find("/channels/invite/").unwrap()..];
    assert_eq!(
        db_i64(
            &server,
            "SELECT count(*) FROM channel_invitations WHERE length(token_hash) = 32"
        ),
        1,
        "the token is stored hashed"
    );

    // Nina follows the link, chooses a name and a password: her account is created and she
    // lands on the channel, signed in.
    let nina = server.client();
    let form = nina.get(path);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"password\""), "{}", form.body);
    let r = nina.post_form(
        path,
        &form,
        &[("name", "Nina Petit"), ("password", "court")],
    );
    assert_eq!(
        r.status, 422,
        "a too short password is refused, the name kept"
    );
    assert!(r.body.contains("Nina Petit"));
    let r = nina.post_form(
        path,
        &form,
        &[
            ("name", "Nina Petit"),
            ("password", "les courgettes du jardin"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), channel);
    assert_eq!(
        nina.get(path).status,
        404,
        "a used link is no longer valid (the page says so)"
    );

    // The code of conduct is shown before her first post; without ticking it: 422, text kept.
    let page = nina.get(&channel);
    assert!(page.body.contains("Version une"), "{}", page.body);
    let version = conduct_version(&page.body).expect("the code of conduct is asked");
    let r = nina.post_form(
        &format!("{channel}/threads"),
        &page,
        &[
            ("title", "Bonjour à tous"),
            ("body", "Je viens d'arriver, qui jardine le samedi ?"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Acceptez le code de conduite"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("qui jardine le samedi"),
        "the text typed is kept"
    );
    let r = nina.post_form(
        &format!("{channel}/threads"),
        &page,
        &[
            ("title", "Bonjour à tous"),
            ("body", "Je viens d'arriver, qui jardine le samedi ?"),
            ("accept_conduct", "1"),
            ("conduct_version", &version),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let thread = r.location();
    let nid = db_i64(
        &server,
        "SELECT id FROM users WHERE email = 'nina@village.test'",
    );
    assert_eq!(
        db_i64(
            &server,
            &format!("SELECT version_id FROM conduct_acceptances WHERE user_id = {nid}")
        ),
        version.parse::<i64>().unwrap(),
        "the acceptance is kept with its version"
    );
    let shown = nina.get(&thread);
    assert!(
        shown.body.contains("qui jardine le samedi"),
        "{}",
        shown.body
    );
    assert!(
        conduct_version(&shown.body).is_none(),
        "accepted once, not asked again"
    );

    // Someone mentions her: the mention is stored with the message (the notifications' hook).
    let r = reply(
        &admin,
        &thread,
        "Bienvenue @Nina Petit ! Le samedi matin, oui.",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mid = db_i64(&server, "SELECT max(id) FROM channel_messages");
    assert_eq!(
        db_i64(
            &server,
            &format!("SELECT user_id FROM channel_mentions WHERE message_id = {mid}")
        ),
        nid
    );
    // ... and she gets the mail at once (her default for mentions), through the real relay,
    // with the message, a link to it and a one-click unsubscribe.
    let mail = sink.wait_message(2);
    assert!(mail.contains("To: nina@village.test"), "{mail}");
    assert!(mail.contains("Le samedi matin, oui."), "{mail}");
    assert!(mail.contains(&thread), "{mail}");
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );
    assert_eq!(
        db_i64(&server, "SELECT count(*) FROM channel_follows"),
        2,
        "the thread's author and the one who replied follow it"
    );
    // Her "my village" shows the followed thread with a new message.
    let my = nina.get("/my");
    assert!(
        my.body.contains("Bonjour à tous") && my.body.contains("1 nouveau(x) message(s)"),
        "{}",
        my.body
    );

    // A new version of the code is asked again before her next post.
    save_conduct(&admin, "On se parle avec respect. Version deux.");
    let page = nina.get(&thread);
    assert!(page.body.contains("Version deux"), "{}", page.body);
    let r = reply(&nina, &thread, "Merci !");
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        db_i64(
            &server,
            &format!("SELECT count(*) FROM conduct_acceptances WHERE user_id = {nid}")
        ),
        2
    );

    // Her data: her messages and her acceptances.
    let data = nina.get("/account/export");
    assert!(
        data.body.contains("conduct_acceptances") && data.body.contains("Merci !"),
        "{}",
        data.body
    );
}

#[test]
fn a_documentalists_summary_is_public_searchable_and_goes_into_a_newsletter() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let doc = server.resident("doc@village.test", "Odile Doc");
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();
    let channel = new_channel(
        &admin,
        "/channels/new",
        "Jardins partagés",
        "Jardiner",
        "public",
    );
    let page = admin.get(&channel);
    let r = admin.post_form(
        &format!("{channel}/roles"),
        &page,
        &[
            ("email", "personne@village.test"),
            ("role", "documentalist"),
        ],
    );
    assert_eq!(r.status, 422, "no such account: said, address kept");
    assert!(r.body.contains("personne@village.test"));
    let r = admin.post_form(
        &format!("{channel}/roles"),
        &page,
        &[("email", "doc@village.test"), ("role", "documentalist")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let thread = new_thread(
        &paul,
        &channel,
        "Outils partagés",
        "Qui a une grelinette à prêter ?",
    );
    assert_eq!(reply(&doc, &thread, "Moi, le mardi.").status, 303);

    // Paul (neither moderator nor documentalist) may not close it; the documentalist does.
    assert_eq!(paul.get(&format!("{thread}/close")).status, 403);
    let page = doc.get(&format!("{thread}/close"));
    assert_eq!(page.status, 200, "{}", page.body);
    let r = doc.post_form(&format!("{thread}/close"), &page, &[("body", "")]);
    assert_eq!(r.status, 422);
    let r = doc.post_form(
        &format!("{thread}/close"),
        &page,
        &[(
            "body",
            "Odile prête sa **grelinette** le mardi ; écrire à odile@example.org.",
        )],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let summary = r.location();
    assert_eq!(summary, format!("{thread}/summary"));

    // Public, masked of personal data, listed on the channel, replies closed.
    let s = anon.get(&summary);
    assert_eq!(s.status, 200, "{}", s.body);
    assert!(
        s.body.contains("<strong>grelinette</strong>") && !s.body.contains("odile@example.org"),
        "{}",
        s.body
    );
    assert!(anon
        .get(&format!("{channel}/summaries"))
        .body
        .contains("Outils partagés"));
    let r = reply(&paul, &thread, "Trop tard ?");
    assert_eq!(r.status, 422);

    // Found by the search page and the API.
    searched(&anon, "/search?q=grelinette", &summary, true);
    let api = searched(&anon, "/api/v1/search?q=grelinette", "summary", true);
    assert!(api.contains(&summary), "{api}");
    let api = anon.get("/api/v1/channels/jardins-partages/threads");
    assert!(api.body.contains("grelinette"), "{}", api.body);

    // Inserted into a newsletter draft by its editor.
    crate::lists::village_list(&admin);
    let draft = crate::lists::draft(&admin, "village", "La lettre de mai", "Bonjour à tous.");
    let page = admin.get(&summary);
    assert!(
        page.body.contains("Insérer dans une lettre"),
        "{}",
        page.body
    );
    let id = draft.rsplit('/').next().unwrap().to_string();
    assert!(paul.get(&summary).body.contains("Insérer dans une lettre") == false);
    let r = paul.post_form(
        &format!("{summary}/insert"),
        &paul.get(&channel),
        &[("draft", id.as_str())],
    );
    assert_eq!(r.status, 403, "only the draft's editors");
    let r = admin.post_form(
        &format!("{summary}/insert"),
        &page,
        &[("draft", id.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), draft);
    let d = admin.get(&draft);
    assert!(
        d.body.contains("Bonjour à tous.")
            && d.body.contains("grelinette")
            && d.body.contains(&summary),
        "{}",
        d.body
    );
}

#[test]
fn a_members_channel_is_invisible_to_others_and_to_the_search() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let owner = server.resident("owner@village.test", "Owner");
    let other = server.resident("other@village.test", "Other");
    let anon = server.client();
    let slug = new_actor(&owner, "Comité des fêtes", "organisation", "association");
    let secret = new_channel(
        &owner,
        &format!("/a/{slug}/channels/new"),
        "Bureau",
        "Fêtes",
        "members",
    );
    let public = new_channel(
        &owner,
        &format!("/a/{slug}/channels/new"),
        "Annonces",
        "Fêtes",
        "public",
    );
    let t = new_thread(&owner, &secret, "Budget", "Le budget secret de la buvette.");
    let page = owner.get(&format!("{t}/close"));
    assert_eq!(
        owner
            .post_form(
                &format!("{t}/close"),
                &page,
                &[("body", "Budget zanzibarien voté.")]
            )
            .status,
        303
    );
    let p = new_thread(&owner, &public, "Programme", "Le programme.");
    let page = owner.get(&format!("{p}/close"));
    assert_eq!(
        owner
            .post_form(
                &format!("{p}/close"),
                &page,
                &[("body", "Programme kamtchatkien.")]
            )
            .status,
        303
    );

    for c in [&other, &anon] {
        assert_eq!(c.get(&secret).status, 404);
        assert_eq!(c.get(&t).status, 404);
        assert_eq!(c.get(&format!("{t}/summary")).status, 404);
        assert_eq!(c.get(&format!("{t}/since/0")).status, 404);
        assert!(!c.get("/channels").body.contains("Bureau"));
        assert_eq!(c.get(&public).status, 200);
    }
    assert_eq!(
        admin.get(&secret).status,
        200,
        "the site's admins moderate every channel"
    );
    assert_eq!(anon.get("/api/v1/channels/bureau/threads").status, 404);
    assert!(!anon.get("/api/v1/channels").body.contains("Bureau"));
    // The public summary is indexed; the members' one never.
    searched(
        &anon,
        "/api/v1/search?q=kamtchatkien",
        &format!("{p}/summary"),
        true,
    );
    searched(
        &admin,
        "/search?q=zanzibarien",
        &format!("{t}/summary"),
        false,
    );
    let r = anon.get("/api/v1/search?q=zanzibarien");
    assert!(!r.body.contains(&format!("{t}/summary")), "{}", r.body);
    // The report form, open to anyone signed in for any id, does not repeat its words.
    let mid = db_i64(&server, "SELECT min(id) FROM channel_messages");
    let tid = t.rsplit('/').next().unwrap();
    for path in [
        format!("/report/channel_message/{mid}"),
        format!("/report/channel_thread/{tid}"),
    ] {
        let r = other.get(&path);
        assert!(
            !r.body.contains("buvette") && !r.body.contains("Budget"),
            "{path}: {}",
            r.body
        );
    }
    // A page's channels are not shown to others while the page is members-only.
    let edit = owner.get(&format!("/a/{slug}/edit"));
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", "organisation"),
        ("type", "association"),
        ("name", "Comité des fêtes"),
        ("visibility", "members"),
    ];
    for empty in [
        "summary",
        "description",
        "tags",
        "address",
        "lat",
        "lon",
        "phone",
        "website",
        "social",
        "capacity",
        "parent",
    ] {
        fields.push((empty, ""));
    }
    assert_eq!(
        owner
            .post_form(&format!("/a/{slug}/edit"), &edit, &fields)
            .status,
        303
    );
    assert!(!anon.get("/channels").body.contains("Annonces"));
    assert!(owner.get("/channels").body.contains("Annonces"));
}

#[test]
fn polling_gives_only_newer_messages_and_an_empty_message_is_shown_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let ana = server.resident("ana@village.test", "Ana");
    let channel = new_channel(
        &admin,
        "/channels/new",
        "Place du marché",
        "Vie du village",
        "residents",
    );
    assert_eq!(server.client().get(&channel).status, 404, "residents only");
    let thread = new_thread(&ana, &channel, "Marché de Noël", "Premier message.");
    let first = db_i64(&server, "SELECT max(id) FROM channel_messages");
    assert_eq!(reply(&admin, &thread, "Deuxième message.").status, 303);
    assert_eq!(reply(&ana, &thread, "Troisième message.").status, 303);

    let r = ana.get(&format!("{thread}/since/{first}"));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(
        !r.body.contains("Premier message")
            && r.body.contains("Deuxième message")
            && r.body.contains("Troisième message"),
        "{}",
        r.body
    );
    assert_eq!(r.body.matches("<li").count(), 2);
    let last = db_i64(&server, "SELECT max(id) FROM channel_messages");
    assert!(ana
        .get(&format!("{thread}/since/{last}"))
        .body
        .trim()
        .is_empty());
    let page = ana.get(&thread);
    assert!(
        page.body.contains(&format!("data-since=\"{last}\"")) && page.body.contains("channel-poll"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-poll="), "the last page polls");

    // An empty message: 422 in the user's language, the title typed kept.
    let page = ana.get(&channel);
    let r = ana.post_form(
        &format!("{channel}/threads"),
        &page,
        &[("title", "Un titre gardé"), ("body", "   ")],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Un titre gardé") && r.body.contains("Écrivez un message."),
        "{}",
        r.body
    );
    let r = ana.post_form(&thread, &page, &[("body", "")]);
    assert_eq!(r.status, 422);

    // Edit and delete her own message; not someone else's.
    let mine = last;
    let edit = ana.get(&format!("{channel}/m/{mine}/edit"));
    assert_eq!(edit.status, 200);
    let r = ana.post_form(
        &format!("{channel}/m/{mine}/edit"),
        &edit,
        &[("body", "Troisième, corrigé.")],
    );
    assert_eq!(r.status, 303);
    assert!(ana
        .get(&format!("{thread}?at=end"))
        .body
        .contains("Troisième, corrigé."));
    assert_eq!(
        ana.get(&format!("{channel}/m/{}/edit", first + 1)).status,
        403
    );
    let r = ana.post_form(&format!("{channel}/m/{mine}/delete"), &edit, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert_eq!(db_i64(&server, "SELECT messages FROM channel_threads"), 2);
}

#[test]
fn a_long_thread_pages_by_key_and_a_moderator_hides_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();
    let channel = new_channel(&admin, "/channels/new", "Entraide", "Entraide", "public");
    let thread = new_thread(&paul, &channel, "Longue discussion", "Message 0");
    let tid: i64 = thread.rsplit('/').next().unwrap().parse().unwrap();
    // 119 more messages straight into the database (with the counters the posting path keeps).
    {
        let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
        for i in 1..120 {
            db.execute(
                "INSERT INTO channel_messages (thread_id, author_id, body, created_at) VALUES (?1, 2, ?2, 0)",
                rusqlite::params![tid, format!("Message {i}")],
            )
            .unwrap();
        }
        db.execute(
            "UPDATE channel_threads SET messages = 120, last_message_id = (SELECT max(id) FROM channel_messages) WHERE id = ?1",
            [tid],
        )
        .unwrap();
    }
    let first = anon.get(&thread);
    assert!(
        first.body.contains("Message 0")
            && first.body.contains("Message 49<")
            && !first.body.contains("Message 50<")
    );
    assert!(
        !first.body.contains("data-poll="),
        "not the last page: no polling"
    );
    let last = anon.get(&format!("{thread}?at=end"));
    assert!(
        last.body.contains("Message 119")
            && last.body.contains("Message 70<")
            && !last.body.contains("Message 69<"),
        "{}",
        last.body
    );
    assert!(last.body.contains("120 message"), "{}", last.body);
    let before: i64 = db_i64(
        &server,
        "SELECT min(id) FROM (SELECT id FROM channel_messages ORDER BY id DESC LIMIT 50)",
    );
    let prev = anon.get(&format!("{thread}?before={before}"));
    assert!(
        prev.body.contains("Message 20<")
            && prev.body.contains("Message 69<")
            && !prev.body.contains("Message 70<")
    );

    // Paul reports a message; the moderator hides it: gone for everyone but the moderators.
    let target = db_i64(
        &server,
        "SELECT id FROM channel_messages WHERE body = 'Message 119'",
    );
    let form = paul.get(&format!("/report/channel_message/{target}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let r = paul.post_form(
        &format!("/report/channel_message/{target}"),
        &form,
        &[("reason", "off_topic"), ("note", "hors sujet")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.get("/moderation").body.contains("Message 119"));
    let item = admin.get(&format!("/moderation/items/channel_message/{target}"));
    assert_eq!(item.status, 200, "{}", item.body);
    let r = admin.post_form(
        &format!("/moderation/items/channel_message/{target}/hide"),
        &item,
        &[
            ("reason", "Hors sujet"),
            ("answer", "Merci."),
            ("message", ""),
            ("text", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!anon
        .get(&format!("{thread}?at=end"))
        .body
        .contains("Message 119"));
    assert!(admin
        .get(&format!("{thread}?at=end"))
        .body
        .contains("Message 119"));
    assert!(db_i64(&server, "SELECT count(*) FROM moderation_log") >= 1);
}

#[test]
fn switched_off_the_channels_answer_404_and_leave_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let channel = new_channel(
        &admin,
        "/channels/new",
        "Jardins partagés",
        "Jardiner",
        "public",
    );
    let c = server.client();
    assert!(c.get("/").body.contains("href=\"/channels\""));
    assert_eq!(c.get(&channel).status, 200);
    let page = admin.get("/admin");
    let fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .chain([
            ("modules", "directory".to_string()),
            ("public_url", server.url.clone()),
        ])
        .collect();
    assert_eq!(admin.post_form("/admin", &page, &fields).status, 303);
    for path in [
        "/channels",
        channel.as_str(),
        "/api/v1/channels",
        "/admin/conduct",
    ] {
        assert_eq!(c.get(path).status, 404, "{path}");
        assert_eq!(admin.get(path).status, 404, "{path}");
    }
    assert!(!c.get("/").body.contains("href=\"/channels\""));
}
