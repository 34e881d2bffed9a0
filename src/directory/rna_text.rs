//! Text of the national associations register (RNA): decoding its files' bytes, checking its
//! codes, and making its capitalised fields readable. Used by the import in [`super::rna`].
//!
//! Files are UTF-8 when recent and Latin-1 (read as Windows-1252) when older; [`detect`] tells
//! which and [`decode`] reads one field. [`Columns`] finds the columns by their names in the
//! header.
//!
//! Register titles are usually in capitals without accents. They are made readable without
//! guessing: « COMITE DES FETES DE ST PLACIDE » becomes « Comite des fetes de st placide » (first
//! letter upper case, the rest lower case); a title that already has lower case letters is kept.
//! Street and commune names get a capital on each word but the French particles
//! (« RUE DE LA CROIX BLANCHE » → « Rue de la Croix Blanche »). Residents can correct the rest.

/// Whether `code` looks like an INSEE commune code: five digits, or 2A/2B and three digits (Corsica).
pub fn valid_insee(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && (b[..2].iter().all(u8::is_ascii_digit) || b[..2] == *b"2A" || b[..2] == *b"2B")
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// Whether `id` looks like an RNA id: `W` and nine letters or digits.
pub fn valid_rna_id(id: &str) -> bool {
    id.len() == 10 && id.starts_with('W') && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// How the file's bytes are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// ISO-8859-1, read as browsers do (WHATWG): bytes 0x80–0x9F are the Windows-1252
    /// characters (œ, ’, €...), which is what such files contain in practice, not C1 controls.
    Latin1,
}

/// UTF-8 when the whole file is valid UTF-8, else Latin-1.
pub fn detect(bytes: &[u8]) -> Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Latin1
    }
}

const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes one field.
pub fn decode(bytes: &[u8], enc: Encoding) -> String {
    match enc {
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::Latin1 => bytes
            .iter()
            .map(|&b| {
                if (0x80..0xA0).contains(&b) {
                    CP1252[(b - 0x80) as usize]
                } else {
                    b as char
                }
            })
            .collect(),
    }
}

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

/// Column positions, found by name in the header; `Err` lists the missing columns.
pub struct Columns([usize; 12]);

impl Columns {
    pub fn find(header: &csv::ByteRecord) -> Result<Columns, Vec<&'static str>> {
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                decode(h, detect(h))
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
            Err(missing)
        }
    }

    /// The raw bytes of a column of `row`.
    pub fn raw<'r>(&self, row: &'r csv::ByteRecord, col: &str) -> &'r [u8] {
        let i = REQUIRED_COLUMNS
            .iter()
            .position(|c| *c == col)
            .expect("a known column");
        row.get(self.0[i]).unwrap_or_default()
    }

    /// A column of `row` as text, trimmed and in capitals (codes, ids, states).
    pub fn code(&self, row: &csv::ByteRecord, col: &str) -> String {
        String::from_utf8_lossy(self.raw(row, col))
            .trim()
            .to_uppercase()
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn truncate(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A title in capitals becomes « First letter upper case, the rest lower case »; a title that
/// has lower case letters is kept as typed.
pub fn readable_case(s: &str) -> String {
    let s = collapse(s);
    if s.chars().any(char::is_lowercase) {
        return s;
    }
    upper_first(&s.to_lowercase())
}

const PARTICLES: [&str; 14] = [
    "de", "des", "du", "la", "le", "les", "l", "d", "et", "aux", "au", "en", "sur", "sous",
];

/// A street or commune name in capitals gets a capital on each word but the French particles.
pub fn place_case(s: &str) -> String {
    words_case(s, true)
}

/// [`place_case`]; a particle that starts the name keeps its capital only if `starts` (« Le Bourg »,
/// but « Avenue du Général »).
fn words_case(s: &str, starts: bool) -> String {
    let s = collapse(s);
    if s.chars().any(char::is_lowercase) {
        return s;
    }
    let separators = [' ', '-', '\'', '’'];
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.to_lowercase().split_inclusive(separators).enumerate() {
        if (i > 0 || !starts) && PARTICLES.contains(&word.trim_end_matches(separators)) {
            out.push_str(word);
        } else {
            out.push_str(&upper_first(word));
        }
    }
    out
}

/// The street type as written in full: the register abbreviates (RUE, AV, BD, PL, CHE, RTE...).
pub fn street_type(abbr: &str) -> String {
    let full = match abbr.trim().to_uppercase().as_str() {
        "" => "",
        "RUE" => "Rue",
        "AV" | "AVE" | "AVENUE" => "Avenue",
        "BD" | "BOULEVARD" => "Boulevard",
        "PL" | "PLACE" => "Place",
        "CHE" | "CHEM" | "CHEMIN" => "Chemin",
        "RTE" | "ROUTE" => "Route",
        "IMP" | "IMPASSE" => "Impasse",
        "ALL" | "ALLEE" => "Allée",
        "QUAI" => "Quai",
        "SQ" => "Square",
        "CRS" => "Cours",
        "FG" => "Faubourg",
        "PAS" => "Passage",
        "HAM" => "Hameau",
        "LD" => "Lieu-dit",
        "LOT" => "Lotissement",
        "RES" => "Résidence",
        "SEN" => "Sentier",
        "PRO" | "PROM" => "Promenade",
        other => return place_case(other),
    };
    full.to_string()
}

fn repetition(s: &str) -> String {
    match s.trim().to_uppercase().as_str() {
        "B" => "bis".into(),
        "T" => "ter".into(),
        "Q" => "quater".into(),
        other => other.to_lowercase(),
    }
}

/// The postal address of the seat: « 12 bis Rue des Lilas, 49999 Saint-Placide ».
pub fn address(
    num: &str,
    rep: &str,
    type_: &str,
    street: &str,
    postcode: &str,
    commune: &str,
) -> String {
    let type_ = street_type(type_);
    let street = words_case(street, type_.is_empty());
    let line1: Vec<String> = [num.trim().to_string(), repetition(rep), type_, street]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let line2: Vec<String> = [postcode.trim().to_string(), place_case(commune)]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let parts: Vec<String> = [line1.join(" "), line2.join(" ")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    truncate(parts.join(", "), 300)
}

/// The website when it is one ([`crate::text::web_address`]): http(s) kept, a bare domain gets
/// `https://`, anything else is dropped.
pub fn website(s: &str) -> String {
    crate::text::web_address(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_streets_and_websites_are_made_readable() {
        assert_eq!(
            readable_case("COMITE DES FETES  DE SAINT PLACIDE"),
            "Comite des fetes de saint placide"
        );
        assert_eq!(readable_case("ÉCOLE DE MUSIQUE"), "École de musique");
        assert_eq!(readable_case("Les Amis du Lavoir"), "Les Amis du Lavoir");
        assert_eq!(
            place_case("CHEMIN DE LA CROIX-BLANCHE"),
            "Chemin de la Croix-Blanche"
        );
        assert_eq!(place_case("L'ILE D'YEU"), "L'Ile d'Yeu");
        assert_eq!(
            address(
                "12",
                "B",
                "AV",
                "DU GENERAL DE GAULLE",
                "49999",
                "SAINT-PLACIDE"
            ),
            "12 bis Avenue du General de Gaulle, 49999 Saint-Placide"
        );
        assert_eq!(
            address("", "", "", "", "49999", "SAINT-PLACIDE"),
            "49999 Saint-Placide"
        );
        assert_eq!(street_type("IMP"), "Impasse");
        assert_eq!(street_type("ALL"), "Allée");
        assert_eq!(website("www.club.fr"), "https://www.club.fr");
        assert_eq!(website("http://club.fr/"), "http://club.fr/");
        assert_eq!(website("club@mail.fr"), "");
        assert!(
            valid_insee("49999")
                && valid_insee("2A004")
                && !valid_insee("4999")
                && !valid_insee("49 99")
        );
        assert!(valid_rna_id("W491001234") && !valid_rna_id("491001234"));
    }

    #[test]
    fn latin1_is_decoded_and_utf8_kept() {
        assert_eq!(detect("fêtes".as_bytes()), Encoding::Utf8);
        let latin1 = [b'f', 0xEA, b't', b'e', b's', b' ', 0x9C];
        assert_eq!(detect(&latin1), Encoding::Latin1);
        assert_eq!(decode(&latin1, Encoding::Latin1), "fêtes œ");
    }
}
