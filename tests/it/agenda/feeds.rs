//! Feeds read by a real iCalendar parser (Python's `icalendar`, with dateutil), RSS and JSON.

use super::*;

/// Runs Python's `icalendar` (and dateutil, which it depends on) over a feed: every master
/// event with its dates expanded from DTSTART, RRULE and EXDATE, its overrides, and the UTC
/// offsets our VTIMEZONE gives in January and July.
pub fn parse_with_python(ics: &str) -> serde_json::Value {
    const SCRIPT: &str = r#"
import sys, json, datetime
from icalendar import Calendar
from dateutil.rrule import rrulestr
cal = Calendar.from_ical(sys.stdin.buffer.read())
tz = cal.walk('VTIMEZONE')[0].to_tz()
offsets = {m: tz.utcoffset(datetime.datetime(2027, m, 15, 12, 0)).total_seconds() for m in (1, 7)}
masters, overrides = {}, {}
for ev in cal.walk('VEVENT'):
    uid = str(ev['UID'])
    if ev.get('RECURRENCE-ID') is not None:
        overrides.setdefault(uid, []).append({
            "rid": int(ev.decoded('RECURRENCE-ID').timestamp()), "status": str(ev.get('STATUS'))})
    else:
        masters[uid] = ev
out = []
for uid, ev in masters.items():
    start = ev.decoded('DTSTART')
    dates = [start]
    if ev.get('RRULE') is not None:
        dates = list(rrulestr(ev['RRULE'].to_ical().decode(), dtstart=start))
        ex = ev.get('EXDATE')
        ex = ex if isinstance(ex, list) else ([ex] if ex is not None else [])
        excluded = {d.dt for e in ex for d in e.dts}
        dates = [d for d in dates if d not in excluded]
    timed = isinstance(start, datetime.datetime)
    out.append({
        "uid": uid, "summary": str(ev['SUMMARY']), "status": str(ev.get('STATUS')),
        "location": str(ev.get('LOCATION', '')),
        "utc": [int(d.timestamp()) for d in dates] if timed else [],
        "local": [d.strftime('%Y-%m-%d %H:%M') if timed else d.isoformat() for d in dates],
        "overrides": overrides.get(uid, []),
    })
print(json.dumps({"events": out, "offsets": offsets}))
"#;
    python_json(SCRIPT, &[], ics, "Python's icalendar refused the feed")
}

#[test]
fn feeds_are_read_by_a_real_icalendar_parser_with_the_same_dates_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let slug = create(
        &claire,
        &weekly_class("Yoga, étirements; et \"détente\" — pour tous les âges du village"),
    );
    // One date called off: it stays in the series, as a cancelled override.
    let off = paris(2027, 3, 9, 18, 30);
    let page = claire.get(&format!("/e/{slug}"));
    let r = claire.post_form(
        &format!("/e/{slug}/dates/{off}/cancel"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    // An all-day fair in the future, so that the village feed has it.
    let mut fair = fields("Foire aux plants");
    set(&mut fair, "type", "market");
    set(&mut fair, "all_day", "on");
    set(&mut fair, "start_date", &in_days(20));
    set(&mut fair, "end_date", &in_days(21));
    set(&mut fair, "tags", "jardin");
    create(&claire, &fair);

    let anon = server.client();
    let ics = anon.get(&format!("/e/{slug}.ics"));
    assert_eq!(ics.status, 200);
    assert!(ics.header("content-type").starts_with("text/calendar"));
    assert!(ics.body.contains("\r\n") && ics.body.split("\r\n").all(|l| l.len() <= 75));
    let parsed = parse_with_python(&ics.body);
    assert_eq!(
        parsed["offsets"]["1"], 3600.0,
        "our VTIMEZONE: UTC+1 in January"
    );
    assert_eq!(
        parsed["offsets"]["7"], 7200.0,
        "our VTIMEZONE: UTC+2 in July"
    );
    let ev = &parsed["events"][0];
    assert_eq!(
        ev["summary"],
        "Yoga, étirements; et \"détente\" — pour tous les âges du village"
    );
    let local: Vec<&str> = ev["local"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(local.len(), 39);
    assert!(local.iter().all(|l| l.ends_with("18:30")), "{local:?}");
    let utc: Vec<i64> = ev["utc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    for (m, d) in [(3, 23), (3, 30), (10, 26), (11, 2)] {
        assert!(
            utc.contains(&paris(2027, m, d, 18, 30)),
            "{d}/{m} in {local:?}"
        );
    }
    assert!(!utc.contains(&paris(2027, 4, 6, 18, 30)), "EXDATE honoured");
    assert_eq!(
        ev["overrides"],
        serde_json::json!([{"rid": off, "status": "CANCELLED"}])
    );
    // The parser and the server agree on every date.
    let api = json(&anon.get("/api/v1/events?tag=yoga&from=2027-01-01&to=2027-12-31"));
    let mut ours: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            chrono::DateTime::parse_from_rfc3339(i["start"].as_str().unwrap())
                .unwrap()
                .timestamp()
        })
        .collect();
    ours.sort();
    assert_eq!(ours, utc);
    let cancelled: Vec<&serde_json::Value> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "cancelled")
        .collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["recurrence_id"], off);

    // The village feed, and the tag feed, parse too; the all-day fair is a date.
    let village = anon.get("/agenda.ics");
    let parsed = parse_with_python(&village.body);
    let fair = parsed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["summary"] == "Foire aux plants")
        .expect("the fair in the village feed");
    assert_eq!(fair["local"][0], in_days(20));
    let tagged = parse_with_python(&anon.get("/agenda.ics?tag=jardin").body);
    assert_eq!(tagged["events"].as_array().unwrap().len(), 1);

    // RSS and JSON Feed of the dates to come.
    let rss = anon.get("/agenda.rss");
    assert!(rss.body.starts_with("<?xml") && rss.body.contains("Foire aux plants"));
    let feed = json(&anon.get("/agenda.json"));
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["title"] == "Foire aux plants"));
}

/// Runs Python's `xml.etree.ElementTree` over an XML document (a strict XML 1.0 parser: one
/// forbidden character and it refuses the whole document); returns the items' titles.
fn rss_titles_with_python(xml: &str) -> Vec<String> {
    const SCRIPT: &str = r#"
import sys, json
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps([i.findtext('title') for i in root.iter('item')]))
"#;
    python_json(SCRIPT, &[], xml, "Python's XML parser refused the feed")
}

#[test]
fn control_characters_in_a_title_leave_every_feed_readable() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    // A vertical tab and a U+0001 pasted from another program, kept as typed.
    let mut loto = fields("Loto\u{b} de la paroisse\u{1}");
    set(&mut loto, "start_date", &in_days(5));
    let slug = create(&claire, &loto);
    crate::news::publish(
        &claire,
        "/news",
        "Résultats\u{b} du loto\u{1}",
        "Merci\u{c} à tous.",
        "public",
    );
    let anon = server.client();
    let api = json(&anon.get(&format!("/api/v1/events/{slug}")));
    assert!(
        api.to_string().contains("\\u000b"),
        "stored as typed, the feeds must cope: {api}"
    );

    let rss = anon.get("/agenda.rss");
    assert_eq!(rss.status, 200);
    let titles = rss_titles_with_python(&rss.body);
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Loto de la paroisse — ")),
        "{titles:?}"
    );
    let news = rss_titles_with_python(&anon.get("/news.rss").body);
    assert_eq!(news, ["Résultats du loto"]);

    for path in ["/agenda.ics".to_string(), format!("/e/{slug}.ics")] {
        let ics = anon.get(&path);
        assert_eq!(ics.status, 200);
        let parsed = parse_with_python(&ics.body);
        assert!(
            parsed["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["summary"] == "Loto de la paroisse"),
            "{path}: {parsed}"
        );
    }
}

/// More events than a feed holds (12,000), all begun before the ones a subscriber looks for
/// and all with a date in the feed's window: the feed holds the nearest dates, not the
/// oldest events. The old series are written straight into the database (as many through
/// the form would take minutes), copies of one made through the form.
#[test]
fn the_village_feed_holds_the_coming_weeks_before_thousands_of_older_series() {
    const OLD_SERIES: i64 = 12_500;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let comite = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let mut old = fields("Atelier ancien");
    set(&mut old, "organiser", &comite);
    set(&mut old, "start_date", &in_days(60));
    let template = create(&admin, &old);
    // What a subscriber needs: a market in 20 days, first published today.
    let mut market = fields("Marché du soir");
    set(&mut market, "organiser", &comite);
    set(&mut market, "start_date", &in_days(20));
    create(&admin, &market);
    // In the window too, but further than every old series: left out when the feed is full.
    let mut far = fields("Fête de l'an prochain");
    set(&mut far, "organiser", &comite);
    set(&mut far, "start_date", &in_days(300));
    create(&admin, &far);

    let data = server.data.clone();
    server.stop();
    // Weekly series of three dates, 39, 32 and 25 days ago at 10:00: first dates older than
    // the market's, last dates inside the window (25 days gone).
    let today = chrono::Utc::now().with_timezone(&Paris).date_naive();
    let local = |days_ago: i64| {
        (today - chrono::Duration::days(days_ago))
            .and_hms_opt(10, 0, 0)
            .unwrap()
    };
    let utc = |l: chrono::NaiveDateTime| Paris.from_local_datetime(&l).single().unwrap();
    let dates: Vec<(i64, i64)> = [39, 32, 25]
        .iter()
        .map(|&d| {
            let start = utc(local(d)).timestamp();
            (start, start + 3600)
        })
        .collect();
    let mut db = rusqlite::Connection::open(data.join("placette.db")).unwrap();
    let tx = db.transaction().unwrap();
    tx.execute(
        "CREATE TEMP TABLE tpl AS SELECT * FROM events WHERE slug = ?1",
        [&template],
    )
    .unwrap();
    tx.execute(
        "UPDATE tpl SET id = NULL, rrule = 'FREQ=WEEKLY;COUNT=3', exdates = '',
           start_local = ?1, end_local = ?2, start_utc = ?3, end_utc = ?4,
           materialised_until = 9223372036854775807, last_end_utc = ?5",
        rusqlite::params![
            local(39).format("%Y-%m-%dT%H:%M").to_string(),
            (local(39) + chrono::Duration::hours(1))
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            dates[0].0,
            dates[0].1,
            dates[2].1,
        ],
    )
    .unwrap();
    {
        let mut name = tx
            .prepare("UPDATE tpl SET slug = ?1, uid = ?1 || '@old.test', title = 'Atelier ancien ' || ?2")
            .unwrap();
        let mut copy = tx.prepare("INSERT INTO events SELECT * FROM tpl").unwrap();
        let mut date = tx
            .prepare(
                "INSERT INTO occurrences (event_id, recurrence_id, start_utc, end_utc)
                 VALUES (?1, ?2, ?2, ?3)",
            )
            .unwrap();
        for i in 0..OLD_SERIES {
            name.execute(rusqlite::params![format!("atelier-ancien-{i}"), i])
                .unwrap();
            copy.execute([]).unwrap();
            let id = tx.last_insert_rowid();
            for (start, end) in &dates {
                date.execute(rusqlite::params![id, start, end]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    drop(db);

    let server = Server::start(&data, &[]);
    let anon = server.client();
    let market_start = format!(
        "DTSTART;TZID=Europe/Paris:{}T183000",
        in_days(20).replace('-', "")
    );
    for path in ["/agenda.ics".to_string(), format!("/a/{comite}/agenda.ics")] {
        let ics = anon.get(&path);
        assert_eq!(ics.status, 200, "{path}");
        let events = ics.body.matches("BEGIN:VEVENT").count();
        assert!(
            (events as i64) < OLD_SERIES,
            "{path}: the feed is bounded ({events} events)"
        );
        let at = ics
            .body
            .find("SUMMARY:Marché du soir")
            .unwrap_or_else(|| panic!("{path}: the market of the next 30 days is missing"));
        let vevent = &ics.body[ics.body[..at].rfind("BEGIN:VEVENT").unwrap()..at];
        assert!(vevent.contains(&market_start), "{path}: {vevent}");
        assert!(ics.body.contains("SUMMARY:Atelier ancien 1"), "{path}");
        assert!(
            ics.body.contains("RRULE:FREQ=WEEKLY;COUNT=3"),
            "{path}: series whole"
        );
        assert!(
            !ics.body.contains("Fête de l'an prochain"),
            "{path}: when full, the nearest dates first"
        );
        // Kept gzipped: sent as is to a client that takes gzip, inflated for one that does not.
        let gz = anon.get_with(&path, &[("Accept-Encoding", "gzip")]);
        assert_eq!(gz.header("content-encoding"), "gzip", "{path}");
        assert!(ics.header("content-encoding").is_empty(), "{path}");
    }
}

/// The API gives a whole month (or a year of a weekly class) in one page when asked
/// (`limit`, up to 1000); a visitor's answer is memoised, and a write shows at once.
#[test]
fn the_api_gives_a_month_in_one_page_and_a_write_shows_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    create(&admin, &weekly_class("Yoga du mardi"));
    let anon = server.client();
    let year = "/api/v1/events?from=2027-01-01&to=2027-12-31";
    let paged = json(&anon.get(&format!("{year}&limit=10")));
    assert_eq!(paged["items"].as_array().unwrap().len(), 10);
    assert!(paged["next"].is_string());
    let all = json(&anon.get(&format!("{year}&limit=1000")));
    let n = all["items"].as_array().unwrap().len();
    assert_eq!(n, 39, "every Tuesday from March to November but one");
    assert!(all["next"].is_null());
    let default = json(&anon.get(year));
    assert_eq!(
        default["items"].as_array().unwrap().len(),
        39,
        "100 by default"
    );
    for bad in ["0", "1001", "beaucoup"] {
        let r = anon.get(&format!("{year}&limit={bad}"));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body.contains("limit"), "{}", r.body);
    }
    // The RSS feed holds the next month's dates, or the next 20 when the month is quiet
    // (every Tuesday here is more than a month away).
    let rss = anon.get("/agenda.rss").body;
    assert_eq!(rss.matches("<item>").count(), 20, "{rss}");
    // The same address again after a write: the new date is there (no stale copy).
    create(&admin, &fields("Concert au lavoir"));
    let after = json(&anon.get(&format!("{year}&limit=1000")));
    assert_eq!(after["items"].as_array().unwrap().len(), n + 1);
}
