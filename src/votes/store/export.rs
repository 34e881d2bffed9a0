//! "Download my data": what a person wrote and the ballots still linked to them. SQL only.

use rusqlite::Connection;
use serde_json::{json, Value};

/// "Download my data": the proposals and amendments one wrote, and one's ballots still linked
/// to one's account (a secret ballot is unlinked at the count).
pub fn personal_data(c: &Connection, uid: i64) -> rusqlite::Result<Value> {
    let mut proposals = c.prepare(
        "SELECT id, title, body, created_at FROM proposals WHERE author_id = :u ORDER BY id",
    )?;
    let proposals: Vec<Value> = proposals
        .query_map(rusqlite::named_params! {":u": uid}, |r| {
            Ok(
                json!({"id": r.get::<_, i64>(0)?, "title": r.get::<_, String>(1)?,
                      "text": r.get::<_, String>(2)?, "created_at": r.get::<_, i64>(3)?}),
            )
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut amendments = c.prepare(
        "SELECT proposal_id, body, note, status, created_at FROM proposal_amendments
         WHERE author_id = :u ORDER BY id",
    )?;
    let amendments: Vec<Value> = amendments
        .query_map(rusqlite::named_params! {":u": uid}, |r| {
            Ok(
                json!({"proposal": r.get::<_, i64>(0)?, "text": r.get::<_, String>(1)?,
                      "note": r.get::<_, String>(2)?, "status": r.get::<_, String>(3)?,
                      "created_at": r.get::<_, i64>(4)?}),
            )
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut ballots = c.prepare(
        "SELECT proposal_id, choice, updated_at FROM proposal_votes WHERE voter_id = :u ORDER BY id",
    )?;
    let ballots: Vec<Value> = ballots
        .query_map(rusqlite::named_params! {":u": uid}, |r| {
            Ok(
                json!({"proposal": r.get::<_, i64>(0)?, "choice": r.get::<_, String>(1)?,
                      "at": r.get::<_, i64>(2)?}),
            )
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(json!({"proposals": proposals, "amendments": amendments, "ballots": ballots}))
}
