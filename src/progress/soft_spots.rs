//! Where a learner is weak: the soft-spot rules over a computed progress. Pure, so the
//! rules are easy to follow and test.

use super::fill;
use super::model::*;
use crate::wire::SlugRef;

/// Below this recent accuracy (with at least [`MIN_ANSWERED`] answers) a topic is weak.
const LOW_ACCURACY: f64 = 0.6;
const MIN_ANSWERED: i64 = 3;

/// The weak topics of a track, weakest first, each with its reasons.
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
            let v = &p.verification;
            if v.claimed_failed > 0 {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::Overconfidence,
                    message: format!(
                        "{} question(s) you marked got-it were then answered wrong (quiz, cold answer or flashcard).",
                        v.claimed_failed
                    ),
                });
            }
            if v.content_changed > 0 {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::ContentChanged,
                    message: format!(
                        "The answer to {} question(s) you had down was substantially revised; check it again.",
                        v.content_changed
                    ),
                });
            }
            if v.decaying > 0 {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::ProvenButDecaying,
                    message: format!(
                        "{} question(s) you proved are likely fading from memory (predicted recall under 80%).",
                        v.decaying
                    ),
                });
            }
            if v.claimed_unproven > 0 {
                reasons.push(SoftSpotReason {
                    code: SoftSpotCode::ClaimedUnproven,
                    message: format!(
                        "{} question(s) you marked got-it have no recent quiz, cold answer or flashcard to back them.",
                        v.claimed_unproven
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
                    SoftSpotCode::DoneWithOpenQuestions
                    | SoftSpotCode::LowQuizAccuracy
                    | SoftSpotCode::ContentChanged
                    | SoftSpotCode::ProvenButDecaying => 2,
                    SoftSpotCode::OverdueFlashcards | SoftSpotCode::ClaimedUnproven => 1,
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
