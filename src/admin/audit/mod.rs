//! The audit log of admin writes: every write records who, when, from where and a
//! before/after diff in the same transaction; `GET /admin/audit` reads it.

pub mod model;
pub mod routes;
pub mod store;

pub use model::{AuditAction, AuditEntry, AuditKind, AuditPage, diff};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::AdminUser;

/// Records one admin write by `actor` inside the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &AdminUser,
    kind: AuditKind,
    entity_id: Option<Uuid>,
    entity: &str,
    action: AuditAction,
    diff: &Value,
) -> sqlx::Result<()> {
    let entry = store::NewEntry {
        actor_id: actor.0.id,
        token_id: actor.0.api_token.map(|t| t.id),
        client_address: actor.1.to_string(),
        kind,
        entity_id,
        entity,
        action,
        diff,
    };
    store::insert(conn, entry).await
}
