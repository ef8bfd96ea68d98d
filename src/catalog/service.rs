//! Catalog use cases shared by several routes and domains: the cached roadmap of a
//! track, which progress, profiles and reminders all overlay with a learner's figures.

use std::sync::Arc;

use super::model::RoadmapTemplate;
use super::views;
use crate::error::ApiError;
use crate::slug::Slug;
use crate::state::AppState;

/// The 404 for a track that does not exist, or a key that cannot be a track's slug.
pub fn no_track(raw: &str) -> ApiError {
    ApiError::NotFound(format!("no track with slug {raw:?}"))
}

/// Parses a track key from a request; a key that cannot exist is answered as an
/// unknown track, without a query (this keeps NUL bytes and megabyte-long path
/// segments away from PostgreSQL and out of the cache).
pub fn track_slug(raw: &str) -> Result<Slug, ApiError> {
    Slug::parse(raw).ok_or_else(|| no_track(raw))
}

/// The cached roadmap of `track` without progress; 404 for a track that does not exist.
pub async fn roadmap_template(state: &AppState, track: &Slug) -> Result<Arc<RoadmapTemplate>, ApiError> {
    let not_found = || no_track(track);
    state
        .cache
        .derived(&format!("roadmap/{track}"), || async {
            let template = state
                .reads
                .run(|db| async move { views::roadmap_template(&mut *db.acquire().await?, track).await })
                .await?;
            template.map(Arc::new).ok_or_else(not_found)
        })
        .await
}
