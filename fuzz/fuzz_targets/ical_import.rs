//! The iCalendar import: `parse` on any bytes (as an upload or a fetched feed), then `sync::apply`
//! into the demo village (rolled back), which expands every series. A file is refused or
//! read, never a panic; every event read has sane dates, every refusal a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::agenda::import::{parse, sync};
use placette::agenda::store::imports;
use placette::agenda::MAX_DURATION_SECS;
use placette_fuzz::rolled_back;

fuzz_target!(|data: &[u8]| {
    let text = parse::decode(data);
    let Ok(feed) = parse::parse(&text, chrono_tz::Europe::Paris) else {
        return; // not a calendar, or cut short: refused whole with a message
    };
    for ev in &feed.events {
        assert!(ev.start <= ev.end, "{ev:?}");
        assert!((ev.end - ev.start).num_seconds() <= MAX_DURATION_SECS, "{ev:?}");
        assert!(!ev.uid.is_empty() && !ev.title.is_empty(), "{ev:?}");
    }
    for refused in &feed.refused {
        assert!(!refused.reasons.is_empty(), "{refused:?}");
    }
    rolled_back(|tx| {
        let actor: i64 = tx
            .query_row("SELECT id FROM actors WHERE kind <> 'person' LIMIT 1", [], |r| r.get(0))
            .expect("an organiser page");
        let source = imports::file_source(tx, actor, None, 0).expect("source");
        sync::apply(tx, source, actor, &feed, None, 1_800_000_000).expect("apply");
    });
});
