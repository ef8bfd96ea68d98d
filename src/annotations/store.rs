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

/// What a timed delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// It removed the note or bookmark.
    Removed,
    /// A later edit stands; it removed nothing (its time is kept as a tombstone).
    Superseded,
    /// There was nothing to remove.
    Absent,
}

/// Writes a note if `at` is later than the stored one's and than its last delete (or
/// there is neither): the note that stands afterwards (none when a later delete
/// stands), and whether this write changed it. The same text at a later time is a
/// write too: it moves the note's time past a delete that may still be on its way.
pub async fn put_note(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    body: &str,
    at: OffsetDateTime,
) -> sqlx::Result<(Option<(String, OffsetDateTime)>, bool)> {
    let written = sqlx::query!(
        r#"INSERT INTO note (user_id, kind, target_id, body, updated_at)
           SELECT $1, $2, $3, $4, $5
           WHERE NOT EXISTS (SELECT 1 FROM annotation_tombstone s
                             WHERE s.user_id = $1 AND s.annotation = 'note' AND s.kind = $2 AND s.target_id = $3
                               AND s.deleted_at >= $5)
           ON CONFLICT (user_id, kind, target_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
           WHERE note.updated_at < excluded.updated_at
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
        return Ok((Some((row.body, row.updated_at)), true));
    }
    let standing = sqlx::query!(
        "SELECT body, updated_at FROM note WHERE user_id = $1 AND kind = $2 AND target_id = $3",
        user_id,
        kind.as_str(),
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok((standing.map(|s| (s.body, s.updated_at)), false))
}

/// Deletes a note unless it was edited after `at`, and remembers `at` as its delete.
pub async fn delete_note(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    at: OffsetDateTime,
) -> sqlx::Result<Deleted> {
    let row = sqlx::query!(
        r#"WITH gone AS (
               DELETE FROM note WHERE user_id = $1 AND kind = $2 AND target_id = $3 AND updated_at <= $4 RETURNING 1
           ), stone AS (
               INSERT INTO annotation_tombstone (user_id, annotation, kind, target_id, deleted_at)
               VALUES ($1, 'note', $2, $3, $4)
               ON CONFLICT (user_id, annotation, kind, target_id) DO UPDATE SET deleted_at = excluded.deleted_at
               WHERE annotation_tombstone.deleted_at < excluded.deleted_at
               RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM gone) AS "removed!",
                  EXISTS (SELECT 1 FROM note WHERE user_id = $1 AND kind = $2 AND target_id = $3 AND updated_at > $4)
                      AS "newer!",
                  (SELECT count(*) FROM stone) AS "stones!""#,
        user_id,
        kind.as_str(),
        id,
        at
    )
    .fetch_one(conn)
    .await?;
    Ok(deleted(row.removed, row.newer))
}

fn deleted(removed: bool, newer: bool) -> Deleted {
    match (removed, newer) {
        (true, _) => Deleted::Removed,
        (false, true) => Deleted::Superseded,
        (false, false) => Deleted::Absent,
    }
}

/// Sets a bookmark if `at` is later than the stored one's and than its last delete (or
/// there is neither); whether this write changed it.
pub async fn put_bookmark(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    revisit_on: Option<Date>,
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO bookmark (user_id, kind, target_id, revisit_on, updated_at)
           SELECT $1, $2, $3, $4, $5
           WHERE NOT EXISTS (SELECT 1 FROM annotation_tombstone s
                             WHERE s.user_id = $1 AND s.annotation = 'bookmark' AND s.kind = $2 AND s.target_id = $3
                               AND s.deleted_at >= $5)
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

/// Deletes a bookmark unless it was set after `at`, and remembers `at` as its delete.
pub async fn delete_bookmark(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    at: OffsetDateTime,
) -> sqlx::Result<Deleted> {
    let row = sqlx::query!(
        r#"WITH gone AS (
               DELETE FROM bookmark WHERE user_id = $1 AND kind = $2 AND target_id = $3 AND updated_at <= $4 RETURNING 1
           ), stone AS (
               INSERT INTO annotation_tombstone (user_id, annotation, kind, target_id, deleted_at)
               VALUES ($1, 'bookmark', $2, $3, $4)
               ON CONFLICT (user_id, annotation, kind, target_id) DO UPDATE SET deleted_at = excluded.deleted_at
               WHERE annotation_tombstone.deleted_at < excluded.deleted_at
               RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM gone) AS "removed!",
                  EXISTS (SELECT 1 FROM bookmark WHERE user_id = $1 AND kind = $2 AND target_id = $3 AND updated_at > $4)
                      AS "newer!",
                  (SELECT count(*) FROM stone) AS "stones!""#,
        user_id,
        kind.as_str(),
        id,
        at
    )
    .fetch_one(conn)
    .await?;
    Ok(deleted(row.removed, row.newer))
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
