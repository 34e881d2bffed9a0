//! A proposal's dates as iCalendar (through THE writer, `crate::ical`): the opening of the
//! vote and its deadline, each a VEVENT with a stable UID, so a calendar that subscribed
//! updates them in place.

use super::{Proposal, Summary};
use crate::ical::{utc_stamp, Writer};
use crate::web::Ctx;

fn begin(name: &str) -> Writer {
    let mut w = Writer::default();
    w.line("BEGIN", "VCALENDAR");
    w.line("VERSION", "2.0");
    w.line("PRODID", "-//Placette//Votes//FR");
    w.line("CALSCALE", "GREGORIAN");
    w.text("X-WR-CALNAME", name);
    w
}

/// The two events of a proposal: the vote opens, the vote closes.
fn events(
    w: &mut Writer,
    ctx: &Ctx,
    (id, title): (i64, &str),
    (start, deadline): (i64, i64),
    stamp: i64,
) {
    let url = ctx.absolute(&format!("/votes/{id}"));
    let closes = ctx.lang.tf("votes.ics_deadline", &[("title", title)]);
    let opens = ctx.lang.tf("votes.ics_opens", &[("title", title)]);
    for (uid, at, summary) in [("opens", start, opens), ("deadline", deadline, closes)] {
        w.line("BEGIN", "VEVENT");
        w.line("UID", &format!("proposal-{id}-{uid}@placette"));
        w.line("DTSTAMP", &utc_stamp(stamp));
        w.line("DTSTART", &utc_stamp(at));
        w.text("SUMMARY", &summary);
        w.line("URL", &url);
        w.line("TRANSP", "TRANSPARENT");
        w.line("END", "VEVENT");
    }
}

/// The calendar of one proposal: the vote's opening and its deadline.
pub fn calendar(ctx: &Ctx, p: &Proposal) -> String {
    let mut w = begin(&p.title);
    events(
        &mut w,
        ctx,
        (p.id, &p.title),
        (p.vote_start, p.deadline),
        p.created_at,
    );
    w.line("END", "VCALENDAR");
    w.finish()
}

/// The village's calendar of proposals (the village's and the public pages'): each one's
/// opening and deadline, to subscribe to once.
pub fn feed(ctx: &Ctx, items: &[Summary]) -> String {
    let mut w = begin(ctx.t("votes.title"));
    for s in items {
        events(
            &mut w,
            ctx,
            (s.id, &s.title),
            (s.vote_start, s.deadline),
            s.vote_start,
        );
    }
    w.line("END", "VCALENDAR");
    w.finish()
}
