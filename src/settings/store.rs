//! Every SQL statement about the instance's settings and modules.

use rusqlite::{named_params, Connection};

use super::{Instance, Module, Smtp, SmtpSecurity};
use crate::i18n::Lang;

/// The general settings set at first run and on the admin page.
pub struct General<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub center_lat: f64,
    pub center_lon: f64,
    pub radius_km: f64,
    pub default_lang: Lang,
    pub time_zone: &'a str,
}

/// Loads the settings and the modules (two indexed reads).
pub fn load_instance(conn: &Connection) -> rusqlite::Result<Instance> {
    let mut inst = conn.query_row(
        "SELECT name, public_url, description, center_lat, center_lon, radius_km, default_lang, time_zone, secret,
                setup_done_at, smtp_host, smtp_port, smtp_security, smtp_user, smtp_password, smtp_from,
                tile_url, tile_attribution, mbtiles_path
         FROM instance WHERE id = 1",
        [],
        |r| {
            let lang: String = r.get("default_lang")?;
            let tz: String = r.get("time_zone")?;
            let security: String = r.get("smtp_security")?;
            Ok(Instance {
                name: r.get("name")?,
                public_url: r.get("public_url")?,
                description: r.get("description")?,
                center_lat: r.get("center_lat")?,
                center_lon: r.get("center_lon")?,
                radius_km: r.get("radius_km")?,
                default_lang: Lang::from_code(&lang).unwrap_or(Lang::Fr),
                time_zone: tz.parse().unwrap_or(chrono_tz::Europe::Paris),
                secret: r.get("secret")?,
                setup_done: r.get::<_, Option<i64>>("setup_done_at")?.is_some(),
                smtp: Smtp {
                    host: r.get("smtp_host")?,
                    port: r.get::<_, i64>("smtp_port")?.clamp(1, 65535) as u16,
                    security: SmtpSecurity::parse(&security).unwrap_or(SmtpSecurity::StartTls),
                    user: r.get("smtp_user")?,
                    password: r.get("smtp_password")?,
                    from: r.get("smtp_from")?,
                    default_from: String::new(),
                },
                modules: Vec::new(),
                tile_url: r.get("tile_url")?,
                tile_attribution: r.get("tile_attribution")?,
                mbtiles_path: r.get("mbtiles_path")?,
            })
        },
    )?;
    inst.smtp.default_from = super::default_sender(&inst.public_url).unwrap_or_default();
    let mut stmt = conn.prepare_cached("SELECT name, enabled FROM modules")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
    for row in rows {
        let (name, on) = row?;
        if let Some(m) = Module::parse(&name) {
            inst.modules.push((m, on));
        }
    }
    inst.modules
        .sort_by_key(|(m, _)| Module::ALL.iter().position(|x| x == m));
    Ok(inst)
}

/// Saves the general settings.
pub fn save_general(conn: &Connection, g: &General) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instance SET name = :name, description = :description, center_lat = :lat,
                center_lon = :lon, radius_km = :radius, default_lang = :lang, time_zone = :tz
         WHERE id = 1",
        named_params! {
            ":name": g.name, ":description": g.description, ":lat": g.center_lat, ":lon": g.center_lon,
            ":radius": g.radius_km, ":lang": g.default_lang.code(), ":tz": g.time_zone,
        },
    )?;
    Ok(())
}

/// Saves the public address used in links sent by mail.
pub fn save_public_url(conn: &Connection, url: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE instance SET public_url = :url WHERE id = 1")?
        .execute(named_params! {":url": url})?;
    Ok(())
}

/// Records that the first-run setup is done; false if it already was (a second setup is refused).
pub fn mark_setup_done(conn: &Connection, now: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE instance SET setup_done_at = :now WHERE id = 1 AND setup_done_at IS NULL",
        named_params! {":now": now},
    )?;
    Ok(n == 1)
}

/// Saves the SMTP relay settings.
pub fn save_smtp(conn: &Connection, s: &Smtp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instance SET smtp_host = :host, smtp_port = :port, smtp_security = :sec,
                smtp_user = :user, smtp_password = :password, smtp_from = :from
         WHERE id = 1",
        named_params! {
            ":host": s.host, ":port": s.port, ":sec": s.security.as_str(), ":user": s.user,
            ":password": s.password, ":from": s.from,
        },
    )?;
    Ok(())
}

/// Saves the map settings: tile URL template, attribution, MBTiles file.
pub fn save_map(
    conn: &Connection,
    tile_url: &str,
    tile_attribution: &str,
    mbtiles_path: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instance SET tile_url = :url, tile_attribution = :attribution, mbtiles_path = :path
         WHERE id = 1",
        named_params! {":url": tile_url, ":attribution": tile_attribution, ":path": mbtiles_path},
    )?;
    Ok(())
}

/// Switches a module on or off.
pub fn set_module(conn: &Connection, m: Module, enabled: bool) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO modules (name, enabled) VALUES (:name, :on)
         ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled",
        named_params! {":name": m.as_str(), ":on": enabled},
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn settings_round_trip_and_setup_happens_once() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let inst = load_instance(&c).unwrap();
        assert!(!inst.setup_done);
        assert_eq!(inst.modules.len(), Module::ALL.len());
        save_general(
            &c,
            &General {
                name: "Saint-Placide",
                description: "",
                center_lat: 47.2,
                center_lon: -1.5,
                radius_km: 12.0,
                default_lang: Lang::En,
                time_zone: "Europe/Berlin",
            },
        )
        .unwrap();
        set_module(&c, Module::Rooms, false).unwrap();
        assert!(mark_setup_done(&c, 10).unwrap());
        assert!(!mark_setup_done(&c, 11).unwrap());
        let inst = load_instance(&c).unwrap();
        assert_eq!(inst.name, "Saint-Placide");
        assert_eq!(inst.default_lang, Lang::En);
        assert_eq!(inst.time_zone, chrono_tz::Europe::Berlin);
        assert!(!inst.enabled(Module::Rooms) && inst.enabled(Module::Agenda));
        assert!(inst.setup_done);
        assert_eq!(inst.tile_url, crate::settings::tiles::DEFAULT_TILE_URL);
        save_map(&c, "/tiles/{z}/{x}/{y}", "© IGN", "/srv/region.mbtiles").unwrap();
        let inst = load_instance(&c).unwrap();
        assert_eq!(
            (
                inst.tile_url.as_str(),
                inst.tile_attribution.as_str(),
                inst.mbtiles_path.as_str()
            ),
            ("/tiles/{z}/{x}/{y}", "© IGN", "/srv/region.mbtiles")
        );
    }
}
