//! Coordinates from outside: the map's query string (`/map`, `/map.geojson`, `/embed/map`:
//! bbox, zoom, filters, search centre and radius) and the tile address (`/tiles/{z}/{x}/{y}`).
//! A box is inside the world and ordered, a zoom within bounds, the clustering keeps every
//! point once, and the filters written into links read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::map::cluster::Feature;
use placette::map::handlers::tile_address;
use placette::map::{cluster, geojson, parse_zoom, BBox, MapQuery, Point, MAX_ZOOM};
use placette_fuzz::village;

/// Points at the corners, edges and centre of the box: the extremes a map may hold.
fn points_in(b: &BBox) -> Vec<Point> {
    let lats = [b.min_lat, (b.min_lat + b.max_lat) / 2.0, b.max_lat];
    let lons = [b.min_lon, (b.min_lon + b.max_lon) / 2.0, b.max_lon];
    let mut out = Vec::new();
    for (i, lat) in lats.iter().enumerate() {
        for (j, lon) in lons.iter().enumerate() {
            for k in 0..2 {
                out.push(Point {
                    source: "actor",
                    kind: "place".into(),
                    type_: "oven".into(),
                    id: (i * 6 + j * 2 + k) as i64,
                    lat: *lat,
                    lon: *lon,
                    title: String::new(),
                    url: String::new(),
                });
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = serde_urlencoded::from_bytes::<MapQuery>(data) else {
        return;
    };
    if let Some((z, x, y)) = tile_address(&q.zoom, &q.lon, &q.lat) {
        assert!(z <= MAX_ZOOM && x < 1 << z && y < 1 << z);
    }
    let bbox = BBox::parse(&q.bbox);
    if let Some(b) = bbox {
        let all = [b.min_lon, b.min_lat, b.max_lon, b.max_lat];
        assert!(all.iter().all(|c| c.is_finite()), "{b:?}");
        assert!(b.min_lon <= b.max_lon && b.min_lat <= b.max_lat, "{b:?}");
        assert!(b.min_lon >= -180.0 && b.max_lon <= 180.0, "{b:?}");
        assert!(b.min_lat >= -90.0 && b.max_lat <= 90.0, "{b:?}");
    }
    let zoom = parse_zoom(&q.zoom);
    if let Some(z) = zoom {
        assert!(z <= MAX_ZOOM);
    }
    if let (Some(b), Some(z)) = (bbox, zoom) {
        let points = points_in(&b);
        let features = cluster(&points, z);
        let counted: usize = features
            .iter()
            .map(|f| match f {
                Feature::Cluster {
                    count, lat, lon, ..
                } => {
                    // A mean of the members, up to rounding.
                    let e = 1e-9;
                    assert!((b.min_lat - e..=b.max_lat + e).contains(lat), "{f:?}");
                    assert!((b.min_lon - e..=b.max_lon + e).contains(lon), "{f:?}");
                    *count
                }
                Feature::Single(_) => 1,
            })
            .sum();
        assert_eq!(counted, points.len(), "every point once");
        let _ = geojson(&features).to_string();
    }
    // The filters kept in links (embed snippet, list pages) read back as typed.
    let f = q.filter(bbox.unwrap_or(BBox::WORLD), None);
    assert!(f.kinds.iter().all(|k| !k.is_empty()));
    let link = q.filters_query();
    let back: MapQuery = serde_urlencoded::from_str(&link).expect("our own link");
    for (a, b) in [
        (&q.kind, &back.kind),
        (&q.type_, &back.type_),
        (&q.tag, &back.tag),
        (&q.q, &back.q),
        (&q.km, &back.km),
        (&q.lat, &back.lat),
        (&q.lon, &back.lon),
    ] {
        assert_eq!(a.trim(), b, "{link}");
    }
    // The search part: a centre on Earth and a sensible radius, whatever was typed.
    let s = q.search_params().query_for(&village().instance);
    assert!((-90.0..=90.0).contains(&s.center.0) && (-180.0..=180.0).contains(&s.center.1));
    assert!(s.radius_km > 0.0 && s.radius_km <= 500.0);
});
