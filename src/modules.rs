//! THE list of modules and what each contributes to the cross-cutting mechanisms: its
//! search source, its map source (and, through the route table, its routes). The mechanisms
//! live low (`search`, `map`) and know no module; the modules know the mechanisms; only this
//! file, at the top, names both. [`install`] registers the lists at start-up (the server, the
//! command line, the tests).

use crate::map::{self, store as map_store, Source as MapSource};
use crate::search::Source as SearchSource;
use crate::settings::Module;
use crate::state::AppState;
use crate::web::home::{Block, BlockFuture};
use crate::web::Ctx;
use crate::{agenda, aid, directory, lists, news};

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

/// Registers every module's contributions with the mechanisms. Idempotent.
pub fn install() {
    crate::search::register(SEARCH);
    map::register(MAP);
    crate::web::home::register(HOME);
}
