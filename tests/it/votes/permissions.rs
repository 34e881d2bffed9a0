//! The permission matrix of proposals: every writing route of the module, tried by every role
//! (a visitor, a resident, a member of the page, the page's admin, the site's admin); only the
//! allowed ones are accepted, the others sent to log in (visitors) or refused (403). And every
//! POST needs the CSRF token; bad input gets a 4xx, never a 5xx.

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

fn proposal_fields(title: &str, start: i64, deadline: i64) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_string()),
        ("body", "Texte.".to_string()),
        ("method", "yes_no".to_string()),
        ("options", String::new()),
        ("quorum", "0".to_string()),
        ("threshold", "half".to_string()),
        ("ballot", "public".to_string()),
        ("vote_start", local(start)),
        ("deadline", local(deadline)),
    ]
}

fn open_on(c: &Client, path: &str, fields: &[(&str, String)]) -> Resp {
    let page = c.get("/votes");
    c.post_form(path, &page, fields)
}

#[test]
fn every_votes_route_checks_permissions_for_every_role() {
    use Who::*;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let site_admin = server.set_up();
    let owner = server.resident("owner@village.test", "Owner");
    let member = server.resident("member@village.test", "Member");
    let resident = server.resident("resident@village.test", "Resident");
    let anonymous = server.client();
    let slug = new_actor(&owner, "Jardins partagés", "organisation", "association");
    let page = member.get(&format!("/a/{slug}"));
    assert_eq!(
        member
            .post_form(&format!("/a/{slug}/join"), &page, &[("x", "")])
            .status,
        303
    );
    let mid = db_count(
        &server,
        "SELECT id FROM users WHERE email = 'member@village.test' AND ?1 = ?1",
        0,
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
    let check = |who: Who, path: &str, r: &Resp, allowed: &[Who]| {
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
                Anonymous => assert!(r.location().starts_with("/login"), "{path}"),
                _ => assert_eq!(r.status, 403, "{who:?} POST {path}"),
            }
        }
    };

    // Opening: a page's members (and the site's admins); the village: the site's admins.
    let (soon, later) = (now() + 3, now() + 3600);
    for who in ALL {
        let path = format!("/a/{slug}/votes/new");
        let r = open_on(client(who), &path, &proposal_fields("P", later, later + 60));
        check(who, &path, &r, &[Member, PageAdmin, SiteAdmin]);
        let r = open_on(
            client(who),
            "/votes/new",
            &proposal_fields("V", later, later + 60),
        );
        check(who, "/votes/new", &r, &[SiteAdmin]);
    }
    let open = |c: &Client, path: &str, start: i64| -> String {
        let r = open_on(c, path, &proposal_fields("Cas", start, start + 3600));
        assert_eq!(r.status, 303, "{}", r.body);
        r.location()
    };
    let page_discussed = open(&owner, &format!("/a/{slug}/votes/new"), later);
    let page_voted = open(&owner, &format!("/a/{slug}/votes/new"), soon);
    let village_voted = open(&site_admin, "/votes/new", soon);

    // Amendments: those who may vote (the page's members); deciding: the author only.
    for who in ALL {
        let path = format!("{page_discussed}/amendments");
        let c = client(who);
        let page = c.get("/votes");
        let r = c.post_form(
            &path,
            &page,
            &[
                ("body", format!("Amendement de {who:?}")),
                ("note", String::new()),
            ],
        );
        check(who, &path, &r, &[Member, PageAdmin]);
        // A fresh amendment by the member for each decision tried.
        let page = member.get(&page_discussed);
        let r = member.post_form(
            &path,
            &page,
            &[("body", format!("Pour {who:?}")), ("note", String::new())],
        );
        assert_eq!(r.status, 303);
        let id: i64 = page_discussed
            .trim_start_matches("/votes/")
            .parse()
            .unwrap();
        let aid = db_count(
            &server,
            "SELECT max(id) FROM proposal_amendments WHERE proposal_id = ?1",
            id,
        );
        let path = format!("{page_discussed}/amendments/{aid}/decline");
        let page = c.get("/votes");
        let r = c.post_form(&path, &page, &[("x", "")]);
        check(who, &path, &r, &[PageAdmin]);
    }

    // Ballots: a page's proposal by its members; the village's by every resident.
    sleep_until(soon);
    for who in ALL {
        let c = client(who);
        let page = c.get("/votes");
        let path = format!("{page_voted}/vote");
        let r = c.post_form(&path, &page, &[("choice", "yes")]);
        check(who, &path, &r, &[Member, PageAdmin]);
        let path = format!("{village_voted}/vote");
        let r = c.post_form(&path, &page, &[("choice", "no")]);
        check(who, &path, &r, &[Resident, Member, PageAdmin, SiteAdmin]);
    }

    // Without the CSRF token: 403, nothing recorded; hostile bodies: 4xx, never 5xx.
    let r = member.post_raw(&format!("{page_voted}/vote"), &[("choice", "no")]);
    assert_eq!(r.status, 403);
    for path in [
        "/votes/new".to_string(),
        format!("{village_voted}/vote"),
        format!("{page_discussed}/amendments"),
        format!("/a/{slug}/votes/new"),
    ] {
        let token = site_admin.get("/votes").csrf();
        for body in [
            "choice=%FF%FE&grade-1=9999999999999999999999&title=%00".to_string(),
            "%%%===&&&choice".to_string(),
            format!(
                "title={}&body=x&method=judgement&options=a",
                "x".repeat(200)
            ),
            "vote_start=2026-02-30T25:61&deadline=-1&quorum=1e308&method=yes_no&title=t&body=b"
                .to_string(),
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
    let counted = db_count(
        &server,
        "SELECT count(*) FROM proposal_votes WHERE voter_id IS NOT NULL AND ?1 = ?1",
        0,
    );
    assert_eq!(
        counted, 6,
        "2 page ballots + 4 village ballots, nothing else"
    );
}
