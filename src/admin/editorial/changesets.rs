//! The change set use cases: group drafts, submit them for review, approve, and
//! publish them together (now, or at a set time through the scheduler). Publishing is
//! one transaction: every draft applies or none does, learners see the content move
//! from before to after in one step, and caches hear of it once.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::actor::Actor;
use super::apply::{Applied, BaseCheck, apply_drafts};
use super::model::{
    Changeset, ChangesetItem, ChangesetList, ChangesetState, DraftProblem, ItemProblems, NewChangeset, kind_name,
};
use super::revisions::{self, Publisher};
use super::store::{self, ChangesetRow};
use crate::admin::audit::{self, AuditAction, AuditKind};
use crate::admin::content::model::RevisionClass;
use crate::admin::content::store as content;
use crate::auth::{AdminUser, Role};
use crate::error::ApiError;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no change set {id}"))
}

async fn locked(conn: &mut PgConnection, id: Uuid) -> Result<ChangesetRow, ApiError> {
    store::changeset(conn, id).await?.ok_or_else(|| not_found(id))
}

fn view(row: ChangesetRow, items: Vec<ChangesetItem>) -> Changeset {
    Changeset {
        id: row.changeset_id,
        title: row.title,
        state: row.state,
        author_id: row.author_id,
        author_email: row.author_email,
        requires_approval: row.requires_approval,
        approved_by: row.approved_by,
        approved_at: row.approved_at,
        publish_at: row.publish_at,
        published_at: row.published_at,
        failure: row.failure.map(|f| f.0),
        created_at: row.created_at,
        updated_at: row.updated_at,
        items,
    }
}

fn item(applied: Applied) -> ChangesetItem {
    let before = applied.before.as_ref().and_then(|d| serde_json::to_value(d).ok());
    let after = match &applied.after {
        Some(doc) => serde_json::to_value(doc).ok(),
        None => Some(applied.draft.doc.clone()),
    };
    let diff = if applied.draft.retire {
        json!({"retired": {"before": false, "after": true}})
    } else {
        audit::diff(before.as_ref(), after.as_ref())
    };
    ChangesetItem {
        kind: applied.draft.kind,
        key: applied.draft.key(),
        id: applied.id,
        is_new: applied.draft.is_new,
        retire: applied.draft.retire,
        revision: applied.draft.revision,
        diff,
        problems: applied.problems,
    }
}

/// The change set with its items, their diffs against the published content and their
/// problems (from applying them all in a rolled-back transaction).
pub async fn get(db: &PgPool, id: Uuid) -> Result<Changeset, ApiError> {
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let row = locked(&mut tx, id).await?;
    let drafts = store::drafts(&mut tx, Some(id)).await?;
    let applied = apply_drafts(&mut tx, &drafts, BaseCheck::Enforce).await?;
    tx.rollback().await?;
    Ok(view(row, applied.into_iter().map(item).collect()))
}

/// Change sets, newest first (without their items; GET one for those).
pub async fn list(db: &PgPool, state: Option<ChangesetState>) -> Result<ChangesetList, ApiError> {
    let mut conn = db.acquire().await?;
    let rows = store::changesets(&mut conn, state, 200).await?;
    Ok(ChangesetList { items: rows.into_iter().map(|r| view(r, vec![])).collect() })
}

pub async fn create(
    db: &PgPool,
    admin: &AdminUser,
    body: NewChangeset,
    server_requires_approval: bool,
) -> Result<Changeset, ApiError> {
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ApiError::invalid("title", "1 to 200 characters"));
    }
    let must = server_requires_approval || !admin.can_publish();
    let requires_approval = match body.requires_approval {
        Some(false) if must => {
            return Err(ApiError::invalid(
                "requires_approval",
                if admin.0.role == Role::Admin && server_requires_approval {
                    "this server requires approval of every change set (STUDYTRACK_REQUIRE_APPROVAL)"
                } else {
                    "change sets of callers who cannot publish always need approval"
                },
            ));
        }
        Some(value) => value,
        None => must,
    };
    let mut tx = db.begin().await?;
    let id = store::insert_changeset(&mut tx, title, admin.0.id, requires_approval).await?;
    let diff = json!({"title": {"before": null, "after": title}, "requires_approval": requires_approval});
    audit::record(&mut tx, admin, AuditKind::Changeset, Some(id), title, AuditAction::Create, &diff).await?;
    let row = locked(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view(row, vec![]))
}

/// Moves a change set between review states, auditing the move.
async fn transition(
    conn: &mut PgConnection,
    actor: Actor<'_>,
    row: &ChangesetRow,
    to: ChangesetState,
    approved_by: Option<Uuid>,
    action: AuditAction,
) -> Result<(), ApiError> {
    store::set_state(conn, row.changeset_id, to, approved_by).await?;
    let diff = json!({"state": {"before": row.state, "after": to}});
    actor.audit(conn, AuditKind::Changeset, Some(row.changeset_id), &row.title, action, &diff).await?;
    Ok(())
}

/// Queues the webhook event of a change set reaching `to`, in the caller's transaction:
/// subscribers (a review channel, the author's tooling) hear of it when it commits.
async fn announce(
    conn: &mut PgConnection,
    row: &ChangesetRow,
    to: ChangesetState,
    items: usize,
    failure: Option<&serde_json::Value>,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    use crate::webhooks::events::{self, EventType};
    let event = match to {
        ChangesetState::Submitted => EventType::ChangesetSubmitted,
        ChangesetState::Approved => EventType::ChangesetApproved,
        ChangesetState::Published => EventType::ChangesetPublished,
        ChangesetState::Failed => EventType::ChangesetFailed,
        ChangesetState::Open => return Ok(()),
    };
    let data = crate::webhooks::model::ChangesetEventData {
        id: row.changeset_id,
        title: row.title.clone(),
        state: state(to).to_owned(),
        items: i64::try_from(items).unwrap_or(i64::MAX),
        failure: failure.cloned(),
        href: format!("/api/v1/admin/changesets/{}", row.changeset_id),
    };
    let data = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    events::emit(conn, event, at, data).await.map(|_| ())
}

fn problems_error(detail: &str, problems: Vec<ItemProblems>) -> ApiError {
    ApiError::Validation {
        detail: detail.to_owned(),
        errors: problems
            .into_iter()
            .flat_map(|item| {
                let prefix = format!("{}/{}", kind_name(item.kind), item.key);
                item.problems
                    .into_iter()
                    .map(move |p| crate::error::FieldError::new(format!("{prefix}: {}", p.field), p.problem))
            })
            .collect(),
    }
}

fn failing(applied: &[Applied]) -> Vec<ItemProblems> {
    applied
        .iter()
        .filter(|a| !a.problems.is_empty())
        .map(|a| ItemProblems { kind: a.draft.kind, key: a.draft.key(), problems: a.problems.clone() })
        .collect()
}

/// Submits a change set for review.
pub async fn submit(db: &PgPool, admin: &AdminUser, id: Uuid) -> Result<Changeset, ApiError> {
    let mut tx = db.begin().await?;
    let row = locked(&mut tx, id).await?;
    if !matches!(row.state, ChangesetState::Open | ChangesetState::Failed) {
        return Err(ApiError::Conflict(format!(
            "the change set is {}; only open ones are submitted",
            state(row.state)
        )));
    }
    let items = store::drafts(&mut tx, Some(id)).await?.len();
    if items == 0 {
        return Err(ApiError::invalid("items", "the change set has no drafts"));
    }
    transition(&mut tx, Actor::Caller(admin), &row, ChangesetState::Submitted, None, AuditAction::Submit).await?;
    announce(&mut tx, &row, ChangesetState::Submitted, items, None, OffsetDateTime::now_utc()).await?;
    tx.commit().await?;
    get(db, id).await
}

fn state(s: ChangesetState) -> &'static str {
    match s {
        ChangesetState::Open => "open",
        ChangesetState::Submitted => "submitted",
        ChangesetState::Approved => "approved",
        ChangesetState::Published => "published",
        ChangesetState::Failed => "failed",
    }
}

/// Approves a submitted change set: by an admin who neither made it nor wrote any of
/// its drafts, and only when every draft would publish.
pub async fn approve(db: &PgPool, admin: &AdminUser, id: Uuid) -> Result<Changeset, ApiError> {
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let row = locked(&mut tx, id).await?;
    if row.state != ChangesetState::Submitted {
        return Err(ApiError::Conflict(format!("the change set is {}; submit it for review first", state(row.state))));
    }
    let drafts = store::drafts(&mut tx, Some(id)).await?;
    if row.author_id == Some(admin.0.id) || drafts.iter().any(|d| d.author_id == Some(admin.0.id)) {
        return Err(ApiError::Forbidden(
            "approval must come from an admin who neither made the change set nor wrote its drafts".into(),
        ));
    }
    let mut check = sqlx::Connection::begin(&mut *tx).await?;
    let applied = apply_drafts(&mut check, &drafts, BaseCheck::Enforce).await?;
    check.rollback().await?;
    let problems = failing(&applied);
    if !problems.is_empty() {
        return Err(problems_error("the change set would not publish; fix its drafts first", problems));
    }
    transition(&mut tx, Actor::Caller(admin), &row, ChangesetState::Approved, Some(admin.0.id), AuditAction::Approve)
        .await?;
    announce(&mut tx, &row, ChangesetState::Approved, drafts.len(), None, OffsetDateTime::now_utc()).await?;
    tx.commit().await?;
    get(db, id).await
}

/// Whether a change set may publish now.
fn publishable(row: &ChangesetRow) -> Result<(), String> {
    match row.state {
        ChangesetState::Published => Err("the change set is published already".into()),
        ChangesetState::Approved => Ok(()),
        _ if !row.requires_approval => Ok(()),
        other => Err(format!("the change set needs approval and is {}", state(other))),
    }
}

/// Publishes a change set now.
pub async fn publish(db: &PgPool, admin: &AdminUser, id: Uuid) -> Result<Changeset, ApiError> {
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let row = locked(&mut tx, id).await?;
    publishable(&row).map_err(ApiError::Conflict)?;
    if let Err(problems) = publish_locked(&mut tx, Actor::Caller(admin), &row).await? {
        tx.rollback().await?;
        return Err(problems_error("nothing was published: some drafts would not apply", problems));
    }
    tx.commit().await?;
    let mut conn = db.acquire().await?;
    Ok(view(locked(&mut conn, id).await?, vec![]))
}

/// Applies a locked change set's drafts and records everything publishing means:
/// revisions, major-revision marks, audit entries, webhook events, the drafts gone and
/// the change set published. `Err(problems)` when any draft fails: the caller rolls
/// the transaction back, so nothing is published.
pub async fn publish_locked(
    conn: &mut PgConnection,
    actor: Actor<'_>,
    row: &ChangesetRow,
) -> Result<Result<(), Vec<ItemProblems>>, ApiError> {
    let drafts = store::drafts(conn, Some(row.changeset_id)).await?;
    if drafts.is_empty() {
        return Ok(Err(vec![]));
    }
    let applied = apply_drafts(conn, &drafts, BaseCheck::Enforce).await?;
    let problems = failing(&applied);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    for a in &applied {
        let (kind, id, name) = (a.draft.kind, a.id, a.draft.entity_name());
        let before = a.before.as_ref().and_then(|d| serde_json::to_value(d).ok());
        let Some(after_doc) = &a.after else { continue };
        if a.retired {
            // No new revision: the document did not change, and restoring brings it back.
            let diff = json!({"retired": {"before": false, "after": true}, "changeset": row.changeset_id});
            actor.audit(conn, kind.audit_kind(), Some(id), &name, AuditAction::Retire, &diff).await?;
            crate::admin::content::service::announce(conn, kind, id, after_doc, "retired", None).await?;
            store::delete_draft(conn, kind, a.draft.entity_id).await?;
            continue;
        }
        let after = serde_json::to_value(after_doc).unwrap_or_default();
        let by = Publisher {
            author_id: a.draft.author_id,
            token_id: actor.token_id(),
            changeset_id: Some(row.changeset_id),
        };
        revisions::record(conn, kind, id, &name, before.as_ref(), &after, a.draft.revision, by).await?;
        if a.draft.revision == RevisionClass::Major {
            content::mark_major_revision(conn, kind, id).await?;
        }
        let mut diff = audit::diff(before.as_ref(), Some(&after));
        if let Some(map) = diff.as_object_mut() {
            map.insert("changeset".into(), json!(row.changeset_id));
        }
        actor.audit(conn, kind.audit_kind(), Some(id), &name, AuditAction::Publish, &diff).await?;
        let (action, revision) = if a.draft.is_new { ("created", None) } else { ("updated", Some(a.draft.revision)) };
        crate::admin::content::service::announce(conn, kind, id, after_doc, action, revision).await?;
        store::delete_draft(conn, kind, a.draft.entity_id).await?;
    }
    store::mark_published(conn, row.changeset_id, actor.user_id()).await?;
    announce(conn, row, ChangesetState::Published, applied.len(), None, OffsetDateTime::now_utc()).await?;
    let diff = json!({"state": {"before": row.state, "after": ChangesetState::Published}, "items": applied.len()});
    actor.audit(conn, AuditKind::Changeset, Some(row.changeset_id), &row.title, AuditAction::Publish, &diff).await?;
    Ok(Ok(()))
}

/// Sets when a change set publishes. It must be publishable by then's rules now
/// (approved, or needing no approval); the scheduler checks again when it is due.
pub async fn schedule(
    db: &PgPool,
    admin: &AdminUser,
    id: Uuid,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Changeset, ApiError> {
    if at <= now {
        return Err(ApiError::invalid("publish_at", "must be in the future; publish now with POST …/publish"));
    }
    let mut tx = db.begin().await?;
    let row = locked(&mut tx, id).await?;
    publishable(&row).map_err(ApiError::Conflict)?;
    store::set_publish_at(&mut tx, id, Some(at)).await?;
    let diff = json!({"publish_at": {"before": row.publish_at.map(rfc3339), "after": rfc3339(at)}});
    audit::record(&mut tx, admin, AuditKind::Changeset, Some(id), &row.title, AuditAction::Schedule, &diff).await?;
    tx.commit().await?;
    get(db, id).await
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub async fn unschedule(db: &PgPool, admin: &AdminUser, id: Uuid) -> Result<Changeset, ApiError> {
    let mut tx = db.begin().await?;
    let row = locked(&mut tx, id).await?;
    if row.state == ChangesetState::Published {
        return Err(ApiError::Conflict("the change set is published already".into()));
    }
    if row.publish_at.is_some() {
        store::set_publish_at(&mut tx, id, None).await?;
        let diff = json!({"publish_at": {"before": row.publish_at.map(rfc3339), "after": null}});
        audit::record(&mut tx, admin, AuditKind::Changeset, Some(id), &row.title, AuditAction::Unschedule, &diff)
            .await?;
    }
    tx.commit().await?;
    get(db, id).await
}

/// Deletes an unpublished change set; its drafts stay, loose.
pub async fn discard(db: &PgPool, admin: &AdminUser, id: Uuid) -> Result<(), ApiError> {
    let mut tx = db.begin().await?;
    // Deleting it updates its drafts (they become loose): the lock order of draft writes.
    content::lock_content(&mut tx).await?;
    let row = locked(&mut tx, id).await?;
    if row.state == ChangesetState::Published {
        return Err(ApiError::Conflict("published change sets are kept for history".into()));
    }
    store::delete_changeset(&mut tx, id).await?;
    let diff = json!({"title": {"before": row.title, "after": null}});
    audit::record(&mut tx, admin, AuditKind::Changeset, Some(id), &row.title, AuditAction::Discard, &diff).await?;
    tx.commit().await?;
    Ok(())
}

/// Records why a due change set could not publish, so its author sees it (state
/// `failed`, `failure`), the audit log has it, and it is not retried until rescheduled.
pub async fn record_failure(
    conn: &mut PgConnection,
    row: &ChangesetRow,
    reason: &str,
    problems: &[ItemProblems],
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let problems: Vec<serde_json::Value> = problems
        .iter()
        .map(|p| {
            json!({"kind": p.kind, "key": p.key, "problems": p.problems.iter().map(|d: &DraftProblem| json!({"field": d.field, "problem": d.problem})).collect::<Vec<_>>()})
        })
        .collect();
    let failure = json!({"at": rfc3339(now), "reason": reason, "problems": problems});
    store::mark_failed(conn, row.changeset_id, &failure).await?;
    let items = store::drafts(conn, Some(row.changeset_id)).await?.len();
    announce(conn, row, ChangesetState::Failed, items, Some(&failure), now).await?;
    Actor::Scheduler
        .audit(conn, AuditKind::Changeset, Some(row.changeset_id), &row.title, AuditAction::Fail, &failure)
        .await?;
    Ok(())
}

/// The publish check of the scheduler (shared so both paths apply one rule).
pub fn may_publish(row: &ChangesetRow) -> Result<(), String> {
    publishable(row)
}
