//! The shapes an admin reads and writes: one entity's editable fields, in the
//! seed-file shape, tagged by kind.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::admin::audit::AuditKind;
use crate::content::bundle::{ArticleDoc, FlashcardDoc, QuestionDoc, QuizItemDoc, TrackDoc};
use crate::error::ApiError;

/// The kinds of content an admin edits.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ContentKind {
    Tracks,
    Topics,
    Questions,
    Flashcards,
    QuizItems,
    Articles,
}

impl ContentKind {
    pub fn audit_kind(self) -> AuditKind {
        match self {
            ContentKind::Tracks => AuditKind::Track,
            ContentKind::Topics => AuditKind::Topic,
            ContentKind::Questions => AuditKind::Question,
            ContentKind::Flashcards => AuditKind::Flashcard,
            ContentKind::QuizItems => AuditKind::QuizItem,
            ContentKind::Articles => AuditKind::Article,
        }
    }

    pub fn table(self) -> (&'static str, &'static str) {
        match self {
            ContentKind::Tracks => ("track", "track_id"),
            ContentKind::Topics => ("topic", "topic_id"),
            ContentKind::Questions => ("question", "question_id"),
            ContentKind::Flashcards => ("flashcard", "flashcard_id"),
            ContentKind::QuizItems => ("quiz_item", "quiz_item_id"),
            ContentKind::Articles => ("article", "article_id"),
        }
    }

    /// Children are addressed by id, the rest by slug.
    pub fn by_id(self) -> bool {
        matches!(self, ContentKind::Questions | ContentKind::Flashcards | ContentKind::QuizItems)
    }
}

/// How much an edit changes what a learner has to know. `minor` (the default: wording,
/// typos, formatting) changes nothing for learners. `major` (the answer or rubric now
/// says something different; for a quiz item, what it tests) puts every learner's
/// progress on it back under verification: their earlier evidence stops counting, the
/// question shows as `content_changed` and is queued as a probe. Only questions and
/// quiz items take `major`.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RevisionClass {
    #[default]
    Minor,
    Major,
}

/// The editable fields of one entity, in the seed-file shape. Children (questions,
/// flashcards, quiz items) also name their `topic` slug. Its OpenAPI schema is written
/// by hand in [`super::schema`]: the derived one was wrong (see there).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ContentDoc {
    Track(TrackDoc),
    Topic(TopicFields),
    Question(Child<QuestionDoc>),
    Flashcard(Child<FlashcardDoc>),
    QuizItem(Child<QuizItemDoc>),
    Article(ArticleDoc),
}

/// A topic's own fields (its questions, flashcards and quiz items are edited apart).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopicFields {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub key_points: Vec<String>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
}

/// A child entity with the slug of its topic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Child<T> {
    pub topic: String,
    #[serde(flatten)]
    pub doc: T,
}

/// One entity as an admin sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "questions", "id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "retired": false,
    "doc": {
        "topic": "fundamentals", "slug": "is-vs-equality", "title": "What is the difference between `is` and `==`?",
        "difficulty": "junior", "tags": ["identity", "equality"],
        "prompt": "When does `a is b` differ from `a == b`?",
        "answer": "`==` asks whether the values are equal (`__eq__`); `is` asks whether both names refer to the same object…"
    }
}))]
pub struct ContentEntity {
    pub kind: ContentKind,
    pub id: Uuid,
    /// Retired entities are hidden from the public API (and kept, with their id, so
    /// learners' history stays valid); `POST .../restore` brings them back.
    pub retired: bool,
    /// The editable fields; send them back (changed) with `PUT` and `If-Match`.
    #[schema(value_type = Object)]
    pub doc: Value,
}

/// Parses a body as the document of `kind`, naming the kind in errors.
pub fn parse_doc(kind: ContentKind, body: Value) -> Result<ContentDoc, ApiError> {
    let invalid =
        |e: serde_json::Error| ApiError::invalid("body", format!("not a valid {} document: {e}", kind.audit_kind()));
    Ok(match kind {
        ContentKind::Tracks => ContentDoc::Track(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Topics => ContentDoc::Topic(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Questions => ContentDoc::Question(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Flashcards => ContentDoc::Flashcard(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::QuizItems => ContentDoc::QuizItem(serde_json::from_value(body).map_err(invalid)?),
        ContentKind::Articles => ContentDoc::Article(serde_json::from_value(body).map_err(invalid)?),
    })
}

pub fn slug_of(doc: &ContentDoc) -> (&str, Option<&str>) {
    match doc {
        ContentDoc::Track(d) => (&d.slug, None),
        ContentDoc::Topic(d) => (&d.slug, None),
        ContentDoc::Question(c) => (&c.doc.slug, Some(&c.topic)),
        ContentDoc::Flashcard(c) => (&c.doc.slug, Some(&c.topic)),
        ContentDoc::QuizItem(c) => (&c.doc.slug, Some(&c.topic)),
        ContentDoc::Article(d) => (&d.slug, None),
    }
}

/// The audit/report name of an entity: `slug`, or `topic/slug` for children.
pub fn key_of(doc: &ContentDoc) -> String {
    let (slug, topic) = slug_of(doc);
    topic.map_or_else(|| slug.to_owned(), |t| format!("{t}/{slug}"))
}
