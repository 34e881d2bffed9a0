//! The directory as open data and as an API: `/directory.csv`, `/directory.geojson`, and
//! `/api/v1/actors` (read: public, paginated; write: a session with its CSRF header, or a bearer token).
//! The documents are built by `export`; the OpenAPI document (`api::document`) describes them.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::access::load;
use super::form::ListQuery;
use super::handlers::require_manage;
use super::store;
use super::{export, ActorForm, HOUR_FIELDS};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{base_url, Ctx};

/// Every field an API error can be reported on, in form order.
const FIELDS: [&str; 25] = [
    "kind",
    "type",
    "name",
    "summary",
    "description",
    "tags",
    "address",
    "lat",
    "lon",
    "phone",
    "website",
    "social",
    "hours",
    "hours_0",
    "hours_1",
    "hours_2",
    "hours_3",
    "hours_4",
    "hours_5",
    "hours_6",
    "capacity",
    "equipment",
    "accessibility",
    "parent",
    "visibility",
];

/// Open data may be read from any web page: no credentials are involved.
fn open_data(mut res: HttpResponseBuilder) -> HttpResponseBuilder {
    res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    res
}

fn base(req: &HttpRequest, state: &AppState) -> String {
    base_url(req, state)
}

/// GET /directory.csv: every public actor, one row each (columns in `export::CSV_COLUMNS`).
pub async fn csv(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let base = base(&req, &state);
    let body = state
        .db
        .read(move |c| export::csv(&store::public_actors(c)?, &base))
        .await?;
    Ok(open_data(HttpResponse::Ok())
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"directory.csv\"",
        ))
        .body(body))
}

/// GET /directory.geojson: the located public actors as a FeatureCollection.
pub async fn geojson(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let base = base(&req, &state);
    let body = state
        .db
        .read(move |c| Ok(export::geojson(&store::public_actors(c)?, &base).to_string()))
        .await?;
    Ok(open_data(HttpResponse::Ok())
        .content_type("application/geo+json")
        .body(body))
}

/// Actors per page of the API list when `per_page` is not given.
pub const PER_PAGE: i64 = 50;
/// Most actors per page of the API list.
pub const MAX_PER_PAGE: i64 = 200;

/// Query of the API list: the filters of the directory page, a page (from 1) and its size.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApiListQuery {
    pub kind: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub tag: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// GET /api/v1/actors: one page of the public actors by name, optionally filtered by `kind`,
/// `type` and `tag`: `{"items": [...], "page": 1, "per_page": 50, "total": 123}`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ApiListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE);
    let f = ListQuery {
        kind: q.kind,
        type_: q.type_,
        tag: q.tag,
        page,
    }
    .filter();
    let base = base(&req, &state);
    let offset = (page - 1).saturating_mul(per_page);
    let body = state
        .db
        .read(move |c| {
            let (actors, total) = store::public_actors_page(c, &f, per_page, offset)?;
            let body = json!({"items": export::json(&actors, &base), "page": page,
                "per_page": per_page, "total": total});
            Ok(body.to_string())
        })
        .await?;
    Ok(open_data(HttpResponse::Ok())
        .content_type("application/json")
        .body(body))
}

/// GET /api/v1/actors/{slug}: one public actor; 404 when missing or not public.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let actor = state
        .db
        .read(move |c| Ok(store::actor_by_slug(c, &slug)?))
        .await?;
    let actor = actor
        .filter(|a| a.visibility == super::Visibility::Public)
        .ok_or(AppError::NotFound)?;
    Ok(open_data(HttpResponse::Ok()).json(export::actor_json(&actor, &base(&req, &state))))
}

/// A JSON value as the text a form field would hold; arrays are joined (`social` one per line).
fn field_text(name: &str, v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => {
            let texts: Option<Vec<String>> = items
                .iter()
                .map(|i| field_text(name, i).filter(|_| !i.is_array()))
                .collect();
            texts?.join(if name == "social" { "\n" } else { ", " })
        }
        Value::Object(_) => return None,
    })
}

/// The weekday texts of `hours` given as `[[weekday, "HH:MM", "HH:MM"], ...]`; `None` when malformed.
fn hour_texts(v: &Value) -> Option<[String; 7]> {
    let mut days: [Vec<String>; 7] = Default::default();
    for entry in v.as_array()? {
        let (day, open, close) =
            serde_json::from_value::<(usize, String, String)>(entry.clone()).ok()?;
        days.get_mut(day)?.push(format!("{open}-{close}"));
    }
    Some(days.map(|d| d.join(", ")))
}

/// Reads a JSON body into the actor form, so that the API validates exactly as the web form does.
/// `None` when the body is not a JSON object of scalar fields; a malformed `hours` is a field error.
pub fn form_from_json(body: &[u8], errors: &mut FormErrors) -> Option<ActorForm> {
    let Value::Object(fields) = serde_json::from_slice::<Value>(body).ok()? else {
        return None;
    };
    let mut texts = Map::new();
    for (name, value) in &fields {
        if name == "hours" {
            match hour_texts(value) {
                Some(days) => texts.extend(
                    HOUR_FIELDS
                        .iter()
                        .zip(days)
                        .map(|(f, t)| (f.to_string(), Value::String(t))),
                ),
                None => errors.add("hours", "dir.hours_invalid"),
            }
        } else {
            texts.insert(name.clone(), Value::String(field_text(name, value)?));
        }
    }
    let mut form: ActorForm = serde_json::from_value(Value::Object(texts)).ok()?;
    if form.visibility.is_empty() {
        form.visibility = "public".into();
    }
    Some(form)
}

fn json_status(status: actix_web::http::StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status).json(body)
}

fn invalid(ctx: &Ctx, errors: &FormErrors) -> HttpResponse {
    let fields: Map<String, Value> = FIELDS
        .iter()
        .filter_map(|f| {
            errors
                .get(f)
                .map(|key| (f.to_string(), Value::from(ctx.t(key))))
        })
        .collect();
    json_status(
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "errors": fields }),
    )
}

/// POST /api/v1/actors: creates an actor from a JSON object with the fields of the web form
/// (numbers and arrays accepted, `hours` as in the output); its creator becomes its admin.
pub async fn create(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let Some(form) = form_from_json(&body, &mut errors) else {
        return Ok(json_status(
            actix_web::http::StatusCode::BAD_REQUEST,
            json!({"error": ctx.t("error.bad_request")}),
        ));
    };
    let Some(input) = form.parse(&mut errors) else {
        return Ok(invalid(&ctx, &errors));
    };
    match state
        .db
        .write(move |tx| {
            Ok(match super::handlers::create_actor(tx, &input, &user)? {
                Ok(slug) => Ok(store::actor_by_slug(tx, &slug)?
                    .ok_or_else(|| AppError::msg("the new actor is missing"))?),
                Err(e) => Err(e),
            })
        })
        .await?
    {
        Ok(actor) => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/actors/{}", actor.slug)))
            .json(export::actor_json(&actor, &base(&req, &state)))),
        Err((field, key)) => {
            errors.add(field, key);
            Ok(invalid(&ctx, &errors))
        }
    }
}

/// DELETE /api/v1/actors/{slug}: the actor's admins and the site's admins only.
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    _u: CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load(&state, &ctx, slug.into_inner()).await?;
    require_manage(&access)?;
    super::handlers::delete_actor(&state, actor.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_become_form_fields() {
        let body =
            br#"{"kind": "place", "type": "oven", "name": "Four", "lat": 47.35, "lon": -0.81,
            "tags": ["pain", "four"], "social": ["https://a.example", "https://b.example"],
            "hours": [[5, "09:00", "12:00"], [5, "14:00", "18:00"]]}"#;
        let mut errors = FormErrors::new();
        let form = form_from_json(body, &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!((form.lat.as_str(), form.lon.as_str()), ("47.35", "-0.81"));
        assert_eq!(form.tags, "pain, four");
        assert_eq!(form.social, "https://a.example\nhttps://b.example");
        assert_eq!(form.hours_5, "09:00-12:00, 14:00-18:00");
        assert_eq!(form.visibility, "public");
        let input = form.parse(&mut errors).unwrap();
        assert_eq!(input.hours.0.len(), 2);

        form_from_json(
            br#"{"name": "x", "hours": [[9, "09:00", "12:00"]]}"#,
            &mut errors,
        )
        .unwrap();
        assert_eq!(errors.get("hours"), Some("dir.hours_invalid"));
        assert!(form_from_json(b"[1, 2]", &mut errors).is_none());
        assert!(form_from_json(br#"{"name": {"fr": "x"}}"#, &mut errors).is_none());
    }
}
