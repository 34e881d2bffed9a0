//! The admin's federation page (site admins only): the handles to give out, following a
//! remote account for a page's agenda, unfollowing, blocking an account or a domain, and
//! renewing the instance's key. Every form re-renders the page with a 422 on bad input.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::views::{self, Followed, Follower, Overview, Typed};
use super::{deliver, follow, host_of, store};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::picker::Choices;
use crate::web::{public_base, redirect, redirect_with_flash, url_encode, Admin, Ctx};

/// Longest handle, URL or reason kept.
const MAX_TEXT: usize = 500;

/// The query of the page: the remote just followed (its URL), named in a message.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    followed: String,
}

/// « Suivre un compte du fédivers ».
#[derive(Deserialize, Default)]
pub struct FollowForm {
    #[serde(default)]
    handle: String,
    #[serde(default)]
    page: String,
}

/// Blocking (target and reason) or unblocking (target).
#[derive(Deserialize, Default)]
pub struct BlockForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    reason: String,
}

/// What a typed block target is: an account (its URL) or a whole domain (`host[:port]`).
#[derive(Debug, PartialEq)]
pub enum BlockTarget {
    Actor(String),
    Domain(String),
}

impl BlockTarget {
    /// An `http(s)://` URL with a host is an account; a bare domain (`spam.example`, with a
    /// port if need be) is a domain, in lower case; anything else is `None`.
    pub fn parse(typed: &str) -> Option<BlockTarget> {
        let t = typed.trim();
        if t.is_empty() || t.len() > MAX_TEXT || t.chars().any(char::is_whitespace) {
            return None;
        }
        if t.starts_with("https://") || t.starts_with("http://") {
            return host_of(t).map(|_| BlockTarget::Actor(t.to_string()));
        }
        let t = t.to_ascii_lowercase();
        let (host, port) = t.split_once(':').unwrap_or((&t, ""));
        let port_ok = port.is_empty() || port.parse::<u16>().is_ok_and(|p| p > 0);
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        (port_ok && host.contains('.') && host.split('.').all(label_ok))
            .then(|| BlockTarget::Domain(t.clone()))
    }
}

/// GET /admin/federation
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let mut o = overview(&ctx, &state).await?;
    let just = q.followed.trim();
    o.followed = (!just.is_empty())
        .then(|| o.following.iter().find(|f| f.follow.remote == just))
        .flatten()
        .map(|f| f.who.clone());
    Ok(views::page(
        &ctx,
        &o,
        &Typed::default(),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /admin/federation/follow: follows a remote account for a page's agenda.
pub async fn follow_submit(
    ctx: Ctx,
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<FollowForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let typed = Typed {
        handle: form.handle.trim().to_string(),
        page: form.page.trim().to_string(),
        ..Typed::default()
    };
    let mut errors = FormErrors::new();
    errors.check(
        typed.handle.is_empty(),
        "handle",
        "federation.handle_required",
    );
    errors.check(
        typed.handle.len() > MAX_TEXT || typed.handle.chars().any(char::is_whitespace),
        "handle",
        "federation.error_not_found",
    );
    let pages = state.db.read(|c| Ok(store::local_pages(c)?)).await?;
    let page_id = Choices::new(pairs(&pages))
        .resolve(&typed.page)
        .and_then(|slug| pages.iter().find(|p| p.1 == slug).map(|p| p.0));
    match (typed.page.is_empty(), page_id) {
        (true, _) => errors.add("page", "federation.page_required"),
        (false, None) => errors.add("page", "federation.page_unknown"),
        _ => {}
    }
    if let (true, Some(page_id)) = (errors.is_empty(), page_id) {
        match follow::follow(&state, page_id, &typed.handle, Some(admin.0.id)).await? {
            Ok(actor) => {
                let to = format!("/admin/federation?followed={}", url_encode(&actor.url));
                return Ok(redirect(&to));
            }
            Err(key) => errors.add("handle", key),
        }
    }
    rejected(&ctx, &state, &typed, &errors).await
}

/// POST /admin/federation/following/{id}/delete: stops following (Undo).
pub async fn unfollow(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    follow::unfollow(&state, id.into_inner()).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/federation",
        "flash.federation.unfollowed",
    ))
}

/// POST /admin/federation/blocks: blocks an account (URL) or a whole domain.
pub async fn block(
    ctx: Ctx,
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<BlockForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let typed = Typed {
        target: form.target.trim().to_string(),
        reason: form.reason.trim().to_string(),
        ..Typed::default()
    };
    let mut errors = FormErrors::new();
    let target = BlockTarget::parse(&typed.target);
    match (typed.target.is_empty(), &target) {
        (true, _) => errors.add("target", "federation.block_target_required"),
        (false, None) => errors.add("target", "federation.block_target_invalid"),
        _ => {}
    }
    errors.check(
        typed.reason.chars().count() > MAX_TEXT,
        "reason",
        "federation.block_reason_long",
    );
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return rejected(&ctx, &state, &typed, &errors).await;
    };
    let (target, kind) = match target {
        BlockTarget::Actor(t) => (t, "actor"),
        BlockTarget::Domain(t) => (t, "domain"),
    };
    let (reason, by) = (typed.reason, admin.0.id);
    state
        .db
        .write(move |tx| Ok(store::block(tx, &target, kind, &reason, Some(by), now())?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/federation",
        "flash.federation.blocked",
    ))
}

/// POST /admin/federation/blocks/delete: lifts a block.
pub async fn unblock(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    form: web::Form<BlockForm>,
) -> Result<HttpResponse, AppError> {
    let target = form.into_inner().target.trim().to_string();
    state
        .db
        .write(move |tx| Ok(store::unblock(tx, &target)?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/federation",
        "flash.federation.unblocked",
    ))
}

/// POST /admin/federation/key: a new key pair (peers read it again from our actors).
pub async fn rotate_key(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, AppError> {
    deliver::rotate(&state).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/federation",
        "flash.federation.key_rotated",
    ))
}

/// The page again with what was typed and the messages (422).
async fn rejected(
    ctx: &Ctx,
    state: &AppState,
    typed: &Typed,
    errors: &FormErrors,
) -> Result<HttpResponse, AppError> {
    let o = overview(ctx, state).await?;
    Ok(views::page(
        ctx,
        &o,
        typed,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

/// The (slug, name) pairs of pages.
fn pairs(pages: &[(i64, String, String, bool)]) -> Vec<(String, String)> {
    pages
        .iter()
        .map(|(_, slug, name, _)| (slug.clone(), name.clone()))
        .collect()
}

/// Everything the page shows, read in one go (the clock on the blocking pool).
async fn overview(ctx: &Ctx, state: &AppState) -> Result<Overview, AppError> {
    let host = host_of(&public_base(state)).unwrap_or_default();
    let (pages, followers, following, pending, blocks, key_created) = state
        .db
        .read(|c| {
            Ok((
                store::local_pages(c)?,
                store::all_followers(c)?,
                store::all_following(c)?,
                store::pending(c)?,
                store::blocks(c)?,
                store::key_created(c)?,
            ))
        })
        .await?;
    let clock = web::block(crate::time::clock_synchronised)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let village = if ctx.instance.name.is_empty() {
        ctx.t("federation.the_village").to_string()
    } else {
        ctx.instance.name.clone()
    };
    let name_of = |id: i64| match id {
        0 => village.clone(),
        _ => pages
            .iter()
            .find(|p| p.0 == id)
            .map_or_else(|| format!("#{id}"), |p| p.2.clone()),
    };
    let first = |list: [&String; 3]| {
        list.into_iter()
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_default()
    };
    Ok(Overview {
        host,
        pages: pages
            .iter()
            .filter(|p| p.3)
            .map(|p| (p.1.clone(), p.2.clone()))
            .collect(),
        followers: followers
            .into_iter()
            .map(|(actor, url, handle, _name, since)| Follower {
                who: first([&handle, &url, &url]),
                follows: name_of(actor),
                url,
                since,
            })
            .collect(),
        following: following
            .into_iter()
            .map(|(follow, handle, name, page)| Followed {
                who: first([&handle, &name, &follow.remote]),
                page: if page.is_empty() {
                    name_of(follow.local_actor)
                } else {
                    page
                },
                follow,
            })
            .collect(),
        pending,
        blocks,
        key_created,
        clock,
        choices: Choices::new(pairs(&pages)),
        followed: None,
    })
}

#[cfg(test)]
mod tests {
    use super::BlockTarget::{self, Actor, Domain};

    #[test]
    fn a_url_is_an_account_and_a_bare_domain_a_domain() {
        let p = BlockTarget::parse;
        assert_eq!(
            p(" https://bad.example/users/x "),
            Some(Actor("https://bad.example/users/x".into()))
        );
        assert_eq!(p("Spam.Example"), Some(Domain("spam.example".into())));
        assert_eq!(p("127.0.0.1:8080"), Some(Domain("127.0.0.1:8080".into())));
        for bad in [
            "",
            "spam",
            "pas un domaine",
            "@x@spam.example",
            "-a.example",
            "a..b",
            "ftp://x/y",
            "https:///x",
            "a.example:0",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }
}
