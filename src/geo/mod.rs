//! The shared spatial index: every located thing of every module has one box in the SQLite
//! R*Tree `geo`, found by its `(kind, item id)` in `geo_items`; and the geometry every module
//! shares: the distance between two points, the box around a disc.

pub mod store;

/// Distance in km between two (lat, lon) points (haversine).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// The box around a point that contains the disc of `radius_km` (for the R*Tree prefilter):
/// (min_lat, min_lon, max_lat, max_lon).
pub fn bbox_around((lat, lon): (f64, f64), radius_km: f64) -> (f64, f64, f64, f64) {
    let dlat = radius_km / 111.32;
    let dlon = radius_km / (111.32 * lat.to_radians().cos().abs().max(0.01));
    (lat - dlat, lon - dlon, lat + dlat, lon + dlon)
}
