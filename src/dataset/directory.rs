//! The directory part of a dataset: associations, businesses and places spread over the
//! communes around the village, with real-looking names, tags, opening hours and locations.

use rusqlite::Connection;

use super::names::{of_commune, ACTIVITIES, COMMUNES, PLACES, QUARTERS, SURNAMES, TRADES};
use super::{Counts, Rng};
use crate::db;
use crate::directory::hours::Hours;
use crate::directory::store::{self as store, Origin};
use crate::directory::{ActorInput, Kind, Visibility};
use crate::error::AppError;
use crate::text::{parse_tags, slugify};

const KM_PER_DEGREE: f64 = 111.32;
const STREETS: &[&str] = &[
    "rue de la Mairie",
    "rue des Écoles",
    "rue du Commerce",
    "quai de la Loire",
    "route Nationale",
    "allée des Lilas",
    "place de l'Église",
];

/// What later parts of a dataset need to know of a generated actor.
pub struct Generated {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub point: (f64, f64),
    /// An association (it organises events).
    pub organisation: bool,
    /// A room (events take place there).
    pub room: bool,
}

/// Inserts `counts.actors` actors; returns them in insertion order.
pub fn fill(
    tx: &Connection,
    rng: &mut Rng,
    counts: &Counts,
    admin: i64,
) -> Result<Vec<Generated>, AppError> {
    let centre = (COMMUNES[0].1, COMMUNES[0].2);
    let communes: Vec<&(&str, f64, f64)> = COMMUNES
        .iter()
        .filter(|c| distance_km(centre, (c.1, c.2)) <= counts.spread_km)
        .collect();
    let origin = Origin {
        created_by: Some(admin),
        profile_of: None,
        rna_id: None,
    };
    let now = db::now();
    let mut slugs = Vec::with_capacity(counts.actors);
    for i in 0..counts.actors {
        let commune = *rng.pick(&communes);
        let (lat, lon) = jitter(rng, (commune.1, commune.2), 2.0);
        let input = actor(rng, i, commune.0, lat, lon);
        let slug = store::unique_slug(tx, &slugify(&input.name))?;
        let id = store::insert_actor(tx, &input, &slug, None, &origin, now)?;
        slugs.push(Generated {
            id,
            slug,
            organisation: input.type_ == "association",
            room: input.type_ == "room",
            name: input.name,
            address: input.address,
            point: (lat, lon),
        });
    }
    Ok(slugs)
}

fn actor(rng: &mut Rng, i: usize, commune: &str, lat: f64, lon: f64) -> ActorInput {
    let of = of_commune(commune);
    let quarter = |rng: &mut Rng| {
        if rng.chance(0.5) {
            format!(" {}", rng.pick(QUARTERS))
        } else {
            String::new()
        }
    };
    let roll = rng.below(100);
    let (kind, type_, name, tags, summary, hours, capacity) = if roll < 45 {
        let (stem, tags, summary) = *rng.pick(ACTIVITIES);
        let q = quarter(rng);
        (
            Kind::Organisation,
            "association",
            format!("{stem}{q} {of}"),
            tags,
            summary,
            None,
            None,
        )
    } else if roll < 72 {
        let (type_, stem, tags, summary, hours) = rng.pick(TRADES);
        let name = if *type_ == "public_service" {
            format!("{stem} {of}")
        } else {
            format!("{stem} {}", rng.pick(SURNAMES))
        };
        (
            Kind::Organisation,
            *type_,
            name,
            *tags,
            *summary,
            Some(hours),
            None,
        )
    } else {
        let (type_, stem, tags, summary) = *rng.pick(PLACES);
        let q = quarter(rng);
        let capacity = (type_ == "room").then(|| [20, 40, 80, 150, 250][rng.below(5)]);
        (
            Kind::Place,
            type_,
            format!("{stem}{q} {of}"),
            tags,
            summary,
            None,
            capacity,
        )
    };
    let mut intervals = Vec::new();
    if let Some(days) = hours {
        for (day, text) in days.iter().enumerate() {
            intervals.extend(Hours::parse_day(day as u8, text).unwrap_or_default());
        }
    }
    let mut tags = parse_tags(tags);
    tags.push(slugify(commune));
    ActorInput {
        kind,
        type_: type_.to_string(),
        name,
        summary: summary.to_string(),
        description: format!(
            "{summary}\n\nÀ {commune}. Fiche n° {} générée pour mesurer Placette : \
             *aucune de ces informations n'est réelle.*",
            i + 1
        ),
        tags,
        address: format!("{} {}, {commune}", 1 + rng.below(60), rng.pick(STREETS)),
        lat: Some(lat),
        lon: Some(lon),
        phone: if rng.chance(0.6) {
            format!(
                "02 41 {:02} {:02} {:02}",
                rng.below(100),
                rng.below(100),
                rng.below(100)
            )
        } else {
            String::new()
        },
        website: String::new(),
        social: Vec::new(),
        hours: Hours(intervals),
        capacity,
        equipment: if type_ == "room" {
            "Tables, chaises, vidéoprojecteur".into()
        } else {
            String::new()
        },
        accessibility: if rng.chance(0.5) {
            "Accès de plain-pied".into()
        } else {
            String::new()
        },
        parent_slug: None,
        visibility: Visibility::Public,
    }
}

/// A point at most `km` from `p`, uniform over the disc.
fn jitter(rng: &mut Rng, p: (f64, f64), km: f64) -> (f64, f64) {
    let r = km * rng.unit().sqrt();
    let a = rng.unit() * std::f64::consts::TAU;
    let lat = p.0 + r * a.sin() / KM_PER_DEGREE;
    let lon = p.1 + r * a.cos() / (KM_PER_DEGREE * p.0.to_radians().cos());
    (lat, lon)
}

fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    crate::geo::distance_km(a, b)
}
