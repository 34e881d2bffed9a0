//! Reports in, the queue, decisions on items, the purge of personal data, the audit log.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::form::{clean, ActionForm, ItemQuery, ReportForm};
use super::store::{self, Hidden, LogEntry, NewReport};
use super::{target, views, Action, Entry, Item, Reason, Target};
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::outbox;
use crate::personal_data;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::{client_ip, redirect_with_flash, safe_next, Ctx, CurrentUser};

/// Moderators and admins (the route's `CurrentUser` sent visitors to the login form).
pub(super) fn require_staff(user: &User) -> Result<User, AppError> {
    if user.is_staff() {
        Ok(user.clone())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The registered kind and the item, or 404.
async fn load(state: &AppState, kind: &str, id: i64) -> Result<(&'static Target, Item), AppError> {
    let t = target(kind).ok_or(AppError::NotFound)?;
    if !state.instance().enabled(t.module) {
        return Err(AppError::NotFound);
    }
    let item = state
        .db
        .read(move |c| Ok((t.load)(c, &[id])?))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok((t, item))
}

/// What a reporter may see and report: a visible item; members-only ones when signed in.
fn reportable(ctx: &Ctx, item: &Item) -> bool {
    !item.hidden && (item.public || ctx.user.is_some())
}

fn reasons_for(ctx: &Ctx) -> &'static [Reason] {
    if ctx.user.is_some() {
        &Reason::ALL
    } else {
        &Reason::ANONYMOUS
    }
}

/// GET /report/{kind}/{id}
pub async fn report_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.into_inner();
    let (t, item) = load(&state, &kind, id).await?;
    if !reportable(&ctx, &item) {
        return Err(AppError::NotFound);
    }
    Ok(views::report_form(
        &ctx,
        t,
        &item,
        reasons_for(&ctx),
        &ReportForm::default(),
        &FormErrors::new(),
        StatusCode::OK,
    ))
}

/// POST /report/{kind}/{id}: into the one queue; the moderators are mailed when the item
/// enters it. Visitors may report illegal or hateful content and leave an address.
pub async fn report(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    form: web::Form<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.into_inner();
    let (t, item) = load(&state, &kind, id).await?;
    if !reportable(&ctx, &item) {
        return Err(AppError::NotFound);
    }
    let allowed = reasons_for(&ctx);
    let reason = Reason::parse(form.reason.trim()).filter(|r| allowed.contains(r));
    let mut e = FormErrors::new();
    e.check(reason.is_none(), "reason", "moderation.error_reason");
    let email = form.email.trim().to_string();
    if ctx.user.is_none() {
        e.check(
            !email.is_empty() && !crate::mail::valid_email(&email),
            "email",
            "moderation.error_email",
        );
    }
    let Some(reason) = reason.filter(|_| e.is_empty()) else {
        return Ok(views::report_form(
            &ctx,
            t,
            &item,
            allowed,
            &form,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    if ctx.user.is_none() && !state.limits.mail_ip.hit(&client_ip(&req)) {
        let mut e = FormErrors::new();
        e.add("reason", "moderation.error_too_many");
        return Ok(views::report_form(
            &ctx,
            t,
            &item,
            allowed,
            &form,
            &e,
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let note = clean(&form.note);
    let reporter = ctx.user.as_ref().map(|u| u.id);
    let email = if reporter.is_some() {
        String::new()
    } else {
        email
    };
    let (lang, inst, base) = (ctx.lang, ctx.instance.clone(), ctx.base.clone());
    let (title, kind_label) = (item.title.clone(), t.label_key);
    state
        .db
        .write(move |tx| {
            let at = now();
            let first = store::add_report(
                tx,
                &NewReport {
                    kind: t.kind,
                    item_id: id,
                    reason: reason.as_str(),
                    note: &note,
                    reporter_id: reporter,
                    reporter_email: &email,
                    lang,
                    now: at,
                },
            )?;
            if first {
                let url = format!("{base}/moderation/items/{}/{id}", t.kind);
                for (to, l) in store::staff_addresses(tx)? {
                    let l = l.unwrap_or(inst.default_lang);
                    let mail = Mail::new(
                        to,
                        l.tf("moderation.mail_report_subject", &[("site", &inst.name)]),
                        l.tf(
                            "moderation.mail_report_body",
                            &[
                                ("what", l.t(kind_label)),
                                ("title", &title),
                                ("reason", l.t(reason.label_key())),
                                ("note", &note),
                                ("url", &url),
                            ],
                        ),
                    );
                    outbox::enqueue(tx, &mail, at)?;
                }
            }
            Ok(())
        })
        .await?;
    outbox::flush(&state).await;
    Ok(redirect_with_flash(
        &ctx,
        &item.url,
        "flash.moderation.reported",
    ))
}

/// Loads the items of these (kind, id) pairs, one query per kind (no query per item).
pub(super) fn items_of(
    c: &rusqlite::Connection,
    keys: &[(String, i64)],
) -> rusqlite::Result<HashMap<(String, i64), (&'static Target, Item)>> {
    let mut by_kind: HashMap<&str, Vec<i64>> = HashMap::new();
    for (k, id) in keys {
        by_kind.entry(k.as_str()).or_default().push(*id);
    }
    let mut out = HashMap::new();
    for (k, ids) in by_kind {
        let Some(t) = target(k) else { continue };
        for item in (t.load)(c, &ids)? {
            out.insert((t.kind.to_string(), item.id), (t, item));
        }
    }
    Ok(out)
}

/// GET /moderation: open reports grouped by item, what moderation hid, restricted people.
pub async fn queue(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let (entries, hidden, people) = state
        .db
        .read(|c| {
            let reports = store::open_reports(c, 1000)?;
            let hidden = store::hidden_list(c, 200)?;
            let mut keys: Vec<(String, i64)> = reports
                .iter()
                .map(|r| (r.kind.clone(), r.item_id))
                .collect();
            keys.extend(hidden.iter().map(|h| (h.kind.clone(), h.item_id)));
            let items = items_of(c, &keys)?;
            let mut entries: Vec<Entry> = Vec::new();
            let mut at: HashMap<(String, i64), usize> = HashMap::new();
            for r in reports {
                let key = (r.kind.clone(), r.item_id);
                if let Some(&i) = at.get(&key) {
                    entries[i].reports.push(r);
                } else if let Some((t, item)) = items.get(&key) {
                    at.insert(key, entries.len());
                    entries.push(Entry {
                        target: t,
                        item: item.clone(),
                        reports: vec![r],
                    });
                }
            }
            let hidden: Vec<(Hidden, &'static Target, Item)> = hidden
                .into_iter()
                .filter_map(|h| {
                    let (t, item) = items.get(&(h.kind.clone(), h.item_id))?.clone();
                    Some((h, t, item))
                })
                .collect();
            Ok((entries, hidden, store::restricted_people(c, now())?))
        })
        .await?;
    Ok(views::queue(&ctx, &entries, &hidden, &people))
}

/// GET /moderation/items/{kind}/{id}: the item, its reports, its personal data, the decision.
pub async fn item_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    q: web::Query<ItemQuery>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let (kind, id) = path.into_inner();
    let (t, item) = load(&state, &kind, id).await?;
    let form = ActionForm {
        text: item.text.clone(),
        ..ActionForm::default()
    };
    render_item(&state, &ctx, t, item, form, q.reply, &FormErrors::new()).await
}

/// An item's page with the decision form as typed (a 422 when `errors` has any).
async fn render_item(
    state: &AppState,
    ctx: &Ctx,
    t: &'static Target,
    item: Item,
    mut form: ActionForm,
    pick: Option<i64>,
    errors: &FormErrors,
) -> Result<HttpResponse, AppError> {
    let (lang, id, author_id) = (ctx.instance.default_lang, item.id, item.author_id);
    let (reports, hidden, originals, replies, picked, author) = state
        .db
        .read(move |c| {
            let author = match author_id {
                Some(a) => store::person(c, a)?,
                None => None,
            };
            Ok((
                store::reports_on(c, t.kind, id)?,
                store::hidden_one(c, t.kind, id)?,
                personal_data::store::originals(c, t.kind, id)?,
                store::replies(c, lang)?,
                match pick {
                    Some(r) => store::reply(c, r)?,
                    None => None,
                },
                author,
            ))
        })
        .await?;
    if let Some(r) = picked {
        form.answer = r.body;
    }
    Ok(views::item_page(
        ctx,
        &views::ItemView {
            target: t,
            item: &item,
            reports: &reports,
            hidden: hidden.as_ref(),
            originals: &originals,
            replies: &replies,
            author: author.as_ref(),
        },
        &form,
        errors,
    ))
}

/// A mail in the recipient's language, filed in the outbox.
pub(super) fn mail_to(
    c: &rusqlite::Connection,
    to: (String, Option<Lang>),
    default: Lang,
    subject: (&str, &[(&str, &str)]),
    body: (&str, &[(&str, &str)]),
    now: i64,
) -> rusqlite::Result<()> {
    let l = to.1.unwrap_or(default);
    outbox::enqueue(
        c,
        &Mail::new(to.0, l.tf(subject.0, subject.1), l.tf(body.0, body.1)),
        now,
    )
}

/// A state as the log keeps it.
fn state_of(item: &Item) -> String {
    serde_json::json!({
        "title": item.title,
        "text": item.text,
        "public": item.public,
        "hidden": item.hidden,
    })
    .to_string()
}

/// POST /moderation/items/{kind}/{id}/{action}: hide, restore, delete, edit, warn or keep,
/// with a reason; the open reports are closed with the outcome and the reporters told; the
/// author is told when their content is hidden, deleted or edited, or warned; all logged.
pub async fn act(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<(String, i64, String)>,
    CurrentUser(user): CurrentUser,
    q: web::Query<ItemQuery>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let me = require_staff(&user)?;
    let (kind, id, action) = path.into_inner();
    let action = Action::parse(&action).ok_or(AppError::NotFound)?;
    let (t, item) = load(&state, &kind, id).await?;
    if (action == Action::Delete && t.delete.is_none())
        || (action == Action::Edit && t.edit.is_none())
    {
        return Err(AppError::NotFound);
    }
    let f = ActionForm {
        reason: clean(&form.reason),
        answer: clean(&form.answer),
        message: clean(&form.message),
        text: form.text.trim().to_string(),
    };
    if action == Action::Edit && f.text.is_empty() {
        let mut e = FormErrors::new();
        e.add("text", "moderation.error_text");
        return render_item(&state, &ctx, t, item, f, None, &e).await;
    }
    let inst = ctx.instance.clone();
    let base = ctx.base.clone();
    let outcome = state
        .db
        .write(move |tx| {
            let at = now();
            let before = state_of(&item);
            let mut told_author: Option<&'static str> = None;
            match action {
                Action::Hide => {
                    if store::hidden_one(tx, t.kind, id)?.is_none() {
                        let prior = (t.hide)(tx, id, me.id, at)?;
                        let h = Hidden {
                            kind: t.kind.to_string(),
                            item_id: id,
                            before: prior,
                            reason: f.reason.clone(),
                            hidden_at: at,
                            masked_user: None,
                        };
                        store::mark_hidden(tx, &h, me.id, item.author_id)?;
                        told_author = Some("moderation.notice_hidden");
                    }
                }
                Action::Restore => {
                    let prior = store::hidden_one(tx, t.kind, id)?
                        .map(|h| h.before)
                        .unwrap_or_default();
                    match (t.restore)(tx, id, &prior) {
                        Err(e) if is_constraint(&e) => return Ok(None),
                        r => r?,
                    }
                    store::unmark_hidden(tx, t.kind, id)?;
                }
                Action::Delete => {
                    if let Some(del) = t.delete {
                        del(tx, id)?;
                    }
                    store::unmark_hidden(tx, t.kind, id)?;
                    personal_data::store::purge(tx, t.kind, id)?;
                    told_author = Some("moderation.notice_deleted");
                }
                Action::Edit => {
                    if let Some(edit) = t.edit {
                        let shielded = personal_data::shield(&f.text, inst.default_lang);
                        edit(tx, id, &shielded.public)?;
                    }
                    personal_data::store::purge(tx, t.kind, id)?;
                    told_author = Some("moderation.notice_edited");
                }
                Action::Warn => told_author = Some("moderation.notice_warned"),
                Action::Keep => {}
            }
            let after = match action {
                Action::Delete => String::new(),
                _ => (t.load)(tx, &[id])?
                    .first()
                    .map(state_of)
                    .unwrap_or_default(),
            };
            let url = format!("{base}{}", item.url);
            if let (Some(key), Some(author)) = (told_author, item.author_id) {
                let message = if action == Action::Warn {
                    &f.message
                } else {
                    &f.reason
                };
                let text = format!(
                    "{}{}",
                    inst.default_lang.tf(key, &[("title", &item.title)]),
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!("\n{message}")
                    }
                );
                store::add_notice(tx, author, t.kind, Some(id), &text, at)?;
                if let Some(addr) = store::address_of(tx, author)? {
                    let contact = format!("{base}/contact");
                    // In the author's language (the notice above is in the village's).
                    let what = addr
                        .1
                        .unwrap_or(inst.default_lang)
                        .tf(key, &[("title", &item.title)]);
                    mail_to(
                        tx,
                        addr,
                        inst.default_lang,
                        ("moderation.mail_author_subject", &[("site", &inst.name)]),
                        (
                            "moderation.mail_author_body",
                            &[
                                ("what", &what),
                                ("reason", message),
                                ("url", &url),
                                ("contact", &contact),
                            ],
                        ),
                        at,
                    )?;
                }
            }
            if let Some(outcome) = action.outcome() {
                for addr in store::open_reporters(tx, t.kind, id)? {
                    let l = addr.1;
                    let outcome_text = l.t(&format!("moderation.outcome_{outcome}"));
                    mail_to(
                        tx,
                        (addr.0, Some(l)),
                        l,
                        ("moderation.mail_outcome_subject", &[("site", &inst.name)]),
                        (
                            "moderation.mail_outcome_body",
                            &[
                                ("title", &item.title),
                                ("outcome", outcome_text),
                                ("answer", &f.answer),
                            ],
                        ),
                        at,
                    )?;
                }
                store::resolve(tx, t.kind, id, me.id, outcome, &f.answer, at)?;
            }
            store::log(
                tx,
                &LogEntry {
                    at,
                    moderator_id: Some(me.id),
                    moderator: me.name.clone(),
                    action: action.as_str().to_string(),
                    kind: t.kind.to_string(),
                    item_id: Some(id),
                    user_id: item.author_id,
                    reason: if action == Action::Warn && f.reason.is_empty() {
                        f.message.clone()
                    } else {
                        f.reason.clone()
                    },
                    before,
                    after,
                    ..LogEntry::default()
                },
            )?;
            Ok(Some(action))
        })
        .await?;
    let flash = match outcome {
        Some(a) => match a {
            Action::Hide => "flash.moderation.hidden",
            Action::Restore => "flash.moderation.restored",
            Action::Delete => "flash.moderation.deleted",
            Action::Edit => "flash.moderation.edited",
            Action::Warn => "flash.moderation.warned",
            Action::Keep => "flash.moderation.kept",
        },
        // A module's own rule refused (a restored event's room was booked meanwhile).
        None => "flash.moderation.refused",
    };
    outbox::flush(&state).await;
    let back = match q.next.as_deref() {
        Some(n) => safe_next(Some(n)),
        None => "/moderation".to_string(),
    };
    Ok(redirect_with_flash(&ctx, &back, flash))
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// POST /moderation/purge/{kind}/{id}: forgets the original of masked text for good.
pub async fn purge(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i64)>,
    q: web::Query<ItemQuery>,
) -> Result<HttpResponse, AppError> {
    let me = require_staff(&user)?;
    let (kind, id) = path.into_inner();
    let (t, item) = load(&state, &kind, id).await?;
    state
        .db
        .write(move |tx| {
            let n = personal_data::store::purge(tx, t.kind, id)?;
            if n > 0 {
                store::log(
                    tx,
                    &LogEntry {
                        at: now(),
                        moderator_id: Some(me.id),
                        moderator: me.name.clone(),
                        action: "purge".into(),
                        kind: t.kind.into(),
                        item_id: Some(id),
                        user_id: item.author_id,
                        reason: format!("{n}"),
                        ..LogEntry::default()
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    let back = match q.next.as_deref() {
        Some(n) => safe_next(Some(n)),
        None => format!("/moderation/items/{kind}/{id}"),
    };
    Ok(redirect_with_flash(&ctx, &back, "flash.moderation.purged"))
}
