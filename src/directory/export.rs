//! Open data out: the public directory as CSV, GeoJSON and JSON. Pure functions from actors to
//! documents, shared by the web (`/directory.csv`, `/directory.geojson`, `/api/v1/actors`) and
//! the command line (`placette export directory`).
//!
//! The schemas are stable: columns and properties are only ever added at the end, never renamed
//! or removed, and they are described in the OpenAPI document (`api::document`). Emails and
//! account ids are never part of them.

use serde_json::{json, Value};

use super::hours::{format_time, Hours};
use super::Actor;
use crate::error::AppError;
use crate::text::spreadsheet_safe as cell;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "slug", "name", "kind", "type", "summary", "tags", "address", "lat", "lon", "phone", "website",
    "url",
];

/// Separates tags inside the `tags` CSV column.
pub const TAG_SEPARATOR: &str = "|";

/// The public page of an actor: `base` + `/a/` + slug.
pub fn actor_url(base: &str, slug: &str) -> String {
    format!("{}/a/{slug}", base.trim_end_matches('/'))
}

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The directory as CSV (UTF-8, comma-separated, header row [`CSV_COLUMNS`]).
pub fn csv(actors: &[Actor], base: &str) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fault = |e: csv::Error| AppError::msg(format!("csv: {e}"));
    w.write_record(CSV_COLUMNS).map_err(fault)?;
    for a in actors {
        w.write_record([
            a.slug.clone(),
            cell(&a.name),
            a.kind.as_str().to_string(),
            a.type_.clone(),
            cell(&a.summary),
            cell(&a.tags.join(TAG_SEPARATOR)),
            cell(&a.address),
            number(a.lat),
            number(a.lon),
            a.phone.clone(),
            cell(&a.website),
            actor_url(base, &a.slug),
        ])
        .map_err(fault)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::msg(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::msg(format!("csv: {e}")))
}

/// The short description of an actor: GeoJSON properties (schema `ActorSummary`).
pub fn summary_json(a: &Actor, base: &str) -> Value {
    json!({
        "slug": a.slug,
        "name": a.name,
        "kind": a.kind.as_str(),
        "type": a.type_,
        "summary": a.summary,
        "tags": a.tags,
        "address": a.address,
        "official": a.official,
        "url": actor_url(base, &a.slug),
    })
}

/// The located actors as a GeoJSON FeatureCollection of points (`[lon, lat]`, WGS 84).
pub fn geojson(actors: &[Actor], base: &str) -> Value {
    let features: Vec<Value> = actors
        .iter()
        .filter_map(|a| {
            let (lat, lon) = a.lat.zip(a.lon)?;
            Some(json!({
                "type": "Feature",
                "id": a.slug,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": summary_json(a, base),
            }))
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// Opening hours as `[[weekday (0 = Monday), "HH:MM", "HH:MM"], ...]`.
pub fn hours_json(h: &Hours) -> Value {
    Value::Array(
        h.0.iter()
            .map(|i| json!([i.day, format_time(i.open), format_time(i.close)]))
            .collect(),
    )
}

fn rfc3339(unix: i64) -> Value {
    Value::from(crate::time::rfc3339(unix, chrono_tz::UTC))
}

/// Every public field of an actor (schema `Actor`).
pub fn actor_json(a: &Actor, base: &str) -> Value {
    let base = base.trim_end_matches('/');
    json!({
        "slug": a.slug,
        "name": a.name,
        "kind": a.kind.as_str(),
        "type": a.type_,
        "summary": a.summary,
        "description": a.description,
        "tags": a.tags,
        "address": a.address,
        "lat": a.lat,
        "lon": a.lon,
        "phone": a.phone,
        "website": a.website,
        "social": a.social,
        "hours": hours_json(&a.hours),
        "capacity": a.capacity,
        "equipment": a.equipment,
        "accessibility": a.accessibility,
        "photo": a.photo.as_ref().map(|p| format!("{base}/media/{p}")),
        "parent": a.parent.as_ref().map(|(slug, _)| slug),
        "rna_id": a.rna_id,
        "official": a.official,
        "url": actor_url(base, &a.slug),
        "created_at": rfc3339(a.created_at),
        "updated_at": rfc3339(a.updated_at),
    })
}

/// The directory as a JSON array of [`actor_json`] objects.
pub fn json(actors: &[Actor], base: &str) -> Value {
    Value::Array(actors.iter().map(|a| actor_json(a, base)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::hours::Interval;
    use crate::directory::{Kind, Visibility};

    fn actor(slug: &str, located: bool) -> Actor {
        Actor {
            id: 7,
            slug: slug.into(),
            kind: Kind::Place,
            type_: "oven".into(),
            name: "Four à pain, \"le vieux\"".into(),
            summary: "=1+1".into(),
            description: "Le **four** du bourg".into(),
            tags: vec!["pain".into(), "patrimoine".into()],
            address: "Place de l'Église; 49999 Saint-Test".into(),
            lat: located.then_some(47.35),
            lon: located.then_some(-0.81),
            phone: "02 41 00 00 00".into(),
            website: "https://four.example".into(),
            social: vec![],
            hours: Hours(vec![Interval {
                day: 5,
                open: 9 * 60,
                close: 12 * 60,
            }]),
            capacity: None,
            equipment: String::new(),
            accessibility: String::new(),
            photo: Some("four-1.jpg".into()),
            parent: Some(("comite".into(), "Comité".into())),
            visibility: Visibility::Public,
            rna_id: None,
            official: false,
            created_at: 0,
            updated_at: 86_400,
        }
    }

    #[test]
    fn csv_has_the_documented_columns_and_quotes_what_needs_it() {
        let text = csv(
            &[actor("four", true), actor("lavoir", false)],
            "https://v.example/",
        )
        .unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), CSV_COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][1], "Four à pain, \"le vieux\"");
        assert_eq!(&rows[0][4], "'=1+1", "formulas are defused");
        assert_eq!(&rows[0][5], "pain|patrimoine");
        assert_eq!((&rows[0][7], &rows[0][8]), ("47.35", "-0.81"));
        assert_eq!((&rows[1][7], &rows[1][8]), ("", ""));
        assert_eq!(&rows[0][11], "https://v.example/a/four");
    }

    #[test]
    fn geojson_has_only_located_actors_as_lon_lat_points() {
        let g = geojson(
            &[actor("four", true), actor("lavoir", false)],
            "https://v.example",
        );
        assert_eq!(g["type"], "FeatureCollection");
        let features = g["features"].as_array().unwrap();
        assert_eq!(features.len(), 1);
        assert_eq!(
            features[0]["geometry"]["coordinates"],
            json!([-0.81, 47.35])
        );
        assert_eq!(
            features[0]["properties"]["tags"],
            json!(["pain", "patrimoine"])
        );
        assert_eq!(features[0]["properties"]["url"], "https://v.example/a/four");
    }

    #[test]
    fn json_has_hours_parent_and_absolute_links_but_no_private_fields() {
        let v = json(&[actor("four", true)], "https://v.example");
        let a = &v[0];
        assert_eq!(a["hours"], json!([[5, "09:00", "12:00"]]));
        assert_eq!(a["parent"], "comite");
        assert_eq!(a["photo"], "https://v.example/media/four-1.jpg");
        assert_eq!(a["updated_at"], "1970-01-02T00:00:00+00:00");
        let keys: Vec<&String> = a.as_object().unwrap().keys().collect();
        for private in ["id", "user_id", "created_by", "email", "visibility"] {
            assert!(
                !keys.iter().any(|k| *k == private),
                "{private} is not public"
            );
        }
    }
}
