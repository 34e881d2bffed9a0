//! The security headers of every response: nosniff, referrer and permissions policies, and
//! the Content-Security-Policy computed from the settings (the map's tile server).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::web;

use crate::settings::tiles::{tile_layer, tile_origin};
use crate::settings::Instance;
use crate::state::AppState;

/// Security headers on every response; the Content-Security-Policy is computed per response
/// by [`content_security`].
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(self)",
        ))
}

/// The Content-Security-Policy: scripts and styles from this site only; images from this site
/// and from the map's tile server; framed by `frame_ancestors` (`'none'`, except the
/// embeddable map).
pub fn content_security_policy(instance: &Instance, frame_ancestors: &str) -> String {
    let mut img: Vec<String> = vec!["'self'".into(), "data:".into()];
    img.extend(tile_origin(tile_layer(instance).0));
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src {}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}",
        img.join(" ")
    )
}

/// Adds the Content-Security-Policy to every response that has none, with X-Frame-Options:
/// DENY for browsers that ignore `frame-ancestors`. A handler that sets its own policy (the
/// embeddable map) gets neither.
pub async fn content_security(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    if !res.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = res
            .request()
            .app_data::<web::Data<AppState>>()
            .map(|s| content_security_policy(&s.instance(), "'none'"))
            .and_then(|csp| HeaderValue::from_str(&csp).ok())
            .unwrap_or(HeaderValue::from_static(STRICT_CSP));
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
        res.headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(res)
}

/// The policy when the settings cannot be read: no image from elsewhere.
const STRICT_CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
