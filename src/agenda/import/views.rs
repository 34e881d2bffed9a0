//! The import page: the page's calendar sources with their last result, and the form (a URL
//! or a .ics file; a plain multipart form, no JavaScript); then the fediverse accounts the
//! page follows, and the form to follow one.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::TimeZone;
use maud::{html, Markup};

use super::report::{Entry, Outcome, Report};
use crate::agenda::store::imports::Source;
use crate::federation::views::state_key;
use crate::web::forms::{csrf, error_summary, post_button, Field, FormErrors};
use crate::web::{page_with_status, Ctx};

/// A fediverse account the page follows.
pub struct PageFollow {
    pub id: i64,
    /// Its handle, else its name, else its URL.
    pub who: String,
    pub url: String,
    /// pending, accepted or rejected.
    pub state: String,
}

/// The fediverse part of the page: the accounts followed, what was typed, the messages.
#[derive(Default)]
pub struct Fediverse {
    pub follows: Vec<PageFollow>,
    pub handle: String,
    pub errors: FormErrors,
}

/// A stored `key|detail` error in the viewer's language.
pub fn error_text(ctx: &Ctx, stored: &str) -> String {
    let (key, detail) = stored.split_once('|').unwrap_or((stored, ""));
    ctx.lang.tf(key, &[("detail", detail)])
}

/// A source's last result: "12 added, 3 updated, 1 cancelled", or its error.
pub fn result_text(ctx: &Ctx, s: &Source) -> String {
    if s.last_fetch == 0 {
        return ctx.t("agenda_import.never").to_string();
    }
    if !s.error.is_empty() {
        return error_text(ctx, &s.error);
    }
    ctx.lang.tf(
        "agenda_import.result",
        &[
            ("added", &s.added.to_string()),
            ("updated", &s.updated.to_string()),
            ("cancelled", &s.cancelled.to_string()),
        ],
    )
}

/// The adjusted and refused counts of the last run, if any.
fn adjusted_text(ctx: &Ctx, s: &Source) -> Option<String> {
    (s.error.is_empty() && (s.simplified > 0 || s.refused > 0)).then(|| {
        ctx.lang.tf(
            "agenda_import.adjusted_refused",
            &[
                ("adjusted", &s.simplified.to_string()),
                ("refused", &s.refused.to_string()),
            ],
        )
    })
}

/// The adjusted and refused events of a source's last run, each with its reasons in words.
fn report(ctx: &Ctx, slug: &str, s: &Source) -> Markup {
    let r = Report::from_json(&s.report);
    let shown: Vec<&Entry> = r
        .events
        .iter()
        .filter(|e| e.outcome != Outcome::Kept)
        .collect();
    let label = match &s.url {
        Some(u) => u.clone(),
        None => ctx.t("agenda_import.file_source").to_string(),
    };
    html! {
        section.import-report aria-labelledby={ "report-" (s.id) } {
            h3 id={ "report-" (s.id) } { (ctx.lang.tf("agenda_import.report_title", &[("source", &label)])) }
            p {
                (ctx.lang.tf("agenda_import.report_counts", &[
                    ("kept", &r.count(Outcome::Kept).to_string()),
                    ("adjusted", &r.count(Outcome::Adjusted).to_string()),
                    ("refused", &r.count(Outcome::Refused).to_string()),
                ]))
                " "
                a href={ "/a/" (slug) "/agenda/import/" (s.id) "/report.json" } { (ctx.t("agenda_import.report_json")) }
            }
            @if !shown.is_empty() {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("agenda_import.col_event")) }
                        th scope="col" { (ctx.t("agenda_import.col_outcome")) }
                        th scope="col" { (ctx.t("agenda_import.col_reasons")) }
                    } }
                    tbody {
                        @for e in shown {
                            tr {
                                td { @match &e.event { Some(slug) => a href={ "/e/" (slug) } { (e.title) }, None => (e.title) } }
                                td { (ctx.t(match e.outcome {
                                    Outcome::Refused => "agenda_import.outcome_refused",
                                    _ => "agenda_import.outcome_adjusted",
                                })) }
                                td { ul { @for reason in &e.reasons {
                                    li { (ctx.lang.tf(&reason.key(), &[("detail", &reason.detail)])) }
                                } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// GET (and the 422 re-render of) /a/{slug}/agenda/import: 422 when `error` is given or the
/// fediverse form has messages.
pub fn page(
    ctx: &Ctx,
    slug: &str,
    name: &str,
    sources: &[Source],
    url: &str,
    error: Option<&str>,
    fedi: &Fediverse,
) -> HttpResponse {
    let status = if error.is_some() || !fedi.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = ctx.lang.tf("agenda_import.title", &[("name", name)]);
    let tz = ctx.instance.time_zone;
    let when = |t: i64| {
        tz.timestamp_opt(t, 0)
            .single()
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            p { (ctx.t("agenda_import.intro")) }
            @if let Some(e) = error {
                div.error-summary role="alert" tabindex="-1" { p { (e) } }
            }
            (error_summary(ctx, &fedi.errors))
            h2 { (ctx.t("agenda_import.sources")) }
            @if sources.is_empty() {
                p { (ctx.t("agenda_import.no_sources")) }
            } @else {
                table.import-sources {
                    thead { tr {
                        th scope="col" { (ctx.t("agenda_import.source")) }
                        th scope="col" { (ctx.t("agenda_import.last_fetch")) }
                        th scope="col" { (ctx.t("agenda_import.last_result")) }
                        th scope="col" { (ctx.t("agenda_import.actions")) }
                    } }
                    tbody {
                        @for s in sources {
                            tr {
                                td { @match &s.url { Some(u) => code { (u) }, None => (ctx.t("agenda_import.file_source")) } }
                                td { @if s.last_fetch > 0 { (when(s.last_fetch)) } }
                                td.import-result {
                                    (result_text(ctx, s))
                                    @if let Some(t) = adjusted_text(ctx, s) { br; span.import-adjusted { (t) } }
                                }
                                td {
                                    @let base = format!("/a/{slug}/agenda/import/{}", s.id);
                                    @if s.url.is_some() {
                                        form.inline method="post" action={ (base) "/refresh" } {
                                            (csrf(ctx))
                                            button type="submit" { (ctx.t("agenda_import.refresh")) }
                                        }
                                        " "
                                    }
                                    form.inline method="post" action={ (base) "/delete" } {
                                        (csrf(ctx))
                                        button.secondary type="submit" aria-describedby="import-delete-hint" {
                                            (ctx.t("agenda_import.delete"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p.hint #import-delete-hint { (ctx.t("agenda_import.delete_hint")) }
                @for s in sources.iter().filter(|s| !s.report.is_empty()) {
                    (report(ctx, slug, s))
                }
            }
            h2 { (ctx.t("agenda_import.add")) }
            form method="post" enctype="multipart/form-data" action={ "/a/" (slug) "/agenda/import?_csrf=" (ctx.csrf) } {
                (csrf(ctx))
                div.field {
                    label for="f-url" { (ctx.t("agenda_import.url_label")) }
                    p.hint id="f-url-hint" { (ctx.t("agenda_import.url_hint")) }
                    input id="f-url" type="url" name="url" value=(url) aria-describedby="f-url-hint" autocomplete="url";
                }
                div.field {
                    label for="f-file" { (ctx.t("agenda_import.file_label")) }
                    p.hint id="f-file-hint" { (ctx.t("agenda_import.file_hint")) }
                    input id="f-file" type="file" name="file" accept=".ics,text/calendar" aria-describedby="f-file-hint";
                }
                button type="submit" { (ctx.t("agenda_import.submit")) }
            }
            (fediverse(ctx, slug, fedi))
            p { a href={ "/a/" (slug) } { (ctx.t("agenda_import.back")) } }
        },
    )
}

/// « Suivre un compte du fédivers »: the accounts the page follows, each with its state and
/// « Arrêter de suivre », and the form (a handle or a URL).
fn fediverse(ctx: &Ctx, slug: &str, fedi: &Fediverse) -> Markup {
    html! {
        section aria-labelledby="fediverse-h" {
            h2 #fediverse-h { (ctx.t("federation.follow_title")) }
            p { (ctx.t("federation.page_follow_intro")) }
            @if fedi.follows.is_empty() {
                p { (ctx.t("federation.page_following_none")) }
            } @else {
                table #fediverse-following {
                    thead { tr {
                        th scope="col" { (ctx.t("federation.col_remote")) }
                        th scope="col" { (ctx.t("federation.col_state")) }
                        th scope="col" { (ctx.t("federation.col_action")) }
                    } }
                    tbody {
                        @for f in &fedi.follows {
                            tr {
                                td { a href=(f.url) rel="nofollow noopener" { (f.who) } }
                                td { (ctx.t(state_key(&f.state))) }
                                td { (post_button(ctx, &format!("/a/{slug}/fediverse/unfollow/{}", f.id), ctx.t("federation.unfollow"), None)) }
                            }
                        }
                    }
                }
            }
            form #fediverse-follow method="post" action={ "/a/" (slug) "/fediverse/follow" } novalidate {
                (csrf(ctx))
                (Field::text("handle", "federation.handle_label", &fedi.handle).hint("federation.handle_hint").render(ctx, &fedi.errors))
                button type="submit" { (ctx.t("federation.follow_submit")) }
            }
        }
    }
}
