//! A person's lists for "download my data": their subscriptions (by their account's
//! address) with the consent records, and the draft revisions they wrote.

use rusqlite::Connection;
use serde_json::{json, Value};

use super::store::{mailings, subscribers};
use crate::error::AppError;

/// The subscriptions of `email` with their ledger, and the revisions written by `user_id`.
pub fn personal_data(conn: &Connection, user_id: i64, email: &str) -> Result<Value, AppError> {
    let subs = subscribers::subscriptions_of(conn, email)?;
    let ledger = subscribers::ledger(conn, None, Some(email))?;
    let drafts = mailings::drafts_by(conn, user_id)?;
    Ok(json!({
        "subscriptions": subs.iter().map(|(slug, name, status)| json!({
            "list": slug, "name": name, "status": status.as_str(),
        })).collect::<Vec<_>>(),
        "consents": ledger.iter().map(|(list, r)| json!({
            "list_id": list,
            "source": r.source,
            "page": r.page,
            "text_version": r.text_version,
            "text_sha256": r.text_hash,
            "text": r.consent_text,
            "given_at": r.given_at,
            "confirmed_at": r.confirmed_at,
            "withdrawn_at": r.withdrawn_at,
        })).collect::<Vec<_>>(),
        "draft_revisions": drafts.iter().map(|(list, subject, body)| json!({
            "list": list, "subject": subject, "body": body,
        })).collect::<Vec<_>>(),
    }))
}
