//! What the day's reminder says, computed the same way for the mail and for
//! `GET /me/summary`: two small queries and the memoised progress of each track.

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{StreakSummary, Summary, TrackNextTopic};
use super::store;
use crate::catalog::model::SlugRef;
use crate::error::ApiError;
use crate::progress::{activity, fill};
use crate::state::AppState;

/// The learner the summary is for.
pub struct Learner<'a> {
    pub user_id: Uuid,
    pub timezone: &'a str,
    /// The account's progress version (lets the progress memo answer).
    pub progress_version: Option<i64>,
}

pub async fn of(state: &AppState, learner: &Learner<'_>, now: OffsetDateTime) -> Result<Summary, ApiError> {
    let tz = learner.timezone;
    let (cards_due_now, cards_due_today) = store::due_counts(&state.db, learner.user_id, tz, now).await?;
    let (days, today) = store::active_days(&state.db, learner.user_id, tz, now).await?;
    let (current, _) = activity::streaks(&days, today);
    let active_today = days.last() == Some(&today);
    let streak = StreakSummary { current, active_today, at_risk: current > 0 && !active_today };

    let tracks = store::live_tracks(&state.db).await?;
    let mut next_topics = Vec::new();
    for (slug, title) in tracks {
        // Stored slugs are slugs (the seed and the admin API refuse anything else).
        let Some(track) = crate::slug::Slug::parse(&slug) else { continue };
        let (template, inputs) =
            crate::progress::service::load(state, learner.user_id, learner.progress_version, &track).await?;
        let progress = fill::track_progress(&template.roadmap, &inputs);
        let started = progress
            .stages
            .iter()
            .flat_map(|s| s.topics.iter())
            .chain(progress.electives.iter())
            .any(|t| fill::started(&t.progress));
        if !started {
            continue;
        }
        if let Some((_, topic)) = fill::next_topic(&progress) {
            next_topics.push(TrackNextTopic {
                track: SlugRef { slug: slug.clone(), title: title.clone() },
                topic: SlugRef { slug: topic.slug.clone(), title: topic.title.clone() },
                percent: topic.progress.percent,
            });
        }
    }
    Ok(Summary {
        as_of: now,
        local_date: today.to_string(),
        timezone: tz.to_owned(),
        cards_due_now,
        cards_due_today,
        something_to_do: cards_due_today > 0 || streak.at_risk,
        streak,
        next_topics,
    })
}
