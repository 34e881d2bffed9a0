//! The event form (a submission form for visitors without an account), the form of one date,
//! and the moderation queue.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::{day_text, local, time_text, type_label};
use crate::agenda::form::{OccurrenceForm, Refs, DAY_FIELDS};
use crate::agenda::{Event, EventForm, EventType, Occurrence};
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::{assets, page, page_with_status, Ctx};

fn repeat_fields(ctx: &Ctx, f: &EventForm, e: &FormErrors) -> Markup {
    let repeats: Vec<(&str, String)> = [
        ("", "agenda.repeat_never"),
        ("daily", "agenda.repeat_daily"),
        ("weekly", "agenda.repeat_weekly"),
        ("monthly_day", "agenda.repeat_monthly_day"),
        ("monthly_nth", "agenda.repeat_monthly_nth"),
        ("monthly_last", "agenda.repeat_monthly_last"),
        ("custom", "agenda.repeat_custom"),
    ]
    .iter()
    .map(|(v, k)| (*v, ctx.t(k).to_string()))
    .collect();
    let ends: Vec<(&str, String)> = [
        ("never", "agenda.ends_never"),
        ("until", "agenda.ends_until"),
        ("count", "agenda.ends_count"),
    ]
    .iter()
    .map(|(v, k)| (*v, ctx.t(k).to_string()))
    .collect();
    let days: Vec<&str> = ctx.t("date.weekdays").split(',').map(str::trim).collect();
    let ticked = [
        &f.day_mo, &f.day_tu, &f.day_we, &f.day_th, &f.day_fr, &f.day_sa, &f.day_su,
    ];
    let days_error = e.get("days");
    // Folded for a one-off event (most of them): opened by a series or an error in it.
    let open = !f.repeat.is_empty()
        || [
            "repeat", "interval", "days", "until", "count", "exdates", "rrule", "rdates",
        ]
        .iter()
        .any(|k| e.get(k).is_some());
    html! {
        details.repeat open[open] {
        summary { (ctx.t("agenda.repeat_summary")) }
        fieldset {
            legend { (ctx.t("agenda.repeat")) }
            p.hint { (ctx.t("agenda.repeat_hint")) }
            @if let Some(m) = e.get("repeat") { p.error { (ctx.t(m)) } }
            (select(ctx, "repeat", "agenda.repeat_label", &repeats, &f.repeat))
            (Field::text("interval", "agenda.interval", &f.interval).kind("number").optional().hint("agenda.interval_hint").render(ctx, e))
            fieldset #f-days .invalid[days_error.is_some()] {
                legend { (ctx.t("agenda.days")) }
                @if let Some(m) = days_error { p.error { (ctx.t(m)) } }
                @for (i, name) in DAY_FIELDS.iter().enumerate() {
                    div.check {
                        input id={ "f-" (name) } type="checkbox" name=(name) checked[!ticked[i].is_empty()];
                        label for={ "f-" (name) } { (days.get(i).copied().unwrap_or("")) }
                    }
                }
            }
            (select(ctx, "ends", "agenda.ends", &ends, if f.ends.is_empty() { "never" } else { &f.ends }))
            (Field::text("until", "agenda.until", &f.until).kind("date").optional().render(ctx, e))
            (Field::text("count", "agenda.count", &f.count).kind("number").optional().render(ctx, e))
            (Field::text("exdates", "agenda.exdates", &f.exdates).optional().hint("agenda.exdates_hint").render(ctx, e))
            // A rule or added dates from an imported calendar are shown and kept as written.
            @if f.repeat == "custom" || !f.rrule.is_empty() || e.get("rrule").is_some() {
                (Field::text("rrule", "agenda.rrule", &f.rrule).optional().hint("agenda.rrule_hint").render(ctx, e))
            }
            @if !f.rdates.is_empty() || e.get("rdates").is_some() {
                (Field::text("rdates", "agenda.rdates", &f.rdates).optional().hint("agenda.rdates_hint").render(ctx, e))
            }
        }
        }
    }
}

fn where_fields(ctx: &Ctx, f: &EventForm, e: &FormErrors, refs: &Refs) -> Markup {
    let mut places: Vec<(&str, String)> = vec![("", ctx.t("agenda.place_typed").to_string())];
    places.extend(refs.places.iter().map(|(s, n)| (s.as_str(), n.clone())));
    html! {
        fieldset {
            legend { (ctx.t("agenda.where")) }
            @if let Some(m) = e.message(ctx, "place") { p.error #f-place-error { (m) } }
            (select(ctx, "place", "agenda.place", &places, &f.place))
            (Field::text("address", "dir.address", &f.address).optional().hint("agenda.address_hint").address("f-lat", "f-lon").render(ctx, e))
            (Field::text("lat", "settings.lat", &f.lat).kind("decimal").optional().render(ctx, e))
            (Field::text("lon", "settings.lon", &f.lon).kind("decimal").optional().render(ctx, e))
        }
    }
}

/// The create/edit form (`ev` is `None` when creating; without an account, a submission).
pub fn event_form(
    ctx: &Ctx,
    ev: Option<&Event>,
    f: &EventForm,
    e: &FormErrors,
    refs: &Refs,
    status: StatusCode,
) -> HttpResponse {
    let title = match ev {
        Some(ev) => ctx.lang.tf("agenda.edit_title", &[("title", &ev.title)]),
        None => ctx.t("agenda.new").to_string(),
    };
    let action = ev.map_or_else(
        || "/agenda/new".to_string(),
        |ev| format!("/e/{}/edit", ev.slug),
    );
    let types: Vec<(&str, String)> = EventType::ALL
        .iter()
        .map(|t| (t.as_str(), type_label(ctx, *t).to_string()))
        .collect();
    let anonymous = ctx.user.is_none();
    let mut organisers: Vec<(&str, String)> = vec![(
        "",
        ctx.user.as_ref().map_or(String::new(), |u| {
            ctx.lang.tf("agenda.organiser_me", &[("name", &u.name)])
        }),
    )];
    organisers.extend(refs.organisers.iter().map(|(s, n)| (s.as_str(), n.clone())));
    let vis = [
        ("public", ctx.t("agenda.visibility_public").to_string()),
        ("members", ctx.t("agenda.visibility_members").to_string()),
    ];
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            @if anonymous { p.notice { (ctx.t("agenda.submission_intro")) } }
            (error_summary(ctx, e))
            (crate::personal_data::views::edit_note(ctx, &[&f.title, &f.description]))
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                (Field::text("title", "agenda.title_label", &f.title).render(ctx, e))
                (select(ctx, "type", "agenda.type_label", &types, &f.type_))
                fieldset {
                    legend { (ctx.t("agenda.when")) }
                    (Field::text("start_date", "agenda.start_date", &f.start_date).kind("date").hint("agenda.date_hint").render(ctx, e))
                    (Field::text("start_time", "agenda.start_time", &f.start_time).kind("time").optional().hint("agenda.time_hint").render(ctx, e))
                    (Field::text("end_date", "agenda.end_date", &f.end_date).kind("date").optional().render(ctx, e))
                    (Field::text("end_time", "agenda.end_time", &f.end_time).kind("time").optional().render(ctx, e))
                    div.check {
                        input #f-all_day type="checkbox" name="all_day" checked[!f.all_day.is_empty()];
                        label for="f-all_day" { (ctx.t("agenda.all_day_label")) }
                    }
                }
                (repeat_fields(ctx, f, e))
                (where_fields(ctx, f, e, refs))
                @if !anonymous {
                    @if let Some(m) = e.get("organiser") { p.error #f-organiser-error { (ctx.t(m)) } }
                    (select(ctx, "organiser", "agenda.organiser", &organisers, &f.organiser))
                    (Field::text("parent", "agenda.parent", &f.parent).optional().hint("agenda.parent_hint").choices(&refs.parents).render(ctx, e))
                }
                (Field::text("description", "dir.description", &f.description).kind("textarea").optional().hint("dir.description_hint").render(ctx, e))
                (Field::text("tags", "dir.tags", &f.tags).optional().hint("dir.tags_hint").render(ctx, e))
                (Field::text("capacity", "agenda.capacity", &f.capacity).kind("number").optional().hint("agenda.capacity_hint").render(ctx, e))
                @if anonymous {
                    fieldset {
                        legend { (ctx.t("agenda.you")) }
                        p.hint { (ctx.t("agenda.you_hint")) }
                        (Field::text("submitter_name", "account.name", &f.submitter_name).autocomplete("name").render(ctx, e))
                        (Field::text("submitter_email", "account.email", &f.submitter_email).kind("email").autocomplete("email").render(ctx, e))
                    }
                } @else {
                    @if let Some(m) = e.get("visibility") { p.error #f-visibility-error { (ctx.t(m)) } }
                    (select(ctx, "visibility", "agenda.visibility", &vis, &f.visibility))
                }
                button type="submit" { (ctx.t(if anonymous { "agenda.submit" } else { "form.save" })) }
            }
            @if let Some(ev) = ev {
                section aria-labelledby="image-h" {
                    h2 #image-h { (ctx.t("agenda.image")) }
                    form method="post" enctype="multipart/form-data" action={ "/e/" (ev.slug) "/image?_csrf=" (ctx.csrf) } {
                        div.field {
                            label for="f-image" { (ctx.t("dir.photo_file")) }
                            p.hint { (ctx.t("dir.photo_hint")) }
                            input #f-image type="file" name="image" accept="image/jpeg,image/png,image/webp" required;
                        }
                        button type="submit" { (ctx.t("dir.photo_send")) }
                    }
                }
            }
            script src=(assets::url("js/address-autocomplete.js")) defer {}
        },
    )
}

/// GET /e/{slug}/dates/{rid}/edit: this date alone.
pub fn date_form(
    ctx: &Ctx,
    ev: &Event,
    o: &Occurrence,
    f: &OccurrenceForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let original = day_text(ctx, local(ctx, o.recurrence_id).date());
    let title = ctx.lang.tf(
        "agenda.edit_date_title",
        &[("title", &ev.title), ("day", &original)],
    );
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.hint { (ctx.t("agenda.edit_date_hint")) }
            (error_summary(ctx, e))
            form method="post" action={ "/e/" (ev.slug) "/dates/" (o.recurrence_id) "/edit" } novalidate {
                (csrf(ctx))
                (Field::text("date", "agenda.date", &f.date).kind("date").render(ctx, e))
                @if !ev.all_day {
                    (Field::text("start_time", "agenda.start_time", &f.start_time).kind("time").render(ctx, e))
                    (Field::text("end_time", "agenda.end_time", &f.end_time).kind("time").optional().render(ctx, e))
                }
                (Field::text("title", "agenda.date_title", &f.title).optional().hint("agenda.date_title_hint").render(ctx, e))
                (Field::text("note", "agenda.note", &f.note).optional().hint("agenda.note_hint").render(ctx, e))
                button type="submit" { (ctx.t("form.save")) }
            }
            p { a href={ "/e/" (ev.slug) "?o=" (o.recurrence_id) } { (ctx.t("agenda.back_to_event")) } }
        },
    )
}

/// GET /admin/agenda: the submissions to approve or refuse.
pub fn queue(ctx: &Ctx, pending: &[Event]) -> HttpResponse {
    let title = ctx.t("agenda.queue_title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.hint { (ctx.t("agenda.queue_hint")) }
            @if pending.is_empty() { p role="status" { (ctx.t("agenda.queue_empty")) } }
            ul.cards {
                @for ev in pending {
                    li.card {
                        h3 { a href={ "/e/" (ev.slug) } { (ev.title) } }
                        p.small {
                            (day_text(ctx, local(ctx, ev.start_utc).date())) ", " (time_text(ctx, ev.all_day, ev.start_utc, ev.end_utc))
                            " · " (type_label(ctx, ev.type_))
                            @if !ev.location_label().is_empty() { " · " (ev.location_label()) }
                        }
                        p.small { (ctx.lang.tf("agenda.submitted_by", &[("name", &ev.submitter_name), ("email", &ev.submitter_email)])) }
                        div.actions {
                            form.inline method="post" action={ "/admin/agenda/" (ev.id) "/approve" } {
                                (csrf(ctx)) button type="submit" { (ctx.t("agenda.approve")) }
                            }
                            form.inline method="post" action={ "/admin/agenda/" (ev.id) "/reject" } {
                                (csrf(ctx)) button.danger type="submit" { (ctx.t("agenda.reject")) }
                            }
                        }
                    }
                }
            }
        },
    )
}
