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
use crate::moderation::Target;
use crate::privacy::DataPart;
use crate::search::Source as SearchSource;
use crate::settings::Module;
use crate::state::AppState;
use crate::web::home::{ActorBlock, Block, BlockFuture};
use crate::web::Ctx;
use crate::{agenda, aid, directory, lists, news, rooms};

/// The indexed modules. Append only: a kind's position is stored in the index.
pub static SEARCH: &[SearchSource] = &[
    directory::search::SOURCE,
    news::search::SOURCE,
    agenda::search::SOURCE,
    aid::search::SOURCE,
    crate::neighbours::SOURCE,
    crate::votes::search::SOURCE,
    crate::channels::search::SOURCE,
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
    // The neighbouring villages' located items, when the visitor asks for them (issue 20).
    MapSource {
        name: crate::neighbours::KIND,
        module: Module::Map,
        kinds: &[crate::neighbours::KIND],
        points: crate::neighbours::store::map_points,
        details: crate::neighbours::store::map_details,
    },
    // Public proposals about a place, until their deadline.
    MapSource {
        name: crate::votes::store::GEO_KIND,
        module: Module::Votes,
        kinds: &crate::votes::store::map::MAP_KINDS,
        points: crate::votes::store::map::map_points,
        details: crate::votes::store::map::map_details,
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
/// to, their news, my next room bookings, my ads and conversations.
pub static MY_VILLAGE: &[Block] = &[
    agenda_village,
    news_village,
    votes_village,
    channels_village,
    rooms_village,
    aid_village,
];

fn votes_village<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(crate::votes::village::my_village_block(state, ctx))
}

fn channels_village<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(crate::channels::village::my_village_block(state, ctx))
}

fn rooms_village<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(async move {
        match &ctx.user {
            Some(u) => rooms::handlers::my_village_block(state, ctx, u.id).await,
            None => Ok(maud::html! {}),
        }
    })
}

fn aid_village<'a>(state: &'a AppState, ctx: &'a Ctx) -> BlockFuture<'a> {
    Box::pin(aid::handlers::my_village_block(state, ctx))
}

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

/// The blocks of an organisation's or a place's page, in their order: its next events, then
/// its latest news (what Mobilizon's group pages show).
pub static ACTOR_PAGE: &[ActorBlock] = &[agenda_actor, news_actor, votes_actor];

fn votes_actor<'a>(state: &'a AppState, ctx: &'a Ctx, id: i64, slug: &'a str) -> BlockFuture<'a> {
    Box::pin(crate::votes::village::actor_block(state, ctx, id, slug))
}

fn agenda_actor<'a>(state: &'a AppState, ctx: &'a Ctx, id: i64, slug: &'a str) -> BlockFuture<'a> {
    Box::pin(agenda::handlers::actor_block(state, ctx, id, slug))
}

fn news_actor<'a>(state: &'a AppState, ctx: &'a Ctx, id: i64, slug: &'a str) -> BlockFuture<'a> {
    Box::pin(news::village::actor_block(state, ctx, id, slug))
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
    ApiPart {
        paths: crate::votes::api::openapi_paths,
        schemas: crate::votes::api::openapi_schemas,
    },
    ApiPart {
        paths: crate::channels::api::openapi_paths,
        schemas: crate::channels::api::openapi_schemas,
    },
    ApiPart {
        paths: crate::channels::webhook::openapi_paths,
        schemas: crate::channels::webhook::openapi_schemas,
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
    DataPart {
        key: "votes",
        export: crate::votes::tasks::personal_data,
    },
    DataPart {
        key: "channels",
        export: channels_data,
    },
    DataPart {
        key: "channel_notifications",
        export: channel_notifications_data,
    },
    DataPart {
        key: "moderation",
        export: crate::moderation::tasks::personal_data,
    },
];

fn channels_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    Ok(crate::channels::store::export::personal_data(c, u.id)?)
}

fn channel_notifications_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    Ok(crate::channels::store::notify::personal_data(c, u.id)?)
}

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

/// The reportable kinds of every module: one reports table, one queue, one set of actions.
pub static MODERATION: &[Target] = &[
    Target {
        kind: "news",
        module: Module::News,
        label_key: "moderation.kind_news",
        load: news::store::moderation::load_posts,
        hide: news::store::moderation::hide_post,
        restore: news::store::moderation::restore_post,
        delete: Some(news::store::moderation::delete_post),
        edit: Some(news::store::moderation::edit_post),
        by_author: news::store::moderation::posts_by,
    },
    Target {
        kind: "comment",
        module: Module::News,
        label_key: "moderation.kind_comment",
        load: news::store::moderation::load_comments,
        hide: news::store::moderation::hide_comment,
        restore: news::store::moderation::restore_comment,
        delete: Some(news::store::moderation::delete_comment),
        edit: Some(news::store::moderation::edit_comment),
        by_author: news::store::moderation::comments_by,
    },
    Target {
        kind: "aid",
        module: Module::Aid,
        label_key: "moderation.kind_aid",
        load: aid::store::moderation::load,
        hide: aid::store::moderation::hide,
        restore: aid::store::moderation::restore,
        delete: Some(aid::store::moderation::delete),
        edit: Some(aid::store::moderation::edit),
        by_author: aid::store::moderation::by_author,
    },
    Target {
        kind: "event",
        module: Module::Agenda,
        label_key: "moderation.kind_event",
        load: agenda::store::moderation::load,
        hide: agenda::store::moderation::hide,
        restore: agenda::store::moderation::restore,
        delete: Some(agenda::store::moderation::delete),
        edit: Some(agenda::store::moderation::edit),
        by_author: agenda::store::moderation::by_author,
    },
    Target {
        kind: "actor",
        module: Module::Directory,
        label_key: "moderation.kind_actor",
        load: directory::store::moderation::load,
        hide: directory::store::moderation::hide,
        restore: directory::store::moderation::restore,
        delete: None,
        edit: Some(directory::store::moderation::edit),
        by_author: directory::store::moderation::by_author,
    },
    Target {
        kind: "booking",
        module: Module::Rooms,
        label_key: "moderation.kind_booking",
        load: rooms::store::moderation::load,
        hide: rooms::store::moderation::hide,
        restore: rooms::store::moderation::restore,
        delete: None,
        edit: Some(rooms::store::moderation::edit),
        by_author: rooms::store::moderation::by_author,
    },
    Target {
        kind: "proposal",
        module: Module::Votes,
        label_key: "moderation.kind_proposal",
        load: crate::votes::store::moderation::load,
        hide: crate::votes::store::moderation::hide,
        restore: crate::votes::store::moderation::restore,
        delete: Some(crate::votes::store::moderation::delete),
        edit: Some(crate::votes::store::moderation::edit),
        by_author: crate::votes::store::moderation::by_author,
    },
    Target {
        kind: "amendment",
        module: Module::Votes,
        label_key: "moderation.kind_amendment",
        load: crate::votes::store::moderation::load_amendments,
        hide: crate::votes::store::moderation::hide_amendment,
        restore: crate::votes::store::moderation::restore_amendment,
        delete: Some(crate::votes::store::moderation::delete_amendment),
        edit: Some(crate::votes::store::moderation::edit_amendment),
        by_author: crate::votes::store::moderation::amendments_by,
    },
    Target {
        kind: "channel_message",
        module: Module::Channels,
        label_key: "moderation.kind_channel_message",
        load: crate::channels::store::moderation::load_messages,
        hide: crate::channels::store::moderation::hide_message,
        restore: crate::channels::store::moderation::restore_message,
        delete: Some(crate::channels::store::moderation::delete_message),
        edit: Some(crate::channels::store::moderation::edit_message),
        by_author: crate::channels::store::moderation::messages_by,
    },
    Target {
        kind: "channel_thread",
        module: Module::Channels,
        label_key: "moderation.kind_channel_thread",
        load: crate::channels::store::moderation::load_threads,
        hide: crate::channels::store::moderation::hide_thread,
        restore: crate::channels::store::moderation::restore_thread,
        delete: Some(crate::channels::store::moderation::delete_thread),
        edit: Some(crate::channels::store::moderation::edit_thread),
        by_author: crate::channels::store::moderation::threads_by,
    },
];

/// A module's background work, spawned by the server at start.
pub type Task = fn(Data<AppState>) -> Pin<Box<dyn Future<Output = ()>>>;

/// The modules' background tasks: calendar imports, rooms' mails and reminders, aid's relay,
/// expiry and digest, the lists' confirmations and sending queue.
/// The modules on the fediverse: what each publishes (`federation::publish`), and the
/// remote objects each takes from the actors followed (`federation::inbox`).
pub static FEDERATED: &[crate::federation::Source] = &[
    crate::federation::Source {
        kind: "event",
        module: Module::Agenda,
        object: agenda::federation::object,
    },
    crate::federation::Source {
        kind: "news",
        module: Module::News,
        object: news::federation::object,
    },
];
pub static RECEIVERS: &[crate::federation::inbox::Receiver] =
    &[crate::federation::inbox::Receiver {
        object_type: "Event",
        upsert: agenda::federation::upsert,
        remove: agenda::federation::remove,
        open: agenda::federation::open,
    }];

pub static TASKS: &[Task] = &[
    |s| Box::pin(agenda::import::run(s)),
    |s| Box::pin(rooms::tasks::run(s)),
    |s| Box::pin(aid::tasks::run(s)),
    |s| Box::pin(lists::tasks::run(s)),
    |s| Box::pin(crate::outbox::run(s)),
    |s| Box::pin(crate::federation::deliver::run(s)),
    |s| Box::pin(crate::neighbours::sync::run(s)),
    |s| Box::pin(crate::moderation::tasks::run(s)),
    |s| Box::pin(crate::votes::tasks::run(s)),
    |s| Box::pin(crate::channels::tasks::run(s)),
];

/// Registers every module's contributions with the mechanisms. Idempotent.
pub fn install() {
    crate::search::register(SEARCH);
    map::register(MAP);
    crate::web::home::register(HOME, MY_VILLAGE);
    crate::web::home::register_actor(ACTOR_PAGE);
    crate::api::register(API);
    crate::privacy::register(MY_DATA);
    crate::moderation::register(MODERATION);
    crate::federation::register(FEDERATED);
    crate::federation::inbox::register(RECEIVERS);
}
