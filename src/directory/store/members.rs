//! Every SQL statement about members of actors and invitations.

use rusqlite::{named_params, Connection, OptionalExtension};

use crate::directory::MemberRole;
use crate::i18n::Lang;

/// A member as listed on the members page.
#[derive(Clone, Debug)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub role: MemberRole,
    pub title: String,
    pub active: bool,
}

/// A pending invitation.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub actor_id: i64,
    pub email: String,
    pub role: MemberRole,
    pub title: String,
}

/// The viewer's membership of an actor: role, and whether it is active (not just requested).
pub fn membership(
    conn: &Connection,
    actor_id: i64,
    user_id: i64,
) -> rusqlite::Result<Option<(MemberRole, bool)>> {
    conn.prepare_cached(
        "SELECT role, status FROM memberships WHERE actor_id = :a AND user_id = :u",
    )?
    .query_row(named_params! {":a": actor_id, ":u": user_id}, |r| {
        let role: String = r.get(0)?;
        let status: String = r.get(1)?;
        Ok((
            MemberRole::parse(&role).unwrap_or(MemberRole::Member),
            status == "active",
        ))
    })
    .optional()
}

/// Members and pending requests, admins first, then by name.
pub fn members_of(conn: &Connection, actor_id: i64) -> rusqlite::Result<Vec<Member>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.user_id, u.name, m.role, m.title, m.status FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.actor_id = :a ORDER BY m.status, m.role, u.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(named_params! {":a": actor_id}, |r| {
        let role: String = r.get(2)?;
        let status: String = r.get(4)?;
        Ok(Member {
            user_id: r.get(0)?,
            name: r.get(1)?,
            role: MemberRole::parse(&role).unwrap_or(MemberRole::Member),
            title: r.get(3)?,
            active: status == "active",
        })
    })?;
    rows.collect()
}

/// How many active members an actor has.
pub fn active_member_count(conn: &Connection, actor_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM memberships WHERE actor_id = :a AND status = 'active'",
    )?
    .query_row(named_params! {":a": actor_id}, |r| r.get(0))
}

/// Names of the actors whose only active admin is this user.
pub fn sole_admin_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.name FROM memberships m JOIN actors a ON a.id = m.actor_id
         WHERE m.user_id = :u AND m.role = 'admin' AND m.status = 'active'
           AND (SELECT count(*) FROM memberships o WHERE o.actor_id = m.actor_id
                AND o.role = 'admin' AND o.status = 'active') = 1
         ORDER BY a.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| r.get(0))?;
    rows.collect()
}

/// Adds or replaces a membership.
pub fn put_member(
    conn: &Connection,
    actor_id: i64,
    user_id: i64,
    role: MemberRole,
    title: &str,
    active: bool,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO memberships (actor_id, user_id, role, title, status, created_at)
         VALUES (:a, :u, :role, :title, :status, :now)
         ON CONFLICT (actor_id, user_id) DO UPDATE SET role = excluded.role, title = excluded.title,
            status = excluded.status",
        named_params! {":a": actor_id, ":u": user_id, ":role": role.as_str(), ":title": title,
        ":status": if active { "active" } else { "requested" }, ":now": now},
    )?;
    Ok(())
}

/// Changes an existing member's role and title; false when not a member.
pub fn set_member(
    conn: &Connection,
    actor_id: i64,
    user_id: i64,
    role: MemberRole,
    title: &str,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE memberships SET role = :role, title = :title WHERE actor_id = :a AND user_id = :u",
        named_params! {":a": actor_id, ":u": user_id, ":role": role.as_str(), ":title": title},
    )?;
    Ok(n == 1)
}

/// Accepts a join request; false when there was none.
pub fn approve(conn: &Connection, actor_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE memberships SET status = 'active' WHERE actor_id = :a AND user_id = :u AND status = 'requested'",
        named_params! {":a": actor_id, ":u": user_id},
    )?;
    Ok(n == 1)
}

/// Removes a member or a request; false when there was none.
pub fn remove_member(conn: &Connection, actor_id: i64, user_id: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM memberships WHERE actor_id = :a AND user_id = :u",
        named_params! {":a": actor_id, ":u": user_id},
    )?;
    Ok(n == 1)
}

/// How many active admins an actor has.
pub fn admin_count(conn: &Connection, actor_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM memberships WHERE actor_id = :a AND role = 'admin' AND status = 'active'")?.query_row(named_params! {":a": actor_id},
        |r| r.get(0),
    )
}

/// Addresses and languages of an actor's active admins (to relay messages and requests).
pub fn admin_addresses(
    conn: &Connection,
    actor_id: i64,
) -> rusqlite::Result<Vec<(String, Option<Lang>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.email, u.lang FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.actor_id = :a AND m.role = 'admin' AND m.status = 'active' ORDER BY u.id",
    )?;
    let rows = stmt.query_map(named_params! {":a": actor_id}, |r| {
        let lang: Option<String> = r.get(1)?;
        Ok((r.get(0)?, lang.as_deref().and_then(Lang::from_code)))
    })?;
    rows.collect()
}

/// Stores an invitation's hash.
pub fn create_invitation(
    conn: &Connection,
    hash: &[u8],
    inv: &Invitation,
    invited_by: i64,
    now: i64,
    ttl: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO invitations (token_hash, actor_id, email, role, title, invited_by, created_at, expires_at)
         VALUES (:h, :a, :email, :role, :title, :by, :now, :exp)",
        named_params! {":h": hash, ":a": inv.actor_id, ":email": inv.email, ":role": inv.role.as_str(),
            ":title": inv.title, ":by": invited_by, ":now": now, ":exp": now + ttl},
    )?;
    Ok(())
}

/// A valid, unused invitation.
pub fn invitation(
    conn: &Connection,
    hash: &[u8],
    now: i64,
) -> rusqlite::Result<Option<Invitation>> {
    conn.prepare_cached(
        "SELECT actor_id, email, role, title FROM invitations
         WHERE token_hash = :h AND accepted_at IS NULL AND expires_at > :now",
    )?
    .query_row(named_params! {":h": hash, ":now": now}, |r| {
        let role: String = r.get(2)?;
        Ok(Invitation {
            actor_id: r.get(0)?,
            email: r.get(1)?,
            role: MemberRole::parse(&role).unwrap_or(MemberRole::Member),
            title: r.get(3)?,
        })
    })
    .optional()
}

/// Marks an invitation used; false when it already was.
pub fn spend_invitation(conn: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE invitations SET accepted_at = :now WHERE token_hash = :h AND accepted_at IS NULL",
        named_params! {":h": hash, ":now": now},
    )?;
    Ok(n == 1)
}

/// Actors a person belongs to: (slug, name, role, title, active).
pub fn memberships_of(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Vec<(String, String, String, String, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.slug, a.name, m.role, m.title, m.status FROM memberships m JOIN actors a ON a.id = m.actor_id
         WHERE m.user_id = :u ORDER BY a.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        let status: String = r.get(4)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            status == "active",
        ))
    })?;
    rows.collect()
}
