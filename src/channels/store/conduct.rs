//! The code of conduct: versions (never changed, a save adds one) and acceptances kept as
//! proof with the version and the time.

use rusqlite::{named_params, Connection, OptionalExtension};

/// A version of the code of conduct.
#[derive(Clone, Debug)]
pub struct Version {
    pub id: i64,
    pub body: String,
    pub created_at: i64,
}

/// The version in force: the latest.
pub fn current(c: &Connection) -> rusqlite::Result<Option<Version>> {
    c.prepare_cached("SELECT id, body, created_at FROM conduct_versions ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| {
            Ok(Version {
                id: r.get(0)?,
                body: r.get(1)?,
                created_at: r.get(2)?,
            })
        })
        .optional()
}

/// How many versions were saved.
pub fn versions(c: &Connection) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT count(*) FROM conduct_versions")?
        .query_row([], |r| r.get(0))
}

/// Saves a new version; returns its id.
pub fn save(c: &Connection, body: &str, by: i64, now: i64) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "INSERT INTO conduct_versions (body, created_by, created_at) VALUES (:b, :by, :now)",
    )?
    .execute(named_params! {":b": body, ":by": by, ":now": now})?;
    Ok(c.last_insert_rowid())
}

/// Whether a person accepted this version.
pub fn accepted(c: &Connection, uid: i64, version: i64) -> rusqlite::Result<bool> {
    c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM conduct_acceptances WHERE user_id = :u AND version_id = :v)",
    )?
    .query_row(named_params! {":u": uid, ":v": version}, |r| r.get(0))
}

/// Files a person's acceptance of a version (kept once, with its first time).
pub fn accept(c: &Connection, uid: i64, version: i64, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO conduct_acceptances (user_id, version_id, accepted_at) VALUES (:u, :v, :now)",
    )?
    .execute(named_params! {":u": uid, ":v": version, ":now": now})?;
    Ok(())
}

/// A person's acceptances: (version, accepted at).
pub fn acceptances_of(c: &Connection, uid: i64) -> rusqlite::Result<Vec<(i64, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT version_id, accepted_at FROM conduct_acceptances WHERE user_id = :u ORDER BY version_id",
    )?;
    let rows = st.query_map(named_params! {":u": uid}, |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Whether a person may post as far as the code of conduct goes, inside the write: yes when
/// there is none, when they accepted the version in force, or when `accepting` is that very
/// version (then the acceptance is filed, with the post, in the same transaction).
pub fn pass(c: &Connection, uid: i64, accepting: Option<i64>, now: i64) -> rusqlite::Result<bool> {
    let Some(v) = current(c)? else {
        return Ok(true);
    };
    if accepted(c, uid, v.id)? {
        return Ok(true);
    }
    if accepting == Some(v.id) {
        accept(c, uid, v.id, now)?;
        return Ok(true);
    }
    Ok(false)
}

/// The version a person must accept before posting, if any.
pub fn pending(c: &Connection, uid: Option<i64>) -> rusqlite::Result<Option<Version>> {
    let Some(uid) = uid else {
        return Ok(None);
    };
    match current(c)? {
        Some(v) if !accepted(c, uid, v.id)? => Ok(Some(v)),
        _ => Ok(None),
    }
}
