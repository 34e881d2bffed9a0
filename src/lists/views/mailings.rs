//! The editors' pages: the list's management page, the draft editor with its revisions,
//! approval and send forms, the conflict page, a diff, the "too soon" refusal.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use crate::lists::diff::{self, Line};
use crate::lists::{DraftForm, List, Mailing, MailingStatus, Revision};
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::{page, page_with_status, Ctx};

fn status_label(ctx: &Ctx, m: &Mailing) -> String {
    let key = format!("lists.status.{}", m.status.as_str());
    match (m.status, m.send_at) {
        (MailingStatus::Scheduled, Some(t))
        | (MailingStatus::Sent, Some(t))
        | (MailingStatus::Sending, Some(t)) => {
            format!("{} · {}", ctx.t(&key), ctx.datetime(t))
        }
        _ => ctx.t(&key).to_string(),
    }
}

/// GET /lists/{slug}/manage
pub fn manage(ctx: &Ctx, list: &List, counts: (i64, i64, i64), all: &[Mailing]) -> HttpResponse {
    let base = format!("/lists/{}", list.slug);
    let body = html! {
        h1 { (list.name) }
        p { (ctx.lang.tf("lists.counts", &[("active", &counts.1.to_string()), ("pending", &counts.0.to_string()), ("gone", &counts.2.to_string())])) }
        p { a.button href={ (base) "/mailings/new" } { (ctx.t("lists.new_mailing")) } " " a href={ (base) "/edit" } { (ctx.t("lists_more.edit")) } }
        h2 { (ctx.t("lists.mailings")) }
        @if all.is_empty() { p { (ctx.t("lists.no_mailings")) } }
        ul {
            @for m in all {
                li { a href={ (base) "/mailings/" (m.id) } { (m.subject) } " · " (status_label(ctx, m)) }
            }
        }
        h2 { (ctx.t("lists.subscribers")) }
        ul {
            li { a href={ (base) "/subscribers.csv" } { (ctx.t("lists.export_subscribers")) } }
            li { a href={ (base) "/consents.csv" } { (ctx.t("lists.export_consents")) } }
            li { a href={ (base) "/import" } { (ctx.t("lists.import")) } }
        }
    };
    page(ctx, &list.name, body)
}

/// What the editor page shows.
pub struct Editor<'a> {
    pub list: &'a List,
    /// Whether the viewer edits the list (else a member writing a proposal).
    pub editor: bool,
    /// `None` for a new draft.
    pub mailing: Option<&'a Mailing>,
    pub revisions: &'a [Revision],
    /// Recipients (pending, sent, failed, skipped).
    pub stats: Option<(i64, i64, i64, i64)>,
    /// (email, attempts, error, permanent).
    pub problems: &'a [(String, i64, String, bool)],
}

fn draft_form(ctx: &Ctx, action: &str, f: &DraftForm, e: &FormErrors) -> Markup {
    html! {
        (crate::personal_data::views::edit_note(ctx, &[&f.subject, &f.body]))
        form method="post" action=(action) {
            (csrf(ctx))
            input type="hidden" name="base_revision" value=(f.base_revision);
            (Field::text("subject", "lists.subject_label", &f.subject).render(ctx, e))
            (Field::text("body", "lists.body_label", &f.body).kind("textarea").hint("lists.body_hint").render(ctx, e))
            button type="submit" name="action" value="save" { (ctx.t("form.save")) }
            " "
            button.secondary type="submit" name="action" value="agenda" formnovalidate { (ctx.t("lists.insert_agenda")) }
        }
    }
}

/// The draft editor (new or existing), with revisions, approval, sending and results.
pub fn editor(
    ctx: &Ctx,
    p: &Editor,
    f: &DraftForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let base = format!("/lists/{}", p.list.slug);
    let body = html! {
        p.small {
            @if p.editor { a href={ (base) "/manage" } { (p.list.name) } }
            @else { a href=(p.list.url()) { (p.list.name) } " · " (ctx.t("lists_members.proposal_note")) }
        }
        @match p.mailing {
            None => {
                h1 { (ctx.t("lists.new_mailing")) }
                (error_summary(ctx, e))
                (draft_form(ctx, &format!("{base}/mailings/new"), f, e))
            }
            Some(m) => {
                h1 { (m.subject) }
                p { strong { (status_label(ctx, m)) } " · " (ctx.lang.tf("lists.revision_n", &[("n", &m.revision.to_string())])) }
                (error_summary(ctx, e))
                p {
                    a href={ (base) "/mailings/" (m.id) "/preview" } { (ctx.t("lists.preview_html")) } " · "
                    a href={ (base) "/mailings/" (m.id) "/preview?format=text" } { (ctx.t("lists.preview_text")) }
                }
                @if m.status == MailingStatus::Draft {
                    (draft_form(ctx, &format!("{base}/mailings/{}", m.id), f, e))
                    form.inline method="post" action={ (base) "/mailings/" (m.id) "/delete" } {
                        (csrf(ctx))
                        button.secondary type="submit" { (ctx.t("lists_members.delete")) }
                    }
                }
                @if m.status == MailingStatus::Draft && p.editor {
                    section.card {
                        h2 { (ctx.t("lists.approval")) }
                        @if m.approved() { p { (ctx.t("lists.approved")) } }
                        @else {
                            @if p.list.needs_approval { p { (ctx.t("lists.approval_needed")) } }
                            @if let Some(err) = e.get("approve") { p.error { (ctx.t(err)) } }
                            form method="post" action={ (base) "/mailings/" (m.id) "/approve" } {
                                (csrf(ctx))
                                input type="hidden" name="revision" value=(m.revision);
                                button.secondary #f-approve type="submit" { (ctx.t("lists.approve")) }
                            }
                        }
                    }
                    section.card {
                        h2 { (ctx.t("lists.send")) }
                        p { (ctx.lang.tf("lists.promise", &[("frequency", &p.list.frequency.describe(ctx.lang))])) }
                        form method="post" action={ (base) "/mailings/" (m.id) "/send" } {
                            (csrf(ctx))
                            (Field::text("send_at", "lists.send_at_label", "").kind("datetime-local").optional().hint("lists.send_at_hint").render(ctx, e))
                            button type="submit" { (ctx.t("lists.send_button")) }
                        }
                    }
                }
                @if m.status == MailingStatus::Scheduled && p.editor {
                    form method="post" action={ (base) "/mailings/" (m.id) "/unschedule" } {
                        (csrf(ctx))
                        button.secondary type="submit" { (ctx.t("lists.unschedule")) }
                    }
                }
                @if let Some((pending, sent, failed, skipped)) = p.stats {
                    @if m.status == MailingStatus::Sending || m.status == MailingStatus::Sent {
                        h2 { (ctx.t("lists.results")) }
                        p #results { (ctx.lang.tf("lists.results_line", &[("pending", &pending.to_string()), ("sent", &sent.to_string()), ("failed", &failed.to_string()), ("skipped", &skipped.to_string())])) }
                        @if !p.problems.is_empty() {
                            table {
                                thead { tr { th { (ctx.t("lists.email_label")) } th { (ctx.t("lists.attempts")) } th { (ctx.t("lists.error")) } } }
                                tbody {
                                    @for (email, attempts, error, permanent) in p.problems {
                                        tr { td { (email) } td { (attempts) @if *permanent { " · " (ctx.t("lists.failed")) } } td { (error) } }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { (ctx.t("lists.revisions")) }
                ol reversed {
                    @for (i, r) in p.revisions.iter().enumerate() {
                        li {
                            (ctx.lang.tf("lists.revision_by", &[("n", &r.number.to_string()), ("who", r.author.as_deref().unwrap_or("?")), ("when", &ctx.datetime(r.created_at))]))
                            @if let Some(prev) = p.revisions.get(i + 1) {
                                " · " a href={ (base) "/mailings/" (m.id) "/diff?from=" (prev.number) "&to=" (r.number) } { (ctx.t("lists.diff")) }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = p
        .mailing
        .map_or(ctx.t("lists.new_mailing"), |m| m.subject.as_str());
    page_with_status(status, ctx, title, body)
}

/// The conflict page: someone saved since this editor started. Both versions are shown and
/// the form keeps what this editor typed, now based on the newer revision (409).
pub fn conflict(ctx: &Ctx, list: &List, current: &Mailing, yours: &DraftForm) -> HttpResponse {
    let mut form = yours.clone();
    form.base_revision = current.revision.to_string();
    let action = format!("/lists/{}/mailings/{}", list.slug, current.id);
    let body = html! {
        h1 { (ctx.t("lists.conflict_title")) }
        p.error role="alert" { (ctx.lang.tf("lists.conflict_text", &[("n", &current.revision.to_string())])) }
        div.columns {
            section { h2 { (ctx.t("lists.their_version")) } h3 { (current.subject) } pre.draft { (current.body) } }
            section { h2 { (ctx.t("lists.your_version")) } h3 { (yours.subject) } pre.draft { (yours.body) } }
        }
        h2 { (ctx.t("lists.differences")) }
        (diff_block(&current.body, &yours.body))
        (draft_form(ctx, &action, &form, &FormErrors::new()))
    };
    page_with_status(
        StatusCode::CONFLICT,
        ctx,
        ctx.t("lists.conflict_title"),
        body,
    )
}

fn diff_block(old: &str, new: &str) -> Markup {
    html! {
        pre.diff {
            @for l in diff::lines(old, new) {
                @match l {
                    Line::Same(s) => { span { "  " (s) } "\n" }
                    Line::Added(s) => { ins { "+ " (s) } "\n" }
                    Line::Removed(s) => { del { "- " (s) } "\n" }
                }
            }
        }
    }
}

/// GET /lists/{slug}/mailings/{id}/diff
pub fn diff(ctx: &Ctx, list: &List, m: &Mailing, a: &Revision, b: &Revision) -> HttpResponse {
    let body = html! {
        p.small { a href={ "/lists/" (list.slug) "/mailings/" (m.id) } { (m.subject) } }
        h1 { (ctx.lang.tf("lists.diff_title", &[("from", &a.number.to_string()), ("to", &b.number.to_string())])) }
        @if a.subject != b.subject { p { del { (a.subject) } " → " ins { (b.subject) } } }
        (diff_block(&a.body, &b.body))
    };
    page(ctx, &m.subject, body)
}

/// The refusal of a send that the promise does not allow yet (422), with the date.
pub fn too_soon(ctx: &Ctx, list: &List, m: &Mailing, next: i64) -> HttpResponse {
    let body = html! {
        h1 { (ctx.t("lists.too_soon_title")) }
        p.error role="alert" {
            (ctx.lang.tf("lists.too_soon", &[("frequency", &list.frequency.describe(ctx.lang)), ("date", &ctx.datetime(next))]))
        }
        // One click to keep the promise: the same mailing, at the first date it allows.
        @let local = crate::time::utc_to_local(ctx.instance.time_zone, next);
        form method="post" action={ "/lists/" (list.slug) "/mailings/" (m.id) "/send" } {
            (csrf(ctx))
            input type="hidden" name="send_at" value=(local.format("%Y-%m-%dT%H:%M"));
            button type="submit" { (ctx.lang.tf("lists.schedule_at_next", &[("date", &ctx.datetime(next))])) }
        }
        p { a href={ "/lists/" (list.slug) "/mailings/" (m.id) } { (ctx.t("lists.back")) } }
    };
    page_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        ctx,
        ctx.t("lists.too_soon_title"),
        body,
    )
}
