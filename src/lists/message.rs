//! One mailing as a message to one subscriber: plain text and HTML alternatives, `List-Id`,
//! `List-Unsubscribe` (https and mailto) with the subscriber's own token,
//! `List-Unsubscribe-Post` (RFC 8058), a visible unsubscribe link. No tracking pixel, no
//! link rewriting: the text is the editors' text.

use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use maud::{html, PreEscaped, DOCTYPE};

use super::{List, Mailing};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::settings::Smtp;
use crate::web::markdown;

/// What a message needs besides the mailing.
pub struct Envelope<'a> {
    pub smtp: &'a Smtp,
    /// The site's public address, without a trailing slash.
    pub base_url: &'a str,
    pub to: &'a str,
    pub lang: Lang,
    /// The subscriber's unsubscribe token (`None` in a preview).
    pub unsubscribe_token: Option<&'a str>,
    /// The subscriber's id (part of the stable Message-ID).
    pub subscriber_id: i64,
}

/// The host name of a base URL (`https://placette.example.org:8080` -> `placette.example.org`).
pub fn host_of(base_url: &str) -> String {
    let rest = base_url.split("://").nth(1).unwrap_or(base_url);
    let host = rest.split(['/', ':']).next().unwrap_or("localhost");
    if host.is_empty() {
        "localhost".into()
    } else {
        host.to_string()
    }
}

/// The unsubscribe page of a token.
pub fn unsubscribe_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/lists/u/{token}")
}

/// The plain-text version: the editors' text, then the footer.
pub fn text(list: &List, m: &Mailing, lang: Lang, unsubscribe: &str) -> String {
    format!(
        "{}\n\n-- \n{}\n{}\n{}\n",
        m.body.trim_end(),
        lang.tf(
            "lists.mail_footer",
            &[
                ("list", &list.name),
                ("frequency", &list.frequency.describe(lang))
            ]
        ),
        lang.t("lists.mail_unsubscribe"),
        unsubscribe
    )
}

/// The HTML version: the text rendered as safe Markdown, then the footer with the link.
pub fn html(list: &List, m: &Mailing, lang: Lang, unsubscribe: &str) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { (m.subject) } }
            body style="font-family: sans-serif; max-width: 40em; margin: auto; line-height: 1.5" {
                (PreEscaped(markdown::render(&m.body)))
                hr;
                p style="font-size: 0.9em; color: #555" {
                    (lang.tf("lists.mail_footer", &[("list", &list.name), ("frequency", &list.frequency.describe(lang))]))
                    br;
                    a href=(unsubscribe) { (lang.t("lists.mail_unsubscribe").trim_end_matches([':', ' ', '\u{a0}'])) }
                }
            }
        }
    }
    .into_string()
}

fn raw(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

fn sender(smtp: &Smtp, list: &List) -> Result<Mailbox, AppError> {
    // The instance's sender, never `placette@localhost` through a relay.
    let addr = crate::mail::sender_address(smtp)?;
    let mb: Mailbox = addr
        .parse()
        .map_err(|e| AppError::msg(format!("sender address {addr:?}: {e}")))?;
    Ok(Mailbox::new(Some(list.name.clone()), mb.email))
}

/// The DKIM signature settings from the admin's domain, selector and RSA key (PKCS#1 PEM);
/// `Err` with the reason when the key cannot be read. The list headers are signed too, as
/// the large providers ask for one-click unsubscribe.
pub fn dkim_config(domain: &str, selector: &str, pem: &str) -> Result<DkimConfig, String> {
    let key =
        DkimSigningKey::new(pem.trim(), DkimSigningAlgorithm::Rsa).map_err(|e| e.to_string())?;
    // Not Content-Type: lettre writes a multipart's Content-Type with the body, so its signer
    // would not find it among the headers and the signature would not verify.
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Id",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "MIME-Version",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect();
    Ok(DkimConfig::new(
        selector.trim().to_string(),
        domain.trim().to_string(),
        key,
        headers,
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// The message to one subscriber. Its Message-ID is stable per (mailing, subscriber), so
/// the one copy that could be sent twice after a crash (see `tasks`) is the same message.
pub fn build(list: &List, m: &Mailing, env: &Envelope) -> Result<Message, AppError> {
    let from = sender(env.smtp, list)?;
    let to: Mailbox = env
        .to
        .parse()
        .map_err(|e| AppError::msg(format!("recipient address: {e}")))?;
    let host = host_of(env.base_url);
    let token = env.unsubscribe_token.unwrap_or("preview");
    let https = unsubscribe_url(env.base_url, token);
    let mailto = format!("mailto:{}?subject=unsubscribe%20{}", from.email, token);
    let text_part = text(list, m, env.lang, &https);
    let html_part = html(list, m, env.lang, &https);
    Message::builder()
        .from(from)
        .to(to)
        .subject(&m.subject)
        .message_id(Some(format!(
            "<list-{}-{}-{}@{host}>",
            list.id, m.id, env.subscriber_id
        )))
        .raw_header(raw("List-Id", list.list_id(&host)))
        .raw_header(raw("List-Unsubscribe", format!("<{https}>, <{mailto}>")))
        .raw_header(raw(
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".into(),
        ))
        .raw_header(raw(
            "List-Archive",
            format!("<{}/lists/{}/archive>", env.base_url, list.slug),
        ))
        .raw_header(raw("Precedence", "list".into()))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(text_part),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(html_part),
                ),
        )
        .map_err(|e| AppError::msg(format!("building mail: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_come_from_the_public_address() {
        assert_eq!(
            host_of("https://placette.example.org"),
            "placette.example.org"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of(""), "localhost");
    }
}
