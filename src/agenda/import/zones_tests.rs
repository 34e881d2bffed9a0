//! Tests of the TZID resolution: IANA, Windows, offsets, display names, definitions.

use super::*;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").expect("valid test time")
}

fn near() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).expect("valid test date")
}

/// Whether two zones have the same offset every hour of 2024–2028.
fn same_offsets(a: Tz, b: Tz) -> bool {
    let mut t = at("20240101T000000");
    while t < at("20290101T000000") && offset_of(a, t) == offset_of(b, t) {
        t += Duration::hours(1);
    }
    t == at("20290101T000000")
}

/// A VTIMEZONE from lines "DTSTART TZOFFSETFROM TZOFFSETTO [RRULE]".
fn custom(tzid: &str, lines: &[&str]) -> Vec<Definition> {
    let observance = |line: &&str| {
        let parts: Vec<&str> = line.split(' ').collect();
        Observance {
            dtstart: at(parts[0]),
            offset_from: parse_offset(parts[1]).expect("test offset"),
            offset_to: parse_offset(parts[2]).expect("test offset"),
            rrule: parts.get(3).map(|r| r.to_string()),
            rdates: vec![],
        }
    };
    let observances = lines.iter().map(observance).collect();
    vec![Definition {
        tzid: tzid.into(),
        observances,
    }]
}

/// The EU rules as Outlook writes them, under a name only the file knows.
fn eu(tzid: &str) -> Vec<Definition> {
    custom(
        tzid,
        &[
            "16010101T030000 +0200 +0100 FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            "16010101T020000 +0100 +0200 FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        ],
    )
}

#[test]
fn names_understood_without_a_definition() {
    for case in [
        "Europe/Paris => Europe/Paris Iana",
        "\"Europe/Paris\" => Europe/Paris Iana",
        "america/new_york => America/New_York Iana",
        "/mozilla.org/20070129_1/Europe/Paris => Europe/Paris Iana",
        "/citadel.org/20190914_1/America/Argentina/Salta => America/Argentina/Salta Iana",
        "Eastern Standard Time => America/New_York Windows",
        "Pacific Standard Time => America/Los_Angeles Windows",
        "Romance Standard Time => Europe/Paris Windows",
        "W. Europe Standard Time => Europe/Berlin Windows",
        "AUS Eastern Standard Time => Australia/Sydney Windows",
        "India Standard Time => Asia/Calcutta Windows",
        "GMT Standard Time => Europe/London Windows",
        "central standard time => America/Chicago Windows",
        "UTC+12 => Etc/GMT-12 Windows",
        "UTC-11 => Etc/GMT+11 Windows",
        // Windows has no UTC+11 zone; the name is read as an offset.
        "UTC+11 => Etc/GMT-11 Offset",
        "GMT+0100 => Etc/GMT-1 Offset",
        "UTC-5 => Etc/GMT+5 Offset",
        "GMT+00:00 => Etc/UTC Offset",
        "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris => Europe/Paris Windows",
        "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi => Asia/Kolkata Windows",
        "(UTC-05:00) Eastern Time (US & Canada) => America/New_York Windows",
        // A city at another offset than the one stated is not believed.
        "(UTC+03:00) Paris => Etc/GMT-3 Offset",
        "(UTC+01:00) Atlantis => Etc/GMT-1 Offset",
    ] {
        let (tzid, want) = case.split_once(" => ").expect("a test case");
        let found = resolve(tzid, &[], near()).map(|(tz, how)| format!("{} {how:?}", tz.name()));
        assert_eq!(found.as_deref(), Some(want), "{tzid}");
    }
}

#[test]
fn half_hour_offsets_need_a_zone_that_keeps_them_all_year() {
    let (india, how) = resolve("GMT+0530", &[], near()).expect("India's offset");
    assert_eq!(how, How::Offset);
    assert!(same_offsets(india, Tz::Asia__Kolkata), "{}", india.name());
    assert!(resolve("UTC+05:30", &[], near()).is_some());
    assert_eq!(resolve("UTC-05:30", &[], near()), None);
    assert_eq!(resolve("UTC+15", &[], near()), None);
}

#[test]
fn a_bare_offset_gives_way_to_a_definition_that_contradicts_it() {
    let name = "(UTC+01:00) Atlantis";
    let (tz, how) = resolve(name, &eu(name), near()).expect("the definition decides");
    assert_eq!(how, How::Definition);
    assert!(same_offsets(tz, Tz::Europe__Paris), "{}", tz.name());
    let fixed = custom(name, &["19700101T000000 +0100 +0100"]);
    let agreed = resolve(name, &fixed, near());
    assert_eq!(agreed, Some((Tz::Etc__GMTMinus1, How::Definition)));
}

#[test]
fn a_zone_no_iana_zone_matches_is_read_by_its_own_definition() {
    // issue 722 of the icalendar package: +12:00 from 1 January, +10:00 from 5 May 08:00.
    let mine = custom(
        "MyTimezone",
        &["20240101T000000 +1000 +1200", "20240505T080000 +1200 +1000"],
    );
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    assert_eq!(resolve("MyTimezone", &mine, near()), None);
    assert_eq!(
        utc_by_definition("MyTimezone", &mine, at("2024-03-03 08:00")),
        Some(at("2024-03-02 20:00"))
    );
    assert_eq!(
        utc_by_definition("MyTimezone", &mine, at("2024-07-03 08:00")),
        Some(at("2024-07-02 22:00"))
    );
    // 07:30 on 5 May happens twice (08:00 → 06:00): the first one, at +12:00.
    assert_eq!(
        utc_by_definition("MyTimezone", &mine, at("2024-05-05 07:30")),
        Some(at("2024-05-04 19:30"))
    );
    assert_eq!(
        utc_by_definition("Other", &mine, at("2024-03-03 08:00")),
        None
    );
}

#[test]
fn a_name_that_is_not_exactly_iana_s_follows_the_file_s_own_definition() {
    // Google's export of issue 42: "Europe/lisbon" defined with the CET rules.
    let (tz, how) = resolve("Europe/lisbon", &eu("Europe/lisbon"), near()).unwrap();
    assert!(same_offsets(tz, Tz::Europe__Paris), "{}", tz.name());
    assert_eq!(how, How::Definition);
    // The exact name wins over a stale definition.
    assert_eq!(
        resolve("Europe/Lisbon", &eu("Europe/Lisbon"), near()),
        Some((Tz::Europe__Lisbon, How::Iana))
    );
}

#[test]
fn a_custom_zone_with_the_eu_rules() {
    let (tz, how) = resolve("Custom Zone", &eu("Custom Zone"), near()).expect("EU rules");
    assert_eq!(how, How::Definition);
    assert!(same_offsets(tz, Tz::Europe__Paris), "{}", tz.name());
    let quoted = resolve("\"Custom Zone\"", &eu("Custom Zone"), near());
    assert_eq!(quoted.map(|z| z.1), Some(How::Definition));
}

#[test]
fn a_custom_us_eastern_zone_with_its_2007_change() {
    let defs = custom(
        "Eastern (custom)",
        &[
            "19671029T020000 -0400 -0500 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z",
            "19870405T020000 -0500 -0400 FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z",
            "20071104T020000 -0400 -0500 FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
            "20070311T020000 -0500 -0400 FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        ],
    );
    let found = resolve("Eastern (custom)", &defs, near());
    assert_eq!(found, Some((Tz::America__New_York, How::Definition)));
    // Around 2006 the old rules are in force, and they are still matched.
    let old = NaiveDate::from_ymd_opt(2006, 6, 1).expect("valid test date");
    let (tz, _) = resolve("Eastern (custom)", &defs, old).expect("old US rules");
    assert_eq!(offset_of(tz, at("20050415T120000")), -4 * 3600);
    assert_eq!(offset_of(tz, at("20050315T120000")), -5 * 3600);
}

#[test]
fn a_fixed_offset_definition() {
    let defs = custom("Pacific islands", &["19700101T000000 +1100 +1100"]);
    let found = resolve("Pacific islands", &defs, near());
    assert_eq!(found, Some((Tz::Etc__GMTMinus11, How::Definition)));
}

#[test]
fn unknown_names_are_refused() {
    assert_eq!(resolve("Customized Time Zone", &[], near()), None);
    assert_eq!(resolve("", &[], near()), None);
    // Daylight time in January at +01:30: no IANA zone does that.
    let odd = [
        "20000101T000000 +0100 +0130 FREQ=YEARLY;BYMONTH=1",
        "20000201T000000 +0130 +0100 FREQ=YEARLY;BYMONTH=2",
    ];
    assert_eq!(resolve("Odd", &custom("Odd", &odd), near()), None);
    // A rule the rrule crate cannot read leaves the zone unknown.
    let broken = custom("Broken", &["20000101T000000 +0100 +0200 FREQ=NEVER"]);
    assert_eq!(resolve("Broken", &broken, near()), None);
    assert_eq!(resolve("Empty", &custom("Empty", &[]), near()), None);
}

#[test]
fn odd_inputs_do_not_panic() {
    // Split on spaces, and one more with an empty name.
    for name in "( () (UTC UTC+ GMT+99 / // é UTCé (UTC+01:00) ".split(' ') {
        let _ = resolve(name, &[], near());
        let _ = resolve(name, &eu(name), NaiveDate::MAX);
        let _ = resolve(name, &eu(name), NaiveDate::MIN);
    }
    let far = custom("Far", &["16010101T000000 +0100 +0200 FREQ=SECONDLY"]);
    assert_eq!(resolve("Far", &far, near()), None);
}

#[test]
fn offsets_as_vtimezone_writes_them() {
    assert_eq!(parse_offset("+0100"), Some(3600));
    assert_eq!(parse_offset("-0530"), Some(-(5 * 3600 + 30 * 60)));
    assert_eq!(parse_offset("+013000"), Some(3600 + 1800));
    assert_eq!(parse_offset("+01:00"), Some(3600));
    assert_eq!(parse_offset("-0000"), Some(0));
    for bad in [
        "", "0100", "+1", "+2400", "+0160", "+01000", "++0100", "+0a00", "+:0100",
    ] {
        assert_eq!(parse_offset(bad), None, "{bad}");
    }
}
