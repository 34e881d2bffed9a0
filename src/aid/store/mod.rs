//! Every SQL statement about the posts: create, edit, status, lists, the map and the search.
//! Conversations are in `talk.rs`; reports, digests, settings and the background work in
//! `admin.rs`.

pub mod admin;
pub mod moderation;
pub mod talk;

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::{Category, Kind, Post, PostInput, Price, Status, KIND};
use crate::geo::store as geo;

const SELECT: &str = "SELECT p.id, p.kind, p.category, p.title, p.description, p.price_cents,
        p.price_kind, p.item_condition, p.photo, p.available_from, p.available_until,
        p.author_id, u.name AS author_name, p.actor_id, a.slug AS actor_slug, a.name AS actor_name,
        p.lat, p.lon, p.status, p.hidden_at, p.created_at, p.expires_at
    FROM aid_posts p JOIN users u ON u.id = p.author_id LEFT JOIN actors a ON a.id = p.actor_id";

/// What the public may see: open, not hidden, not past its date. (The `+` keeps SQLite on the
/// `(status, created_at)` index, which gives the newest first without sorting.)
const PUBLIC: &str = "p.status = 'open' AND p.hidden_at IS NULL AND +p.expires_at > :now";

fn post(r: &Row) -> rusqlite::Result<Post> {
    let price = match r.get::<_, Option<String>>("price_kind")?.as_deref() {
        Some("free") => Some(Price::Free),
        Some("exchange") => Some(Price::Exchange),
        Some(_) => Some(Price::Cents(
            r.get::<_, Option<i64>>("price_cents")?.unwrap_or(0),
        )),
        None => None,
    };
    let actor = match r.get::<_, Option<i64>>("actor_id")? {
        Some(id) => Some((id, r.get("actor_slug")?, r.get("actor_name")?)),
        None => None,
    };
    let lat: Option<f64> = r.get("lat")?;
    let lon: Option<f64> = r.get("lon")?;
    Ok(Post {
        id: r.get("id")?,
        kind: Kind::parse(&r.get::<_, String>("kind")?).unwrap_or(Kind::Offer),
        category: Category::parse(&r.get::<_, String>("category")?).unwrap_or(Category::Other),
        title: r.get("title")?,
        description: r.get("description")?,
        price,
        condition: r.get("item_condition")?,
        photo: r.get("photo")?,
        available_from: r.get("available_from")?,
        available_until: r.get("available_until")?,
        author_id: r.get("author_id")?,
        author_name: r.get("author_name")?,
        actor,
        point: lat.zip(lon),
        status: Status::parse(&r.get::<_, String>("status")?),
        hidden: r.get::<_, Option<i64>>("hidden_at")?.is_some(),
        created_at: r.get("created_at")?,
        expires_at: r.get("expires_at")?,
    })
}

fn price_columns(p: Option<Price>) -> (Option<i64>, Option<&'static str>) {
    match p {
        Some(Price::Cents(c)) => (Some(c), Some("price")),
        Some(Price::Free) => (None, Some("free")),
        Some(Price::Exchange) => (None, Some("exchange")),
        None => (None, None),
    }
}

/// Creates a post (its point already rounded or the actor's) and registers its point in the
/// shared R*Tree, in the caller's transaction. Returns its id.
pub fn insert_post(
    conn: &Connection,
    author_id: i64,
    input: &PostInput,
    photo: Option<&str>,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<i64> {
    let (cents, price_kind) = price_columns(input.price);
    let id: i64 = conn.query_row(
        "INSERT INTO aid_posts (kind, category, title, description, price_cents, price_kind,
            item_condition, photo, available_from, available_until, author_id, actor_id, lat, lon,
            created_at, updated_at, expires_at)
         VALUES (:kind, :category, :title, :description, :cents, :price_kind, :condition, :photo,
            :from, :until, :author, :actor, :lat, :lon, :now, :now, :expires)
         RETURNING id",
        named_params! {
            ":kind": input.kind.as_str(), ":category": input.category.as_str(),
            ":title": input.title, ":description": input.description,
            ":cents": cents, ":price_kind": price_kind, ":condition": input.condition,
            ":photo": photo, ":from": input.available_from, ":until": input.available_until,
            ":author": author_id, ":actor": input.actor_id,
            ":lat": input.point.map(|p| p.0), ":lon": input.point.map(|p| p.1),
            ":now": now, ":expires": expires_at,
        },
        |r| r.get(0),
    )?;
    geo::set_point(conn, KIND, id, input.point)?;
    Ok(id)
}

/// Replaces a post's content (its point already rounded); `photo` `Some(x)` replaces the
/// photo (`Some(None)` removes it).
pub fn update_post(
    conn: &Connection,
    id: i64,
    input: &PostInput,
    photo: Option<Option<&str>>,
    now: i64,
) -> rusqlite::Result<()> {
    let (cents, price_kind) = price_columns(input.price);
    conn.execute(
        "UPDATE aid_posts SET kind = :kind, category = :category, title = :title,
            description = :description, price_cents = :cents, price_kind = :price_kind,
            item_condition = :condition, available_from = :from, available_until = :until,
            actor_id = :actor, lat = :lat, lon = :lon, updated_at = :now,
            photo = CASE WHEN :set_photo THEN :photo ELSE photo END
         WHERE id = :id",
        named_params! {
            ":id": id, ":kind": input.kind.as_str(), ":category": input.category.as_str(),
            ":title": input.title, ":description": input.description,
            ":cents": cents, ":price_kind": price_kind, ":condition": input.condition,
            ":from": input.available_from, ":until": input.available_until,
            ":actor": input.actor_id,
            ":lat": input.point.map(|p| p.0), ":lon": input.point.map(|p| p.1),
            ":now": now, ":set_photo": photo.is_some(), ":photo": photo.flatten(),
        },
    )?;
    geo::set_point(conn, KIND, id, input.point)
}

/// A post by id, whatever its status (pages check who may see it).
pub fn post_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Post>> {
    conn.query_row(
        &format!("{SELECT} WHERE p.id = :id"),
        named_params! {":id": id},
        post,
    )
    .optional()
}

/// Sets the status: `fulfilled` (closed by its author) or back to `open` with a new expiry
/// date (an extension, which also allows a new "still valid?" mail).
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: Status,
    expires_at: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_posts SET status = :status, updated_at = :now,
            expires_at = COALESCE(:expires, expires_at),
            warned_at = CASE WHEN :expires IS NULL THEN warned_at ELSE NULL END
         WHERE id = :id",
        named_params! {":id": id, ":status": status.as_str(), ":expires": expires_at, ":now": now},
    )?;
    Ok(())
}

/// Hides (`true`) or restores a post (moderation).
pub fn set_hidden(
    conn: &Connection,
    id: i64,
    hidden: bool,
    by: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE aid_posts SET hidden_at = CASE WHEN :hide THEN :now END,
            hidden_by = CASE WHEN :hide THEN :by END
         WHERE id = :id",
        named_params! {":id": id, ":hide": hidden, ":now": now, ":by": by},
    )?;
    Ok(())
}

/// The filters of the public list.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub kinds: Vec<Kind>,
    pub category: Option<Category>,
    /// Only posts within this many km of this point (posts without a point are left out).
    pub near: Option<((f64, f64), f64)>,
    pub page: i64,
}

/// Up to this radius, the distance filter reads the posts of its box by the place index and
/// sorts them; beyond, it walks the newest posts and skips those outside the box.
const SMALL_AREA_KM: f64 = 10.0;

/// The public posts matching the filter, newest first, and whether more follow. The
/// distance filter keeps the posts of the box around the disc, then the exact distance.
pub fn public_posts(
    conn: &Connection,
    f: &ListFilter,
    limit: i64,
    now: i64,
) -> rusqlite::Result<(Vec<Post>, bool)> {
    let kinds = (!f.kinds.is_empty()).then(|| {
        f.kinds
            .iter()
            .map(|k| format!(",{},", k.as_str()))
            .collect::<String>()
    });
    let (bbox, center, km) = match f.near {
        Some((c, km)) => (Some(crate::geo::bbox_around(c, km)), Some(c), km),
        None => (None, None, 0.0),
    };
    let (from, area) = match f.near {
        Some(_) if km <= SMALL_AREA_KM => (
            "FROM aid_posts p INDEXED BY aid_posts_place",
            "AND p.lat IS NOT NULL AND p.lat BETWEEN :min_lat AND :max_lat
             AND p.lon BETWEEN :min_lon AND :max_lon",
        ),
        Some(_) => (
            "FROM aid_posts p",
            "AND p.lat BETWEEN :min_lat AND :max_lat AND p.lon BETWEEN :min_lon AND :max_lon",
        ),
        // The box's parameters are named in every variant (all NULL here).
        None => (
            "FROM aid_posts p",
            "AND coalesce(:min_lat, :max_lat, :min_lon, :max_lon) IS NULL",
        ),
    };
    let select = SELECT.replacen("FROM aid_posts p", from, 1);
    let sql = format!(
        "{select} WHERE {PUBLIC}
           AND (:kinds IS NULL OR instr(:kinds, ',' || p.kind || ',') > 0)
           AND (:category IS NULL OR p.category = :category)
           {area}
         ORDER BY p.created_at DESC, p.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        named_params! {
            ":now": now, ":kinds": kinds, ":category": f.category.map(Category::as_str),
            ":min_lat": bbox.map(|b| b.0), ":min_lon": bbox.map(|b| b.1),
            ":max_lat": bbox.map(|b| b.2), ":max_lon": bbox.map(|b| b.3),
        },
        post,
    )?;
    let skip = (f.page.max(1) - 1) * limit;
    let mut out = Vec::new();
    let mut seen = 0i64;
    for p in rows {
        let p = p?;
        if let (Some(c), Some(pt)) = (center, p.point) {
            if crate::geo::distance_km(c, pt) > km {
                continue;
            }
        }
        seen += 1;
        if seen <= skip {
            continue;
        }
        if out.len() as i64 == limit {
            return Ok((out, true));
        }
        out.push(p);
    }
    Ok((out, false))
}

/// The open public posts of some kinds (the candidates of a match), at most `limit`.
pub fn public_posts_by_ids(
    conn: &Connection,
    ids: &[i64],
    now: i64,
) -> rusqlite::Result<Vec<Post>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE p.id IN (SELECT value FROM json_each(:ids)) AND {PUBLIC}"
    ))?;
    let rows = stmt.query_map(named_params! {":ids": list, ":now": now}, post)?;
    rows.collect()
}

/// Open public posts of a kind and a category, newest first (the matching's candidates that
/// share no word with the post).
pub fn recent_public_of_kind(
    conn: &Connection,
    kind: Kind,
    category: Category,
    limit: i64,
    now: i64,
) -> rusqlite::Result<Vec<Post>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE {PUBLIC} AND p.kind = :kind AND p.category = :category
         ORDER BY p.created_at DESC LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {
            ":now": now, ":kind": kind.as_str(), ":category": category.as_str(), ":limit": limit,
        },
        post,
    )?;
    rows.collect()
}

/// Every post of an author, whatever its status, newest first ("my posts", "download my data").
pub fn posts_by_author(conn: &Connection, author_id: i64) -> rusqlite::Result<Vec<Post>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE p.author_id = :a ORDER BY p.created_at DESC"
    ))?;
    let rows = stmt.query_map(named_params! {":a": author_id}, post)?;
    rows.collect()
}

/// An actor a person may post for: `(id, name, point)`.
pub type ManagedActor = (i64, String, Option<(f64, f64)>);

/// The actors a person may post for (those they are an active admin of).
pub fn actors_managed_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<ManagedActor>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name, a.lat, a.lon FROM memberships m JOIN actors a ON a.id = m.actor_id
         WHERE m.user_id = :u AND m.role = 'admin' AND m.status = 'active'
         ORDER BY a.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        let lat: Option<f64> = r.get(2)?;
        let lon: Option<f64> = r.get(3)?;
        Ok((r.get(0)?, r.get(1)?, lat.zip(lon)))
    })?;
    rows.collect()
}

/// Ids of every post the search index should hold (a rebuild); the documents decide.
pub fn indexed_ids(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT id FROM aid_posts WHERE status = 'open' AND hidden_at IS NULL")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The posts of these ids that are open and visible (the search documents).
pub fn indexable_by_ids(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Post>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE p.id IN (SELECT value FROM json_each(:ids))
           AND p.status = 'open' AND p.hidden_at IS NULL"
    ))?;
    let rows = stmt.query_map(named_params! {":ids": list}, post)?;
    rows.collect()
}

#[cfg(test)]
mod tests;

/// The photos of a person's posts (they go with the account: posts are deleted with it).
pub fn photos_of_author(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT photo FROM aid_posts WHERE author_id = :u AND photo IS NOT NULL")?
        .query_map(rusqlite::named_params! {":u": user_id}, |r| r.get(0))?
        .collect()
}
