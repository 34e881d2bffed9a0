//! Room pages: the list with the week across rooms, a room with its rules, its week and the
//! booking form, the conflict report of a series, "my bookings". Managers' pages are in
//! `manage.rs`. The public sees "busy" without who booked, except for public bookings.

pub mod manage;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};

use super::rules::Rules;
use super::{Booking, BookingForm, Room, Slot, Status, Why};
use crate::agenda::query::week_code;
use crate::agenda::views::{day_text, local, time_text, week_title};
use crate::directory::hours::format_time;
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::{page, page_with_status, Ctx};

/// Who looks at a calendar: the booker and the room's managers see details.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    pub user_id: Option<i64>,
    pub manager: bool,
}

impl Viewer {
    /// Whether this viewer may see who booked and why.
    pub fn sees(&self, b: &Booking) -> bool {
        self.manager || (self.user_id.is_some() && b.user_id == self.user_id)
    }
}

/// What a room page shows.
pub struct RoomPage {
    pub room: Room,
    pub rules: Rules,
    pub week: Vec<Booking>,
    pub monday: NaiveDate,
    pub viewer: Viewer,
    /// Holds a confirmed booking: sees the access instructions.
    pub insider: bool,
    /// The actors the viewer may book for: (slug, name).
    pub actors: Vec<(String, String)>,
}

/// One booking in a calendar, as this viewer may see it; `None` when hidden (a request of
/// someone else).
/// `in_grid`: the time as plain text (the grid hides `.when` on phones).
fn entry(ctx: &Ctx, b: &Booking, v: Viewer, in_grid: bool) -> Option<Markup> {
    let detail = v.sees(b);
    if b.status == Status::Requested && !detail {
        return None;
    }
    Some(html! {
        li {
            @if in_grid { (time_text(ctx, false, b.start, b.end)) } @else { span.when { (time_text(ctx, false, b.start, b.end)) } }
            " "
            @if b.public {
                @if let Some(e) = &b.event_slug { a href={ "/e/" (e) } { (b.purpose) } } @else {
                    (b.purpose)
                    @if b.id > 0 { " " a.report.small href={ "/report/booking/" (b.id) } { (ctx.t("moderation.report")) } }
                }
            } @else if detail {
                (b.purpose)
            } @else {
                (ctx.t("rooms.busy"))
            }
            @if detail && b.id > 0 { " — " (booker(ctx, b)) }
            @if b.status == Status::Requested { " " span.badge { (ctx.t("rooms.status.requested")) } }
        }
    })
}

/// Who booked, as managers see it: the association, the person, or « ancien membre » once
/// the person deleted their account (the agenda's dates, with negative ids, have no booker).
pub(super) fn booker(ctx: &Ctx, b: &Booking) -> String {
    let label = b.booker_label();
    if label.is_empty() && b.id > 0 {
        ctx.t("privacy.former_member").to_string()
    } else {
        label
    }
}

fn week_nav(ctx: &Ctx, base: &str, monday: NaiveDate) -> Markup {
    let prev = monday - chrono::Duration::days(7);
    let next = monday + chrono::Duration::days(7);
    html! {
        nav.pager aria-label=(ctx.t("rooms.week_nav")) {
            a href={ (base) "?week=" (week_code(prev)) } rel="prev" { "← " (ctx.t("rooms.prev_week")) }
            " "
            a href={ (base) "?week=" (week_code(next)) } rel="next" { (ctx.t("rooms.next_week")) " →" }
        }
    }
}

/// The week as one list per day (readable on a phone, no script).
fn week(ctx: &Ctx, monday: NaiveDate, list: &[Booking], v: Viewer) -> Markup {
    html! {
        @for i in 0..7 {
            @let day = monday + chrono::Duration::days(i);
            @let items: Vec<Markup> = list.iter()
                .filter(|b| local(ctx, b.start).date() <= day && local(ctx, b.end - 1).date() >= day)
                .filter_map(|b| entry(ctx, b, v, false)).collect();
            section.day {
                h3 { (day_text(ctx, day)) }
                @if items.is_empty() { p.small { (ctx.t("rooms.free_all_day")) } }
                @else { ul.events { @for m in items { (m) } } }
            }
        }
    }
}

/// The week across rooms: one row per room, one column per day (no script; the agenda's month
/// grid style, smaller on phones).
fn grid(ctx: &Ctx, monday: NaiveDate, rooms: &[Room], list: &[Booking], v: Viewer) -> Markup {
    let names: Vec<&str> = ctx.t("date.weekdays").split(',').map(str::trim).collect();
    // On a phone the grid scrolls sideways inside its box (the page itself does not).
    html! {
        div.table-scroll role="region" aria-label=(week_title(ctx, monday)) tabindex="0" {
        table.month.rooms-week {
            caption.visually-hidden { (week_title(ctx, monday)) }
            thead {
                tr {
                    th scope="col" { (ctx.t("rooms_grid.room")) }
                    @for i in 0..7 {
                        @let day = monday + chrono::Duration::days(i);
                        th scope="col" { (names.get(i as usize).copied().unwrap_or("")) " " (day.day()) }
                    }
                }
            }
            tbody {
                @for r in rooms {
                    tr {
                        th scope="row" { a href={ "/rooms/" (r.slug) } { (r.name) } }
                        @for i in 0..7 {
                            @let day = monday + chrono::Duration::days(i);
                            @let items: Vec<Markup> = list.iter()
                                .filter(|b| b.room_id == r.id && local(ctx, b.start).date() == day)
                                .filter_map(|b| entry(ctx, b, v, true)).collect();
                            td { @if !items.is_empty() { ul { @for m in items { (m) } } } }
                        }
                    }
                }
            }
        }
        }
    }
}

/// GET /rooms
pub fn list(
    ctx: &Ctx,
    rooms: &[Room],
    list: &[Booking],
    monday: NaiveDate,
    v: Viewer,
    (at, pages): (usize, usize),
) -> HttpResponse {
    let week = week_code(monday);
    let pager = html! {
        @if pages > 1 {
            nav.pager aria-label=(ctx.t("rooms.pages")) {
                @if at > 1 { a href={ "/rooms?week=" (week) "&page=" (at - 1) } rel="prev" { "← " (ctx.t("rooms.prev_page")) } " " }
                span { (ctx.lang.tf("rooms.page_n", &[("n", &at.to_string()), ("of", &pages.to_string())])) }
                @if at < pages { " " a href={ "/rooms?week=" (week) "&page=" (at + 1) } rel="next" { (ctx.t("rooms.next_page")) " →" } }
            }
        }
    };
    page(
        ctx,
        ctx.t("rooms.title"),
        html! {
            h1 { (ctx.t("rooms.title")) }
            p.lead { (ctx.t("rooms.intro")) }
            @if ctx.user.is_some() {
                p.actions {
                    a href="/rooms/mine" { (ctx.t("rooms.mine")) } " · "
                    a href="/rooms/requests" { (ctx.t("rooms.requests")) }
                }
            }
            @if rooms.is_empty() {
                p { (ctx.t("rooms.none")) }
                @if ctx.user.is_some() && ctx.instance.enabled(crate::settings::Module::Directory) {
                    p { a.button href="/directory/new?kind=place&type=room" { (ctx.t("rooms.create")) } }
                }
            }
            ul.cards {
                @for r in rooms {
                    li.card {
                        @if let Some(p) = &r.photo { img.thumb src={ "/media/" (p) } alt="" width="64" height="64" loading="lazy"; }
                        h2 { a href={ "/rooms/" (r.slug) } { (r.name) } }
                        @if let Some(c) = r.capacity { p.small { (ctx.lang.tf("rooms.capacity_n", &[("n", &c.to_string())])) } }
                        @if !r.summary.is_empty() { p { (r.summary) } }
                    }
                }
            }
            h2 { (week_title(ctx, monday)) }
            (week_nav(ctx, "/rooms", monday))
            @if !rooms.is_empty() { (grid(ctx, monday, rooms, list, v)) }
            (pager)
        },
    )
}

fn minutes(m: i64) -> String {
    crate::time::format_duration(m)
}

fn rules_facts(ctx: &Ctx, room: &Room, r: &Rules) -> Markup {
    html! {
        dl.facts {
            @if let Some(c) = room.capacity { dt { (ctx.t("rooms.capacity")) } dd { (c) } }
            @if !room.equipment.is_empty() { dt { (ctx.t("rooms.equipment")) } dd { (room.equipment) } }
            @if !room.accessibility.is_empty() { dt { (ctx.t("rooms.accessibility")) } dd { (room.accessibility) } }
            dt { (ctx.t("rooms.hours")) }
            dd {
                @if room.hours.is_empty() { (ctx.t("rooms.always_open")) }
                @else {
                    @for (i, d) in ctx.t("date.weekdays").split(',').enumerate() {
                        @let ivs: Vec<String> = room.hours.0.iter().filter(|h| h.day as usize == i)
                            .map(|h| format!("{}–{}", format_time(h.open), format_time(h.close))).collect();
                        @if !ivs.is_empty() { (d.trim()) " " (ivs.join(", ")) br; }
                    }
                }
            }
            dt { (ctx.t("rooms.durations")) }
            dd { (ctx.lang.tf("rooms.durations_text", &[("min", &minutes(r.min_minutes)), ("max", &minutes(r.max_minutes))])) }
            @if r.buffer_minutes > 0 { dt { (ctx.t("rooms.buffer")) } dd { (minutes(r.buffer_minutes)) } }
            dt { (ctx.t("rooms.horizon")) } dd { (ctx.lang.tf("rooms.horizon_text", &[("n", &r.horizon_days.to_string())])) }
            dt { (ctx.t("rooms.who_label")) } dd {
                (ctx.t(&format!("rooms.who.{}", r.who.as_str())))
                @if !r.allowed.is_empty() {
                    " : " @for (i, a) in r.allowed.iter().enumerate() { @if i > 0 { ", " } a href={ "/a/" (a.1) } { (a.2) } }
                }
            }
            dt { (ctx.t("rooms.approval")) } dd { (ctx.t(if r.approval { "rooms.approval_yes" } else { "rooms.approval_no" })) }
            @if let Some(q) = r.quota_week { dt { (ctx.t("rooms.quota_week")) } dd { (q) } }
            @if let Some(q) = r.quota_month { dt { (ctx.t("rooms.quota_month")) } dd { (q) } }
            @if let Some(a) = &r.manager_actor { dt { (ctx.t("rooms.managed_by")) } dd { a href={ "/a/" (a.1) } { (a.2) } } }
        }
    }
}

/// The booking form's fields (also carried, hidden, by the conflict report).
fn booking_fields(
    ctx: &Ctx,
    f: &BookingForm,
    e: &FormErrors,
    actors: &[(String, String)],
) -> Markup {
    let mut who: Vec<(&str, String)> = vec![("", ctx.t("rooms.for_myself").to_string())];
    who.extend(actors.iter().map(|(s, n)| (s.as_str(), n.clone())));
    let repeats = [
        ("none", ctx.t("rooms.repeat.none").to_string()),
        ("weekly", ctx.t("rooms.repeat.weekly").to_string()),
        ("monthly", ctx.t("rooms.repeat.monthly").to_string()),
    ];
    html! {
        (Field::text("date", "rooms.date", &f.date).kind("date").render(ctx, e))
        (Field::text("start", "rooms.start", &f.start).kind("time").render(ctx, e))
        (Field::text("end", "rooms.end", &f.end).kind("time").render(ctx, e))
        (select(ctx, "actor", "rooms.on_behalf", &who, &f.actor))
        (Field::text("purpose", "rooms.purpose", &f.purpose).render(ctx, e))
        div.check {
            input #f-public type="checkbox" name="public" value="1" checked[f.public == "1"];
            label for="f-public" { (ctx.t("rooms.public_label")) }
        }
        (select(ctx, "repeat", "rooms.repeat_label", &repeats, if f.repeat.is_empty() { "none" } else { &f.repeat }))
        (Field::text("until", "rooms.until", &f.until).kind("date").optional().hint("rooms.until_hint").render(ctx, e))
    }
}

/// GET /rooms/{slug}, and the form re-rendered with a message (422, 409, 403).
pub fn room(
    ctx: &Ctx,
    p: &RoomPage,
    f: &BookingForm,
    e: &FormErrors,
    message: Option<&'static str>,
    status: StatusCode,
) -> HttpResponse {
    let r = &p.room;
    let base = format!("/rooms/{}", r.slug);
    page_with_status(
        status,
        ctx,
        &r.name,
        html! {
            h1 { (r.name) }
            p.small { a href={ "/a/" (r.slug) } { (ctx.t("rooms.directory_page")) } " · " a href="/rooms" { (ctx.t("rooms.all_rooms")) } }
            @if let Some(photo) = &r.photo { img.photo src={ "/media/" (photo) } alt=""; }
            @if !r.summary.is_empty() { p.lead { (r.summary) } }
            @if !r.address.is_empty() { p { (r.address) } }
            h2 { (ctx.t("rooms.rules")) }
            (rules_facts(ctx, r, &p.rules))
            @if (p.insider || p.viewer.manager) && !p.rules.access_instructions.is_empty() {
                section.notice {
                    h2 { (ctx.t("rooms.access")) }
                    p { (p.rules.access_instructions) }
                }
            }
            @if p.viewer.manager { p.actions { a.button href={ (base) "/manage" } { (ctx.t("rooms.manage")) } } }
            h2 { (week_title(ctx, p.monday)) }
            (week_nav(ctx, &base, p.monday))
            (week(ctx, p.monday, &p.week, p.viewer))
            p.small { a href={ (base) "/freebusy.ics" } { (ctx.t("rooms.freebusy_feed")) } }
            h2 #book { (ctx.t("rooms.book")) }
            @if ctx.user.is_none() {
                p { a href={ "/login?next=" (crate::web::url_encode(&base)) } { (ctx.t("rooms.login_to_book")) } }
            } @else {
                @if let Some(m) = message { div.notice.alert role="alert" { p { strong { (ctx.t(m)) } } } }
                form method="post" action={ (base) "/book" } {
                    (csrf(ctx))
                    (error_summary(ctx, e))
                    (booking_fields(ctx, f, e, &p.actors))
                    button type="submit" { (ctx.t("rooms.book_submit")) }
                }
            }
        },
    )
}

fn hidden(f: &BookingForm) -> Markup {
    html! {
        @for (k, v) in [("date", &f.date), ("start", &f.start), ("end", &f.end), ("actor", &f.actor),
                        ("purpose", &f.purpose), ("public", &f.public), ("repeat", &f.repeat), ("until", &f.until)] {
            input type="hidden" name=(k) value=(v);
        }
    }
}

/// The conflict report of a series: each occurrence with its reason, and two buttons.
pub fn report(
    ctx: &Ctx,
    room: &Room,
    f: &BookingForm,
    occ: &[(Slot, Option<Why>)],
) -> HttpResponse {
    let free = occ.iter().filter(|(_, w)| w.is_none()).count();
    let taken = occ.len() - free;
    page_with_status(
        StatusCode::CONFLICT,
        ctx,
        ctx.t("rooms.report_title"),
        html! {
            h1 { (ctx.t("rooms.report_title")) " — " (room.name) }
            @let key = if taken == occ.len() { "rooms.report_intro_none" } else { "rooms.report_intro" };
            p.lead { (ctx.lang.tf(key, &[("total", &occ.len().to_string()), ("taken", &taken.to_string())])) }
            table.report {
                thead { tr { th scope="col" { (ctx.t("rooms.date")) } th scope="col" { (ctx.t("rooms.report_state")) } } }
                tbody {
                    @for (s, why) in occ {
                        tr {
                            td { (day_text(ctx, s.start_local.date())) " " (s.start_local.format("%H:%M")) "–" (s.end_local.format("%H:%M")) }
                            td { @match why { Some(w) => strong.error { (ctx.t(w.key())) }, None => (ctx.t("rooms.report_free")) } }
                        }
                    }
                }
            }
            div.actions {
                @if free > 0 {
                    form.inline method="post" action={ "/rooms/" (room.slug) "/book" } {
                        (csrf(ctx))
                        (hidden(f))
                        input type="hidden" name="mode" value="free";
                        button type="submit" { (ctx.lang.tf("rooms.book_free", &[("n", &free.to_string())])) }
                    }
                }
                a.button href={ "/rooms/" (room.slug) } { (ctx.t("rooms.book_none")) }
            }
        },
    )
}

/// A status in words.
pub fn status_label(ctx: &Ctx, s: Status) -> &'static str {
    ctx.t(&format!("rooms.status.{}", s.as_str()))
}

/// The edit link and cancel buttons of a booking: this one, and the following ones of its series.
pub fn cancel_buttons(ctx: &Ctx, b: &Booking, next: &str) -> Markup {
    html! {
        @if matches!(b.status, Status::Requested | Status::Confirmed) {
            a href={ "/rooms/bookings/" (b.id) "/edit" } { (ctx.t("rooms_edit.link")) } " "
            form.inline method="post" action={ "/rooms/bookings/" (b.id) "/cancel" } {
                (csrf(ctx))
                input type="hidden" name="next" value=(next);
                button.danger type="submit" { (ctx.t("rooms.cancel_one")) }
            }
            @if b.series_id.is_some() {
                " "
                form.inline method="post" action={ "/rooms/bookings/" (b.id) "/cancel" } {
                    (csrf(ctx))
                    input type="hidden" name="next" value=(next);
                    input type="hidden" name="scope" value="following";
                    button.danger type="submit" { (ctx.t("rooms.cancel_following")) }
                }
            }
        }
    }
}

/// The confirmation of "cancel this one and the following ones" (how many dates go).
pub fn confirm_cancel(ctx: &Ctx, b: &Booking, count: usize, next: &str) -> HttpResponse {
    let title = ctx.t("rooms.cancel_following");
    crate::web::page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.lead { (ctx.lang.tf("rooms.cancel_following_confirm", &[
                ("n", &count.to_string()),
                ("room", &b.room_name),
                ("from", &ctx.lang.datetime(b.start, ctx.instance.time_zone)),
            ])) }
            form method="post" action={ "/rooms/bookings/" (b.id) "/cancel" } {
                (csrf(ctx))
                input type="hidden" name="next" value=(next);
                input type="hidden" name="scope" value="following";
                input type="hidden" name="confirm" value="yes";
                button.danger type="submit" { (ctx.t("rooms.cancel_following")) }
                " "
                a href=(if next.is_empty() { "/rooms/mine" } else { next }) { (ctx.t("rooms.keep_them")) }
            }
        },
    )
}

/// GET /rooms/mine: one's bookings; the private feed of each actor one administers.
pub fn mine(
    ctx: &Ctx,
    list: &[Booking],
    admin_of: &[(String, String)],
    new_feed: Option<&str>,
) -> HttpResponse {
    page(
        ctx,
        ctx.t("rooms.mine"),
        html! {
            h1 { (ctx.t("rooms.mine")) }
            @if let Some(url) = new_feed {
                div.notice role="status" { p { (ctx.t("rooms.feed_new")) } p { code.token { (url) } } }
            }
            @if list.is_empty() { p { (ctx.t("rooms.mine_none")) } }
            ul.events {
                @for b in list {
                    li {
                        span.when { (day_text(ctx, local(ctx, b.start).date())) " " (time_text(ctx, false, b.start, b.end)) }
                        " " a href={ "/rooms/" (b.room_slug) } { (b.room_name) } " · " (b.purpose)
                        @if let Some(a) = &b.actor { " (" (a.2) ")" }
                        " " span.badge { (status_label(ctx, b.status)) }
                        " " (cancel_buttons(ctx, b, "/rooms/mine"))
                    }
                }
            }
            @if !admin_of.is_empty() {
                h2 { (ctx.t("rooms.feeds")) }
                p.hint { (ctx.t("rooms.feeds_hint")) }
                @for (slug, name) in admin_of {
                    form.inline method="post" action={ "/rooms/feeds/" (slug) } {
                        (csrf(ctx))
                        button type="submit" { (ctx.lang.tf("rooms.feed_make", &[("name", name)])) }
                    }
                }
            }
        },
    )
}

/// « Mon village »: the person's next bookings, each with its room and time.
pub fn my_village_block(ctx: &Ctx, list: &[Booking]) -> Markup {
    let tz = ctx.instance.time_zone;
    html! {
        section aria-labelledby="my-bookings-h" {
            h2 #my-bookings-h { (ctx.t("rooms.mine")) }
            ul {
                @for b in list {
                    li {
                        a href={ "/rooms/" (b.room_slug) } { (b.room_name) }
                        " · " (ctx.lang.datetime(b.start, tz))
                        @if b.status == Status::Requested { " " span.badge { (ctx.t("rooms.status.requested")) } }
                    }
                }
            }
            p { a href="/rooms/mine" { (ctx.t("rooms.mine")) } }
        }
    }
}
