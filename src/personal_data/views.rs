//! The one box that shows an item's original text to its author and the moderators, on every
//! module's detail page, with the moderators' purge button.

use maud::{html, Markup};

use super::masking::is_moderator;
use super::store::Original;
use super::Kind;
use crate::web::forms::csrf;
use crate::web::Ctx;

/// « Texte d'origine, visible par vous et les modérateurs »: what was found and the original of
/// each masked field of item `item_id` of `kind`; empty when nothing was masked. The caller
/// shows it only to those who may see it (`masking::may_see`); `purge` adds the moderators'
/// button that forgets the originals for good.
pub fn originals_box(
    ctx: &Ctx,
    kind: &str,
    item_id: i64,
    originals: &[Original],
    purge: bool,
) -> Markup {
    if originals.is_empty() {
        return html! {};
    }
    let mut kinds: Vec<Kind> = Vec::new();
    for k in originals.iter().flat_map(Original::kinds) {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let found: Vec<&str> = kinds.iter().map(|k| ctx.t(k.label_key())).collect();
    html! {
        aside.notice.personal-original aria-labelledby={ "personal-" (kind) "-" (item_id) } {
            h2 id={ "personal-" (kind) "-" (item_id) } { (ctx.t("personal.original_title")) }
            p { (ctx.t("personal.found")) " " (found.join(", ")) "." }
            @for o in originals {
                p { strong { (field_label(ctx, &o.field)) } }
                blockquote.personal-text { (o.original) }
            }
            @if purge {
                form method="post" action={ "/moderation/purge/" (kind) "/" (item_id) } {
                    (csrf(ctx))
                    button.danger type="submit" { (ctx.t("personal.purge")) }
                }
            }
        }
    }
}

/// The box of item `item_id` of `kind` among `all` (the originals this viewer may see, loaded
/// by the handler), with the purge button for the moderators.
pub fn originals_of(ctx: &Ctx, kind: &str, item_id: i64, all: &[Original]) -> Markup {
    let mine: Vec<Original> = all
        .iter()
        .filter(|o| o.kind == kind && o.item_id == item_id)
        .cloned()
        .collect();
    originals_box(ctx, kind, item_id, &mine, is_moderator(ctx.user.as_ref()))
}

/// The note above an edit form whose text holds personal data (prefilled with the original):
/// it will be masked again for the public.
pub fn edit_note(ctx: &Ctx, texts: &[&str]) -> Markup {
    if !texts.iter().any(|t| !super::find(t).is_empty()) {
        return html! {};
    }
    html! { p.notice role="note" { (ctx.t("personal.edit_note")) } }
}

fn field_label(ctx: &Ctx, field: &str) -> &'static str {
    match field {
        "title" => ctx.t("personal.field_title"),
        "subject" => ctx.t("personal.field_subject"),
        "summary" => ctx.t("personal.field_summary"),
        "description" => ctx.t("personal.field_description"),
        _ => ctx.t("personal.field_body"),
    }
}
