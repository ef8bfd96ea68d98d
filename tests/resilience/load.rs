//! Steady mixed load from one learner: question marks, flashcard reviews and reads,
//! recording every exchange and a ledger of the writes the server acknowledged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::Rng;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::client::{Content, Learner, MarkWrite, Outcome, next_instant};

const STATUSES: [&str; 3] = ["new", "learning", "got_it"];
const RATINGS: [&str; 4] = ["again", "hard", "good", "easy"];

#[derive(Default)]
pub struct LoadLog {
    pub outcomes: Vec<Outcome>,
    pub marks: Vec<MarkWrite>,
    /// Review ids the server answered 2xx for.
    pub reviews_acked: Vec<Uuid>,
}

impl LoadLog {
    pub fn merge(logs: Vec<LoadLog>) -> LoadLog {
        let mut all = LoadLog::default();
        for log in logs {
            all.outcomes.extend(log.outcomes);
            all.marks.extend(log.marks);
            all.reviews_acked.extend(log.reviews_acked);
        }
        all
    }
}

/// Runs until `stop` is set: mark, review, read progress, mark, review, read the due
/// list, ... with `pause` between requests.
pub fn spawn(
    learner: Learner,
    content: Content,
    stop: Arc<AtomicBool>,
    pause: Duration,
) -> tokio::task::JoinHandle<LoadLog> {
    tokio::spawn(async move {
        let mut log = LoadLog::default();
        let mut clock = OffsetDateTime::UNIX_EPOCH;
        let mut step = 0usize;
        while !stop.load(Ordering::Relaxed) {
            let (question, status, card, rating) = {
                let mut rng = rand::rng();
                (
                    content.questions[rng.random_range(0..content.questions.len())],
                    STATUSES[rng.random_range(0..STATUSES.len())],
                    content.cards[rng.random_range(0..content.cards.len())],
                    RATINGS[rng.random_range(0..RATINGS.len())],
                )
            };
            match step % 6 {
                0 | 3 => {
                    let at = next_instant(&mut clock);
                    let (outcome, body) = learner.mark_question(question, status, at).await;
                    let acked = outcome.ok();
                    let applied = body.as_ref().and_then(|b| b["applied"].as_bool()).unwrap_or(false);
                    log.marks.push(MarkWrite { user: learner.id, question, status, at, acked, applied });
                    log.outcomes.push(outcome);
                }
                1 | 4 => {
                    let id = Uuid::new_v4();
                    let (outcome, _) = learner.review(id, card, rating).await;
                    if outcome.ok() {
                        log.reviews_acked.push(id);
                    }
                    log.outcomes.push(outcome);
                }
                2 => log.outcomes.push(learner.progress().await.0),
                _ => log.outcomes.push(learner.due().await.0),
            }
            step += 1;
            tokio::time::sleep(pause).await;
        }
        log
    })
}

/// One load task per learner, as [`spawn`], all stopped by `stop`.
pub fn spawn_all(
    learners: &[Learner],
    content: &Content,
    stop: &Arc<AtomicBool>,
    pause: Duration,
) -> Vec<tokio::task::JoinHandle<LoadLog>> {
    learners.iter().map(|l| spawn(l.clone(), content.clone(), stop.clone(), pause)).collect()
}

/// Waits for every load task and merges what they recorded.
pub async fn join_all(loaders: Vec<tokio::task::JoinHandle<LoadLog>>) -> LoadLog {
    let mut logs = Vec::new();
    for loader in loaders {
        logs.push(loader.await.expect("load task panicked"));
    }
    LoadLog::merge(logs)
}
