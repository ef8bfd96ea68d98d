//! The content bundle: the whole catalogue as plain data, in the shape of the files
//! under `seed/` (and, serialised as JSON, of an import bundle).
//!
//! Slugs are the natural keys; nothing here carries a database id, so a bundle can be
//! applied to any database and re-applied without creating duplicates.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Everything one seed directory (or import document) holds: tracks place topics in
/// stages by slug, topics carry their questions, flashcards and quiz items, articles
/// name the topics they support. Missing keys default to empty.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "tracks": [{
        "slug": "python", "title": "Python", "summary": "A path through the Python an interviewer expects.",
        "stages": [{"slug": "foundations", "title": "Foundations", "summary": "Names, objects and containers.",
                    "topics": ["fundamentals"]}],
        "electives": []
    }],
    "topics": [{
        "slug": "fundamentals", "title": "Fundamentals", "summary": "Names, objects and mutability.",
        "key_points": ["Assignment binds a name; it never copies."], "prerequisites": [],
        "questions": [{
            "slug": "is-vs-equality", "title": "What is the difference between `is` and `==`?",
            "difficulty": "junior", "tags": ["identity"], "prompt": "When does `a is b` differ from `a == b`?",
            "answer": "`==` compares values; `is` compares identity."
        }],
        "flashcards": [{"slug": "is-vs-eq", "front": "What does `is` compare?", "back": "Identity.",
                        "question": "is-vs-equality"}],
        "quiz": [{
            "slug": "is-small-ints", "kind": "true_false", "prompt": "`[] is []` is `True`.",
            "options": ["True", "False"], "correct": [1],
            "explanation": "Each `[]` builds a new list, so they are two objects."
        }]
    }],
    "articles": [{
        "slug": "how-cpython-runs-your-code", "title": "How CPython runs your code",
        "summary": "From source to bytecode.", "topics": ["fundamentals"],
        "body": "## Compilation\n\nCPython compiles each module to bytecode…"
    }]
}))]
pub struct Bundle {
    #[serde(default)]
    pub tracks: Vec<TrackDoc>,
    #[serde(default)]
    pub topics: Vec<TopicDoc>,
    #[serde(default)]
    pub articles: Vec<ArticleDoc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackDoc {
    #[serde(default)]
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub stages: Vec<StageDoc>,
    /// Topics outside the critical path, in order, after the stages.
    #[serde(default)]
    pub electives: Vec<String>,
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDoc {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Topic slugs in the order a learner should walk them.
    #[serde(default)]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicDoc {
    #[serde(default)]
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub key_points: Vec<String>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
    #[serde(default)]
    pub questions: Vec<QuestionDoc>,
    #[serde(default)]
    pub flashcards: Vec<FlashcardDoc>,
    #[serde(default)]
    pub quiz: Vec<QuizItemDoc>,
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionDoc {
    #[serde(default)]
    pub slug: String,
    pub title: String,
    #[schema(value_type = crate::catalog::model::Difficulty)]
    pub difficulty: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Position among questions of the same difficulty (lower first).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::web::integral::opt")]
    pub order: Option<i32>,
    pub prompt: String,
    /// The key points a strong answer must contain, one line each, in the order an
    /// interviewer would listen for them: 3 to 6 when given. A learner grades a cold
    /// answer against them point by point.
    #[serde(default)]
    #[schema(max_items = 6, example = json!(["Names the mechanism.", "Shows it with an example.", "Says when it breaks."]))]
    pub rubric: Vec<String>,
    #[serde(default)]
    pub answer: String,
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlashcardDoc {
    pub slug: String,
    pub front: String,
    pub back: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuizItemDoc {
    pub slug: String,
    #[schema(value_type = crate::quiz::model::QuizItemKind)]
    pub kind: String,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(deserialize_with = "crate::web::integral::vec")]
    pub correct: Vec<i64>,
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleDoc {
    #[serde(default)]
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub body: String,
    #[serde(skip)]
    pub source: String,
}

/// Quiz item kinds, as stored and served.
pub const QUIZ_KINDS: [&str; 4] = ["single_choice", "multiple_choice", "true_false", "predict_output"];
/// Question difficulties, easiest first.
pub const DIFFICULTIES: [&str; 3] = ["junior", "mid", "senior"];

impl QuizItemDoc {
    /// The options as stored: true/false items may omit them.
    pub fn effective_options(&self) -> Vec<String> {
        if self.kind == "true_false" && self.options.is_empty() {
            vec!["True".to_owned(), "False".to_owned()]
        } else {
            self.options.clone()
        }
    }
}

impl TopicDoc {
    /// Questions in study order: by difficulty, then `order`, then slug.
    pub fn questions_in_order(&self) -> Vec<&QuestionDoc> {
        let mut questions: Vec<&QuestionDoc> = self.questions.iter().collect();
        questions.sort_by_key(|q| {
            let rank = DIFFICULTIES.iter().position(|d| *d == q.difficulty).unwrap_or(DIFFICULTIES.len());
            (rank, q.order.unwrap_or(i32::MAX), q.slug.clone())
        });
        questions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Difficulty;
    use crate::quiz::model::QuizItemKind;

    /// The documents' schemas name the served enums; the checks here must accept
    /// exactly their values.
    #[test]
    fn the_checked_values_are_the_documented_enums() {
        let kinds: Vec<&str> = QuizItemKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, QUIZ_KINDS);
        let difficulties = [Difficulty::Junior, Difficulty::Mid, Difficulty::Senior].map(Difficulty::as_str);
        assert_eq!(difficulties, DIFFICULTIES);
    }
}
