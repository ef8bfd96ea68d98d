//! Applying drafts to the content tables inside the caller's transaction: the one
//! engine behind publishing (committed), checking a draft (rolled back) and previewing
//! (rolled back after the public read ran on it). Each draft runs the same validation
//! and upsert as a direct edit or the seed, in a savepoint of its own, so one bad draft
//! is reported without hiding the problems of the others.

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use super::model::{DraftProblem, apply_rank};
use super::store::DraftRow;
use crate::admin::content::model::{ContentDoc, ContentEntity, ContentKind, parse_doc, slug_of};
use crate::admin::content::store::{self, ContentError};
use crate::error::ApiError;

/// What applying one draft did.
#[derive(Debug)]
pub struct Applied {
    pub draft: DraftRow,
    /// The entity's id (for new content, the id it was reserved).
    pub id: Uuid,
    /// The published document before, for content that existed.
    pub before: Option<ContentDoc>,
    /// The document as written; `None` when it was not (see `problems`). For a
    /// retirement, the document as it stands (unchanged).
    pub after: Option<ContentDoc>,
    /// Whether the draft retired the entity (rather than writing a document).
    pub retired: bool,
    pub problems: Vec<DraftProblem>,
}

/// Whether drafts whose entity was published over since they were started count as a
/// problem (publishing: yes; previewing: no, show the draft anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseCheck {
    Enforce,
    Ignore,
}

fn problem(field: impl Into<String>, text: impl Into<String>) -> DraftProblem {
    DraftProblem { field: field.into(), problem: text.into() }
}

/// The ETag a published entity has now (what a draft's `base_tag` recorded).
pub fn entity_tag(kind: ContentKind, id: Uuid, retired: bool, doc: &ContentDoc) -> String {
    let entity = ContentEntity { kind, id, retired, doc: serde_json::to_value(doc).unwrap_or_default() };
    crate::admin::content::service::tag_of(&entity)
}

/// Applies `drafts` (in dependency order) to the content tables on `conn`, which must
/// be in a transaction holding the content lock.
pub async fn apply_drafts(
    conn: &mut PgConnection,
    drafts: &[DraftRow],
    base: BaseCheck,
) -> Result<Vec<Applied>, ApiError> {
    let mut ordered: Vec<&DraftRow> = drafts.iter().collect();
    ordered.sort_by_key(|d| apply_rank(d.kind));
    let mut out = Vec::with_capacity(ordered.len());
    for draft in ordered {
        out.push(apply_one(conn, draft, base).await?);
    }
    Ok(out)
}

async fn apply_one(conn: &mut PgConnection, draft: &DraftRow, base: BaseCheck) -> Result<Applied, ApiError> {
    let mut applied = Applied {
        draft: draft.clone(),
        id: draft.entity_id,
        before: None,
        after: None,
        retired: false,
        problems: vec![],
    };
    if draft.retire {
        return retire_one(conn, applied, base).await;
    }
    let doc = match parse_doc(draft.kind, draft.doc.clone()) {
        Ok(doc) => doc,
        Err(ApiError::Validation { errors, .. }) => {
            applied.problems = errors.into_iter().map(|e| problem(e.field, e.message)).collect();
            return Ok(applied);
        }
        Err(other) => return Err(other),
    };
    let (slug, topic) = slug_of(&doc);
    if slug != draft.slug || topic.unwrap_or("") != draft.topic_slug {
        applied.problems.push(problem("slug", "a draft keeps its entity's slug (and a child's topic)"));
        return Ok(applied);
    }
    if draft.is_new {
        if store::exists(conn, draft.kind, topic, slug).await? {
            applied.problems.push(problem("slug", "published content with this slug exists now"));
            return Ok(applied);
        }
    } else {
        let (id, retired) = store::locate(conn, draft.kind, &draft.key()).await?;
        let before = store::load(conn, draft.kind, id).await?;
        applied.id = id;
        if retired {
            applied.problems.push(problem("retired", "the entity is retired; restore it before publishing a draft"));
        }
        if base == BaseCheck::Enforce
            && draft.base_tag.as_deref().is_some_and(|tag| tag != entity_tag(draft.kind, id, retired, &before))
        {
            applied.problems.push(problem(
                "base",
                "the published entity changed since this draft was started; compare, then save the draft with \
                 `?rebase=true`",
            ));
        }
        applied.before = Some(before);
        if !applied.problems.is_empty() {
            return Ok(applied);
        }
    }
    let mut savepoint = conn.begin().await?;
    match store::write(&mut savepoint, draft.kind, &doc).await {
        Ok(id) => {
            savepoint.commit().await?;
            applied.id = id;
            applied.after = Some(store::load(conn, draft.kind, id).await?);
        }
        Err(err) => {
            savepoint.rollback().await?;
            applied.problems = match err {
                ContentError::Invalid(problems) => problems.into_iter().map(|(f, p)| problem(f, p)).collect(),
                ContentError::UnknownTopic(slug) => vec![problem("topic", format!("no live topic {slug:?}"))],
                ContentError::NotFound(detail) => vec![problem("key", detail)],
                ContentError::Database(err) if is_constraint(&err) => vec![problem("doc", err.to_string())],
                ContentError::Database(err) => return Err(err.into()),
            };
        }
    }
    Ok(applied)
}

/// A retirement draft: the entity must still be live and unchanged since the draft
/// began (when enforced); then it is retired in a savepoint.
async fn retire_one(conn: &mut PgConnection, mut applied: Applied, base: BaseCheck) -> Result<Applied, ApiError> {
    let kind = applied.draft.kind;
    let (id, retired) = store::locate(conn, kind, &applied.draft.key()).await?;
    let before = store::load(conn, kind, id).await?;
    applied.id = id;
    if retired {
        applied.problems.push(problem("retired", "the entity is retired already"));
    } else if base == BaseCheck::Enforce
        && applied.draft.base_tag.as_deref().is_some_and(|tag| tag != entity_tag(kind, id, retired, &before))
    {
        applied.problems.push(problem(
            "base",
            "the published entity changed since its retirement was drafted; discard the draft and draft it again",
        ));
    }
    if applied.problems.is_empty() {
        let mut savepoint = conn.begin().await?;
        store::set_retired(&mut savepoint, kind, id, true).await?;
        savepoint.commit().await?;
        applied.after = Some(before.clone());
        applied.retired = true;
    }
    applied.before = Some(before);
    Ok(applied)
}

/// A constraint the document broke (class 23, integrity constraint violation): the
/// draft's fault, reported like a validation problem.
fn is_constraint(err: &sqlx::Error) -> bool {
    err.as_database_error().and_then(|e| e.code()).is_some_and(|code| code.starts_with("23"))
}
