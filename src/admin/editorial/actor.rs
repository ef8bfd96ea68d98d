//! Who did an editorial action, for the audit log and the revision history: a person
//! (through the API token they used, if any) or the scheduler.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::admin::audit::{self, AuditAction, AuditKind};
use crate::auth::AdminUser;

#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Caller(&'a AdminUser),
    Scheduler,
}

impl Actor<'_> {
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Actor::Caller(a) => Some(a.0.id),
            Actor::Scheduler => None,
        }
    }

    pub fn token_id(&self) -> Option<Uuid> {
        match self {
            Actor::Caller(a) => a.0.api_token.map(|t| t.id),
            Actor::Scheduler => None,
        }
    }

    pub async fn audit(
        &self,
        conn: &mut PgConnection,
        kind: AuditKind,
        entity_id: Option<Uuid>,
        entity: &str,
        action: AuditAction,
        diff: &Value,
    ) -> sqlx::Result<()> {
        match self {
            Actor::Caller(a) => audit::record(conn, a, kind, entity_id, entity, action, diff).await,
            Actor::Scheduler => audit::store::insert_by_server(conn, kind, entity_id, entity, action, diff).await,
        }
    }
}
