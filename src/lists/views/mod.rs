//! The lists' pages: the index, a list's sign-up page, the list form, the relay's limits,
//! the notices of the subscription steps, the import; `mailings` has the editors' pages and
//! `archive` the public archive. No subscriber address appears on a public page.

pub mod archive;
pub mod mailings;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::{ImportForm, LimitsForm, List, ListForm, Mailing, Rights};
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::layout::{Alternate, FeedFormat};
use crate::web::{markdown, page, page_with_feeds, page_with_status, Ctx};

/// Who runs a list: its actor, or the village.
pub fn owner(ctx: &Ctx, list: &List) -> Markup {
    html! {
        @match &list.actor {
            Some((_, slug, name)) => { a href={ "/a/" (slug) } { (name) } }
            None => { (ctx.instance.name) }
        }
    }
}

/// GET /lists
pub fn index(ctx: &Ctx, lists: &[List], may_create: bool) -> HttpResponse {
    let body = html! {
        h1 { (ctx.t("lists.title")) }
        p { (ctx.t("lists.intro")) }
        @if lists.is_empty() { p { (ctx.t("lists.none")) } }
        ul.cards {
            @for l in lists {
                li.card {
                    h2 { a href=(l.url()) { (l.name) } }
                    p.small { (owner(ctx, l)) " · " (l.frequency.describe(ctx.lang))
                        @if !l.public { " · " strong { (ctx.t("lists.private")) } } }
                    @if !l.purpose.is_empty() { p { (l.purpose) } }
                }
            }
        }
        @if may_create { p { a.button href="/lists/new" { (ctx.t("lists.new")) } } }
    };
    page(ctx, ctx.t("lists.title"), body)
}

/// What the sign-up page shows.
pub struct SignUp<'a> {
    pub list: &'a List,
    pub rights: Rights,
    pub email: &'a str,
    pub errors: &'a FormErrors,
    pub active: i64,
    pub next_possible: Option<i64>,
    pub recent: &'a [Mailing],
}

/// The sign-up form (on the list's page, and the home page's box for the village list).
pub fn sign_up_form(
    ctx: &Ctx,
    list: &List,
    email: &str,
    errors: &FormErrors,
    from: &str,
) -> Markup {
    let consent_err = errors.get("consent");
    html! {
        form method="post" action=(list.url()) {
            (csrf(ctx))
            input type="hidden" name="from" value=(from);
            (Field::text("email", "lists.email_label", email).kind("email").autocomplete("email").render(ctx, errors))
            div.field.check.invalid[consent_err.is_some()] {
                @if let Some(err) = consent_err { p.error id="f-consent-error" { (ctx.t(err)) } }
                input #f-consent type="checkbox" name="consent" required
                    aria-describedby=[consent_err.map(|_| "f-consent-error")];
                label for="f-consent" { (super::Consent::for_list(list, ctx.lang).text) }
            }
            button type="submit" { (ctx.t("lists.subscribe")) }
        }
    }
}

/// GET /lists/{slug}
pub fn sign_up(ctx: &Ctx, p: &SignUp, status: StatusCode) -> HttpResponse {
    let l = p.list;
    let body = html! {
        h1 { (l.name) }
        p.small { (ctx.t("lists.owner")) " " (owner(ctx, l)) }
        p.promise { strong { (ctx.lang.tf("lists.promise", &[("frequency", &l.frequency.describe(ctx.lang))])) } }
        @if !l.purpose.is_empty() { div.markdown { (PreEscaped(markdown::render(&l.purpose))) } }
        (error_summary(ctx, p.errors))
        (sign_up_form(ctx, l, p.email, p.errors, &l.url()))
        p.small { (ctx.t("lists.privacy_note")) }
        @if l.public && !p.recent.is_empty() {
            h2 { (ctx.t("lists.recent")) }
            ul {
                @for m in p.recent {
                    li { a href={ "/lists/" (l.slug) "/archive/" (m.id) } { (m.subject) } " · " (ctx.datetime(m.send_at.unwrap_or(m.created_at))) }
                }
            }
        }
        @if l.public { p { a href={ "/lists/" (l.slug) "/archive" } { (ctx.t("lists.archive")) } " · " a href={ "/lists/" (l.slug) "/feed.rss" } { "RSS" } } }
        @if p.rights.contributor && !p.rights.editor {
            p { a.button href={ "/lists/" (l.slug) "/mailings/new" } { (ctx.t("lists_members.propose")) } }
        }
        @if p.rights.editor {
            section.card {
                h2 { (ctx.t("lists.editors")) }
                p { (ctx.lang.tf("lists.active_count", &[("n", &p.active.to_string())])) }
                @if let Some(next) = p.next_possible { p { (ctx.lang.tf("lists.next_possible", &[("date", &ctx.datetime(next))])) } }
                p { a.button href={ "/lists/" (l.slug) "/manage" } { (ctx.t("lists.manage")) } }
            }
        }
    };
    // A public list's archive feed, announced in the head as on the archive page.
    let feeds: Vec<Alternate> = if l.public {
        let name = ctx.lang.tf("lists.archive_of", &[("list", &l.name)]);
        let href = format!("/lists/{}/feed.rss", l.slug);
        vec![Alternate::new(ctx, FeedFormat::Rss, href, &name)]
    } else {
        Vec::new()
    };
    page_with_feeds(status, ctx, &l.name, &feeds, body)
}

/// The box of the home page: the village newsletter in one field.
pub fn home_box(ctx: &Ctx, list: &List) -> Markup {
    html! {
        section.card.newsletter {
            h2 #newsletter-heading { (ctx.lang.tf("lists.home_title", &[("frequency", &list.frequency.describe(ctx.lang))])) }
            form method="get" action=(list.url()) {
                (Field::text("email", "lists.email_label", "").kind("email").autocomplete("email").render(ctx, &FormErrors::new()))
                button type="submit" { (ctx.t("lists.subscribe")) }
            }
        }
    }
}

/// GET /lists/new
pub fn list_form(
    ctx: &Ctx,
    f: &ListForm,
    owned: &[(i64, String, String)],
    site_admin: bool,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let mut owners: Vec<(&str, String)> = Vec::new();
    if site_admin {
        owners.push(("", ctx.t("lists.owner_village").to_string()));
    }
    for (_, slug, name) in owned {
        owners.push((slug.as_str(), name.clone()));
    }
    let body = html! {
        h1 { (ctx.t("lists.new")) }
        (error_summary(ctx, e))
        form method="post" action="/lists/new" {
            (list_fields(ctx, f, e))
            (select(ctx, "owner", "lists.owner_label", &owners, &f.owner))
            @if let Some(err) = e.get("owner") { p.error { (ctx.t(err)) } }
            button type="submit" { (ctx.t("lists.create")) }
        }
    };
    page_with_status(status, ctx, ctx.t("lists.new"), body)
}

/// GET /lists/{slug}/edit: the description and the promise (the owner does not change).
pub fn edit_form(
    ctx: &Ctx,
    list: &List,
    f: &ListForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let body = html! {
        h1 { (list.name) }
        (error_summary(ctx, e))
        form method="post" action={ "/lists/" (list.slug) "/edit" } {
            (list_fields(ctx, f, e))
            button type="submit" { (ctx.t("form.save")) }
        }
    };
    page_with_status(status, ctx, &list.name, body)
}

fn list_fields(ctx: &Ctx, f: &ListForm, e: &FormErrors) -> Markup {
    let freqs = [
        ("month", ctx.t("lists.freq.month").to_string()),
        ("week", ctx.t("lists.freq.week").to_string()),
        ("days", ctx.t("lists.freq.custom").to_string()),
    ];
    html! {
            (csrf(ctx))
            (Field::text("name", "lists.name_label", &f.name).render(ctx, e))
            (Field::text("purpose", "lists.purpose_label", &f.purpose).kind("textarea").optional().render(ctx, e))
            (select(ctx, "frequency", "lists.frequency_label", &freqs, &f.frequency))
            (Field::text("days", "lists.days_label", &f.days).kind("number").optional().render(ctx, e))
            div.field.check {
                input #f-public type="checkbox" name="public" checked[f.public == "on"];
                label for="f-public" { (ctx.t("lists.public_label")) }
            }
            div.field.check {
                input #f-needs_approval type="checkbox" name="needs_approval" checked[f.needs_approval == "on"];
                label for="f-needs_approval" { (ctx.t("lists.approval_label")) }
            }
            div.field.check {
                input #f-members_post type="checkbox" name="members_post" checked[f.members_post == "on"];
                label for="f-members_post" { (ctx.t("lists_members.members_post_label")) }
            }
    }
}

/// GET /admin/lists
pub fn admin(
    ctx: &Ctx,
    f: &LimitsForm,
    has_key: bool,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let body = html! {
        h1 { (ctx.t("lists.admin_title")) }
        p { (ctx.t("lists.admin_intro")) }
        (error_summary(ctx, e))
        form method="post" action="/admin/lists" {
            (csrf(ctx))
            (Field::text("per_minute", "lists.per_minute", &f.per_minute).kind("number").render(ctx, e))
            (Field::text("per_day", "lists.per_day", &f.per_day).kind("number").render(ctx, e))
            fieldset {
                legend { (ctx.t("lists_dkim.legend")) }
                p.hint { (ctx.t("lists_dkim.intro")) }
                (Field::text("dkim_domain", "lists_dkim.domain", &f.dkim_domain).optional().render(ctx, e))
                (Field::text("dkim_selector", "lists_dkim.selector", &f.dkim_selector).optional().render(ctx, e))
                @if has_key { p { strong { (ctx.t("lists_dkim.key_stored")) } } }
                (Field::text("dkim_key", "lists_dkim.key", "").kind("textarea").optional().hint("lists_dkim.key_hint").render(ctx, e))
            }
            button type="submit" { (ctx.t("form.save")) }
        }
    };
    page_with_status(status, ctx, ctx.t("lists.admin_title"), body)
}

/// A short page after a step (check your inbox, subscribed, unsubscribed).
pub fn notice(ctx: &Ctx, title: &str, key: &str, back: Option<&str>) -> HttpResponse {
    let body = html! {
        h1 { (title) }
        p.notice role="status" { (ctx.t(key)) }
        @if let Some(b) = back { p { a href=(b) { (ctx.t("lists.back")) } } }
    };
    page(ctx, title, body)
}

/// A page with one button that confirms a step (subscription, unsubscription).
pub fn confirm(ctx: &Ctx, list: &List, action: &str, button_key: &str) -> HttpResponse {
    let body = html! {
        h1 { (list.name) }
        form method="post" action=(action) {
            (csrf(ctx))
            button type="submit" { (ctx.t(button_key)) }
        }
    };
    page(ctx, &list.name, body)
}

/// GET/POST /lists/{slug}/import, with the result of an import.
pub fn import_page(
    ctx: &Ctx,
    list: &List,
    f: &ImportForm,
    e: &FormErrors,
    result: Option<&(i64, i64, Vec<usize>)>,
    status: StatusCode,
) -> HttpResponse {
    let attest_err = e.get("attest");
    let body = html! {
        h1 { (ctx.lang.tf("lists.import_title", &[("list", &list.name)])) }
        @if let Some((added, already, bad)) = result {
            p.notice role="status" { (ctx.lang.tf("lists.import_result", &[("added", &added.to_string()), ("already", &already.to_string())])) }
            @if !bad.is_empty() {
                p.error { (ctx.t("lists.import_bad_lines")) " " (bad.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")) }
            }
        }
        (error_summary(ctx, e))
        form method="post" action={ "/lists/" (list.slug) "/import" } {
            (csrf(ctx))
            (Field::text("csv", "lists.csv_label", &f.csv).kind("textarea").hint("lists.csv_hint").render(ctx, e))
            (Field::text("origin", "lists.origin_label", &f.origin).hint("lists.origin_hint").render(ctx, e))
            div.field.check.invalid[attest_err.is_some()] {
                @if let Some(err) = attest_err { p.error id="f-attest-error" { (ctx.t(err)) } }
                input #f-attest type="checkbox" name="attest" aria-describedby=[attest_err.map(|_| "f-attest-error")];
                label for="f-attest" { (ctx.t("lists.attest_label")) }
            }
            button type="submit" { (ctx.t("lists.import")) }
        }
        p { a href={ "/lists/" (list.slug) "/manage" } { (ctx.t("lists.back")) } }
    };
    page_with_status(status, ctx, &list.name, body)
}
