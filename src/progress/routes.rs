//! Progress handlers: marks, the filled-in roadmap, next-up, soft spots, activity.

use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::fill;
use super::model::*;
use super::{activity, service, store};
use crate::auth::AuthUser;
use crate::catalog::model::{QuestionSummary, SlugRef};
use crate::catalog::store as catalog_store;
use crate::content::validate::is_slug;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, NotFound, Unprocessable};
use crate::state::AppState;
use crate::web::private_ok;

/// How far ahead of the server a device clock may be.
const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

fn mark_time(requested: Option<OffsetDateTime>, field: &str) -> Result<store::MarkedAt, ApiError> {
    let now = OffsetDateTime::now_utc();
    match requested {
        None => Ok(store::MarkedAt { at: now, from_client: false }),
        Some(t) if t > now + MAX_CLOCK_SKEW => Err(ApiError::invalid(field, "must not be in the future")),
        Some(t) if t.year() < 2000 => Err(ApiError::invalid(field, "must be after 2000-01-01")),
        Some(at) => Ok(store::MarkedAt { at, from_client: true }),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct QuestionPath {
    /// Question id.
    id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrackPath {
    /// Track slug.
    #[param(example = "python")]
    track: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TopicPath {
    /// Track slug.
    #[param(example = "python")]
    track: String,
    /// Topic slug.
    #[param(example = "fundamentals")]
    topic: String,
}

/// Mark a question.
///
/// `new`, `learning` or `got_it`. Idempotent: the same PUT twice is one change.
/// Last writer wins by `marked_at`, so two devices converge; an older write is ignored
/// (`applied: false`) and the response shows the mark that stands. The mark belongs
/// to the question, so it shows on every track holding its topic.
#[utoipa::path(
    tag = "progress",
    operation_id = "set_question_status",
    security(("bearer_auth" = [])),
    params(QuestionPath),
    request_body = SetQuestionStatus,
    responses(
        (status = 200, description = "The mark that stands", body = QuestionMark),
        (status = 404, response = inline(NotFound)),
    )
)]
#[put("/me/questions/{id}/status")]
pub async fn set_question_status(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<QuestionPath>,
    body: web::Json<SetQuestionStatus>,
) -> Result<HttpResponse, ApiError> {
    let marked_at = mark_time(body.marked_at, "marked_at")?;
    if !store::question_is_live(&state.db, path.id).await? {
        return Err(ApiError::NotFound(format!("no question with id {}", path.id)));
    }
    let mut tx = state.db.begin().await?;
    let (status, marked_at, applied) =
        store::set_question_mark(&mut tx, user.id, path.id, body.status.as_str(), marked_at).await?;
    tx.commit().await?;
    let status =
        QuestionStatus::parse(&status).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad status {status}")))?;
    Ok(private_ok().json(QuestionMark { question_id: path.id, status, marked_at, applied }))
}

/// Mark a topic.
///
/// `not_started`, `learning`, `done` or `skipped`, with the same idempotent,
/// last-writer-wins rules as question marks. `done` fills the topic; `skipped` on an
/// elective keeps it from counting against the track.
#[utoipa::path(
    tag = "progress",
    operation_id = "set_topic_status",
    security(("bearer_auth" = [])),
    params(TopicPath),
    request_body = SetTopicStatus,
    responses(
        (status = 200, description = "The mark that stands", body = TopicMark),
        (status = 404, response = inline(NotFound)),
    )
)]
#[put("/me/tracks/{track}/topics/{topic}/status")]
pub async fn set_topic_status(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TopicPath>,
    body: web::Json<SetTopicStatus>,
) -> Result<HttpResponse, ApiError> {
    let marked_at = mark_time(body.marked_at, "marked_at")?;
    let not_found = || ApiError::NotFound(format!("no topic {:?} on track {:?}", path.topic, path.track));
    if !is_slug(&path.track) || !is_slug(&path.topic) {
        return Err(not_found());
    }
    let track = catalog_store::track_by_slug(&state.db, &path.track).await?.ok_or_else(not_found)?;
    let topic = catalog_store::topic_on_track(&state.db, track.track_id, &path.topic).await?.ok_or_else(not_found)?;
    let mut tx = state.db.begin().await?;
    let (status, marked_at, applied) =
        store::set_topic_mark(&mut tx, user.id, topic.topic_id, body.status.as_str(), marked_at).await?;
    tx.commit().await?;
    let status =
        TopicStatus::parse(&status).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad status {status}")))?;
    Ok(private_ok().json(TopicMark { topic_id: topic.topic_id, topic: topic.slug, status, marked_at, applied }))
}

/// The learner's filled-in roadmap.
///
/// Per topic: status, questions got-it / learning / total, quiz accuracy, flashcards
/// due, and a fill. Per stage and for the track: a fill.
///
/// **The fill rule.** A topic's fill is 1 when the learner marked it `done`, otherwise
/// `(got_it + 0.5 × learning) / live questions` (0 without questions; retired questions
/// count on neither side). A stage's fill is the mean of its core topics' fills. The
/// track's fill is the mean over core topics plus the electives that count: an elective
/// counts once started (`learning` or `done`) and never when `skipped` or untouched.
/// `percent` is the fill rounded down to a whole percentage, so 100 means complete.
#[utoipa::path(
    tag = "progress",
    operation_id = "get_track_progress",
    security(("bearer_auth" = [])),
    params(TrackPath),
    responses(
        (status = 200, description = "The filled-in roadmap", body = TrackProgress),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/me/tracks/{track}/progress")]
pub async fn get_progress(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    let (template, inputs) = service::load(&state, user.id, Some(user.progress_version), &path.track).await?;
    Ok(private_ok().json(fill::track_progress(&template.roadmap, &inputs)))
}

/// What to study next.
///
/// The track is walked top to bottom: the answer is the first core topic, in roadmap
/// order, that is not finished (not `done`/`skipped` and below 100%), not whichever is
/// easiest. Once every core topic is finished, the first unfinished elective. It comes
/// with up to three of the topic's questions not yet got-it, and a reason.
#[utoipa::path(
    tag = "progress",
    operation_id = "get_next_up",
    security(("bearer_auth" = [])),
    params(TrackPath),
    responses(
        (status = 200, description = "The recommendation", body = NextUp),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/me/tracks/{track}/next")]
pub async fn get_next(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    let (template, inputs) = service::load(&state, user.id, Some(user.progress_version), &path.track).await?;
    let progress = fill::track_progress(&template.roadmap, &inputs);
    let also_in_progress: Vec<SlugRef> = progress
        .electives
        .iter()
        .filter(|e| e.progress.status == TopicStatus::Learning && fill::unfinished(&e.progress))
        .map(|e| SlugRef { slug: e.slug.clone(), title: e.title.clone() })
        .collect();
    let Some((stage, topic)) = fill::next_topic(&progress) else {
        return Ok(private_ok().json(NextUp {
            topic: None,
            reason_code: NextReason::TrackComplete,
            reason: "Every topic on the track is finished or skipped.".to_owned(),
            questions: Vec::new(),
            also_in_progress,
        }));
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
    Ok(private_ok().json(NextUp {
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
    }))
}

/// Where the learner is weak.
///
/// Topics ranked by weakness (the sum of their reasons' weights), each with
/// machine-readable reasons and a sentence: `out_of_order` (an earlier-stage core topic
/// unfinished while a later stage is being worked; weight 3), `overconfidence`
/// (questions marked got-it whose quiz items were then answered wrong; 3),
/// `done_with_open_questions` (marked done with questions not got-it; 2),
/// `low_quiz_accuracy` (latest quiz in the topic below 60% with at least 3 answers; 2),
/// `overdue_flashcards` (cards more than a day overdue; 1).
#[utoipa::path(
    tag = "progress",
    operation_id = "get_soft_spots",
    security(("bearer_auth" = [])),
    params(TrackPath),
    responses(
        (status = 200, description = "Weak topics, weakest first", body = SoftSpots),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/me/tracks/{track}/soft-spots")]
pub async fn get_soft_spots(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    let (template, inputs) = service::load(&state, user.id, Some(user.progress_version), &path.track).await?;
    let progress = fill::track_progress(&template.roadmap, &inputs);
    Ok(private_ok().json(SoftSpots { items: soft_spots(&progress), next_cursor: None }))
}

/// Soft spots from a computed progress (pure, so the rules are easy to follow).
pub fn soft_spots(progress: &TrackProgress) -> Vec<SoftSpot> {
    // The latest stage the learner has started anything in.
    let latest_started = progress.stages.iter().rposition(|s| s.topics.iter().any(|t| fill::started(&t.progress)));
    let mut spots: Vec<(usize, SoftSpot)> = Vec::new();
    let mut order = 0;
    for (stage_index, stage) in progress.stages.iter().enumerate() {
        for topic in &stage.topics {
            order += 1;
            let mut reasons = Vec::new();
            if let Some(latest) = latest_started
                && stage_index < latest
                && fill::unfinished(&topic.progress)
            {
                let later = &progress.stages[latest];
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::OutOfOrder,
                    message: format!(
                        "Unfinished while you work on the later stage \"{}\"; it is a foundation for it.",
                        later.title
                    ),
                });
            }
            let q = &topic.progress.questions;
            if topic.progress.marked && topic.progress.status == TopicStatus::Done && q.got_it < q.total {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::DoneWithOpenQuestions,
                    message: format!(
                        "Marked done, but {} of its {} questions are not got-it yet.",
                        q.total - q.got_it,
                        q.total
                    ),
                });
            }
            let p = &topic.progress;
            if let Some(recent) = p.quiz.recent_accuracy
                && p.quiz.answered >= MIN_ANSWERED
                && recent < LOW_ACCURACY
            {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::LowQuizAccuracy,
                    message: format!("Your latest quiz in this topic scored {:.0}%.", recent * 100.0),
                });
            }
            if p.overconfident_questions > 0 {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::Overconfidence,
                    message: format!(
                        "{} question(s) you marked got-it were answered wrong in a quiz afterwards.",
                        p.overconfident_questions
                    ),
                });
            }
            if p.flashcards_overdue > 0 {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::OverdueFlashcards,
                    message: format!("{} flashcard(s) are more than a day overdue.", p.flashcards_overdue),
                });
            }
            if reasons.is_empty() {
                continue;
            }
            let score = reasons
                .iter()
                .map(|r| match r.code {
                    SoftSpotCode::OutOfOrder | SoftSpotCode::Overconfidence => 3,
                    SoftSpotCode::DoneWithOpenQuestions | SoftSpotCode::LowQuizAccuracy => 2,
                    SoftSpotCode::OverdueFlashcards => 1,
                })
                .sum();
            spots.push((
                order,
                SoftSpot {
                    topic: SlugRef { slug: topic.slug.clone(), title: topic.title.clone() },
                    stage: Some(SlugRef { slug: stage.slug.clone(), title: stage.title.clone() }),
                    score,
                    progress: topic.progress.clone(),
                    reasons,
                },
            ));
        }
    }
    spots.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.cmp(&b.0)));
    spots.into_iter().map(|(_, s)| s).collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// First day (YYYY-MM-DD, in the learner's time zone); default 364 days before `to`.
    #[param(example = "2026-01-01", format = Date)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD); default today in the learner's time zone.
    #[param(example = "2026-12-31", format = Date)]
    to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-11-24", "count": 7}))]
pub struct ActivityDay {
    /// YYYY-MM-DD in the learner's time zone.
    #[schema(format = Date)]
    pub date: String,
    pub count: i64,
}

/// Activity per day, for a heatmap, and streaks.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "timezone": "Europe/Berlin", "from": "2025-11-25", "to": "2026-11-24",
    "days": [{"date": "2026-11-23", "count": 4}, {"date": "2026-11-24", "count": 7}],
    "total": 11, "current_streak": 2, "longest_streak": 5
}))]
pub struct Activity {
    /// The account's time zone, which days are counted in.
    pub timezone: String,
    /// First day of the range (YYYY-MM-DD).
    #[schema(format = Date)]
    pub from: String,
    /// Last day of the range (YYYY-MM-DD).
    #[schema(format = Date)]
    pub to: String,
    /// Days with activity in the range, oldest first (days without are omitted).
    pub days: Vec<ActivityDay>,
    pub total: i64,
    /// Consecutive active days up to today (or yesterday: today is not over yet).
    pub current_streak: i64,
    /// Longest run of consecutive active days ever.
    pub longest_streak: i64,
}

/// The learner's daily activity and streaks.
///
/// Every applied mark, submitted quiz and flashcard review counts toward its day, in
/// the account's `timezone` (set with `PATCH /me`). At most 3660 days per request;
/// a longer range, or `to` before `from`, is a 422.
#[utoipa::path(
    tag = "progress",
    operation_id = "get_activity",
    security(("bearer_auth" = [])),
    params(ActivityQuery),
    responses(
        (status = 200, description = "Activity per day", body = Activity),
        (status = 400, response = inline(BadRequest)),
        (status = 422, response = inline(Unprocessable)),
    )
)]
#[get("/me/activity")]
pub async fn get_activity(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user.id).await?;
    let (days, today) = activity::days(&state.db, user.id, &account.timezone).await?;
    let to = parse_activity_date("to", &query.to)?.unwrap_or(today);
    let default_from = to.checked_sub(Duration::days(364)).unwrap_or(Date::MIN);
    let from = parse_activity_date("from", &query.from)?.unwrap_or(default_from);
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
    Ok(private_ok().json(Activity {
        timezone: account.timezone,
        from: from.to_string(),
        to: to.to_string(),
        total: in_range.iter().map(|d| d.count).sum(),
        days: in_range,
        current_streak,
        longest_streak,
    }))
}

/// Parses a `from`/`to` day. ISO 8601 allows signed six-digit years (`-009999-06-01`);
/// such days are refused here with a 422 rather than reaching date arithmetic that
/// cannot represent them.
fn parse_activity_date(field: &str, value: &Option<String>) -> Result<Option<Date>, ApiError> {
    let Some(text) = value.as_deref() else { return Ok(None) };
    let date = Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| ApiError::invalid(field, "must be a date as YYYY-MM-DD"))?;
    if !(ACTIVITY_YEARS.contains(&date.year())) {
        return Err(ApiError::invalid(field, "must be between 1970-01-01 and 9999-12-31"));
    }
    Ok(Some(date))
}

/// Days the activity range may name.
const ACTIVITY_YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// Below this recent accuracy (with at least [`MIN_ANSWERED`] answers) a topic is weak.
const LOW_ACCURACY: f64 = 0.6;
const MIN_ANSWERED: i64 = 3;
