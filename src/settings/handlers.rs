//! First-run setup and the admin pages (settings, modules, SMTP, test mail, roles).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// `GeneralForm` is also named from here by the map's settings (`crate::map`).
use super::form::GeneralForm;
use super::form::{General, PlaceChoice, RoleForm, SetupForm, SmtpForm};
use super::views::{self, Health, SettingsPage};
use super::{store, Module, Smtp, SmtpSecurity};
use crate::auth::{self, hash_password, password_problem, plausible_email, Role};
use crate::db::now;
use crate::error::AppError;
use crate::mail::{Delivery, Mail};
use crate::state::AppState;
use crate::web::context::SESSION_COOKIE;
use crate::web::forms::FormErrors;
use crate::web::Admin;
use crate::web::{client_ip, redirect, redirect_with_flash, Ctx};

fn save_general(tx: &rusqlite::Connection, g: &General) -> rusqlite::Result<()> {
    store::save_general(
        tx,
        &store::General {
            name: &g.name,
            description: &g.description,
            center_lat: g.center_lat,
            center_lon: g.center_lon,
            radius_km: g.radius_km,
            default_lang: g.lang,
            time_zone: &g.time_zone,
        },
    )
}

/// Looks the typed village name (or postcode) up in the address base: the one match, or the
/// one picked among several, fills the centre (and the name when it is blank); several matches
/// are offered to pick from; none is an error on `place` naming what was typed.
async fn locate(
    state: &AppState,
    form: &mut GeneralForm,
    errors: &mut FormErrors,
) -> Result<PlaceChoice, AppError> {
    let typed: String = form.place.trim().chars().take(100).collect();
    if typed.is_empty() {
        let no_base = state
            .db
            .read(|c| Ok(crate::addresses::store::is_empty(c)?))
            .await?;
        return Ok(PlaceChoice {
            no_base,
            ..Default::default()
        });
    }
    let q = typed.clone();
    let (no_base, found) = state
        .db
        .read(move |c| {
            Ok((
                crate::addresses::store::is_empty(c)?,
                crate::addresses::store::communes(c, &q)?,
            ))
        })
        .await?;
    let picked = match found.len() {
        1 => found.first(),
        _ => found.iter().find(|c| c.key() == form.place_pick),
    };
    if let Some(c) = picked {
        form.center_lat = format!("{:.6}", c.lat);
        form.center_lon = format!("{:.6}", c.lon);
        form.place_pick = c.key();
        if form.name.trim().is_empty() {
            form.name = c.name.clone();
        }
    } else if no_base {
        errors.add_with("place", "settings.place_no_base", vec![("place", typed)]);
    } else if found.is_empty() {
        errors.add_with("place", "settings.place_unknown", vec![("place", typed)]);
    } else {
        errors.add_with("place", "settings.place_pick", vec![("place", typed)]);
    }
    Ok(PlaceChoice {
        candidates: if found.len() > 1 { found } else { Vec::new() },
        no_base,
    })
}

/// GET /setup
pub async fn setup_form(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if ctx.instance.setup_done {
        return Ok(redirect("/"));
    }
    let mut form = SetupForm {
        general: GeneralForm::from_instance(&ctx.instance),
        ..Default::default()
    };
    // The village must type its own centre: a default one would silently be wrong.
    form.general.name.clear();
    form.general.center_lat.clear();
    form.general.center_lon.clear();
    form.general.lang = ctx.lang.code().to_string();
    let no_base = state
        .db
        .read(|c| Ok(crate::addresses::store::is_empty(c)?))
        .await?;
    let place = PlaceChoice {
        no_base,
        ..Default::default()
    };
    Ok(views::setup(
        &ctx,
        &form,
        &place,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// POST /setup: checks the one-time code, saves the village and creates the first admin,
/// signed in, all in one transaction.
pub async fn setup_submit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    if ctx.instance.setup_done {
        return Ok(redirect("/"));
    }
    let mut form = form.into_inner();
    let mut errors = FormErrors::new();
    if !state.limits.login_ip.hit(&client_ip(&req)) {
        errors.add("code", "error.too_many");
        return Ok(views::setup(
            &ctx,
            &form,
            &PlaceChoice::default(),
            &errors,
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let expected = state
        .setup_code
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let code_ok = expected.is_some_and(|c| normalise_code(&c) == normalise_code(&form.code));
    errors.check(!code_ok, "code", "setup.code_wrong");
    let place = locate(&state, &mut form.general, &mut errors).await?;
    let general = form.general.parse(&mut errors);
    let admin_name = form.admin_name.trim().to_string();
    let admin_email = form.admin_email.trim().to_string();
    errors.check(admin_name.is_empty(), "admin_name", "account.name_required");
    errors.check(
        !plausible_email(&admin_email),
        "admin_email",
        "account.email_invalid",
    );
    if let Some(p) = password_problem(&form.admin_password) {
        errors.add("admin_password", p);
    }
    let Some(general) = general.filter(|_| errors.is_empty()) else {
        return Ok(views::setup(
            &ctx,
            &form,
            &place,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let password = form.admin_password.clone();
    let hash = web::block(move || hash_password(&password)).await??;
    let origin = crate::web::request_origin(&req);
    let sid = auth::random_token();
    let sh = auth::token_hash(&sid);
    let lang = general.lang;
    let done = state
        .db
        .write(move |tx| {
            if !store::mark_setup_done(tx, now())? {
                return Ok(false);
            }
            save_general(tx, &general)?;
            store::save_public_url(tx, &origin)?;
            let new = auth::store::NewUser {
                email: &admin_email,
                name: &admin_name,
                password_hash: &hash,
                role: Role::Admin,
                lang: Some(lang),
                confirmed: true,
            };
            let id = match auth::store::create_user(tx, &new, now())? {
                Some(id) => id,
                None => {
                    // An account made on the command line before setup: make it the admin.
                    let (u, _) = auth::store::user_by_email(tx, &admin_email)?
                        .ok_or_else(|| AppError::msg("account vanished during setup"))?;
                    auth::store::set_role(tx, u.id, Role::Admin, now())?;
                    auth::store::set_password(tx, u.id, &hash, now())?;
                    u.id
                }
            };
            auth::store::create_session(tx, &sh, id, now())?;
            Ok(true)
        })
        .await?;
    if !done {
        return Ok(redirect("/"));
    }
    *state.setup_code.lock().unwrap_or_else(|e| e.into_inner()) = None;
    state.reload_instance().await?;
    log::info!("first-run setup completed");
    let mut res = redirect_with_flash(&ctx, "/admin", "flash.setup_done");
    let _ = res.add_cookie(&ctx.cookie(SESSION_COOKIE, sid, None));
    Ok(res)
}

/// GET /admin
pub async fn admin_settings(ctx: Ctx, state: web::Data<AppState>, _: Admin) -> HttpResponse {
    let form = GeneralForm::from_instance(&ctx.instance);
    // The clock asks timedatectl (up to 2 s): on the blocking pool, like the database.
    let db = state.config.db_path();
    let health = web::block(move || Health {
        clock: crate::time::clock_synchronised(),
        replication: crate::replication::local(&db),
    })
    .await
    .ok();
    let mut page = settings_page(&state, &form, &ctx.instance.smtp);
    page.health = health;
    views::settings(&ctx, &page, &FormErrors::new(), StatusCode::OK)
}

/// The settings page with the saved values (a form being re-shown replaces its part).
pub(crate) fn settings_page<'a>(
    state: &'a AppState,
    form: &'a GeneralForm,
    smtp: &'a Smtp,
) -> SettingsPage<'a> {
    SettingsPage {
        general: form,
        smtp,
        outbox: state.mailer.outbox(),
        map: super::tiles::MapSettingsForm::from_instance(&state.instance()),
        place: PlaceChoice::default(),
        health: None,
    }
}

/// POST /admin: saves general settings and modules.
pub async fn admin_settings_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    // Repeated `modules` fields need a list-aware parser; serde_urlencoded keeps the last only.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut form = GeneralForm {
        name: get("name"),
        public_url: get("public_url"),
        description: get("description"),
        place: get("place"),
        place_pick: get("place_pick"),
        center_lat: get("center_lat"),
        center_lon: get("center_lon"),
        radius_km: get("radius_km"),
        lang: get("lang"),
        time_zone: get("time_zone"),
    };
    let on: Vec<Module> = pairs
        .iter()
        .filter(|(k, _)| k == "modules")
        .filter_map(|(_, v)| Module::parse(v))
        .collect();
    let mut errors = FormErrors::new();
    let public_url = form.public_url.trim().trim_end_matches('/').to_string();
    let url_ok = (public_url.starts_with("https://") || public_url.starts_with("http://"))
        && public_url.len() > 10
        && !public_url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    errors.check(!url_ok, "public_url", "settings.public_url_invalid");
    let place = locate(&state, &mut form, &mut errors).await?;
    let general = form
        .parse(&mut errors)
        .filter(|_| url_ok && errors.is_empty());
    let Some(general) = general else {
        let mut page = settings_page(&state, &form, &ctx.instance.smtp);
        page.place = place;
        return Ok(views::settings(
            &ctx,
            &page,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    state
        .db
        .write(move |tx| {
            save_general(tx, &general)?;
            store::save_public_url(tx, &public_url)?;
            for m in Module::ALL {
                store::set_module(tx, m, on.contains(&m))?;
            }
            Ok(())
        })
        .await?;
    state.reload_instance().await?;
    Ok(redirect_with_flash(&ctx, "/admin", "flash.saved"))
}

/// POST /admin/smtp: saves the relay; an empty password keeps the current one.
pub async fn admin_smtp_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    form: web::Form<SmtpForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let port = form.smtp_port.trim().parse::<u16>().ok().filter(|p| *p > 0);
    errors.check(port.is_none(), "smtp_port", "settings.port_invalid");
    let security = SmtpSecurity::parse(&form.smtp_security);
    errors.check(
        security.is_none(),
        "smtp_security",
        "settings.security_invalid",
    );
    let host = form.smtp_host.trim();
    let typed = form.smtp_from.trim();
    // A relay needs a sender a provider accepts: the one typed, else `placette@` the public
    // address's domain (saved as such, so the page shows what mails will carry).
    let derived = &ctx.instance.smtp.default_from;
    let from = if typed.is_empty() && !host.is_empty() {
        errors.check(derived.is_empty(), "smtp_from", "settings.from_required");
        derived.as_str()
    } else {
        if let Some(problem) = (!typed.is_empty())
            .then(|| super::sender_problem(typed))
            .flatten()
        {
            errors.add("smtp_from", problem);
        }
        typed
    };
    let from_derived = typed.is_empty() && !from.is_empty();
    let smtp = Smtp {
        host: form.smtp_host.trim().to_string(),
        port: port.unwrap_or(587),
        security: security.unwrap_or(SmtpSecurity::StartTls),
        user: form.smtp_user.trim().to_string(),
        password: if form.smtp_password.is_empty() {
            ctx.instance.smtp.password.clone()
        } else {
            form.smtp_password.clone()
        },
        from: from.to_string(),
        default_from: derived.clone(),
    };
    if !errors.is_empty() {
        // Shown again as typed (an empty sender stays empty).
        let smtp = Smtp {
            from: typed.to_string(),
            ..smtp
        };
        let general = GeneralForm::from_instance(&ctx.instance);
        let page = settings_page(&state, &general, &smtp);
        return Ok(views::settings(
            &ctx,
            &page,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    state
        .db
        .write(move |tx| Ok(store::save_smtp(tx, &smtp)?))
        .await?;
    state.reload_instance().await?;
    let flash = if from_derived {
        "flash.sender_derived"
    } else {
        "flash.saved"
    };
    Ok(redirect_with_flash(&ctx, "/admin", flash))
}

/// POST /admin/test-mail: sends a test mail to the admin and says what happened.
pub async fn admin_test_mail(
    ctx: Ctx,
    state: web::Data<AppState>,
    Admin(admin): Admin,
) -> HttpResponse {
    let mail = Mail {
        to: admin.email.clone(),
        subject: ctx
            .lang
            .tf("mail.test_subject", &[("site", &ctx.instance.name)]),
        text: ctx
            .lang
            .tf("mail.test_body", &[("site", &ctx.instance.name)]),
        reply_to: None,
    };
    let smtp = &ctx.instance.smtp;
    if smtp.relay() && smtp.sender().is_none() {
        return views::test_mail_result(&ctx, ctx.t("settings.from_missing"), false);
    }
    let outcome = state.mailer.send(smtp, &ctx.instance.name, mail).await;
    let message = match &outcome {
        Ok(Delivery::Relay) => ctx
            .lang
            .tf("settings.test_sent", &[("email", &admin.email)]),
        Ok(Delivery::File(p)) => ctx
            .lang
            .tf("settings.test_file", &[("path", &p.display().to_string())]),
        Err(e) => ctx
            .lang
            .tf("settings.test_failed", &[("error", &e.to_string())]),
    };
    views::test_mail_result(&ctx, &message, outcome.is_ok())
}

/// GET /admin/users
pub async fn admin_users(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, AppError> {
    let users = state.db.read(|c| Ok(auth::store::all_users(c)?)).await?;
    Ok(views::users(&ctx, &users))
}

/// POST /admin/users/{id}/role: changes a role; the last admin cannot step down.
pub async fn admin_set_role(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let role = Role::parse(&form.role).ok_or(AppError::NotFound)?;
    let id = id.into_inner();
    let outcome = state
        .db
        .write(move |tx| {
            let Some(target) = auth::store::user_by_id(tx, id)? else {
                return Ok(None);
            };
            if target.role == Role::Admin
                && role != Role::Admin
                && auth::store::admin_count(tx)? <= 1
            {
                return Ok(Some(false));
            }
            auth::store::set_role(tx, id, role, now())?;
            Ok(Some(true))
        })
        .await?;
    match outcome {
        None => Err(AppError::NotFound),
        Some(true) => Ok(redirect_with_flash(&ctx, "/admin/users", "flash.saved")),
        Some(false) => Ok(redirect_with_flash(
            &ctx,
            "/admin/users",
            "flash.last_admin",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_settings_without_a_name_are_refused() {
        let mut form = GeneralForm {
            name: "  ".into(),
            center_lat: "47,35".into(),
            center_lon: "-0.81".into(),
            radius_km: "15".into(),
            lang: "fr".into(),
            time_zone: "Europe/Paris".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        assert!(form.parse(&mut e).is_none());
        assert_eq!(e.get("name"), Some("settings.name_required"));
        form.name = "Saint-Placide".into();
        let g = form.parse(&mut FormErrors::new()).unwrap();
        assert_eq!((g.name.as_str(), g.center_lat), ("Saint-Placide", 47.35));
    }
}
