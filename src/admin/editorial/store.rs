//! SQL for drafts, change sets and preview tokens.

use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{ChangesetState, kind_name};
use crate::admin::content::model::{ContentKind, RevisionClass};

/// A stored draft.
#[derive(Debug, Clone)]
pub struct DraftRow {
    pub kind: ContentKind,
    pub entity_id: Uuid,
    pub topic_slug: String,
    pub slug: String,
    pub is_new: bool,
    /// Publishing retires the entity instead of writing `doc` (the published document,
    /// kept for reference).
    pub retire: bool,
    pub doc: Value,
    pub revision: RevisionClass,
    pub base_tag: Option<String>,
    pub changeset_id: Option<Uuid>,
    pub version: i32,
    pub author_id: Option<Uuid>,
    pub updated_at: OffsetDateTime,
}

impl DraftRow {
    /// What the entity's URLs use.
    pub fn key(&self) -> String {
        if self.kind.by_id() { self.entity_id.to_string() } else { self.slug.clone() }
    }

    /// The audit name: `slug`, or `topic/slug` for children.
    pub fn entity_name(&self) -> String {
        if self.topic_slug.is_empty() { self.slug.clone() } else { format!("{}/{}", self.topic_slug, self.slug) }
    }

    /// The draft's ETag (what `If-Match` on the draft must carry).
    pub fn tag(&self) -> String {
        format!("\"draft-{}-{}\"", self.entity_id, self.version)
    }
}

struct RawDraft {
    kind: String,
    entity_id: Uuid,
    topic_slug: String,
    slug: String,
    is_new: bool,
    retire: bool,
    doc: Json<Value>,
    revision: String,
    base_tag: Option<String>,
    changeset_id: Option<Uuid>,
    version: i32,
    author_id: Option<Uuid>,
    updated_at: OffsetDateTime,
}

impl RawDraft {
    fn into_row(self) -> Option<DraftRow> {
        Some(DraftRow {
            kind: super::model::parse_kind(&self.kind)?,
            entity_id: self.entity_id,
            topic_slug: self.topic_slug,
            slug: self.slug,
            is_new: self.is_new,
            retire: self.retire,
            doc: self.doc.0,
            revision: if self.revision == "major" { RevisionClass::Major } else { RevisionClass::Minor },
            base_tag: self.base_tag,
            changeset_id: self.changeset_id,
            version: self.version,
            author_id: self.author_id,
            updated_at: self.updated_at,
        })
    }
}

fn revision_name(revision: RevisionClass) -> &'static str {
    if revision == RevisionClass::Major { "major" } else { "minor" }
}

/// The draft of one entity, locked for the rest of the transaction when `lock`.
pub async fn draft(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<Option<DraftRow>> {
    let raw = sqlx::query_as!(
        RawDraft,
        r#"SELECT kind, entity_id, topic_slug, slug, is_new, retire, doc AS "doc: Json<Value>", revision, base_tag,
                  changeset_id, version, author_id, updated_at
           FROM content_draft WHERE kind = $1 AND entity_id = $2 FOR UPDATE"#,
        kind_name(kind),
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(raw.and_then(RawDraft::into_row))
}

/// The draft of an entity by its slug (and its topic's slug for children).
pub async fn draft_by_slug(
    conn: &mut PgConnection,
    kind: ContentKind,
    topic_slug: &str,
    slug: &str,
) -> sqlx::Result<Option<DraftRow>> {
    let raw = sqlx::query_as!(
        RawDraft,
        r#"SELECT kind, entity_id, topic_slug, slug, is_new, retire, doc AS "doc: Json<Value>", revision, base_tag,
                  changeset_id, version, author_id, updated_at
           FROM content_draft WHERE kind = $1 AND topic_slug = $2 AND slug = $3 FOR UPDATE"#,
        kind_name(kind),
        topic_slug,
        slug
    )
    .fetch_optional(conn)
    .await?;
    Ok(raw.and_then(RawDraft::into_row))
}

/// Every draft, or a change set's, oldest first.
pub async fn drafts(conn: &mut PgConnection, changeset: Option<Uuid>) -> sqlx::Result<Vec<DraftRow>> {
    let raws = sqlx::query_as!(
        RawDraft,
        r#"SELECT kind, entity_id, topic_slug, slug, is_new, retire, doc AS "doc: Json<Value>", revision, base_tag,
                  changeset_id, version, author_id, updated_at
           FROM content_draft WHERE ($1::uuid IS NULL OR changeset_id = $1)
           ORDER BY created_at, kind, entity_id"#,
        changeset
    )
    .fetch_all(conn)
    .await?;
    Ok(raws.into_iter().filter_map(RawDraft::into_row).collect())
}

/// Replaces a draft (bumping its version).
pub async fn save_draft(conn: &mut PgConnection, row: &DraftRow) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        r#"INSERT INTO content_draft (kind, entity_id, topic_slug, slug, is_new, doc, revision, base_tag, changeset_id,
                                      author_id, retire)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (kind, entity_id) DO UPDATE
           SET doc = excluded.doc, revision = excluded.revision, base_tag = excluded.base_tag,
               changeset_id = excluded.changeset_id, author_id = excluded.author_id, retire = excluded.retire,
               version = content_draft.version + 1, updated_at = now()
           RETURNING version"#,
        kind_name(row.kind),
        row.entity_id,
        row.topic_slug,
        row.slug,
        row.is_new,
        Json(&row.doc) as _,
        revision_name(row.revision),
        row.base_tag,
        row.changeset_id,
        row.author_id,
        row.retire
    )
    .fetch_one(conn)
    .await
}

/// Inserts a draft that must be the first of its entity (and key): `None` when another
/// writer got there first, so two admins starting the same draft never overwrite
/// each other.
pub async fn insert_draft(conn: &mut PgConnection, row: &DraftRow) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        r#"INSERT INTO content_draft (kind, entity_id, topic_slug, slug, is_new, doc, revision, base_tag, changeset_id,
                                      author_id, retire)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT DO NOTHING
           RETURNING version"#,
        kind_name(row.kind),
        row.entity_id,
        row.topic_slug,
        row.slug,
        row.is_new,
        Json(&row.doc) as _,
        revision_name(row.revision),
        row.base_tag,
        row.changeset_id,
        row.author_id,
        row.retire
    )
    .fetch_optional(conn)
    .await
}

pub async fn delete_draft(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM content_draft WHERE kind = $1 AND entity_id = $2", kind_name(kind), id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored change set.
#[derive(Debug, Clone)]
pub struct ChangesetRow {
    pub changeset_id: Uuid,
    pub title: String,
    pub author_id: Option<Uuid>,
    pub author_email: String,
    pub state: ChangesetState,
    pub requires_approval: bool,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<OffsetDateTime>,
    pub publish_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
    pub failure: Option<Json<Value>>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One change set, locked for the rest of the transaction.
pub async fn changeset(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<ChangesetRow>> {
    sqlx::query_as!(
        ChangesetRow,
        r#"SELECT changeset_id, title, author_id, author_email, state AS "state: ChangesetState", requires_approval,
                  approved_by, approved_at, publish_at, published_at, failure AS "failure: Json<Value>",
                  created_at, updated_at
           FROM content_changeset WHERE changeset_id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Change sets, newest first, optionally only those in `state`.
pub async fn changesets(
    conn: &mut PgConnection,
    state: Option<ChangesetState>,
    limit: i64,
) -> sqlx::Result<Vec<ChangesetRow>> {
    sqlx::query_as!(
        ChangesetRow,
        r#"SELECT changeset_id, title, author_id, author_email, state AS "state: ChangesetState", requires_approval,
                  approved_by, approved_at, publish_at, published_at, failure AS "failure: Json<Value>",
                  created_at, updated_at
           FROM content_changeset WHERE ($1::text IS NULL OR state = $1)
           ORDER BY created_at DESC, changeset_id LIMIT $2"#,
        state as Option<ChangesetState>,
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_changeset(
    conn: &mut PgConnection,
    title: &str,
    author_id: Uuid,
    requires_approval: bool,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        r#"INSERT INTO content_changeset (title, author_id, author_email, requires_approval)
           VALUES ($1, $2, (SELECT email FROM app_user WHERE user_id = $2), $3) RETURNING changeset_id"#,
        title,
        author_id,
        requires_approval
    )
    .fetch_one(conn)
    .await
}

/// Moves a change set to `state`; `approved_by` is kept only for `approved` and
/// `published`, so any other move voids an approval.
pub async fn set_state(
    conn: &mut PgConnection,
    id: Uuid,
    state: ChangesetState,
    approved_by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE content_changeset
           SET state = $2,
               approved_by = CASE WHEN $2 IN ('approved', 'published') THEN COALESCE($3, approved_by) END,
               approved_at = CASE WHEN $2 = 'approved' AND $3::uuid IS NOT NULL THEN now()
                                  WHEN $2 IN ('approved', 'published') THEN approved_at END,
               failure = CASE WHEN $2 = 'failed' THEN failure END,
               version = version + 1, updated_at = now()
           WHERE changeset_id = $1"#,
        id,
        state as ChangesetState,
        approved_by
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_publish_at(conn: &mut PgConnection, id: Uuid, at: Option<OffsetDateTime>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE content_changeset SET publish_at = $2, version = version + 1, updated_at = now() WHERE changeset_id = $1",
        id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_published(conn: &mut PgConnection, id: Uuid, by: Option<Uuid>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE content_changeset SET state = 'published', published_at = now(), published_by = $2, failure = NULL,
                  version = version + 1, updated_at = now()
           WHERE changeset_id = $1"#,
        id,
        by
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_failed(conn: &mut PgConnection, id: Uuid, failure: &Value) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE content_changeset SET state = 'failed', failure = $2, publish_at = NULL, approved_by = NULL,
                  approved_at = NULL, version = version + 1, updated_at = now()
           WHERE changeset_id = $1"#,
        id,
        Json(failure) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_changeset(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM content_changeset WHERE changeset_id = $1", id).execute(conn).await?;
    Ok(())
}

/// The change set due first at `now`, locked; another instance's scheduler skips it
/// until this transaction ends (and then sees it published).
pub async fn claim_due(conn: &mut PgConnection, now: OffsetDateTime) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        r#"SELECT changeset_id FROM content_changeset
           WHERE publish_at IS NOT NULL AND publish_at <= $1 AND state <> 'published'
           ORDER BY publish_at, changeset_id LIMIT 1 FOR UPDATE SKIP LOCKED"#,
        now
    )
    .fetch_optional(conn)
    .await
}
