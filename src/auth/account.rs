//! Account settings: profile, language, personal API tokens.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::views::{self, AccountPage};
use super::{random_token, store, token_hash};
use crate::db::now;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::context::LANG_COOKIE;
use crate::web::forms::FormErrors;
use crate::web::CurrentUser;
use crate::web::{redirect_with_flash, Ctx};

/// GET /account: profile, language, API tokens.
pub async fn account(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let name = user.name.clone();
    render(
        &ctx,
        &state,
        user.id,
        &name,
        &FormErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The account page with the typed name and the errors of one of its forms (422 re-renders
/// from here and from the account deletion).
pub async fn render(
    ctx: &Ctx,
    state: &AppState,
    user_id: i64,
    name: &str,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let tokens = state
        .db
        .read(move |c| Ok(store::api_tokens_of(c, user_id)?))
        .await?;
    let page = AccountPage {
        name,
        tokens: &tokens,
        new_token: None,
        errors,
    };
    Ok(views::account(ctx, page, status))
}

/// The profile form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    pub name: String,
    pub lang: String,
}

/// POST /account: saves name and language.
pub async fn account_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let name = form.name.trim().to_string();
    let mut errors = FormErrors::new();
    errors.check(name.is_empty(), "name", "account.name_required");
    errors.check(name.chars().count() > 100, "name", "account.name_too_long");
    if !errors.is_empty() {
        return render(
            &ctx,
            &state,
            user.id,
            &form.name,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let lang = Lang::from_code(&form.lang);
    state
        .db
        .write(move |tx| Ok(store::update_profile(tx, user.id, &name, lang, now())?))
        .await?;
    let mut res = redirect_with_flash(&ctx, "/account", "flash.saved");
    if let Some(lang) = lang {
        let _ = res.add_cookie(&ctx.cookie(LANG_COOKIE, lang.code().to_string(), Some(365)));
    }
    Ok(res)
}

/// The new-token form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    pub token_name: String,
}

/// POST /account/tokens: creates an API token and shows it once.
pub async fn token_create(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let label = form.token_name.trim().to_string();
    let mut errors = FormErrors::new();
    errors.check(
        label.is_empty() || label.chars().count() > 100,
        "token_name",
        "account.token_name_required",
    );
    let token = (errors.is_empty()).then(|| format!("plt_{}", random_token()));
    let th = token.as_deref().map(token_hash);
    let tokens = state
        .db
        .write(move |tx| {
            if let Some(th) = th {
                store::create_api_token(tx, user.id, &label, &th, now())?;
            }
            Ok(store::api_tokens_of(tx, user.id)?)
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let name = ctx
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let page = AccountPage {
        name: &name,
        tokens: &tokens,
        new_token: token.as_deref(),
        errors: &errors,
    };
    Ok(views::account(&ctx, page, status))
}

/// POST /account/tokens/{id}/delete: revokes one of the user's tokens.
pub async fn token_delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let deleted = state
        .db
        .write(move |tx| Ok(store::delete_api_token(tx, user.id, id)?))
        .await?;
    if !deleted {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(&ctx, "/account", "flash.token_revoked"))
}
