//! Managers' pages: pending requests (one approve and one decline button each, fine on a
//! phone) and a room's rules form with its coming bookings.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::{cancel_buttons, day_text, local, time_text};
use crate::rooms::rules::{RulesForm, Who};
use crate::rooms::{Booking, EditForm, Room};
use crate::web::forms::{csrf, error_summary, page_boxes, select, Field, FormErrors};
use crate::web::picker::Choices;
use crate::web::{page_with_status, Ctx};

/// The requests with each series shown once (its first date, and how many are waiting).
fn grouped(list: &[Booking]) -> Vec<(&Booking, usize)> {
    let mut out: Vec<(&Booking, usize)> = Vec::new();
    for b in list {
        match out
            .iter_mut()
            .find(|(f, _)| b.series_id.is_some() && f.series_id == b.series_id)
        {
            Some(g) => g.1 += 1,
            None => out.push((b, 1)),
        }
    }
    out
}

fn request_item(ctx: &Ctx, (b, count): (&Booking, usize), next: &str) -> Markup {
    html! {
        li.card {
            h3 { a href={ "/rooms/" (b.room_slug) } { (b.room_name) } }
            p.when { (day_text(ctx, local(ctx, b.start).date())) " " (time_text(ctx, false, b.start, b.end)) }
            p { (b.purpose) " — " (super::booker(ctx, b)) @if b.public { " " span.badge { (ctx.t("rooms.public")) } } }
            @if b.series_id.is_some() {
                p.small { (ctx.t("rooms.part_of_series")) " " (ctx.lang.tf("rooms_series.waiting", &[("n", &count.to_string())])) }
                div.actions {
                    form.inline method="post" action={ "/rooms/bookings/" (b.id) "/approve" } {
                        (csrf(ctx))
                        input type="hidden" name="next" value=(next);
                        input type="hidden" name="scope" value="following";
                        button type="submit" { (ctx.t("rooms_series.approve_following")) }
                    }
                    " "
                    form.inline method="post" action={ "/rooms/bookings/" (b.id) "/decline" } {
                        (csrf(ctx))
                        input type="hidden" name="next" value=(next);
                        input type="hidden" name="scope" value="following";
                        button.danger type="submit" { (ctx.t("rooms_series.decline_following")) }
                    }
                }
            }
            div.actions {
                form.inline method="post" action={ "/rooms/bookings/" (b.id) "/approve" } {
                    (csrf(ctx))
                    input type="hidden" name="next" value=(next);
                    button type="submit" { (ctx.t("rooms.approve")) }
                }
                " "
                form.inline method="post" action={ "/rooms/bookings/" (b.id) "/decline" } {
                    (csrf(ctx))
                    input type="hidden" name="next" value=(next);
                    button.danger type="submit" { (ctx.t("rooms.decline")) }
                }
            }
        }
    }
}

/// GET /rooms/requests, and a refused approval (409) with its message.
pub fn requests(
    ctx: &Ctx,
    list: &[Booking],
    message: Option<&'static str>,
    status: StatusCode,
) -> HttpResponse {
    page_with_status(
        status,
        ctx,
        ctx.t("rooms.requests"),
        html! {
            h1 { (ctx.t("rooms.requests")) }
            @if let Some(m) = message { div.notice.alert role="alert" { p { strong { (ctx.t(m)) } } } }
            @if list.is_empty() { p { (ctx.t("rooms.requests_none")) } }
            ul.cards { @for g in grouped(list) { (request_item(ctx, g, "/rooms/requests")) } }
        },
    )
}

/// The pages the rules form offers: the one whose admins manage the room, and those whose
/// members may book (ticked boxes).
pub struct PageRefs {
    pub managers: Choices,
    pub members: Vec<(String, String)>,
}

/// GET /rooms/{slug}/manage, and the rules form re-rendered (422).
pub fn room(
    ctx: &Ctx,
    room: &Room,
    f: &RulesForm,
    e: &FormErrors,
    pending: &[Booking],
    upcoming: &[Booking],
    refs: &PageRefs,
    status: StatusCode,
) -> HttpResponse {
    let back = format!("/rooms/{}/manage", room.slug);
    let who: Vec<(&str, String)> = Who::ALL
        .iter()
        .map(|w| {
            (
                w.as_str(),
                ctx.t(&format!("rooms.who.{}", w.as_str())).to_string(),
            )
        })
        .collect();
    page_with_status(
        status,
        ctx,
        &ctx.lang.tf("rooms.manage_title", &[("room", &room.name)]),
        html! {
            h1 { (ctx.lang.tf("rooms.manage_title", &[("room", &room.name)])) }
            p.small { a href={ "/rooms/" (room.slug) } { (ctx.t("rooms.back_to_room")) } " · " a href={ "/a/" (room.slug) "/edit" } { (ctx.t("rooms.edit_page")) } }
            h2 { (ctx.t("rooms.requests")) }
            @if pending.is_empty() { p { (ctx.t("rooms.requests_none")) } }
            ul.cards { @for g in grouped(pending) { (request_item(ctx, g, &back)) } }
            h2 { (ctx.t("rooms.rules")) }
            p.hint { (ctx.t("rooms.hours_in_page")) }
            form method="post" action={ "/rooms/" (room.slug) "/rules" } {
                (csrf(ctx))
                (error_summary(ctx, e))
                (Field::text("min_minutes", "rooms.min_minutes", &f.min_minutes).hint("rooms.duration_hint").render(ctx, e))
                (Field::text("max_minutes", "rooms.max_minutes", &f.max_minutes).hint("rooms.duration_hint").render(ctx, e))
                (Field::text("buffer_minutes", "rooms.buffer_minutes", &f.buffer_minutes).hint("rooms.duration_hint").render(ctx, e))
                (Field::text("horizon_days", "rooms.horizon_days", &f.horizon_days).kind("number").render(ctx, e))
                (select(ctx, "who", "rooms.who_label", &who, &f.who))
                (page_boxes(ctx, "allowed", "rooms.allowed", "rooms.allowed_hint", &refs.members, &f.allowed, e))
                div.check {
                    input #f-approval type="checkbox" name="approval" value="1" checked[f.approval == "1"];
                    label for="f-approval" { (ctx.t("rooms.approval_label")) }
                }
                (Field::text("quota_week", "rooms.quota_week", &f.quota_week).kind("number").optional().render(ctx, e))
                (Field::text("quota_month", "rooms.quota_month", &f.quota_month).kind("number").optional().render(ctx, e))
                (Field::text("access_instructions", "rooms.access", &f.access_instructions).kind("textarea").optional().hint("rooms.access_hint").render(ctx, e))
                (Field::text("manager_actor", "rooms.manager_actor", &f.manager_actor).optional().hint("rooms.manager_actor_hint").choices(&refs.managers).render(ctx, e))
                (Field::text("managers", "rooms.managers", &f.managers).kind("textarea").optional().hint("rooms.managers_hint").render(ctx, e))
                button type="submit" { (ctx.t("rooms.save_rules")) }
            }
            h2 { (ctx.t("rooms.upcoming")) }
            @if upcoming.is_empty() { p { (ctx.t("rooms.upcoming_none")) } }
            ul.events {
                @for b in upcoming {
                    li {
                        span.when { (day_text(ctx, local(ctx, b.start).date())) " " (time_text(ctx, false, b.start, b.end)) }
                        " " (b.purpose) " — " (super::booker(ctx, b)) " "
                        (cancel_buttons(ctx, b, &back))
                    }
                }
            }
        },
    )
}

/// GET /rooms/bookings/{id}/edit, and the form re-rendered with the date that cannot move.
pub fn edit(
    ctx: &Ctx,
    b: &Booking,
    f: &EditForm,
    e: &FormErrors,
    refused: Option<(chrono::NaiveDate, &'static str)>,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.lang.tf("rooms_edit.title", &[("room", &b.room_name)]);
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            p { (b.purpose) " — " (day_text(ctx, local(ctx, b.start).date())) " " (time_text(ctx, false, b.start, b.end)) }
            @if let Some((day, key)) = refused {
                div.notice.alert role="alert" { p { strong { (day_text(ctx, day)) " : " (ctx.t(key)) } } p { (ctx.t("rooms_edit.nothing_moved")) } }
            }
            form method="post" action={ "/rooms/bookings/" (b.id) "/edit" } {
                (csrf(ctx))
                (error_summary(ctx, e))
                (Field::text("date", "rooms.date", &f.date).kind("date").render(ctx, e))
                (Field::text("start", "rooms.start", &f.start).kind("time").render(ctx, e))
                (Field::text("end", "rooms.end", &f.end).kind("time").render(ctx, e))
                @if b.series_id.is_some() {
                    @let scopes = [("one", ctx.t("rooms_edit.scope.one").to_string()), ("following", ctx.t("rooms_edit.scope.following").to_string())];
                    (select(ctx, "scope", "rooms_edit.scope_label", &scopes, if f.scope.is_empty() { "one" } else { &f.scope }))
                }
                button type="submit" { (ctx.t("rooms_edit.move")) }
            }
            @if b.status == crate::rooms::Status::Confirmed {
                h2 { (ctx.t("rooms_link.title")) }
                @if let Some(ev) = &b.event_slug { p { a href={ "/e/" (ev) } { (ctx.t("rooms_link.current")) } } }
                form method="post" action={ "/rooms/bookings/" (b.id) "/event" } {
                    (csrf(ctx))
                    (Field::text("event", "rooms_link.label", "").hint("rooms_link.hint").render(ctx, e))
                    button type="submit" { (ctx.t("rooms_link.submit")) }
                }
            }
        },
    )
}
