//! Mutual aid pages: the list with its filters, "my posts", a post's page with its matches
//! and the reply form, the post form, the close/extend confirmation.

pub mod admin;
pub mod talk;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::form::ListQuery;
use super::store::talk::Conversation;
use super::{format_price, now, Category, Kind, Post, PostForm, Price, Status, CONDITIONS};
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::{markdown, page, page_with_status, url_encode, Ctx};

/// A date in the user's language and the instance's time zone, machine-readable too.
pub(super) fn when(ctx: &Ctx, unix: i64) -> Markup {
    let iso = chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default();
    html! { time datetime=(iso) { (ctx.lang.date(unix, ctx.instance.time_zone)) } }
}

/// A small form with one button.
pub(super) fn button(ctx: &Ctx, action: &str, label: &str) -> Markup {
    crate::web::forms::post_button(ctx, action, label, None)
}

fn price(ctx: &Ctx, p: &Post) -> Option<String> {
    p.price.map(|pr| match pr {
        Price::Cents(c) => format_price(ctx.lang, c),
        Price::Free => ctx.t("aid.price_free").to_string(),
        Price::Exchange => ctx.t("aid.price_exchange").to_string(),
    })
}

/// Kind, category, price, author, date: the line under a post's title.
fn facts(ctx: &Ctx, p: &Post) -> Markup {
    html! {
        p.small {
            strong { (ctx.t(&format!("aid.kind.{}", p.kind.as_str()))) }
            " · " (ctx.t(&format!("aid.category.{}", p.category.as_str())))
            @if let Some(pr) = price(ctx, p) { " · " strong { (pr) } }
            @if let Some(c) = &p.condition { " · " (ctx.t(&format!("aid.condition.{c}"))) }
            " · "
            @match &p.actor {
                Some((_, slug, name)) => { a href={ "/a/" (slug) } { (name) } }
                None => { (p.author_name) }
            }
            " · " (when(ctx, p.created_at))
            @if p.status != Status::Open { " · " strong { (ctx.t(&format!("aid.status.{}", p.status.as_str()))) } }
            @if p.status == Status::Open && p.expires_at <= now() { " · " strong { (ctx.t("aid.status.expired")) } }
            @if p.hidden { " · " strong { (ctx.t("aid.hidden")) } }
        }
    }
}

/// A distance with one decimal, with the language's decimal sign.
fn km(ctx: &Ctx, d: f64) -> String {
    let s = format!("{d:.1}");
    match ctx.lang {
        crate::i18n::Lang::En => s,
        _ => s.replace('.', ","),
    }
}

/// A post in a list.
pub(super) fn card(ctx: &Ctx, p: &Post, distance: Option<f64>) -> Markup {
    html! {
        article.card.aid-post id={ "aid-" (p.id) } {
            @if let Some(img) = &p.photo { img.thumb src={ "/media/" (img) } alt="" width="64" height="64" loading="lazy"; }
            h2 { a href=(p.url()) { (p.title) } }
            (facts(ctx, p))
            @if let Some(d) = distance { p.small { (ctx.lang.tf("aid.distance", &[("km", &km(ctx, d))])) } }
        }
    }
}

/// What the list page shows.
pub struct ListPage<'a> {
    pub query: &'a ListQuery,
    pub posts: &'a [Post],
    pub more: bool,
    pub page: i64,
}

fn filters(ctx: &Ctx, q: &ListQuery) -> Markup {
    let mut kinds = vec![("", ctx.t("aid.all_kinds").to_string())];
    kinds.extend(Kind::ALL.iter().map(|k| {
        (
            k.as_str(),
            ctx.t(&format!("aid.kind.{}", k.as_str())).to_string(),
        )
    }));
    kinds.push(("ads", ctx.t("aid.all_ads").to_string()));
    let mut cats = vec![("", ctx.t("aid.all_categories").to_string())];
    cats.extend(Category::ALL.iter().map(|c| {
        (
            c.as_str(),
            ctx.t(&format!("aid.category.{}", c.as_str())).to_string(),
        )
    }));
    let km: Vec<(&str, String)> = [("", ctx.t("aid.any_distance").to_string())]
        .into_iter()
        .chain(
            ["1", "3", "5", "10", "25"]
                .into_iter()
                .map(|k| (k, ctx.lang.tf("aid.within", &[("km", k)]))),
        )
        .collect();
    html! {
        form.filters method="get" action="/aid" role="search" {
            (select(ctx, "kind", "aid.kind_label", &kinds, &q.kind))
            (select(ctx, "category", "aid.category_label", &cats, &q.category))
            (select(ctx, "km", "aid.distance_label", &km, q.km.trim()))
            details open[!q.lat.trim().is_empty()] {
                summary { (ctx.t("search.other_point")) }
                p.hint { (ctx.t("search.other_point_hint")) }
                div.field { label for="f-lat" { (ctx.t("settings.lat")) } input #f-lat type="text" inputmode="decimal" name="lat" value=(q.lat); }
                div.field { label for="f-lon" { (ctx.t("settings.lon")) } input #f-lon type="text" inputmode="decimal" name="lon" value=(q.lon); }
            }
            button type="submit" { (ctx.t("aid.filter")) }
        }
    }
}

/// GET /aid
pub fn list(ctx: &Ctx, p: &ListPage) -> HttpResponse {
    let title = ctx.t("aid.title");
    let q = p.query;
    let keep = format!(
        "/aid?kind={}&category={}&km={}&lat={}&lon={}",
        url_encode(&q.kind),
        url_encode(&q.category),
        url_encode(&q.km),
        url_encode(&q.lat),
        url_encode(&q.lon)
    );
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("aid.intro")) }
            p.actions {
                a.button href="/aid/new?kind=offer" { (ctx.t("aid.new_offer")) } " "
                a.button href="/aid/new?kind=need" { (ctx.t("aid.new_need")) } " "
                a.button href="/aid/new?kind=ad_sale" { (ctx.t("aid.new_ad")) }
            }
            @if ctx.user.is_some() {
                p.small {
                    a href="/aid/mine" { (ctx.t("aid.mine")) } " · "
                    a href="/aid/conversations" { (ctx.t("aid.conversations")) } " · "
                    a href="/aid/digest" { (ctx.t("aid.digest")) }
                    @if ctx.user.as_ref().is_some_and(super::is_staff) { " · " a href="/moderation" { (ctx.t("aid.moderation")) } }
                    @if ctx.user.as_ref().is_some_and(|u| u.is_admin()) { " · " a href="/aid/settings" { (ctx.t("aid.settings")) } }
                }
            }
            (filters(ctx, q))
            @if p.posts.is_empty() { p { (ctx.t("aid.empty")) } }
            div.posts { @for post in p.posts { (card(ctx, post, None)) } }
            @if p.more || p.page > 1 {
                nav.pager aria-label=(ctx.t("dir.pages")) {
                    @if p.page > 1 { a rel="prev" href={ (keep) "&page=" (p.page - 1) } { (ctx.t("aid.newer")) } " " }
                    @if p.more { a rel="next" href={ (keep) "&page=" (p.page + 1) } { (ctx.t("aid.older")) } }
                }
            }
        },
    )
}

/// GET /aid/mine
pub fn mine(ctx: &Ctx, posts: &[Post]) -> HttpResponse {
    let title = ctx.t("aid.mine");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { a href="/aid" { (ctx.t("aid.back")) } }
            @if posts.is_empty() { p { (ctx.t("aid.mine_empty")) } }
            div.posts {
                @for p in posts {
                    (card(ctx, p, None))
                    p.small { (ctx.lang.tf("aid.expires_on", &[("date", &ctx.lang.date(p.expires_at, ctx.instance.time_zone))])) }
                }
            }
        },
    )
}

/// What a post's page shows.
pub struct PostPage<'a> {
    pub post: &'a Post,
    /// The open posts that answer it, with their distance.
    pub matches: &'a [(Post, Option<f64>)],
    /// The viewer's thread with the author, if they already replied.
    pub conversation: Option<&'a Conversation>,
    /// The reply form as typed, with its error (a 422 re-render).
    pub reply: Option<(&'a str, &'static str)>,
    /// The originals of its masked text, when the viewer is its author or a moderator.
    pub originals: &'a [crate::personal_data::store::Original],
}

fn owner_tools(ctx: &Ctx, p: &Post) -> Markup {
    html! {
        section.card #manage aria-labelledby="manage-h" {
            h2 #manage-h { (ctx.t("aid.manage")) }
            p.small { (ctx.lang.tf("aid.expires_on", &[("date", &ctx.lang.date(p.expires_at, ctx.instance.time_zone))])) }
            p {
                a href={ (p.url()) "/edit" } { (ctx.t("aid.edit")) } " "
                @if p.status == Status::Open { (button(ctx, &format!("{}/close", p.url()), ctx.t("aid.close"))) " " }
                (button(ctx, &format!("{}/extend", p.url()), ctx.t("aid.extend")))
            }
        }
    }
}

fn reply_form(ctx: &Ctx, p: &Post, typed: &str, error: Option<&'static str>) -> Markup {
    let mut e = FormErrors::new();
    if let Some(k) = error {
        e.add("body", k);
    }
    html! {
        section #reply aria-labelledby="reply-h" {
            h2 #reply-h { (ctx.t("aid.reply")) }
            p.hint { (ctx.t("aid.reply_hint")) }
            (error_summary(ctx, &e))
            form method="post" action={ (p.url()) "/reply" } {
                (csrf(ctx))
                (Field::text("body", "aid.message_label", typed).kind("textarea").render(ctx, &e))
                button type="submit" { (ctx.t("aid.send")) }
            }
        }
    }
}

/// GET /aid/{id}
pub fn post_page(ctx: &Ctx, pp: &PostPage, status: StatusCode) -> HttpResponse {
    let p = pp.post;
    let me = ctx.user.as_ref();
    let is_author = me.is_some_and(|u| u.id == p.author_id);
    let answers = ctx.t(&format!("aid.matches.{}", p.kind.counterpart().as_str()));
    page_with_status(
        status,
        ctx,
        &p.title,
        html! {
            p { a href="/aid" { (ctx.t("aid.back")) } }
            article.aid-post {
                h1 { (p.title) }
                (facts(ctx, p))
                @if p.hidden { p.notice { (ctx.t("aid.hidden_notice")) } }
                @if let Some(img) = &p.photo { img.photo src={ "/media/" (img) } alt="" loading="lazy"; }
                div.markdown { (PreEscaped(markdown::render(&p.description))) }
                (crate::personal_data::views::originals_of(ctx, "aid", p.id, pp.originals))
                @if p.available_from.is_some() || p.available_until.is_some() {
                    p {
                        (ctx.t("aid.available")) " "
                        @if let Some(f) = p.available_from { (ctx.t("aid.from")) " " (when(ctx, f)) " " }
                        @if let Some(u) = p.available_until { (ctx.t("aid.until")) " " (when(ctx, u)) }
                    }
                }
                @if p.point.is_some() {
                    p.small {
                        (ctx.t(if p.actor.is_some() { "aid.location" } else { "aid.location_approx" }))
                         " " a href="/map?kind=aid" { (ctx.t("aid.on_map")) }
                    }
                }
            }
            @if is_author { (owner_tools(ctx, p)) }
            @if !pp.matches.is_empty() {
                section aria-labelledby="matches-h" {
                    h2 #matches-h { (answers) }
                    div.posts { @for (m, d) in pp.matches { (card(ctx, m, *d)) } }
                }
            }
            @if !is_author && p.is_public(now()) {
                @match (me, pp.conversation) {
                    (None, _) => { p { a href={ "/login?next=" (url_encode(&p.url())) } { (ctx.t("aid.login_to_reply")) } } }
                    (Some(_), Some(t)) => { p { a href=(t.url()) { (ctx.t("aid.your_conversation")) } } }
                    (Some(_), None) => { (reply_form(ctx, p, pp.reply.map_or("", |r| r.0), pp.reply.map(|r| r.1))) }
                }
                p { a.report href={ "/report/aid/" (p.id) } { (ctx.t("aid.report")) } }
            }
        },
    )
}

/// What the post form needs.
pub struct FormPage<'a> {
    pub action: &'a str,
    pub form: &'a PostForm,
    pub errors: &'a FormErrors,
    /// The actors the user may post for: `(id, name, point)`.
    pub actors: &'a [crate::aid::store::ManagedActor],
    pub photo: Option<&'a str>,
}

fn radios(
    ctx: &Ctx,
    name: &'static str,
    legend: &str,
    options: &[(&str, String)],
    selected: &str,
    e: &FormErrors,
) -> Markup {
    let error = e.get(name);
    html! {
        fieldset id={ "f-" (name) } aria-describedby=[error.map(|_| format!("f-{name}-error"))] {
            legend { (legend) }
            @if let Some(err) = error { p.error id={ "f-" (name) "-error" } { (ctx.t(err)) } }
            @for (value, label) in options {
                div.check {
                    input type="radio" name=(name) id={ (name) "-" (value) } value=(value) checked[*value == selected];
                    label for={ (name) "-" (value) } { (label) }
                }
            }
        }
    }
}

/// GET /aid/new and /aid/{id}/edit (and their 422 re-renders).
pub fn form_page(ctx: &Ctx, fp: &FormPage, status: StatusCode) -> HttpResponse {
    let f = fp.form;
    let e = fp.errors;
    let editing = fp.action.ends_with("/edit");
    let title = ctx.t(if editing {
        "aid.edit_title"
    } else {
        "aid.new_title"
    });
    let kinds: Vec<(&str, String)> = Kind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                ctx.t(&format!("aid.kind.{}", k.as_str())).to_string(),
            )
        })
        .collect();
    let cats: Vec<(&str, String)> = Category::ALL
        .iter()
        .map(|c| {
            (
                c.as_str(),
                ctx.t(&format!("aid.category.{}", c.as_str())).to_string(),
            )
        })
        .collect();
    let prices: Vec<(&str, String)> = [
        ("price", "aid.price_amount"),
        ("free", "aid.price_free"),
        ("exchange", "aid.price_exchange"),
    ]
    .iter()
    .map(|(v, k)| (*v, ctx.t(k).to_string()))
    .collect();
    let mut conditions = vec![("", ctx.t("aid.condition_none").to_string())];
    conditions.extend(
        CONDITIONS
            .iter()
            .map(|c| (*c, ctx.t(&format!("aid.condition.{c}")).to_string())),
    );
    let mut actors = vec![(String::new(), ctx.t("aid.as_myself").to_string())];
    actors.extend(
        fp.actors
            .iter()
            .map(|(id, name, _)| (id.to_string(), name.clone())),
    );
    let actor_opts: Vec<(&str, String)> = actors
        .iter()
        .map(|(v, l)| (v.as_str(), l.clone()))
        .collect();
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { a href="/aid" { (ctx.t("aid.back")) } }
            (error_summary(ctx, e))
            (crate::personal_data::views::edit_note(ctx, &[&f.title, &f.description]))
            form method="post" action=(fp.action) enctype="multipart/form-data" novalidate {
                (csrf(ctx))
                (radios(ctx, "kind", ctx.t("aid.kind_label"), &kinds, &f.kind, e))
                (radios(ctx, "category", ctx.t("aid.category_label"), &cats, &f.category, e))
                (Field::text("title", "aid.title_label", &f.title).hint("aid.title_hint").render(ctx, e))
                (Field::text("description", "aid.description_label", &f.description).kind("textarea").optional().hint("aid.description_hint").render(ctx, e))
                fieldset {
                    legend { (ctx.t("aid.ad_legend")) }
                    p.hint { (ctx.t("aid.ad_hint")) }
                    (radios(ctx, "price_kind", ctx.t("aid.price_kind_label"), &prices, &f.price_kind, e))
                    (Field::text("price", "aid.price_label", &f.price).optional().render(ctx, e))
                    (select(ctx, "condition", "aid.condition_label", &conditions, &f.condition))
                }
                (Field::text("available_from", "aid.from_label", &f.available_from).kind("date").optional().render(ctx, e))
                (Field::text("available_until", "aid.until_label", &f.available_until).kind("date").optional().render(ctx, e))
                @if fp.actors.is_empty() {
                    input type="hidden" name="actor" value="";
                } @else {
                    (select(ctx, "actor", "aid.actor_label", &actor_opts, &f.actor))
                }
                (Field::text("address", "aid.address_label", &f.address).optional().hint("aid.address_hint").address("f-lat", "f-lon").render(ctx, e))
                input #f-lat type="hidden" name="lat" value=(f.lat);
                input #f-lon type="hidden" name="lon" value=(f.lon);
                div.field.invalid[e.get("photo").is_some()] {
                    label for="f-photo" { (ctx.t("aid.photo_label")) " " span.optional { (ctx.t("form.optional")) } }
                    @if let Some(err) = e.get("photo") { p.error #f-photo-error { (ctx.t(err)) } }
                    input #f-photo type="file" name="image" accept="image/jpeg,image/png,image/webp";
                }
                @if let Some(img) = fp.photo {
                    img.thumb src={ "/media/" (img) } alt=(ctx.t("aid.current_photo")) width="64" height="64";
                    div.check {
                        input #f-remove_photo type="checkbox" name="remove_photo" checked[f.remove_photo == "on"];
                        label for="f-remove_photo" { (ctx.t("aid.remove_photo")) }
                    }
                }
                button type="submit" { (ctx.t(if editing { "form.save" } else { "aid.publish" })) }
            }
        },
    )
}

/// GET /aid/{id}/close and /aid/{id}/extend: one button to confirm.
pub fn confirm(ctx: &Ctx, p: &Post, extend: bool, days: i64) -> HttpResponse {
    let title = ctx.t(if extend { "aid.extend" } else { "aid.close" });
    let action = format!("{}/{}", p.url(), if extend { "extend" } else { "close" });
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { a href=(p.url()) { (p.title) } }
            p { @if extend { (ctx.lang.tf("aid.extend_explain", &[("days", &days.to_string())])) } @else { (ctx.t("aid.close_explain")) } }
            (button(ctx, &action, title))
        },
    )
}
