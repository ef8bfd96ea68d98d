//! Request and response bodies of goals, today's agenda and the readiness forecast.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::model::QuestionSummary;
use crate::reminders::model::Weekday;
use crate::wire::SlugRef;

/// Set the goal for a track (one per track; a PUT replaces it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "track": "python", "interview_date": "2026-12-28", "minutes_per_day": 45,
    "days": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"], "electives": ["packaging"]
}))]
pub struct SetGoal {
    /// The track's slug.
    pub track: String,
    /// The interview day (YYYY-MM-DD), today or later in the account's time zone, at
    /// most two years ahead.
    #[schema(format = Date)]
    pub interview_date: String,
    /// Minutes the learner can study on a study day, 5 to 480.
    #[schema(minimum = 5, maximum = 480)]
    #[serde(deserialize_with = "crate::web::integral::int")]
    pub minutes_per_day: i64,
    /// Days of the week the learner studies (at least one; each once).
    #[schema(min_items = 1, max_items = 7)]
    pub days: Vec<Weekday>,
    /// Elective topics (slugs on the track) in scope besides the core path; default none.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub electives: Vec<String>,
}

/// A learner's goal on a track.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "track": {"slug": "python", "title": "Python"}, "interview_date": "2026-12-28", "minutes_per_day": 45,
    "days": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"], "electives": ["packaging"],
    "days_left": 23, "study_days_left": 20
}))]
pub struct Goal {
    pub track: SlugRef,
    #[schema(format = Date)]
    pub interview_date: String,
    pub minutes_per_day: i64,
    pub days: Vec<Weekday>,
    pub electives: Vec<String>,
    /// Calendar days from today (in the account's time zone) to the interview.
    pub days_left: i64,
    /// Study days from today up to the day before the interview (today counts when it
    /// is one of `days`).
    pub study_days_left: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Goals {
    /// Every goal of the learner, by track slug.
    pub items: Vec<Goal>,
}

/// What an agenda entry asks for.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AgendaKind {
    /// Review the flashcards due (`GET /me/reviews/due`).
    FlashcardReviews,
    /// Answer the questions due on their schedule cold (`GET /me/interviews/due`, then
    /// a mock interview on them).
    QuestionReviews,
    /// Start these new questions: read each answer, learn its cards, answer it cold.
    NewQuestions,
    /// Learn this many new flashcards (the due list serves them, under the daily cap).
    NewFlashcards,
    /// A practice quiz on the topic (`POST /me/quizzes` with `scope.topics`).
    Quiz,
    /// A mock interview on the topic (`POST /me/interviews` with `scope.topics`).
    MockInterview,
}

/// Why an entry is on today's agenda.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AgendaReason {
    /// Due today on its schedule; reviews come first because they are forgotten next.
    DueToday,
    /// The next questions on the path, in order.
    NextOnPath,
    /// New cards of the topics under way, within the daily new-card cap.
    NewCardsUnderCap,
    /// The weakest verified area (the top soft spot), or probes waiting there.
    WeakestArea,
    /// Not a study day: only what is due, in a quarter of the usual time.
    RestDay,
}

/// One entry of today's agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "new_questions", "count": 2, "minutes": 16, "reason_code": "next_on_path",
    "reason": "The next 2 questions on the path.", "topic": {"slug": "fundamentals", "title": "Fundamentals"},
    "questions": []
}))]
pub struct AgendaItem {
    pub kind: AgendaKind,
    /// How many cards, questions or items.
    pub count: i64,
    /// The estimated minutes (card review 12 s, new card 30 s, cold answer 4 min, new
    /// question 8 min, quiz item 30 s).
    pub minutes: i64,
    pub reason_code: AgendaReason,
    /// The reason in a sentence, for display.
    pub reason: String,
    /// The topic it is about, when it is about one.
    #[schema(required)]
    pub topic: Option<SlugRef>,
    /// The new questions, for `new_questions`; empty otherwise.
    pub questions: Vec<QuestionSummary>,
}

/// One day's plan for a track: what to do today, in order, within the day's minutes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "track": {"slug": "python", "title": "Python"}, "date": "2026-12-05", "timezone": "Europe/Berlin",
    "study_day": true, "budget_minutes": 45, "planned_minutes": 41, "has_goal": true,
    "items": [{"kind": "flashcard_reviews", "count": 25, "minutes": 5, "reason_code": "due_today",
               "reason": "25 flashcards are due today.", "topic": null, "questions": []}],
    "left_over": {"flashcards_due": 0, "questions_due": 0}
}))]
pub struct Today {
    pub track: SlugRef,
    /// Today in the account's time zone (YYYY-MM-DD).
    #[schema(format = Date)]
    pub date: String,
    pub timezone: String,
    /// Whether today is one of the goal's study days (always true without a goal).
    pub study_day: bool,
    /// The day's minutes: the goal's `minutes_per_day` (30 without a goal), a quarter
    /// of it on a rest day.
    pub budget_minutes: i64,
    /// The sum of the entries' minutes; never more than the budget.
    pub planned_minutes: i64,
    pub has_goal: bool,
    /// In order: due reviews first, then the weakest area, then new material.
    pub items: Vec<AgendaItem>,
    /// What is due but did not fit today.
    pub left_over: LeftOver,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq, Default)]
pub struct LeftOver {
    pub flashcards_due: i64,
    pub questions_due: i64,
}

/// Whether the plan reaches the target readiness.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ForecastStatus {
    /// The expected readiness reaches the target.
    OnTrack,
    /// It does not, but a change below would reach it.
    Behind,
    /// Nothing within the bounds reaches it (480 minutes a day, a year later).
    Impossible,
}

/// A change that would reach the target.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Suggestion {
    /// Study more each study day.
    MoreMinutes { minutes_per_day: i64, readiness: f64 },
    /// Take this elective out of scope.
    DropElective { elective: String, readiness: f64 },
    /// Move the interview to this date (same minutes and days).
    MoveDate {
        #[schema(format = Date)]
        interview_date: String,
        readiness: f64,
    },
}

/// Expected readiness of a stage or elective on the interview date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupForecast {
    pub slug: String,
    pub title: String,
    pub elective: bool,
    /// Questions in it.
    pub questions: i64,
    /// Expected share recalled on the date (0 to 1).
    #[schema(minimum = 0, maximum = 1)]
    pub readiness: f64,
}

/// Expected readiness on the interview date if the learner follows the plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "track": {"slug": "python", "title": "Python"}, "interview_date": "2026-12-28", "study_days_left": 20,
    "minutes_per_day": 45, "target": 0.8, "readiness": 0.62, "status": "behind", "covered_questions": 140,
    "questions": 190, "planned_minutes": 880,
    "stages": [{"slug": "foundations", "title": "Foundations", "elective": false, "questions": 40, "readiness": 0.9}],
    "suggestions": [{"kind": "more_minutes", "minutes_per_day": 65, "readiness": 0.81}]
}))]
pub struct Forecast {
    pub track: SlugRef,
    #[schema(format = Date)]
    pub interview_date: String,
    pub study_days_left: i64,
    pub minutes_per_day: i64,
    /// The readiness asked for (`target`, default 0.8).
    pub target: f64,
    /// Expected share of the questions in scope recalled on the date (0 to 1).
    #[schema(minimum = 0, maximum = 1)]
    pub readiness: f64,
    pub status: ForecastStatus,
    /// Questions the plan gets to before the date.
    pub covered_questions: i64,
    /// Questions in scope (core path plus the goal's electives).
    pub questions: i64,
    /// Minutes the plan uses, of study days × minutes per day.
    pub planned_minutes: i64,
    /// Per stage in path order, then the electives in scope.
    pub stages: Vec<GroupForecast>,
    /// Changes that would reach the target (empty when on track or impossible): the
    /// fewest minutes per day, each elective whose dropping alone would do, the
    /// earliest date.
    pub suggestions: Vec<Suggestion>,
}
