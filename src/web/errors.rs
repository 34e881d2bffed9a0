//! Friendly error pages in the user's language, for every error response without a body.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpResponse};
use maud::html;

use super::context::CsrfRejected;
use super::{page_with_status, Ctx};
use crate::error::AppError;

/// The default service: nothing matched the URL.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Replaces an empty error response by a page (HTML) or a small JSON object (API).
pub fn render(res: ServiceResponse<BoxBody>) -> actix_web::Result<ErrorHandlerResponse<BoxBody>> {
    let empty = matches!(
        res.response().body().size(),
        actix_web::body::BodySize::Sized(0) | actix_web::body::BodySize::None
    );
    // actix's own errors (a bad form, an oversized body) come as plain text: replace them too.
    let plain = res
        .response()
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if !(empty || plain) || res.status().is_redirection() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let req = res.request().clone();
    let ctx = req.extensions().get::<Ctx>().cloned();
    let csrf = req.extensions().get::<CsrfRejected>().is_some();
    let key = match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN if csrf => "error.csrf",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::TOO_MANY_REQUESTS => "error.too_many",
        s if s.is_server_error() => "error.internal",
        _ => "error.bad_request",
    };
    let new = if req.path().starts_with("/api/") {
        let lang = ctx
            .as_ref()
            .map(|c| c.lang)
            .unwrap_or(crate::i18n::Lang::En);
        HttpResponse::build(status).json(serde_json::json!({"error": lang.t(key)}))
    } else if let Some(ctx) = ctx {
        let title = ctx.t(&format!("{key}_title"));
        page_with_status(
            status,
            &ctx,
            title,
            html! {
                h1 { (title) }
                p { (ctx.t(key)) }
                p { a href="/" { (ctx.t("error.back_home")) } }
            },
        )
    } else {
        // Before the context exists (should not happen): plain text.
        HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(status.canonical_reason().unwrap_or("error"))
    };
    Ok(ErrorHandlerResponse::Response(
        res.into_response(new).map_into_left_body(),
    ))
}
