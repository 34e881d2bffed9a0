//! Every SQL statement about posts. Comments and reports are beside this file.
//!
//! [`VISIBLE`] is THE rule of who reads a post; every list, page, feed, API answer and the
//! search source filter through it, so that no surface can leak a restricted post.

pub mod comments;
pub mod moderation;

use rusqlite::types::ToSql;
use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::{Audience, Post, PostInput, Viewer};

/// Whether the viewer (`:viewer` user id or NULL, `:staff` 0/1) may read post `p` (joined with
/// its actor `a`); `:with_hidden` 1 lets the staff see hidden posts (on their own page only).
///
/// - hidden by a moderator: nobody, except staff on the post's page;
/// - staff and the author: always;
/// - on the journal of a members-only actor: that actor's members only;
/// - then by audience: public → everyone; members → signed-in residents; followers → the
///   actor's followers and members.
pub const VISIBLE: &str = "((p.hidden_at IS NULL OR (:with_hidden AND :staff))
    AND (:staff OR p.author_id = :viewer OR (
        (p.actor_id IS NULL OR a.visibility = 'public'
            OR EXISTS (SELECT 1 FROM memberships m WHERE m.actor_id = p.actor_id
                       AND m.user_id = :viewer AND m.status = 'active'))
        AND (p.audience = 'public'
            OR (p.audience = 'members' AND :viewer IS NOT NULL)
            OR (p.audience = 'followers' AND (
                EXISTS (SELECT 1 FROM follows f WHERE f.actor_id = p.actor_id AND f.user_id = :viewer)
                OR EXISTS (SELECT 1 FROM memberships m WHERE m.actor_id = p.actor_id
                           AND m.user_id = :viewer AND m.status = 'active')))))))";

const POST_SELECT: &str = "SELECT p.id, p.actor_id, a.slug, a.name, p.author_id, u.name, p.title,
        p.body, p.image, p.audience, p.hidden_at IS NOT NULL, p.created_at, p.edited_at,
        (SELECT count(*) FROM news_comments c
         WHERE c.post_id = p.id AND c.hidden_at IS NULL AND c.deleted_at IS NULL),
        coalesce(a.official, 0)
    FROM news_posts p LEFT JOIN actors a ON a.id = p.actor_id LEFT JOIN users u ON u.id = p.author_id";

fn post_from_row(r: &Row) -> rusqlite::Result<Post> {
    let actor_id: Option<i64> = r.get(1)?;
    let slug: Option<String> = r.get(2)?;
    let name: Option<String> = r.get(3)?;
    let audience: String = r.get(9)?;
    Ok(Post {
        id: r.get(0)?,
        actor: actor_id.zip(slug).zip(name).map(|((i, s), n)| (i, s, n)),
        author_id: r.get(4)?,
        author_name: r.get(5)?,
        title: r.get(6)?,
        body: r.get(7)?,
        image: r.get(8)?,
        audience: Audience::parse(&audience).unwrap_or(Audience::Members),
        hidden: r.get(10)?,
        created_at: r.get(11)?,
        edited_at: r.get(12)?,
        comments: r.get(13)?,
        actor_official: r.get(14)?,
    })
}

/// Which posts a list shows.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// The wall and every journal: what is new in the village.
    All,
    /// One actor's journal.
    Actor(i64),
    /// The journals of the actors the viewer follows or belongs to ("my village").
    Followed,
}

impl Scope {
    fn sql(self) -> &'static str {
        match self {
            Scope::All => "",
            Scope::Actor(_) => " AND p.actor_id = :actor",
            Scope::Followed => {
                " AND p.actor_id IN (SELECT actor_id FROM follows WHERE user_id = :viewer
                   UNION SELECT actor_id FROM memberships WHERE user_id = :viewer AND status = 'active')"
            }
        }
    }
}

/// Creates a post; returns its id.
pub fn insert_post(
    conn: &Connection,
    actor_id: Option<i64>,
    author_id: i64,
    input: &PostInput,
    image: Option<&str>,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO news_posts (actor_id, author_id, title, body, image, audience, created_at)
         VALUES (:actor, :author, :title, :body, :image, :audience, :now)",
    )?
    .execute(named_params! {
        ":actor": actor_id, ":author": author_id, ":title": input.title, ":body": input.body,
        ":image": image, ":audience": input.audience.as_str(), ":now": now,
    })?;
    Ok(conn.last_insert_rowid())
}

/// What to do with a post's image when it is edited.
#[derive(Clone, Debug)]
pub enum ImageChange {
    Keep,
    Remove,
    Replace(String),
}

/// Saves an edit; returns the image file that is no longer used, to delete after the commit.
pub fn update_post(
    conn: &Connection,
    id: i64,
    input: &PostInput,
    image: &ImageChange,
    now: i64,
) -> rusqlite::Result<Option<String>> {
    let old: Option<String> = conn
        .query_row(
            "SELECT image FROM news_posts WHERE id = :id",
            named_params! {":id": id},
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let (new, dropped) = match image {
        ImageChange::Keep => (old, None),
        ImageChange::Remove => (None, old),
        ImageChange::Replace(name) => (Some(name.clone()), old),
    };
    conn.execute(
        "UPDATE news_posts SET title = :title, body = :body, audience = :audience, image = :image,
         edited_at = :now WHERE id = :id",
        named_params! {
            ":title": input.title, ":body": input.body, ":audience": input.audience.as_str(),
            ":image": new, ":now": now, ":id": id,
        },
    )?;
    Ok(dropped)
}

/// Deletes a post with its comments and reports; returns its image file, to delete after the commit.
pub fn delete_post(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    let image: Option<String> = conn
        .query_row(
            "DELETE FROM news_posts WHERE id = :id RETURNING image",
            named_params! {":id": id},
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(image)
}

/// Hides (`hide`) or restores a post.
pub fn set_post_hidden(
    conn: &Connection,
    id: i64,
    hide: bool,
    by: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE news_posts SET hidden_at = CASE WHEN :hide THEN :now END,
                               hidden_by = CASE WHEN :hide THEN :by END WHERE id = :id",
        named_params! {":hide": hide, ":now": now, ":by": by, ":id": id},
    )?;
    Ok(n > 0)
}

fn visibility_params<'a>(
    v: &'a Viewer,
    with_hidden: &'a bool,
) -> Vec<(&'static str, &'a dyn ToSql)> {
    vec![
        (":viewer", &v.user_id as &dyn ToSql),
        (":staff", &v.staff as &dyn ToSql),
        (":with_hidden", with_hidden as &dyn ToSql),
    ]
}

/// The post if the viewer may read it (staff see it hidden too); `None` otherwise.
pub fn post_for(conn: &Connection, id: i64, viewer: Viewer) -> rusqlite::Result<Option<Post>> {
    let with_hidden = true;
    let mut params = visibility_params(&viewer, &with_hidden);
    params.push((":id", &id));
    conn.prepare_cached(&format!("{POST_SELECT} WHERE p.id = :id AND {VISIBLE}"))?
        .query_row(params.as_slice(), post_from_row)
        .optional()
}

/// The post whatever its audience (moderation, permission checks before a write).
pub fn post_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Post>> {
    conn.prepare_cached(&format!("{POST_SELECT} WHERE p.id = :id"))?
        .query_row(named_params! {":id": id}, post_from_row)
        .optional()
}

/// A page of the posts the viewer may read, newest first, and whether more follow. Hidden
/// posts are never listed. (No total: counting every visible post would cost more than the
/// page itself, which walks the date index and stops after `limit + 1` rows.)
pub fn visible_posts(
    conn: &Connection,
    viewer: Viewer,
    scope: Scope,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<(Vec<Post>, bool)> {
    let with_hidden = false;
    let actor = match scope {
        Scope::Actor(id) => Some(id),
        _ => None,
    };
    let mut params = visibility_params(&viewer, &with_hidden);
    if actor.is_some() {
        params.push((":actor", &actor));
    }
    let one_more = limit + 1;
    params.push((":limit", &one_more));
    params.push((":offset", &offset));
    let mut stmt = conn.prepare_cached(&format!(
        "{POST_SELECT} WHERE {VISIBLE}{} ORDER BY p.created_at DESC, p.id DESC
         LIMIT :limit OFFSET :offset",
        scope.sql()
    ))?;
    let rows = stmt.query_map(params.as_slice(), post_from_row)?;
    let mut posts: Vec<Post> = rows.collect::<rusqlite::Result<_>>()?;
    let more = posts.len() as i64 > limit;
    posts.truncate(limit.max(0) as usize);
    Ok((posts, more))
}

/// The latest posts a visitor may read (feeds): public, not hidden, on a public journal.
pub fn public_posts(
    conn: &Connection,
    actor: Option<i64>,
    limit: i64,
) -> rusqlite::Result<Vec<Post>> {
    let scope = actor.map_or(Scope::All, Scope::Actor);
    Ok(visible_posts(conn, Viewer::default(), scope, limit, 0)?.0)
}

/// Ids of every post a visitor may read (the search index holds only these).
pub fn public_post_ids(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let with_hidden = false;
    let viewer = Viewer::default();
    let params = visibility_params(&viewer, &with_hidden);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.id FROM news_posts p LEFT JOIN actors a ON a.id = p.actor_id WHERE {VISIBLE} ORDER BY p.id"
    ))?;
    let rows = stmt.query_map(params.as_slice(), |r| r.get(0))?;
    rows.collect()
}

/// The posts among `ids` that a visitor may read (for the search index).
pub fn public_posts_by_ids(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Post>> {
    let with_hidden = false;
    let viewer = Viewer::default();
    let mut out = Vec::with_capacity(ids.len());
    let mut stmt = conn.prepare_cached(&format!("{POST_SELECT} WHERE p.id = :id AND {VISIBLE}"))?;
    for id in ids {
        let mut params = visibility_params(&viewer, &with_hidden);
        params.push((":id", id));
        if let Some(p) = stmt
            .query_row(params.as_slice(), post_from_row)
            .optional()?
        {
            out.push(p);
        }
    }
    Ok(out)
}

/// Every post a person wrote, newest first (their personal data).
pub fn posts_by_author(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Post>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{POST_SELECT} WHERE p.author_id = :u ORDER BY p.created_at DESC, p.id DESC"
    ))?;
    let rows = stmt.query_map(named_params! {":u": user_id}, post_from_row)?;
    rows.collect()
}

#[cfg(test)]
mod tests;
