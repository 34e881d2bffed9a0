//! The moderators' page, the admin's settings and the digest subscription.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::html;

use crate::aid::form::SettingsForm;
use crate::aid::Category;
use crate::web::forms::{csrf, error_summary, Field, FormErrors};
use crate::web::{page, page_with_status, Ctx};

/// GET /aid/settings (and its 422 re-render)
pub fn settings(ctx: &Ctx, f: &SettingsForm, e: &FormErrors, status: StatusCode) -> HttpResponse {
    let title = ctx.t("aid.settings");
    page_with_status(
        status,
        ctx,
        title,
        html! {
            h1 { (title) }
            (error_summary(ctx, e))
            form method="post" action="/aid/settings" {
                (csrf(ctx))
                (Field::text("expiry_days", "aid.expiry_days_label", &f.expiry_days).kind("number").render(ctx, e))
                (Field::text("warn_days", "aid.warn_days_label", &f.warn_days).kind("number").render(ctx, e))
                button type="submit" { (ctx.t("form.save")) }
            }
        },
    )
}

/// GET /aid/digest
pub fn digest(ctx: &Ctx, chosen: &[String]) -> HttpResponse {
    let title = ctx.t("aid.digest");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("aid.digest_intro")) }
            form method="post" action="/aid/digest" {
                (csrf(ctx))
                fieldset {
                    legend { (ctx.t("aid.digest_categories")) }
                    @for c in Category::ALL {
                        div.check {
                            input type="checkbox" id={ "cat-" (c.as_str()) } name={ "cat_" (c.as_str()) }
                                checked[chosen.iter().any(|x| x == c.as_str())];
                            label for={ "cat-" (c.as_str()) } { (ctx.t(&format!("aid.category.{}", c.as_str()))) }
                        }
                    }
                }
                button type="submit" { (ctx.t("form.save")) }
            }
            p { a href="/aid" { (ctx.t("aid.back")) } }
        },
    )
}
