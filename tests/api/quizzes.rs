//! Quizzes: drawing, hiding answers, grading each kind, idempotent submission,
//! deadlines, ownership, and the effect on soft spots.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

async fn create(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.request_as(Method::POST, "/api/v1/me/quizzes", &user.access).json(&body).send().await.unwrap()
}

async fn create_ok(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = create(app, user, body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn submit(app: &TestApp, user: &TestUser, id: &str, answers: Value) -> reqwest::Response {
    app.request_as(Method::POST, &format!("/api/v1/me/quizzes/{id}/submission"), &user.access)
        .json(&json!({"answers": answers}))
        .send()
        .await
        .unwrap()
}

/// The correct option indices of each position, read from the database (the API never
/// reveals them before submission).
async fn key(app: &TestApp, id: &str) -> Vec<Vec<i16>> {
    sqlx::query_scalar("SELECT correct FROM quiz_attempt_item WHERE attempt_id = $1::uuid ORDER BY position")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn an_attempt_never_shows_answers_before_submission(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let attempt =
        create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 10, "mode": "practice"})).await;
    assert_eq!(attempt["items"].as_array().unwrap().len(), 3, "the scope holds only three items");
    assert_eq!(attempt["status"], "open");
    let text = attempt.to_string();
    for leak in ["correct", "explanation", "extends in place", "It compares identity"] {
        assert!(!text.contains(leak), "the attempt leaks {leak:?}: {text}");
    }
    let id = attempt["id"].as_str().unwrap();
    let fetched = app.get_as(&format!("/api/v1/me/quizzes/{id}"), &user.access).await.text().await.unwrap();
    assert!(!fetched.contains("correct") && !fetched.contains("explanation"), "{fetched}");
    let kinds: Vec<&str> = attempt["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"predict_output") && kinds.contains(&"true_false") && kinds.contains(&"multiple_choice"));
    let predict = attempt["items"].as_array().unwrap().iter().find(|i| i["kind"] == "predict_output").unwrap();
    assert!(predict["code"].as_str().unwrap().contains("print(b)"));
}

#[sqlx::test]
async fn grading_each_kind_with_partial_multiple_choice(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let attempt = create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "practice"})).await;
    let id = attempt["id"].as_str().unwrap().to_owned();
    let items = attempt["items"].as_array().unwrap().clone();
    let key = key(&app, &id).await;
    let mut answers = Vec::new();
    for item in &items {
        let pos = item["position"].as_i64().unwrap() as usize;
        let correct: Vec<i64> = key[pos].iter().map(|&c| i64::from(c)).collect();
        let selected = match item["kind"].as_str().unwrap() {
            // All-or-nothing: only one of the two correct options.
            "multiple_choice" => vec![correct[0]],
            "true_false" => correct.clone(),
            _ => vec![(0..item["options"].as_array().unwrap().len() as i64).find(|o| !correct.contains(o)).unwrap()],
        };
        answers.push(json!({"position": pos, "selected": selected}));
    }
    let res = submit(&app, &user, &id, json!(answers)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let result: Value = res.json().await.unwrap();
    assert_eq!((result["score"].as_i64(), result["total"].as_i64()), (Some(1), Some(3)), "{result}");
    for item in result["items"].as_array().unwrap() {
        let expect = item["kind"] == "true_false";
        assert_eq!(item["correct"], expect, "{item}");
        assert!(!item["explanation"].as_str().unwrap().is_empty());
        assert!(!item["correct_options"].as_array().unwrap().is_empty());
    }
    assert_eq!(result["by_topic"], json!([{"topic": {"slug": "basics", "title": "Basics"}, "correct": 1, "total": 3}]));
}

#[sqlx::test]
async fn submitting_twice_returns_the_same_result_and_counts_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let attempt =
        create_ok(&app, &user, json!({"scope": {"track": "alpha", "stage": "first"}, "size": 2, "mode": "practice"}))
            .await;
    let id = attempt["id"].as_str().unwrap();
    let first: Value = submit(&app, &user, id, json!([{"position": 0, "selected": [0]}])).await.json().await.unwrap();
    let retries = (0..5)
        .map(|_| submit(&app, &user, id, json!([{"position": 0, "selected": [1]}, {"position": 1, "selected": [0]}])));
    for res in futures_util::future::join_all(retries).await {
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap(), first, "a resubmission must not regrade");
    }
    let quizzes: i64 =
        sqlx::query_scalar("SELECT count(*) FROM activity WHERE kind = 'quiz'").fetch_one(&app.pool).await.unwrap();
    assert_eq!(quizzes, 1);
    let fetched: Value = app.get_as(&format!("/api/v1/me/quizzes/{id}"), &user.access).await.json().await.unwrap();
    assert_eq!(fetched["status"], "submitted");
    assert_eq!(fetched["result"], first);
}

#[sqlx::test]
async fn a_malformed_resubmission_is_422_not_the_stored_result(pool: PgPool) {
    // Found by schema fuzzing: a retry with negative or repeated indices got the stored
    // 200 because the body was only checked against a fresh attempt.
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let attempt =
        create_ok(&app, &user, json!({"scope": {"track": "alpha", "stage": "first"}, "size": 2, "mode": "practice"}))
            .await;
    let id = attempt["id"].as_str().unwrap();
    assert_eq!(submit(&app, &user, id, json!([{"position": 0, "selected": [0]}])).await.status(), StatusCode::OK);
    for answers in [
        json!([{"position": 0, "selected": [-1]}]),
        json!([{"position": -1, "selected": [0]}]),
        json!([{"position": 0, "selected": [1, 1]}]),
    ] {
        let problem =
            assert_problem(submit(&app, &user, id, answers.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(problem["errors"][0]["field"].as_str().unwrap().starts_with("answers[0]."), "{answers}: {problem}");
    }
}

#[sqlx::test]
async fn integral_floats_are_integers(pool: PgPool) {
    // JSON Schema (OpenAPI 3.1) counts 2.0 as an integer; clients and fuzzers send it.
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let attempt = create_ok(
        &app,
        &user,
        json!({"scope": {"track": "alpha"}, "size": 2.0, "mode": "exam", "time_limit_secs": 60.0}),
    )
    .await;
    assert_eq!(attempt["items"].as_array().unwrap().len(), 2);
    let id = attempt["id"].as_str().unwrap();
    let res = submit(&app, &user, id, json!([{"position": 0.0, "selected": [0.0]}])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = create(&app, &user, json!({"scope": {"track": "alpha"}, "size": 2.5, "mode": "practice"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[sqlx::test]
async fn an_exam_submitted_after_its_deadline_is_marked_late(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let attempt = create_ok(
        &app,
        &user,
        json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "exam", "time_limit_secs": 60}),
    )
    .await;
    assert!(attempt["deadline"].is_string());
    let id = attempt["id"].as_str().unwrap().to_owned();
    let key = key(&app, &id).await;
    let answers: Vec<Value> = key.iter().enumerate().map(|(p, c)| json!({"position": p, "selected": c})).collect();
    app.clock.advance(time::Duration::minutes(2));
    let result: Value = submit(&app, &user, &id, json!(answers)).await.json().await.unwrap();
    assert_eq!(result["late"], true);
    assert_eq!(result["score"], 0, "late answers do not score");
    assert!(result["items"].as_array().unwrap().iter().all(|i| i["late"] == true && i["correct"] == true));

    let on_time = create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "exam"})).await;
    let id = on_time["id"].as_str().unwrap().to_owned();
    let key = crate::quizzes::key(&app, &id).await;
    let answers: Vec<Value> = key.iter().enumerate().map(|(p, c)| json!({"position": p, "selected": c})).collect();
    let result: Value = submit(&app, &user, &id, json!(answers)).await.json().await.unwrap();
    assert_eq!((result["late"].as_bool(), result["score"].as_i64()), (Some(false), Some(3)));
}

#[sqlx::test]
async fn only_the_owner_sees_or_submits_an_attempt(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let eve = app.new_user("eve@example.com").await;
    let attempt = create_ok(&app, &ann, json!({"scope": {"track": "alpha"}, "size": 2, "mode": "practice"})).await;
    let id = attempt["id"].as_str().unwrap();
    assert_problem(app.get_as(&format!("/api/v1/me/quizzes/{id}"), &eve.access).await, StatusCode::NOT_FOUND).await;
    assert_problem(submit(&app, &eve, id, json!([])).await, StatusCode::NOT_FOUND).await;
    let eves: Value = app.get_as("/api/v1/me/quizzes", &eve.access).await.json().await.unwrap();
    assert_eq!(eves["items"], json!([]));
    assert_eq!(app.get_as(&format!("/api/v1/me/quizzes/{id}"), &ann.access).await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn history_is_newest_first_and_paginated(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let a = create_ok(&app, &user, json!({"scope": {"track": "alpha"}, "size": 1, "mode": "practice"})).await;
        ids.push(a["id"].as_str().unwrap().to_owned());
        app.clock.advance(time::Duration::seconds(1));
    }
    let pages = app.all_pages_as("/api/v1/me/quizzes?limit=2", &user.access).await;
    let listed: Vec<&str> = pages.iter().flatten().map(|q| q["id"].as_str().unwrap()).collect();
    ids.reverse();
    assert_eq!(listed, ids);
    assert_eq!(pages.len(), 2);
}

#[sqlx::test]
async fn bad_quiz_requests_are_422_or_400(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    for body in [
        json!({"scope": {"track": "alpha"}, "size": 0, "mode": "practice"}),
        json!({"scope": {"track": "alpha"}, "size": 51, "mode": "practice"}),
        json!({"scope": {"track": "alpha"}, "size": 5, "mode": "cram"}),
        json!({"scope": {}, "size": 5, "mode": "practice"}),
        json!({"scope": {"track": "nope"}, "size": 5, "mode": "practice"}),
        json!({"scope": {"track": "alpha", "stage": "nope"}, "size": 5, "mode": "practice"}),
        json!({"scope": {"topics": ["basics", "nope"]}, "size": 5, "mode": "practice"}),
        json!({"scope": {"topics": []}, "size": 5, "mode": "practice"}),
        json!({"scope": {"track": "alpha", "topics": ["basics"]}, "size": 5, "mode": "practice"}),
        json!({"scope": {"track": "alpha"}, "size": 5, "mode": "practice", "time_limit_secs": 60}),
        json!({"scope": {"track": "alpha"}, "size": 5, "mode": "exam", "time_limit_secs": 5}),
        json!({"scope": {"topics": ["shared"]}, "size": 5, "mode": "practice"}),
    ] {
        assert_problem(create(&app, &user, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let attempt = create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "practice"})).await;
    let id = attempt["id"].as_str().unwrap();
    for answers in [
        json!([{"position": 9, "selected": [0]}]),
        json!([{"position": 0, "selected": [99]}]),
        json!([{"position": 0, "selected": [-1]}]),
        json!([{"position": 0, "selected": [0, 0]}]),
        json!([{"position": 0, "selected": [0]}, {"position": 0, "selected": [1]}]),
    ] {
        assert_problem(submit(&app, &user, id, answers).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_problem(app.get_as("/api/v1/me/quizzes/not-a-uuid", &user.access).await, StatusCode::BAD_REQUEST).await;
}

#[sqlx::test]
async fn the_draw_favours_weak_and_unseen_items(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    // Answer the predict-output item right and the true/false item wrong, many times,
    // then count how often each is drawn into one-item quizzes.
    let attempt = create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "practice"})).await;
    let id = attempt["id"].as_str().unwrap().to_owned();
    let k = key(&app, &id).await;
    let answers: Vec<Value> = attempt["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let p = i["position"].as_i64().unwrap() as usize;
            let right: Vec<i64> = k[p].iter().map(|&c| i64::from(c)).collect();
            let wrong: Vec<i64> =
                vec![(0..i["options"].as_array().unwrap().len() as i64).find(|o| !right.contains(o)).unwrap()];
            json!({"position": p, "selected": if i["kind"] == "true_false" { wrong } else { right }})
        })
        .collect();
    submit(&app, &user, &id, json!(answers)).await;
    let mut counts = std::collections::HashMap::new();
    for _ in 0..60 {
        let a = create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 1, "mode": "practice"})).await;
        *counts.entry(a["items"][0]["kind"].as_str().unwrap().to_owned()).or_insert(0) += 1;
    }
    let wrong = counts.get("true_false").copied().unwrap_or(0);
    let right = counts.get("predict_output").copied().unwrap_or(0);
    assert!(wrong > right, "weights 4 vs 1 should favour the missed item: {counts:?}");
}

#[sqlx::test]
async fn a_wrong_quiz_answer_on_a_got_it_question_shows_as_overconfidence(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let aliasing: String = sqlx::query_scalar("SELECT question_id::text FROM question WHERE slug = 'list-aliasing'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.request_as(Method::PUT, &format!("/api/v1/me/questions/{aliasing}/status"), &user.access)
        .json(&json!({"status": "got_it"}))
        .send()
        .await
        .unwrap();
    let attempt = create_ok(&app, &user, json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "practice"})).await;
    let id = attempt["id"].as_str().unwrap().to_owned();
    // Answer everything wrong (an empty selection is wrong).
    let answers: Vec<Value> = (0..3).map(|p| json!({"position": p, "selected": []})).collect();
    submit(&app, &user, &id, json!(answers)).await;
    let spots: Value = app.get_as("/api/v1/me/tracks/alpha/soft-spots", &user.access).await.json().await.unwrap();
    let basics = spots["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["topic"]["slug"] == "basics")
        .expect("basics is a soft spot");
    let codes: Vec<&str> = basics["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"overconfidence"), "{codes:?}");
    assert!(codes.contains(&"low_quiz_accuracy"), "{codes:?}");
    assert_eq!(basics["progress"]["quiz"]["recent_accuracy"], 0.0);
    assert_eq!(basics["progress"]["overconfident_questions"], 1);
}
