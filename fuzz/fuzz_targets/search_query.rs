//! The search box (GET /search, /api/v1/search, the map's `q`): the query string → `SearchParams`
//! (serde_urlencoded, as actix's `web::Query`) → `query_for` (text, centre, radius, dates, page)
//! → the tantivy query on the demo village, as the handlers run it. Every query is answered,
//! within its radius, one page at most, and the map's variant finds the same things.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::search::index::PER_PAGE;
use placette::search::query::SearchParams;
use placette_fuzz::village;

fuzz_target!(|data: &[u8]| {
    let Ok(params) = serde_urlencoded::from_bytes::<SearchParams>(data) else {
        return;
    };
    let v = village();
    let q = params.query_for(&v.instance);
    let (lat, lon) = q.center;
    assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
    assert!(q.radius_km > 0.0 && q.radius_km <= 500.0);
    assert!(q.text.chars().count() <= 200 && (1..=100_000).contains(&q.page));
    let results = v.index.search(&q, None).expect("search");
    assert!(results.hits.len() <= PER_PAGE && results.hits.len() <= results.total);
    for h in &results.hits {
        if let Some(d) = h.distance_km {
            assert!(d <= q.radius_km, "{h:?} outside {} km", q.radius_km);
        }
    }
    let all = v.index.matching(&q, None).expect("matching");
    assert_eq!(all.len(), results.total, "the map and the list disagree");
});
