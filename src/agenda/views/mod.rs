//! The agenda's pages: the upcoming list (here), the month, week and printable views and the
//! home and "my village" blocks (`calendar.rs`), the event page (`event.rs`), the forms and
//! the moderation queue (`form.rs`).

pub mod calendar;
pub mod event;
pub mod form;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use maud::{html, Markup};

use super::query::{AgendaQuery, PER_PAGE};
use super::store::lists::{Choices, Item};
use super::EventType;
use crate::search::query::DISTANCES;
use crate::time::{local_to_utc, utc_to_local};
use crate::web::forms::select;
use crate::web::layout::{Alternate, FeedFormat};
use crate::web::{page_with_feeds, url_encode, Ctx};

/// The translated name of an event type.
pub fn type_label(ctx: &Ctx, t: EventType) -> &'static str {
    ctx.t(&format!("agenda.type.{}", t.as_str()))
}

/// The local wall time of an instant, in the instance's zone.
pub fn local(ctx: &Ctx, t: i64) -> NaiveDateTime {
    utc_to_local(ctx.instance.time_zone, t)
}

/// A day in words, in the reader's language: « mardi 2 mars 2027 ».
pub fn day_text(ctx: &Ctx, d: NaiveDate) -> String {
    let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default();
    ctx.lang.date(
        local_to_utc(ctx.instance.time_zone, noon),
        ctx.instance.time_zone,
    )
}

/// « décembre 2026 ».
pub fn month_title(ctx: &Ctx, first: NaiveDate) -> String {
    let month = ctx
        .t("date.months")
        .split(',')
        .nth(first.month0() as usize)
        .unwrap_or("")
        .trim();
    ctx.lang.tf(
        "agenda.month_title",
        &[("month", month), ("year", &first.year().to_string())],
    )
}

/// « Semaine 48 : du lundi 23 au dimanche 29 novembre 2026 ».
pub fn week_title(ctx: &Ctx, monday: NaiveDate) -> String {
    let sunday = monday + chrono::Duration::days(6);
    ctx.lang.tf(
        "agenda.week_title",
        &[
            ("week", &monday.iso_week().week().to_string()),
            ("from", &day_text(ctx, monday)),
            ("to", &day_text(ctx, sunday)),
        ],
    )
}

/// When a date happens within its day: « 18:30–20:00 », « toute la journée », or with the day
/// it ends when it runs past midnight.
pub fn time_text(ctx: &Ctx, all_day: bool, start: i64, end: i64) -> String {
    if all_day {
        let (a, b) = (
            local(ctx, start).date(),
            local(ctx, (end - 1).max(start)).date(),
        );
        return if a == b {
            ctx.t("agenda.all_day").to_string()
        } else {
            ctx.lang
                .tf("agenda.until_day", &[("day", &day_text(ctx, b))])
        };
    }
    let (s, e) = (local(ctx, start), local(ctx, end));
    let hm = |t: NaiveDateTime| t.format("%H:%M").to_string();
    if end <= start {
        hm(s)
    } else if s.date() == e.date() {
        format!("{}–{}", hm(s), hm(e))
    } else {
        format!("{} → {} {}", hm(s), day_text(ctx, e.date()), hm(e))
    }
}

/// One date in a list: time, title, type, place, organiser, tags; struck through when off.
pub fn item(ctx: &Ctx, i: &Item) -> Markup {
    let o = &i.occurrence;
    html! {
        li.event.cancelled[i.cancelled()] {
            span.when { (time_text(ctx, i.all_day, o.start_utc, o.end_utc)) }
            " "
            a.title href=(i.url()) { (i.title()) }
            @if i.cancelled() { " " strong.badge { (ctx.t("agenda.cancelled")) } }
            @if i.members_only { " " span.badge { (ctx.t("agenda.members_only")) } }
            br;
            span.small {
                (type_label(ctx, i.type_))
                @if !i.location.is_empty() { " · " (i.location) }
                @if let Some(org) = &i.organiser { " · " (org) (crate::directory::views::badge::official(ctx, i.organiser_official)) }
                @else if i.organiser_gone { " · " (ctx.t("privacy.former_member")) }
                @if !o.note.is_empty() { " · " (o.note) }
            }
            @if !i.tags.is_empty() {
                ul.tags aria-label=(ctx.t("dir.tags")) {
                    @for t in &i.tags { li { a href={ "/agenda?tag=" (url_encode(t)) } { "#" (t) } } }
                }
            }
        }
    }
}

/// The links between the views (list, month, week, print), keeping the filters.
pub fn view_nav(ctx: &Ctx, q: &AgendaQuery, current: &str) -> Markup {
    let f = q.filters_query();
    let sep = if f.is_empty() { "" } else { "?" };
    let views = [
        ("list", "/agenda", "agenda.view_list"),
        ("month", "/agenda/month", "agenda.view_month"),
        ("week", "/agenda/week", "agenda.view_week"),
    ];
    html! {
        nav.subnav aria-label=(ctx.t("agenda.views")) {
            @for (name, path, key) in views {
                @if name == current { strong aria-current="page" { (ctx.t(key)) } }
                @else { a href={ (path) (sep) (f) } { (ctx.t(key)) } }
                " · "
            }
            a href="/agenda/new" { (ctx.t("agenda.new")) }
        }
    }
}

/// The filter form of every view; `keep` are the hidden fields of the view (month, week).
pub fn filters(
    ctx: &Ctx,
    q: &AgendaQuery,
    c: &Choices,
    action: &str,
    keep: &[(&str, &str)],
) -> Markup {
    let mut types: Vec<(&str, String)> = vec![("", ctx.t("agenda.all_types").to_string())];
    types.extend(
        EventType::ALL
            .iter()
            .map(|t| (t.as_str(), type_label(ctx, *t).to_string())),
    );
    let pairs = |all: &str, list: &[(String, String)]| {
        let mut v: Vec<(String, String)> = vec![(String::new(), ctx.t(all).to_string())];
        v.extend(list.iter().cloned());
        v
    };
    let organisers = pairs("agenda.all_organisers", &c.organisers);
    let places = pairs("agenda.all_places", &c.places);
    let tags: Vec<(String, String)> = pairs(
        "dir.all_tags",
        &c.tags
            .iter()
            .map(|t| (t.clone(), format!("#{t}")))
            .collect::<Vec<_>>(),
    );
    let mut km: Vec<(String, String)> =
        vec![(String::new(), ctx.t("agenda.any_distance").to_string())];
    km.extend(DISTANCES.iter().map(|d| {
        (
            d.to_string(),
            ctx.lang.tf("search.within", &[("km", &d.to_string())]),
        )
    }));
    fn borrow(v: &[(String, String)]) -> Vec<(&str, String)> {
        v.iter().map(|(a, b)| (a.as_str(), b.clone())).collect()
    }
    html! {
        details.filters-box open[!q.filters_query().is_empty() || !q.from.is_empty() || !q.to.is_empty()] {
            summary { (ctx.t("agenda.filters")) }
            form.filters method="get" action=(action) role="search" aria-label=(ctx.t("agenda.filters")) {
                @for (name, value) in keep { input type="hidden" name=(name) value=(value); }
                (select(ctx, "type", "dir.type_label", &types, &q.type_))
                (select(ctx, "tag", "dir.tag_label", &borrow(&tags), &q.tag))
                (select(ctx, "organiser", "agenda.organiser", &borrow(&organisers), &q.organiser))
                (select(ctx, "place", "agenda.place", &borrow(&places), &q.place))
                (select(ctx, "km", "search.distance", &borrow(&km), &q.km))
                @if action == "/agenda" {
                    div.field { label for="f-from" { (ctx.t("agenda.from")) } input #f-from type="date" name="from" value=(q.from); }
                    div.field { label for="f-to" { (ctx.t("agenda.to")) } input #f-to type="date" name="to" value=(q.to); }
                }
                details {
                    summary { (ctx.t("search.other_point")) }
                    div.field { label for="f-lat" { (ctx.t("settings.lat")) } input #f-lat type="text" inputmode="decimal" name="lat" value=(q.lat); }
                    div.field { label for="f-lon" { (ctx.t("settings.lon")) } input #f-lon type="text" inputmode="decimal" name="lon" value=(q.lon); }
                }
                button type="submit" { (ctx.t("dir.filter")) }
            }
        }
    }
}

/// The subscription links (iCalendar, RSS, JSON) with the filters in use.
pub fn feeds(ctx: &Ctx, q: &AgendaQuery) -> Markup {
    let f = q.filters_query();
    let sep = if f.is_empty() { "" } else { "?" };
    html! {
        p.small.no-print {
            (ctx.t("agenda.subscribe")) " "
            a href={ "/agenda.ics" (sep) (f) } { "iCalendar" } " · "
            a href={ "/agenda.rss" (sep) (f) } { "RSS" } " · "
            a href={ "/agenda.json" (sep) (f) } { "JSON" }
        }
    }
}

/// What the agenda's feeds follow, in words: « Agenda », « Agenda · Chorale du Val · #marché ».
pub fn feed_name(ctx: &Ctx, q: &AgendaQuery, c: &Choices) -> String {
    let named = |pairs: &[(String, String)], slug: &str| {
        pairs
            .iter()
            .find(|(s, _)| s == slug)
            .map_or(slug.to_string(), |(_, n)| n.clone())
    };
    let mut name = ctx.t("agenda.title").to_string();
    let mut add = |part: String| {
        if !part.is_empty() {
            name.push_str(" · ");
            name.push_str(&part);
        }
    };
    add(named(&c.organisers, q.organiser.trim()));
    add(named(&c.places, q.place.trim()));
    let tag = q.tag.trim().trim_start_matches('#');
    add(if tag.is_empty() {
        String::new()
    } else {
        format!("#{tag}")
    });
    add(EventType::parse(q.type_.trim()).map_or(String::new(), |t| type_label(ctx, t).into()));
    name
}

/// The agenda's feeds with the filters in use, for the page's head: RSS, iCalendar, JSON.
pub fn feed_alternates(ctx: &Ctx, q: &AgendaQuery, c: &Choices) -> Vec<Alternate> {
    let f = q.filters_query();
    let sep = if f.is_empty() { "" } else { "?" };
    let name = feed_name(ctx, q, c);
    [
        (FeedFormat::Rss, "/agenda.rss"),
        (FeedFormat::Ical, "/agenda.ics"),
        (FeedFormat::Json, "/agenda.json"),
    ]
    .into_iter()
    .map(|(format, path)| Alternate::new(ctx, format, format!("{path}{sep}{f}"), &name))
    .collect()
}

/// Dates grouped by their local day, in order.
pub fn grouped<'a>(ctx: &Ctx, items: &'a [Item]) -> Vec<(NaiveDate, Vec<&'a Item>)> {
    let mut out: Vec<(NaiveDate, Vec<&Item>)> = Vec::new();
    for i in items {
        let day = local(ctx, i.occurrence.start_utc).date();
        match out.last_mut() {
            Some((d, list)) if *d == day => list.push(i),
            _ => out.push((day, vec![i])),
        }
    }
    out
}

/// A neighbour's event in the list: (summary, neighbour's name, neighbour's base URL).
pub type Remote = (crate::neighbours::Item, String, String);

/// One line of the list: this village's date or a neighbour's event.
enum Row<'a> {
    Local(&'a Item),
    Remote(&'a Remote),
}

impl Row<'_> {
    fn start(&self) -> i64 {
        match self {
            Row::Local(i) => i.occurrence.start_utc,
            Row::Remote(r) => r.0.start.unwrap_or(0),
        }
    }
}

/// The list's lines by local day, this village's and the neighbours' mixed by start.
fn rows_by_day<'a>(
    ctx: &Ctx,
    items: &'a [Item],
    remote: &'a [Remote],
) -> Vec<(NaiveDate, Vec<Row<'a>>)> {
    let mut rows: Vec<Row> = items.iter().map(Row::Local).collect();
    rows.extend(remote.iter().map(Row::Remote));
    rows.sort_by_key(Row::start);
    let mut out: Vec<(NaiveDate, Vec<Row>)> = Vec::new();
    for r in rows {
        let day = local(ctx, r.start()).date();
        match out.last_mut() {
            Some((d, list)) if *d == day => list.push(r),
            _ => out.push((day, vec![r])),
        }
    }
    out
}

fn remote_item(ctx: &Ctx, r: &Remote) -> Markup {
    let (i, name, base) = r;
    let host = crate::federation::host_of(base).unwrap_or_default();
    let start = i.start.unwrap_or(0);
    html! {
        li.event.remote {
            span.when { time datetime=(crate::time::rfc3339(start, ctx.instance.time_zone)) { (time_text(ctx, false, start, start)) } }
            " "
            a.title href=(i.url) { (i.title) }
            br;
            span.small { (ctx.lang.tf("search.at_neighbour", &[("name", name), ("host", &host)])) }
        }
    }
}

/// GET /agenda; `neighbours`: with linked neighbours, whether their events are shown (and
/// those of this page's span).
pub fn list(
    ctx: &Ctx,
    q: &AgendaQuery,
    items: &[Item],
    next: Option<&str>,
    c: &Choices,
    neighbours: (Option<bool>, &[Remote]),
) -> HttpResponse {
    let title = ctx.t("agenda.title");
    let f = q.filters_query();
    let more = next.map(|n| {
        let mut link = format!("/agenda?after={}", url_encode(n));
        for (k, v) in [("from", &q.from), ("to", &q.to)] {
            if !v.is_empty() {
                link.push_str(&format!("&{k}={}", url_encode(v)));
            }
        }
        if !f.is_empty() {
            link.push('&');
            link.push_str(&f);
        }
        link
    });
    let (with, remote) = neighbours;
    let toggle = with.map(|w| {
        let sep = if f.is_empty() { "" } else { "&" };
        (
            format!("/agenda?neighbours={}{sep}{f}", if w { "0" } else { "1" }),
            if w {
                "agenda.hide_neighbours"
            } else {
                "agenda.show_neighbours"
            },
        )
    });
    page_with_feeds(
        StatusCode::OK,
        ctx,
        title,
        &feed_alternates(ctx, q, c),
        html! {
            h1 { (title) }
            (view_nav(ctx, q, "list"))
            (filters(ctx, q, c, "/agenda", &[]))
            @if let Some((href, label)) = &toggle { p { a href=(href) { (ctx.t(label)) } } }
            @if items.is_empty() && remote.is_empty() { p role="status" { (ctx.t("agenda.nothing")) } }
            @for (day, list) in rows_by_day(ctx, items, remote) {
                section.day aria-labelledby={ "d-" (day) } {
                    h2 id={ "d-" (day) } { (day_text(ctx, day)) }
                    ul.events {
                        @for r in &list {
                            @match r {
                                Row::Local(i) => (item(ctx, i)),
                                Row::Remote(x) => (remote_item(ctx, x)),
                            }
                        }
                    }
                }
            }
            @if let Some(link) = more {
                nav.pager aria-label=(ctx.t("dir.pages")) {
                    a rel="next" href=(link) { (ctx.lang.tf("agenda.later", &[("n", &PER_PAGE.to_string())])) }
                }
            }
            (feeds(ctx, q))
        },
    )
}
