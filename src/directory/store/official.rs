//! Official pages (town hall, school, public service): marked by a site admin, recorded in the
//! moderation log.

use rusqlite::{named_params, Connection};

/// Marks the actor official or not, and appends the change to the moderation log (action
/// 'official' or 'unofficial', kind 'actor'). Answers false when nothing changed (no row is
/// logged then).
pub fn set_official(
    conn: &Connection,
    actor_id: i64,
    official: bool,
    moderator: (i64, &str),
    at: i64,
) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE actors SET official = :o WHERE id = :id AND official <> :o")?
        .execute(named_params! {":o": official, ":id": actor_id})?;
    if changed == 0 {
        return Ok(false);
    }
    let (before, after) = if official {
        ("unofficial", "official")
    } else {
        ("official", "unofficial")
    };
    crate::moderation::store::log(
        conn,
        &crate::moderation::store::LogEntry {
            at,
            moderator_id: Some(moderator.0),
            moderator: moderator.1.to_string(),
            action: after.to_string(),
            kind: "actor".to_string(),
            item_id: Some(actor_id),
            before: before.to_string(),
            after: after.to_string(),
            ..Default::default()
        },
    )?;
    Ok(true)
}

/// Which of these actor ids are official (for lists that show actors by id).
pub fn official_among(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<i64>> {
    let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM actors WHERE official = 1 AND id IN (SELECT value FROM json_each(:ids))",
    )?;
    let rows = stmt.query_map(named_params! {":ids": ids}, |r| r.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking_is_logged_once_per_change() {
        let db = crate::db::Db::memory().unwrap();
        let conn = db.conn().unwrap();
        conn.execute(
            "INSERT INTO actors (slug, kind, type, name, created_at, updated_at)
             VALUES ('mairie', 'organisation', 'public', 'Mairie', 0, 0)",
            [],
        )
        .unwrap();
        let id = conn.last_insert_rowid();
        assert!(set_official(&conn, id, true, (1, "Admin"), 10).unwrap());
        assert!(!set_official(&conn, id, true, (1, "Admin"), 11).unwrap());
        assert_eq!(official_among(&conn, &[id, id + 1]).unwrap(), vec![id]);
        assert!(set_official(&conn, id, false, (1, "Admin"), 12).unwrap());
        let log: Vec<String> = conn
            .prepare("SELECT action FROM moderation_log ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(log, ["official", "unofficial"]);
    }
}
