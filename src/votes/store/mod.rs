//! Every SQL statement about proposals, amendments, ballots and results. The rules that must
//! hold whatever the timing (a ballot only while the vote is open, an amendment only during
//! the discussion, one count per proposal) are checked here, inside the write transaction.
//! Beside: moderation.rs (the moderation targets, search documents), export.rs ("download my
//! data").

pub mod export;
pub mod map;
pub mod moderation;

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::count::{self, Rules};
use super::form::ProposalInput;
use super::{
    Amendment, AmendmentStatus, Choice, Method, Outcome, Owner, Proposal, Revision, Summary,
    Threshold,
};
use crate::directory::Visibility;

/// The kind of proposals in the shared R*Tree (`geo_items.kind`) and on the map.
pub const GEO_KIND: &str = "proposal";

const PROPOSAL: &str = "SELECT p.id, p.actor_id, a.slug, a.name, a.visibility, p.author_id, u.name,
        p.title, p.body, p.method, p.quorum_pct, p.threshold, p.secret, p.vote_start, p.deadline,
        p.hidden, p.created_at, p.place, p.lat, p.lon
    FROM proposals p LEFT JOIN actors a ON a.id = p.actor_id LEFT JOIN users u ON u.id = p.author_id";

fn proposal_row(r: &Row) -> rusqlite::Result<Proposal> {
    let actor = match r.get::<_, Option<i64>>(1)? {
        Some(id) => Some(Owner {
            id,
            slug: r.get(2)?,
            name: r.get(3)?,
            visibility: Visibility::parse(&r.get::<_, String>(4)?).unwrap_or(Visibility::Members),
        }),
        None => None,
    };
    Ok(Proposal {
        id: r.get(0)?,
        actor,
        author_id: r.get(5)?,
        author_name: r.get(6)?,
        title: r.get(7)?,
        body: r.get(8)?,
        method: Method::parse(&r.get::<_, String>(9)?).unwrap_or(Method::YesNo),
        quorum_pct: r.get(10)?,
        threshold: Threshold::parse(&r.get::<_, String>(11)?).unwrap_or(Threshold::Half),
        secret: r.get(12)?,
        vote_start: r.get(13)?,
        deadline: r.get(14)?,
        hidden: r.get(15)?,
        created_at: r.get(16)?,
        place: r.get(17)?,
        point: r
            .get::<_, Option<f64>>(18)?
            .zip(r.get::<_, Option<f64>>(19)?),
        options: Vec::new(),
    })
}

/// Creates a proposal with its options and its first revision; returns its id.
pub fn insert_proposal(
    conn: &Connection,
    actor_id: Option<i64>,
    author_id: i64,
    p: &ProposalInput,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO proposals (actor_id, author_id, title, body, method, quorum_pct, threshold,
            secret, vote_start, deadline, place, lat, lon, created_at, updated_at)
         VALUES (:actor, :author, :title, :body, :method, :quorum, :threshold, :secret, :start,
            :deadline, :place, :lat, :lon, :now, :now)",
    )?
    .execute(named_params! {
        ":actor": actor_id, ":author": author_id, ":title": p.title, ":body": p.body,
        ":method": p.method.as_str(), ":quorum": p.quorum_pct, ":threshold": p.threshold.as_str(),
        ":secret": p.secret, ":start": p.vote_start, ":deadline": p.deadline, ":now": now,
        ":place": p.place, ":lat": p.point.map(|x| x.0), ":lon": p.point.map(|x| x.1),
    })?;
    let id = conn.last_insert_rowid();
    crate::geo::store::set_point(conn, GEO_KIND, id, p.point)?;
    let mut add = conn.prepare_cached(
        "INSERT INTO proposal_options (proposal_id, position, label) VALUES (:p, :pos, :label)",
    )?;
    for (i, label) in p.options.iter().enumerate() {
        add.execute(named_params! {":p": id, ":pos": i as i64, ":label": label})?;
    }
    add_revision(conn, id, &p.body, None, now)?;
    Ok(id)
}

fn add_revision(
    conn: &Connection,
    id: i64,
    body: &str,
    amendment: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO proposal_revisions (proposal_id, body, amendment_id, created_at)
         VALUES (:p, :body, :a, :now)",
    )?
    .execute(named_params! {":p": id, ":body": body, ":a": amendment, ":now": now})?;
    Ok(())
}

/// A proposal with its options, hidden or not.
pub fn proposal(conn: &Connection, id: i64) -> rusqlite::Result<Option<Proposal>> {
    let Some(mut p) = conn
        .prepare_cached(&format!("{PROPOSAL} WHERE p.id = :id"))?
        .query_row(named_params! {":id": id}, proposal_row)
        .optional()?
    else {
        return Ok(None);
    };
    p.options = options(conn, id)?;
    Ok(Some(p))
}

/// The options of a majority judgement, in their order.
pub fn options(conn: &Connection, id: i64) -> rusqlite::Result<Vec<Choice>> {
    let mut st = conn.prepare_cached(
        "SELECT id, position, label FROM proposal_options WHERE proposal_id = :p ORDER BY position",
    )?;
    let rows = st.query_map(named_params! {":p": id}, |r| {
        Ok(Choice {
            id: r.get(0)?,
            position: r.get(1)?,
            label: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Proposals not hidden, latest deadline first: a page's (`Some(actor)`), or the village's
/// and the public pages' (`None`).
pub fn list(conn: &Connection, actor: Option<i64>, limit: i64) -> rusqlite::Result<Vec<Summary>> {
    let filter = if actor.is_some() {
        "p.actor_id = :actor"
    } else {
        "(p.actor_id IS NULL OR a.visibility = 'public') AND :actor IS NULL"
    };
    let sql = format!(
        "SELECT p.id, p.title, a.slug, a.name, p.vote_start, p.deadline,
                (SELECT count(*) FROM proposal_votes v WHERE v.proposal_id = p.id), r.outcome
         FROM proposals p LEFT JOIN actors a ON a.id = p.actor_id
         LEFT JOIN proposal_results r ON r.proposal_id = p.id
         WHERE p.hidden = 0 AND {filter} ORDER BY p.deadline DESC, p.id DESC LIMIT :limit"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(named_params! {":actor": actor, ":limit": limit}, |r| {
        let slug: Option<String> = r.get(2)?;
        let name: Option<String> = r.get(3)?;
        Ok(Summary {
            id: r.get(0)?,
            title: r.get(1)?,
            actor: slug.zip(name),
            vote_start: r.get(4)?,
            deadline: r.get(5)?,
            voters: r.get(6)?,
            outcome: r.get(7)?,
        })
    })?;
    rows.collect()
}

/// The proposals not closed at `now` that `uid` may vote on (the village's and those of the
/// pages they belong to), soonest deadline first, with whether they have voted.
pub fn open_for(
    conn: &Connection,
    uid: i64,
    now: i64,
    limit: i64,
) -> rusqlite::Result<Vec<(Summary, bool)>> {
    let mut st = conn.prepare_cached(
        "SELECT p.id, p.title, a.slug, a.name, p.vote_start, p.deadline,
                (SELECT count(*) FROM proposal_votes v WHERE v.proposal_id = p.id),
                EXISTS (SELECT 1 FROM proposal_votes v WHERE v.proposal_id = p.id AND v.voter_id = :u)
         FROM proposals p LEFT JOIN actors a ON a.id = p.actor_id
         WHERE p.hidden = 0 AND p.deadline > :now
           AND (p.actor_id IS NULL OR EXISTS (SELECT 1 FROM memberships m
                WHERE m.actor_id = p.actor_id AND m.user_id = :u AND m.status = 'active'))
         ORDER BY p.deadline, p.id LIMIT :limit",
    )?;
    let rows = st.query_map(
        named_params! {":u": uid, ":now": now, ":limit": limit},
        |r| {
            let slug: Option<String> = r.get(2)?;
            let name: Option<String> = r.get(3)?;
            Ok((
                Summary {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    actor: slug.zip(name),
                    vote_start: r.get(4)?,
                    deadline: r.get(5)?,
                    voters: r.get(6)?,
                    outcome: None,
                },
                r.get(7)?,
            ))
        },
    )?;
    rows.collect()
}

/// The amendments of a proposal, oldest first.
pub fn amendments(conn: &Connection, id: i64) -> rusqlite::Result<Vec<Amendment>> {
    let mut st = conn.prepare_cached(&format!(
        "{AMENDMENT} WHERE m.proposal_id = :p ORDER BY m.id"
    ))?;
    let rows = st.query_map(named_params! {":p": id}, amendment_row)?;
    rows.collect()
}

const AMENDMENT: &str = "SELECT m.id, m.proposal_id, m.author_id, u.name, m.body, m.note, m.status,
        m.hidden, m.created_at, m.decided_at
    FROM proposal_amendments m LEFT JOIN users u ON u.id = m.author_id";

fn amendment_row(r: &Row) -> rusqlite::Result<Amendment> {
    Ok(Amendment {
        id: r.get(0)?,
        proposal_id: r.get(1)?,
        author_id: r.get(2)?,
        author_name: r.get(3)?,
        body: r.get(4)?,
        note: r.get(5)?,
        status: AmendmentStatus::parse(&r.get::<_, String>(6)?),
        hidden: r.get(7)?,
        created_at: r.get(8)?,
        decided_at: r.get(9)?,
    })
}

/// One amendment.
pub fn amendment(conn: &Connection, id: i64) -> rusqlite::Result<Option<Amendment>> {
    conn.prepare_cached(&format!("{AMENDMENT} WHERE m.id = :id"))?
        .query_row(named_params! {":id": id}, amendment_row)
        .optional()
}

/// Files an amendment if the proposal is still in discussion at `now`; its id, or `None`.
pub fn insert_amendment(
    conn: &Connection,
    proposal_id: i64,
    author_id: i64,
    body: &str,
    note: &str,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    let n = conn
        .prepare_cached(
            "INSERT INTO proposal_amendments (proposal_id, author_id, body, note, created_at)
             SELECT :p, :author, :body, :note, :now FROM proposals
             WHERE id = :p AND vote_start > :now",
        )?
        .execute(named_params! {
            ":p": proposal_id, ":author": author_id, ":body": body, ":note": note, ":now": now,
        })?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

/// The address and language of a proposal's author, to tell them of an amendment.
pub fn author_address(
    conn: &Connection,
    proposal_id: i64,
) -> rusqlite::Result<Option<(i64, String, Option<String>)>> {
    conn.prepare_cached(
        "SELECT u.id, u.email, u.lang FROM proposals p JOIN users u ON u.id = p.author_id
         WHERE p.id = :p",
    )?
    .query_row(named_params! {":p": proposal_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

/// Accepts (the proposal takes its text, the former one stays in the revisions) or declines
/// a pending amendment while the discussion runs; false when it was no longer possible.
pub fn decide_amendment(
    conn: &Connection,
    id: i64,
    accept: bool,
    now: i64,
) -> rusqlite::Result<bool> {
    let status = if accept { "accepted" } else { "declined" };
    let n = conn
        .prepare_cached(
            "UPDATE proposal_amendments SET status = :status, decided_at = :now
             WHERE id = :id AND status = 'pending' AND hidden = 0
               AND proposal_id IN (SELECT id FROM proposals WHERE vote_start > :now)",
        )?
        .execute(named_params! {":status": status, ":now": now, ":id": id})?;
    if n == 0 {
        return Ok(false);
    }
    if accept {
        let (pid, body): (i64, String) = conn.query_row(
            "SELECT proposal_id, body FROM proposal_amendments WHERE id = :id",
            named_params! {":id": id},
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        conn.prepare_cached("UPDATE proposals SET body = :body, updated_at = :now WHERE id = :p")?
            .execute(named_params! {":body": body, ":now": now, ":p": pid})?;
        add_revision(conn, pid, &body, Some(id), now)?;
    }
    Ok(true)
}

/// Every text the proposal had, oldest first.
pub fn revisions(conn: &Connection, id: i64) -> rusqlite::Result<Vec<Revision>> {
    let mut st = conn.prepare_cached(
        "SELECT id, body, amendment_id, created_at FROM proposal_revisions
         WHERE proposal_id = :p ORDER BY id",
    )?;
    let rows = st.query_map(named_params! {":p": id}, |r| {
        Ok(Revision {
            id: r.get(0)?,
            body: r.get(1)?,
            amendment_id: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// What became of a ballot.
#[derive(Debug, PartialEq, Eq)]
pub enum Cast {
    /// Recorded; `true` when it replaced the voter's former ballot.
    Saved(bool),
    /// The vote has not opened yet.
    NotOpen,
    /// The deadline has passed: nothing was recorded.
    Closed,
    /// Not a member of the page (any more).
    NotEligible,
}

/// Records `voter`'s ballot, replacing theirs if any, when the vote is open at `now` and they
/// may vote; inside the caller's IMMEDIATE transaction, so a ballot committed is one that came
/// before the deadline, and the count (later, under the same lock) sees each voter once.
pub fn cast(
    conn: &Connection,
    proposal_id: i64,
    voter: i64,
    choice: &str,
    now: i64,
) -> rusqlite::Result<Cast> {
    let Some((start, deadline, actor)) = conn
        .prepare_cached("SELECT vote_start, deadline, actor_id FROM proposals WHERE id = :p")?
        .query_row(named_params! {":p": proposal_id}, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .optional()?
    else {
        return Ok(Cast::Closed);
    };
    if now < start {
        return Ok(Cast::NotOpen);
    }
    if now >= deadline {
        return Ok(Cast::Closed);
    }
    if let Some(a) = actor {
        let member: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM memberships WHERE actor_id = :a AND user_id = :u
                                 AND status = 'active')",
            )?
            .query_row(named_params! {":a": a, ":u": voter}, |r| r.get(0))?;
        if !member {
            return Ok(Cast::NotEligible);
        }
    }
    let existed = ballot_of(conn, proposal_id, voter)?.is_some();
    conn.prepare_cached(
        "INSERT INTO proposal_votes (proposal_id, voter_id, choice, created_at, updated_at)
         VALUES (:p, :u, :choice, :now, :now)
         ON CONFLICT (proposal_id, voter_id) DO UPDATE SET choice = excluded.choice,
            updated_at = excluded.updated_at",
    )?
    .execute(named_params! {":p": proposal_id, ":u": voter, ":choice": choice, ":now": now})?;
    Ok(Cast::Saved(existed))
}

/// The voter's ballot, as stored.
pub fn ballot_of(
    conn: &Connection,
    proposal_id: i64,
    voter: i64,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT choice FROM proposal_votes WHERE proposal_id = :p AND voter_id = :u",
    )?
    .query_row(named_params! {":p": proposal_id, ":u": voter}, |r| r.get(0))
    .optional()
}

/// How many have voted so far.
pub fn voters(conn: &Connection, proposal_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM proposal_votes WHERE proposal_id = :p")?
        .query_row(named_params! {":p": proposal_id}, |r| r.get(0))
}

/// How many named ballots a public proposal's page lists (the first by name; the counts
/// cover them all).
pub const PUBLIC_LISTED: i64 = 500;

/// A public ballot's voters with their choice, by name, the first [`PUBLIC_LISTED`] (empty
/// for a secret one).
pub fn public_ballots(
    conn: &Connection,
    proposal_id: i64,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT u.name, v.choice FROM proposal_votes v JOIN users u ON u.id = v.voter_id
         JOIN proposals p ON p.id = v.proposal_id
         WHERE v.proposal_id = :p AND p.secret = 0 ORDER BY u.name COLLATE NOCASE, u.id
         LIMIT :limit",
    )?;
    let rows = st.query_map(
        named_params! {":p": proposal_id, ":limit": PUBLIC_LISTED},
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.collect()
}

/// Who may vote at this instant: the page's active members, or every confirmed account.
pub fn eligible(conn: &Connection, actor: Option<i64>) -> rusqlite::Result<i64> {
    match actor {
        Some(a) => conn
            .prepare_cached(
                "SELECT count(*) FROM memberships WHERE actor_id = :a AND status = 'active'",
            )?
            .query_row(named_params! {":a": a}, |r| r.get(0)),
        None => conn
            .prepare_cached("SELECT count(*) FROM users WHERE email_confirmed_at IS NOT NULL")?
            .query_row([], |r| r.get(0)),
    }
}

/// Proposals past their deadline at `now` and not counted yet.
pub fn due(conn: &Connection, now: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT p.id FROM proposals p WHERE p.deadline <= :now
           AND NOT EXISTS (SELECT 1 FROM proposal_results r WHERE r.proposal_id = p.id)
         ORDER BY p.deadline LIMIT 100",
    )?;
    let rows = st.query_map(named_params! {":now": now}, |r| r.get(0))?;
    rows.collect()
}

/// Counts a proposal whose deadline has passed at `now` and keeps the result, once: false
/// when it was counted already or is not due. A secret ballot's voters are then unlinked
/// from their ballots.
pub fn publish(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<bool> {
    let Some(p) = proposal(conn, id)? else {
        return Ok(false);
    };
    if p.deadline > now || result(conn, id)?.is_some() {
        return Ok(false);
    }
    let eligible = eligible(conn, p.actor.as_ref().map(|a| a.id))?;
    let ballots: Vec<String> = conn
        .prepare_cached("SELECT choice FROM proposal_votes WHERE proposal_id = :p")?
        .query_map(named_params! {":p": id}, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let rules = Rules {
        method: p.method,
        quorum_pct: p.quorum_pct,
        threshold: p.threshold,
        options: &p.options,
    };
    let c = count::count(&rules, eligible, &ballots);
    let ranking = serde_json::to_string(&c.ranking).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "INSERT INTO proposal_results (proposal_id, eligible, voters, outcome, yes, no, abstain,
            ranking, computed_at)
         VALUES (:p, :eligible, :voters, :outcome, :yes, :no, :abstain, :ranking, :now)",
    )?
    .execute(named_params! {
        ":p": id, ":eligible": eligible, ":voters": c.voters, ":outcome": c.outcome,
        ":yes": c.yes, ":no": c.no, ":abstain": c.abstain, ":ranking": ranking, ":now": now,
    })?;
    if p.secret {
        conn.prepare_cached("UPDATE proposal_votes SET voter_id = NULL WHERE proposal_id = :p")?
            .execute(named_params! {":p": id})?;
    }
    Ok(true)
}

/// The kept result, if counted.
pub fn result(conn: &Connection, id: i64) -> rusqlite::Result<Option<Outcome>> {
    conn.prepare_cached(
        "SELECT eligible, voters, outcome, yes, no, abstain, ranking, computed_at
         FROM proposal_results WHERE proposal_id = :p",
    )?
    .query_row(named_params! {":p": id}, |r| {
        let ranking: String = r.get(6)?;
        Ok(Outcome {
            eligible: r.get(0)?,
            voters: r.get(1)?,
            outcome: r.get(2)?,
            yes: r.get(3)?,
            no: r.get(4)?,
            abstain: r.get(5)?,
            ranking: serde_json::from_str(&ranking).unwrap_or_default(),
            computed_at: r.get(7)?,
        })
    })
    .optional()
}

#[cfg(test)]
mod tests;
