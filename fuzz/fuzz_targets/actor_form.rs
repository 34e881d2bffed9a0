//! The actor form (POST /directory/new, /a/{slug}/edit): urlencoded bytes → `ActorForm` (as
//! actix's `web::Form` does, with serde_urlencoded) → `ActorForm::parse` → the handler's
//! `create_actor` on the demo village (rolled back). What is accepted must be stored as given,
//! and the edit form of the stored actor must be accepted again, unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::directory::handlers::create_actor;
use placette::directory::store::actor_by_slug;
use placette::directory::{ActorForm, ActorInput};
use placette::web::forms::FormErrors;
use placette_fuzz::{rolled_back, trimmed, village};

/// The fields a user typed and the stored actor must keep (not the parent: a slug resolved in
/// the database, nor the location: the address may be geocoded).
fn typed(a: &ActorInput) -> String {
    format!(
        "{:?}",
        (
            (
                a.kind,
                &a.type_,
                &a.name,
                &a.summary,
                &a.description,
                &a.tags
            ),
            (&a.address, &a.phone, &a.website, &a.social, &a.hours),
            (a.capacity, &a.equipment, &a.accessibility, a.visibility),
        )
    )
}

fn check(input: &ActorInput) {
    assert!(!input.name.is_empty() && input.name.chars().count() <= 120);
    assert!(trimmed(&input.name) && trimmed(&input.address) && trimmed(&input.equipment));
    assert!(input.kind.types().contains(&input.type_.as_str()));
    assert_eq!(input.lat.is_some(), input.lon.is_some());
    if let (Some(lat), Some(lon)) = (input.lat, input.lon) {
        assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
    }
    assert!(input.tags.len() <= 20);
    for t in &input.tags {
        assert!(
            !t.is_empty() && trimmed(t) && t.chars().count() <= 40,
            "tag {t:?}"
        );
        assert!(!t.contains([',', ';']) && !t.starts_with('#'), "tag {t:?}");
    }
    assert!(input.social.len() <= 10);
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = serde_urlencoded::from_bytes::<ActorForm>(data) else {
        return;
    };
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(&mut errors) else {
        assert!(!errors.is_empty(), "a refused form says why");
        return;
    };
    assert!(errors.is_empty());
    check(&input);
    let v = village();
    rolled_back(|tx| {
        let Ok(slug) = create_actor(tx, &input, &v.admin).expect("create_actor") else {
            return; // unknown parent, or a second profile: a field error, not a fault
        };
        let stored = actor_by_slug(tx, &slug)
            .expect("read")
            .expect("the new actor");
        let again = ActorForm::from_actor(&stored);
        let mut errors = FormErrors::new();
        let reparsed = again.parse(&mut errors);
        let Some(reparsed) = reparsed else {
            panic!("the edit form of a saved actor is refused: {errors:?}\n{again:?}");
        };
        assert_eq!(typed(&reparsed), typed(&input), "saved and re-edited");
        assert_eq!((reparsed.lat, reparsed.lon), (stored.lat, stored.lon));
    });
});
