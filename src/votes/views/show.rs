//! A proposal's page: its text, its dates, the ballot form while the vote is open, the kept
//! result after the deadline, the amendments and the text's history. A secret ballot shows
//! counts only; a public one, each voter's name with their choice.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::when;
use crate::personal_data::store::Original;
use crate::personal_data::views::originals_of;
use crate::votes::count::grades;
use crate::votes::form::AmendmentForm;
use crate::votes::judgement::{grade_key, GRADES};
use crate::votes::{Amendment, AmendmentStatus, Method, Outcome, Phase, Proposal, Revision};
use crate::web::forms::{csrf, error_summary, post_button, Field, FormErrors};
use crate::web::{markdown, page_with_status, url_encode, Ctx};

/// A ballot that was not recorded, shown back with the reason (nothing typed is lost).
pub struct VoteAttempt {
    pub fields: HashMap<String, String>,
    pub message: &'static str,
}

/// What a proposal's page shows.
pub struct ShowPage<'a> {
    pub p: &'a Proposal,
    pub phase: Phase,
    pub amendments: &'a [Amendment],
    pub revisions: &'a [Revision],
    /// The viewer's ballot, as stored.
    pub mine: Option<&'a str>,
    pub voters: i64,
    pub result: Option<&'a Outcome>,
    /// Public ballots: (name, choice).
    pub public: &'a [(String, String)],
    pub may_vote: bool,
    pub may_decide: bool,
    pub amend: Option<(&'a AmendmentForm, &'a FormErrors)>,
    pub attempt: Option<&'a VoteAttempt>,
    /// The originals of masked text this viewer may see (the author's, the moderators').
    pub originals: &'a [Original],
}

/// A ballot in words: « Oui », or each option with its grade.
fn ballot_words(ctx: &Ctx, p: &Proposal, choice: &str) -> String {
    match p.method {
        Method::YesNo => ctx.t(&format!("votes.choice.{choice}")).to_string(),
        Method::Judgement => match grades(choice, p.options.len()) {
            Some(g) => p
                .options
                .iter()
                .zip(g)
                .map(|(o, g)| format!("{} : {}", o.label, ctx.t(grade_key(g))))
                .collect::<Vec<_>>()
                .join(" ; "),
            None => String::new(),
        },
    }
}

fn facts(ctx: &Ctx, s: &ShowPage) -> Markup {
    let p = s.p;
    html! {
        dl.facts {
            @if !p.place.is_empty() || p.point.is_some() {
                dt { (ctx.t("votes.place_label")) }
                dd {
                    (p.place)
                    @if let Some((lat, lon)) = p.point {
                        " " a href={ "/map?lat=" (lat) "&lon=" (lon) "&km=1" } { (ctx.t("votes.on_map")) }
                    }
                }
            }
            dt { (ctx.t("votes.phase_label")) } dd { strong { (ctx.t(&format!("votes.phase.{}", s.phase.as_str()))) } }
            dt { (ctx.t("votes.vote_start_label")) } dd { (when(ctx, p.vote_start)) }
            dt { (ctx.t("votes.deadline_label")) } dd { (when(ctx, p.deadline)) " · " a href={ (p.url()) ".ics" } type="text/calendar" { (ctx.t("votes.ics_link")) } }
            dt { (ctx.t("votes.method_label")) } dd {
                (ctx.t(&format!("votes.method.{}", p.method.as_str())))
                @if p.method == Method::YesNo { " · " (ctx.t(&format!("votes.threshold.{}", p.threshold.as_str()))) }
                @if p.quorum_pct > 0 { " · " (ctx.lang.tf("votes.quorum_is", &[("pct", &p.quorum_pct.to_string())])) }
            }
            dt { (ctx.t("votes.ballot_label")) } dd { (ctx.t(if p.secret { "votes.ballot.secret" } else { "votes.ballot.public" })) }
            dt { (ctx.t("votes.voters_label")) } dd { (s.voters) }
        }
    }
}

/// A percentage with one decimal, with the decimal comma but in English.
fn percent(ctx: &Ctx, pct: f64) -> String {
    let text = format!("{pct:.1}");
    if ctx.lang == crate::i18n::Lang::En {
        text
    } else {
        text.replace('.', ",")
    }
}

fn result_block(ctx: &Ctx, p: &Proposal, r: &Outcome) -> Markup {
    html! {
        section #result aria-labelledby="result-h" {
            h2 #result-h { (ctx.t("votes.result")) }
            p.outcome { strong { (ctx.t(&format!("votes.outcome.{}", r.outcome))) } }
            p.turnout { (ctx.lang.tf("votes.turnout", &[
                ("voters", &r.voters.to_string()), ("eligible", &r.eligible.to_string()),
                ("pct", &percent(ctx, r.turnout_pct())),
            ])) }
            @if p.method == Method::YesNo {
                table {
                    caption.visually-hidden { (ctx.t("votes.result")) }
                    tbody {
                        tr { th scope="row" { (ctx.t("votes.choice.yes")) } td.yes { (r.yes) } }
                        tr { th scope="row" { (ctx.t("votes.choice.no")) } td.no { (r.no) } }
                        tr { th scope="row" { (ctx.t("votes.choice.abstain")) } td.abstain { (r.abstain) } }
                    }
                }
            } @else {
                table.ranking {
                    caption { (ctx.t("votes.ranking")) }
                    thead { tr {
                        th scope="col" { "#" } th scope="col" { (ctx.t("votes.option")) } th scope="col" { (ctx.t("votes.majority_grade")) }
                        @for g in (0..GRADES as u8).rev() { th scope="col" { (ctx.t(grade_key(g))) } }
                    } }
                    tbody {
                        @for (i, o) in r.ranking.iter().enumerate() {
                            tr {
                                td { (i + 1) } th scope="row" { (o.label) }
                                td { @if let Some(g) = o.grade { (ctx.t(grade_key(g))) } }
                                @for g in (0..GRADES).rev() { td { (o.counts[g]) } }
                            }
                        }
                    }
                }
            }
            p.small { (ctx.t("votes.counted_at")) " " (when(ctx, r.computed_at)) }
        }
    }
}

fn ballot_form(ctx: &Ctx, s: &ShowPage) -> Markup {
    let p = s.p;
    let typed = s.attempt.map(|a| &a.fields);
    let mine: Option<Vec<u8>> = s.mine.and_then(|m| grades(m, p.options.len()));
    html! {
        form method="post" action={ (p.url()) "/vote" } {
            (csrf(ctx))
            @match p.method {
                Method::YesNo => {
                    @let selected = typed.and_then(|t| t.get("choice").cloned()).or(s.mine.map(str::to_string)).unwrap_or_default();
                    fieldset #f-choice {
                        legend { (ctx.t("votes.your_choice")) }
                        @for c in ["yes", "no", "abstain"] {
                            div.check {
                                input type="radio" name="choice" id={ "choice-" (c) } value=(c) checked[selected == c];
                                label for={ "choice-" (c) } { (ctx.t(&format!("votes.choice.{c}"))) }
                            }
                        }
                    }
                }
                Method::Judgement => {
                    @for (i, o) in p.options.iter().enumerate() {
                        @let name = format!("grade-{}", o.id);
                        @let selected = typed.and_then(|t| t.get(&name).cloned())
                            .or(mine.as_ref().map(|m| m[i].to_string())).unwrap_or_default();
                        fieldset.grades id={ "f-" (name) } {
                            legend { (o.label) }
                            @for g in (0..GRADES as u8).rev() {
                                span.check {
                                    input type="radio" name=(name) id={ (name) "-" (g) } value=(g) checked[selected == g.to_string()];
                                    label for={ (name) "-" (g) } { (ctx.t(grade_key(g))) }
                                }
                            }
                        }
                    }
                }
            }
            button type="submit" { (ctx.t(if s.mine.is_some() { "votes.change_vote" } else { "votes.cast" })) }
        }
    }
}

fn vote_block(ctx: &Ctx, s: &ShowPage) -> Markup {
    let p = s.p;
    html! {
        section #vote aria-labelledby="vote-h" {
            h2 #vote-h { (ctx.t("votes.vote")) }
            @if let Some(a) = s.attempt {
                div.error-summary role="alert" tabindex="-1" {
                    p { strong { (ctx.t(a.message)) } }
                    @if a.message == "votes.closed_refused" || a.message == "votes.not_open" {
                        @if let Ok(c) = crate::votes::form::ballot(p, &a.fields) {
                            p { (ctx.t("votes.not_recorded")) " " strong { (ballot_words(ctx, p, &c)) } }
                        }
                    }
                }
            }
            @if let Some(m) = s.mine { p.mine { (ctx.t("votes.your_ballot")) " " strong { (ballot_words(ctx, p, m)) } } }
            @match (s.phase, ctx.user.is_some(), s.may_vote) {
                (Phase::Discussion, _, _) => { p { (ctx.t("votes.opens_at")) " " (when(ctx, p.vote_start)) } }
                (Phase::Closed, _, _) => { p { (ctx.t("votes.closed_at")) " " (when(ctx, p.deadline)) } }
                (Phase::Voting, false, _) => { p { a href={ "/login?next=" (url_encode(&p.url())) } { (ctx.t("votes.login_to_vote")) } } }
                (Phase::Voting, true, false) => { p { (ctx.t("votes.members_only")) } }
                (Phase::Voting, true, true) => {
                    p.hint { (ctx.t(if p.secret { "votes.secret_hint" } else { "votes.public_hint" })) " " (ctx.t("votes.change_hint")) }
                    (ballot_form(ctx, s))
                }
            }
            @if !p.secret && !s.public.is_empty() {
                h3 { (ctx.t("votes.public_ballots")) }
                ul.ballots { @for (name, c) in s.public { li { (name) " : " (ballot_words(ctx, p, c)) } } }
                @if s.voters > s.public.len() as i64 {
                    p.small { (ctx.lang.tf("votes.public_first", &[("n", &s.public.len().to_string()), ("total", &s.voters.to_string())])) }
                }
            }
        }
    }
}

fn amendment_item(ctx: &Ctx, s: &ShowPage, a: &Amendment) -> Markup {
    let author = a
        .author_name
        .clone()
        .unwrap_or_else(|| ctx.t("news.former_member").to_string());
    html! {
        li.amendment id={ "amendment-" (a.id) } {
            p {
                (ctx.lang.tf("news.by", &[("name", &author)])) " · " (when(ctx, a.created_at)) " · "
                strong { (ctx.t(&format!("votes.amendment.{}", a.status.as_str()))) }
            }
            @if !a.note.is_empty() { p.note { (a.note) } }
            details { summary { (ctx.t("votes.amendment_text")) } div.markdown { (PreEscaped(markdown::render(&a.body))) } }
            (originals_of(ctx, "amendment", a.id, s.originals))
            p.small { a.report href={ "/report/amendment/" (a.id) } { (ctx.t("votes.report")) } }
            @if s.may_decide && a.status == AmendmentStatus::Pending && s.phase == Phase::Discussion {
                (post_button(ctx, &format!("{}/amendments/{}/accept", s.p.url(), a.id), ctx.t("votes.accept"), None))
                " " (post_button(ctx, &format!("{}/amendments/{}/decline", s.p.url(), a.id), ctx.t("votes.decline"), Some("secondary")))
            }
        }
    }
}

fn amendments_block(ctx: &Ctx, s: &ShowPage) -> Markup {
    let empty = (
        AmendmentForm {
            body: s.p.body.clone(),
            note: String::new(),
        },
        FormErrors::new(),
    );
    let (f, e) = s.amend.unwrap_or((&empty.0, &empty.1));
    html! {
        section #amendments aria-labelledby="amendments-h" {
            h2 #amendments-h { (ctx.t("votes.amendments")) }
            @if s.amendments.is_empty() { p { (ctx.t("votes.no_amendments")) } }
            ol { @for a in s.amendments { (amendment_item(ctx, s, a)) } }
            @if s.phase == Phase::Discussion && s.may_vote && ctx.user.is_some() {
                details.new-amendment open[s.amend.is_some()] {
                    summary { (ctx.t("votes.propose_amendment")) }
                    (error_summary(ctx, e))
                    form method="post" action={ (s.p.url()) "/amendments" } novalidate {
                        (csrf(ctx))
                        (Field::text("body", "votes.amendment_body", &f.body).kind("textarea").hint("votes.amendment_hint").render(ctx, e))
                        (Field::text("note", "votes.amendment_note", &f.note).optional().render(ctx, e))
                        button type="submit" { (ctx.t("votes.send_amendment")) }
                    }
                }
            }
            @if s.revisions.len() > 1 {
                h3 { (ctx.t("votes.history")) }
                ol.revisions {
                    @for r in s.revisions {
                        li { details {
                            summary { (when(ctx, r.created_at)) @if let Some(a) = r.amendment_id { " · " a href={ "#amendment-" (a) } { (ctx.t("votes.from_amendment")) } } }
                            div.markdown { (PreEscaped(markdown::render(&r.body))) }
                        } }
                    }
                }
            }
        }
    }
}

/// GET /votes/{id} (and the 422 re-renders of its forms).
pub fn show(ctx: &Ctx, s: &ShowPage, status: StatusCode) -> HttpResponse {
    let p = s.p;
    let author = p
        .author_name
        .clone()
        .unwrap_or_else(|| ctx.t("news.former_member").to_string());
    page_with_status(
        status,
        ctx,
        &p.title,
        html! {
            article.proposal {
                h1 { (p.title) }
                p.small {
                    @match &p.actor {
                        Some(a) => { a href={ "/a/" (a.slug) "/votes" } { (a.name) } }
                        None => { a href="/votes" { (ctx.t("votes.village")) } }
                    }
                    " · " (ctx.lang.tf("news.by", &[("name", &author)])) " · " (when(ctx, p.created_at))
                }
                @if p.hidden { p.notice { (ctx.t("news.hidden_notice")) } }
                (facts(ctx, s))
                div.markdown { (PreEscaped(markdown::render(&p.body))) }
                (originals_of(ctx, "proposal", p.id, s.originals))
                p.small { a.report href={ "/report/proposal/" (p.id) } { (ctx.t("votes.report")) } }
            }
            @if let Some(r) = s.result { (result_block(ctx, p, r)) }
            (vote_block(ctx, s))
            (amendments_block(ctx, s))
        },
    )
}
