//! One error type. The log gets the whole cause; the user gets a status and, through the
//! error pages of `web::errors`, a short message in their language.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// Every fault and refusal a handler can return. Validation failures are not errors:
/// they are values that re-render the form (see `web::forms`).
#[derive(Debug)]
pub enum AppError {
    /// The thing asked for does not exist (or is not visible to this user).
    NotFound,
    /// The user may not do this.
    Forbidden,
    /// A fault: database, pool, I/O, mail... Logged with its cause, shown as a 500.
    Internal(String),
}

impl AppError {
    /// A fault described by a message (shown on the command line, logged by the server).
    pub fn msg(message: impl Into<String>) -> AppError {
        AppError::Internal(message.into())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::NotFound => f.write_str("not found"),
            AppError::Forbidden => f.write_str("forbidden"),
            AppError::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for AppError {}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An empty body: the error-page middleware renders it in the user's language.
    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            log::error!("internal error: {cause}");
        }
        HttpResponse::build(self.status_code()).finish()
    }
}

macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for AppError {
            fn from(e: $t) -> AppError {
                AppError::Internal(format!("{}: {e}", stringify!($t)))
            }
        }
    )*};
}

internal_from!(
    rusqlite::Error,
    r2d2::Error,
    std::io::Error,
    actix_web::error::BlockingError,
    serde_json::Error
);
