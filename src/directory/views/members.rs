//! Members' pages: the members list with its forms, the invitation page, "my village".

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use super::{card, post_button};
use crate::directory::form::InviteForm;
use crate::directory::store::members::Member;
use crate::directory::store::Listing;
use crate::directory::{Access, Actor, MemberRole};
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::{page, page_with_status, Ctx};

/// GET /a/{slug}/members
pub fn members(
    ctx: &Ctx,
    a: &Actor,
    access: Access,
    list: &[Member],
    invite: &InviteForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.lang.tf("dir.members_of", &[("actor", &a.name)]);
    let roles = [
        (
            MemberRole::Member.as_str(),
            ctx.t("dir.role_member").to_string(),
        ),
        (
            MemberRole::Admin.as_str(),
            ctx.t("dir.role_admin").to_string(),
        ),
    ];
    let base = format!("/a/{}", a.slug);
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            p { a href=(base) { (ctx.t("dir.back_to_page")) } }
            table {
                thead { tr { th scope="col" { (ctx.t("account.name")) } th scope="col" { (ctx.t("dir.role")) } th scope="col" { (ctx.t("dir.title_label")) } @if access.can_manage() { th scope="col" { (ctx.t("form.actions")) } } } }
                tbody {
                    @for m in list {
                        tr {
                            td { (m.name) @if !m.active { " " span.small { "(" (ctx.t("dir.requested")) ")" } } }
                            @if access.can_manage() && m.active {
                                td colspan="2" {
                                    form.inline method="post" action={ (base) "/members/" (m.user_id) "/role" } {
                                        (csrf(ctx))
                                        label.visually-hidden for={ "role-" (m.user_id) } { (ctx.t("dir.role")) }
                                        select id={ "role-" (m.user_id) } name="role" {
                                            @for (v, l) in &roles { option value=(v) selected[*v == m.role.as_str()] { (l) } }
                                        }
                                        " "
                                        label.visually-hidden for={ "title-" (m.user_id) } { (ctx.t("dir.title_label")) }
                                        input id={ "title-" (m.user_id) } type="text" name="title" value=(m.title) placeholder=(ctx.t("dir.title_hint"));
                                        " " button type="submit" aria-label={ (ctx.t("form.save")) " " (m.name) } { (ctx.t("form.save")) }
                                    }
                                }
                            } @else {
                                td { (ctx.t(if m.role == MemberRole::Admin { "dir.role_admin" } else { "dir.role_member" })) }
                                td { (m.title) }
                            }
                            @if access.can_manage() {
                                td {
                                    @if !m.active {
                                        @let approve = ctx.t("dir.approve");
                                        (post_button(ctx, &format!("{base}/members/{}/approve", m.user_id), approve, Some(&format!("{approve} {}", m.name))))
                                        " "
                                    }
                                    @let remove = ctx.t(if m.active { "dir.remove" } else { "dir.decline" });
                                    (post_button(ctx, &format!("{base}/members/{}/remove", m.user_id), remove, Some(&format!("{remove} {}", m.name))))
                                }
                            }
                        }
                    }
                }
            }
            @if access.can_manage() {
                section aria-labelledby="invite-h" {
                    h2 #invite-h { (ctx.t("dir.invite")) }
                    (error_summary(ctx, e))
                    form method="post" action={ (base) "/invite" } novalidate {
                        (csrf(ctx))
                        (Field::text("email", "account.email", &invite.email).kind("email").render(ctx, e))
                        (select(ctx, "role", "dir.role", &roles, if invite.role.is_empty() { "member" } else { &invite.role }))
                        (Field::text("title", "dir.title_label", &invite.title).optional().hint("dir.title_hint").render(ctx, e))
                        button type="submit" { (ctx.t("dir.invite_send")) }
                    }
                }
            }
        },
    )
}

/// What the invitation page needs.
pub struct InvitationView {
    pub actor_name: String,
    pub actor_slug: String,
    pub email: String,
    pub has_account: bool,
}

/// GET /invite/{token}
pub fn invitation(
    ctx: &Ctx,
    token: &str,
    v: &InvitationView,
    name: &str,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx
        .lang
        .tf("dir.invitation_title", &[("actor", &v.actor_name)]);
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            (error_summary(ctx, e))
            @if ctx.user.is_some() {
                form method="post" { (csrf(ctx)) button type="submit" { (ctx.t("dir.accept")) } }
            } @else if v.has_account {
                p { (ctx.t("dir.invitation_login")) }
                p { a.button href={ "/login?next=/invite/" (token) } { (ctx.t("nav.login")) } }
            } @else {
                p { (ctx.lang.tf("dir.invitation_new_account", &[("email", &v.email)])) }
                form method="post" novalidate {
                    (csrf(ctx))
                    (Field::text("name", "account.name", name).autocomplete("name").render(ctx, e))
                    (Field::text("password", "account.password", "").kind("password").hint("account.password_hint").autocomplete("new-password").render(ctx, e))
                    button type="submit" { (ctx.t("dir.accept")) }
                }
            }
        },
    )
}

/// GET /my
pub fn my_village(
    ctx: &Ctx,
    followed: &[Listing],
    memberships: &[(String, String, String, String, bool)],
    blocks: &maud::Markup,
) -> HttpResponse {
    let title = ctx.t("dir.my_village");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            (blocks)
            section aria-labelledby="mine-h" {
                h2 #mine-h { (ctx.t("dir.my_groups")) }
                @if memberships.is_empty() { p { (ctx.t("dir.no_groups")) } }
                ul {
                    @for (slug, name, role, t, active) in memberships {
                        li {
                            a href={ "/a/" (slug) } { (name) }
                            " — " (ctx.t(if role == "admin" { "dir.role_admin" } else { "dir.role_member" }))
                            @if !t.is_empty() { " (" (t) ")" }
                            @if !active { " " span.small { "(" (ctx.t("dir.requested")) ")" } }
                        }
                    }
                }
            }
            section aria-labelledby="follow-h" {
                h2 #follow-h { (ctx.t("dir.i_follow")) }
                @if followed.is_empty() { p { (ctx.t("dir.follow_nothing")) " " a href="/directory" { (ctx.t("dir.title")) } } }
                ul.cards { @for a in followed { (card(ctx, a)) } }
            }
        },
    )
}
