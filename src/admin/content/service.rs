//! The admin content use cases: read, create, update, retire and restore one entity.
//! Each write runs in one transaction holding the content lock (so it serialises with
//! the seed command and other admins), goes through the seed's validation and upsert,
//! and is recorded in the audit log in the same transaction.

use sqlx::PgPool;
use uuid::Uuid;

use super::model::{ContentDoc, ContentEntity, ContentKind, RevisionClass, key_of, parse_doc, slug_of};
use super::store::{self, ContentError, load, locate, write};
use crate::admin::audit::{self, AuditAction};
use crate::admin::editorial::revisions;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::web::etag;

impl From<ContentError> for ApiError {
    fn from(err: ContentError) -> Self {
        match err {
            ContentError::NotFound(detail) => ApiError::NotFound(detail),
            ContentError::UnknownTopic(slug) => ApiError::invalid("topic", format!("no live topic {slug:?}")),
            ContentError::Invalid(problems) => ApiError::Validation {
                detail: "the document is invalid".into(),
                errors: problems
                    .into_iter()
                    .map(|(field, problem)| crate::error::FieldError::new(field, problem))
                    .collect(),
            },
            ContentError::Database(err) => err.into(),
        }
    }
}

fn entity(kind: ContentKind, id: Uuid, retired: bool, doc: &ContentDoc) -> ContentEntity {
    ContentEntity { kind, id, retired, doc: serde_json::to_value(doc).unwrap_or_default() }
}

/// A direct edit is published by its caller, outside any change set.
fn publisher(admin: &AdminUser) -> revisions::Publisher {
    revisions::Publisher { author_id: Some(admin.0.id), token_id: admin.0.api_token.map(|t| t.id), changeset_id: None }
}

/// The entity's ETag: what `If-Match` must carry to change it.
pub fn tag_of(entity: &ContentEntity) -> String {
    etag::tag_for(&serde_json::to_vec(entity).unwrap_or_default())
}

/// Checks `If-Match` against the entity's current ETag: 428 without one, 412 if stale.
fn check_if_match(if_match: Option<&str>, current: &ContentEntity) -> Result<(), ApiError> {
    let Some(value) = if_match else {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the ETag from GET; updates never overwrite blindly".into(),
        ));
    };
    if etag::matches_strongly(value, &tag_of(current)) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(
            "the entity changed since you read it; GET it again and reapply your change".into(),
        ))
    }
}

/// One entity, retired or not.
pub async fn get(db: &PgPool, kind: ContentKind, key: &str) -> Result<ContentEntity, ApiError> {
    let mut conn = db.acquire().await?;
    let (id, retired) = locate(&mut conn, kind, key).await?;
    let doc = load(&mut conn, kind, id).await?;
    Ok(entity(kind, id, retired, &doc))
}

/// Creates an entity from its document; 409 when the key is taken (retired included).
pub async fn create(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    body: serde_json::Value,
) -> Result<ContentEntity, ApiError> {
    let doc = parse_doc(kind, body)?;
    let mut tx = db.begin().await?;
    store::lock_content(&mut tx).await?;
    let (slug, topic) = slug_of(&doc);
    let key = key_of(&doc);
    if store::exists(&mut tx, kind, topic, slug).await? {
        return Err(ApiError::Conflict(format!(
            "a {} {key:?} already exists (retired ones can be restored)",
            kind.audit_kind()
        )));
    }
    let id = write(&mut tx, kind, &doc).await?;
    let created = entity(kind, id, false, &load(&mut tx, kind, id).await?);
    let diff = audit::diff(None, Some(&created.doc));
    audit::record(&mut tx, admin, kind.audit_kind(), Some(id), &key, AuditAction::Create, &diff).await?;
    revisions::record(&mut tx, kind, id, &key, None, &created.doc, RevisionClass::Minor, publisher(admin)).await?;
    announce(&mut tx, kind, id, &doc, "created", None).await?;
    tx.commit().await?;
    Ok(created)
}

/// Replaces a live entity's editable fields, if `if_match` is its current ETag.
pub async fn update(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    key: &str,
    body: serde_json::Value,
    if_match: Option<&str>,
    revision: RevisionClass,
) -> Result<ContentEntity, ApiError> {
    if revision == RevisionClass::Major && !matches!(kind, ContentKind::Questions | ContentKind::QuizItems) {
        return Err(ApiError::invalid("revision", "only questions and quiz items take a major revision"));
    }
    let doc = parse_doc(kind, body)?;
    let mut tx = db.begin().await?;
    store::lock_content(&mut tx).await?;
    let (id, retired) = locate(&mut tx, kind, key).await?;
    let before_doc = load(&mut tx, kind, id).await?;
    let before = entity(kind, id, retired, &before_doc);
    check_if_match(if_match, &before)?;
    if retired {
        return Err(ApiError::Conflict(format!("the {} is retired; restore it before editing", kind.audit_kind())));
    }
    if slug_of(&doc) != slug_of(&before_doc) {
        return Err(ApiError::invalid(
            "slug",
            "slugs (and a child's topic) cannot change; create a new entity instead",
        ));
    }
    write(&mut tx, kind, &doc).await?;
    if revision == RevisionClass::Major {
        store::mark_major_revision(&mut tx, kind, id).await?;
    }
    let after = entity(kind, id, false, &load(&mut tx, kind, id).await?);
    let diff = audit::diff(Some(&before.doc), Some(&after.doc));
    audit::record(&mut tx, admin, kind.audit_kind(), Some(id), &key_of(&doc), AuditAction::Update, &diff).await?;
    revisions::record(&mut tx, kind, id, &key_of(&doc), Some(&before.doc), &after.doc, revision, publisher(admin))
        .await?;
    announce(&mut tx, kind, id, &doc, "updated", Some(revision)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Retires (`retire`) or restores an entity, if `if_match` is its current ETag; a
/// no-op (and no audit entry) when it already is.
pub async fn set_retired(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    key: &str,
    if_match: Option<&str>,
    retire: bool,
) -> Result<ContentEntity, ApiError> {
    let mut tx = db.begin().await?;
    store::lock_content(&mut tx).await?;
    let (id, retired) = locate(&mut tx, kind, key).await?;
    let doc = load(&mut tx, kind, id).await?;
    check_if_match(if_match, &entity(kind, id, retired, &doc))?;
    if retired != retire {
        store::set_retired(&mut tx, kind, id, retire).await?;
        let action = if retire { AuditAction::Retire } else { AuditAction::Restore };
        let change = serde_json::json!({"retired": {"before": retired, "after": retire}});
        audit::record(&mut tx, admin, kind.audit_kind(), Some(id), &key_of(&doc), action, &change).await?;
        announce(&mut tx, kind, id, &doc, if retire { "retired" } else { "restored" }, None).await?;
    }
    tx.commit().await?;
    Ok(entity(kind, id, retire, &doc))
}

/// Queues the webhook event of a content write, in its transaction: subscribers hear
/// of it exactly when it commits.
pub(crate) async fn announce(
    conn: &mut sqlx::PgConnection,
    kind: ContentKind,
    id: Uuid,
    doc: &ContentDoc,
    action: &str,
    revision: Option<RevisionClass>,
) -> sqlx::Result<()> {
    use crate::webhooks::events::{self, EventType};
    let kind_name = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let url_key = match kind {
        ContentKind::Tracks | ContentKind::Topics | ContentKind::Articles => slug_of(doc).0.to_owned(),
        _ => id.to_string(),
    };
    let data = crate::webhooks::model::ContentEventData {
        kind: kind_name.clone(),
        id,
        key: key_of(doc),
        action: action.to_owned(),
        revision: revision.map(|r| if r == RevisionClass::Major { "major" } else { "minor" }.to_owned()),
        href: format!("/api/v1/admin/content/{kind_name}/{url_key}"),
    };
    let event = if action == "retired" { EventType::ContentRetired } else { EventType::ContentPublished };
    let data = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    events::emit(conn, event, time::OffsetDateTime::now_utc(), data).await.map(|_| ())
}
