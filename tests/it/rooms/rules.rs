//! Every rule of a room, who may book, approval: each refusal with a clear message and the
//! form keeping what was typed.

use super::*;

#[test]
fn every_rule_is_checked_with_a_clear_message_and_what_was_typed_kept() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle Polyvalente", "8h-23h");

    // Bad rules: 422, messages, what was typed kept.
    let r = set_rules(
        &admin,
        &slug,
        &[
            ("min_minutes", "60"),
            ("max_minutes", "30"),
            ("buffer_minutes", "un quart"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r
        .body
        .contains("La durée maximale doit être au moins la durée minimale"));
    assert!(r.body.contains("value=\"un quart\""));
    let r = set_rules(
        &admin,
        &slug,
        &[
            ("min_minutes", "60"),
            ("max_minutes", "180"),
            ("buffer_minutes", "30"),
            ("horizon_days", "60"),
            ("quota_week", "2"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let public = server.client().get(&format!("/rooms/{slug}"));
    assert!(public.body.contains("de 1 h à 3 h") && public.body.contains("30 min"));

    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");
    let d = monday(2);
    let r = book(&jeanne, &slug, d, "18:00", "20:00", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/rooms/mine");
    assert!(jeanne.get("/rooms/mine").body.contains("Confirmée"));
    // « Mon village » shows the booking, and the way to her ads and conversations.
    let my = jeanne.get("/my");
    assert!(
        my.body.contains("Mes réservations") && my.body.contains("Salle Polyvalente"),
        "{}",
        my.body
    );
    assert!(my.body.contains("href=\"/aid/conversations\""));

    let cases = [
        (plus(d, 1), "18:00", "18:30", "Durée trop courte"),
        (plus(d, 1), "12:00", "16:00", "Durée trop longue"),
        (plus(d, 1), "06:00", "08:00", "pas ouverte à ces heures"),
        (plus(today(), 90), "18:00", "20:00", "Trop loin à l'avance"),
        (plus(today(), -1), "18:00", "20:00", "Cette date est passée"),
    ];
    for (date, start, end, message) in cases {
        let r = book(
            &jeanne,
            &slug,
            date,
            start,
            end,
            &[("purpose", "Atelier tricot")],
        );
        assert_eq!(r.status, 422, "{message}: {}", r.body);
        assert!(r.body.contains(message), "{message}");
        assert!(
            r.body.contains("value=\"Atelier tricot\""),
            "what was typed is kept"
        );
    }
    let r = book(&jeanne, &slug, d, "18:00", "20:00", &[("date", "demain")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Indiquez une date") && r.body.contains("value=\"demain\""));

    // The buffer: 30 minutes after Jeanne's booking are hers too.
    let r = book(&paul, &slug, d, "20:15", "21:30", &[]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("déjà réservé (temps de rangement compris)"));
    assert!(r.body.contains("value=\"20:15\""));
    let r = book(&paul, &slug, d, "16:00", "17:45", &[]);
    assert_eq!(
        r.status, 409,
        "the buffer after Paul's booking reaches Jeanne's"
    );
    assert_eq!(book(&paul, &slug, d, "20:30", "22:00", &[]).status, 303);

    // The weekly quota: two bookings per week for Jeanne; the week after is free again.
    assert_eq!(
        book(&jeanne, &slug, plus(d, 1), "18:00", "20:00", &[]).status,
        303
    );
    let r = book(&jeanne, &slug, plus(d, 2), "18:00", "20:00", &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("nombre de réservations permis"));
    assert_eq!(
        book(&jeanne, &slug, plus(d, 7), "18:00", "20:00", &[]).status,
        303
    );
    // Paul has his own quota.
    assert_eq!(
        book(&paul, &slug, plus(d, 2), "18:00", "20:00", &[]).status,
        303
    );
    // Managers have none.
    assert_eq!(
        book(&admin, &slug, plus(d, 3), "09:00", "10:00", &[]).status,
        303
    );
    assert_eq!(
        book(&admin, &slug, plus(d, 3), "11:00", "12:00", &[]).status,
        303
    );
    assert_eq!(
        book(&admin, &slug, plus(d, 3), "13:00", "14:00", &[]).status,
        303
    );
}

#[test]
fn with_no_room_yet_the_rooms_page_leads_to_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let link = "href=\"/directory/new?kind=place&amp;type=room\"";

    let page = admin.get("/rooms");
    assert!(page.body.contains("Aucune salle réservable"));
    assert!(page.body.contains(link), "{}", page.body);
    assert!(page.body.contains("Créer la page d'une salle"));
    let anon = server.client().get("/rooms");
    assert!(!anon.body.contains(link), "a visitor cannot create pages");

    // The link opens the new-page form with the type « salle » chosen.
    let form = admin.get("/directory/new?kind=place&type=room");
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("<option value=\"room\" selected>"),
        "{}",
        form.body
    );
    let slug = room(&admin, "Salle du Lavoir", "");
    let page = admin.get("/rooms");
    assert!(page.body.contains(&format!("href=\"/rooms/{slug}\"")));
    assert!(!page.body.contains(link) && !page.body.contains("Aucune salle réservable"));
}

#[test]
fn durations_are_typed_and_shown_as_people_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des Associations", "");

    // The form asks for a duration, not a count of minutes.
    let page = admin.get(&format!("/rooms/{slug}/manage"));
    assert!(
        page.body.contains("Durée maximale (24 h au plus)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("1440"));
    assert!(
        page.body.contains("value=\"12 h\""),
        "stored values read as durations"
    );

    // Every way of writing it, each read as the resident meant.
    for (min, max, buffer, shown_min, shown_max, shown_buffer) in [
        ("1h", "2h30", "15", "1 h", "2 h 30", "15 min"),
        ("45 min", "1:30", "0:10", "45 min", "1 h 30", "10 min"),
        ("90", "3 h", "1 h 15", "1 h 30", "3 h", "1 h 15"),
    ] {
        let r = set_rules(
            &admin,
            &slug,
            &[
                ("min_minutes", min),
                ("max_minutes", max),
                ("buffer_minutes", buffer),
            ],
        );
        assert_eq!(r.status, 303, "{min} {max} {buffer}: {}", r.body);
        let form = admin.get(&format!("/rooms/{slug}/manage"));
        for v in [shown_min, shown_max, shown_buffer] {
            assert!(form.body.contains(&format!("value=\"{v}\"")), "{v}");
        }
        let public = server.client().get(&format!("/rooms/{slug}"));
        assert!(
            public
                .body
                .contains(&format!("de {shown_min} à {shown_max}")),
            "{}",
            public.body
        );
        assert!(public.body.contains(shown_buffer));
    }

    // What cannot be read or is out of bounds: 422, said clearly, what was typed kept.
    let r = set_rules(
        &admin,
        &slug,
        &[
            ("max_minutes", "deux heures et demie"),
            ("buffer_minutes", "25 h"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains(
            "Indiquez une durée comme « 2 h 30 », « 45 min » ou « 1:30 », entre 5 min et 24 h."
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("entre 0 min et 24 h"));
    assert!(r.body.contains("value=\"deux heures et demie\"") && r.body.contains("value=\"25 h\""));
    // The rules were not changed.
    let public = server.client().get(&format!("/rooms/{slug}"));
    assert!(public.body.contains("de 1 h 30 à 3 h"));

    // In English and German too.
    for (lang, message) in [
        (
            "en",
            "Give a duration such as “2 h 30”, “45 min” or “1:30”, between 5 min and 24 h.",
        ),
        (
            "de",
            "Geben Sie eine Dauer wie „2 h 30“, „45 min“ oder „1:30“ an, zwischen 5 min und 24 h.",
        ),
    ] {
        let page = admin.get("/rooms");
        let r = admin.post_form("/lang", &page, &[("lang", lang), ("next", "/rooms")]);
        assert_eq!(r.status, 303);
        let r = set_rules(&admin, &slug, &[("min_minutes", "une heure")]);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains(message), "{lang}: {}", r.body);
        assert!(r.body.contains("value=\"une heure\""));
    }
}

#[test]
fn who_may_book_and_approval_by_a_manager() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle du Conseil", "");
    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");
    let chorale = actor(
        &jeanne,
        "Chorale du Bourg",
        "organisation",
        "association",
        "",
    );

    let r = set_rules(&admin, &slug, &[("who", "members"), ("allowed", "")]);
    assert_eq!(r.status, 422, "members of whom?");
    assert!(r.body.contains("Indiquez au moins une association"));
    let r = set_rules(
        &admin,
        &slug,
        &[("who", "members"), ("allowed", "/a/inconnue")],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Aucune page de l’annuaire")
            || r.body.contains("Aucune page de l'annuaire")
    );
    let r = set_rules(
        &admin,
        &slug,
        &[
            ("who", "members"),
            ("allowed", &format!("/a/{chorale}")),
            ("approval", "1"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    let d = monday(2);
    let r = book(&paul, &slug, d, "10:00", "12:00", &[]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("réservée aux membres des associations"));
    let r = book(&paul, &slug, d, "10:00", "12:00", &[("actor", &chorale)]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("au nom d'une page dont vous êtes membre"));
    // Jeanne, a member, asks twice for overlapping slots: requests may coexist.
    let r = book(&jeanne, &slug, d, "10:00", "12:00", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let r = book(
        &jeanne,
        &slug,
        d,
        "11:00",
        "13:00",
        &[("actor", &chorale), ("purpose", "Répétition")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mine = jeanne.get("/rooms/mine");
    assert_eq!(mine.body.matches("En attente").count(), 2, "{}", mine.body);

    // Paul manages nothing.
    assert_eq!(paul.get(&format!("/rooms/{slug}/manage")).status, 403);
    assert!(paul
        .get("/rooms/requests")
        .body
        .contains("Aucune demande en attente"));
    let requests = admin.get("/rooms/requests");
    let ids = booking_ids(&requests.body, "approve");
    assert_eq!(ids.len(), 2, "{}", requests.body);
    assert!(requests.body.contains("Chorale du Bourg") && requests.body.contains("Jeanne"));
    let r = paul.post_form(
        &format!("/rooms/bookings/{}/approve", ids[0]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 403);

    // The first is approved; approving the second, which now clashes, is refused clearly.
    let r = admin.post_form(
        &format!("/rooms/bookings/{}/approve", ids[0]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin.post_form(
        &format!("/rooms/bookings/{}/approve", ids[1]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Impossible de valider"));
    let r = admin.post_form(
        &format!("/rooms/bookings/{}/decline", ids[1]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 303);
    let mine = jeanne.get("/rooms/mine");
    assert!(
        mine.body.contains("Confirmée") && mine.body.contains("Refusée"),
        "{}",
        mine.body
    );

    // Managers only: Jeanne is refused; the site's admin books at once, without approval.
    assert_eq!(
        set_rules(&admin, &slug, &[("who", "managers"), ("approval", "1")]).status,
        303
    );
    let r = book(&jeanne, &slug, plus(d, 1), "10:00", "12:00", &[]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Seuls les gestionnaires"));
    assert_eq!(
        book(&admin, &slug, plus(d, 1), "10:00", "12:00", &[]).status,
        303
    );
    assert!(admin.get("/rooms/mine").body.contains("Confirmée"));

    // A manager named by address manages the room.
    let r = set_rules(&admin, &slug, &[("managers", "paul2@village.test")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(paul.get(&format!("/rooms/{slug}/manage")).status, 200);
    let r = set_rules(&admin, &slug, &[("managers", "personne@village.test")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Aucun compte avec cette adresse"));
}
