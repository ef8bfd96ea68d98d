//! Fifty clients race on the same rows: two devices per learner marking the same
//! questions, retrying reviews with the same id (one after another and at the same
//! time) and submitting quizzes twice at once. No 500s and no deadlocks (one that
//! PostgreSQL detects is a 500; a wait it cannot see shows as a request slower than
//! 10 s), and afterwards the database holds exactly what the clients saw
//! acknowledged, once each.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::client::{Content, Learner, MarkWrite, Outcome, next_instant, percentile};
use crate::db::TestDb;
use crate::server::Server;

const LEARNERS: usize = 25;
/// Questions the marks go to: few, so the two devices of a learner collide often.
const HOT_QUESTIONS: usize = 4;
const STATUSES: [&str; 3] = ["new", "learning", "got_it"];
const RATINGS: [&str; 4] = ["again", "hard", "good", "easy"];

/// How long the clients run: `STUDYTRACK_CONCURRENCY_SECS`, 30 by default.
fn duration() -> Duration {
    let secs = std::env::var("STUDYTRACK_CONCURRENCY_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    Duration::from_secs(secs)
}

/// Everything one client did and saw acknowledged.
#[derive(Default)]
struct Ledger {
    outcomes: Vec<Outcome>,
    marks: Vec<MarkWrite>,
    /// (review id, flashcard id) for every review answered 2xx.
    reviews: Vec<(Uuid, Uuid)>,
    review_retries: usize,
    /// Attempt id -> score, for every quiz created and then submitted (2xx).
    quizzes_created: Vec<Uuid>,
    quizzes_graded: HashMap<Uuid, i64>,
    double_submits: usize,
    /// Replies to a retry that differed from the first reply, and requests given up on.
    mismatches: Vec<String>,
}

/// Up to this many tries when the server sheds load with 503 + Retry-After (the pool
/// is smaller than the number of clients), as a mobile client would.
const TRIES: usize = 8;

/// Evaluates `$send` (an awaited exchange) until the answer is not a 503; every
/// exchange is kept. (A macro: async closures make the client future non-`Send`.)
macro_rules! retrying {
    ($send:expr) => {{
        let mut outcomes = Vec::new();
        loop {
            let (outcome, body) = $send;
            let shed = outcome.status == Some(503) && outcome.retry_after;
            outcomes.push(outcome);
            if !shed || outcomes.len() >= TRIES {
                break (outcomes, body);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }};
}

impl Ledger {
    fn record(&mut self, (outcomes, body): (Vec<Outcome>, Option<Value>)) -> Option<Value> {
        if let Some(last) = outcomes.last().filter(|o| o.status == Some(503)) {
            self.mismatches.push(format!("still shed after {TRIES} tries: {}", last.describe()));
        }
        self.outcomes.extend(outcomes);
        body
    }

    /// Two replies to the same idempotent request must be the same document.
    fn same(&mut self, what: &str, a: &Option<Value>, b: &Option<Value>) {
        if let (Some(a), Some(b)) = (a, b)
            && a != b
        {
            self.mismatches.push(format!("{what}: {a} vs {b}"));
        }
    }
}

/// One device's loop. `twin` is the same learner's other device, used to send a
/// duplicate at the same moment.
async fn client(me: Learner, twin: Learner, content: Arc<Content>, until: Instant) -> Ledger {
    let mut ledger = Ledger::default();
    let mut clock = OffsetDateTime::UNIX_EPOCH;
    while Instant::now() < until {
        let (roll, question, status, card, rating, retry) = {
            let mut rng = rand::rng();
            (
                rng.random_range(0..100u32),
                content.questions[rng.random_range(0..HOT_QUESTIONS)],
                STATUSES[rng.random_range(0..STATUSES.len())],
                content.cards[rng.random_range(0..content.cards.len())],
                RATINGS[rng.random_range(0..RATINGS.len())],
                rng.random_range(0..3u32),
            )
        };
        match roll {
            0..40 => {
                let at = next_instant(&mut clock);
                let reply = ledger.record(retrying!(me.mark_question(question, status, at).await));
                let acked = reply.is_some();
                let applied = reply.as_ref().and_then(|b| b["applied"].as_bool()).unwrap_or(false);
                ledger.marks.push(MarkWrite { user: me.id, question, status, at, acked, applied });
            }
            40..70 => {
                let id = Uuid::new_v4();
                let first = match retry {
                    // A retry after the answer was lost: the same id again, later.
                    0 => {
                        let first = ledger.record(retrying!(me.review(id, card, rating).await));
                        let again = ledger.record(retrying!(me.review(id, card, rating).await));
                        ledger.review_retries += 1;
                        ledger.same("sequential review retry", &first, &again);
                        first
                    }
                    // A retry while the first is still in flight, from the other device.
                    1 => {
                        let (a, b) = tokio::join!(async { retrying!(me.review(id, card, rating).await) }, async {
                            retrying!(twin.review(id, card, rating).await)
                        });
                        let (a, b) = (ledger.record(a), ledger.record(b));
                        ledger.review_retries += 1;
                        ledger.same("concurrent review retry", &a, &b);
                        a
                    }
                    _ => ledger.record(retrying!(me.review(id, card, rating).await)),
                };
                if first.is_some() {
                    ledger.reviews.push((id, card));
                }
            }
            70..90 => {
                let Some(attempt) = ledger.record(retrying!(me.create_quiz().await)) else { continue };
                let Some(id) = attempt["id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else { continue };
                ledger.quizzes_created.push(id);
                let answers: Vec<Value> = attempt["items"]
                    .as_array()
                    .map(|items| {
                        let mut rng = rand::rng();
                        items
                            .iter()
                            .map(|item| {
                                let options = item["options"].as_array().map_or(1, Vec::len).max(1);
                                json!({"position": item["position"], "selected": [rng.random_range(0..options)]})
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let answers = Value::Array(answers);
                let (a, b) = tokio::join!(async { retrying!(me.submit_quiz(id, &answers).await) }, async {
                    retrying!(twin.submit_quiz(id, &answers).await)
                });
                let (a, b) = (ledger.record(a), ledger.record(b));
                ledger.double_submits += 1;
                ledger.same("double quiz submission", &a, &b);
                if let Some(score) = a.or(b).and_then(|r| r["score"].as_i64()) {
                    ledger.quizzes_graded.insert(id, score);
                }
            }
            _ => {
                let read = if retry == 0 { me.due().await } else { me.progress().await };
                ledger.record((vec![read.0], read.1));
            }
        }
    }
    ledger
}

/// The stored state must equal the acknowledged operations, exactly once each.
async fn check_exactly_once(pool: &PgPool, users: &[Uuid], all: &Ledger) {
    // Reviews: one log row per acknowledged review id, none other; each card's
    // repetition count equals its log rows; one activity row per review.
    let logged: Vec<(Uuid, Uuid, Uuid)> =
        sqlx::query_as("SELECT review_id, user_id, flashcard_id FROM review_log WHERE user_id = ANY ($1)")
            .bind(users)
            .fetch_all(pool)
            .await
            .expect("review log");
    let acked: HashSet<Uuid> = all.reviews.iter().map(|(id, _)| *id).collect();
    let stored: HashSet<Uuid> = logged.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(acked.len(), all.reviews.len(), "a review id was acknowledged twice as new");
    assert_eq!(logged.len(), stored.len(), "a review id is logged twice");
    assert_eq!(stored, acked, "logged reviews differ from acknowledged ones");
    let reps_mismatch: i64 = sqlx::query_scalar(
        r#"SELECT count(*) FROM card_state c
           WHERE c.user_id = ANY ($1)
             AND c.reps <> (SELECT count(*) FROM review_log r WHERE r.user_id = c.user_id AND r.flashcard_id = c.flashcard_id)"#,
    )
    .bind(users)
    .fetch_one(pool)
    .await
    .expect("card states");
    assert_eq!(reps_mismatch, 0, "a card's repetitions differ from its logged reviews (a review applied twice)");

    let activity: HashMap<String, i64> =
        sqlx::query_as("SELECT kind, count(*) FROM activity WHERE user_id = ANY ($1) GROUP BY kind")
            .bind(users)
            .fetch_all(pool)
            .await
            .expect("activity")
            .into_iter()
            .collect();
    let count = |kind: &str| activity.get(kind).copied().unwrap_or(0);
    assert_eq!(count("review"), acked.len() as i64, "review activity rows differ from acknowledged reviews");

    // Quizzes: every created attempt stored once, every submitted one graded once with
    // the acknowledged score.
    let attempts: Vec<(Uuid, Option<i32>)> =
        sqlx::query_as("SELECT attempt_id, score FROM quiz_attempt WHERE user_id = ANY ($1)")
            .bind(users)
            .fetch_all(pool)
            .await
            .expect("attempts");
    assert_eq!(attempts.len(), all.quizzes_created.len(), "stored attempts differ from acknowledged creations");
    for (id, score) in &attempts {
        let acked = all.quizzes_graded.get(id).copied();
        assert_eq!(score.map(i64::from), acked, "attempt {id}: stored score differs from the acknowledged one");
    }
    assert_eq!(count("quiz"), all.quizzes_graded.len() as i64, "a quiz was graded more than once (or not at all)");

    // Marks: the stored mark is the newest acknowledged write (ties broken by status
    // order, as the server documents), and every acknowledged change was recorded once.
    let rank = |s: &str| STATUSES.iter().position(|x| *x == s);
    let mut newest: HashMap<(Uuid, Uuid), &MarkWrite> = HashMap::new();
    for w in all.marks.iter().filter(|w| w.acked) {
        let entry = newest.entry((w.user, w.question)).or_insert(w);
        if (w.at, rank(w.status)) > (entry.at, rank(entry.status)) {
            *entry = w;
        }
    }
    let stored = crate::client::stored_marks(pool, users).await;
    assert_eq!(stored.len(), newest.len(), "stored marks differ from acknowledged ones");
    for (key, want) in &newest {
        let (status, at) = stored.get(key).unwrap_or_else(|| panic!("mark {want:?} is missing"));
        assert_eq!((status.as_str(), *at), (want.status, want.at), "the stored mark is not the newest write");
    }
    let applied = all.marks.iter().filter(|w| w.acked && w.applied).count() as i64;
    assert_eq!(count("question_mark"), applied, "mark changes recorded differ from those acknowledged as applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_racing_leave_exactly_what_was_acknowledged() {
    let _serial = crate::serial();
    let test_started = Instant::now();
    let db = TestDb::new("concurrency");
    let server = Server::start(&db.url, &[]).await;
    let content = Arc::new(Content::load(&server).await);
    let mut learners = Vec::new();
    for i in 0..LEARNERS {
        learners.push(Learner::register(&server, &format!("racer{i}@example.com")).await);
    }
    let users: Vec<Uuid> = learners.iter().map(|l| l.id).collect();

    let run_for = duration();
    let started = Instant::now();
    let until = started + run_for;
    let mut tasks = Vec::new();
    for learner in &learners {
        let (a, b) = (learner.clone(), learner.second_device());
        tasks.push(tokio::spawn(client(a.clone(), b.clone(), content.clone(), until)));
        tasks.push(tokio::spawn(client(b, a, content.clone(), until)));
    }
    let mut all = Ledger::default();
    for task in tasks {
        let ledger = task.await.expect("client task panicked");
        all.outcomes.extend(ledger.outcomes);
        all.marks.extend(ledger.marks);
        all.reviews.extend(ledger.reviews);
        all.review_retries += ledger.review_retries;
        all.quizzes_created.extend(ledger.quizzes_created);
        all.quizzes_graded.extend(ledger.quizzes_graded);
        all.double_submits += ledger.double_submits;
        all.mismatches.extend(ledger.mismatches);
    }
    let elapsed = started.elapsed();

    // Load shedding (503 with Retry-After, retried) is allowed; nothing else is.
    let is_shed = |o: &Outcome| o.status == Some(503) && o.is_problem() && o.retry_after;
    let shed = all.outcomes.iter().filter(|o| is_shed(o)).count();
    let failures: Vec<String> = all.outcomes.iter().filter(|o| !o.ok() && !is_shed(o)).map(Outcome::describe).collect();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed, first ones:\n{}\n{}",
        failures.len(),
        all.outcomes.len(),
        failures[..failures.len().min(10)].join("\n"),
        server.log_tail()
    );
    assert!(all.mismatches.is_empty(), "retries went wrong:\n{}", all.mismatches.join("\n"));
    let slowest = all.outcomes.iter().map(|o| o.elapsed).max().unwrap_or_default();
    assert!(slowest < Duration::from_secs(10), "a request took {slowest:?} (a lock wait or deadlock?)");

    let pool = db.pool().await;
    check_exactly_once(&pool, &users, &all).await;
    pool.close().await;

    let by_op = |op: &str| all.outcomes.iter().filter(|o| o.op == op && o.ok()).collect::<Vec<_>>();
    let summary: Vec<String> = ["mark", "review", "create_quiz", "submit_quiz", "progress", "due"]
        .iter()
        .map(|op| {
            let list = by_op(op);
            format!("{op} {} (p50 {:?}, p99 {:?})", list.len(), percentile(&list, 0.5), percentile(&list, 0.99))
        })
        .collect();
    println!(
        "concurrency: {} clients for {elapsed:.1?}, {} requests ({:.0}/s), all 2xx but {shed} 503s shed and retried, slowest {slowest:?}; {}; \
         acknowledged vs stored: {} marks ({} applied) = stored newest per question, {} reviews ({} retried) = {} log rows, \
         {} quizzes created, {} graded ({} double submits) = stored; test took {:?}",
        2 * LEARNERS,
        all.outcomes.len(),
        all.outcomes.len() as f64 / elapsed.as_secs_f64(),
        summary.join(", "),
        all.marks.len(),
        all.marks.iter().filter(|w| w.applied).count(),
        all.reviews.len(),
        all.review_retries,
        all.reviews.len(),
        all.quizzes_created.len(),
        all.quizzes_graded.len(),
        all.double_submits,
        test_started.elapsed(),
    );
    drop(server);
    db.drop_db().await;
}
