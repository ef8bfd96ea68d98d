//! Bulk content doors for admins: import a bundle (with a dry run that returns the
//! diff) and export a track as a bundle. Both use the same validation and upsert as
//! `studytrack seed`: one implementation, two doors.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::audit;
use crate::auth::AdminUser;
use crate::content::report::{Changes, Counts};
use crate::content::{self, Bundle};
use crate::error::{ApiError, FieldError};
use crate::openapi::responses::{Forbidden, NotFound};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Validate and compute the diff, but write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "dry_run": true,
    "counts": {"questions": {"created": 1, "updated": 2, "unchanged": 190, "retired": 0}},
    "changes": {"questions": {"created": ["functions/new-question"], "updated": ["fundamentals/is-vs-equality", "oop/slots"], "retired": []}}
}))]
pub struct ImportReport {
    pub dry_run: bool,
    pub counts: BTreeMap<String, Counts>,
    pub changes: BTreeMap<String, Changes>,
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
    )
)]
#[post("/import")]
pub async fn import_bundle(
    admin: AdminUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    body: web::Json<Bundle>,
) -> Result<HttpResponse, ApiError> {
    let bundle = body.into_inner();
    if let Err(invalid) = content::check_import(&state.db, &bundle).await? {
        let errors =
            invalid.0.iter().map(|p| FieldError::new(format!("{}: {}", p.file, p.entry), p.problem.clone())).collect();
        return Err(ApiError::Validation {
            detail: format!("{} problem(s) in the bundle; nothing was written", invalid.0.len()),
            errors,
        });
    }
    let actor = &admin;
    let report = content::import(&state.db, &bundle, query.dry_run, async |conn, report| {
        let summary = serde_json::to_value(&report.kinds).unwrap_or_default();
        let names: Vec<&str> = bundle.tracks.iter().map(|t| t.slug.as_str()).collect();
        audit::record(
            conn,
            actor,
            audit::AuditKind::Bundle,
            None,
            &names.join(","),
            audit::AuditAction::Import,
            &summary,
        )
        .await
    })
    .await?;
    let body = ImportReport {
        dry_run: query.dry_run,
        counts: report.kinds.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        changes: report.changes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    };
    Ok(crate::web::private_ok().json(body))
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
    let track = crate::catalog::service::track_slug(&path.track)?;
    let bundle =
        content::export::track(&state.db, &track).await?.ok_or_else(|| crate::catalog::service::no_track(&track))?;
    Ok(crate::web::private_ok().json(bundle))
}
