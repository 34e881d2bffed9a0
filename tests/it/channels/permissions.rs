//! The permission matrix of channels: every writing route, tried by every role (a visitor, a
//! resident, a member of the page, the page's admin, the site's admin, and the channel's
//! documentalist where it matters); only the allowed ones are accepted, the others sent to
//! log in (visitors), refused (403), or not even told the channel exists (404 for a members'
//! channel). Every POST needs the CSRF token; hostile bodies get a 4xx, never a 5xx.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Resident,
    Member,
    PageAdmin,
    SiteAdmin,
}

const ALL: [Who; 5] = [
    Who::Anonymous,
    Who::Resident,
    Who::Member,
    Who::PageAdmin,
    Who::SiteAdmin,
];

#[test]
fn every_channels_route_checks_permissions_for_every_role() {
    use Who::*;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let site_admin = server.set_up();
    let owner = server.resident("owner@village.test", "Owner");
    let member = server.resident("member@village.test", "Member");
    let resident = server.resident("resident@village.test", "Resident");
    let anonymous = server.client();
    let slug = new_actor(&owner, "Comité des fêtes", "organisation", "association");
    let page = member.get(&format!("/a/{slug}"));
    assert_eq!(
        member
            .post_form(&format!("/a/{slug}/join"), &page, &[("x", "")])
            .status,
        303
    );
    let mid = db_i64(
        &server,
        "SELECT id FROM users WHERE email = 'member@village.test'",
    );
    let members = owner.get(&format!("/a/{slug}/members"));
    let r = owner.post_form(
        &format!("/a/{slug}/members/{mid}/approve"),
        &members,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    let client = |who: Who| match who {
        Anonymous => &anonymous,
        Resident => &resident,
        Member => &member,
        PageAdmin => &owner,
        SiteAdmin => &site_admin,
    };
    // `hidden`: those who get 404 (the channel is not theirs to know).
    let check = |who: Who, path: &str, r: &Resp, allowed: &[Who], hidden: &[Who]| {
        let accepted = r.status == 303 && !r.location().starts_with("/login");
        assert_eq!(
            accepted,
            allowed.contains(&who),
            "{who:?} POST {path}: {} {} {}",
            r.status,
            r.location(),
            r.body
        );
        if !accepted {
            match who {
                Anonymous => assert!(r.location().starts_with("/login"), "{path}: {}", r.status),
                w if hidden.contains(&w) => assert_eq!(r.status, 404, "{w:?} POST {path}"),
                _ => assert_eq!(r.status, 403, "{who:?} POST {path}"),
            }
        }
    };
    let any_page = |c: &Client| c.get("/channels");
    let form_page = |c: &Client| {
        // A page with a form (and so the CSRF token) for everyone: the login form or a channel.
        let p = c.get("/c/annonces");
        if p.body.contains("name=\"_csrf\"") {
            p
        } else {
            c.get("/login")
        }
    };

    // Creating: the village's channels by the site's admins; a page's by its admins.
    let village = new_channel(
        &site_admin,
        "/channels/new",
        "Annonces",
        "Village",
        "public",
    );
    assert_eq!(village, "/c/annonces");
    for who in ALL {
        let c = client(who);
        let fields = [
            ("name", format!("V {who:?}")),
            ("topic", String::new()),
            ("description", String::new()),
            ("visibility", "public".into()),
        ];
        let r = c.post_form("/channels/new", &form_page(c), &fields);
        check(who, "/channels/new", &r, &[SiteAdmin], &[]);
        let path = format!("/a/{slug}/channels/new");
        let fields = [
            ("name", format!("P {who:?}")),
            ("topic", String::new()),
            ("description", String::new()),
            ("visibility", "members".into()),
        ];
        let r = c.post_form(&path, &form_page(c), &fields);
        check(who, &path, &r, &[PageAdmin, SiteAdmin], &[]);
    }
    let _ = any_page;
    let bureau = new_channel(
        &owner,
        &format!("/a/{slug}/channels/new"),
        "Bureau",
        "Fêtes",
        "members",
    );
    let village_thread = new_thread(&site_admin, &village, "Sujet du village", "Premier.");
    let bureau_thread = new_thread(&owner, &bureau, "Sujet du bureau", "Premier.");

    // Writing: anyone signed in in a public channel; the page's members in a members' one.
    for who in ALL {
        let c = client(who);
        let fields = [
            ("title", format!("T {who:?}")),
            ("body", "Texte.".to_string()),
        ];
        let path = format!("{village}/threads");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &fields),
            &[Resident, Member, PageAdmin, SiteAdmin],
            &[],
        );
        let path = format!("{bureau}/threads");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &fields),
            &[Member, PageAdmin, SiteAdmin],
            &[Resident],
        );
        let r = c.post_form(&village_thread, &form_page(c), &[("body", "Réponse.")]);
        check(
            who,
            &village_thread,
            &r,
            &[Resident, Member, PageAdmin, SiteAdmin],
            &[],
        );
        let r = c.post_form(&bureau_thread, &form_page(c), &[("body", "Réponse.")]);
        check(
            who,
            &bureau_thread,
            &r,
            &[Member, PageAdmin, SiteAdmin],
            &[Resident],
        );
        let path = format!("{bureau_thread}/follow");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &[("x", "")]),
            &[Member, PageAdmin, SiteAdmin],
            &[Resident],
        );
    }

    // Settings, named roles and invitations: the channel's managers and moderators.
    for who in ALL {
        let c = client(who);
        let fields = [
            ("name", "Bureau".to_string()),
            ("topic", "Fêtes".into()),
            ("description", String::new()),
            ("visibility", "members".into()),
        ];
        let path = format!("{bureau}/edit");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &fields),
            &[PageAdmin, SiteAdmin],
            &[Resident],
        );
        let fields = [
            ("name", "Annonces".to_string()),
            ("topic", "Village".into()),
            ("description", String::new()),
            ("visibility", "public".into()),
        ];
        let path = format!("{village}/edit");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &fields),
            &[SiteAdmin],
            &[],
        );
        let path = format!("{bureau}/roles");
        let r = c.post_form(
            &path,
            &form_page(c),
            &[("email", "member@village.test"), ("role", "documentalist")],
        );
        check(who, &path, &r, &[PageAdmin, SiteAdmin], &[Resident]);
        let path = format!("{bureau}/invite");
        let r = c.post_form(
            &path,
            &form_page(c),
            &[("email", format!("invite-{who:?}@village.test"))],
        );
        check(who, &path, &r, &[PageAdmin, SiteAdmin], &[Resident]);
    }

    // Webhooks: the channel's moderators only (the documentalist is not one).
    for who in ALL {
        let c = client(who);
        let path = format!("{bureau}/hooks/out");
        let fields = [
            ("name", format!("Outil {who:?}")),
            ("url", "https://outil.example/h".into()),
        ];
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &fields),
            &[PageAdmin, SiteAdmin],
            &[Resident],
        );
        let id = db_i64(&server, "SELECT COALESCE(max(id), 0) FROM channel_hooks");
        let path = format!("{bureau}/hooks/{id}/delete");
        let r = c.post_form(&path, &form_page(c), &[("x", "")]);
        if id > 0 {
            check(who, &path, &r, &[PageAdmin, SiteAdmin], &[Resident]);
        }
    }

    // Closing with a summary: the moderators and the documentalist (the member, named above).
    for who in ALL {
        let c = client(who);
        let t = new_thread(&owner, &bureau, &format!("À clore par {who:?}"), "Texte.");
        let path = format!("{t}/close");
        let r = c.post_form(&path, &form_page(c), &[("body", "Synthèse.")]);
        check(who, &path, &r, &[Member, PageAdmin, SiteAdmin], &[Resident]);
    }

    // A message: its author and the moderators edit or delete it.
    for who in ALL {
        let c = client(who);
        assert_eq!(
            reply(&member, &bureau_thread, &format!("Pour {who:?}")).status,
            303
        );
        let id = db_i64(&server, "SELECT max(id) FROM channel_messages");
        let path = format!("{bureau}/m/{id}/edit");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &[("body", "Corrigé.")]),
            &[Member, PageAdmin, SiteAdmin],
            &[Resident],
        );
        let path = format!("{bureau}/m/{id}/delete");
        check(
            who,
            &path,
            &c.post_form(&path, &form_page(c), &[("x", "")]),
            &[Member, PageAdmin, SiteAdmin],
            &[Resident],
        );
    }

    // The code of conduct: the site's admins.
    for who in ALL {
        let c = client(who);
        let r = c.post_form(
            "/admin/conduct",
            &form_page(c),
            &[("body", format!("Code {who:?}"))],
        );
        check(who, "/admin/conduct", &r, &[SiteAdmin], &[]);
    }

    // Without the CSRF token: 403, nothing written; hostile bodies: 4xx, never 5xx.
    let before = db_i64(&server, "SELECT count(*) FROM channel_messages");
    assert_eq!(
        member
            .post_raw(&bureau_thread, &[("body", "Sans jeton")])
            .status,
        403
    );
    for path in [
        "/channels/new".to_string(),
        format!("{village}/threads"),
        village_thread.clone(),
        format!("{village}/edit"),
        format!("{village}/roles"),
        format!("{village}/invite"),
        format!("{village_thread}/close"),
        "/admin/conduct".to_string(),
    ] {
        let token = site_admin.get(&village).csrf();
        for body in [
            "title=%FF%FE%00&name=%FF&accept_conduct=1&conduct_version=99999999999999999999"
                .to_string(),
            "%%%===&&&body".to_string(),
            format!("title={}&body=", "x".repeat(200)),
            format!("name=x&visibility=members&body={}", "y".repeat(20_001)),
            "email=%0d%0aBcc:%20x@y.z&role=admin".to_string(),
        ] {
            let r: Resp = site_admin
                .agent
                .post(&format!("{}{path}", server.url))
                .set("Content-Type", "application/x-www-form-urlencoded")
                .set("X-CSRF-Token", &token)
                .send_string(&body)
                .into();
            assert!(
                (400..500).contains(&r.status),
                "{path} {body}: {} {}",
                r.status,
                r.body
            );
        }
    }
    assert_eq!(
        db_i64(&server, "SELECT count(*) FROM channel_messages"),
        before
    );
}
