//! Plan use cases: goals per track, today's agenda and the readiness forecast. The
//! decisions are the pure functions in [`super::agenda`] and [`super::forecast`]; this
//! module gathers their inputs (from the learner memo where it can) and names things.

use std::sync::Arc;

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::agenda::{self, DayInput, Practice};
use super::forecast::{self, Budget, Change, Item, Known};
use super::model::*;
use super::store::{self, GoalRow};
use crate::auth::AuthUser;
use crate::cache::learners::Stamp;
use crate::catalog::model::RoadmapTopic;
use crate::error::{ApiError, FieldError};
use crate::progress::verification::{self, Standing};
use crate::progress::{fill, soft_spots};
use crate::reminders::model::Weekday;
use crate::slug::Slug;
use crate::state::AppState;
use crate::wire::SlugRef;

/// The day's minutes without a goal.
const DEFAULT_MINUTES: i64 = 30;
/// The longest a goal may look ahead.
const MAX_DAYS_AHEAD: i64 = 730;
/// New questions the agenda looks at (more than any day's minutes can fit).
const OPEN_QUESTIONS: i64 = 12;

fn weekday_of(date: Date) -> Weekday {
    Weekday::ALL[usize::from(date.weekday().number_days_from_monday())]
}

/// Study days from `today` up to the day before `date`.
pub fn study_days(today: Date, date: Date, weekdays: i16) -> i64 {
    let mut day = today;
    let mut n = 0;
    while day < date {
        n += i64::from(weekdays & weekday_of(day).bit() != 0);
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    n
}

/// The date `extra` study days after `date` (the day after the last added study day).
fn date_after_study_days(date: Date, weekdays: i16, extra: i64) -> Date {
    let mut day = date;
    let mut added = 0;
    while added < extra {
        if weekdays & weekday_of(day).bit() != 0 {
            added += 1;
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    day
}

fn goal_view(row: &GoalRow, today: Date) -> Goal {
    Goal {
        track: SlugRef { slug: row.track_slug.clone(), title: row.track_title.clone() },
        interview_date: row.interview_date.to_string(),
        minutes_per_day: i64::from(row.minutes_per_day),
        days: Weekday::list_of(row.weekdays),
        electives: row.electives.clone(),
        days_left: (row.interview_date - today).whole_days(),
        study_days_left: study_days(today, row.interview_date, row.weekdays),
    }
}

/// Creates or replaces the learner's goal on a track. Every invalid field is named in
/// one 422: an unknown track, a date in the past or too far ahead, an absurd budget,
/// no days or a day twice, an elective the track does not have.
pub async fn set_goal(state: &AppState, user_id: Uuid, body: &SetGoal) -> Result<Goal, ApiError> {
    let today = store::local_today(&state.db, user_id, state.clock.now()).await?;
    let mut errors = Vec::new();
    let template = match Slug::parse(&body.track) {
        Some(slug) => crate::catalog::service::roadmap_template(state, &slug).await.ok(),
        None => None,
    };
    if template.is_none() {
        errors.push(FieldError::new("track", format!("no track {:?}", body.track)));
    }
    let date = Date::parse(&body.interview_date, &time::format_description::well_known::Iso8601::DATE).ok();
    match date {
        None => errors.push(FieldError::new("interview_date", "must be a date as YYYY-MM-DD")),
        Some(d) if d < today => {
            errors.push(FieldError::new("interview_date", format!("must be today ({today}) or later")))
        }
        Some(d) if (d - today).whole_days() > MAX_DAYS_AHEAD => {
            errors.push(FieldError::new("interview_date", format!("must be at most {MAX_DAYS_AHEAD} days ahead")))
        }
        Some(_) => {}
    }
    if !(5..=480).contains(&body.minutes_per_day) {
        errors.push(FieldError::new("minutes_per_day", "must be between 5 and 480"));
    }
    let weekdays = Weekday::set_of(&body.days);
    if body.days.is_empty() {
        errors.push(FieldError::new("days", "must name at least one day"));
    } else if Weekday::list_of(weekdays).len() != body.days.len() {
        errors.push(FieldError::new("days", "names a day twice"));
    }
    if body.electives.len() > 50 {
        errors.push(FieldError::new("electives", "at most 50"));
    }
    if let Some(template) = &template {
        let electives = &template.roadmap.electives;
        for (i, slug) in body.electives.iter().enumerate() {
            if !electives.iter().any(|e| e.slug == *slug) {
                errors.push(FieldError::new(format!("electives[{i}]"), format!("no elective {slug:?} on the track")));
            } else if body.electives[..i].contains(slug) {
                errors.push(FieldError::new(format!("electives[{i}]"), "named twice"));
            }
        }
    }
    let (Some(template), Some(date), true) = (template, date, errors.is_empty()) else {
        return Err(ApiError::Validation { detail: "the goal is invalid".into(), errors });
    };
    let minutes = i32::try_from(body.minutes_per_day).unwrap_or(480);
    store::upsert(&state.db, user_id, template.roadmap.id, date, minutes, weekdays, &body.electives).await?;
    let row = store::goals(&state.db, user_id)
        .await?
        .into_iter()
        .find(|g| g.track_id == template.roadmap.id)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("goal vanished after its upsert")))?;
    Ok(goal_view(&row, today))
}

pub async fn goals(state: &AppState, user_id: Uuid) -> Result<Goals, ApiError> {
    let today = store::local_today(&state.db, user_id, state.clock.now()).await?;
    let rows = store::goals(&state.db, user_id).await?;
    Ok(Goals { items: rows.iter().map(|r| goal_view(r, today)).collect() })
}

fn no_goal(track: &str) -> ApiError {
    ApiError::NotFound(format!("no goal on track {track:?}; set one with PUT /me/goals"))
}

pub async fn delete_goal(state: &AppState, user_id: Uuid, track: &Slug) -> Result<(), ApiError> {
    let template = crate::catalog::service::roadmap_template(state, track).await?;
    if !store::delete(&state.db, user_id, template.roadmap.id).await? {
        return Err(no_goal(track));
    }
    Ok(())
}

/// The goal the agenda follows: the named track's (none is fine: the defaults apply),
/// or without a name the goal whose interview comes first (404 without any goal).
fn pick_goal(mut goals: Vec<GoalRow>, track: Option<&str>) -> Result<(String, Option<GoalRow>), ApiError> {
    match track {
        Some(track) => Ok((track.to_owned(), goals.into_iter().find(|g| g.track_slug == track))),
        None => {
            goals.sort_by(|a, b| a.interview_date.cmp(&b.interview_date).then(a.track_slug.cmp(&b.track_slug)));
            let goal = goals.into_iter().next().ok_or_else(|| {
                ApiError::NotFound(
                    "no goal to follow; name a track (`?track=`) or set a goal with PUT /me/goals".into(),
                )
            })?;
            Ok((goal.track_slug.clone(), Some(goal)))
        }
    }
}

fn all_topics(template: &crate::catalog::model::RoadmapTemplate) -> impl Iterator<Item = &RoadmapTopic> {
    template.roadmap.stages.iter().flat_map(|s| s.topics.iter()).chain(template.roadmap.electives.iter())
}

/// Today's agenda on a track, kept in the learner memo until anything it is made from
/// changes: a write of the learner's (goals included: they move the progress version),
/// new content, the end of the local day, or a figure of the progress it reads running
/// out (a card falling due). A home screen opened again costs no query.
pub async fn today(state: &AppState, user: &AuthUser, track: Option<&str>) -> Result<Arc<Today>, ApiError> {
    let key = format!("{}\u{1f}today", track.unwrap_or_default());
    let generation = state.cache.generation();
    let now = state.clock.now();
    let memo = state.cache.is_synced();
    if memo
        && let Some((kept, _)) =
            state.learners.get_until::<Today>(user.id, &key, user.progress_version, generation, now)
    {
        return Ok(kept);
    }
    let (today, valid_until) = compute_today(state, user, track, now).await?;
    let today = Arc::new(today);
    if memo {
        let stamp = Stamp { progress_version: user.progress_version, content_generation: generation, valid_until };
        state.learners.put(user.id, &key, stamp, today.clone(), 2048);
    }
    Ok(today)
}

async fn compute_today(
    state: &AppState,
    user: &AuthUser,
    track: Option<&str>,
    now: OffsetDateTime,
) -> Result<(Today, Option<OffsetDateTime>), ApiError> {
    let goals = store::goals(&state.db, user.id).await?;
    let (track, goal) = pick_goal(goals, track)?;
    let slug = crate::catalog::service::track_slug(&track)?;
    let (template, inputs, figures_until) =
        crate::progress::service::load_until(state, user.id, Some(user.progress_version), &slug).await?;
    let progress = fill::track_progress(&template.roadmap, &inputs);
    let next =
        fill::next_topic(&progress).map(|(_, t)| (t.id, SlugRef { slug: t.slug.clone(), title: t.title.clone() }));
    let topics: Vec<Uuid> = all_topics(&template).map(|t| t.id).collect();
    let day = store::day(&state.db, user.id, &topics, next.as_ref().map(|(id, _)| *id), now).await?;
    let study_day = goal.as_ref().is_none_or(|g| g.weekdays & weekday_of(day.today).bit() != 0);
    let full = goal.as_ref().map_or(DEFAULT_MINUTES, |g| i64::from(g.minutes_per_day));
    let budget_minutes = if study_day { full } else { (full / 4).max(5) };
    let next = match next {
        Some((topic_id, topic)) => {
            let open = crate::progress::store::open_questions(&state.db, user.id, topic_id, OPEN_QUESTIONS).await?;
            let rows = crate::progress::store::probe_questions(&state.db, &open).await?;
            let listed = rows.iter().map(|r| crate::catalog::views::summary_of(&r.row)).collect::<Result<_, _>>()?;
            Some((topic, listed))
        }
        None => None,
    };
    let weakest = soft_spots::soft_spots(&progress).into_iter().next().map(|spot| {
        let quizzable = all_topics(&template).any(|t| t.slug == spot.topic.slug && t.counts.quiz_items > 0);
        let why = spot.reasons.first().map(|r| r.message.clone()).unwrap_or_default();
        (spot.topic, why, if quizzable { Practice::Quiz } else { Practice::Interview })
    });
    let left_of_cap = (i64::from(day.new_cards_per_day) - day.started_today).max(0);
    let input = DayInput {
        budget_minutes,
        study_day,
        cards_due: day.cards_due,
        questions_due: day.questions_due,
        new_cards: day.unseen_cards.min(left_of_cap),
        next,
        weakest,
    };
    let (items, left_over) = agenda::plan(&input);
    let valid_until = [Some(day.day_end), figures_until].into_iter().flatten().min();
    let today = Today {
        track: progress.track.clone(),
        date: day.today.to_string(),
        timezone: day.timezone,
        study_day,
        budget_minutes,
        planned_minutes: items.iter().map(|i| i.minutes).sum(),
        has_goal: goal.is_some(),
        items,
        left_over,
    };
    Ok((today, valid_until))
}

/// The readiness target when none is asked for.
const DEFAULT_TARGET: f64 = 0.8;

/// What the forecast knows of a question from its evidence row.
fn known_of(e: &verification::QuestionEvidence, now: OffsetDateTime, date: OffsetDateTime, retention: f64) -> Known {
    let claimed = e.claimed_at.is_some();
    match verification::judge(e, now) {
        Standing::Verified => {
            let recall_on_date = match (e.latest, e.stability) {
                (Some((at, _)), Some(s)) => f64::from(verification::recall(s, date - at)),
                (Some((at, _)), None) if date - at < verification::WINDOW => retention,
                _ => 0.5,
            };
            Known::Verified { recall_on_date }
        }
        Standing::Decaying | Standing::ContentChanged => Known::Claimed,
        Standing::Unproven if claimed => Known::Claimed,
        Standing::Failed | Standing::Unproven => Known::New,
    }
}

/// The readiness forecast on a track with a goal.
pub async fn forecast(
    state: &AppState,
    user_id: Uuid,
    track: &Slug,
    target: Option<f64>,
) -> Result<Forecast, ApiError> {
    let target = target.unwrap_or(DEFAULT_TARGET);
    if !(0.5..=0.99).contains(&target) {
        return Err(ApiError::invalid("target", "must be between 0.5 and 0.99"));
    }
    let template = crate::catalog::service::roadmap_template(state, track).await?;
    let goal = store::goals(&state.db, user_id)
        .await?
        .into_iter()
        .find(|g| g.track_id == template.roadmap.id)
        .ok_or_else(|| no_goal(track))?;
    let now = state.clock.now();
    let account = crate::auth::service::current_account(&state.db, user_id).await?;
    let today = store::local_today(&state.db, user_id, now).await?;
    // Groups in path order: the stages, then the electives in scope.
    let mut groups: Vec<(SlugRef, bool, Vec<&RoadmapTopic>)> = template
        .roadmap
        .stages
        .iter()
        .map(|s| (SlugRef { slug: s.slug.clone(), title: s.title.clone() }, false, s.topics.iter().collect()))
        .collect();
    let first_elective = groups.len();
    for e in template.roadmap.electives.iter().filter(|e| goal.electives.contains(&e.slug)) {
        groups.push((SlugRef { slug: e.slug.clone(), title: e.title.clone() }, true, vec![e]));
    }
    let topics: Vec<Uuid> = groups.iter().flat_map(|g| g.2.iter().map(|t| t.id)).collect();
    let evidence = crate::progress::store::question_evidence(&state.db, user_id, &topics).await?;
    let (tested, held) = evidence
        .iter()
        .filter(|e| e.claimed_at.is_some())
        .filter_map(|e| e.first_after_claim)
        .fold((0, 0), |(t, h), pass| (t + 1, h + i64::from(pass)));
    let retention = f64::from(account.desired_retention);
    let date = goal.interview_date.midnight().assume_utc();
    let mut items = Vec::new();
    for (index, (_, _, group_topics)) in groups.iter().enumerate() {
        for topic in group_topics {
            let rows: Vec<&verification::QuestionEvidence> =
                evidence.iter().filter(|e| e.topic_id == topic.id).collect();
            // Known questions first: the plan checks and keeps them before new ones.
            let mut known: Vec<Item> =
                rows.iter().map(|e| Item { group: index, known: known_of(e, now, date, retention) }).collect();
            known.sort_by_key(|i| match i.known {
                Known::Verified { .. } => 0,
                Known::Claimed => 1,
                Known::New => 2,
            });
            items.extend(known);
            let fresh = (topic.counts.questions - rows.len() as i64).max(0);
            items.extend((0..fresh).map(|_| Item { group: index, known: Known::New }));
        }
    }
    let budget = Budget {
        study_days: study_days(today, goal.interview_date, goal.weekdays),
        minutes_per_day: f64::from(goal.minutes_per_day),
        desired_retention: retention,
        claim_hold_rate: if tested > 0 { held as f64 / tested as f64 } else { 0.5 },
    };
    let outcome = forecast::forecast(&items, groups.len(), &budget);
    let mut suggestions = Vec::new();
    if outcome.overall < target {
        if let Some(Change::MoreMinutes { minutes_per_day, readiness }) =
            forecast::minutes_needed(&items, groups.len(), &budget, target)
        {
            suggestions.push(Suggestion::MoreMinutes { minutes_per_day, readiness });
        }
        let electives: Vec<usize> = (first_elective..groups.len()).collect();
        for change in forecast::electives_to_drop(&items, groups.len(), &electives, &budget, target) {
            if let Change::DropElective { group, readiness } = change {
                suggestions.push(Suggestion::DropElective { elective: groups[group].0.slug.clone(), readiness });
            }
        }
        // Extra study days, up to a year of calendar days at the goal's week.
        let max_extra = study_days(goal.interview_date, goal.interview_date + Duration::days(365), goal.weekdays);
        if let Some(Change::MoreStudyDays { study_days: extra, readiness }) =
            forecast::days_needed(&items, groups.len(), &budget, target, max_extra)
        {
            let moved = date_after_study_days(goal.interview_date, goal.weekdays, extra);
            suggestions.push(Suggestion::MoveDate { interview_date: moved.to_string(), readiness });
        }
    }
    let status = if outcome.overall >= target {
        ForecastStatus::OnTrack
    } else if suggestions.is_empty() {
        ForecastStatus::Impossible
    } else {
        ForecastStatus::Behind
    };
    let stages = groups
        .iter()
        .zip(&outcome.groups)
        .enumerate()
        .map(|(index, ((group, elective, _), readiness))| GroupForecast {
            slug: group.slug.clone(),
            title: group.title.clone(),
            elective: *elective,
            questions: items.iter().filter(|i| i.group == index).count() as i64,
            readiness: *readiness,
        })
        .collect();
    Ok(Forecast {
        track: SlugRef { slug: template.roadmap.slug.clone(), title: template.roadmap.title.clone() },
        interview_date: goal.interview_date.to_string(),
        study_days_left: budget.study_days,
        minutes_per_day: i64::from(goal.minutes_per_day),
        target,
        readiness: outcome.overall,
        status,
        covered_questions: outcome.covered as i64,
        questions: items.len() as i64,
        planned_minutes: outcome.planned_minutes.round() as i64,
        stages,
        suggestions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const WEEKDAYS_ONLY: i16 = 0b001_1111;

    #[test]
    fn study_days_count_the_goal_days_before_the_date() {
        // Monday 2026-12-07 to Monday 2026-12-21: two working weeks.
        assert_eq!(study_days(date!(2026 - 12 - 07), date!(2026 - 12 - 21), WEEKDAYS_ONLY), 10);
        assert_eq!(study_days(date!(2026 - 12 - 07), date!(2026 - 12 - 21), 0b111_1111), 14);
        assert_eq!(study_days(date!(2026 - 12 - 21), date!(2026 - 12 - 21), 0b111_1111), 0, "the day itself is not");
    }

    #[test]
    fn moving_the_date_by_study_days_skips_rest_days() {
        // Friday plus one working day is past the weekend: Tuesday.
        assert_eq!(date_after_study_days(date!(2026 - 12 - 11), WEEKDAYS_ONLY, 2), date!(2026 - 12 - 15));
    }
}
