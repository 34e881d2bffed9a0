//! The opening hours typed per weekday (« 9h-12h, 14h30-18h30 »): `Hours::parse_day`, then what
//! is shown back in the form (`day_text`), stored (`to_json` / `from_json`) and published
//! (`schema_org`). What is accepted must come back identical from each of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::directory::hours::Hours;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let day = first % 7;
    let Ok(intervals) = Hours::parse_day(day, text) else {
        return;
    };
    for i in &intervals {
        assert_eq!(i.day, day);
        assert!(
            i.open < i.close && i.close <= 24 * 60,
            "{i:?} from {text:?}"
        );
    }
    let hours = Hours(intervals);
    let shown = hours.day_text(day);
    assert_eq!(
        Hours::parse_day(day, &shown),
        Ok(hours.0.clone()),
        "the form shows {shown:?} for {text:?}"
    );
    assert_eq!(Hours::from_json(&hours.to_json()), hours, "stored");
    let published = hours.schema_org();
    assert_eq!(published.as_array().map(Vec::len), Some(hours.0.len()));
});
