//! Pulling a neighbour's change feed: from where the last pull stopped, page after page (500
//! items each, 20 pages per pull at most, each page written as it comes), through `crate::net` (no private address; tests
//! allow loopback), 10 s timeouts, 5 MB per page; updated items replace their copy, deleted
//! ones leave; at most 20,000 items per neighbour; a point far outside the neighbour's own
//! circle is dropped (a neighbour cannot place things anywhere it likes). Every 15 minutes by
//! the task, and on demand from the admin page.

use std::io::Read;
use std::time::Duration;

use actix_web::web::Data;
use serde_json::Value;

use super::{store, Item, Neighbour};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

const PAGES: usize = 20;
const MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const MAX_ITEMS: i64 = 20_000;
/// Seconds between two pulls of a neighbour that answers.
pub const EVERY: i64 = 15 * 60;

/// What a neighbour says of itself (`/api/v1/instance`): name, centre, radius.
pub fn describe(url: &str) -> Result<(String, Option<(f64, f64)>, Option<f64>), String> {
    let v = get_json(&format!("{url}/api/v1/instance"), "")?;
    let name = v["name"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let center = v["center"]["lat"].as_f64().zip(v["center"]["lon"].as_f64());
    Ok((name, center, v["radius_km"].as_f64()))
}

/// Why a fetch failed: the other side no longer links us (403), or anything else.
const NOT_LINKED: &str = "HTTP 403";

fn get_json(url: &str, token: &str) -> Result<Value, String> {
    get_json_if(url, token, None).map(|v| v.unwrap_or(Value::Null))
}

/// [`get_json`], conditional on `etag` (`If-None-Match`): `None` when the answer is 304.
fn get_json_if(url: &str, token: &str, etag: Option<&str>) -> Result<Option<Value>, String> {
    if !crate::net::acceptable_url(url) {
        return Err(format!("not an http(s) address: {url}"));
    }
    let agent = crate::net::agent(
        concat!("Placette/", env!("CARGO_PKG_VERSION"), " (neighbours)"),
        Duration::from_secs(10),
    );
    let mut req = agent.get(url).set("Accept", "application/json");
    if !token.is_empty() {
        req = req.set(super::link::HEADER, token);
    }
    if let Some(tag) = etag {
        req = req.set("If-None-Match", tag);
    }
    let resp = match req.call() {
        Ok(r) if r.status() == 304 => return Ok(None),
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => return Err(format!("HTTP {code}")),
        Err(e) => return Err(e.kind().to_string()),
    };
    let mut bytes = Vec::new();
    resp.into_reader()
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err("more than 5 MB".into());
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| "not JSON".to_string())
}

/// One change read from the feed.
#[derive(Debug, PartialEq)]
pub enum Change {
    Updated(Item),
    Deleted(String),
}

fn within(n: &Neighbour, p: (f64, f64)) -> bool {
    match (n.center, n.radius_km) {
        (Some(c), Some(r)) => crate::geo::distance_km(c, p) <= r * 1.5 + 5.0,
        _ => true,
    }
}

/// Reads a page's items into changes.
pub fn changes_of(n: &Neighbour, page: &Value) -> Vec<Change> {
    let Some(items) = page["items"].as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            let id = i["id"].as_str()?.to_string();
            if i["state"] == "deleted" {
                return Some(Change::Deleted(id));
            }
            let d = &i["data"];
            let url = d["url"].as_str()?.to_string();
            // Its page must be on the neighbour's own site.
            if crate::federation::host_of(&url) != crate::federation::host_of(&n.url) {
                return None;
            }
            let text = |k: &str, max: usize| {
                d[k].as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(max)
                    .collect::<String>()
            };
            let point = d["lat"]
                .as_f64()
                .zip(d["lon"].as_f64())
                .filter(|p| within(n, *p));
            Some(Change::Updated(Item {
                remote_id: id,
                kind: text("kind", 20),
                category: text("category", 40),
                title: text("title", 200),
                text: text("text", 300),
                tags: d["tags"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(Value::as_str)
                            .take(20)
                            .map(|s| s.chars().take(50).collect())
                            .collect()
                    })
                    .unwrap_or_default(),
                point,
                start: d["start"].as_i64(),
                url,
                modified: i["modified"].as_i64().unwrap_or(0),
            }))
        })
        .collect()
}

/// One page of the feed from `cursor` (blocking): its changes and the cursor after it, `None`
/// at the end of the feed.
type Page = Option<(Vec<Change>, (i64, String))>;

fn fetch_page(n: &Neighbour, cursor: &(i64, String)) -> Result<Page, String> {
    let mut url = format!("{}/api/v1/changes?afterTimestamp={}", n.url, cursor.0);
    if !cursor.1.is_empty() {
        url.push_str(&format!("&afterId={}", crate::web::url_encode(&cursor.1)));
    }
    // A conditional request: the feed's page after the cursor, when empty, has this tag, so
    // a neighbour with nothing new answers 304 with no body.
    let empty = format!("W/\"{}-{}-0\"", cursor.0, cursor.1);
    let Some(page) = get_json_if(&url, &n.token, Some(&empty))? else {
        return Ok(None);
    };
    let Some(last) = page["items"].as_array().and_then(|a| a.last()) else {
        return Ok(None);
    };
    let next = (
        last["modified"].as_i64().unwrap_or(cursor.0),
        last["id"].as_str().unwrap_or_default().to_string(),
    );
    Ok(Some((changes_of(n, &page), next)))
}

/// Pulls one neighbour now: page after page, each page's changes written with the cursor
/// after it in one transaction (memory stays at one page; a pull cut short resumes there).
pub async fn pull(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(n) = state.db.read(move |c| Ok(store::get(c, id)?)).await? else {
        return Ok(());
    };
    if n.state != "linked" {
        return Ok(());
    }
    let mut cursor = (n.cursor_t, n.cursor_id.clone());
    let mut count = n.items;
    let mut outcome = Ok(());
    // Silent for a week, its items were hidden: they come back with the first page it gives.
    let mut revived = n.last_ok > 0 && n.last_ok < now() - 7 * 86_400;
    for _ in 0..PAGES {
        let (n2, c2) = (n.clone(), cursor.clone());
        let fetched = actix_web::web::block(move || fetch_page(&n2, &c2))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let (changes, next) = match fetched {
            Ok(Some(page)) => page,
            Ok(None) => break,
            Err(e) => {
                outcome = Err(e);
                break;
            }
        };
        let c = next.clone();
        count = state
            .db
            .write(move |tx| {
                for ch in &changes {
                    match ch {
                        Change::Updated(item) if count < MAX_ITEMS => {
                            store::upsert_item(tx, id, item)?;
                            count += 1;
                        }
                        Change::Updated(_) => {}
                        Change::Deleted(rid) => store::delete_item(tx, id, rid)?,
                    }
                }
                let t = now();
                if revived {
                    store::requeue(tx, Some(id), t)?;
                }
                store::cursor_at(tx, id, (c.0, &c.1), t)?;
                Ok(count)
            })
            .await?;
        revived = false;
        cursor = next;
    }
    let t = now();
    match outcome {
        Ok(()) => {
            state
                .db
                .write(move |tx| {
                    // Silent for a week and nothing new: its items come back all the same.
                    if revived {
                        store::requeue(tx, Some(id), t)?;
                    }
                    store::pulled(tx, id, (cursor.0, &cursor.1), t)?;
                    Ok(())
                })
                .await
        }
        Err(e) if e == NOT_LINKED && !n.token.is_empty() => {
            super::link::recheck(state, n).await.map(|_| ())
        }
        Err(e) => {
            log::info!("neighbour {}: {e}", n.url);
            state
                .db
                .write(move |tx| Ok(store::failed(tx, id, &e, t)?))
                .await
        }
    }
}

/// One neighbour's round: a linked one pulled, an asked one asked again.
async fn round(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(n) = state.db.read(move |c| Ok(store::get(c, id)?)).await? else {
        return Ok(());
    };
    if n.state == "asked" {
        let ours = crate::web::public_base(state);
        return super::link::ask_again(state, &n, &ours).await;
    }
    pull(state, id).await
}

/// The task: every minute, the neighbours due.
pub async fn run(state: Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(Duration::from_secs(60));
    let mut minutes: u64 = 0;
    loop {
        tick.tick().await;
        minutes += 1;
        // Once a day: the items of neighbours silent for a week leave the results.
        if minutes % 1440 == 0 {
            if let Err(e) = state
                .db
                .write(|tx| Ok(store::requeue(tx, None, now())?))
                .await
            {
                log::error!("neighbours: {e}");
            }
        }
        let due = match state.db.read(|c| Ok(store::due(c, now(), EVERY)?)).await {
            Ok(d) => d,
            Err(e) => {
                log::error!("neighbours: {e}");
                continue;
            }
        };
        for id in due {
            if let Err(e) = round(&state, id).await {
                log::error!("neighbours: {e}");
            }
        }
    }
}
