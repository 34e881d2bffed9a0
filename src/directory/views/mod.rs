//! Directory pages: list, detail (with schema.org JSON-LD) and the edit form; the members'
//! pages are in `members.rs`.

pub mod badge;
mod form;
mod members;

pub use form::form;

pub use members::{invitation, members, my_village, InvitationView};

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};
use serde_json::json;

use super::form::{ContactForm, ListQuery, PER_PAGE};
use super::hours::format_time;
use super::store::Listing;
use super::{Access, Actor, Kind};
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::layout::{Alternate, FeedFormat};
use crate::web::{markdown, page, page_described, url_encode, Ctx};

fn type_label(ctx: &Ctx, type_: &str) -> &'static str {
    ctx.t(&format!("dir.type.{type_}"))
}

fn kind_label(ctx: &Ctx, kind: Kind) -> &'static str {
    ctx.t(&format!("dir.kind.{}", kind.as_str()))
}

pub(super) fn card(ctx: &Ctx, a: &Listing) -> Markup {
    html! {
        li.card {
            @if let Some(photo) = &a.photo { img.thumb src={ "/media/" (photo) } alt="" width="64" height="64" loading="lazy"; }
            h3 { a href={ "/a/" (a.slug) } { (a.name) } (badge::official(ctx, a.official)) }
            p.small { (kind_label(ctx, a.kind)) " · " (type_label(ctx, &a.type_)) }
            @if !a.summary.is_empty() { p { (a.summary) } }
            @if !a.tags.is_empty() {
                ul.tags aria-label=(ctx.t("dir.tags")) {
                    @for t in &a.tags { li { a href={ "/directory?tag=" (url_encode(t)) } { "#" (t) } } }
                }
            }
        }
    }
}

/// GET /directory
pub fn list(
    ctx: &Ctx,
    q: &ListQuery,
    items: &[Listing],
    total: i64,
    page_no: i64,
    tags: &[(String, i64)],
) -> HttpResponse {
    let title = ctx.t("dir.title");
    let mut kinds: Vec<(&str, String)> = vec![("", ctx.t("dir.all_kinds").to_string())];
    kinds.extend(
        Kind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(ctx, *k).to_string())),
    );
    let mut types: Vec<(&str, String)> = vec![("", ctx.t("dir.all_types").to_string())];
    for k in Kind::ALL {
        types.extend(
            k.types()
                .iter()
                .map(|t| (*t, type_label(ctx, t).to_string())),
        );
    }
    let mut tag_options: Vec<(&str, String)> = vec![("", ctx.t("dir.all_tags").to_string())];
    tag_options.extend(tags.iter().map(|(t, n)| (t.as_str(), format!("{t} ({n})"))));
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let query = |p: i64| {
        format!(
            "/directory?kind={}&type={}&tag={}&page={p}",
            url_encode(&q.kind),
            url_encode(&q.type_),
            url_encode(&q.tag)
        )
    };
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if ctx.user.is_some() { p { a.button href="/directory/new" { (ctx.t("dir.new")) } } }
            form.filters method="get" action="/directory" role="search" aria-label=(ctx.t("dir.filters")) {
                (select(ctx, "kind", "dir.kind_label", &kinds, &q.kind))
                (select(ctx, "type", "dir.type_label", &types, &q.type_))
                (select(ctx, "tag", "dir.tag_label", &tag_options, &q.tag))
                button type="submit" { (ctx.t("dir.filter")) }
            }
            p role="status" { (ctx.lang.tf("dir.count", &[("n", &total.to_string())])) }
            // The cards' names are h3: a heading of their own keeps the outline h1 → h2 → h3.
            h2.visually-hidden { (ctx.t("dir.results_heading")) }
            ul.cards { @for a in items { (card(ctx, a)) } }
            @if pages > 1 {
                nav.pager aria-label=(ctx.t("dir.pages")) {
                    @if page_no > 1 { a rel="prev" href=(query(page_no - 1)) { (ctx.t("dir.prev")) } " " }
                    span { (ctx.lang.tf("dir.page_of", &[("page", &page_no.to_string()), ("pages", &pages.to_string())])) }
                    @if page_no < pages { " " a rel="next" href=(query(page_no + 1)) { (ctx.t("dir.next")) } }
                }
            }
            @if ctx.instance.enabled(crate::settings::Module::Map) {
                p { a href={ "/map?kind=" (url_encode(&q.kind)) "&type=" (url_encode(&q.type_)) "&tag=" (url_encode(&q.tag)) } { (ctx.t("map.see_on_map")) } }
            }
            p.small {
                (ctx.t("dir.open_data")) " "
                a href="/directory.csv" { "CSV" } " · " a href="/directory.geojson" { "GeoJSON" } " · " a href="/api/v1/actors" { "JSON" }
            }
        },
    )
}

/// What the detail page shows around the actor: sub-pages, follows, members.
pub struct Around {
    pub children: Vec<Listing>,
    pub following: bool,
    pub followers: i64,
    pub members: i64,
    /// Its active admins: the last one cannot leave, so is not offered to.
    pub admins: i64,
    /// The originals of its masked text, for its admins and the moderators.
    pub originals: Vec<crate::personal_data::store::Original>,
}

/// What the detail page shows.
pub struct DetailPage<'a> {
    pub actor: &'a Actor,
    pub access: Access,
    /// Sub-pages, follows and members.
    pub around: &'a Around,
    /// The contact form being re-shown with errors.
    pub contact: Option<(&'a ContactForm, &'a FormErrors)>,
    /// What the modules have of this page: its next events, its latest news.
    pub blocks: Markup,
}

/// schema.org description of the actor. Links are absolute on the public address `base`
/// ([`Ctx::base`]), as search engines and federated readers expect.
fn json_ld(a: &Actor, base: &str) -> String {
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": a.kind.schema_org(),
        "name": a.name,
        "description": if a.summary.is_empty() { &a.description } else { &a.summary },
        "url": format!("{base}/a/{}", a.slug),
    });
    if let Some(photo) = &a.photo {
        v["image"] = json!(format!("{base}/media/{photo}"));
    }
    if !a.address.is_empty() {
        v["address"] = json!(a.address);
    }
    if let (Some(lat), Some(lon)) = (a.lat, a.lon) {
        v["geo"] = json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon});
    }
    let same_as: Vec<&String> = std::iter::once(&a.website)
        .filter(|w| !w.is_empty())
        .chain(&a.social)
        .collect();
    if !same_as.is_empty() {
        v["sameAs"] = json!(same_as);
    }
    if !a.hours.is_empty() && a.kind != Kind::Person {
        v["openingHoursSpecification"] = a.hours.schema_org();
    }
    if !a.tags.is_empty() {
        v["keywords"] = json!(a.tags.join(", "));
    }
    if let Some(c) = a.capacity {
        v["maximumAttendeeCapacity"] = json!(c);
    }
    if a.official && a.kind == Kind::Organisation {
        v["additionalType"] = json!("https://schema.org/GovernmentOrganization");
    }
    script_safe_json(&v.to_string())
}

/// Escapes `<`, `>` and `&` as JSON unicode escapes so serialized JSON can sit
/// in a script element: it stays valid JSON with the same value, and can
/// neither close the element nor open an HTML comment.
fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            _ => out.push(c),
        }
    }
    out
}

fn contact_form(ctx: &Ctx, a: &Actor, prefill: Option<(&ContactForm, &FormErrors)>) -> Markup {
    let empty = (ContactForm::default(), FormErrors::new());
    let (f, e) = prefill.unwrap_or((&empty.0, &empty.1));
    html! {
        section #contact aria-labelledby="contact-h" {
            h2 #contact-h { (ctx.lang.tf("dir.contact_title", &[("actor", &a.name)])) }
            p.hint { (ctx.t("dir.contact_intro")) }
            (error_summary(ctx, e))
            form method="post" action={ "/a/" (a.slug) "/contact#contact" } novalidate {
                (csrf(ctx))
                @if ctx.user.is_none() {
                    (Field::text("name", "dir.contact_name", &f.name).render(ctx, e))
                    (Field::text("email", "dir.contact_email", &f.email).kind("email").optional().hint("dir.contact_email_hint").render(ctx, e))
                }
                (Field::text("message", "dir.contact_message", &f.message).kind("textarea").render(ctx, e))
                div.check {
                    input #f-share_email type="checkbox" name="share_email" checked[f.share_email == "on"];
                    label for="f-share_email" { (ctx.t("dir.contact_share")) }
                }
                button type="submit" { (ctx.t("dir.contact_send")) }
            }
        }
    }
}

fn hours_table(ctx: &Ctx, a: &Actor) -> Markup {
    let days: Vec<&str> = ctx.t("date.weekdays").split(',').collect();
    html! {
        table.hours {
            caption { (ctx.t("dir.hours")) }
            tbody {
                @for d in 0..7u8 {
                    tr {
                        th scope="row" { (days.get(d as usize).copied().unwrap_or("")) }
                        td {
                            @let ivs: Vec<_> = a.hours.0.iter().filter(|i| i.day == d).collect();
                            @if ivs.is_empty() { (ctx.t("dir.closed")) }
                            @for (n, i) in ivs.iter().enumerate() {
                                @if n > 0 { ", " }
                                (format_time(i.open)) "–" (format_time(i.close))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The feeds of a public page, for its head: its journal (RSS) and the events it organises
/// or hosts (iCalendar; RSS and JSON of the agenda filtered on it). A members-only page has
/// none: its feeds answer 404.
fn feeds(ctx: &Ctx, a: &Actor) -> Vec<Alternate> {
    use crate::settings::Module;
    let mut feeds = Vec::new();
    if a.visibility != super::Visibility::Public {
        return feeds;
    }
    let base = format!("/a/{}", a.slug);
    if ctx.instance.enabled(Module::News) {
        let name = ctx
            .lang
            .tf("news.journal_of", &[("actor", a.name.as_str())]);
        feeds.push(Alternate::new(
            ctx,
            FeedFormat::Rss,
            format!("{base}/news.rss"),
            &name,
        ));
    }
    if ctx.instance.enabled(Module::Agenda) {
        let name = format!("{} · {}", ctx.t("agenda.title"), a.name);
        let filter = if a.kind == Kind::Place {
            "place"
        } else {
            "organiser"
        };
        let query = format!("?{filter}={}", url_encode(&a.slug));
        feeds.push(Alternate::new(
            ctx,
            FeedFormat::Ical,
            format!("{base}/agenda.ics"),
            &name,
        ));
        for (format, path) in [
            (FeedFormat::Rss, "/agenda.rss"),
            (FeedFormat::Json, "/agenda.json"),
        ] {
            feeds.push(Alternate::new(ctx, format, format!("{path}{query}"), &name));
        }
    }
    feeds
}

/// GET /a/{slug}
pub fn detail(ctx: &Ctx, p: &DetailPage, status: StatusCode) -> HttpResponse {
    let a = p.actor;
    page_described(
        status,
        ctx,
        &a.name,
        &a.summary,
        &feeds(ctx, a),
        html! {
            script type="application/ld+json" { (PreEscaped(json_ld(a, &ctx.base))) }
            article.actor {
                h1 { (a.name) (badge::official(ctx, a.official)) }
                p.small {
                    (kind_label(ctx, a.kind)) " · " (type_label(ctx, &a.type_))
                    @if let Some((slug, name)) = &a.parent { " · " (ctx.t("dir.part_of")) " " a href={ "/a/" (slug) } { (name) } }
                    @if a.visibility == super::Visibility::Members { " · " strong { (ctx.t("dir.members_only")) } }
                }
                @if let Some(photo) = &a.photo { img.photo src={ "/media/" (photo) } alt=(ctx.lang.tf("dir.photo_of", &[("actor", &a.name)])); }
                @if !a.summary.is_empty() { p.lead { (a.summary) } }
                @if !a.description.is_empty() { div.prose { (PreEscaped(markdown::render(&a.description))) } }
                (crate::personal_data::views::originals_of(ctx, "actor", a.id, &p.around.originals))
                @if !a.tags.is_empty() {
                    ul.tags aria-label=(ctx.t("dir.tags")) {
                        @for t in &a.tags { li { a href={ "/directory?tag=" (url_encode(t)) } { "#" (t) } } }
                    }
                }
                dl.facts {
                    @if !a.address.is_empty() { dt { (ctx.t("dir.address")) } dd { (a.address) } }
                    @if let (Some(lat), Some(lon)) = (a.lat, a.lon) {
                        dt { (ctx.t("dir.location")) }
                        dd { a href=(format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")) { (ctx.t("dir.on_osm")) } }
                    }
                    @if !a.phone.is_empty() { dt { (ctx.t("dir.phone")) } dd { a href={ "tel:" (a.phone.replace(' ', "")) } { (a.phone) } } }
                    @if !a.website.is_empty() { dt { (ctx.t("dir.website")) } dd { a href=(a.website) rel="nofollow noopener" { (a.website) } } }
                    @for s in &a.social { dt { (ctx.t("dir.social")) } dd { a href=(s) rel="nofollow noopener" { (s) } } }
                    @if let Some(c) = a.capacity { dt { (ctx.t("dir.capacity")) } dd { (c) } }
                    @if !a.equipment.is_empty() { dt { (ctx.t("dir.equipment")) } dd { (a.equipment) } }
                    @if !a.accessibility.is_empty() { dt { (ctx.t("dir.accessibility")) } dd { (a.accessibility) } }
                    dt { (ctx.t("dir.followers")) } dd { (p.around.followers) }
                    @if a.kind != Kind::Person && a.kind != Kind::Place { dt { (ctx.t("dir.member_count")) } dd { (p.around.members) } }
                }
                @if !a.hours.is_empty() { (hours_table(ctx, a)) }
                @if !p.around.children.is_empty() {
                    section aria-labelledby="children-h" {
                        h2 #children-h { (ctx.t("dir.children")) }
                        ul.cards { @for c in &p.around.children { (card(ctx, c)) } }
                    }
                }
                (actions(ctx, p))
            }
            (p.blocks)
            (contact_form(ctx, a, p.contact))
            p.no-print { a.report href={ "/report/actor/" (a.id) } { (ctx.t("moderation.report")) } }
        },
    )
}

pub(super) fn post_button(
    ctx: &Ctx,
    action: &str,
    label: &str,
    aria_label: Option<&str>,
) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            button type="submit" aria-label=[aria_label] { (label) }
        }
    }
}

fn actions(ctx: &Ctx, p: &DetailPage) -> Markup {
    let a = p.actor;
    let base = format!("/a/{}", a.slug);
    html! {
        div.actions {
            @if ctx.user.is_some() {
                @if p.around.following { (post_button(ctx, &format!("{base}/unfollow"), ctx.t("dir.unfollow"), None)) }
                @else { (post_button(ctx, &format!("{base}/follow"), ctx.t("dir.follow"), None)) }
                " "
                @if a.kind == Kind::Organisation || a.kind == Kind::Project {
                    @if p.access.admin && p.around.admins <= 1 {
                        span.small { (ctx.t("dir.sole_admin")) " " a href={ (base) "/members" } { (ctx.t("dir.sole_admin_link")) } }
                    }
                    @else if p.access.member { (post_button(ctx, &format!("{base}/leave"), ctx.t("dir.leave"), None)) }
                    @else if p.access.requested { span.small { (ctx.t("dir.requested")) } }
                    @else { (post_button(ctx, &format!("{base}/join"), ctx.t("dir.join"), None)) }
                    " "
                }
                @if p.access.member || p.access.can_manage() { a href={ (base) "/members" } { (ctx.t("dir.members")) } " " }
                @if p.access.can_manage() { a href={ (base) "/edit" } { (ctx.t("dir.edit")) } }
                @if ctx.user.as_ref().is_some_and(|u| u.is_admin()) { (official_form(ctx, a)) }
            } @else {
                a href={ "/login?next=" (url_encode(&base)) } { (ctx.t("dir.login_to_follow")) }
            }
        }
        @if ctx.instance.enabled(crate::settings::Module::Rooms) && a.kind == Kind::Place && a.type_ == "room" && a.visibility == crate::directory::Visibility::Public {
            p { a.button href={ "/rooms/" (a.slug) } { (ctx.t("dir.book_room")) } }
        }
        p.small {
            @if ctx.instance.enabled(crate::settings::Module::News) {
                a href={ (base) "/news" } { (ctx.lang.tf("news.journal_of", &[("actor", a.name.as_str())])) }
                " · " a href={ (base) "/news.rss" } { "RSS" } " · "
            }
            @if ctx.instance.enabled(crate::settings::Module::Agenda) {
                a href={ "/agenda?organiser=" (url_encode(&a.slug)) } { (ctx.t("module.agenda")) }
                " · " a href={ (base) "/agenda.ics" } { "iCalendar" }
                @if p.access.can_manage() {
                    " · " a href={ (base) "/agenda/import" } { (ctx.lang.tf("agenda_import.title", &[("name", a.name.as_str())])) }
                }
            }
        }
    }
}

/// The site admin's control: mark the page official (town hall, school, public service), or
/// no longer.
fn official_form(ctx: &Ctx, a: &Actor) -> Markup {
    html! {
        form.official-form method="post" action={ "/a/" (a.slug) "/official" } {
            (csrf(ctx))
            input type="hidden" name="official" value=(if a.official { "0" } else { "1" });
            p.hint { (ctx.t("dir.official_hint")) }
            button type="submit" {
                (ctx.t(if a.official { "dir.official_remove" } else { "dir.official_mark" }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::hours::Hours;
    use crate::directory::Visibility;

    fn actor(name: &str) -> Actor {
        Actor {
            id: 1,
            slug: "a-b".into(),
            kind: Kind::Organisation,
            type_: String::new(),
            name: name.into(),
            summary: "R&D <b>".into(),
            description: String::new(),
            tags: vec![],
            address: String::new(),
            lat: None,
            lon: None,
            phone: String::new(),
            website: String::new(),
            social: vec![],
            hours: Hours::default(),
            capacity: None,
            equipment: String::new(),
            accessibility: String::new(),
            photo: None,
            parent: None,
            visibility: Visibility::Public,
            rna_id: None,
            official: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn json_ld_cannot_break_out_of_its_script_element() {
        let name = "</script><!--<script>&";
        let out = json_ld(&actor(name), "https://v.example");
        assert!(!out.contains(['<', '>', '&']), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["name"], name);
        assert_eq!(back["description"], "R&D <b>");
        assert_eq!(back["url"], "https://v.example/a/a-b");
    }
}
