//! Invitations to a channel by mail: the token is stored hashed, used once, valid 14 days.

use rusqlite::{named_params, Connection, OptionalExtension};

/// An invitation waiting for its answer.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub channel_id: i64,
    pub email: String,
}

/// Files an invitation.
pub fn create(
    c: &Connection,
    hash: &[u8],
    channel_id: i64,
    email: &str,
    by: i64,
    now: i64,
    valid: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO channel_invitations (token_hash, channel_id, email, invited_by, created_at, expires_at)
         VALUES (:h, :c, :e, :by, :now, :exp)",
    )?
    .execute(named_params! {":h": hash, ":c": channel_id, ":e": email, ":by": by, ":now": now, ":exp": now + valid})?;
    Ok(())
}

/// The unused, unexpired invitation of this token hash.
pub fn find(c: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<Option<Invitation>> {
    c.prepare_cached(
        "SELECT channel_id, email FROM channel_invitations
         WHERE token_hash = :h AND used_at IS NULL AND expires_at > :now",
    )?
    .query_row(named_params! {":h": hash, ":now": now}, |r| {
        Ok(Invitation {
            channel_id: r.get(0)?,
            email: r.get(1)?,
        })
    })
    .optional()
}

/// Uses an invitation; false when it was already used or expired (inside the write).
pub fn spend(c: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE channel_invitations SET used_at = :now
             WHERE token_hash = :h AND used_at IS NULL AND expires_at > :now",
        )?
        .execute(named_params! {":h": hash, ":now": now})?;
    Ok(n == 1)
}
