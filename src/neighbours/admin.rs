//! The admin's neighbours page (site admins only): add a neighbouring instance by its address
//! (what it says of itself is read from its `/api/v1/instance`, then its feed is pulled at
//! once), see each one's last pull, items and error, pull again, remove (its items go).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::{store, sync, Neighbour};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::forms::{csrf, error_summary, post_button, Field, FormErrors};
use crate::web::{page_with_status, redirect_with_flash, Admin, Ctx};

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    url: String,
}

/// `https://host[:port]` of what was typed (a bare host gets https); `None` if unreadable.
pub fn base_of(typed: &str) -> Option<String> {
    let t = typed.trim().trim_end_matches('/');
    let t = if t.contains("://") {
        t.to_string()
    } else {
        format!("https://{t}")
    };
    let host = crate::federation::host_of(&t)?;
    let scheme = t.split("://").next()?.to_ascii_lowercase();
    (matches!(scheme.as_str(), "http" | "https") && !host.contains(char::is_whitespace))
        .then(|| format!("{scheme}://{host}"))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn name_of(n: &Neighbour) -> &str {
    if n.name.is_empty() {
        &n.url
    } else {
        &n.name
    }
}

fn view(
    ctx: &Ctx,
    list: &[Neighbour],
    typed: &str,
    e: &FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let when = |t: i64| {
        if t == 0 {
            ctx.t("neighbours.never").to_string()
        } else {
            ctx.lang.datetime(t, ctx.instance.time_zone)
        }
    };
    page_with_status(
        status,
        ctx,
        ctx.t("neighbours.title"),
        html! {
            (crate::settings::views::admin_nav(ctx))
            h1 { (ctx.t("neighbours.title")) }
            p { (ctx.t("neighbours.intro")) }
            (error_summary(ctx, e))
            form method="post" action="/admin/neighbours" novalidate {
                (csrf(ctx))
                (Field::text("url", "neighbours.url", typed).hint("neighbours.url_hint").autocomplete("url").render(ctx, e))
                button type="submit" { (ctx.t("neighbours.add")) }
            }
            @let pending: Vec<&Neighbour> = list.iter().filter(|n| n.state == "pending").collect();
            @if !pending.is_empty() {
                h2 { (ctx.t("neighbours.requests")) }
                ul {
                    @for n in &pending {
                        li {
                            (ctx.lang.tf("neighbours.asks", &[("name", name_of(n)), ("url", &n.url)]))
                            " "
                            (post_button(ctx, &format!("/admin/neighbours/{}/accept", n.id), ctx.t("neighbours.accept"), None))
                            " "
                            (post_button(ctx, &format!("/admin/neighbours/{}/decline", n.id), ctx.t("neighbours.decline"), None))
                        }
                    }
                }
            }
            @let asked: Vec<&Neighbour> = list.iter().filter(|n| n.state == "asked").collect();
            @if !asked.is_empty() {
                h2 { (ctx.t("neighbours.asked")) }
                ul {
                    @for n in &asked {
                        li {
                            a href=(n.url) { (name_of(n)) }
                            " — " (ctx.t("neighbours.waiting"))
                            @if !n.last_error.is_empty() { " (" (n.last_error) ")" }
                            " "
                            (post_button(ctx, &format!("/admin/neighbours/{}/delete", n.id), ctx.t("neighbours.withdraw"), None))
                        }
                    }
                }
            }
            h2 { (ctx.t("neighbours.list")) }
            @let linked: Vec<&Neighbour> = list.iter().filter(|n| n.state == "linked").collect();
            @if linked.is_empty() { p { (ctx.t("neighbours.none")) } }
            @else {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("neighbours.col_name")) }
                        th scope="col" { (ctx.t("neighbours.col_pull")) }
                        th scope="col" { (ctx.t("neighbours.col_items")) }
                        th scope="col" { (ctx.t("neighbours.col_error")) }
                        th scope="col" { (ctx.t("neighbours.col_action")) }
                    } }
                    tbody {
                        @for n in &linked {
                            tr {
                                td { a href=(n.url) { (name_of(n)) } }
                                td { (when(n.last_ok)) }
                                td { (n.items) }
                                td { (n.last_error) }
                                td {
                                    (post_button(ctx, &format!("/admin/neighbours/{}/sync", n.id), ctx.t("neighbours.sync"), None))
                                    " "
                                    (post_button(ctx, &format!("/admin/neighbours/{}/delete", n.id), ctx.t("neighbours.remove"), None))
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

async fn list(state: &AppState) -> Result<Vec<Neighbour>, AppError> {
    state.db.read(|c| Ok(store::all(c)?)).await
}

/// GET /admin/neighbours
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
) -> Result<HttpResponse, AppError> {
    let l = list(&state).await?;
    Ok(view(&ctx, &l, "", &FormErrors::new(), StatusCode::OK))
}

/// POST /admin/neighbours: asks it for a link, or accepts its request (422 when its address
/// does not answer as a Placette).
pub async fn add(
    ctx: Ctx,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().url;
    let mut e = FormErrors::new();
    let Some(base) = base_of(&typed) else {
        e.add("url", "neighbours.url_invalid");
        let l = list(&state).await?;
        return Ok(view(&ctx, &l, &typed, &e, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let b = base.clone();
    let described = web::block(move || sync::describe(&b))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let Ok((name, center, radius)) = described else {
        // Not a Placette: a Gancio or Mobilizon instance (or any fediverse server) shares its
        // events another way, which the message names (issue 19's follow, or its calendar).
        let b = base.clone();
        let software = web::block(move || crate::federation::remote::software(&b))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match software.as_str() {
            "" | "placette" => e.add("url", "neighbours.url_unreachable"),
            "gancio" => e.add_with(
                "url",
                "neighbours.url_events_only",
                vec![
                    ("software", "Gancio".to_string()),
                    ("ics", format!("{base}/feed/ics")),
                ],
            ),
            other => e.add_with(
                "url",
                "neighbours.url_fediverse",
                vec![("software", capitalised(other))],
            ),
        }
        let l = list(&state).await?;
        return Ok(view(&ctx, &l, &typed, &e, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let ours = crate::web::base_url(&req, &state);
    let now_state =
        super::link::ask_for(&state, ours, (base, name, center, radius), admin.0.id).await?;
    let flash = match now_state.as_str() {
        "linked" => "flash.neighbours.added",
        "declined" => "flash.neighbours.declined_there",
        _ => "flash.neighbours.asked",
    };
    Ok(redirect_with_flash(&ctx, "/admin/neighbours", flash))
}

/// POST /admin/neighbours/{id}/accept: their request accepted.
pub async fn accept(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    super::link::accept(&state, id.into_inner()).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/neighbours",
        "flash.neighbours.added",
    ))
}

/// POST /admin/neighbours/{id}/decline: their request declined.
pub async fn decline(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    super::link::decline(&state, id.into_inner()).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/neighbours",
        "flash.neighbours.declined",
    ))
}

/// POST /admin/neighbours/{id}/sync
pub async fn sync_now(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    sync::pull(&state, id.into_inner()).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/neighbours",
        "flash.neighbours.pulled",
    ))
}

/// POST /admin/neighbours/{id}/delete: the neighbour and its items go.
pub async fn remove(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    super::link::remove(&state, id.into_inner()).await?;
    Ok(redirect_with_flash(
        &ctx,
        "/admin/neighbours",
        "flash.neighbours.removed",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_completed_to_a_base_url() {
        assert_eq!(
            base_of("saint-essai.example/").as_deref(),
            Some("https://saint-essai.example")
        );
        assert_eq!(
            base_of("http://127.0.0.1:8080/agenda").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(base_of("ftp://x"), None);
        assert_eq!(base_of(""), None);
    }
}
