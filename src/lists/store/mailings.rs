//! Mailings and their revisions; scheduling under the list's promise.

use chrono_tz::Tz;
use rusqlite::{named_params, Connection, OptionalExtension, Row};

use crate::lists::{DraftInput, Frequency, Mailing, MailingStatus, Revision};

const COLUMNS: &str = "id, list_id, subject, body, revision, status, approved_by, approved_rev,
    send_at, sent_at, created_by, created_at, updated_at";

fn from_row(r: &Row) -> rusqlite::Result<Mailing> {
    let st: String = r.get(5)?;
    Ok(Mailing {
        id: r.get(0)?,
        list_id: r.get(1)?,
        subject: r.get(2)?,
        body: r.get(3)?,
        revision: r.get(4)?,
        status: MailingStatus::parse(&st),
        approved_by: r.get(6)?,
        approved_rev: r.get(7)?,
        send_at: r.get(8)?,
        sent_at: r.get(9)?,
        created_by: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

/// A mailing by id.
pub fn mailing(conn: &Connection, id: i64) -> rusqlite::Result<Option<Mailing>> {
    let sql = format!("SELECT {COLUMNS} FROM list_mailings WHERE id = :id");
    conn.prepare_cached(&sql)?
        .query_row(named_params! {":id": id}, from_row)
        .optional()
}

/// The mailings of a list, newest first.
pub fn of_list(conn: &Connection, list_id: i64) -> rusqlite::Result<Vec<Mailing>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM list_mailings WHERE list_id = :l ORDER BY COALESCE(send_at, updated_at) DESC, id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(named_params! {":l": list_id}, from_row)?;
    rows.collect()
}

/// The sent mailings of a list, newest first (the archive and its feed).
pub fn sent_of_list(conn: &Connection, list_id: i64, limit: i64) -> rusqlite::Result<Vec<Mailing>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM list_mailings WHERE list_id = :l AND status IN ('sending', 'sent')
         ORDER BY send_at DESC, id DESC LIMIT :n"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(named_params! {":l": list_id, ":n": limit}, from_row)?;
    rows.collect()
}

/// Creates a draft with its first revision; returns its id.
pub fn create_draft(
    conn: &Connection,
    list_id: i64,
    input: &DraftInput,
    by: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO list_mailings (list_id, subject, body, revision, created_by, created_at, updated_at)
         VALUES (:l, :s, :b, 1, :by, :now, :now)",
    )?
    .execute(named_params! {":l": list_id, ":s": input.subject, ":b": input.body, ":by": by, ":now": now})?;
    let id = conn.last_insert_rowid();
    insert_revision(conn, id, 1, input, by, now)?;
    Ok(id)
}

fn insert_revision(
    conn: &Connection,
    id: i64,
    number: i64,
    input: &DraftInput,
    by: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO list_revisions (mailing_id, number, subject, body, author_id, created_at)
         VALUES (:m, :n, :s, :b, :by, :now)",
    )?
    .execute(named_params! {":m": id, ":n": number, ":s": input.subject, ":b": input.body, ":by": by, ":now": now})?;
    Ok(())
}

/// Why a save was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SaveRefused {
    /// Someone saved revision N since the editor started from theirs.
    Conflict(i64),
    /// The mailing is no longer a draft.
    NotDraft,
}

/// Saves a new revision if the draft is still at `base` (no silent overwrite). Returns the
/// new revision's number.
pub fn save_revision(
    conn: &Connection,
    id: i64,
    base: i64,
    input: &DraftInput,
    by: i64,
    now: i64,
) -> rusqlite::Result<Result<i64, SaveRefused>> {
    let Some(m) = mailing(conn, id)? else {
        return Ok(Err(SaveRefused::NotDraft));
    };
    if m.status != MailingStatus::Draft {
        return Ok(Err(SaveRefused::NotDraft));
    }
    if m.revision != base {
        return Ok(Err(SaveRefused::Conflict(m.revision)));
    }
    if m.subject == input.subject && m.body == input.body {
        return Ok(Ok(m.revision));
    }
    let number = m.revision + 1;
    conn.prepare_cached(
        "UPDATE list_mailings SET subject = :s, body = :b, revision = :n, updated_at = :now
         WHERE id = :id AND revision = :base",
    )?
    .execute(named_params! {":s": input.subject, ":b": input.body, ":n": number, ":now": now, ":id": id, ":base": base})?;
    insert_revision(conn, id, number, input, by, now)?;
    Ok(Ok(number))
}

/// The revisions of a mailing, newest first, with their authors' names.
pub fn revisions(conn: &Connection, id: i64) -> rusqlite::Result<Vec<Revision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.number, r.subject, r.body, u.name, r.created_at
         FROM list_revisions r LEFT JOIN users u ON u.id = r.author_id
         WHERE r.mailing_id = :m ORDER BY r.number DESC",
    )?;
    let rows = stmt.query_map(named_params! {":m": id}, |r| {
        Ok(Revision {
            number: r.get(0)?,
            subject: r.get(1)?,
            body: r.get(2)?,
            author: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// The author of a revision.
pub fn revision_author(conn: &Connection, id: i64, number: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT author_id FROM list_revisions WHERE mailing_id = :m AND number = :n",
    )?
    .query_row(named_params! {":m": id, ":n": number}, |r| r.get(0))
    .optional()
    .map(Option::flatten)
}

/// Records the approval of revision `rev` by `by`, who must not be its author (a second
/// editor). Returns whether it was recorded.
pub fn approve(conn: &Connection, id: i64, rev: i64, by: i64) -> rusqlite::Result<bool> {
    if revision_author(conn, id, rev)? == Some(by) {
        return Ok(false);
    }
    let n = conn
        .prepare_cached(
            "UPDATE list_mailings SET approved_by = :by, approved_rev = :rev
             WHERE id = :id AND revision = :rev AND status = 'draft'",
        )?
        .execute(named_params! {":by": by, ":rev": rev, ":id": id})?;
    Ok(n == 1)
}

/// Why a send was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ScheduleRefused {
    /// Too soon after the previous mailing: the next send is possible from this instant.
    TooSoon(i64),
    /// The list asks for a second editor's approval of this revision.
    NotApproved,
    /// Not a draft any more (already scheduled or sent).
    NotDraft,
}

/// Schedules a draft for `send_at`, or refuses it when the list's promise does not allow it
/// yet. Checked here, inside the write transaction, so two editors cannot both slip a mailing in.
pub fn schedule(
    conn: &Connection,
    id: i64,
    send_at: i64,
    needs_approval: bool,
    frequency: Frequency,
    tz: Tz,
) -> rusqlite::Result<Result<(), ScheduleRefused>> {
    let Some(m) = mailing(conn, id)? else {
        return Ok(Err(ScheduleRefused::NotDraft));
    };
    if m.status != MailingStatus::Draft {
        return Ok(Err(ScheduleRefused::NotDraft));
    }
    if needs_approval && !m.approved() {
        return Ok(Err(ScheduleRefused::NotApproved));
    }
    if let Some(next) = next_possible(conn, m.list_id, frequency, tz)? {
        if send_at < next {
            return Ok(Err(ScheduleRefused::TooSoon(next)));
        }
    }
    conn.prepare_cached(
        "UPDATE list_mailings SET status = 'scheduled', send_at = :at WHERE id = :id AND status = 'draft'",
    )?
    .execute(named_params! {":at": send_at, ":id": id})?;
    Ok(Ok(()))
}

/// The first instant a new mailing of the list may go, by its promise (`None`: any time).
pub fn next_possible(
    conn: &Connection,
    list_id: i64,
    frequency: Frequency,
    tz: Tz,
) -> rusqlite::Result<Option<i64>> {
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(send_at) FROM list_mailings
             WHERE list_id = :l AND status IN ('scheduled', 'sending', 'sent')",
        )?
        .query_row(named_params! {":l": list_id}, |r| r.get(0))?;
    Ok(last.map(|t| frequency.next_after(t, tz)))
}

/// Takes a scheduled mailing back to the drafts (before it started).
pub fn unschedule(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE list_mailings SET status = 'draft', send_at = NULL WHERE id = :id AND status = 'scheduled'",
        )?
        .execute(named_params! {":id": id})?;
    Ok(n == 1)
}

/// Whether a scheduled mailing's time has come.
pub fn any_due(conn: &Connection, now: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM list_mailings WHERE status = 'scheduled' AND send_at <= :t)",
    )?
    .query_row(named_params! {":t": now}, |r| r.get(0))
}

/// Whether a mailing is being sent.
pub fn any_sending(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM list_mailings WHERE status = 'sending')")?
        .query_row([], |r| r.get(0))
}

/// Starts every scheduled mailing whose time came: one queue row per active subscriber, in
/// the same transaction as the change of state. Returns how many mailings started.
pub fn start_due(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    let due: Vec<i64> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM list_mailings WHERE status = 'scheduled' AND send_at <= :now",
        )?;
        let rows = stmt.query_map(named_params! {":now": now}, |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &due {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO list_queue (mailing_id, subscriber_id, email, lang, next_try_at)
             SELECT m.id, s.id, s.email, s.lang, :now FROM list_mailings m
             JOIN list_subscribers s ON s.list_id = m.list_id AND s.status = 'active'
             WHERE m.id = :id",
        )?
        .execute(named_params! {":id": id, ":now": now})?;
        conn.prepare_cached("UPDATE list_mailings SET status = 'sending' WHERE id = :id")?
            .execute(named_params! {":id": id})?;
    }
    Ok(due.len())
}

/// Marks as sent the mailings that have no pending recipient left.
pub fn finish_done(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE list_mailings SET status = 'sent', sent_at = :now WHERE status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM list_queue q WHERE q.mailing_id = list_mailings.id AND q.status = 'pending')",
    )?
    .execute(named_params! {":now": now})
}

/// The drafts written by a person: (list name, subject, revision count).
pub fn drafts_by(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.name, r.subject, r.body FROM list_revisions r
         JOIN list_mailings m ON m.id = r.mailing_id JOIN lists l ON l.id = m.list_id
         WHERE r.author_id = :u ORDER BY r.created_at",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// Deletes a draft with its revisions; returns whether there was one.
pub fn delete_draft(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM list_mailings WHERE id = :id AND status = 'draft'")?
        .execute(named_params! {":id": id})?;
    Ok(n == 1)
}

/// Records a mailing as already sent at `at`, without a queue (the demo village's archive).
pub fn record_sent(conn: &Connection, id: i64, at: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE list_mailings SET status = 'sent', send_at = :at, sent_at = :at WHERE id = :id",
    )?
    .execute(named_params! {":id": id, ":at": at})?;
    Ok(())
}
