//! Mock interviews: nothing revealed before the cold attempt, one cold attempt and one
//! self-grade per question (retries answered alike, races won once), ownership,
//! idempotent starts, deadlines, and a learner's past cold answers.

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

async fn start(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.request_as(Method::POST, "/api/v1/me/interviews", &user.access).json(&body).send().await.unwrap()
}

async fn start_ok(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = start(app, user, body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn put(app: &TestApp, user: &TestUser, id: &str, position: i64, what: &str, body: Value) -> reqwest::Response {
    let path = format!("/api/v1/me/interviews/{id}/items/{position}/{what}");
    app.request_as(Method::PUT, &path, &user.access).json(&body).send().await.unwrap()
}

async fn put_ok(app: &TestApp, user: &TestUser, id: &str, position: i64, what: &str, body: Value) -> Value {
    let res = put(app, user, id, position, what, body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[sqlx::test]
async fn nothing_is_revealed_before_the_cold_attempt_and_each_step_happens_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    // The fixture's `basics` topic holds four questions with a rubric; `shared` holds
    // questions without one, which are never drawn.
    let session = start_ok(&app, &ann, json!({"scope": {"topics": ["basics", "shared"]}, "size": 10})).await;
    let id = session["id"].as_str().unwrap().to_owned();
    let items = session["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 4, "only questions with a rubric: {session}");
    assert_eq!(session["status"], "open");
    for item in &items {
        assert_eq!(item["stage"], "unanswered");
        assert!(item["model_answer"].is_null() && item["rubric"].is_null(), "{item}");
        assert_eq!(item["question"]["topic"]["slug"], "basics");
    }
    let fetched = app.get_as(&format!("/api/v1/me/interviews/{id}"), &ann.access).await.text().await.unwrap();
    for leak in ["Names the rule", "Two names can refer"] {
        assert!(!session.to_string().contains(leak) && !fetched.contains(leak), "{leak:?} leaked before an attempt");
    }

    // No grade before the cold answer; the answer reveals the model answer and rubric.
    let grades = json!({"grades": ["got_it", "partly", "missed"]});
    assert_problem(put(&app, &ann, &id, 0, "grades", grades.clone()).await, StatusCode::CONFLICT).await;
    let answered = put_ok(&app, &ann, &id, 0, "answer", json!({"answer": "  my cold answer  "})).await;
    assert_eq!(answered["stage"], "answered");
    assert_eq!(answered["cold_answer"], "my cold answer");
    assert_eq!(answered["rubric"].as_array().map(Vec::len), Some(3));
    assert!(answered["model_answer"].as_str().is_some_and(|a| !a.is_empty()));
    // A retry is answered alike; a second, different cold attempt is refused.
    assert_eq!(put_ok(&app, &ann, &id, 0, "answer", json!({"answer": "my cold answer"})).await, answered);
    assert_problem(put(&app, &ann, &id, 0, "answer", json!({"answer": "a better answer"})).await, StatusCode::CONFLICT)
        .await;
    assert_problem(put(&app, &ann, &id, 0, "answer", json!({"skip": true})).await, StatusCode::CONFLICT).await;

    // One grade per rubric point, once.
    assert_problem(
        put(&app, &ann, &id, 0, "grades", json!({"grades": ["got_it"]})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let graded = put_ok(&app, &ann, &id, 0, "grades", grades.clone()).await;
    assert_eq!(graded["stage"], "graded");
    assert_eq!(graded["score"], 0.5);
    assert_eq!(put_ok(&app, &ann, &id, 0, "grades", grades.clone()).await, graded);
    let other = json!({"grades": ["got_it", "got_it", "got_it"]});
    assert_problem(put(&app, &ann, &id, 0, "grades", other).await, StatusCode::CONFLICT).await;

    // A skip reveals too, and leaves nothing to grade.
    let skipped = put_ok(&app, &ann, &id, 1, "answer", json!({"skip": true})).await;
    assert_eq!(skipped["stage"], "skipped");
    assert!(skipped["rubric"].is_array() && skipped["cold_answer"].is_null());
    assert_problem(put(&app, &ann, &id, 1, "grades", grades.clone()).await, StatusCode::CONFLICT).await;

    // Malformed attempts name the field; an unknown position is a 404.
    for bad in [json!({}), json!({"answer": "x", "skip": true}), json!({"answer": "   "})] {
        assert_problem(put(&app, &ann, &id, 2, "answer", bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let long = "x".repeat(20_001);
    assert_problem(put(&app, &ann, &id, 2, "answer", json!({"answer": long})).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_problem(put(&app, &ann, &id, 9, "answer", json!({"answer": "x"})).await, StatusCode::NOT_FOUND).await;

    // Another learner sees none of it.
    let bob = app.new_user("bob@example.com").await;
    assert_problem(app.get_as(&format!("/api/v1/me/interviews/{id}"), &bob.access).await, StatusCode::NOT_FOUND).await;
    assert_problem(put(&app, &bob, &id, 2, "answer", json!({"answer": "x"})).await, StatusCode::NOT_FOUND).await;

    // Finishing every question completes the session.
    for position in [2, 3] {
        put_ok(&app, &ann, &id, position, "answer", json!({"answer": format!("answer {position}")})).await;
        put_ok(&app, &ann, &id, position, "grades", json!({"grades": ["got_it", "got_it", "missed"]})).await;
    }
    let done: Value = app.get_as(&format!("/api/v1/me/interviews/{id}"), &ann.access).await.json().await.unwrap();
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["completed_at"].is_string());

    // The cold answers of a question, beside its current model answer.
    let question = items[0]["question"]["id"].as_str().unwrap();
    let history: Value =
        app.get_as(&format!("/api/v1/me/questions/{question}/cold-answers"), &ann.access).await.json().await.unwrap();
    assert_eq!(history["attempts"].as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history["attempts"][0]["answer"], "my cold answer");
    assert_eq!(history["attempts"][0]["score"], 0.5);
    assert_eq!(history["model_answer"], answered["model_answer"]);
    let none: Value =
        app.get_as(&format!("/api/v1/me/questions/{question}/cold-answers"), &bob.access).await.json().await.unwrap();
    assert_eq!(none["attempts"], json!([]), "another learner's answers are not listed");

    // Each graded answer and the skip scheduled the question's next cold answer: none
    // is due at once, all four are after long enough, and only for their learner.
    let due = |user: TestUser| {
        let app = &app;
        async move { app.get_as("/api/v1/me/interviews/due", &user.access).await.json::<Value>().await.unwrap() }
    };
    assert_eq!(due(ann.clone()).await["items"], json!([]));
    app.clock.advance(time::Duration::days(400));
    let later = due(ann.clone()).await;
    assert_eq!(later["items"].as_array().map(Vec::len), Some(4), "{later}");
    assert_eq!(due(bob.clone()).await["items"], json!([]));
}

#[sqlx::test]
async fn concurrent_cold_attempts_at_one_question_keep_exactly_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let session = start_ok(&app, &ann, json!({"scope": {"topics": ["basics"]}, "size": 1})).await;
    let id = session["id"].as_str().unwrap().to_owned();
    let attempts = (0..12).map(|i| {
        let (app, ann, id) = (&app, &ann, id.clone());
        async move { put(app, ann, &id, 0, "answer", json!({"answer": format!("answer number {i}")})).await }
    });
    let responses = join_all(attempts).await;
    let mut accepted = Vec::new();
    for res in responses {
        match res.status() {
            StatusCode::OK => accepted.push(res.json::<Value>().await.unwrap()["cold_answer"].clone()),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(accepted.len(), 1, "exactly one cold attempt stands: {accepted:?}");
    let stored: Value = app.get_as(&format!("/api/v1/me/interviews/{id}"), &ann.access).await.json().await.unwrap();
    assert_eq!(stored["items"][0]["cold_answer"], accepted[0]);
}

#[sqlx::test]
async fn a_start_retried_with_its_client_id_returns_the_same_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let body = json!({"scope": {"track": "alpha"}, "size": 2, "client_id": "0b6f3c9e-3f0a-4a61-9d3c-1c2b7f0d8e41"});
    let first = start_ok(&app, &ann, body.clone()).await;
    let again = start(&app, &ann, body.clone()).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    // Concurrent retries of a new start make one session between them.
    let body = json!({"scope": {"track": "alpha"}, "size": 2, "client_id": "7d1e2c3b-4a5f-4b6c-8d9e-0f1a2b3c4d5e"});
    let racing = join_all((0..6).map(|_| start(&app, &ann, body.clone()))).await;
    let mut ids = std::collections::BTreeSet::new();
    for res in racing {
        assert!(matches!(res.status(), StatusCode::CREATED | StatusCode::OK), "{}", res.status());
        ids.insert(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    // The same client id for another scope is a conflict, not the old session.
    let reused = json!({"scope": {"topics": ["basics"]}, "client_id": "7d1e2c3b-4a5f-4b6c-8d9e-0f1a2b3c4d5e"});
    assert_problem(start(&app, &ann, reused).await, StatusCode::CONFLICT).await;
    // Another learner with the same client id gets a session of their own.
    let bob = app.new_user("bob@example.com").await;
    assert_ne!(start_ok(&app, &bob, body).await["id"], json!(ids.first()));
}

#[sqlx::test]
async fn starts_are_validated_and_late_answers_are_marked(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    for (bad, field) in [
        (json!({"scope": {"topics": ["basics"]}, "size": 0}), "size"),
        (json!({"scope": {"topics": ["basics"]}, "size": 21}), "size"),
        (json!({"scope": {"topics": ["basics"]}, "time_limit_secs": 5}), "time_limit_secs"),
        (json!({"scope": {"topics": ["basics"]}, "difficulties": []}), "difficulties"),
        (json!({"scope": {"topics": ["no-such-topic"]}}), "scope.topics"),
        (json!({"scope": {"topics": ["shared"]}}), "scope"),
    ] {
        let res = start(&app, &ann, bad.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let text = res.text().await.unwrap();
        assert!(text.contains(field), "{bad}: {text}");
    }
    // Difficulties filter the draw.
    let juniors = start_ok(&app, &ann, json!({"scope": {"topics": ["basics"]}, "difficulties": ["junior"]})).await;
    let items = juniors["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|i| i["question"]["difficulty"] == "junior"), "{juniors}");

    // 30 s per question: an answer after the deadline is taken and marked late.
    let timed = start_ok(&app, &ann, json!({"scope": {"topics": ["basics"]}, "size": 2, "time_limit_secs": 30})).await;
    let id = timed["id"].as_str().unwrap().to_owned();
    assert!(timed["deadline"].is_string());
    let on_time = put_ok(&app, &ann, &id, 0, "answer", json!({"answer": "quick"})).await;
    assert_eq!(on_time["late"], false);
    app.clock.advance(time::Duration::seconds(61 + 5));
    let late = put_ok(&app, &ann, &id, 1, "answer", json!({"answer": "slow"})).await;
    assert_eq!(late["late"], true);
}
