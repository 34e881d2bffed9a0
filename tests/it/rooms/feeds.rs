//! The public view says "busy" without who booked (except public events, published in the
//! agenda); the access instructions reach only bookers; the feeds are read by Python's
//! icalendar: the public one without identity, the private one in detail.

use super::*;

/// Every VEVENT of a feed as read by Python's `icalendar`: summary, description, UTC instants.
pub fn parse_ics(ics: &str) -> serde_json::Value {
    const SCRIPT: &str = r#"
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
out = []
for ev in cal.walk('VEVENT'):
    out.append({
        "uid": str(ev['UID']), "summary": str(ev['SUMMARY']),
        "description": str(ev.get('DESCRIPTION', '')), "status": str(ev.get('STATUS', '')),
        "start": int(ev.decoded('DTSTART').timestamp()), "end": int(ev.decoded('DTEND').timestamp()),
    })
print(json.dumps({"name": str(cal.get('X-WR-CALNAME', '')), "events": out}))
"#;
    python_json(SCRIPT, &[], ics, "Python's icalendar refused the feed")
}

fn paris(d: NaiveDate, h: u32) -> i64 {
    use chrono::TimeZone;
    Paris
        .from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap())
        .single()
        .unwrap()
        .timestamp()
}

#[test]
fn the_public_sees_busy_times_without_who_booked_and_the_feeds_parse() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des Associations", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);
    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");
    let chorale = actor(
        &jeanne,
        "Chorale du Bourg",
        "organisation",
        "association",
        "",
    );

    let d = monday(2);
    let private = [
        ("actor", chorale.as_str()),
        ("purpose", "Répétition secrète"),
    ];
    assert_eq!(
        book(&jeanne, &slug, d, "18:00", "20:00", &private).status,
        303
    );
    let concert = [
        ("actor", chorale.as_str()),
        ("purpose", "Concert de Noël"),
        ("public", "1"),
    ];
    assert_eq!(
        book(&jeanne, &slug, plus(d, 2), "18:00", "20:00", &concert).status,
        303
    );

    // The public pages: busy, the public event with its agenda link, nobody's name.
    let week = format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week());
    let anon = server.client();
    for path in [
        format!("/rooms/{slug}?week={week}"),
        format!("/rooms?week={week}"),
    ] {
        let p = anon.get(&path);
        assert_eq!(p.status, 200);
        assert!(p.body.contains("Occupé"), "{path}");
        assert!(
            p.body.contains("Concert de Noël") && p.body.contains("href=\"/e/"),
            "{path}"
        );
        for hidden in [
            "Répétition secrète",
            "Jeanne",
            "Chorale du Bourg",
            "jeanne1@village.test",
        ] {
            assert!(!p.body.contains(hidden), "{hidden} on {path}");
        }
    }
    // The agenda has the concert, at the room.
    let p = anon.get(&format!("/rooms/{slug}?week={week}"));
    let event = p
        .body
        .split("href=\"/e/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let e = anon.get(&format!("/e/{event}"));
    assert_eq!(e.status, 200);
    assert!(e.body.contains("Concert de Noël") && e.body.contains("Salle des Associations"));

    // The booker sees her purposes and the access instructions; others do not.
    let mine = jeanne.get(&format!("/rooms/{slug}?week={week}"));
    assert!(mine.body.contains("Répétition secrète") && mine.body.contains("code 4321"));
    let other = paul.get(&format!("/rooms/{slug}?week={week}"));
    assert!(!other.body.contains("Répétition secrète") && !other.body.contains("code 4321"));
    assert!(!anon
        .get(&format!("/rooms/{slug}"))
        .body
        .contains("code 4321"));

    // The API: busy times without identity.
    let api = anon.get(&format!(
        "/api/v1/rooms/{slug}/bookings?from={}&to={}",
        ymd(d),
        ymd(plus(d, 6))
    ));
    let busy = json(&api)["busy"].as_array().unwrap().clone();
    assert_eq!(busy.len(), 2, "{}", api.body);
    assert!(busy[0]["title"].is_null());
    assert_eq!(busy[1]["title"], "Concert de Noël");
    assert!(!api.body.contains("Jeanne") && !api.body.contains("secrète"));
    let rooms = json(&anon.get("/api/v1/rooms"));
    assert_eq!(rooms["items"][0]["slug"], slug.as_str());
    let openapi = anon.get("/api/v1/openapi.json");
    assert!(openapi.body.contains("/rooms/{slug}/bookings"));

    // The public feed, read by a real iCalendar parser.
    let ics = anon.get(&format!("/rooms/{slug}/freebusy.ics"));
    assert_eq!(ics.status, 200);
    assert!(ics.header("content-type").starts_with("text/calendar"));
    let cal = parse_ics(&ics.body);
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{}", ics.body);
    assert_eq!(events[0]["summary"], "Occupé");
    assert_eq!(events[0]["start"], paris(d, 18));
    assert_eq!(events[0]["end"], paris(d, 20));
    assert_eq!(events[1]["summary"], "Concert de Noël");
    assert!(!ics.body.contains("Jeanne") && !ics.body.contains("secrète"));

    // The association's private feed: made by its admin, shown once, in detail.
    let page = jeanne.get("/rooms/mine");
    assert!(page.body.contains(&format!("/rooms/feeds/{chorale}")));
    assert_eq!(
        paul.post_form(&format!("/rooms/feeds/{chorale}"), &page, &[("x", "")])
            .status,
        403
    );
    let made = jeanne.post_form(&format!("/rooms/feeds/{chorale}"), &page, &[("x", "")]);
    assert_eq!(made.status, 200);
    let url = link_containing(&made.body.replace(['<', '>'], " "), "/rooms/feed/");
    let path = &url[url.find("/rooms/feed/").unwrap()..];
    let feed = anon.get(path);
    assert_eq!(feed.status, 200);
    let cal = parse_ics(&feed.body);
    assert_eq!(cal["name"], "Chorale du Bourg");
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert!(events[0]["summary"]
        .as_str()
        .unwrap()
        .contains("Répétition secrète"));
    assert_eq!(events[0]["description"], "Jeanne");
    assert_eq!(anon.get("/rooms/feed/0123456789abcdef").status, 404);

    // "Download my data" has her bookings.
    let export = jeanne.get("/account/export");
    assert!(export.body.contains("room_bookings") && export.body.contains("Répétition secrète"));
}

#[test]
fn a_confirmed_booking_links_an_event_its_booker_organises() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle de la Halle", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);
    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");
    let d = monday(2);

    // Jeanne's event in the agenda, and Paul's.
    let event = |c: &Client, title: &str| {
        let page = c.get("/agenda/new");
        let date = ymd(d);
        let r = c.post_form(
            "/agenda/new",
            &page,
            &[
                ("title", title),
                ("type", "meeting"),
                ("start_date", date.as_str()),
                ("start_time", "18:00"),
                ("end_time", "20:00"),
                ("ends", "never"),
                ("interval", "1"),
                ("address", "Halle"),
                ("visibility", "public"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        r.location()
    };
    let hers = event(&jeanne, "Assemblée du quartier");
    let his = event(&paul, "Réunion de Paul");
    assert_eq!(
        book(
            &jeanne,
            &slug,
            d,
            "18:00",
            "20:00",
            &[("purpose", "Assemblée")]
        )
        .status,
        303
    );
    let mine = jeanne.get("/rooms/mine");
    let id = booking_ids(&mine.body, "cancel")[0].clone();
    let page = jeanne.get(&format!("/rooms/bookings/{id}/edit"));
    assert!(page.body.contains("Lier à un événement"));

    // Not an event she organises: 422, nothing linked.
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{id}/event"),
        &page,
        &[("event", his.as_str())],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("que vous n'organisez pas"));
    let week = format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week());
    let public = server.client().get(&format!("/rooms/{slug}?week={week}"));
    assert!(!public.body.contains("Assemblée") && public.body.contains("Occupé"));

    // Hers: the public calendar shows the title and the link.
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{id}/event"),
        &page,
        &[("event", hers.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let public = server.client().get(&format!("/rooms/{slug}?week={week}"));
    assert!(
        public.body.contains(&format!("href=\"{hers}\"")),
        "{}",
        public.body
    );
    assert!(public.body.contains("Assemblée") && !public.body.contains("Jeanne"));
}

#[test]
fn an_agenda_event_held_in_the_room_makes_it_busy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Petite salle", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);
    let d = monday(2);
    // The yoga class is in the agenda at the room, without any booking.
    let page = admin.get("/agenda/new");
    let date = ymd(d);
    let r = admin.post_form(
        "/agenda/new",
        &page,
        &[
            ("title", "Yoga doux"),
            ("type", "sport"),
            ("start_date", date.as_str()),
            ("start_time", "18:30"),
            ("end_time", "19:45"),
            ("ends", "never"),
            ("interval", "1"),
            ("place", slug.as_str()),
            ("visibility", "public"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let event = r.location();

    // A booking over it is refused with the reason; next to it, it is accepted.
    let yannick = resident_from(&server, 1, "Yannick");
    let r = book(&yannick, &slug, d, "18:00", "20:00", &[]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r
        .body
        .contains("Un événement de l'agenda a lieu dans la salle"));
    assert_eq!(book(&yannick, &slug, d, "20:00", "21:00", &[]).status, 303);

    // The room's week, the week across rooms and the free/busy API show it.
    let week = format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week());
    for page in [
        format!("/rooms/{slug}?week={week}"),
        format!("/rooms?week={week}"),
    ] {
        let p = server.client().get(&page);
        assert!(
            p.body.contains(&format!("href=\"{event}\"")) && p.body.contains("Yoga doux"),
            "{page}: {}",
            p.body
        );
    }
    let from = ymd(d);
    let api = server.client().get(&format!(
        "/api/v1/rooms/{slug}/bookings?from={from}&to={}",
        ymd(plus(d, 1))
    ));
    assert_eq!(api.status, 200);
    assert!(api.body.contains("Yoga doux"), "{}", api.body);
}
