//! Outgoing mail: lettre over SMTP to the relay the admin configured, or, when none is
//! configured, `.eml` files in the data dir's outbox (the admin page says so).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::smtp::{Smtp, SmtpSecurity};

/// A plain-text mail to one recipient.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Where answers go, when the sender agreed to share their address with the recipient.
    pub reply_to: Option<String>,
}

impl Mail {
    /// A mail without Reply-To.
    pub fn new(to: impl Into<String>, subject: impl Into<String>, text: impl Into<String>) -> Mail {
        Mail {
            to: to.into(),
            subject: subject.into(),
            text: text.into(),
            reply_to: None,
        }
    }
}

/// Where a mail went.
#[derive(Debug, PartialEq)]
pub enum Delivery {
    /// Handed to the SMTP relay.
    Relay,
    /// Written to this file because no relay is configured.
    File(PathBuf),
}

/// Sends mail according to the current SMTP settings.
pub struct Mailer {
    outbox: PathBuf,
}

impl Mailer {
    /// A mailer writing to `outbox` when no relay is configured.
    pub fn new(outbox: PathBuf) -> Mailer {
        Mailer { outbox }
    }

    /// The folder of `.eml` files.
    pub fn outbox(&self) -> &PathBuf {
        &self.outbox
    }

    /// Sends one mail; `site_name` names the sender when the relay has no explicit sender.
    pub async fn send(
        &self,
        smtp: &Smtp,
        site_name: &str,
        mail: Mail,
    ) -> Result<Delivery, AppError> {
        self.send_unsubscribable(smtp, site_name, mail, None).await
    }

    /// Sends one mail that, with `unsubscribe` (an https URL), carries RFC 8058's one-click
    /// `List-Unsubscribe` and `List-Unsubscribe-Post` headers.
    pub async fn send_unsubscribable(
        &self,
        smtp: &Smtp,
        site_name: &str,
        mail: Mail,
        unsubscribe: Option<&str>,
    ) -> Result<Delivery, AppError> {
        let message = build_message(smtp, site_name, &mail, unsubscribe)?;
        if smtp.host.trim().is_empty() {
            let path = self.write_file(message.formatted()).await?;
            log::info!(
                "no SMTP relay configured: mail to {} written to {}",
                mail.to,
                path.display()
            );
            return Ok(Delivery::File(path));
        }
        transport(smtp)?
            .send(message)
            .await
            .map_err(|e| AppError::msg(format!("SMTP relay {}:{}: {e}", smtp.host, smtp.port)))?;
        Ok(Delivery::Relay)
    }

    /// Sends one mail per recipient, each written in the recipient's language (or `default`)
    /// by `build(lang, address)`. Failures are logged; returns how many mails went out.
    pub async fn send_each(
        &self,
        smtp: &Smtp,
        site_name: &str,
        recipients: Vec<(String, Option<Lang>)>,
        default: Lang,
        build: impl Fn(Lang, String) -> Mail,
    ) -> usize {
        let mut sent = 0;
        for (to, lang) in recipients {
            match self
                .send(smtp, site_name, build(lang.unwrap_or(default), to))
                .await
            {
                Ok(_) => sent += 1,
                Err(e) => log::error!("mail not sent: {e}"),
            }
        }
        sent
    }

    /// Writes a formatted mail to the outbox (no relay configured); returns its path.
    pub async fn write_file(&self, bytes: Vec<u8>) -> Result<PathBuf, AppError> {
        let dir = self.outbox.clone();
        actix_web::web::block(move || -> Result<PathBuf, AppError> {
            std::fs::create_dir_all(&dir)?;
            let name = format!("{}-{:08x}.eml", crate::db::now(), rand::random::<u32>());
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, &bytes)?;
            let path = dir.join(name);
            std::fs::rename(&tmp, &path)?;
            Ok(path)
        })
        .await?
    }
}

/// The sender of every mail: the saved or derived one ([`Smtp::sender`]). With a relay and
/// no sender a provider would take, nothing is sent: a mail from `placette@localhost` is
/// refused or filed as spam, and the admin page says what to fill in. Without a relay the
/// mail only lands in the outbox folder, where a placeholder sender harms no one.
pub fn sender_address(smtp: &Smtp) -> Result<String, AppError> {
    match smtp.sender() {
        Some(from) => Ok(from.to_string()),
        None if smtp.relay() => Err(AppError::msg(format!(
            "no usable sender address (saved: {:?}) and none can be derived from the public \
             address: set the sender on the admin page",
            smtp.from.trim()
        ))),
        None => Ok("placette@localhost".to_string()),
    }
}

fn build_message(
    smtp: &Smtp,
    site_name: &str,
    mail: &Mail,
    unsubscribe: Option<&str>,
) -> Result<Message, AppError> {
    let from_addr = sender_address(smtp)?;
    let from: Mailbox = match from_addr.parse::<Mailbox>() {
        Ok(mb) if mb.name.is_some() => mb,
        Ok(mb) => Mailbox::new(Some(site_name.to_string()), mb.email),
        Err(e) => return Err(AppError::msg(format!("sender address {from_addr:?}: {e}"))),
    };
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| AppError::msg(format!("recipient address: {e}")))?;
    let mut builder = Message::builder().from(from).to(to);
    if let Some(reply) = &mail.reply_to {
        let mb: Mailbox = reply
            .parse()
            .map_err(|e| AppError::msg(format!("reply-to address: {e}")))?;
        builder = builder.reply_to(mb);
    }
    if let Some(url) = unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    builder
        .subject(&mail.subject)
        .singlepart(
            // Quoted-printable keeps the text (and its links) readable in any mail client.
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(mail.text.clone()),
        )
        .map_err(|e| AppError::msg(format!("building mail: {e}")))
}

fn transport(smtp: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, AppError> {
    let host = smtp.host.trim();
    let builder = match smtp.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| AppError::msg(format!("SMTP relay {host}: {e}")))?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|e| AppError::msg(format!("SMTP relay {host}: {e}")))?,
    };
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(15)));
    if !smtp.user.is_empty() {
        builder = builder.credentials(Credentials::new(smtp.user.clone(), smtp.password.clone()));
    }
    Ok(builder.build())
}

/// A plausible email address (the relay has the last word).
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
        && s.parse::<lettre::Address>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(host: &str, from: &str, default_from: &str) -> Smtp {
        Smtp {
            host: host.into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            user: String::new(),
            password: String::new(),
            from: from.into(),
            default_from: default_from.into(),
        }
    }

    fn from_header(s: &Smtp) -> Result<String, AppError> {
        let m = build_message(
            s,
            "Saint-Placide",
            &Mail::new("a@b.example", "s", "t"),
            None,
        )?;
        let text = String::from_utf8(m.formatted()).unwrap();
        Ok(text
            .lines()
            .find(|l| l.starts_with("From: "))
            .unwrap()
            .to_string())
    }

    #[test]
    fn a_relay_without_a_real_sender_sends_nothing() {
        assert!(from_header(&smtp("smtp.example.org", "", "")).is_err());
        assert!(from_header(&smtp("smtp.example.org", "placette@localhost", "")).is_err());
        assert_eq!(
            from_header(&smtp("smtp.example.org", "", "placette@village.example")).unwrap(),
            "From: Saint-Placide <placette@village.example>"
        );
        assert_eq!(
            from_header(&smtp(
                "smtp.example.org",
                "Mairie <mairie@village.example>",
                ""
            ))
            .unwrap(),
            "From: Mairie <mairie@village.example>"
        );
        // No relay: the mail only goes to the outbox folder.
        assert!(from_header(&smtp("", "", ""))
            .unwrap()
            .contains("@localhost"));
    }
}
