//! The map: every located thing of every module on one Leaflet map, clustered on the server.
//!
//! Points come from the shared R*Tree (`geo`) through one store function per module kind,
//! registered by the top (`crate::modules`); `/map.geojson` answers one bounding box at one zoom with clusters
//! computed with `rstar` (`cluster.rs`, low zoom) or single features (zoomed in). Tiles come from the
//! configured URL, or from an MBTiles file of the region served at `/tiles/{z}/{x}/{y}`.

pub mod cluster;
pub mod handlers;
pub mod store;
pub mod views;

pub use cluster::{cluster, geojson};

use rusqlite::Connection;
use serde::Deserialize;

use crate::settings::{Instance, Module};
use crate::web::url_encode;

/// Deepest zoom a request may ask for.
pub const MAX_ZOOM: u8 = 22;
/// Located items listed under the map (the page without JavaScript).
pub const LIST_LIMIT: i64 = 200;

/// A bounding box in degrees, as `minLon,minLat,maxLon,maxLat` (the GeoJSON order).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    /// The whole world.
    pub const WORLD: BBox = BBox {
        min_lon: -180.0,
        min_lat: -90.0,
        max_lon: 180.0,
        max_lat: 90.0,
    };

    /// Parses `minLon,minLat,maxLon,maxLat`; an empty string is the whole world. A box wider
    /// than the world (a map zoomed out past the antimeridian) is clamped to it.
    pub fn parse(s: &str) -> Option<BBox> {
        if s.trim().is_empty() {
            return Some(BBox::WORLD);
        }
        let v: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<_>>()?;
        let [min_lon, min_lat, max_lon, max_lat] = v[..] else {
            return None;
        };
        if min_lon > max_lon || min_lat > max_lat {
            return None;
        }
        Some(BBox {
            min_lon: min_lon.clamp(-180.0, 180.0),
            min_lat: min_lat.clamp(-90.0, 90.0),
            max_lon: max_lon.clamp(-180.0, 180.0),
            max_lat: max_lat.clamp(-90.0, 90.0),
        })
    }
}

/// Parses a zoom level (Leaflet may send fractions): a number from 0 to [`MAX_ZOOM`].
pub fn parse_zoom(s: &str) -> Option<u8> {
    if s.trim().is_empty() {
        return Some(0);
    }
    let z = s.trim().parse::<f64>().ok()?;
    (0.0..=f64::from(MAX_ZOOM))
        .contains(&z)
        .then(|| z.floor() as u8)
}

/// What the map shows: kinds, type, tag, area, and how many items at most (`None`: all).
#[derive(Clone, Debug)]
pub struct MapFilter {
    /// A source's name (`actor`) or kinds of a source (`place`, `organisation`); empty: all.
    pub kinds: Vec<String>,
    pub type_: Option<String>,
    pub tag: Option<String>,
    pub bbox: BBox,
    pub limit: Option<i64>,
    /// Only ids and positions (for clustering); see `Source::details`.
    pub light: bool,
    /// The neighbouring villages' items too (issue 20).
    pub neighbours: bool,
}

impl MapFilter {
    /// The kinds of one source this filter asks for: `None` means all of them, an empty list
    /// means none (the source is not asked).
    pub fn kinds_of(&self, source: &str, kinds: &[&str]) -> Option<Vec<String>> {
        if self.kinds.is_empty() || self.kinds.iter().any(|k| k == source) {
            return None;
        }
        Some(
            self.kinds
                .iter()
                .filter(|k| kinds.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }
}

/// The query string of the map's URLs (`/map`, `/map.geojson`, `/embed/map`), as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MapQuery {
    pub bbox: String,
    pub zoom: String,
    pub kind: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub tag: String,
    /// A search text: only what the search finds is shown (with its radius and centre).
    pub q: String,
    pub km: String,
    pub lat: String,
    pub lon: String,
    /// `1`: the neighbouring villages' items too (the page remembers the choice).
    pub neighbours: String,
}

impl MapQuery {
    /// The filter (without the area); unknown kinds are ignored rather than refused, as in
    /// the directory's list.
    pub fn filter(&self, bbox: BBox, limit: Option<i64>) -> MapFilter {
        let kinds = self
            .kind
            .split(',')
            .map(str::trim)
            .filter(|k| {
                sources()
                    .iter()
                    .any(|s| s.name == *k || s.kinds.contains(k))
            })
            .map(String::from)
            .collect();
        let type_ = self.type_.trim();
        let tag = self.tag.trim().to_lowercase();
        MapFilter {
            kinds,
            type_: (!type_.is_empty()).then(|| type_.to_string()),
            tag: (!tag.is_empty()).then_some(tag),
            bbox,
            limit,
            light: false,
            neighbours: self.neighbours.trim() == "1",
        }
    }

    /// `kind=...&type=...&tag=...` for links that keep the filters.
    pub fn filters_query(&self) -> String {
        let mut out = format!(
            "kind={}&type={}&tag={}",
            url_encode(self.kind.trim()),
            url_encode(self.type_.trim()),
            url_encode(self.tag.trim())
        );
        for (name, value) in [
            ("q", &self.q),
            ("km", &self.km),
            ("lat", &self.lat),
            ("lon", &self.lon),
            ("neighbours", &self.neighbours),
        ] {
            if !value.trim().is_empty() {
                out.push_str(&format!("&{name}={}", url_encode(value.trim())));
            }
        }
        out
    }

    /// The search part of the query, to keep only what a text search finds.
    pub fn search_params(&self) -> crate::search::query::SearchParams {
        crate::search::query::SearchParams {
            q: self.q.clone(),
            km: self.km.clone(),
            lat: self.lat.clone(),
            lon: self.lon.clone(),
            neighbours: self.neighbours.clone(),
            ..Default::default()
        }
    }
}

/// One located item, from whichever module.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The source (the R*Tree kind): `actor`, later `event`, `offer`...
    pub source: &'static str,
    /// The item's own kind within its module (`place`, `organisation`...).
    pub kind: String,
    pub type_: String,
    pub id: i64,
    pub lat: f64,
    pub lon: f64,
    pub title: String,
    pub url: String,
}

/// A module whose items are on the map: its R*Tree kind, its own kinds, its store function.
pub struct Source {
    pub name: &'static str,
    /// The module it belongs to: switched off, its items leave the map.
    pub module: Module,
    pub kinds: &'static [&'static str],
    pub points: fn(&Connection, &MapFilter) -> rusqlite::Result<Vec<Point>>,
    /// Complete points by id, for the items a clustered map shows alone.
    pub details: fn(&Connection, &[i64]) -> rusqlite::Result<Vec<Point>>,
}

/// The modules on the map, registered once at start-up by the top (`crate::modules`).
static SOURCES: std::sync::OnceLock<&'static [Source]> = std::sync::OnceLock::new();

/// Registers the modules on the map (the first registration stands).
pub fn register(sources: &'static [Source]) {
    let _ = SOURCES.set(sources);
}

/// Every module on the map (none before [`register`]).
pub fn sources() -> &'static [Source] {
    SOURCES.get().copied().unwrap_or(&[])
}

/// The points of every source the filter asks for whose module is on (at most `limit` per source).
pub fn points(conn: &Connection, f: &MapFilter, i: &Instance) -> rusqlite::Result<Vec<Point>> {
    let mut all = Vec::new();
    for s in sources() {
        if !i.enabled(s.module) || f.kinds_of(s.name, s.kinds).is_some_and(|k| k.is_empty()) {
            continue;
        }
        all.extend((s.points)(conn, f)?);
    }
    Ok(all)
}

/// The share of points left out on each side of the first view's box (outliers).
const OUTLIERS: f64 = 0.05;

/// The box of the map's first view: the points within `radius_km` of the centre, without the
/// farthest [`OUTLIERS`] on each side of each axis (a farm at the village's edge does not
/// zoom the bourg out into one cluster); `None` without any such point (the map then shows
/// the village circle).
pub fn first_view(points: &[Point], centre: (f64, f64), radius_km: f64) -> Option<BBox> {
    let inside: Vec<&Point> = points
        .iter()
        .filter(|p| crate::geo::distance_km(centre, (p.lat, p.lon)) <= radius_km)
        .collect();
    if inside.is_empty() {
        return None;
    }
    let cut = (inside.len() as f64 * OUTLIERS).floor() as usize;
    let range = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[cut], v[v.len() - 1 - cut])
    };
    let (min_lat, max_lat) = range(inside.iter().map(|p| p.lat).collect());
    let (min_lon, max_lon) = range(inside.iter().map(|p| p.lon).collect());
    Some(BBox {
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    })
}

/// The complete points of the features shown alone, by `(source, id)`.
pub fn details_of_singles(
    conn: &Connection,
    features: &[cluster::Feature],
) -> rusqlite::Result<std::collections::HashMap<(&'static str, i64), Point>> {
    let mut out = std::collections::HashMap::new();
    for s in sources() {
        let ids: Vec<i64> = features
            .iter()
            .filter_map(|f| match f {
                cluster::Feature::Single(p) if p.source == s.name => Some(p.id),
                _ => None,
            })
            .collect();
        if ids.is_empty() {
            continue;
        }
        for p in (s.details)(conn, &ids)? {
            out.insert((p.source, p.id), p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounding_boxes_are_checked_and_clamped() {
        assert_eq!(BBox::parse(""), Some(BBox::WORLD));
        let b = BBox::parse("-1.5, 47, -0.5,47.8").unwrap();
        assert_eq!(
            (b.min_lon, b.min_lat, b.max_lon, b.max_lat),
            (-1.5, 47.0, -0.5, 47.8)
        );
        assert_eq!(BBox::parse("-250,-95,250,95"), Some(BBox::WORLD));
        for bad in [
            "1,2,3",
            "1,2,3,4,5",
            "a,b,c,d",
            "1,2,NaN,4",
            "1,2,inf,4",
            "3,2,1,4",
            "1,4,3,2",
            ",,,",
        ] {
            assert_eq!(BBox::parse(bad), None, "{bad}");
        }
        assert_eq!(parse_zoom("12"), Some(12));
        assert_eq!(parse_zoom("12.7"), Some(12));
        assert_eq!(parse_zoom(""), Some(0));
        for bad in ["-1", "23", "x", "NaN"] {
            assert_eq!(parse_zoom(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_first_view_fits_the_points_of_the_village_without_outliers() {
        let at = |id: i64, lat: f64, lon: f64| Point {
            source: "actor",
            kind: String::new(),
            type_: String::new(),
            id,
            lat,
            lon,
            title: String::new(),
            url: String::new(),
        };
        let centre = (47.35, -0.81);
        assert_eq!(first_view(&[], centre, 15.0), None);
        // Far away (Paris): outside the circle, as if there were nothing.
        assert_eq!(first_view(&[at(1, 48.85, 2.35)], centre, 15.0), None);
        let one = first_view(&[at(1, 47.351, -0.812)], centre, 15.0).unwrap();
        assert_eq!((one.min_lat, one.max_lon), (47.351, -0.812));
        // Twenty in the bourg, a farm 10 km out: the box is the bourg's.
        let mut points: Vec<Point> = (0..20)
            .map(|i| at(i, 47.35 + i as f64 * 0.0002, -0.81 - i as f64 * 0.0001))
            .collect();
        points.push(at(99, 47.44, -0.81));
        points.push(at(100, 48.85, 2.35));
        let b = first_view(&points, centre, 15.0).unwrap();
        assert!(b.max_lat < 47.36 && b.min_lat >= 47.35, "{b:?}");
        assert!(b.min_lon >= -0.812 && b.max_lon <= -0.81, "{b:?}");
    }

    #[test]
    fn filters_keep_known_kinds_and_pick_sources() {
        crate::modules::install();
        let q = MapQuery {
            kind: "place, bogus".into(),
            tag: " Pain ".into(),
            ..Default::default()
        };
        let f = q.filter(BBox::WORLD, None);
        assert_eq!(f.kinds, vec!["place".to_string()]);
        assert_eq!(f.tag.as_deref(), Some("pain"));
        assert_eq!(
            f.kinds_of("actor", &store::ACTOR_KINDS),
            Some(vec!["place".into()])
        );
        assert_eq!(f.kinds_of("event", &["event"]), Some(vec![]));
        let all = MapQuery::default().filter(BBox::WORLD, None);
        assert_eq!(all.kinds_of("actor", &store::ACTOR_KINDS), None);
    }
}
