//! Request and response bodies of the caller's account endpoints.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::model::Account;
use crate::auth::store::SessionExport;
use crate::interview::store::ColdAnswerExport;
use crate::progress::store::{QuestionMarkExport, TopicMarkExport};

/// Fields a client may never set on an account, named so the 422 can say so.
pub const PROTECTED_FIELDS: [&str; 7] = ["id", "user_id", "role", "email_verified", "created_at", "email", "password"];

/// Changes to the caller's account. Only `display_name`, `timezone`,
/// `desired_retention` and `new_cards_per_day` can change here (absent fields stay as
/// they are); trying to set `role`, `email_verified`, ids or anything else is a 422 naming
/// each field.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"display_name": "Ann L.", "timezone": "Europe/Berlin"}))]
pub struct UpdateAccount {
    /// 1 to 80 characters with at least one visible one; control characters are
    /// dropped and surrounding space trimmed.
    #[schema(min_length = 1, max_length = 80, pattern = r"[^\s\x00-\x1f\x7f-\x9f]")]
    pub display_name: Option<String>,
    /// An IANA time zone name such as `Europe/Berlin`.
    #[schema(max_length = 64)]
    pub timezone: Option<String>,
    /// Target recall probability for flashcards, 0.7 to 0.97 (default 0.9).
    #[schema(minimum = 0.7, maximum = 0.97)]
    pub desired_retention: Option<f64>,
    /// New flashcards offered per day, 0 to 500 (default 20).
    #[schema(minimum = 0, maximum = 500)]
    #[serde(default, deserialize_with = "crate::web::integral::opt")]
    pub new_cards_per_day: Option<i64>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery staple", "new_password": "tangerine orbit forty-two"}))]
pub struct ChangePassword {
    #[schema(value_type = String, format = "password")]
    pub current_password: SecretString,
    #[schema(value_type = String, format = "password")]
    pub new_password: SecretString,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct DeleteAccount {
    /// The current password, to confirm.
    #[schema(value_type = String, format = "password")]
    pub password: SecretString,
}

/// Everything stored about the caller, in one document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "export_version": 2,
    "exported_at": "2026-11-24T12:00:00Z",
    "account": {
        "id": "3c37e844-4907-4f4e-a1cc-88c23fbc5cb2", "email": "ann@example.com", "display_name": "Ann",
        "role": "learner", "email_verified": false, "created_at": "2026-11-01T09:00:00Z",
        "timezone": "Europe/Berlin", "desired_retention": 0.9, "new_cards_per_day": 20
    },
    "sessions": [{
        "family_id": "0c64a701-d502-4d92-b9e3-b4d96d5b2bb8", "started_at": "2026-11-01T09:00:00Z",
        "last_refreshed_at": "2026-11-24T11:45:00Z", "active": true, "user_agent": "StudyApp/2.3 (iOS 18)"
    }],
    "question_marks": [{
        "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus", "status": "got_it",
        "marked_at": "2026-11-20T18:30:00Z", "retired": false
    }],
    "topic_marks": [{
        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "status": "done",
        "marked_at": "2026-11-21T19:00:00Z", "retired": false
    }],
    "reviews": [{"card_id": "0e1f4b8a-9d2c-4e7f-8a1b-6c5d4e3f2a10", "review_id": "0f0e4b8a-1d2c-4e7f-8a1b-6c5d4e3f2a11",
                 "rating": 3, "reviewed_at": "2026-11-22T08:00:00Z"}],
    "quiz_attempts": [], "cold_answers": [], "notes": [], "bookmarks": [],
    "activity_count": 57
}))]
pub struct AccountExport {
    /// The shape's version: 2 added the review log, quiz attempts, cold answers, notes
    /// and bookmarks. Fields are only ever added within a version.
    pub export_version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    pub account: Account,
    /// Login sessions (refresh-token families); tokens themselves are never exported.
    pub sessions: Vec<SessionExport>,
    /// Question marks, including those on content since retired.
    pub question_marks: Vec<QuestionMarkExport>,
    /// Topic marks, including those on content since retired.
    pub topic_marks: Vec<TopicMarkExport>,
    /// Every question of every mock interview: cold answers, skips and self-grades.
    pub cold_answers: Vec<ColdAnswerExport>,
    /// The whole flashcard review log, oldest first, in the columns FSRS optimizer
    /// tools read (card id, review id, rating 1-4, time).
    pub reviews: Vec<crate::review::store::ReviewExport>,
    /// Every quiz attempt, oldest first, with its graded result.
    pub quiz_attempts: Vec<crate::quiz::store::AttemptExport>,
    /// The learner's notes, on retired content too.
    pub notes: Vec<crate::annotations::model::Note>,
    /// The learner's bookmarks.
    pub bookmarks: Vec<crate::annotations::model::Bookmark>,
    /// Number of recorded activities (marks, quizzes, reviews, cold answers).
    pub activity_count: i64,
}
