//! The SMTP relay as the admin configures it, and what a sender must be for mail providers to
//! take it (a domain of the internet, never `placette@localhost`). Used by `mail` to send and
//! by `settings` to store and check the form.

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

impl SmtpSecurity {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::None => "none",
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<SmtpSecurity> {
        match s {
            "none" => Some(SmtpSecurity::None),
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" => Some(SmtpSecurity::Tls),
            _ => None,
        }
    }
}

/// The SMTP relay the admin configured; an empty host means "write .eml files".
#[derive(Clone, Debug, PartialEq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: String,
    pub password: String,
    /// The sender as saved (`Name <address>` or an address); may be empty.
    pub from: String,
    /// `placette@` the domain of the recorded public address, or empty when that address has
    /// no domain a mail provider would accept (an IP, `localhost`): the sender when `from`
    /// is empty (settings saved before a sender was required).
    pub default_from: String,
}

impl Smtp {
    /// Whether mail goes to a relay (an empty host writes `.eml` files instead).
    pub fn relay(&self) -> bool {
        !self.host.trim().is_empty()
    }

    /// The sender mails go out from: the saved one, else the one derived from the public
    /// address; `None` when neither has a real domain (never `placette@localhost`).
    pub fn sender(&self) -> Option<&str> {
        let from = self.from.trim();
        if !from.is_empty() {
            return sender_problem(from).is_none().then_some(from);
        }
        let derived = self.default_from.trim();
        (!derived.is_empty()).then_some(derived)
    }
}

/// What is wrong with a sender as typed: the translation key of the reason, `None` when a
/// mail provider would take it (`Mairie <mairie@village.fr>` or `mairie@village.fr`).
pub fn sender_problem(from: &str) -> Option<&'static str> {
    match from.trim().parse::<lettre::message::Mailbox>() {
        Err(_) => Some("settings.from_invalid"),
        Ok(mb) if !mail_domain_ok(mb.email.domain()) => Some("settings.from_no_domain"),
        Ok(_) => None,
    }
}

/// Whether a mail domain can be reached from the internet: a dotted name, not `localhost`,
/// not a name of the local network only (`.local`, `.lan`, ...), not an IP address.
pub fn mail_domain_ok(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    const LOCAL: [&str; 6] = [
        "localhost",
        "local",
        "localdomain",
        "lan",
        "internal",
        "home.arpa",
    ];
    let local = LOCAL
        .iter()
        .any(|l| d == *l || d.ends_with(&format!(".{l}")));
    let ip = d.starts_with('[') || d.parse::<std::net::IpAddr>().is_ok();
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    d.contains('.') && labels_ok && !local && !ip
}

/// The sender derived from a public address (`https://placette.village.fr:8443/` ->
/// `placette@placette.village.fr`, `www.` dropped); `None` when its host is no mail domain.
pub fn default_sender(public_url: &str) -> Option<String> {
    let rest = public_url.trim().split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    // An IPv6 literal keeps its brackets, which `mail_domain_ok` refuses.
    let host = if host_port.starts_with('[') {
        host_port
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    mail_domain_ok(host).then(|| format!("placette@{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_need_a_domain_of_the_internet() {
        assert_eq!(sender_problem("Mairie <mairie@village.fr>"), None);
        assert_eq!(sender_problem("mairie@saint-placide.example"), None);
        for bad in [
            "placette@localhost",
            "Placette <placette@localhost>",
            "placette@mairie",
            "placette@pi.local",
            "placette@box.lan",
            "placette@127.0.0.1",
            "placette@[127.0.0.1]",
        ] {
            assert!(sender_problem(bad).is_some(), "{bad} accepted");
        }
        assert_eq!(
            sender_problem("pas une adresse"),
            Some("settings.from_invalid")
        );
        assert_eq!(
            sender_problem("placette@localhost"),
            Some("settings.from_no_domain")
        );
    }

    #[test]
    fn the_default_sender_comes_from_the_public_address() {
        assert_eq!(
            default_sender("https://placette.saint-placide.fr").as_deref(),
            Some("placette@placette.saint-placide.fr")
        );
        assert_eq!(
            default_sender("https://www.village.example:8443/").as_deref(),
            Some("placette@village.example")
        );
        for none in [
            "",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://raspberrypi.local:8080",
            "http://[::1]:8080",
            "placette.example.org",
        ] {
            assert_eq!(default_sender(none), None, "{none}");
        }
    }

    #[test]
    fn a_relay_never_sends_from_localhost() {
        let mut smtp = Smtp {
            host: "smtp.example.org".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            user: String::new(),
            password: String::new(),
            from: String::new(),
            default_from: String::new(),
        };
        assert_eq!(smtp.sender(), None);
        smtp.default_from = "placette@village.example".into();
        assert_eq!(smtp.sender(), Some("placette@village.example"));
        smtp.from = "placette@localhost".into();
        assert_eq!(smtp.sender(), None);
        smtp.from = "Mairie <mairie@village.example>".into();
        assert_eq!(smtp.sender(), Some("Mairie <mairie@village.example>"));
    }
}
