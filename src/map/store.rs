//! Every SQL statement of the map: the located items of each module from the shared R*Tree,
//! and the tiles of an MBTiles file (itself an SQLite database).

use std::path::Path;

use rusqlite::{named_params, Connection, OpenFlags, OptionalExtension};

use super::{MapFilter, Point};

/// The R*Tree kind (and map source name) of the directory's actors.
/// The kinds of the directory's points.
pub const ACTOR_KINDS: [&str; 4] = ["organisation", "project", "place", "person"];

pub const ACTOR_SOURCE: &str = crate::directory::store::GEO_KIND;

const ACTOR_WHERE: &str = "FROM geo g CROSS JOIN geo_items i ON i.id = g.id CROSS JOIN actors a ON a.id = i.item_id
     WHERE g.max_lat >= :min_lat AND g.min_lat <= :max_lat
       AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon
       AND i.kind = :source AND a.visibility = 'public'
       AND a.lat IS NOT NULL AND a.lon IS NOT NULL
       AND (:kinds IS NULL OR instr(:kinds, ',' || a.kind || ',') > 0)
       AND (:type IS NULL OR a.type = :type)
       AND (:tag IS NULL OR EXISTS (SELECT 1 FROM actor_tags t WHERE t.actor_id = a.id AND t.tag = :tag))";

fn actor_point(r: &rusqlite::Row) -> rusqlite::Result<Point> {
    let slug: String = r.get("slug")?;
    Ok(Point {
        source: ACTOR_SOURCE,
        kind: r.get("kind")?,
        type_: r.get("type")?,
        id: r.get("id")?,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
        title: r.get("name")?,
        url: format!("/a/{slug}"),
    })
}

/// The public actors located in the filter's box, filtered by kind, type and tag, by name.
/// One indexed R*Tree query; the exact position comes from the actor's row (the R*Tree keeps
/// 32-bit floats). CROSS JOIN makes SQLite walk the R*Tree box first: a village-sized box reads
/// a hundred rows instead of probing the R*Tree once per actor. With `f.light`, only ids and
/// positions are read (for clustering; [`actor_details`] fills the points shown alone).
pub fn actor_points(conn: &Connection, f: &MapFilter) -> rusqlite::Result<Vec<Point>> {
    let kinds = f
        .kinds_of(ACTOR_SOURCE, &ACTOR_KINDS)
        .map(|k| format!(",{},", k.join(",")));
    let sql = if f.light {
        format!("SELECT a.id, a.lat, a.lon {ACTOR_WHERE} LIMIT :limit")
    } else {
        format!("SELECT a.id, a.slug, a.name, a.kind, a.type, a.lat, a.lon {ACTOR_WHERE} ORDER BY a.name COLLATE NOCASE, a.id LIMIT :limit")
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let b = f.bbox;
    let params = named_params! {
        ":min_lat": b.min_lat, ":max_lat": b.max_lat, ":min_lon": b.min_lon, ":max_lon": b.max_lon,
        ":source": ACTOR_SOURCE, ":kinds": kinds, ":type": f.type_, ":tag": f.tag,
        ":limit": f.limit.unwrap_or(-1),
    };
    let rows = if f.light {
        stmt.query_map(params, |r| {
            Ok(Point {
                source: ACTOR_SOURCE,
                kind: String::new(),
                type_: String::new(),
                id: r.get("id")?,
                lat: r.get("lat")?,
                lon: r.get("lon")?,
                title: String::new(),
                url: String::new(),
            })
        })?
        .collect()
    } else {
        stmt.query_map(params, actor_point)?.collect()
    };
    rows
}

/// The complete points of these actors (those a clustered map shows alone).
pub fn actor_details(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Point>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.slug, a.name, a.kind, a.type, a.lat, a.lon FROM actors a
         WHERE a.id IN (SELECT value FROM json_each(:ids))",
    )?;
    let rows = stmt.query_map(named_params! {":ids": list}, actor_point)?;
    rows.collect()
}

/// Opens an MBTiles file read-only (it is never written, and may sit on a read-only disk).
pub fn open_mbtiles(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// Whether an opened file is an MBTiles file: an SQLite database with a `tiles` table or view.
pub fn is_mbtiles(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'tiles' AND type IN ('table', 'view')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 1)
}

/// The tiles' format from the metadata (`png`, `jpg`, `webp`, `pbf`), `png` when unsaid.
pub fn tile_format(conn: &Connection) -> rusqlite::Result<String> {
    let format: Option<String> = conn
        .query_row(
            "SELECT value FROM metadata WHERE name = 'format'",
            [],
            |r| r.get(0),
        )
        .optional()
        .or_else(|e| match e {
            // A file without a metadata table still has tiles worth serving.
            rusqlite::Error::SqliteFailure(..) => Ok(None),
            e => Err(e),
        })?;
    Ok(format.unwrap_or_else(|| "png".into()).to_lowercase())
}

/// One tile by its XYZ address (MBTiles stores TMS rows: counted from the south).
pub fn tile(conn: &Connection, z: u8, x: u32, y: u32) -> rusqlite::Result<Option<Vec<u8>>> {
    let tms_row = (1i64 << z) - 1 - i64::from(y);
    conn.query_row(
        "SELECT tile_data FROM tiles WHERE zoom_level = :z AND tile_column = :x AND tile_row = :y",
        named_params! {":z": z, ":x": x, ":y": tms_row},
        |r| r.get(0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::map::{BBox, MapQuery};

    fn actor(c: &Connection, id: i64, kind: &str, vis: &str, at: (f64, f64), tag: Option<&str>) {
        c.execute(
            "INSERT INTO actors (id, slug, kind, type, name, visibility, lat, lon, created_at, updated_at)
             VALUES (:id, :slug, :kind, 'other', :name, :vis, :lat, :lon, 0, 0)",
            named_params! {":id": id, ":slug": format!("a{id}"), ":kind": kind, ":name": format!("Nom {id}"),
                ":vis": vis, ":lat": at.0, ":lon": at.1},
        )
        .unwrap();
        crate::geo::store::set_point(c, ACTOR_SOURCE, id, Some(at)).unwrap();
        if let Some(t) = tag {
            c.execute(
                "INSERT INTO actor_tags (actor_id, tag) VALUES (:id, :t)",
                named_params! {":id": id, ":t": t},
            )
            .unwrap();
        }
    }

    #[test]
    fn public_located_actors_come_out_filtered_and_within_the_box() {
        crate::modules::install();
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        actor(&c, 1, "place", "public", (47.35, -0.81), Some("pain"));
        actor(&c, 2, "organisation", "public", (47.36, -0.80), None);
        actor(&c, 3, "place", "members", (47.35, -0.82), None);
        actor(&c, 4, "place", "public", (48.85, 2.35), None);
        let near = BBox::parse("-1,47,0,48").unwrap();
        let q = |kind: &str, tag: &str| MapQuery {
            kind: kind.into(),
            tag: tag.into(),
            ..Default::default()
        };
        let ids = |f| -> Vec<i64> { actor_points(&c, &f).unwrap().iter().map(|p| p.id).collect() };
        assert_eq!(ids(q("", "").filter(near, None)), vec![1, 2]);
        assert_eq!(ids(q("", "").filter(BBox::WORLD, None)), vec![1, 2, 4]);
        assert_eq!(ids(q("place", "").filter(BBox::WORLD, None)), vec![1, 4]);
        assert_eq!(ids(q("actor", "").filter(BBox::WORLD, Some(1))), vec![1]);
        assert_eq!(ids(q("", "pain").filter(BBox::WORLD, None)), vec![1]);
        let p = &actor_points(&c, &q("", "").filter(near, None)).unwrap()[0];
        assert_eq!((p.lat, p.lon, p.url.as_str()), (47.35, -0.81, "/a/a1"));
        let plan: String = c
            .query_row(
                "EXPLAIN QUERY PLAN SELECT a.id FROM geo g JOIN geo_items i ON i.id = g.id JOIN actors a ON a.id = i.item_id
                 WHERE g.max_lat >= 1 AND g.min_lat <= 2 AND g.max_lon >= 1 AND g.min_lon <= 2",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("VIRTUAL TABLE INDEX"), "{plan}");
    }
}
