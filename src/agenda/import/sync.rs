//! Bringing the agenda in step with a feed: matched by UID within the source, new events
//! inserted, changed ones updated in place (same slug) with their rule, added and excluded
//! dates and changed dates, those gone upstream cancelled here (never deleted: people may have
//! noted them). An imported event edited here is overwritten by the next change upstream: the
//! feed is the reference.

use rusqlite::Connection;

use std::collections::HashMap;

use super::event::Imported;
use super::parse::Feed;
use super::report::{Entry, Outcome, Reason, Report};
use crate::agenda::store::imports::{self, RunResult};
use crate::agenda::store::occurrences::{self, Override};
use crate::agenda::store::{self, EventRow};
use crate::agenda::{event_slug, EventType, Status, Visibility, HORIZON_SECS};
use crate::error::AppError;
use crate::i18n::fold;
use crate::personal_data::masking::Masking;
use crate::time::local_to_utc;

/// A stable hash of what the feed said about an event (FNV-1a over its debug form).
fn fingerprint(ev: &Imported) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{ev:?}").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Words of CATEGORIES (Mobilizon's categories and tags, Gancio's tags) or of the title that
/// give an event its type, folded (lower case, no accents, `-` and `_` as spaces); the first
/// type with a match wins, else "other".
const TYPE_WORDS: &[(EventType, &[&str])] = &[
    (
        EventType::Market,
        &[
            "marche",
            "market",
            "brocante",
            "vide grenier",
            "vide greniers",
            "foire",
            "food drink",
        ],
    ),
    (EventType::Concert, &["concert", "music", "musique"]),
    (
        EventType::Festival,
        &["festival", "fete", "party", "kermesse"],
    ),
    (
        EventType::Show,
        &[
            "spectacle",
            "theatre",
            "comedy",
            "show",
            "performing visual arts",
            "cinema",
            "film media",
        ],
    ),
    (
        EventType::Exhibition,
        &[
            "exposition",
            "expo",
            "exhibition",
            "arts",
            "photography",
            "vernissage",
        ],
    ),
    (
        EventType::Conference,
        &["conference", "talk", "debat", "science tech", "rencontre"],
    ),
    (
        EventType::Workshop,
        &[
            "atelier",
            "workshop",
            "crafts",
            "learning",
            "formation",
            "stage",
        ],
    ),
    (
        EventType::Sport,
        &[
            "sport",
            "sports",
            "randonnee",
            "outdoors adventure",
            "tournoi",
        ],
    ),
    (
        EventType::Meeting,
        &["meeting", "reunion", "assemblee", "conseil", "permanence"],
    ),
];

/// The type of an imported event, from its categories first, then from the words of its title.
pub fn type_of(ev: &Imported) -> EventType {
    let tags = format!(" {} ", fold(&ev.tags.join(" , ")));
    let title = format!(" {} ", fold(&ev.title));
    for hay in [tags, title] {
        for (t, keys) in TYPE_WORDS {
            if keys.iter().any(|k| hay.contains(&format!(" {k} "))) {
                return *t;
            }
        }
    }
    EventType::Other
}

fn row<'a>(ev: &'a Imported, actor_id: i64) -> EventRow<'a> {
    EventRow {
        title: &ev.title,
        description: &ev.description,
        type_: type_of(ev),
        tags: &ev.tags,
        tz: ev.tz.name(),
        start: ev.start,
        end: ev.end,
        start_utc: local_to_utc(ev.tz, ev.start),
        end_utc: local_to_utc(ev.tz, ev.end).max(local_to_utc(ev.tz, ev.start)),
        all_day: ev.all_day,
        place_id: None,
        address: &ev.address,
        point: ev.point,
        organiser_actor_id: Some(actor_id),
        organiser_user_id: None,
        parent_id: None,
        visibility: Visibility::Public,
        capacity: None,
        rrule: ev.rrule.clone(),
        exdates: &ev.exdates,
        exdate_times: &ev.exdate_times,
        rdates: &ev.rdates,
    }
}

/// The changed dates of an imported series as stored (titles masked like the series').
fn overrides_of(ev: &Imported, lang: crate::i18n::Lang) -> Vec<Override> {
    ev.overrides
        .iter()
        .map(|o| Override {
            recurrence_id: local_to_utc(ev.tz, o.recurrence),
            start_utc: o.start_utc,
            end_utc: o.end_utc,
            cancelled: o.cancelled,
            title: o
                .title
                .as_ref()
                .map(|t| crate::personal_data::shield(t, lang).public),
        })
        .collect()
}

/// Applies a feed to the events of `source_id` (organised by `actor_id`) in one transaction,
/// and records the report: each event kept, adjusted (how) or refused (why).
pub fn apply(
    tx: &Connection,
    source_id: i64,
    actor_id: i64,
    feed: &Feed,
    by: Option<i64>,
    now: i64,
) -> Result<RunResult, AppError> {
    let mut res = RunResult::default();
    let lang = crate::personal_data::store::village_lang(tx)?;
    // An event unchanged upstream is not rewritten: its entry of the last report stands.
    let before: HashMap<String, Entry> = imports::report_of(tx, source_id)?
        .events
        .into_iter()
        .map(|e| (e.uid.clone(), e))
        .collect();
    let mut report = Report::default();
    for ev in &feed.events {
        let m = merge(tx, source_id, actor_id, ev, lang, by, now)?;
        // An event unchanged upstream keeps its entry of the last report.
        let notes = match before.get(&ev.uid) {
            Some(old) if !m.rewritten && !m.added => old.reasons.clone(),
            _ => m.notes,
        };
        res.added += i64::from(m.added);
        res.updated += i64::from(!m.added && (m.rewritten || m.status_changed));
        let entry = Entry::new(&ev.uid, &m.title, notes, Some(m.slug));
        res.simplified += i64::from(entry.outcome == Outcome::Adjusted);
        report.events.push(entry);
    }
    for refused in &feed.refused {
        res.refused += 1;
        report.events.push(refused.clone());
    }
    for (id, uid) in imports::live_links(tx, source_id)? {
        if !feed.events.iter().any(|e| e.uid == uid) {
            store::set_status(tx, id, Status::Cancelled, by, now)?;
            res.cancelled += 1;
        }
    }
    imports::record(tx, source_id, &res, None, now)?;
    imports::set_report(tx, source_id, &report.to_json(), res.refused)?;
    Ok(res)
}

/// What merging one event did.
pub struct Merged {
    pub slug: String,
    /// The title as published (masked).
    pub title: String,
    pub added: bool,
    /// Changed upstream, so rewritten here.
    pub rewritten: bool,
    pub status_changed: bool,
    /// How it was adjusted.
    pub notes: Vec<Reason>,
}

/// Brings one event of a source in step: matched by UID within the source, inserted, updated
/// in place (same slug) when it changed upstream, its status set. `apply` does it for each
/// event of a feed; ActivityPub delivers events one at a time.
pub fn merge(
    tx: &Connection,
    source_id: i64,
    actor_id: i64,
    ev: &Imported,
    lang: crate::i18n::Lang,
    by: Option<i64>,
    now: i64,
) -> Result<Merged, AppError> {
    let fp = fingerprint(ev);
    let status = if ev.cancelled {
        Status::Cancelled
    } else {
        Status::Scheduled
    };
    // What the feed publishes is masked like what residents type.
    let (mut title, mut description) = (ev.title.clone(), ev.description.clone());
    let mut masked = Masking::new(lang);
    masked.field("title", &mut title);
    masked.field("description", &mut description);
    let row = EventRow {
        title: &title,
        description: &description,
        ..row(ev, actor_id)
    };
    let mut notes = ev.notes.clone();
    let mut note = |m: occurrences::Materialised| {
        if m.truncated {
            notes.push(Reason::new(
                "truncated",
                crate::agenda::recurrence::MAX_OCCURRENCES.to_string(),
            ));
        }
    };
    let (slug, added, rewritten, status_changed) = match imports::linked(tx, source_id, &ev.uid)? {
        Some(link) => {
            let rewritten = link.fingerprint != fp;
            if rewritten {
                store::update_event(tx, link.event_id, &row, by, now)?;
                masked.keep(tx, "event", link.event_id, by, now)?;
                occurrences::set_overrides(tx, link.event_id, &overrides_of(ev, lang))?;
                note(occurrences::materialise(
                    tx,
                    link.event_id,
                    now + HORIZON_SECS,
                )?);
                imports::set_link(tx, link.event_id, source_id, &ev.uid, &fp)?;
            }
            let status_changed = link.status != status.as_str();
            if status_changed {
                store::set_status(tx, link.event_id, status, by, now)?;
            }
            (link.slug, false, rewritten, status_changed)
        }
        None => {
            let slug = store::unique_slug(tx, &event_slug(&title, ev.start.date()))?;
            let uid = format!(
                "{:016x}{:016x}@placette",
                rand::random::<u64>(),
                rand::random::<u64>()
            );
            let id = store::insert_event(tx, &row, &slug, &uid, status, by, ("", ""), now)?;
            masked.keep(tx, "event", id, by, now)?;
            occurrences::set_overrides(tx, id, &overrides_of(ev, lang))?;
            note(occurrences::materialise(tx, id, now + HORIZON_SECS)?);
            imports::set_link(tx, id, source_id, &ev.uid, &fp)?;
            (slug, true, true, false)
        }
    };
    Ok(Merged {
        slug,
        title,
        added,
        rewritten,
        status_changed,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::import::parse::parse;
    use crate::agenda::store::tests::fixture;

    const FEED: &str = include_str!("../../../tests/data/gancio-bourg.ics");

    fn run(db: &crate::db::Db, text: &str) -> RunResult {
        let feed = parse(text, chrono_tz::Europe::Paris).unwrap();
        let c = db.conn().unwrap();
        c.execute(
            "INSERT OR IGNORE INTO actors (id, slug, kind, type, name, visibility, created_at, updated_at)
             VALUES (1, 'comite', 'organisation', 'association', 'Comité', 'public', 0, 0)",
            [],
        )
        .unwrap();
        let source = imports::file_source(&c, 1, None, 0).unwrap();
        apply(&c, source, 1, &feed, None, 1_790_000_000).unwrap()
    }

    #[test]
    fn the_type_comes_from_the_categories_then_the_title() {
        let feed = parse(FEED, chrono_tz::Europe::Paris).unwrap();
        let mut ev = feed.events[0].clone();
        ev.tags = vec!["MUSIC".into(), "jazz".into()];
        ev.title = "Soirée au foyer".into();
        assert_eq!(type_of(&ev), EventType::Concert);
        ev.tags = vec!["Vide-greniers".into()];
        assert_eq!(type_of(&ev), EventType::Market);
        ev.tags.clear();
        ev.title = "Assemblée générale du comité".into();
        assert_eq!(type_of(&ev), EventType::Meeting);
        ev.title = "Atelier réparation vélo".into();
        assert_eq!(type_of(&ev), EventType::Workshop);
        ev.title = "Soirée au foyer".into();
        assert_eq!(type_of(&ev), EventType::Other);
    }

    fn count(db: &crate::db::Db, sql: &str) -> i64 {
        db.conn().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_second_run_adds_nothing_and_changes_are_applied_in_place() {
        let (db, _) = fixture();
        assert_eq!(run(&db, FEED).added, 4);
        let slugs = |db: &crate::db::Db| -> Vec<String> {
            let c = db.conn().unwrap();
            let mut st = c.prepare("SELECT slug FROM events ORDER BY id").unwrap();
            let v = st.query_map([], |r| r.get(0)).unwrap();
            v.map(Result::unwrap).collect()
        };
        let before = slugs(&db);
        // De-duplication on a second run.
        let again = run(&db, FEED);
        assert_eq!((again.added, again.updated, again.cancelled), (0, 0, 0));
        assert_eq!(count(&db, "SELECT count(*) FROM events"), 4);
        // A changed SUMMARY: updated in place, slug kept.
        let changed = FEED.replace("SUMMARY:Marché de producteurs", "SUMMARY:Grand marché");
        let r = run(&db, &changed);
        assert_eq!((r.added, r.updated, r.cancelled), (0, 1, 0));
        assert_eq!(slugs(&db), before);
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM events WHERE title = 'Grand marché'"
            ),
            1
        );
        // Gone upstream: cancelled here, not deleted.
        let start = changed.find("BEGIN:VEVENT\r\nUID:42@").unwrap();
        let end = start + changed[start..].find("END:VEVENT\r\n").unwrap() + 12;
        let gone = format!("{}{}", &changed[..start], &changed[end..]);
        let r = run(&db, &gone);
        assert_eq!((r.added, r.updated, r.cancelled), (0, 0, 1));
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM events WHERE status = 'cancelled'"
            ),
            2
        );
        assert_eq!(count(&db, "SELECT count(*) FROM events"), 4);
    }
}
