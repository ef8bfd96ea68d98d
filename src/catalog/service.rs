//! Catalog use cases shared by several routes and domains: the cached roadmap of a
//! track, which progress, profiles and reminders all overlay with a learner's figures.

use std::sync::Arc;

use super::model::RoadmapTemplate;
use super::views;
use crate::error::ApiError;
use crate::slug::is_slug;
use crate::state::AppState;

/// The cached roadmap of `track` without progress; 404 for a track that does not exist.
pub async fn roadmap_template(state: &AppState, track: &str) -> Result<Arc<RoadmapTemplate>, ApiError> {
    let not_found = || ApiError::NotFound(format!("no track with slug {track:?}"));
    // Slugs that cannot exist are answered without a query (this also keeps NUL bytes
    // and megabyte-long path segments away from PostgreSQL).
    if !is_slug(track) {
        return Err(not_found());
    }
    state
        .cache
        .derived(&format!("roadmap/{track}"), || async {
            let template = state.reads.run(|db| async move { views::roadmap_template(&db, track).await }).await?;
            template.map(Arc::new).ok_or_else(not_found)
        })
        .await
}
