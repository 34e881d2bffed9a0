//! `serve --demo`: a small fictional village so that a newcomer sees a living site.
//! Only a new instance (not yet set up) is filled; an existing one is never touched.

use crate::auth::{self, store as users, Role};
use crate::db::{self, write_now, Db};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::settings::store as settings;

/// The demo admin's login.
pub const ADMIN_EMAIL: &str = "admin@demo.placette.invalid";
/// The demo accounts' password (a demo only: never use `--demo` for a real village).
pub const PASSWORD: &str = "placette-demo";

/// Fills a new instance with the sample village; does nothing if setup was already done.
pub fn load_if_new(db: &Db) -> Result<bool, AppError> {
    let mut conn = db.conn()?;
    if settings::load_instance(&conn)?.setup_done {
        return Ok(false);
    }
    let hash = auth::hash_password(PASSWORD)?;
    write_now(&mut conn, |tx| {
        settings::save_general(
            tx,
            &settings::General {
                name: "Saint-Placide-sur-Loire",
                description: "Village fictif de démonstration : 1 200 habitants, une halle, \
                              une salle des fêtes, une école et douze associations.",
                center_lat: 47.3512,
                center_lon: -0.8143,
                radius_km: 15.0,
                default_lang: Lang::Fr,
                time_zone: "Europe/Paris",
            },
        )?;
        let people = [
            (ADMIN_EMAIL, "Mairie de Saint-Placide", Role::Admin),
            (
                "claire@demo.placette.invalid",
                "Claire Morin",
                Role::Moderator,
            ),
            (
                "yannick@demo.placette.invalid",
                "Yannick Le Goff",
                Role::Member,
            ),
        ];
        for (email, name, role) in people {
            let new = users::NewUser {
                email,
                name,
                password_hash: &hash,
                role,
                lang: None,
                confirmed: true,
            };
            users::create_user(tx, &new, db::now())?;
        }
        settings::mark_setup_done(tx, db::now())?;
        Ok(true)
    })
}
