//! Progress use cases: a track's roadmap with the learner's figures (from the memo
//! when nothing changed), marking questions and topics, what to study next, and the
//! activity heatmap with streaks.

use std::collections::HashMap;
use std::sync::Arc;

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::fill::{Inputs, TopicInput};
use super::model::*;
use super::{activity, fill, store, verification};
use crate::auth::AuthUser;
use crate::cache::learners::Stamp;
use crate::catalog::model::RoadmapTemplate;
use crate::catalog::model::{QuestionSummary, SlugRef};
use crate::catalog::store as catalog_store;
use crate::error::ApiError;
use crate::slug::Slug;
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
    track: &Slug,
) -> Result<(Arc<RoadmapTemplate>, Inputs), ApiError> {
    let (template, inputs, _) = load_until(state, user_id, version, track).await?;
    Ok((template, inputs))
}

/// [`load`]'s result, with the moment the figures stop holding
/// (a flashcard falling due, evidence leaving its window, recall crossing the floor):
/// what a view built from them may be kept until.
pub async fn load_until(
    state: &AppState,
    user_id: Uuid,
    version: Option<i64>,
    track: &Slug,
) -> Result<(Arc<RoadmapTemplate>, Inputs, Option<OffsetDateTime>), ApiError> {
    // Read before anything is loaded: a change landing meanwhile moves it on, and the
    // figures are then kept under the old generation, which no later read asks for.
    let generation = state.cache.generation();
    let template = crate::catalog::service::roadmap_template(state, track).await?;
    let now = state.clock.now();
    let memo = version.filter(|_| state.cache.is_synced());
    if let Some(version) = memo
        && let Some((inputs, valid_until)) =
            state.learners.get_until::<HashMap<Uuid, TopicInput>>(user_id, track, version, generation, now)
    {
        return Ok((template, inputs, valid_until));
    }
    let totals: Vec<(Uuid, i64)> = template
        .roadmap
        .stages
        .iter()
        .flat_map(|s| s.topics.iter())
        .chain(template.roadmap.electives.iter())
        .map(|t| (t.id, t.counts.questions))
        .collect();
    let topics: Vec<Uuid> = totals.iter().map(|(id, _)| *id).collect();
    let ((mut inputs, due_changes), evidence) = tokio::try_join!(
        store::learner_inputs(&state.db, user_id, &totals, now),
        store::question_evidence(&state.db, user_id, &topics),
    )?;
    let (mut proofs, proof_changes) = verification::by_topic(&evidence, &totals, now);
    for (topic, input) in inputs.iter_mut() {
        if let Some(proof) = proofs.remove(topic) {
            input.proof = proof;
        }
    }
    let valid_until = [due_changes, proof_changes].into_iter().flatten().min();
    let inputs = Arc::new(inputs);
    if let Some(progress_version) = memo {
        let stamp = Stamp { progress_version, content_generation: generation, valid_until };
        // About 200 bytes per topic.
        state.learners.put(user_id, track, stamp, inputs.clone(), inputs.len() * 200);
    }
    Ok((template, inputs, valid_until))
}

/// How far ahead of the server a device clock may be.
const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// When a mark was made; `now` is the service clock, the same one quiz submissions,
/// reviews and cold answers are stamped by, so claims and evidence order correctly.
fn mark_time(requested: Option<OffsetDateTime>, now: OffsetDateTime, field: &str) -> Result<store::MarkedAt, ApiError> {
    match requested {
        None => Ok(store::MarkedAt { at: now, from_client: false }),
        Some(t) if t > now + MAX_CLOCK_SKEW => Err(ApiError::invalid(field, "must not be in the future")),
        Some(t) if t.year() < 2000 => Err(ApiError::invalid(field, "must be after 2000-01-01")),
        Some(at) => Ok(store::MarkedAt { at, from_client: true }),
    }
}

/// Marks a question (last writer wins by `marked_at`); 404 for a retired or unknown one.
pub async fn mark_question(
    state: &AppState,
    user_id: Uuid,
    question_id: Uuid,
    body: &SetQuestionStatus,
) -> Result<QuestionMark, ApiError> {
    let marked_at = mark_time(body.marked_at, state.clock.now(), "marked_at")?;
    if !store::question_is_live(&state.db, question_id).await? {
        return Err(ApiError::NotFound(format!("no question with id {}", question_id)));
    }
    let mut tx = state.db.begin().await?;
    let (status, marked_at, applied) =
        store::set_question_mark(&mut tx, user_id, question_id, body.status.as_str(), marked_at).await?;
    tx.commit().await?;
    let status =
        QuestionStatus::parse(&status).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad status {status}")))?;
    Ok(QuestionMark { question_id, status, marked_at, applied })
}

/// The 404 for a topic the track does not hold (or keys that cannot be slugs).
pub fn topic_not_on_track(topic: &str, track: &str) -> ApiError {
    ApiError::NotFound(format!("no topic {topic:?} on track {track:?}"))
}

/// Marks a topic of a track (same rules as a question mark); 404 when the track does
/// not hold the topic.
pub async fn mark_topic(
    state: &AppState,
    user_id: Uuid,
    track: &Slug,
    topic_slug: &Slug,
    body: &SetTopicStatus,
) -> Result<TopicMark, ApiError> {
    let marked_at = mark_time(body.marked_at, state.clock.now(), "marked_at")?;
    let not_found = || topic_not_on_track(topic_slug, track);
    let track = catalog_store::track_by_slug(&state.db, track).await?.ok_or_else(not_found)?;
    let topic = catalog_store::topic_on_track(&state.db, track.track_id, topic_slug).await?.ok_or_else(not_found)?;
    let mut tx = state.db.begin().await?;
    let (status, marked_at, applied) =
        store::set_topic_mark(&mut tx, user_id, topic.topic_id, body.status.as_str(), marked_at).await?;
    tx.commit().await?;
    let status =
        TopicStatus::parse(&status).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad status {status}")))?;
    Ok(TopicMark { topic_id: topic.topic_id, topic: topic.slug, status, marked_at, applied })
}

/// The caller's filled-in roadmap of a track.
pub async fn progress(state: &AppState, user: &AuthUser, track: &Slug) -> Result<TrackProgress, ApiError> {
    let (template, inputs) = load(state, user.id, Some(user.progress_version), track).await?;
    Ok(fill::track_progress(&template.roadmap, &inputs))
}

/// The caller's weak topics on a track, weakest first.
pub async fn soft_spots(state: &AppState, user: &AuthUser, track: &Slug) -> Result<SoftSpots, ApiError> {
    let progress = progress(state, user, track).await?;
    Ok(SoftSpots { items: super::soft_spots::soft_spots(&progress), next_cursor: None })
}

/// The first unfinished topic on the path, with up to three open questions and why.
pub async fn next_up(state: &AppState, user: &AuthUser, track: &Slug) -> Result<NextUp, ApiError> {
    let (template, inputs) = load(state, user.id, Some(user.progress_version), track).await?;
    let progress = fill::track_progress(&template.roadmap, &inputs);
    let probes = probes(state, &template, &inputs, 3).await?;
    let also_in_progress: Vec<SlugRef> = progress
        .electives
        .iter()
        .filter(|e| e.progress.status == TopicStatus::Learning && fill::unfinished(&e.progress))
        .map(|e| SlugRef { slug: e.slug.clone(), title: e.title.clone() })
        .collect();
    let Some((stage, topic)) = fill::next_topic(&progress) else {
        return Ok(NextUp {
            topic: None,
            reason_code: NextReason::TrackComplete,
            reason: "Every topic on the track is finished or skipped.".to_owned(),
            questions: Vec::new(),
            also_in_progress,
            probes,
        });
    };
    let (reason_code, reason) = if topic.elective {
        (NextReason::CoreComplete, format!("Every core topic is finished; {} is the next elective.", topic.title))
    } else if fill::started(&topic.progress) {
        (
            NextReason::ContinueInProgress,
            format!("{} is the first unfinished topic on the path, and you have started it.", topic.title),
        )
    } else {
        (NextReason::NextInOrder, format!("{} is the first topic on the path you have not finished.", topic.title))
    };
    let open = store::open_questions(&state.db, user.id, topic.id, 3).await?;
    let all = catalog_store::topic_questions(&state.db, topic.id).await?;
    let questions: Vec<QuestionSummary> = open
        .iter()
        .filter_map(|id| all.iter().find(|q| q.question_id == *id))
        .map(crate::catalog::views::summary_of)
        .collect::<Result<_, _>>()?;
    let also_in_progress = also_in_progress.into_iter().filter(|e| e.slug != topic.slug).collect();
    Ok(NextUp {
        topic: Some(NextTopic {
            id: topic.id,
            slug: topic.slug.clone(),
            title: topic.title.clone(),
            stage: stage.map(|s| SlugRef { slug: s.slug.clone(), title: s.title.clone() }),
            elective: topic.elective,
            progress: topic.progress.clone(),
        }),
        reason_code,
        reason,
        questions,
        also_in_progress,
        probes,
    })
}

/// The questions of `topics` queued as verification probes for the learner (what the
/// quiz and interview draws put first). With the scope's `track`, they come from the
/// learner memo (a draw then costs no evidence query); without one, from the evidence
/// of those topics.
pub async fn probe_questions(
    state: &AppState,
    user: &AuthUser,
    track: Option<&str>,
    topics: &[Uuid],
) -> Result<Vec<Uuid>, ApiError> {
    if let Some(track) = track.and_then(Slug::parse) {
        let (_, inputs) = load(state, user.id, Some(user.progress_version), &track).await?;
        return Ok(topics
            .iter()
            .filter_map(|t| inputs.get(t))
            .flat_map(|input| input.proof.probes.iter().map(|p| p.question_id))
            .collect());
    }
    let now = state.clock.now();
    let evidence = store::question_evidence(&state.db, user.id, topics).await?;
    Ok(evidence
        .iter()
        .filter(|e| verification::probe_reason(verification::judge(e, now), e.claimed_at.is_some()).is_some())
        .map(|e| e.question_id)
        .collect())
}

/// Up to `limit` probes of the track in path order (core topics, then electives).
async fn probes(
    state: &AppState,
    template: &RoadmapTemplate,
    inputs: &HashMap<Uuid, TopicInput>,
    limit: usize,
) -> Result<Vec<ProbeSuggestion>, ApiError> {
    let roadmap = &template.roadmap;
    let queued: Vec<&verification::Probe> = roadmap
        .stages
        .iter()
        .flat_map(|s| s.topics.iter())
        .chain(roadmap.electives.iter())
        .filter_map(|t| inputs.get(&t.id))
        .flat_map(|input| input.proof.probes.iter())
        .take(limit)
        .collect();
    if queued.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = queued.iter().map(|p| p.question_id).collect();
    let questions = store::probe_questions(&state.db, &ids).await?;
    questions
        .iter()
        .filter_map(|q| queued.iter().find(|p| p.question_id == q.row.question_id).map(|p| (q, p.reason)))
        .map(|(q, reason)| {
            let (reason_code, reason) = match reason {
                verification::ProbeReason::ClaimedUnproven => {
                    (ProbeCode::ClaimedUnproven, "You marked it got-it; nothing in the last 90 days backs that up.")
                }
                verification::ProbeReason::Decaying => {
                    (ProbeCode::ProvenButDecaying, "You proved it, but it is likely fading from memory by now.")
                }
                verification::ProbeReason::ContentChanged => {
                    (ProbeCode::ContentChanged, "Its answer was substantially revised since you had it down.")
                }
            };
            Ok(ProbeSuggestion {
                question: crate::catalog::views::summary_of(&q.row)?,
                reason_code,
                reason: reason.to_owned(),
                how: if q.quizzable { ProbeHow::QuizItem } else { ProbeHow::ColdAnswer },
            })
        })
        .collect()
}

/// Active days in the range (default: the year up to today, in the account's time
/// zone) and the streaks.
pub async fn activity(
    state: &AppState,
    user_id: Uuid,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Activity, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let (days, today) = activity::days(&state.db, user_id, &account.timezone).await?;
    let to = parse_activity_date("to", to)?.unwrap_or(today);
    let default_from = to.checked_sub(Duration::days(364)).unwrap_or(Date::MIN);
    let from = parse_activity_date("from", from)?.unwrap_or(default_from);
    if from > to {
        return Err(ApiError::invalid("from", "must not be after `to`"));
    }
    if (to - from).whole_days() > 3660 {
        return Err(ApiError::invalid("from", "the range must be at most 3660 days"));
    }
    let active: Vec<Date> = days.iter().map(|(d, _)| *d).collect();
    let (current_streak, longest_streak) = activity::streaks(&active, today);
    let in_range: Vec<ActivityDay> = days
        .iter()
        .filter(|(d, _)| *d >= from && *d <= to)
        .map(|(d, c)| ActivityDay { date: d.to_string(), count: *c })
        .collect();
    Ok(Activity {
        timezone: account.timezone,
        from: from.to_string(),
        to: to.to_string(),
        total: in_range.iter().map(|d| d.count).sum(),
        days: in_range,
        current_streak,
        longest_streak,
    })
}

/// Parses a `from`/`to` day. ISO 8601 allows signed six-digit years (`-009999-06-01`);
/// such days are refused here with a 422 rather than reaching date arithmetic that
/// cannot represent them.
fn parse_activity_date(field: &str, value: Option<&str>) -> Result<Option<Date>, ApiError> {
    let Some(text) = value else { return Ok(None) };
    let date = Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| ApiError::invalid(field, "must be a date as YYYY-MM-DD"))?;
    if !(ACTIVITY_YEARS.contains(&date.year())) {
        return Err(ApiError::invalid(field, "must be between 1970-01-01 and 9999-12-31"));
    }
    Ok(Some(date))
}

/// Days the activity range may name.
const ACTIVITY_YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;
