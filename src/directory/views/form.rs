//! The form that creates or edits a directory page.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use super::{kind_label, post_button, type_label};
use crate::directory::{Actor, ActorForm, Kind, HOUR_FIELDS};
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::picker::Choices;
use crate::web::{assets, page_with_status, Ctx};

/// The create/edit form (`actor` is `None` when creating).
pub fn form(
    ctx: &Ctx,
    actor: Option<&Actor>,
    f: &ActorForm,
    e: &FormErrors,
    parents: &Choices,
    status: StatusCode,
) -> HttpResponse {
    let title = match actor {
        Some(a) => ctx.lang.tf("dir.edit_title", &[("actor", &a.name)]),
        None => ctx.t("dir.new").to_string(),
    };
    let action = actor
        .map(|a| format!("/a/{}/edit", a.slug))
        .unwrap_or_else(|| "/directory/new".into());
    let kinds: Vec<(&str, String)> = Kind::ALL
        .iter()
        .map(|k| (k.as_str(), kind_label(ctx, *k).to_string()))
        .collect();
    let mut types: Vec<(&str, String)> = Vec::new();
    for k in Kind::ALL {
        types.extend(k.types().iter().map(|t| {
            (
                *t,
                format!("{} — {}", kind_label(ctx, k), type_label(ctx, t)),
            )
        }));
    }
    let vis = [
        ("public", ctx.t("dir.visibility_public").to_string()),
        ("members", ctx.t("dir.visibility_members").to_string()),
    ];
    let days: Vec<&str> = ctx.t("date.weekdays").split(',').collect();
    let texts = f.hour_texts();
    let (tiles, attribution) = crate::settings::tiles::tile_layer(&ctx.instance);
    page_with_status(
        status,
        ctx,
        &title,
        html! {
            link rel="stylesheet" href=(assets::url("vendor/leaflet/leaflet.css"));
            h1 { (title) }
            (error_summary(ctx, e))
            (crate::personal_data::views::edit_note(ctx, &[&f.summary, &f.description]))
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                (select(ctx, "kind", "dir.kind_label", &kinds, &f.kind))
                (select(ctx, "type", "dir.type_label", &types, &f.type_))
                (Field::text("name", "dir.name", &f.name).render(ctx, e))
                (Field::text("summary", "dir.summary", &f.summary).optional().hint("dir.summary_hint").render(ctx, e))
                (Field::text("description", "dir.description", &f.description).kind("textarea").optional().hint("dir.description_hint").render(ctx, e))
                (Field::text("tags", "dir.tags", &f.tags).optional().hint("dir.tags_hint").render(ctx, e))
                fieldset {
                    legend { (ctx.t("dir.where")) }
                    (Field::text("address", "dir.address", &f.address).optional().autocomplete("street-address").hint("addresses.hint").address("f-lat", "f-lon").render(ctx, e))
                    (Field::text("lat", "settings.lat", &f.lat).kind("decimal").optional().render(ctx, e))
                    (Field::text("lon", "settings.lon", &f.lon).kind("decimal").optional().hint("dir.location_hint").render(ctx, e))
                    // Filled by location-picker.js when JavaScript runs; hidden otherwise.
                    div #location-picker .map hidden role="region" aria-label=(ctx.t("dir.map_picker"))
                        data-lat=(ctx.instance.center_lat) data-lon=(ctx.instance.center_lon)
                        data-tiles=(tiles) data-attribution=(attribution) {}
                    p.hint { (ctx.t("dir.map_picker_hint")) }
                }
                fieldset {
                    legend { (ctx.t("dir.contacts")) }
                    (Field::text("phone", "dir.phone", &f.phone).kind("tel").optional().render(ctx, e))
                    (Field::text("website", "dir.website", &f.website).optional().hint("dir.website_hint").render(ctx, e))
                    (Field::text("social", "dir.social", &f.social).kind("textarea").optional().hint("dir.social_hint").render(ctx, e))
                }
                fieldset {
                    legend { (ctx.t("dir.hours")) }
                    p.hint { (ctx.t("dir.hours_hint")) }
                    @for d in 0..7 {
                        @let id = format!("f-{}", HOUR_FIELDS[d]);
                        @let err = e.get(HOUR_FIELDS[d]);
                        div.field.invalid[err.is_some()] {
                            label for=(id) { (days.get(d).copied().unwrap_or("")) }
                            @if let Some(m) = err { p.error id={ (id) "-error" } { (ctx.t(m)) } }
                            input id=(id) name=(HOUR_FIELDS[d]) type="text" value=(texts[d]) aria-invalid=[err.map(|_| "true")]
                                aria-describedby=[err.map(|_| format!("{id}-error"))];
                        }
                    }
                }
                // A room's fields, folded unless the page is a place or already has them.
                @let room_open = f.kind == "place" || !f.capacity.is_empty() || !f.equipment.is_empty()
                    || !f.accessibility.is_empty()
                    || ["capacity", "equipment", "accessibility"].iter().any(|k| e.get(k).is_some());
                details.room open[room_open] {
                    summary { (ctx.t("dir.room")) }
                    fieldset {
                        legend { (ctx.t("dir.room")) }
                        p.hint { (ctx.t("dir.room_hint")) }
                        (Field::text("capacity", "dir.capacity", &f.capacity).kind("number").optional().render(ctx, e))
                        (Field::text("equipment", "dir.equipment", &f.equipment).kind("textarea").optional().render(ctx, e))
                        (Field::text("accessibility", "dir.accessibility", &f.accessibility).kind("textarea").optional().render(ctx, e))
                    }
                }
                (Field::text("parent", "dir.parent", &f.parent).optional().hint("dir.parent_hint").choices(parents).render(ctx, e))
                (select(ctx, "visibility", "dir.visibility", &vis, &f.visibility))
                button type="submit" { (ctx.t("form.save")) }
            }
            @if let Some(a) = actor {
                section aria-labelledby="photo-h" {
                    h2 #photo-h { (ctx.t("dir.photo")) }
                    form method="post" enctype="multipart/form-data" action={ "/a/" (a.slug) "/photo?_csrf=" (ctx.csrf) } {
                        div.field {
                            label for="f-photo" { (ctx.t("dir.photo_file")) }
                            p.hint { (ctx.t("dir.photo_hint")) }
                            input #f-photo type="file" name="photo" accept="image/jpeg,image/png,image/webp" required;
                        }
                        button type="submit" { (ctx.t("dir.photo_send")) }
                    }
                }
                section aria-labelledby="delete-h" {
                    h2 #delete-h { (ctx.t("dir.delete")) }
                    p { (ctx.t("dir.delete_warning")) }
                    (post_button(ctx, &format!("/a/{}/delete", a.slug), ctx.t("dir.delete"), None))
                }
            }
            script src=(assets::url("vendor/leaflet/leaflet.js")) defer {}
            script src=(assets::url("js/location-picker.js")) defer {}
            script src=(assets::url("js/address-autocomplete.js")) defer {}
        },
    )
}
