//! Single-use links mailed to an account: a password reset, an address change, an
//! address verification. One place makes the token (256 random bits), stores only its
//! SHA-256 with the purpose, the account and the expiry, and builds the URL the front
//! end opens; the confirmations check it with `store::consume_email_token`.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::store;
use crate::security::tokens;

/// What a link is for: the purpose stored with its token and the front-end page
/// (`STUDYTRACK_APP_URL/<page>?token=…`) that handles it.
#[derive(Debug, Clone, Copy)]
pub struct Purpose {
    pub name: &'static str,
    pub page: &'static str,
}

pub const RESET_PASSWORD: Purpose = Purpose { name: "reset_password", page: "reset-password" };
pub const CHANGE_EMAIL: Purpose = Purpose { name: "change_email", page: "confirm-email" };
pub const VERIFY_EMAIL: Purpose = Purpose { name: "verify_email", page: "verify-address" };

/// A link to mail, valid until `expires_at`.
pub struct Link<'a> {
    pub purpose: Purpose,
    pub user_id: Uuid,
    /// The address an address change moves to.
    pub new_email: Option<&'a str>,
    pub expires_at: OffsetDateTime,
}

/// Stores the link's token in the caller's transaction (so the link exists exactly
/// when the mail carrying it is queued) and returns its URL under `app_url`.
pub async fn issue(conn: &mut PgConnection, app_url: &str, link: Link<'_>) -> sqlx::Result<String> {
    let (token, hash) = tokens::new_refresh_token();
    store::insert_email_token(conn, &hash, link.user_id, link.purpose.name, link.new_email, link.expires_at).await?;
    Ok(format!("{app_url}/{}?token={token}", link.purpose.page))
}
