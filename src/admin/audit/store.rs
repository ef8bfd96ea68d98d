//! SQL for the audit log.

use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::model::{AuditAction, AuditEntry, AuditKind};

/// One admin write, recorded inside the caller's transaction.
pub struct NewEntry<'a> {
    pub actor_id: Uuid,
    /// The API token the write came with, if any.
    pub token_id: Option<Uuid>,
    pub client_address: String,
    pub kind: AuditKind,
    pub entity_id: Option<Uuid>,
    pub entity: &'a str,
    pub action: AuditAction,
    pub diff: &'a Value,
}

pub async fn insert(conn: &mut PgConnection, entry: NewEntry<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO audit_log (actor_id, actor_email, kind, entity_id, entity, action, diff, client_address,
                                  token_id, token_name)
           VALUES ($1, (SELECT email FROM app_user WHERE user_id = $1), $2, $3, $4, $5, $6, $7,
                   $8, (SELECT name FROM api_token WHERE token_id = $8))"#,
        entry.actor_id,
        entry.kind.as_str(),
        entry.entity_id,
        entry.entity,
        entry.action.as_str(),
        entry.diff,
        entry.client_address,
        entry.token_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A write the server made on its own (a scheduled publish and its failures): no
/// person is the actor.
pub async fn insert_by_server(
    conn: &mut PgConnection,
    kind: super::model::AuditKind,
    entity_id: Option<Uuid>,
    entity: &str,
    action: super::model::AuditAction,
    diff: &Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO audit_log (actor_id, actor_email, kind, entity_id, entity, action, diff, client_address)
           VALUES (NULL, 'scheduler', $1, $2, $3, $4, $5, 'server')"#,
        kind.as_str(),
        entity_id,
        entity,
        action.as_str(),
        diff
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Filters of a page of the log; `None` matches everything.
pub struct Filter<'a> {
    pub kind: Option<&'a str>,
    pub action: Option<&'a str>,
    pub actor_id: Option<Uuid>,
    pub entity_id: Option<Uuid>,
}

/// Entries newest first, older than `before` (an entry id).
pub async fn page(pool: &PgPool, filter: Filter<'_>, before: Option<i64>, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as!(
        AuditEntry,
        r#"SELECT audit_id AS id, actor_id, actor_email, at, kind AS "kind: AuditKind", entity_id, entity,
                  action AS "action: AuditAction", diff AS "diff: Json<Value>", client_address,
                  token_id, token_name
           FROM audit_log
           WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR action = $2)
             AND ($3::uuid IS NULL OR actor_id = $3) AND ($4::uuid IS NULL OR entity_id = $4)
             AND ($5::bigint IS NULL OR audit_id < $5)
           ORDER BY audit_id DESC LIMIT $6"#,
        filter.kind,
        filter.action,
        filter.actor_id,
        filter.entity_id,
        before,
        limit
    )
    .fetch_all(pool)
    .await
}
