//! Open data in: the associations of the commune, from the national associations register (RNA)
//! as published on data.gouv.fr, one "waldec" file per département (`rna_waldec_YYYYMMDD_dptNN.csv`).
//!
//! The file is read as published: `;`-separated, double-quote quoting, a header row whose column
//! names we look up (never positions), UTF-8 in recent files and Latin-1 in older ones. Only the
//! active associations (`position` = `A`) whose seat is in the commune (`adrs_codeinsee`) are kept.
//!
//! The import is idempotent, keyed by the register id (`id`, like `W491001234`): a known association
//! gets the fields the register owns refreshed (name, summary, address, website) and keeps whatever
//! residents added (description, tags, hours, location, photo, members); a new one is created as a
//! public organisation of type association, tagged `association`. A dissolved association is never
//! deleted: it is reported, so that a person decides. The caller runs it in one write transaction,
//! so a failed import changes nothing.
//!
//! Decoding the bytes and making the register's capitalised titles and addresses readable is in
//! [`super::rna_text`].

use rusqlite::Transaction;

use super::hours::Hours;
use super::rna_text::{
    address, decode, detect, readable_case, truncate, valid_insee, valid_rna_id, website, Encoding,
};
use super::store::rna::{self as store_rna, RegisterFields};
use super::store::{self, Origin};
use super::{slugify, ActorInput, Kind, Visibility};
use crate::db::now;
use crate::error::AppError;

/// The columns the import reads, as named in the published files.
pub const REQUIRED_COLUMNS: [&str; 12] = [
    "id",
    "titre",
    "objet",
    "adrs_numvoie",
    "adrs_repetition",
    "adrs_typevoie",
    "adrs_libvoie",
    "adrs_codeinsee",
    "adrs_codepostal",
    "adrs_libcommune",
    "siteweb",
    "position",
];

/// The tag every imported association gets.
pub const TAG: &str = "association";
/// The progress callback is called every this many rows.
pub const PROGRESS_EVERY: u64 = 1000;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows in the file.
    pub read: u64,
    /// Rows whose seat is in the commune, whatever their state.
    pub matched_commune: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Associations already in the directory that the register now says are dissolved.
    pub dissolved: u64,
    /// Rows of the commune without a usable id or title.
    pub skipped_invalid: u64,
    /// Slug and name of each dissolved association, for a person to review.
    pub dissolved_actors: Vec<(String, String)>,
}

/// Why a file or a commune code was refused before anything was imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not an INSEE commune code.
    InvalidCommune,
    /// The header lacks these columns: not a waldec file (or a wrong separator).
    MissingColumns(Vec<&'static str>),
}

/// Column positions, found by name in the header.
struct Columns([usize; 12]);

impl Columns {
    fn find(header: &csv::ByteRecord, enc: Encoding) -> Result<Columns, Refusal> {
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                decode(h, enc)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_lowercase()
            })
            .collect();
        let mut found = [0; 12];
        let mut missing = Vec::new();
        for (i, col) in REQUIRED_COLUMNS.iter().enumerate() {
            match names.iter().position(|n| n == col) {
                Some(p) => found[i] = p,
                None => missing.push(*col),
            }
        }
        if missing.is_empty() {
            Ok(Columns(found))
        } else {
            Err(Refusal::MissingColumns(missing))
        }
    }

    fn get(&self, row: &csv::ByteRecord, col: &str, enc: Encoding) -> String {
        let i = REQUIRED_COLUMNS
            .iter()
            .position(|c| *c == col)
            .expect("a known column");
        row.get(self.0[i])
            .map(|b| decode(b, enc))
            .unwrap_or_default()
    }
}

/// The register's fields of one row (`None` without a title).
fn register_fields(row: &Row) -> Option<RegisterFields> {
    let name = truncate(readable_case(&row.get("titre")), 120);
    if name.is_empty() {
        return None;
    }
    Some(RegisterFields {
        name,
        summary: truncate(readable_case(&row.get("objet")), 300),
        address: address(
            &row.get("adrs_numvoie"),
            &row.get("adrs_repetition"),
            &row.get("adrs_typevoie"),
            &row.get("adrs_libvoie"),
            &row.get("adrs_codepostal"),
            &row.get("adrs_libcommune"),
        ),
        website: website(&row.get("siteweb")),
    })
}

fn new_actor(f: &RegisterFields) -> ActorInput {
    ActorInput {
        kind: Kind::Organisation,
        type_: "association".into(),
        name: f.name.clone(),
        summary: f.summary.clone(),
        description: String::new(),
        tags: vec![TAG.into()],
        address: f.address.clone(),
        lat: None,
        lon: None,
        phone: String::new(),
        website: f.website.clone(),
        social: vec![],
        hours: Hours::default(),
        capacity: None,
        equipment: String::new(),
        accessibility: String::new(),
        parent_slug: None,
        visibility: Visibility::Public,
    }
}

/// Imports the active associations of `commune` from a waldec file's bytes, inside the caller's
/// transaction. `progress` gets the number of rows read every [`PROGRESS_EVERY`] rows.
pub fn import(
    tx: &Transaction,
    bytes: &[u8],
    commune: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Result<Summary, Refusal>, AppError> {
    let commune = commune.trim().to_uppercase();
    if !valid_insee(&commune) {
        return Ok(Err(Refusal::InvalidCommune));
    }
    let enc = detect(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| AppError::msg(format!("csv: {e}")))?
        .clone();
    let cols = match Columns::find(&header, enc) {
        Ok(c) => c,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut s = Summary::default();
    let mut row = csv::ByteRecord::new();
    let now = now();
    // Reading bytes from memory, flexibly, the reader has no error to give but a fault of its
    // own: then everything is rolled back.
    while reader
        .read_byte_record(&mut row)
        .map_err(|e| AppError::msg(format!("csv: {e}")))?
    {
        s.read += 1;
        if s.read % PROGRESS_EVERY == 0 {
            progress(s.read);
        }
        let row = Row {
            row: &row,
            cols: &cols,
            enc,
        };
        if row.get("adrs_codeinsee").trim().to_uppercase() == commune {
            s.matched_commune += 1;
            import_row(tx, &row, now, &mut s)?;
        }
    }
    Ok(Ok(s))
}

/// One row of the file, read through the header's column names.
struct Row<'a> {
    row: &'a csv::ByteRecord,
    cols: &'a Columns,
    enc: Encoding,
}

impl Row<'_> {
    fn get(&self, col: &str) -> String {
        self.cols.get(self.row, col, self.enc)
    }
}

/// Imports one row of the commune, counting what it did in `s`.
fn import_row(tx: &Transaction, row: &Row, now: i64, s: &mut Summary) -> Result<(), AppError> {
    let id = row.get("id").trim().to_uppercase();
    if !valid_rna_id(&id) {
        s.skipped_invalid += 1;
        return Ok(());
    }
    let known = store_rna::actor_by_rna_id(tx, &id)?;
    match row.get("position").trim().to_uppercase().as_str() {
        "A" => {}
        "D" => {
            if let Some(k) = known {
                s.dissolved += 1;
                s.dissolved_actors.push((k.slug, k.fields.name));
            }
            return Ok(());
        }
        // S (deleted from the register) and anything else: not an active association.
        _ => return Ok(()),
    }
    let Some(fields) = register_fields(row) else {
        s.skipped_invalid += 1;
        return Ok(());
    };
    match known {
        Some(k) if k.fields == fields => s.unchanged += 1,
        Some(k) => {
            store_rna::update_register_fields(tx, k.id, &fields, now)?;
            s.updated += 1;
        }
        None => {
            let slug = store::unique_slug(tx, &slugify(&fields.name))?;
            let origin = Origin {
                created_by: None,
                profile_of: None,
                rna_id: Some(id),
            };
            store::insert_actor(tx, &new_actor(&fields), &slug, None, &origin, now)?;
            s.inserted += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{write_now, Db};

    const HEADER: &str = "id;id_ex;siret;rup_mi;gestion;date_creat;date_decla;date_publi;date_disso;nature;groupement;titre;titre_court;objet;objet_social1;objet_social2;adrs_complement;adrs_numvoie;adrs_repetition;adrs_typevoie;adrs_libvoie;adrs_distrib;adrs_codeinsee;adrs_codepostal;adrs_libcommune;adrg_declarant;adrg_complemid;adrg_complemgeo;adrg_libvoie;adrg_distrib;adrg_codepostal;adrg_achemine;adrg_pays;dir_civilite;siteweb;publiweb;observation;position;maj_time";

    fn row(id: &str, titre: &str, objet: &str, insee: &str, site: &str, position: &str) -> String {
        format!(
            "{id};;;;;2001-01-01;;;;D;S;{titre};;{objet};;;;12;B;RUE;DES LILAS;;{insee};49999;ST PLACIDE;;;;;;;;;;{site};0;;{position};2024-01-01 00:00:00"
        )
    }

    fn file(rows: &[String]) -> Vec<u8> {
        format!("{HEADER}\n{}\n", rows.join("\n")).into_bytes()
    }

    fn run(db: &Db, bytes: &[u8]) -> Result<Summary, Refusal> {
        let mut conn = db.conn().unwrap();
        write_now(&mut conn, |tx| import(tx, bytes, "49999", &mut |_| {})).unwrap()
    }

    #[test]
    fn import_is_idempotent_and_keeps_what_residents_wrote() {
        let db = Db::memory().unwrap();
        let rows = vec![
            row(
                "W499000001",
                "COMITE DES FETES",
                "\"Animer\"\" le village; fêtes\"",
                "49999",
                "www.fetes.fr",
                "A",
            ),
            row("W499000002", "CLUB DE FOOT", "Football", "49999", "", "A"),
            row("W499000003", "AILLEURS", "Rien", "49001", "", "A"),
            row("W499000004", "ANCIENNE", "Dissoute", "49999", "", "D"),
            row("bad", "SANS ID", "", "49999", "", "A"),
        ];
        let s = run(&db, &file(&rows)).unwrap();
        assert_eq!(
            (
                s.read,
                s.matched_commune,
                s.inserted,
                s.updated,
                s.unchanged
            ),
            (5, 4, 2, 0, 0)
        );
        assert_eq!((s.dissolved, s.skipped_invalid), (0, 1));
        let c = db.conn().unwrap();
        let a = store::actor_by_slug(&c, "comite-des-fetes")
            .unwrap()
            .unwrap();
        assert_eq!(a.summary, "Animer\" le village; fêtes");
        assert_eq!(a.address, "12 bis Rue des Lilas, 49999 St Placide");
        assert_eq!(a.website, "https://www.fetes.fr");
        assert_eq!(
            (a.tags.clone(), a.rna_id.as_deref()),
            (vec!["association".to_string()], Some("W499000001"))
        );
        c.execute(
            "UPDATE actors SET description = 'Notre histoire' WHERE id = ?1",
            [a.id],
        )
        .unwrap();

        let again = run(&db, &file(&rows)).unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));

        let mut changed = rows.clone();
        changed[1] = row(
            "W499000002",
            "CLUB DE FOOTBALL",
            "Football",
            "49999",
            "",
            "A",
        );
        changed[0] = row(
            "W499000001",
            "COMITE DES FETES",
            "\"Animer\"\" le village; fêtes\"",
            "49999",
            "www.fetes.fr",
            "D",
        );
        let s = run(&db, &file(&changed)).unwrap();
        assert_eq!(
            (s.inserted, s.updated, s.unchanged, s.dissolved),
            (0, 1, 0, 1)
        );
        assert_eq!(
            s.dissolved_actors,
            vec![(
                "comite-des-fetes".to_string(),
                "Comite des fetes".to_string()
            )]
        );
        let a = store::actor_by_slug(&c, "comite-des-fetes")
            .unwrap()
            .unwrap();
        assert_eq!(a.description, "Notre histoire", "residents' text survives");
        let foot = store::actor_by_slug(&c, "club-de-foot").unwrap().unwrap();
        assert_eq!(
            foot.name, "Club de football",
            "the slug stays, the name follows the register"
        );
    }

    #[test]
    fn a_file_that_is_not_waldec_is_refused() {
        let db = Db::memory().unwrap();
        let refused = run(&db, b"id,titre,objet\nW1,X,Y\n").unwrap_err();
        assert!(
            matches!(refused, Refusal::MissingColumns(ref m) if m.contains(&"titre")),
            "{refused:?}"
        );
        let mut conn = db.conn().unwrap();
        let r = write_now(&mut conn, |tx| {
            import(tx, &file(&[]), "Angers", &mut |_| {})
        })
        .unwrap();
        assert_eq!(r, Err(Refusal::InvalidCommune));
    }
}
