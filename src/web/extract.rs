//! The extractors of the signed-in person: a handler that takes [`CurrentUser`] or [`Admin`]
//! is reached only by them (the context middleware put the `User` in the request).

use std::future::{ready, Ready};

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};

use crate::auth::User;
use crate::error::AppError;

/// Extractor: the signed-in user, or 403 (pages redirect to the login form instead, see `web`).
pub struct CurrentUser(pub User);

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.extensions().get::<User>() {
            Some(u) => Ok(CurrentUser(u.clone())),
            None => Err(super::login_required(req)),
        })
    }
}

/// Extractor: a signed-in site admin, or 403.
pub struct Admin(pub User);

impl FromRequest for Admin {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.extensions().get::<User>() {
            Some(u) if u.is_admin() => Ok(Admin(u.clone())),
            Some(_) => Err(AppError::Forbidden.into()),
            None => Err(super::login_required(req)),
        })
    }
}
