//! A proposal's dates as iCalendar (through THE writer, `crate::ical`): the opening of the
//! vote and its deadline, each a VEVENT with a stable UID, so a calendar that subscribed
//! updates them in place.

use super::Proposal;
use crate::ical::{utc_stamp, Writer};
use crate::web::Ctx;

/// The calendar of one proposal: the vote's opening (while it is ahead) and its deadline.
pub fn calendar(ctx: &Ctx, p: &Proposal) -> String {
    let url = ctx.absolute(&p.url());
    let mut w = Writer::default();
    w.line("BEGIN", "VCALENDAR");
    w.line("VERSION", "2.0");
    w.line("PRODID", "-//Placette//Votes//FR");
    w.line("CALSCALE", "GREGORIAN");
    w.text("X-WR-CALNAME", &p.title);
    let deadline = ctx.lang.tf("votes.ics_deadline", &[("title", &p.title)]);
    let opens = ctx.lang.tf("votes.ics_opens", &[("title", &p.title)]);
    for (uid, at, summary) in [
        ("opens", p.vote_start, opens),
        ("deadline", p.deadline, deadline),
    ] {
        w.line("BEGIN", "VEVENT");
        w.line("UID", &format!("proposal-{}-{uid}@placette", p.id));
        w.line("DTSTAMP", &utc_stamp(p.created_at));
        w.line("DTSTART", &utc_stamp(at));
        w.text("SUMMARY", &summary);
        w.line("URL", &url);
        w.line("TRANSP", "TRANSPARENT");
        w.line("END", "VEVENT");
    }
    w.line("END", "VCALENDAR");
    w.finish()
}
