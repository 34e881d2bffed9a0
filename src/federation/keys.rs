//! The instance's RSA key pair, as PEM text: the private key signs every request we send, the
//! public key is published in each actor's `publicKey.publicKeyPem` for peers to check them.
//!
//! Pure functions: storing the pair (SQLite) and rotating it belong to the caller.

use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::{RsaPrivateKey, RsaPublicKey};

/// Key size: what Mastodon, Mobilizon and Gancio generate and all of them accept.
const BITS: usize = 2048;

/// A key pair as PEM: PKCS#8 ("BEGIN PRIVATE KEY") and SPKI ("BEGIN PUBLIC KEY").
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub private_pem: String,
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    /// Never prints the private key, so a `{:?}` in a log cannot leak it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("private_pem", &"<hidden>")
            .field("public_pem", &self.public_pem)
            .finish()
    }
}

/// Generates a new RSA 2048 key pair (slow: about a second in release, more in debug builds).
pub fn generate() -> KeyPair {
    let private = RsaPrivateKey::new(&mut rand::thread_rng(), BITS)
        .expect("RSA key generation with a 2048-bit size cannot fail");
    pair_of(&private)
}

/// The PEM pair of a private key (also rebuilds the public half from a stored private key).
pub fn pair_of(private: &RsaPrivateKey) -> KeyPair {
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .expect("encoding an RSA key as PKCS#8 cannot fail")
        .to_string();
    let public_pem = RsaPublicKey::from(private)
        .to_public_key_pem(LineEnding::LF)
        .expect("encoding an RSA public key as SPKI cannot fail");
    KeyPair {
        private_pem,
        public_pem,
    }
}

/// Parses a public key published by a peer: SPKI ("BEGIN PUBLIC KEY") or PKCS#1 ("BEGIN RSA
/// PUBLIC KEY"); tolerant of CRLF, indentation and unusual line widths. `None` if unusable.
pub fn parse_public_pem(pem: &str) -> Option<RsaPublicKey> {
    let (label, der) = pem_der(pem)?;
    match label.as_str() {
        "PUBLIC KEY" => RsaPublicKey::from_public_key_der(&der).ok(),
        "RSA PUBLIC KEY" => RsaPublicKey::from_pkcs1_der(&der).ok(),
        _ => None,
    }
}

/// Parses a private key: PKCS#8 ("BEGIN PRIVATE KEY", what `generate` writes) or PKCS#1
/// ("BEGIN RSA PRIVATE KEY"). `None` if unusable (an encrypted key is not supported).
pub fn parse_private_pem(pem: &str) -> Option<RsaPrivateKey> {
    let (label, der) = pem_der(pem)?;
    match label.as_str() {
        "PRIVATE KEY" => RsaPrivateKey::from_pkcs8_der(&der).ok(),
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der).ok(),
        _ => None,
    }
}

/// The label and the decoded body of the first PEM block in `text`. Done by hand rather than
/// with the strict RFC 7468 decoder because peers publish keys with CRLF, spaces, escaped
/// newlines gone wrong or 76-column lines, and a key is checked by the DER parser anyway.
fn pem_der(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + "-----BEGIN ".len()..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].trim().to_string();
    let body_and_end = &rest[label_end + "-----".len()..];
    let end = body_and_end.find("-----END ")?;
    let body: String = body_and_end[..end]
        .replace("\\n", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    Some((label, der))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::LazyLock;

    /// One generated key for all the tests of the crate: keygen takes seconds in debug builds.
    pub(crate) static KEY: LazyLock<KeyPair> = LazyLock::new(generate);

    #[test]
    fn generated_pair_is_pkcs8_and_spki_pem_and_parses_back() {
        let pair = &*KEY;
        assert!(pair
            .private_pem
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pair
            .public_pem
            .trim_end()
            .ends_with("-----END PUBLIC KEY-----"));
        let private = parse_private_pem(&pair.private_pem).unwrap();
        let public = parse_public_pem(&pair.public_pem).unwrap();
        assert_eq!(RsaPublicKey::from(&private), public);
        use rsa::traits::PublicKeyParts;
        assert_eq!(public.size() * 8, 2048);
        assert_eq!(&pair_of(&private), pair);
    }

    #[test]
    fn debug_hides_the_private_key() {
        let shown = format!("{:?}", &*KEY);
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
        assert!(shown.contains("BEGIN PUBLIC KEY"));
    }

    #[test]
    fn public_key_as_pkcs1_and_with_crlf_and_escaped_newlines_parses() {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let public = parse_public_pem(&KEY.public_pem).unwrap();
        let pkcs1 = public.to_pkcs1_pem(LineEnding::LF).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        assert_eq!(parse_public_pem(&pkcs1).as_ref(), Some(&public));
        let crlf = KEY.public_pem.replace('\n', "\r\n");
        assert_eq!(parse_public_pem(&crlf).as_ref(), Some(&public));
        let escaped = KEY.public_pem.replace('\n', "\\n");
        assert_eq!(parse_public_pem(&escaped).as_ref(), Some(&public));
        let one_line: String = KEY.public_pem.lines().collect::<Vec<_>>().join(" ");
        assert_eq!(parse_public_pem(&one_line).as_ref(), Some(&public));
    }

    #[test]
    fn garbage_and_private_keys_are_not_public_keys() {
        assert!(parse_public_pem("").is_none());
        assert!(parse_public_pem(
            "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----"
        )
        .is_none());
        assert!(
            parse_public_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                .is_none()
        );
        assert!(parse_public_pem(&KEY.private_pem).is_none());
        assert!(parse_private_pem(&KEY.public_pem).is_none());
    }
}
