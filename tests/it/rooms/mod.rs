//! Room booking as residents and managers use it: every rule, series and their conflict
//! report, approval, the privacy of the public view, feeds read by Python's icalendar, mails
//! over SMTP, and 64 clients racing for the same slots.

mod agenda;
mod demo;
mod feeds;
mod mails;
mod race;
mod rules;
mod series;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Europe::Paris;

use crate::support::*;

/// Parses a JSON answer.
pub fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// Today in Paris.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&Paris).date_naive()
}

/// The Monday `weeks` weeks after this week's.
pub fn monday(weeks: i64) -> NaiveDate {
    let t = today();
    t - chrono::Duration::days(i64::from(t.weekday().num_days_from_monday()))
        + chrono::Duration::days(7 * weeks)
}

/// A date as the form takes it.
pub fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A day `n` days after `d`.
pub fn plus(d: NaiveDate, n: i64) -> NaiveDate {
    d + chrono::Duration::days(n)
}

/// A resident signed up and logged in from their own address (so that the per-IP limits of
/// sign-ups and logins apply to each, as in real life).
pub fn resident_from(server: &Server, n: usize, name: &str) -> Client {
    let c = server.client();
    let ip = format!("10.88.{}.{}", n / 200, n % 200 + 1);
    let email = format!("{}{n}@village.test", name.to_lowercase());
    let csrf = c.get("/signup").csrf();
    let r: Resp = c
        .agent
        .post(&format!("{}/signup", c.base))
        .set("X-Forwarded-For", &ip)
        .send_form(&[
            ("_csrf", csrf.as_str()),
            ("name", name),
            ("email", email.as_str()),
            ("password", "mot de passe du village"),
        ])
        .into();
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = server.outbox_for(&email).pop().expect("confirmation mail");
    let link = link_containing(&mail, "/confirm/");
    assert_eq!(c.get(&link[link.find("/confirm/").unwrap()..]).status, 303);
    let csrf = c.get("/login").csrf();
    let r: Resp = c
        .agent
        .post(&format!("{}/login", c.base))
        .set("X-Forwarded-For", &ip)
        .send_form(&[
            ("_csrf", csrf.as_str()),
            ("email", email.as_str()),
            ("password", "mot de passe du village"),
            ("next", "/account"),
        ])
        .into();
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

/// `n` residents, each signed up and logged in from their own address, eight at a time.
pub fn residents(server: &std::sync::Arc<Server>, n: usize, name: &'static str) -> Vec<Client> {
    let mut clients: Vec<Client> = Vec::new();
    for batch in 0..n.div_ceil(8) {
        let handles: Vec<_> = (batch * 8..(batch * 8 + 8).min(n))
            .map(|i| {
                let s = server.clone();
                std::thread::spawn(move || resident_from(&s, i + 1, name))
            })
            .collect();
        clients.extend(handles.into_iter().map(|h| h.join().unwrap()));
    }
    clients
}

/// Creates a directory page through the form; returns its slug.
pub fn actor(c: &Client, name: &str, kind: &str, type_: &str, hours: &str) -> String {
    let page = c.get("/directory/new");
    let mut fields = vec![
        ("kind", kind),
        ("type", type_),
        ("name", name),
        ("summary", "Une page de test."),
        ("visibility", "public"),
        ("capacity", "80"),
        ("equipment", "Tables, chaises"),
        ("accessibility", "De plain-pied"),
    ];
    let days = [
        "hours_0", "hours_1", "hours_2", "hours_3", "hours_4", "hours_5", "hours_6",
    ];
    for d in days {
        fields.push((d, hours));
    }
    let r = c.post_form("/directory/new", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().trim_start_matches("/a/").to_string()
}

/// A room open every day during `hours` ("" for always open); returns its slug.
pub fn room(admin: &Client, name: &str, hours: &str) -> String {
    actor(admin, name, "place", "room", hours)
}

/// The rules form with sensible values, changed by `over`.
pub fn set_rules(c: &Client, slug: &str, over: &[(&str, &str)]) -> Resp {
    let mut fields: Vec<(&str, String)> = vec![
        ("min_minutes", "30".into()),
        ("max_minutes", "720".into()),
        ("buffer_minutes", "0".into()),
        ("horizon_days", "365".into()),
        ("who", "any".into()),
        ("approval", "".into()),
        ("quota_week", "".into()),
        ("quota_month", "".into()),
        (
            "access_instructions",
            "Clé chez la secrétaire, code 4321.".into(),
        ),
        ("manager_actor", "".into()),
        ("allowed", "".into()),
        ("managers", "".into()),
    ];
    for (k, v) in over {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v.to_string(),
            None => fields.push((k, v.to_string())),
        }
    }
    let page = c.get(&format!("/rooms/{slug}/manage"));
    assert_eq!(page.status, 200, "{}", page.body);
    c.post_form(&format!("/rooms/{slug}/rules"), &page, &fields)
}

/// Posts the booking form of a room.
pub fn book(
    c: &Client,
    slug: &str,
    date: NaiveDate,
    start: &str,
    end: &str,
    over: &[(&str, &str)],
) -> Resp {
    let d = ymd(date);
    let mut fields: Vec<(&str, &str)> = vec![
        ("date", d.as_str()),
        ("start", start),
        ("end", end),
        ("actor", ""),
        ("purpose", "Réunion"),
        ("repeat", "none"),
        ("until", ""),
    ];
    for (k, v) in over {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    let page = c.get(&format!("/rooms/{slug}"));
    assert_eq!(page.status, 200, "{}", page.body);
    c.post_form(&format!("/rooms/{slug}/book"), &page, &fields)
}

/// The ids of the booking forms (cancel, approve...) on a page, in order, for an action.
pub fn booking_ids(body: &str, action: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find("/rooms/bookings/") {
        rest = &rest[i + "/rooms/bookings/".len()..];
        let id: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if rest[id.len()..].starts_with(&format!("/{action}\"")) && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
