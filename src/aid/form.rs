//! The post form as typed, and its parsing into a [`PostInput`] (or messages for a 422); the
//! list's query, a report and the admin's settings as typed.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::Deserialize;

use super::store::ListFilter;
use super::{Category, Kind, Price, CONDITIONS, MAX_DESCRIPTION, MAX_TITLE};
use crate::web::forms::{number, FormErrors};
use crate::web::Ctx;

/// The post form as typed (every field a string, so a re-render shows exactly that).
#[derive(Clone, Debug, Default)]
pub struct PostForm {
    pub kind: String,
    pub category: String,
    pub title: String,
    pub description: String,
    /// `price`, `free` or `exchange` (small ads).
    pub price_kind: String,
    pub price: String,
    pub condition: String,
    pub available_from: String,
    pub available_until: String,
    /// The actor posted for (its id), or empty for oneself.
    pub actor: String,
    /// Only used to find a point when no coordinates came; never stored.
    pub address: String,
    pub lat: String,
    pub lon: String,
    pub remove_photo: String,
}

/// A valid post, ready for the store.
#[derive(Clone, Debug, PartialEq)]
pub struct PostInput {
    pub kind: Kind,
    pub category: Category,
    pub title: String,
    pub description: String,
    pub price: Option<Price>,
    pub condition: Option<String>,
    pub available_from: Option<i64>,
    pub available_until: Option<i64>,
    pub actor_id: Option<i64>,
    /// As typed (exact): the handler rounds it, or replaces it by the actor's point.
    pub point: Option<(f64, f64)>,
}

impl PostForm {
    /// The form from the fields of a urlencoded or multipart body.
    pub fn from_fields(f: &HashMap<String, String>) -> PostForm {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        PostForm {
            kind: get("kind"),
            category: get("category"),
            title: get("title"),
            description: get("description"),
            price_kind: get("price_kind"),
            price: get("price"),
            condition: get("condition"),
            available_from: get("available_from"),
            available_until: get("available_until"),
            actor: get("actor"),
            address: get("address"),
            lat: get("lat"),
            lon: get("lon"),
            remove_photo: get("remove_photo"),
        }
    }

    /// Checks everything; `None` with messages in `e` when something is wrong.
    /// `actors` are the ids the user may post for.
    pub fn parse(&self, tz: Tz, actors: &[i64], e: &mut FormErrors) -> Option<PostInput> {
        let kind = Kind::parse(self.kind.trim());
        e.check(kind.is_none(), "kind", "aid.error_kind");
        let category = Category::parse(self.category.trim());
        e.check(category.is_none(), "category", "aid.error_category");
        let title = self.title.trim().to_string();
        e.check(title.is_empty(), "title", "aid.error_title");
        e.check(
            title.chars().count() > MAX_TITLE,
            "title",
            "aid.error_title_long",
        );
        let description = self.description.trim().to_string();
        e.check(
            description.chars().count() > MAX_DESCRIPTION,
            "description",
            "aid.error_description_long",
        );
        let is_ad = kind.is_some_and(Kind::is_ad);
        let price = if is_ad { self.parse_price(e) } else { None };
        let condition = match self.condition.trim() {
            "" => None,
            c if CONDITIONS.contains(&c) && is_ad => Some(c.to_string()),
            _ if !is_ad => None,
            _ => {
                e.add("condition", "aid.error_condition");
                None
            }
        };
        let from = parse_date(&self.available_from, tz, "available_from", e);
        let until = parse_date(&self.available_until, tz, "available_until", e);
        if let (Some(a), Some(b)) = (from, until) {
            e.check(b < a, "available_until", "aid.error_dates");
        }
        let actor_id = match self.actor.trim() {
            "" => None,
            a => match a.parse::<i64>().ok().filter(|id| actors.contains(id)) {
                Some(id) => Some(id),
                None => {
                    e.add("actor", "aid.error_actor");
                    None
                }
            },
        };
        let point = self.parse_point(e);
        if !e.is_empty() {
            return None;
        }
        Some(PostInput {
            kind: kind?,
            category: category?,
            title,
            description,
            price,
            condition,
            available_from: from,
            available_until: until,
            actor_id,
            point,
        })
    }

    fn parse_price(&self, e: &mut FormErrors) -> Option<Price> {
        match self.price_kind.trim() {
            "free" => Some(Price::Free),
            "exchange" => Some(Price::Exchange),
            "price" | "" => {
                let typed = self.price.trim().trim_end_matches('€').trim();
                if typed.is_empty() && self.price_kind.trim().is_empty() {
                    return None;
                }
                match number(typed).filter(|v| (0.0..=10_000_000.0).contains(v)) {
                    Some(v) => Some(Price::Cents((v * 100.0).round() as i64)),
                    None => {
                        e.add("price", "aid.error_price");
                        None
                    }
                }
            }
            _ => {
                e.add("price", "aid.error_price");
                None
            }
        }
    }

    fn parse_point(&self, e: &mut FormErrors) -> Option<(f64, f64)> {
        let (lat_t, lon_t) = (self.lat.trim(), self.lon.trim());
        if lat_t.is_empty() && lon_t.is_empty() {
            return None;
        }
        let lat = number(lat_t).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(lon_t).filter(|v| (-180.0..=180.0).contains(v));
        match (lat, lon) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => {
                e.add("address", "aid.error_point");
                None
            }
        }
    }

    /// The form filled with a stored post (to edit it).
    pub fn of(p: &super::Post, tz: Tz) -> PostForm {
        let date = |t: Option<i64>| {
            t.and_then(|t| tz.timestamp_opt(t, 0).single())
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let (price_kind, price) = match p.price {
            Some(Price::Cents(c)) => ("price", format!("{},{:02}", c / 100, c % 100)),
            Some(Price::Free) => ("free", String::new()),
            Some(Price::Exchange) => ("exchange", String::new()),
            None => ("", String::new()),
        };
        PostForm {
            kind: p.kind.as_str().into(),
            category: p.category.as_str().into(),
            title: p.title.clone(),
            description: p.description.clone(),
            price_kind: price_kind.into(),
            price,
            condition: p.condition.clone().unwrap_or_default(),
            available_from: date(p.available_from),
            available_until: date(p.available_until),
            actor: p
                .actor
                .as_ref()
                .map(|a| a.0.to_string())
                .unwrap_or_default(),
            address: String::new(),
            lat: p.point.map(|x| x.0.to_string()).unwrap_or_default(),
            lon: p.point.map(|x| x.1.to_string()).unwrap_or_default(),
            remove_photo: String::new(),
        }
    }
}

/// A `YYYY-MM-DD` date as the Unix time of that local midnight; empty is `None`.
fn parse_date(s: &str, tz: Tz, field: &'static str, e: &mut FormErrors) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let t = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| tz.from_local_datetime(&d).earliest())
        .map(|d| d.timestamp());
    if t.is_none() {
        e.add(field, "aid.error_date");
    }
    t
}

/// The list's filters, as typed in the query string.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ListQuery {
    pub kind: String,
    pub category: String,
    /// Within this many km of the village centre (or of `lat`/`lon`).
    pub km: String,
    pub lat: String,
    pub lon: String,
    pub page: i64,
}

impl ListQuery {
    /// The filter; unknown values are ignored, as in the directory's list.
    pub fn filter(&self, ctx: &Ctx) -> ListFilter {
        let kinds = match self.kind.as_str() {
            "ads" => vec![Kind::AdSale, Kind::AdWanted],
            k => Kind::parse(k).into_iter().collect(),
        };
        let center = number(&self.lat)
            .filter(|v| (-90.0..=90.0).contains(v))
            .zip(number(&self.lon).filter(|v| (-180.0..=180.0).contains(v)))
            .unwrap_or((ctx.instance.center_lat, ctx.instance.center_lon));
        let km = number(&self.km).filter(|k| *k > 0.0 && *k <= 500.0);
        ListFilter {
            kinds,
            category: Category::parse(&self.category),
            near: km.map(|k| (center, k)),
            page: self.page.clamp(1, 10_000),
        }
    }
}

/// The admin's settings as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pub expiry_days: String,
    pub warn_days: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> PostForm {
        PostForm::from_fields(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_small_ad_reads_its_price() {
        let f = form(&[
            ("kind", "ad_sale"),
            ("category", "other"),
            ("title", "Four de boulangerie"),
            ("price", "1 200,50"),
        ]);
        let mut e = FormErrors::new();
        assert!(f.parse(chrono_tz::Europe::Paris, &[], &mut e).is_none());
        assert_eq!(e.get("price"), Some("aid.error_price"));
        let f = form(&[
            ("kind", "ad_sale"),
            ("category", "other"),
            ("title", "Four de boulangerie"),
            ("price", "1200,50"),
            ("condition", "used"),
        ]);
        let mut e = FormErrors::new();
        let p = f.parse(chrono_tz::Europe::Paris, &[], &mut e).unwrap();
        assert_eq!(p.price, Some(Price::Cents(120_050)));
        assert_eq!(p.condition.as_deref(), Some("used"));
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let f = form(&[
            ("kind", "gift"),
            ("category", "x"),
            ("title", " "),
            ("available_from", "2026-13-40"),
            ("actor", "7"),
            ("lat", "91"),
            ("lon", "0"),
        ]);
        let mut e = FormErrors::new();
        assert!(f.parse(chrono_tz::Europe::Paris, &[3], &mut e).is_none());
        for field in [
            "kind",
            "category",
            "title",
            "available_from",
            "actor",
            "address",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
