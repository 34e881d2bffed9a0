//! The moderation pages: the report form, the one queue, an item's page with the decision
//! form, a person's page, a page's masked people, the audit log.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::form::{ActionForm, LogQuery, PersonForm, ReportForm};
use super::store::{Hidden, LogEntry, Person, Reply, Report};
use super::{Entry, Item, Reason, Target, FOREVER};
use crate::personal_data::store::Original;
use crate::text::excerpt;
use crate::web::forms::{csrf, error_summary, post_button, Field, FormErrors};
use crate::web::{page, page_with_status, url_encode, Ctx};

/// GET /report/{kind}/{id}
pub fn report_form(
    ctx: &Ctx,
    t: &Target,
    item: &Item,
    reasons: &[Reason],
    form: &ReportForm,
    errors: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("moderation.report_title");
    let action = format!("/report/{}/{}", t.kind, item.id);
    let reason_error = errors.message(ctx, "reason");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            // A members-only item's words are not repeated here: anyone signed in may open
            // this form for any id, and the reporter has just read the item on its own page.
            @if item.public {
                p { (ctx.t(t.label_key)) " : " a href=(item.url) { (item.title) } }
                @if !item.text.is_empty() { blockquote { (excerpt(&item.text, 400)) } }
            } @else {
                p { a href=(item.url) { (ctx.t(t.label_key)) } }
            }
            @if ctx.user.is_none() { p.hint { (ctx.t("moderation.report_anonymous_hint")) } }
            (error_summary(ctx, errors))
            form method="post" action=(action) {
                (csrf(ctx))
                fieldset #f-reason .field.invalid[reason_error.is_some()] {
                    legend { (ctx.t("moderation.reason")) }
                    @if let Some(e) = &reason_error { p.error { (e) } }
                    @for r in reasons {
                        div {
                            input type="radio" name="reason" id={ "r-" (r.as_str()) } value=(r.as_str())
                                checked[form.reason == r.as_str()] required;
                            " " label for={ "r-" (r.as_str()) } { (ctx.t(r.label_key())) }
                        }
                    }
                }
                (Field::text("note", "moderation.note", &form.note).kind("textarea").optional().render(ctx, errors))
                @if ctx.user.is_none() {
                    (Field::text("email", "moderation.reporter_email", &form.email).kind("email")
                        .optional().hint("moderation.reporter_email_hint").autocomplete("email").render(ctx, errors))
                }
                button type="submit" { (ctx.t("moderation.send_report")) }
            }
        },
    )
}

fn status_line(ctx: &Ctx, t: &Target, item: &Item) -> Markup {
    html! {
        p.small {
            strong { (ctx.t(t.label_key)) } " · "
            a href=(item.url) { (ctx.t("moderation.open_item")) }
            @if item.hidden { " · " strong { (ctx.t("moderation.is_hidden")) } }
            @else if !item.public { " · " (ctx.t("moderation.not_public")) }
            @if let Some(a) = item.author_id { " · " a href={ "/moderation/people/" (a) } { (ctx.t("moderation.author")) } }
        }
    }
}

fn reports_list(ctx: &Ctx, reports: &[Report]) -> Markup {
    html! {
        ul.small {
            @for r in reports {
                li {
                    (ctx.datetime(r.created_at)) " — "
                    strong { (Reason::parse(&r.reason).map(|x| ctx.t(x.label_key())).unwrap_or("")) }
                    @if !r.note.is_empty() { " : " (r.note) }
                    " — " (r.reporter_name.as_deref().unwrap_or(if r.reporter_email.is_empty() { ctx.t("moderation.anonymous") } else { &r.reporter_email }))
                    @if let Some(o) = &r.outcome { " — " em { (ctx.t(&format!("moderation.outcome_{o}"))) } }
                }
            }
        }
    }
}

/// GET /moderation
pub fn queue(
    ctx: &Ctx,
    entries: &[Entry],
    hidden: &[(Hidden, &'static Target, Item)],
    people: &[Person],
) -> HttpResponse {
    let title = ctx.t("moderation.title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.hint { (ctx.t("moderation.intro")) }
            p { a href="/moderation/log" { (ctx.t("moderation.log_title")) } }
            section aria-labelledby="open-h" {
                h2 #open-h { (ctx.t("moderation.open_reports")) }
                @if entries.is_empty() { p { (ctx.t("moderation.no_reports")) } }
                ul.cards {
                    @for e in entries {
                        li.card {
                            (status_line(ctx, e.target, &e.item))
                            h3 { (e.item.title) }
                            @if !e.item.text.is_empty() { blockquote { (excerpt(&e.item.text, 300)) } }
                            p.small { (ctx.lang.tf("moderation.report_count", &[("n", &e.reports.len().to_string())])) }
                            (reports_list(ctx, &e.reports))
                            div.actions {
                                a.button href={ "/moderation/items/" (e.target.kind) "/" (e.item.id) } { (ctx.t("moderation.decide")) }
                                " "
                                @if e.item.hidden {
                                    (post_button(ctx, &format!("/moderation/items/{}/{}/restore", e.target.kind, e.item.id), ctx.t("moderation.restore"), None))
                                } @else {
                                    (post_button(ctx, &format!("/moderation/items/{}/{}/hide", e.target.kind, e.item.id), ctx.t("moderation.hide"), Some("danger")))
                                }
                                " " (post_button(ctx, &format!("/moderation/items/{}/{}/keep", e.target.kind, e.item.id), ctx.t("moderation.keep"), None))
                            }
                        }
                    }
                }
            }
            section aria-labelledby="hidden-h" {
                h2 #hidden-h { (ctx.t("moderation.hidden_content")) }
                @if hidden.is_empty() { p { (ctx.t("moderation.nothing_hidden")) } }
                ul.cards {
                    @for (h, t, item) in hidden {
                        li.card {
                            (status_line(ctx, t, item))
                            h3 { (item.title) }
                            p.small { (ctx.datetime(h.hidden_at)) @if !h.reason.is_empty() { " — " (h.reason) }
                                @if h.masked_user.is_some() { " — " (ctx.t("moderation.by_mask")) } }
                            div.actions {
                                a.button href={ "/moderation/items/" (t.kind) "/" (item.id) } { (ctx.t("moderation.decide")) }
                                " " (post_button(ctx, &format!("/moderation/items/{}/{}/restore", t.kind, item.id), ctx.t("moderation.restore"), None))
                            }
                        }
                    }
                }
            }
            section aria-labelledby="people-h" {
                h2 #people-h { (ctx.t("moderation.people")) }
                @if people.is_empty() { p { (ctx.t("moderation.no_people")) } }
                ul {
                    @for p in people {
                        li { a href={ "/moderation/people/" (p.id) } { (p.name) } " — " (person_state(ctx, p)) }
                    }
                }
            }
        },
    )
}

fn person_state(ctx: &Ctx, p: &Person) -> String {
    let mut parts = Vec::new();
    match p.suspended_until {
        Some(FOREVER) => parts.push(ctx.t("moderation.suspended_for_good").to_string()),
        Some(u) if u > crate::db::now() => parts.push(
            ctx.lang
                .tf("moderation.suspended_until", &[("until", &ctx.datetime(u))]),
        ),
        _ => {}
    }
    if p.masked_at.is_some() {
        parts.push(ctx.t("moderation.masked").to_string());
    }
    if parts.is_empty() {
        ctx.t("moderation.no_restriction").to_string()
    } else {
        parts.join(" · ")
    }
}

/// What an item's page shows.
pub struct ItemView<'a> {
    pub target: &'static Target,
    pub item: &'a Item,
    pub reports: &'a [Report],
    pub hidden: Option<&'a Hidden>,
    pub originals: &'a [Original],
    pub replies: &'a [Reply],
    pub author: Option<&'a Person>,
}

/// GET /moderation/items/{kind}/{id}
pub fn item_page(ctx: &Ctx, v: &ItemView, form: &ActionForm, errors: &FormErrors) -> HttpResponse {
    let (t, item) = (v.target, v.item);
    let base = format!("/moderation/items/{}/{}", t.kind, item.id);
    let title = format!("{} — {}", ctx.t("moderation.title"), item.title);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (item.title) }
            (status_line(ctx, t, item))
            @if let Some(p) = v.author { p.small { (ctx.t("moderation.author")) " : " a href={ "/moderation/people/" (p.id) } { (p.name) } " — " (person_state(ctx, p)) } }
            @if let Some(h) = v.hidden { p.small { (ctx.t("moderation.is_hidden")) " — " (ctx.datetime(h.hidden_at)) @if !h.reason.is_empty() { " — " (h.reason) } } }
            blockquote { (item.text) }
            @if !v.originals.is_empty() {
                section aria-labelledby="orig-h" {
                    h2 #orig-h { (ctx.t("moderation.originals")) }
                    @for o in v.originals {
                        p.small { (o.field) " — " (o.kinds().iter().map(|k| ctx.t(k.label_key())).collect::<Vec<_>>().join(", ")) }
                        blockquote { (o.original) }
                    }
                    (post_button(ctx, &format!("/moderation/purge/{}/{}?next={}", t.kind, item.id, url_encode(&base)), ctx.t("moderation.purge"), Some("danger")))
                }
            }
            section aria-labelledby="rep-h" {
                h2 #rep-h { (ctx.t("moderation.reports")) }
                @if v.reports.is_empty() { p { (ctx.t("moderation.no_reports")) } }
                (reports_list(ctx, v.reports))
            }
            section aria-labelledby="decide-h" {
                h2 #decide-h { (ctx.t("moderation.decide")) }
                (error_summary(ctx, errors))
                p.small { (ctx.t("moderation.replies")) " : "
                    @for r in v.replies { a href={ (base) "?reply=" (r.id) "#f-answer" } { (r.title) } " · " } }
                form method="post" action={ (base) "/hide" } {
                    (csrf(ctx))
                    (Field::text("reason", "moderation.action_reason", &form.reason).optional().hint("moderation.action_reason_hint").render(ctx, errors))
                    (Field::text("answer", "moderation.answer", &form.answer).kind("textarea").optional().hint("moderation.answer_hint").render(ctx, errors))
                    (Field::text("message", "moderation.warning", &form.message).kind("textarea").optional().hint("moderation.warning_hint").render(ctx, errors))
                    @if t.edit.is_some() {
                        (Field::text("text", "moderation.edit_text", &form.text).kind("textarea").optional().hint("moderation.edit_text_hint").render(ctx, errors))
                    }
                    div.actions {
                        @if v.hidden.is_some() || item.hidden {
                            button type="submit" formaction={ (base) "/restore" } { (ctx.t("moderation.restore")) }
                        } @else {
                            button.danger type="submit" formaction={ (base) "/hide" } { (ctx.t("moderation.hide")) }
                        }
                        " " button type="submit" formaction={ (base) "/keep" } { (ctx.t("moderation.keep")) }
                        " " button type="submit" formaction={ (base) "/warn" } { (ctx.t("moderation.warn")) }
                        @if t.edit.is_some() { " " button type="submit" formaction={ (base) "/edit" } { (ctx.t("moderation.edit")) } }
                        @if t.delete.is_some() { " " button.danger type="submit" formaction={ (base) "/delete" } { (ctx.t("moderation.delete")) } }
                    }
                }
            }
        },
    )
}

/// GET /moderation/people/{id}
pub fn person_page(ctx: &Ctx, p: &Person, log: &[LogEntry], form: &PersonForm) -> HttpResponse {
    person_page_with(ctx, p, log, form, &FormErrors::new())
}

pub fn person_page_with(
    ctx: &Ctx,
    p: &Person,
    log: &[LogEntry],
    form: &PersonForm,
    errors: &FormErrors,
) -> HttpResponse {
    let base = format!("/moderation/people/{}", p.id);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_with_status(
        status,
        ctx,
        &p.name,
        html! {
            h1 { (p.name) }
            p { (person_state(ctx, p)) }
            @if !p.suspended_reason.is_empty() { p.small { (ctx.t("moderation.reason")) " : " (p.suspended_reason) } }
            (error_summary(ctx, errors))
            form method="post" action={ (base) "/suspend" } {
                (csrf(ctx))
                (Field::text("days", "moderation.days", &form.days).kind("number").optional().hint("moderation.days_hint").render(ctx, errors))
                (Field::text("reason", "moderation.action_reason", &form.reason).optional().render(ctx, errors))
                div.actions {
                    button.danger type="submit" { (ctx.t("moderation.suspend")) }
                    " " button type="submit" formaction={ (base) "/unsuspend" } { (ctx.t("moderation.unsuspend")) }
                    " "
                    @if p.masked_at.is_some() {
                        button type="submit" formaction={ (base) "/unmask" } { (ctx.t("moderation.unmask")) }
                    } @else {
                        button.danger type="submit" formaction={ (base) "/mask" } { (ctx.t("moderation.mask")) }
                    }
                }
                p.hint { (ctx.t("moderation.mask_hint")) }
            }
            h2 { (ctx.t("moderation.log_title")) }
            (log_table(ctx, log))
        },
    )
}

/// GET /a/{slug}/masked
pub fn page_masked(
    ctx: &Ctx,
    slug: &str,
    name: &str,
    people: &[(i64, String, String, i64)],
) -> HttpResponse {
    let title = ctx
        .lang
        .tf("moderation.page_masked_title", &[("name", name)]);
    page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.hint { (ctx.t("moderation.page_masked_intro")) }
            @if people.is_empty() { p { (ctx.t("moderation.no_people")) } }
            ul {
                @for (id, who, reason, at) in people {
                    li {
                        (who) " — " (ctx.datetime(*at)) @if !reason.is_empty() { " — " (reason) } " "
                        form.inline method="post" action={ "/a/" (slug) "/unmask" } {
                            (csrf(ctx))
                            input type="hidden" name="user_id" value=(id);
                            button type="submit" { (ctx.t("moderation.unmask")) }
                        }
                    }
                }
            }
            p { a href={ "/a/" (slug) } { (name) } }
        },
    )
}

/// The button a page's admins see beside a person's post or comment on their page.
pub fn page_mask_button(ctx: &Ctx, slug: &str, user_id: i64) -> Markup {
    html! {
        form.inline method="post" action={ "/a/" (slug) "/mask" } {
            (csrf(ctx))
            input type="hidden" name="user_id" value=(user_id);
            button type="submit" { (ctx.t("moderation.page_mask")) }
        }
    }
}

fn log_table(ctx: &Ctx, entries: &[LogEntry]) -> Markup {
    html! {
        @if entries.is_empty() { p { (ctx.t("moderation.log_empty")) } }
        @else {
            table {
                caption.visually-hidden { (ctx.t("moderation.log_title")) }
                thead { tr {
                    th scope="col" { (ctx.t("moderation.col_when")) }
                    th scope="col" { (ctx.t("moderation.col_who")) }
                    th scope="col" { (ctx.t("moderation.col_action")) }
                    th scope="col" { (ctx.t("moderation.col_item")) }
                    th scope="col" { (ctx.t("moderation.reason")) }
                } }
                tbody {
                    @for e in entries {
                        tr {
                            td { (ctx.datetime(e.at)) }
                            td { (e.moderator) }
                            td { (e.action) }
                            td {
                                @if let Some(i) = e.item_id { a href={ "/moderation/items/" (e.kind) "/" (i) } { (e.kind) " " (i) } }
                                @if let Some(u) = e.user_id { " " a href={ "/moderation/people/" (u) } { "#" (u) } }
                            }
                            td { (e.reason) }
                        }
                    }
                }
            }
        }
    }
}

/// GET /moderation/log
pub fn log_page(ctx: &Ctx, q: &LogQuery, entries: &[LogEntry], days: i64) -> HttpResponse {
    log_page_with(
        ctx,
        q,
        entries,
        &days.to_string(),
        &FormErrors::new(),
        StatusCode::OK,
    )
}

pub fn log_page_with(
    ctx: &Ctx,
    q: &LogQuery,
    entries: &[LogEntry],
    days: &str,
    errors: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("moderation.log_title");
    let csv = format!(
        "/moderation/log.csv?action={}&kind={}&user={}&moderator={}&from={}&to={}",
        url_encode(&q.action),
        url_encode(&q.kind),
        url_encode(&q.user),
        url_encode(&q.moderator),
        url_encode(&q.from),
        url_encode(&q.to)
    );
    let no = FormErrors::new();
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p.hint { (ctx.t("moderation.log_intro")) }
            form method="get" action="/moderation/log" {
                (Field::text("action", "moderation.col_action", &q.action).optional().render(ctx, &no))
                (Field::text("kind", "moderation.col_kind", &q.kind).optional().render(ctx, &no))
                (Field::text("user", "moderation.col_user", &q.user).optional().render(ctx, &no))
                (Field::text("from", "moderation.from", &q.from).kind("date").optional().render(ctx, &no))
                (Field::text("to", "moderation.to", &q.to).kind("date").optional().render(ctx, &no))
                button type="submit" { (ctx.t("moderation.filter")) }
            }
            p { a href=(csv) download { (ctx.t("moderation.csv")) } }
            (log_table(ctx, entries))
            @if ctx.user.as_ref().is_some_and(|u| u.is_admin()) {
                h2 { (ctx.t("moderation.retention")) }
                (error_summary(ctx, errors))
                form method="post" action="/moderation/settings" {
                    (csrf(ctx))
                    (Field::text("retention_days", "moderation.retention_days", days).kind("number").render(ctx, errors))
                    button type="submit" { (ctx.t("form.save")) }
                }
            }
        },
    )
}

/// GET /account/moderation: the reports I made and what became of them; the moderators'
/// messages to me.
pub fn my_page(
    ctx: &Ctx,
    reports: &[(Report, String)],
    notices: &[super::store::Notice],
) -> HttpResponse {
    let title = ctx.t("moderation.my_reports");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if let Some((until, reason)) = ctx.user.as_ref().and_then(|u| u.suspension(crate::db::now())) {
                p role="alert" { (crate::web::context::suspension_text(ctx, until, reason)) }
            }
            @if reports.is_empty() { p { (ctx.t("moderation.no_reports")) } }
            ul {
                @for (r, title) in reports {
                    li {
                        (ctx.datetime(r.created_at)) " — " (title) " — "
                        (Reason::parse(&r.reason).map(|x| ctx.t(x.label_key())).unwrap_or(""))
                        " — "
                        @match &r.outcome {
                            Some(o) => { strong { (ctx.t(&format!("moderation.outcome_{o}"))) } }
                            None => { em { (ctx.t("moderation.pending")) } }
                        }
                        @if !r.answer.is_empty() { blockquote { (r.answer) } }
                    }
                }
            }
            h2 { (ctx.t("moderation.my_notices")) }
            @if notices.is_empty() { p { (ctx.t("moderation.no_notices")) } }
            ul {
                @for n in notices {
                    li { (ctx.datetime(n.created_at)) " — " (n.message) }
                }
            }
        },
    )
}

/// GET /contact (and its 422 re-render)
pub fn contact(
    ctx: &Ctx,
    f: &super::form::ContactForm,
    errors: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("contact.title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("contact.intro")) }
            (error_summary(ctx, errors))
            form method="post" action="/contact" novalidate {
                (csrf(ctx))
                (Field::text("name", "contact.name", &f.name).autocomplete("name").render(ctx, errors))
                @if ctx.user.is_none() {
                    (Field::text("email", "contact.email", &f.email).kind("email").hint("contact.email_hint").autocomplete("email").render(ctx, errors))
                }
                (Field::text("message", "contact.message", &f.message).kind("textarea").render(ctx, errors))
                button type="submit" { (ctx.t("contact.send")) }
            }
        },
    )
}
