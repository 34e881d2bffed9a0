//! Conversations: relayed by mail over real SMTP, without either address in any page, mail
//! body or header the other party gets; closing and blocking.

use super::*;

const AUTHOR: &str = "jeannesecret@village.test";
const REPLIER: &str = "tomcache@village.test";

fn conversation_id(r: &Resp) -> i64 {
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/aid/conversations/")
        .parse()
        .unwrap_or_else(|_| panic!("unexpected location {}", r.location()))
}

#[test]
fn messages_are_relayed_without_any_address_and_blocking_stops_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let admin = server.set_up();
    let author = server.resident(AUTHOR, "Jeanne");
    let replier = server.resident(REPLIER, "Tom");
    let stranger = server.resident("paul@village.test", "Paul");
    let sink = SmtpSink::start(&dir.path().join("sink"));
    server.use_smtp(&admin, sink.port);
    let post = publish(&author, "offer", "lend", "Je prête ma tondeuse", None);

    // The replier answers from the post's page.
    let page = replier.get(&format!("/aid/{post}"));
    assert!(page.body.contains("action=\"/aid/"), "reply form shown");
    let empty = replier.post_form(&format!("/aid/{post}/reply"), &page, &[("body", "  ")]);
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Écrivez un message."));
    let r = replier.post_form(
        &format!("/aid/{post}/reply"),
        &page,
        &[("body", "Bonjour, je peux passer samedi ?")],
    );
    let cid = conversation_id(&r);

    // The author gets it by mail: From the site, no Reply-To, no address of the replier.
    let mail = sink.wait_message(1);
    assert!(mail.contains(&format!("To: {AUTHOR}")), "{mail}");
    assert!(
        mail.contains("From: Mairie <mairie@village.test>"),
        "{mail}"
    );
    assert!(!mail.to_lowercase().contains("reply-to"), "{mail}");
    assert!(
        !mail.contains(REPLIER) && !mail.contains("tomcache"),
        "{mail}"
    );
    assert!(mail.contains("Bonjour, je peux passer samedi ?"));
    assert!(mail.contains("Tom"));
    assert!(
        mail.contains(&format!("/aid/conversations/{cid}")),
        "{mail}"
    );

    // The author answers on the site; the replier's mail has no address of the author.
    let thread = author.get(&format!("/aid/conversations/{cid}"));
    assert_eq!(thread.status, 200);
    assert!(thread.body.contains("Bonjour, je peux passer samedi ?"));
    let r = author.post_form(
        &format!("/aid/conversations/{cid}"),
        &thread,
        &[("body", "Oui, à partir de 10 h.")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = sink.wait_message(2);
    assert!(mail.contains(&format!("To: {REPLIER}")), "{mail}");
    assert!(!mail.to_lowercase().contains("reply-to"), "{mail}");
    assert!(
        !mail.contains(AUTHOR) && !mail.contains("jeannesecret"),
        "{mail}"
    );
    assert!(mail.contains("Oui, à partir de 10 h."));

    // No page either of them sees holds the other's address.
    for (c, other) in [(&author, REPLIER), (&replier, AUTHOR)] {
        for path in [
            format!("/aid/conversations/{cid}"),
            "/aid/conversations".to_string(),
            format!("/aid/{post}"),
            format!("/api/v1/aid/{post}"),
            "/aid".to_string(),
        ] {
            let body = c.get(&path).body;
            assert!(!body.contains(other), "{path} shows {other}");
        }
    }
    // A third person cannot read the thread.
    assert_eq!(
        stranger.get(&format!("/aid/conversations/{cid}")).status,
        404
    );

    // The author blocks the replier: no more messages.
    let r = author.post_form(
        &format!("/aid/conversations/{cid}/block"),
        &thread,
        &[("x", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = replier.get(&format!("/aid/conversations/{cid}"));
    assert!(page
        .body
        .contains("Vous ne pouvez plus écrire à cette personne."));
    let r = replier.post_form(
        &format!("/aid/conversations/{cid}"),
        &page,
        &[("body", "Allô ?")],
    );
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("Vous ne pouvez plus écrire à cette personne."));
    // Nothing more was relayed.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        !sink.dir.join("0003.eml").exists(),
        "a blocked message was relayed"
    );
}

#[test]
fn the_author_closes_a_thread() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let author = server.resident(AUTHOR, "Jeanne");
    let replier = server.resident(REPLIER, "Tom");
    let post = publish(
        &author,
        "need",
        "rides",
        "Trajet vers le marché le samedi",
        None,
    );
    let page = replier.get(&format!("/aid/{post}"));
    let cid = conversation_id(&replier.post_form(
        &format!("/aid/{post}/reply"),
        &page,
        &[("body", "Je descends au marché à 8 h 30.")],
    ));
    let thread = replier.get(&format!("/aid/conversations/{cid}"));
    // Only the author may close it.
    let r = replier.post_form(
        &format!("/aid/conversations/{cid}/close"),
        &thread,
        &[("x", "")],
    );
    assert_eq!(r.status, 403);
    let thread = author.get(&format!("/aid/conversations/{cid}"));
    let r = author.post_form(
        &format!("/aid/conversations/{cid}/close"),
        &thread,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    let mine = replier.get(&format!("/aid/conversations/{cid}"));
    assert!(mine.body.contains("Cette conversation est close."));
    let r = replier.post_form(
        &format!("/aid/conversations/{cid}"),
        &mine,
        &[("body", "Encore une question")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Cette conversation est close."));
}
