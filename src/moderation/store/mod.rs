//! Every SQL statement of the moderation mechanism: reports, hidden items, the audit log,
//! canned replies, notices to people, suspension and masking. SQL only.

use rusqlite::{named_params, params, Connection, OptionalExtension};

use crate::i18n::Lang;

mod people;
pub use people::*;

/// One report as the queue and the reporter's account page show it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub id: i64,
    pub kind: String,
    pub item_id: i64,
    pub reason: String,
    pub note: String,
    pub reporter_id: Option<i64>,
    pub reporter_name: Option<String>,
    /// An anonymous reporter's address (moderators only).
    pub reporter_email: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub outcome: Option<String>,
    pub answer: String,
}

const REPORT: &str = "SELECT r.id, r.kind, r.item_id, r.reason, r.note, r.reporter_id, u.name,
    r.reporter_email, r.created_at, r.resolved_at, r.outcome, r.answer
    FROM reports r LEFT JOIN users u ON u.id = r.reporter_id";

fn report_row(r: &rusqlite::Row) -> rusqlite::Result<Report> {
    Ok(Report {
        id: r.get(0)?,
        kind: r.get(1)?,
        item_id: r.get(2)?,
        reason: r.get(3)?,
        note: r.get(4)?,
        reporter_id: r.get(5)?,
        reporter_name: r.get(6)?,
        reporter_email: r.get(7)?,
        created_at: r.get(8)?,
        resolved_at: r.get(9)?,
        outcome: r.get(10)?,
        answer: r.get(11)?,
    })
}

/// A new report.
pub struct NewReport<'a> {
    pub kind: &'a str,
    pub item_id: i64,
    pub reason: &'a str,
    pub note: &'a str,
    pub reporter_id: Option<i64>,
    pub reporter_email: &'a str,
    pub lang: Lang,
    pub now: i64,
}

/// Records a report (a signed-in reporter's second open report on one item replaces the
/// first). Returns whether the item just entered the queue (the moderators are told then).
pub fn add_report(c: &Connection, r: &NewReport) -> rusqlite::Result<bool> {
    let open: i64 = c.query_row(
        "SELECT count(*) FROM reports WHERE kind = ?1 AND item_id = ?2 AND resolved_at IS NULL",
        params![r.kind, r.item_id],
        |row| row.get(0),
    )?;
    if let Some(uid) = r.reporter_id {
        c.execute(
            "DELETE FROM reports WHERE kind = ?1 AND item_id = ?2 AND reporter_id = ?3
             AND resolved_at IS NULL",
            params![r.kind, r.item_id, uid],
        )?;
    }
    c.execute(
        "INSERT INTO reports (kind, item_id, reason, note, reporter_id, reporter_email,
             reporter_lang, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.kind,
            r.item_id,
            r.reason,
            r.note,
            r.reporter_id,
            r.reporter_email,
            r.lang.code(),
            r.now
        ],
    )?;
    Ok(open == 0)
}

/// The open reports, oldest first (the queue groups them by item).
pub fn open_reports(c: &Connection, limit: i64) -> rusqlite::Result<Vec<Report>> {
    let mut st = c.prepare_cached(&format!(
        "{REPORT} WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT ?1"
    ))?;
    let rows = st.query_map([limit], report_row)?;
    rows.collect()
}

/// Every report about one item, latest first.
pub fn reports_on(c: &Connection, kind: &str, item_id: i64) -> rusqlite::Result<Vec<Report>> {
    let mut st = c.prepare_cached(&format!(
        "{REPORT} WHERE r.kind = ?1 AND r.item_id = ?2 ORDER BY r.created_at DESC, r.id DESC"
    ))?;
    let rows = st.query_map(params![kind, item_id], report_row)?;
    rows.collect()
}

/// The reports a person made, latest first (their account page, their data).
pub fn reports_by(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<Report>> {
    let mut st = c.prepare_cached(&format!(
        "{REPORT} WHERE r.reporter_id = ?1 ORDER BY r.created_at DESC, r.id DESC LIMIT 200"
    ))?;
    let rows = st.query_map([user_id], report_row)?;
    rows.collect()
}

/// Who is told a decision: (reporter's address, language) of the open reports of an item.
pub fn open_reporters(
    c: &Connection,
    kind: &str,
    item_id: i64,
) -> rusqlite::Result<Vec<(String, Lang)>> {
    let mut st = c.prepare_cached(
        "SELECT coalesce(u.email, r.reporter_email), coalesce(u.lang, r.reporter_lang)
         FROM reports r LEFT JOIN users u ON u.id = r.reporter_id
         WHERE r.kind = ?1 AND r.item_id = ?2 AND r.resolved_at IS NULL
           AND coalesce(u.email, r.reporter_email) <> ''",
    )?;
    let rows = st.query_map(params![kind, item_id], |r| {
        let lang: Option<String> = r.get(1)?;
        Ok((
            r.get::<_, String>(0)?,
            lang.as_deref()
                .and_then(Lang::from_code)
                .unwrap_or(Lang::Fr),
        ))
    })?;
    let mut out: Vec<(String, Lang)> = Vec::new();
    for row in rows {
        let row = row?;
        if !out.iter().any(|(a, _)| a.eq_ignore_ascii_case(&row.0)) {
            out.push(row);
        }
    }
    Ok(out)
}

/// Closes the open reports of an item with the decision and the answer to the reporters.
pub fn resolve(
    c: &Connection,
    kind: &str,
    item_id: i64,
    by: i64,
    outcome: &str,
    answer: &str,
    now: i64,
) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE reports SET resolved_at = :now, resolved_by = :by, outcome = :o, answer = :a
         WHERE kind = :k AND item_id = :i AND resolved_at IS NULL",
        named_params! {":now": now, ":by": by, ":o": outcome, ":a": answer, ":k": kind, ":i": item_id},
    )
}

/// An item hidden by moderation, with what to restore.
#[derive(Clone, Debug)]
pub struct Hidden {
    pub kind: String,
    pub item_id: i64,
    pub before: String,
    pub reason: String,
    pub hidden_at: i64,
    pub masked_user: Option<i64>,
}

pub fn mark_hidden(
    c: &Connection,
    h: &Hidden,
    by: i64,
    author_id: Option<i64>,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO moderation_hidden (kind, item_id, before, reason, hidden_by, hidden_at,
             masked_user, author_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (kind, item_id) DO NOTHING",
        params![
            h.kind,
            h.item_id,
            h.before,
            h.reason,
            by,
            h.hidden_at,
            h.masked_user,
            author_id
        ],
    )?;
    Ok(())
}

pub fn hidden_one(c: &Connection, kind: &str, item_id: i64) -> rusqlite::Result<Option<Hidden>> {
    c.query_row(
        "SELECT kind, item_id, before, reason, hidden_at, masked_user FROM moderation_hidden
         WHERE kind = ?1 AND item_id = ?2",
        params![kind, item_id],
        hidden_row,
    )
    .optional()
}

fn hidden_row(r: &rusqlite::Row) -> rusqlite::Result<Hidden> {
    Ok(Hidden {
        kind: r.get(0)?,
        item_id: r.get(1)?,
        before: r.get(2)?,
        reason: r.get(3)?,
        hidden_at: r.get(4)?,
        masked_user: r.get(5)?,
    })
}

/// What moderation hid, latest first.
pub fn hidden_list(c: &Connection, limit: i64) -> rusqlite::Result<Vec<Hidden>> {
    let mut st = c.prepare_cached(
        "SELECT kind, item_id, before, reason, hidden_at, masked_user FROM moderation_hidden
         ORDER BY hidden_at DESC LIMIT ?1",
    )?;
    let rows = st.query_map([limit], hidden_row)?;
    rows.collect()
}

/// What was hidden because this person was masked.
pub fn hidden_by_mask(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<Hidden>> {
    let mut st = c.prepare_cached(
        "SELECT kind, item_id, before, reason, hidden_at, masked_user FROM moderation_hidden
         WHERE masked_user = ?1",
    )?;
    let rows = st.query_map([user_id], hidden_row)?;
    rows.collect()
}

pub fn unmark_hidden(c: &Connection, kind: &str, item_id: i64) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM moderation_hidden WHERE kind = ?1 AND item_id = ?2",
        params![kind, item_id],
    )?;
    Ok(())
}

/// One line of the audit log.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: i64,
    pub moderator_id: Option<i64>,
    pub moderator: String,
    pub action: String,
    pub kind: String,
    pub item_id: Option<i64>,
    pub user_id: Option<i64>,
    pub reason: String,
    pub before: String,
    pub after: String,
}

/// Appends to the audit log (inside the action's transaction: logged if and only if done).
pub fn log(c: &Connection, e: &LogEntry) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO moderation_log (at, moderator_id, moderator, action, kind, item_id, user_id,
             reason, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.at,
            e.moderator_id,
            e.moderator,
            e.action,
            e.kind,
            e.item_id,
            e.user_id,
            e.reason,
            e.before,
            e.after
        ],
    )?;
    Ok(())
}

/// The log's filters (empty: any).
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    pub action: String,
    pub kind: String,
    pub moderator_id: Option<i64>,
    pub user_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The log, latest first, filtered.
pub fn log_entries(c: &Connection, f: &LogFilter, limit: i64) -> rusqlite::Result<Vec<LogEntry>> {
    let mut st = c.prepare_cached(
        "SELECT id, at, moderator_id, moderator, action, kind, item_id, user_id, reason, before,
             after FROM moderation_log
         WHERE (:action = '' OR action = :action) AND (:kind = '' OR kind = :kind)
           AND (:m IS NULL OR moderator_id = :m) AND (:u IS NULL OR user_id = :u)
           AND (:from IS NULL OR at >= :from) AND (:to IS NULL OR at < :to)
         ORDER BY at DESC, id DESC LIMIT :limit",
    )?;
    let rows = st.query_map(
        named_params! {":action": f.action, ":kind": f.kind, ":m": f.moderator_id,
        ":u": f.user_id, ":from": f.from, ":to": f.to, ":limit": limit},
        |r| {
            Ok(LogEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                moderator_id: r.get(2)?,
                moderator: r.get(3)?,
                action: r.get(4)?,
                kind: r.get(5)?,
                item_id: r.get(6)?,
                user_id: r.get(7)?,
                reason: r.get(8)?,
                before: r.get(9)?,
                after: r.get(10)?,
            })
        },
    )?;
    rows.collect()
}

/// The log's retention, in days.
pub fn retention_days(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT log_retention_days FROM moderation_settings WHERE id = 1",
        [],
        |r| r.get(0),
    )
}

pub fn set_retention_days(c: &Connection, days: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE moderation_settings SET log_retention_days = ?1 WHERE id = 1",
        [days],
    )?;
    Ok(())
}

/// Drops the log's lines older than the retention (the only deletion its trigger allows).
pub fn purge_log(c: &Connection, now: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM moderation_log
         WHERE at <= ?1 - 86400 * (SELECT log_retention_days FROM moderation_settings)",
        [now],
    )
}

/// A canned reply.
#[derive(Clone, Debug)]
pub struct Reply {
    pub id: i64,
    pub title: String,
    pub body: String,
}

/// The canned replies in the village's language.
pub fn replies(c: &Connection, lang: Lang) -> rusqlite::Result<Vec<Reply>> {
    let mut st = c.prepare_cached(
        "SELECT id, title, body FROM moderation_replies WHERE lang = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([lang.code()], |r| {
        Ok(Reply {
            id: r.get(0)?,
            title: r.get(1)?,
            body: r.get(2)?,
        })
    })?;
    rows.collect()
}

pub fn reply(c: &Connection, id: i64) -> rusqlite::Result<Option<Reply>> {
    c.query_row(
        "SELECT id, title, body FROM moderation_replies WHERE id = ?1",
        [id],
        |r| {
            Ok(Reply {
                id: r.get(0)?,
                title: r.get(1)?,
                body: r.get(2)?,
            })
        },
    )
    .optional()
}

/// A message from the moderators to a person.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Notice {
    pub kind: String,
    pub item_id: Option<i64>,
    pub message: String,
    pub created_at: i64,
}

pub fn add_notice(
    c: &Connection,
    user_id: i64,
    kind: &str,
    item_id: Option<i64>,
    message: &str,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO moderation_notices (user_id, kind, item_id, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![user_id, kind, item_id, message, now],
    )?;
    Ok(())
}

pub fn notices(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<Notice>> {
    let mut st = c.prepare_cached(
        "SELECT kind, item_id, message, created_at FROM moderation_notices WHERE user_id = ?1
         ORDER BY created_at DESC, id DESC LIMIT 100",
    )?;
    let rows = st.query_map([user_id], |r| {
        Ok(Notice {
            kind: r.get(0)?,
            item_id: r.get(1)?,
            message: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The site's moderators and admins: (address, language), told when an item enters the queue.
pub fn staff_addresses(c: &Connection) -> rusqlite::Result<Vec<(String, Option<Lang>)>> {
    let mut st = c.prepare_cached(
        "SELECT email, lang FROM users WHERE role IN ('admin', 'moderator') ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        let lang: Option<String> = r.get(1)?;
        Ok((r.get(0)?, lang.as_deref().and_then(Lang::from_code)))
    })?;
    rows.collect()
}

/// A person's address and language (to tell them a decision).
pub fn address_of(
    c: &Connection,
    user_id: i64,
) -> rusqlite::Result<Option<(String, Option<Lang>)>> {
    c.query_row(
        "SELECT email, lang FROM users WHERE id = ?1",
        [user_id],
        |r| {
            let lang: Option<String> = r.get(1)?;
            Ok((r.get(0)?, lang.as_deref().and_then(Lang::from_code)))
        },
    )
    .optional()
}

/// The items of `ids` read by a module's `sql`, whose columns are, in order: id, title, text,
/// url, author id, actor id, public, hidden; and whose `?1` is the ids as a JSON array
/// (`WHERE x.id IN (SELECT value FROM json_each(?1))`). Modules' targets read through here.
pub fn items(c: &Connection, sql: &str, ids: &[i64]) -> rusqlite::Result<Vec<super::Item>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map([list], |r| {
        Ok(super::Item {
            id: r.get(0)?,
            title: r.get(1)?,
            text: r.get(2)?,
            url: r.get(3)?,
            author_id: r.get(4)?,
            actor_id: r.get(5)?,
            public: r.get(6)?,
            hidden: r.get(7)?,
        })
    })?;
    rows.collect()
}

/// The ids a query on one person's id returns (a target's `by_author`).
pub fn ids(c: &Connection, sql: &str, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map([user_id], |r| r.get(0))?;
    rows.collect()
}
