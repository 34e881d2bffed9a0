//! The account forms as typed: sign-up, login (and its `next`), an address to send a link to.

use serde::Deserialize;

use super::{password_problem, plausible_email};
use crate::web::forms::FormErrors;

/// The sign-up form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SignupForm {
    pub name: String,
    pub email: String,
    pub password: String,
}

impl SignupForm {
    /// Checks the fields; the problems by field (empty when the form is valid).
    pub fn validate(&self) -> FormErrors {
        let mut e = FormErrors::new();
        let name = self.name.trim();
        e.check(name.is_empty(), "name", "account.name_required");
        e.check(name.chars().count() > 100, "name", "account.name_too_long");
        e.check(
            !plausible_email(self.email.trim()),
            "email",
            "account.email_invalid",
        );
        if let Some(p) = password_problem(&self.password) {
            e.add("password", p);
        }
        e
    }
}

/// The "send me the link again" form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
}

/// The login form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

/// Query of GET /login.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub next: String,
}
