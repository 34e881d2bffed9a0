//! Every SQL statement about occurrences: materialising a series up to the horizon (keeping
//! what was done to single dates), extending the horizon lazily, and single dates.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{named_params, Connection, OptionalExtension, Row};

use super::FOREVER;
use crate::agenda::recurrence::{expand, Expansion, Instance, Rule};
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
    rrule: String,
    exdates: Vec<NaiveDate>,
    materialised_until: i64,
}

fn series(conn: &Connection, event_id: i64) -> rusqlite::Result<Option<SeriesRow>> {
    conn.prepare_cached(
        "SELECT tz, start_local, end_local, rrule, exdates, materialised_until FROM events WHERE id = :id",
    )?
    .query_row(named_params! {":id": event_id}, |r| {
        let tz: String = r.get(0)?;
        let local = |s: String| {
            chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").unwrap_or_default()
        };
        let exdates: String = r.get(4)?;
        Ok(SeriesRow {
            tz: tz.parse().unwrap_or(chrono_tz::Europe::Paris),
            start: local(r.get(1)?),
            end: local(r.get(2)?),
            rrule: r.get(3)?,
            exdates: exdates
                .split(',')
                .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .collect(),
            materialised_until: r.get(5)?,
        })
    })
    .optional()
}

/// Brings the occurrences of an event in step with its row, up to `horizon` (UTC) or further
/// if it was already materialised further. Dates are matched by their local day: a date that
/// stays in the series keeps its row (so its RSVPs, its cancellation and, if it was moved
/// alone, its own times), a date that left the series is deleted with its RSVPs, a new date
/// is inserted.
pub fn materialise(conn: &Connection, event_id: i64, horizon: i64) -> rusqlite::Result<()> {
    let Some(s) = series(conn, event_id)? else {
        return Ok(());
    };
    let horizon = if s.materialised_until == FOREVER {
        horizon
    } else {
        horizon.max(s.materialised_until)
    };
    let duration = s.end - s.start;
    let expansion = match Rule::parse(&s.rrule).ok().filter(|_| !s.rrule.is_empty()) {
        Some(rule) => expand(&rule, s.start, s.tz, &s.exdates, horizon),
        None => Expansion {
            instances: vec![Instance {
                local: s.start,
                utc: local_to_utc(s.tz, s.start),
            }],
            finished: true,
        },
    };
    let mut existing: HashMap<NaiveDate, (i64, i64, bool, i64, i64)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, recurrence_id, moved, start_utc, end_utc FROM occurrences WHERE event_id = :e",
        )?;
        let mut rows = stmt.query(named_params! {":e": event_id})?;
        while let Some(r) = rows.next()? {
            let rid: i64 = r.get(1)?;
            let day = utc_to_local(s.tz, rid).date();
            existing.insert(day, (r.get(0)?, rid, r.get(2)?, r.get(3)?, r.get(4)?));
        }
    }
    let mut updates = Vec::new();
    let mut inserts = Vec::new();
    let mut last_end = i64::MIN;
    for inst in &expansion.instances {
        let end = local_to_utc(s.tz, inst.local + duration).max(inst.utc);
        last_end = last_end.max(end);
        match existing.remove(&inst.local.date()) {
            Some((id, rid, moved, start_utc, end_utc)) => {
                let (st, en) = if moved {
                    (start_utc, end_utc)
                } else {
                    (inst.utc, end)
                };
                if (rid, st, en) != (inst.utc, start_utc, end_utc) {
                    updates.push((id, inst.utc, st, en));
                }
            }
            None => inserts.push((inst.utc, end)),
        }
    }
    // Dates no longer in the series first, so that no recurrence id is ever taken twice.
    let mut delete = conn.prepare_cached("DELETE FROM occurrences WHERE id = :id")?;
    for (id, ..) in existing.values() {
        delete.execute(named_params! {":id": id})?;
    }
    // A date of an event already in a room that a confirmed booking holds (a series extended
    // past the booking's date) is written cancelled: the room's booking stands (migration 15).
    let mut update = conn.prepare_cached(
        "UPDATE occurrences SET recurrence_id = :rid, start_utc = :s, end_utc = :e,
            cancelled = cancelled OR :off WHERE id = :id",
    )?;
    for (id, rid, st, en) in updates {
        for off in [false, true] {
            match update
                .execute(named_params! {":id": id, ":rid": rid, ":s": st, ":e": en, ":off": off})
            {
                Err(e) if !off && super::rooms::is_overlap(&e) => continue,
                other => {
                    other?;
                    break;
                }
            }
        }
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO occurrences (event_id, recurrence_id, start_utc, end_utc, cancelled)
         VALUES (:e, :rid, :rid, :end, :off)",
    )?;
    for (rid, end) in inserts {
        for off in [false, true] {
            match insert
                .execute(named_params! {":e": event_id, ":rid": rid, ":end": end, ":off": off})
            {
                Err(e) if !off && super::rooms::is_overlap(&e) => continue,
                other => {
                    other?;
                    break;
                }
            }
        }
    }
    let (until, last) = if expansion.finished {
        (FOREVER, last_end.max(local_to_utc(s.tz, s.end)))
    } else {
        (horizon, FOREVER)
    };
    conn.prepare_cached(
        "UPDATE events SET materialised_until = :u, last_end_utc = :l WHERE id = :id",
    )?
    .execute(named_params! {":id": event_id, ":u": until, ":l": last})?;
    Ok(())
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
mod tests {
    use super::super::tests::{event_row, fixture};
    use super::*;
    use crate::agenda::store::{insert_event, rsvps, update_event};
    use crate::agenda::{Rsvp, Status};

    fn dates(c: &Connection, id: i64) -> Vec<(String, bool)> {
        let mut st = c
            .prepare("SELECT start_utc, cancelled FROM occurrences WHERE event_id = ?1 ORDER BY start_utc")
            .unwrap();
        st.query_map([id], |r| {
            let t: i64 = r.get(0)?;
            let local = utc_to_local(chrono_tz::Europe::Paris, t);
            Ok((local.format("%Y-%m-%d %H:%M").to_string(), r.get(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    #[test]
    fn a_series_keeps_its_cancelled_dates_and_rsvps_when_edited() {
        let (db, user) = fixture();
        let c = db.conn().unwrap();
        let mut row = event_row("2027-03-02 18:30", "2027-03-02 20:00");
        row.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=6".into();
        let id = insert_event(
            &c,
            &row,
            "yoga",
            "uid-1",
            Status::Scheduled,
            Some(user),
            ("", ""),
            1,
        )
        .unwrap();
        materialise(&c, id, i64::MAX).unwrap();
        let d = dates(&c, id);
        assert_eq!(d.len(), 6);
        assert_eq!(
            d[4].0, "2027-03-30 18:30",
            "after the clock change, still 18:30"
        );
        // Cancel 9 March, RSVP on 16 March.
        let ninth = by_recurrence_id(
            &c,
            id,
            local_to_utc(
                chrono_tz::Europe::Paris,
                row.start + chrono::Duration::days(7),
            ),
        )
        .unwrap()
        .unwrap();
        set_cancelled(&c, ninth.id, true).unwrap();
        let sixteenth = by_recurrence_id(
            &c,
            id,
            local_to_utc(
                chrono_tz::Europe::Paris,
                row.start + chrono::Duration::days(14),
            ),
        )
        .unwrap()
        .unwrap();
        rsvps::set(&c, sixteenth.id, user, Some(Rsvp::Going), None, 1).unwrap();

        // The class moves to 19:00 and one more week: the same days keep their rows.
        row.start += chrono::Duration::minutes(30);
        row.end += chrono::Duration::minutes(30);
        row.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=7".into();
        update_event(&c, id, &row, Some(user), 2).unwrap();
        materialise(&c, id, i64::MAX).unwrap();
        let d = dates(&c, id);
        assert_eq!(d.len(), 7);
        assert_eq!(
            d[1],
            ("2027-03-09 19:00".to_string(), true),
            "still cancelled"
        );
        assert!(d.iter().all(|(t, _)| t.ends_with("19:00")));
        assert_eq!(
            rsvps::counts(&c, sixteenth.id).unwrap().going,
            1,
            "the RSVP stayed"
        );

        // An excluded date leaves the series; the horizon bounds an endless one.
        row.rrule = "FREQ=WEEKLY;BYDAY=TU".into();
        let exdates = [NaiveDate::from_ymd_opt(2027, 3, 16).unwrap()];
        row.exdates = &exdates;
        update_event(&c, id, &row, Some(user), 3).unwrap();
        let horizon = local_to_utc(
            chrono_tz::Europe::Paris,
            row.start + chrono::Duration::days(70),
        );
        materialise(&c, id, horizon).unwrap();
        let d = dates(&c, id);
        assert_eq!(
            d.len(),
            10,
            "11 Tuesdays to the horizon, one excluded: {d:?}"
        );
        assert!(!d.iter().any(|(t, _)| t.starts_with("2027-03-16")));
        assert_eq!(to_extend(&c, horizon + 1, 10).unwrap(), vec![id]);
        assert!(to_extend(&c, horizon, 10).unwrap().is_empty());
    }
}
