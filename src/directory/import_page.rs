//! The admin's RNA import page: upload a département's waldec file and the commune's INSEE code,
//! see what the import did. The work itself is `rna::import`, the same as `placette import rna`.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use maud::html;

use super::rna::{self, Refusal, Summary};
use super::rna_text;
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::settings::views::admin_nav;
use crate::web::forms::{error_summary, Field, FormErrors};
use crate::web::{page, page_with_status, url_encode, Ctx};

/// Largest accepted file (the biggest départements publish a few tens of megabytes).
pub const MAX_FILE: usize = 200 * 1024 * 1024;
/// Longest kept value of the other form fields.
const MAX_TEXT: usize = 1000;

/// GET /admin/import
pub async fn form(ctx: Ctx, _admin: Admin) -> HttpResponse {
    form_page(&ctx, "", &FormErrors::new(), StatusCode::OK)
}

/// POST /admin/import (multipart, CSRF token in the query string): imports in one transaction.
pub async fn submit(
    ctx: Ctx,
    state: web::Data<AppState>,
    _admin: Admin,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (mut data, mut commune) = (Vec::new(), String::new());
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| AppError::msg(format!("multipart: {e}")))?;
        let name = field.name().unwrap_or_default().to_string();
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::msg(format!("multipart: {e}")))?;
            if name == "file" && buf.len() + chunk.len() > MAX_FILE {
                return Ok(HttpResponse::PayloadTooLarge().finish());
            }
            if name == "file" || buf.len() < MAX_TEXT {
                buf.extend_from_slice(&chunk);
            }
        }
        match name.as_str() {
            "file" => data = buf,
            "commune" => commune = String::from_utf8_lossy(&buf).trim().to_uppercase(),
            _ => {}
        }
    }
    let mut errors = FormErrors::new();
    errors.check(data.is_empty(), "file", "data.file_required");
    errors.check(
        !rna_text::valid_insee(&commune),
        "commune",
        "data.commune_invalid",
    );
    if !errors.is_empty() {
        return Ok(form_page(
            &ctx,
            &commune,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let code = commune.clone();
    let result = state
        .db
        .write(move |tx| rna::import(tx, &data, &code, &mut |_| {}))
        .await?;
    match result {
        Ok(summary) => {
            log::info!("RNA import for {commune}: {summary:?}");
            Ok(summary_page(&ctx, &commune, &summary))
        }
        Err(refusal) => {
            match refusal {
                Refusal::InvalidCommune => errors.add("commune", "data.commune_invalid"),
                Refusal::MissingColumns(_) => errors.add("file", "data.file_invalid"),
            }
            Ok(form_page(
                &ctx,
                &commune,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

fn form_page(ctx: &Ctx, commune: &str, errors: &FormErrors, status: StatusCode) -> HttpResponse {
    let title = ctx.t("data.import_title");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (admin_nav(ctx))
            p { (ctx.t("data.import_intro")) }
            (error_summary(ctx, errors))
            form #rna-import method="post" enctype="multipart/form-data" action={ "/admin/import?_csrf=" (url_encode(&ctx.csrf)) } novalidate {
                (Field::text("file", "data.file", "").kind("file").hint("data.file_hint").render(ctx, errors))
                (Field::text("commune", "data.commune", commune).hint("data.commune_hint").render(ctx, errors))
                button type="submit" { (ctx.t("data.import_submit")) }
            }
        },
    )
}

fn summary_page(ctx: &Ctx, commune: &str, s: &Summary) -> HttpResponse {
    let title = ctx.t("data.done_title");
    let rows = [
        ("data.read", s.read),
        ("data.matched", s.matched_commune),
        ("data.inserted", s.inserted),
        ("data.updated", s.updated),
        ("data.unchanged", s.unchanged),
        ("data.dissolved", s.dissolved),
        ("data.skipped", s.skipped_invalid),
    ];
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p role="status" { (ctx.lang.tf("data.done_intro", &[("commune", commune)])) }
            table #rna-summary {
                tbody {
                    @for (key, n) in rows { tr { th scope="row" { (ctx.t(key)) } td { (n) } } }
                }
            }
            @if !s.dissolved_actors.is_empty() {
                p { (ctx.t("data.dissolved_list")) }
                ul { @for (slug, name) in &s.dissolved_actors { li { a href={ "/a/" (slug) } { (name) } } } }
            }
            p {
                a href={ "/directory?tag=" (rna::TAG) } { (ctx.t("data.see_directory")) } " · "
                a href="/admin/import" { (ctx.t("data.import_again")) }
            }
        },
    )
}
