//! The map's pages: the map with its filters and list, the embeddable map, the admin section.

use actix_web::http::header;
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use super::{BBox, MapQuery, Point, LIST_LIMIT};
use crate::directory::Kind;
use crate::settings::tiles::tile_layer;
use crate::web::forms::select;
use crate::web::layout::site_name;
use crate::web::{assets, Ctx};

/// What the map page shows.
pub struct MapPage<'a> {
    pub query: &'a MapQuery,
    /// The located items, by source and name, at most [`LIST_LIMIT`].
    pub items: &'a [Point],
    /// Whether there were more than the list shows.
    pub more: bool,
    /// The directory's tags with their counts, for the filter.
    pub tags: &'a [(String, i64)],
    /// The absolute URL of the embeddable map with the same filters.
    pub embed_src: &'a str,
    /// The box of the first view (the items within the village circle); `None`: the circle.
    pub view: Option<BBox>,
    /// With linked neighbours, whether their items are shown (the page offers the other
    /// choice); `None` without neighbours.
    pub neighbours: Option<bool>,
}

/// The label of an item's kind and type, as the directory names them.
fn kind_and_type(ctx: &Ctx, p: &Point) -> String {
    match p.source {
        super::store::ACTOR_SOURCE => format!(
            "{} · {}",
            ctx.t(&format!("dir.kind.{}", p.kind)),
            ctx.t(&format!("dir.type.{}", p.type_))
        ),
        crate::neighbours::KIND => ctx.t("map.legend_neighbour").to_string(),
        _ => String::new(),
    }
}

/// The stylesheets of a page with a map.
fn map_styles() -> Markup {
    html! {
        link rel="stylesheet" href=(assets::url("vendor/leaflet/leaflet.css"));
        link rel="stylesheet" href=(assets::url("map.css"));
    }
}

/// The scripts of a page with a map (deferred, from this site: no inline script).
fn map_scripts() -> Markup {
    html! {
        script src=(assets::url("vendor/leaflet/leaflet.js")) defer {}
        script src=(assets::url("js/map.js")) defer {}
    }
}

/// The box `map.js` fills, with everything it needs in data attributes. Its height is kept from
/// the start, so the list under it does not move when the map is drawn; `map.css` hides it
/// when scripts are off. The first view fits `view` (`minLon,minLat,maxLon,maxLat`), or the
/// village circle.
fn map_box(ctx: &Ctx, q: &MapQuery, view: Option<BBox>, embedded: bool) -> Markup {
    let (tiles, attribution) = tile_layer(&ctx.instance);
    let home = format!("/map?{}", q.filters_query());
    let bounds = view.map(|b| {
        format!(
            "{:.6},{:.6},{:.6},{:.6}",
            b.min_lon, b.min_lat, b.max_lon, b.max_lat
        )
    });
    html! {
        div #map .map.map-large role="region" aria-label=(ctx.t("map.region"))
            data-lat=(ctx.instance.center_lat) data-lon=(ctx.instance.center_lon)
            data-radius-km=(ctx.instance.radius_km) data-bounds=[bounds]
            data-tiles=(tiles) data-attribution=(attribution)
            data-geojson={ "/map.geojson?" (q.filters_query()) }
            data-cluster-label=(ctx.t("map.cluster_label"))
            data-target=[embedded.then_some("_blank")]
            data-home-url=[embedded.then_some(home.as_str())]
            data-home-label=[embedded.then(|| site_name(ctx))] {}
    }
}

/// The legend of the pins: each mark as `map.css` draws the pins' (`.map-mark.kind-*`, or the
/// source's), with its name; only the modules that are on. `map.css` hides it when scripts
/// are off, as the map itself.
fn legend(ctx: &Ctx, neighbours: bool) -> Markup {
    let mut marks: Vec<(String, String)> = Kind::ALL
        .iter()
        .map(|k| {
            (
                format!("kind-{}", k.as_str()),
                ctx.t(&format!("dir.kind.{}", k.as_str())).to_string(),
            )
        })
        .collect();
    // The other modules' items (events, mutual aid) have one mark per module.
    for source in super::sources() {
        let shown = source.name != crate::neighbours::KIND || neighbours;
        if source.name != super::store::ACTOR_SOURCE && ctx.instance.enabled(source.module) && shown
        {
            marks.push((
                format!("source-{}", source.name),
                ctx.t(&format!("map.legend_{}", source.name)).to_string(),
            ));
        }
    }
    html! {
        ul.map-legend aria-label=(ctx.t("map.legend")) {
            @for (class, label) in &marks {
                li { span.map-mark.(class) aria-hidden="true" { span {} } " " (label) }
            }
        }
    }
}

/// The filter form (kind, type, tag), which works without JavaScript.
fn filters(ctx: &Ctx, q: &MapQuery, tags: &[(String, i64)]) -> Markup {
    let mut kinds: Vec<(&str, String)> = vec![("", ctx.t("dir.all_kinds").to_string())];
    kinds.extend(Kind::ALL.iter().map(|k| {
        (
            k.as_str(),
            ctx.t(&format!("dir.kind.{}", k.as_str())).to_string(),
        )
    }));
    let mut types: Vec<(&str, String)> = vec![("", ctx.t("dir.all_types").to_string())];
    for k in Kind::ALL {
        types.extend(
            k.types()
                .iter()
                .map(|t| (*t, ctx.t(&format!("dir.type.{t}")).to_string())),
        );
    }
    let mut tag_options: Vec<(&str, String)> = vec![("", ctx.t("dir.all_tags").to_string())];
    tag_options.extend(tags.iter().map(|(t, n)| (t.as_str(), format!("{t} ({n})"))));
    html! {
        form.filters method="get" action="/map" role="search" aria-label=(ctx.t("map.filters")) {
            div.field {
                label for="map-q" { (ctx.t("search.label")) }
                input #map-q type="search" name="q" value=(q.q);
            }
            @for (name, value) in [("km", &q.km), ("lat", &q.lat), ("lon", &q.lon)] {
                @if !value.is_empty() { input type="hidden" name=(name) value=(value); }
            }
            (select(ctx, "kind", "dir.kind_label", &kinds, &q.kind))
            (select(ctx, "type", "dir.type_label", &types, &q.type_))
            (select(ctx, "tag", "dir.tag_label", &tag_options, &q.tag))
            button type="submit" { (ctx.t("dir.filter")) }
        }
    }
}

/// The same map with the neighbours' items the other way.
fn toggled(q: &MapQuery, with: bool) -> String {
    let mut other = q.clone();
    other.neighbours = if with { "0" } else { "1" }.to_string();
    format!("/map?{}", other.filters_query())
}

/// Whether the visitor chose any filter (the filters then show unfolded).
fn filtered(q: &MapQuery) -> bool {
    [&q.q, &q.kind, &q.type_, &q.tag]
        .iter()
        .any(|v| !v.is_empty())
}

/// Escapes a value for an HTML attribute of the snippet (shown as text, pasted as HTML).
fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// GET /map
pub fn page(ctx: &Ctx, p: &MapPage) -> HttpResponse {
    let title = ctx.t("map.title");
    let snippet = format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"450\" style=\"border:0\" loading=\"lazy\"></iframe>",
        attribute(p.embed_src),
        attribute(&ctx.lang.tf("map.embed_frame_title", &[("site", site_name(ctx))]))
    );
    crate::web::page(
        ctx,
        title,
        html! {
            (map_styles())
            h1 { (title) }
            // The map first (on a phone it is the first thing seen), the filters folded under
            // it, open when some apply.
            (map_box(ctx, p.query, p.view, false))
            (legend(ctx, p.neighbours == Some(true)))
            @if let Some(with) = p.neighbours {
                p {
                    a href=(toggled(p.query, with)) {
                        (ctx.t(if with { "map.hide_neighbours" } else { "map.show_neighbours" }))
                    }
                }
            }
            noscript { p.notice { (ctx.t("map.noscript")) } }
            details.filters-box open[filtered(p.query)] {
                summary { (ctx.t("map.filters")) }
                (filters(ctx, p.query, p.tags))
            }
            section aria-labelledby="map-list-h" {
                h2 #map-list-h { (ctx.t("map.list_heading")) }
                @if p.items.is_empty() {
                    p role="status" { (ctx.t("map.empty")) }
                } @else {
                    p role="status" { (ctx.lang.tf("map.count", &[("n", &p.items.len().to_string())])) }
                    ul.map-list {
                        @for item in p.items {
                            li { a href=(item.url) { (item.title) } " " span.small { (kind_and_type(ctx, item)) } }
                        }
                    }
                    @if p.more {
                        p.notice role="note" { (ctx.lang.tf("map.truncated", &[("n", &LIST_LIMIT.to_string())])) }
                    }
                }
            }
            // The code to put this map on another site is for the site's admins.
            @if ctx.user.as_ref().is_some_and(|u| u.is_admin()) {
                section aria-labelledby="map-embed-h" {
                    h2 #map-embed-h { (ctx.t("map.embed_heading")) }
                    p.hint #map-embed-hint { (ctx.t("map.embed_hint")) }
                    label for="map-embed" { (ctx.t("map.embed_label")) }
                    textarea #map-embed .snippet readonly rows="3" aria-describedby="map-embed-hint" { (snippet) }
                }
            }
            (map_scripts())
        },
    )
}

/// GET /embed/map: the map alone on a page of its own (no header, no footer), for an iframe.
pub fn embed(ctx: &Ctx, q: &MapQuery, view: Option<BBox>) -> HttpResponse {
    let site = site_name(ctx);
    let full = format!("/map?{}", q.filters_query());
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (ctx.t("map.title")) " · " (site) }
                link rel="stylesheet" href=(assets::url("placette.css"));
                (map_styles())
            }
            body.embed {
                (map_box(ctx, q, view, true))
                (legend(ctx, q.neighbours == "1"))
                noscript {
                    p { a href=(full) target="_blank" rel="noopener" { (ctx.lang.tf("map.open_full", &[("site", site)])) } }
                }
                (map_scripts())
            }
        }
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}
