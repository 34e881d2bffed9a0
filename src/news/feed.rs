//! RSS 2.0 feeds of public posts: the village's (`/news.rss`, the wall and every public
//! journal) and each public actor's (`/a/{slug}/news.rss`). Written in the instance's
//! language, with absolute links from the public address.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::store;
use super::Post;
use crate::directory::store as directory;
use crate::directory::Visibility;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::text::xml_escape;
use crate::web::{base_url, markdown};

/// Items per feed.
pub const ITEMS: i64 = 30;

/// The feed document: channel `title`, `link` (its HTML page) and `self_url`, then the posts.
pub fn rss(
    base: &str,
    lang: Lang,
    title: &str,
    description: &str,
    link: &str,
    self_url: &str,
    posts: &[Post],
) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n",
    );
    x += &format!(
        "<title>{}</title>\n<link>{base}{link}</link>\n<description>{}</description>\n\
         <language>{}</language>\n<atom:link href=\"{base}{self_url}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml_escape(title),
        xml_escape(description),
        lang.code()
    );
    if let Some(p) = posts.first() {
        x += &format!(
            "<lastBuildDate>{}</lastBuildDate>\n",
            crate::time::rfc822(p.created_at)
        );
    }
    for p in posts {
        let url = format!("{base}{}", p.url());
        let mut html = markdown::render(&p.body);
        if let Some(img) = &p.image {
            html += &format!("<p><img src=\"{base}/media/{img}\" alt=\"\"></p>");
        }
        x += "<item>\n";
        x += &format!("<title>{}</title>\n", xml_escape(&p.headline()));
        x += &format!("<link>{url}</link>\n<guid isPermaLink=\"true\">{url}</guid>\n");
        x += &format!("<pubDate>{}</pubDate>\n", crate::time::rfc822(p.created_at));
        if let Some(name) = &p.author_name {
            x += &format!("<dc:creator>{}</dc:creator>\n", xml_escape(name));
        }
        if let Some((_, _, actor)) = &p.actor {
            x += &format!("<category>{}</category>\n", xml_escape(actor));
        }
        x += &format!(
            "<description>{}</description>\n</item>\n",
            xml_escape(&html)
        );
    }
    x += "</channel>\n</rss>\n";
    x
}

fn respond(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/rss+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "max-age=300"))
        .body(body)
}

/// GET /news.rss
pub async fn village(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let posts = state
        .db
        .read(|c| Ok(store::public_posts(c, None, ITEMS)?))
        .await?;
    let inst = state.instance();
    let lang = inst.default_lang;
    let title = lang.tf("news.feed_title", &[("site", &inst.name)]);
    Ok(respond(rss(
        &base_url(&req, &state),
        lang,
        &title,
        &inst.description,
        "/news",
        "/news.rss",
        &posts,
    )))
}

/// GET /a/{slug}/news.rss: a public actor's journal (404 for a members-only page).
pub async fn actor(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (actor, posts) = state
        .db
        .read(move |c| {
            let actor = directory::actor_by_slug(c, &slug)?
                .filter(|a| a.visibility == Visibility::Public)
                .ok_or(AppError::NotFound)?;
            let posts = store::public_posts(c, Some(actor.id), ITEMS)?;
            Ok((actor, posts))
        })
        .await?;
    let lang = state.instance().default_lang;
    let title = lang.tf("news.journal_of", &[("actor", &actor.name)]);
    let link = format!("/a/{}/news", actor.slug);
    Ok(respond(rss(
        &base_url(&req, &state),
        lang,
        &title,
        &actor.summary,
        &link,
        &format!("{link}.rss"),
        &posts,
    )))
}
