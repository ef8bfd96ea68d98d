//! SQL for profiles.

use sqlx::PgPool;
use uuid::Uuid;

use super::model::{Handle, Visibility};

/// The unique constraint on `profile.handle` (see the migration).
const HANDLE_KEY: &str = "profile_handle_key";

#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub handle: String,
    pub visibility: String,
    pub show_display_name: bool,
}

impl ProfileRow {
    pub fn visibility(&self) -> Visibility {
        // The column's CHECK allows only the two values; private is the safe reading.
        Visibility::parse(&self.visibility).unwrap_or_default()
    }
}

/// The caller's profile, if they have set one up.
pub async fn mine(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as!(ProfileRow, "SELECT handle, visibility, show_display_name FROM profile WHERE user_id = $1", user_id)
        .fetch_optional(pool)
        .await
}

/// Creates or replaces the caller's profile; `None` when another account holds the
/// handle. The unique constraint decides, so two learners racing for one handle
/// cannot both get it.
pub async fn save(
    pool: &PgPool,
    user_id: Uuid,
    handle: &Handle,
    visibility: Visibility,
    show_display_name: bool,
) -> sqlx::Result<Option<ProfileRow>> {
    let saved = sqlx::query_as!(
        ProfileRow,
        r#"INSERT INTO profile (user_id, handle, visibility, show_display_name) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id) DO UPDATE
           SET handle = EXCLUDED.handle, visibility = EXCLUDED.visibility,
               show_display_name = EXCLUDED.show_display_name, updated_at = now()
           RETURNING handle, visibility, show_display_name"#,
        user_id,
        handle.as_str(),
        visibility.as_str(),
        show_display_name
    )
    .fetch_one(pool)
    .await;
    match saved {
        Ok(row) => Ok(Some(row)),
        Err(sqlx::Error::Database(db)) if db.constraint() == Some(HANDLE_KEY) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Removes the caller's profile, releasing the handle. True when there was one.
pub async fn delete(pool: &PgPool, user_id: Uuid) -> sqlx::Result<bool> {
    Ok(sqlx::query!("DELETE FROM profile WHERE user_id = $1", user_id).execute(pool).await?.rows_affected() == 1)
}

/// The owner of a public profile, with what the public view needs of the account.
#[derive(Debug)]
pub struct PublicOwner {
    pub user_id: Uuid,
    pub handle: String,
    /// Null unless the learner chose to show it.
    pub display_name: Option<String>,
    /// Days and streaks are counted in it; it is not shown.
    pub timezone: String,
}

/// The owner of `handle` if the profile is public. A private profile and a missing
/// one are the same `None`, so callers cannot tell them apart by accident.
pub async fn public_owner(pool: &PgPool, handle: &Handle) -> sqlx::Result<Option<PublicOwner>> {
    sqlx::query_as!(
        PublicOwner,
        r#"SELECT p.user_id, p.handle, CASE WHEN p.show_display_name THEN u.display_name END AS display_name,
                  u.timezone
           FROM profile p JOIN app_user u ON u.user_id = p.user_id
           WHERE p.handle = $1 AND p.visibility = 'public' AND u.disabled_at IS NULL"#,
        handle.as_str()
    )
    .fetch_optional(pool)
    .await
}
