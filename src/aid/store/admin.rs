//! Every SQL statement about the module's upkeep: settings, reports, the expiry and its
//! warnings, the daily digest, and the map's points.

use rusqlite::{named_params, Connection};

use super::{post, SELECT};
use crate::aid::{Post, KIND};
use crate::map::{MapFilter, Point};

/// How long a post lives and how many days before its end the author is asked.
pub fn settings(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(
        "SELECT expiry_days, warn_days FROM aid_settings WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Changes the settings (admins).
pub fn save_settings(conn: &Connection, expiry_days: i64, warn_days: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_settings SET expiry_days = :e, warn_days = :w WHERE id = 1",
        named_params! {":e": expiry_days, ":w": warn_days},
    )?;
    Ok(())
}

/// Open posts whose end comes within `warn_days` and whose author was not asked yet:
/// `(post, author email, author language)`.
pub fn to_warn(
    conn: &Connection,
    now: i64,
    warn_days: i64,
) -> rusqlite::Result<Vec<(Post, String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE p.status = 'open' AND p.warned_at IS NULL
            AND p.expires_at > :now AND p.expires_at <= :now + :warn * 86400
         ORDER BY p.expires_at LIMIT 100"
    ))?;
    let posts = stmt
        .query_map(named_params! {":now": now, ":warn": warn_days}, post)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut who = conn.prepare_cached("SELECT email, lang FROM users WHERE id = :u")?;
    posts
        .into_iter()
        .map(|p| {
            let (email, lang) = who.query_row(named_params! {":u": p.author_id}, |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            Ok((p, email, lang))
        })
        .collect()
}

/// Records that the author was asked; false when another run did it first (never twice).
pub fn mark_warned(conn: &Connection, post_id: i64, now: i64) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE aid_posts SET warned_at = :now WHERE id = :id AND warned_at IS NULL",
        named_params! {":id": post_id, ":now": now},
    )?;
    Ok(n == 1)
}

/// Gives back a claim whose mail could not be sent (it is retried at the next run).
pub fn unmark_warned(conn: &Connection, post_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_posts SET warned_at = NULL WHERE id = :id",
        named_params! {":id": post_id},
    )?;
    Ok(())
}

/// Marks every open post past its date as expired; returns how many.
pub fn expire_due(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE aid_posts SET status = 'expired', updated_at = :now
         WHERE status = 'open' AND expires_at <= :now",
        named_params! {":now": now},
    )
}

/// A person's digest categories (empty: not subscribed).
pub fn digest_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<String>> {
    let cats: Option<String> = conn
        .query_row(
            "SELECT categories FROM aid_digests WHERE user_id = :u",
            named_params! {":u": user_id},
            |r| r.get(0),
        )
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    Ok(cats
        .unwrap_or_default()
        .split(',')
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect())
}

/// Subscribes to the digest of these categories (none: unsubscribes). The first digest
/// covers what is posted from now on.
pub fn set_digest(
    conn: &Connection,
    user_id: i64,
    categories: &[&str],
    now: i64,
) -> rusqlite::Result<()> {
    if categories.is_empty() {
        conn.execute(
            "DELETE FROM aid_digests WHERE user_id = :u",
            named_params! {":u": user_id},
        )?;
        return Ok(());
    }
    conn.execute(
        "INSERT INTO aid_digests (user_id, categories, last_sent_at) VALUES (:u, :c, :now)
         ON CONFLICT (user_id) DO UPDATE SET categories = excluded.categories",
        named_params! {":u": user_id, ":c": categories.join(","), ":now": now},
    )?;
    Ok(())
}

/// A digest due: the subscriber, their address and language, and the posts since the last one.
pub struct Digest {
    pub user_id: i64,
    pub email: String,
    pub lang: Option<String>,
    pub posts: Vec<Post>,
}

/// The digests due (last one a day ago or more), with the new public posts of their
/// categories, not the subscriber's own.
pub fn digests_due(conn: &Connection, now: i64) -> rusqlite::Result<Vec<Digest>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.user_id, u.email, u.lang, d.categories, d.last_sent_at FROM aid_digests d
         JOIN users u ON u.id = d.user_id WHERE d.last_sent_at <= :now - 86400 LIMIT 200",
    )?;
    let subs = stmt
        .query_map(named_params! {":now": now}, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut posts = conn.prepare_cached(&format!(
        "{SELECT} WHERE p.status = 'open' AND p.hidden_at IS NULL AND p.expires_at > :now
            AND p.created_at >= :since AND p.author_id <> :u
            AND instr(:cats, ',' || p.category || ',') > 0
         ORDER BY p.created_at LIMIT 50"
    ))?;
    subs.into_iter()
        .map(|(user_id, email, lang, cats, since)| {
            let cats = format!(",{cats},");
            let found = posts
                .query_map(
                    named_params! {":now": now, ":since": since, ":u": user_id, ":cats": cats},
                    post,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Digest {
                user_id,
                email,
                lang,
                posts: found,
            })
        })
        .collect()
}

/// Records that a subscriber's digest went out (or had nothing to say) at `now`.
pub fn mark_digest_sent(conn: &Connection, user_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_digests SET last_sent_at = :now WHERE user_id = :u",
        named_params! {":u": user_id, ":now": now},
    )?;
    Ok(())
}

const MAP_WHERE: &str =
    "FROM geo g CROSS JOIN geo_items i ON i.id = g.id CROSS JOIN aid_posts p ON p.id = i.item_id
     WHERE g.max_lat >= :min_lat AND g.min_lat <= :max_lat
       AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon
       AND i.kind = 'aid' AND p.status = 'open' AND p.hidden_at IS NULL
       AND p.expires_at > unixepoch() AND p.lat IS NOT NULL
       AND (:kinds IS NULL OR instr(:kinds, ',' || p.kind || ',') > 0)
       AND (:type IS NULL OR p.category = :type)";

fn map_point(r: &rusqlite::Row) -> rusqlite::Result<Point> {
    let id: i64 = r.get("id")?;
    Ok(Point {
        source: KIND,
        kind: r.get("kind")?,
        type_: r.get("category")?,
        id,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
        title: r.get("title")?,
        url: format!("/aid/{id}"),
    })
}

/// The open public posts in the map's box. Their points are the stored ones: rounded for
/// people, so the map never shows where someone lives.
pub fn map_points(conn: &Connection, f: &MapFilter) -> rusqlite::Result<Vec<Point>> {
    let kinds = f
        .kinds_of(KIND, &crate::aid::MAP_KINDS)
        .map(|k| format!(",{},", k.join(",")));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.id, p.kind, p.category, p.title, p.lat, p.lon {MAP_WHERE} ORDER BY p.created_at DESC LIMIT :limit"
    ))?;
    let b = f.bbox;
    let rows = stmt.query_map(
        named_params! {
            ":min_lat": b.min_lat, ":max_lat": b.max_lat, ":min_lon": b.min_lon, ":max_lon": b.max_lon,
            ":kinds": kinds, ":type": f.type_, ":limit": f.limit.unwrap_or(-1),
        },
        map_point,
    )?;
    rows.collect()
}

/// The points of these posts (those a clustered map shows alone).
pub fn map_details(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Point>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.kind, p.category, p.title, p.lat, p.lon FROM aid_posts p
         WHERE p.id IN (SELECT value FROM json_each(:ids)) AND p.lat IS NOT NULL",
    )?;
    let rows = stmt.query_map(named_params! {":ids": list}, map_point)?;
    rows.collect()
}
