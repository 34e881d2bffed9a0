//! The module's background work, run by the server's housekeeping (no cron): the mails marked
//! in the rows by the writes (a request to the managers, a decision to the booker) and the
//! reminder the day before. Restart-safe: what is to send is in SQLite, committed with the
//! write; each mail is claimed (its mark cleared) in a transaction before it is sent, so it
//! never goes twice (a mail the relay refuses is marked again and retried later).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::web;

use super::store::{self, bookings};
use super::{Booking, Status};
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::state::AppState;

/// Set by a write that marked a mail: the next tick sends at once.
static WAKE: AtomicBool = AtomicBool::new(true);
/// Ticks between two full passes (reminders, retries).
const FULL_PASS_TICKS: u32 = 20;
/// A reminder goes this long before the start.
const REMIND_BEFORE: i64 = 24 * 3600;

/// Tells the task that a mail is waiting.
pub fn wake() {
    WAKE.store(true, Ordering::Release);
}

/// Runs forever beside the requests.
pub async fn run(state: web::Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(Duration::from_millis(500));
    let mut n: u32 = 0;
    loop {
        tick.tick().await;
        n = n.wrapping_add(1);
        let full = n % FULL_PASS_TICKS == 1;
        if !(WAKE.swap(false, Ordering::AcqRel) || full) {
            continue;
        }
        if let Err(e) = notify(&state).await {
            log::error!("rooms: mails: {e}");
        }
        if full {
            if let Err(e) = remind(&state).await {
                log::error!("rooms: reminders: {e}");
            }
        }
    }
}

fn base(state: &AppState) -> String {
    crate::web::public_base(state)
}

fn when(lang: Lang, state: &AppState, b: &Booking) -> String {
    let tz = state.instance().time_zone;
    let end = crate::time::utc_to_local(tz, b.end).format("%H:%M");
    format!("{} – {end}", lang.datetime(b.start, tz))
}

/// Sends the marked mails: one per series and decision (a whole series asked for or decided
/// at once is one mail).
async fn notify(state: &AppState) -> Result<(), AppError> {
    let marked = state.db.read(|c| Ok(bookings::to_notify(c)?)).await?;
    let mut groups: Vec<((i64, String, Status), Vec<Booking>)> = Vec::new();
    for (b, kind) in marked {
        let key = (b.series_id.unwrap_or(b.id), kind, b.status);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(b),
            None => groups.push((key, vec![b])),
        }
    }
    for ((_, kind, _), rows) in groups {
        let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
        let (claim, k) = (ids.clone(), kind.clone());
        let claimed = state
            .db
            .write(move |tx| {
                let mut n = 0;
                for id in &claim {
                    n += usize::from(bookings::clear_notify(tx, *id, &k)?);
                }
                Ok(n)
            })
            .await?;
        if claimed == 0 {
            continue;
        }
        let first = &rows[0];
        let sent = match kind.as_str() {
            "request" => request_mail(state, first).await,
            _ => decision_mail(state, first, rows.len()).await,
        };
        if let Err(e) = sent {
            log::error!("rooms: mail for bookings {ids:?} not sent: {e}");
            state
                .db
                .write(move |tx| {
                    for id in &ids {
                        bookings::restore_notify(tx, *id, &kind)?;
                    }
                    Ok(())
                })
                .await?;
        }
    }
    Ok(())
}

async fn send(state: &AppState, to: String, subject: String, text: String) -> Result<(), AppError> {
    let inst = state.instance();
    state
        .mailer
        .send(&inst.smtp, &inst.name, Mail::new(to, subject, text))
        .await
        .map(|_| ())
}

async fn request_mail(state: &AppState, b: &Booking) -> Result<(), AppError> {
    let (room, series) = (b.room_id, b.series_id);
    let (to, count) = state
        .db
        .read(move |c| {
            let n = match series {
                Some(s) => bookings::series_from(c, s, 0)?.len(),
                None => 1,
            };
            Ok((store::manager_addresses(c, room)?, n))
        })
        .await?;
    let default = state.instance().default_lang;
    let link = format!("{}/rooms/requests", base(state));
    for (addr, lang) in to {
        let lang = lang.unwrap_or(default);
        let subject = lang.tf("rooms.mail.request_subject", &[("room", &b.room_name)]);
        let text = lang.tf(
            "rooms.mail.request_text",
            &[
                ("who", &b.booker_label()),
                ("room", &b.room_name),
                ("when", &when(lang, state, b)),
                ("count", &count.to_string()),
                ("purpose", &b.purpose),
                ("link", &link),
            ],
        );
        send(state, addr, subject, text).await?;
    }
    Ok(())
}

async fn booker_address(state: &AppState, b: &Booking) -> Result<Option<(String, Lang)>, AppError> {
    let Some(uid) = b.user_id else {
        return Ok(None);
    };
    let default = state.instance().default_lang;
    let addr = state
        .db
        .read(move |c| Ok(bookings::user_address(c, uid)?))
        .await?;
    Ok(addr.map(|(e, l)| (e, l.as_deref().and_then(Lang::from_code).unwrap_or(default))))
}

async fn decision_mail(state: &AppState, b: &Booking, count: usize) -> Result<(), AppError> {
    let Some((to, lang)) = booker_address(state, b).await? else {
        return Ok(());
    };
    let key = match b.status {
        Status::Confirmed => "rooms.mail.confirmed",
        Status::Declined => "rooms.mail.declined",
        _ => "rooms.mail.cancelled",
    };
    let subject = lang.tf(&format!("{key}_subject"), &[("room", &b.room_name)]);
    let link = format!("{}/rooms/mine", base(state));
    let text = lang.tf(
        &format!("{key}_text"),
        &[
            ("room", &b.room_name),
            ("when", &when(lang, state, b)),
            ("purpose", &b.purpose),
            ("link", &link),
        ],
    );
    let text = if count > 1 {
        let n = count.to_string();
        format!(
            "{text}\n{}\n",
            lang.tf("rooms_series.mail_more", &[("count", &n)])
        )
    } else {
        text
    };
    send(state, to, subject, text).await
}

/// Sends the reminders of the confirmed bookings starting within a day.
async fn remind(state: &AppState) -> Result<(), AppError> {
    let t = now();
    let due = state
        .db
        .read(move |c| Ok(bookings::due_reminders(c, t, t + REMIND_BEFORE)?))
        .await?;
    for b in due {
        let id = b.id;
        let claimed = state
            .db
            .write(move |tx| Ok(bookings::mark_reminded(tx, id, now())?))
            .await?;
        if !claimed {
            continue;
        }
        let Some((to, lang)) = booker_address(state, &b).await? else {
            continue;
        };
        let room = b.room_id;
        let access = state
            .db
            .read(move |c| Ok(store::rules_of(c, room)?.access_instructions))
            .await?;
        let subject = lang.tf("rooms.mail.reminder_subject", &[("room", &b.room_name)]);
        let text = lang.tf(
            "rooms.mail.reminder_text",
            &[
                ("room", &b.room_name),
                ("when", &when(lang, state, &b)),
                ("purpose", &b.purpose),
                ("access", &access),
            ],
        );
        if let Err(e) = send(state, to, subject, text).await {
            log::error!("rooms: reminder for booking {id} not sent: {e}");
        }
    }
    Ok(())
}
