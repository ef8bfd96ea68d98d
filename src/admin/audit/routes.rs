//! `GET /admin/audit`.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::AuditPage;
use super::store;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Forbidden, Unprocessable};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this kind (`track`, `topic`, `question`, `flashcard`,
    /// `quiz_item`, `article`, `bundle`); other values match nothing.
    #[param(max_length = 40, pattern = r"^[^\x00]*$")]
    kind: Option<String>,
    /// Only this action (`create`, `update`, `retire`, `restore`, `import`).
    #[param(max_length = 40, pattern = r"^[^\x00]*$")]
    action: Option<String>,
    /// Only writes by this admin.
    actor_id: Option<Uuid>,
    /// Only entries about this entity.
    entity_id: Option<Uuid>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page. Opaque: pass it back unchanged; a value
    /// the server did not issue is a 400 (the list never silently restarts).
    cursor: Option<String>,
}

/// The audit log (admin).
///
/// Every admin write, newest first, with who, when, what and a before/after diff.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_audit_entries",
    security(("bearer_auth" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of audit entries", body = AuditPage),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    _admin: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<i64> = pagination::after(query.cursor.as_deref())?;
    for (field, value) in [("kind", &query.kind), ("action", &query.action)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 40 || v.contains('\0')) {
            return Err(ApiError::invalid(field, "is not a known value"));
        }
    }
    let filter = store::Filter {
        kind: query.kind.as_deref(),
        action: query.action.as_deref(),
        actor_id: query.actor_id,
        entity_id: query.entity_id,
    };
    let mut rows = store::page(&state.db, filter, after, limit + 1).await?;
    let next = pagination::next_cursor(&mut rows, limit, |r| pagination::encode(&r.id));
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(AuditPage { items: rows, next_cursor: next }))
}
