//! Offline sync: two devices of one learner work offline in overlapping windows and
//! sync in either order (one batch twice); the result equals one online client applying
//! every event in time order. Events that cannot apply are rejected one by one; a
//! malformed event or a batch too big refuses the whole batch.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

fn at(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

async fn sync(app: &TestApp, user: &TestUser, events: &[Value]) -> Vec<String> {
    let res = app
        .request_as(Method::POST, "/api/v1/me/sync", &user.access)
        .json(&json!({"events": events}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_owned()).collect()
}

/// The learner's state as the sync must leave it: card schedules, question marks and notes.
async fn snapshot(
    app: &TestApp,
    user: &TestUser,
) -> (Vec<(String, String, f32, f32, String)>, Vec<(String, String)>, Vec<(String, String)>) {
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    let id = me["id"].as_str().unwrap().to_owned();
    let cards = sqlx::query_as(
        "SELECT flashcard_id::text, state, stability, difficulty, to_char(due_at, 'YYYY-MM-DD HH24:MI:SS.US')
         FROM card_state WHERE user_id = $1::uuid ORDER BY flashcard_id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let marks = sqlx::query_as(
        "SELECT question_id::text, status FROM question_mark WHERE user_id = $1::uuid ORDER BY question_id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let notes = sqlx::query_as("SELECT target_id::text, body FROM note WHERE user_id = $1::uuid ORDER BY target_id")
        .bind(&id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    (cards, marks, notes)
}

#[sqlx::test]
async fn two_devices_offline_converge_on_the_online_result(pool: PgPool) {
    let app = spawn_app(pool).await;
    let topic = app.topic("alpha", "basics").await;
    let questions: Vec<String> =
        topic["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()).collect();
    let cards: Vec<String> = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let reference = app.new_user("ref@example.com").await;
    let synced = app.new_user("ann@example.com").await;
    app.clock.advance(Duration::days(20));
    let t0 = app.clock.now() - Duration::days(10);
    let h = |hours: i64| t0 + Duration::hours(hours);
    // Device A (the phone) and device B (the tablet), overlapping in time.
    let review = |card: &str, rating: &str, when: OffsetDateTime| json!({"type": "review", "review_id": Uuid::new_v4(), "flashcard_id": card, "rating": rating, "reviewed_at": at(when)});
    let phone = vec![
        review(&cards[0], "good", h(0)),
        json!({"type": "question_mark", "question_id": questions[0], "status": "learning", "marked_at": at(h(1))}),
        review(&cards[0], "again", h(50)),
        json!({"type": "note", "kind": "question", "id": questions[1], "body": "phone's note", "updated_at": at(h(60))}),
        review(&cards[1], "easy", h(70)),
    ];
    let tablet = vec![
        review(&cards[0], "hard", h(30)),
        json!({"type": "question_mark", "question_id": questions[0], "status": "got_it", "marked_at": at(h(40))}),
        json!({"type": "note", "kind": "question", "id": questions[1], "body": "tablet's note", "updated_at": at(h(20))}),
        review(&cards[0], "good", h(120)),
        json!({"type": "bookmark", "kind": "topic", "id": topic["id"], "revisit_on": null, "updated_at": at(h(5))}),
    ];
    // The reference applies every event online, in time order.
    let mut all: Vec<&Value> = phone.iter().chain(tablet.iter()).collect();
    let time_of = |e: &Value| {
        ["reviewed_at", "marked_at", "updated_at"].iter().find_map(|k| e[*k].as_str().map(str::to_owned)).unwrap()
    };
    all.sort_by_key(|e| time_of(e));
    for event in all {
        // Review ids are global: the reference makes its own.
        let mut own = event.clone();
        if own["type"] == "review" {
            own["review_id"] = json!(Uuid::new_v4());
        }
        assert_eq!(sync(&app, &reference, &[own]).await, ["applied"]);
    }
    // The tablet syncs first, then the phone, then the tablet's batch again (a retry).
    assert!(sync(&app, &synced, &tablet).await.iter().all(|s| s == "applied"));
    let phone_results = sync(&app, &synced, &phone).await;
    assert_eq!(phone_results[1], "superseded", "the tablet's later got-it stands: {phone_results:?}");
    assert_eq!(phone_results[3], "applied", "the phone's note is the later one");
    let retried = sync(&app, &synced, &tablet).await;
    assert_eq!(retried[0], "duplicate");
    assert_eq!(retried[3], "duplicate");
    assert!(retried.iter().all(|s| s != "applied"), "{retried:?}");
    assert_eq!(snapshot(&app, &synced).await, snapshot(&app, &reference).await);
}

#[sqlx::test]
async fn bad_events_are_rejected_one_by_one_and_big_batches_whole(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    let question = app.topic("alpha", "basics").await["questions"][0]["id"].as_str().unwrap().to_owned();
    let card = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bobs_review = Uuid::new_v4();
    let now = app.clock.now();
    let body = json!({"review_id": bobs_review, "flashcard_id": card, "rating": "good"});
    assert_eq!(
        app.request_as(Method::POST, "/api/v1/me/reviews", &bob.access).json(&body).send().await.unwrap().status(),
        StatusCode::OK
    );
    let events = vec![
        json!({"type": "question_mark", "question_id": question, "status": "got_it", "marked_at": at(now)}),
        json!({"type": "question_mark", "question_id": question, "status": "learning", "marked_at": at(now + Duration::days(1))}),
        json!({"type": "note", "kind": "question", "id": Uuid::new_v4(), "body": "x", "updated_at": at(now)}),
        json!({"type": "review", "review_id": bobs_review, "flashcard_id": card, "rating": "good", "reviewed_at": at(now)}),
        json!({"type": "note", "kind": "question", "id": question, "body": "   ", "updated_at": at(now)}),
    ];
    let res = app
        .request_as(Method::POST, "/api/v1/me/sync", &ann.access)
        .json(&json!({"events": events}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let statuses: Vec<&str> =
        body["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["applied", "rejected", "rejected", "rejected", "rejected"], "{body}");
    let codes: Vec<i64> =
        body["results"].as_array().unwrap().iter().skip(1).map(|r| r["problem"]["status"].as_i64().unwrap()).collect();
    assert_eq!(codes, [422, 404, 409, 422], "{body}");
    // The applied one stands; none of the rejected left anything.
    let mark = app.get_as(&format!("/api/v1/me/questions/{question}/cold-answers"), &ann.access).await.status();
    assert_eq!(mark, StatusCode::OK);
    let notes: Value = app.get_as("/api/v1/me/notes", &ann.access).await.json().await.unwrap();
    assert_eq!(notes["items"], json!([]));

    // An event that is not a sync event refuses the whole batch: nothing of it applies.
    let unknown = json!({"events": [
        {"type": "note", "kind": "question", "id": question, "body": "kept out", "updated_at": at(now)},
        {"type": "teleport", "to": "mars"}
    ]});
    let res = app.request_as(Method::POST, "/api/v1/me/sync", &ann.access).json(&unknown).send().await.unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let notes: Value = app.get_as("/api/v1/me/notes", &ann.access).await.json().await.unwrap();
    assert_eq!(notes["items"], json!([]));

    let many: Vec<Value> = (0..501)
        .map(|_| json!({"type": "note_delete", "kind": "topic", "id": Uuid::new_v4(), "deleted_at": at(now)}))
        .collect();
    let res = app
        .request_as(Method::POST, "/api/v1/me/sync", &ann.access)
        .json(&json!({"events": many}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

/// The bundle's quiz items of topic `basics`, with their correct options read from the
/// database (the bundle does not carry them).
async fn offline_items(app: &TestApp) -> Vec<(String, usize, Vec<i16>)> {
    let bundle = app.get_json("/api/v1/tracks/alpha/bundle").await;
    let topic = bundle["topics"].as_array().unwrap().iter().find(|t| t["topic"]["slug"] == "basics").unwrap().clone();
    let mut items = Vec::new();
    for item in topic["quiz_items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap().to_owned();
        let correct: Vec<i16> = sqlx::query_scalar("SELECT correct FROM quiz_item WHERE quiz_item_id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        items.push((id, item["options"].as_array().unwrap().len(), correct));
    }
    items
}

#[sqlx::test]
async fn a_practice_quiz_taken_offline_is_graded_once_on_sync(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    let items = offline_items(&app).await;
    assert!(items.len() >= 2, "the fixture topic has quiz items");
    // Both have had their accounts a month; Ann took the quiz on a train two days ago.
    sqlx::query("UPDATE app_user SET created_at = created_at - interval '30 days'").execute(&app.pool).await.unwrap();
    let started = app.clock.now() - Duration::days(2);
    let submitted = started + Duration::minutes(6);
    // The first answered right, the second wrong (an option that is not the answer).
    let wrong = (0..items[1].1 as i16).find(|o| !items[1].2.contains(o)).unwrap();
    let submission = Uuid::new_v4();
    let quiz = json!({
        "type": "quiz_submission", "submission_id": submission, "started_at": at(started), "submitted_at": at(submitted),
        "answers": [{"quiz_item_id": items[0].0, "selected": items[0].2}, {"quiz_item_id": items[1].0, "selected": [wrong]}]
    });
    assert_eq!(sync(&app, &ann, std::slice::from_ref(&quiz)).await, ["applied"]);
    assert_eq!(
        sync(&app, &ann, std::slice::from_ref(&quiz)).await,
        ["duplicate"],
        "a retried batch grades nothing twice"
    );
    let result: Value =
        app.get_as(&format!("/api/v1/me/quizzes/{submission}"), &ann.access).await.json().await.unwrap();
    assert_eq!(result["mode"], "practice");
    assert_eq!(result["status"], "submitted");
    assert_eq!(
        (result["result"]["score"].as_i64(), result["result"]["total"].as_i64()),
        (Some(1), Some(2)),
        "{result}"
    );
    assert_eq!(result["result"]["submitted_at"], at(submitted).as_str(), "stamped with the device's time");
    let history: Value = app.get_as("/api/v1/me/quizzes", &ann.access).await.json().await.unwrap();
    assert_eq!(history["items"][0]["id"], submission.to_string());
    // Counted on the day it was taken.
    let activity: Value = app.get_as("/api/v1/me/activity", &ann.access).await.json().await.unwrap();
    let days: Vec<&str> = activity["days"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(days, [submitted.date().to_string()], "{activity}");

    // The same id from another learner, unknown or repeated items, bad choices and
    // impossible times: each rejected on its own, nothing recorded.
    let bad = |answers: Value, started: OffsetDateTime, submitted: OffsetDateTime| {
        json!({"type": "quiz_submission", "submission_id": Uuid::new_v4(), "started_at": at(started),
               "submitted_at": at(submitted), "answers": answers})
    };
    let one = json!([{"quiz_item_id": items[0].0, "selected": [0]}]);
    let events = vec![
        quiz.clone(),
        bad(json!([{"quiz_item_id": Uuid::new_v4(), "selected": [0]}]), started, submitted),
        bad(
            json!([{"quiz_item_id": items[0].0, "selected": [0]}, {"quiz_item_id": items[0].0, "selected": [1]}]),
            started,
            submitted,
        ),
        bad(json!([{"quiz_item_id": items[0].0, "selected": [items[0].1]}]), started, submitted),
        bad(json!([]), started, submitted),
        bad(one.clone(), submitted, started),
        bad(one.clone(), started, app.clock.now() + Duration::hours(1)),
        bad(one, started - Duration::days(400), submitted),
    ];
    let res = app
        .request_as(Method::POST, "/api/v1/me/sync", &bob.access)
        .json(&json!({"events": events}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let outcome: Vec<(String, i64)> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_str().unwrap().to_owned(), r["problem"]["status"].as_i64().unwrap_or(0)))
        .collect();
    let expected: Vec<(String, i64)> =
        [409, 422, 422, 422, 422, 422, 422, 422].iter().map(|c| ("rejected".to_owned(), *c)).collect();
    assert_eq!(outcome, expected, "{body}");
    let history: Value = app.get_as("/api/v1/me/quizzes", &bob.access).await.json().await.unwrap();
    assert_eq!(history["items"], json!([]), "nothing of a rejected quiz stays");
}

/// One thing done on a device, at a whole second (the reference applies it online at
/// that time, so both see the same instant).
#[derive(Debug, Clone)]
enum Act {
    Review { card: usize, rating: &'static str },
    Mark { question: usize, status: &'static str },
    Note { question: usize, body: String },
    NoteDelete { question: usize },
}

/// A generated history: each act with its gap since the previous one (seconds), the
/// device that did it (phone or tablet), how the devices cut their queues into
/// batches, the order the batches reach the server, and which batch is sent twice.
#[derive(Debug, Clone)]
struct History {
    acts: Vec<(Act, i64, bool)>,
    batch_sizes: Vec<usize>,
    phone_first: Vec<bool>,
    resent: usize,
}

fn act() -> impl proptest::strategy::Strategy<Value = Act> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0..2usize, prop::sample::select(vec!["again", "hard", "good", "easy"]))
            .prop_map(|(card, rating)| Act::Review { card, rating }),
        2 => (0..2usize, prop::sample::select(vec!["got_it", "learning"]))
            .prop_map(|(question, status)| Act::Mark { question, status }),
        2 => (0..2usize, "[a-c]{1,3}").prop_map(|(question, body)| Act::Note { question, body }),
        1 => (0..2usize).prop_map(|question| Act::NoteDelete { question }),
    ]
}

fn history() -> impl proptest::strategy::Strategy<Value = History> {
    use proptest::prelude::*;
    // Gaps from a minute to three days: FSRS sees same-day and long intervals.
    let step = (act(), prop_oneof![60i64..3_600, 3_600i64..259_200], any::<bool>());
    (
        prop::collection::vec(step, 6..24),
        prop::collection::vec(1usize..6, 24),
        prop::collection::vec(any::<bool>(), 48),
        0usize..48,
    )
        .prop_map(|(acts, batch_sizes, phone_first, resent)| History { acts, batch_sizes, phone_first, resent })
}

/// Applies one act through the online endpoints, in time order, stamped `when` (a
/// delete has no time of its own online: the server's clock stamps it).
async fn online(
    app: &TestApp,
    user: &TestUser,
    act: &Act,
    when: OffsetDateTime,
    cards: &[String],
    questions: &[String],
) {
    let t = at(when);
    let (method, path, body) = match act {
        Act::Review { card, rating } => (
            Method::POST,
            "/api/v1/me/reviews".to_owned(),
            Some(
                json!({"review_id": Uuid::new_v4(), "flashcard_id": cards[*card], "rating": rating, "reviewed_at": t}),
            ),
        ),
        Act::Mark { question, status } => (
            Method::PUT,
            format!("/api/v1/me/questions/{}/status", questions[*question]),
            Some(json!({"status": status, "marked_at": t})),
        ),
        Act::Note { question, body } => (
            Method::PUT,
            format!("/api/v1/me/notes/question/{}", questions[*question]),
            Some(json!({"body": body, "updated_at": t})),
        ),
        Act::NoteDelete { question } => {
            (Method::DELETE, format!("/api/v1/me/notes/question/{}", questions[*question]), None)
        }
    };
    let mut req = app.request_as(method, &path, &user.access);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let status = req.send().await.unwrap().status();
    assert!(status.is_success() || status == StatusCode::NOT_FOUND, "{act:?}: {status}");
}

/// The same act as an offline event stamped `when`.
fn offline(act: &Act, when: OffsetDateTime, cards: &[String], questions: &[String]) -> Value {
    let t = at(when);
    match act {
        Act::Review { card, rating } => {
            json!({"type": "review", "review_id": Uuid::new_v4(), "flashcard_id": cards[*card],
                                               "rating": rating, "reviewed_at": t})
        }
        Act::Mark { question, status } => {
            json!({"type": "question_mark", "question_id": questions[*question], "status": status, "marked_at": t})
        }
        Act::Note { question, body } => {
            json!({"type": "note", "kind": "question", "id": questions[*question], "body": body, "updated_at": t})
        }
        Act::NoteDelete { question } => {
            json!({"type": "note_delete", "kind": "question", "id": questions[*question], "deleted_at": t})
        }
    }
}

/// Generated two-device histories: whatever the interleaving, batch cuts, arrival
/// order and resends, the synced learner ends where an online learner doing the same
/// things at the same times ends (card schedules, marks, notes).
#[sqlx::test]
async fn generated_two_device_histories_converge_on_the_online_result(pool: PgPool) {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    // Two accounts per case, from one address.
    let mut settings = studytrack::config::Settings::for_tests("postgres://unused");
    settings.registrations_per_address = 100;
    crate::helpers::seed_dir(&pool, &crate::helpers::fixture_dir()).await;
    let app = crate::helpers::spawn_with_settings(pool, settings).await;
    let topic = app.topic("alpha", "basics").await;
    let questions: Vec<String> =
        topic["questions"].as_array().unwrap().iter().take(2).map(|q| q["id"].as_str().unwrap().to_owned()).collect();
    let cards: Vec<String> = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!((questions.len(), cards.len()), (2, 2), "the fixture topic has enough content");
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[17; 32]));
    let strategy = history();
    for case in 0..16 {
        let history = strategy.new_tree(&mut runner).unwrap().current();
        let reference = app.new_user(&format!("ref{case}@example.com")).await;
        let synced = app.new_user(&format!("syn{case}@example.com")).await;
        let (mut phone, mut tablet) = (Vec::new(), Vec::new());
        for (act, gap, on_phone) in &history.acts {
            app.clock.advance(Duration::seconds(*gap));
            let now = app.clock.now();
            let when = now - Duration::nanoseconds(i64::from(now.nanosecond()));
            online(&app, &reference, act, when, &cards, &questions).await;
            let event = offline(act, when, &cards, &questions);
            if *on_phone { phone.push(event) } else { tablet.push(event) }
        }
        // Each device cuts its queue into batches and sends them in its own order;
        // the two devices' batches interleave as the generated order says.
        let mut sizes = history.batch_sizes.iter().cycle();
        let mut cut = |queue: Vec<Value>| {
            let mut batches = Vec::new();
            let mut rest = queue.as_slice();
            while !rest.is_empty() {
                let n = (*sizes.next().unwrap()).min(rest.len());
                batches.push(rest[..n].to_vec());
                rest = &rest[n..];
            }
            batches.into_iter()
        };
        let (mut phone, mut tablet) = (cut(phone).peekable(), cut(tablet).peekable());
        let mut sent = Vec::new();
        for phone_next in history.phone_first.iter().cycle() {
            let batch = match (phone.peek().is_some(), tablet.peek().is_some()) {
                (false, false) => break,
                (true, false) => phone.next(),
                (false, true) => tablet.next(),
                (true, true) => {
                    if *phone_next {
                        phone.next()
                    } else {
                        tablet.next()
                    }
                }
            };
            if let Some(batch) = batch {
                sync(&app, &synced, &batch).await;
                sent.push(batch);
            }
        }
        // One batch arrives a second time (a retry whose answer was lost).
        let again = &sent[history.resent % sent.len()];
        let statuses = sync(&app, &synced, again).await;
        assert!(
            statuses.iter().all(|s| s != "applied" && s != "rejected"),
            "case {case}: a resend changed something: {statuses:?}"
        );
        assert_eq!(snapshot(&app, &synced).await, snapshot(&app, &reference).await, "case {case}: {history:?}");
    }
}

#[sqlx::test]
async fn a_delete_and_an_edit_are_ordered_by_their_times_not_their_arrival(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let question = app.topic("alpha", "basics").await["questions"][0]["id"].as_str().unwrap().to_owned();
    let now = app.clock.now();
    let note = |body: &str, when: OffsetDateTime| json!({"type": "note", "kind": "question", "id": question, "body": body, "updated_at": at(when)});
    let delete = |when: OffsetDateTime| json!({"type": "note_delete", "kind": "question", "id": question, "deleted_at": at(when)});
    let standing = || async {
        let notes: Value = app.get_as("/api/v1/me/notes", &ann.access).await.json().await.unwrap();
        notes["items"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    // The phone deleted the note at 2; the tablet's edit from 1 arrives afterwards and
    // must not bring it back.
    assert_eq!(sync(&app, &ann, &[note("first", now + Duration::seconds(0))]).await, ["applied"]);
    assert_eq!(sync(&app, &ann, &[delete(now + Duration::seconds(2))]).await, ["applied"]);
    assert_eq!(sync(&app, &ann, &[note("stale edit", now + Duration::seconds(1))]).await, ["superseded"]);
    assert_eq!(standing().await, Vec::<String>::new());
    // An edit at 4 arrives before a delete made at 3: the edit stands.
    assert_eq!(sync(&app, &ann, &[note("kept", now + Duration::seconds(4))]).await, ["applied"]);
    assert_eq!(sync(&app, &ann, &[delete(now + Duration::seconds(3))]).await, ["superseded"]);
    assert_eq!(standing().await, ["kept"]);
    // The same delete twice, and a delete of nothing, change nothing.
    assert_eq!(
        sync(&app, &ann, &[delete(now + Duration::seconds(5)), delete(now + Duration::seconds(5))]).await,
        ["applied", "duplicate"]
    );
    // The change feed carries the delete as a tombstone.
    let feed: Value = app.get_as("/api/v1/me/changes", &ann.access).await.json().await.unwrap();
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["op"].as_str()), (Some("note"), Some("delete")), "{feed}");
}
