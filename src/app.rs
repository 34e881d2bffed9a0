//! THE route table: every URL of the site, one per line, and the middleware order.

use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::web::delete;
use actix_web::web::{self, get, post, ServiceConfig};
use actix_web::Route;

use crate::settings::Module;
pub use crate::state::AppState;
use crate::{
    addresses, agenda, api, auth, directory, federation, map, moderation, news, privacy, rooms,
    search, settings, web as site,
};

/// THE route table: one route per line, in matching order. The routes after
/// `r.module(...)` are that module's: they answer only while it is switched on (404 otherwise);
/// after `r.site()`, the site's own routes always answer.
#[rustfmt::skip]
pub fn routes(cfg: &mut ServiceConfig) {
    let mut r = Routes::new(cfg);
    r.route("/", get().to(site::home::home));
    r.route("/healthz", get().to(site::home::healthz));
    r.route("/assets/{file:.*}", get().to(site::assets::serve));
    r.route("/lang", post().to(site::home::set_language));
    r.route("/setup", get().to(settings::handlers::setup_form));
    r.route("/setup", post().to(settings::handlers::setup_submit));
    r.route("/signup", get().to(auth::handlers::signup_form));
    r.route("/signup", post().to(auth::handlers::signup_submit));
    r.route("/confirm/{token}", get().to(auth::handlers::confirm));
    r.route("/confirm/resend", post().to(auth::handlers::resend_confirmation));
    r.route("/login", get().to(auth::handlers::login_form));
    r.route("/login", post().to(auth::handlers::login_submit));
    r.route("/logout", post().to(auth::handlers::logout));
    r.route("/password/forgot", get().to(auth::password::forgot_form));
    r.route("/password/forgot", post().to(auth::password::forgot_submit));
    r.route("/password/reset/{token}", get().to(auth::password::reset_form));
    r.route("/password/reset/{token}", post().to(auth::password::reset_submit));
    r.route("/account", get().to(auth::account::account));
    r.route("/account", post().to(auth::account::account_save));
    r.route("/account/tokens", post().to(auth::account::token_create));
    r.route("/account/tokens/{id}/delete", post().to(auth::account::token_delete));
    r.route("/account/export", get().to(privacy::handlers::export));
    r.route("/account/moderation", get().to(moderation::people::my_page));
    r.route("/account/delete", post().to(privacy::handlers::delete));
    r.route("/admin", get().to(settings::handlers::admin_settings));
    r.route("/admin", post().to(settings::handlers::admin_settings_save));
    r.route("/admin/smtp", post().to(settings::handlers::admin_smtp_save));
    r.route("/admin/test-mail", post().to(settings::handlers::admin_test_mail));
    r.route("/admin/users", get().to(settings::handlers::admin_users));
    r.route("/admin/users/{id}/role", post().to(settings::handlers::admin_set_role));
    r.route("/contact", get().to(moderation::contact::form));
    r.route("/contact", post().to(moderation::contact::send));
    r.route("/report/{kind}/{id}", get().to(moderation::handlers::report_form));
    r.route("/report/{kind}/{id}", post().to(moderation::handlers::report));
    r.route("/moderation", get().to(moderation::handlers::queue));
    r.route("/moderation/items/{kind}/{id}", get().to(moderation::handlers::item_page));
    r.route("/moderation/items/{kind}/{id}/{action}", post().to(moderation::handlers::act));
    r.route("/moderation/purge/{kind}/{id}", post().to(moderation::handlers::purge));
    r.route("/moderation/people/{id}", get().to(moderation::people::person_page));
    r.route("/moderation/people/{id}/{action}", post().to(moderation::people::act));
    r.route("/moderation/log", get().to(moderation::log::log_page));
    r.route("/moderation/log.csv", get().to(moderation::log::log_csv));
    r.route("/moderation/settings", post().to(moderation::log::settings_save));
    r.module(Module::Directory);
    r.route("/directory", get().to(directory::handlers::list));
    r.route("/directory/new", get().to(directory::handlers::new_form));
    r.route("/directory/new", post().to(directory::handlers::create));
    r.route("/my", get().to(directory::handlers::my_village));
    r.route("/a/{slug}", get().to(directory::handlers::show));
    r.route("/a/{slug}/edit", get().to(directory::handlers::edit_form));
    r.route("/a/{slug}/edit", post().to(directory::handlers::update));
    r.route("/a/{slug}/delete", post().to(directory::handlers::delete));
    r.route("/a/{slug}/photo", post().to(directory::photo::upload));
    r.route("/a/{slug}/follow", post().to(directory::handlers::follow));
    r.route("/a/{slug}/unfollow", post().to(directory::handlers::follow));
    r.route("/a/{slug}/contact", post().to(directory::handlers::contact));
    r.route("/a/{slug}/masked", get().to(moderation::people::page_masked));
    r.route("/a/{slug}/{action:mask|unmask}", post().to(moderation::people::page_mask));
    r.route("/a/{slug}/official", post().to(directory::official::set));
    r.route("/a/{slug}/members", get().to(directory::members::page));
    r.route("/a/{slug}/join", post().to(directory::members::join));
    r.route("/a/{slug}/leave", post().to(directory::members::leave));
    r.route("/a/{slug}/invite", post().to(directory::members::invite));
    r.route("/a/{slug}/members/{user}/approve", post().to(directory::members::approve));
    r.route("/a/{slug}/members/{user}/remove", post().to(directory::members::remove));
    r.route("/a/{slug}/members/{user}/role", post().to(directory::members::set_role));
    r.route("/invite/{token}", get().to(directory::members::invitation));
    r.route("/invite/{token}", post().to(directory::members::accept));
    r.site();
    r.route("/media/{name}", get().to(crate::uploads::media));
    r.route("/api/v1/addresses", get().to(addresses::handlers::suggest));
    r.module(Module::Directory);
    r.route("/directory.csv", get().to(directory::api::csv));
    r.route("/directory.geojson", get().to(directory::api::geojson));
    r.route("/api/v1/actors", get().to(directory::api::list));
    r.route("/api/v1/actors", post().to(directory::api::create));
    r.route("/api/v1/actors/{slug}", get().to(directory::api::show));
    r.route("/api/v1/actors/{slug}", delete().to(directory::api::delete));
    r.site();
    r.route("/admin/import", get().to(directory::import_page::form));
    r.route("/admin/import", post().to(directory::import_page::submit));
    r.route("/search", get().to(search::handlers::page));
    r.route("/api/v1/search", get().to(search::handlers::api));
    r.route("/api/v1/changes", get().to(search::changes::feed));
    r.route("/.well-known/webfinger", get().to(federation::discovery::webfinger));
    r.route("/.well-known/nodeinfo", get().to(federation::discovery::nodeinfo_index));
    r.route("/.well-known/host-meta", get().to(federation::discovery::host_meta));
    r.route("/nodeinfo/2.1", get().to(federation::discovery::nodeinfo));
    r.route("/ap/inbox", post().to(federation::inbox::post));
    r.route("/ap/village", get().to(federation::actors::village));
    r.route("/ap/village/inbox", post().to(federation::inbox::post));
    r.route("/ap/village/outbox", get().to(federation::actors::village_outbox));
    r.route("/ap/village/outbox/page/{n}", get().to(federation::actors::village_outbox_page));
    r.route("/ap/village/{which}", get().to(federation::actors::village_collection));
    r.route("/ap/a/{slug}", get().to(federation::actors::group));
    r.route("/ap/a/{slug}/inbox", post().to(federation::inbox::post));
    r.route("/ap/a/{slug}/outbox", get().to(federation::actors::group_outbox));
    r.route("/ap/a/{slug}/outbox/page/{n}", get().to(federation::actors::group_outbox_page));
    r.route("/ap/a/{slug}/{which}", get().to(federation::actors::group_collection));
    r.route("/ap/o/{kind}/{id}", get().to(federation::actors::object));
    r.route("/admin/neighbours", get().to(crate::neighbours::admin::page));
    r.route("/admin/neighbours", post().to(crate::neighbours::admin::add));
    r.route("/admin/neighbours/{id}/sync", post().to(crate::neighbours::admin::sync_now));
    r.route("/admin/neighbours/{id}/delete", post().to(crate::neighbours::admin::remove));
    r.route("/admin/neighbours/{id}/accept", post().to(crate::neighbours::admin::accept));
    r.route("/admin/neighbours/{id}/decline", post().to(crate::neighbours::admin::decline));
    r.route("/api/v1/neighbours", post().to(crate::neighbours::link::request));
    r.route("/api/v1/neighbours/link", get().to(crate::neighbours::link::link));
    r.route("/api/v1/neighbours/notify", post().to(crate::neighbours::link::notified));
    r.route("/admin/federation", get().to(federation::admin::page));
    r.route("/admin/federation/follow", post().to(federation::admin::follow_submit));
    r.route("/admin/federation/following/{id}/delete", post().to(federation::admin::unfollow));
    r.route("/admin/federation/blocks", post().to(federation::admin::block));
    r.route("/admin/federation/blocks/delete", post().to(federation::admin::unblock));
    r.route("/admin/federation/key", post().to(federation::admin::rotate_key));
    r.route("/api/v1/openapi.json", get().to(api::openapi));
    r.route("/api/v1/instance", get().to(api::instance));
    r.route("/api/v1/me", get().to(api::me));
    r.module(Module::Map);
    r.route("/map", get().to(map::handlers::page));
    r.route("/map.geojson", get().to(map::handlers::geojson));
    r.route("/embed/map", get().to(map::handlers::embed));
    r.site();
    // The tiles serve every map, the directory's location picker too: on with the map off.
    r.route("/tiles/{z}/{x}/{y}", get().to(map::handlers::tile));
    r.route("/admin/map", post().to(map::handlers::admin_save));
    r.module(Module::Agenda);
    r.route("/agenda", get().to(agenda::handlers::list));
    r.route("/agenda/month", get().to(agenda::handlers::month));
    r.route("/agenda/week", get().to(agenda::handlers::week));
    r.route("/agenda/print", get().to(agenda::handlers::print));
    r.route("/agenda/new", get().to(agenda::manage::new_form));
    r.route("/agenda/new", post().to(agenda::manage::create));
    r.route("/agenda.ics", get().to(agenda::feeds::calendar));
    r.route("/agenda.rss", get().to(agenda::feeds::rss));
    r.route("/agenda.json", get().to(agenda::feeds::json_feed));
    r.route("/a/{slug}/agenda.ics", get().to(agenda::feeds::actor_calendar));
    r.route("/e/{slug}.ics", get().to(agenda::feeds::event_calendar));
    r.route("/e/{slug}", get().to(agenda::handlers::show));
    r.route("/e/{slug}/edit", get().to(agenda::manage::edit_form));
    r.route("/e/{slug}/edit", post().to(agenda::manage::update));
    r.route("/e/{slug}/delete", post().to(agenda::manage::delete));
    r.route("/e/{slug}/cancel", post().to(agenda::manage::cancel));
    r.route("/e/{slug}/restore", post().to(agenda::manage::cancel));
    r.route("/e/{slug}/image", post().to(agenda::image::upload));
    r.route("/e/{slug}/rsvp", post().to(agenda::dates::rsvp));
    r.route("/e/{slug}/dates/{rid}/cancel", post().to(agenda::dates::cancel));
    r.route("/e/{slug}/dates/{rid}/restore", post().to(agenda::dates::cancel));
    r.route("/e/{slug}/dates/{rid}/edit", get().to(agenda::dates::edit_form));
    r.route("/e/{slug}/dates/{rid}/edit", post().to(agenda::dates::update));
    r.route("/admin/agenda", get().to(agenda::moderation::queue));
    r.route("/admin/agenda/{id}/approve", post().to(agenda::moderation::approve));
    r.route("/admin/agenda/{id}/reject", post().to(agenda::moderation::reject));
    r.route("/api/v1/events", get().to(agenda::api::list));
    r.route("/api/v1/events/{slug}", get().to(agenda::api::show));
    r.route("/a/{slug}/agenda/import", get().to(agenda::import::handlers::page));
    r.route("/a/{slug}/agenda/import", post().to(agenda::import::handlers::import));
    r.route("/a/{slug}/agenda/import/{id}/report.json", get().to(agenda::import::handlers::report_json));
    r.route("/a/{slug}/agenda/import/{id}/{action}", post().to(agenda::import::handlers::source_action));
    r.route("/a/{slug}/fediverse/follow", post().to(agenda::import::fediverse::follow));
    r.route("/a/{slug}/fediverse/unfollow/{id}", post().to(agenda::import::fediverse::unfollow));
    r.module(Module::News);
    r.route("/news", get().to(news::handlers::wall));
    r.route("/news", post().to(news::handlers::create_on_wall));
    r.route("/news.rss", get().to(news::feed::village));
    r.route("/news/{id}", get().to(news::handlers::show));
    r.route("/news/{id}/edit", get().to(news::handlers::edit_form));
    r.route("/news/{id}/edit", post().to(news::handlers::update));
    r.route("/news/{id}/delete", post().to(news::handlers::delete));
    r.route("/news/{id}/comments", post().to(news::comments::create));
    r.route("/news/comments/{id}/edit", get().to(news::comments::edit_form));
    r.route("/news/comments/{id}/edit", post().to(news::comments::update));
    r.route("/news/comments/{id}/delete", post().to(news::comments::delete));
    r.route("/a/{slug}/news", get().to(news::handlers::journal));
    r.route("/a/{slug}/news", post().to(news::handlers::create_on_journal));
    r.route("/a/{slug}/news.rss", get().to(news::feed::actor));
    r.site();
    r.module(Module::News);
    r.route("/api/v1/news", get().to(news::api::list));
    r.route("/api/v1/news/{id}", get().to(news::api::show));
    r.module(Module::Rooms);
    r.route("/rooms", get().to(rooms::handlers::list));
    r.route("/rooms/mine", get().to(rooms::handlers::mine));
    r.route("/rooms/requests", get().to(rooms::manage::requests));
    r.route("/rooms/feed/{token}", get().to(rooms::feeds::actor_feed));
    r.route("/rooms/feeds/{slug}", post().to(rooms::manage::new_feed));
    r.route("/rooms/bookings/{id}/approve", post().to(rooms::manage::approve));
    r.route("/rooms/bookings/{id}/decline", post().to(rooms::manage::decline));
    r.route("/rooms/bookings/{id}/cancel", post().to(rooms::manage::cancel));
    r.route("/rooms/bookings/{id}/edit", get().to(rooms::edit::form));
    r.route("/rooms/bookings/{id}/edit", post().to(rooms::edit::save));
    r.route("/rooms/bookings/{id}/event", post().to(rooms::edit::link_event));
    r.route("/rooms/{slug}", get().to(rooms::handlers::show));
    r.route("/rooms/{slug}/book", post().to(rooms::handlers::book));
    r.route("/rooms/{slug}/freebusy.ics", get().to(rooms::feeds::freebusy));
    r.route("/rooms/{slug}/manage", get().to(rooms::manage::page));
    r.route("/rooms/{slug}/rules", post().to(rooms::manage::save_rules));
    r.route("/api/v1/rooms", get().to(rooms::api::list));
    r.route("/api/v1/rooms/{slug}/bookings", get().to(rooms::api::bookings));
    r.module(Module::Aid);
    r.route("/aid", get().to(crate::aid::handlers::list));
    r.route("/aid/new", get().to(crate::aid::handlers::new_form));
    r.route("/aid/new", post().to(crate::aid::handlers::create));
    r.route("/aid/mine", get().to(crate::aid::handlers::mine));
    r.route("/aid/conversations", get().to(crate::aid::talk::list));
    r.route("/aid/conversations/{id}", get().to(crate::aid::talk::show));
    r.route("/aid/conversations/{id}", post().to(crate::aid::talk::send));
    r.route("/aid/conversations/{id}/close", post().to(crate::aid::talk::close));
    r.route("/aid/conversations/{id}/block", post().to(crate::aid::talk::block));
    r.route("/aid/settings", get().to(crate::aid::moderation::settings_page));
    r.route("/aid/settings", post().to(crate::aid::moderation::settings_save));
    r.route("/aid/digest", get().to(crate::aid::moderation::digest_page));
    r.route("/aid/digest", post().to(crate::aid::moderation::digest_save));
    r.route("/aid/{id}", get().to(crate::aid::handlers::show));
    r.route("/aid/{id}/edit", get().to(crate::aid::handlers::edit_form));
    r.route("/aid/{id}/edit", post().to(crate::aid::handlers::update));
    r.route("/aid/{id}/close", get().to(crate::aid::handlers::confirm_page));
    r.route("/aid/{id}/close", post().to(crate::aid::handlers::close));
    r.route("/aid/{id}/extend", get().to(crate::aid::handlers::confirm_page));
    r.route("/aid/{id}/extend", post().to(crate::aid::handlers::extend));
    r.route("/aid/{id}/reply", post().to(crate::aid::talk::reply));
    r.route("/api/v1/aid", get().to(crate::aid::api::list));
    r.route("/api/v1/aid/{id}", get().to(crate::aid::api::show));
    r.module(Module::Lists);
    r.route("/lists", get().to(crate::lists::handlers::index));
    r.route("/lists/new", get().to(crate::lists::handlers::new_form));
    r.route("/lists/new", post().to(crate::lists::handlers::create));
    r.route("/lists/confirm/{token}", get().to(crate::lists::subscribe::confirm_page));
    r.route("/lists/confirm/{token}", post().to(crate::lists::subscribe::confirm));
    r.route("/lists/u/{token}", get().to(crate::lists::subscribe::unsubscribe_page));
    r.route("/lists/u/{token}", post().to(crate::lists::subscribe::unsubscribe));
    r.route("/lists/{slug}", get().to(crate::lists::handlers::show));
    r.route("/lists/{slug}", post().to(crate::lists::subscribe::subscribe));
    r.route("/lists/{slug}/edit", get().to(crate::lists::handlers::edit_form));
    r.route("/lists/{slug}/edit", post().to(crate::lists::handlers::update));
    r.route("/lists/{slug}/archive", get().to(crate::lists::handlers::archive));
    r.route("/lists/{slug}/archive/{id}", get().to(crate::lists::handlers::archived));
    r.route("/lists/{slug}/feed.rss", get().to(crate::lists::handlers::feed));
    r.route("/lists/{slug}/manage", get().to(crate::lists::drafts::manage));
    r.route("/lists/{slug}/subscribers.csv", get().to(crate::lists::csv::export));
    r.route("/lists/{slug}/consents.csv", get().to(crate::lists::csv::consents));
    r.route("/lists/{slug}/import", get().to(crate::lists::csv::import_form));
    r.route("/lists/{slug}/import", post().to(crate::lists::csv::import));
    r.route("/lists/{slug}/mailings/new", get().to(crate::lists::drafts::new_form));
    r.route("/lists/{slug}/mailings/new", post().to(crate::lists::drafts::create));
    r.route("/lists/{slug}/mailings/{id}", get().to(crate::lists::drafts::show));
    r.route("/lists/{slug}/mailings/{id}", post().to(crate::lists::drafts::save));
    r.route("/lists/{slug}/mailings/{id}/preview", get().to(crate::lists::drafts::preview));
    r.route("/lists/{slug}/mailings/{id}/diff", get().to(crate::lists::drafts::diff));
    r.route("/lists/{slug}/mailings/{id}/approve", post().to(crate::lists::drafts::approve));
    r.route("/lists/{slug}/mailings/{id}/send", post().to(crate::lists::drafts::send));
    r.route("/lists/{slug}/mailings/{id}/delete", post().to(crate::lists::drafts::delete));
    r.route("/lists/{slug}/mailings/{id}/unschedule", post().to(crate::lists::drafts::unschedule));
    r.route("/admin/lists", get().to(crate::lists::handlers::admin_form));
    r.route("/admin/lists", post().to(crate::lists::handlers::admin_save));
    r.route("/api/v1/lists", get().to(crate::lists::api::list));
    r.module(Module::Votes);
    r.route("/votes", get().to(crate::votes::handlers::list));
    r.route("/votes.ics", get().to(crate::votes::handlers::feed));
    r.route("/votes/new", get().to(crate::votes::handlers::new_form));
    r.route("/votes/new", post().to(crate::votes::handlers::create));
    r.route("/votes/{id}.ics", get().to(crate::votes::handlers::calendar));
    r.route("/votes/{id}", get().to(crate::votes::handlers::show));
    r.route("/votes/{id}/vote", post().to(crate::votes::handlers::vote));
    r.route("/votes/{id}/amendments", post().to(crate::votes::handlers::amend));
    r.route("/votes/{id}/amendments/{amendment}/{action}", post().to(crate::votes::handlers::decide));
    r.route("/a/{slug}/votes", get().to(crate::votes::handlers::page_list));
    r.route("/a/{slug}/votes/new", get().to(crate::votes::handlers::new_page_form));
    r.route("/a/{slug}/votes/new", post().to(crate::votes::handlers::create_on_page));
    r.route("/api/v1/proposals", get().to(crate::votes::api::list));
    r.route("/api/v1/proposals/{id}", get().to(crate::votes::api::show));
    r.module(Module::Channels);
    r.route("/channels", get().to(crate::channels::handlers::welcome));
    r.route("/channels/new", get().to(crate::channels::handlers::new_form));
    r.route("/channels/new", post().to(crate::channels::handlers::create));
    r.route("/channels/invite/{token}", get().to(crate::channels::invite::invitation));
    r.route("/channels/invite/{token}", post().to(crate::channels::invite::accept));
    r.route("/a/{slug}/channels/new", get().to(crate::channels::handlers::new_page_form));
    r.route("/a/{slug}/channels/new", post().to(crate::channels::handlers::create_on_page));
    r.route("/admin/conduct", get().to(crate::channels::conduct::form));
    r.route("/admin/conduct", post().to(crate::channels::conduct::save));
    r.route("/c/{channel}", get().to(crate::channels::handlers::show));
    r.route("/c/{channel}/threads", post().to(crate::channels::handlers::create_thread));
    r.route("/c/{channel}/edit", get().to(crate::channels::handlers::edit_form));
    r.route("/c/{channel}/edit", post().to(crate::channels::handlers::edit));
    r.route("/c/{channel}/roles", post().to(crate::channels::handlers::add_role));
    r.route("/c/{channel}/roles/{user}/{role}/remove", post().to(crate::channels::handlers::remove_role));
    r.route("/c/{channel}/invite", post().to(crate::channels::invite::invite));
    r.route("/c/{channel}/summaries", get().to(crate::channels::summary::list));
    r.route("/c/{channel}/t/{thread}", get().to(crate::channels::thread::show));
    r.route("/c/{channel}/t/{thread}", post().to(crate::channels::thread::reply));
    r.route("/c/{channel}/t/{thread}/since/{last}", get().to(crate::channels::thread::since));
    r.route("/c/{channel}/t/{thread}/follow", post().to(crate::channels::thread::follow));
    r.route("/c/{channel}/t/{thread}/unfollow", post().to(crate::channels::thread::unfollow));
    r.route("/c/{channel}/t/{thread}/close", get().to(crate::channels::summary::close_form));
    r.route("/c/{channel}/t/{thread}/close", post().to(crate::channels::summary::close));
    r.route("/c/{channel}/t/{thread}/reopen", post().to(crate::channels::summary::reopen));
    r.route("/c/{channel}/t/{thread}/summary", get().to(crate::channels::summary::show));
    r.route("/c/{channel}/t/{thread}/summary/insert", post().to(crate::channels::summary::insert));
    r.route("/c/{channel}/m/{id}/edit", get().to(crate::channels::thread::edit_form));
    r.route("/c/{channel}/m/{id}/edit", post().to(crate::channels::thread::edit));
    r.route("/c/{channel}/m/{id}/delete", post().to(crate::channels::thread::delete));
    r.route("/api/v1/channels", get().to(crate::channels::api::list));
    r.route("/api/v1/channels/{slug}/threads", get().to(crate::channels::api::threads));
    r.route("/api/v1/channels/{slug}/threads/{id}/messages", get().to(crate::channels::api::messages));
    r.module(Module::Channels);
    r.route("/account/notifications", get().to(crate::channels::notify_pages::form));
    r.route("/account/notifications", post().to(crate::channels::notify_pages::save));
    r.route("/channels/u/{token}", get().to(crate::channels::notify_pages::unsubscribe_page));
    r.route("/channels/u/{token}", post().to(crate::channels::notify_pages::unsubscribe));
    r.route("/c/{channel}/hooks", get().to(crate::channels::hooks::page));
    r.route("/c/{channel}/hooks/out", post().to(crate::channels::hooks::create_outgoing));
    r.route("/c/{channel}/hooks/in", post().to(crate::channels::hooks::create_incoming));
    r.route("/c/{channel}/hooks/{id}/delete", post().to(crate::channels::hooks::delete));
    r.route("/hooks/c/{token}", post().to(crate::channels::hooks::incoming));
    r.finish();
}

/// Registers routes with their module's gate, and records which module each belongs to.
struct Routes<'a> {
    cfg: &'a mut ServiceConfig,
    module: Option<Module>,
    tags: Vec<(&'static str, Module)>,
}

impl<'a> Routes<'a> {
    fn new(cfg: &'a mut ServiceConfig) -> Self {
        Routes {
            cfg,
            module: None,
            tags: Vec::new(),
        }
    }

    /// The following routes belong to `m`.
    fn module(&mut self, m: Module) {
        self.module = Some(m);
    }

    /// The following routes are the site's own.
    fn site(&mut self) {
        self.module = None;
    }

    fn route(&mut self, path: &'static str, route: Route) {
        let route = match self.module {
            Some(m) => {
                self.tags.push((path, m));
                route.guard(site::gate::on(m))
            }
            None => route,
        };
        self.cfg.route(path, route);
    }

    /// Records the modules' routes (for the OpenAPI document's 404 answers).
    fn finish(self) {
        site::gate::record(self.tags);
    }
}

/// Builds the actix application: state, middleware (outermost last), routes, 404 page.
pub fn build(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(state)
        .app_data(web::FormConfig::default().limit(site::context::FORM_LIMIT))
        .configure(routes)
        .default_service(web::to(site::errors::not_found))
        .wrap(from_fn(site::page_cache::middleware))
        .wrap(from_fn(site::context::middleware))
        .wrap(ErrorHandlers::new().default_handler(site::errors::render))
        .wrap(from_fn(site::compress::middleware))
        .wrap(from_fn(site::headers::content_security))
        .wrap(site::headers::security_headers())
}
