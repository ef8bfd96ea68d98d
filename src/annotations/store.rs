//! SQL for notes and bookmarks: last-writer-wins writes, reads with their target's
//! title and retirement, and the lists.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::TargetKind;

/// The title of a live topic or question, or `None` when there is no such live one.
pub async fn live_title(pool: &PgPool, kind: TargetKind, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"SELECT title AS "title!" FROM topic WHERE $1 = 'topic' AND topic_id = $2 AND retired_at IS NULL
           UNION ALL
           SELECT q.title FROM question q JOIN topic t ON t.topic_id = q.topic_id
           WHERE $1 = 'question' AND q.question_id = $2 AND q.retired_at IS NULL AND t.retired_at IS NULL"#,
        kind.as_str(),
        id
    )
    .fetch_optional(pool)
    .await
}

/// A stored note or bookmark with its target.
pub struct Row {
    pub kind: TargetKind,
    pub target_id: Uuid,
    pub title: String,
    pub retired: bool,
    pub body: Option<String>,
    pub revisit_on: Option<Date>,
    pub updated_at: OffsetDateTime,
}

/// Writes a note if `at` is later than the stored one's (or there is none); the note
/// that stands afterwards, and whether this write changed it.
pub async fn put_note(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    body: &str,
    at: OffsetDateTime,
) -> sqlx::Result<(String, OffsetDateTime, bool)> {
    let written = sqlx::query!(
        r#"INSERT INTO note (user_id, kind, target_id, body, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id, kind, target_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
           WHERE note.updated_at < excluded.updated_at AND note.body IS DISTINCT FROM excluded.body
           RETURNING body, updated_at"#,
        user_id,
        kind.as_str(),
        id,
        body,
        at
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = written {
        return Ok((row.body, row.updated_at, true));
    }
    let standing = sqlx::query!(
        "SELECT body, updated_at FROM note WHERE user_id = $1 AND kind = $2 AND target_id = $3",
        user_id,
        kind.as_str(),
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((standing.body, standing.updated_at, false))
}

pub async fn delete_note(conn: &mut PgConnection, user_id: Uuid, kind: TargetKind, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM note WHERE user_id = $1 AND kind = $2 AND target_id = $3",
        user_id,
        kind.as_str(),
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a bookmark if `at` is later than the stored one's (or there is none); whether
/// this write changed it.
pub async fn put_bookmark(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    revisit_on: Option<Date>,
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO bookmark (user_id, kind, target_id, revisit_on, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id, kind, target_id) DO UPDATE SET revisit_on = excluded.revisit_on, updated_at = excluded.updated_at
           WHERE bookmark.updated_at < excluded.updated_at"#,
        user_id,
        kind.as_str(),
        id,
        revisit_on,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete_bookmark(conn: &mut PgConnection, user_id: Uuid, kind: TargetKind, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM bookmark WHERE user_id = $1 AND kind = $2 AND target_id = $3",
        user_id,
        kind.as_str(),
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// How many notes and bookmarks the learner keeps.
pub async fn counts(pool: &PgPool, user_id: Uuid) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM note WHERE user_id = $1) AS "notes!",
                  (SELECT count(*) FROM bookmark WHERE user_id = $1) AS "bookmarks!""#,
        user_id
    )
    .fetch_one(pool)
    .await?;
    Ok((row.notes, row.bookmarks))
}

/// The learner's notes (`notes`) or bookmarks, with their targets, optionally only one.
pub async fn rows(
    pool: &PgPool,
    user_id: Uuid,
    notes: bool,
    only: Option<(TargetKind, Uuid)>,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"WITH mine AS (
               SELECT kind, target_id, body, NULL::date AS revisit_on, updated_at FROM note WHERE user_id = $1 AND $2
               UNION ALL
               SELECT kind, target_id, NULL, revisit_on, updated_at FROM bookmark WHERE user_id = $1 AND NOT $2
           )
           SELECT m.kind AS "kind!: TargetKind", m.target_id AS "target_id!",
                  COALESCE(t.title, q.title, '') AS "title!",
                  CASE WHEN m.kind = 'topic' THEN t.topic_id IS NULL OR t.retired_at IS NOT NULL
                       ELSE q.question_id IS NULL OR q.retired_at IS NOT NULL OR qt.retired_at IS NOT NULL END
                      AS "retired!",
                  m.body, m.revisit_on, m.updated_at AS "updated_at!"
           FROM mine m
           LEFT JOIN topic t ON m.kind = 'topic' AND t.topic_id = m.target_id
           LEFT JOIN question q ON m.kind = 'question' AND q.question_id = m.target_id
           LEFT JOIN topic qt ON qt.topic_id = q.topic_id
           WHERE $3::text IS NULL OR (m.kind = $3 AND m.target_id = $4)
           ORDER BY m.updated_at DESC, m.target_id"#,
        user_id,
        notes,
        only.map(|(k, _)| k.as_str()),
        only.map(|(_, id)| id)
    )
    .fetch_all(pool)
    .await
}
