//! Proposal pages: the lists, the proposal form, and (in `show.rs`) a proposal's page with its
//! amendments, its ballot and its result.

mod show;

pub use show::{show, ShowPage, VoteAttempt};

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::form::ProposalForm;
use super::{phase_at, Method, Summary, Threshold};
use crate::directory::Actor;
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::{page_with_status, url_encode, Ctx};

/// A date in the user's language and the village's time zone, machine-readable too.
pub(super) fn when(ctx: &Ctx, unix: i64) -> Markup {
    let iso = chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default();
    html! { time datetime=(iso) { (ctx.datetime(unix)) } }
}

/// GET /votes and GET /a/{slug}/votes
pub fn list(ctx: &Ctx, actor: Option<&Actor>, items: &[Summary], may_open: bool) -> HttpResponse {
    let title = match actor {
        Some(a) => ctx.lang.tf("votes.page_title", &[("actor", &a.name)]),
        None => ctx.t("votes.title").to_string(),
    };
    let new = match actor {
        Some(a) => format!("/a/{}/votes/new", a.slug),
        None => "/votes/new".to_string(),
    };
    let now = crate::db::now();
    page_with_status(
        StatusCode::OK,
        ctx,
        &title,
        html! {
            h1 { (title) }
            @if let Some(a) = actor { p { a href={ "/a/" (a.slug) } { (ctx.t("dir.back_to_page")) } } }
            p { (ctx.t("votes.intro")) }
            @if may_open { p { a.button href=(new) { (ctx.t("votes.new")) } } }
            @if ctx.user.is_none() {
                p { a href={ "/login?next=" (url_encode(&ctx.path)) } { (ctx.t("votes.login_to_take_part")) } }
            }
            @if items.is_empty() { p { (ctx.t("votes.empty")) } }
            @if actor.is_none() { p.small { a href="/votes.ics" type="text/calendar" { (ctx.t("votes.feed_link")) } } }
            ul.proposals {
                @for s in items {
                    li {
                        a href={ "/votes/" (s.id) } { (s.title) }
                        " " span.small {
                            @if let Some((slug, name)) = &s.actor { a href={ "/a/" (slug) "/votes" } { (name) } " · " }
                            (ctx.t(&format!("votes.phase.{}", phase_at(s.vote_start, s.deadline, now).as_str())))
                            " · " (ctx.t("votes.deadline_label")) " " (when(ctx, s.deadline))
                            " · " (ctx.lang.tf("votes.voters_count", &[("n", &s.voters.to_string())]))
                            @if let Some(o) = &s.outcome { " · " strong { (ctx.t(&format!("votes.outcome.{o}"))) } }
                        }
                    }
                }
            }
        },
    )
}

fn radios(
    ctx: &Ctx,
    name: &'static str,
    legend: &str,
    choices: &[(&str, String)],
    selected: &str,
    e: &FormErrors,
) -> Markup {
    let error = e.message(ctx, name);
    html! {
        fieldset id={ "f-" (name) } aria-describedby=[error.as_ref().map(|_| format!("f-{name}-error"))] {
            legend { (legend) }
            @if let Some(err) = &error { p.error id={ "f-" (name) "-error" } { (err) } }
            @for (i, (value, label)) in choices.iter().enumerate() {
                div.check {
                    input type="radio" name=(name) id={ "f-" (name) "-" (value) } value=(value)
                        checked[selected == *value || (selected.is_empty() && i == 0)];
                    label for={ "f-" (name) "-" (value) } { (label) }
                }
            }
        }
    }
}

/// GET /votes/new and GET /a/{slug}/votes/new (and their 422 re-render).
pub fn new_page(
    ctx: &Ctx,
    actor: Option<&Actor>,
    f: &ProposalForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("votes.new");
    let action = match actor {
        Some(a) => format!("/a/{}/votes/new", a.slug),
        None => "/votes/new".to_string(),
    };
    let methods: Vec<(&str, String)> = Method::ALL
        .iter()
        .map(|m| {
            (
                m.as_str(),
                ctx.t(&format!("votes.method.{}", m.as_str())).to_string(),
            )
        })
        .collect();
    let thresholds: Vec<(&str, String)> = Threshold::ALL
        .iter()
        .map(|t| {
            (
                t.as_str(),
                ctx.t(&format!("votes.threshold.{}", t.as_str()))
                    .to_string(),
            )
        })
        .collect();
    let ballots = [
        ("secret", ctx.t("votes.ballot.secret").to_string()),
        ("public", ctx.t("votes.ballot.public").to_string()),
    ];
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            @if let Some(a) = actor { p { (ctx.lang.tf("votes.opened_by", &[("actor", &a.name)])) } }
            (error_summary(ctx, e))
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                (Field::text("title", "votes.title_label", &f.title).render(ctx, e))
                (Field::text("body", "votes.body_label", &f.body).kind("textarea").hint("votes.body_hint").render(ctx, e))
                (Field::text("place", "votes.place_label", &f.place).optional().hint("votes.place_hint").address("f-lat", "f-lon").render(ctx, e))
                (Field::text("lat", "settings.lat", &f.lat).kind("decimal").optional().render(ctx, e))
                (Field::text("lon", "settings.lon", &f.lon).kind("decimal").optional().render(ctx, e))
                (Field::text("vote_start", "votes.vote_start_label", &f.vote_start).kind("datetime-local").hint("votes.vote_start_hint").render(ctx, e))
                (Field::text("deadline", "votes.deadline_field", &f.deadline).kind("datetime-local").hint("votes.deadline_hint").render(ctx, e))
                (radios(ctx, "method", ctx.t("votes.method_label"), &methods, &f.method, e))
                (Field::text("options", "votes.options_label", &f.options).kind("textarea").hint("votes.options_hint").optional().render(ctx, e))
                (Field::text("quorum", "votes.quorum_label", &f.quorum).kind("number").hint("votes.quorum_hint").optional().render(ctx, e))
                (radios(ctx, "threshold", ctx.t("votes.threshold_label"), &thresholds, &f.threshold, e))
                (radios(ctx, "ballot", ctx.t("votes.ballot_label"), &ballots, &f.ballot, e))
                p.hint { (ctx.t("votes.fixed_hint")) }
                button type="submit" { (ctx.t("votes.open")) }
            }
        },
    )
}

fn summary_line(ctx: &Ctx, s: &Summary, now: i64) -> Markup {
    html! {
        a href={ "/votes/" (s.id) } { (s.title) }
        " " span.small {
            @if let Some((_, name)) = &s.actor { (name) " · " }
            (ctx.t(&format!("votes.phase.{}", phase_at(s.vote_start, s.deadline, now).as_str())))
            " · " (ctx.t("votes.deadline_label")) " " (when(ctx, s.deadline))
        }
    }
}

/// The "my village" block: the open proposals I may vote on, and whether I have.
pub fn my_block(ctx: &Ctx, items: &[(Summary, bool)]) -> Markup {
    let now = crate::db::now();
    html! {
        section aria-labelledby="my-votes-h" {
            h2 #my-votes-h { (ctx.t("votes.my_title")) }
            @if items.is_empty() { p { (ctx.t("votes.my_empty")) } }
            ul {
                @for (s, voted) in items {
                    li { (summary_line(ctx, s, now)) @if *voted { " · " strong { (ctx.t("votes.voted")) } } }
                }
            }
            p { a href="/votes" { (ctx.t("votes.see_all")) } }
        }
    }
}

/// A page's open proposals on its directory page.
pub fn actor_block(ctx: &Ctx, items: &[Summary], slug: &str) -> Markup {
    let now = crate::db::now();
    html! {
        section aria-labelledby="page-votes-h" {
            h2 #page-votes-h { (ctx.t("votes.title")) }
            ul { @for s in items { li { (summary_line(ctx, s, now)) } } }
            p { a href={ "/a/" (slug) "/votes" } { (ctx.t("votes.see_all")) } }
        }
    }
}
