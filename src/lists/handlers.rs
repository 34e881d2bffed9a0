//! List pages: the index, a list's sign-up page, creating a list, the relay's limits, the
//! archive and its feed, the API. Subscribing is in `subscribe`, mailings in `drafts`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::store::{self, mailings, subscribers};
use super::views::{self, SignUp};
use super::{LimitsForm, List, ListForm, Rights};
use crate::auth::{Role, User};
use crate::db::now;
use crate::directory::store::members;
use crate::error::AppError;
use crate::state::AppState;
use crate::text::xml_escape;
use crate::web::forms::FormErrors;
use crate::web::{base_url, markdown, redirect_with_flash, Ctx};
use crate::web::{Admin, CurrentUser};

/// Whether a user edits a list: its actor's admins for an actor's list, the site's admins
/// and moderators for every list. When the list is open to members' posts, its members
/// (the actor's active members; for the village list, residents with a confirmed address)
/// contribute proposals that the editors moderate.
pub fn rights_of(
    user: Option<&User>,
    list: &List,
    actor_admin: bool,
    actor_member: bool,
) -> Rights {
    let staff = user.is_some_and(|u| matches!(u.role, Role::Admin | Role::Moderator));
    let editor = staff || (list.actor.is_some() && actor_admin);
    let member = match list.actor {
        Some(_) => actor_member,
        None => user.is_some_and(|u| u.email_confirmed),
    };
    Rights {
        editor,
        contributor: editor || (list.members_post && member),
    }
}

/// A list and the viewer's rights, or 404 when the viewer may not see it (a private list is
/// seen by its actor's members and its editors only).
pub async fn load(state: &AppState, ctx: &Ctx, slug: String) -> Result<(List, Rights), AppError> {
    let uid = ctx.user.as_ref().map(|u| u.id);
    let (list, membership) = state
        .db
        .read(move |c| {
            let list = store::list_by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
            let m = match (uid, &list.actor) {
                (Some(u), Some((aid, _, _))) => members::membership(c, *aid, u)?,
                _ => None,
            };
            Ok((list, m))
        })
        .await?;
    let active = membership.filter(|(_, active)| *active);
    let actor_admin = active.is_some_and(|(r, _)| r == crate::directory::MemberRole::Admin);
    let rights = rights_of(ctx.user.as_ref(), &list, actor_admin, active.is_some());
    if !list.public && !rights.editor && active.is_none() {
        return Err(AppError::NotFound);
    }
    Ok((list, rights))
}

/// Like [`load`], for contributors only (403 otherwise).
pub async fn load_for_contributor(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(List, Rights), AppError> {
    let (list, rights) = load(state, ctx, slug).await?;
    if !rights.contributor {
        return Err(AppError::Forbidden);
    }
    Ok((list, rights))
}

/// Like [`load`], for editors only (403 otherwise).
pub async fn load_for_editor(state: &AppState, ctx: &Ctx, slug: String) -> Result<List, AppError> {
    let (list, rights) = load(state, ctx, slug).await?;
    if !rights.editor {
        return Err(AppError::Forbidden);
    }
    Ok(list)
}

/// GET /lists: the lists one may subscribe to.
pub async fn index(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let staff = ctx
        .user
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Admin | Role::Moderator));
    let uid = ctx.user.as_ref().map(|u| u.id);
    let (lists, owned) = state
        .db
        .read(move |c| {
            let owned = match uid {
                Some(u) => store::admin_actors(c, u)?,
                None => Vec::new(),
            };
            Ok((store::all_lists(c, staff)?, owned))
        })
        .await?;
    let may_create = staff || !owned.is_empty();
    Ok(views::index(&ctx, &lists, may_create))
}

/// Renders a list's sign-up page (with a form being re-shown, or a status).
pub async fn render_sign_up(
    state: &AppState,
    ctx: &Ctx,
    list: &List,
    rights: Rights,
    email: &str,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (lid, freq, tz, editor) = (
        list.id,
        list.frequency,
        ctx.instance.time_zone,
        rights.editor,
    );
    let (counts, next, recent) = state
        .db
        .read(move |c| {
            // Counting subscribers reads the whole list: for its editors only.
            let counts = if editor {
                subscribers::counts(c, lid)?
            } else {
                (0, 0, 0)
            };
            Ok((
                counts,
                mailings::next_possible(c, lid, freq, tz)?,
                mailings::sent_of_list(c, lid, 3)?,
            ))
        })
        .await?;
    let page = SignUp {
        list,
        rights,
        email,
        errors,
        active: counts.1,
        next_possible: next,
        recent: &recent,
    };
    Ok(views::sign_up(ctx, &page, status))
}

/// `?email=` pre-fills the form (the home page's box sends it here).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub email: Option<String>,
}

/// GET /lists/{slug}: the sign-up page: purpose, owner, the promised frequency.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let (list, rights) = load(&state, &ctx, slug.into_inner()).await?;
    let email = match &q.email {
        Some(e) => e.trim().chars().take(254).collect(),
        None => ctx
            .user
            .as_ref()
            .map(|u| u.email.clone())
            .unwrap_or_default(),
    };
    render_sign_up(
        &state,
        &ctx,
        &list,
        rights,
        &email,
        &FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The actors whose lists the user may create (all for the site's staff: `None`).
async fn owners(state: &AppState, user: &User) -> Result<Vec<(i64, String, String)>, AppError> {
    let uid = user.id;
    state
        .db
        .read(move |c| Ok(store::admin_actors(c, uid)?))
        .await
}

/// GET /lists/new
pub async fn new_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let owned = owners(&state, &user).await?;
    if owned.is_empty() && !user.is_admin() {
        return Err(AppError::Forbidden);
    }
    // The village has its list already (made after setup): offer the user's own pages first.
    let form = ListForm {
        frequency: "month".into(),
        public: "on".into(),
        owner: owned.first().map(|o| o.1.clone()).unwrap_or_default(),
        ..Default::default()
    };
    Ok(views::list_form(
        &ctx,
        &form,
        &owned,
        user.is_admin(),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /lists/new: a list owned by an actor the user administers (or, for the site's
/// admins, the village list when it does not exist yet).
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<ListForm>,
) -> Result<HttpResponse, AppError> {
    let owned = owners(&state, &user).await?;
    if owned.is_empty() && !user.is_admin() {
        return Err(AppError::Forbidden);
    }
    let mut errors = FormErrors::new();
    let input = form.parse(&mut errors);
    let owner = match input.as_ref().and_then(|i| i.owner.clone()) {
        Some(slug) => match owned.iter().find(|(_, s, _)| *s == slug) {
            Some((id, _, _)) => Some(*id),
            None => {
                errors.add("owner", "lists.owner_invalid");
                None
            }
        },
        None if user.is_admin() => None,
        None => {
            errors.add("owner", "lists.owner_invalid");
            None
        }
    };
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::list_form(
            &ctx,
            &form,
            &owned,
            user.is_admin(),
            &errors,
            status,
        ));
    };
    let uid = user.id;
    let slug = state
        .db
        .write(move |tx| {
            let village = owner.is_none();
            if village && store::village_list(tx)?.is_some() {
                return Ok(None);
            }
            Ok(Some(store::insert_list(
                tx,
                &input,
                owner,
                village,
                Some(uid),
                now(),
            )?))
        })
        .await?;
    match slug {
        Some(slug) => Ok(redirect_with_flash(
            &ctx,
            &format!("/lists/{slug}"),
            "flash.lists.created",
        )),
        None => {
            errors.add("owner", "lists.village_exists");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(views::list_form(&ctx, &form, &owned, true, &errors, status))
        }
    }
}

/// The form filled with a stored list.
fn form_of(list: &List) -> ListForm {
    let (kind, days) = list.frequency.to_db();
    let on = |b: bool| if b { "on".to_string() } else { String::new() };
    ListForm {
        name: list.name.clone(),
        purpose: list.purpose.clone(),
        owner: list
            .actor
            .as_ref()
            .map(|(_, s, _)| s.clone())
            .unwrap_or_default(),
        public: on(list.public),
        frequency: kind.to_string(),
        days: if days > 0 {
            days.to_string()
        } else {
            String::new()
        },
        needs_approval: on(list.needs_approval),
        members_post: on(list.members_post),
    }
}

/// GET /lists/{slug}/edit (the list's editors).
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    let form = form_of(&list);
    Ok(views::edit_form(
        &ctx,
        &list,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /lists/{slug}/edit: name, purpose, promise, public, approval. A new promise applies
/// from the next mailing (its date is computed from the last one sent).
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: web::Form<ListForm>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    let mut errors = FormErrors::new();
    let Some(input) = form.parse(&mut errors) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::edit_form(&ctx, &list, &form, &errors, status));
    };
    let (id, village) = (list.id, list.is_village);
    // The village list stays public: the home page invites everyone to it.
    let input = super::ListInput {
        public: input.public || village,
        ..input
    };
    state
        .db
        .write(move |tx| Ok(store::update_list(tx, id, &input)?))
        .await?;
    Ok(redirect_with_flash(&ctx, &list.url(), "flash.saved"))
}

/// GET /admin/lists: the relay's limits and DKIM.
pub async fn admin_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    _a: Admin,
) -> Result<HttpResponse, AppError> {
    let ((m, d), (domain, selector, key)) = state
        .db
        .read(|c| Ok((store::limits(c)?, store::dkim(c)?)))
        .await?;
    let form = LimitsForm {
        per_minute: m.to_string(),
        per_day: d.to_string(),
        dkim_domain: domain,
        dkim_selector: selector,
        dkim_key: String::new(),
    };
    Ok(views::admin(
        &ctx,
        &form,
        !key.is_empty(),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /admin/lists
pub async fn admin_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    _a: Admin,
    form: web::Form<LimitsForm>,
) -> Result<HttpResponse, AppError> {
    let mut e = FormErrors::new();
    let m = form
        .per_minute
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=1_000_000).contains(n));
    let d = form
        .per_day
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=10_000_000).contains(n));
    e.check(m.is_none(), "per_minute", "lists.limit_invalid");
    e.check(d.is_none(), "per_day", "lists.limit_invalid");
    let domain = form.dkim_domain.trim().to_lowercase();
    let selector = form.dkim_selector.trim().to_string();
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    let key = form.dkim_key.trim().to_string();
    let has_key = state.db.read(|c| Ok(!store::dkim(c)?.2.is_empty())).await?;
    if !domain.is_empty() {
        e.check(
            !name_ok(&domain) || !domain.contains('.'),
            "dkim_domain",
            "lists_dkim.domain_invalid",
        );
        e.check(
            !name_ok(&selector),
            "dkim_selector",
            "lists_dkim.selector_invalid",
        );
        e.check(
            key.is_empty() && !has_key,
            "dkim_key",
            "lists_dkim.key_invalid",
        );
        e.check(
            !key.is_empty() && super::message::dkim_config(&domain, "s", &key).is_err(),
            "dkim_key",
            "lists_dkim.key_invalid",
        );
    }
    let (Some(m), Some(d)) = (m, d) else {
        return Ok(views::admin(
            &ctx,
            &form,
            has_key,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    if !e.is_empty() {
        return Ok(views::admin(
            &ctx,
            &form,
            has_key,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    // No domain: no signature, and the key is forgotten.
    let key = if domain.is_empty() {
        Some(String::new())
    } else {
        Some(key).filter(|k| !k.is_empty())
    };
    state
        .db
        .write(move |tx| {
            store::set_limits(tx, m, d)?;
            store::set_dkim(tx, &domain, &selector, key.as_deref())?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(&ctx, "/admin/lists", "flash.saved"))
}

/// A public list, for the archive and its feed (404 for a private one).
async fn public_list(state: &AppState, ctx: &Ctx, slug: String) -> Result<List, AppError> {
    let (list, _) = load(state, ctx, slug).await?;
    if !list.public {
        return Err(AppError::NotFound);
    }
    Ok(list)
}

/// GET /lists/{slug}/archive: the mailings sent, newest first.
pub async fn archive(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = public_list(&state, &ctx, slug.into_inner()).await?;
    let lid = list.id;
    let sent = state
        .db
        .read(move |c| Ok(mailings::sent_of_list(c, lid, 500)?))
        .await?;
    Ok(views::archive::list(&ctx, &list, &sent))
}

/// GET /lists/{slug}/archive/{id}: one mailing as it was sent.
pub async fn archived(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let list = public_list(&state, &ctx, slug).await?;
    let m = state
        .db
        .read(move |c| Ok(mailings::mailing(c, id)?))
        .await?
        .filter(|m| m.list_id == list.id && m.sent_or_sending())
        .ok_or(AppError::NotFound)?;
    Ok(views::archive::one(&ctx, &list, &m))
}

/// GET /lists/{slug}/feed.rss: the archive as RSS 2.0.
pub async fn feed(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = public_list(&state, &ctx, slug.into_inner()).await?;
    let lid = list.id;
    let sent = state
        .db
        .read(move |c| Ok(mailings::sent_of_list(c, lid, 30)?))
        .await?;
    let base = base_url(&req, &state);
    let base = base.trim_end_matches('/');
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n",
    );
    x += &format!(
        "<title>{}</title>\n<link>{base}/lists/{}/archive</link>\n<description>{}</description>\n",
        xml_escape(&list.name),
        list.slug,
        xml_escape(&list.purpose)
    );
    for m in &sent {
        let link = format!("{base}/lists/{}/archive/{}", list.slug, m.id);
        let date = chrono::DateTime::from_timestamp(m.send_at.unwrap_or(m.created_at), 0)
            .map(|d| d.to_rfc2822())
            .unwrap_or_default();
        x += &format!(
            "<item>\n<title>{}</title>\n<link>{link}</link>\n<guid>{link}</guid>\n<pubDate>{date}</pubDate>\n<description>{}</description>\n</item>\n",
            xml_escape(&m.subject),
            xml_escape(&markdown::render(&m.body))
        );
    }
    x += "</channel>\n</rss>\n";
    Ok(HttpResponse::Ok()
        .content_type("application/rss+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(x))
}

/// The home page's box for the village newsletter: one email field whose GET lands on the
/// sign-up page (consent box and CSRF token there), so the home page stays cacheable.
pub async fn home_block(state: &AppState, ctx: &Ctx) -> Result<maud::Markup, AppError> {
    if !ctx.instance.enabled(crate::settings::Module::Lists) {
        return Ok(maud::html! {});
    }
    let village = state.db.read(|c| Ok(store::village_list(c)?)).await?;
    Ok(village.map_or(maud::html! {}, |l| views::home_box(ctx, &l)))
}
