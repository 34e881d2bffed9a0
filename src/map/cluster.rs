//! Server-side clustering of the map's points with an R-tree (`rstar`): what a zoomed-out
//! map draws, and its GeoJSON.

use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde_json::{json, Value};

use super::Point;

/// Below this zoom, nearby points are grouped into clusters.
pub const CLUSTER_MAX_ZOOM: u8 = 15;
/// Points closer than this many screen pixels join the same cluster.
pub const CLUSTER_RADIUS_PX: f64 = 60.0;

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
        return order
            .into_iter()
            .map(|i| Feature::Single(&points[i]))
            .collect();
    }
    let radius = CLUSTER_RADIUS_PX / f64::from(1u32 << zoom);
    let tree = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(mercator(p.lat, p.lon), i))
            .collect(),
    );
    // Members are summed in seed order too, so that the centroid does not depend on the input.
    let mut rank = vec![0; points.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let mut taken = vec![false; points.len()];
    let mut features = Vec::new();
    for seed in order {
        if taken[seed] {
            continue;
        }
        let mut members: Vec<usize> = tree
            .locate_within_distance(
                mercator(points[seed].lat, points[seed].lon),
                radius * radius,
            )
            .map(|g| g.data)
            .filter(|&j| !taken[j])
            .collect();
        members.sort_unstable_by_key(|&j| rank[j]);
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
                "properties": {"title": p.title, "url": p.url, "source": p.source, "kind": p.kind, "type": p.type_},
            }),
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::MAX_ZOOM;

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
            Feature::Cluster {
                lat, lon, count, ..
            } => {
                assert_eq!(*count, 2);
                assert!((lat - 47.0).abs() < 1e-9 && (lon - 0.00005).abs() < 1e-9);
            }
            f => panic!("{f:?}"),
        }
        assert!(matches!(features[1], Feature::Single(p) if p.id == 99));
        let json = geojson(&features);
        assert_eq!(json["features"][0]["properties"]["count"], 2);
        assert_eq!(json["features"][1]["properties"]["url"], "/a/lieu-0");
        assert_eq!(json["features"][1]["geometry"]["coordinates"][1], 40.0);
    }
}
