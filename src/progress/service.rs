//! Progress use cases shared by several routes and domains: a track's roadmap with
//! the learner's figures, from the memo when nothing changed.

use std::sync::Arc;

use uuid::Uuid;

use super::memo::{Inputs, Stamp};
use super::store;
use crate::cache::RoadmapTemplate;
use crate::error::ApiError;
use crate::state::AppState;

/// The track's cached roadmap (no progress) and the learner's figures per topic: what
/// every progress view is computed from. The roadmap comes from the content cache; the
/// figures from the learner memo when `version` (the caller's progress version, from
/// their account row) says nothing changed, else from one query. `None` (someone else's
/// progress, as on a public profile) always queries.
pub async fn load(
    state: &AppState,
    user_id: Uuid,
    version: Option<i64>,
    track: &str,
) -> Result<(Arc<RoadmapTemplate>, Inputs), ApiError> {
    // Read before anything is loaded: a change landing meanwhile moves it on, and the
    // figures are then kept under the old generation, which no later read asks for.
    let generation = state.cache.generation();
    let template = crate::catalog::service::roadmap_template(state, track).await?;
    let now = state.clock.now();
    let memo = version.filter(|_| state.cache.is_synced());
    if let Some(version) = memo
        && let Some(inputs) = state.learners.get(user_id, track, version, generation, now)
    {
        return Ok((template, inputs));
    }
    let totals: Vec<(Uuid, i64)> = template
        .roadmap
        .stages
        .iter()
        .flat_map(|s| s.topics.iter())
        .chain(template.roadmap.electives.iter())
        .map(|t| (t.id, t.counts.questions))
        .collect();
    let (inputs, valid_until) = store::learner_inputs(&state.db, user_id, &totals, now).await?;
    let inputs = Arc::new(inputs);
    if let Some(progress_version) = memo {
        let stamp = Stamp { progress_version, content_generation: generation, valid_until };
        state.learners.put(user_id, track, stamp, inputs.clone());
    }
    Ok((template, inputs))
}
