//! Reading content back out of the database as a bundle: what `GET /admin/export/{track}`
//! returns and `studytrack export` writes as files. Importing an export changes
//! nothing: values come out exactly as the upsert stores them, and each question
//! carries its position as `order` so the study order survives the round trip.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::bundle::{ArticleDoc, Bundle, FlashcardDoc, QuestionDoc, QuizItemDoc, StageDoc, TopicDoc, TrackDoc};

/// The live content of one track: the track, its topics in full, and the articles
/// linked to those topics. `None` when there is no such live track.
pub async fn track(pool: &PgPool, slug: &str) -> sqlx::Result<Option<Bundle>> {
    let Some((track_id, title, summary)): Option<(Uuid, String, String)> =
        sqlx::query!(r#"SELECT track_id AS "track_id!", title AS "title!", summary AS "summary!" FROM track WHERE slug = $1 AND retired_at IS NULL"#, slug)
        .map(|r| (r.track_id, r.title, r.summary))
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let stages: Vec<(Uuid, String, String, String)> = sqlx::query!(r#"SELECT stage_id AS "stage_id!", slug AS "slug!", title AS "title!", summary AS "summary!" FROM stage WHERE track_id = $1 AND retired_at IS NULL ORDER BY position"#, track_id)
        .map(|r| (r.stage_id, r.slug, r.title, r.summary))
    .fetch_all(pool)
    .await?;
    let placements: Vec<(Option<Uuid>, bool, Uuid, String)> = sqlx::query!(r#"SELECT tt.stage_id AS "stage_id?", tt.elective AS "elective!", t.topic_id AS "topic_id!", t.slug AS "slug!" FROM track_topic tt
           JOIN topic t ON t.topic_id = tt.topic_id AND t.retired_at IS NULL
           WHERE tt.track_id = $1 AND tt.retired_at IS NULL ORDER BY tt.position"#, track_id)
        .map(|r| (r.stage_id, r.elective, r.topic_id, r.slug))
    .fetch_all(pool)
    .await?;
    let doc = TrackDoc {
        slug: slug.to_owned(),
        title,
        summary,
        stages: stages
            .iter()
            .map(|(id, slug, title, summary)| StageDoc {
                slug: slug.clone(),
                title: title.clone(),
                summary: summary.clone(),
                topics: placements.iter().filter(|p| p.0 == Some(*id) && !p.1).map(|p| p.3.clone()).collect(),
            })
            .collect(),
        electives: placements.iter().filter(|p| p.1).map(|p| p.3.clone()).collect(),
        source: String::new(),
    };
    let topic_ids: Vec<Uuid> = placements.iter().map(|p| p.2).collect();
    let mut topics = Vec::new();
    let mut conn = pool.acquire().await?;
    for id in &topic_ids {
        topics.push(topic(&mut conn, *id).await?);
    }
    let articles = articles(pool, &topic_ids).await?;
    Ok(Some(Bundle { tracks: vec![doc], topics, articles }))
}

/// One topic in full (live questions, flashcards and quiz items), as a bundle holds it.
pub async fn topic(conn: &mut PgConnection, topic_id: Uuid) -> sqlx::Result<TopicDoc> {
    let (slug, title, summary, key_points): (String, String, String, Vec<String>) =
        sqlx::query!(r#"SELECT slug AS "slug!", title AS "title!", summary AS "summary!", key_points AS "key_points!" FROM topic WHERE topic_id = $1"#, topic_id)
        .map(|r| (r.slug, r.title, r.summary, r.key_points))
            .fetch_one(&mut *conn)
            .await?;
    let prerequisites: Vec<String> = sqlx::query_scalar!(
        r#"SELECT p.slug FROM topic_prerequisite pr JOIN topic p ON p.topic_id = pr.prerequisite_id
           WHERE pr.topic_id = $1 AND p.retired_at IS NULL ORDER BY p.slug"#,
        topic_id
    )
    .fetch_all(&mut *conn)
    .await?;
    #[allow(clippy::type_complexity)]
    let questions: Vec<QuestionDoc> = sqlx::query_as!(
        StoredQuestion,
        r#"SELECT slug, title, difficulty, tags, position, prompt, rubric, answer FROM question
           WHERE topic_id = $1 AND retired_at IS NULL ORDER BY position"#,
        topic_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(QuestionDoc::from)
    .collect();
    let flashcards: Vec<(String, String, String, Option<String>)> = sqlx::query!(
        r#"SELECT f.slug AS "slug!", f.front AS "front!", f.back AS "back!", q.slug AS "q_slug?" FROM flashcard f
           LEFT JOIN question q ON q.question_id = f.question_id AND q.retired_at IS NULL
           WHERE f.topic_id = $1 AND f.retired_at IS NULL ORDER BY f.position"#,
        topic_id
    )
    .map(|r| (r.slug, r.front, r.back, r.q_slug))
    .fetch_all(&mut *conn)
    .await?;
    #[allow(clippy::type_complexity)]
    let quiz: Vec<(String, String, String, Option<String>, Vec<String>, Vec<i16>, String, Option<String>)> =
        sqlx::query!(r#"SELECT i.slug AS "slug!", i.kind AS "kind!", i.prompt AS "prompt!", i.code AS "code?", i.options AS "options!", i.correct AS "correct!", i.explanation AS "explanation!", q.slug AS "q_slug?" FROM quiz_item i
               LEFT JOIN question q ON q.question_id = i.question_id AND q.retired_at IS NULL
               WHERE i.topic_id = $1 AND i.retired_at IS NULL ORDER BY i.position"#, topic_id)
        .map(|r| (r.slug, r.kind, r.prompt, r.code, r.options, r.correct, r.explanation, r.q_slug))
        .fetch_all(&mut *conn)
        .await?;
    Ok(TopicDoc {
        slug,
        title,
        summary,
        key_points,
        prerequisites,
        questions,
        flashcards: flashcards
            .into_iter()
            .map(|(slug, front, back, question)| FlashcardDoc { slug, front, back, question })
            .collect(),
        quiz: quiz
            .into_iter()
            .map(|(slug, kind, prompt, code, options, correct, explanation, question)| QuizItemDoc {
                slug,
                kind,
                prompt,
                code,
                options,
                correct: correct.into_iter().map(i64::from).collect(),
                explanation,
                question,
            })
            .collect(),
        source: String::new(),
    })
}

async fn articles(pool: &PgPool, topic_ids: &[Uuid]) -> sqlx::Result<Vec<ArticleDoc>> {
    let rows: Vec<(String, String, String, String, Vec<String>)> = sqlx::query!(
        r#"SELECT a.slug AS "slug!", a.title AS "title!", a.summary AS "summary!", a.body AS "body!",
                  ARRAY(SELECT t.slug FROM article_topic l JOIN topic t ON t.topic_id = l.topic_id
                        WHERE l.article_id = a.article_id AND t.retired_at IS NULL ORDER BY l.position) AS "topics!"
           FROM article a
           WHERE a.retired_at IS NULL
             AND EXISTS (SELECT 1 FROM article_topic l WHERE l.article_id = a.article_id AND l.topic_id = ANY ($1))
           ORDER BY a.slug"#,
        topic_ids
    )
    .map(|r| (r.slug, r.title, r.summary, r.body, r.topics))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(slug, title, summary, body, topics)| ArticleDoc {
            slug,
            title,
            summary,
            topics,
            body,
            source: String::new(),
        })
        .collect())
}

/// A question as stored, read by the bundle export and the admin API alike.
pub struct StoredQuestion {
    pub slug: String,
    pub title: String,
    pub difficulty: String,
    pub tags: Vec<String>,
    pub position: i32,
    pub prompt: String,
    pub rubric: Vec<String>,
    pub answer: String,
}

impl From<StoredQuestion> for QuestionDoc {
    fn from(q: StoredQuestion) -> Self {
        QuestionDoc {
            slug: q.slug,
            title: q.title,
            difficulty: q.difficulty,
            tags: q.tags,
            order: Some(q.position),
            prompt: q.prompt,
            rubric: q.rubric,
            answer: q.answer,
            source: String::new(),
        }
    }
}
