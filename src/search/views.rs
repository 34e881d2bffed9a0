//! The search page: the form (works without JavaScript), results with their distance, pages.

use actix_web::HttpResponse;
use maud::html;

use super::index::{Results, SearchQuery, PER_PAGE};
use super::query::{SearchParams, DISTANCES};
use crate::web::forms::select;
use crate::web::{page as layout_page, url_encode, Ctx};

/// The kinds offered in the filter: things, then the directory's categories.
const KINDS: [&str; 7] = [
    "actor",
    "organisation",
    "project",
    "place",
    "person",
    "event",
    "news",
];

fn distance(ctx: &Ctx, km: Option<f64>) -> String {
    match km {
        Some(d) if d < 1.0 => ctx.lang.tf(
            "search.meters",
            &[("m", &format!("{:.0}", (d * 1000.0 / 50.0).round() * 50.0))],
        ),
        Some(d) => {
            let text = format!("{d:.1}");
            let text = if ctx.lang == crate::i18n::Lang::En {
                text
            } else {
                text.replace('.', ",")
            };
            ctx.lang.tf("search.km", &[("km", &text)])
        }
        None => ctx.t("search.no_place").to_string(),
    }
}

/// GET /search
pub fn page(
    ctx: &Ctx,
    p: &SearchParams,
    q: &SearchQuery,
    results: Option<&Results>,
    neighbours: Option<bool>,
) -> HttpResponse {
    let title = ctx.t("search.title");
    let mut kinds: Vec<(&str, String)> = vec![("", ctx.t("dir.all_kinds").to_string())];
    kinds.extend(
        KINDS
            .iter()
            .map(|k| (*k, ctx.t(&format!("search.kind.{k}")).to_string())),
    );
    let km = if p.km.is_empty() {
        format!("{}", q.radius_km)
    } else {
        p.km.clone()
    };
    let mut distances: Vec<(String, String)> = DISTANCES
        .iter()
        .map(|d| {
            (
                d.to_string(),
                ctx.lang.tf("search.within", &[("km", &d.to_string())]),
            )
        })
        .collect();
    if !distances.iter().any(|(v, _)| *v == km) {
        distances.insert(
            0,
            (km.clone(), ctx.lang.tf("search.within", &[("km", &km)])),
        );
    }
    let distances: Vec<(&str, String)> = distances
        .iter()
        .map(|(v, l)| (v.as_str(), l.clone()))
        .collect();
    let link = |page: usize| {
        format!(
            "/search?q={}&kind={}&tag={}&km={}&lat={}&lon={}&neighbours={}&page={page}",
            url_encode(&p.q),
            url_encode(&p.kind),
            url_encode(&p.tag),
            url_encode(&km),
            url_encode(&p.lat),
            url_encode(&p.lon),
            if q.neighbours { "1" } else { "0" }
        )
    };
    let wheres = [
        ("1", ctx.t("search.with_neighbours").to_string()),
        ("0", ctx.t("search.village_only").to_string()),
    ];
    layout_page(
        ctx,
        title,
        html! {
            h1 { (title) }
            form.filters method="get" action="/search" role="search" {
                div.field {
                    label for="f-q" { (ctx.t("search.label")) }
                    input #f-q type="search" name="q" value=(p.q);
                }
                (select(ctx, "kind", "dir.kind_label", &kinds, &p.kind))
                div.field {
                    label for="f-tag" { (ctx.t("dir.tag_label")) }
                    input #f-tag type="text" name="tag" value=(p.tag);
                }
                (select(ctx, "km", "search.distance", &distances, &km))
                @if let Some(with) = neighbours {
                    (select(ctx, "neighbours", "search.where", &wheres, if with { "1" } else { "0" }))
                }
                details {
                    summary { (ctx.t("search.other_point")) }
                    p.hint { (ctx.t("search.other_point_hint")) }
                    div.field { label for="f-lat" { (ctx.t("settings.lat")) } input #f-lat type="text" inputmode="decimal" name="lat" value=(p.lat); }
                    div.field { label for="f-lon" { (ctx.t("settings.lon")) } input #f-lon type="text" inputmode="decimal" name="lon" value=(p.lon); }
                }
                button type="submit" { (ctx.t("search.submit")) }
            }
            @if let Some(r) = results {
                p role="status" { (ctx.lang.tf("search.count", &[("n", &r.total.to_string()), ("km", &km)])) }
                p { a href={ "/map?kind=" (url_encode(&p.kind)) "&tag=" (url_encode(&p.tag)) "&q=" (url_encode(&p.q)) } { (ctx.t("search.on_map")) } }
                ol.results start=(q.page.saturating_sub(1) * PER_PAGE + 1) {
                    @for h in &r.hits {
                        li {
                            a href=(h.url) { (h.title) }
                            " "
                            span.small {
                                @if let Some(o) = &h.origin {
                                    (ctx.lang.tf("search.at_neighbour", &[("name", &o.name), ("host", &o.host())]))
                                    @if o.stale {
                                        " · " (ctx.lang.tf("search.copy_of", &[("date", &ctx.lang.datetime(o.pulled, ctx.instance.time_zone))]))
                                    }
                                } @else {
                                    (ctx.t(&format!("search.kind.{}", h.category)))
                                }
                                @if let Some(start) = h.date { " · " time datetime=(crate::time::rfc3339(start, ctx.instance.time_zone)) { (ctx.lang.datetime(start, ctx.instance.time_zone)) } }
                                " · " (distance(ctx, h.distance_km))
                            }
                        }
                    }
                }
                @let pages = r.total.div_ceil(PER_PAGE);
                @if pages > 1 {
                    nav.pager aria-label=(ctx.t("dir.pages")) {
                        @if q.page > 1 { a rel="prev" href=(link(q.page - 1)) { (ctx.t("dir.prev")) } " " }
                        span { (ctx.lang.tf("dir.page_of", &[("page", &q.page.to_string()), ("pages", &pages.to_string())])) }
                        @if q.page < pages { " " a rel="next" href=(link(q.page + 1)) { (ctx.t("dir.next")) } }
                    }
                }
            }
        },
    )
}
