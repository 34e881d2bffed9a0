//! Accounts: passwords (argon2id), sessions, email tokens, API tokens, roles, and the
//! extractors handlers use to require a signed-in user or an admin.

pub mod account;
pub mod form;
pub mod handlers;
pub mod password;
pub mod ratelimit;
pub mod store;
pub mod views;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::i18n::Lang;

/// Sessions end after this long without a request.
pub const SESSION_IDLE_SECS: i64 = 14 * 24 * 3600;
/// Sessions end after this long whatever happens.
pub const SESSION_MAX_SECS: i64 = 90 * 24 * 3600;
/// A confirmation link is valid this long.
pub const CONFIRM_TOKEN_SECS: i64 = 7 * 24 * 3600;
/// A password-reset link is valid this long.
pub const RESET_TOKEN_SECS: i64 = 3600;
/// Shortest accepted password.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// What an account may do on the whole site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Moderator,
    Member,
}

impl Role {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Member => "member",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "moderator" => Some(Role::Moderator),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// Every role, most powerful first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Moderator, Role::Member];
}

/// A signed-in account, as seen by handlers.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub lang: Option<Lang>,
    pub email_confirmed: bool,
    /// Suspended by a moderator: until when (`i64::MAX`: for good) and why.
    pub suspended: Option<(i64, String)>,
}

impl User {
    /// A moderator or an admin of the site: they see the queue, every original of masked
    /// text, and act on anyone's content.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Moderator)
    }

    /// The suspension in force now, if any: (until, reason).
    pub fn suspension(&self, now: i64) -> Option<(i64, &str)> {
        self.suspended
            .as_ref()
            .filter(|(until, _)| *until > now)
            .map(|(until, reason)| (*until, reason.as_str()))
    }

    /// Whether this account administers the instance.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id (slow on purpose: call from a blocking thread).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::msg(format!("argon2: {e}")))
}

/// Checks a password against a stored hash (slow on purpose: call from a blocking thread).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that timing does not tell.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("placette-timing-equaliser").unwrap_or_default())
}

/// A fresh random token (256 bits), hex-encoded, for cookies and links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// SHA-256 of a token: what the database stores instead of the token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a new password's length; returns the translation key of the problem.
pub fn password_problem(password: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Some("account.password_too_short")
    } else if n > 256 {
        Some("account.password_too_long")
    } else {
        None
    }
}

/// A light check that a string looks like an email address; the confirmation mail is the real check.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_verifies_with_argon2id() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
    }

    #[test]
    fn checks_emails_and_passwords() {
        assert!(plausible_email("marie@village.fr"));
        assert!(!plausible_email("marie@village"));
        assert!(!plausible_email("marie village.fr"));
        assert_eq!(
            password_problem("short"),
            Some("account.password_too_short")
        );
        assert_eq!(password_problem("long enough password"), None);
    }
}
