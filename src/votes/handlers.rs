//! Proposal pages: the lists (the village's, a page's), opening a proposal, its page,
//! amendments proposed and decided, ballots cast or changed, the deadline as iCalendar.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::form::{self, AmendmentForm, ProposalForm};
use super::store::{self, Cast};
use super::views::{self, ShowPage, VoteAttempt};
use super::{can_decide, can_open, may_vote, tasks, Phase, Proposal};
use crate::db::now;
use crate::directory::access::load as load_actor;
use crate::directory::store::members;
use crate::directory::{Access, Actor};
use crate::error::AppError;
use crate::personal_data::masking::{self, Masking};
use crate::personal_data::store as kept;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{redirect_with_flash, Ctx, CurrentUser};

/// How many proposals a list shows.
const LIST: i64 = 200;

/// GET /votes: the village's proposals and those of the public pages.
pub async fn list(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let items = state.db.read(|c| Ok(store::list(c, None, LIST)?)).await?;
    let may = ctx.user.as_ref().is_some_and(|u| can_open(u, None));
    Ok(views::list(&ctx, None, &items, may))
}

/// GET /a/{slug}/votes: a page's proposals.
pub async fn page_list(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load_actor(&state, &ctx, slug.into_inner()).await?;
    let id = actor.id;
    let items = state
        .db
        .read(move |c| Ok(store::list(c, Some(id), LIST)?))
        .await?;
    let may = ctx
        .user
        .as_ref()
        .is_some_and(|u| can_open(u, Some(&access)));
    Ok(views::list(&ctx, Some(&actor), &items, may))
}

/// GET /votes/new: the village's proposal form (the site's admins).
pub async fn new_form(ctx: Ctx, CurrentUser(user): CurrentUser) -> Result<HttpResponse, AppError> {
    if !can_open(&user, None) {
        return Err(AppError::Forbidden);
    }
    let f = ProposalForm::default();
    Ok(views::new_page(
        &ctx,
        None,
        &f,
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// GET /a/{slug}/votes/new: a page's proposal form (its members).
pub async fn new_page_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load_actor(&state, &ctx, slug.into_inner()).await?;
    if !can_open(&user, Some(&access)) {
        return Err(AppError::Forbidden);
    }
    let f = ProposalForm::default();
    let e = FormErrors::new();
    Ok(views::new_page(&ctx, Some(&actor), &f, &e, StatusCode::OK))
}

/// POST /votes/new
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    f: web::Form<ProposalForm>,
) -> Result<HttpResponse, AppError> {
    if !can_open(&user, None) {
        return Err(AppError::Forbidden);
    }
    save(&state, &ctx, user.id, None, f.into_inner()).await
}

/// POST /a/{slug}/votes/new
pub async fn create_on_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    f: web::Form<ProposalForm>,
) -> Result<HttpResponse, AppError> {
    let (actor, access) = load_actor(&state, &ctx, slug.into_inner()).await?;
    if !can_open(&user, Some(&access)) {
        return Err(AppError::Forbidden);
    }
    save(&state, &ctx, user.id, Some(actor), f.into_inner()).await
}

async fn save(
    state: &AppState,
    ctx: &Ctx,
    uid: i64,
    actor: Option<Actor>,
    f: ProposalForm,
) -> Result<HttpResponse, AppError> {
    let mut e = FormErrors::new();
    let Some(mut input) = f.parse(ctx.instance.time_zone, now(), &mut e) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(views::new_page(ctx, actor.as_ref(), &f, &e, status));
    };
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("title", &mut input.title);
    m.field("body", &mut input.body);
    let flash = m.flash("flash.votes.created");
    let actor_id = actor.map(|a| a.id);
    let id = state
        .db
        .write(move |tx| {
            let at = now();
            let id = store::insert_proposal(tx, actor_id, uid, &input, at)?;
            m.keep(tx, "proposal", id, Some(uid), at)?;
            Ok(id)
        })
        .await?;
    Ok(redirect_with_flash(ctx, &format!("/votes/{id}"), flash))
}

/// The proposal if the viewer may read it, with their access to its page; "not found"
/// otherwise (hidden, or a members-only page's), so that it is not revealed.
pub async fn visible(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Proposal, Option<Access>), AppError> {
    let uid = ctx.user.as_ref().map(|u| u.id);
    let (p, membership) = state
        .db
        .read(move |c| {
            let p = store::proposal(c, id)?.ok_or(AppError::NotFound)?;
            let m = match (&p.actor, uid) {
                (Some(a), Some(u)) => members::membership(c, a.id, u)?,
                _ => None,
            };
            Ok((p, m))
        })
        .await?;
    let staff = ctx.user.as_ref().is_some_and(|u| u.is_staff());
    if p.hidden && !staff {
        return Err(AppError::NotFound);
    }
    let access = match &p.actor {
        Some(a) => {
            let access = Access::of(ctx.user.as_ref(), membership);
            if !access.can_see(a.visibility) {
                return Err(AppError::NotFound);
            }
            Some(access)
        }
        None => None,
    };
    Ok((p, access))
}

/// Renders a proposal's page (a form being re-shown, when there is one).
async fn render(
    state: &AppState,
    ctx: &Ctx,
    p: &Proposal,
    access: Option<&Access>,
    amend: Option<(&AmendmentForm, &FormErrors)>,
    attempt: Option<&VoteAttempt>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let at = now();
    // Counted lazily when the task has not run yet (counted once whoever comes first).
    tasks::ensure_counted(state, p.id, p.deadline).await?;
    let (id, uid) = (p.id, ctx.user.as_ref().map(|u| u.id));
    let user = ctx.user.clone();
    let (author, secret) = (p.author_id, p.secret);
    let staff = ctx.user.as_ref().is_some_and(|u| u.is_staff());
    let (amendments, revisions, mine, voters, result, public, originals) = state
        .db
        .read(move |c| {
            let amendments: Vec<_> = store::amendments(c, id)?
                .into_iter()
                .filter(|a| !a.hidden || staff)
                .collect();
            let mine = match uid {
                Some(u) => store::ballot_of(c, id, u)?,
                None => None,
            };
            // The originals of masked text, for their author and the moderators.
            let mut originals = Vec::new();
            if masking::may_see(user.as_ref(), author) {
                originals.extend(kept::originals(c, "proposal", id)?);
            }
            for a in amendments
                .iter()
                .filter(|a| masking::may_see(user.as_ref(), a.author_id))
            {
                originals.extend(kept::originals(c, "amendment", a.id)?);
            }
            Ok((
                amendments,
                store::revisions(c, id)?,
                mine,
                store::voters(c, id)?,
                store::result(c, id)?,
                if secret {
                    Vec::new()
                } else {
                    store::public_ballots(c, id)?
                },
                originals,
            ))
        })
        .await?;
    let page = ShowPage {
        p,
        phase: p.phase(at),
        amendments: &amendments,
        revisions: &revisions,
        mine: mine.as_deref(),
        voters,
        result: result.as_ref(),
        public: &public,
        may_vote: ctx.user.is_some() && may_vote(access),
        may_decide: ctx.user.as_ref().is_some_and(|u| can_decide(u, p)),
        amend,
        attempt,
        originals: &originals,
    };
    Ok(views::show(ctx, &page, status))
}

/// GET /votes/{id}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (p, access) = visible(&state, &ctx, id.into_inner()).await?;
    render(
        &state,
        &ctx,
        &p,
        access.as_ref(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

/// POST /votes/{id}/amendments: proposes an amendment (those who may vote, during the
/// discussion).
pub async fn amend(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    f: web::Form<AmendmentForm>,
) -> Result<HttpResponse, AppError> {
    let (p, access) = visible(&state, &ctx, id.into_inner()).await?;
    if !may_vote(access.as_ref()) {
        return Err(AppError::Forbidden);
    }
    let f = f.into_inner();
    let mut e = FormErrors::new();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let parsed = f.parse(&p.body, &mut e);
    let Some((mut body, note)) = parsed.filter(|_| p.phase(now()) == Phase::Discussion) else {
        if e.is_empty() {
            e.add("body", "votes.discussion_over");
        }
        let a = access.as_ref();
        return render(&state, &ctx, &p, a, Some((&f, &e)), None, unprocessable).await;
    };
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("body", &mut body);
    let (pid, uid) = (p.id, user.id);
    let masked = m.found();
    let tell = AuthorMail {
        site: ctx.instance.name.clone(),
        default_lang: ctx.instance.default_lang,
        title: p.title.clone(),
        who: user.name.clone(),
        url: format!("{}{}#amendments", crate::web::public_base(&state), p.url()),
    };
    let saved = state
        .db
        .write(move |tx| {
            let at = now();
            let id = store::insert_amendment(tx, pid, uid, &body, &note, at)?;
            if let Some(id) = id {
                m.keep(tx, "amendment", id, Some(uid), at)?;
                // The author is told in the same transaction (the outbox sends after it).
                if let Some((author, to, lang)) = store::author_address(tx, pid)? {
                    if author != uid {
                        crate::outbox::enqueue(tx, &tell.mail(to, lang.as_deref()), at)?;
                    }
                }
            }
            Ok(id)
        })
        .await?;
    crate::outbox::flush(&state).await;
    if saved.is_none() {
        e.add("body", "votes.discussion_over");
        let a = access.as_ref();
        return render(&state, &ctx, &p, a, Some((&f, &e)), None, unprocessable).await;
    }
    let flash = if masked {
        crate::personal_data::masking::FLASH
    } else {
        "flash.votes.amendment_sent"
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}#amendments", p.url()),
        flash,
    ))
}

/// The mail that tells a proposal's author of a new amendment, in their language.
struct AuthorMail {
    site: String,
    default_lang: crate::i18n::Lang,
    title: String,
    who: String,
    url: String,
}

impl AuthorMail {
    fn mail(&self, to: String, lang: Option<&str>) -> crate::mail::Mail {
        let l = lang
            .and_then(crate::i18n::Lang::from_code)
            .unwrap_or(self.default_lang);
        crate::mail::Mail::new(
            to,
            l.tf(
                "votes.amendment_mail_subject",
                &[("site", &self.site), ("title", &self.title)],
            ),
            l.tf(
                "votes.amendment_mail_body",
                &[
                    ("name", &self.who),
                    ("title", &self.title),
                    ("url", &self.url),
                ],
            ),
        )
    }
}

/// POST /votes/{id}/amendments/{amendment}/{accept|decline}: the author decides.
pub async fn decide(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, aid, action) = path.into_inner();
    let (p, _) = visible(&state, &ctx, id).await?;
    if !can_decide(&user, &p) {
        return Err(AppError::Forbidden);
    }
    let accept = match action.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::NotFound),
    };
    let done = state
        .db
        .write(move |tx| {
            match store::amendment(tx, aid)? {
                Some(a) if a.proposal_id == id => {}
                _ => return Err(AppError::NotFound),
            }
            Ok(store::decide_amendment(tx, aid, accept, now())?)
        })
        .await?;
    let flash = match (done, accept) {
        (false, _) => "flash.votes.too_late",
        (true, true) => "flash.votes.accepted",
        (true, false) => "flash.votes.declined",
    };
    Ok(redirect_with_flash(
        &ctx,
        &format!("{}#amendments", p.url()),
        flash,
    ))
}

/// POST /votes/{id}/vote: casts or changes one's ballot while the vote is open; after the
/// deadline, 422 with the page, the result and the ballot that was not recorded.
pub async fn vote(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
    fields: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (p, access) = visible(&state, &ctx, id.into_inner()).await?;
    if !may_vote(access.as_ref()) {
        return Err(AppError::Forbidden);
    }
    let fields = fields.into_inner();
    let refuse = |message: &'static str| VoteAttempt {
        fields: fields.clone(),
        message,
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let a = access.as_ref();
    let choice = match form::ballot(&p, &fields) {
        Ok(c) => c,
        Err(message) => {
            let attempt = refuse(message);
            return render(&state, &ctx, &p, a, None, Some(&attempt), unprocessable).await;
        }
    };
    let (pid, uid) = (p.id, user.id);
    let cast = state
        .db
        .write(move |tx| Ok(store::cast(tx, pid, uid, &choice, now())?))
        .await?;
    let message = match cast {
        Cast::Saved(changed) => {
            let flash = if changed {
                "flash.votes.changed"
            } else {
                "flash.votes.voted"
            };
            return Ok(redirect_with_flash(&ctx, &p.url(), flash));
        }
        Cast::NotOpen => "votes.not_open",
        Cast::Closed => "votes.closed_refused",
        Cast::NotEligible => return Err(AppError::Forbidden),
    };
    let attempt = refuse(message);
    render(&state, &ctx, &p, a, None, Some(&attempt), unprocessable).await
}

/// GET /votes.ics: the openings and deadlines of the proposals of /votes.
pub async fn feed(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let items = state.db.read(|c| Ok(store::list(c, None, LIST)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type(crate::ical::CONTENT_TYPE)
        .body(super::ics::feed(&ctx, &items)))
}

/// GET /votes/{id}.ics: the deadline (and the opening of the vote) as iCalendar events.
pub async fn calendar(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (p, _) = visible(&state, &ctx, id).await?;
    Ok(HttpResponse::Ok()
        .content_type(crate::ical::CONTENT_TYPE)
        .body(super::ics::calendar(&ctx, &p)))
}
