//! Text every module shares: slugs made from names, tags as typed, fields cut to a length, and
//! text made safe for XML.

/// `s` trimmed and cut to `max` characters, with no space left at the cut.
pub fn clip(s: &str, max: usize) -> String {
    let cut: String = s.trim().chars().take(max).collect();
    cut.trim_end().to_string()
}

/// Splits, trims, lower-cases and de-duplicates comma-separated tags.
pub fn parse_tags(s: &str) -> Vec<String> {
    let mut tags: Vec<String> = s
        .split([',', ';'])
        .map(|t| {
            let bare = t.trim_start_matches(|c: char| c == '#' || c.is_whitespace());
            clip(&bare.to_lowercase(), 40)
        })
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    tags.truncate(20);
    tags
}

/// A URL-safe identifier from a name: « Fête du Pain ! » → `fete-du-pain` (whole words, 60
/// characters at most).
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for word in crate::i18n::fold(name).split(' ').filter(|w| !w.is_empty()) {
        if slug.len() + word.len() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        "acteur".to_string()
    } else {
        slug
    }
}

/// The first `max` characters of a text on one line, cut at a word, with an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '#' | '`' | '>'))
        .collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end())
}

/// A free text cell that a spreadsheet would run as a formula gets a leading apostrophe
/// (OWASP "CSV injection"): every CSV the site writes passes its text cells through here.
pub fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The text of a little HTML (what peers put in `content`): paragraphs and line breaks as
/// new lines, tags dropped, the common entities decoded. Not a sanitiser: the result is text.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap_or("");
        if matches!(name, "br" | "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4")
            && (name == "br" || tag.starts_with('/'))
        {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Whether XML 1.0 allows a character in a document (its `Char` production): everything but
/// the C0 controls other than tab, line feed and carriage return, and U+FFFE and U+FFFF (the
/// surrogates it also excludes cannot occur in a Rust string). One such character in a title
/// makes a whole feed unreadable for every subscriber.
pub fn xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Text for XML character data and attribute values: markup characters escaped, characters
/// XML 1.0 forbids dropped. Every XML document the site writes (the agenda's, the news' and
/// the lists' RSS) passes its text through here.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !xml_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A website as people type it, as a link: `https://…` and `http://…` are kept, a bare domain
/// (`comite-fetes.fr`, `www.club.fr/agenda`) is completed to `https://`. None when it is not a
/// web address (spaces, an e-mail address, another scheme, no domain, over 300 characters).
pub fn web_address(s: &str) -> Option<String> {
    let s = s.trim();
    let lower = s.to_lowercase();
    let (url, rest) = if lower.starts_with("https://") || lower.starts_with("http://") {
        let after = &s[s.find("//")? + 2..];
        (s.to_string(), after)
    } else if lower.contains("://") || lower.starts_with("mailto:") {
        return None;
    } else {
        (format!("https://{s}"), s)
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    let host_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && tld.chars().count() >= 2
        && (tld.chars().all(char::is_alphabetic) || tld.starts_with("xn--"));
    (host_ok && url.len() <= 300 && !url.contains(char::is_whitespace)).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_completed_or_refused() {
        for (typed, link) in [
            ("comite-fetes.fr", Some("https://comite-fetes.fr")),
            (" www.club.fr/agenda ", Some("https://www.club.fr/agenda")),
            ("fête-du-pain.fr", Some("https://fête-du-pain.fr")),
            ("https://comite-fetes.fr/", Some("https://comite-fetes.fr/")),
            ("HTTP://Club.fr", Some("HTTP://Club.fr")),
            (
                "http://localhost.test:8080/x",
                Some("http://localhost.test:8080/x"),
            ),
            ("pas un site", None),
            ("club@mail.fr", None),
            ("javascript:alert(1)", None),
            ("ftp://club.fr", None),
            ("comite", None),
            ("comite.", None),
            ("-a.fr", None),
            ("https://", None),
            ("1.2.3.4", None),
            ("", None),
        ] {
            assert_eq!(web_address(typed).as_deref(), link, "{typed:?}");
        }
    }

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            xml_escape("<b>\"Tom & Jerry's\"</b>\u{1}"),
            "&lt;b&gt;&quot;Tom &amp; Jerry&apos;s&quot;&lt;/b&gt;"
        );
        assert_eq!(xml_escape("a\u{b}b\u{0}c\u{1f}d\u{fffe}\u{ffff}e"), "abcde");
        // Tab, line breaks, DEL, the C1 range and other characters are allowed.
        assert_eq!(
            xml_escape("a\tb\nc\rd\u{7f}\u{85}é\u{fffd}😀"),
            "a\tb\nc\rd\u{7f}\u{85}é\u{fffd}😀"
        );
    }

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("**Fête** du\n\npain", 80), "Fête du pain");
        assert_eq!(excerpt("un deux trois quatre", 10), "un deux…");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(spreadsheet_safe("=cmd()"), "'=cmd()");
        assert_eq!(spreadsheet_safe("Marché"), "Marché");
    }

    #[test]
    fn slugs_fold_french_accents() {
        assert_eq!(slugify("Fête du Pain !"), "fete-du-pain");
        assert_eq!(slugify("Œuvre d'art — Cœur"), "oeuvre-d-art-coeur");
        assert_eq!(slugify("???"), "acteur");
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            parse_tags("Jardin, #compost ; jardin,  "),
            vec!["compost", "jardin"]
        );
        // Found by the fuzzer: a space after `#` or at a cut stayed in tags and cut fields.
        let (j, a) = ("j".repeat(39), "a".repeat(299));
        assert_eq!(parse_tags(&format!("# pain, {j} des")), [&j[..], "pain"]);
        assert_eq!(clip(&format!(" {a} 1"), 300), a);
    }
}
