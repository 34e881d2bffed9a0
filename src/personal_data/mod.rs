//! Personal data in public text: email addresses, French phone numbers, French social security
//! numbers (NIR) and IBANs, found so that what is published can show « [adresse masquée] »
//! instead (the government's guidance for public pages: personal data posted publicly is
//! stripped and answered privately).
//!
//! Written by hand, without regular expressions: each kind is a small scanner over the text,
//! and the numbers that carry a key (NIR, IBAN) are only found when their mod-97 key holds, so
//! that dates, prices, SIRET numbers, postal codes and RNA ids are left alone (see the corpus in
//! the tests).

use crate::i18n::Lang;

pub mod masking;
pub mod store;
pub mod views;

/// A field's text as published (masked) and, when it held personal data, as its author typed
/// it: the published columns hold `public`, and `store::keep` files the original aside, seen
/// only by its author and the moderators (and purged for good by a moderator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shielded {
    pub public: String,
    pub original: Option<String>,
    pub found: Vec<Kind>,
}

/// Masks `text` in the instance's language (what every surface will show).
pub fn shield(text: &str, lang: Lang) -> Shielded {
    let found = find(text);
    if found.is_empty() {
        return Shielded {
            public: text.to_string(),
            original: None,
            found: Vec::new(),
        };
    }
    let mut unique: Vec<Kind> = Vec::new();
    for f in &found {
        if !unique.contains(&f.kind) {
            unique.push(f.kind);
        }
    }
    Shielded {
        public: mask(text, lang),
        original: Some(text.to_string()),
        found: unique,
    }
}

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Email,
    Phone,
    /// A French social security number (numéro d'inscription au répertoire).
    Nir,
    Iban,
}

impl Kind {
    /// Its name in storage ('email', 'phone', 'nir', 'iban').
    pub fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Nir => "nir",
            Kind::Iban => "iban",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "email" => Some(Kind::Email),
            "phone" => Some(Kind::Phone),
            "nir" => Some(Kind::Nir),
            "iban" => Some(Kind::Iban),
            _ => None,
        }
    }

    /// The key of its name in a sentence (« une adresse e-mail »).
    pub fn label_key(self) -> &'static str {
        match self {
            Kind::Email => "personal.kind_email",
            Kind::Phone => "personal.kind_phone",
            Kind::Nir => "personal.kind_nir",
            Kind::Iban => "personal.kind_iban",
        }
    }

    /// The key of the text that replaces it on public surfaces.
    pub fn mask_key(self) -> &'static str {
        match self {
            Kind::Email => "personal.email_masked",
            Kind::Phone => "personal.phone_masked",
            Kind::Nir => "personal.nir_masked",
            Kind::Iban => "personal.iban_masked",
        }
    }
}

/// One piece of personal data: its kind and its byte range in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Every piece of personal data in `text`, in order, never overlapping.
pub fn find(text: &str) -> Vec<Found> {
    let mut all = emails(text);
    for f in numbers(text) {
        if !all.iter().any(|e| f.start < e.end && e.start < f.end) {
            all.push(f);
        }
    }
    all.sort_by_key(|f| f.start);
    all
}

/// `text` with each piece of personal data replaced by « [adresse masquée] » and the like.
pub fn mask(text: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in find(text) {
        out.push_str(&text[at..f.start]);
        out.push_str(lang.t(f.kind.mask_key()));
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// Email addresses: a local part, `@`, and a domain with a dot and a top-level name of letters.
fn emails(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local_char(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let local = text[start..at].trim_start_matches('.');
        let start = at - local.len();
        let rest = &text[at + 1..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !is_domain_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        let domain = rest[..len].trim_end_matches(['.', '-']);
        let tld = domain.rsplit('.').next().unwrap_or("");
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.contains("..")
            && tld.chars().count() >= 2
            && tld.chars().all(char::is_alphabetic);
        if ok && !out.iter().any(|f: &Found| f.end > start) {
            out.push(Found {
                kind: Kind::Email,
                start,
                end: at + 1 + domain.len(),
            });
        }
    }
    out
}

/// A separator inside a written number: space (also non-breaking), dot or dash.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '\u{a0}' | '\u{202f}')
}

/// Runs of digits and separators (and the letters a NIR or an IBAN holds), then each run read
/// as a phone number, a NIR or an IBAN.
fn numbers(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let before_ok = i == 0 || !chars[i - 1].1.is_alphanumeric();
        let opens = c.is_ascii_digit() || c == '+' || c.is_ascii_uppercase();
        if !(before_ok && opens) {
            i += 1;
            continue;
        }
        // The longest run of characters a written number may hold.
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            let ok = c.is_ascii_alphanumeric()
                || (j == i && c == '+')
                || ((is_separator(c) || c == '(' || c == ')')
                    && chars
                        .get(j + 1)
                        .is_some_and(|n| n.1.is_ascii_alphanumeric() || n.1 == '(' || n.1 == '0'));
            if !ok {
                break;
            }
            j += 1;
        }
        let end_byte = chars.get(j).map_or(text.len(), |(b, _)| *b);
        let run = &text[start..end_byte];
        match read_number(run) {
            Some((kind, len)) => {
                out.push(Found {
                    kind,
                    start,
                    end: start + len,
                });
                i += run[..len].chars().count();
            }
            None => {
                // Try again from the next word of the run.
                let skip = run
                    .char_indices()
                    .skip(1)
                    .find(|(_, c)| is_separator(*c))
                    .map_or(run.chars().count(), |(b, _)| run[..b].chars().count());
                i += skip.max(1);
            }
        }
    }
    out
}

/// The longest prefix of `run` that is a phone number, a NIR or an IBAN, and its byte length;
/// the prefix must end at a word boundary of the run.
fn read_number(run: &str) -> Option<(Kind, usize)> {
    // Every prefix ending after an alphanumeric character, longest first.
    let ends: Vec<usize> = run
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric() || *c == ')')
        .map(|(b, c)| b + c.len_utf8())
        .filter(|&e| {
            run[e..]
                .chars()
                .next()
                .is_none_or(|n| is_separator(n) || n == '(' || n == ')')
        })
        .collect();
    for &e in ends.iter().rev() {
        let s = &run[..e];
        match classify(s) {
            // A phone number is a whole run of digits: `06 12 34 56 78 90 12` is none.
            Some(Kind::Phone) if run[e..].chars().nth(1).is_some_and(|c| c.is_ascii_digit()) => {}
            Some(kind) => return Some((kind, e)),
            None => {}
        }
    }
    None
}

fn classify(s: &str) -> Option<Kind> {
    let compact: String = s
        .chars()
        .filter(|c| !is_separator(*c) && *c != '(' && *c != ')')
        .collect();
    if is_phone(s, &compact) {
        Some(Kind::Phone)
    } else if is_nir(&compact) {
        Some(Kind::Nir)
    } else if is_iban(&compact) {
        Some(Kind::Iban)
    } else {
        None
    }
}

/// French numbers: `06 12 34 56 78`, `06.12.34.56.78`, `0612345678`, `+33 6 12 34 56 78`,
/// `+33 (0)6 12 34 56 78`, `0033 6 12 34 56 78`.
fn is_phone(written: &str, compact: &str) -> bool {
    if !compact.chars().skip(1).all(|c| c.is_ascii_digit()) {
        return false;
    }
    let national = if let Some(rest) = compact.strip_prefix("+33") {
        rest.strip_prefix('0')
            .filter(|_| written.contains("(0)"))
            .unwrap_or(rest)
    } else if let Some(rest) = compact.strip_prefix("0033") {
        rest
    } else if let Some(rest) = compact.strip_prefix('0') {
        // A national number: the 0 then nine digits; its groups are the usual pairs (or none).
        let groups: Vec<&str> = written.split(is_separator).collect();
        let paired = groups.len() == 1 || groups.iter().all(|g| g.len() == 2);
        if !paired {
            return false;
        }
        rest
    } else {
        return false;
    };
    national.len() == 9
        && national.starts_with(['1', '2', '3', '4', '5', '6', '7', '8', '9'])
        && national.chars().all(|c| c.is_ascii_digit())
}

/// A NIR: sex, year, month, département (2A/2B for Corsica), commune, order, then the key
/// `97 - (number mod 97)`, with 2A read as 19 and 2B as 18 for the computation.
fn is_nir(compact: &str) -> bool {
    if compact.len() != 15 || !compact.is_ascii() {
        return false;
    }
    let (body, key) = compact.split_at(13);
    let dept = &body[5..7];
    let corsica = match dept {
        "2A" => Some(1_000_000),
        "2B" => Some(2_000_000),
        _ => None,
    };
    let digits: String = body.replace("2A", "19").replace("2B", "18");
    if !digits.chars().all(|c| c.is_ascii_digit()) || !key.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let sex = body.as_bytes()[0];
    let month: u32 = body[3..5].parse().unwrap_or(0);
    if !matches!(sex, b'1' | b'2' | b'3' | b'4' | b'7' | b'8')
        || !((1..=12).contains(&month) || (20..=42).contains(&month) || (50..=99).contains(&month))
    {
        return false;
    }
    let Ok(mut n) = digits.parse::<u64>() else {
        return false;
    };
    // The key of a Corsican number is computed on the number with 2A/2B read as 19/18 minus
    // 1,000,000 / 2,000,000 (the INSEE rule).
    if let Some(minus) = corsica {
        n -= minus;
    }
    let Ok(key) = key.parse::<u64>() else {
        return false;
    };
    97 - n % 97 == key
}

/// An IBAN: two letters, two check digits, then up to 30 letters and digits, valid when the
/// number made of its rearranged characters is 1 modulo 97.
fn is_iban(compact: &str) -> bool {
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        find(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect()
    }

    #[test]
    fn what_residents_post_is_found() {
        let cases: &[(&str, Kind, &str)] = &[
            (
                "Écrivez à jeanne.martin@orange.fr.",
                Kind::Email,
                "jeanne.martin@orange.fr",
            ),
            (
                "contact: comite+fetes@village-49.fr, merci",
                Kind::Email,
                "comite+fetes@village-49.fr",
            ),
            ("Appelez le 06 12 34 56 78 !", Kind::Phone, "06 12 34 56 78"),
            ("tél. 06.12.34.56.78", Kind::Phone, "06.12.34.56.78"),
            ("tél 06-12-34-56-78", Kind::Phone, "06-12-34-56-78"),
            ("0612345678 le soir", Kind::Phone, "0612345678"),
            ("Mairie : 02 41 00 00 00", Kind::Phone, "02 41 00 00 00"),
            ("+33 6 12 34 56 78", Kind::Phone, "+33 6 12 34 56 78"),
            ("+33612345678", Kind::Phone, "+33612345678"),
            ("+33 (0)6 12 34 56 78", Kind::Phone, "+33 (0)6 12 34 56 78"),
            ("0033 6 12 34 56 78", Kind::Phone, "0033 6 12 34 56 78"),
            (
                "n° sécu 1 85 05 78 006 084 91",
                Kind::Nir,
                "1 85 05 78 006 084 91",
            ),
            ("NIR 185057800608491", Kind::Nir, "185057800608491"),
            (
                "née en Corse 2 90 03 2A 004 012 61",
                Kind::Nir,
                "2 90 03 2A 004 012 61",
            ),
            (
                "IBAN FR76 3000 6000 0112 3456 7890 189",
                Kind::Iban,
                "FR76 3000 6000 0112 3456 7890 189",
            ),
            (
                "virement sur FR7630006000011234567890189 svp",
                Kind::Iban,
                "FR7630006000011234567890189",
            ),
        ];
        for (text, kind, found) in cases {
            assert_eq!(kinds(text), vec![(*kind, *found)], "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_personal_data_are_left_alone() {
        for text in [
            "Le 02/03/2027 à 18h30, le 2027-03-02",
            "Prix : 12,50 € ou 1 200 € ; 3 500 000 habitants",
            "SIRET 362 521 879 00034 ; SIREN 362 521 879",
            "Mairie, 49000 Angers ; 49 100",
            "Association W491002345 déclarée",
            "Réunion salle 12, de 14h à 18h, 25 places",
            "Année 2026-2027, saison 12-13",
            "1 85 05 78 006 084 90 (clé fausse)",
            "FR76 3000 6000 0112 3456 7890 188 (IBAN faux)",
            "06 12 34 56 (trop court), 06 12 34 56 78 90 12 (trop long)",
            "@jeanne sur Mastodon, x@y, a@b.c",
            "version 1.2.3.4 et 10.0.0.1",
        ] {
            assert_eq!(kinds(text), vec![], "{text}");
        }
    }

    #[test]
    fn masking_keeps_the_rest_of_the_text() {
        let text = "Écrivez à jeanne@orange.fr ou au 06 12 34 56 78.";
        assert_eq!(
            mask(text, Lang::Fr),
            "Écrivez à [adresse masquée] ou au [téléphone masqué]."
        );
        assert_eq!(
            mask(text, Lang::En),
            "Écrivez à [address hidden] ou au [phone number hidden]."
        );
        assert_eq!(mask("Rien à masquer.", Lang::Fr), "Rien à masquer.");
    }

    #[test]
    fn the_nir_key_and_the_iban_check_are_the_official_ones() {
        // 1 85 05 78 006 084: 1850578006084 mod 97 = 6, key 97 - 6 = 91.
        assert!(is_nir("185057800608491"));
        assert!(!is_nir("185057800608490"));
        // Corsica: 2A read as 19 minus 1,000,000.
        let body = "290032A004012";
        let n: u64 = "2900319004012".parse::<u64>().unwrap() - 1_000_000;
        let key = 97 - n % 97;
        assert!(is_nir(&format!("{body}{key:02}")));
        assert!(is_iban("GB82WEST12345698765432"));
        assert!(is_iban("DE89370400440532013000"));
        assert!(!is_iban("DE89370400440532013001"));
    }

    #[test]
    fn odd_text_never_breaks_it() {
        for t in [
            "",
            "@",
            "a@",
            "@b.fr",
            "+",
            "+33",
            "0",
            "é@é.fr",
            "06 12 34 56 78\u{a0}",
            "FR76",
            "((0)",
            "+33 (0",
            "2A",
            "x\u{202f}06 12 34 56 78",
            "ééé 06 12 34 56 78 ééé",
            "2B2B2B",
        ] {
            let masked = mask(t, Lang::Fr);
            assert!(masked.len() >= t.len().min(1) || t.is_empty(), "{t}");
        }
        assert_eq!(
            mask("ééé 06 12 34 56 78 ééé", Lang::Fr),
            "ééé [téléphone masqué] ééé"
        );
    }
}
