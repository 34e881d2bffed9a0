//! Every SQL statement about reports and the moderation queue.

use rusqlite::{named_params, Connection};

use crate::i18n::Lang;

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Post(i64),
    Comment(i64),
}

impl Target {
    fn column(self) -> &'static str {
        match self {
            Target::Post(_) => "post_id",
            Target::Comment(_) => "comment_id",
        }
    }

    fn id(self) -> i64 {
        match self {
            Target::Post(id) | Target::Comment(id) => id,
        }
    }
}

/// Records a report, once per reporter and target while it is open. Returns whether the
/// target just entered the queue (no open report before): only then are moderators mailed.
pub fn add_report(
    conn: &Connection,
    target: Target,
    reporter: i64,
    reason: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let col = target.column();
    let (open, mine): (i64, i64) = conn.query_row(
        &format!(
            "SELECT count(*), coalesce(sum(reporter_id = :r), 0) FROM news_reports
             WHERE {col} = :id AND resolved_at IS NULL"
        ),
        named_params! {":id": target.id(), ":r": reporter},
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if mine == 0 {
        conn.execute(
            &format!(
                "INSERT INTO news_reports ({col}, reporter_id, reason, created_at)
                 VALUES (:id, :r, :reason, :now)"
            ),
            named_params! {":id": target.id(), ":r": reporter, ":reason": reason, ":now": now},
        )?;
    }
    Ok(open == 0)
}

/// Closes the open reports of a target with the moderator's decision (`hidden` or `kept`).
pub fn resolve(
    conn: &Connection,
    target: Target,
    by: i64,
    resolution: &str,
    now: i64,
) -> rusqlite::Result<usize> {
    conn.execute(
        &format!(
            "UPDATE news_reports SET resolved_at = :now, resolved_by = :by, resolution = :res
             WHERE {} = :id AND resolved_at IS NULL",
            target.column()
        ),
        named_params! {":now": now, ":by": by, ":res": resolution, ":id": target.id()},
    )
}

/// One entry of the moderation page: a reported or hidden post or comment.
#[derive(Clone, Debug)]
pub struct Flagged {
    pub target: Target,
    /// The post it is (or is under).
    pub post_id: i64,
    pub title: String,
    pub body: String,
    pub author_name: Option<String>,
    pub hidden: bool,
    /// The open reports: (reason, when).
    pub reports: Vec<(String, i64)>,
}

fn group(
    rows: Vec<(
        Target,
        i64,
        String,
        String,
        Option<String>,
        bool,
        String,
        i64,
    )>,
) -> Vec<Flagged> {
    let mut out: Vec<Flagged> = Vec::new();
    for (target, post_id, title, body, author_name, hidden, reason, at) in rows {
        match out.iter_mut().find(|f| f.target == target) {
            Some(f) => f.reports.push((reason, at)),
            None => out.push(Flagged {
                target,
                post_id,
                title,
                body,
                author_name,
                hidden,
                reports: vec![(reason, at)],
            }),
        }
    }
    out
}

/// The open reports, grouped by what they are about, oldest first.
pub fn open_queue(conn: &Connection) -> rusqlite::Result<Vec<Flagged>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'p', p.id, p.id, p.title, p.body, u.name, p.hidden_at IS NOT NULL, r.reason, r.created_at
         FROM news_reports r JOIN news_posts p ON p.id = r.post_id LEFT JOIN users u ON u.id = p.author_id
         WHERE r.resolved_at IS NULL
         UNION ALL
         SELECT 'c', c.id, c.post_id, '', c.body, u.name, c.hidden_at IS NOT NULL, r.reason, r.created_at
         FROM news_reports r JOIN news_comments c ON c.id = r.comment_id LEFT JOIN users u ON u.id = c.author_id
         WHERE r.resolved_at IS NULL
         ORDER BY 9, 2",
    )?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(0)?;
        let id: i64 = r.get(1)?;
        let target = if kind == "p" {
            Target::Post(id)
        } else {
            Target::Comment(id)
        };
        Ok((
            target,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ))
    })?;
    Ok(group(rows.collect::<rusqlite::Result<_>>()?))
}

/// Hidden posts and comments, latest hidden first, for the moderators to restore.
pub fn hidden(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<Flagged>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'p', p.id, p.id, p.title, p.body, u.name, p.hidden_at
         FROM news_posts p LEFT JOIN users u ON u.id = p.author_id WHERE p.hidden_at IS NOT NULL
         UNION ALL
         SELECT 'c', c.id, c.post_id, '', c.body, u.name, c.hidden_at
         FROM news_comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.hidden_at IS NOT NULL
         ORDER BY 7 DESC LIMIT :limit",
    )?;
    let rows = stmt.query_map(named_params! {":limit": limit}, |r| {
        let kind: String = r.get(0)?;
        let id: i64 = r.get(1)?;
        Ok(Flagged {
            target: if kind == "p" {
                Target::Post(id)
            } else {
                Target::Comment(id)
            },
            post_id: r.get(2)?,
            title: r.get(3)?,
            body: r.get(4)?,
            author_name: r.get(5)?,
            hidden: true,
            reports: Vec::new(),
        })
    })?;
    rows.collect()
}

/// The addresses and languages of the site's admins and moderators.
pub fn staff_addresses(conn: &Connection) -> rusqlite::Result<Vec<(String, Option<Lang>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT email, lang FROM users WHERE role IN ('admin', 'moderator') ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let lang: Option<String> = r.get(1)?;
        Ok((r.get(0)?, lang.as_deref().and_then(Lang::from_code)))
    })?;
    rows.collect()
}

/// Reports a person made (their personal data): (post or comment, reason, when).
pub fn reports_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<(Target, String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT post_id, comment_id, reason, created_at FROM news_reports
         WHERE reporter_id = :u ORDER BY created_at DESC",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        let post: Option<i64> = r.get(0)?;
        let comment: Option<i64> = r.get(1)?;
        let target = match (post, comment) {
            (Some(p), _) => Target::Post(p),
            (None, c) => Target::Comment(c.unwrap_or_default()),
        };
        Ok((target, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}
