//! News pages: the wall and the journals (lists with the posting form), a post's page with its
//! comments, the edit forms, the moderation queue, and the "my village" block.

mod comments;

pub use comments::{comment_edit_page, post_page, PostPage};

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::{Audience, Post, PostForm};
use crate::directory::{Access, Actor};
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::layout::{Alternate, FeedFormat};
use crate::web::{markdown, page_with_feeds, page_with_status, url_encode, Ctx};

/// A date in the user's language and the instance's time zone, machine-readable too.
pub(super) fn when(ctx: &Ctx, unix: i64) -> Markup {
    let iso = chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default();
    html! { time datetime=(iso) { (ctx.datetime(unix)) } }
}

pub(super) use crate::web::forms::post_button as button;

fn author(ctx: &Ctx, name: &Option<String>) -> String {
    name.clone()
        .unwrap_or_else(|| ctx.t("news.former_member").to_string())
}

/// Where a post was published, its date, its audience when not public.
fn byline(ctx: &Ctx, p: &Post) -> Markup {
    html! {
        p.small {
            @match &p.actor {
                Some((_, slug, name)) => { a href={ "/a/" (slug) "/news" } { (name) } (crate::directory::views::badge::official(ctx, p.actor_official)) }
                None => { a href="/news" { (ctx.t("news.wall")) } }
            }
            " · " (ctx.lang.tf("news.by", &[("name", &author(ctx, &p.author_name))])) " · " (when(ctx, p.created_at))
            @if let Some(e) = p.edited_at { " · " (ctx.t("news.edited")) " " (when(ctx, e)) }
            @if p.audience != Audience::Public { " · " strong { (ctx.t(&format!("news.audience.{}", p.audience.as_str()))) } }
        }
    }
}

/// A post: in lists (`full` false: its title links to its page) or on its page.
pub(super) fn post_card(ctx: &Ctx, p: &Post, full: bool) -> Markup {
    html! {
        article.card.post id={ "post-" (p.id) } {
            @if !p.title.is_empty() {
                @if full { h1 { (p.title) } } @else { h2 { a href=(p.url()) { (p.title) } } }
            } @else if full {
                h1.visually-hidden { (p.headline()) }
            }
            (byline(ctx, p))
            @if p.hidden { p.notice { (ctx.t("news.hidden_notice")) } }
            div.markdown { (PreEscaped(markdown::render(&p.body))) }
            @if let Some(img) = &p.image { img.photo src={ "/media/" (img) } alt="" loading="lazy"; }
            @if !full {
                p.small {
                    a href={ (p.url()) "#comments" } { (ctx.lang.tf("news.comment_count", &[("n", &p.comments.to_string())])) }
                }
            }
        }
    }
}

/// What a list page (the wall or a journal) shows.
pub struct ListPage<'a> {
    /// The journal's actor and what the viewer may do with it; `None` for the wall.
    pub journal: Option<(&'a Actor, Access)>,
    pub posts: &'a [Post],
    /// Whether older posts follow.
    pub more: bool,
    pub page: i64,
    /// The posting form, when the viewer may post here.
    pub form: Option<(&'a PostForm, &'a FormErrors)>,
}

fn audience_choice(ctx: &Ctx, selected: &str, on_journal: bool, e: &FormErrors) -> Markup {
    let error = e.get("audience");
    html! {
        fieldset #f-audience aria-describedby=[error.map(|_| "f-audience-error")] {
            legend { (ctx.t("news.audience_label")) }
            @if let Some(err) = error { p.error id="f-audience-error" { (ctx.t(err)) } }
            @for a in Audience::ALL {
                @if on_journal || a != Audience::Followers {
                    div.check {
                        input type="radio" name="audience" id={ "audience-" (a.as_str()) } value=(a.as_str())
                            checked[selected == a.as_str() || (selected.is_empty() && a == Audience::Public)];
                        label for={ "audience-" (a.as_str()) } {
                            (ctx.t(&format!("news.audience.{}", a.as_str())))
                            " " span.hint { (ctx.t(&format!("news.audience_hint.{}", a.as_str()))) }
                        }
                    }
                }
            }
        }
    }
}

/// The post form (new or edit): multipart, so the CSRF token also rides in the query string.
pub(super) fn post_form(
    ctx: &Ctx,
    action: &str,
    f: &PostForm,
    e: &FormErrors,
    on_journal: bool,
    current_image: Option<&str>,
) -> Markup {
    html! {
        (error_summary(ctx, e))
        form method="post" action={ (action) "?_csrf=" (url_encode(&ctx.csrf)) } enctype="multipart/form-data" novalidate {
            (csrf(ctx))
            (Field::text("title", "news.title_label", &f.title).optional().render(ctx, e))
            (Field::text("body", "news.body_label", &f.body).kind("textarea").hint("news.body_hint").render(ctx, e))
            (audience_choice(ctx, &f.audience, on_journal, e))
            div.field.invalid[e.get("image").is_some()] {
                label for="f-image" { (ctx.t("news.image_label")) " " span.optional { (ctx.t("form.optional")) } }
                p.hint #f-image-hint {
                    (ctx.t("news.image_hint"))
                    @if !e.is_empty() { " " (ctx.t("news.image_again")) }
                }
                @if let Some(err) = e.get("image") { p.error #f-image-error { (ctx.t(err)) } }
                input #f-image type="file" name="image" accept="image/jpeg,image/png,image/webp" aria-describedby="f-image-hint";
            }
            @if let Some(img) = current_image {
                img.thumb src={ "/media/" (img) } alt=(ctx.t("news.current_image")) width="64" height="64";
                div.check {
                    input #f-remove_image type="checkbox" name="remove_image" checked[f.remove_image == "on"];
                    label for="f-remove_image" { (ctx.t("news.remove_image")) }
                }
            }
            p.hint { (ctx.t("news.signed_hint")) }
            button type="submit" { (ctx.t(if action.ends_with("/edit") { "form.save" } else { "news.publish" })) }
        }
    }
}

fn pager(ctx: &Ctx, base: &str, more: bool, page: i64) -> Markup {
    html! {
        @if more || page > 1 {
            nav.pager aria-label=(ctx.t("dir.pages")) {
                @if page > 1 { a rel="prev" href={ (base) "?page=" (page - 1) } { (ctx.t("news.pager.newer")) } " " }
                @if more { " " a rel="next" href={ (base) "?page=" (page + 1) } { (ctx.t("news.pager.older")) } }
            }
        }
    }
}

/// GET /news and GET /a/{slug}/news
pub fn list(ctx: &Ctx, p: &ListPage, status: StatusCode) -> HttpResponse {
    let (title, base, feed) = match &p.journal {
        Some((a, _)) => (
            ctx.lang.tf("news.journal_of", &[("actor", &a.name)]),
            format!("/a/{}/news", a.slug),
            format!("/a/{}/news.rss", a.slug),
        ),
        None => (
            ctx.t("news.title").to_string(),
            "/news".to_string(),
            "/news.rss".to_string(),
        ),
    };
    let public_feed = p
        .journal
        .as_ref()
        .is_none_or(|(a, _)| a.visibility == crate::directory::Visibility::Public);
    let alternates: Vec<Alternate> = if public_feed {
        vec![Alternate::new(ctx, FeedFormat::Rss, feed.clone(), &title)]
    } else {
        Vec::new()
    };
    page_with_feeds(
        status,
        ctx,
        &title,
        &alternates,
        html! {
            h1 { (title) }
            @if let Some((a, _)) = &p.journal { p { a href={ "/a/" (a.slug) } { (ctx.t("dir.back_to_page")) } } }
            @match &p.form {
                Some((f, e)) => {
                    details.new-post open[!e.is_empty()] {
                        summary { (ctx.t("news.new")) }
                        (post_form(ctx, &base, f, e, p.journal.is_some(), None))
                    }
                }
                None => {
                    @if ctx.user.is_none() {
                        p { a href={ "/login?next=" (url_encode(&base)) } { (ctx.t("news.login_to_post")) } }
                    }
                }
            }
            @if p.posts.is_empty() { p { (ctx.t("news.empty")) } }
            div.posts { @for post in p.posts { (post_card(ctx, post, false)) } }
            (pager(ctx, &base, p.more, p.page))
            @if public_feed {
                p.small { a href=(feed) type="application/rss+xml" { (ctx.t("news.feed")) } }
            }
        },
    )
}

/// GET /news/{id}/edit
pub fn edit_page(
    ctx: &Ctx,
    p: &Post,
    f: &PostForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("news.edit_title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { a href=(p.url()) { (ctx.t("news.back_to_post")) } }
            (crate::personal_data::views::edit_note(ctx, &[&f.title, &f.body]))
            (post_form(ctx, &format!("{}/edit", p.url()), f, e, p.actor.is_some(), p.image.as_deref()))
        },
    )
}

/// The "my village" block: the latest news of what I follow and belong to.
/// A page's latest news on its directory page, with a link to its whole journal.
pub fn latest_block(ctx: &Ctx, posts: &[Post], journal: &str) -> Markup {
    html! {
        section aria-labelledby="latest-news-h" {
            h2 #latest-news-h { (ctx.t("news.actor_heading")) }
            ul {
                @for p in posts {
                    li {
                        a href=(p.url()) { (p.headline()) }
                        " " span.small { (when(ctx, p.created_at)) }
                    }
                }
            }
            p { a href=(journal) { (ctx.t("news.see_all")) } }
        }
    }
}

pub fn my_block(ctx: &Ctx, posts: &[Post]) -> Markup {
    html! {
        section aria-labelledby="my-news-h" {
            h2 #my-news-h { (ctx.t("news.my_title")) }
            @if posts.is_empty() { p { (ctx.t("news.my_empty")) } }
            ul {
                @for p in posts {
                    li {
                        a href=(p.url()) { (p.headline()) }
                        " " span.small {
                            @if let Some((_, _, name)) = &p.actor { (name) (crate::directory::views::badge::official(ctx, p.actor_official)) " · " }
                            (when(ctx, p.created_at))
                        }
                    }
                }
            }
            p { a href="/news" { (ctx.t("news.see_all")) } }
        }
    }
}
