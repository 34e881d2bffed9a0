//! THE route table: every URL of the site, one per line, and the middleware order.

use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::web::delete;
use actix_web::web::{self, get, post, ServiceConfig};

pub use crate::state::AppState;
use crate::{
    addresses, agenda, api, auth, directory, map, news, privacy, rooms, search, settings,
    web as site,
};

/// The route table.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.route("/", get().to(site::home::home))
        .route("/healthz", get().to(site::home::healthz))
        .route("/assets/{file:.*}", get().to(site::assets::serve))
        .route("/lang", post().to(site::home::set_language))
        .route("/setup", get().to(settings::handlers::setup_form))
        .route("/setup", post().to(settings::handlers::setup_submit))
        .route("/signup", get().to(auth::handlers::signup_form))
        .route("/signup", post().to(auth::handlers::signup_submit))
        .route("/confirm/{token}", get().to(auth::handlers::confirm))
        .route(
            "/confirm/resend",
            post().to(auth::handlers::resend_confirmation),
        )
        .route("/login", get().to(auth::handlers::login_form))
        .route("/login", post().to(auth::handlers::login_submit))
        .route("/logout", post().to(auth::handlers::logout))
        .route("/password/forgot", get().to(auth::password::forgot_form))
        .route("/password/forgot", post().to(auth::password::forgot_submit))
        .route(
            "/password/reset/{token}",
            get().to(auth::password::reset_form),
        )
        .route(
            "/password/reset/{token}",
            post().to(auth::password::reset_submit),
        )
        .route("/account", get().to(auth::account::account))
        .route("/account", post().to(auth::account::account_save))
        .route("/account/tokens", post().to(auth::account::token_create))
        .route(
            "/account/tokens/{id}/delete",
            post().to(auth::account::token_delete),
        )
        .route("/account/export", get().to(privacy::handlers::export))
        .route("/account/delete", post().to(privacy::handlers::delete))
        .route("/admin", get().to(settings::handlers::admin_settings))
        .route("/admin", post().to(settings::handlers::admin_settings_save))
        .route(
            "/admin/smtp",
            post().to(settings::handlers::admin_smtp_save),
        )
        .route(
            "/admin/test-mail",
            post().to(settings::handlers::admin_test_mail),
        )
        .route("/admin/users", get().to(settings::handlers::admin_users))
        .route(
            "/admin/users/{id}/role",
            post().to(settings::handlers::admin_set_role),
        )
        .route("/directory", get().to(directory::handlers::list))
        .route("/directory/new", get().to(directory::handlers::new_form))
        .route("/directory/new", post().to(directory::handlers::create))
        .route("/my", get().to(directory::handlers::my_village))
        .route("/a/{slug}", get().to(directory::handlers::show))
        .route("/a/{slug}/edit", get().to(directory::handlers::edit_form))
        .route("/a/{slug}/edit", post().to(directory::handlers::update))
        .route("/a/{slug}/delete", post().to(directory::handlers::delete))
        .route("/a/{slug}/photo", post().to(directory::photo::upload))
        .route("/a/{slug}/follow", post().to(directory::handlers::follow))
        .route("/a/{slug}/unfollow", post().to(directory::handlers::follow))
        .route("/a/{slug}/contact", post().to(directory::handlers::contact))
        .route("/a/{slug}/members", get().to(directory::members::page))
        .route("/a/{slug}/join", post().to(directory::members::join))
        .route("/a/{slug}/leave", post().to(directory::members::leave))
        .route("/a/{slug}/invite", post().to(directory::members::invite))
        .route(
            "/a/{slug}/members/{user}/approve",
            post().to(directory::members::approve),
        )
        .route(
            "/a/{slug}/members/{user}/remove",
            post().to(directory::members::remove),
        )
        .route(
            "/a/{slug}/members/{user}/role",
            post().to(directory::members::set_role),
        )
        .route("/invite/{token}", get().to(directory::members::invitation))
        .route("/invite/{token}", post().to(directory::members::accept))
        .route("/media/{name}", get().to(crate::uploads::media))
        .route("/api/v1/addresses", get().to(addresses::handlers::suggest))
        .route("/directory.csv", get().to(directory::api::csv))
        .route("/directory.geojson", get().to(directory::api::geojson))
        .route("/api/v1/actors", get().to(directory::api::list))
        .route("/api/v1/actors", post().to(directory::api::create))
        .route("/api/v1/actors/{slug}", get().to(directory::api::show))
        .route("/api/v1/actors/{slug}", delete().to(directory::api::delete))
        .route("/admin/import", get().to(directory::import_page::form))
        .route("/admin/import", post().to(directory::import_page::submit))
        .route("/search", get().to(search::handlers::page))
        .route("/api/v1/search", get().to(search::handlers::api))
        .route("/api/v1/openapi.json", get().to(api::openapi))
        .route("/api/v1/instance", get().to(api::instance))
        .route("/api/v1/me", get().to(api::me))
        .route("/map", get().to(map::handlers::page))
        .route("/map.geojson", get().to(map::handlers::geojson))
        .route("/embed/map", get().to(map::handlers::embed))
        .route("/tiles/{z}/{x}/{y}", get().to(map::handlers::tile))
        .route("/admin/map", post().to(map::handlers::admin_save))
        .route("/agenda", get().to(agenda::handlers::list))
        .route("/agenda/month", get().to(agenda::handlers::month))
        .route("/agenda/week", get().to(agenda::handlers::week))
        .route("/agenda/print", get().to(agenda::handlers::print))
        .route("/agenda/new", get().to(agenda::manage::new_form))
        .route("/agenda/new", post().to(agenda::manage::create))
        .route("/agenda.ics", get().to(agenda::feeds::calendar))
        .route("/agenda.rss", get().to(agenda::feeds::rss))
        .route("/agenda.json", get().to(agenda::feeds::json_feed))
        .route(
            "/a/{slug}/agenda.ics",
            get().to(agenda::feeds::actor_calendar),
        )
        .route("/e/{slug}.ics", get().to(agenda::feeds::event_calendar))
        .route("/e/{slug}", get().to(agenda::handlers::show))
        .route("/e/{slug}/edit", get().to(agenda::manage::edit_form))
        .route("/e/{slug}/edit", post().to(agenda::manage::update))
        .route("/e/{slug}/delete", post().to(agenda::manage::delete))
        .route("/e/{slug}/cancel", post().to(agenda::manage::cancel))
        .route("/e/{slug}/restore", post().to(agenda::manage::cancel))
        .route("/e/{slug}/image", post().to(agenda::image::upload))
        .route("/e/{slug}/rsvp", post().to(agenda::dates::rsvp))
        .route(
            "/e/{slug}/dates/{rid}/cancel",
            post().to(agenda::dates::cancel),
        )
        .route(
            "/e/{slug}/dates/{rid}/restore",
            post().to(agenda::dates::cancel),
        )
        .route(
            "/e/{slug}/dates/{rid}/edit",
            get().to(agenda::dates::edit_form),
        )
        .route(
            "/e/{slug}/dates/{rid}/edit",
            post().to(agenda::dates::update),
        )
        .route("/admin/agenda", get().to(agenda::moderation::queue))
        .route(
            "/admin/agenda/{id}/approve",
            post().to(agenda::moderation::approve),
        )
        .route(
            "/admin/agenda/{id}/reject",
            post().to(agenda::moderation::reject),
        )
        .route("/api/v1/events", get().to(agenda::api::list))
        .route("/api/v1/events/{slug}", get().to(agenda::api::show))
        .route(
            "/a/{slug}/agenda/import",
            get().to(agenda::import::handlers::page),
        )
        .route(
            "/a/{slug}/agenda/import",
            post().to(agenda::import::handlers::import),
        )
        .route(
            "/a/{slug}/agenda/import/{id}/{action}",
            post().to(agenda::import::handlers::source_action),
        )
        .route("/news", get().to(news::handlers::wall))
        .route("/news", post().to(news::handlers::create_on_wall))
        .route("/news.rss", get().to(news::feed::village))
        .route("/news/{id}", get().to(news::handlers::show))
        .route("/news/{id}/edit", get().to(news::handlers::edit_form))
        .route("/news/{id}/edit", post().to(news::handlers::update))
        .route("/news/{id}/delete", post().to(news::handlers::delete))
        .route("/news/{id}/comments", post().to(news::comments::create))
        .route(
            "/news/{id}/report",
            post().to(news::moderation::report_post),
        )
        .route(
            "/news/comments/{id}/edit",
            get().to(news::comments::edit_form),
        )
        .route(
            "/news/comments/{id}/edit",
            post().to(news::comments::update),
        )
        .route(
            "/news/comments/{id}/delete",
            post().to(news::comments::delete),
        )
        .route(
            "/news/comments/{id}/report",
            post().to(news::moderation::report_comment),
        )
        .route("/a/{slug}/news", get().to(news::handlers::journal))
        .route(
            "/a/{slug}/news",
            post().to(news::handlers::create_on_journal),
        )
        .route("/a/{slug}/news.rss", get().to(news::feed::actor))
        .route("/moderation", get().to(news::moderation::queue))
        .route(
            "/moderation/posts/{id}/{action}",
            post().to(news::moderation::act_on_post),
        )
        .route(
            "/moderation/comments/{id}/{action}",
            post().to(news::moderation::act_on_comment),
        )
        .route("/api/v1/news", get().to(news::api::list))
        .route("/api/v1/news/{id}", get().to(news::api::show));

    // Room booking (issue 7): one `cfg.route(...)` chain here.
    cfg.route("/rooms", get().to(rooms::handlers::list))
        .route("/rooms/mine", get().to(rooms::handlers::mine))
        .route("/rooms/requests", get().to(rooms::manage::requests))
        .route("/rooms/feed/{token}", get().to(rooms::feeds::actor_feed))
        .route("/rooms/feeds/{slug}", post().to(rooms::manage::new_feed))
        .route(
            "/rooms/bookings/{id}/approve",
            post().to(rooms::manage::approve),
        )
        .route(
            "/rooms/bookings/{id}/decline",
            post().to(rooms::manage::decline),
        )
        .route(
            "/rooms/bookings/{id}/cancel",
            post().to(rooms::manage::cancel),
        )
        .route("/rooms/bookings/{id}/edit", get().to(rooms::edit::form))
        .route("/rooms/bookings/{id}/edit", post().to(rooms::edit::save))
        .route(
            "/rooms/bookings/{id}/event",
            post().to(rooms::edit::link_event),
        )
        .route("/rooms/{slug}", get().to(rooms::handlers::show))
        .route("/rooms/{slug}/book", post().to(rooms::handlers::book))
        .route(
            "/rooms/{slug}/freebusy.ics",
            get().to(rooms::feeds::freebusy),
        )
        .route("/rooms/{slug}/manage", get().to(rooms::manage::page))
        .route("/rooms/{slug}/rules", post().to(rooms::manage::save_rules))
        .route("/api/v1/rooms", get().to(rooms::api::list))
        .route(
            "/api/v1/rooms/{slug}/bookings",
            get().to(rooms::api::bookings),
        );

    // Mutual aid and small ads (issue 8): one `cfg.route(...)` chain here.
    cfg.route("/aid", get().to(crate::aid::handlers::list))
        .route("/aid/new", get().to(crate::aid::handlers::new_form))
        .route("/aid/new", post().to(crate::aid::handlers::create))
        .route("/aid/mine", get().to(crate::aid::handlers::mine))
        .route("/aid/conversations", get().to(crate::aid::talk::list))
        .route("/aid/conversations/{id}", get().to(crate::aid::talk::show))
        .route("/aid/conversations/{id}", post().to(crate::aid::talk::send))
        .route(
            "/aid/conversations/{id}/close",
            post().to(crate::aid::talk::close),
        )
        .route(
            "/aid/conversations/{id}/block",
            post().to(crate::aid::talk::block),
        )
        .route("/aid/moderation", get().to(crate::aid::moderation::queue))
        .route(
            "/aid/moderation/{id}/{action}",
            post().to(crate::aid::moderation::act),
        )
        .route(
            "/aid/settings",
            get().to(crate::aid::moderation::settings_page),
        )
        .route(
            "/aid/settings",
            post().to(crate::aid::moderation::settings_save),
        )
        .route("/aid/digest", get().to(crate::aid::moderation::digest_page))
        .route(
            "/aid/digest",
            post().to(crate::aid::moderation::digest_save),
        )
        .route("/aid/{id}", get().to(crate::aid::handlers::show))
        .route("/aid/{id}/edit", get().to(crate::aid::handlers::edit_form))
        .route("/aid/{id}/edit", post().to(crate::aid::handlers::update))
        .route(
            "/aid/{id}/close",
            get().to(crate::aid::handlers::confirm_page),
        )
        .route("/aid/{id}/close", post().to(crate::aid::handlers::close))
        .route(
            "/aid/{id}/extend",
            get().to(crate::aid::handlers::confirm_page),
        )
        .route("/aid/{id}/extend", post().to(crate::aid::handlers::extend))
        .route("/aid/{id}/reply", post().to(crate::aid::talk::reply))
        .route(
            "/aid/{id}/report",
            post().to(crate::aid::moderation::report),
        )
        .route("/api/v1/aid", get().to(crate::aid::api::list))
        .route("/api/v1/aid/{id}", get().to(crate::aid::api::show));

    // Mailing lists (issue 9): one `cfg.route(...)` chain here.
    cfg.route("/lists", get().to(crate::lists::handlers::index))
        .route("/lists/new", get().to(crate::lists::handlers::new_form))
        .route("/lists/new", post().to(crate::lists::handlers::create))
        .route(
            "/lists/confirm/{token}",
            get().to(crate::lists::subscribe::confirm_page),
        )
        .route(
            "/lists/confirm/{token}",
            post().to(crate::lists::subscribe::confirm),
        )
        .route(
            "/lists/u/{token}",
            get().to(crate::lists::subscribe::unsubscribe_page),
        )
        .route(
            "/lists/u/{token}",
            post().to(crate::lists::subscribe::unsubscribe),
        )
        .route("/lists/{slug}", get().to(crate::lists::handlers::show))
        .route(
            "/lists/{slug}",
            post().to(crate::lists::subscribe::subscribe),
        )
        .route(
            "/lists/{slug}/edit",
            get().to(crate::lists::handlers::edit_form),
        )
        .route(
            "/lists/{slug}/edit",
            post().to(crate::lists::handlers::update),
        )
        .route(
            "/lists/{slug}/archive",
            get().to(crate::lists::handlers::archive),
        )
        .route(
            "/lists/{slug}/archive/{id}",
            get().to(crate::lists::handlers::archived),
        )
        .route(
            "/lists/{slug}/feed.rss",
            get().to(crate::lists::handlers::feed),
        )
        .route(
            "/lists/{slug}/manage",
            get().to(crate::lists::drafts::manage),
        )
        .route(
            "/lists/{slug}/subscribers.csv",
            get().to(crate::lists::csv::export),
        )
        .route(
            "/lists/{slug}/consents.csv",
            get().to(crate::lists::csv::consents),
        )
        .route(
            "/lists/{slug}/import",
            get().to(crate::lists::csv::import_form),
        )
        .route("/lists/{slug}/import", post().to(crate::lists::csv::import))
        .route(
            "/lists/{slug}/mailings/new",
            get().to(crate::lists::drafts::new_form),
        )
        .route(
            "/lists/{slug}/mailings/new",
            post().to(crate::lists::drafts::create),
        )
        .route(
            "/lists/{slug}/mailings/{id}",
            get().to(crate::lists::drafts::show),
        )
        .route(
            "/lists/{slug}/mailings/{id}",
            post().to(crate::lists::drafts::save),
        )
        .route(
            "/lists/{slug}/mailings/{id}/preview",
            get().to(crate::lists::drafts::preview),
        )
        .route(
            "/lists/{slug}/mailings/{id}/diff",
            get().to(crate::lists::drafts::diff),
        )
        .route(
            "/lists/{slug}/mailings/{id}/approve",
            post().to(crate::lists::drafts::approve),
        )
        .route(
            "/lists/{slug}/mailings/{id}/send",
            post().to(crate::lists::drafts::send),
        )
        .route(
            "/lists/{slug}/mailings/{id}/delete",
            post().to(crate::lists::drafts::delete),
        )
        .route(
            "/lists/{slug}/mailings/{id}/unschedule",
            post().to(crate::lists::drafts::unschedule),
        )
        .route("/admin/lists", get().to(crate::lists::handlers::admin_form))
        .route(
            "/admin/lists",
            post().to(crate::lists::handlers::admin_save),
        )
        .route("/api/v1/lists", get().to(crate::lists::api::list));
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
        .wrap(from_fn(site::context::middleware))
        .wrap(ErrorHandlers::new().default_handler(site::errors::render))
        .wrap(from_fn(site::compress::middleware))
        .wrap(from_fn(site::headers::content_security))
        .wrap(site::headers::security_headers())
}

