//! Every SQL statement about occurrences: materialising a series up to the horizon (keeping
//! what was done to single dates), extending the horizon lazily, and single dates.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::FOREVER;
use crate::agenda::recurrence::{expand, Exdate, Instance, Series};
use crate::agenda::Occurrence;
use crate::time::{local_to_utc, utc_to_local};

const OCC_COLUMNS: &str = "id, recurrence_id, start_utc, end_utc, cancelled, moved, title, note";

fn occurrence_from_row(r: &Row) -> rusqlite::Result<Occurrence> {
    Ok(Occurrence {
        id: r.get("id")?,
        recurrence_id: r.get("recurrence_id")?,
        start_utc: r.get("start_utc")?,
        end_utc: r.get("end_utc")?,
        cancelled: r.get("cancelled")?,
        moved: r.get("moved")?,
        title: r.get("title")?,
        note: r.get("note")?,
    })
}

/// What materialising needs of an event row.
struct SeriesRow {
    tz: Tz,
    start: chrono::NaiveDateTime,
    end: chrono::NaiveDateTime,
    all_day: bool,
    rrule: String,
    rdates: Vec<chrono::NaiveDateTime>,
    exdates: Vec<Exdate>,
    materialised_until: i64,
}

fn series(conn: &Connection, event_id: i64) -> rusqlite::Result<Option<SeriesRow>> {
    conn.prepare_cached(
        "SELECT tz, start_local, end_local, all_day, rrule, rdates, exdates, materialised_until
         FROM events WHERE id = :id",
    )?
    .query_row(named_params! {":id": event_id}, |r| {
        let tz: String = r.get(0)?;
        let local = |s: String| {
            chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").unwrap_or_default()
        };
        let exdates: String = r.get(6)?;
        Ok(SeriesRow {
            tz: tz.parse().unwrap_or(chrono_tz::Europe::Paris),
            start: local(r.get(1)?),
            end: local(r.get(2)?),
            all_day: r.get(3)?,
            rrule: r.get(4)?,
            rdates: super::local_list(&r.get::<_, String>(5)?),
            exdates: exdates.split(',').filter_map(Exdate::parse).collect(),
            materialised_until: r.get(7)?,
        })
    })
    .optional()
}

/// One date as an imported calendar changed it (its RECURRENCE-ID override).
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub recurrence_id: i64,
    pub start_utc: i64,
    pub end_utc: i64,
    pub cancelled: bool,
    pub title: Option<String>,
}

/// The overrides of an event, by recurrence id.
fn overrides(conn: &Connection, event_id: i64) -> rusqlite::Result<HashMap<i64, Override>> {
    let mut stmt = conn.prepare_cached(
        "SELECT recurrence_id, start_utc, end_utc, cancelled, title FROM event_overrides
         WHERE event_id = :e",
    )?;
    let rows = stmt.query_map(named_params! {":e": event_id}, |r| {
        Ok(Override {
            recurrence_id: r.get(0)?,
            start_utc: r.get(1)?,
            end_utc: r.get(2)?,
            cancelled: r.get(3)?,
            title: r.get(4)?,
        })
    })?;
    rows.map(|o| o.map(|o| (o.recurrence_id, o))).collect()
}

/// Replaces the overrides of an event (an import run; the caller re-materialises). The dates
/// an earlier run had changed go back to the series first: a date no longer overridden
/// upstream follows its series again.
pub fn set_overrides(conn: &Connection, event_id: i64, list: &[Override]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM event_overrides WHERE event_id = :e")?
        .execute(named_params! {":e": event_id})?;
    conn.prepare_cached(
        "UPDATE occurrences SET moved = 0, cancelled = 0, title = NULL
         WHERE event_id = :e AND (moved = 1 OR cancelled = 1)",
    )?
    .execute(named_params! {":e": event_id})?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO event_overrides
            (event_id, recurrence_id, start_utc, end_utc, cancelled, title)
         VALUES (:e, :rid, :s, :end, :c, :t)",
    )?;
    for o in list {
        insert.execute(named_params! {
            ":e": event_id, ":rid": o.recurrence_id, ":s": o.start_utc,
            ":end": o.end_utc.max(o.start_utc), ":c": o.cancelled, ":t": o.title,
        })?;
    }
    Ok(())
}

/// A row of `occurrences` as materialising compares it.
struct Existing {
    id: i64,
    rid: i64,
    moved: bool,
    start_utc: i64,
    end_utc: i64,
    used: bool,
}

/// What materialising found: the dates it wrote and whether dates were left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Materialised {
    /// The rule could not be read: the first date only.
    pub rule_refused: bool,
    /// Dates were left out (more than the most a series may keep).
    pub truncated: bool,
}

/// Brings the occurrences of an event in step with its row, up to `horizon` (UTC) or further
/// if it was already materialised further. Dates are matched by their recurrence id, else by
/// their local day: a date that stays in the series keeps its row (so its RSVPs, its
/// cancellation and, if it was moved alone, its own times), a date that left the series is
/// deleted with its RSVPs, a new date is inserted. Imported overrides are applied to their
/// date. Each date lasts as long as the first: the same exact duration (RFC 5545, 3.8.5.3),
/// so a 02:30–03:00 date on the spring clock-change night is 03:30–04:00; all-day dates last
/// whole local days.
pub fn materialise(
    conn: &Connection,
    event_id: i64,
    horizon: i64,
) -> rusqlite::Result<Materialised> {
    let Some(s) = series(conn, event_id)? else {
        return Ok(Materialised::default());
    };
    // Without a rule the dates are a finite list: all of them at once.
    let horizon = if s.rrule.is_empty() {
        i64::MAX
    } else if s.materialised_until == FOREVER {
        horizon
    } else {
        horizon.max(s.materialised_until)
    };
    let mut report = Materialised::default();
    let series = Series {
        start: s.start,
        tz: s.tz,
        all_day: s.all_day,
        rrule: &s.rrule,
        rdates: &s.rdates,
        exdates: &s.exdates,
    };
    let mut expansion = expand(&series, horizon).unwrap_or_else(|_| {
        report.rule_refused = true;
        let plain = Series {
            rrule: "",
            ..series
        };
        expand(&plain, i64::MAX).unwrap_or_default()
    });
    report.truncated = expansion.truncated;
    let mut overrides = overrides(conn, event_id)?;
    // An override of a date the series does not produce (a moved date whose original the rule
    // no longer gives) is a date of its own.
    let produced: std::collections::HashSet<i64> =
        expansion.instances.iter().map(|i| i.utc).collect();
    for rid in overrides.keys() {
        if !produced.contains(rid) && (*rid <= horizon || expansion.finished) {
            expansion.instances.push(Instance {
                local: utc_to_local(s.tz, *rid),
                utc: *rid,
            });
        }
    }
    let first_utc = local_to_utc(s.tz, s.start);
    let exact = (local_to_utc(s.tz, s.end) - first_utc).max(0);
    let wall = s.end - s.start;
    let end_of = |inst: &Instance| {
        if s.all_day {
            local_to_utc(s.tz, inst.local + wall).max(inst.utc)
        } else {
            inst.utc + exact
        }
    };
    let mut existing: Vec<Existing> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, recurrence_id, moved, start_utc, end_utc FROM occurrences WHERE event_id = :e",
        )?;
        let mut rows = stmt.query(named_params! {":e": event_id})?;
        while let Some(r) = rows.next()? {
            existing.push(Existing {
                id: r.get(0)?,
                rid: r.get(1)?,
                moved: r.get(2)?,
                start_utc: r.get(3)?,
                end_utc: r.get(4)?,
                used: false,
            });
        }
    }
    let mut by_rid: HashMap<i64, usize> = HashMap::new();
    let mut by_day: HashMap<NaiveDate, Vec<usize>> = HashMap::new();
    for (i, e) in existing.iter().enumerate() {
        by_rid.insert(e.rid, i);
        by_day
            .entry(utc_to_local(s.tz, e.rid).date())
            .or_default()
            .push(i);
    }
    let mut updates = Vec::new();
    let mut inserts = Vec::new();
    let mut last_end = i64::MIN;
    for inst in &expansion.instances {
        let ov = overrides.remove(&inst.utc);
        let (st, en) = match &ov {
            Some(o) => (o.start_utc, o.end_utc.max(o.start_utc)),
            None => (inst.utc, end_of(inst)),
        };
        last_end = last_end.max(en);
        let found = by_rid
            .get(&inst.utc)
            .copied()
            .filter(|i| !existing[*i].used)
            .or_else(|| {
                by_day
                    .get(&inst.local.date())
                    .and_then(|v| v.iter().copied().find(|i| !existing[*i].used))
            });
        match found {
            Some(i) => {
                let e = &mut existing[i];
                e.used = true;
                let (st, en) = if e.moved && ov.is_none() {
                    (e.start_utc, e.end_utc)
                } else {
                    (st, en)
                };
                if ov.is_some() || (e.rid, e.start_utc, e.end_utc) != (inst.utc, st, en) {
                    updates.push((e.id, inst.utc, st, en, ov));
                }
            }
            None => inserts.push((inst.utc, st, en, ov)),
        }
    }
    // Dates no longer in the series first, so that no recurrence id is ever taken twice.
    let mut delete = conn.prepare_cached("DELETE FROM occurrences WHERE id = :id")?;
    for e in existing.iter().filter(|e| !e.used) {
        delete.execute(named_params! {":id": e.id})?;
    }
    // A date of an event already in a room that a confirmed booking holds (a series extended
    // past the booking's date) is written cancelled: the room's booking stands (migration 15).
    let mut update = conn.prepare_cached(
        "UPDATE occurrences SET recurrence_id = :rid, start_utc = :s, end_utc = :e,
            cancelled = cancelled OR :off WHERE id = :id",
    )?;
    let mut update_ov = conn.prepare_cached(
        "UPDATE occurrences SET recurrence_id = :rid, start_utc = :s, end_utc = :e,
            cancelled = :c OR :off, title = :t, moved = 1 WHERE id = :id",
    )?;
    for (id, rid, st, en, ov) in updates {
        for off in [false, true] {
            let done = match &ov {
                None => update.execute(
                    named_params! {":id": id, ":rid": rid, ":s": st, ":e": en, ":off": off},
                ),
                Some(o) => update_ov.execute(named_params! {
                    ":id": id, ":rid": rid, ":s": st, ":e": en, ":off": off,
                    ":c": o.cancelled, ":t": o.title,
                }),
            };
            match done {
                Err(e) if !off && super::rooms::is_overlap(&e) => continue,
                other => {
                    other?;
                    break;
                }
            }
        }
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO occurrences (event_id, recurrence_id, start_utc, end_utc, cancelled, moved, title)
         VALUES (:e, :rid, :s, :end, :c OR :off, :moved, :t)",
    )?;
    for (rid, st, en, ov) in inserts {
        for off in [false, true] {
            match insert.execute(named_params! {
                ":e": event_id, ":rid": rid, ":s": st, ":end": en, ":off": off,
                ":c": ov.as_ref().is_some_and(|o| o.cancelled), ":moved": ov.is_some(),
                ":t": ov.as_ref().and_then(|o| o.title.clone()),
            }) {
                Err(e) if !off && super::rooms::is_overlap(&e) => continue,
                other => {
                    other?;
                    break;
                }
            }
        }
    }
    let (until, last) = if expansion.finished {
        (FOREVER, last_end.max(first_utc + exact))
    } else {
        (horizon, FOREVER)
    };
    conn.prepare_cached(
        "UPDATE events SET materialised_until = :u, last_end_utc = :l WHERE id = :id",
    )?
    .execute(named_params! {":id": event_id, ":u": until, ":l": last})?;
    Ok(report)
}

/// Recurring events whose occurrences stop before `target`, at most `limit` of them.
pub fn to_extend(conn: &Connection, target: i64, limit: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM events WHERE rrule <> '' AND materialised_until < :t LIMIT :limit",
    )?;
    let rows = stmt.query_map(named_params! {":t": target, ":limit": limit}, |r| r.get(0))?;
    rows.collect()
}

/// One date of an event by its recurrence id.
pub fn by_recurrence_id(
    conn: &Connection,
    event_id: i64,
    rid: i64,
) -> rusqlite::Result<Option<Occurrence>> {
    conn.prepare_cached(&format!(
        "SELECT {OCC_COLUMNS} FROM occurrences WHERE event_id = :e AND recurrence_id = :rid"
    ))?
    .query_row(
        named_params! {":e": event_id, ":rid": rid},
        occurrence_from_row,
    )
    .optional()
}

/// The date to show by default: the next one not over yet, else the last one.
pub fn current(conn: &Connection, event_id: i64, now: i64) -> rusqlite::Result<Option<Occurrence>> {
    let next = conn
        .prepare_cached(&format!(
            "SELECT {OCC_COLUMNS} FROM occurrences WHERE event_id = :e AND end_utc > :now
             ORDER BY start_utc LIMIT 1"
        ))?
        .query_row(
            named_params! {":e": event_id, ":now": now},
            occurrence_from_row,
        )
        .optional()?;
    if next.is_some() {
        return Ok(next);
    }
    conn.prepare_cached(&format!(
        "SELECT {OCC_COLUMNS} FROM occurrences WHERE event_id = :e ORDER BY start_utc DESC LIMIT 1"
    ))?
    .query_row(named_params! {":e": event_id}, occurrence_from_row)
    .optional()
}

/// The dates of an event ending after `from`, in order, at most `limit`.
pub fn upcoming(
    conn: &Connection,
    event_id: i64,
    from: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Occurrence>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OCC_COLUMNS} FROM occurrences WHERE event_id = :e AND end_utc > :from
         ORDER BY start_utc LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {":e": event_id, ":from": from, ":limit": limit},
        occurrence_from_row,
    )?;
    rows.collect()
}

/// The dates of an event starting in [`from`, `to`), in order, at most `limit`.
pub fn starting_between(
    conn: &Connection,
    event_id: i64,
    from: i64,
    to: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Occurrence>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OCC_COLUMNS} FROM occurrences
         WHERE event_id = :e AND start_utc >= :from AND start_utc < :to
         ORDER BY start_utc LIMIT :limit"
    ))?;
    let rows = stmt.query_map(
        named_params! {":e": event_id, ":from": from, ":to": to, ":limit": limit},
        occurrence_from_row,
    )?;
    rows.collect()
}

/// The dates of these events that differ from their series (cancelled, or changed alone), by
/// event id: the overriding VEVENTs of the iCalendar feeds.
pub fn exceptions_of(
    conn: &Connection,
    event_ids: &[i64],
) -> rusqlite::Result<HashMap<i64, Vec<Occurrence>>> {
    let list = serde_json::to_string(event_ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT event_id, {OCC_COLUMNS} FROM occurrences
         WHERE event_id IN (SELECT value FROM json_each(:ids)) AND (cancelled = 1 OR moved = 1)
         ORDER BY event_id, recurrence_id"
    ))?;
    let mut rows = stmt.query(named_params! {":ids": list})?;
    let mut out: HashMap<i64, Vec<Occurrence>> = HashMap::new();
    while let Some(r) = rows.next()? {
        out.entry(r.get("event_id")?)
            .or_default()
            .push(occurrence_from_row(r)?);
    }
    Ok(out)
}

/// Cancels or restores one date.
pub fn set_cancelled(
    conn: &Connection,
    occurrence_id: i64,
    cancelled: bool,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE occurrences SET cancelled = :c WHERE id = :id")?
        .execute(named_params! {":id": occurrence_id, ":c": cancelled})?;
    Ok(())
}

/// Changes one date on its own: new times, title and note; a new expansion keeps them.
pub fn set_override(
    conn: &Connection,
    occurrence_id: i64,
    start_utc: i64,
    end_utc: i64,
    title: Option<&str>,
    note: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE occurrences SET start_utc = :s, end_utc = :e, title = :t, note = :n, moved = 1
         WHERE id = :id",
    )?
    .execute(named_params! {":id": occurrence_id, ":s": start_utc, ":e": end_utc.max(start_utc), ":t": title, ":n": note})?;
    Ok(())
}

#[cfg(test)]
#[path = "occurrences_tests.rs"]
mod tests;
