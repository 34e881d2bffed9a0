//! Markdown for user-written text, rendered safely: raw HTML in the input is shown as text,
//! never passed through, and links and images keep only http(s), mailto and local targets.
//! Since the renderer only ever emits the HTML of Markdown constructs, no sanitiser is needed
//! after it.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// Renders Markdown to HTML that is safe to embed in a page.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML becomes visible text.
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        // Images from elsewhere would make readers' browsers call other sites: show a link instead.
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::End(pulldown_cmark::TagEnd::Image) => Event::End(pulldown_cmark::TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, events);
    out
}

fn safe_url(url: CowStr) -> CowStr {
    let lower = url.trim().to_ascii_lowercase();
    let allowed = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('#');
    if allowed {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown_and_neutralises_html_and_scripts() {
        let html = render("**Fête** du pain\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://ex.org)");
        assert!(html.contains("<strong>Fête</strong>"));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("href=\"#\""));
        assert!(html.contains("href=\"https://ex.org\""));
        let img = render("![pic](https://tracker.example/p.png)");
        assert!(!img.contains("<img"), "{img}");
    }
}
