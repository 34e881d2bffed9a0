//! The search parameters as given in the URL (the page, the API, the map's `q`), read into a
//! [`SearchQuery`] with the instance's centre and radius where the URL gives none.

use serde::Deserialize;

use super::index::SearchQuery;
use crate::settings::Instance;
use crate::web::forms::number;
use crate::web::Ctx;

/// Distances offered in the filter, in km.
pub const DISTANCES: [u32; 4] = [5, 15, 30, 50];

/// The search parameters as given in the URL.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub kind: String,
    pub tag: String,
    /// Radius in km; the instance's radius when empty.
    pub km: String,
    /// Another centre than the village's.
    pub lat: String,
    pub lon: String,
    /// Dates (YYYY-MM-DD) for dated things.
    pub from: String,
    pub to: String,
    pub page: usize,
    /// `1` includes the neighbours' items, `0` leaves them out (the page remembers the
    /// choice; the API leaves them out unless asked).
    pub neighbours: String,
}

fn day(s: &str, tz: chrono_tz::Tz, end: bool) -> Option<i64> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    let t = if end {
        d.and_hms_opt(23, 59, 59)?
    } else {
        d.and_hms_opt(0, 0, 0)?
    };
    tz.from_local_datetime(&t)
        .earliest()
        .map(|dt| dt.timestamp())
}

impl SearchParams {
    /// The query, with the instance's centre and radius where the URL gives none.
    pub fn query(&self, ctx: &Ctx) -> SearchQuery {
        self.query_for(&ctx.instance)
    }

    /// [`Self::query`] for an instance (pure: the fuzz target `search_query` calls it).
    pub fn query_for(&self, i: &Instance) -> SearchQuery {
        let lat = number(&self.lat).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(&self.lon).filter(|v| (-180.0..=180.0).contains(v));
        let center = lat.zip(lon).unwrap_or((i.center_lat, i.center_lon));
        let radius_km = number(&self.km)
            .filter(|v| *v > 0.0 && *v <= 500.0)
            .unwrap_or(i.radius_km);
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_lowercase());
        SearchQuery {
            text: self.q.chars().take(200).collect(),
            kind: nonempty(&self.kind),
            tag: nonempty(&self.tag).map(|t| t.trim_start_matches('#').to_string()),
            center,
            radius_km,
            from: day(&self.from, i.time_zone, false),
            to: day(&self.to, i.time_zone, true),
            page: self.page.clamp(1, 100_000),
            neighbours: matches!(self.neighbours.trim(), "1" | "on" | "true"),
        }
    }
}
