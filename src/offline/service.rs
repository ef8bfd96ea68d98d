//! Building a track's offline copy: read on one connection (replica or primary, or a
//! preview's transaction), the feed cursor first, so that whatever changes while the
//! copy is read is listed after it.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::model::*;
use super::store;
use crate::cache::Rendered;
use crate::catalog::{service as catalog, views};
use crate::error::ApiError;
use crate::slug::Slug;
use crate::state::AppState;
use crate::web::etag;

/// Bumped when a reader of an older layout could no longer read the bundle.
const FORMAT: u32 = 1;

/// The rendered bundle of `track`, from the content cache (made, and compressed, once
/// per content generation); 404 for a track that does not exist.
pub async fn bundle(state: &AppState, track: &Slug) -> Result<Rendered, ApiError> {
    state
        .cache
        .rendered(&format!("bundle/{track}"), || async {
            let now = state.clock.now();
            let bundle =
                state.reads.run(|db| async move { build(&mut *db.acquire().await?, track, now).await }).await?;
            etag::render(&bundle.ok_or_else(|| catalog::no_track(track))?)
        })
        .await
}

/// The bundle of `track` as a preview's transaction sees it (its drafts applied); the
/// change cursor is still the published one, since drafts are not in the feed.
pub async fn preview(tx: &mut PgConnection, track: &Slug, now: OffsetDateTime) -> Result<TrackBundle, ApiError> {
    build(tx, track, now).await?.ok_or_else(|| catalog::no_track(track))
}

/// Everything on one connection, so a preview's transaction can be read the same way
/// as the read pool.
async fn build(conn: &mut PgConnection, track: &str, now: OffsetDateTime) -> sqlx::Result<Option<TrackBundle>> {
    // Not the cached roadmap: it may predate the cursor, and a change between the two
    // would then be neither in the copy nor after the cursor.
    let changes_cursor = crate::feed::service::content_head(&mut *conn).await?;
    let Some(template) = views::roadmap_template(&mut *conn, track).await? else { return Ok(None) };
    let roadmap = template.roadmap;
    let slugs = roadmap.stages.iter().flat_map(|s| &s.topics).chain(&roadmap.electives).map(|t| t.slug.as_str());
    let mut topics = Vec::new();
    for slug in slugs {
        if let Some(topic) = topic(&mut *conn, track, slug).await? {
            topics.push(topic);
        }
    }
    Ok(Some(TrackBundle { format: FORMAT, generated_at: now, changes_cursor, roadmap, topics }))
}

/// One topic with everything under it; `None` when it left the track since the
/// roadmap was read.
async fn topic(conn: &mut PgConnection, track: &str, slug: &str) -> sqlx::Result<Option<BundleTopic>> {
    let Some(detail) = views::topic_detail(&mut *conn, track, slug).await? else { return Ok(None) };
    let flashcards = views::topic_flashcards(&mut *conn, track, slug).await?;
    let questions = store::questions(&mut *conn, detail.id).await?;
    let quiz_items = store::quiz_items(&mut *conn, detail.id).await?;
    Ok(Some(BundleTopic {
        topic: detail,
        questions: questions.into_iter().map(views::question_detail_of).collect::<sqlx::Result<_>>()?,
        flashcards: flashcards.map(|list| list.items).unwrap_or_default(),
        quiz_items: quiz_items
            .into_iter()
            .map(|row| OfflineQuizItem {
                id: row.quiz_item_id,
                kind: row.kind,
                prompt: row.prompt,
                code: row.code,
                options: row.options,
                question_id: row.question_id,
            })
            .collect(),
    }))
}
