//! THE list of modules and what each contributes to the cross-cutting mechanisms: its search
//! source, its map source, its part of "download my data", its paths of the OpenAPI document,
//! its blocks of the home page and of "my village", its background tasks (and, in the route
//! table, its tagged route group). The mechanisms live low (`search`, `map`, `privacy`, `api`,
//! `web::home`) and know no module; the modules know the mechanisms; only this file, at the
//! top, names both. [`install`] registers the lists at start-up (the command line, so the
//! server and every command); the server spawns [`TASKS`].

use std::future::Future;
use std::pin::Pin;

use actix_web::web::Data;
use rusqlite::Connection;
use serde_json::Value;

use crate::api::{no_schemas, ApiPart};
use crate::auth::User;
use crate::error::AppError;
use crate::map::{self, store as map_store, Source as MapSource};
use crate::privacy::DataPart;
use crate::search::Source as SearchSource;
use crate::settings::Module;
use crate::state::AppState;
use crate::web::home::{Block, BlockFuture};
use crate::web::Ctx;
use crate::{agenda, aid, directory, lists, news, rooms};

/// The indexed modules. Append only: a kind's position is stored in the index.
pub static SEARCH: &[SearchSource] = &[
    directory::search::SOURCE,
    news::search::SOURCE,
    agenda::search::SOURCE,
    aid::search::SOURCE,
];

/// The modules on the map.
pub static MAP: &[MapSource] = &[
    MapSource {
        name: map_store::ACTOR_SOURCE,
        module: Module::Directory,
        kinds: &map_store::ACTOR_KINDS,
        points: map_store::actor_points,
        details: map_store::actor_details,
    },
    // Events not over yet, with the date of their next occurrence; kinds are event types.
    MapSource {
        name: agenda::store::GEO_KIND,
        module: Module::Agenda,
        kinds: &agenda::EventType::NAMES,
        points: agenda::store::outside::map_points,
        details: agenda::store::outside::map_details,
    },
    // Open mutual aid posts; a person's point is the rounded one; kinds are post kinds.
    MapSource {
        name: aid::KIND,
        module: Module::Aid,
        kinds: &aid::MAP_KINDS,
        points: aid::store::admin::map_points,
        details: aid::store::admin::map_details,
    },
];

/// The home page's blocks, in their order: this week's events, the village's newsletter.
pub static HOME: &[Block] = &[agenda_home, lists_home];

fn agenda_home<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(agenda::handlers::home_block(state, ctx))
}

fn lists_home<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(lists::handlers::home_block(state, ctx))
}

/// The blocks of "my village", in their order: the next dates of the pages I follow or belong
/// to, then their news.
pub static MY_VILLAGE: &[Block] = &[agenda_village, news_village];

fn agenda_village<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(async move {
        match &ctx.user {
            Some(u) => agenda::handlers::my_village_block(state, ctx, u.id).await,
            None => Ok(maud::html! {}),
        }
    })
}

fn news_village<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(news::village::my_village_block(state, ctx))
}

/// The modules' paths and schemas in the OpenAPI document (the search's, the map's and the
/// addresses' are the document's own: they belong to no module that can be switched off).
pub static API: &[ApiPart] = &[
    ApiPart {
        paths: directory::openapi::paths,
        schemas: directory::openapi::schemas,
    },
    ApiPart {
        paths: news::api::openapi_paths,
        schemas: news::api::openapi_schemas,
    },
    ApiPart {
        paths: aid::api::openapi_paths,
        schemas: aid::api::openapi_schemas,
    },
    ApiPart {
        paths: agenda::api::openapi_paths,
        schemas: agenda::api::openapi_schemas,
    },
    ApiPart {
        paths: rooms::api::openapi_paths,
        schemas: no_schemas,
    },
    ApiPart {
        paths: lists::api::openapi_paths,
        schemas: no_schemas,
    },
];

/// The modules' parts of "download my data" (the account and the directory come first).
pub static MY_DATA: &[DataPart] = &[
    DataPart {
        key: "news",
        export: news_data,
    },
    DataPart {
        key: "agenda",
        export: agenda_data,
    },
    DataPart {
        key: "agenda_imports",
        export: agenda_imports_data,
    },
    DataPart {
        key: "room_bookings",
        export: rooms_data,
    },
    DataPart {
        key: "aid",
        export: aid_data,
    },
    DataPart {
        key: "lists",
        export: lists_data,
    },
];

fn news_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    news::export::personal_data(c, u.id)
}

fn agenda_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    agenda::api::personal_data(c, u.id)
}

fn agenda_imports_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    Ok(serde_json::to_value(
        agenda::store::imports::urls_added_by(c, u.id)?,
    )?)
}

fn rooms_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    rooms::api::personal_data(c, u.id)
}

fn aid_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    aid::export::personal_data(c, u.id)
}

fn lists_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    lists::export::personal_data(c, u.id, &u.email)
}

/// A module's background work, spawned by the server at start.
pub type Task = fn(Data<AppState>) -> Pin<Box<dyn Future<Output = ()>>>;

/// The modules' background tasks: calendar imports, rooms' mails and reminders, aid's relay,
/// expiry and digest, the lists' confirmations and sending queue.
pub static TASKS: &[Task] = &[
    |s| Box::pin(agenda::import::run(s)),
    |s| Box::pin(rooms::tasks::run(s)),
    |s| Box::pin(aid::tasks::run(s)),
    |s| Box::pin(lists::tasks::run(s)),
];

/// Registers every module's contributions with the mechanisms. Idempotent.
pub fn install() {
    crate::search::register(SEARCH);
    map::register(MAP);
    crate::web::home::register(HOME, MY_VILLAGE);
    crate::api::register(API);
    crate::privacy::register(MY_DATA);
}
