//! Account use cases that answer in HTTP terms, kept out of the store (which speaks
//! only `sqlx`).

use uuid::Uuid;

use super::store::{self, UserRow};
use crate::error::ApiError;

/// The caller's own row; a 401 if the account was deleted since the token was checked.
pub async fn current_account(pool: &sqlx::PgPool, user_id: Uuid) -> Result<UserRow, ApiError> {
    store::by_id(pool, user_id).await?.ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))
}
