//! Admin use cases beside single-entity editing: importing and exporting bundles (the
//! same validation and upsert as `studytrack seed`: one implementation, several doors)
//! and listing accounts.

use uuid::Uuid;

use super::audit;
use super::model::{AccountPage, ImportReport};
use crate::auth::AdminUser;
use crate::content::{self, Bundle};
use crate::error::{ApiError, FieldError};
use crate::pagination;
use crate::slug::Slug;
use crate::state::AppState;

/// Validates a bundle in full and applies it all or nothing (or, with `dry_run`,
/// reports what it would change), recording the import in the audit log.
/// A bundle's validation problems as one 422.
pub fn bundle_problems(invalid: content::InvalidContent) -> ApiError {
    let errors =
        invalid.0.iter().map(|p| FieldError::new(format!("{}: {}", p.file, p.entry), p.problem.clone())).collect();
    ApiError::Validation {
        detail: format!("{} problem(s) in the bundle; nothing was written", invalid.0.len()),
        errors,
    }
}

pub async fn import(
    state: &AppState,
    admin: &AdminUser,
    bundle: Bundle,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    if let Err(invalid) = content::check_import(&state.db, &bundle).await? {
        return Err(bundle_problems(invalid));
    }
    let actor = admin;
    let report = content::import(&state.db, &bundle, dry_run, async |conn, report| {
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
        .await?;
        let data = crate::webhooks::model::ImportEventData {
            tracks: names.iter().map(|n| (*n).to_owned()).collect(),
            counts: summary,
        };
        let data = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let event = crate::webhooks::events::EventType::ImportApplied;
        crate::webhooks::events::emit(conn, event, time::OffsetDateTime::now_utc(), data).await.map(|_| ())
    })
    .await?;
    let body = ImportReport {
        dry_run,
        counts: report.kinds.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        changes: report.changes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    };
    Ok(body)
}

/// A live track as a bundle; 404 for one that does not exist.
pub async fn export(state: &AppState, track: &Slug) -> Result<Bundle, ApiError> {
    content::export::track(&state.db, track).await?.ok_or_else(|| crate::catalog::service::no_track(track))
}

/// A page of accounts by normalised email, optionally under a prefix.
pub async fn accounts(
    state: &AppState,
    email_prefix: Option<&str>,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<AccountPage, ApiError> {
    let prefix = email_prefix.map(crate::auth::email::normalize).filter(|p| !p.is_empty());
    if prefix.as_ref().is_some_and(|p| p.chars().count() > 254 || p.contains('\0')) {
        return Err(ApiError::invalid("email_prefix", "must be at most 254 characters, without NUL"));
    }
    let pattern = prefix.map(|p| format!("{}%", p.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let mut rows = crate::auth::store::page_by_email(&state.db, pattern.as_deref(), after.as_ref(), limit + 1).await?;
    let next = pagination::next_cursor(&mut rows, limit, |(key, user)| pagination::encode(&(key, user.user_id)));
    let page = AccountPage { items: rows.into_iter().map(|(_, u)| u.account()).collect(), next_cursor: next };
    Ok(page)
}
