//! Mutual aid and small ads: offers, needs and ads, matched with each other, expiring, and
//! answered through private conversations relayed by mail without showing any address.
//!
//! Privacy by construction: a person's location is rounded to a ~300 m grid in [`round_point`]
//! before anything is stored, so the exact point is in no table, no R*Tree, no page; the
//! relay mails come from the site's sender with no Reply-To (see `tasks`).

pub mod api;
pub mod demo;
pub mod export;
pub mod form;
pub mod handlers;
pub mod matching;
pub mod moderation;
pub mod search;
pub mod store;
pub mod talk;
pub mod tasks;
pub mod views;

pub use form::{PostForm, PostInput};

use crate::auth::User;

/// The R*Tree kind, search kind and map source of the posts.
pub const KIND: &str = "aid";
/// The post kinds as the map filters them.
pub const MAP_KINDS: [&str; 4] = ["offer", "need", "ad_sale", "ad_wanted"];
/// Posts per page of the list.
pub const PER_PAGE: i64 = 30;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 120;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 5_000;
/// Longest message of a conversation, in characters.
pub const MAX_MESSAGE: usize = 4_000;
/// The size of the grid a person's point is snapped to, in metres.
pub const GRID_M: f64 = 300.0;

/// What a post is: an offer, a need, or a small ad (for sale / wanted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Offer,
    Need,
    AdSale,
    AdWanted,
}

impl Kind {
    /// Every kind, in the order of the forms.
    pub const ALL: [Kind; 4] = [Kind::Offer, Kind::Need, Kind::AdSale, Kind::AdWanted];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Offer => "offer",
            Kind::Need => "need",
            Kind::AdSale => "ad_sale",
            Kind::AdWanted => "ad_wanted",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Small ads carry a price and a condition.
    pub fn is_ad(self) -> bool {
        matches!(self, Kind::AdSale | Kind::AdWanted)
    }

    /// The kind that answers this one (an offer answers a need, a sale answers a wanted ad).
    pub fn counterpart(self) -> Kind {
        match self {
            Kind::Offer => Kind::Need,
            Kind::Need => Kind::Offer,
            Kind::AdSale => Kind::AdWanted,
            Kind::AdWanted => Kind::AdSale,
        }
    }
}

/// What a post is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Give,
    Lend,
    Services,
    Skills,
    Rides,
    Housing,
    Other,
}

impl Category {
    /// Every category, in the order of the forms.
    pub const ALL: [Category; 7] = [
        Category::Give,
        Category::Lend,
        Category::Services,
        Category::Skills,
        Category::Rides,
        Category::Housing,
        Category::Other,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Give => "give",
            Category::Lend => "lend",
            Category::Services => "services",
            Category::Skills => "skills",
            Category::Rides => "rides",
            Category::Housing => "housing",
            Category::Other => "other",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether two categories are close enough for a match to get a bonus (giving and
    /// lending goods; services and skills).
    pub fn related(self, other: Category) -> bool {
        use Category::*;
        matches!(
            (self, other),
            (Give, Lend) | (Lend, Give) | (Services, Skills) | (Skills, Services)
        )
    }
}

/// Where a post is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    Fulfilled,
    Expired,
}

impl Status {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Fulfilled => "fulfilled",
            Status::Expired => "expired",
        }
    }

    /// Parses the stored value (unknown reads as expired: never shown publicly).
    pub fn parse(s: &str) -> Status {
        match s {
            "open" => Status::Open,
            "fulfilled" => Status::Fulfilled,
            _ => Status::Expired,
        }
    }
}

/// The price of a small ad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Price {
    Cents(i64),
    Free,
    Exchange,
}

/// The conditions a second-hand thing may be in.
pub const CONDITIONS: [&str; 4] = ["new", "good", "used", "for_parts"];

/// A post as stored and shown.
#[derive(Clone, Debug)]
pub struct Post {
    pub id: i64,
    pub kind: Kind,
    pub category: Category,
    pub title: String,
    pub description: String,
    pub price: Option<Price>,
    pub condition: Option<String>,
    pub photo: Option<String>,
    pub available_from: Option<i64>,
    pub available_until: Option<i64>,
    pub author_id: i64,
    pub author_name: String,
    /// Posted in the name of an actor: `(id, slug, name)`.
    pub actor: Option<(i64, String, String)>,
    /// Rounded for people (see [`round_point`]); the actor's point for an actor's post.
    pub point: Option<(f64, f64)>,
    pub status: Status,
    pub hidden: bool,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Post {
    /// The permalink.
    pub fn url(&self) -> String {
        format!("/aid/{}", self.id)
    }

    /// Whether the public may see it (lists, map, search, API).
    pub fn is_public(&self, now: i64) -> bool {
        self.status == Status::Open && !self.hidden && self.expires_at > now
    }
}

/// The module's clock: Unix seconds, shifted by `PLACETTE_AID_CLOCK_OFFSET` seconds when that
/// variable is set. A test-only knob: it lets the integration tests restart the server "days
/// later" to reach the expiry warning and the expiry itself. Read once.
pub fn now() -> i64 {
    static OFFSET: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let offset = *OFFSET.get_or_init(|| {
        std::env::var("PLACETTE_AID_CLOCK_OFFSET")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    });
    crate::db::now() + offset
}

/// Snaps a person's point to the centre of its cell on a ~[`GRID_M`] grid: everyone in the
/// same cell gets the same point, so the stored point says "this neighbourhood", not "this
/// house". Longitude cells are sized at the cell's latitude, so the grid is square-ish.
pub fn round_point((lat, lon): (f64, f64)) -> (f64, f64) {
    let step_lat = GRID_M / 111_320.0;
    let lat_r = ((lat / step_lat).floor() + 0.5) * step_lat;
    let step_lon = GRID_M / (111_320.0 * lat_r.to_radians().cos().abs().max(0.01));
    let lon_r = ((lon / step_lon).floor() + 0.5) * step_lon;
    (
        (lat_r * 1e6).round() / 1e6,
        ((lon_r * 1e6).round() / 1e6).clamp(-180.0, 180.0),
    )
}

/// Site admins and moderators.
pub fn is_staff(user: &User) -> bool {
    user.is_staff()
}

/// "12,50 €" in French and German, "€12.50" in English.
pub fn format_price(lang: crate::i18n::Lang, cents: i64) -> String {
    let (e, c) = (cents / 100, cents % 100);
    match lang {
        crate::i18n::Lang::En if c == 0 => format!("€{e}"),
        crate::i18n::Lang::En => format!("€{e}.{c:02}"),
        _ if c == 0 => format!("{e} €"),
        _ => format!("{e},{c:02} €"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::distance_km;

    #[test]
    fn rounding_hides_the_house_but_keeps_the_neighbourhood() {
        let house = (47.473_312, -0.551_287);
        let r = round_point(house);
        assert_ne!(r, house);
        let d = distance_km(house, r);
        assert!(d < 0.25, "within half a cell's diagonal: {d}");
        // Two houses of the same cell get the same point; it is stable.
        assert_eq!(round_point(r), r);
        let neighbour = (house.0 + 0.000_3, house.1 + 0.000_2);
        if round_point(neighbour) != r {
            assert!(distance_km(round_point(neighbour), r) < 0.5);
        }
    }

    #[test]
    fn kinds_and_categories_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(k.counterpart().counterpart(), k);
        }
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        assert_eq!(Kind::parse("x"), None);
        assert!(Category::Give.related(Category::Lend));
    }

    #[test]
    fn prices_read_in_each_language() {
        assert_eq!(format_price(crate::i18n::Lang::Fr, 1250), "12,50 €");
        assert_eq!(format_price(crate::i18n::Lang::En, 300), "€3");
    }
}
