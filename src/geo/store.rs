//! Every SQL statement about the shared R*Tree.

use rusqlite::{named_params, Connection};

/// Puts a point for `(kind, item_id)` in the R*Tree, replacing any previous one;
/// `None` removes it.
pub fn set_point(
    conn: &Connection,
    kind: &str,
    item_id: i64,
    point: Option<(f64, f64)>,
) -> rusqlite::Result<()> {
    let Some((lat, lon)) = point else {
        return remove(conn, kind, item_id);
    };
    let id: i64 = conn.query_row(
        "INSERT INTO geo_items (kind, item_id) VALUES (:kind, :item)
         ON CONFLICT (kind, item_id) DO UPDATE SET kind = excluded.kind
         RETURNING id",
        named_params! {":kind": kind, ":item": item_id},
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO geo (id, min_lat, max_lat, min_lon, max_lon) VALUES (:id, :lat, :lat, :lon, :lon)",
        named_params! {":id": id, ":lat": lat, ":lon": lon},
    )?;
    Ok(())
}

/// Removes `(kind, item_id)` from the R*Tree (its box goes with it, by trigger).
pub fn remove(conn: &Connection, kind: &str, item_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM geo_items WHERE kind = :kind AND item_id = :item",
        named_params! {":kind": kind, ":item": item_id},
    )?;
    Ok(())
}

/// Item ids of one kind whose point lies in a bounding box (search by distance builds on it).
#[cfg(test)]
pub fn items_in_box(
    conn: &Connection,
    kind: &str,
    (min_lat, min_lon, max_lat, max_lon): (f64, f64, f64, f64),
) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.item_id FROM geo g JOIN geo_items i ON i.id = g.id
         WHERE g.max_lat >= :min_lat AND g.min_lat <= :max_lat
           AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon AND i.kind = :kind",
    )?;
    let rows = stmt.query_map(
        named_params! {":min_lat": min_lat, ":max_lat": max_lat, ":min_lon": min_lon, ":max_lon": max_lon, ":kind": kind},
        |r| r.get(0),
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn points_move_and_disappear() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        set_point(&c, "actor", 1, Some((47.35, -0.81))).unwrap();
        set_point(&c, "actor", 2, Some((48.85, 2.35))).unwrap();
        let around = (47.0, -1.0, 47.5, -0.5);
        assert_eq!(items_in_box(&c, "actor", around).unwrap(), vec![1]);
        set_point(&c, "actor", 1, Some((48.0, 2.0))).unwrap();
        assert!(items_in_box(&c, "actor", around).unwrap().is_empty());
        set_point(&c, "actor", 2, None).unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM geo", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
