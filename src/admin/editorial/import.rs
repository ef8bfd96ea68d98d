//! Importing a bundle into a change set: every entity the bundle creates or changes
//! becomes a draft of that change set (published later, reviewed like any other),
//! instead of going live at once. What the bundle leaves out is not retired here:
//! retiring stays a direct, deliberate act.

use std::collections::BTreeMap;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::actor::Actor;
use super::apply::entity_tag;
use super::drafts::touch_changeset;
use super::model::kind_name;
use super::store::{self, DraftRow};
use crate::admin::audit::{self, AuditAction, AuditKind};
use crate::admin::content::model::{Child, ContentDoc, ContentKind, TopicFields, key_of, slug_of};
use crate::admin::content::store as content;
use crate::admin::model::ImportReport;
use crate::auth::AdminUser;
use crate::content::Bundle;
use crate::content::report::{Changes, Counts};
use crate::error::ApiError;

/// The bundle as one document per entity, in the order publishing applies them.
fn split(bundle: Bundle) -> Vec<(ContentKind, ContentDoc)> {
    let mut out = Vec::new();
    for topic in bundle.topics {
        let slug = topic.slug.clone();
        out.push((
            ContentKind::Topics,
            ContentDoc::Topic(TopicFields {
                slug: topic.slug,
                title: topic.title,
                summary: topic.summary,
                key_points: topic.key_points,
                prerequisites: topic.prerequisites,
            }),
        ));
        let child = |doc| Child { topic: slug.clone(), doc };
        out.extend(topic.questions.into_iter().map(|d| (ContentKind::Questions, ContentDoc::Question(child(d)))));
        let child = |doc| Child { topic: slug.clone(), doc };
        out.extend(topic.flashcards.into_iter().map(|d| (ContentKind::Flashcards, ContentDoc::Flashcard(child(d)))));
        let child = |doc| Child { topic: slug.clone(), doc };
        out.extend(topic.quiz.into_iter().map(|d| (ContentKind::QuizItems, ContentDoc::QuizItem(child(d)))));
    }
    out.extend(bundle.tracks.into_iter().map(|d| (ContentKind::Tracks, ContentDoc::Track(d))));
    out.extend(bundle.articles.into_iter().map(|d| (ContentKind::Articles, ContentDoc::Article(d))));
    out
}

/// The id (and retired flag) of the entity at a slug, if it is published.
async fn published(
    conn: &mut PgConnection,
    kind: ContentKind,
    topic: Option<&str>,
    slug: &str,
) -> sqlx::Result<Option<(Uuid, bool)>> {
    // Dynamic only in the table and id column, which come from `kind`.
    let (table, id_col) = kind.table();
    match topic {
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {id_col}, retired_at IS NOT NULL FROM {table} WHERE slug = $1"
            )))
            .bind(slug)
            .fetch_optional(conn)
            .await
        }
        Some(topic) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT x.{id_col}, x.retired_at IS NOT NULL FROM {table} x JOIN topic t ON t.topic_id = x.topic_id
                 WHERE t.slug = $1 AND x.slug = $2"
            )))
            .bind(topic)
            .bind(slug)
            .fetch_optional(conn)
            .await
        }
    }
}

/// Drafts every entity of `bundle` that is new or differs from the published one into
/// change set `changeset`; the report counts drafted entities as created or updated.
pub async fn into_changeset(
    db: &PgPool,
    admin: &AdminUser,
    changeset: Uuid,
    bundle: Bundle,
) -> Result<ImportReport, ApiError> {
    let actor = Actor::Caller(admin);
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut changes: BTreeMap<String, Changes> = BTreeMap::new();
    let mut tx = db.begin().await?;
    content::lock_content(&mut tx).await?;
    touch_changeset(&mut tx, actor, changeset).await?;
    for (kind, doc) in split(bundle) {
        let (slug, topic) = slug_of(&doc);
        let (slug, topic) = (slug.to_owned(), topic.map(str::to_owned));
        let name = kind_name(kind).to_owned();
        let entity = key_of(&doc);
        let found = published(&mut tx, kind, topic.as_deref(), &slug).await?;
        let base = match found {
            Some((id, retired)) => {
                let current = content::load(&mut tx, kind, id).await?;
                if current == doc {
                    counts.entry(name).or_default().unchanged += 1;
                    continue;
                }
                Some((id, entity_tag(kind, id, retired, &current)))
            }
            None => None,
        };
        let existing = store::draft_by_slug(&mut tx, kind, topic.as_deref().unwrap_or(""), &slug).await?;
        if let Some(draft) = &existing
            && draft.changeset_id.is_some_and(|c| c != changeset)
        {
            return Err(ApiError::Conflict(format!(
                "{} {entity:?} has a draft in another change set; publish or discard it first",
                kind.audit_kind()
            )));
        }
        if existing.as_ref().is_some_and(|d| d.retire) {
            return Err(ApiError::Conflict(format!(
                "{} {entity:?} has its retirement drafted; discard that draft before importing a new version",
                kind.audit_kind()
            )));
        }
        let value = serde_json::to_value(&doc).unwrap_or_default();
        let row = DraftRow {
            kind,
            entity_id: existing
                .as_ref()
                .map(|d| d.entity_id)
                .or(base.as_ref().map(|b| b.0))
                .unwrap_or_else(Uuid::new_v4),
            topic_slug: topic.clone().unwrap_or_default(),
            slug,
            is_new: base.is_none(),
            retire: false,
            doc: value.clone(),
            revision: existing.as_ref().map(|d| d.revision).unwrap_or_default(),
            base_tag: existing.as_ref().and_then(|d| d.base_tag.clone()).or(base.as_ref().map(|b| b.1.clone())),
            changeset_id: Some(changeset),
            version: 1,
            author_id: Some(admin.0.id),
            updated_at: time::OffsetDateTime::now_utc(),
        };
        if existing.is_some() {
            store::save_draft(&mut tx, &row).await?;
        } else if store::insert_draft(&mut tx, &row).await?.is_none() {
            return Err(ApiError::Conflict(format!("a draft of {} {entity:?} appeared meanwhile", kind.audit_kind())));
        }
        let before = existing.map(|d| d.doc);
        let diff = audit::diff(before.as_ref(), Some(&value));
        actor.audit(&mut tx, kind.audit_kind(), Some(row.entity_id), &entity, AuditAction::Draft, &diff).await?;
        let (count, change) = (counts.entry(name.clone()).or_default(), changes.entry(name).or_default());
        if row.is_new {
            count.created += 1;
            change.created.push(entity);
        } else {
            count.updated += 1;
            change.updated.push(entity);
        }
    }
    let summary = serde_json::to_value(&counts).unwrap_or_default();
    audit::record(&mut tx, admin, AuditKind::Changeset, Some(changeset), "import", AuditAction::Import, &summary)
        .await?;
    tx.commit().await?;
    Ok(ImportReport { dry_run: false, counts, changes })
}
