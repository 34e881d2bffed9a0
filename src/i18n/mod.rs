//! Translations and locale-aware dates. Every user-visible string goes through [`Lang::t`];
//! the catalogues are the TOML files beside this one (French is the reference).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Tz;

/// A language Placette speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Fr,
    En,
    De,
}

/// Every language, in the order shown in language pickers.
pub const ALL: [Lang; 3] = [Lang::Fr, Lang::En, Lang::De];

const SOURCES: [(Lang, &str); 3] = [
    (Lang::Fr, include_str!("fr.toml")),
    (Lang::En, include_str!("en.toml")),
    (Lang::De, include_str!("de.toml")),
];

type Catalogue = HashMap<String, String>;

fn catalogues() -> &'static HashMap<Lang, Catalogue> {
    static CATALOGUES: OnceLock<HashMap<Lang, Catalogue>> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, text)| (*lang, parse_catalogue(text)))
            .collect()
    })
}

/// Flattens a TOML catalogue into `section.key -> text`.
pub fn parse_catalogue(text: &str) -> HashMap<String, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                other => {
                    out.insert(key, other.to_string());
                }
            }
        }
    }
    let table: toml::Table = text.parse().expect("translation catalogue is valid TOML");
    let mut out = HashMap::new();
    walk("", &table, &mut out);
    out
}

impl Lang {
    /// The BCP 47 code, as used in `lang` attributes and settings.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's own name for itself, for pickers.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// Parses a code such as `fr`, `en-GB` or `de_DE`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The best language of an `Accept-Language` header, honouring q-values.
    pub fn negotiate(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_code) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// Whether `key` exists in the French (reference) catalogue.
    pub fn has(key: &str) -> bool {
        catalogues()
            .get(&Lang::Fr)
            .is_some_and(|c| c.contains_key(key))
    }

    /// The text for `key`, falling back to English, then French, then the key itself.
    pub fn t(self, key: &str) -> &'static str {
        let cats = catalogues();
        for lang in [self, Lang::En, Lang::Fr] {
            if let Some(s) = cats.get(&lang).and_then(|c| c.get(key)) {
                return s.as_str();
            }
        }
        log::warn!("missing translation key {key}");
        // Leaking is bounded: only keys missing from every catalogue get here, a bug caught by tests.
        Box::leak(key.to_string().into_boxed_str())
    }

    /// The text for `key` with `{name}` placeholders replaced.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    fn list(self, key: &str, index: usize) -> &'static str {
        self.t(key).split(',').nth(index).unwrap_or("?").trim()
    }

    /// A date such as « lundi 23 novembre 2026 » in the given time zone.
    pub fn date(self, unix: i64, tz: Tz) -> String {
        let dt = tz
            .timestamp_opt(unix, 0)
            .single()
            .unwrap_or_else(|| chrono::DateTime::<chrono::Utc>::UNIX_EPOCH.with_timezone(&tz));
        let weekday = self.list(
            "date.weekdays",
            dt.weekday().num_days_from_monday() as usize,
        );
        let month = self.list("date.months", dt.month0() as usize);
        let (d, y) = (dt.day().to_string(), dt.year().to_string());
        self.tf(
            "date.long",
            &[
                ("weekday", weekday),
                ("day", &d),
                ("month", month),
                ("year", &y),
            ],
        )
    }

    /// A date and time such as « lundi 23 novembre 2026 à 20:15 ».
    pub fn datetime(self, unix: i64, tz: Tz) -> String {
        let dt = tz.timestamp_opt(unix, 0).single();
        let time = dt
            .map(|dt| format!("{:02}:{:02}", dt.hour(), dt.minute()))
            .unwrap_or_default();
        self.tf(
            "date.datetime",
            &[("date", &self.date(unix, tz)), ("time", &time)],
        )
    }
}

/// Lower case, accents folded, every run of other characters than letters and digits as one
/// space: « 12 bis Rue de l'Église » → `12 bis rue de l eglise`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ÿ' | 'ý' => "y",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
                continue;
            }
            _ => {
                space = true;
                continue;
            }
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push_str(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_has_every_french_key() {
        let cats = catalogues();
        let fr = &cats[&Lang::Fr];
        for lang in [Lang::En, Lang::De] {
            let missing: Vec<_> = fr
                .keys()
                .filter(|k| !cats[&lang].contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            let extra: Vec<_> = cats[&lang]
                .keys()
                .filter(|k| !fr.contains_key(*k))
                .collect();
            assert!(
                extra.is_empty(),
                "{lang:?} has keys French lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,fr;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::negotiate("es, de;q=0.5, fr;q=0.7"), Some(Lang::Fr));
        assert_eq!(Lang::negotiate("es, it"), None);
    }

    #[test]
    fn formats_dates_per_locale_in_the_time_zone() {
        // 2026-11-23 19:15 UTC is 20:15 in Paris.
        let t = 1_795_461_300;
        let tz: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(Lang::Fr.datetime(t, tz), "lundi 23 novembre 2026 à 20:15");
        assert_eq!(Lang::En.datetime(t, tz), "Monday 23 November 2026 at 20:15");
        assert_eq!(
            Lang::De.datetime(t, tz),
            "Montag, 23. November 2026 um 20:15"
        );
    }
}
