//! SQL for sign-ups waiting for their address to be confirmed (see the
//! `pending_registration` migration for why they are not accounts yet).

use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// What a sign-up form sent, kept until its link is followed.
pub struct NewPending<'a> {
    pub token_hash: &'a [u8],
    pub email: &'a str,
    pub normalized: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a SecretString,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(conn: &mut PgConnection, pending: NewPending<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO pending_registration
               (token_hash, email, email_normalized, display_name, password_hash, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        pending.token_hash,
        pending.email,
        pending.normalized,
        pending.display_name,
        pending.password_hash.expose_secret(),
        pending.expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A confirmed sign-up, ready to become an account.
pub struct Confirmed {
    pub email: String,
    pub email_normalized: String,
    pub display_name: String,
    pub password_hash: SecretString,
}

/// Takes the sign-up a link stands for, once: `None` when the token is unknown,
/// expired or already used (a concurrent confirmation that got there first included).
pub async fn take(conn: &mut PgConnection, token_hash: &[u8], now: OffsetDateTime) -> sqlx::Result<Option<Confirmed>> {
    sqlx::query_as!(
        Confirmed,
        r#"DELETE FROM pending_registration WHERE token_hash = $1 AND expires_at > $2
           RETURNING email, email_normalized, display_name, password_hash"#,
        token_hash,
        now
    )
    .fetch_optional(conn)
    .await
}

/// Drops every other sign-up for an address once one of them became its account.
pub async fn discard_for(conn: &mut PgConnection, normalized: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM pending_registration WHERE email_normalized = $1", normalized)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Deletes sign-ups a day past their expiry.
pub async fn prune(pool: &PgPool) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM pending_registration WHERE expires_at < now() - interval '1 day'")
        .execute(pool)
        .await?
        .rows_affected())
}
