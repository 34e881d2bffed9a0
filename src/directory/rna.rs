//! Open data in: the associations of the commune, from the national associations register (RNA)
//! as published on data.gouv.fr, one "waldec" file per département (`rna_waldec_YYYYMMDD_dptNN.csv`).
//!
//! The file is read as published: `;`-separated, double-quote quoting, a header row whose column
//! names we look up (never positions), UTF-8 in recent files and Latin-1 in older ones. Only the
//! associations whose seat is in the commune (`adrs_codeinsee`) are kept: the active ones
//! (`position` = `A`) and, to report them, the dissolved ones (`D`).
//!
//! The import is in two steps, so that the database is not held while a file of a few hundred
//! megabytes is read: [`read`] streams the file and keeps the commune's rows (no database), then
//! [`apply`] writes them inside the caller's (short) write transaction, so a failed import changes
//! nothing. It is idempotent, keyed by the register id (`id`, like `W491001234`): a known
//! association gets the fields the register owns refreshed (name, summary, address, website) and
//! keeps whatever residents added (description, tags, hours, location, photo, members); a new one
//! is created as a public organisation of type association, tagged `association`. A dissolved
//! association is never deleted: it is reported, so that a person decides.
//!
//! Decoding the bytes and making the register's capitalised titles and addresses readable is in
//! [`super::rna_text`].

use std::io::Read;

use rusqlite::Transaction;

use super::hours::Hours;
use super::rna_text::{
    address, decode, detect, readable_case, truncate, valid_insee, valid_rna_id, website, Columns,
    Encoding,
};
use super::store::rna::{self as store_rna, RegisterFields};
use super::store::{self, Origin};
use super::{slugify, ActorInput, Kind, Visibility};
use crate::error::AppError;

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

/// What the register says of one association of the commune.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Active(RegisterFields),
    Dissolved,
}

/// The commune's rows of a file, read and checked, ready for [`apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// UTF-8 when every field of the file is valid UTF-8, else Latin-1.
    pub encoding: Encoding,
    /// Data rows in the file.
    pub read: u64,
    /// Rows whose seat is in the commune, whatever their state.
    pub matched_commune: u64,
    /// Rows of the commune without a usable id, or active without a title.
    pub skipped_invalid: u64,
    /// Register id and state of the active and dissolved associations, in file order.
    pub rows: Vec<(String, State)>,
}

/// The register's fields of one row (`None` without a title).
fn register_fields(row: &csv::ByteRecord, cols: &Columns, enc: Encoding) -> Option<RegisterFields> {
    let get = |col: &str| decode(cols.raw(row, col), enc);
    let name = truncate(readable_case(&get("titre")), 120);
    if name.is_empty() {
        return None;
    }
    Some(RegisterFields {
        name,
        summary: truncate(readable_case(&get("objet")), 300),
        address: address(
            &get("adrs_numvoie"),
            &get("adrs_repetition"),
            &get("adrs_typevoie"),
            &get("adrs_libvoie"),
            &get("adrs_codepostal"),
            &get("adrs_libcommune"),
        ),
        website: website(&get("siteweb")),
    })
}

/// Reads a waldec file from `input` (a file, streamed: never held whole in memory) and keeps the
/// active and dissolved associations of `commune`. No database: the caller then runs [`apply`] in
/// a write transaction. `progress` gets the number of rows read every [`PROGRESS_EVERY`] rows.
///
/// Only the commune's rows are kept, as bytes, and decoded at the end: the encoding is that of
/// the whole file, known once every field has been seen (the separators and quotes are ASCII, so
/// the file is valid UTF-8 exactly when every field is).
pub fn read(
    input: impl Read,
    commune: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Result<Parsed, Refusal>, AppError> {
    let commune = commune.trim().to_uppercase();
    if !valid_insee(&commune) {
        return Ok(Err(Refusal::InvalidCommune));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(input);
    let csv_error = |e: csv::Error| AppError::msg(format!("csv: {e}"));
    let header = reader.byte_headers().map_err(csv_error)?.clone();
    let cols = match Columns::find(&header) {
        Ok(c) => c,
        Err(missing) => return Ok(Err(Refusal::MissingColumns(missing))),
    };
    let mut utf8 = header.iter().all(|f| detect(f) == Encoding::Utf8);
    let (mut read, mut kept) = (0, Vec::new());
    let mut row = csv::ByteRecord::new();
    // Flexible, the reader has no error to give on any bytes but a read error of the input.
    while reader.read_byte_record(&mut row).map_err(csv_error)? {
        read += 1;
        if read % PROGRESS_EVERY == 0 {
            progress(read);
        }
        utf8 = utf8 && row.iter().all(|f| detect(f) == Encoding::Utf8);
        if cols.code(&row, "adrs_codeinsee") == commune {
            kept.push(row.clone());
        }
    }
    let encoding = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Latin1
    };
    let mut parsed = Parsed {
        encoding,
        read,
        matched_commune: kept.len() as u64,
        skipped_invalid: 0,
        rows: Vec::new(),
    };
    for row in &kept {
        let id = cols.code(row, "id");
        if !valid_rna_id(&id) {
            parsed.skipped_invalid += 1;
            continue;
        }
        match cols.code(row, "position").as_str() {
            "A" => match register_fields(row, &cols, encoding) {
                Some(fields) => parsed.rows.push((id, State::Active(fields))),
                None => parsed.skipped_invalid += 1,
            },
            "D" => parsed.rows.push((id, State::Dissolved)),
            // S (deleted from the register) and anything else: not an active association.
            _ => {}
        }
    }
    Ok(Ok(parsed))
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

/// Writes what [`read`] kept, inside the caller's transaction: creates the new associations,
/// refreshes the register's fields of the known ones, reports the dissolved ones.
pub fn apply(tx: &Transaction, parsed: &Parsed, now: i64) -> Result<Summary, AppError> {
    let mut s = Summary {
        read: parsed.read,
        matched_commune: parsed.matched_commune,
        skipped_invalid: parsed.skipped_invalid,
        ..Summary::default()
    };
    for (id, state) in &parsed.rows {
        let known = store_rna::actor_by_rna_id(tx, id)?;
        match (state, known) {
            (State::Dissolved, Some(k)) => {
                s.dissolved += 1;
                s.dissolved_actors.push((k.slug, k.fields.name));
            }
            (State::Dissolved, None) => {}
            (State::Active(fields), Some(k)) if k.fields == *fields => s.unchanged += 1,
            (State::Active(fields), Some(k)) => {
                store_rna::update_register_fields(tx, k.id, fields, now)?;
                s.updated += 1;
            }
            (State::Active(fields), None) => {
                let slug = store::unique_slug(tx, &slugify(&fields.name))?;
                let origin = Origin {
                    created_by: None,
                    profile_of: None,
                    rna_id: Some(id.clone()),
                };
                store::insert_actor(tx, &new_actor(fields), &slug, None, &origin, now)?;
                s.inserted += 1;
            }
        }
    }
    Ok(s)
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
        let parsed = read(bytes, "49999", &mut |_| {}).unwrap()?;
        let mut conn = db.conn().unwrap();
        Ok(write_now(&mut conn, |tx| apply(tx, &parsed, 1)).unwrap())
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
        let r = read(&file(&[])[..], "Angers", &mut |_| {}).unwrap();
        assert_eq!(r, Err(Refusal::InvalidCommune));
    }

    #[test]
    fn latin1_files_are_read_as_such_and_only_the_commune_kept() {
        let mut bytes = file(&[row("W499000001", "FETES", "", "49001", "", "A")]);
        bytes.extend(row("W499000002", "COMITE DES F\u{1}TES", "", "49999", "", "A").into_bytes());
        let at = bytes.iter().position(|b| *b == 1).unwrap();
        bytes[at] = 0xCA; // Ê in Latin-1
        let parsed = read(&bytes[..], " 49999 ", &mut |_| {}).unwrap().unwrap();
        assert_eq!(parsed.encoding, Encoding::Latin1);
        assert_eq!((parsed.read, parsed.matched_commune), (2, 1));
        let State::Active(fields) = &parsed.rows[0].1 else {
            panic!("{parsed:?}")
        };
        assert_eq!(fields.name, "Comite des fêtes");
    }
}
