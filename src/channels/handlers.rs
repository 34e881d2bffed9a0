//! Channel pages: the welcome page, creating a channel (the village's: the site's admins; a
//! page's: its admins), a channel's page with its threads, its settings, its named
//! moderators and documentalists, and opening a thread.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::access::load;
use super::form::{ChannelForm, MessageForm, PageQuery, PersonForm};
use super::post;
use super::store::{self, conduct};
use super::views::{self, ChannelPage, Welcome};
use super::{Channel, Powers, Role, THREADS};
use crate::db::now;
use crate::directory::access::load as load_actor;
use crate::directory::Actor;
use crate::error::AppError;
use crate::personal_data::masking::{Masking, FLASH};
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// How many channels "where to start" suggests.
const START: usize = 5;

/// GET /channels: every channel the visitor may read, grouped by topic; where to start (the
/// admins' recommendations, then the busiest public channels of the last 30 days); and the
/// signed-in person's channels.
pub async fn welcome(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let uid = ctx.user.as_ref().map(|u| u.id);
    let admin = ctx.user.as_ref().is_some_and(|u| u.is_admin());
    let since = now() - 30 * 86_400;
    let (all, activity, mine) = state
        .db
        .read(move |c| {
            let mine = match uid {
                Some(u) => store::channels_of(c, u)?,
                None => Vec::new(),
            };
            Ok((
                store::readable(c, uid, admin, None)?,
                store::activity(c, since)?,
                mine,
            ))
        })
        .await?;
    let busy: HashMap<i64, i64> = activity.into_iter().collect();
    let mut start: Vec<Channel> = all.iter().filter(|c| c.recommended).cloned().collect();
    let mut busiest: Vec<&Channel> = all
        .iter()
        .filter(|c| c.is_public() && !c.recommended)
        .collect();
    busiest.sort_by_key(|c| std::cmp::Reverse(busy.get(&c.id).copied().unwrap_or(0)));
    start.extend(
        busiest
            .into_iter()
            .take(START.saturating_sub(start.len()))
            .cloned(),
    );
    let mut groups: BTreeMap<String, Vec<Channel>> = BTreeMap::new();
    for c in &all {
        groups.entry(c.topic.clone()).or_default().push(c.clone());
    }
    let groups: Vec<(String, Vec<Channel>)> = groups.into_iter().collect();
    let mine: Vec<Channel> = all
        .iter()
        .filter(|c| mine.contains(&c.id))
        .cloned()
        .collect();
    let w = Welcome {
        start: &start,
        groups: &groups,
        mine: &mine,
        may_create: admin,
    };
    Ok(views::welcome(&ctx, &w))
}

/// GET /channels/new: a village channel's form (the site's admins).
pub async fn new_form(ctx: Ctx, CurrentUser(user): CurrentUser) -> Result<HttpResponse, AppError> {
    if !user.is_admin() {
        return Err(AppError::Forbidden);
    }
    let f = ChannelForm {
        visibility: "public".into(),
        ..Default::default()
    };
    Ok(views::channel_form(
        &ctx,
        "/channels/new",
        false,
        &f,
        &FormErrors::new(),
        true,
        StatusCode::OK,
    ))
}

/// GET /a/{slug}/channels/new: a page's channel form (its admins).
pub async fn new_page_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load_actor(&state, &ctx, slug.into_inner()).await?;
    if !access.can_manage() {
        return Err(AppError::Forbidden);
    }
    let f = ChannelForm {
        visibility: "members".into(),
        ..Default::default()
    };
    let action = format!("/a/{}/channels/new", actor.slug);
    let e = FormErrors::new();
    Ok(views::channel_form(
        &ctx,
        &action,
        true,
        &f,
        &e,
        user.is_admin(),
        StatusCode::OK,
    ))
}

/// POST /channels/new
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    f: web::Form<ChannelForm>,
) -> Result<HttpResponse, AppError> {
    if !user.is_admin() {
        return Err(AppError::Forbidden);
    }
    save_new(&state, &ctx, user.id, true, None, f.into_inner()).await
}

/// POST /a/{slug}/channels/new
pub async fn create_on_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<ChannelForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load_actor(&state, &ctx, slug.into_inner()).await?;
    if !access.can_manage() {
        return Err(AppError::Forbidden);
    }
    save_new(
        &state,
        &ctx,
        user.id,
        user.is_admin(),
        Some(actor),
        f.into_inner(),
    )
    .await
}

async fn save_new(
    state: &AppState,
    ctx: &Ctx,
    uid: i64,
    site_admin: bool,
    actor: Option<Actor>,
    f: ChannelForm,
) -> Result<HttpResponse, AppError> {
    let mut e = FormErrors::new();
    let action = match &actor {
        Some(a) => format!("/a/{}/channels/new", a.slug),
        None => "/channels/new".to_string(),
    };
    let Some(mut input) = f.parse(actor.is_some(), &mut e) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::channel_form(
            ctx,
            &action,
            actor.is_some(),
            &f,
            &e,
            site_admin,
            status,
        ));
    };
    input.recommended &= site_admin;
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("topic", &mut input.topic);
    m.field("description", &mut input.description);
    let flash = m.flash("flash.channels.created");
    let actor_id = actor.map(|a| a.id);
    let base = crate::text::slugify(&input.name);
    let base = if base.is_empty() {
        "canal".to_string()
    } else {
        base
    };
    let slug = state
        .db
        .write(move |tx| {
            let mut slug = base.clone();
            let mut n = 2;
            while store::slug_taken(tx, &slug)? {
                slug = format!("{base}-{n}");
                n += 1;
            }
            let at = now();
            let id = store::insert_channel(tx, actor_id, &slug, &input, uid, at)?;
            m.keep(tx, "channel", id, Some(uid), at)?;
            Ok(slug)
        })
        .await?;
    Ok(redirect_with_flash(ctx, &format!("/c/{slug}"), flash))
}

/// Renders a channel's page (with a form being re-shown, when there is one).
#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    ch: &Channel,
    powers: Powers,
    q: &PageQuery,
    form: &MessageForm,
    errors: &FormErrors,
    person: (&PersonForm, &FormErrors),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (cid, after) = (ch.id, q.thread_cursor());
    let uid = ctx.user.as_ref().map(|u| u.id);
    let with_hidden = powers.moderate;
    let (mut threads, named, pending) = state
        .db
        .read(move |c| {
            Ok((
                store::threads(c, cid, with_hidden, after, THREADS)?,
                store::named(c, cid)?,
                conduct::pending(c, uid)?,
            ))
        })
        .await?;
    let next = if threads.len() as i64 > THREADS {
        threads.truncate(THREADS as usize);
        threads
            .last()
            .map(|t| format!("{}.{}", t.last_activity_at, t.id))
    } else {
        None
    };
    let page = ChannelPage {
        ch,
        powers,
        threads: &threads,
        next,
        named: &named,
        form,
        errors,
        conduct: pending.as_ref(),
        person: person.0,
        person_errors: person.1,
    };
    Ok(views::channel(ctx, &page, status))
}

/// GET /c/{channel}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(&state, &ctx, slug.into_inner()).await?;
    let none = FormErrors::new();
    let person = (&PersonForm::default(), &none);
    render(
        &state,
        &ctx,
        &ch,
        p,
        &q,
        &MessageForm::default(),
        &none,
        person,
        StatusCode::OK,
    )
    .await
}

/// POST /c/{channel}/threads: opens a thread with its first message (the code of conduct
/// accepted first, in the same transaction, when it has not been).
pub async fn create_thread(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(&state, &ctx, slug.into_inner()).await?;
    if !p.post {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let none = FormErrors::new();
    let person = (&PersonForm::default(), &none);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let q = PageQuery::default();
    let Some((title, body)) = f.parse(true, &mut e) else {
        return render(&state, &ctx, &ch, p, &q, &f, &e, person, unprocessable).await;
    };
    let (cid, uid, lang, accepting) = (
        ch.id,
        user.id,
        ctx.instance.default_lang,
        f.accepted_version(),
    );
    let written = state
        .db
        .write(move |tx| {
            let at = now();
            if !conduct::pass(tx, uid, accepting, at)? {
                return Ok(None);
            }
            Ok(Some(post::thread(
                tx,
                lang,
                cid,
                Some(uid),
                "",
                &title,
                body,
                at,
            )?))
        })
        .await?;
    let Some((tid, posted)) = written else {
        e.add("accept_conduct", "channels.conduct_required");
        return render(&state, &ctx, &ch, p, &q, &f, &e, person, unprocessable).await;
    };
    let flash = if posted.masked {
        FLASH
    } else {
        "flash.channels.thread_opened"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}/t/{tid}", ch.url()),
        flash,
    ))
}

/// GET /c/{channel}/edit: the channel's settings (its managers).
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(&state, &ctx, slug.into_inner()).await?;
    if !p.manage {
        return Err(AppError::Forbidden);
    }
    let f = ChannelForm {
        name: ch.name.clone(),
        topic: ch.topic.clone(),
        description: ch.description.clone(),
        visibility: ch.visibility.as_str().to_string(),
        recommended: if ch.recommended {
            "1".into()
        } else {
            String::new()
        },
    };
    let admin = ctx.user.as_ref().is_some_and(|u| u.is_admin());
    let action = format!("{}/edit", ch.url());
    Ok(views::channel_form(
        &ctx,
        &action,
        ch.actor.is_some(),
        &f,
        &FormErrors::new(),
        admin,
        StatusCode::OK,
    ))
}

/// POST /c/{channel}/edit
pub async fn edit(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<ChannelForm>,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(&state, &ctx, slug.into_inner()).await?;
    if !p.manage {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let action = format!("{}/edit", ch.url());
    let Some(mut input) = f.parse(ch.actor.is_some(), &mut e) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::channel_form(
            &ctx,
            &action,
            ch.actor.is_some(),
            &f,
            &e,
            user.is_admin(),
            status,
        ));
    };
    if !user.is_admin() {
        input.recommended = ch.recommended;
    }
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("topic", &mut input.topic);
    m.field("description", &mut input.description);
    let flash = m.flash("flash.channels.saved");
    let (id, uid) = (ch.id, user.id);
    state
        .db
        .write(move |tx| {
            let at = now();
            store::update_channel(tx, id, &input, at)?;
            m.keep(tx, "channel", id, Some(uid), at)?;
            Ok(())
        })
        .await?;
    Ok(redirect_with_flash(&ctx, &ch.url(), flash))
}

/// POST /c/{channel}/roles: names a person (by their account's address) moderator or
/// documentalist (the channel's managers).
pub async fn add_role(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    slug: web::Path<String>,
    f: web::Form<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let (ch, p) = load(&state, &ctx, slug.into_inner()).await?;
    if !p.manage {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let role = Role::parse(&f.role);
    e.check(role.is_none(), "role", "channels.role_invalid");
    let email = f.email.trim().to_string();
    let found = match role {
        Some(role) if e.is_empty() => {
            let id = ch.id;
            state
                .db
                .write(move |tx| Ok(store::add_role(tx, id, &email, role, now())?))
                .await?
        }
        _ => false,
    };
    if !found {
        if e.is_empty() {
            e.add("email", "channels.no_such_account");
        }
        let q = PageQuery::default();
        let none = FormErrors::new();
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        return render(
            &state,
            &ctx,
            &ch,
            p,
            &q,
            &MessageForm::default(),
            &none,
            (&f, &e),
            unprocessable,
        )
        .await;
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}#people-h", ch.url()),
        "flash.channels.role_added",
    ))
}

/// POST /c/{channel}/roles/{user}/{role}/remove
pub async fn remove_role(
    ctx: Ctx,
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(String, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, uid, role) = path.into_inner();
    let (ch, p) = load(&state, &ctx, slug).await?;
    if !p.manage {
        return Err(AppError::Forbidden);
    }
    let role = Role::parse(&role).ok_or(AppError::NotFound)?;
    let id = ch.id;
    state
        .db
        .write(move |tx| Ok(store::remove_role(tx, id, uid, role)?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}#people-h", ch.url()),
        "flash.channels.role_removed",
    ))
}
