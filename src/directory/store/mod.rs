//! Every SQL statement about actors and their tags. Members and follows are beside this file.

pub mod follows;
pub mod members;
pub mod moderation;
pub mod official;
pub mod rna;

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::hours::Hours;
use super::{Actor, ActorInput, Kind, Visibility};
use crate::geo::store as geo;

/// The R*Tree kind of actors.
pub const GEO_KIND: &str = "actor";

/// An actor as shown in lists.
#[derive(Clone, Debug)]
pub struct Listing {
    pub slug: String,
    pub kind: Kind,
    pub type_: String,
    pub name: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub photo: Option<String>,
    /// Marked official by a site admin (town hall, school, public service).
    pub official: bool,
}

/// Filters of the directory list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub type_: Option<String>,
    pub tag: Option<String>,
}

/// Who is looking, for members-only pages.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    pub user_id: Option<i64>,
    pub site_admin: bool,
}

const ACTOR_SELECT: &str = "SELECT a.id, a.slug, a.kind, a.type, a.name, a.summary, a.description, a.address,
        a.lat, a.lon, a.phone, a.website, a.social, a.hours, a.capacity, a.equipment, a.accessibility,
        a.photo, a.visibility, a.rna_id, a.official, a.created_at, a.updated_at,
        p.slug AS parent_slug, p.name AS parent_name,
        (SELECT group_concat(tag, ',') FROM (SELECT tag FROM actor_tags WHERE actor_id = a.id ORDER BY tag)) AS tags
    FROM actors a LEFT JOIN actors p ON p.id = a.parent_id AND p.visibility = 'public'";

fn split_tags(s: Option<String>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

fn actor_from_row(r: &Row) -> rusqlite::Result<Actor> {
    let kind: String = r.get("kind")?;
    let visibility: String = r.get("visibility")?;
    let social: String = r.get("social")?;
    let hours: String = r.get("hours")?;
    let parent_slug: Option<String> = r.get("parent_slug")?;
    let parent_name: Option<String> = r.get("parent_name")?;
    Ok(Actor {
        id: r.get("id")?,
        slug: r.get("slug")?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Organisation),
        type_: r.get("type")?,
        name: r.get("name")?,
        summary: r.get("summary")?,
        description: r.get("description")?,
        tags: split_tags(r.get("tags")?),
        address: r.get("address")?,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
        phone: r.get("phone")?,
        website: r.get("website")?,
        social: social.lines().map(String::from).collect(),
        hours: Hours::from_json(&hours),
        capacity: r.get("capacity")?,
        equipment: r.get("equipment")?,
        accessibility: r.get("accessibility")?,
        photo: r.get("photo")?,
        parent: parent_slug.zip(parent_name),
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Public),
        rna_id: r.get("rna_id")?,
        official: r.get("official")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// The actor with this slug.
pub fn actor_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<Actor>> {
    conn.prepare_cached(&format!("{ACTOR_SELECT} WHERE a.slug = :slug"))?
        .query_row(named_params! {":slug": slug}, actor_from_row)
        .optional()
}

/// The id of the actor with this slug.
pub fn actor_id_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM actors WHERE slug = :slug")?
        .query_row(named_params! {":slug": slug}, |r| r.get(0))
        .optional()
}

/// The pages a person may attach a page to (those they administer; every page but the people's
/// for a site admin), by name: (slug, name), at most 500, `except` left out.
pub fn parent_choices(
    conn: &Connection,
    user_id: i64,
    site_admin: bool,
    except: Option<i64>,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.slug, a.name FROM actors a
         WHERE a.kind <> 'person' AND a.id IS NOT :except
           AND (:admin OR EXISTS (SELECT 1 FROM memberships m WHERE m.actor_id = a.id
                AND m.user_id = :u AND m.role = 'admin' AND m.status = 'active'))
         ORDER BY a.name COLLATE NOCASE, a.slug LIMIT 500",
    )?;
    let rows = stmt.query_map(
        named_params! {":u": user_id, ":admin": site_admin, ":except": except},
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.collect()
}

/// A free slug starting with `base` (`base`, `base-2`, `base-3`...).
pub fn unique_slug(conn: &Connection, base: &str) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM actors WHERE slug = :slug")?;
    let mut candidate = base.to_string();
    let mut n = 2;
    while stmt.exists(named_params! {":slug": candidate})? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Who created the actor and whose public profile it is, for a new actor.
pub struct Origin {
    pub created_by: Option<i64>,
    pub profile_of: Option<i64>,
    pub rna_id: Option<String>,
}

/// Creates an actor with its tags and location; returns its id.
pub fn insert_actor(
    conn: &Connection,
    a: &ActorInput,
    slug: &str,
    parent_id: Option<i64>,
    origin: &Origin,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO actors (slug, kind, type, name, summary, description, address, lat, lon, phone, website,
            social, hours, capacity, equipment, accessibility, parent_id, visibility, rna_id, user_id,
            created_by, created_at, updated_by, updated_at)
         VALUES (:slug, :kind, :type, :name, :summary, :description, :address, :lat, :lon, :phone, :website,
            :social, :hours, :capacity, :equipment, :accessibility, :parent, :visibility, :rna, :profile,
            :by, :now, :by, :now)",
        named_params! {
            ":slug": slug, ":kind": a.kind.as_str(), ":type": a.type_, ":name": a.name, ":summary": a.summary,
            ":description": a.description, ":address": a.address, ":lat": a.lat, ":lon": a.lon,
            ":phone": a.phone, ":website": a.website, ":social": a.social.join("\n"),
            ":hours": a.hours.to_json(), ":capacity": a.capacity, ":equipment": a.equipment,
            ":accessibility": a.accessibility, ":parent": parent_id, ":visibility": a.visibility.as_str(),
            ":rna": origin.rna_id, ":profile": origin.profile_of, ":by": origin.created_by, ":now": now,
        },
    )?;
    let id = conn.last_insert_rowid();
    set_tags(conn, id, &a.tags)?;
    geo::set_point(conn, GEO_KIND, id, a.lat.zip(a.lon))?;
    Ok(id)
}

/// Saves an edited actor with its tags and location.
pub fn update_actor(
    conn: &Connection,
    id: i64,
    a: &ActorInput,
    parent_id: Option<i64>,
    by: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE actors SET kind = :kind, type = :type, name = :name, summary = :summary,
            description = :description, address = :address, lat = :lat, lon = :lon, phone = :phone,
            website = :website, social = :social, hours = :hours, capacity = :capacity,
            equipment = :equipment, accessibility = :accessibility, parent_id = :parent,
            visibility = :visibility, updated_by = :by, updated_at = :now
         WHERE id = :id",
        named_params! {
            ":id": id, ":kind": a.kind.as_str(), ":type": a.type_, ":name": a.name, ":summary": a.summary,
            ":description": a.description, ":address": a.address, ":lat": a.lat, ":lon": a.lon,
            ":phone": a.phone, ":website": a.website, ":social": a.social.join("\n"),
            ":hours": a.hours.to_json(), ":capacity": a.capacity, ":equipment": a.equipment,
            ":accessibility": a.accessibility, ":parent": parent_id, ":visibility": a.visibility.as_str(),
            ":by": by, ":now": now,
        },
    )?;
    set_tags(conn, id, &a.tags)?;
    geo::set_point(conn, GEO_KIND, id, a.lat.zip(a.lon))?;
    Ok(())
}

fn set_tags(conn: &Connection, id: i64, tags: &[String]) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM actor_tags WHERE actor_id = :id",
        named_params! {":id": id},
    )?;
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO actor_tags (actor_id, tag) VALUES (:id, :tag)")?;
    for t in tags {
        stmt.execute(named_params! {":id": id, ":tag": t})?;
    }
    Ok(())
}

/// Deletes an actor (members, tags, follows and invitations go with it) and its location;
/// returns its photo's file name, for the caller to delete after commit.
pub fn delete_actor(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    let photo = set_photo(conn, id, None)?;
    geo::remove(conn, GEO_KIND, id)?;
    conn.prepare_cached("DELETE FROM actors WHERE id = :id")?
        .execute(named_params! {":id": id})?;
    Ok(photo)
}

/// Sets the photo file name; returns the previous one (to delete its file).
pub fn set_photo(
    conn: &Connection,
    id: i64,
    photo: Option<&str>,
) -> rusqlite::Result<Option<String>> {
    let old: Option<String> = conn
        .prepare_cached("SELECT photo FROM actors WHERE id = :id")?
        .query_row(named_params! {":id": id}, |r| r.get(0))?;
    conn.execute(
        "UPDATE actors SET photo = :p WHERE id = :id",
        named_params! {":id": id, ":p": photo},
    )?;
    Ok(old)
}

const VISIBLE: &str =
    "(a.visibility = 'public' OR :site_admin OR EXISTS (SELECT 1 FROM memberships m
    WHERE m.actor_id = a.id AND m.user_id = :viewer AND m.status = 'active'))";

pub(super) fn listing_from_row(r: &Row) -> rusqlite::Result<Listing> {
    let kind: String = r.get("kind")?;
    Ok(Listing {
        slug: r.get("slug")?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Organisation),
        type_: r.get("type")?,
        name: r.get("name")?,
        summary: r.get("summary")?,
        tags: split_tags(r.get("tags")?),
        photo: r.get("photo")?,
        official: r.get("official")?,
    })
}

pub(super) const LISTING_COLUMNS: &str = "a.slug, a.kind, a.type, a.name, a.summary, a.photo, a.official,
    (SELECT group_concat(tag, ',') FROM (SELECT tag FROM actor_tags WHERE actor_id = a.id ORDER BY tag)) AS tags";

/// One page of the directory the viewer may see, by name, and the total count.
pub fn list_actors(
    conn: &Connection,
    f: &Filter,
    viewer: Viewer,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<(Vec<Listing>, i64)> {
    let cond = format!(
        "{VISIBLE} AND (:kind IS NULL OR a.kind = :kind) AND (:type IS NULL OR a.type = :type)
         AND (:tag IS NULL OR EXISTS (SELECT 1 FROM actor_tags t WHERE t.actor_id = a.id AND t.tag = :tag))"
    );
    let kind = f.kind.map(Kind::as_str);
    let total = conn.prepare_cached(&format!("SELECT count(*) FROM actors a WHERE {cond}"))?.query_row(named_params! {":site_admin": viewer.site_admin, ":viewer": viewer.user_id, ":kind": kind, ":type": f.type_, ":tag": f.tag},
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM actors a WHERE {cond} ORDER BY a.name COLLATE NOCASE, a.id LIMIT :limit OFFSET :offset"
    ))?;
    let rows = stmt.query_map(
        named_params! {":site_admin": viewer.site_admin, ":viewer": viewer.user_id, ":kind": kind, ":type": f.type_,
            ":tag": f.tag, ":limit": limit, ":offset": offset},
        listing_from_row,
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

/// The public actors whose parent is this one (the rooms of a hall, the projects of an association).
pub fn children(conn: &Connection, parent_id: i64) -> rusqlite::Result<Vec<Listing>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM actors a WHERE a.parent_id = :p AND a.visibility = 'public'
         ORDER BY a.name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map(named_params! {":p": parent_id}, listing_from_row)?;
    rows.collect()
}

/// Tags of public actors with their counts, most used first (for the filter).
pub fn public_tags(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<(String, i64)>> {
    // actor_tag_counts is kept by triggers (migration 9).
    let mut stmt = conn.prepare_cached(
        "SELECT tag, n FROM actor_tag_counts WHERE n > 0 ORDER BY n DESC, tag LIMIT :limit",
    )?;
    let rows = stmt.query_map(named_params! {":limit": limit}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// Every public actor, complete, by name (open data exports).
pub fn public_actors(conn: &Connection) -> rusqlite::Result<Vec<Actor>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{ACTOR_SELECT} WHERE a.visibility = 'public' ORDER BY a.name COLLATE NOCASE, a.id"
    ))?;
    let rows = stmt.query_map([], actor_from_row)?;
    rows.collect()
}

/// The actors a person created (for "download my data").
pub fn actors_created_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Actor>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{ACTOR_SELECT} WHERE a.created_by = :u ORDER BY a.id"
    ))?;
    let rows = stmt.query_map(named_params! {":u": user_id}, actor_from_row)?;
    rows.collect()
}

/// The id of a person's public profile page, if they have one.
pub fn profile_id_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM actors WHERE user_id = :u")?
        .query_row(named_params! {":u": user_id}, |r| r.get(0))
        .optional()
}

/// The slug of a person's public profile, if they have one.
pub fn profile_of(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT slug FROM actors WHERE user_id = :u")?
        .query_row(named_params! {":u": user_id}, |r| r.get(0))
        .optional()
}

/// One page of the public actors, complete, by name, filtered as [`list_actors`], and the total
/// count (the JSON API).
pub fn public_actors_page(
    conn: &Connection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<(Vec<Actor>, i64)> {
    let cond = "a.visibility = 'public' AND (:kind IS NULL OR a.kind = :kind)
        AND (:type IS NULL OR a.type = :type)
        AND (:tag IS NULL OR EXISTS (SELECT 1 FROM actor_tags t WHERE t.actor_id = a.id AND t.tag = :tag))";
    let kind = f.kind.map(Kind::as_str);
    let total = conn
        .prepare_cached(&format!("SELECT count(*) FROM actors a WHERE {cond}"))?
        .query_row(
            named_params! {":kind": kind, ":type": f.type_, ":tag": f.tag},
            |r| r.get(0),
        )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{ACTOR_SELECT} WHERE {cond} ORDER BY a.name COLLATE NOCASE, a.id LIMIT :limit OFFSET :offset"
    ))?;
    let rows = stmt.query_map(
        named_params! {":kind": kind, ":type": f.type_, ":tag": f.tag, ":limit": limit, ":offset": offset},
        actor_from_row,
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

/// The name and slug of an actor.
pub fn actor_name_slug(conn: &Connection, id: i64) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached("SELECT name, slug FROM actors WHERE id = :id")?
        .query_row(named_params! {":id": id}, |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Ids of every public actor (search index rebuild).
pub fn public_actor_ids(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM actors WHERE visibility = 'public' ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The public actors among these ids, complete (search documents).
pub fn public_actors_by_ids(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Actor>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "{ACTOR_SELECT} WHERE a.visibility = 'public' AND a.id IN (SELECT value FROM json_each(:ids))"
    ))?;
    let rows = stmt.query_map(named_params! {":ids": list}, actor_from_row)?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::directory::hours::Hours;

    pub fn input(name: &str, kind: Kind, type_: &str) -> ActorInput {
        ActorInput {
            kind,
            type_: type_.into(),
            name: name.into(),
            summary: String::new(),
            description: String::new(),
            tags: vec!["jardin".into(), "compost".into()],
            address: String::new(),
            lat: Some(47.35),
            lon: Some(-0.81),
            phone: String::new(),
            website: String::new(),
            social: vec![],
            hours: Hours::default(),
            capacity: None,
            equipment: String::new(),
            accessibility: String::new(),
            parent_slug: None,
            visibility: Visibility::Public,
        }
    }

    #[test]
    fn actors_are_listed_with_tags_filtered_and_located() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let origin = Origin {
            created_by: None,
            profile_of: None,
            rna_id: None,
        };
        let a = insert_actor(
            &c,
            &input("Compost de la Place", Kind::Place, "compost"),
            "compost",
            None,
            &origin,
            1,
        )
        .unwrap();
        let mut hidden = input("Conseil secret", Kind::Organisation, "group");
        hidden.visibility = Visibility::Members;
        insert_actor(&c, &hidden, "conseil", None, &origin, 1).unwrap();
        assert_eq!(unique_slug(&c, "compost").unwrap(), "compost-2");

        let (list, total) = list_actors(&c, &Filter::default(), Viewer::default(), 20, 0).unwrap();
        assert_eq!(total, 1);
        assert_eq!(list[0].tags, vec!["compost", "jardin"]);
        let admin = Viewer {
            user_id: None,
            site_admin: true,
        };
        assert_eq!(
            list_actors(&c, &Filter::default(), admin, 20, 0).unwrap().1,
            2
        );
        let by_tag = Filter {
            tag: Some("jardin".into()),
            kind: Some(Kind::Place),
            type_: None,
        };
        assert_eq!(
            list_actors(&c, &by_tag, Viewer::default(), 20, 0)
                .unwrap()
                .1,
            1
        );
        assert_eq!(
            geo::items_in_box(&c, GEO_KIND, (47.0, -1.0, 47.5, -0.5))
                .unwrap()
                .len(),
            2
        );

        delete_actor(&c, a).unwrap();
        assert!(actor_by_slug(&c, "compost").unwrap().is_none());
        assert_eq!(
            geo::items_in_box(&c, GEO_KIND, (47.0, -1.0, 47.5, -0.5))
                .unwrap()
                .len(),
            1
        );
    }

    /// The trigger-kept counts always equal the aggregate they replace.
    #[test]
    fn tag_counts_follow_every_write() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let origin = Origin {
            created_by: None,
            profile_of: None,
            rna_id: None,
        };
        let aggregate = |c: &Connection| -> Vec<(String, i64)> {
            let mut st = c
                .prepare(
                    "SELECT t.tag, count(*) AS n FROM actor_tags t JOIN actors a ON a.id = t.actor_id
                     WHERE a.visibility = 'public' GROUP BY t.tag ORDER BY n DESC, t.tag",
                )
                .unwrap();
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            rows.map(Result::unwrap).collect()
        };
        let a = insert_actor(
            &c,
            &input("A", Kind::Place, "compost"),
            "a",
            None,
            &origin,
            1,
        )
        .unwrap();
        let mut hidden = input("B", Kind::Organisation, "group");
        hidden.visibility = Visibility::Members;
        let b = insert_actor(&c, &hidden, "b", None, &origin, 1).unwrap();
        assert_eq!(public_tags(&c, 40).unwrap(), aggregate(&c));
        assert_eq!(public_tags(&c, 40).unwrap()[0].1, 1);

        let mut edit = input("B", Kind::Organisation, "group");
        edit.tags = vec!["jardin".into(), "vélo".into()];
        update_actor(&c, b, &edit, None, None, 2).unwrap();
        assert_eq!(public_tags(&c, 40).unwrap(), aggregate(&c));
        assert_eq!(public_tags(&c, 40).unwrap()[0], ("jardin".to_string(), 2));

        delete_actor(&c, a).unwrap();
        assert_eq!(public_tags(&c, 40).unwrap(), aggregate(&c));
        delete_actor(&c, b).unwrap();
        assert!(public_tags(&c, 40).unwrap().is_empty());
    }
}
