//! Pages of the first-run setup and of the admin area.

use std::path::Path;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::form::{GeneralForm, PlaceChoice, SetupForm};
use super::tiles::MapSettingsForm;
use super::{Module, Smtp, SmtpSecurity};
use crate::auth::{Role, User};
use crate::i18n;
use crate::web::forms::{csrf, error_summary, select, Field, FormErrors};
use crate::web::{assets, page, page_with_status, Ctx};

/// A decimal input that takes « 47,3512 » as well as « 47.3512 » (no `type=number`, which
/// some browsers turn « 47,3512 » into 473512 with).
fn decimal(
    ctx: &Ctx,
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    value: &str,
    errors: &FormErrors,
) -> Markup {
    let id = format!("f-{name}");
    let error = errors.message(ctx, name);
    let described = [
        hint.map(|_| format!("{id}-hint")),
        error.as_ref().map(|_| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (ctx.t(label)) }
            @if let Some(h) = hint { p.hint id={ (id) "-hint" } { (ctx.t(h)) } }
            @if let Some(e) = &error { p.error id={ (id) "-error" } { (e) } }
            input id=(id) name=(name) type="text" inputmode="decimal" value=(value)
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
        }
    }
}

/// The village's centre: its name looked up in the address base (several matches to pick
/// from), the coordinates as an advanced fallback, and the radius.
fn centre_fields(ctx: &Ctx, f: &GeneralForm, place: &PlaceChoice, errors: &FormErrors) -> Markup {
    let advanced =
        place.no_base || errors.get("center_lat").is_some() || errors.get("center_lon").is_some();
    let mut name = Field::text("place", "settings.place", &f.place).hint("settings.place_hint");
    if !place.no_base {
        name = name.autocomplete("address-level2");
    }
    html! {
        fieldset {
            legend { (ctx.t("settings.centre")) }
            @if place.no_base { p.hint #no-address-base { (ctx.t("settings.no_base")) } }
            (name.optional().render(ctx, errors))
            @if !place.candidates.is_empty() {
                fieldset #place-choices {
                    legend { (ctx.t("settings.place_choose")) }
                    @for (i, c) in place.candidates.iter().enumerate() {
                        div.check {
                            input type="radio" id={ "place-" (i) } name="place_pick" value=(c.key()) checked[c.key() == f.place_pick];
                            label for={ "place-" (i) } { (c.label()) }
                        }
                    }
                }
            }
            (centre_map(ctx))
            details #centre-advanced open[advanced] {
                summary { (ctx.t("settings.centre_advanced")) }
                p.hint { (ctx.t("settings.centre_hint")) }
                (decimal(ctx, "center_lat", "settings.lat", None, &f.center_lat, errors))
                (decimal(ctx, "center_lon", "settings.lon", None, &f.center_lon, errors))
            }
            (decimal(ctx, "radius_km", "settings.radius", Some("settings.radius_hint"), &f.radius_km, errors))
        }
    }
}

/// The map where a click sets the centre, with the circle of the radius drawn
/// (`assets/js/location-picker.js`); hidden without JavaScript, where the fields are typed.
/// A click empties the name looked up, which would otherwise replace the clicked centre.
fn centre_map(ctx: &Ctx) -> Markup {
    let (tiles, attribution) = super::tiles::tile_layer(&ctx.instance);
    html! {
        link rel="stylesheet" href=(assets::url("vendor/leaflet/leaflet.css"));
        div #location-picker .map.location-picker hidden role="region" aria-label=(ctx.t("settings.map_picker"))
            aria-describedby="location-picker-hint"
            data-lat-input="f-center_lat" data-lon-input="f-center_lon" data-radius-input="f-radius_km"
            data-clear-input="f-place" data-lat=(ctx.instance.center_lat) data-lon=(ctx.instance.center_lon)
            data-zoom="6" data-tiles=(tiles) data-attribution=(attribution) {}
        // Said only when the map is there (the script shows the hint with it).
        p.hint #location-picker-hint hidden { (ctx.t("settings.map_picker_hint")) }
        script src=(assets::url("vendor/leaflet/leaflet.js")) defer {}
        script src=(assets::url("js/location-picker.js")) defer {}
    }
}

fn general_fields(ctx: &Ctx, f: &GeneralForm, place: &PlaceChoice, errors: &FormErrors) -> Markup {
    let langs: Vec<(&str, String)> = i18n::ALL
        .iter()
        .map(|l| (l.code(), l.native_name().to_string()))
        .collect();
    html! {
        (Field::text("name", "settings.name", &f.name).hint("settings.name_hint").render(ctx, errors))
        (Field::text("description", "settings.description", &f.description).kind("textarea").optional().render(ctx, errors))
        (centre_fields(ctx, f, place, errors))
        (select(ctx, "lang", "settings.lang", &langs, &f.lang))
        (Field::text("time_zone", "settings.time_zone", &f.time_zone).hint("settings.time_zone_hint").render(ctx, errors))
    }
}

/// The first-run setup page.
pub fn setup(
    ctx: &Ctx,
    f: &SetupForm,
    place: &PlaceChoice,
    errors: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("setup.title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("setup.intro")) }
            (error_summary(ctx, errors))
            form #setup method="post" action="/setup" novalidate {
                (csrf(ctx))
                (Field::text("code", "setup.code", &f.code).hint("setup.code_hint").autocomplete("one-time-code").render(ctx, errors))
                fieldset {
                    legend { (ctx.t("setup.village")) }
                    (general_fields(ctx, &f.general, place, errors))
                }
                fieldset {
                    legend { (ctx.t("setup.admin")) }
                    (Field::text("admin_name", "account.name", &f.admin_name).autocomplete("name").render(ctx, errors))
                    (Field::text("admin_email", "account.email", &f.admin_email).kind("email").autocomplete("email").render(ctx, errors))
                    (Field::text("admin_password", "account.password", "").kind("password").hint("account.password_hint").autocomplete("new-password").render(ctx, errors))
                }
                button #setup-submit type="submit" { (ctx.t("setup.submit")) }
            }
        },
    )
}

/// What the admin settings page shows.
pub struct SettingsPage<'a> {
    pub general: &'a GeneralForm,
    pub smtp: &'a Smtp,
    pub outbox: &'a Path,
    /// The map settings, as saved or as typed.
    pub map: MapSettingsForm,
    /// What the lookup of a typed village name found.
    pub place: PlaceChoice,
    /// The server's health (shown on the page's first view, not on a re-shown form).
    pub health: Option<Health>,
}

/// What the volunteer must know of the machine: its clock and the off-box copy.
pub struct Health {
    /// Whether the clock is synchronised (`None`: cannot tell).
    pub clock: Option<bool>,
    /// Litestream's state beside the database (`None`: it does not replicate it).
    pub replication: Option<crate::replication::Local>,
}

/// The health section: the clock (mail dates, sessions and signatures depend on it) and the
/// replication of the database off the Pi.
fn health_section(ctx: &Ctx, h: &Health) -> Markup {
    let age = |t| {
        let (n, unit) = crate::replication::age_parts(t);
        ctx.lang
            .tf(&format!("admin.age_{unit}"), &[("n", &n.to_string())])
    };
    html! {
        section aria-labelledby="health-h" {
            h2 #health-h { (ctx.t("admin.health")) }
            @match h.clock {
                Some(true) => p #clock { (ctx.t("admin.clock_ok")) },
                Some(false) => p.error role="alert" #clock { (ctx.t("admin.clock_unsynchronised")) },
                None => p.notice role="note" #clock { (ctx.t("admin.clock_unknown")) },
            }
            @match &h.replication {
                None => p.error role="alert" #replication { (ctx.t("admin.replication_off")) },
                Some(crate::replication::Local { latest: Some(t) }) => p #replication {
                    (ctx.lang.tf("admin.replication_on", &[("age", &age(*t))]))
                },
                Some(_) => p #replication { (ctx.t("admin.replication_idle")) },
            }
        }
    }
}

/// The admin area's navigation, shown under the title of each admin page.
pub(crate) fn admin_nav(ctx: &Ctx) -> Markup {
    html! {
        nav.subnav aria-label=(ctx.t("admin.nav_label")) {
            a href="/admin" { (ctx.t("admin.settings")) } " · "
            a href="/admin/users" { (ctx.t("admin.users")) }
            " · " a href="/admin/import" { (ctx.t("data.import_nav")) }
            " · " a href="/admin/federation" { (ctx.t("federation.admin_title")) }
            " · " a href="/admin/neighbours" { (ctx.t("neighbours.title")) }
            // Each module's queue and settings, when the module is on.
            @let on = |m| ctx.instance.enabled(m);
            @if on(Module::Agenda) { " · " a href="/admin/agenda" { (ctx.t("agenda.queue_title")) } }
            // The one moderation queue (every module's reports) and its audit log.
            " · " a href="/moderation" { (ctx.t("moderation.title")) }
            " · " a href="/moderation/log" { (ctx.t("moderation.log_title")) }
            @if on(Module::Aid) { " · " a href="/aid/settings" { (ctx.t("aid.settings")) } }
            @if on(Module::Lists) { " · " a href="/admin/lists" { (ctx.t("lists.admin_title")) } }
            @if on(Module::Channels) { " · " a href="/admin/conduct" { (ctx.t("channels.conduct_title")) } }
        }
    }
}

/// The admin settings page: general settings, modules, mail.
pub fn settings(
    ctx: &Ctx,
    p: &SettingsPage,
    errors: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("admin.settings");
    let securities: Vec<(&str, String)> = [
        SmtpSecurity::StartTls,
        SmtpSecurity::Tls,
        SmtpSecurity::None,
    ]
    .iter()
    .map(|s| {
        (
            s.as_str(),
            ctx.t(&format!("settings.security_{}", s.as_str()))
                .to_string(),
        )
    })
    .collect();
    let port = p.smtp.port.to_string();
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (admin_nav(ctx))
            (error_summary(ctx, errors))
            @if let Some(h) = &p.health { (health_section(ctx, h)) }
            section aria-labelledby="general-h" {
                h2 #general-h { (ctx.t("settings.general")) }
                form method="post" action="/admin" novalidate {
                    (csrf(ctx))
                    (general_fields(ctx, p.general, &p.place, errors))
                (Field::text("public_url", "settings.public_url", &p.general.public_url).kind("url").hint("settings.public_url_hint").render(ctx, errors))
                    fieldset {
                        legend { (ctx.t("settings.modules")) }
                        @for m in Module::ALL {
                            div.check {
                                input type="checkbox" id={ "m-" (m.as_str()) } name="modules" value=(m.as_str()) checked[ctx.instance.enabled(m)];
                                label for={ "m-" (m.as_str()) } { (ctx.t(&format!("module.{}", m.as_str()))) }
                            }
                        }
                    }
                    button type="submit" { (ctx.t("form.save")) }
                }
            }
            section aria-labelledby="mail-h" {
                h2 #mail-h { (ctx.t("settings.mail")) }
                @if p.smtp.host.is_empty() {
                    p.notice role="note" { (ctx.lang.tf("settings.no_relay", &[("path", &p.outbox.display().to_string())])) }
                } @else if ctx.instance.smtp.relay() && ctx.instance.smtp.sender().is_none() {
                    p.error role="alert" { (ctx.t("settings.from_missing")) }
                }
                form method="post" action="/admin/smtp" novalidate {
                    (csrf(ctx))
                    (Field::text("smtp_host", "settings.smtp_host", &p.smtp.host).optional().hint("settings.smtp_host_hint").render(ctx, errors))
                    (Field::text("smtp_port", "settings.smtp_port", &port).kind("number").render(ctx, errors))
                    (select(ctx, "smtp_security", "settings.smtp_security", &securities, p.smtp.security.as_str()))
                    (Field::text("smtp_user", "settings.smtp_user", &p.smtp.user).optional().autocomplete("off").render(ctx, errors))
                    (Field::text("smtp_password", "settings.smtp_password", "").kind("password").optional().hint("settings.smtp_password_hint").autocomplete("new-password").render(ctx, errors))
                    (sender_field(ctx, p.smtp, errors))
                    button type="submit" { (ctx.t("form.save")) }
                }
                form method="post" action="/admin/test-mail" {
                    (csrf(ctx))
                    button type="submit" { (ctx.t("settings.test_mail")) }
                }
            }
            (map_section(ctx, &p.map, errors))
        },
    )
}

/// The sender field, its hint saying what an empty sender becomes: `placette@` the public
/// address's domain, or, when that address has none, that a relay needs one typed.
fn sender_field(ctx: &Ctx, smtp: &Smtp, errors: &FormErrors) -> Markup {
    let error = errors.get("smtp_from");
    let described = if error.is_some() {
        "f-smtp_from-hint f-smtp_from-error"
    } else {
        "f-smtp_from-hint"
    };
    html! {
        div.field.invalid[error.is_some()] {
            label for="f-smtp_from" { (ctx.t("settings.smtp_from")) " " span.optional { (ctx.t("form.optional")) } }
            p.hint #f-smtp_from-hint {
                (ctx.t("settings.smtp_from_hint")) " "
                @if smtp.default_from.is_empty() {
                    (ctx.t("settings.from_needed"))
                } @else {
                    (ctx.lang.tf("settings.from_derived", &[("from", &smtp.default_from)]))
                }
            }
            @if let Some(e) = error { p.error #f-smtp_from-error { (ctx.t(e)) } }
            input #f-smtp_from name="smtp_from" type="text" value=(smtp.from) autocomplete="off"
                aria-invalid=[error.map(|_| "true")] aria-describedby=(described);
        }
    }
}

/// The outcome of the test mail.
pub fn test_mail_result(ctx: &Ctx, message: &str, ok: bool) -> HttpResponse {
    let title = ctx.t("settings.test_mail");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            @if ok { p.notice role="status" { (message) } } @else { p.error role="alert" { (message) } }
            p { a href="/admin" { (ctx.t("admin.back")) } }
        },
    )
}

/// The list of accounts with their roles.
pub fn users(ctx: &Ctx, users: &[User]) -> HttpResponse {
    let title = ctx.t("admin.users");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            (admin_nav(ctx))
            table {
                thead { tr {
                    th scope="col" { (ctx.t("account.name")) }
                    th scope="col" { (ctx.t("account.email")) }
                    th scope="col" { (ctx.t("admin.confirmed")) }
                    th scope="col" { (ctx.t("admin.role")) }
                } }
                tbody {
                    @for u in users {
                        tr {
                            td { a href={ "/moderation/people/" (u.id) } { (u.name) } }
                            td { (u.email) }
                            td { @if u.email_confirmed { (ctx.t("admin.yes")) } @else { (ctx.t("admin.no")) } }
                            td {
                                form.inline method="post" action={ "/admin/users/" (u.id) "/role" } {
                                    (csrf(ctx))
                                    label.visually-hidden for={ "role-" (u.id) } { (ctx.t("admin.role")) " " (u.name) }
                                    select id={ "role-" (u.id) } name="role" {
                                        @for r in Role::ALL {
                                            option value=(r.as_str()) selected[r == u.role] { (ctx.t(&format!("role.{}", r.as_str()))) }
                                        }
                                    }
                                    " "
                                    button type="submit" aria-label={ (ctx.t("form.save")) " " (u.name) } { (ctx.t("form.save")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The map section of the admin settings page: tile server, attribution, MBTiles file.
pub fn map_section(ctx: &Ctx, f: &MapSettingsForm, errors: &FormErrors) -> Markup {
    html! {
        section aria-labelledby="map-h" {
            h2 #map-h { (ctx.t("map.settings_heading")) }
            p.hint { (ctx.t("map.settings_hint")) }
            form method="post" action="/admin/map" novalidate {
                (csrf(ctx))
                (Field::text("tile_url", "map.tile_url", &f.tile_url).optional().hint("map.tile_url_hint").autocomplete("off").render(ctx, errors))
                (Field::text("tile_attribution", "map.tile_attribution", &f.tile_attribution).hint("map.tile_attribution_hint").autocomplete("off").render(ctx, errors))
                (Field::text("mbtiles_path", "map.mbtiles_path", &f.mbtiles_path).optional().hint("map.mbtiles_path_hint").autocomplete("off").render(ctx, errors))
                button type="submit" { (ctx.t("form.save")) }
            }
        }
    }
}
