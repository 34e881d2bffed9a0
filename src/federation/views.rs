//! The admin's federation page: the handles to give out, the follow form, who follows the
//! village and its pages, whom they follow, the deliveries waiting, the blocks and the key.
//! Plain forms, no JavaScript.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::Following;
use crate::settings::views::admin_nav;
use crate::web::forms::{csrf, error_summary, post_button, Field, FormErrors};
use crate::web::picker::Choices;
use crate::web::{page_with_status, Ctx};

/// A remote account that follows the village or one of its pages.
pub struct Follower {
    /// Its handle (`name@host`), or its URL when the handle is unknown.
    pub who: String,
    pub url: String,
    /// The name of the page it follows (the village's name for the village).
    pub follows: String,
    pub since: i64,
}

/// A remote account followed, with the page its events go to.
pub struct Followed {
    pub follow: Following,
    /// Its handle, else its name, else its URL.
    pub who: String,
    pub page: String,
}

/// What the page shows.
pub struct Overview {
    /// `host[:port]` of the public address: the part after the second `@` of the handles.
    pub host: String,
    /// The public pages: (slug, name).
    pub pages: Vec<(String, String)>,
    pub followers: Vec<Follower>,
    pub following: Vec<Followed>,
    /// Deliveries waiting, and the soonest due.
    pub pending: (i64, Option<i64>),
    /// (target, kind, reason, since).
    pub blocks: Vec<(String, String, String, i64)>,
    /// When the key was made (0: not yet).
    pub key_created: i64,
    /// Whether the clock is synchronised (`None`: cannot tell).
    pub clock: Option<bool>,
    /// The pages the follow form offers.
    pub choices: Choices,
    /// The remote just followed (after the redirect), by its handle or name.
    pub followed: Option<String>,
}

/// What was typed in the forms, shown again on a 422.
#[derive(Default)]
pub struct Typed {
    pub handle: String,
    pub page: String,
    pub target: String,
    pub reason: String,
}

/// GET /admin/federation, and its 422 re-render.
pub fn page(
    ctx: &Ctx,
    o: &Overview,
    typed: &Typed,
    errors: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let title = ctx.t("federation.admin_title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (admin_nav(ctx))
            @match o.clock {
                Some(false) => p.error role="alert" #clock { (ctx.t("federation.clock_unsynchronised")) },
                None => p.notice role="note" #clock { (ctx.t("federation.clock_unknown")) },
                Some(true) => {},
            }
            @if let Some(who) = &o.followed {
                p.flash role="status" { (ctx.lang.tf("federation.followed", &[("who", who)])) }
            }
            (error_summary(ctx, errors))
            (handles(ctx, o))
            (follow_form(ctx, o, typed, errors))
            (following(ctx, o))
            (followers(ctx, o))
            (deliveries(ctx, o))
            (blocks(ctx, o, typed, errors))
            (key(ctx, o))
        },
    )
}

/// The village's handle with how to follow it, and the public pages' handles.
fn handles(ctx: &Ctx, o: &Overview) -> Markup {
    let village = format!("@{}@{}", super::INSTANCE_NAME, o.host);
    html! {
        section aria-labelledby="handle-h" {
            h2 #handle-h { (ctx.t("federation.handle_title")) }
            p { (ctx.t("federation.handle_intro")) }
            p #village-handle { code { (village) } }
            p { (ctx.lang.tf("federation.handle_howto", &[("handle", &village)])) }
            h3 { (ctx.t("federation.pages_title")) }
            p { (ctx.t("federation.pages_note")) }
            @if o.pages.is_empty() {
                p { (ctx.t("federation.pages_none")) }
            } @else {
                ul #page-handles {
                    @for (slug, name) in &o.pages {
                        li { a href={ "/a/" (slug) } { (name) } " : " code { "@" (slug) "@" (o.host) } }
                    }
                }
            }
        }
    }
}

/// « Suivre un compte du fédivers »: a handle or URL, and the page whose agenda gets the events.
fn follow_form(ctx: &Ctx, o: &Overview, typed: &Typed, errors: &FormErrors) -> Markup {
    html! {
        section aria-labelledby="follow-h" {
            h2 #follow-h { (ctx.t("federation.follow_title")) }
            p { (ctx.t("federation.follow_intro")) }
            form #follow method="post" action="/admin/federation/follow" novalidate {
                (csrf(ctx))
                (Field::text("handle", "federation.handle_label", &typed.handle).hint("federation.handle_hint").render(ctx, errors))
                (Field::text("page", "federation.page_label", &typed.page).hint("federation.page_hint").choices(&o.choices).render(ctx, errors))
                button type="submit" { (ctx.t("federation.follow_submit")) }
            }
        }
    }
}

/// The accounts followed, their state, the page fed, and « Arrêter de suivre ».
fn following(ctx: &Ctx, o: &Overview) -> Markup {
    html! {
        section aria-labelledby="following-h" {
            h2 #following-h { (ctx.t("federation.following_title")) }
            @if o.following.is_empty() {
                p { (ctx.t("federation.following_none")) }
            } @else {
                table #following {
                    thead { tr {
                        th scope="col" { (ctx.t("federation.col_remote")) }
                        th scope="col" { (ctx.t("federation.col_state")) }
                        th scope="col" { (ctx.t("federation.col_page")) }
                        th scope="col" { (ctx.t("federation.col_action")) }
                    } }
                    tbody {
                        @for f in &o.following {
                            tr {
                                td { a href=(f.follow.remote) rel="nofollow noopener" { (f.who) } }
                                td { (ctx.t(state_key(&f.follow.state))) }
                                td { (f.page) }
                                td { (post_button(ctx, &format!("/admin/federation/following/{}/delete", f.follow.id), ctx.t("federation.unfollow"), None)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The translation key of a follow's state.
pub fn state_key(state: &str) -> &'static str {
    match state {
        "accepted" => "federation.state_accepted",
        "rejected" => "federation.state_rejected",
        _ => "federation.state_pending",
    }
}

/// Who follows the village and its pages.
fn followers(ctx: &Ctx, o: &Overview) -> Markup {
    html! {
        section aria-labelledby="followers-h" {
            h2 #followers-h { (ctx.t("federation.followers_title")) }
            @if o.followers.is_empty() {
                p { (ctx.t("federation.followers_none")) }
            } @else {
                table #followers {
                    thead { tr {
                        th scope="col" { (ctx.t("federation.col_follower")) }
                        th scope="col" { (ctx.t("federation.col_follows")) }
                        th scope="col" { (ctx.t("federation.col_since")) }
                    } }
                    tbody {
                        @for f in &o.followers {
                            tr {
                                td { a href=(f.url) rel="nofollow noopener" { (f.who) } }
                                td { (f.follows) }
                                td { (ctx.datetime(f.since)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How many activities wait for a peer's inbox.
fn deliveries(ctx: &Ctx, o: &Overview) -> Markup {
    let (count, soonest) = o.pending;
    html! {
        section aria-labelledby="deliveries-h" {
            h2 #deliveries-h { (ctx.t("federation.deliveries_title")) }
            p #deliveries {
                @if count == 0 {
                    (ctx.t("federation.deliveries_none"))
                } @else {
                    (ctx.lang.tf("federation.deliveries_waiting", &[
                        ("count", &count.to_string()),
                        ("when", &soonest.map(|t| ctx.datetime(t)).unwrap_or_default()),
                    ]))
                }
            }
        }
    }
}

/// The blocks, each with « Débloquer », and the form to block an account or a domain.
fn blocks(ctx: &Ctx, o: &Overview, typed: &Typed, errors: &FormErrors) -> Markup {
    html! {
        section aria-labelledby="blocks-h" {
            h2 #blocks-h { (ctx.t("federation.blocks_title")) }
            p { (ctx.t("federation.blocks_intro")) }
            @if o.blocks.is_empty() {
                p { (ctx.t("federation.blocks_none")) }
            } @else {
                table #blocks {
                    thead { tr {
                        th scope="col" { (ctx.t("federation.col_blocked")) }
                        th scope="col" { (ctx.t("federation.col_kind")) }
                        th scope="col" { (ctx.t("federation.col_reason")) }
                        th scope="col" { (ctx.t("federation.col_since")) }
                        th scope="col" { (ctx.t("federation.col_action")) }
                    } }
                    tbody {
                        @for (target, kind, reason, since) in &o.blocks {
                            tr {
                                td { code { (target) } }
                                td { (ctx.t(if kind == "domain" { "federation.kind_domain" } else { "federation.kind_actor" })) }
                                td { (reason) }
                                td { (ctx.datetime(*since)) }
                                td {
                                    form.inline method="post" action="/admin/federation/blocks/delete" {
                                        (csrf(ctx))
                                        input type="hidden" name="target" value=(target);
                                        button type="submit" aria-label=(ctx.lang.tf("federation.unblock_label", &[("target", target)])) { (ctx.t("federation.unblock")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form #block method="post" action="/admin/federation/blocks" novalidate {
                (csrf(ctx))
                (Field::text("target", "federation.block_target", &typed.target).hint("federation.block_target_hint").render(ctx, errors))
                (Field::text("reason", "federation.block_reason", &typed.reason).optional().render(ctx, errors))
                button type="submit" { (ctx.t("federation.block_submit")) }
            }
        }
    }
}

/// The instance's key and « Renouveler la clé ».
fn key(ctx: &Ctx, o: &Overview) -> Markup {
    html! {
        section aria-labelledby="key-h" {
            h2 #key-h { (ctx.t("federation.key_title")) }
            p {
                @if o.key_created == 0 {
                    (ctx.t("federation.key_none"))
                } @else {
                    (ctx.lang.tf("federation.key_created", &[("when", &ctx.datetime(o.key_created))]))
                }
            }
            p { (ctx.t("federation.key_note")) }
            (post_button(ctx, "/admin/federation/key", ctx.t("federation.key_rotate"), None))
        }
    }
}
