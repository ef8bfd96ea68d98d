//! Each public content response, built from the database. These are what the content
//! cache calls on a miss, so they take a connection (to the primary or a replica, or a
//! preview's transaction holding drafts) and know nothing of HTTP; `None` means the
//! thing asked for does not exist. One connection per response: a miss costs a few
//! round trips in a row rather than several pooled connections at once.

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::RoadmapTemplate;
use super::model::*;
use super::roadmap;
use super::store::{self, QuestionRow};

/// Every live track with its stage count and content counts.
pub async fn track_list(db: &mut PgConnection) -> sqlx::Result<TrackList> {
    let tracks = store::tracks(&mut *db).await?;
    let stages = store::stages(&mut *db, None).await?;
    let placements = store::placements(&mut *db, None).await?;
    Ok(TrackList { items: roadmap::summaries(tracks, &stages, &placements), next_cursor: None })
}

/// A track's roadmap without progress, and the topic ids progress is computed over.
pub async fn roadmap_template(db: &mut PgConnection, track: &str) -> sqlx::Result<Option<RoadmapTemplate>> {
    let Some(row) = store::track_by_slug(&mut *db, track).await? else { return Ok(None) };
    let stages = store::stages(&mut *db, Some(row.track_id)).await?;
    let placements = store::placements(&mut *db, Some(row.track_id)).await?;
    let stages = stages.into_iter().map(|(_, s)| s).collect();
    let roadmap = roadmap::build(row, stages, &placements);
    Ok(Some(RoadmapTemplate { roadmap, topic_ids: placements.iter().map(|p| p.topic_id).collect() }))
}

/// A topic as placed on a track.
pub async fn topic_detail(db: &mut PgConnection, track: &str, topic: &str) -> sqlx::Result<Option<TopicDetail>> {
    let Some(track) = store::track_by_slug(&mut *db, track).await? else { return Ok(None) };
    let Some(topic) = store::topic_on_track(&mut *db, track.track_id, topic).await? else { return Ok(None) };
    let prerequisites = store::prerequisites(&mut *db, topic.topic_id).await?;
    let questions = store::topic_questions(&mut *db, topic.topic_id).await?;
    let articles = store::topic_articles(&mut *db, topic.topic_id).await?;
    let counts = topic_counts(&mut *db, topic.topic_id).await?;
    let questions: Vec<QuestionSummary> = questions.iter().map(summary_of).collect::<sqlx::Result<_>>()?;
    let mut by_difficulty = DifficultyCounts::default();
    for q in &questions {
        match q.difficulty {
            Difficulty::Junior => by_difficulty.junior += 1,
            Difficulty::Mid => by_difficulty.mid += 1,
            Difficulty::Senior => by_difficulty.senior += 1,
        }
    }
    Ok(Some(TopicDetail {
        id: topic.topic_id,
        slug: topic.slug,
        title: topic.title,
        summary: topic.summary,
        key_points: topic.key_points,
        track: SlugRef { slug: track.slug, title: track.title },
        stage: topic.stage_slug.zip(topic.stage_title).map(|(slug, title)| SlugRef { slug, title }),
        elective: topic.elective,
        position: topic.position,
        prerequisites: prerequisites.into_iter().map(|(slug, title)| SlugRef { slug, title }).collect(),
        questions,
        articles: articles.into_iter().map(article_summary).collect(),
        counts,
        questions_by_difficulty: by_difficulty,
    }))
}

/// A topic's flashcards, in order.
pub async fn topic_flashcards(db: &mut PgConnection, track: &str, topic: &str) -> sqlx::Result<Option<FlashcardList>> {
    let Some(track) = store::track_by_slug(&mut *db, track).await? else { return Ok(None) };
    let Some(topic) = store::topic_on_track(&mut *db, track.track_id, topic).await? else { return Ok(None) };
    let items = store::flashcards(&mut *db, topic.topic_id)
        .await?
        .into_iter()
        .map(|f| Flashcard {
            id: f.flashcard_id,
            slug: f.slug,
            front: f.front,
            back: f.back,
            question_id: f.question_id,
        })
        .collect();
    Ok(Some(FlashcardList { items, next_cursor: None }))
}

/// One question with its full answer.
pub async fn question_detail(db: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<QuestionDetail>> {
    let Some(row) = store::question(db, id).await? else { return Ok(None) };
    question_detail_of(row).map(Some)
}

/// The response for a question row with its answer.
pub fn question_detail_of(row: store::QuestionDetailRow) -> sqlx::Result<QuestionDetail> {
    Ok(QuestionDetail {
        id: row.question_id,
        slug: row.slug,
        title: row.title,
        difficulty: parse_difficulty(&row.difficulty)?,
        tags: row.tags,
        prompt: row.prompt,
        answer: row.answer,
        topic: SlugRef { slug: row.topic_slug, title: row.topic_title },
        tracks: row.tracks,
        updated_at: row.updated_at,
    })
}

/// One article with its body.
pub async fn article_detail(db: &mut PgConnection, slug: &str) -> sqlx::Result<Option<ArticleDetail>> {
    let Some((article, body, updated_at)) = store::article(db, slug).await? else { return Ok(None) };
    let summary = article_summary(article);
    Ok(Some(ArticleDetail {
        id: summary.id,
        slug: summary.slug,
        title: summary.title,
        summary: summary.summary,
        body,
        topics: summary.topics,
        updated_at,
    }))
}

async fn topic_counts(db: &mut PgConnection, topic_id: Uuid) -> sqlx::Result<TopicCounts> {
    let (questions, flashcards, quiz_items): (i64, i64, i64) = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM question WHERE topic_id = $1 AND retired_at IS NULL) AS "value!",
                  (SELECT count(*) FROM flashcard WHERE topic_id = $1 AND retired_at IS NULL) AS "value_2!",
                  (SELECT count(*) FROM quiz_item WHERE topic_id = $1 AND retired_at IS NULL) AS "value_2_2!""#,
        topic_id
    )
    .map(|r| (r.value, r.value_2, r.value_2_2))
    .fetch_one(db)
    .await?;
    Ok(TopicCounts { questions, flashcards, quiz_items })
}

/// A difficulty the schema's CHECK constraint allows but this build does not know is a
/// decoding failure, like any other column that does not fit its Rust type.
fn parse_difficulty(value: &str) -> sqlx::Result<Difficulty> {
    Difficulty::parse(value).ok_or_else(|| sqlx::Error::Decode(format!("unknown difficulty {value:?}").into()))
}

/// A list entry for a question row.
pub fn summary_of(row: &QuestionRow) -> sqlx::Result<QuestionSummary> {
    Ok(QuestionSummary {
        id: row.question_id,
        slug: row.slug.clone(),
        title: row.title.clone(),
        difficulty: parse_difficulty(&row.difficulty)?,
        tags: row.tags.clone(),
        topic: SlugRef { slug: row.topic_slug.clone(), title: row.topic_title.clone() },
    })
}

pub fn article_summary(row: store::ArticleRow) -> ArticleSummary {
    ArticleSummary {
        id: row.article_id,
        slug: row.slug,
        title: row.title,
        summary: row.summary,
        topics: row
            .topic_slugs
            .into_iter()
            .zip(row.topic_titles)
            .map(|(slug, title)| SlugRef { slug, title })
            .collect(),
    }
}
