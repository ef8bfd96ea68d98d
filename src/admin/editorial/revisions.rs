//! Every published revision of an entity, kept so an admin can see who changed what
//! when, and bring an old version back as a draft.

use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::model::{Revision, kind_name};
use crate::admin::audit;
use crate::admin::content::model::{ContentKind, RevisionClass};

/// Who published a revision.
#[derive(Debug, Clone, Copy)]
pub struct Publisher {
    pub author_id: Option<Uuid>,
    pub token_id: Option<Uuid>,
    pub changeset_id: Option<Uuid>,
}

/// Records a new revision of an entity. The first time an entity that already had
/// content (seeded or imported) is revised, its content before is kept as revision 1,
/// so the first edit can be undone too.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut PgConnection,
    kind: ContentKind,
    id: Uuid,
    entity: &str,
    before: Option<&Value>,
    after: &Value,
    class: RevisionClass,
    by: Publisher,
) -> sqlx::Result<()> {
    let kind = kind_name(kind);
    let latest: Option<i32> =
        sqlx::query_scalar!("SELECT max(number) FROM content_revision WHERE kind = $1 AND entity_id = $2", kind, id)
            .fetch_one(&mut *conn)
            .await?;
    let mut next = latest.unwrap_or(0) + 1;
    if latest.is_none()
        && let Some(before) = before
    {
        sqlx::query!(
            r#"INSERT INTO content_revision (kind, entity_id, entity, number, doc, class, diff, author_email)
               VALUES ($1, $2, $3, 1, $4, 'minor', '{}', 'seed')"#,
            kind,
            id,
            entity,
            Json(before) as _
        )
        .execute(&mut *conn)
        .await?;
        next = 2;
    }
    let diff = audit::diff(before, Some(after));
    sqlx::query!(
        r#"INSERT INTO content_revision (kind, entity_id, entity, number, doc, class, diff, author_id, author_email,
                                         token_id, changeset_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT email FROM app_user WHERE user_id = $8), $9, $10)"#,
        kind,
        id,
        entity,
        next,
        Json(after) as _,
        if class == RevisionClass::Major { "major" } else { "minor" },
        Json(&diff) as _,
        by.author_id,
        by.token_id,
        by.changeset_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

struct RawRevision {
    number: i32,
    class: String,
    published_at: time::OffsetDateTime,
    author_id: Option<Uuid>,
    author_email: Option<String>,
    token_id: Option<Uuid>,
    changeset_id: Option<Uuid>,
    diff: Json<Value>,
    doc: Json<Value>,
}

impl From<RawRevision> for Revision {
    fn from(r: RawRevision) -> Self {
        Revision {
            number: r.number,
            class: if r.class == "major" { RevisionClass::Major } else { RevisionClass::Minor },
            published_at: r.published_at,
            author_id: r.author_id,
            author_email: r.author_email,
            token_id: r.token_id,
            changeset_id: r.changeset_id,
            diff: r.diff.0,
            doc: r.doc.0,
        }
    }
}

/// An entity's revisions, newest first.
pub async fn list(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<Vec<Revision>> {
    let rows = sqlx::query_as!(
        RawRevision,
        r#"SELECT number, class, published_at, author_id, author_email, token_id, changeset_id,
                  diff AS "diff: Json<Value>", doc AS "doc: Json<Value>"
           FROM content_revision WHERE kind = $1 AND entity_id = $2 ORDER BY number DESC"#,
        kind_name(kind),
        id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Revision::from).collect())
}

/// One revision's document.
pub async fn doc(conn: &mut PgConnection, kind: ContentKind, id: Uuid, number: i32) -> sqlx::Result<Option<Value>> {
    sqlx::query_scalar!(
        r#"SELECT doc AS "doc: Json<Value>" FROM content_revision WHERE kind = $1 AND entity_id = $2 AND number = $3"#,
        kind_name(kind),
        id,
        number
    )
    .fetch_optional(conn)
    .await
    .map(|doc| doc.map(|d| d.0))
}
