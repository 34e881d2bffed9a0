//! A post's page: the post, its actions, its comments with one level of replies, the forms.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped};

use super::{button, post_card, when};
use crate::directory::Access;
use crate::news::{can_delete, can_edit, is_staff, Comment, CommentForm, Post};
use crate::personal_data::store::Original;
use crate::personal_data::views::{edit_note, originals_of};
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::{markdown, page_described, page_with_status, url_encode, Ctx};

/// What a post's page shows.
pub struct PostPage<'a> {
    pub post: &'a Post,
    pub comments: &'a [Comment],
    /// The viewer's access to the journal's actor (its admins may delete on their journal).
    pub journal: Option<Access>,
    /// A comment or reply form being re-shown with its errors.
    pub comment: Option<(&'a CommentForm, &'a FormErrors)>,
    /// The originals of masked text (the post's, its comments') this viewer may see.
    pub originals: &'a [Original],
}

/// The report button: a reason to type, then send (works without JavaScript).
/// The link to the one report form (visitors may report illegal content too).
fn report(ctx: &Ctx, kind: &str, id: i64) -> Markup {
    html! { a.report href={ "/report/" (kind) "/" (id) } { (ctx.t("news.report")) } }
}

fn post_actions(ctx: &Ctx, p: &PostPage) -> Markup {
    let post = p.post;
    let Some(user) = &ctx.user else {
        return html! { div.actions { (report(ctx, "news", post.id)) } };
    };
    let url = post.url();
    html! {
        div.actions {
            @if can_edit(user, post.author_id) { a.button href={ (url) "/edit" } { (ctx.t("news.edit")) } " " }
            @if can_delete(user, post.author_id, p.journal.as_ref()) {
                (button(ctx, &format!("{url}/delete"), ctx.t("news.delete"), Some("danger"))) " "
            }
            @if is_staff(user) {
                @let (action, label) = if post.hidden { ("restore", "news.restore") } else { ("hide", "news.hide") };
                (button(ctx, &format!("/moderation/items/news/{}/{action}?next={}", post.id, url_encode(&url)), ctx.t(label), None)) " "
            }
            @if post.author_id != Some(user.id) { (report(ctx, "news", post.id)) }
        }
    }
}

fn reply_form(ctx: &Ctx, p: &PostPage, parent: i64) -> Markup {
    let retry = p.comment.filter(|(f, _)| f.parent_id() == Some(parent));
    let id = format!("reply-{parent}");
    let error = retry.and_then(|(_, e)| e.get("comment"));
    html! {
        details.reply open[retry.is_some()] {
            summary { (ctx.t("news.reply")) }
            form method="post" action={ (p.post.url()) "/comments" } novalidate {
                (csrf(ctx))
                input type="hidden" name="parent" value=(parent);
                div.field.invalid[error.is_some()] {
                    label for=(id) { (ctx.t("news.reply_label")) }
                    @if let Some(err) = error { p.error id={ (id) "-error" } { (ctx.t(err)) } }
                    textarea id=(id) name="comment" rows="3" required aria-invalid=[error.map(|_| "true")]
                        aria-describedby=[error.map(|_| format!("{id}-error"))] { (retry.map(|(f, _)| f.comment.as_str()).unwrap_or("")) }
                }
                button type="submit" { (ctx.t("news.reply_send")) }
            }
        }
    }
}

fn comment(ctx: &Ctx, p: &PostPage, c: &Comment) -> Markup {
    let staff = ctx.user.as_ref().is_some_and(is_staff);
    let gone = c.deleted || (c.hidden && !staff);
    html! {
        @if gone {
            p.small.hint { (ctx.t(if c.deleted { "news.comment_deleted" } else { "news.comment_hidden" })) }
        } @else {
            p.small {
                strong { (c.author_name.clone().unwrap_or_else(|| ctx.t("news.former_member").to_string())) }
                " · " a href={ "#c" (c.id) } { (when(ctx, c.created_at)) }
                @if let Some(e) = c.edited_at { " · " (ctx.t("news.edited")) " " (when(ctx, e)) }
            }
            @if c.hidden { p.notice { (ctx.t("news.hidden_notice")) } }
            div.markdown { (PreEscaped(markdown::render(&c.body))) }
            (originals_of(ctx, "comment", c.id, p.originals))
            @if let Some(user) = &ctx.user {
                div.actions.small {
                    @if can_edit(user, c.author_id) { a href={ "/news/comments/" (c.id) "/edit" } { (ctx.t("news.edit")) } " " }
                    @if can_delete(user, c.author_id, p.journal.as_ref()) {
                        (button(ctx, &format!("/news/comments/{}/delete", c.id), ctx.t("news.delete"), Some("danger"))) " "
                    }
                    @if staff {
                        @let (action, label) = if c.hidden { ("restore", "news.restore") } else { ("hide", "news.hide") };
                        (button(ctx, &format!("/moderation/items/comment/{}/{action}?next={}", c.id, url_encode(&p.post.url())), ctx.t(label), None)) " "
                    }
                    @if c.author_id != Some(user.id) { (report(ctx, "comment", c.id)) }
                    @if let (Some((_, slug, _)), Some(author)) = (&p.post.actor, c.author_id) {
                        @if author != user.id && p.journal.is_some_and(|a| a.admin || a.site_admin) {
                            " " (crate::moderation::views::page_mask_button(ctx, slug, author))
                        }
                    }
                }
            }
            @if ctx.user.is_none() { div.actions.small { (report(ctx, "comment", c.id)) } }
        }
    }
}

/// Whether a comment is shown to this viewer at all: a hidden or deleted one only as the
/// place-holder of its visible replies.
fn shown(c: &Comment, staff: bool, visible_replies: bool) -> bool {
    (!c.deleted && (!c.hidden || staff)) || visible_replies
}

fn thread(ctx: &Ctx, p: &PostPage) -> Markup {
    let staff = ctx.user.as_ref().is_some_and(is_staff);
    let tops: Vec<&Comment> = p
        .comments
        .iter()
        .filter(|c| c.parent_id.is_none())
        .collect();
    html! {
        ol.comments {
            @for top in tops {
                @let replies: Vec<&Comment> = p.comments.iter()
                    .filter(|r| r.parent_id == Some(top.id) && shown(r, staff, false)).collect();
                @if shown(top, staff, !replies.is_empty()) {
                    li.comment id={ "c" (top.id) } {
                        (comment(ctx, p, top))
                        @if !replies.is_empty() {
                            ol.replies {
                                @for r in &replies { li.comment id={ "c" (r.id) } { (comment(ctx, p, r)) } }
                            }
                        }
                        @if ctx.user.is_some() && !top.deleted && !top.hidden { (reply_form(ctx, p, top.id)) }
                    }
                }
            }
        }
    }
}

/// GET /news/{id}
pub fn post_page(ctx: &Ctx, p: &PostPage, status: StatusCode) -> HttpResponse {
    let post = p.post;
    let empty = (CommentForm::default(), FormErrors::new());
    let (f, e) = p
        .comment
        .filter(|(f, _)| f.parent_id().is_none())
        .unwrap_or((&empty.0, &empty.1));
    page_described(
        status,
        ctx,
        &post.headline(),
        &post.body,
        &[],
        html! {
            (post_card(ctx, post, true))
            (originals_of(ctx, "news", post.id, p.originals))
            (post_actions(ctx, p))
            section #comments aria-labelledby="comments-h" {
                h2 #comments-h { (ctx.lang.tf("news.comment_count", &[("n", &post.comments.to_string())])) }
                (thread(ctx, p))
                @if ctx.user.is_some() {
                    (error_summary(ctx, e))
                    form method="post" action={ (post.url()) "/comments#comments" } novalidate {
                        (csrf(ctx))
                        (Field::text("comment", "news.comment_label", &f.comment).kind("textarea").render(ctx, e))
                        button type="submit" { (ctx.t("news.comment_send")) }
                    }
                } @else {
                    p { a href={ "/login?next=" (url_encode(&post.url())) } { (ctx.t("news.login_to_comment")) } }
                }
            }
        },
    )
}

/// GET /news/comments/{id}/edit
pub fn comment_edit_page(
    ctx: &Ctx,
    c: &Comment,
    f: &CommentForm,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("news.comment_edit_title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            p { a href={ "/news/" (c.post_id) "#c" (c.id) } { (ctx.t("news.back_to_post")) } }
            (error_summary(ctx, e))
            (edit_note(ctx, &[&f.comment]))
            form method="post" novalidate {
                (csrf(ctx))
                (Field::text("comment", "news.comment_label", &f.comment).kind("textarea").render(ctx, e))
                button type="submit" { (ctx.t("form.save")) }
            }
        },
    )
}
