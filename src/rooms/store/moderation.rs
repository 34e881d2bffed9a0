//! Public room bookings (their purpose is shown on the room's calendar) in the one moderation
//! mechanism: hiding one makes it private again (the room stays booked). SQL only.

use rusqlite::{params, Connection};

use crate::moderation::{store::ids, store::items, Item};

pub fn load(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        "SELECT b.id, b.purpose, b.purpose, '/rooms/' || a.slug, b.user_id, b.room_id,
                b.public = 1 AND b.status = 'confirmed',
                EXISTS (SELECT 1 FROM moderation_hidden h WHERE h.kind = 'booking' AND h.item_id = b.id)
         FROM room_bookings b JOIN actors a ON a.id = b.room_id
         WHERE b.id IN (SELECT value FROM json_each(?1))",
        id_list,
    )
}

pub fn hide(c: &Connection, id: i64, _by: i64, now: i64) -> rusqlite::Result<String> {
    let before: i64 = c.query_row(
        "SELECT public FROM room_bookings WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    c.execute(
        "UPDATE room_bookings SET public = 0, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(before.to_string())
}

pub fn restore(c: &Connection, id: i64, before: &str) -> rusqlite::Result<()> {
    let public = i64::from(before != "0");
    c.execute(
        "UPDATE room_bookings SET public = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, public],
    )?;
    Ok(())
}

pub fn edit(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE room_bookings SET purpose = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

pub fn by_author(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM room_bookings WHERE user_id = ?1 AND public = 1 AND status = 'confirmed'
         AND end_utc > unixepoch()",
        user_id,
    )
}
