//! Turning a learner event into an xAPI 1.0.3 statement. Pure: the facts it needs
//! (slugs, titles, scores) are looked up before.

use serde_json::{Value, json};
use uuid::Uuid;

/// What a statement says about its object, looked up from content.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// A topic completed: its slug and title.
    Topic { slug: String, title: String },
    /// A quiz submitted: what it covered (`tracks/python`, `tracks/python/stages/basics`
    /// or `topics/a+b`), its mode, and the score as a share.
    Quiz { scope: String, mode: String, scaled: f64 },
    /// A flashcard reviewed: its topic's slug, its slug, and the rating.
    Flashcard { topic: String, slug: String, rating: String },
    /// A mock interview finished: what it covered, as for a quiz.
    Interview { scope: String },
}

/// A quiz at or above this share counts as passed.
pub const PASS_MARK: f64 = 0.7;

const VERBS: &str = "http://adlnet.gov/expapi/verbs/";
const TYPES: &str = "http://adlnet.gov/expapi/activities/";

fn verb(name: &str) -> Value {
    json!({"id": format!("{VERBS}{name}"), "display": {"en-US": name}})
}

/// The statement `id` for `learner`'s event at `timestamp` (RFC 3339) about `object`,
/// on the platform at `home_page` (no trailing slash).
pub fn build(id: Uuid, home_page: &str, learner: Uuid, timestamp: &str, object: &Object) -> Value {
    let actor = json!({"objectType": "Agent", "account": {"homePage": home_page, "name": learner.to_string()}});
    let activity = |path: &str, kind: &str, name: &str| {
        json!({"objectType": "Activity", "id": format!("{home_page}/{path}"),
               "definition": {"type": format!("{TYPES}{kind}"), "name": {"en-US": name}}})
    };
    let (verb, object, result) = match object {
        Object::Topic { slug, title } => {
            (verb("completed"), activity(&format!("topics/{slug}"), "lesson", title), json!({"completion": true}))
        }
        Object::Quiz { scope, mode, scaled } => {
            let passed = *scaled >= PASS_MARK;
            let scaled = (scaled.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0;
            (
                verb(if passed { "passed" } else { "failed" }),
                activity(&format!("{scope}/quiz"), "assessment", &format!("{mode} quiz on {scope}")),
                json!({"score": {"scaled": scaled}, "success": passed, "completion": true}),
            )
        }
        Object::Interview { scope } => (
            verb("completed"),
            activity(&format!("{scope}/mock-interview"), "assessment", &format!("mock interview on {scope}")),
            json!({"completion": true}),
        ),
        Object::Flashcard { topic, slug, rating } => (
            verb("answered"),
            activity(&format!("topics/{topic}/flashcards/{slug}"), "cmi.interaction", &format!("flashcard {slug}")),
            json!({"success": rating != "again", "response": rating}),
        ),
    };
    json!({
        "id": id, "actor": actor, "verb": verb, "object": object, "result": result, "timestamp": timestamp,
        "context": {"platform": "studytrack", "language": "en-US"}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: &str = "https://learn.example.edu";

    #[test]
    fn a_quiz_is_passed_or_failed_by_its_share() {
        let (id, learner) = (Uuid::new_v4(), Uuid::new_v4());
        let quiz = |scaled| Object::Quiz { scope: "topics/basics".into(), mode: "practice".into(), scaled };
        let passed = build(id, HOME, learner, "2026-12-06T09:00:00Z", &quiz(0.8));
        assert_eq!(passed["verb"]["id"], "http://adlnet.gov/expapi/verbs/passed");
        assert_eq!(passed["result"]["score"]["scaled"], 0.8);
        assert_eq!(passed["object"]["id"], "https://learn.example.edu/topics/basics/quiz");
        assert_eq!(passed["actor"]["account"]["name"], learner.to_string());
        assert_eq!(passed["id"], id.to_string());
        let failed = build(id, HOME, learner, "2026-12-06T09:00:00Z", &quiz(0.5));
        assert_eq!(
            (failed["verb"]["id"].as_str(), failed["result"]["success"].as_bool()),
            (Some("http://adlnet.gov/expapi/verbs/failed"), Some(false))
        );
    }

    #[test]
    fn topics_and_cards_have_slug_ids() {
        let learner = Uuid::new_v4();
        let topic = Object::Topic { slug: "basics".into(), title: "Basics".into() };
        let s = build(Uuid::new_v4(), HOME, learner, "2026-12-06T09:00:00Z", &topic);
        assert_eq!(s["object"]["id"], "https://learn.example.edu/topics/basics");
        assert_eq!(s["verb"]["display"]["en-US"], "completed");
        let card = Object::Flashcard { topic: "basics".into(), slug: "is-vs-eq".into(), rating: "again".into() };
        let s = build(Uuid::new_v4(), HOME, learner, "2026-12-06T09:00:00Z", &card);
        assert_eq!(s["object"]["id"], "https://learn.example.edu/topics/basics/flashcards/is-vs-eq");
        assert_eq!(s["result"]["success"], false);
    }
}
