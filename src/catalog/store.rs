//! SQL for the public catalogue. Retired rows never leave this module: every query
//! filters on `retired_at IS NULL` for the row and for what it hangs from.

use time::OffsetDateTime;
use uuid::Uuid;

/// Live placements with per-topic content counts; `$1` is a track id (NULL for all).

#[derive(Debug)]
pub struct TrackRow {
    pub track_id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
}

#[derive(Debug)]
pub struct StageRow {
    pub stage_id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub position: i32,
}

#[derive(Debug)]
pub struct PlacementRow {
    pub track_id: Uuid,
    pub stage_id: Option<Uuid>,
    pub position: i32,
    pub elective: bool,
    pub topic_id: Uuid,
    pub slug: String,
    pub title: String,
    pub questions: i64,
    pub flashcards: i64,
    pub quiz_items: i64,
    pub prerequisites: Vec<String>,
}

pub async fn tracks(pool: impl sqlx::PgExecutor<'_>) -> sqlx::Result<Vec<TrackRow>> {
    sqlx::query_as!(
        TrackRow,
        "SELECT track_id, slug, title, summary FROM track WHERE retired_at IS NULL ORDER BY title, slug"
    )
    .fetch_all(pool)
    .await
}

pub async fn track_by_slug(pool: impl sqlx::PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<TrackRow>> {
    sqlx::query_as!(
        TrackRow,
        "SELECT track_id, slug, title, summary FROM track WHERE slug = $1 AND retired_at IS NULL",
        slug
    )
    .fetch_optional(pool)
    .await
}

pub async fn stages(pool: impl sqlx::PgExecutor<'_>, track_id: Option<Uuid>) -> sqlx::Result<Vec<(Uuid, StageRow)>> {
    let rows: Vec<(Uuid, Uuid, String, String, String, i32)> = sqlx::query!(r#"SELECT track_id AS "track_id!", stage_id AS "stage_id!", slug AS "slug!", title AS "title!", summary AS "summary!", position AS "position!" FROM stage
           WHERE retired_at IS NULL AND ($1::uuid IS NULL OR track_id = $1) ORDER BY position"#, track_id)
        .map(|r| (r.track_id, r.stage_id, r.slug, r.title, r.summary, r.position))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(track_id, stage_id, slug, title, summary, position)| {
            (track_id, StageRow { stage_id, slug, title, summary, position })
        })
        .collect())
}

pub async fn placements(pool: impl sqlx::PgExecutor<'_>, track_id: Option<Uuid>) -> sqlx::Result<Vec<PlacementRow>> {
    sqlx::query_as!(
        PlacementRow,
        r#"
    SELECT tt.track_id, tt.stage_id, tt.position, tt.elective,
           tp.topic_id, tp.slug, tp.title,
           (SELECT count(*) FROM question q WHERE q.topic_id = tp.topic_id AND q.retired_at IS NULL) AS "questions!",
           (SELECT count(*) FROM flashcard f WHERE f.topic_id = tp.topic_id AND f.retired_at IS NULL) AS "flashcards!",
           (SELECT count(*) FROM quiz_item i WHERE i.topic_id = tp.topic_id AND i.retired_at IS NULL) AS "quiz_items!",
           ARRAY(SELECT p.slug FROM topic_prerequisite pr JOIN topic p ON p.topic_id = pr.prerequisite_id
                 WHERE pr.topic_id = tp.topic_id AND p.retired_at IS NULL ORDER BY p.slug) AS "prerequisites!"
    FROM track_topic tt
    JOIN topic tp ON tp.topic_id = tt.topic_id AND tp.retired_at IS NULL
    LEFT JOIN stage s ON s.stage_id = tt.stage_id
    WHERE tt.retired_at IS NULL
      AND (tt.stage_id IS NULL OR s.retired_at IS NULL)
      AND ($1::uuid IS NULL OR tt.track_id = $1)
    ORDER BY tt.elective, s.position NULLS LAST, tt.position
    "#,
        track_id
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug)]
pub struct TopicRow {
    pub topic_id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub key_points: Vec<String>,
    pub stage_slug: Option<String>,
    pub stage_title: Option<String>,
    pub elective: bool,
    pub position: i32,
}

/// A topic as placed on a track (None when the topic is not live on that track).
pub async fn topic_on_track(
    pool: impl sqlx::PgExecutor<'_>,
    track_id: Uuid,
    topic_slug: &str,
) -> sqlx::Result<Option<TopicRow>> {
    sqlx::query_as!(
        TopicRow,
        r#"
        SELECT tp.topic_id, tp.slug, tp.title, tp.summary, tp.key_points,
               s.slug AS stage_slug, s.title AS stage_title, tt.elective, tt.position
        FROM track_topic tt
        JOIN topic tp ON tp.topic_id = tt.topic_id AND tp.retired_at IS NULL
        LEFT JOIN stage s ON s.stage_id = tt.stage_id
        WHERE tt.track_id = $1 AND tp.slug = $2 AND tt.retired_at IS NULL
          AND (tt.stage_id IS NULL OR s.retired_at IS NULL)
        "#,
        track_id,
        topic_slug
    )
    .fetch_optional(pool)
    .await
}

pub async fn prerequisites(pool: impl sqlx::PgExecutor<'_>, topic_id: Uuid) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query!(r#"SELECT p.slug AS "slug!", p.title AS "title!" FROM topic_prerequisite pr JOIN topic p ON p.topic_id = pr.prerequisite_id
           WHERE pr.topic_id = $1 AND p.retired_at IS NULL ORDER BY p.slug"#, topic_id)
        .map(|r| (r.slug, r.title))
    .fetch_all(pool)
    .await
}

#[derive(Debug)]
pub struct QuestionRow {
    pub question_id: Uuid,
    pub slug: String,
    pub title: String,
    pub difficulty: String,
    pub tags: Vec<String>,
    pub topic_slug: String,
    pub topic_title: String,
}

pub async fn topic_questions(pool: impl sqlx::PgExecutor<'_>, topic_id: Uuid) -> sqlx::Result<Vec<QuestionRow>> {
    sqlx::query_as!(
        QuestionRow,
        r#"SELECT q.question_id, q.slug, q.title, q.difficulty, q.tags, t.slug AS topic_slug, t.title AS topic_title
           FROM question q JOIN topic t ON t.topic_id = q.topic_id
           WHERE q.topic_id = $1 AND q.retired_at IS NULL ORDER BY q.position, q.slug"#,
        topic_id
    )
    .fetch_all(pool)
    .await
}

/// The [`QuestionRow`] part of a browse or search record, which carry it beside their
/// own ordering keys (a macro because each query's record is its own type).
macro_rules! question_row {
    ($r:ident) => {
        QuestionRow {
            question_id: $r.question_id,
            slug: $r.slug,
            title: $r.title,
            difficulty: $r.difficulty,
            tags: $r.tags,
            topic_slug: $r.topic_slug,
            topic_title: $r.topic_title,
        }
    };
}

/// Filters of the question bank; `None` means "any".
#[derive(Debug, Default)]
pub struct QuestionFilter<'a> {
    pub track: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub difficulty: Option<&'a str>,
    pub tag: Option<&'a str>,
}

/// Keyset of the browse order: topic slug, position within the topic, id.
pub type BrowseKey = (String, i32, Uuid);

/// The question bank in browse order (grouped by topic, study order within it).
pub async fn browse_questions(
    pool: impl sqlx::PgExecutor<'_>,
    filter: &QuestionFilter<'_>,
    after: Option<&BrowseKey>,
    limit: i64,
) -> sqlx::Result<Vec<(QuestionRow, i32)>> {
    sqlx::query!(r#"
        SELECT q.question_id, q.slug, q.title, q.difficulty, q.tags, t.slug AS topic_slug, t.title AS topic_title, q.position
        FROM question q JOIN topic t ON t.topic_id = q.topic_id AND t.retired_at IS NULL
        WHERE q.retired_at IS NULL
          AND ($1::text IS NULL OR EXISTS (
                SELECT 1 FROM track_topic tt JOIN track tr ON tr.track_id = tt.track_id
                WHERE tt.topic_id = q.topic_id AND tr.slug = $1 AND tt.retired_at IS NULL AND tr.retired_at IS NULL))
          AND ($2::text IS NULL OR t.slug = $2)
          AND ($3::text IS NULL OR q.difficulty = $3)
          AND ($4::text IS NULL OR $4 = ANY (q.tags))
          AND ($5::text IS NULL OR (t.slug, q.position, q.question_id) > ($5, $6, $7))
        ORDER BY t.slug, q.position, q.question_id
        LIMIT $8
        "#, filter.track, filter.topic, filter.difficulty, filter.tag, after.map(|k| k.0.as_str()), after.map(|k| k.1), after.map(|k| k.2), limit)
    .map(|r| {
        let question = question_row!(r);
        (question, r.position)
    })
    .fetch_all(pool)
    .await
}

/// Keyset of the search order: exact title match, rank, id (all descending).
pub type SearchKey = (bool, f32, Uuid);

/// Ranked full-text search: an exact (case-insensitive) title match first, then by
/// `ts_rank` over the title (weight A), prompt (B) and answer (C).
pub async fn search_questions(
    pool: impl sqlx::PgExecutor<'_>,
    text: &str,
    filter: &QuestionFilter<'_>,
    after: Option<&SearchKey>,
    limit: i64,
) -> sqlx::Result<Vec<(QuestionRow, SearchKey)>> {
    sqlx::query!(r#"
        SELECT question_id AS "question_id!", slug AS "slug!", title AS "title!", difficulty AS "difficulty!",
               tags AS "tags!", topic_slug AS "topic_slug!", topic_title AS "topic_title!", exact AS "exact!",
               rank AS "rank!"
        FROM (
            SELECT q.question_id, q.slug, q.title, q.difficulty, q.tags, t.slug AS topic_slug, t.title AS topic_title,
                   lower(q.title) = lower($1) AS exact,
                   ts_rank(q.search, websearch_to_tsquery('english', $1)) AS rank
            FROM question q JOIN topic t ON t.topic_id = q.topic_id AND t.retired_at IS NULL
            WHERE q.retired_at IS NULL
              AND (q.search @@ websearch_to_tsquery('english', $1) OR lower(q.title) = lower($1))
              AND ($2::text IS NULL OR EXISTS (
                    SELECT 1 FROM track_topic tt JOIN track tr ON tr.track_id = tt.track_id
                    WHERE tt.topic_id = q.topic_id AND tr.slug = $2 AND tt.retired_at IS NULL AND tr.retired_at IS NULL))
              AND ($3::text IS NULL OR t.slug = $3)
              AND ($4::text IS NULL OR q.difficulty = $4)
              AND ($5::text IS NULL OR $5 = ANY (q.tags))
        ) ranked
        WHERE ($6::bool IS NULL OR (exact, rank, question_id) < ($6, $7, $8))
        ORDER BY exact DESC, rank DESC, question_id DESC
        LIMIT $9
        "#, text, filter.track, filter.topic, filter.difficulty, filter.tag, after.map(|k| k.0), after.map(|k| k.1), after.map(|k| k.2), limit)
    .map(|r| {
        let key = (r.exact, r.rank, r.question_id);
        let question = question_row!(r);
        (question, key)
    })
    .fetch_all(pool)
    .await
}

#[derive(Debug)]
pub struct QuestionDetailRow {
    pub question_id: Uuid,
    pub slug: String,
    pub title: String,
    pub difficulty: String,
    pub tags: Vec<String>,
    pub prompt: String,
    pub answer: String,
    pub topic_slug: String,
    pub topic_title: String,
    pub tracks: Vec<String>,
    pub updated_at: OffsetDateTime,
}

pub async fn question(pool: impl sqlx::PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<QuestionDetailRow>> {
    sqlx::query_as!(
        QuestionDetailRow,
        r#"
        SELECT q.question_id, q.slug, q.title, q.difficulty, q.tags, q.prompt, q.answer,
               t.slug AS topic_slug, t.title AS topic_title, q.updated_at,
               ARRAY(SELECT tr.slug FROM track_topic tt JOIN track tr ON tr.track_id = tt.track_id
                     WHERE tt.topic_id = t.topic_id AND tt.retired_at IS NULL AND tr.retired_at IS NULL
                     ORDER BY tr.slug) AS "tracks!"
        FROM question q JOIN topic t ON t.topic_id = q.topic_id AND t.retired_at IS NULL
        WHERE q.question_id = $1 AND q.retired_at IS NULL
        "#,
        id
    )
    .fetch_optional(pool)
    .await
}

#[derive(Debug)]
pub struct FlashcardRow {
    pub flashcard_id: Uuid,
    pub slug: String,
    pub front: String,
    pub back: String,
    pub question_id: Option<Uuid>,
}

pub async fn flashcards(pool: impl sqlx::PgExecutor<'_>, topic_id: Uuid) -> sqlx::Result<Vec<FlashcardRow>> {
    sqlx::query_as!(FlashcardRow, r#"SELECT f.flashcard_id, f.slug, f.front, f.back,
                  (SELECT q.question_id FROM question q WHERE q.question_id = f.question_id AND q.retired_at IS NULL) AS question_id
           FROM flashcard f WHERE f.topic_id = $1 AND f.retired_at IS NULL ORDER BY f.position, f.slug"#, topic_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug)]
pub struct ArticleRow {
    pub article_id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub topic_slugs: Vec<String>,
    pub topic_titles: Vec<String>,
}

/// An article query selecting the [`ArticleRow`] columns followed by `$rest`. The query
/// macros join string literals with `+` but cannot read a `const`, so the shared column
/// list lives in this macro to keep the three article reads compile-checked.
macro_rules! article_query {
    ($row:ty, $rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            $row,
            r#"SELECT
    a.article_id, a.slug, a.title, a.summary,
    ARRAY(SELECT t.slug FROM article_topic at JOIN topic t ON t.topic_id = at.topic_id
          WHERE at.article_id = a.article_id AND t.retired_at IS NULL ORDER BY at.position) AS "topic_slugs!",
    ARRAY(SELECT t.title FROM article_topic at JOIN topic t ON t.topic_id = at.topic_id
          WHERE at.article_id = a.article_id AND t.retired_at IS NULL ORDER BY at.position) AS "topic_titles!""# + $rest
            $(, $arg)*
        )
    };
}

pub async fn topic_articles(pool: impl sqlx::PgExecutor<'_>, topic_id: Uuid) -> sqlx::Result<Vec<ArticleRow>> {
    article_query!(
        ArticleRow,
        r#" FROM article a JOIN article_topic link ON link.article_id = a.article_id
           WHERE link.topic_id = $1 AND a.retired_at IS NULL ORDER BY a.title, a.slug"#,
        topic_id
    )
    .fetch_all(pool)
    .await
}

/// Articles by slug, optionally of one topic, after a slug (keyset).
pub async fn articles(
    pool: impl sqlx::PgExecutor<'_>,
    topic: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<ArticleRow>> {
    article_query!(
        ArticleRow,
        r#" FROM article a
           WHERE a.retired_at IS NULL
             AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM article_topic link JOIN topic t ON t.topic_id = link.topic_id
                                             WHERE link.article_id = a.article_id AND t.slug = $1))
             AND ($2::text IS NULL OR a.slug > $2)
           ORDER BY a.slug LIMIT $3"#,
        topic,
        after,
        limit
    )
    .fetch_all(pool)
    .await
}

pub async fn article(
    pool: impl sqlx::PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<(ArticleRow, String, OffsetDateTime)>> {
    struct Row {
        article_id: Uuid,
        slug: String,
        title: String,
        summary: String,
        topic_slugs: Vec<String>,
        topic_titles: Vec<String>,
        body: String,
        updated_at: OffsetDateTime,
    }
    let row =
        article_query!(Row, ", a.body, a.updated_at FROM article a WHERE a.slug = $1 AND a.retired_at IS NULL", slug)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| {
        let article = ArticleRow {
            article_id: r.article_id,
            slug: r.slug,
            title: r.title,
            summary: r.summary,
            topic_slugs: r.topic_slugs,
            topic_titles: r.topic_titles,
        };
        (article, r.body, r.updated_at)
    }))
}
