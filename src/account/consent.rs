//! A learner's consent to share learning records (webhooks now, xAPI next): off by
//! default, changed only by the learner, every change kept with when and from where.

use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::proxy::ClientAddress;
use crate::state::AppState;
use crate::web::private_ok;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"share_learning_records": true}))]
pub struct SetConsent {
    /// Send what you do (topics completed, quizzes submitted, cards reviewed) to the
    /// integrations this service's operator runs (webhooks, a learning-record store).
    pub share_learning_records: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentChange {
    pub share_learning_records: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"share_learning_records": true,
                           "history": [{"share_learning_records": true, "changed_at": "2026-12-06T09:00:00Z"}]}))]
pub struct Consent {
    pub share_learning_records: bool,
    /// Every change, oldest first.
    pub history: Vec<ConsentChange>,
}

async fn read(state: &AppState, user_id: uuid::Uuid) -> Result<Consent, ApiError> {
    let current = sqlx::query_scalar!("SELECT share_learning_records FROM app_user WHERE user_id = $1", user_id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    let history = sqlx::query_as!(
        ConsentChange,
        "SELECT share_learning_records, changed_at FROM consent_change WHERE user_id = $1 ORDER BY changed_at",
        user_id
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Consent { share_learning_records: current, history })
}

/// Read the caller's consent to share learning records.
///
/// Off until the learner turns it on; with its history of changes.
#[utoipa::path(
    tag = "account",
    operation_id = "get_consent",
    security(("bearer_auth" = [])),
    responses((status = 200, description = "The consent and its history", body = Consent))
)]
#[get("/consent")]
pub async fn get_consent(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(read(&state, user.id).await?))
}

/// Turn sharing of learning records on or off.
///
/// On, events about what the caller does (`topic.completed`, `quiz.submitted`,
/// `review.recorded`, `interview.completed`) go to the webhooks and learning-record store the operator runs,
/// identified by the account id (never the email). Off, nothing more is sent from the
/// moment this returns; what was already queued still goes. Every change is recorded
/// with its time and client address.
#[utoipa::path(
    tag = "account",
    operation_id = "set_consent",
    security(("bearer_auth" = [])),
    request_body = SetConsent,
    responses((status = 200, description = "The consent and its history", body = Consent))
)]
#[put("/consent")]
pub async fn set_consent(
    user: AuthUser,
    address: ClientAddress,
    state: web::Data<AppState>,
    body: web::Json<SetConsent>,
) -> Result<HttpResponse, ApiError> {
    let wanted = body.share_learning_records;
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query!(
        "UPDATE app_user SET share_learning_records = $2 WHERE user_id = $1 AND share_learning_records <> $2",
        user.id,
        wanted
    )
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() > 0 {
        sqlx::query!(
            "INSERT INTO consent_change (user_id, share_learning_records, client_address) VALUES ($1, $2, $3)",
            user.id,
            wanted,
            address.0.to_string()
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(private_ok().json(read(&state, user.id).await?))
}
