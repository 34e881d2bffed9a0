//! `placette demo --size village|departement`: deterministic datasets for the benchmark and for
//! trying Placette at scale. The same size and seed always give the same rows (a SplitMix64
//! generator, not the OS's randomness). Each module adds its part in [`generate`] when it lands.

mod agenda;
mod aid;
mod channels;
mod directory;
mod lists;
mod names;
mod news;
mod rooms;
mod votes;

use rusqlite::Connection;

use crate::auth::{self, store as users, Role};
use crate::config::Config;
use crate::db::{self, write_now, Db};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::settings::store as settings;

/// The bench admin's login (the password is [`PASSWORD`]).
pub const ADMIN_EMAIL: &str = "admin@bench.placette.invalid";
/// The generated accounts' password.
pub const PASSWORD: &str = "placette-bench";

/// The two sizes of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    /// One village and its neighbours: 300 actors, 2,000 events, 500 offers, 20 rooms, 1,000 subscribers.
    Village,
    /// A whole département: 10^4 actors, 10^5 events, 10^4 offers, 200 rooms, 10^4 subscribers.
    Departement,
}

/// How many rows of each kind a size holds.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Counts {
    pub actors: usize,
    pub events: usize,
    pub offers: usize,
    pub rooms: usize,
    pub subscribers: usize,
    pub posts: usize,
    pub proposals: usize,
    /// Radius around the village centre over which things are spread, in km.
    pub spread_km: f64,
}

impl Size {
    pub fn counts(self) -> Counts {
        match self {
            Size::Village => Counts {
                actors: 300,
                events: 2_000,
                offers: 500,
                rooms: 20,
                subscribers: 1_000,
                posts: 300,
                proposals: 30,
                spread_km: 12.0,
            },
            Size::Departement => Counts {
                actors: 10_000,
                events: 100_000,
                offers: 10_000,
                rooms: 200,
                subscribers: 10_000,
                posts: 10_000,
                proposals: 300,
                spread_km: 70.0,
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Size::Village => "village",
            Size::Departement => "departement",
        }
    }
}

/// SplitMix64: tiny, fast and the same on every machine and version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// What was generated, written to `DATA/dataset.json` for the benchmark (sample URLs, counts).
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub size: &'static str,
    pub seed: u64,
    pub counts: Counts,
    pub actors: usize,
    pub accounts: usize,
    pub events: usize,
    pub posts: usize,
    pub comments: usize,
    /// Slugs of a few actors and events, for pages to measure.
    pub sample_actors: Vec<String>,
    pub sample_events: Vec<String>,
    pub sample_posts: Vec<i64>,
    /// Mutual aid posts generated (`counts.offers`) and a few open ones.
    pub aid_posts: usize,
    pub sample_aid: Vec<i64>,
    /// Subscribers of the village list, and the slugs of lists to measure.
    pub list_subscribers: usize,
    pub sample_lists: Vec<String>,
    /// Room bookings generated, and the slugs of a few rooms to measure.
    pub room_bookings: usize,
    pub sample_rooms: Vec<String>,
    /// Proposals generated, and a few to measure (a counted one first, then an open one).
    pub proposals: usize,
    pub sample_proposals: Vec<i64>,
    /// The channel and its long thread's last page (10^4 messages), to measure.
    pub sample_channels: Vec<String>,
    /// The village centre and the spread, for map and distance queries.
    pub centre: (f64, f64),
    pub spread_km: f64,
    /// Modules this binary does not have yet, so their part of the size is not generated.
    pub not_generated: Vec<&'static str>,
}

/// Fills a new data directory. Refuses a directory whose instance is already set up.
pub fn generate(config: &Config, size: Size, seed: u64) -> Result<Summary, AppError> {
    let _lock = crate::ops::lock_data_dir(config)?;
    let db = Db::open(&config.db_path())?;
    let mut conn = db.conn()?;
    if settings::load_instance(&conn)?.setup_done {
        return Err(AppError::msg(format!(
            "{} already holds a Placette instance; generate into a new directory",
            config.data_dir.display()
        )));
    }
    let counts = size.counts();
    let hash = auth::hash_password(PASSWORD)?;
    let mut rng = Rng::new(seed);
    let centre = (names::COMMUNES[0].1, names::COMMUNES[0].2);
    let summary = write_now(&mut conn, |tx| {
        settings::save_general(
            tx,
            &settings::General {
                name: names::COMMUNES[0].0,
                description: "Jeu de données généré pour mesurer Placette.",
                center_lat: centre.0,
                center_lon: centre.1,
                radius_km: counts.spread_km.min(30.0),
                default_lang: Lang::Fr,
                time_zone: "Europe/Paris",
            },
        )?;
        let accounts = accounts(tx, &hash, counts.subscribers)?;
        let actors = directory::fill(tx, &mut rng, &counts, accounts[0])?;
        let events = agenda::fill(tx, &mut rng, counts.events, accounts[0], &actors)?;
        let (comments, sample_posts) = news::fill(tx, &mut rng, counts.posts, &accounts, &actors)?;
        let sample_aid = aid::fill(
            tx,
            &mut rng,
            counts.offers,
            &accounts,
            centre,
            counts.spread_km,
        )?;
        let (list_subscribers, sample_lists) =
            lists::fill(tx, &mut rng, counts.subscribers, accounts[0])?;
        let (room_bookings, sample_rooms) = rooms::fill(tx, &mut rng, &actors, &accounts)?;
        let sample_proposals = votes::fill(tx, &mut rng, counts.proposals, &accounts)?;
        let sample_channels = channels::fill(tx, &mut rng, 100, &accounts)?;
        settings::mark_setup_done(tx, db::now())?;
        Ok(Summary {
            size: size.as_str(),
            seed,
            counts,
            actors: actors.len(),
            accounts: accounts.len(),
            events: counts.events,
            posts: counts.posts,
            comments,
            sample_actors: actors
                .into_iter()
                .step_by(97)
                .take(10)
                .map(|a| a.slug)
                .collect(),
            sample_events: events,
            sample_posts,
            aid_posts: counts.offers,
            sample_aid,
            list_subscribers,
            sample_lists,
            room_bookings,
            sample_rooms,
            proposals: counts.proposals,
            sample_proposals,
            sample_channels,
            centre,
            spread_km: counts.spread_km,
            not_generated: vec![],
        })
    })?;
    let json = serde_json::to_string_pretty(&summary).map_err(|e| AppError::msg(e.to_string()))?;
    std::fs::write(config.data_dir.join("dataset.json"), json)?;
    Ok(summary)
}

/// The admin (first id) and one confirmed resident account per future subscriber. One
/// password hash for all: hashing 10^4 passwords with argon2id would take minutes.
fn accounts(tx: &Connection, hash: &str, n: usize) -> rusqlite::Result<Vec<i64>> {
    let now = db::now();
    let mut ids = Vec::with_capacity(n + 1);
    let admin = users::NewUser {
        email: ADMIN_EMAIL,
        name: "Administration",
        password_hash: hash,
        role: Role::Admin,
        lang: None,
        confirmed: true,
    };
    ids.extend(users::create_user(tx, &admin, now)?);
    for i in 1..=n {
        let email = format!("habitant{i}@bench.placette.invalid");
        let name = format!("Habitant {i}");
        let u = users::NewUser {
            email: &email,
            name: &name,
            password_hash: hash,
            role: Role::Member,
            lang: None,
            confirmed: true,
        };
        ids.extend(users::create_user(tx, &u, now)?);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next_u64(), xs[0]);
        let u = Rng::new(1).unit();
        assert!((0.0..1.0).contains(&u));
    }
}
