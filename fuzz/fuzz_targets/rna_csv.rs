//! The associations register import (RNA waldec CSV, UTF-8 or Latin-1): `rna::read` on the
//! file's bytes, then `rna::apply` into the demo village (rolled back). A file is refused or
//! read, never a panic; what is kept has a valid id and bounded, readable fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::directory::rna::{self, State};
use placette::directory::rna_text::{decode, detect, valid_rna_id, Encoding};
use placette_fuzz::{rolled_back, trimmed};

/// The commune of the seeds; the first byte may pick another spelling of it.
const COMMUNES: [&str; 4] = ["49999", " 49999 ", "2a004", "4999"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, file)) = data.split_first() else {
        return;
    };
    // Decoding a field never fails and Latin-1 is one character per byte.
    assert_eq!(decode(file, Encoding::Latin1).chars().count(), file.len());
    if detect(file) == Encoding::Utf8 {
        assert_eq!(decode(file, Encoding::Utf8).as_bytes(), file);
    }
    let commune = COMMUNES[first as usize % COMMUNES.len()];
    let Ok(read) = rna::read(file, commune, &mut |_| {}) else {
        return; // an input error of the CSV reader: reported to the admin
    };
    let Ok(parsed) = read else {
        return; // refused: not a waldec file, or not a commune
    };
    assert!(parsed.matched_commune <= parsed.read);
    assert!(parsed.rows.len() as u64 + parsed.skipped_invalid <= parsed.matched_commune);
    for (id, state) in &parsed.rows {
        assert!(valid_rna_id(id), "{id:?}");
        if let State::Active(f) = state {
            assert!(!f.name.is_empty() && f.name.chars().count() <= 120, "{f:?}");
            assert!(f.summary.chars().count() <= 300 && f.address.chars().count() <= 300);
            assert!(trimmed(&f.name) && trimmed(&f.address), "{f:?}");
            let site = f.website.to_lowercase();
            assert!(
                site.is_empty() || site.starts_with("https://") || site.starts_with("http://"),
                "{f:?}"
            );
        }
    }
    let summary = rolled_back(|tx| rna::apply(tx, &parsed, 1).expect("apply"));
    let active = parsed
        .rows
        .iter()
        .filter(|(_, s)| matches!(s, State::Active(_)))
        .count() as u64;
    assert_eq!(
        summary.inserted + summary.updated + summary.unchanged,
        active
    );
    assert!(summary.dissolved as usize == summary.dissolved_actors.len());
});
