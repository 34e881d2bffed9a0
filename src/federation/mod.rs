//! Federation (ActivityPub): the village and its public organisation pages as actors that
//! Mastodon, Mobilizon and Gancio can follow, and that follow them. ONE mechanism: modules
//! register what they publish (`modules::FEDERATED`); this module knows no module.
//!
//! - `keys`: the instance's RSA key pair (generated once, kept in SQLite, rotatable).
//! - `signature`: HTTP Signatures (draft-cavage, rsa-sha256) on every request out, checked on
//!   every POST in.
