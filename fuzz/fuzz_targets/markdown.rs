//! User-written Markdown (descriptions, later news and events): `web::markdown::render`. The
//! output is checked as a browser would read it: only the tags and attributes of Markdown
//! constructs, never `<script`, and no link a click would run as script (`javascript:`,
//! `vbscript:`, `data:`...) once entities are decoded and tabs and newlines dropped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::web::markdown::render;

const TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "strong",
    "del",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// Which attributes each tag may carry.
fn attribute_allowed(tag: &str, name: &str, value: &str) -> bool {
    match (tag, name) {
        ("a", "href" | "title") => true,
        ("ol", "start") => value.bytes().all(|b| b.is_ascii_digit()),
        ("code", "class") => value.starts_with("language-"),
        ("th" | "td", "style") => {
            matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
        }
        _ => false,
    }
}

/// An attribute value as the browser sees it: HTML character references decoded.
fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').expect("a character reference ends with ;");
        let name = &rest[1..end];
        let c = match name {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            n if n.starts_with("#x") || n.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&n[2..], 16).expect("hex reference"))
                    .expect("a character")
            }
            n if n.starts_with('#') => {
                char::from_u32(n[1..].parse().expect("decimal reference")).expect("a character")
            }
            n => panic!("unexpected entity &{n}; in {v:?}"),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The scheme a browser would give this href (WHATWG URL parsing: leading and trailing C0
/// controls and spaces stripped, tabs and newlines removed anywhere), lower case.
fn scheme(href: &str) -> Option<String> {
    let url: String = href
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = url.find(':')?;
    let candidate = &url[..end];
    let is_scheme = candidate
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| candidate.to_ascii_lowercase())
}

fn check(html: &str, input: &str) {
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "{input:?} → {html}"
    );
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        if closing {
            rest = &rest[1..];
        }
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .expect("a tag ends");
        let tag = &rest[..name_end];
        assert!(TAGS.contains(&tag), "tag <{tag}> from {input:?} → {html}");
        rest = &rest[name_end..];
        loop {
            rest = rest.trim_start_matches(' ');
            if let Some(r) = rest.strip_prefix('>').or_else(|| rest.strip_prefix("/>")) {
                rest = r;
                break;
            }
            assert!(!closing, "attributes on </{tag}> in {html}");
            let eq = rest.find("=\"").expect("attribute=\"value\"");
            let name = &rest[..eq];
            let value_end = rest[eq + 2..].find('"').expect("a closing quote") + eq + 2;
            let value = unescape(&rest[eq + 2..value_end]);
            assert!(
                attribute_allowed(tag, name, &value),
                "<{tag} {name}={value:?}> from {input:?}"
            );
            if name == "href" {
                if let Some(s) = scheme(&value) {
                    assert!(
                        matches!(s.as_str(), "http" | "https" | "mailto"),
                        "href {value:?} from {input:?}"
                    );
                }
            }
            rest = &rest[value_end + 1..];
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let html = render(input);
    check(&html, input);
});
