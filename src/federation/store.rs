//! Federation's SQL: keys, the change queue, what was published, remote actors, followers,
//! the delivery queue, the remote actors followed, and blocks.

use rusqlite::{named_params, params, Connection, OptionalExtension};

use super::{Delivery, Following, Published, RemoteActor};

// --- Keys ---------------------------------------------------------------------------------

/// The current key pair: (id, private PEM, public PEM).
pub fn current_key(c: &Connection) -> rusqlite::Result<Option<(i64, String, String)>> {
    c.prepare_cached(
        "SELECT id, private_pem, public_pem FROM federation_keys
         WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1",
    )?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}

/// Stores a new key pair and retires the others; returns its id.
pub fn replace_key(c: &Connection, private: &str, public: &str, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "UPDATE federation_keys SET retired_at = ?1 WHERE retired_at IS NULL",
        [now],
    )?;
    c.execute(
        "INSERT INTO federation_keys (private_pem, public_pem, created_at) VALUES (?1, ?2, ?3)",
        params![private, public, now],
    )?;
    Ok(c.last_insert_rowid())
}

/// When the current key was made (0: none yet).
pub fn key_created(c: &Connection) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "SELECT coalesce(max(created_at), 0) FROM federation_keys WHERE retired_at IS NULL",
    )?
    .query_row([], |r| r.get(0))
}

// --- The change queue -------------------------------------------------------------------

/// The oldest queued changes: (seq, kind, item id).
pub fn queued(c: &Connection, limit: i64) -> rusqlite::Result<Vec<(i64, String, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT seq, kind, item_id FROM federation_queue ORDER BY seq LIMIT :limit",
    )?;
    let rows = st.query_map(named_params! {":limit": limit}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// Forgets the changes up to `seq` (handled).
pub fn dequeue(c: &Connection, seq: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM federation_queue WHERE seq <= :seq")?
        .execute(named_params! {":seq": seq})?;
    Ok(())
}

// --- Published objects -------------------------------------------------------------------

fn published_from(r: &rusqlite::Row) -> rusqlite::Result<Published> {
    Ok(Published {
        kind: r.get("kind")?,
        item_id: r.get("item_id")?,
        object_id: r.get("object_id")?,
        local_actor: r.get("local_actor")?,
        json: r.get("json")?,
        deleted: r.get("deleted")?,
        published: r.get("published")?,
        updated: r.get("updated")?,
    })
}

const PUBLISHED: &str =
    "SELECT kind, item_id, object_id, local_actor, json, deleted, published, updated
     FROM federation_published";

/// What followers were last told of an object.
pub fn published(c: &Connection, kind: &str, id: i64) -> rusqlite::Result<Option<Published>> {
    c.prepare_cached(&format!("{PUBLISHED} WHERE kind = :kind AND item_id = :id"))?
        .query_row(named_params! {":kind": kind, ":id": id}, published_from)
        .optional()
}

/// Records what followers are told of an object.
pub fn set_published(c: &Connection, p: &Published) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO federation_published
            (kind, item_id, object_id, local_actor, json, deleted, published, updated)
         VALUES (:kind, :id, :object_id, :actor, :json, :deleted, :published, :updated)
         ON CONFLICT (kind, item_id) DO UPDATE SET object_id = excluded.object_id,
            local_actor = excluded.local_actor, json = excluded.json, deleted = excluded.deleted,
            updated = excluded.updated",
    )?
    .execute(named_params! {
        ":kind": p.kind, ":id": p.item_id, ":object_id": p.object_id, ":actor": p.local_actor,
        ":json": p.json, ":deleted": p.deleted, ":published": p.published, ":updated": p.updated,
    })?;
    Ok(())
}

/// A page of an outbox, newest first: the village's (`None`: everything) or a page's.
pub fn outbox(
    c: &Connection,
    actor: Option<i64>,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Published>> {
    let mut st = c.prepare_cached(&format!(
        "{PUBLISHED} WHERE deleted = 0 AND (:actor IS NULL OR local_actor = :actor)
         ORDER BY published DESC, item_id DESC LIMIT :limit OFFSET :offset"
    ))?;
    let rows = st.query_map(
        named_params! {":actor": actor, ":limit": limit, ":offset": offset},
        published_from,
    )?;
    rows.collect()
}

/// How many objects an outbox holds.
pub fn outbox_count(c: &Connection, actor: Option<i64>) -> rusqlite::Result<i64> {
    c.prepare_cached(
        "SELECT count(*) FROM federation_published
         WHERE deleted = 0 AND (:actor IS NULL OR local_actor = :actor)",
    )?
    .query_row(named_params! {":actor": actor}, |r| r.get(0))
}

// --- Remote actors ----------------------------------------------------------------------

fn remote_from(r: &rusqlite::Row) -> rusqlite::Result<RemoteActor> {
    Ok(RemoteActor {
        url: r.get("url")?,
        key_id: r.get("key_id")?,
        public_pem: r.get("public_pem")?,
        inbox: r.get("inbox")?,
        shared_inbox: r.get("shared_inbox")?,
        outbox: r.get("outbox")?,
        type_: r.get("type")?,
        name: r.get("name")?,
        handle: r.get("handle")?,
        software: r.get("software")?,
        fetched_at: r.get("fetched_at")?,
    })
}

const REMOTE: &str = "SELECT url, key_id, public_pem, inbox, shared_inbox, outbox, type, name,
    handle, software, fetched_at FROM federation_remote_actors";

/// A remote actor read before, by its URL.
pub fn remote(c: &Connection, url: &str) -> rusqlite::Result<Option<RemoteActor>> {
    c.prepare_cached(&format!("{REMOTE} WHERE url = :url"))?
        .query_row(named_params! {":url": url}, remote_from)
        .optional()
}

/// A remote actor read before, by the id of its key.
pub fn remote_by_key(c: &Connection, key_id: &str) -> rusqlite::Result<Option<RemoteActor>> {
    c.prepare_cached(&format!("{REMOTE} WHERE key_id = :k LIMIT 1"))?
        .query_row(named_params! {":k": key_id}, remote_from)
        .optional()
}

/// Stores (or refreshes) a remote actor.
pub fn save_remote(c: &Connection, a: &RemoteActor) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO federation_remote_actors
            (url, key_id, public_pem, inbox, shared_inbox, outbox, type, name, handle, software, fetched_at)
         VALUES (:url, :key_id, :pem, :inbox, :shared, :outbox, :type, :name, :handle, :software, :at)
         ON CONFLICT (url) DO UPDATE SET key_id = excluded.key_id, public_pem = excluded.public_pem,
            inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, outbox = excluded.outbox,
            type = excluded.type, name = excluded.name, handle = excluded.handle,
            software = CASE WHEN excluded.software = '' THEN software ELSE excluded.software END,
            fetched_at = excluded.fetched_at",
    )?
    .execute(named_params! {
        ":url": a.url, ":key_id": a.key_id, ":pem": a.public_pem, ":inbox": a.inbox,
        ":shared": a.shared_inbox, ":outbox": a.outbox, ":type": a.type_, ":name": a.name,
        ":handle": a.handle, ":software": a.software, ":at": a.fetched_at,
    })?;
    Ok(())
}

// --- Followers ----------------------------------------------------------------------------

/// `remote` follows `local_actor` (0: the village); a second Follow replaces the first.
pub fn add_follower(
    c: &Connection,
    local_actor: i64,
    remote: &str,
    follow_id: &str,
    now: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO federation_followers (local_actor, remote, follow_id, created_at)
         VALUES (:a, :r, :f, :now)
         ON CONFLICT (local_actor, remote) DO UPDATE SET follow_id = excluded.follow_id",
    )?
    .execute(named_params! {":a": local_actor, ":r": remote, ":f": follow_id, ":now": now})?;
    Ok(())
}

/// `remote` no longer follows `local_actor`; returns whether it did.
pub fn remove_follower(c: &Connection, local_actor: i64, remote: &str) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached("DELETE FROM federation_followers WHERE local_actor = :a AND remote = :r")?
        .execute(named_params! {":a": local_actor, ":r": remote})?;
    Ok(n > 0)
}

/// How many follow an actor.
pub fn follower_count(c: &Connection, local_actor: i64) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT count(*) FROM federation_followers WHERE local_actor = :a")?
        .query_row(named_params! {":a": local_actor}, |r| r.get(0))
}

/// The followers of any of `local_actors`, with what is known of them (one row per remote).
pub fn followers_of(c: &Connection, local_actors: &[i64]) -> rusqlite::Result<Vec<RemoteActor>> {
    let list = local_actors
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut st = c.prepare(&format!(
        "{REMOTE} WHERE url IN (SELECT remote FROM federation_followers WHERE local_actor IN ({list}))
         ORDER BY url"
    ))?;
    let rows = st.query_map([], remote_from)?;
    rows.collect()
}

/// Every follower, for the admin page: (local actor, remote URL, handle, name, since).
pub fn all_followers(c: &Connection) -> rusqlite::Result<Vec<(i64, String, String, String, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT f.local_actor, f.remote, coalesce(r.handle, ''), coalesce(r.name, ''), f.created_at
         FROM federation_followers f LEFT JOIN federation_remote_actors r ON r.url = f.remote
         ORDER BY f.created_at DESC LIMIT 500",
    )?;
    let rows = st.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    rows.collect()
}

// --- Deliveries ---------------------------------------------------------------------------

/// Files an activity for an inbox, inside the caller's transaction.
pub fn enqueue(
    c: &Connection,
    inbox: &str,
    local_actor: i64,
    activity: &str,
    now: i64,
) -> rusqlite::Result<()> {
    let host = super::host_of(inbox).unwrap_or_default();
    c.prepare_cached(
        "INSERT INTO federation_deliveries (inbox, host, local_actor, activity, next_try_at, created_at)
         VALUES (:inbox, :host, :actor, :activity, :now, :now)",
    )?
    .execute(named_params! {
        ":inbox": inbox, ":host": host, ":actor": local_actor, ":activity": activity, ":now": now,
    })?;
    Ok(())
}

/// Claims the deliveries due now (their next try moved on by `retry_after(tries)`), so that
/// no other run sends them meanwhile; those tried `max_tries` times are dropped first.
pub fn claim(
    c: &Connection,
    now: i64,
    limit: i64,
    max_tries: i64,
) -> rusqlite::Result<Vec<Delivery>> {
    c.prepare_cached("DELETE FROM federation_deliveries WHERE tries >= :max")?
        .execute(named_params! {":max": max_tries})?;
    let mut st = c.prepare_cached(
        "UPDATE federation_deliveries
            SET tries = tries + 1, next_try_at = :now + 60 * (1 << min(tries, 10))
         WHERE id IN (SELECT id FROM federation_deliveries WHERE next_try_at <= :now
                      ORDER BY id LIMIT :limit)
         RETURNING id, inbox, host, local_actor, activity, tries",
    )?;
    let rows = st.query_map(named_params! {":now": now, ":limit": limit}, |r| {
        Ok(Delivery {
            id: r.get(0)?,
            inbox: r.get(1)?,
            host: r.get(2)?,
            local_actor: r.get(3)?,
            activity: r.get(4)?,
            tries: r.get(5)?,
        })
    })?;
    let mut v: Vec<Delivery> = rows.collect::<rusqlite::Result<_>>()?;
    v.sort_by_key(|d| d.id);
    Ok(v)
}

/// A delivery went through (or will never): it leaves the queue.
pub fn delivered(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM federation_deliveries WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(())
}

/// A delivery failed; it stays for its next try, with the reason.
pub fn failed(c: &Connection, id: i64, error: &str) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE federation_deliveries SET last_error = :e WHERE id = :id")?
        .execute(named_params! {":id": id, ":e": error})?;
    Ok(())
}

/// Deliveries waiting, and the soonest due (for the admin page and the task).
pub fn pending(c: &Connection) -> rusqlite::Result<(i64, Option<i64>)> {
    c.prepare_cached("SELECT count(*), min(next_try_at) FROM federation_deliveries")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}

// --- Following ----------------------------------------------------------------------------

fn following_from(r: &rusqlite::Row) -> rusqlite::Result<Following> {
    Ok(Following {
        id: r.get("id")?,
        local_actor: r.get("local_actor")?,
        remote: r.get("remote")?,
        follow_id: r.get("follow_id")?,
        state: r.get("state")?,
        source_id: r.get("source_id")?,
    })
}

const FOLLOWING: &str =
    "SELECT id, local_actor, remote, follow_id, state, source_id FROM federation_following";

/// Records that `local_actor` asked to follow `remote`.
pub fn add_following(
    c: &Connection,
    local_actor: i64,
    remote: &str,
    follow_id: &str,
    source_id: i64,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO federation_following (local_actor, remote, follow_id, source_id, created_by, created_at)
         VALUES (:a, :r, :f, :s, :by, :now)
         ON CONFLICT (local_actor, remote) DO UPDATE SET follow_id = excluded.follow_id,
            state = 'pending', source_id = excluded.source_id",
    )?
    .execute(named_params! {
        ":a": local_actor, ":r": remote, ":f": follow_id, ":s": source_id, ":by": by, ":now": now,
    })?;
    Ok(())
}

/// The follows of `remote` by the village or its pages.
pub fn following_of(c: &Connection, remote: &str) -> rusqlite::Result<Vec<Following>> {
    let mut st = c.prepare_cached(&format!("{FOLLOWING} WHERE remote = :r ORDER BY id"))?;
    let rows = st.query_map(named_params! {":r": remote}, following_from)?;
    rows.collect()
}

/// One follow by its id.
pub fn following(c: &Connection, id: i64) -> rusqlite::Result<Option<Following>> {
    c.prepare_cached(&format!("{FOLLOWING} WHERE id = :id"))?
        .query_row(named_params! {":id": id}, following_from)
        .optional()
}

/// Every follow, with what is known of the remote: (follow, handle, name, page name).
pub fn all_following(c: &Connection) -> rusqlite::Result<Vec<(Following, String, String, String)>> {
    let mut st = c.prepare_cached(
        "SELECT f.id, f.local_actor, f.remote, f.follow_id, f.state, f.source_id,
                coalesce(r.handle, ''), coalesce(r.name, ''), coalesce(a.name, '')
         FROM federation_following f
         LEFT JOIN federation_remote_actors r ON r.url = f.remote
         LEFT JOIN agenda_sources s ON s.id = f.source_id
         LEFT JOIN actors a ON a.id = s.actor_id
         ORDER BY f.created_at DESC",
    )?;
    let rows = st.query_map([], |r| {
        Ok((following_from(r)?, r.get(6)?, r.get(7)?, r.get(8)?))
    })?;
    rows.collect()
}

/// Sets the state of the follows of `remote` (answered by an Accept or a Reject).
pub fn set_following_state(c: &Connection, remote: &str, state: &str) -> rusqlite::Result<usize> {
    c.prepare_cached("UPDATE federation_following SET state = :s WHERE remote = :r")?
        .execute(named_params! {":s": state, ":r": remote})
}

/// Forgets a follow.
pub fn remove_following(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM federation_following WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(())
}

// --- Blocks -------------------------------------------------------------------------------

/// Whether an actor or its domain is blocked.
pub fn is_blocked(c: &Connection, actor: &str) -> rusqlite::Result<bool> {
    let domain = super::host_of(actor).unwrap_or_default();
    c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM federation_blocks
                        WHERE (kind = 'actor' AND target = :a) OR (kind = 'domain' AND target = :d))",
    )?
    .query_row(named_params! {":a": actor, ":d": domain}, |r| r.get(0))
}

/// Blocks an actor or a domain.
pub fn block(
    c: &Connection,
    target: &str,
    kind: &str,
    reason: &str,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO federation_blocks (target, kind, reason, created_by, created_at)
         VALUES (:t, :k, :r, :by, :now)",
    )?
    .execute(named_params! {":t": target, ":k": kind, ":r": reason, ":by": by, ":now": now})?;
    // A blocked follower follows no more, and nothing more is sent to it.
    c.prepare_cached(
        "DELETE FROM federation_followers WHERE remote = :t
            OR (:k = 'domain' AND (remote LIKE 'https://' || :t || '/%' OR remote LIKE 'http://' || :t || '/%'))",
    )?
    .execute(named_params! {":t": target, ":k": kind})?;
    Ok(())
}

/// Lifts a block.
pub fn unblock(c: &Connection, target: &str) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM federation_blocks WHERE target = :t")?
        .execute(named_params! {":t": target})?;
    Ok(())
}

/// Every block: (target, kind, reason, since).
pub fn blocks(c: &Connection) -> rusqlite::Result<Vec<(String, String, String, i64)>> {
    let mut st = c.prepare_cached(
        "SELECT target, kind, reason, created_at FROM federation_blocks ORDER BY created_at DESC",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

// --- Local actors -------------------------------------------------------------------------

/// A public organisation page, as an actor: (id, slug, name, summary, photo).
pub fn local_group(
    c: &Connection,
    slug: &str,
) -> rusqlite::Result<Option<(i64, String, String, String, Option<String>)>> {
    c.prepare_cached(
        "SELECT id, slug, name, summary, photo FROM actors
         WHERE slug = :slug AND kind <> 'person' AND visibility = 'public'",
    )?
    .query_row(named_params! {":slug": slug}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .optional()
}

/// The slug of a public organisation page by its id (the actor its objects come from).
pub fn local_slug(c: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    c.prepare_cached(
        "SELECT slug FROM actors WHERE id = :id AND kind <> 'person' AND visibility = 'public'",
    )?
    .query_row(named_params! {":id": id}, |r| r.get(0))
    .optional()
}

/// The local actors `remote` follows.
pub fn local_actors_followed_by(c: &Connection, remote: &str) -> rusqlite::Result<Vec<i64>> {
    let mut st =
        c.prepare_cached("SELECT local_actor FROM federation_followers WHERE remote = :r")?;
    let rows = st.query_map(named_params! {":r": remote}, |r| r.get(0))?;
    rows.collect()
}

/// NodeInfo's counts: accounts, and objects published.
pub fn usage(c: &Connection) -> rusqlite::Result<(i64, i64)> {
    c.prepare_cached(
        "SELECT (SELECT count(*) FROM users),
                (SELECT count(*) FROM federation_published WHERE deleted = 0)",
    )?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}

// --- The admin page -----------------------------------------------------------------------

/// The pages that are not people, by name, for the admin page (the page a follow feeds, the
/// names of the local actors, the handles of the public ones): (id, slug, name, public).
pub fn local_pages(c: &Connection) -> rusqlite::Result<Vec<(i64, String, String, bool)>> {
    let mut st = c.prepare_cached(
        "SELECT id, slug, name, visibility = 'public' FROM actors
         WHERE kind <> 'person' ORDER BY name COLLATE NOCASE, slug LIMIT 1000",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

// --- A page's own follows -----------------------------------------------------------------

/// The follows whose events go to the page `page` (through one of its agenda sources, or sent
/// by its actor when the source is gone), newest first: (follow, handle, name).
pub fn page_following(
    c: &Connection,
    page: i64,
) -> rusqlite::Result<Vec<(Following, String, String)>> {
    let mut st = c.prepare_cached(
        "SELECT f.id, f.local_actor, f.remote, f.follow_id, f.state, f.source_id,
                coalesce(r.handle, ''), coalesce(r.name, '')
         FROM federation_following f
         LEFT JOIN federation_remote_actors r ON r.url = f.remote
         LEFT JOIN agenda_sources s ON s.id = f.source_id
         WHERE s.actor_id = :page OR (f.source_id IS NULL AND f.local_actor = :page)
         ORDER BY f.created_at DESC, f.id DESC",
    )?;
    let rows = st.query_map(named_params! {":page": page}, |r| {
        Ok((following_from(r)?, r.get(6)?, r.get(7)?))
    })?;
    rows.collect()
}
