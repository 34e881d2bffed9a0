//! The month grid, the week, the printable agenda, and the blocks of the home page and of
//! "my village".

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::{Datelike, Months, NaiveDate};
use maud::{html, Markup};

use super::{
    day_text, feed_alternates, feeds, filters, item, month_title, time_text, type_label, view_nav,
    week_title,
};
use crate::agenda::query::{week_code, AgendaQuery};
use crate::agenda::store::lists::{Choices, Item};
use crate::web::{page, page_with_feeds, Ctx};

fn short_weekdays(ctx: &Ctx) -> Vec<&'static str> {
    ctx.t("agenda.weekdays_short")
        .split(',')
        .map(str::trim)
        .collect()
}

/// « mardi », the day's weekday in the reader's language.
fn weekday(ctx: &Ctx, day: NaiveDate) -> &'static str {
    let index = day.weekday().num_days_from_monday() as usize;
    ctx.t("date.weekdays")
        .split(',')
        .nth(index)
        .unwrap_or("")
        .trim()
}

/// A date in a grid cell: time and title, struck through when off.
fn cell_item(ctx: &Ctx, i: &Item) -> Markup {
    let o = &i.occurrence;
    html! {
        li.cancelled[i.cancelled()] {
            @if !i.all_day { span.when { (time_text(ctx, false, o.start_utc, o.start_utc)) } " " }
            a href=(i.url()) { (i.title()) }
            @if i.cancelled() { " " span.visually-hidden { "(" (ctx.t("agenda.cancelled")) ")" } }
        }
    }
}

/// Dates shown in a cell of the month grid, and in a day of the week: the rest are behind a
/// link to that day's list, so that a busy month stays a light page.
pub const MONTH_CELL: usize = 6;
pub const WEEK_DAY: usize = 40;

/// « + 12 autres » linking to the list of that day, when a day has more than `shown` dates.
fn more(ctx: &Ctx, q: &AgendaQuery, day: NaiveDate, total: usize, shown: usize) -> Markup {
    let d = day.format("%Y-%m-%d").to_string();
    let f = q.filters_query();
    let href = if f.is_empty() {
        format!("/agenda?from={d}&to={d}")
    } else {
        format!("/agenda?from={d}&to={d}&{f}")
    };
    html! {
        @if total > shown {
            a.small href=(href) { (ctx.lang.tf("agenda.more", &[("n", &(total - shown).to_string())])) }
        }
    }
}

fn with_filters(path: &str, key: &str, value: &str, q: &AgendaQuery) -> String {
    let f = q.filters_query();
    if f.is_empty() {
        format!("{path}?{key}={value}")
    } else {
        format!("{path}?{key}={value}&{f}")
    }
}

/// GET /agenda/month: a table of weeks, Monday first, with each day's first dates and, in
/// `totals`, how many dates each day has.
pub fn month(
    ctx: &Ctx,
    q: &AgendaQuery,
    first: NaiveDate,
    grid: &[(NaiveDate, Vec<&Item>)],
    totals: &[usize],
    c: &Choices,
) -> HttpResponse {
    let title = month_title(ctx, first);
    let code = |d: NaiveDate| d.format("%Y-%m").to_string();
    let prev = first.checked_sub_months(Months::new(1)).unwrap_or(first);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    let m = code(first);
    let today = super::local(ctx, crate::db::now()).date();
    page_with_feeds(
        StatusCode::OK,
        ctx,
        &title,
        &feed_alternates(ctx, q, c),
        html! {
            h1 { (ctx.t("agenda.title")) " — " (title) }
            (view_nav(ctx, q, "month"))
            (filters(ctx, q, c, "/agenda/month", &[("m", &m)]))
            nav.pager aria-label=(ctx.t("agenda.months")) {
                a rel="prev" href=(with_filters("/agenda/month", "m", &code(prev), q)) { "← " (month_title(ctx, prev)) }
                a rel="next" href=(with_filters("/agenda/month", "m", &code(next), q)) { (month_title(ctx, next)) " →" }
                a.no-print href=(with_filters("/agenda/print", "m", &m, q)) { (ctx.t("agenda.print")) }
            }
            @if totals.iter().all(|n| *n == 0) { p { (ctx.t("agenda.nothing")) } }
            table.month {
                caption.visually-hidden { (title) }
                thead { tr { @for d in short_weekdays(ctx) { th scope="col" { (d) } } } }
                tbody {
                    @for (week, counts) in grid.chunks(7).zip(totals.chunks(7)) {
                        tr {
                            @for ((day, items), total) in week.iter().zip(counts) {
                                td.other[day.month() != first.month()].today[*day == today] {
                                    span.daynum {
                                        // On a phone the month is a list of the days that have
                                        // dates: each says its weekday (the columns are gone).
                                        @if !items.is_empty() { span.wd { (weekday(ctx, *day)) " " } }
                                        (day.day())
                                    }
                                    @if !items.is_empty() {
                                        ul { @for i in items.iter().take(MONTH_CELL) { (cell_item(ctx, i)) } }
                                        (more(ctx, q, *day, *total, MONTH_CELL))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (feeds(ctx, q))
        },
    )
}

/// GET /agenda/week: the seven days, one after the other.
pub fn week(
    ctx: &Ctx,
    q: &AgendaQuery,
    monday: NaiveDate,
    grid: &[(NaiveDate, Vec<&Item>)],
    totals: &[usize],
    c: &Choices,
) -> HttpResponse {
    let title = week_title(ctx, monday);
    let w = week_code(monday);
    let prev = week_code(monday - chrono::Duration::days(7));
    let next = week_code(monday + chrono::Duration::days(7));
    page_with_feeds(
        StatusCode::OK,
        ctx,
        &title,
        &feed_alternates(ctx, q, c),
        html! {
            h1 { (title) }
            (view_nav(ctx, q, "week"))
            (filters(ctx, q, c, "/agenda/week", &[("w", &w)]))
            nav.pager aria-label=(ctx.t("agenda.weeks")) {
                a rel="prev" href=(with_filters("/agenda/week", "w", &prev, q)) { (ctx.t("agenda.prev_week")) }
                a rel="next" href=(with_filters("/agenda/week", "w", &next, q)) { (ctx.t("agenda.next_week")) }
                a.no-print href=(with_filters("/agenda/print", "w", &w, q)) { (ctx.t("agenda.print")) }
            }
            @for ((day, items), total) in grid.iter().zip(totals) {
                section.day aria-labelledby={ "d-" (day) } {
                    h2 id={ "d-" (day) } { (day_text(ctx, *day)) }
                    @if items.is_empty() { p.small { (ctx.t("agenda.nothing_that_day")) } }
                    @else { ul.events { @for i in items.iter().take(WEEK_DAY) { (item(ctx, i)) } } }
                    (more(ctx, q, *day, *total, WEEK_DAY))
                }
            }
            (feeds(ctx, q))
        },
    )
}

/// GET /agenda/print: the days that have dates, compact, for an A4 sheet (the print
/// stylesheet hides the site's header, navigation and footer).
pub fn print(ctx: &Ctx, title: &str, grid: &[(NaiveDate, Vec<&Item>)]) -> HttpResponse {
    let site = crate::web::layout::site_name(ctx);
    page(
        ctx,
        title,
        html! {
            div.print-sheet {
                p.no-print.notice { (ctx.t("agenda.print_hint")) }
                h1 { (site) " — " (title) }
                @if grid.iter().all(|(_, items)| items.is_empty()) { p { (ctx.t("agenda.nothing")) } }
                @for (day, items) in grid.iter().filter(|(_, items)| !items.is_empty()) {
                    section.day {
                        h2 { (day_text(ctx, *day)) }
                        table.print-day {
                            tbody {
                                @for i in items {
                                    tr.cancelled[i.cancelled()] {
                                        td.when { (time_text(ctx, i.all_day, i.occurrence.start_utc, i.occurrence.end_utc)) }
                                        td {
                                            strong { (i.title()) }
                                            @if i.cancelled() { " — " (ctx.t("agenda.cancelled")) }
                                            br;
                                            (type_label(ctx, i.type_))
                                            @if !i.location.is_empty() { " · " (i.location) }
                                            @if let Some(org) = &i.organiser { " · " (org) (crate::directory::views::badge::official(ctx, i.organiser_official)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// A block of dates to come (home page, "my village"), with a link to the agenda.
pub fn block(ctx: &Ctx, heading_key: &str, items: &[Item], empty_key: &str) -> Markup {
    html! {
        section.agenda-block aria-labelledby="agenda-block-h" {
            h2 #agenda-block-h { (ctx.t(heading_key)) }
            @if items.is_empty() { p { (ctx.t(empty_key)) } }
            @for (day, list) in super::grouped(ctx, items) {
                h3 { (day_text(ctx, day)) }
                ul.events { @for i in list { (item(ctx, i)) } }
            }
            p { a href="/agenda" { (ctx.t("agenda.see_all")) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters() {
        let q = AgendaQuery {
            tag: "yoga".into(),
            ..Default::default()
        };
        assert_eq!(
            with_filters("/agenda/week", "w", "2027-W10", &q),
            "/agenda/week?w=2027-W10&tag=yoga"
        );
        assert_eq!(
            with_filters("/agenda/month", "m", "2027-03", &AgendaQuery::default()),
            "/agenda/month?m=2027-03"
        );
    }
}
