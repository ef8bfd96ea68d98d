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
             AND c.xid < (
                 -- The oldest transaction still running that may write here: any
                 -- in-progress one not known to belong to another database (one whose
                 -- database cannot be seen counts as ours), else the snapshot's xmax.
                 SELECT COALESCE(
                     (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
                      WHERE NOT EXISTS (
                          SELECT 1 FROM pg_stat_activity a
                          WHERE a.datname IS DISTINCT FROM current_database() AND a.backend_xid IS NOT NULL
                            AND a.backend_xid::text::bigint = x::text::bigint % 4294967296)),
                     pg_snapshot_xmax(snap.s))
                 FROM (SELECT pg_current_snapshot() AS s) AS snap)
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
