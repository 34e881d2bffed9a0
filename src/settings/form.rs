//! The settings' forms as typed: the first-run setup, the general settings (setup and admin
//! page), the SMTP relay and a person's role. (The map settings' form is in `tiles.rs`.)

use serde::Deserialize;

use crate::i18n::Lang;
use crate::web::forms::{number, FormErrors};

/// The general settings as typed (setup and admin page).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct GeneralForm {
    pub name: String,
    /// Only on the admin page; the setup records the address the admin used.
    pub public_url: String,
    pub description: String,
    /// The village's name or postcode, looked up in the address base to fill the centre.
    pub place: String,
    /// The commune picked among the matches of `place` ([`crate::addresses::Commune::key`]).
    pub place_pick: String,
    pub center_lat: String,
    pub center_lon: String,
    pub radius_km: String,
    pub lang: String,
    pub time_zone: String,
}

/// The general settings once parsed.
pub struct General {
    pub name: String,
    pub description: String,
    pub center_lat: f64,
    pub center_lon: f64,
    pub radius_km: f64,
    pub lang: Lang,
    pub time_zone: String,
}

impl GeneralForm {
    /// Checks every field; records problems in `e`.
    pub fn parse(&self, e: &mut FormErrors) -> Option<General> {
        let name = self.name.trim();
        let name_ok = !name.is_empty() && name.chars().count() <= 100;
        e.check(!name_ok, "name", "settings.name_required");
        let lat = number(&self.center_lat).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(&self.center_lon).filter(|v| (-180.0..=180.0).contains(v));
        // A typed name is looked up by the handler first, which fills the coordinates or reports
        // on `place` what it could not find; with neither, the name is what is asked for.
        let place_reported = e.get("place").is_some();
        let nothing = self.center_lat.trim().is_empty() && self.center_lon.trim().is_empty();
        e.check(
            !place_reported && nothing,
            "place",
            "settings.place_required",
        );
        let check_numbers = !place_reported && !nothing;
        e.check(
            check_numbers && lat.is_none(),
            "center_lat",
            "settings.lat_invalid",
        );
        e.check(
            check_numbers && lon.is_none(),
            "center_lon",
            "settings.lon_invalid",
        );
        let radius = number(&self.radius_km).filter(|v| *v > 0.0 && *v <= 500.0);
        e.check(radius.is_none(), "radius_km", "settings.radius_invalid");
        let lang = Lang::from_code(&self.lang);
        e.check(lang.is_none(), "lang", "settings.lang_invalid");
        let tz_ok = self.time_zone.trim().parse::<chrono_tz::Tz>().is_ok();
        e.check(!tz_ok, "time_zone", "settings.tz_invalid");
        Some(General {
            name: name.to_string(),
            description: self.description.trim().to_string(),
            center_lat: lat?,
            center_lon: lon?,
            radius_km: radius?,
            lang: lang?,
            time_zone: self.time_zone.trim().to_string(),
        })
        // A refused name refuses the form: the admin page saved a blank name (found by fuzzing).
        .filter(|_| tz_ok && name_ok)
    }

    /// The form filled with the current settings.
    pub fn from_instance(i: &super::Instance) -> GeneralForm {
        GeneralForm {
            name: i.name.clone(),
            public_url: i.public_url.clone(),
            description: i.description.clone(),
            place: String::new(),
            place_pick: String::new(),
            center_lat: i.center_lat.to_string(),
            center_lon: i.center_lon.to_string(),
            radius_km: i.radius_km.to_string(),
            lang: i.default_lang.code().to_string(),
            time_zone: i.time_zone.name().to_string(),
        }
    }
}

/// The first-run form: code, village, first admin.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SetupForm {
    pub code: String,
    #[serde(flatten)]
    pub general: GeneralForm,
    pub admin_name: String,
    pub admin_email: String,
    pub admin_password: String,
}

/// The SMTP form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SmtpForm {
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_security: String,
    pub smtp_user: String,
    pub smtp_password: String,
    pub smtp_from: String,
}

/// The role form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

/// What the lookup of a typed village name found, for the form to show.
#[derive(Default)]
pub struct PlaceChoice {
    /// The communes to pick from (several matched, none picked yet).
    pub candidates: Vec<crate::addresses::Commune>,
    /// No address base is imported: only the coordinates can say where the village is.
    pub no_base: bool,
}
