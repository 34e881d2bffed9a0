//! The national address base import (BAN CSV) and the address API: the input's first line is
//! what a resident types (`/api/v1/addresses?q=`, an address field sent without coordinates),
//! the rest is a BAN file. `addresses::read` writes its rows with `store::upsert` into the demo
//! village (rolled back), then `store::suggest` and `store::geocode` answer the typed text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::addresses::{self, normalise, store, Address, Around};
use placette_fuzz::{rolled_back, village};

/// A search key: ASCII letters and digits in words separated by one space.
fn is_key(k: &str) -> bool {
    k.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
        && !k.starts_with(' ')
        && !k.ends_with(' ')
        && !k.contains("  ")
}

fn check(a: &Address) {
    assert!(
        !a.id.is_empty() && !a.street.is_empty() && !a.city.is_empty(),
        "{a:?}"
    );
    assert!(
        (-90.0..=90.0).contains(&a.lat) && (-180.0..=180.0).contains(&a.lon),
        "{a:?}"
    );
    let key = a.search_key();
    assert!(is_key(&key), "{key:?}");
    assert_eq!(normalise(&key), key, "normalising is idempotent");
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let typed = String::from_utf8_lossy(&data[..split]).into_owned();
    let file = data.get(split + 1..).unwrap_or_default();
    let key = normalise(&typed);
    assert!(is_key(&key), "{key:?}");
    assert_eq!(normalise(&key), key, "normalising is idempotent");
    let v = village();
    let around = Around {
        lat: v.instance.center_lat,
        lon: v.instance.center_lon,
        radius_km: v.instance.radius_km,
    };
    rolled_back(|tx| {
        let mut last = None;
        let read = addresses::read(
            file,
            &mut |rows| {
                rows.iter().for_each(check);
                last = rows.last().cloned();
                Ok(store::upsert(tx, rows)?)
            },
            &mut |_| {},
        );
        let Ok(summary) = read else {
            return; // not a BAN file, or broken CSV: the import says so
        };
        assert_eq!(summary.imported + summary.skipped, summary.read);
        for limit in [1, 10] {
            let found = store::suggest(tx, &typed, limit).expect("suggest");
            assert!(found.len() as i64 <= limit);
        }
        for near in [Some(&around), None] {
            if let Some((lat, lon)) = store::geocode(tx, &typed, near).expect("geocode") {
                assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
            }
        }
        // The last address written is found by its own label (it may have replaced an
        // earlier row with the same id, never the other way round).
        if let Some(a) = last.filter(|a| !a.search_key().is_empty()) {
            let found = store::geocode(tx, &a.label(), None).expect("geocode");
            assert!(found.is_some(), "{a:?} is not found by its label");
        }
    });
});
