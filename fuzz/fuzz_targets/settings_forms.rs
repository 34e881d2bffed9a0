//! The instance's settings: the first-run form (`SetupForm`, whose general part is a flattened
//! `GeneralForm`), the admin settings (`GeneralForm` from the body's pairs, as the handler reads
//! it) and the map settings (`MapSettingsForm::parse`, whose tile origin goes into the
//! Content-Security-Policy header). The urlencoded bytes are decoded as actix's `web::Form` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::settings::tiles::{tile_origin, MapSettingsForm};
use placette::settings::form::{GeneralForm, SetupForm};
use placette::web::forms::FormErrors;

fn check_general(form: &GeneralForm) {
    let mut errors = FormErrors::new();
    let parsed = form.parse(&mut errors);
    assert_eq!(parsed.is_some(), errors.is_empty(), "{errors:?}");
    if let Some(g) = parsed {
        assert!(!g.name.is_empty() && g.name.chars().count() <= 100);
        assert!((-90.0..=90.0).contains(&g.center_lat));
        assert!((-180.0..=180.0).contains(&g.center_lon));
        assert!(g.radius_km > 0.0 && g.radius_km <= 500.0);
        assert!(g.time_zone.parse::<chrono_tz::Tz>().is_ok());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(setup) = serde_urlencoded::from_bytes::<SetupForm>(data) {
        check_general(&setup.general);
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(data).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check_general(&GeneralForm {
        name: get("name"),
        public_url: get("public_url"),
        description: get("description"),
        place: get("place"),
        place_pick: get("place_pick"),
        center_lat: get("center_lat"),
        center_lon: get("center_lon"),
        radius_km: get("radius_km"),
        lang: get("lang"),
        time_zone: get("time_zone"),
    });
    if let Ok(map) = serde_urlencoded::from_bytes::<MapSettingsForm>(data) {
        let mut errors = FormErrors::new();
        if let Some(s) = map.parse(&mut errors) {
            assert!(errors.is_empty());
            assert!(s.tile_url.contains("{z}") && s.tile_url.contains("{x}"));
            assert!(!s.tile_attribution.is_empty());
        }
        if let Some(origin) = tile_origin(map.tile_url.trim()) {
            // Written as is into the CSP header: nothing that could end or add a directive.
            let ok =
                |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '/' | '*');
            assert!(origin.chars().all(ok), "{origin:?}");
            assert!(origin.starts_with("https://") || origin.starts_with("http://"));
        }
    }
});
