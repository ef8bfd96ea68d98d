//! SQL for users and refresh-token families.

use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{Account, Role};

/// An `app_user` row. Every query that reads one names the same columns (the
/// compile-time check insists the list matches these fields).
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user_id: Uuid,
    pub email: String,
    /// The address as compared (see `auth::email`): the key accounts are found and
    /// listed by.
    pub email_normalized: String,
    pub display_name: String,
    pub password_hash: SecretString,
    pub role: Role,
    pub email_verified: bool,
    pub disabled_at: Option<OffsetDateTime>,
    pub token_version: i32,
    pub created_at: OffsetDateTime,
    pub timezone: String,
    pub desired_retention: f32,
    pub new_cards_per_day: i32,
    pub progress_version: i64,
    /// The learner's own FSRS parameters, fitted to their review log; `None` for the
    /// defaults.
    pub fsrs_parameters: Option<Vec<f32>>,
}

impl UserRow {
    pub fn account(&self) -> Account {
        Account {
            id: self.user_id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            email_verified: self.email_verified,
            created_at: self.created_at,
            timezone: self.timezone.clone(),
            desired_retention: (f64::from(self.desired_retention) * 1000.0).round() / 1000.0,
            new_cards_per_day: self.new_cards_per_day,
        }
    }
}

/// A statement reading [`UserRow`]s: `$before`, the row's columns, then `$after`. The
/// query macros join string literals with `+` but cannot read a `const`, so the one
/// column list lives here and every account read stays compile-checked.
macro_rules! user_rows {
    ($before:literal, $after:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            UserRow,
            $before
                + r#" user_id, email, email_normalized, display_name, password_hash, role AS "role: Role",
                      email_verified, disabled_at, token_version, created_at, timezone, desired_retention,
                      new_cards_per_day, progress_version, fsrs_parameters "#
                + $after
            $(, $arg)*
        )
    };
}

pub async fn by_email(pool: &PgPool, normalized: &str) -> sqlx::Result<Option<UserRow>> {
    user_rows!("SELECT", "FROM app_user WHERE email_normalized = $1", normalized).fetch_optional(pool).await
}

pub async fn by_id(db: impl sqlx::PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Option<UserRow>> {
    user_rows!("SELECT", "FROM app_user WHERE user_id = $1", user_id).fetch_optional(db).await
}

/// An account about to be made.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub normalized: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a SecretString,
    pub role: Role,
    /// Whether the address is known to be the account holder's.
    pub email_verified: bool,
}

/// Inserts a user; `None` when the (normalised) email is taken.
pub async fn insert(db: impl sqlx::PgExecutor<'_>, account: NewAccount<'_>) -> sqlx::Result<Option<UserRow>> {
    user_rows!(
        r#"INSERT INTO app_user (email, email_normalized, display_name, password_hash, role, email_verified)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (email_normalized) DO NOTHING
           RETURNING"#,
        "",
        account.email,
        account.normalized,
        account.display_name,
        account.password_hash.expose_secret(),
        account.role.as_str(),
        account.email_verified
    )
    .fetch_optional(db)
    .await
}

/// A page of accounts by normalised address (`pattern` is a LIKE pattern), after
/// `after` (address, id): (address, account) pairs.
pub async fn page_by_email(
    pool: &PgPool,
    pattern: Option<&str>,
    after: Option<&(String, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<(String, UserRow)>> {
    let rows = user_rows!(
        "SELECT",
        r#"FROM app_user
           WHERE ($1::text IS NULL OR email_normalized LIKE $1)
             AND ($2::text IS NULL OR (email_normalized, user_id) > ($2, $3))
           ORDER BY email_normalized, user_id LIMIT $4"#,
        pattern,
        after.map(|a| a.0.as_str()),
        after.map(|a| a.1),
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| (row.email_normalized.clone(), row)).collect())
}

/// Applies the given changes (None leaves a field as it is).
pub async fn update_profile(
    pool: &PgPool,
    user_id: Uuid,
    name: Option<&str>,
    timezone: Option<&str>,
    desired_retention: Option<f32>,
    new_cards_per_day: Option<i32>,
) -> sqlx::Result<Option<UserRow>> {
    user_rows!(
        r#"UPDATE app_user SET display_name = coalesce($2, display_name), timezone = coalesce($3, timezone),
                  desired_retention = coalesce($4, desired_retention),
                  new_cards_per_day = coalesce($5, new_cards_per_day), updated_at = now(),
                  -- The time zone and the card settings shape the agenda and due counts
                  -- the learner memo holds.
                  progress_version = progress_version + 1
           WHERE user_id = $1 RETURNING"#,
        "",
        user_id,
        name,
        timezone,
        desired_retention,
        new_cards_per_day
    )
    .fetch_optional(pool)
    .await
}

/// Replaces the password hash and ends every session: bumps the token version and
/// revokes all refresh tokens. Returns the new token version.
pub async fn set_password(conn: &mut PgConnection, user_id: Uuid, hash: &SecretString) -> sqlx::Result<i32> {
    let version = sqlx::query_scalar!("UPDATE app_user SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE user_id = $1 RETURNING token_version", user_id, hash.expose_secret())
    .fetch_one(&mut *conn)
    .await?;
    revoke_all(&mut *conn, user_id).await?;
    Ok(version)
}

/// Ends every session of a user: refresh tokens revoked, access tokens invalidated.
pub async fn end_all_sessions(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE app_user SET token_version = token_version + 1, updated_at = now() WHERE user_id = $1",
        user_id
    )
    .execute(&mut *conn)
    .await?;
    revoke_all(conn, user_id).await
}

async fn revoke_all(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE refresh_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(pool: &PgPool, user_id: Uuid) -> sqlx::Result<bool> {
    Ok(sqlx::query!("DELETE FROM app_user WHERE user_id = $1", user_id).execute(pool).await?.rows_affected() == 1)
}

/// Sets a user's role (CLI only) and invalidates their outstanding access tokens.
pub async fn set_role(pool: &PgPool, normalized_email: &str, role: Role) -> sqlx::Result<bool> {
    let done = sqlx::query!("UPDATE app_user SET role = $2, token_version = token_version + 1, updated_at = now() WHERE email_normalized = $1", normalized_email, role.as_str())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A refresh token to store: its hash, never the token.
pub struct NewRefresh<'a> {
    pub user_id: Uuid,
    pub family_id: Uuid,
    /// The token this one replaces (`None` for a login's first).
    pub parent_id: Option<Uuid>,
    pub hash: &'a [u8],
    pub expires_at: OffsetDateTime,
    pub user_agent: Option<&'a str>,
    /// The client address key it was issued to (see [`crate::proxy::ClientAddress::key_text`]).
    pub client_key: &'a str,
}

pub async fn insert_refresh(conn: &mut PgConnection, token: NewRefresh<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO refresh_token (family_id, parent_id, user_id, token_hash, expires_at, user_agent, client_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        token.family_id,
        token.parent_id,
        token.user_id,
        token.hash,
        token.expires_at,
        token.user_agent,
        token.client_key
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug)]
pub struct RefreshRow {
    pub token_id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Locks the refresh token row so two concurrent refreshes cannot both rotate it.
pub async fn lock_refresh(conn: &mut PgConnection, hash: &[u8]) -> sqlx::Result<Option<RefreshRow>> {
    sqlx::query_as!(RefreshRow, "SELECT token_id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_token WHERE token_hash = $1 FOR UPDATE", hash)
    .fetch_optional(conn)
    .await
}

pub async fn mark_used(conn: &mut PgConnection, token_id: Uuid, at: OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query!("UPDATE refresh_token SET used_at = $2 WHERE token_id = $1", token_id, at).execute(conn).await?;
    Ok(())
}

/// The live replacement issued for `token_id`, if there is exactly one.
#[derive(Debug)]
pub struct Successor {
    pub token_id: Uuid,
    pub used_at: Option<OffsetDateTime>,
    pub client_key: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn live_successors(conn: &mut PgConnection, token_id: Uuid) -> sqlx::Result<Vec<Successor>> {
    sqlx::query_as!(
        Successor,
        r#"SELECT token_id, used_at, client_key, user_agent FROM refresh_token
           WHERE parent_id = $1 AND revoked_at IS NULL FOR UPDATE"#,
        token_id
    )
    .fetch_all(conn)
    .await
}

pub async fn revoke(conn: &mut PgConnection, token_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE refresh_token SET revoked_at = now() WHERE token_id = $1", token_id).execute(conn).await?;
    Ok(())
}

/// Deletes refresh tokens that expired more than a day ago (kept that long so a late
/// reuse is still recognised as one); returns how many went.
pub async fn prune_refresh_tokens(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM refresh_token WHERE expires_at < now() - interval '1 day'")
        .execute(pool)
        .await?
        .rows_affected())
}

pub async fn revoke_family(conn: &mut PgConnection, family_id: Uuid) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "UPDATE refresh_token SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// One session (refresh-token family) as exported to its owner.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SessionExport {
    pub family_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_refreshed_at: OffsetDateTime,
    pub active: bool,
    /// The `User-Agent` of the latest login or refresh; null when the client sent none.
    #[schema(required)]
    pub user_agent: Option<String>,
}

pub async fn sessions(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Vec<SessionExport>> {
    sqlx::query_as!(
        SessionExport,
        r#"SELECT family_id, min(issued_at) AS "started_at!", max(issued_at) AS "last_refreshed_at!",
                  bool_or(revoked_at IS NULL AND used_at IS NULL AND expires_at > now()) AS "active!",
                  (array_agg(user_agent ORDER BY issued_at DESC))[1] AS user_agent
           FROM refresh_token WHERE user_id = $1 GROUP BY family_id ORDER BY min(issued_at)"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

/// A mailed link's token, as stored (by hash).
#[derive(Debug)]
pub struct EmailToken {
    pub user_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    /// The address an email change moves to.
    pub new_email: Option<String>,
}

pub async fn insert_email_token(
    conn: &mut PgConnection,
    hash: &[u8],
    user_id: Uuid,
    purpose: &str,
    new_email: Option<&str>,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO email_token (token_hash, user_id, purpose, new_email, expires_at) VALUES ($1, $2, $3, $4, $5)",
        hash,
        user_id,
        purpose,
        new_email,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_email_token(pool: &PgPool, hash: &[u8], purpose: &str) -> sqlx::Result<Option<EmailToken>> {
    sqlx::query_as!(
        EmailToken,
        "SELECT user_id, expires_at, used_at, new_email FROM email_token WHERE token_hash = $1 AND purpose = $2",
        hash,
        purpose
    )
    .fetch_optional(pool)
    .await
}

/// Uses a token once: its account, or `None` when it is unknown, of another purpose,
/// expired or already used (a concurrent use that got there first included).
pub async fn consume_email_token(
    conn: &mut PgConnection,
    hash: &[u8],
    purpose: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Option<(Uuid, Option<String>)>> {
    let row = sqlx::query!(
        r#"UPDATE email_token SET used_at = $3
           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
           RETURNING user_id, new_email"#,
        hash,
        purpose,
        now
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.user_id, r.new_email)))
}

/// Ends every outstanding token of `purpose` for an account (one reset ends the others).
pub async fn revoke_email_tokens(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE email_token SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves an account to a new (verified) address; `false` when another account took
/// it meanwhile.
pub async fn change_email(conn: &mut PgConnection, user_id: Uuid, email: &str, normalized: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE app_user SET email = $2, email_normalized = $3, email_verified = true, updated_at = now()
           WHERE user_id = $1
             AND NOT EXISTS (SELECT 1 FROM app_user WHERE email_normalized = $3 AND user_id <> $1)"#,
        user_id,
        email,
        normalized
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Following a link mailed to the address proves the learner reads that mailbox.
pub async fn mark_email_verified(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE app_user SET email_verified = true, updated_at = now() WHERE user_id = $1", user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes mailed-link tokens a day past their expiry.
pub async fn prune_email_tokens(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM email_token WHERE expires_at < now() - interval '1 day'")
        .execute(pool)
        .await?
        .rows_affected())
}
