//! Whole-topic reads for the bundle: one query per kind per topic, instead of one per
//! question.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::catalog::store::QuestionDetailRow;
use crate::quiz::model::QuizItemKind;

/// Every live question of a topic with its answer, in study order (as the topic lists them).
pub async fn questions(pool: impl PgExecutor<'_>, topic_id: Uuid) -> sqlx::Result<Vec<QuestionDetailRow>> {
    sqlx::query_as!(
        QuestionDetailRow,
        r#"
        SELECT q.question_id, q.slug, q.title, q.difficulty, q.tags, q.prompt, q.answer,
               t.slug AS topic_slug, t.title AS topic_title, q.updated_at,
               ARRAY(SELECT tr.slug FROM track_topic tt JOIN track tr ON tr.track_id = tt.track_id
                     WHERE tt.topic_id = t.topic_id AND tt.retired_at IS NULL AND tr.retired_at IS NULL
                     ORDER BY tr.slug) AS "tracks!"
        FROM question q JOIN topic t ON t.topic_id = q.topic_id
        WHERE q.topic_id = $1 AND q.retired_at IS NULL
        ORDER BY q.position, q.slug
        "#,
        topic_id
    )
    .fetch_all(pool)
    .await
}

pub struct QuizItemRow {
    pub quiz_item_id: Uuid,
    pub kind: QuizItemKind,
    pub prompt: String,
    pub code: Option<String>,
    pub options: Vec<String>,
    pub question_id: Option<Uuid>,
}

/// A topic's live quiz items in authoring order, options as authored.
pub async fn quiz_items(pool: impl PgExecutor<'_>, topic_id: Uuid) -> sqlx::Result<Vec<QuizItemRow>> {
    sqlx::query_as!(
        QuizItemRow,
        r#"SELECT i.quiz_item_id, i.kind AS "kind: QuizItemKind", i.prompt, i.code, i.options,
                  (SELECT q.question_id FROM question q WHERE q.question_id = i.question_id AND q.retired_at IS NULL)
                      AS question_id
           FROM quiz_item i WHERE i.topic_id = $1 AND i.retired_at IS NULL ORDER BY i.position, i.slug"#,
        topic_id
    )
    .fetch_all(pool)
    .await
}
