//! Form errors, sub-events and cancellation, the map and the module switch, CSRF.

use chrono::{Datelike, NaiveDate};

use super::*;

#[test]
fn form_errors_come_back_with_what_was_typed_and_messages_in_the_readers_language() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let page = claire.get("/agenda/new");
    let mut f = fields("Concert au lavoir");
    set(&mut f, "type", "rave");
    set(&mut f, "start_date", "le 2 mars");
    set(&mut f, "repeat", "weekly");
    set(&mut f, "day_we", "on");
    set(&mut f, "ends", "count");
    set(&mut f, "count", "9999");
    set(&mut f, "capacity", "beaucoup");
    let r = claire.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 422);
    for message in [
        "Choisissez un type d'événement dans la liste.",
        "Date illisible",
        "Le nombre de places est un nombre entier positif.",
    ] {
        assert!(r.body.contains(message), "{message}");
    }
    assert!(
        r.body.contains("value=\"Concert au lavoir\"") && r.body.contains("value=\"le 2 mars\"")
    );
    assert!(r.body.contains("value=\"beaucoup\"") && r.body.contains("Lavoir de la Fontaine"));
    // The date is fixed; the start is a Tuesday but Wednesday is ticked; the end is before it.
    set(&mut f, "type", "concert");
    set(&mut f, "start_date", "02/03/2027");
    set(&mut f, "end_date", "2027-03-01");
    set(&mut f, "capacity", "");
    set(&mut f, "count", "4");
    let r = claire.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("La première date doit tomber un des jours cochés."));
    assert!(r.body.contains("La fin est avant le début."));
    assert!(r.body.contains("name=\"day_we\" checked"));
    // In English for an English reader.
    let en = server.client();
    let page = en.get_with("/agenda/new", &[("Accept-Language", "en")]);
    let r: Resp = en
        .agent
        .post(&format!("{}/agenda/new", en.base))
        .set("Accept-Language", "en")
        .send_form(&[
            ("_csrf", page.csrf().as_str()),
            ("title", ""),
            ("type", "concert"),
            ("start_date", "2027-03-02"),
            ("start_time", "18:30"),
            ("visibility", "public"),
        ])
        .into();
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Give a title") && r.body.contains("So that the moderator can answer you")
    );
}

#[test]
fn a_festival_lists_its_concerts_and_a_cancelled_one_stays_visible_as_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let mut fest = fields("Fête de la Loire");
    set(&mut fest, "type", "festival");
    set(&mut fest, "all_day", "on");
    set(&mut fest, "start_date", &in_days(30));
    set(&mut fest, "end_date", &in_days(32));
    let festival = create(&claire, &fest);
    let mut concert = fields("Fanfare du dimanche");
    set(&mut concert, "start_date", &in_days(32));
    set(&mut concert, "parent", &format!("/e/{festival}"));
    let page = claire.get(&format!("/agenda/new?parent={festival}"));
    // The festival is shown by its title, and offered in the list of events one manages.
    assert!(page
        .body
        .contains("value=\"Fête de la Loire\" list=\"f-parent-choices\""));
    assert!(page.body.contains("<option value=\"Fête de la Loire\">"));
    let slug = create(&claire, &concert);
    // Someone else cannot hang their event under Claire's festival.
    let paul = server.resident("paul@village.test", "Paul");
    let r = paul.post_form("/agenda/new", &paul.get("/agenda/new"), &concert);
    assert_eq!(r.status, 422);

    let p = claire.get(&format!("/e/{slug}"));
    let r = claire.post_form(&format!("/e/{slug}/cancel"), &p, &[("x", "")]);
    assert_eq!(r.status, 303);
    let anon = server.client();
    let f = anon.get(&format!("/e/{festival}"));
    assert!(
        f.body.contains("Au programme")
            && f.body.contains("Fanfare du dimanche")
            && f.body.contains("Annulé")
    );
    let c = anon.get(&format!("/e/{slug}"));
    assert!(c.body.contains("Cet événement est annulé.") && c.body.contains("EventCancelled"));
    assert!(c.body.contains("Fait partie de") && c.body.contains("\"superEvent\""));
    assert!(anon
        .get(&format!("/e/{slug}.ics"))
        .body
        .contains("STATUS:CANCELLED"));
    assert!(
        !anon.get(&format!("/e/{slug}")).body.contains("J'y vais"),
        "no answer to a cancelled event"
    );
    // The festival spans three days in the week view and on the printed month.
    let day = NaiveDate::parse_from_str(&in_days(31), "%Y-%m-%d").unwrap();
    let w = format!("{}-W{:02}", day.iso_week().year(), day.iso_week().week());
    let print = anon.get(&format!("/agenda/print?w={w}"));
    assert!(print.body.contains("print-sheet") && print.body.contains("Fête de la Loire"));
    // Deleted by its author: gone, the concert stays on its own.
    let r = claire.post_form(&format!("/e/{festival}/delete"), &f, &[("x", "")]);
    assert_eq!(r.status, 403, "the visitor's page has no token of Claire's");
    let r = claire.post_form(
        &format!("/e/{festival}/delete"),
        &claire.get(&format!("/e/{festival}")),
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/e/{festival}")).status, 404);
    assert_eq!(anon.get(&format!("/e/{slug}")).status, 200);
}

#[test]
fn events_are_on_the_map_with_their_date_and_the_agenda_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let mut f = fields("Concert au lavoir");
    let date = in_days(12);
    set(&mut f, "start_date", &date);
    let slug = create(&admin, &f);
    let anon = server.client();
    let map = anon.get("/map.geojson?bbox=-1,47,0,48&zoom=18");
    assert!(map.body.contains(&format!("/e/{slug}")), "{}", map.body);
    assert!(map
        .body
        .contains(&format!("Concert au lavoir · {date} 18:30")));
    assert!(anon.get("/").body.contains("Cette semaine"));
    let doc = json(&anon.get("/api/v1/openapi.json"));
    assert!(
        doc["paths"]["/api/v1/events"]["get"].is_object()
            && doc["components"]["schemas"]["EventDate"].is_object()
    );

    let page = admin.get("/admin");
    let fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .chain([
            ("modules", "directory".to_string()),
            ("modules", "map".to_string()),
            ("public_url", server.url.clone()),
        ])
        .collect();
    assert_eq!(admin.post_form("/admin", &page, &fields).status, 303);
    for path in [
        "/agenda",
        "/agenda/month",
        "/agenda.ics",
        &format!("/e/{slug}"),
        "/api/v1/events",
        "/admin/agenda",
    ] {
        assert_eq!(anon.get(path).status, 404, "{path}");
    }
    assert!(!anon
        .get("/map.geojson?bbox=-1,47,0,48&zoom=18")
        .body
        .contains("/e/"));
    assert!(!anon.get("/").body.contains("Cette semaine"));
}

#[test]
fn every_agenda_post_needs_the_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create(&admin, &fields("Concert"));
    admin.get(&format!("/e/{slug}")); // shows (and clears) the "saved" message
    let before = admin.get(&format!("/e/{slug}")).body;
    for path in [
        "/agenda/new".to_string(),
        format!("/e/{slug}/edit"),
        format!("/e/{slug}/delete"),
        format!("/e/{slug}/cancel"),
        format!("/e/{slug}/restore"),
        format!("/e/{slug}/image"),
        format!("/e/{slug}/rsvp"),
        format!("/e/{slug}/dates/1/cancel"),
        format!("/e/{slug}/dates/1/restore"),
        format!("/e/{slug}/dates/1/edit"),
        "/admin/agenda/1/approve".to_string(),
        "/admin/agenda/1/reject".to_string(),
    ] {
        let r = admin.post_raw(&path, &[("title", "Piraté"), ("answer", "going")]);
        assert_eq!(r.status, 403, "{path} accepted a POST without CSRF token");
    }
    assert_eq!(
        admin.get(&format!("/e/{slug}")).body,
        before,
        "nothing changed"
    );
    // Odd query strings and paths are refused or ignored, never a 500.
    for path in [
        "/agenda?after=x:y&km=-4&lat=NaN&from=31/02/2027",
        "/agenda/month?m=99999-99",
        "/agenda/week?w=2027-W99",
        "/agenda/print?m=abc&w=",
        "/api/v1/events?from=2027-13-45&after=1",
        "/e/nope",
        "/e/nope.ics",
        &format!("/e/{slug}?o=abc"),
        &format!("/e/{slug}/dates/abc/edit"),
        "/a/nope/agenda.ics",
    ] {
        let s = admin.get(path).status;
        assert!(s < 500, "{path} gave {s}");
    }
}

/// A PNG picture of the given size.
fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([40, 120, 80]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// POSTs a file as the `image` field of a multipart form.
fn upload(c: &Client, path: &str, file: &[u8]) -> Resp {
    let boundary = "----placette-agenda-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"affiche.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
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
fn an_event_gets_a_picture_re_encoded_and_only_from_its_organisers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let slug = create(&claire, &fields("Concert au lavoir"));
    let token = claire.get(&format!("/e/{slug}/edit")).csrf();
    let paul = server.resident("paul@village.test", "Paul");
    let paul_token = paul.get("/agenda").csrf();
    let r = upload(
        &paul,
        &format!("/e/{slug}/image?_csrf={paul_token}"),
        &png(50, 50),
    );
    assert_eq!(r.status, 403);
    let r = upload(
        &claire,
        &format!("/e/{slug}/image?_csrf={token}"),
        b"not a picture",
    );
    assert_eq!(r.status, 303);
    assert!(!claire
        .get(&format!("/e/{slug}"))
        .body
        .contains("/media/event-"));
    let r = upload(
        &claire,
        &format!("/e/{slug}/image?_csrf={token}"),
        &png(1600, 900),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = server.client().get(&format!("/e/{slug}"));
    let start = page
        .body
        .find("/media/event-")
        .expect("the picture on the page");
    let src: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let picture = server.client().get(&src);
    assert_eq!(picture.status, 200);
    assert_eq!(picture.header("content-type"), "image/jpeg", "re-encoded");
    // In the JSON-LD too, as an absolute URL (the public address recorded at setup).
    let ld_image = format!("\"image\":\"{}{src}\"", server.url);
    assert!(page.body.contains(&ld_image), "{ld_image} in the JSON-LD");
}

#[test]
fn the_repeat_fields_are_folded_for_a_one_off_event_and_open_for_a_series_in_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let page = claire.get("/agenda/new");
    assert!(
        page.body.contains("<details class=\"repeat\">"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Répéter cet événement (facultatif)"));
    let mut f = fields("Atelier couture");
    set(&mut f, "repeat", "weekly");
    set(&mut f, "ends", "count");
    set(&mut f, "count", "beaucoup");
    let r = claire.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("<details class=\"repeat\" open>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"beaucoup\""));
}
