//! The draft use cases: start, edit, read (with what stops it publishing) and discard
//! the draft of an entity, or of content that does not exist yet. Drafts live apart
//! from the content tables, so no public read, cache, change feed or learner sees one.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::actor::Actor;
use super::apply::{BaseCheck, apply_drafts, entity_tag};
use super::model::{ChangesetState, Draft, DraftList, DraftProblem};
use super::store::{self, DraftRow};
use crate::admin::audit::{self, AuditAction};
use crate::admin::content::model::{ContentKind, RevisionClass, slug_of};
use crate::admin::content::store as content;
use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::slug::is_slug;
use crate::web::etag;

/// What a draft write carries besides the document.
#[derive(Debug, Clone, Copy, Default)]
pub struct DraftOptions {
    pub revision: Option<RevisionClass>,
    /// Put the draft in this change set.
    pub changeset: Option<Uuid>,
    /// Take the published entity as it is now as the draft's base.
    pub rebase: bool,
}

/// The draft at `key` (a slug, or an id for a topic's children), locked.
pub async fn find(conn: &mut PgConnection, kind: ContentKind, key: &str) -> sqlx::Result<Option<DraftRow>> {
    if kind.by_id() {
        match key.parse::<Uuid>() {
            Ok(id) => store::draft(conn, kind, id).await,
            Err(_) => Ok(None),
        }
    } else {
        store::draft_by_slug(conn, kind, "", key).await
    }
}

fn no_draft(kind: ContentKind, key: &str) -> ApiError {
    ApiError::NotFound(format!("no draft of {} {key:?}", kind.audit_kind()))
}

/// The draft as the API shows it, with `problems` from applying it (after the other
/// drafts of its change set) in a transaction that is rolled back.
pub async fn view(db: &PgPool, row: DraftRow) -> Result<Draft, ApiError> {
    let siblings = match row.changeset_id {
        Some(changeset) => {
            let mut conn = db.acquire().await?;
            store::drafts(&mut conn, Some(changeset)).await?
        }
        None => vec![row.clone()],
    };
    let problems = check(db, &siblings).await?;
    let mine = problems.into_iter().find(|(kind, id, _)| *kind == row.kind && *id == row.entity_id);
    Ok(to_view(row, mine.map(|(_, _, p)| p).unwrap_or_default()))
}

/// The problems of each draft, from applying them all in a rolled-back transaction.
pub async fn check(db: &PgPool, drafts: &[DraftRow]) -> Result<Vec<(ContentKind, Uuid, Vec<DraftProblem>)>, ApiError> {
    if drafts.is_empty() {
        return Ok(vec![]);
    }
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let applied = apply_drafts(&mut tx, drafts, BaseCheck::Enforce).await?;
    tx.rollback().await?;
    Ok(applied.into_iter().map(|a| (a.draft.kind, a.draft.entity_id, a.problems)).collect())
}

pub fn to_view(row: DraftRow, problems: Vec<DraftProblem>) -> Draft {
    Draft {
        kind: row.kind,
        key: row.key(),
        id: row.entity_id,
        is_new: row.is_new,
        retire: row.retire,
        publishable: problems.is_empty(),
        doc: row.doc,
        revision: row.revision,
        changeset_id: row.changeset_id,
        version: row.version,
        author_id: row.author_id,
        updated_at: row.updated_at,
        problems,
    }
}

/// One draft with its ETag.
pub async fn get(db: &PgPool, kind: ContentKind, key: &str) -> Result<(Draft, String), ApiError> {
    let row = {
        let mut conn = db.acquire().await?;
        find(&mut conn, kind, key).await?.ok_or_else(|| no_draft(kind, key))?
    };
    let tag = row.tag();
    Ok((view(db, row).await?, tag))
}

/// Every draft (or a change set's), each with its problems.
pub async fn list(db: &PgPool, changeset: Option<Uuid>) -> Result<DraftList, ApiError> {
    let rows = {
        let mut conn = db.acquire().await?;
        store::drafts(&mut conn, changeset).await?
    };
    let mut problems = Vec::new();
    // Drafts are checked with the others of their change set (loose drafts alone).
    let mut groups: Vec<Option<Uuid>> = rows.iter().map(|r| r.changeset_id).collect();
    groups.sort();
    groups.dedup();
    for group in groups {
        match group {
            Some(_) => {
                let members: Vec<DraftRow> = rows.iter().filter(|r| r.changeset_id == group).cloned().collect();
                problems.extend(check(db, &members).await?);
            }
            None => {
                for row in rows.iter().filter(|r| r.changeset_id.is_none()) {
                    problems.extend(check(db, std::slice::from_ref(row)).await?);
                }
            }
        }
    }
    let items = rows
        .into_iter()
        .map(|row| {
            let mine = problems.iter().find(|(k, id, _)| *k == row.kind && *id == row.entity_id);
            let p = mine.map(|(_, _, p)| p.clone()).unwrap_or_default();
            to_view(row, p)
        })
        .collect();
    Ok(DraftList { items })
}

fn check_if_match(if_match: Option<&str>, row: &DraftRow) -> Result<(), ApiError> {
    let Some(value) = if_match else {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the draft's ETag; drafts are never overwritten blindly".into(),
        ));
    };
    if etag::matches_strongly(value, &row.tag()) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed("the draft changed since you read it; GET it again and reapply".into()))
    }
}

fn check_revision(kind: ContentKind, revision: Option<RevisionClass>) -> Result<(), ApiError> {
    if revision == Some(RevisionClass::Major) && !matches!(kind, ContentKind::Questions | ContentKind::QuizItems) {
        return Err(ApiError::invalid("revision", "only questions and quiz items take a major revision"));
    }
    Ok(())
}

fn object(body: Value) -> Result<Value, ApiError> {
    if body.is_object() { Ok(body) } else { Err(ApiError::invalid("body", "a draft is a JSON object")) }
}

/// A change set a draft is joining or leaving: it must not be published, and a change
/// in its drafts voids any review (back to `open`).
pub async fn touch_changeset(conn: &mut PgConnection, actor: Actor<'_>, id: Uuid) -> Result<(), ApiError> {
    let changeset =
        store::changeset(conn, id).await?.ok_or_else(|| ApiError::NotFound(format!("no change set {id}")))?;
    match changeset.state {
        ChangesetState::Published => {
            Err(ApiError::Conflict("the change set is published; start a new one for further edits".into()))
        }
        ChangesetState::Open => Ok(()),
        ChangesetState::Submitted | ChangesetState::Approved | ChangesetState::Failed => {
            store::set_state(conn, id, ChangesetState::Open, None).await?;
            let diff = serde_json::json!({"state": {"before": changeset.state, "after": ChangesetState::Open}});
            actor
                .audit(conn, audit::AuditKind::Changeset, Some(id), &changeset.title, AuditAction::Update, &diff)
                .await?;
            Ok(())
        }
    }
}

/// Creates or replaces the draft of an existing entity. The first write needs no
/// `If-Match` (or the published entity's ETag); later ones need the draft's.
pub async fn put(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    key: &str,
    body: Value,
    if_match: Option<&str>,
    options: DraftOptions,
) -> Result<(Draft, String), ApiError> {
    check_revision(kind, options.revision)?;
    let body = object(body)?;
    let actor = Actor::Caller(admin);
    let mut tx = db.begin().await?;
    // Draft writes lock the draft and then its change set; publishing locks the change
    // set and then deletes its drafts. Both take the content lock first, so they never
    // wait on each other in opposite orders.
    content::lock_content(&mut tx).await?;
    let existing = find(&mut tx, kind, key).await?;
    let row = match existing {
        Some(mut row) => {
            check_if_match(if_match, &row)?;
            if row.retire {
                return Err(ApiError::Conflict(format!(
                    "this draft retires the {}; discard it (DELETE …/draft) to draft a change instead",
                    kind.audit_kind()
                )));
            }
            let before = row.doc.clone();
            if options.rebase && !row.is_new {
                let (id, retired) = content::locate(&mut tx, kind, key).await?;
                row.base_tag = Some(entity_tag(kind, id, retired, &content::load(&mut tx, kind, id).await?));
            }
            let old_changeset = row.changeset_id;
            row.doc = body;
            row.revision = options.revision.unwrap_or(row.revision);
            row.changeset_id = options.changeset.or(row.changeset_id);
            row.author_id = Some(admin.0.id);
            for changeset in [old_changeset, row.changeset_id].into_iter().flatten() {
                touch_changeset(&mut tx, actor, changeset).await?;
            }
            row.version = store::save_draft(&mut tx, &row).await?;
            let diff = audit::diff(Some(&before), Some(&row.doc));
            actor
                .audit(&mut tx, kind.audit_kind(), Some(row.entity_id), &row.entity_name(), AuditAction::Draft, &diff)
                .await?;
            row
        }
        None => {
            let (id, retired) = content::locate(&mut tx, kind, key).await.map_err(|_| {
                ApiError::NotFound(format!(
                    "no {} {key:?}; start new content with POST /api/v1/admin/drafts/{{kind}}",
                    kind.audit_kind()
                ))
            })?;
            let published = content::load(&mut tx, kind, id).await?;
            let tag = entity_tag(kind, id, retired, &published);
            if let Some(value) = if_match
                && !etag::matches_strongly(value, &tag)
            {
                return Err(ApiError::PreconditionFailed(
                    "the published entity changed since you read it; GET it again".into(),
                ));
            }
            let (slug, topic) = slug_of(&published);
            let mut row = DraftRow {
                kind,
                entity_id: id,
                topic_slug: topic.unwrap_or("").to_owned(),
                slug: slug.to_owned(),
                is_new: false,
                retire: false,
                doc: body,
                revision: options.revision.unwrap_or_default(),
                base_tag: Some(tag),
                changeset_id: options.changeset,
                version: 1,
                author_id: Some(admin.0.id),
                updated_at: time::OffsetDateTime::now_utc(),
            };
            if let Some(changeset) = row.changeset_id {
                touch_changeset(&mut tx, actor, changeset).await?;
            }
            row.version = store::insert_draft(&mut tx, &row).await?.ok_or_else(|| {
                ApiError::PreconditionFailed("someone started a draft of this entity meanwhile; GET it".into())
            })?;
            let published = serde_json::to_value(&published).unwrap_or_default();
            let diff = audit::diff(Some(&published), Some(&row.doc));
            actor.audit(&mut tx, kind.audit_kind(), Some(id), &row.entity_name(), AuditAction::Draft, &diff).await?;
            row
        }
    };
    tx.commit().await?;
    saved(db, kind, row.entity_id).await
}

/// Re-reads a draft just written (its `updated_at` as stored) and shows it.
async fn saved(db: &PgPool, kind: ContentKind, id: Uuid) -> Result<(Draft, String), ApiError> {
    let row = {
        let mut conn = db.acquire().await?;
        store::draft(&mut conn, kind, id).await?.ok_or_else(|| no_draft(kind, &id.to_string()))?
    };
    let tag = row.tag();
    Ok((view(db, row).await?, tag))
}

/// Starts a draft of new content: the document names its `slug` (and a child its
/// `topic`); the rest may come later. The new entity's id is reserved now.
pub async fn create(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    body: Value,
    options: DraftOptions,
) -> Result<(Draft, String), ApiError> {
    check_revision(kind, options.revision)?;
    let body = object(body)?;
    let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
    let slug = text("slug")
        .filter(|s| is_slug(s))
        .ok_or_else(|| ApiError::invalid("slug", "a new draft names its slug (lower-case words joined by hyphens)"))?;
    let topic = if matches!(kind, ContentKind::Questions | ContentKind::Flashcards | ContentKind::QuizItems) {
        text("topic").filter(|s| is_slug(s)).ok_or_else(|| {
            ApiError::invalid("topic", "a new question, flashcard or quiz item names its topic's slug")
        })?
    } else {
        String::new()
    };
    let actor = Actor::Caller(admin);
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let topic_ref = (!topic.is_empty()).then_some(topic.as_str());
    if content::exists(&mut tx, kind, topic_ref, &slug).await? {
        return Err(ApiError::Conflict(format!(
            "a {} {slug:?} is published already; draft a change of it with PUT …/draft",
            kind.audit_kind()
        )));
    }
    if store::draft_by_slug(&mut tx, kind, &topic, &slug).await?.is_some() {
        return Err(ApiError::Conflict(format!("a draft of a new {} {slug:?} exists already", kind.audit_kind())));
    }
    let mut row = DraftRow {
        kind,
        entity_id: Uuid::new_v4(),
        topic_slug: topic,
        slug,
        is_new: true,
        retire: false,
        doc: body,
        revision: options.revision.unwrap_or_default(),
        base_tag: None,
        changeset_id: options.changeset,
        version: 1,
        author_id: Some(admin.0.id),
        updated_at: time::OffsetDateTime::now_utc(),
    };
    if let Some(changeset) = row.changeset_id {
        touch_changeset(&mut tx, actor, changeset).await?;
    }
    row.version = store::insert_draft(&mut tx, &row).await?.ok_or_else(|| {
        ApiError::Conflict(format!("a draft of a new {} {:?} exists already", kind.audit_kind(), row.slug))
    })?;
    let diff = audit::diff(None, Some(&row.doc));
    actor.audit(&mut tx, kind.audit_kind(), Some(row.entity_id), &row.entity_name(), AuditAction::Draft, &diff).await?;
    tx.commit().await?;
    saved(db, kind, row.entity_id).await
}

/// Drafts the retirement of a published entity: when the draft publishes (with its
/// change set), the entity is retired as `POST /admin/content/{kind}/{key}/retire` would,
/// and until then nobody but a preview sees a difference.
pub async fn retire(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    key: &str,
    changeset: Option<Uuid>,
) -> Result<(Draft, String), ApiError> {
    let actor = Actor::Caller(admin);
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    if find(&mut tx, kind, key).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "the {} has a draft already; publish or discard it before drafting its retirement",
            kind.audit_kind()
        )));
    }
    let (id, retired) = content::locate(&mut tx, kind, key).await?;
    if retired {
        return Err(ApiError::Conflict(format!("the {} is retired already", kind.audit_kind())));
    }
    let published = content::load(&mut tx, kind, id).await?;
    let (slug, topic) = slug_of(&published);
    let row = DraftRow {
        kind,
        entity_id: id,
        topic_slug: topic.unwrap_or("").to_owned(),
        slug: slug.to_owned(),
        is_new: false,
        retire: true,
        doc: serde_json::to_value(&published).unwrap_or_default(),
        revision: RevisionClass::default(),
        base_tag: Some(entity_tag(kind, id, retired, &published)),
        changeset_id: changeset,
        version: 1,
        author_id: Some(admin.0.id),
        updated_at: time::OffsetDateTime::now_utc(),
    };
    if let Some(changeset) = changeset {
        touch_changeset(&mut tx, actor, changeset).await?;
    }
    store::insert_draft(&mut tx, &row).await?.ok_or_else(|| {
        ApiError::PreconditionFailed("someone started a draft of this entity meanwhile; GET it".into())
    })?;
    let diff = serde_json::json!({"retired": {"before": false, "after": true}});
    actor.audit(&mut tx, kind.audit_kind(), Some(id), &row.entity_name(), AuditAction::Draft, &diff).await?;
    tx.commit().await?;
    saved(db, kind, id).await
}

/// Throws a draft away (the published entity, if any, stays as it is).
pub async fn discard(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    key: &str,
    if_match: Option<&str>,
) -> Result<(), ApiError> {
    let actor = Actor::Caller(admin);
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    let row = find(&mut tx, kind, key).await?.ok_or_else(|| no_draft(kind, key))?;
    check_if_match(if_match, &row)?;
    if let Some(changeset) = row.changeset_id {
        touch_changeset(&mut tx, actor, changeset).await?;
    }
    store::delete_draft(&mut tx, kind, row.entity_id).await?;
    let diff = audit::diff(Some(&row.doc), None);
    actor
        .audit(&mut tx, kind.audit_kind(), Some(row.entity_id), &row.entity_name(), AuditAction::Discard, &diff)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a draft from an old revision (restoring it once the draft publishes).
pub async fn from_revision(
    db: &PgPool,
    admin: &AdminUser,
    kind: ContentKind,
    key: &str,
    number: i32,
) -> Result<(Draft, String), ApiError> {
    let doc = {
        let mut conn = db.acquire().await?;
        let (id, _) = content::locate(&mut conn, kind, key).await?;
        if find(&mut conn, kind, key).await?.is_some() {
            return Err(ApiError::Conflict(
                "the entity has a draft already; publish or discard it before restoring a revision".into(),
            ));
        }
        super::revisions::doc(&mut conn, kind, id, number)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no revision {number} of {} {key:?}", kind.audit_kind())))?
    };
    put(db, admin, kind, key, doc, None, DraftOptions::default()).await
}
