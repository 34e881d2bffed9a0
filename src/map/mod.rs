//! The map: every located thing of every module on one Leaflet map, clustered on the server.
//!
//! Points come from the shared R*Tree (`geo`) through one store function per module kind,
//! listed in [`SOURCES`]; `/map.geojson` answers one bounding box at one zoom with clusters
//! computed here with `rstar` (low zoom) or single features (zoomed in). Tiles come from the
//! configured URL, or from an MBTiles file of the region served at `/tiles/{z}/{x}/{y}`.

pub mod handlers;
pub mod store;
pub mod views;

use rstar::primitives::GeomWithData;
use rstar::RTree;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::settings::Instance;
use crate::web::forms::FormErrors;
use crate::web::url_encode;

/// Below this zoom, nearby points are grouped into clusters.
pub const CLUSTER_MAX_ZOOM: u8 = 15;
/// Points closer than this many screen pixels join the same cluster.
pub const CLUSTER_RADIUS_PX: f64 = 60.0;
/// Deepest zoom a request may ask for.
pub const MAX_ZOOM: u8 = 22;
/// Located items listed under the map (the page without JavaScript).
pub const LIST_LIMIT: i64 = 200;
/// The tiles the map uses unless the admin chose others: OpenStreetMap's standard tiles.
pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
/// The attribution OpenStreetMap's licence asks for.
pub const DEFAULT_ATTRIBUTION: &str = "© OpenStreetMap contributors";
/// The tile URL of the MBTiles file served by this binary.
pub const LOCAL_TILE_URL: &str = "/tiles/{z}/{x}/{y}";

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
}

impl MapQuery {
    /// The filter (without the area); unknown kinds are ignored rather than refused, as in
    /// the directory's list.
    pub fn filter(&self, bbox: BBox, limit: Option<i64>) -> MapFilter {
        let kinds = self
            .kind
            .split(',')
            .map(str::trim)
            .filter(|k| SOURCES.iter().any(|s| s.name == *k || s.kinds.contains(k)))
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
        }
    }

    /// `kind=...&type=...&tag=...` for links that keep the filters.
    pub fn filters_query(&self) -> String {
        format!(
            "kind={}&type={}&tag={}",
            url_encode(self.kind.trim()),
            url_encode(self.type_.trim()),
            url_encode(self.tag.trim())
        )
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
    pub kinds: &'static [&'static str],
    pub points: fn(&Connection, &MapFilter) -> rusqlite::Result<Vec<Point>>,
}

/// Every module on the map. A new module adds one line here and one store function.
pub const SOURCES: &[Source] = &[Source {
    name: store::ACTOR_SOURCE,
    kinds: &["organisation", "project", "place", "person"],
    points: store::actor_points,
}];

/// The points of every source the filter asks for, by source and id (at most `limit` per source).
pub fn points(conn: &Connection, f: &MapFilter) -> rusqlite::Result<Vec<Point>> {
    let mut all = Vec::new();
    for s in SOURCES {
        if f.kinds_of(s.name, s.kinds).is_some_and(|k| k.is_empty()) {
            continue;
        }
        all.extend((s.points)(conn, f)?);
    }
    Ok(all)
}

/// What the map draws: a group of nearby points, or one point.
#[derive(Clone, Debug, PartialEq)]
pub enum Feature<'a> {
    Cluster {
        lat: f64,
        lon: f64,
        count: usize,
        /// The members' extent, `[minLon, minLat, maxLon, maxLat]`: a click zooms to it.
        bbox: [f64; 4],
    },
    Single(&'a Point),
}

/// Web Mercator coordinates in pixels at zoom 0 (the world is 256 px wide), so that a
/// distance in screen pixels at zoom `z` is this distance times 2^z, at any latitude.
fn mercator(lat: f64, lon: f64) -> [f64; 2] {
    let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
    let x = (lon + 180.0) / 360.0 * 256.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * 256.0;
    [x, y]
}

/// Groups the points for a zoom level: below [`CLUSTER_MAX_ZOOM`], every point within
/// [`CLUSTER_RADIUS_PX`] screen pixels of a not-yet-grouped seed joins the seed's cluster
/// (seeds taken by source and id, so the answer does not depend on the input's order); a
/// group of one stays a single point. Every point is in exactly one feature.
pub fn cluster(points: &[Point], zoom: u8) -> Vec<Feature<'_>> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| (points[a].source, points[a].id).cmp(&(points[b].source, points[b].id)));
    if zoom >= CLUSTER_MAX_ZOOM {
        return order.into_iter().map(|i| Feature::Single(&points[i])).collect();
    }
    let radius = CLUSTER_RADIUS_PX / f64::from(1u32 << zoom);
    let tree = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(mercator(p.lat, p.lon), i))
            .collect(),
    );
    let mut taken = vec![false; points.len()];
    let mut features = Vec::new();
    for seed in order {
        if taken[seed] {
            continue;
        }
        let mut members: Vec<usize> = tree
            .locate_within_distance(mercator(points[seed].lat, points[seed].lon), radius * radius)
            .map(|g| g.data)
            .filter(|&j| !taken[j])
            .collect();
        members.sort_unstable();
        for &j in &members {
            taken[j] = true;
        }
        if members.len() <= 1 {
            features.push(Feature::Single(&points[seed]));
            continue;
        }
        let n = members.len() as f64;
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let (mut lat, mut lon) = (0.0, 0.0);
        for &j in &members {
            let p = &points[j];
            lat += p.lat;
            lon += p.lon;
            bbox = [
                bbox[0].min(p.lon),
                bbox[1].min(p.lat),
                bbox[2].max(p.lon),
                bbox[3].max(p.lat),
            ];
        }
        features.push(Feature::Cluster {
            lat: lat / n,
            lon: lon / n,
            count: members.len(),
            bbox,
        });
    }
    features
}

/// The features as a GeoJSON FeatureCollection.
pub fn geojson(features: &[Feature]) -> Value {
    let features: Vec<Value> = features
        .iter()
        .map(|f| match f {
            Feature::Cluster {
                lat,
                lon,
                count,
                bbox,
            } => json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"cluster": true, "count": count, "bbox": bbox},
            }),
            Feature::Single(p) => json!({
                "type": "Feature",
                "id": format!("{}-{}", p.source, p.id),
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {"title": p.title, "url": p.url, "kind": p.kind, "type": p.type_},
            }),
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The tile URL template and attribution the map pages use: the MBTiles file when one is
/// configured, else the configured tile server.
pub fn tile_layer(i: &Instance) -> (&str, &str) {
    if i.mbtiles_path.is_empty() {
        (&i.tile_url, &i.tile_attribution)
    } else {
        (LOCAL_TILE_URL, &i.tile_attribution)
    }
}

/// The origin of a tile server for the Content-Security-Policy (`https://tile.example.org`,
/// `https://*.tile.example.org` for a `{s}` subdomain), or `None` for local tiles or a URL
/// whose host is not plainly a host name (nothing odd ever reaches the header).
pub fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let host = rest.split('/').next()?;
    let host = host.strip_prefix("{s}.").map_or(host.to_string(), |h| format!("*.{h}"));
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    let bare = host.strip_prefix("*.").unwrap_or(&host);
    (!bare.is_empty() && bare.chars().all(plain)).then(|| format!("{scheme}://{host}"))
}

/// The map settings as typed on the admin page.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MapSettingsForm {
    pub tile_url: String,
    pub tile_attribution: String,
    pub mbtiles_path: String,
}

/// The map settings once checked.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSettings {
    pub tile_url: String,
    pub tile_attribution: String,
    pub mbtiles_path: String,
}

impl MapSettingsForm {
    /// The form filled with the current settings.
    pub fn from_instance(i: &Instance) -> MapSettingsForm {
        MapSettingsForm {
            tile_url: i.tile_url.clone(),
            tile_attribution: i.tile_attribution.clone(),
            mbtiles_path: i.mbtiles_path.clone(),
        }
    }

    /// Checks the fields (but not the MBTiles file's content, see [`store::is_mbtiles`]);
    /// an empty tile URL means OpenStreetMap's, with its attribution if none is typed.
    pub fn parse(&self, e: &mut FormErrors) -> Option<MapSettings> {
        let mut url = self.tile_url.trim().to_string();
        let mut attribution = self.tile_attribution.trim().to_string();
        if url.is_empty() {
            url = DEFAULT_TILE_URL.to_string();
            if attribution.is_empty() {
                attribution = DEFAULT_ATTRIBUTION.to_string();
            }
        }
        let placeholders = ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
        let odd = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | ';' | ',');
        let url_ok = placeholders
            && url.len() <= 500
            && !url.chars().any(odd)
            && (url == LOCAL_TILE_URL
                || url == format!("{LOCAL_TILE_URL}.png")
                || tile_origin(&url).is_some());
        e.check(!url_ok, "tile_url", "map.tile_url_invalid");
        let attribution_ok = !attribution.is_empty()
            && attribution.chars().count() <= 300
            && !attribution.chars().any(char::is_control);
        e.check(!attribution_ok, "tile_attribution", "map.attribution_invalid");
        let path = self.mbtiles_path.trim().to_string();
        let path_ok = path.is_empty() || std::path::Path::new(&path).is_absolute();
        e.check(!path_ok, "mbtiles_path", "map.mbtiles_invalid");
        (url_ok && attribution_ok && path_ok).then_some(MapSettings {
            tile_url: url,
            tile_attribution: attribution,
            mbtiles_path: path,
        })
    }
}

/// The content type of MBTiles tiles by the `format` of their metadata.
pub fn tile_content_type(format: &str) -> &'static str {
    match format {
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "pbf" | "mvt" => "application/x-protobuf",
        _ => "image/png",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` points scattered over a few kilometres (a fixed pseudo-random sequence).
    fn village(n: usize) -> Vec<Point> {
        let mut seed: u64 = 42;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| Point {
                source: "actor",
                kind: "place".into(),
                type_: "oven".into(),
                id: i as i64 + 1,
                lat: 47.3 + next() * 0.1,
                lon: -0.9 + next() * 0.2,
                title: format!("Lieu {i}"),
                url: format!("/a/lieu-{i}"),
            })
            .collect()
    }

    fn counted(features: &[Feature]) -> usize {
        features
            .iter()
            .map(|f| match f {
                Feature::Cluster { count, .. } => *count,
                Feature::Single(_) => 1,
            })
            .sum()
    }

    #[test]
    fn every_point_is_counted_once_at_every_zoom() {
        let points = village(500);
        for zoom in 0..=MAX_ZOOM {
            let features = cluster(&points, zoom);
            assert_eq!(counted(&features), 500, "zoom {zoom}");
        }
        let low = cluster(&points, 5);
        assert_eq!(low.len(), 1, "a village is one cluster seen from afar");
        assert!(matches!(low[0], Feature::Cluster { count: 500, .. }));
        let mid = cluster(&points, 12);
        assert!(mid.len() > 1 && mid.len() < 500, "{}", mid.len());
        let close = cluster(&points, 15);
        assert_eq!(close.len(), 500);
        assert!(close.iter().all(|f| matches!(f, Feature::Single(_))));
    }

    #[test]
    fn clustering_is_deterministic_whatever_the_input_order() {
        let points = village(500);
        let mut reversed = points.clone();
        reversed.reverse();
        for zoom in [3, 9, 12, 14] {
            let a = geojson(&cluster(&points, zoom));
            assert_eq!(a, geojson(&cluster(&points, zoom)));
            assert_eq!(a, geojson(&cluster(&reversed, zoom)));
        }
    }

    #[test]
    fn an_isolated_point_stays_single_and_clusters_sit_at_the_centroid() {
        let mut points = village(2);
        points[0].lat = 47.0;
        points[0].lon = 0.0;
        points[1].lat = 47.0;
        points[1].lon = 0.0001;
        let mut far = points[0].clone();
        far.id = 99;
        far.lat = 40.0;
        points.push(far);
        let features = cluster(&points, 10);
        assert_eq!(features.len(), 2);
        match &features[0] {
            Feature::Cluster { lat, lon, count, .. } => {
                assert_eq!(*count, 2);
                assert!((lat - 47.0).abs() < 1e-9 && (lon - 0.00005).abs() < 1e-9);
            }
            f => panic!("{f:?}"),
        }
        assert!(matches!(features[1], Feature::Single(p) if p.id == 99));
        let json = geojson(&features);
        assert_eq!(json["features"][0]["properties"]["count"], 2);
        assert_eq!(json["features"][1]["properties"]["url"], "/a/lieu-1");
        assert_eq!(json["features"][1]["geometry"]["coordinates"][1], 40.0);
    }

    #[test]
    fn bounding_boxes_are_checked_and_clamped() {
        assert_eq!(BBox::parse(""), Some(BBox::WORLD));
        let b = BBox::parse("-1.5, 47, -0.5,47.8").unwrap();
        assert_eq!((b.min_lon, b.min_lat, b.max_lon, b.max_lat), (-1.5, 47.0, -0.5, 47.8));
        assert_eq!(BBox::parse("-250,-95,250,95"), Some(BBox::WORLD));
        for bad in ["1,2,3", "1,2,3,4,5", "a,b,c,d", "1,2,NaN,4", "1,2,inf,4", "3,2,1,4", "1,4,3,2", ",,,"] {
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
    fn filters_keep_known_kinds_and_pick_sources() {
        let q = MapQuery {
            kind: "place, bogus".into(),
            tag: " Pain ".into(),
            ..Default::default()
        };
        let f = q.filter(BBox::WORLD, None);
        assert_eq!(f.kinds, vec!["place".to_string()]);
        assert_eq!(f.tag.as_deref(), Some("pain"));
        assert_eq!(f.kinds_of("actor", SOURCES[0].kinds), Some(vec!["place".into()]));
        assert_eq!(f.kinds_of("event", &["event"]), Some(vec![]));
        let all = MapQuery::default().filter(BBox::WORLD, None);
        assert_eq!(all.kinds_of("actor", SOURCES[0].kinds), None);
    }

    #[test]
    fn tile_settings_are_checked() {
        let parse = |url: &str, attribution: &str, path: &str| {
            MapSettingsForm {
                tile_url: url.into(),
                tile_attribution: attribution.into(),
                mbtiles_path: path.into(),
            }
            .parse(&mut FormErrors::new())
        };
        let d = parse("", "", "").unwrap();
        assert_eq!((d.tile_url.as_str(), d.tile_attribution.as_str()), (DEFAULT_TILE_URL, DEFAULT_ATTRIBUTION));
        assert!(parse("https://{s}.tile.example.org/{z}/{x}/{y}.png", "© X", "").is_some());
        assert!(parse("/tiles/{z}/{x}/{y}", "© X", "/srv/region.mbtiles").is_some());
        assert!(parse("https://tile.example.org/{z}/{x}.png", "© X", "").is_none());
        assert!(parse("ftp://tile.example.org/{z}/{x}/{y}", "© X", "").is_none());
        assert!(parse("https://evil; script-src */{z}/{x}/{y}", "© X", "").is_none());
        assert!(parse("https://tile.example.org/{z}/{x}/{y}", "", "").is_none());
        assert!(parse("", "", "relative.mbtiles").is_none());
        assert_eq!(tile_origin(DEFAULT_TILE_URL).as_deref(), Some("https://tile.openstreetmap.org"));
        assert_eq!(
            tile_origin("http://{s}.tiles.local:8080/{z}/{x}/{y}").as_deref(),
            Some("http://*.tiles.local:8080")
        );
        assert_eq!(tile_origin("/tiles/{z}/{x}/{y}"), None);
        assert_eq!(tile_origin("https://a b/{z}"), None);
    }
}
