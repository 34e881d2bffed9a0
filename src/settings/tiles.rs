//! Map tiles: which tile server the pages use, its origin for the Content-Security-Policy, the
//! admin's settings, and the content type of MBTiles tiles.

use serde::Deserialize;

use crate::settings::Instance;
use crate::web::forms::FormErrors;

/// The tiles the map uses unless the admin chose others: OpenStreetMap's standard tiles.
pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
/// The attribution OpenStreetMap's licence asks for.
pub const DEFAULT_ATTRIBUTION: &str = "© OpenStreetMap contributors";
/// The tile URL of the MBTiles file served by this binary.
pub const LOCAL_TILE_URL: &str = "/tiles/{z}/{x}/{y}";

/// The tile URL template and attribution the map pages use: the MBTiles file when one is
/// configured, else the configured tile server.
pub fn tile_layer(i: &Instance) -> (&str, &str) {
    if i.mbtiles_path.is_empty() {
        (&i.tile_url, &i.tile_attribution)
    } else {
        (LOCAL_TILE_URL, &i.tile_attribution)
    }
}

/// The origin of a tile server for the Content-Security-Policy (`https://tile.example.org`,
/// `https://*.tile.example.org` for a `{s}` subdomain), or `None` for local tiles or a URL
/// whose host is not plainly a host name (nothing odd ever reaches the header).
pub fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let host = rest.split('/').next()?;
    let host = host
        .strip_prefix("{s}.")
        .map_or(host.to_string(), |h| format!("*.{h}"));
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    let bare = host.strip_prefix("*.").unwrap_or(&host);
    (!bare.is_empty() && bare.chars().all(plain)).then(|| format!("{scheme}://{host}"))
}

/// The map settings as typed on the admin page.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MapSettingsForm {
    pub tile_url: String,
    pub tile_attribution: String,
    pub mbtiles_path: String,
}

/// The map settings once checked.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSettings {
    pub tile_url: String,
    pub tile_attribution: String,
    pub mbtiles_path: String,
}

impl MapSettingsForm {
    /// The form filled with the current settings.
    pub fn from_instance(i: &Instance) -> MapSettingsForm {
        MapSettingsForm {
            tile_url: i.tile_url.clone(),
            tile_attribution: i.tile_attribution.clone(),
            mbtiles_path: i.mbtiles_path.clone(),
        }
    }

    /// Checks the fields (but not the MBTiles file's content, see [`super::store::is_mbtiles`]);
    /// an empty tile URL means OpenStreetMap's, with its attribution if none is typed.
    pub fn parse(&self, e: &mut FormErrors) -> Option<MapSettings> {
        let mut url = self.tile_url.trim().to_string();
        let mut attribution = self.tile_attribution.trim().to_string();
        if url.is_empty() {
            url = DEFAULT_TILE_URL.to_string();
            if attribution.is_empty() {
                attribution = DEFAULT_ATTRIBUTION.to_string();
            }
        }
        let placeholders = ["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p));
        let odd = |c: char| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '\'' | '<' | '>' | '\\' | ';' | ',')
        };
        let url_ok = placeholders
            && url.len() <= 500
            && !url.chars().any(odd)
            && (url == LOCAL_TILE_URL
                || url == format!("{LOCAL_TILE_URL}.png")
                || tile_origin(&url).is_some());
        e.check(!url_ok, "tile_url", "map.tile_url_invalid");
        let attribution_ok = !attribution.is_empty()
            && attribution.chars().count() <= 300
            && !attribution.chars().any(char::is_control);
        e.check(
            !attribution_ok,
            "tile_attribution",
            "map.attribution_invalid",
        );
        let path = self.mbtiles_path.trim().to_string();
        let path_ok = path.is_empty() || std::path::Path::new(&path).is_absolute();
        e.check(!path_ok, "mbtiles_path", "map.mbtiles_invalid");
        (url_ok && attribution_ok && path_ok).then_some(MapSettings {
            tile_url: url,
            tile_attribution: attribution,
            mbtiles_path: path,
        })
    }
}

/// The content type of MBTiles tiles by the `format` of their metadata.
pub fn tile_content_type(format: &str) -> &'static str {
    match format {
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "pbf" | "mvt" => "application/x-protobuf",
        _ => "image/png",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_settings_are_checked() {
        let parse = |url: &str, attribution: &str, path: &str| {
            MapSettingsForm {
                tile_url: url.into(),
                tile_attribution: attribution.into(),
                mbtiles_path: path.into(),
            }
            .parse(&mut FormErrors::new())
        };
        let d = parse("", "", "").unwrap();
        assert_eq!(
            (d.tile_url.as_str(), d.tile_attribution.as_str()),
            (DEFAULT_TILE_URL, DEFAULT_ATTRIBUTION)
        );
        assert!(parse("https://{s}.tile.example.org/{z}/{x}/{y}.png", "© X", "").is_some());
        assert!(parse("/tiles/{z}/{x}/{y}", "© X", "/srv/region.mbtiles").is_some());
        assert!(parse("https://tile.example.org/{z}/{x}.png", "© X", "").is_none());
        assert!(parse("ftp://tile.example.org/{z}/{x}/{y}", "© X", "").is_none());
        assert!(parse("https://evil; script-src */{z}/{x}/{y}", "© X", "").is_none());
        assert!(parse("https://tile.example.org/{z}/{x}/{y}", "", "").is_none());
        assert!(parse("", "", "relative.mbtiles").is_none());
        assert_eq!(
            tile_origin(DEFAULT_TILE_URL).as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            tile_origin("http://{s}.tiles.local:8080/{z}/{x}/{y}").as_deref(),
            Some("http://*.tiles.local:8080")
        );
        assert_eq!(tile_origin("/tiles/{z}/{x}/{y}"), None);
        assert_eq!(tile_origin("https://a b/{z}"), None);
    }
}
