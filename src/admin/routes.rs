//! The admin bundle and account endpoints: extract, call the service, answer. (Single
//! entities are edited under `content/`, the audit log read under `audit/`.)

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::{AccountPage, ImportReport};
use super::service;
use crate::auth::AdminUser;
use crate::content::Bundle;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, Forbidden, NotFound, Unprocessable};
use crate::pagination;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Validate and compute the diff, but write nothing.
    #[serde(default)]
    dry_run: bool,
    /// Draft into this change set instead of publishing: every entity the bundle
    /// creates or changes becomes a draft of it (what the bundle leaves out is not
    /// retired). Editors and `import`-only tokens may import only this way.
    changeset: Option<Uuid>,
}

/// Import a content bundle (admin).
///
/// The body is a bundle in the shape of the seed files (`tracks`, `topics`,
/// `articles`), e.g. the output of `GET /admin/export/{track}`. It is validated in
/// full (every problem reported at once, as 422) and applied all-or-nothing with the
/// same upsert as the seed command: rows are matched by slug and updated in place;
/// stages and placements of the bundle's tracks, and questions, flashcards and quiz
/// items of its topics, that the bundle no longer holds are retired. Other tracks,
/// topics and articles are untouched. `?dry_run=true` returns the same report and
/// writes nothing.
#[utoipa::path(
    tag = "admin",
    operation_id = "import_bundle",
    security(("bearer_auth" = [])),
    params(ImportQuery),
    request_body = Bundle,
    responses(
        (status = 200, description = "The import report", body = ImportReport),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
        (status = 409, response = inline(crate::openapi::responses::Conflict)),
    )
)]
#[post("/import")]
pub async fn import_bundle(
    admin: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    body: web::Json<Bundle>,
) -> Result<HttpResponse, ApiError> {
    let report = match query.changeset {
        Some(changeset) if !query.dry_run => {
            let bundle = body.into_inner();
            if let Err(invalid) = crate::content::check_import(&state.db, &bundle).await? {
                return Err(service::bundle_problems(invalid));
            }
            crate::admin::editorial::import::into_changeset(&state.db, &admin, changeset, bundle).await?
        }
        _ if !query.dry_run && !admin.can_publish() => {
            return Err(ApiError::Forbidden(
                "a direct import publishes at once; import into a change set (`?changeset=`) instead".into(),
            ));
        }
        _ => service::import(&state, &admin, body.into_inner(), query.dry_run).await?,
    };
    Ok(crate::web::private_ok().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrackPath {
    /// Track slug.
    #[param(example = "python")]
    track: String,
}

/// Export a track as a bundle (admin).
///
/// The track, every topic on it in full (questions, flashcards, quiz items) and the
/// articles linked to them, in the import/seed shape. Importing the export changes
/// nothing; `studytrack export TRACK DIR` writes the same as seed files.
#[utoipa::path(
    tag = "admin",
    operation_id = "export_track",
    security(("bearer_auth" = [])),
    params(TrackPath),
    responses(
        (status = 200, description = "The track's bundle", body = Bundle),
        (status = 403, response = inline(Forbidden)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/export/{track}")]
pub async fn export_track(
    _admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::web::private_ok()
        .json(service::export(&state, &crate::catalog::service::track_slug(&path.track)?).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts whose (normalised) email starts with this.
    #[param(example = "ann", max_length = 254, pattern = r"^[^\x00]*$")]
    email_prefix: Option<String>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page. Opaque: pass it back unchanged; a value
    /// the server did not issue is a 400 (the list never silently restarts).
    cursor: Option<String>,
}

/// List accounts (admin).
///
/// Accounts ordered by normalised email, optionally filtered by an email prefix.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_users",
    security(("bearer_auth" = [])),
    params(UserQuery),
    responses(
        (status = 200, description = "A page of accounts", body = AccountPage),
        (status = 400, response = inline(BadRequest)),
        (status = 403, response = inline(Forbidden)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/users")]
pub async fn list_users(
    _admin: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<(String, Uuid)> = pagination::after(query.cursor.as_deref())?;
    let page = service::accounts(&state, query.email_prefix.as_deref(), after, limit).await?;
    Ok(crate::web::private_ok().json(page))
}
