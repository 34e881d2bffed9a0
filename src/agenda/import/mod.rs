//! iCalendar import (issues 6 and 17): an organiser page's calendar published elsewhere
//! (Google Calendar, Outlook/Exchange, Thunderbird, Nextcloud, Mobilizon, Gancio), from a URL
//! the server refreshes itself or from an uploaded file. `parse` reads the file's structure,
//! `event` what each VEVENT means, `zones` its time zones, `sync` brings the events in step
//! (matched by UID within the source) and writes the `report` of what was kept, adjusted or
//! refused; `fetch` gets a URL safely, `handlers`/`views` are the managers' page, where
//! `fediverse` also lets them follow a fediverse account for the page (issue 19).

pub mod event;
pub mod fediverse;
pub mod fetch;
pub mod handlers;
pub mod parse;
pub mod report;
pub mod sync;
mod values;
pub mod views;
pub mod windows_zones;
pub mod zones;

use actix_web::web;

use crate::agenda::store::imports::{self, RunResult};
use crate::error::AppError;
use crate::state::AppState;
use parse::{Feed, ParseError};

/// A parse error as stored and shown: `key|detail`.
pub fn parse_error_text(e: &ParseError) -> String {
    match e {
        ParseError::NotCalendar => "agenda_import.error_not_calendar|".into(),
        ParseError::Unbalanced => "agenda_import.error_unbalanced|".into(),
    }
}

/// Fetches, reads and applies one URL source; the outcome (or the error) is recorded on it.
pub async fn refresh(state: &AppState, source: imports::Source) -> Result<RunResult, AppError> {
    let Some(url) = source.url.clone() else {
        return Ok(RunResult::default());
    };
    let (etag, lm) = (source.etag.clone(), source.last_modified.clone());
    let fetched = web::block(move || fetch::fetch(&url, &etag, &lm)).await?;
    let (id, actor) = (source.id, source.actor_id);
    let now = crate::db::now();
    state
        .db
        .write(move |tx| {
            let tz = crate::settings::store::load_instance(tx)?.time_zone;
            let failed = |error: String| -> Result<RunResult, AppError> {
                let r = RunResult {
                    error,
                    ..RunResult::default()
                };
                imports::record(tx, id, &r, None, now)?;
                Ok(r)
            };
            match fetched {
                Err(fetch::FetchError(key, detail)) => failed(format!("{key}|{detail}")),
                Ok(fetch::Fetched::NotModified) => {
                    let r = RunResult::default();
                    imports::record(tx, id, &r, None, now)?;
                    Ok(r)
                }
                Ok(fetch::Fetched::Body(text, etag, lm)) => match parse::parse(&text, tz) {
                    Err(e) => failed(parse_error_text(&e)),
                    Ok(feed) => {
                        let r = sync::apply(tx, id, actor, &feed, None, now)?;
                        imports::record(tx, id, &r, Some((&etag, &lm)), now)?;
                        Ok(r)
                    }
                },
            }
        })
        .await
}

/// The background task: every 10 minutes, the calendar imports that are due (each hourly).
pub async fn run(state: actix_web::web::Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        refresh_due(&state).await;
    }
}

/// Refreshes the URL sources that are due (every 10 minutes by [`run`]; no cron). A failing
/// source is recorded and retried at its next turn.
pub async fn refresh_due(state: &AppState) {
    let now = crate::db::now();
    let due = match state.db.read(move |c| Ok(imports::due(c, now, 20)?)).await {
        Ok(d) => d,
        Err(e) => {
            log::error!("agenda import: {e}");
            return;
        }
    };
    for source in due {
        let id = source.id;
        match refresh(state, source).await {
            Ok(r) if !r.error.is_empty() => log::warn!("agenda import: source {id}: {}", r.error),
            Ok(_) => {}
            Err(e) => log::error!("agenda import: source {id}: {e}"),
        }
    }
}
