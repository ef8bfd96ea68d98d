//! The offline sync handler.

use actix_web::{HttpResponse, post, web};

use super::model::*;
use super::service;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::private_ok;

/// Apply what a device recorded offline.
///
/// Up to 500 events (reviews, question and topic marks, notes and their deletion,
/// bookmarks and their removal), each with the device's time, applied in one
/// transaction in the batch's order. One result per event: `applied`, `duplicate`
/// (applied before: the same review id, or the same mark), `superseded` (a later write
/// from another device stands) or `rejected` with a problem (nothing of that event
/// applied; the others still are). A batch holding an event that is not a
/// `SyncEvent`, or more than 500, is refused whole (422). Retrying a whole batch is safe. A review older than
/// the card's newest is slotted into its history and the schedule replayed; marks,
/// notes and bookmarks keep the later write. Then pull what other devices changed
/// with `GET /me/changes`. Quizzes and exams are taken online: an exam's time limit
/// needs a clock the server can trust.
#[utoipa::path(
    tag = "progress",
    operation_id = "sync",
    security(("bearer_auth" = [])),
    request_body = SyncBatch,
    responses((status = 200, description = "One result per event", body = SyncResults))
)]
#[post("/sync")]
pub async fn sync(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<SyncBatch>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::sync(&state, user.id, body.into_inner()).await?))
}
