//! A recurring booking: the conflict report lists each clashing date; "book the free ones";
//! cancelling one date or the rest of the series.

use super::*;

#[test]
fn a_series_reports_each_taken_date_and_books_the_free_ones() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des Fêtes", "");
    assert_eq!(
        set_rules(&admin, &slug, &[("buffer_minutes", "15")]).status,
        303
    );
    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");

    // Paul holds the third Thursday evening.
    let first = plus(monday(2), 3);
    assert_eq!(
        book(&paul, &slug, plus(first, 14), "19:00", "21:00", &[]).status,
        303
    );

    // Jeanne asks for six Thursdays.
    let until = ymd(plus(first, 35));
    let series = [
        ("repeat", "weekly"),
        ("until", until.as_str()),
        ("purpose", "Chorale"),
    ];
    let r = book(&jeanne, &slug, first, "20:00", "22:00", &series);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Certaines dates ne sont pas libres"));
    assert!(r
        .body
        .contains("Sur 6 dates demandées, 1 ne peuvent pas être réservées"));
    assert_eq!(r.body.matches("déjà réservé").count(), 1);
    assert_eq!(r.body.matches(">Libre<").count(), 5);
    assert!(r.body.contains("Réserver les 5 dates libres"));
    assert!(
        r.body.contains(&format!("href=\"/rooms/{slug}\"")) && r.body.contains("Ne rien réserver")
    );
    assert!(
        jeanne
            .get("/rooms/mine")
            .body
            .contains("Aucune réservation"),
        "nothing booked yet"
    );

    // "Book the free ones": the report's own form, posted as is.
    let mut fields: Vec<(&str, &str)> = series.to_vec();
    let date = ymd(first);
    fields.extend([
        ("date", date.as_str()),
        ("start", "20:00"),
        ("end", "22:00"),
        ("actor", ""),
        ("public", ""),
        ("mode", "free"),
    ]);
    let r = jeanne.post_form(&format!("/rooms/{slug}/book"), &r, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let mine = jeanne.get("/rooms/mine");
    let ids = booking_ids(&mine.body, "cancel");
    assert_eq!(ids.len(), 5, "{}", mine.body);
    assert!(mine.body.contains("Annuler celle-ci et les suivantes"));

    let busy = |c: &Client| {
        let from = ymd(first);
        let to = ymd(plus(first, 30));
        json(&c.get(&format!(
            "/api/v1/rooms/{slug}/bookings?from={from}&to={to}"
        )))["busy"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(
        busy(&paul),
        5,
        "four Thursdays of Jeanne's within the month, and Paul's"
    );

    // Cancel one date, then the third and the following ones.
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{}/cancel", ids[0]),
        &mine,
        &[("next", "/rooms/mine")],
    );
    assert_eq!(r.status, 303);
    // "This one and the following" first says how many dates go, and cancels on confirmation.
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{}/cancel", ids[2]),
        &mine,
        &[("next", "/rooms/mine"), ("scope", "following")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Annuler 3 réservations"), "{}", r.body);
    assert_eq!(jeanne.get("/rooms/mine").body.matches("Annulée").count(), 1);
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{}/cancel", ids[2]),
        &r,
        &[
            ("next", "/rooms/mine"),
            ("scope", "following"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(r.status, 303);
    let mine = jeanne.get("/rooms/mine");
    assert_eq!(mine.body.matches("Confirmée").count(), 1, "{}", mine.body);
    assert_eq!(mine.body.matches("Annulée").count(), 4);
    // Paul may not cancel Jeanne's bookings.
    let r = paul.post_form(
        &format!("/rooms/bookings/{}/cancel", ids[1]),
        &mine,
        &[("next", "")],
    );
    assert_eq!(r.status, 403);
    // The freed Thursday can be booked again.
    assert_eq!(book(&paul, &slug, first, "20:00", "22:00", &[]).status, 303);
}

/// The start of each busy time of a room on the days from `from` to `to`, local `HH:MM`.
fn starts(c: &Client, slug: &str, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let v = json(&c.get(&format!(
        "/api/v1/rooms/{slug}/bookings?from={}&to={}",
        ymd(from),
        ymd(to)
    )));
    v["busy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["start"].as_str().unwrap()[11..16].to_string())
        .collect()
}

#[test]
fn a_date_or_the_rest_of_a_series_moves_only_if_every_date_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle Haute", "8h-23h");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);
    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");
    let first = plus(monday(2), 3);
    let until = ymd(plus(first, 21));
    let series = [("repeat", "weekly"), ("until", until.as_str())];
    assert_eq!(
        book(&jeanne, &slug, first, "20:00", "22:00", &series).status,
        303
    );
    assert_eq!(
        book(&paul, &slug, plus(first, 14), "18:00", "19:00", &[]).status,
        303
    );
    let mine = jeanne.get("/rooms/mine");
    let ids = booking_ids(&mine.body, "cancel");
    assert_eq!(ids.len(), 4, "{}", mine.body);
    let last = plus(first, 21);

    // Paul may not move Jeanne's booking.
    assert_eq!(
        paul.get(&format!("/rooms/bookings/{}/edit", ids[0])).status,
        403
    );

    // One date.
    let page = jeanne.get(&format!("/rooms/bookings/{}/edit", ids[0]));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("value=\"20:00\"") && page.body.contains("Celle-ci et les suivantes")
    );
    let date = ymd(first);
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{}/edit", ids[0]),
        &page,
        &[
            ("date", date.as_str()),
            ("start", "21:00"),
            ("end", "22:30"),
            ("scope", "one"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        starts(&paul, &slug, first, last),
        ["21:00", "20:00", "18:00", "20:00", "20:00"]
    );

    // The rest of the series onto Paul's hour: refused, naming the date; nothing moves.
    let page = jeanne.get(&format!("/rooms/bookings/{}/edit", ids[1]));
    let date = ymd(plus(first, 7));
    let mut fields = vec![
        ("date", date.as_str()),
        ("start", "18:30"),
        ("end", "20:00"),
        ("scope", "following"),
    ];
    let r = jeanne.post_form(&format!("/rooms/bookings/{}/edit", ids[1]), &page, &fields);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("déjà réservé") && r.body.contains("Rien n'a été déplacé"));
    assert!(r.body.contains("value=\"18:30\""));
    assert_eq!(
        starts(&paul, &slug, first, last),
        ["21:00", "20:00", "18:00", "20:00", "20:00"]
    );
    fields[1] = ("start", "06:00");
    fields[2] = ("end", "07:00");
    let r = jeanne.post_form(&format!("/rooms/bookings/{}/edit", ids[1]), &page, &fields);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("pas ouverte à ces heures"));

    // Right after Paul: every following date moves.
    fields[1] = ("start", "19:00");
    fields[2] = ("end", "21:00");
    let r = jeanne.post_form(&format!("/rooms/bookings/{}/edit", ids[1]), &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        starts(&paul, &slug, first, last),
        ["21:00", "19:00", "18:00", "19:00", "19:00"]
    );

    // In a room that needs approval, a moved booking waits for the managers again.
    assert_eq!(set_rules(&admin, &slug, &[("approval", "1")]).status, 303);
    let page = jeanne.get(&format!("/rooms/bookings/{}/edit", ids[0]));
    let date = ymd(first);
    let r = jeanne.post_form(
        &format!("/rooms/bookings/{}/edit", ids[0]),
        &page,
        &[
            ("date", date.as_str()),
            ("start", "20:00"),
            ("end", "22:00"),
            ("scope", "one"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        jeanne.get("/rooms/mine").body.matches("En attente").count(),
        1
    );
    assert_eq!(
        booking_ids(&admin.get("/rooms/requests").body, "approve"),
        [ids[0].clone()]
    );
}

#[test]
fn a_series_counts_its_own_dates_against_the_monthly_quota() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle Basse", "");
    assert_eq!(
        set_rules(&admin, &slug, &[("quota_month", "2")]).status,
        303
    );
    let jeanne = resident_from(&server, 1, "Jeanne");
    // Every week for two whole months: two dates a month, the others over the quota.
    let start = today().with_day(1).unwrap() + chrono::Months::new(2);
    let until = ymd(start + chrono::Months::new(2) - chrono::Duration::days(1));
    let first = plus(
        start,
        (7 - i64::from(start.weekday().num_days_from_monday())) % 7,
    );
    let series = [("repeat", "weekly"), ("until", until.as_str())];
    let r = book(&jeanne, &slug, first, "10:00", "11:00", &series);
    assert_eq!(r.status, 409, "{}", r.body);
    let total = r.body.matches("<tr>").count() - 1;
    assert!(total >= 8, "{total} dates");
    assert_eq!(
        r.body.matches("nombre de réservations permis").count(),
        total - 4
    );
    assert!(r.body.contains("Réserver les 4 dates libres"));
}
