//! Listing accounts, for admins supporting learners.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AdminUser;
use crate::auth::model::Account;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Forbidden, Unprocessable};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts whose (normalised) email starts with this.
    #[param(example = "ann", max_length = 254, pattern = r"^[^\x00]*$")]
    email_prefix: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page. Opaque: pass it back unchanged; a value
    /// the server did not issue is a 400 (the list never silently restarts).
    cursor: Option<String>,
}

/// A page of accounts, ordered by email.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "id": "3c37e844-4907-4f4e-a1cc-88c23fbc5cb2", "email": "ann@example.com", "display_name": "Ann",
    "role": "learner", "email_verified": false, "created_at": "2026-11-01T09:00:00Z",
    "timezone": "Europe/Berlin", "desired_retention": 0.9, "new_cards_per_day": 20
}], "next_cursor": null}))]
pub struct AccountPage {
    pub items: Vec<Account>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// List accounts (admin).
///
/// Accounts ordered by normalised email, optionally filtered by an email prefix.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_users",
    security(("bearer_auth" = [])),
    params(UserQuery),
    responses(
        (status = 200, description = "A page of accounts", body = AccountPage),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/users")]
pub async fn list_users(
    _admin: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<(String, Uuid)> = pagination::after(query.cursor.as_deref())?;
    let prefix = query.email_prefix.as_deref().map(crate::auth::email::normalize).filter(|p| !p.is_empty());
    if prefix.as_ref().is_some_and(|p| p.chars().count() > 254 || p.contains('\0')) {
        return Err(ApiError::invalid("email_prefix", "must be at most 254 characters, without NUL"));
    }
    let pattern = prefix.map(|p| format!("{}%", p.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let mut rows = crate::auth::store::page_by_email(&state.db, pattern.as_deref(), after.as_ref(), limit + 1).await?;
    let next = pagination::next_cursor(&mut rows, limit, |(key, user)| pagination::encode(&(key, user.user_id)));
    let page = AccountPage { items: rows.into_iter().map(|(_, u)| u.account()).collect(), next_cursor: next };
    Ok(crate::web::private_ok().json(page))
}
