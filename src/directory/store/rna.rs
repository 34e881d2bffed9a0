//! The SQL of the RNA import: find an imported association by its register id, refresh the
//! fields the register owns.

use rusqlite::{named_params, Connection, OptionalExtension};

/// The fields of an actor that the national register owns (the rest belongs to residents).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegisterFields {
    pub name: String,
    pub summary: String,
    pub address: String,
    pub website: String,
}

/// An actor that came from the register.
#[derive(Clone, Debug)]
pub struct Imported {
    pub id: i64,
    pub slug: String,
    pub fields: RegisterFields,
}

/// The actor imported with this register id (`W491001234`), if any.
pub fn actor_by_rna_id(conn: &Connection, rna_id: &str) -> rusqlite::Result<Option<Imported>> {
    conn.query_row(
        "SELECT id, slug, name, summary, address, website FROM actors WHERE rna_id = :rna",
        named_params! {":rna": rna_id},
        |r| {
            let fields = RegisterFields {
                name: r.get(2)?,
                summary: r.get(3)?,
                address: r.get(4)?,
                website: r.get(5)?,
            };
            Ok(Imported {
                id: r.get(0)?,
                slug: r.get(1)?,
                fields,
            })
        },
    )
    .optional()
}

/// Overwrites the register-owned fields of an actor.
pub fn update_register_fields(
    conn: &Connection,
    id: i64,
    f: &RegisterFields,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE actors SET name = :name, summary = :summary, address = :address, website = :website,
            updated_by = NULL, updated_at = :now
         WHERE id = :id",
        named_params! {
            ":id": id, ":name": f.name, ":summary": f.summary, ":address": f.address, ":website": f.website, ":now": now,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::directory::hours::Hours;
    use crate::directory::store::{insert_actor, Origin};
    use crate::directory::{ActorInput, Kind, Visibility};

    #[test]
    fn register_fields_are_found_by_rna_id_and_overwritten() {
        let db = Db::memory().unwrap();
        let c = db.conn().unwrap();
        let input = ActorInput {
            kind: Kind::Organisation,
            type_: "association".into(),
            name: "Club".into(),
            summary: String::new(),
            description: "Écrit par les habitants".into(),
            tags: vec!["association".into()],
            address: String::new(),
            lat: None,
            lon: None,
            phone: String::new(),
            website: String::new(),
            social: vec![],
            hours: Hours::default(),
            capacity: None,
            equipment: String::new(),
            accessibility: String::new(),
            parent_slug: None,
            visibility: Visibility::Public,
        };
        let origin = Origin {
            created_by: None,
            profile_of: None,
            rna_id: Some("W499000001".into()),
        };
        let id = insert_actor(&c, &input, "club", None, &origin, 1).unwrap();
        let found = actor_by_rna_id(&c, "W499000001").unwrap().unwrap();
        assert_eq!(
            (found.id, found.slug.as_str(), found.fields.name.as_str()),
            (id, "club", "Club")
        );
        let mut fields = found.fields;
        assert!(actor_by_rna_id(&c, "W499000002").unwrap().is_none());
        fields.name = "Club de foot".into();
        update_register_fields(&c, id, &fields, 2).unwrap();
        let a = crate::directory::store::actor_by_slug(&c, "club")
            .unwrap()
            .unwrap();
        assert_eq!(
            (a.name.as_str(), a.description.as_str(), a.updated_at),
            ("Club de foot", "Écrit par les habitants", 2)
        );
    }
}
