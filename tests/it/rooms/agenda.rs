//! THE guarantee across the agenda: a room is never used twice, whether a booking or an event
//! of the agenda comes first, whatever the path (an event created, edited, recurring, a date
//! moved or restored, a submission approved, a cancelled event put back on), and under a race
//! of bookers and organisers for the same slots.

use std::sync::{Arc, Barrier};

use super::*;

/// Posts the agenda's form for an event in `place` on `date`, from `start` to `end`.
fn event(
    c: &Client,
    title: &str,
    place: &str,
    date: NaiveDate,
    start: &str,
    end: &str,
    over: &[(&str, &str)],
) -> Resp {
    post_event(c, "/agenda/new", title, place, date, start, end, over)
}

/// Posts the event form at `path` (a new event, or an event's `/e/{slug}/edit`).
#[allow(clippy::too_many_arguments)]
fn post_event(
    c: &Client,
    path: &str,
    title: &str,
    place: &str,
    date: NaiveDate,
    start: &str,
    end: &str,
    over: &[(&str, &str)],
) -> Resp {
    let d = ymd(date);
    let mut fields: Vec<(&str, &str)> = vec![
        ("title", title),
        ("type", "other"),
        ("start_date", d.as_str()),
        ("start_time", start),
        ("end_time", end),
        ("ends", "never"),
        ("interval", "1"),
        ("place", place),
        ("visibility", "public"),
    ];
    for (k, v) in over {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    let page = c.get(path);
    c.post_form(path, &page, &fields)
}

/// The recurrence ids of an event's dates, from the JSON API.
fn dates(c: &Client, slug: &str) -> Vec<(i64, bool)> {
    let api = json(&c.get(&format!("/api/v1/events/{slug}")));
    api["dates"]
        .as_array()
        .unwrap_or_else(|| panic!("{api}"))
        .iter()
        .map(|d| {
            (
                d["recurrence_id"].as_i64().unwrap(),
                d["cancelled"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_event_never_takes_a_booked_room_whatever_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des fêtes", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);
    let saturday = plus(monday(2), 5);

    // Jeanne books the hall for the whole Saturday.
    let jeanne = resident_from(&server, 1, "Jeanne");
    assert_eq!(
        book(&jeanne, &slug, saturday, "10:00", "22:00", &[]).status,
        303
    );

    // The club's loto in the same hall that afternoon: refused, naming the booking's time but
    // not who booked, with what was typed kept.
    let r = event(
        &admin,
        "Loto du club",
        &slug,
        saturday,
        "14:00",
        "18:00",
        &[],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("La salle est réservée le samedi") && r.body.contains("de 10:00 à 22:00"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("Jeanne"),
        "the public never learns who booked"
    );
    assert!(r.body.contains("value=\"Loto du club\""));
    // A weekly series whose second date falls on the booking: refused as a whole.
    let r = event(
        &admin,
        "Atelier hebdomadaire",
        &slug,
        plus(saturday, -7),
        "14:00",
        "16:00",
        &[
            ("repeat", "weekly"),
            ("day_sa", "on"),
            ("ends", "count"),
            ("count", "3"),
        ],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("de 10:00 à 22:00"), "{}", r.body);

    // Right after the booking: accepted. Edited to start inside it: refused, unchanged.
    let r = event(&admin, "Bal", &slug, saturday, "22:00", "23:30", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let bal = r.location();
    let bal_slug = bal.trim_start_matches("/e/").to_string();
    let r = post_event(
        &admin,
        &format!("{bal}/edit"),
        "Bal",
        &slug,
        saturday,
        "21:00",
        "23:30",
        &[],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("La salle est réservée"));
    let still = json(&admin.get(&format!("/api/v1/events/{bal_slug}")));
    assert!(
        still["start"].as_str().unwrap().contains("T22:00"),
        "{still}"
    );

    // A series on the Saturdays after the booking; its first date moved onto the booking:
    // refused with the booking's time.
    let r = event(
        &admin,
        "Répétition",
        &slug,
        plus(saturday, 7),
        "14:00",
        "16:00",
        &[
            ("repeat", "weekly"),
            ("day_sa", "on"),
            ("ends", "count"),
            ("count", "2"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let rep = r.location();
    let rep_slug = rep.trim_start_matches("/e/").to_string();
    let (rid, _) = dates(&admin, &rep_slug)[0];
    let page = admin.get(&format!("{rep}/dates/{rid}/edit"));
    assert_eq!(page.status, 200, "{}", page.body);
    let r = admin.post_form(
        &format!("{rep}/dates/{rid}/edit"),
        &page,
        &[
            ("date", ymd(saturday).as_str()),
            ("start_time", "15:00"),
            ("end_time", "17:00"),
            ("title", ""),
            ("note", ""),
        ],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("de 10:00 à 22:00"), "{}", r.body);

    // Cancelled, the series' second date frees the room; booked meanwhile, it cannot come back.
    let (rid2, _) = dates(&admin, &rep_slug)[1];
    let page = admin.get(&rep);
    let r = admin.post_form(&format!("{rep}/dates/{rid2}/cancel"), &page, &[("_", "")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let second = plus(saturday, 14);
    assert_eq!(
        book(&jeanne, &slug, second, "15:00", "16:00", &[]).status,
        303
    );
    let r = admin.post_form(&format!("{rep}/dates/{rid2}/restore"), &page, &[("_", "")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let next = admin.get(&r.location());
    assert!(
        next.body.contains("La salle est réservée à cette date"),
        "{}",
        next.body
    );
    assert!(dates(&admin, &rep_slug)[1].1, "the date stays cancelled");

    // A whole event cancelled, its slot booked, then put back on: refused.
    let sunday = plus(saturday, 1);
    let r = event(&admin, "Vide-grenier", &slug, sunday, "08:00", "12:00", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let vg = r.location();
    let page = admin.get(&vg);
    assert_eq!(
        admin
            .post_form(&format!("{vg}/cancel"), &page, &[("_", "")])
            .status,
        303
    );
    assert_eq!(
        book(&jeanne, &slug, sunday, "09:00", "11:00", &[]).status,
        303
    );
    let r = admin.post_form(&format!("{vg}/restore"), &page, &[("_", "")]);
    assert_eq!(r.status, 303);
    let next = admin.get(&r.location());
    assert!(
        next.body.contains("La salle est réservée à cette date"),
        "{}",
        next.body
    );
    let vg_api = json(&admin.get(&format!("/api/v1/events/{}", vg.trim_start_matches("/e/"))));
    assert_eq!(vg_api["status"], "cancelled", "{vg_api}");

    // A visitor's submission in the booked hall waits; its approval is refused.
    let visitor = server.client();
    let r = event(
        &visitor,
        "Concert surprise",
        &slug,
        saturday,
        "19:00",
        "21:00",
        &[
            ("submitter_name", "Paul"),
            ("submitter_email", "paul@village.test"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let queue = admin.get("/admin/agenda");
    let at = queue.body.find("/approve\"").expect("a submission waits");
    let start = queue.body[..at].rfind("/admin/agenda/").unwrap();
    let approve = queue.body[start..at + "/approve".len()].to_string();
    let r = admin.post_form(&approve, &queue, &[("_", "")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let next = admin.get(&r.location());
    assert!(
        next.body.contains("La salle est réservée à cette date"),
        "{}",
        next.body
    );
    assert!(
        next.body.contains("Concert surprise"),
        "still waiting: {}",
        next.body
    );

    // The hall's Saturday shows the booking and the ball, nothing else.
    let api = json(&server.client().get(&format!(
        "/api/v1/rooms/{slug}/bookings?from={}&to={}",
        ymd(saturday),
        ymd(saturday)
    )));
    let busy = api["busy"].as_array().unwrap();
    assert_eq!(busy.len(), 2, "{api}");
    assert!(!api.to_string().contains("Loto"), "{api}");
}

#[test]
fn bookers_and_organisers_race_for_the_same_slots_and_exactly_one_wins_each() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle convoitée", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);

    let server = Arc::new(server);
    let clients = residents(&server, 32, "Voisine");
    let d = plus(monday(3), 3);
    let date = ymd(d);
    let slots = [
        ("09:00", "11:00"),
        ("11:00", "13:00"),
        ("14:00", "16:00"),
        ("16:00", "18:00"),
    ];
    let barrier = Arc::new(Barrier::new(clients.len()));
    // Four organisers each put one event of the agenda in the room, one per slot; the 28
    // others book the room for every slot, all at the same instant.
    let threads: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let (barrier, slug, date) = (barrier.clone(), slug.clone(), date.clone());
            std::thread::spawn(move || {
                let organiser = i < slots.len();
                let page = if organiser {
                    c.get("/agenda/new")
                } else {
                    c.get(&format!("/rooms/{slug}"))
                };
                barrier.wait();
                let mine: Vec<usize> = if organiser {
                    vec![i]
                } else {
                    (0..slots.len()).map(|k| (i + k) % slots.len()).collect()
                };
                let mut out = Vec::new();
                for k in mine {
                    let (start, end) = slots[k];
                    let title = format!("Voisine {i}");
                    let r = if organiser {
                        c.post_form(
                            "/agenda/new",
                            &page,
                            &[
                                ("title", title.as_str()),
                                ("type", "meeting"),
                                ("start_date", date.as_str()),
                                ("start_time", start),
                                ("end_time", end),
                                ("ends", "never"),
                                ("interval", "1"),
                                ("place", slug.as_str()),
                                ("visibility", "public"),
                            ],
                        )
                    } else {
                        c.post_form(
                            &format!("/rooms/{slug}/book"),
                            &page,
                            &[
                                ("date", date.as_str()),
                                ("start", start),
                                ("end", end),
                                ("actor", ""),
                                ("purpose", title.as_str()),
                                ("repeat", "none"),
                                ("until", ""),
                            ],
                        )
                    };
                    let clear = r.status == 303
                        || r.body.contains("déjà réservé")
                        || r.body
                            .contains("Un événement de l'agenda a lieu dans la salle")
                        || r.body.contains("La salle est réservée le");
                    out.push((start, !organiser, r.status, clear));
                }
                out
            })
        })
        .collect();
    let results: Vec<(&str, bool, u16, bool)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(results.len(), 4 + 28 * 4);
    let mut kinds = (0, 0);
    for (start, _) in slots {
        let won: Vec<_> = results
            .iter()
            .filter(|r| r.0 == start && r.2 == 303)
            .collect();
        assert_eq!(won.len(), 1, "winners of {start}: {results:?}");
        if won[0].1 {
            kinds.0 += 1
        } else {
            kinds.1 += 1
        }
    }
    eprintln!(
        "rooms/agenda race: slots won by bookings {}, by events {}",
        kinds.0, kinds.1
    );
    let lost: Vec<_> = results.iter().filter(|r| r.2 != 303).collect();
    assert_eq!(lost.len(), 4 + 28 * 4 - 4);
    assert!(lost.iter().all(|r| r.2 == 409 && r.3), "{lost:?}");

    // The room's day: four entries, bookings and events together, none overlapping.
    let api = json(&server.client().get(&format!(
        "/api/v1/rooms/{slug}/bookings?from={date}&to={date}"
    )));
    let busy = api["busy"].as_array().unwrap();
    assert_eq!(busy.len(), 4, "{api}");
}
