//! What the public catalogue endpoints return. Field docs and examples here become the
//! OpenAPI schemas a client generates its types from.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::wire::SlugRef;

/// Difficulty of an interview question, easiest first: `junior`, `mid`, `senior` (the
/// level of interview where it is typically asked).
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, ToSchema, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Difficulty {
    Junior,
    Mid,
    Senior,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Junior => "junior",
            Difficulty::Mid => "mid",
            Difficulty::Senior => "senior",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "junior" => Some(Difficulty::Junior),
            "mid" => Some(Difficulty::Mid),
            "senior" => Some(Difficulty::Senior),
            _ => None,
        }
    }
}

/// Question counts by difficulty.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({"junior": 4, "mid": 5, "senior": 3}))]
pub struct DifficultyCounts {
    pub junior: i64,
    pub mid: i64,
    pub senior: i64,
}

/// How much content sits under a track, stage or topic.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({"topics": 14, "electives": 2, "questions": 192, "flashcards": 160, "quiz_items": 160}))]
pub struct ContentCounts {
    /// Core topics (electives not included).
    pub topics: i64,
    /// Elective topics, outside the critical path.
    pub electives: i64,
    /// Live interview questions.
    pub questions: i64,
    /// Live flashcards.
    pub flashcards: i64,
    /// Live quiz items.
    pub quiz_items: i64,
}

/// A track as listed in `GET /tracks`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "slug": "python", "title": "Python",
    "summary": "A path through the Python an interviewer expects…", "stage_count": 4,
    "counts": {"topics": 14, "electives": 2, "questions": 192, "flashcards": 160, "quiz_items": 160}
}))]
pub struct TrackSummary {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// URL key, e.g. `python`: use it in `/tracks/{track}`.
    pub slug: String,
    /// Display name, e.g. "Python".
    pub title: String,
    /// Markdown.
    pub summary: String,
    /// Number of stages on the path.
    pub stage_count: i64,
    pub counts: ContentCounts,
}

/// The list of tracks.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "slug": "python", "title": "Python",
        "summary": "A path through the Python an interviewer expects…", "stage_count": 4,
        "counts": {"topics": 14, "electives": 2, "questions": 192, "flashcards": 160, "quiz_items": 160}
    }],
    "next_cursor": null
}))]
pub struct TrackList {
    /// Every live track, ordered by title.
    pub items: Vec<TrackSummary>,
    /// Always null: every track fits on one page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// A topic's place on a track's roadmap.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "title": "Fundamentals",
    "position": 0, "elective": false, "prerequisites": [],
    "counts": {"questions": 12, "flashcards": 10, "quiz_items": 10}
}))]
pub struct RoadmapTopic {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// URL key within the track: `/tracks/{track}/topics/{topic}`.
    pub slug: String,
    /// Display name, e.g. "Fundamentals".
    pub title: String,
    /// 0-based order within its stage (or among the electives).
    pub position: i32,
    /// Outside the critical path: does not count against the track when skipped.
    pub elective: bool,
    /// Slugs of topics a learner should have done first.
    pub prerequisites: Vec<String>,
    pub counts: TopicCounts,
    /// The caller's progress; present only when called with a bearer token (absent, never
    /// null, without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub progress: Option<crate::wire::TopicProgress>,
}

/// Content counts of one topic.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({"questions": 12, "flashcards": 10, "quiz_items": 10}))]
pub struct TopicCounts {
    /// Live interview questions.
    pub questions: i64,
    /// Live flashcards.
    pub flashcards: i64,
    /// Live quiz items.
    pub quiz_items: i64,
}

/// A stage of a track, with its topics in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "17e95872-2ae5-4ae9-b6d0-09aa74586324", "slug": "foundations", "title": "Foundations",
    "summary": "How Python actually treats names, objects and the built-in containers.", "position": 0,
    "topics": [{
        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "title": "Fundamentals",
        "position": 0, "elective": false, "prerequisites": [],
        "counts": {"questions": 12, "flashcards": 10, "quiz_items": 10}
    }]
}))]
pub struct RoadmapStage {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// Stable within the track; use it in URLs and as a quiz scope.
    pub slug: String,
    /// Display name of the stage, e.g. "Foundations".
    pub title: String,
    /// Markdown.
    pub summary: String,
    /// 0-based; walk stages in this order.
    pub position: i32,
    /// Core topics of the stage in walking order (by `position`).
    pub topics: Vec<RoadmapTopic>,
    /// The caller's fill of the stage; present only with a bearer token (absent, never null,
    /// without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub progress: Option<crate::wire::Fill>,
    /// The caller's claimed beside verified figures; present only with a bearer token
    /// (absent, never null, without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub verification: Option<crate::wire::Verification>,
}

/// A track's roadmap: stages in order, each with its topics in order, then the
/// electives. Everything a client needs to draw the path in one request: draw
/// `stages` top to bottom by `position`, the topics of each left to right (or in
/// order) by `position`, and the electives apart from the critical path. The
/// `progress` fields appear only when the request carried a bearer token.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "slug": "python", "title": "Python",
    "summary": "A path through the Python an interviewer expects a working engineer to know.",
    "stages": [{
        "id": "17e95872-2ae5-4ae9-b6d0-09aa74586324", "slug": "foundations", "title": "Foundations",
        "summary": "How Python actually treats names, objects and the built-in containers.", "position": 0,
        "topics": [{
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "title": "Fundamentals",
            "position": 0, "elective": false, "prerequisites": [],
            "counts": {"questions": 12, "flashcards": 10, "quiz_items": 10}
        }]
    }],
    "electives": [{
        "id": "745f53a8-ff3c-45ff-82e9-db90058f6a09", "slug": "packaging", "title": "Packaging & Distribution",
        "position": 0, "elective": true, "prerequisites": ["modules-packages"],
        "counts": {"questions": 12, "flashcards": 18, "quiz_items": 15}
    }],
    "counts": {"topics": 14, "electives": 2, "questions": 192, "flashcards": 160, "quiz_items": 160}
}))]
pub struct Roadmap {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// The track's slug, as in `/tracks/{track}`.
    pub slug: String,
    /// Display name of the track, e.g. "Python".
    pub title: String,
    /// Markdown.
    pub summary: String,
    /// Stages in walking order (by `position`).
    pub stages: Vec<RoadmapStage>,
    /// Topics outside the critical path, in suggested order.
    pub electives: Vec<RoadmapTopic>,
    pub counts: ContentCounts,
    /// The caller's fill of the track; present only with a bearer token (absent, never null,
    /// without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub progress: Option<crate::wire::Fill>,
    /// The caller's claimed beside verified figures; present only with a bearer token
    /// (absent, never null, without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub verification: Option<crate::wire::Verification>,
}

/// A question as listed (no prompt or answer).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus",
    "title": "Why do `a = a + [1]` and `a += [1]` differ?", "difficulty": "mid",
    "tags": ["mutability"], "topic": {"slug": "fundamentals", "title": "Fundamentals"}
}))]
pub struct QuestionSummary {
    /// Use it in `GET /questions/{id}` and `PUT /me/questions/{id}/status`.
    pub id: Uuid,
    /// Stable key within its topic.
    pub slug: String,
    /// The question as a one-line heading (Markdown inline code allowed).
    pub title: String,
    pub difficulty: Difficulty,
    /// Free-form tags, lowercase; filter with `GET /questions?tag=`.
    pub tags: Vec<String>,
    /// The topic it belongs to.
    pub topic: SlugRef,
}

/// An article as listed (no body).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "3d3c8a5e-1f0a-4f6c-8d6e-2b7c9e1a4f50", "slug": "threading-and-the-gil",
    "title": "Threading and the GIL", "summary": "What the GIL protects…",
    "topics": [{"slug": "concurrency", "title": "Concurrency & Parallelism"}]
}))]
pub struct ArticleSummary {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// URL key: `/articles/{slug}`.
    pub slug: String,
    /// Display name.
    pub title: String,
    /// Markdown: one or two sentences.
    pub summary: String,
    /// Topics the article supports.
    pub topics: Vec<SlugRef>,
}

/// One topic as seen from a track: summary, key points, its questions and articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "slug": "fundamentals", "title": "Fundamentals",
    "summary": "Names, objects and mutability: the model every other topic builds on.",
    "key_points": ["Names are bound to objects; assignment never copies.", "`is` compares identity, `==` equality."],
    "track": {"slug": "python", "title": "Python"},
    "stage": {"slug": "foundations", "title": "Foundations"},
    "elective": false, "position": 0, "prerequisites": [],
    "questions": [{
        "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus",
        "title": "Why do `a = a + [1]` and `a += [1]` differ?", "difficulty": "mid",
        "tags": ["mutability"], "topic": {"slug": "fundamentals", "title": "Fundamentals"}
    }],
    "articles": [{
        "id": "3c9b1e0a-6a8f-4a51-9d0e-2f7c1b5e8d42", "slug": "how-cpython-runs-your-code",
        "title": "How CPython runs your code", "summary": "From source to bytecode to the evaluation loop…",
        "topics": [{"slug": "fundamentals", "title": "Fundamentals"}]
    }],
    "counts": {"questions": 12, "flashcards": 10, "quiz_items": 10},
    "questions_by_difficulty": {"junior": 4, "mid": 5, "senior": 3}
}))]
pub struct TopicDetail {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// URL key within the track.
    pub slug: String,
    /// Display name.
    pub title: String,
    /// Markdown: what the topic is and why it sits where it does on the path.
    pub summary: String,
    /// Short takeaways, each one sentence of Markdown; show them as a list.
    pub key_points: Vec<String>,
    /// The track the topic was requested through.
    pub track: SlugRef,
    /// The stage holding the topic; null for an elective outside the stages.
    #[schema(required)]
    pub stage: Option<SlugRef>,
    /// Outside the critical path of this track.
    pub elective: bool,
    /// 0-based order within its stage (or among the electives).
    pub position: i32,
    /// Topics a learner should have done first, in no particular order.
    pub prerequisites: Vec<SlugRef>,
    /// In study order: junior first.
    pub questions: Vec<QuestionSummary>,
    /// Deep-dive articles on the topic; fetch one with `GET /articles/{slug}`.
    pub articles: Vec<ArticleSummary>,
    /// Live content in the topic.
    pub counts: TopicCounts,
    /// The `questions` counted by difficulty.
    pub questions_by_difficulty: DifficultyCounts,
}

/// One interview question with its full answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus",
    "title": "Why do `a = a + [1]` and `a += [1]` differ?", "difficulty": "mid",
    "tags": ["mutability"], "prompt": "`b = a`, then `a += [1]`: what does `b` hold?",
    "answer": "`+=` on a list calls `__iadd__`, which extends the list in place…",
    "topic": {"slug": "fundamentals", "title": "Fundamentals"}, "tracks": ["python"],
    "updated_at": "2026-11-24T12:00:00Z"
}))]
pub struct QuestionDetail {
    /// Use it in `PUT /me/questions/{id}/status`.
    pub id: Uuid,
    /// Stable key within its topic.
    pub slug: String,
    /// The question as a one-line heading (Markdown inline code allowed).
    pub title: String,
    pub difficulty: Difficulty,
    /// Free-form tags, lowercase.
    pub tags: Vec<String>,
    /// Markdown.
    pub prompt: String,
    /// Markdown, with code blocks.
    pub answer: String,
    /// The topic it belongs to.
    pub topic: SlugRef,
    /// Slugs of the tracks the question's topic sits on.
    pub tracks: Vec<String>,
    /// When the question or its answer last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A page of the question bank.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "slug": "plus-equals-vs-plus",
        "title": "Why do `a = a + [1]` and `a += [1]` differ?", "difficulty": "mid",
        "tags": ["mutability"], "topic": {"slug": "fundamentals", "title": "Fundamentals"}
    }],
    "next_cursor": "eyJrIjpbMCwicGx1cy1lcXVhbHMtdnMtcGx1cyJdfQ"
}))]
pub struct QuestionPage {
    pub items: Vec<QuestionSummary>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// A flashcard: recall drill, front then back.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0e1f4b8a-9d2c-4e7f-8a1b-6c5d4e3f2a10", "slug": "is-vs-eq",
    "front": "What does `is` compare?", "back": "Identity: whether both names refer to the same object.",
    "question_id": null
}))]
pub struct Flashcard {
    /// Use it as `flashcard_id` in `POST /me/reviews`.
    pub id: Uuid,
    /// Stable key within its topic.
    pub slug: String,
    /// Markdown.
    pub front: String,
    /// Markdown.
    pub back: String,
    /// The question this card drills; null when it drills none.
    #[schema(required)]
    pub question_id: Option<Uuid>,
}

/// A topic's flashcards, in order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": "0e1f4b8a-9d2c-4e7f-8a1b-6c5d4e3f2a10", "slug": "is-vs-eq",
        "front": "What does `is` compare?", "back": "Identity: whether both names refer to the same object.",
        "question_id": null
    }],
    "next_cursor": null
}))]
pub struct FlashcardList {
    pub items: Vec<Flashcard>,
    /// Always null: a topic's cards fit on one page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{
        "id": "3d3c8a5e-1f0a-4f6c-8d6e-2b7c9e1a4f50", "slug": "threading-and-the-gil",
        "title": "Threading and the GIL", "summary": "What the GIL protects…",
        "topics": [{"slug": "concurrency", "title": "Concurrency & Parallelism"}]
    }],
    "next_cursor": null
}))]
pub struct ArticlePage {
    pub items: Vec<ArticleSummary>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// A deep-dive article.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "3d3c8a5e-1f0a-4f6c-8d6e-2b7c9e1a4f50", "slug": "threading-and-the-gil",
    "title": "Threading and the GIL", "summary": "What the GIL protects, and what it does not.",
    "body": "## One thread at a time\n\nCPython's global interpreter lock…",
    "topics": [{"slug": "concurrency", "title": "Concurrency & Parallelism"}],
    "updated_at": "2026-11-24T12:00:00Z"
}))]
pub struct ArticleDetail {
    /// Stable id (UUID); survives content edits and re-imports.
    pub id: Uuid,
    /// URL key.
    pub slug: String,
    /// Display name.
    pub title: String,
    /// Markdown: one or two sentences for a list or a link preview.
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// Topics the article supports.
    pub topics: Vec<SlugRef>,
    /// When the article last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A track's roadmap without anybody's progress, plus the topic ids progress needs:
/// what the content cache keeps per track (see `catalog::service::roadmap_template`).
#[derive(Debug)]
pub struct RoadmapTemplate {
    pub roadmap: Roadmap,
    pub topic_ids: Vec<uuid::Uuid>,
}
