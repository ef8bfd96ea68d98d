//! Rules a bundle must satisfy before anything is written.
//!
//! These mirror the database constraints (so problems are reported all at once, with
//! file and entry, instead of as the first failed INSERT) and add the cross-references
//! the database cannot see in advance: topics placed on tracks exist, prerequisites and
//! question links resolve, nothing is placed twice.

use std::collections::{HashMap, HashSet};

use super::bundle::{Bundle, DIFFICULTIES, QUIZ_KINDS, QuizItemDoc};
use super::problems::Problems;

const MAX_TITLE: usize = 200;
const MAX_QUESTION_TITLE: usize = 300;
const MIN_RUBRIC_POINTS: usize = 3;
const MAX_RUBRIC_POINTS: usize = 6;
const MAX_RUBRIC_POINT: usize = 200;

pub use crate::slug::is_slug;

/// Tags are looser than slugs so Python names like `__init__` read naturally.
pub fn is_tag(value: &str) -> bool {
    (1..=40).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

pub fn validate(bundle: &Bundle, problems: &mut Problems) {
    validate_with(bundle, &HashSet::new(), problems);
}

/// Validates a bundle that may refer to topics already in the database (`known`), as
/// an import of one track may name prerequisites on another.
pub fn validate_with(bundle: &Bundle, known: &HashSet<String>, problems: &mut Problems) {
    let mut topic_slugs: HashSet<&str> = bundle.topics.iter().map(|t| t.slug.as_str()).collect();
    topic_slugs.extend(known.iter().map(String::as_str));

    let mut seen_tracks = HashSet::new();
    for track in &bundle.tracks {
        let file = source_or(&track.source, "tracks", &track.slug);
        check_slug(problems, &file, "track", &track.slug);
        if !seen_tracks.insert(track.slug.as_str()) {
            problems.add(&file, "track", format!("track slug {:?} appears twice", track.slug));
        }
        check_title(problems, &file, "track", &track.title, MAX_TITLE);
        let mut placed = HashSet::new();
        let mut stage_slugs = HashSet::new();
        for stage in &track.stages {
            let entry = format!("stage {}", stage.slug);
            check_slug(problems, &file, &entry, &stage.slug);
            if !stage_slugs.insert(stage.slug.as_str()) {
                problems.add(&file, &entry, "stage slug appears twice on the track");
            }
            check_title(problems, &file, &entry, &stage.title, MAX_TITLE);
            if stage.topics.is_empty() {
                problems.add(&file, &entry, "a stage needs at least one topic");
            }
        }
        let placements = track.stages.iter().flat_map(|s| s.topics.iter()).chain(track.electives.iter());
        for topic in placements {
            if !topic_slugs.contains(topic.as_str()) {
                problems.add(&file, format!("topic {topic}"), "no such topic in topics/");
            }
            if !placed.insert(topic.as_str()) {
                problems.add(&file, format!("topic {topic}"), "placed more than once on the track");
            }
        }
    }

    let mut seen_topics = HashSet::new();
    for topic in &bundle.topics {
        let file = source_or(&topic.source, "topics", &topic.slug);
        check_slug(problems, &file, "topic", &topic.slug);
        if !seen_topics.insert(topic.slug.as_str()) {
            problems.add(&file, "topic", format!("topic slug {:?} appears twice", topic.slug));
        }
        check_title(problems, &file, "topic", &topic.title, MAX_TITLE);
        if topic.summary.trim().is_empty() {
            problems.add(&file, "topic", "summary is empty");
        }
        for pre in &topic.prerequisites {
            if !topic_slugs.contains(pre.as_str()) {
                problems.add(&file, "topic", format!("prerequisite {pre:?} is not a topic"));
            } else if pre == &topic.slug {
                problems.add(&file, "topic", "a topic cannot be its own prerequisite");
            }
        }

        let mut question_slugs = HashSet::new();
        for question in &topic.questions {
            let qfile = source_or(&question.source, &format!("topics/{}/questions", topic.slug), &question.slug);
            check_slug(problems, &qfile, "question", &question.slug);
            if !question_slugs.insert(question.slug.as_str()) {
                problems.add(&qfile, "question", "slug appears twice in the topic");
            }
            check_title(problems, &qfile, "question", &question.title, MAX_QUESTION_TITLE);
            if !DIFFICULTIES.contains(&question.difficulty.as_str()) {
                problems.add(
                    &qfile,
                    "question",
                    format!("difficulty {:?} must be one of junior, mid, senior", question.difficulty),
                );
            }
            if question.prompt.trim().is_empty() {
                problems.add(&qfile, "question", "prompt is empty");
            }
            if question.answer.trim().is_empty() {
                problems.add(&qfile, "question", "answer is empty");
            }
            check_rubric(problems, &qfile, &question.rubric);
            for tag in &question.tags {
                if !is_tag(tag) {
                    problems.add(
                        &qfile,
                        "question",
                        format!("tag {tag:?} must be 1-40 of lowercase letters, digits, - _ ."),
                    );
                }
            }
            if question.order.is_some_and(|o| o < 0) {
                problems.add(&qfile, "question", "order must not be negative");
            }
        }

        let cards_file = format!("topics/{}/flashcards.toml", topic.slug);
        let mut card_slugs = HashSet::new();
        for card in &topic.flashcards {
            let entry = format!("card {}", card.slug);
            check_slug(problems, &cards_file, &entry, &card.slug);
            if !card_slugs.insert(card.slug.as_str()) {
                problems.add(&cards_file, &entry, "slug appears twice");
            }
            if card.front.trim().is_empty() || card.back.trim().is_empty() {
                problems.add(&cards_file, &entry, "front and back must both be non-empty");
            }
            check_question_link(problems, &cards_file, &entry, card.question.as_deref(), &question_slugs);
        }

        let quiz_file = format!("topics/{}/quiz.toml", topic.slug);
        let mut item_slugs = HashSet::new();
        for item in &topic.quiz {
            let entry = format!("quiz item {}", item.slug);
            check_slug(problems, &quiz_file, &entry, &item.slug);
            if !item_slugs.insert(item.slug.as_str()) {
                problems.add(&quiz_file, &entry, "slug appears twice");
            }
            check_quiz_item(problems, &quiz_file, &entry, item);
            check_question_link(problems, &quiz_file, &entry, item.question.as_deref(), &question_slugs);
        }
    }

    let mut seen_articles = HashSet::new();
    for article in &bundle.articles {
        let file = source_or(&article.source, "articles", &article.slug);
        check_slug(problems, &file, "article", &article.slug);
        if !seen_articles.insert(article.slug.as_str()) {
            problems.add(&file, "article", "slug appears twice");
        }
        check_title(problems, &file, "article", &article.title, MAX_QUESTION_TITLE);
        if article.body.trim().is_empty() {
            problems.add(&file, "article", "body is empty");
        }
        if article.topics.is_empty() {
            problems.add(&file, "article", "must name at least one topic");
        }
        let mut counted: HashMap<&str, usize> = HashMap::new();
        for topic in &article.topics {
            *counted.entry(topic.as_str()).or_default() += 1;
            if !topic_slugs.contains(topic.as_str()) {
                problems.add(&file, "article", format!("topic {topic:?} does not exist"));
            }
        }
        if counted.values().any(|n| *n > 1) {
            problems.add(&file, "article", "a topic is listed twice");
        }
    }
}

fn check_quiz_item(problems: &mut Problems, file: &str, entry: &str, item: &QuizItemDoc) {
    if !QUIZ_KINDS.contains(&item.kind.as_str()) {
        problems.add(file, entry, format!("kind {:?} must be one of {}", item.kind, QUIZ_KINDS.join(", ")));
        return;
    }
    let options = item.effective_options();
    if !(2..=8).contains(&options.len()) {
        problems.add(file, entry, "needs 2 to 8 options");
    }
    if options.iter().any(|o| o.trim().is_empty()) {
        problems.add(file, entry, "options must not be empty");
    }
    let distinct: HashSet<&String> = options.iter().collect();
    if distinct.len() != options.len() {
        problems.add(file, entry, "options repeat");
    }
    if item.correct.is_empty() {
        problems.add(file, entry, "correct must list at least one option index");
    }
    if item.correct.iter().any(|&c| c < 0 || c as usize >= options.len()) {
        problems.add(file, entry, format!("correct indices must be 0..{} (0-based into options)", options.len()));
    }
    let distinct_correct: HashSet<i64> = item.correct.iter().copied().collect();
    if distinct_correct.len() != item.correct.len() {
        problems.add(file, entry, "correct repeats an index");
    }
    if item.kind != "multiple_choice" && item.correct.len() != 1 {
        problems.add(file, entry, format!("{} needs exactly one correct option", item.kind));
    }
    if item.kind == "predict_output" && item.code.as_deref().is_none_or(|c| c.trim().is_empty()) {
        problems.add(file, entry, "predict_output needs code");
    }
    if item.prompt.trim().is_empty() || item.explanation.trim().is_empty() {
        problems.add(file, entry, "prompt and explanation must both be non-empty");
    }
}

fn check_question_link(
    problems: &mut Problems,
    file: &str,
    entry: &str,
    link: Option<&str>,
    questions: &HashSet<&str>,
) {
    if let Some(slug) = link
        && !questions.contains(slug)
    {
        problems.add(file, entry, format!("question {slug:?} is not a question of this topic"));
    }
}

/// A rubric is optional for a single write, but when given it is 3 to 6 points, each
/// one non-empty line a learner can tick off.
fn check_rubric(problems: &mut Problems, file: &str, rubric: &[String]) {
    if rubric.is_empty() {
        return;
    }
    if !(MIN_RUBRIC_POINTS..=MAX_RUBRIC_POINTS).contains(&rubric.len()) {
        problems.add(
            file,
            "question",
            format!("rubric has {} points; give {MIN_RUBRIC_POINTS} to {MAX_RUBRIC_POINTS}", rubric.len()),
        );
    }
    for (i, point) in rubric.iter().enumerate() {
        let n = i + 1;
        if point.trim().is_empty() {
            problems.add(file, "question", format!("rubric point {n} is empty"));
        } else if point.contains(['\n', '\r']) {
            problems.add(file, "question", format!("rubric point {n} must be one line"));
        } else if point.chars().count() > MAX_RUBRIC_POINT {
            problems.add(file, "question", format!("rubric point {n} is longer than {MAX_RUBRIC_POINT} characters"));
        }
    }
}

fn check_slug(problems: &mut Problems, file: &str, entry: &str, slug: &str) {
    if !is_slug(slug) {
        problems.add(
            file,
            entry,
            format!("slug {slug:?} must be lowercase letters, digits and single hyphens (at most 80)"),
        );
    }
}

fn check_title(problems: &mut Problems, file: &str, entry: &str, title: &str, max: usize) {
    let len = title.trim().chars().count();
    if len == 0 || len > max {
        problems.add(file, entry, format!("title must be 1 to {max} characters"));
    }
}

fn source_or(source: &str, dir: &str, slug: &str) -> String {
    if source.is_empty() { format!("{dir}/{slug}") } else { source.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::bundle::{QuestionDoc, TopicDoc, TrackDoc};

    fn topic(slug: &str) -> TopicDoc {
        TopicDoc {
            slug: slug.into(),
            title: "T".into(),
            summary: "s".into(),
            key_points: vec![],
            prerequisites: vec![],
            questions: vec![],
            flashcards: vec![],
            quiz: vec![],
            source: String::new(),
        }
    }

    #[test]
    fn slugs() {
        for good in ["a", "data-structures", "q1-2"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in ["", "A", "a--b", "-a", "a-", "a_b", "é", &"a".repeat(81)] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut bad_topic = topic("Bad Slug");
        bad_topic.questions.push(QuestionDoc {
            slug: "q".into(),
            title: "".into(),
            difficulty: "expert".into(),
            tags: vec![],
            order: None,
            prompt: "p".into(),
            rubric: vec!["Names the rule.".into(), "two\nlines".into()],
            answer: "a".into(),
            source: String::new(),
        });
        let bundle = Bundle {
            tracks: vec![TrackDoc {
                slug: "t".into(),
                title: "T".into(),
                summary: String::new(),
                stages: vec![],
                electives: vec!["missing".into()],
                source: String::new(),
            }],
            topics: vec![bad_topic],
            articles: vec![],
        };
        let mut problems = Problems::default();
        validate(&bundle, &mut problems);
        let text: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
        assert!(text.iter().any(|p| p.contains("missing") && p.contains("no such topic")), "{text:?}");
        assert!(text.iter().any(|p| p.contains("Bad Slug")), "{text:?}");
        assert!(text.iter().any(|p| p.contains("rubric has 2 points; give 3 to 6")), "{text:?}");
        assert!(text.iter().any(|p| p.contains("rubric point 2 must be one line")), "{text:?}");
        assert!(text.iter().any(|p| p.contains("difficulty")), "{text:?}");
        assert!(text.iter().any(|p| p.contains("title must be")), "{text:?}");
    }
}
