//! The admin's RNA import page: upload a département's waldec file and the commune's INSEE code,
//! see what the import did. The work itself is `rna::read` then `rna::apply`, the same as
//! `placette import rna`.
//!
//! The upload is spooled to a temporary file in the data dir (never held in memory), read and
//! filtered on the blocking pool without touching the database, and only the commune's rows are
//! then written in one short write transaction: the rest of the site keeps writing meanwhile.

use std::io::Write;
use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::rna::{self, Refusal, Summary};
use super::rna_text;
use crate::db::now;
use crate::error::AppError;
use crate::settings::views::admin_nav;
use crate::state::AppState;
use crate::web::forms::{error_summary, Field, FormErrors};
use crate::web::Admin;
use crate::web::{page, page_with_status, url_encode, Ctx};

/// Largest accepted file (the biggest départements publish a few tens of megabytes).
pub const MAX_FILE: usize = 200 * 1024 * 1024;
/// Longest kept value of the other form fields.
const MAX_TEXT: usize = 1000;
/// The upload is written to its file by blocks of this size.
const BLOCK: usize = 1024 * 1024;

/// GET /admin/import
pub async fn form(ctx: Ctx, _admin: Admin) -> HttpResponse {
    form_page(&ctx, "", &FormErrors::new(), StatusCode::OK)
}

/// An uploaded file on its way to disk: `DATA/.rna-import-<random>.tmp`, deleted when dropped.
struct Spool {
    path: PathBuf,
    file: Option<std::fs::File>,
    buf: Vec<u8>,
    len: usize,
}

impl Spool {
    fn new(state: &AppState) -> Spool {
        let name = format!(".rna-import-{:016x}.tmp", rand::random::<u64>());
        Spool {
            path: state.config.data_dir.join(name),
            file: None,
            buf: Vec::new(),
            len: 0,
        }
    }

    async fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.buf.extend_from_slice(chunk);
        self.len += chunk.len();
        if self.buf.len() >= BLOCK {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the buffered bytes to the file (created at the first call), on the blocking pool.
    async fn flush(&mut self) -> Result<(), AppError> {
        let (file, path, buf) = (
            self.file.take(),
            self.path.clone(),
            std::mem::take(&mut self.buf),
        );
        let (file, mut buf) = web::block(move || -> std::io::Result<_> {
            let mut file = match file {
                Some(f) => f,
                None => std::fs::File::create_new(path)?,
            };
            file.write_all(&buf)?;
            Ok((file, buf))
        })
        .await??;
        buf.clear();
        (self.file, self.buf) = (Some(file), buf);
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if self.len > 0 {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A broken multipart body (a truncated upload, a wrong boundary) is the client's fault.
fn bad_request(e: actix_multipart::MultipartError) -> HttpResponse {
    log::info!("RNA import: bad multipart body: {e}");
    HttpResponse::BadRequest().finish()
}

/// POST /admin/import (multipart, CSRF token in the query string).
pub async fn submit(
    ctx: Ctx,
    state: web::Data<AppState>,
    _admin: Admin,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (mut spool, mut commune) = (Spool::new(&state), String::new());
    let mut file_seen = false;
    while let Some(field) = crate::web::next_or_stall(&mut payload)
        .await
        .unwrap_or_else(|_| Some(Err(actix_multipart::MultipartError::Incomplete)))
    {
        let mut field = match field {
            Ok(f) => f,
            Err(e) => return Ok(bad_request(e)),
        };
        let name = field.name().unwrap_or_default().to_string();
        // One file: a second file field is skipped.
        if name == "file" && std::mem::replace(&mut file_seen, true) {
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = crate::web::next_or_stall(&mut field)
            .await
            .unwrap_or_else(|_| Some(Err(actix_multipart::MultipartError::Incomplete)))
        {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => return Ok(bad_request(e)),
            };
            if name == "file" {
                if spool.len + chunk.len() > MAX_FILE {
                    return Ok(HttpResponse::PayloadTooLarge().finish());
                }
                spool.push(&chunk).await?;
            } else if text.len() < MAX_TEXT {
                text.extend_from_slice(&chunk);
            }
        }
        if name == "commune" {
            commune = String::from_utf8_lossy(&text).trim().to_uppercase();
        }
    }
    let mut errors = FormErrors::new();
    errors.check(spool.len == 0, "file", "data.file_required");
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
    spool.flush().await?;
    let code = commune.clone();
    // Reading and filtering the whole file: no transaction, the spool is deleted once read.
    let parsed = web::block(move || {
        let mut file = spool.file.take().expect("flushed");
        std::io::Seek::rewind(&mut file)?;
        rna::read(std::io::BufReader::new(file), &code, &mut |_| {})
    })
    .await??;
    let refusal = match parsed {
        Ok(parsed) => {
            let summary = state
                .db
                .write(move |tx| rna::apply(tx, &parsed, now()))
                .await?;
            log::info!("RNA import for {commune}: {summary:?}");
            return Ok(summary_page(&ctx, &commune, &summary));
        }
        Err(refusal) => refusal,
    };
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
