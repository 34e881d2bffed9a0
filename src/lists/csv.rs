//! Subscribers and the consent ledger as CSV for the list's editors, and the import of
//! addresses whose consent the editor attests (recorded in the ledger: source import, who,
//! when, the attestation's exact text).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::handlers::load_for_editor;
use super::store::subscribers::{self, NewSubscriber, Subscribed};
use super::{valid_email, views, Consent, ImportForm, Source};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::Ctx;
use crate::web::CurrentUser;

/// Most addresses in one import.
pub const MAX_IMPORT: usize = 20_000;

/// One CSV field: quoted when needed; a leading `= + - @` is defused for spreadsheets.
pub fn field(s: &str) -> String {
    let s = crate::text::spreadsheet_safe(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn iso(t: Option<i64>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

fn csv_response(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// GET /lists/{slug}/consents.csv: the consent ledger (editors only).
pub async fn consents(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    let lid = list.id;
    let rows = state
        .db
        .read(move |c| Ok(subscribers::ledger(c, Some(lid), None)?))
        .await?;
    let mut out = String::from(
        "email,source,page,recorded_by,given_at,confirmed_at,withdrawn_at,text_version,text_sha256,text\n",
    );
    for (_, r) in rows {
        let line = [
            field(&r.email),
            field(&r.source),
            field(&r.page),
            field(r.recorded_by.as_deref().unwrap_or("")),
            iso(Some(r.given_at)),
            iso(r.confirmed_at),
            iso(r.withdrawn_at),
            field(&r.text_version),
            field(&r.text_hash),
            field(&r.consent_text),
        ];
        out += &line.join(",");
        out.push('\n');
    }
    Ok(csv_response(&format!("{}-consents.csv", list.slug), out))
}

/// GET /lists/{slug}/subscribers.csv: the active subscribers (editors only).
pub async fn export(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    let lid = list.id;
    let rows = state
        .db
        .read(move |c| Ok(subscribers::active(c, lid)?))
        .await?;
    let mut out = String::from("email,confirmed_at\n");
    for (email, confirmed) in rows {
        out += &format!("{},{}\n", field(&email), iso(confirmed));
    }
    Ok(csv_response(&format!("{}-subscribers.csv", list.slug), out))
}

/// The addresses of a CSV text (first column), and the numbers of the lines that are not one.
pub fn addresses(text: &str) -> (Vec<String>, Vec<usize>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let first = line
            .split([',', ';', '\t'])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .trim();
        if first.is_empty() || (n == 0 && !first.contains('@')) {
            continue;
        }
        if valid_email(first) {
            ok.push(first.to_lowercase());
        } else {
            bad.push(n + 1);
        }
    }
    ok.sort();
    ok.dedup();
    (ok, bad)
}

/// POST /lists/{slug}/import: active at once, each with a ledger row (source import).
pub async fn import(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    let (emails, bad) = addresses(&form.csv);
    let mut e = FormErrors::new();
    e.check(form.attest != "on", "attest", "lists.attest_required");
    e.check(
        form.origin.trim().is_empty(),
        "origin",
        "lists.origin_required",
    );
    e.check(emails.is_empty(), "csv", "lists.import_empty");
    e.check(emails.len() > MAX_IMPORT, "csv", "lists.import_too_big");
    if !e.is_empty() {
        return Ok(views::import_page(
            &ctx,
            &list,
            &form,
            &e,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let consent = Consent::of_text(&ctx.lang.tf(
        "lists.import_attestation",
        &[
            ("list", &list.name),
            ("who", &user.name),
            ("origin", form.origin.trim()),
        ],
    ));
    let page = format!(
        "import: {}",
        form.origin.trim().chars().take(200).collect::<String>()
    );
    let (lid, uid) = (list.id, user.id);
    let (added, already) = state
        .db
        .write(move |tx| {
            let (mut added, mut already) = (0, 0);
            for email in &emails {
                let s = NewSubscriber {
                    list_id: lid,
                    email,
                    user_id: None,
                    lang: None,
                    consent: &consent,
                    source: Source::Import,
                    page: &page,
                    recorded_by: Some(uid),
                };
                match subscribers::subscribe(tx, &s, now())? {
                    Subscribed::Already(_) => already += 1,
                    _ => added += 1,
                }
            }
            Ok((added, already))
        })
        .await?;
    let result = (added, already, bad);
    Ok(views::import_page(
        &ctx,
        &list,
        &ImportForm::default(),
        &FormErrors::new(),
        Some(&result),
        StatusCode::OK,
    ))
}

/// GET /lists/{slug}/import
pub async fn import_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = load_for_editor(&state, &ctx, slug.into_inner()).await?;
    Ok(views::import_page(
        &ctx,
        &list,
        &ImportForm::default(),
        &FormErrors::new(),
        None,
        StatusCode::OK,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_reads_the_first_column_and_reports_bad_lines() {
        let (ok, bad) =
            addresses("email,name\nAna@V.test,Ana\n\nnot-an-address\nbob@v.test;Bob\nana@v.test\n");
        assert_eq!(ok, vec!["ana@v.test", "bob@v.test"]);
        assert_eq!(bad, vec![4]);
        assert_eq!(field("=cmd()"), "'=cmd()");
        assert_eq!(field("a,\"b\""), "\"a,\"\"b\"\"\"");
    }
}
