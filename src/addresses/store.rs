//! Every SQL statement about the imported addresses (table `addresses`, migration 4).
//!
//! Searches use the index on `search`, the normalised « number street postcode city »: a prefix
//! is a range `search >= :q AND search < :q || char(0x10FFFF)` (the keys are ASCII, so every key
//! starting with `:q` sorts in it), which the index answers without reading the table.

use rusqlite::{named_params, Connection, Row};

use super::{normalise, pick, Address, Around, Commune, Suggestion};

/// Most candidates a lenient geocoding looks at (« 1 place de l'église » in every commune).
const CANDIDATES: i64 = 500;
/// Shortest query (normalised) that may fall back to a search inside the keys.
const CONTAINS_MIN_CHARS: usize = 4;

/// Writes addresses, replacing those with the same BAN id (inside the caller's transaction).
pub fn upsert(conn: &Connection, rows: &[Address]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO addresses (id, number, street, postcode, insee, city, lat, lon, search)
         VALUES (:id, :number, :street, :postcode, :insee, :city, :lat, :lon, :search)",
    )?;
    for a in rows {
        stmt.execute(named_params! {
            ":id": a.id, ":number": a.number, ":street": a.street, ":postcode": a.postcode,
            ":insee": a.insee, ":city": a.city, ":lat": a.lat, ":lon": a.lon, ":search": a.search_key(),
        })?;
    }
    Ok(())
}

fn address(r: &Row) -> rusqlite::Result<Address> {
    Ok(Address {
        id: r.get("id")?,
        number: r.get("number")?,
        street: r.get("street")?,
        postcode: r.get("postcode")?,
        insee: r.get("insee")?,
        city: r.get("city")?,
        lat: r.get("lat")?,
        lon: r.get("lon")?,
    })
}

fn suggestion(r: &Row) -> rusqlite::Result<Suggestion> {
    let a = address(r)?;
    Ok(Suggestion {
        label: a.label(),
        lat: a.lat,
        lon: a.lon,
    })
}

/// Up to `limit` addresses matching what was typed: those whose key starts with it, in key
/// order; when they are fewer than `limit` and the query has at least four characters, then
/// those that contain it (« rue de l eglise » finds « 12 Rue de l'Église »), a bounded scan.
pub fn suggest(conn: &Connection, query: &str, limit: i64) -> rusqlite::Result<Vec<Suggestion>> {
    let q = normalise(query);
    if q.is_empty() || limit < 1 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, number, street, postcode, insee, city, lat, lon FROM addresses
         WHERE search >= :q AND search < :q || char(1114111)
         ORDER BY search LIMIT :limit",
    )?;
    let mut found = stmt
        .query_map(named_params! {":q": q, ":limit": limit}, suggestion)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let missing = limit - found.len() as i64;
    if missing > 0 && q.len() >= CONTAINS_MIN_CHARS {
        // The keys are [a-z0-9 ] only (normalised), so `q` holds no LIKE wildcard. The scan
        // reads the index on `search` (keys and ids only), not the table: a third faster.
        let mut stmt = conn.prepare_cached(
            "SELECT id, number, street, postcode, insee, city, lat, lon FROM addresses
             WHERE id IN (SELECT id FROM addresses
                          WHERE search LIKE '%' || :q || '%'
                            AND NOT (search >= :q AND search < :q || char(1114111))
                          LIMIT :limit)",
        )?;
        let more = stmt.query_map(named_params! {":q": q, ":limit": missing}, suggestion)?;
        for s in more {
            found.push(s?);
        }
    }
    Ok(found)
}

/// The coordinates of a typed address: its exact normalised label, or « number street » alone
/// (see [`super::pick`]) near the village. `None` when the base does not know it.
pub fn geocode(
    conn: &Connection,
    text: &str,
    around: Option<&Around>,
) -> rusqlite::Result<Option<(f64, f64)>> {
    let key = normalise(text);
    if key.is_empty() {
        return Ok(None);
    }
    // The key itself and the keys that go on after a space: « 3 rue haute » and
    // « 3 rue haute 49999 ... », never « 3 rue hautes ».
    let mut stmt = conn.prepare_cached(
        "SELECT id, number, street, postcode, insee, city, lat, lon FROM addresses
         WHERE search >= :key AND search < :key || ' ' || char(1114111)
         LIMIT :limit",
    )?;
    let candidates = stmt
        .query_map(named_params! {":key": key, ":limit": CANDIDATES}, address)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(pick(&key, &candidates, around))
}

/// Most communes a name lookup answers.
const COMMUNES: usize = 10;

/// The communes whose name or postcode is typed (« saint placide », « 49999 », « Saint-Placide
/// 49999 »): exact names first. A bounded scan of the index on `search`, done once at setup.
pub fn communes(conn: &Connection, typed: &str) -> rusqlite::Result<Vec<Commune>> {
    let q = normalise(typed);
    let postcode = q
        .split(' ')
        .find(|w| w.len() == 5 && w.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("")
        .to_string();
    let name = q
        .split(' ')
        .filter(|w| *w != postcode)
        .collect::<Vec<_>>()
        .join(" ");
    if postcode.is_empty() && name.len() < 2 {
        return Ok(Vec::new());
    }
    let needle = if postcode.is_empty() {
        name.clone()
    } else {
        postcode.clone()
    };
    let mut stmt = conn.prepare_cached(
        "SELECT insee, postcode, city, AVG(lat), AVG(lon) FROM addresses
         WHERE id IN (SELECT id FROM addresses WHERE search LIKE '%' || :q || '%')
         GROUP BY insee, postcode, city ORDER BY city, postcode LIMIT 500",
    )?;
    let rows = stmt.query_map(named_params! {":q": needle}, |r| {
        Ok(Commune {
            insee: r.get(0)?,
            postcode: r.get(1)?,
            name: r.get(2)?,
            lat: r.get(3)?,
            lon: r.get(4)?,
        })
    })?;
    let mut found = Vec::new();
    for c in rows {
        let c = c?;
        let city = normalise(&c.name);
        let name_ok = name.is_empty()
            || city == name
            || city.starts_with(&format!("{name} "))
            || format!(" {city} ").contains(&format!(" {name} "));
        if name_ok && (postcode.is_empty() || c.postcode == postcode) {
            found.push((normalise(&c.name) != name, c));
        }
    }
    found.sort_by_key(|(inexact, _)| *inexact);
    Ok(found.into_iter().take(COMMUNES).map(|(_, c)| c).collect())
}

/// Whether no address is imported (cheap, unlike [`count`] on a national base).
pub fn is_empty(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM addresses)", [], |r| {
        r.get(0)
    })
}

/// How many addresses are imported.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM addresses", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    fn address(id: &str, number: &str, street: &str, lat: f64) -> Address {
        Address {
            id: id.into(),
            number: number.into(),
            street: street.into(),
            postcode: "49999".into(),
            insee: "49999".into(),
            city: "Saint-Placide-sur-Loire".into(),
            lat,
            lon: -0.81,
        }
    }

    #[test]
    fn suggest_by_prefix_then_inside_and_geocode() {
        let db = Db::memory().unwrap();
        let conn = db.conn().unwrap();
        let rows = [
            address("a", "12 bis", "Rue de l'Église", 47.1),
            address("b", "3", "Place du Marché", 47.2),
            address("c", "", "Rue de l'Église", 47.3),
        ];
        upsert(&conn, &rows).unwrap();
        upsert(&conn, &rows[..1]).unwrap();
        assert_eq!(count(&conn).unwrap(), 3, "same id, replaced");
        assert!(!is_empty(&conn).unwrap());

        let labels = |q: &str, n: i64| -> Vec<String> {
            suggest(&conn, q, n)
                .unwrap()
                .into_iter()
                .map(|s| s.label)
                .collect()
        };
        // « rue de l eglise » is the prefix of c's key and inside a's.
        assert_eq!(
            labels("RUE DE L'EGLISE", 10),
            [
                "Rue de l'Église, 49999 Saint-Placide-sur-Loire",
                "12 bis Rue de l'Église, 49999 Saint-Placide-sur-Loire"
            ]
        );
        assert_eq!(labels("rue de l eglise", 1).len(), 1);
        assert_eq!(
            labels("3 pl", 10),
            ["3 Place du Marché, 49999 Saint-Placide-sur-Loire"]
        );
        assert!(labels("lac", 10).is_empty(), "too short to search inside");
        assert!(labels("%", 10).is_empty());

        let geo = |t: &str| geocode(&conn, t, None).unwrap();
        assert_eq!(
            geo("12 bis rue de l'Église, 49999 Saint-Placide-sur-Loire"),
            Some((47.1, -0.81))
        );
        assert_eq!(geo("3 place du marche"), Some((47.2, -0.81)));
        assert_eq!(geo("4 place du marche"), None);

        let names = |t: &str| -> Vec<String> {
            communes(&conn, t)
                .unwrap()
                .into_iter()
                .map(|c| c.label())
                .collect()
        };
        let one = ["Saint-Placide-sur-Loire (49999)"];
        assert_eq!(names("Saint-Placide-sur-Loire"), one);
        assert_eq!(names("saint placide"), one);
        assert_eq!(names("49999"), one);
        assert_eq!(names("Saint-Placide 49999"), one);
        assert!(names("eglise").is_empty(), "a street is not a commune");
        assert!(names("49000").is_empty());
        let c = &communes(&conn, "49999").unwrap()[0];
        assert!((c.lat - 47.2).abs() < 1e-9, "the mean of its addresses");
    }
}
