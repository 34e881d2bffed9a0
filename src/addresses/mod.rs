//! Addresses without an online geocoder: the national address base (BAN, « Base Adresse
//! Nationale ») imported from its published files into the local table `addresses`, so that
//! address fields suggest real addresses and typed addresses get their coordinates, with no
//! request to the internet.
//!
//! The files are those of adresse.data.gouv.fr, one per département (`adresses-49.csv.gz`):
//! UTF-8, `;`-separated, a header row whose column names we look up (never positions), plain or
//! gzipped (recognised by its magic bytes, not its name). [`import`] streams the file and writes
//! it [`BATCH`] rows per transaction, so that a département of 300,000 addresses never sits whole
//! in memory nor holds the write lock for long. It is idempotent, keyed by the BAN id: a row
//! imported again replaces the previous one. A file that fails half-way leaves the batches
//! already written, which the next import of the same file completes.
//!
//! Every address has a search key, [`normalise`]d « number street postcode city » (lower case,
//! accents folded, punctuation as spaces), indexed for prefix search. Geocoding ([`pick`]) takes
//! an exact key, or « number street » alone (with the postcode or the commune or neither) nearest
//! to the village, never a street of the same name in a town far away.

pub mod handlers;
pub mod store;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use crate::db::write_now;
use crate::error::AppError;

/// Rows written per transaction, and between two progress reports.
pub const BATCH: usize = 10_000;

/// The columns the import reads, as named in the published files.
pub const REQUIRED_COLUMNS: [&str; 9] = [
    "id",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "lon",
    "lat",
];

/// The number the BAN gives to a street or place without numbers (a « toponyme »).
const NO_NUMBER: &str = "99999";

/// One address of the BAN.
#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    /// The BAN id (`cle_interop`), e.g. `49999_0010_00012_bis`.
    pub id: String,
    /// Number and repetition index: `12`, `12 bis`, or empty.
    pub number: String,
    pub street: String,
    pub postcode: String,
    pub insee: String,
    pub city: String,
    pub lat: f64,
    pub lon: f64,
}

impl Address {
    /// As shown to people: « 12 bis Rue de l'Église, 49999 Saint-Placide-sur-Loire ».
    pub fn label(&self) -> String {
        let street = join(&self.number, &self.street);
        let town = join(&self.postcode, &self.city);
        if town.is_empty() {
            street
        } else {
            format!("{street}, {town}")
        }
    }

    /// The indexed search key: the [`normalise`]d label.
    pub fn search_key(&self) -> String {
        normalise(&self.label())
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (false, true) => a.to_string(),
        (false, false) => format!("{a} {b}"),
    }
}

/// A suggestion of the address API: what the form's list shows and the location it fills.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    pub label: String,
    pub lat: f64,
    pub lon: f64,
}

/// A commune of the base, found by its name or postcode (the village's centre at setup): the
/// centre is the mean of its addresses.
#[derive(Clone, Debug, PartialEq)]
pub struct Commune {
    pub insee: String,
    pub postcode: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

impl Commune {
    /// As shown to pick from: « Saint-Placide-sur-Loire (49999) ».
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.postcode)
    }

    /// What a form sends back to name this commune.
    pub fn key(&self) -> String {
        format!("{}-{}", self.insee, self.postcode)
    }
}

/// Where the village is: a lenient geocoding match must be within `radius_km` of the centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Around {
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
}

/// Lower case, accents folded, words separated by one space (see [`crate::i18n::fold`]).
pub use crate::i18n::fold as normalise;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows in the file.
    pub read: u64,
    /// Addresses written (new or replaced).
    pub imported: u64,
    /// Rows without an id, a street, a commune or valid coordinates.
    pub skipped: u64,
    /// Distinct communes (INSEE codes) of the imported addresses.
    pub communes: u64,
}

/// Opens a BAN file, plain or gzipped (told by its first two bytes, 1f 8b, not by its name).
pub fn open(path: &Path) -> Result<Box<dyn Read>, AppError> {
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::msg(format!("cannot read {}: {e}", path.display())))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let gzip = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        // Multi-member: concatenated gzip files are valid gzip, and some tools write them.
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

/// The positions of the [`REQUIRED_COLUMNS`] in a header row, or the names that are missing.
fn columns(header: &csv::StringRecord) -> Result<[usize; 9], Vec<&'static str>> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let missing: Vec<&'static str> = REQUIRED_COLUMNS
        .into_iter()
        .filter(|c| find(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(REQUIRED_COLUMNS.map(|c| find(c).unwrap_or(0)))
}

/// One data row as an address; `None` without an id, a street, a commune or coordinates.
fn address(row: &csv::StringRecord, cols: &[usize; 9]) -> Option<Address> {
    let get = |i: usize| row.get(cols[i]).unwrap_or("").trim();
    let coordinate = |i: usize| get(i).parse::<f64>().ok().filter(|v| v.is_finite());
    let (id, street, city) = (get(0), get(3), get(6));
    if id.is_empty() || street.is_empty() || city.is_empty() {
        return None;
    }
    let (lon, lat) = (coordinate(7)?, coordinate(8)?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    let numero = get(1);
    let number = if numero == NO_NUMBER {
        String::new()
    } else {
        join(numero, get(2))
    };
    Some(Address {
        id: id.to_string(),
        number,
        street: street.to_string(),
        postcode: get(4).to_string(),
        insee: get(5).to_string(),
        city: city.to_string(),
        lat,
        lon,
    })
}

/// Reads a BAN file from `input` (streamed) and hands its addresses to `write`, [`BATCH`] at a
/// time; `progress` gets the number of rows read after each batch. A file without the BAN's
/// columns is refused before anything is written.
pub fn read(
    input: impl Read,
    write: &mut dyn FnMut(&[Address]) -> Result<(), AppError>,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(input);
    let csv_error = |e: csv::Error| AppError::msg(format!("csv: {e}"));
    let header = reader.headers().map_err(csv_error)?.clone();
    let cols = columns(&header).map_err(|missing| {
        AppError::msg(format!(
            "not a BAN address file (adresses-NN.csv): no column {}",
            missing.join(", ")
        ))
    })?;
    let mut summary = Summary::default();
    let mut communes = HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).map_err(csv_error)? {
        summary.read += 1;
        match address(&row, &cols) {
            Some(a) => {
                if !communes.contains(&a.insee) {
                    communes.insert(a.insee.clone());
                }
                batch.push(a);
            }
            None => summary.skipped += 1,
        }
        if batch.len() == BATCH {
            write(&batch)?;
            summary.imported += batch.len() as u64;
            batch.clear();
            progress(summary.read);
        }
    }
    if !batch.is_empty() {
        write(&batch)?;
        summary.imported += batch.len() as u64;
    }
    summary.communes = communes.len() as u64;
    Ok(summary)
}

/// Imports a BAN file into the database: one write transaction per [`BATCH`] rows.
pub fn import(
    conn: &mut Connection,
    input: impl Read,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, AppError> {
    read(
        input,
        &mut |rows| write_now(conn, |tx| Ok(store::upsert(tx, rows)?)),
        progress,
    )
}

/// The location of typed text among `candidates` (the addresses whose key starts with
/// `key + " "`, and the exact ones): an exact key first; else an address whose « number street »
/// is what was typed, possibly followed by its postcode or its commune — the nearest to the
/// village within its radius, or, not knowing where the village is, the only commune's.
pub fn pick(key: &str, candidates: &[Address], around: Option<&Around>) -> Option<(f64, f64)> {
    let exact: Vec<&Address> = candidates
        .iter()
        .filter(|c| c.search_key() == key)
        .collect();
    if let Some((_, c)) = nearest(exact, around) {
        return Some((c.lat, c.lon));
    }
    let lenient: Vec<&Address> = candidates
        .iter()
        .filter(|c| {
            let street = normalise(&join(&c.number, &c.street));
            key == street
                || key == normalise(&format!("{street} {}", c.postcode))
                || key == normalise(&format!("{street} {}", c.city))
        })
        .collect();
    if around.is_none() && lenient.iter().any(|c| c.insee != lenient[0].insee) {
        return None;
    }
    let radius = around.map_or(f64::INFINITY, |a| a.radius_km.max(1.0));
    nearest(lenient, around)
        .filter(|(d, _)| *d <= radius)
        .map(|(_, c)| (c.lat, c.lon))
}

/// The candidate nearest to the village, with its distance in km (the first one, at 0 km,
/// when the village is not known).
fn nearest<'a>(found: Vec<&'a Address>, around: Option<&Around>) -> Option<(f64, &'a Address)> {
    match around {
        Some(a) => found
            .into_iter()
            .map(|c| (crate::geo::distance_km((a.lat, a.lon), (c.lat, c.lon)), c))
            .min_by(|x, y| x.0.total_cmp(&y.0)),
        None => found.first().map(|c| (0.0, *c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;\
        code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;\
        libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles";

    fn parse(text: &str) -> Result<(Summary, Vec<Address>), AppError> {
        let mut all = Vec::new();
        let s = read(
            text.as_bytes(),
            &mut |rows| {
                all.extend_from_slice(rows);
                Ok(())
            },
            &mut |_| {},
        )?;
        Ok((s, all))
    }

    #[test]
    fn normalise_folds_case_accents_and_punctuation() {
        assert_eq!(
            normalise("12 bis Rue de l'Église"),
            "12 bis rue de l eglise"
        );
        assert_eq!(
            normalise("  Place du Marché,  49999 Saint-Placide-sur-Loire "),
            "place du marche 49999 saint placide sur loire"
        );
        assert_eq!(normalise("Œuvre ÇA l’Île"), "oeuvre ca l ile");
        assert_eq!(normalise("%_'"), "");
    }

    #[test]
    fn rows_are_read_by_column_name() {
        let text = format!(
            "{HEADER}\n\
             49999_0010_00012_bis;49999_0010;12;bis;Rue de l'Église;49999;49999;Saint-Placide-sur-Loire;;;;;-0.8101;47.3502;entrée;;;SAINT PLACIDE;RUE DE L EGLISE;commune;commune;1;\n\
             49999_0020_99999;49999_0020;99999;;Place du Marché;49999;49999;Saint-Placide-sur-Loire;;;;;-0.811;47.351;segment;;;;;;;;\n\
             49999_0030_00001;;1;;;49999;49999;Saint-Placide-sur-Loire;;;;;-0.8;47.3;;;;;;;;;\n\
             49999_0040_00002;;2;;Rue Haute;49999;49999;Saint-Placide-sur-Loire;;;;;abc;47.3;;;;;;;;;\n"
        );
        let (s, rows) = parse(&text).unwrap();
        assert_eq!(
            s,
            Summary {
                read: 4,
                imported: 2,
                skipped: 2,
                communes: 1
            }
        );
        assert_eq!(rows[0].number, "12 bis");
        assert_eq!(
            rows[0].label(),
            "12 bis Rue de l'Église, 49999 Saint-Placide-sur-Loire"
        );
        assert_eq!(
            rows[0].search_key(),
            "12 bis rue de l eglise 49999 saint placide sur loire"
        );
        assert_eq!((rows[0].lat, rows[0].lon), (47.3502, -0.8101));
        assert_eq!(rows[1].number, "", "99999 is a street without number");
        assert_eq!(
            rows[1].label(),
            "Place du Marché, 49999 Saint-Placide-sur-Loire"
        );
    }

    #[test]
    fn a_file_without_the_ban_columns_is_refused() {
        let e = parse("id;titre;objet\nW1;x;y\n").unwrap_err();
        assert!(e.to_string().contains("numero"), "{e}");
    }

    fn at(number: &str, street: &str, insee: &str, city: &str, lat: f64, lon: f64) -> Address {
        Address {
            id: format!("{insee}_{number}"),
            number: number.into(),
            street: street.into(),
            postcode: insee.into(),
            insee: insee.into(),
            city: city.into(),
            lat,
            lon,
        }
    }

    #[test]
    fn geocoding_prefers_the_exact_address_then_the_nearest_street() {
        let here = at("3", "Rue Haute", "49999", "Saint-Placide", 47.35, -0.81);
        let far = at("3", "Rue Haute", "49007", "Angers", 47.47, -0.55);
        let around = Around {
            lat: 47.35,
            lon: -0.81,
            radius_km: 10.0,
        };
        let all = [far.clone(), here];
        let key = normalise("3 rue haute 49007 angers");
        assert_eq!(pick(&key, &all, Some(&around)), Some((47.47, -0.55)));
        for typed in [
            "3, rue Haute",
            "3 rue haute 49999",
            "3 Rue Haute Saint-Placide",
        ] {
            let got = pick(&normalise(typed), &all, Some(&around));
            assert_eq!(got, Some((47.35, -0.81)), "{typed}");
        }
        // Only the far one: outside the village, not taken; without a village, one commune is.
        assert_eq!(
            pick("3 rue haute", std::slice::from_ref(&far), Some(&around)),
            None
        );
        assert_eq!(
            pick("3 rue haute", std::slice::from_ref(&far), None),
            Some((47.47, -0.55))
        );
        assert_eq!(pick("3 rue haute", &all, None), None, "ambiguous");
        assert_eq!(pick("3 rue", &all, Some(&around)), None, "not a street");
    }
}
