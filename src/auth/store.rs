//! Every SQL statement about accounts, sessions and tokens.

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::{Role, User, SESSION_IDLE_SECS, SESSION_MAX_SECS};
use crate::i18n::Lang;

/// What is needed to create an account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub lang: Option<Lang>,
    pub confirmed: bool,
}

/// A personal API token as listed in account settings (never the token itself).
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const USER_COLUMNS: &str =
    "id, email, name, role, lang, email_confirmed_at, suspended_until, suspended_reason";

fn user_from_row(r: &Row) -> rusqlite::Result<User> {
    let role: String = r.get("role")?;
    let lang: Option<String> = r.get("lang")?;
    Ok(User {
        id: r.get("id")?,
        email: r.get("email")?,
        name: r.get("name")?,
        role: Role::parse(&role).unwrap_or(Role::Member),
        lang: lang.as_deref().and_then(Lang::from_code),
        email_confirmed: r.get::<_, Option<i64>>("email_confirmed_at")?.is_some(),
        suspended: match r.get::<_, Option<i64>>("suspended_until")? {
            Some(until) => Some((until, r.get("suspended_reason")?)),
            None => None,
        },
    })
}

/// Creates an account; `None` when the email is already taken.
pub fn create_user(conn: &Connection, u: &NewUser, now: i64) -> rusqlite::Result<Option<i64>> {
    let inserted = conn.execute(
        "INSERT INTO users (email, name, password_hash, role, lang, email_confirmed_at, created_at, updated_at)
         VALUES (:email, :name, :hash, :role, :lang, :confirmed, :now, :now)
         ON CONFLICT (email) DO NOTHING",
        named_params! {
            ":email": u.email, ":name": u.name, ":hash": u.password_hash, ":role": u.role.as_str(),
            ":lang": u.lang.map(Lang::code), ":confirmed": u.confirmed.then_some(now), ":now": now,
        },
    )?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

/// The account with this id.
pub fn user_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = :id"))?
        .query_row(named_params! {":id": id}, user_from_row)
        .optional()
}

/// The account with this email (case-insensitive) and its password hash.
pub fn user_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<(User, String)>> {
    conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = :email"
    ))?
    .query_row(named_params! {":email": email}, |r| {
        Ok((user_from_row(r)?, r.get("password_hash")?))
    })
    .optional()
}

/// How many accounts exist.
pub fn user_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM users")?
        .query_row([], |r| r.get(0))
}

/// Every account, for the admin's list, newest first.
pub fn all_users(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([], user_from_row)?;
    rows.collect()
}

/// Marks the email address as confirmed.
pub fn confirm_email(conn: &Connection, user_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, :now), updated_at = :now
         WHERE id = :id",
        named_params! {":id": user_id, ":now": now},
    )?;
    Ok(())
}

/// Replaces the password hash.
pub fn set_password(conn: &Connection, user_id: i64, hash: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = :hash, updated_at = :now WHERE id = :id",
        named_params! {":id": user_id, ":hash": hash, ":now": now},
    )?;
    Ok(())
}

/// Changes the display name and preferred language.
pub fn update_profile(
    conn: &Connection,
    user_id: i64,
    name: &str,
    lang: Option<Lang>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET name = :name, lang = :lang, updated_at = :now WHERE id = :id",
        named_params! {":id": user_id, ":name": name, ":lang": lang.map(Lang::code), ":now": now},
    )?;
    Ok(())
}

/// Changes an account's site-wide role.
pub fn set_role(conn: &Connection, user_id: i64, role: Role, now: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE users SET role = :role, updated_at = :now WHERE id = :id",
        named_params! {":id": user_id, ":role": role.as_str(), ":now": now},
    )?;
    Ok(n == 1)
}

/// How many admins there are (the last one may not step down).
pub fn admin_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM users WHERE role = 'admin'")?
        .query_row([], |r| r.get(0))
}

/// Addresses and languages of the site's admins (for messages to actors without admins).
pub fn admin_addresses(conn: &Connection) -> rusqlite::Result<Vec<(String, Option<Lang>)>> {
    let mut stmt =
        conn.prepare_cached("SELECT email, lang FROM users WHERE role = 'admin' ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        let lang: Option<String> = r.get(1)?;
        Ok((r.get(0)?, lang.as_deref().and_then(Lang::from_code)))
    })?;
    rows.collect()
}

/// Deletes an account; sessions, tokens, memberships, follows and the public profile go with it
/// (foreign keys), and what it created elsewhere loses its author.
pub fn delete_user(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM users WHERE id = :id",
        named_params! {":id": user_id},
    )?;
    Ok(())
}

/// Starts a session for an account.
pub fn create_session(
    conn: &Connection,
    id_hash: &[u8],
    user_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (:h, :u, :now, :now)",
        named_params! {":h": id_hash, ":u": user_id, ":now": now},
    )?;
    Ok(())
}

/// The account of a live session and when the session was last seen.
pub fn session_user(
    conn: &Connection,
    id_hash: &[u8],
    now: i64,
) -> rusqlite::Result<Option<(User, i64)>> {
    conn.prepare_cached("SELECT u.id, u.email, u.name, u.role, u.lang, u.email_confirmed_at, u.suspended_until,
         u.suspended_reason, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = :h AND s.last_seen_at > :idle AND s.created_at > :max")?.query_row(named_params! {":h": id_hash, ":idle": now - SESSION_IDLE_SECS, ":max": now - SESSION_MAX_SECS},
        |r| Ok((user_from_row(r)?, r.get("last_seen_at")?)),
    )
    .optional()
}

/// Records activity on a session (called at most every few minutes per session).
pub fn touch_session(conn: &Connection, id_hash: &[u8], now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = :now WHERE id_hash = :h",
        named_params! {":h": id_hash, ":now": now},
    )?;
    Ok(())
}

/// Ends one session.
pub fn delete_session(conn: &Connection, id_hash: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM sessions WHERE id_hash = :h",
        named_params! {":h": id_hash},
    )?;
    Ok(())
}

/// Ends every session of an account (after a password change).
pub fn delete_user_sessions(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = :u",
        named_params! {":u": user_id},
    )?;
    Ok(())
}

/// Revokes every API token of an account (after a password reset).
pub fn delete_user_api_tokens(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM api_tokens WHERE user_id = :u")?
        .execute(named_params! {":u": user_id})?;
    Ok(())
}

/// Removes expired sessions and spent or expired email tokens.
pub fn purge_expired(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    let s = conn.execute(
        "DELETE FROM sessions WHERE last_seen_at <= :idle OR created_at <= :max",
        named_params! {":idle": now - SESSION_IDLE_SECS, ":max": now - SESSION_MAX_SECS},
    )?;
    let t = conn.execute(
        "DELETE FROM email_tokens WHERE expires_at <= :now OR used_at IS NOT NULL",
        named_params! {":now": now},
    )?;
    Ok(s + t)
}

/// Stores the hash of a single-use email token.
pub fn create_email_token(
    conn: &Connection,
    hash: &[u8],
    user_id: i64,
    purpose: &str,
    now: i64,
    ttl: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at)
         VALUES (:h, :u, :p, :now, :exp)",
        named_params! {":h": hash, ":u": user_id, ":p": purpose, ":now": now, ":exp": now + ttl},
    )?;
    Ok(())
}

/// The account of a valid, unused token, without spending it.
pub fn peek_email_token(
    conn: &Connection,
    hash: &[u8],
    purpose: &str,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT user_id FROM email_tokens
         WHERE token_hash = :h AND purpose = :p AND used_at IS NULL AND expires_at > :now",
    )?
    .query_row(
        named_params! {":h": hash, ":p": purpose, ":now": now},
        |r| r.get(0),
    )
    .optional()
}

/// Spends a valid token and returns its account; `None` when unknown, used or expired.
pub fn take_email_token(
    conn: &Connection,
    hash: &[u8],
    purpose: &str,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "UPDATE email_tokens SET used_at = :now
         WHERE token_hash = :h AND purpose = :p AND used_at IS NULL AND expires_at > :now
         RETURNING user_id",
    )?
    .query_row(
        named_params! {":h": hash, ":p": purpose, ":now": now},
        |r| r.get(0),
    )
    .optional()
}

/// Stores a new API token's hash.
pub fn create_api_token(
    conn: &Connection,
    user_id: i64,
    name: &str,
    hash: &[u8],
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (:u, :n, :h, :now)",
        named_params! {":u": user_id, ":n": name, ":h": hash, ":now": now},
    )?;
    Ok(conn.last_insert_rowid())
}

/// An account's API tokens, newest first.
pub fn api_tokens_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<ApiToken>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = :u ORDER BY id DESC",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        Ok(ApiToken {
            id: r.get("id")?,
            name: r.get("name")?,
            created_at: r.get("created_at")?,
            last_used_at: r.get("last_used_at")?,
        })
    })?;
    rows.collect()
}

/// Revokes one of an account's API tokens; false when it is not theirs.
pub fn delete_api_token(conn: &Connection, user_id: i64, id: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM api_tokens WHERE id = :id AND user_id = :u",
        named_params! {":id": id, ":u": user_id},
    )?;
    Ok(n == 1)
}

/// The account owning an API token, and when the token was last used.
pub fn user_by_api_token(
    conn: &Connection,
    hash: &[u8],
) -> rusqlite::Result<Option<(User, Option<i64>)>> {
    conn.prepare_cached(
        "SELECT u.id, u.email, u.name, u.role, u.lang, u.email_confirmed_at, u.suspended_until,
         u.suspended_reason, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :h",
    )?
    .query_row(named_params! {":h": hash}, |r| {
        Ok((user_from_row(r)?, r.get("last_used_at")?))
    })
    .optional()
}

/// Records when an API token was last used (the caller writes at most once a minute).
pub fn touch_api_token(conn: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE api_tokens SET last_used_at = :now WHERE token_hash = :h",
        named_params! {":h": hash, ":now": now},
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn new_user<'a>(email: &'a str) -> NewUser<'a> {
        NewUser {
            email,
            name: "Marie",
            password_hash: "x",
            role: Role::Member,
            lang: None,
            confirmed: false,
        }
    }

    #[test]
    fn emails_are_unique_whatever_their_case() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        assert!(create_user(&c, &new_user("marie@village.fr"), 1)
            .unwrap()
            .is_some());
        assert!(create_user(&c, &new_user("MARIE@village.fr"), 1)
            .unwrap()
            .is_none());
        let (u, _) = user_by_email(&c, "Marie@Village.fr").unwrap().unwrap();
        assert_eq!(u.email, "marie@village.fr");
        assert!(!u.email_confirmed);
    }

    #[test]
    fn sessions_expire_when_idle_or_too_old() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let id = create_user(&c, &new_user("a@b.fr"), 0).unwrap().unwrap();
        create_session(&c, b"h", id, 1000).unwrap();
        assert!(session_user(&c, b"h", 1000 + 60).unwrap().is_some());
        assert!(session_user(&c, b"h", 1000 + SESSION_IDLE_SECS + 1)
            .unwrap()
            .is_none());
        touch_session(&c, b"h", 1000 + SESSION_MAX_SECS).unwrap();
        assert!(session_user(&c, b"h", 1000 + SESSION_MAX_SECS + 1)
            .unwrap()
            .is_none());
        assert_eq!(purge_expired(&c, 1000 + SESSION_MAX_SECS + 1).unwrap(), 1);
    }

    #[test]
    fn email_tokens_are_single_use_and_expire() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let id = create_user(&c, &new_user("a@b.fr"), 0).unwrap().unwrap();
        create_email_token(&c, b"t1", id, "reset", 100, 3600).unwrap();
        assert_eq!(take_email_token(&c, b"t1", "confirm", 200).unwrap(), None);
        assert_eq!(take_email_token(&c, b"t1", "reset", 200).unwrap(), Some(id));
        assert_eq!(take_email_token(&c, b"t1", "reset", 201).unwrap(), None);
        create_email_token(&c, b"t2", id, "reset", 100, 3600).unwrap();
        assert_eq!(
            take_email_token(&c, b"t2", "reset", 100 + 3600).unwrap(),
            None
        );
    }

    #[test]
    fn api_tokens_belong_to_their_owner() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let a = create_user(&c, &new_user("a@b.fr"), 0).unwrap().unwrap();
        let b = create_user(&c, &new_user("b@b.fr"), 0).unwrap().unwrap();
        let t = create_api_token(&c, a, "script", b"hash", 5).unwrap();
        assert_eq!(user_by_api_token(&c, b"hash").unwrap().unwrap().0.id, a);
        assert!(!delete_api_token(&c, b, t).unwrap());
        assert!(delete_api_token(&c, a, t).unwrap());
        assert!(user_by_api_token(&c, b"hash").unwrap().is_none());
    }
}
