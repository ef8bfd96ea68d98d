//! SQL for the change feed: committed-safe changes after a position, with each
//! entity's current state.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{FeedChangeKind, FeedChangeOp};

pub struct ChangeRow {
    pub xid: String,
    pub seq: i64,
    pub kind: FeedChangeKind,
    pub entity_id: Uuid,
    pub target_kind: Option<String>,
    pub op: FeedChangeOp,
    pub changed_at: OffsetDateTime,
    pub state: Option<serde_json::Value>,
}

/// Up to `limit` changes of the learner after (`xid`, `seq`), in that order, only from
/// transactions older than every one still running in this database, so a change that
/// commits later can never land behind a position already handed out. (The cluster-wide
/// `pg_snapshot_xmin` would let any other database's long transaction stall the feed.)
pub async fn after(pool: &PgPool, user_id: Uuid, xid: &str, seq: i64, limit: i64) -> sqlx::Result<Vec<ChangeRow>> {
    sqlx::query_as!(
        ChangeRow,
        r#"SELECT c.xid::text AS "xid!", c.seq, c.kind AS "kind: FeedChangeKind", c.entity_id, c.target_kind,
                  c.op AS "op: FeedChangeOp", c.changed_at,
                  CASE WHEN c.op = 'delete' THEN NULL
                       WHEN c.kind = 'question_mark' THEN
                           (SELECT jsonb_build_object('status', m.status, 'marked_at', m.marked_at)
                            FROM question_mark m WHERE m.user_id = c.user_id AND m.question_id = c.entity_id)
                       WHEN c.kind = 'topic_mark' THEN
                           (SELECT jsonb_build_object('status', m.status, 'marked_at', m.marked_at)
                            FROM topic_mark m WHERE m.user_id = c.user_id AND m.topic_id = c.entity_id)
                       WHEN c.kind = 'card' THEN
                           (SELECT jsonb_build_object('state', s.state, 'due_at', s.due_at, 'stability', s.stability,
                                                      'difficulty', s.difficulty, 'reps', s.reps, 'lapses', s.lapses)
                            FROM card_state s WHERE s.user_id = c.user_id AND s.flashcard_id = c.entity_id)
                       WHEN c.kind = 'note' THEN
                           (SELECT jsonb_build_object('body', n.body, 'updated_at', n.updated_at)
                            FROM note n WHERE n.user_id = c.user_id AND n.kind = c.target_kind AND n.target_id = c.entity_id)
                       WHEN c.kind = 'bookmark' THEN
                           (SELECT jsonb_build_object('revisit_on', b.revisit_on)
                            FROM bookmark b WHERE b.user_id = c.user_id AND b.kind = c.target_kind AND b.target_id = c.entity_id)
                       ELSE
                           (SELECT jsonb_build_object('interview_date', g.interview_date, 'minutes_per_day', g.minutes_per_day,
                                                      'weekdays', g.weekdays, 'electives', g.electives)
                            FROM goal g WHERE g.user_id = c.user_id AND g.track_id = c.entity_id)
                  END AS state
           FROM learner_change c
           WHERE c.user_id = $1 AND (c.xid, c.seq) > ($2::text::xid8, $3)
             AND c.xid < (SELECT feed_horizon())
           ORDER BY c.xid, c.seq
           LIMIT $4"#,
        user_id,
        xid,
        seq,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Whether the learner has any change after (`xid`, `seq`), committed or not: one
/// index probe. An empty poll ends here, without working out the commit horizon
/// (which reads every backend's state and would make the commonest call the dearest).
pub async fn any_after(pool: &PgPool, user_id: Uuid, xid: &str, seq: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM learner_change c
                          WHERE c.user_id = $1 AND (c.xid, c.seq) > ($2::text::xid8, $3)) AS "any!""#,
        user_id,
        xid,
        seq
    )
    .fetch_one(pool)
    .await
}

pub struct ContentChangeRow {
    pub xid: String,
    pub seq: i64,
    pub kind: String,
    pub entity_id: Uuid,
    pub op: String,
    pub changed_at: OffsetDateTime,
}

/// Up to `limit` content changes after (`xid`, `seq`) that concern `track`: the track,
/// its stages and placements, its topics and what belongs to them, and articles.
pub async fn content_after(
    pool: &PgPool,
    track_id: Uuid,
    xid: &str,
    seq: i64,
    limit: i64,
) -> sqlx::Result<Vec<ContentChangeRow>> {
    sqlx::query_as!(
        ContentChangeRow,
        r#"SELECT c.xid::text AS "xid!", c.seq, c.kind, c.entity_id, c.op, c.changed_at
           FROM content_change c
           WHERE (c.xid, c.seq) > ($2::text::xid8, $3)
             AND c.xid < (SELECT feed_horizon())
             AND (c.track_id = $1
                  OR (c.track_id IS NULL AND c.kind = 'article')
                  OR (c.track_id IS NULL AND c.topic_id IN (SELECT topic_id FROM track_topic WHERE track_id = $1)))
           ORDER BY c.xid, c.seq
           LIMIT $4"#,
        track_id,
        xid,
        seq,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The newest content change every reader can already see: a position at or before
/// which every change has committed, so a copy of the content read after it holds
/// them all.
pub async fn content_head(pool: impl sqlx::PgExecutor<'_>) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query!(
        r#"SELECT c.xid::text AS "xid!", c.seq FROM content_change c
           WHERE c.xid < (SELECT feed_horizon())
           ORDER BY c.xid DESC, c.seq DESC LIMIT 1"#
    )
    .map(|r| (r.xid, r.seq))
    .fetch_optional(pool)
    .await
}
