//! Writing mailings together: drafts with revisions and their diffs, no silent overwrite
//! (a save names the revision it started from; a newer one gives a conflict page with both
//! versions), previews as HTML and plain text, the agenda block, approval by a second
//! editor, and sending now or at a date under the list's promise.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, TimeZone};
use serde::Deserialize;

use super::handlers::{load, load_for_contributor, load_for_editor};
use super::store::mailings::{self, SaveRefused, ScheduleRefused};
use super::store::{queue, subscribers};
use super::views::mailings as views;
use super::{message, DraftForm, List, Mailing};
use crate::agenda::store::lists::{between, Filter};
use crate::db::now;
use crate::error::AppError;
use crate::personal_data::masking::Masking;
use crate::personal_data::store as originals;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{base_url, redirect_with_flash, Ctx};

/// GET /lists/{slug}/manage: the editors' page: subscribers, mailings, export and import.
pub async fn manage(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    let lid = list.id;
    let (counts, all) = state
        .db
        .read(move |c| Ok((subscribers::counts(c, lid)?, mailings::of_list(c, lid)?)))
        .await?;
    Ok(views::manage(&ctx, &list, counts, &all))
}

/// The upcoming events (next 35 days) of the list's actor, or of the whole village, as
/// Markdown lines with absolute links.
async fn agenda_block(
    state: &AppState,
    req: &HttpRequest,
    ctx: &Ctx,
    list: &List,
) -> Result<String, AppError> {
    let filter = Filter {
        actor: list.actor.as_ref().map(|(id, _, _)| *id),
        ..Default::default()
    };
    let t = now();
    let items = state
        .db
        .read(move |c| {
            Ok(between(
                c,
                &filter,
                Default::default(),
                (t, t + 35 * 86_400),
                None,
                30,
            )?)
        })
        .await?;
    let base = base_url(req, state);
    let base = base.trim_end_matches('/');
    let mut out = format!("## {}\n\n", ctx.t("lists.agenda_heading"));
    if items.is_empty() {
        out += ctx.t("lists.agenda_empty");
        out += "\n";
    }
    for i in items.iter().filter(|i| !i.cancelled()) {
        out += &format!(
            "- {} : [{}]({base}{})\n",
            ctx.datetime(i.occurrence.start_utc),
            i.title().replace(['[', ']'], ""),
            i.url()
        );
    }
    Ok(out)
}

/// GET /lists/{slug}/mailings/new
pub async fn new_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (list, rights) = load_for_contributor(&state, &ctx, slug.into_inner()).await?;
    let page = views::Editor {
        list: &list,
        editor: rights.editor,
        mailing: None,
        revisions: &[],
        stats: None,
        problems: &[],
    };
    Ok(views::editor(
        &ctx,
        &page,
        &DraftForm::default(),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /lists/{slug}/mailings/new: the first revision (or the agenda block inserted).
pub async fn create(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<DraftForm>,
) -> Result<HttpResponse, AppError> {
    let (list, rights) = load_for_contributor(&state, &ctx, slug.into_inner()).await?;
    let mut form = form.into_inner();
    let page = views::Editor {
        list: &list,
        editor: rights.editor,
        mailing: None,
        revisions: &[],
        stats: None,
        problems: &[],
    };
    if form.action == "agenda" {
        form.body = format!(
            "{}\n\n{}",
            form.body.trim_end(),
            agenda_block(&state, &req, &ctx, &list).await?
        );
        return Ok(views::editor(
            &ctx,
            &page,
            &form,
            &FormErrors::new(),
            StatusCode::OK,
        ));
    }
    let mut errors = FormErrors::new();
    let Some(mut input) = form.parse(&mut errors) else {
        return Ok(views::editor(
            &ctx,
            &page,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let masked = mask(&ctx, &mut input);
    let (lid, uid, flash) = (list.id, user.id, masked.flash("flash.saved"));
    let id = state
        .db
        .write(move |tx| {
            let id = mailings::create_draft(tx, lid, &input, uid, now())?;
            masked.keep(tx, "mailing", id, Some(uid), now())?;
            Ok(id)
        })
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("/lists/{}/mailings/{id}", list.slug),
        flash,
    ))
}

/// Masks the subject and body (what goes out to the list and its archive), in the instance's
/// language; the editors keep the original in the editor.
fn mask(ctx: &Ctx, input: &mut super::DraftInput) -> Masking {
    let mut m = Masking::new(ctx.instance.default_lang);
    m.field("subject", &mut input.subject);
    m.field("body", &mut input.body);
    m
}

/// A mailing of the list, for its editors and for the member who proposed it.
async fn load_mailing(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    id: i64,
) -> Result<(List, Mailing), AppError> {
    let (list, rights) = load_for_contributor(state, ctx, slug).await?;
    let m = state
        .db
        .read(move |c| Ok(mailings::mailing(c, id)?))
        .await?
        .filter(|m| m.list_id == list.id)
        .ok_or(AppError::NotFound)?;
    let author = m.created_by.is_some() && m.created_by == ctx.user.as_ref().map(|u| u.id);
    if !rights.editor && !author {
        return Err(AppError::Forbidden);
    }
    Ok((list, m))
}

/// A mailing of the list, for its editors only (approve, send, unschedule).
async fn load_mailing_for_editor(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    id: i64,
) -> Result<(List, Mailing), AppError> {
    let list = load_for_editor(state, ctx, slug).await?;
    let m = state
        .db
        .read(move |c| Ok(mailings::mailing(c, id)?))
        .await?
        .filter(|m| m.list_id == list.id)
        .ok_or(AppError::NotFound)?;
    Ok((list, m))
}

async fn render_editor(
    state: &AppState,
    ctx: &Ctx,
    list: &List,
    m: &Mailing,
    form: &DraftForm,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mid = m.id;
    let (revisions, stats, problems) = state
        .db
        .read(move |c| {
            Ok((
                mailings::revisions(c, mid)?,
                queue::stats(c, mid)?,
                queue::problems(c, mid)?,
            ))
        })
        .await?;
    let (_, rights) = load(state, ctx, list.slug.clone()).await?;
    let page = views::Editor {
        list,
        editor: rights.editor,
        mailing: Some(m),
        revisions: &revisions,
        stats: Some(stats),
        problems: &problems,
    };
    Ok(views::editor(ctx, &page, form, errors, status))
}

fn form_of(m: &Mailing) -> DraftForm {
    DraftForm {
        subject: m.subject.clone(),
        body: m.body.clone(),
        base_revision: m.revision.to_string(),
        action: String::new(),
    }
}

/// GET /lists/{slug}/mailings/{id}: the editor, its revisions, the send form, the results.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, m) = load_mailing(&state, &ctx, slug, id).await?;
    let mut form = form_of(&m);
    for o in state
        .db
        .read(move |c| Ok(originals::originals(c, "mailing", id)?))
        .await?
    {
        match o.field.as_str() {
            "subject" => form.subject = o.original,
            "body" => form.body = o.original,
            _ => {}
        }
    }
    render_editor(
        &state,
        &ctx,
        &list,
        &m,
        &form,
        &FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// POST /lists/{slug}/mailings/{id}: a new revision, unless someone saved since (conflict).
pub async fn save(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<DraftForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, m) = load_mailing(&state, &ctx, slug, id).await?;
    let mut form = form.into_inner();
    if form.action == "agenda" {
        form.body = format!(
            "{}\n\n{}",
            form.body.trim_end(),
            agenda_block(&state, &req, &ctx, &list).await?
        );
        return render_editor(
            &state,
            &ctx,
            &list,
            &m,
            &form,
            &FormErrors::new(),
            StatusCode::OK,
        )
        .await;
    }
    let mut errors = FormErrors::new();
    let Some(mut input) = form.parse(&mut errors) else {
        return render_editor(
            &state,
            &ctx,
            &list,
            &m,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let masked = mask(&ctx, &mut input);
    let (base, uid, flash) = (form.base(), user.id, masked.flash("flash.saved"));
    let saved = state
        .db
        .write(move |tx| {
            let saved = mailings::save_revision(tx, id, base, &input, uid, now())?;
            if saved.is_ok() {
                masked.keep(tx, "mailing", id, Some(uid), now())?;
            }
            Ok(saved)
        })
        .await?;
    match saved {
        Ok(_) => Ok(redirect_with_flash(
            &ctx,
            &format!("/lists/{}/mailings/{id}", list.slug),
            flash,
        )),
        Err(SaveRefused::Conflict(_)) => {
            let current = state
                .db
                .read(move |c| Ok(mailings::mailing(c, id)?))
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(views::conflict(&ctx, &list, &current, &form))
        }
        Err(SaveRefused::NotDraft) => {
            errors.add("body", "lists.not_draft");
            render_editor(
                &state,
                &ctx,
                &list,
                &m,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `?format=text` or html (the default).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PreviewQuery {
    pub format: String,
}

/// GET /lists/{slug}/mailings/{id}/preview: the message as subscribers will get it.
pub async fn preview(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    q: web::Query<PreviewQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, m) = load_mailing(&state, &ctx, slug, id).await?;
    let base = base_url(&req, &state);
    let unsub = message::unsubscribe_url(base.trim_end_matches('/'), "…");
    if q.format == "text" {
        return Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(message::text(&list, &m, ctx.lang, &unsub)));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(message::html(&list, &m, ctx.lang, &unsub)))
}

/// `?from=N&to=M`
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

/// GET /lists/{slug}/mailings/{id}/diff: what changed between two revisions.
pub async fn diff(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    q: web::Query<DiffQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, m) = load_mailing(&state, &ctx, slug, id).await?;
    let revisions = state
        .db
        .read(move |c| Ok(mailings::revisions(c, id)?))
        .await?;
    let find = |n: i64| revisions.iter().find(|r| r.number == n);
    let (Some(a), Some(b)) = (find(q.from), find(q.to)) else {
        return Err(AppError::NotFound);
    };
    Ok(views::diff(&ctx, &list, &m, a, b))
}

/// The approval form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    pub revision: i64,
}

/// POST /lists/{slug}/mailings/{id}/approve: a second editor approves the current revision.
pub async fn approve(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<ApproveForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, m) = load_mailing_for_editor(&state, &ctx, slug, id).await?;
    let (rev, uid) = (form.revision, user.id);
    let ok = state
        .db
        .write(move |tx| Ok(mailings::approve(tx, id, rev, uid)?))
        .await?;
    if !ok {
        let mut e = FormErrors::new();
        e.add("approve", "lists.approve_refused");
        return render_editor(
            &state,
            &ctx,
            &list,
            &m,
            &form_of(&m),
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    Ok(redirect_with_flash(
        &ctx,
        &format!("/lists/{}/mailings/{id}", list.slug),
        "flash.lists.approved",
    ))
}

/// The send form: empty for now, or a local date and time (`2026-12-01T09:00`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendForm {
    pub send_at: String,
}

/// POST /lists/{slug}/mailings/{id}/send: schedules the mailing, unless the list's promise
/// refuses it (422 with the date the next send is possible, in the reader's language).
pub async fn send(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    form: web::Form<SendForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, m) = load_mailing_for_editor(&state, &ctx, slug, id).await?;
    let tz = ctx.instance.time_zone;
    let t = now();
    let at = match form.send_at.trim() {
        "" => Some(t),
        s => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|d| tz.from_local_datetime(&d).earliest())
            .map(|d| d.timestamp().max(t)),
    };
    let Some(at) = at else {
        let mut e = FormErrors::new();
        e.add("send_at", "lists.send_at_invalid");
        return render_editor(
            &state,
            &ctx,
            &list,
            &m,
            &form_of(&m),
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (approval, freq) = (list.needs_approval, list.frequency);
    let done = state
        .db
        .write(move |tx| Ok(mailings::schedule(tx, id, at, approval, freq, tz)?))
        .await?;
    match done {
        Ok(()) => Ok(redirect_with_flash(
            &ctx,
            &format!("/lists/{}/mailings/{id}", list.slug),
            "flash.lists.scheduled",
        )),
        Err(ScheduleRefused::TooSoon(next)) => Ok(views::too_soon(&ctx, &list, &m, next)),
        Err(refused) => {
            let mut e = FormErrors::new();
            let key = match refused {
                ScheduleRefused::NotApproved => "lists.needs_approval_first",
                _ => "lists.not_draft",
            };
            e.add("send_at", key);
            render_editor(
                &state,
                &ctx,
                &list,
                &m,
                &form_of(&m),
                &e,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// POST /lists/{slug}/mailings/{id}/unschedule: back to the drafts, before it started.
pub async fn unschedule(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, _) = load_mailing_for_editor(&state, &ctx, slug, id).await?;
    state
        .db
        .write(move |tx| Ok(mailings::unschedule(tx, id)?))
        .await?;
    Ok(redirect_with_flash(
        &ctx,
        &format!("/lists/{}/mailings/{id}", list.slug),
        "flash.saved",
    ))
}

/// POST /lists/{slug}/mailings/{id}/delete: a draft (or a member's proposal) is deleted by
/// an editor or by its author; a mailing scheduled or sent stays.
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (list, _) = load_mailing(&state, &ctx, slug, id).await?;
    let (_, rights) = load(&state, &ctx, list.slug.clone()).await?;
    let deleted = state
        .db
        .write(move |tx| Ok(mailings::delete_draft(tx, id)?))
        .await?;
    if !deleted {
        return Err(AppError::NotFound);
    }
    let back = if rights.editor {
        format!("/lists/{}/manage", list.slug)
    } else {
        list.url()
    };
    Ok(redirect_with_flash(
        &ctx,
        &back,
        "flash.lists_members.deleted",
    ))
}
