//! Progress handlers: marks, the filled-in roadmap, next-up, soft spots, activity.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::*;
use super::{fill, service};
use crate::auth::{AuthUser, MaybeUser};
use crate::catalog::model::Roadmap;
use crate::catalog::service::track_slug;
use crate::error::ApiError;
use crate::openapi::responses::{BadRequest, NotFound, NotModified, Unauthorized, Unprocessable};
use crate::slug::Slug;
use crate::state::AppState;
use crate::web::{etag, private_ok};

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
#[put("/questions/{id}/status")]
pub async fn set_question_status(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<QuestionPath>,
    body: web::Json<SetQuestionStatus>,
) -> Result<HttpResponse, ApiError> {
    let mark = service::mark_question(&state, user.id, path.id, &body).await?;
    Ok(private_ok().json(mark))
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
#[put("/tracks/{track}/topics/{topic}/status")]
pub async fn set_topic_status(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TopicPath>,
    body: web::Json<SetTopicStatus>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || service::topic_not_on_track(&path.topic, &path.track);
    let track = Slug::parse(&path.track).ok_or_else(not_found)?;
    let topic = Slug::parse(&path.topic).ok_or_else(not_found)?;
    let mark = service::mark_topic(&state, user.id, &track, &topic, &body).await?;
    Ok(private_ok().json(mark))
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
///
/// **Claimed beside verified.** The fill is what the learner says; `verification` (per
/// topic, stage and track) is what evidence shows: `claimed` counts questions marked
/// got-it (or in a topic marked done), `verified` counts questions whose latest
/// evidence in the last 90 days is a pass with predicted recall still at least 80%
/// (the `Verification` schema defines evidence). Show them side by side: "you claimed
/// 40 questions; 12 are proven". `calibration` is how often the learner's got-it marks
/// held up when first tested.
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
#[get("/tracks/{track}/progress")]
pub async fn get_progress(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::progress(&state, &user, &track_slug(&path.track)?).await?))
}

/// What to study next.
///
/// The track is walked top to bottom: the answer is the first core topic, in roadmap
/// order, that is not finished (not `done`/`skipped` and below 100%), not whichever is
/// easiest. Once every core topic is finished, the first unfinished elective. It comes
/// with up to three of the topic's questions not yet got-it, and a reason.
///
/// **Probes.** Beside the topic, up to three verification probes from anywhere on the
/// track, in path order: questions the learner claimed with no recent evidence
/// (`claimed_unproven`), proved but now likely fading (`proven_but_decaying`), or had
/// down before a major revision (`content_changed`). Each is one quiz item (`how:
/// quiz_item`: start a practice quiz on the topic; probe items are drawn first) or one
/// cold answer (`how: cold_answer`: start a mock interview on the topic; probe
/// questions are drawn first). Passing verifies the question; failing un-verifies it,
/// and the quiz result or the grading response says which.
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
#[get("/tracks/{track}/next")]
pub async fn get_next(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::next_up(&state, &user, &track_slug(&path.track)?).await?))
}

/// Where the learner is weak.
///
/// Topics ranked by weakness (the sum of their reasons' weights), each with
/// machine-readable reasons and a sentence: `out_of_order` (an earlier-stage core topic
/// unfinished while a later stage is being worked; weight 3), `overconfidence`
/// (claimed but failed: questions marked got-it whose latest evidence since the mark,
/// a quiz item, self-graded cold answer or flashcard review, is a fail; 3),
/// `done_with_open_questions` (marked done with questions not got-it; 2),
/// `low_quiz_accuracy` (latest quiz in the topic below 60% with at least 3 answers; 2),
/// `content_changed` (questions the learner had down whose answer, rubric or quiz item
/// had a major revision since; 2), `proven_but_decaying` (passed, predicted recall now
/// under 80%; 2), `overdue_flashcards` (cards more than a day overdue; 1),
/// `claimed_unproven` (marked got-it, no evidence in the last 90 days; 1). The
/// `verification` object of each topic's progress defines the evidence rules.
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
#[get("/tracks/{track}/soft-spots")]
pub async fn get_soft_spots(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<TrackPath>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::soft_spots(&state, &user, &track_slug(&path.track)?).await?))
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
#[get("/activity")]
pub async fn get_activity(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(service::activity(&state, user.id, query.from.as_deref(), query.to.as_deref()).await?))
}

/// The track of `GET /tracks/{track}` (described as the catalogue describes it).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoadmapPath {
    /// Track slug, e.g. `python`.
    #[param(example = "python")]
    track: String,
}

/// Get a track's roadmap.
///
/// The whole path in one response: stages in order, each with its topics in order and
/// their content counts, then the electives (outside the critical path). Called with
/// a bearer token, every topic, stage and the track also carry the caller's
/// `progress` (as in `GET /me/tracks/{track}/progress`), so one request draws the
/// filled-in path. Without one, it is the same for everybody.
//
// A catalogue read, but served here: with a token it needs the learner's figures, and
// progress builds on catalog, never the other way round.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_track",
    params(RoadmapPath, crate::preview::PreviewParams, ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The track's roadmap", body = Roadmap),
        (status = 304, response = inline(NotModified)),
        (status = 401, response = inline(Unauthorized)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("")]
pub async fn get_track(
    req: HttpRequest,
    user: MaybeUser,
    state: web::Data<AppState>,
    path: web::Path<RoadmapPath>,
    preview: crate::preview::Preview,
) -> Result<HttpResponse, ApiError> {
    let track = &track_slug(&path.track)?;
    if let Some(mut tx) = preview.0 {
        // The roadmap as publishing the drafts would make it (without progress).
        let template = crate::catalog::views::roadmap_template(&mut tx, track).await?;
        tx.rollback().await?;
        let template = template.ok_or_else(|| crate::catalog::service::no_track(track))?;
        return Ok(crate::preview::respond(&template.roadmap));
    }
    match user.0 {
        None => {
            let rendered = state
                .cache
                .rendered(&format!("track/{track}"), || async {
                    etag::render(&crate::catalog::service::roadmap_template(&state, track).await?.roadmap)
                })
                .await?;
            Ok(etag::cached(&req, &rendered))
        }
        Some(user) => {
            // The shared template from the cache, with this learner's progress merged in.
            let (template, inputs) = service::load(&state, user.id, Some(user.progress_version), track).await?;
            let mut roadmap = template.roadmap.clone();
            fill::overlay(&mut roadmap, &inputs);
            etag::json_response(&req, &roadmap)
        }
    }
}
