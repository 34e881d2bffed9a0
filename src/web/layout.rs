//! The page layout every HTML page shares: header with navigation, main, footer.

use maud::{html, Markup, DOCTYPE};

use super::{assets, forms, Ctx};
use crate::i18n;
use crate::settings::Module;

/// The format of a feed a page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// RSS 2.0.
    Rss,
    /// iCalendar (RFC 5545), for calendar applications.
    Ical,
    /// JSON Feed 1.1.
    Json,
}

impl FeedFormat {
    /// The media type announced in `<link rel="alternate" type=...>`.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Ical => "text/calendar",
            FeedFormat::Json => "application/feed+json",
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.rss",
            FeedFormat::Ical => "feed.ical",
            FeedFormat::Json => "feed.json",
        }
    }
}

/// A feed a page offers, announced in the page's head (`<link rel="alternate">`), so that a
/// feed reader or a calendar application given the page's address finds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Alternate {
    pub format: FeedFormat,
    /// The feed's path (`/agenda.rss?tag=marche`).
    pub href: String,
    /// « Agenda (flux RSS) », in the reader's language.
    pub title: String,
}

impl Alternate {
    /// A feed of `name` (« Agenda », « Journal de la Chorale ») at `href`; the title adds the
    /// format, translated.
    pub fn new(ctx: &Ctx, format: FeedFormat, href: impl Into<String>, name: &str) -> Alternate {
        Alternate {
            format,
            href: href.into(),
            title: ctx.lang.tf(
                "feed.title",
                &[("name", name), ("format", ctx.t(format.label_key()))],
            ),
        }
    }
}

/// Wraps a page body in the site's layout; `feeds` are announced in the head, `description`
/// (its first line; the site's description when empty) in the meta description.
pub fn layout(
    ctx: &Ctx,
    title: &str,
    description: &str,
    feeds: &[Alternate],
    body: Markup,
) -> Markup {
    let site = site_name(ctx);
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (site) }
                meta name="description" content=(meta_description(ctx, description));
                link rel="stylesheet" href=(assets::url("placette.css"));
                link rel="icon" type="image/svg+xml" href=(assets::url("favicon.svg"));
                @for f in feeds {
                    link rel="alternate" type=(f.format.media_type()) href=(f.href) title=(f.title);
                }
            }
            body {
                a.skip href="#main" { (ctx.t("layout.skip")) }
                header.site {
                    a.brand href="/" { (site) }
                    // On a phone, the search box and the links fold behind « Menu » (a
                    // disclosure that needs no script); wider screens show them in the bar.
                    details.menu {
                        summary { (ctx.t("layout.menu")) }
                        div.menu-body {
                            @if ctx.instance.setup_done { (search_box(ctx)) }
                            (nav(ctx))
                        }
                    }
                }
                main #main {
                    @if let Some(key) = &ctx.flash {
                        p.flash role="status" { (ctx.t(key)) }
                    }
                    @if let Some((until, reason)) = ctx.user.as_ref().and_then(|u| u.suspension(crate::db::now())) {
                        p.flash.warning { (super::context::suspension_text(ctx, until, reason)) }
                    }
                    (body)
                }
                (footer(ctx))
            }
        }
    }
}

/// What search engines show under the page's title: the first line of `own` (else the site's
/// description, else its name), with personal data masked, on one line of 160 characters at most.
fn meta_description(ctx: &Ctx, own: &str) -> String {
    let first = |t: &str| {
        t.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    };
    let text = first(own)
        .or_else(|| first(&ctx.instance.description))
        .unwrap_or_else(|| site_name(ctx).to_string());
    crate::text::excerpt(&crate::personal_data::mask(&text, ctx.lang), 159)
}

/// The instance's name, or "Placette" before the setup.
pub fn site_name(ctx: &Ctx) -> &str {
    if ctx.instance.name.is_empty() {
        "Placette"
    } else {
        &ctx.instance.name
    }
}

/// The links to the modules switched on, in menu order.
fn module_links(ctx: &Ctx) -> Markup {
    let on = |m| ctx.instance.enabled(m);
    html! {
        @if on(Module::Directory) { li { a href="/directory" { (ctx.t("nav.directory")) } } }
        @if on(Module::Agenda) { li { a href="/agenda" { (ctx.t("module.agenda")) } } }
        @if on(Module::News) { li { a href="/news" { (ctx.t("module.news")) } } }
        @if on(Module::Aid) { li { a href="/aid" { (ctx.t("nav.aid")) } } }
        @if on(Module::Rooms) { li { a href="/rooms" { (ctx.t("nav.rooms")) } } }
        @if on(Module::Lists) { li { a href="/lists" { (ctx.t("nav.lists")) } } }
        @if on(Module::Votes) { li { a href="/votes" { (ctx.t("nav.votes")) } } }
        @if on(Module::Channels) { li { a href="/channels" { (ctx.t("nav.channels")) } } }
        @if on(Module::Directory) && on(Module::Map) { li { a href="/map" { (ctx.t("map.nav")) } } }
    }
}

fn nav(ctx: &Ctx) -> Markup {
    html! {
        nav aria-label=(ctx.t("layout.nav_label")) {
            ul {
                li { a href="/" { (ctx.t("nav.home")) } }
                @if !ctx.instance.setup_done {
                    // Before the first-run setup only the setup page exists.
                } @else if let Some(user) = &ctx.user {
                    (module_links(ctx))
                    @if ctx.instance.enabled(Module::Directory) {
                        li { a href="/my" { (ctx.t("nav.my")) } }
                    }
                    @if user.is_admin() {
                        li { a href="/admin" { (ctx.t("nav.admin")) } }
                    }
                    li { a href="/account" { (ctx.t("nav.account")) } }
                    li {
                        form.inline method="post" action="/logout" {
                            (forms::csrf(ctx))
                            button.link type="submit" { (ctx.t("nav.logout")) }
                        }
                    }
                } @else {
                    (module_links(ctx))
                    li { a href={ "/login?next=" (super::url_encode(&ctx.path)) } { (ctx.t("nav.login")) } }
                    li { a href="/signup" { (ctx.t("nav.signup")) } }
                }
            }
        }
    }
}

fn footer(ctx: &Ctx) -> Markup {
    html! {
        footer.site {
            form.inline method="post" action="/lang" {
                (forms::csrf(ctx))
                input type="hidden" name="next" value=(ctx.path);
                label for="footer-lang" { (ctx.t("layout.language")) " " }
                select #footer-lang name="lang" {
                    @for l in i18n::ALL {
                        option value=(l.code()) lang=(l.code()) selected[l == ctx.lang] { (l.native_name()) }
                    }
                }
                " "
                button type="submit" { (ctx.t("layout.change_language")) }
            }
            p { a href="/contact" { (ctx.t("contact.link")) } }
            p { (ctx.t("layout.powered_by")) }
        }
    }
}

/// The search box of the page header: a plain GET form to the site-wide `/search`.
fn search_box(ctx: &Ctx) -> Markup {
    html! {
        form.search method="get" action="/search" role="search" {
            label.visually-hidden for="header-q" { (ctx.t("search.label")) }
            input #header-q type="search" name="q" placeholder=(ctx.t("search.placeholder"));
            " "
            button type="submit" { (ctx.t("search.submit")) }
        }
    }
}
