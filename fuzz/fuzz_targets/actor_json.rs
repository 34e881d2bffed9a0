//! The actor API (POST /api/v1/actors): a JSON body → `form_from_json` → `ActorForm::parse`,
//! the same validation as the web form. Nothing may panic, and what the API accepts the web
//! form accepts too when sent with the same field texts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::directory::api::form_from_json;
use placette::directory::ActorForm;
use placette::web::forms::FormErrors;

fuzz_target!(|data: &[u8]| {
    let mut errors = FormErrors::new();
    let Some(form) = form_from_json(data, &mut errors) else {
        return;
    };
    let json_errors = errors.clone();
    let parsed = form.parse(&mut errors);
    assert_eq!(parsed.is_some(), errors.is_empty());
    if !json_errors.is_empty() {
        assert!(parsed.is_none(), "a malformed `hours` must refuse the body");
        return;
    }
    // The same texts through the web form's decoder give the same verdict.
    let body = serde_urlencoded::to_string(form_pairs(&form)).expect("encode");
    let web: ActorForm = serde_urlencoded::from_str(&body).expect("decode what was encoded");
    let mut web_errors = FormErrors::new();
    let web_parsed = web.parse(&mut web_errors);
    assert_eq!(
        format!("{:?}", parsed),
        format!("{:?}", web_parsed),
        "API and web form disagree"
    );
});

fn form_pairs(f: &ActorForm) -> Vec<(&'static str, &str)> {
    vec![
        ("kind", &f.kind),
        ("type", &f.type_),
        ("name", &f.name),
        ("summary", &f.summary),
        ("description", &f.description),
        ("tags", &f.tags),
        ("address", &f.address),
        ("lat", &f.lat),
        ("lon", &f.lon),
        ("phone", &f.phone),
        ("website", &f.website),
        ("social", &f.social),
        ("hours_0", &f.hours_0),
        ("hours_1", &f.hours_1),
        ("hours_2", &f.hours_2),
        ("hours_3", &f.hours_3),
        ("hours_4", &f.hours_4),
        ("hours_5", &f.hours_5),
        ("hours_6", &f.hours_6),
        ("capacity", &f.capacity),
        ("equipment", &f.equipment),
        ("accessibility", &f.accessibility),
        ("parent", &f.parent),
        ("visibility", &f.visibility),
    ]
}
