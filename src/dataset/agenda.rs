//! The agenda part of a dataset: one-off events over the past two months and the year to come,
//! and a share of weekly and monthly series, organised by the generated associations at their
//! places or near them.

use chrono::{Days, NaiveDate, NaiveTime};
use rusqlite::Connection;

use super::directory::Generated;
use super::Rng;
use crate::agenda::recurrence::{End, Freq, MonthDay, Rule};
use crate::agenda::{save, EventInput, EventType, Visibility};
use crate::auth::store as users;
use crate::error::AppError;
use crate::time::utc_to_local;

const TZ: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// (title, type, tags, start hour, duration in hours).
const KINDS: &[(&str, EventType, &str, u32, u32)] = &[
    (
        "Assemblée générale",
        EventType::Meeting,
        "association",
        20,
        2,
    ),
    (
        "Concours de belote",
        EventType::Other,
        "jeux, convivialité",
        14,
        4,
    ),
    ("Vide-greniers", EventType::Market, "brocante", 8, 9),
    ("Concert de printemps", EventType::Concert, "musique", 20, 2),
    ("Tournoi", EventType::Sport, "sport", 9, 8),
    (
        "Atelier réparation",
        EventType::Workshop,
        "réparation, écologie",
        14,
        3,
    ),
    ("Soirée jeux", EventType::Other, "jeux", 20, 3),
    (
        "Sortie randonnée",
        EventType::Sport,
        "randonnée, nature",
        9,
        3,
    ),
    (
        "Marché de producteurs",
        EventType::Market,
        "marché, alimentation",
        16,
        3,
    ),
    ("Exposition", EventType::Exhibition, "art, culture", 10, 8),
    ("Conférence", EventType::Conference, "culture", 20, 2),
    (
        "Repas de l'association",
        EventType::Other,
        "convivialité",
        12,
        4,
    ),
    ("Loto", EventType::Other, "jeux", 20, 4),
    ("Spectacle", EventType::Show, "théâtre, culture", 20, 2),
    ("Fête de quartier", EventType::Festival, "fête", 15, 7),
];

/// Inserts `n` events (about 3 % of them weekly or monthly series); returns a few slugs.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    n: usize,
    admin: i64,
    actors: &[Generated],
) -> Result<Vec<String>, AppError> {
    let Some(admin) = users::user_by_id(tx, admin)? else {
        return Ok(Vec::new());
    };
    let organisers: Vec<&Generated> = actors.iter().filter(|a| a.organisation).collect();
    let places: Vec<&Generated> = actors.iter().filter(|a| a.room).collect();
    if organisers.is_empty() {
        return Ok(Vec::new());
    }
    let now = crate::db::now();
    let today = utc_to_local(TZ, now).date();
    let first = today - Days::new(60);
    let mut slugs = Vec::new();
    for i in 0..n {
        let (what, type_, tags, hour, hours) = *rng.pick(KINDS);
        let org = *rng.pick(&organisers);
        let day = first + Days::new(rng.below(425) as u64);
        let start = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default());
        let mut e = EventInput {
            title: format!("{what} — {}", org.name),
            description: format!(
                "{what} organisé par {}. Ouvert à tous. *Événement généré pour mesurer Placette.*",
                org.name
            ),
            type_,
            tags: crate::text::parse_tags(tags),
            start,
            end: start + chrono::Duration::hours(i64::from(hours)),
            all_day: false,
            rule: None,
            custom_rule: None,
            exdate_times: Vec::new(),
            rdates: Vec::new(),
            exdates: Vec::new(),
            place_slug: None,
            address: org.address.clone(),
            lat: Some(org.point.0),
            lon: Some(org.point.1),
            organiser_slug: Some(org.slug.clone()),
            parent_slug: None,
            visibility: Visibility::Public,
            capacity: rng.chance(0.1).then(|| 10 + rng.below(90) as i64),
            submitter_name: String::new(),
            submitter_email: String::new(),
        };
        if !places.is_empty() && rng.chance(0.3) {
            let place = *rng.pick(&places);
            e.place_slug = Some(place.slug.clone());
            e.address.clear();
            e.lat = None;
            e.lon = None;
        }
        if rng.chance(0.03) {
            e.rule = Some(series(rng, day));
        }
        match save::create(tx, &e, Some(&admin), TZ, now)? {
            Ok(slug) if i % 9973 == 0 => slugs.push(slug),
            Ok(_) => {}
            // A room booked at that time keeps its booking: the generated event is dropped.
            Err(save::Refusal::RoomBooked { .. }) => {}
            Err(save::Refusal::Field(field, key)) => {
                return Err(AppError::msg(format!("generated event {i}: {field} {key}")))
            }
        }
    }
    Ok(slugs)
}

/// A weekly class for the season, or a monthly meeting for a year.
fn series(rng: &mut Rng, day: NaiveDate) -> Rule {
    use chrono::Datelike;
    if rng.chance(0.7) {
        Rule {
            freq: Freq::Weekly,
            interval: 1,
            by_day: vec![day.weekday()],
            month_day: None,
            end: End::Count(30 + rng.below(10) as u32),
        }
    } else {
        let nth = ((day.day() - 1) / 7 + 1).min(4) as i8;
        Rule {
            freq: Freq::Monthly,
            interval: 1,
            by_day: Vec::new(),
            month_day: Some(MonthDay::Nth(nth, day.weekday())),
            end: End::Count(12),
        }
    }
}
