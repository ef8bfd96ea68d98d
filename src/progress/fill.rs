//! The fill rule, as pure functions (unit-tested here, documented in the spec).
//!
//! - A topic's fill: 1 when the learner marked it `done`; otherwise
//!   `(got_it + 0.5 × learning) / live questions` (0 for a topic without questions).
//!   Retired questions count for neither side.
//! - A stage's fill: the mean of its core topics' fills (each topic weighs the same).
//! - A track's fill: the mean over its core topics and the electives that count: an
//!   elective counts once started (`learning` or `done`), never when `skipped` or
//!   untouched, so optional work can only help.
//! - `percent` is the fill as a whole percentage rounded down: 100 means complete.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{
    Calibration, Fill, ProgressTotals, QuestionCounts, QuizStats, StageProgress, TopicProgress, TopicProgressEntry,
    TopicStatus, TrackProgress,
};
use super::verification::TopicProof;
use crate::catalog::model::{Roadmap, RoadmapTopic, SlugRef};
use crate::wire::Verification;

/// A learner's figures for one track's topics, by topic id (what the learner memo
/// keeps between their writes).
pub type Inputs = std::sync::Arc<HashMap<Uuid, TopicInput>>;

/// What is known about the learner and one topic.
#[derive(Debug, Clone, Default)]
pub struct TopicInput {
    pub questions: QuestionCounts,
    pub mark: Option<TopicStatus>,
    pub quiz: QuizStats,
    pub flashcards_due: i64,
    pub flashcards_overdue: i64,
    /// Claimed beside verified, calibration counts and probes.
    pub proof: TopicProof,
}

/// Rounds to 4 decimals so equal progress always serialises (and hashes) equally.
fn round(value: f64) -> f64 {
    (value.clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0
}

pub fn fill_of(value: f64) -> Fill {
    let fill = round(value);
    Fill { fill, percent: (fill * 100.0 + 1e-9).floor() as i32 }
}

/// The status shown when the learner has not marked the topic themselves.
fn derived_status(q: &QuestionCounts) -> TopicStatus {
    if q.total > 0 && q.got_it >= q.total {
        TopicStatus::Done
    } else if q.got_it + q.learning > 0 {
        TopicStatus::Learning
    } else {
        TopicStatus::NotStarted
    }
}

pub fn topic_progress(input: &TopicInput, elective: bool) -> TopicProgress {
    let q = &input.questions;
    let status = input.mark.unwrap_or_else(|| derived_status(q));
    let raw = if input.mark == Some(TopicStatus::Done) {
        1.0
    } else if q.total == 0 {
        0.0
    } else {
        (q.got_it as f64 + 0.5 * q.learning as f64) / q.total as f64
    };
    let counts = !elective || matches!(status, TopicStatus::Learning | TopicStatus::Done);
    let Fill { fill, percent } = fill_of(raw);
    TopicProgress {
        status,
        marked: input.mark.is_some(),
        questions: q.clone(),
        quiz: input.quiz.clone(),
        flashcards_due: input.flashcards_due,
        flashcards_overdue: input.flashcards_overdue,
        overconfident_questions: input.proof.verification.claimed_failed,
        fill,
        percent,
        counts_toward_track: counts,
        verification: input.proof.verification.clone(),
    }
}

/// Whether a topic still needs work (the next-up and soft-spot notion of unfinished).
pub fn unfinished(p: &TopicProgress) -> bool {
    !matches!(p.status, TopicStatus::Done | TopicStatus::Skipped) && p.percent < 100
}

/// The topic next-up points at: the first unfinished core topic in path order, else the
/// first unfinished elective; with its stage (none for an elective).
pub fn next_topic(progress: &TrackProgress) -> Option<(Option<&StageProgress>, &TopicProgressEntry)> {
    let core = progress.stages.iter().flat_map(|s| s.topics.iter().map(move |t| (Some(s), t)));
    let electives = progress.electives.iter().map(|t| (None, t));
    core.clone()
        .find(|(_, t)| unfinished(&t.progress))
        .or_else(|| electives.clone().find(|(_, t)| unfinished(&t.progress)))
}

/// Whether the learner has touched the topic at all.
pub fn started(p: &TopicProgress) -> bool {
    matches!(p.status, TopicStatus::Learning | TopicStatus::Done) || p.questions.got_it + p.questions.learning > 0
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
}

fn entry(topic: &RoadmapTopic, inputs: &HashMap<Uuid, TopicInput>) -> TopicProgressEntry {
    let input = inputs.get(&topic.id).cloned().unwrap_or_default();
    TopicProgressEntry {
        id: topic.id,
        slug: topic.slug.clone(),
        title: topic.title.clone(),
        elective: topic.elective,
        progress: topic_progress(&input, topic.elective),
    }
}

/// The learner's progress over a roadmap.
pub fn track_progress(roadmap: &Roadmap, inputs: &HashMap<Uuid, TopicInput>) -> TrackProgress {
    let mut counted = Vec::new();
    let mut totals = ProgressTotals::default();
    let mut verification = Verification::default();
    let mut calibration = Calibration::default();
    let stages: Vec<StageProgress> = roadmap
        .stages
        .iter()
        .map(|stage| {
            let topics: Vec<TopicProgressEntry> = stage.topics.iter().map(|t| entry(t, inputs)).collect();
            let fills: Vec<f64> = topics.iter().map(|t| t.progress.fill).collect();
            let mut stage_verification = Verification::default();
            for t in &topics {
                counted.push(t.progress.fill);
                totals.topics_total += 1;
                totals.topics_done += i64::from(t.progress.percent >= 100);
                stage_verification.add(&t.progress.verification);
            }
            verification.add(&stage_verification);
            StageProgress {
                slug: stage.slug.clone(),
                title: stage.title.clone(),
                fill: fill_of(mean(&fills)),
                verification: stage_verification,
                topics,
            }
        })
        .collect();
    let electives: Vec<TopicProgressEntry> = roadmap.electives.iter().map(|t| entry(t, inputs)).collect();
    for e in electives.iter().filter(|e| e.progress.counts_toward_track) {
        counted.push(e.progress.fill);
        verification.add(&e.progress.verification);
    }
    for topic in roadmap.stages.iter().flat_map(|s| s.topics.iter()).chain(roadmap.electives.iter()) {
        if let Some(input) = inputs.get(&topic.id) {
            calibration.tested += input.proof.tested;
            calibration.held += input.proof.held;
        }
    }
    calibration.rate = (calibration.tested > 0)
        .then(|| (calibration.held as f64 / calibration.tested as f64 * 10_000.0).round() / 10_000.0);
    for t in stages.iter().flat_map(|s| s.topics.iter()).chain(electives.iter()) {
        totals.questions_total += t.progress.questions.total;
        totals.questions_got_it += t.progress.questions.got_it;
    }
    TrackProgress {
        track: SlugRef { slug: roadmap.slug.clone(), title: roadmap.title.clone() },
        fill: fill_of(mean(&counted)),
        stages,
        electives,
        totals,
        verification,
        calibration,
    }
}

/// Adds the learner's progress to a roadmap in place (the one-request filled path).
pub fn overlay(roadmap: &mut Roadmap, inputs: &HashMap<Uuid, TopicInput>) {
    let progress = track_progress(roadmap, inputs);
    roadmap.progress = Some(progress.fill.clone());
    roadmap.verification = Some(progress.verification.clone());
    for (stage, filled) in roadmap.stages.iter_mut().zip(&progress.stages) {
        stage.progress = Some(filled.fill.clone());
        stage.verification = Some(filled.verification.clone());
        for (topic, entry) in stage.topics.iter_mut().zip(&filled.topics) {
            topic.progress = Some(entry.progress.clone());
        }
    }
    for (topic, entry) in roadmap.electives.iter_mut().zip(&progress.electives) {
        topic.progress = Some(entry.progress.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(total: i64, got_it: i64, learning: i64, mark: Option<TopicStatus>) -> TopicInput {
        TopicInput { questions: QuestionCounts { total, got_it, learning }, mark, ..Default::default() }
    }

    #[test]
    fn topic_fill_from_questions() {
        let p = topic_progress(&input(4, 1, 2, None), false);
        assert_eq!(p.fill, 0.5); // (1 + 0.5 × 2) / 4
        assert_eq!(p.percent, 50);
        assert_eq!(p.status, TopicStatus::Learning);
        assert!(!p.marked);
    }

    #[test]
    fn done_mark_fills_and_all_got_it_derives_done() {
        assert_eq!(topic_progress(&input(4, 0, 0, Some(TopicStatus::Done)), false).fill, 1.0);
        let all = topic_progress(&input(3, 3, 0, None), false);
        assert_eq!((all.status, all.percent), (TopicStatus::Done, 100));
    }

    #[test]
    fn percent_rounds_down() {
        let p = topic_progress(&input(3, 2, 0, None), false);
        assert_eq!(p.fill, 0.6667);
        assert_eq!(p.percent, 66);
        let almost = topic_progress(&input(1000, 999, 0, None), false);
        assert_eq!(almost.percent, 99, "99.9% is not complete");
    }

    #[test]
    fn electives_count_only_once_started_and_never_when_skipped() {
        assert!(!topic_progress(&input(2, 0, 0, None), true).counts_toward_track);
        assert!(!topic_progress(&input(2, 1, 0, Some(TopicStatus::Skipped)), true).counts_toward_track);
        assert!(topic_progress(&input(2, 1, 0, None), true).counts_toward_track);
        assert!(topic_progress(&input(2, 0, 0, Some(TopicStatus::Skipped)), false).counts_toward_track);
    }

    #[test]
    fn empty_topic_is_zero_not_nan() {
        let p = topic_progress(&input(0, 0, 0, None), false);
        assert_eq!((p.fill, p.status), (0.0, TopicStatus::NotStarted));
    }
}
