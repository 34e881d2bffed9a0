//! The home page, the health check and the language picker.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use maud::{html, Markup};
use serde::Deserialize;

use super::context::LANG_COOKIE;
use super::layout::{site_name, Alternate, FeedFormat};
use super::{page_with_feeds, redirect, safe_next, Ctx};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::settings::Module;
use crate::state::AppState;

/// A module's block on a page (the home page, "my village"): its markup for this request,
/// empty when the module is off or has nothing to show.
pub type Block = for<'a> fn(&'a AppState, &'a Ctx) -> BlockFuture<'a>;

/// What a [`Block`] returns.
pub type BlockFuture<'a> = Pin<Box<dyn Future<Output = Result<Markup, AppError>> + 'a>>;

/// The modules' blocks of the home page, registered once at start-up by the top
/// (`crate::modules`), in their order on the page.
static HOME_BLOCKS: OnceLock<&'static [Block]> = OnceLock::new();

/// The modules' blocks of "my village" (a resident's own page), registered the same way.
static VILLAGE_BLOCKS: OnceLock<&'static [Block]> = OnceLock::new();

/// A module's block on an organisation's or a place's page: what it has of that page (its
/// next events, its latest news), empty when the module is off or has nothing of it.
pub type ActorBlock = for<'a> fn(&'a AppState, &'a Ctx, i64, &'a str) -> BlockFuture<'a>;

/// The modules' blocks of a directory page, registered the same way.
static ACTOR_BLOCKS: OnceLock<&'static [ActorBlock]> = OnceLock::new();

/// Registers the blocks of a directory page (the first registration stands).
pub fn register_actor(blocks: &'static [ActorBlock]) {
    let _ = ACTOR_BLOCKS.set(blocks);
}

/// The blocks of the page of actor `id` (slug `slug`), rendered for this request.
pub async fn actor_blocks(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    slug: &str,
) -> Result<Markup, AppError> {
    let mut parts = Vec::new();
    for block in ACTOR_BLOCKS.get().copied().unwrap_or(&[]) {
        parts.push(block(state, ctx, id, slug).await?);
    }
    Ok(html! { @for p in &parts { (p) } })
}

/// Registers the home page's blocks and those of "my village" (the first registration stands).
pub fn register(home: &'static [Block], village: &'static [Block]) {
    let _ = HOME_BLOCKS.set(home);
    let _ = VILLAGE_BLOCKS.set(village);
}

/// The blocks of "my village", rendered for this request.
pub async fn village_blocks(state: &AppState, ctx: &Ctx) -> Result<Markup, AppError> {
    render_blocks(VILLAGE_BLOCKS.get().copied().unwrap_or(&[]), state, ctx).await
}

/// Renders `blocks` one after the other.
pub async fn render_blocks(
    blocks: &[Block],
    state: &AppState,
    ctx: &Ctx,
) -> Result<Markup, AppError> {
    let mut parts = Vec::with_capacity(blocks.len());
    for block in blocks {
        parts.push(block(state, ctx).await?);
    }
    Ok(html! { @for p in &parts { (p) } })
}

/// GET /: the village's front page.
pub async fn home(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let blocks = HOME_BLOCKS.get().copied().unwrap_or(&[]);
    let modules_blocks = render_blocks(blocks, &state, &ctx).await?;
    let inst = &ctx.instance;
    let title = site_name(&ctx).to_string();
    let body = html! {
        section.hero {
            h1 { (title) }
            @if !inst.description.is_empty() {
                p.lead { (inst.description) }
            }
        }
        (modules_blocks)
        section aria-labelledby="modules-heading" {
            h2 #modules-heading { (ctx.t("home.modules_heading")) }
            ul.modules {
                @for (m, on) in &inst.modules {
                    @if *on {
                        li {
                            strong {
                                a href=(format!("/{}", m.as_str())) {
                                    (ctx.t(&format!("module.{}", m.as_str())))
                                }
                            }
                            " — " (ctx.t(&format!("module.{}_about", m.as_str())))
                        }
                    }
                }
            }
            @if inst.modules.iter().all(|(_, on)| !on) {
                p { (ctx.t("home.no_modules")) }
            }
        }
        @if ctx.user.is_none() {
            section.cta {
                p { (ctx.t("home.join")) }
                p {
                    a.button href="/signup" { (ctx.t("nav.signup")) } " "
                    a href="/login" { (ctx.t("nav.login")) }
                }
            }
        }
        @if inst.enabled(Module::Map) {
            p.small {
                (ctx.tf_radius())
            }
        }
    };
    Ok(page_with_feeds(
        StatusCode::OK,
        &ctx,
        &title,
        &home_feeds(&ctx),
        body,
    ))
}

/// The village's feeds, announced in the home page's head: the agenda's and the news'.
fn home_feeds(ctx: &Ctx) -> Vec<Alternate> {
    let mut feeds = Vec::new();
    if ctx.instance.enabled(Module::Agenda) {
        let name = ctx.t("agenda.title");
        feeds.push(Alternate::new(ctx, FeedFormat::Rss, "/agenda.rss", name));
        feeds.push(Alternate::new(ctx, FeedFormat::Ical, "/agenda.ics", name));
        feeds.push(Alternate::new(ctx, FeedFormat::Json, "/agenda.json", name));
    }
    if ctx.instance.enabled(Module::News) {
        let name = ctx.t("news.title");
        feeds.push(Alternate::new(ctx, FeedFormat::Rss, "/news.rss", name));
    }
    feeds
}

impl Ctx {
    fn tf_radius(&self) -> String {
        let i = &self.instance;
        self.lang.tf(
            "home.area",
            &[
                ("radius", &format!("{}", i.radius_km)),
                // Residents read the village's name, never raw coordinates (issue 18).
                ("name", &i.name),
            ],
        )
    }
}

/// GET /healthz: 200 when the database answers.
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ok"))
}

/// The language picker's form.
#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// POST /lang: remembers the language (on the account too when signed in) and goes back.
pub async fn set_language(
    ctx: Ctx,
    state: web::Data<AppState>,
    form: web::Form<LangForm>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_code(&form.lang).unwrap_or(ctx.lang);
    if let Some(user) = &ctx.user {
        let (id, name) = (user.id, user.name.clone());
        state
            .db
            .write(move |tx| {
                Ok(crate::auth::store::update_profile(
                    tx,
                    id,
                    &name,
                    Some(lang),
                    crate::db::now(),
                )?)
            })
            .await?;
    }
    let mut res = redirect(&safe_next(form.next.as_deref()));
    let _ = res.add_cookie(&ctx.cookie(LANG_COOKIE, lang.code().to_string(), Some(365)));
    Ok(res)
}
