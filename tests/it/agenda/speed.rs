//! The calendars read only the first dates of each day whole and count the others: the
//! month grid and the week must still show the right dates and counts, for visitors (whose
//! pages are memoised until the next write) and residents alike.

use super::{create, fields, set};
use crate::support::*;

#[test]
fn a_busy_day_shows_its_first_dates_and_counts_the_others_after_each_write() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let concert = |n: u32| {
        let mut f = fields(&format!("Concert {n}"));
        set(&mut f, "start_time", &format!("{:02}:00", 8 + n));
        set(&mut f, "end_time", &format!("{:02}:30", 8 + n));
        create(&claire, &f)
    };
    for n in 1..=8 {
        concert(n);
    }
    let anon = server.client();
    let day_link = "/agenda?from=2027-03-02&amp;to=2027-03-02";
    for (who, c) in [("visitor", &anon), ("resident", &claire)] {
        let month = c.get("/agenda/month?m=2027-03");
        assert_eq!(month.status, 200);
        assert_eq!(
            month.body.matches("href=\"/e/").count(),
            6,
            "{who}: six dates in the cell"
        );
        assert!(month.body.contains("+ 2 autres"), "{who}: {}", month.body);
        assert!(month.body.contains(day_link), "{who}");
        // The earliest ones, in order.
        let (first, sixth) = (
            month.body.find("Concert 1<").unwrap(),
            month.body.find("Concert 6<").unwrap(),
        );
        assert!(first < sixth && !month.body.contains("Concert 7<"), "{who}");
        let week = c.get("/agenda/week?w=2027-W09");
        assert_eq!(week.body.matches("href=\"/e/").count(), 8, "{who}: all 8");
        assert!(!week.body.contains("autres"), "{who}");
    }
    // A ninth date: the memoised month of the visitor is recomputed.
    concert(9);
    let month = anon.get("/agenda/month?m=2027-03");
    assert!(month.body.contains("+ 3 autres"), "{}", month.body);
    let next = anon.get("/agenda/month?m=2027-04");
    assert!(!next.body.contains("href=\"/e/"), "nothing in April");
}
