//! `/admin/tokens`: scoped API tokens for scripts (issue, list, revoke). Admins only;
//! the token acts as the admin who issued it, narrowed to its scopes (see
//! `auth::access`), and only in the admin API.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::admin::audit::{self, AuditAction, AuditKind};
use crate::auth::AdminUser;
use crate::auth::access::Scope;
use crate::auth::api_tokens;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Forbidden, NotFound};
use crate::state::AppState;

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "CI seed of the python track", "scopes": ["content:draft", "import"], "expires_in_days": 90}))]
pub struct NewApiToken {
    /// What the token is for (shown in lists and in the audit log).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// At least one of `content:read`, `content:draft`, `content:publish`, `import`.
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// 1 to 365 days; default 90.
    #[schema(minimum = 1, maximum = 365)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub expires_in_days: Option<i64>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    pub owner_email: String,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub revoked_at: Option<OffsetDateTime>,
    /// To the minute.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required)]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A new token with its secret: send it as `Authorization: Bearer stk_…`. Shown once;
/// only its hash is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedApiToken {
    #[serde(flatten)]
    pub info: ApiToken,
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiToken>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenPath {
    id: Uuid,
}

async fn one(db: impl sqlx::PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<ApiToken>> {
    sqlx::query_as!(
        ApiToken,
        r#"SELECT t.token_id AS id, t.name, t.owner_id, u.email AS owner_email, t.scopes, t.created_at, t.expires_at,
                  t.revoked_at, t.last_used_at
           FROM api_token t JOIN app_user u ON u.user_id = t.owner_id WHERE t.token_id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Issue an API token (admin).
///
/// For a script: it acts as you, narrowed to `scopes`, in the admin API only, until
/// `expires_in_days` or until revoked. The secret is in this answer only.
#[utoipa::path(
    tag = "admin",
    operation_id = "create_api_token",
    security(("bearer_auth" = [])),
    request_body = NewApiToken,
    responses((status = 201, description = "The token (shown once)", body = IssuedApiToken), (status = 403, response = inline(Forbidden)))
)]
#[post("/tokens")]
pub async fn create_api_token(
    admin: AdminUser,
    state: web::Data<AppState>,
    body: web::Json<NewApiToken>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "1 to 100 characters"));
    }
    if body.scopes.is_empty() {
        return Err(ApiError::invalid("scopes", "name at least one scope"));
    }
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        return Err(ApiError::invalid("expires_in_days", "between 1 and 365"));
    }
    let mut scopes: Vec<&str> = body.scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let (token, hash) = api_tokens::new_secret();
    let expires_at = state.clock.now() + Duration::days(days);
    let mut tx = state.db.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO api_token (owner_id, name, token_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING token_id",
        admin.0.id,
        name,
        hash,
        &scopes as &[&str],
        expires_at
    )
    .fetch_one(&mut *tx)
    .await?;
    let diff = serde_json::json!({"name": name, "scopes": scopes, "expires_in_days": days});
    audit::record(&mut tx, &admin, AuditKind::ApiToken, Some(id), name, AuditAction::Issue, &diff).await?;
    let info = one(&mut *tx, id).await?.ok_or_else(|| ApiError::NotFound(format!("no API token {id}")))?;
    tx.commit().await?;
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(IssuedApiToken { info, token }))
}

/// List API tokens (admin).
#[utoipa::path(
    tag = "admin",
    operation_id = "list_api_tokens",
    security(("bearer_auth" = [])),
    responses((status = 200, description = "Newest first", body = ApiTokenList), (status = 403, response = inline(Forbidden)))
)]
#[get("/tokens")]
pub async fn list_api_tokens(_admin: AdminUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = sqlx::query_as!(
        ApiToken,
        r#"SELECT t.token_id AS id, t.name, t.owner_id, u.email AS owner_email, t.scopes, t.created_at, t.expires_at,
                  t.revoked_at, t.last_used_at
           FROM api_token t JOIN app_user u ON u.user_id = t.owner_id ORDER BY t.created_at DESC LIMIT 500"#
    )
    .fetch_all(&state.db)
    .await?;
    Ok(crate::web::private_ok().json(ApiTokenList { items }))
}

/// Revoke an API token (admin).
///
/// Its next request is 401.
#[utoipa::path(
    tag = "admin",
    operation_id = "revoke_api_token",
    security(("bearer_auth" = [])),
    params(TokenPath),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_api_token(
    admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<TokenPath>,
) -> Result<HttpResponse, ApiError> {
    let mut tx = state.db.begin().await?;
    let name = sqlx::query_scalar!(
        "UPDATE api_token SET revoked_at = COALESCE(revoked_at, now()) WHERE token_id = $1 RETURNING name",
        path.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("no API token {}", path.id)))?;
    let diff = serde_json::json!({"revoked": true});
    audit::record(&mut tx, &admin, AuditKind::ApiToken, Some(path.id), &name, AuditAction::Revoke, &diff).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
