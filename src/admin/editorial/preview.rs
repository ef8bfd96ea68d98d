//! Preview tokens: a front end shows a reviewer the drafts of a change set (or one
//! draft) through the normal public reads, without an admin login. The token is a
//! random secret (only its hash is stored), scoped to what it shows, short-lived and
//! revocable.
//!
//! A preview read applies the drafts in a transaction, runs the public read on that
//! transaction and rolls it back: the reviewer sees exactly what publishing would
//! produce, and nothing reaches the content tables, the caches or other readers.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::apply::{BaseCheck, apply_drafts};
use super::drafts;
use super::model::{IssuedPreviewToken, NewPreviewToken, PreviewToken, PreviewTokenList, kind_name, parse_kind};
use super::store;
use crate::admin::audit::{self, AuditAction, AuditKind};
use crate::admin::content::store as content;
use crate::auth::AdminUser;
use crate::error::ApiError;

/// Every preview token starts with this.
pub const PREFIX: &str = "stp_";

/// What a preview token shows.
#[derive(Debug, Clone, Copy)]
pub enum PreviewScope {
    Changeset(Uuid),
    Draft(crate::admin::content::model::ContentKind, Uuid),
}

struct Row {
    token_id: Uuid,
    changeset_id: Option<Uuid>,
    draft_kind: Option<String>,
    draft_entity_id: Option<Uuid>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

impl From<Row> for PreviewToken {
    fn from(r: Row) -> Self {
        PreviewToken {
            id: r.token_id,
            changeset_id: r.changeset_id,
            kind: r.draft_kind,
            entity_id: r.draft_entity_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// Issues a preview token for a change set or one draft.
pub async fn issue(
    db: &PgPool,
    admin: &AdminUser,
    body: NewPreviewToken,
    now: OffsetDateTime,
) -> Result<IssuedPreviewToken, ApiError> {
    let lifetime = body.expires_in_seconds.unwrap_or(86_400);
    if !(60..=604_800).contains(&lifetime) {
        return Err(ApiError::invalid("expires_in_seconds", "between 60 (a minute) and 604800 (a week)"));
    }
    let mut tx = db.begin().await?;
    let (changeset, draft, entity) = match (body.changeset_id, body.kind, body.key.as_deref()) {
        (Some(id), None, None) => {
            let row = store::changeset(&mut tx, id)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("no change set {id}")))?;
            (Some(id), None, row.title)
        }
        (None, Some(kind), Some(key)) => {
            let row = drafts::find(&mut tx, kind, key)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("no draft of {} {key:?}", kind.audit_kind())))?;
            (None, Some((kind, row.entity_id)), row.entity_name())
        }
        _ => return Err(ApiError::invalid("body", "name either `changeset_id`, or `kind` and `key` of one draft")),
    };
    let (secret, _) = crate::security::tokens::new_refresh_token();
    let token = format!("{PREFIX}{secret}");
    let hash = crate::security::tokens::hash_refresh_token(&token);
    let expires_at = now + Duration::seconds(lifetime);
    let row = sqlx::query_as!(
        Row,
        r#"INSERT INTO preview_token (token_hash, changeset_id, draft_kind, draft_entity_id, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING token_id, changeset_id, draft_kind, draft_entity_id, created_at, expires_at, revoked_at"#,
        hash,
        changeset,
        draft.map(|(kind, _)| kind_name(kind)),
        draft.map(|(_, id)| id),
        admin.0.id,
        expires_at
    )
    .fetch_one(&mut *tx)
    .await?;
    let diff = serde_json::json!({"changeset_id": changeset, "draft": draft.map(|(k, id)| format!("{}/{id}", kind_name(k))),
                                  "expires_in_seconds": lifetime});
    audit::record(&mut tx, admin, AuditKind::PreviewToken, Some(row.token_id), &entity, AuditAction::Issue, &diff)
        .await?;
    tx.commit().await?;
    Ok(IssuedPreviewToken { info: row.into(), token })
}

pub async fn list(db: &PgPool) -> Result<PreviewTokenList, ApiError> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT token_id, changeset_id, draft_kind, draft_entity_id, created_at, expires_at, revoked_at
           FROM preview_token ORDER BY created_at DESC LIMIT 200"#
    )
    .fetch_all(db)
    .await?;
    Ok(PreviewTokenList { items: rows.into_iter().map(PreviewToken::from).collect() })
}

/// Revokes a preview token at once (the next read with it is 401).
pub async fn revoke(db: &PgPool, admin: &AdminUser, id: Uuid) -> Result<(), ApiError> {
    let mut tx = db.begin().await?;
    let revoked = sqlx::query_scalar!(
        "UPDATE preview_token SET revoked_at = COALESCE(revoked_at, now()) WHERE token_id = $1 RETURNING token_id",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("no preview token {id}")))?;
    let diff = serde_json::json!({"revoked": true});
    audit::record(&mut tx, admin, AuditKind::PreviewToken, Some(revoked), "preview token", AuditAction::Revoke, &diff)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What a presented preview token shows: 401 when it is unknown, revoked or expired.
pub async fn resolve(db: &PgPool, token: &str, now: OffsetDateTime) -> Result<PreviewScope, ApiError> {
    let refused = || ApiError::Unauthorized("the preview token is invalid, revoked or expired".into());
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Err(refused());
    }
    let row = sqlx::query!(
        r#"SELECT changeset_id, draft_kind, draft_entity_id FROM preview_token
           WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"#,
        crate::security::tokens::hash_refresh_token(token),
        now
    )
    .fetch_optional(db)
    .await?
    .ok_or_else(refused)?;
    match (row.changeset_id, row.draft_kind.as_deref().and_then(parse_kind), row.draft_entity_id) {
        (Some(id), _, _) => Ok(PreviewScope::Changeset(id)),
        (None, Some(kind), Some(id)) => Ok(PreviewScope::Draft(kind, id)),
        _ => Err(refused()),
    }
}

/// A transaction on the primary in which the scope's drafts are applied (those that
/// would not publish are left out). The caller runs its read on it and drops it, which
/// rolls everything back.
pub async fn open(db: &PgPool, scope: PreviewScope) -> Result<Transaction<'static, Postgres>, ApiError> {
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let drafts = drafts_of(&mut tx, scope).await?;
    apply_drafts(&mut tx, &drafts, BaseCheck::Ignore).await?;
    Ok(tx)
}

async fn drafts_of(conn: &mut PgConnection, scope: PreviewScope) -> sqlx::Result<Vec<store::DraftRow>> {
    match scope {
        PreviewScope::Changeset(id) => store::drafts(conn, Some(id)).await,
        PreviewScope::Draft(kind, id) => Ok(store::draft(conn, kind, id).await?.into_iter().collect()),
    }
}

/// The hook the public reads call (through `crate::preview`) to open a preview:
/// resolve the token, then open the transaction with its drafts applied.
pub fn hook() -> crate::preview::PreviewHook {
    crate::preview::PreviewHook(std::sync::Arc::new(|db: PgPool, token: String, now: OffsetDateTime| {
        Box::pin(async move {
            let scope = resolve(&db, &token, now).await?;
            open(&db, scope).await
        })
    }))
}
