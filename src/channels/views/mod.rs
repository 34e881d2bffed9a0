//! Channel pages: the welcome page (/channels), a channel with its threads, the channel form,
//! the composer (with the code of conduct to accept before a first post), the code of
//! conduct's admin page. A thread's page is in `thread.rs`, summaries in `summary.rs`.

pub mod hooks;
pub mod notify;
mod summary;
mod thread;

pub use summary::{close_page, summaries, summary_page};
pub use thread::{edit_message, fragment, thread, ThreadPage};

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::form::{ChannelForm, MessageForm, PersonForm};
use super::store::conduct::Version;
use super::{Channel, Powers, Role, Thread, Visibility};
use crate::web::forms::{csrf, error_summary, post_button, select, Field, FormErrors};
use crate::web::{markdown, page_with_status, url_encode, Ctx};

/// A date in the user's language and the village's time zone, machine-readable too.
pub(super) fn when(ctx: &Ctx, unix: i64) -> Markup {
    let iso = chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default();
    html! { time datetime=(iso) { (ctx.datetime(unix)) } }
}

fn visibility_word(ctx: &Ctx, v: Visibility) -> &'static str {
    ctx.t(&format!("channels.visibility.{}", v.as_str()))
}

fn channel_line(ctx: &Ctx, c: &Channel) -> Markup {
    html! {
        a href=(c.url()) { (c.name) }
        @if !c.topic.is_empty() { " — " (c.topic) }
        " " span.small {
            @if let Some(a) = &c.actor { a href={ "/a/" (a.slug) } { (a.name) } " · " }
            (visibility_word(ctx, c.visibility)) " · "
            (ctx.lang.tf("channels.threads_count", &[("n", &c.threads.to_string())]))
        }
    }
}

/// What the welcome page shows.
pub struct Welcome<'a> {
    /// Where to start: recommended channels, then the busiest public ones.
    pub start: &'a [Channel],
    /// Every channel readable, grouped by topic (sorted).
    pub groups: &'a [(String, Vec<Channel>)],
    /// The signed-in person's channels.
    pub mine: &'a [Channel],
    pub may_create: bool,
}

/// GET /channels
pub fn welcome(ctx: &Ctx, w: &Welcome) -> HttpResponse {
    let title = ctx.t("channels.title");
    page_with_status(
        StatusCode::OK,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("channels.intro")) }
            @if w.may_create { p { a.button href="/channels/new" { (ctx.t("channels.new")) } } }
            @if ctx.user.is_none() {
                p { a href={ "/login?next=" (url_encode(&ctx.path)) } { (ctx.t("channels.login_to_take_part")) } }
            }
            @if !w.mine.is_empty() {
                section aria-labelledby="mine-h" {
                    h2 #mine-h { (ctx.t("channels.yours")) }
                    ul { @for c in w.mine { li { (channel_line(ctx, c)) } } }
                }
            }
            @if !w.start.is_empty() {
                section aria-labelledby="start-h" {
                    h2 #start-h { (ctx.t("channels.where_to_start")) }
                    p.hint { (ctx.t("channels.where_to_start_hint")) }
                    ul { @for c in w.start { li { (channel_line(ctx, c)) @if c.recommended { " " strong { (ctx.t("channels.recommended")) } } } } }
                }
            }
            section aria-labelledby="all-h" {
                h2 #all-h { (ctx.t("channels.by_topic")) }
                @if w.groups.is_empty() { p { (ctx.t("channels.empty")) } }
                @for (topic, list) in w.groups {
                    h3 { @if topic.is_empty() { (ctx.t("channels.no_topic")) } @else { (topic) } }
                    ul { @for c in list { li { (channel_line(ctx, c)) } } }
                }
            }
        },
    )
}

/// The form to write a message: a new thread's (with its title) or a reply; when the person
/// has not accepted the code of conduct in force, it is shown with the box to tick.
pub fn composer(
    ctx: &Ctx,
    action: &str,
    f: &MessageForm,
    e: &FormErrors,
    conduct: Option<&Version>,
    with_title: bool,
) -> Markup {
    let error = e.message(ctx, "accept_conduct");
    html! {
        form.composer method="post" action=(action) novalidate {
            (csrf(ctx))
            @if with_title { (Field::text("title", "channels.title_label", &f.title).render(ctx, e)) }
            (Field::text("body", "channels.body_label", &f.body).kind("textarea").hint("channels.body_hint").render(ctx, e))
            @if let Some(v) = conduct {
                fieldset.conduct #f-accept_conduct aria-describedby=[error.as_ref().map(|_| "f-accept_conduct-error")] {
                    legend { (ctx.t("channels.conduct_title")) }
                    p.hint { (ctx.t("channels.conduct_first")) }
                    div.conduct-text { (PreEscaped(markdown::render(&v.body))) }
                    @if let Some(err) = &error { p.error id="f-accept_conduct-error" { (err) } }
                    div.check {
                        input type="checkbox" name="accept_conduct" id="f-accept-conduct" value="1" checked[f.accepts()];
                        label for="f-accept-conduct" { (ctx.t("channels.conduct_accept")) }
                    }
                    input type="hidden" name="conduct_version" value=(v.id);
                }
            }
            button type="submit" { (ctx.t(if with_title { "channels.open_thread" } else { "channels.send" })) }
        }
    }
}

/// What a channel's page shows.
pub struct ChannelPage<'a> {
    pub ch: &'a Channel,
    pub powers: Powers,
    pub threads: &'a [Thread],
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    pub named: &'a [(i64, String, Role)],
    pub form: &'a MessageForm,
    pub errors: &'a FormErrors,
    pub conduct: Option<&'a Version>,
    pub person: &'a PersonForm,
    pub person_errors: &'a FormErrors,
}

/// GET /c/{channel} (and its 422 re-renders)
pub fn channel(ctx: &Ctx, p: &ChannelPage, status: StatusCode) -> HttpResponse {
    let ch = p.ch;
    page_with_status(
        status,
        ctx,
        &ch.name,
        html! {
            h1 { (ch.name) }
            @if !ch.topic.is_empty() { p.lead { (ch.topic) } }
            p.small {
                @if let Some(a) = &ch.actor { a href={ "/a/" (a.slug) } { (a.name) } " · " } @else { a href="/channels" { (ctx.t("channels.title")) } " · " }
                (visibility_word(ctx, ch.visibility))
                " · " a href={ (ch.url()) "/summaries" } { (ctx.t("channels.summaries")) }
                @if p.powers.manage { " · " a href={ (ch.url()) "/edit" } { (ctx.t("channels.settings")) } }
                @if p.powers.moderate { " · " a href={ (ch.url()) "/hooks" } { (ctx.t("channels.hooks.link")) } }
            }
            @if !ch.description.is_empty() { div.description { (PreEscaped(markdown::render(&ch.description))) } }
            (error_summary(ctx, p.errors))
            section aria-labelledby="threads-h" {
                h2 #threads-h { (ctx.t("channels.threads")) }
                @if p.threads.is_empty() { p { (ctx.t("channels.no_threads")) } }
                ul.threads {
                    @for t in p.threads {
                        li {
                            a href={ (ch.url()) "/t/" (t.id) } { (t.title) }
                            " " span.small {
                                (ctx.lang.tf("channels.messages_count", &[("n", &t.messages.to_string())]))
                                " · " (when(ctx, t.last_activity_at))
                                @if t.closed_at.is_some() { " · " a href={ (ch.url()) "/t/" (t.id) "/summary" } { (ctx.t("channels.closed_with_summary")) } }
                                @if t.hidden { " · " strong { (ctx.t("channels.hidden")) } }
                            }
                        }
                    }
                }
                @if let Some(next) = &p.next { p { a rel="next" href={ (ch.url()) "?after=" (next) } { (ctx.t("channels.older_threads")) } } }
            }
            @if p.powers.post {
                section aria-labelledby="new-thread-h" {
                    h2 #new-thread-h { (ctx.t("channels.new_thread")) }
                    (composer(ctx, &format!("{}/threads", ch.url()), p.form, p.errors, p.conduct, true))
                }
            } @else if ctx.user.is_none() {
                p { a href={ "/login?next=" (url_encode(&ctx.path)) } { (ctx.t("channels.login_to_post")) } }
            }
            (people(ctx, p))
        },
    )
}

fn people(ctx: &Ctx, p: &ChannelPage) -> Markup {
    let ch = p.ch;
    let roles = [
        ("moderator", ctx.t("channels.role.moderator").to_string()),
        (
            "documentalist",
            ctx.t("channels.role.documentalist").to_string(),
        ),
    ];
    html! {
        section aria-labelledby="people-h" {
            h2 #people-h { (ctx.t("channels.people")) }
            p.hint { (ctx.t("channels.default_moderators")) }
            ul {
                @for (uid, name, role) in p.named {
                    li {
                        (name) " — " (ctx.t(&format!("channels.role.{}", role.as_str())))
                        @if p.powers.manage {
                            " " (post_button(ctx, &format!("{}/roles/{}/{}/remove", ch.url(), uid, role.as_str()), ctx.t("channels.remove_role"), Some("link")))
                        }
                    }
                }
            }
            @if p.powers.manage {
                h3 { (ctx.t("channels.name_someone")) }
                form method="post" action={ (ch.url()) "/roles" } novalidate {
                    (csrf(ctx))
                    (Field::text("email", "channels.person_email", &p.person.email).kind("email").render(ctx, p.person_errors))
                    (select(ctx, "role", "channels.role_label", &roles, &p.person.role))
                    button type="submit" { (ctx.t("channels.name_button")) }
                }
            }
            @if p.powers.moderate {
                h3 { (ctx.t("channels.invite_title")) }
                p.hint { (ctx.t("channels.invite_hint")) }
                form method="post" action={ (ch.url()) "/invite" } novalidate {
                    (csrf(ctx))
                    (Field::text("email", "channels.invite_email", &p.person.email).kind("email").render(ctx, p.person_errors))
                    button type="submit" { (ctx.t("channels.invite_button")) }
                }
            }
        }
    }
}

/// GET /channels/new, /a/{slug}/channels/new, /c/{channel}/edit (and their 422 re-renders).
pub fn channel_form(
    ctx: &Ctx,
    action: &str,
    of_page: bool,
    f: &ChannelForm,
    e: &FormErrors,
    site_admin: bool,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("channels.form_title");
    let choices: Vec<(&str, String)> = Visibility::ALL
        .iter()
        .filter(|v| of_page || **v != Visibility::Members)
        .map(|v| {
            (
                v.as_str(),
                ctx.t(&format!("channels.visibility.{}", v.as_str()))
                    .to_string(),
            )
        })
        .collect();
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (error_summary(ctx, e))
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                (Field::text("name", "channels.name_label", &f.name).render(ctx, e))
                (Field::text("topic", "channels.topic_label", &f.topic).optional().hint("channels.topic_hint").render(ctx, e))
                (Field::text("description", "channels.description_label", &f.description).kind("textarea").optional().render(ctx, e))
                (select(ctx, "visibility", "channels.visibility_label", &choices, &f.visibility))
                @if let Some(err) = e.message(ctx, "visibility") { p.error { (err) } }
                @if site_admin {
                    div.check {
                        input type="checkbox" name="recommended" id="f-recommended" value="1" checked[f.recommended == "1"];
                        label for="f-recommended" { (ctx.t("channels.recommended_label")) }
                    }
                }
                button type="submit" { (ctx.t("channels.save")) }
            }
        },
    )
}

/// GET /admin/conduct: the code of conduct in force and the form for a new version.
pub fn conduct_admin(
    ctx: &Ctx,
    body: &str,
    versions: i64,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("channels.conduct_title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            (crate::settings::views::admin_nav(ctx))
            h1 { (title) }
            p { (ctx.t("channels.conduct_admin_intro")) }
            p.small { (ctx.lang.tf("channels.conduct_versions", &[("n", &versions.to_string())])) }
            (error_summary(ctx, e))
            form method="post" action="/admin/conduct" novalidate {
                (csrf(ctx))
                (Field::text("body", "channels.conduct_label", body).kind("textarea").hint("channels.body_hint").render(ctx, e))
                button type="submit" { (ctx.t("channels.conduct_save")) }
            }
        },
    )
}

/// POST /c/{channel}/invite refused (422): the address kept, with the message.
pub fn invite_refused(ctx: &Ctx, ch: &Channel, f: &PersonForm, e: &FormErrors) -> HttpResponse {
    let title = ctx.t("channels.invite_title");
    page_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        ctx,
        title,
        html! {
            p.small { a href=(ch.url()) { (ch.name) } }
            h1 { (title) }
            (error_summary(ctx, e))
            form method="post" action={ (ch.url()) "/invite" } novalidate {
                (csrf(ctx))
                (Field::text("email", "channels.invite_email", &f.email).kind("email").render(ctx, e))
                button type="submit" { (ctx.t("channels.invite_button")) }
            }
        },
    )
}

/// GET /channels/invite/{token} (and its re-renders): the channel, and the name and
/// password to choose when the address has no account yet.
#[allow(clippy::too_many_arguments)]
pub fn invitation(
    ctx: &Ctx,
    token: &str,
    ch: &Channel,
    email: &str,
    has_account: bool,
    name: &str,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx
        .lang
        .tf("channels.invitation_title", &[("channel", &ch.name)]);
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            @if !ch.topic.is_empty() { p.lead { (ch.topic) } }
            p { (ctx.lang.tf("channels.invitation_for", &[("email", email)])) }
            (error_summary(ctx, e))
            form method="post" action={ "/channels/invite/" (token) } novalidate {
                (csrf(ctx))
                @if ctx.user.is_none() && !has_account {
                    (Field::text("name", "account.name", name).autocomplete("name").render(ctx, e))
                    (Field::text("password", "account.password", "").kind("password").autocomplete("new-password").hint("account.password_hint").render(ctx, e))
                } @else if let Some(err) = e.message(ctx, "name") { p.error { (err) } }
                button type="submit" { (ctx.t("channels.invitation_accept")) }
            }
        },
    )
}
