//! Append-only migrations, embedded in the binary. Migration N sets `PRAGMA user_version = N`;
//! an upgrade applies every pending migration inside ONE transaction, so a crash or a failed
//! migration leaves the database exactly as the previous release left it (which that release
//! still opens), never halfway.

use rusqlite::Connection;

use crate::error::AppError;

/// Every migration in order; index 0 is migration 1. Never edit a released entry: append.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("schema", include_str!("../../schema.sql")),
    ("directory", include_str!("migrations/0002_directory.sql")),
    ("public_url", include_str!("migrations/0003_public_url.sql")),
    ("addresses", include_str!("migrations/0004_addresses.sql")),
    ("map", include_str!("migrations/0005_map.sql")),
    (
        "search_queue",
        include_str!("migrations/0006_search_queue.sql"),
    ),
    ("agenda", include_str!("migrations/0007_agenda.sql")),
    ("news", include_str!("migrations/0008_news.sql")),
    (
        "directory_speed",
        include_str!("migrations/0009_directory_speed.sql"),
    ),
    (
        "agenda_imports",
        include_str!("migrations/0010_agenda_imports.sql"),
    ),
    (
        "agenda_speed",
        include_str!("migrations/0011_agenda_speed.sql"),
    ),
    ("rooms", include_str!("migrations/0012_rooms.sql")),
    ("aid", include_str!("migrations/0013_aid.sql")),
    ("lists", include_str!("migrations/0014_lists.sql")),
    (
        "room_guarantee",
        include_str!("migrations/0015_room_guarantee.sql"),
    ),
    ("moderation", include_str!("migrations/0016_moderation.sql")),
    ("calendars", include_str!("migrations/0017_calendars.sql")),
    ("federation", include_str!("migrations/0018_federation.sql")),
    ("changes", include_str!("migrations/0019_changes.sql")),
    ("neighbours", include_str!("migrations/0020_neighbours.sql")),
    (
        "neighbour_links",
        include_str!("migrations/0021_neighbour_links.sql"),
    ),
    ("votes", include_str!("migrations/0022_votes.sql")),
    ("channels", include_str!("migrations/0023_channels.sql")),
    (
        "channel_notifications",
        include_str!("migrations/0024_channel_notifications.sql"),
    ),
];

/// The schema version the database file is at (0 for a new file).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map(|v| v as usize)
}

/// Names of the migrations this binary would apply to the database.
pub fn pending_migrations(conn: &Connection) -> Result<Vec<String>, AppError> {
    let version = schema_version(conn)?;
    refuse_newer(version)?;
    Ok(MIGRATIONS
        .iter()
        .enumerate()
        .skip(version)
        .map(|(i, (name, _))| format!("{:04}_{name}", i + 1))
        .collect())
}

/// Applies every pending migration, all in one transaction: all of them or none (SQLite's
/// schema changes are transactional; no migration may hold a PRAGMA or VACUUM).
pub fn migrate(conn: &mut Connection) -> Result<usize, AppError> {
    let version = schema_version(conn)?;
    refuse_newer(version)?;
    if version == MIGRATIONS.len() {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.execute_batch(sql).map_err(|e| {
            AppError::msg(format!(
                "migration {:04}_{name} failed: {e}; the database is left as it was, at schema \
                 version {version}: the previous Placette still opens it",
                i + 1
            ))
        })?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    for (i, (name, _)) in MIGRATIONS.iter().enumerate().skip(version) {
        log::info!("applied migration {:04}_{name}", i + 1);
    }
    Ok(MIGRATIONS.len() - version)
}

fn refuse_newer(version: usize) -> Result<(), AppError> {
    if version > MIGRATIONS.len() {
        return Err(AppError::msg(format!(
            "the database is at schema version {version}, newer than this Placette knows ({}); \
             install a newer Placette or restore a backup",
            MIGRATIONS.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_a_new_database_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len());
        assert_eq!(schema_version(&conn).unwrap(), MIGRATIONS.len());
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert!(pending_migrations(&conn).unwrap().is_empty());
        let secret: Vec<u8> = conn
            .query_row("SELECT secret FROM instance WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(secret.len(), 32);
    }

    #[test]
    fn a_failed_migration_applies_none_of_the_pending_ones() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        // Migration 3 would add a column that is already there.
        conn.execute_batch("ALTER TABLE instance ADD COLUMN public_url TEXT")
            .unwrap();
        let err = migrate(&mut conn).unwrap_err().to_string();
        assert!(err.contains("migration 0003_public_url failed"), "{err}");
        assert_eq!(
            schema_version(&conn).unwrap(),
            1,
            "0002 rolled back with 0003"
        );
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'actors'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "0002's tables rolled back");
    }

    #[test]
    fn refuses_a_newer_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        let err = migrate(&mut conn).unwrap_err().to_string();
        assert!(err.contains("newer"), "{err}");
    }

    #[test]
    fn the_shared_rtree_finds_points_in_a_box_and_forgets_deleted_items() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO geo_items (id, kind, item_id) VALUES (1, 'actor', 7), (2, 'event', 7);
             INSERT INTO geo VALUES (1, 47.35, 47.35, -0.81, -0.81), (2, 48.85, 48.85, 2.35, 2.35);",
        )
        .unwrap();
        let found = |c: &Connection| -> Vec<String> {
            let mut st = c
                .prepare(
                    "SELECT i.kind FROM geo g JOIN geo_items i ON i.id = g.id
                     WHERE g.max_lat >= 47.0 AND g.min_lat <= 47.5 AND g.max_lon >= -1.0 AND g.min_lon <= -0.5",
                )
                .unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(found(&conn), vec!["actor".to_string()]);
        conn.execute("DELETE FROM geo_items WHERE kind = 'actor'", [])
            .unwrap();
        assert!(found(&conn).is_empty());
        let left: i64 = conn
            .query_row("SELECT count(*) FROM geo", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1, "the trigger removed the box with its item");
    }

    #[test]
    fn sqlite_has_rtree_and_fts5() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE r USING rtree(id, a, b);
             CREATE VIRTUAL TABLE f USING fts5(t);",
        )
        .unwrap();
    }
}
