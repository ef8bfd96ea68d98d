//! Claimed beside verified progress on a scripted learner who over-claims: the figures
//! per topic, stage, track and roadmap overlay, calibration, probes appearing in next-up
//! and in the quiz and interview draws and resolving, decay over simulated weeks, and a
//! major versus a minor revision.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser, assert_problem, mark_question, spawn_app};

async fn send_ok(app: &TestApp, user: &TestUser, method: Method, path: &str, body: Value) -> Value {
    let res = app.request_as(method, path, &user.access).json(&body).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

async fn progress(app: &TestApp, user: &TestUser) -> Value {
    app.get_as("/api/v1/me/tracks/alpha/progress", &user.access).await.json().await.unwrap()
}

fn basics(progress: &Value) -> Value {
    progress["stages"][0]["topics"].as_array().unwrap().iter().find(|t| t["slug"] == "basics").unwrap()["progress"]
        .clone()
}

async fn question_id(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar("SELECT question_id::text FROM question WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn probes(app: &TestApp, user: &TestUser) -> Vec<(String, String, String)> {
    let next: Value = app.get_as("/api/v1/me/tracks/alpha/next", &user.access).await.json().await.unwrap();
    next["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let text = |v: &Value| v.as_str().unwrap().to_owned();
            (text(&p["question"]["slug"]), text(&p["reason_code"]), text(&p["how"]))
        })
        .collect()
}

/// A practice quiz over all three of `basics`' items, answering the one on
/// list-aliasing right or wrong (the others, which test no question, wrong); returns
/// the graded list-aliasing item. With `probe_first`, that item must come first.
async fn quiz_once(app: &TestApp, user: &TestUser, right: bool, probe_first: bool) -> Value {
    let body = json!({"scope": {"topics": ["basics"]}, "size": 3, "mode": "practice"});
    let attempt = send_ok(app, user, Method::POST, "/api/v1/me/quizzes", body).await;
    let items = attempt["items"].as_array().unwrap();
    let position = items.iter().position(|i| i["prompt"] == "What does this print?").unwrap();
    if probe_first {
        assert_eq!(position, 0, "the probe item is drawn first: {attempt}");
    }
    let options: Vec<&str> =
        items[position]["options"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
    let pick = options.iter().position(|o| *o == if right { "[1, 2]" } else { "[1]" }).unwrap();
    let answers: Vec<Value> = (0..items.len())
        .map(|p| json!({"position": p, "selected": if p == position { vec![pick] } else { vec![] }}))
        .collect();
    let path = format!("/api/v1/me/quizzes/{}/submission", attempt["id"].as_str().unwrap());
    let result = send_ok(app, user, Method::POST, &path, json!({"answers": answers})).await;
    result["items"][position].clone()
}

async fn flashcard_for(app: &TestApp, question_slug: &str) -> String {
    sqlx::query_scalar(
        "SELECT f.flashcard_id::text FROM flashcard f JOIN question q ON q.question_id = f.question_id WHERE q.slug = $1",
    )
    .bind(question_slug)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn review(app: &TestApp, user: &TestUser, card: &str, rating: &str) {
    let body = json!({"review_id": Uuid::new_v4(), "flashcard_id": card, "rating": rating});
    send_ok(app, user, Method::POST, "/api/v1/me/reviews", body).await;
}

/// Edits a question's answer as an admin with the given revision class.
async fn revise(app: &TestApp, admin: &TestUser, question: &str, revision: &str) -> reqwest::Response {
    let path = format!("/api/v1/admin/content/questions/{question}");
    let res = app.get_as(&path, &admin.access).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let entity: Value = res.json().await.unwrap();
    let mut doc = entity["doc"].clone();
    doc["answer"] = json!(format!("{}\n\nRevised.", doc["answer"].as_str().unwrap()));
    app.request_as(Method::PUT, &format!("{path}?revision={revision}"), &admin.access)
        .header("If-Match", etag)
        .json(&doc)
        .send()
        .await
        .unwrap()
}

fn codes(spots: &Value, topic: &str) -> Vec<String> {
    spots["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["topic"]["slug"] == topic)
        .flat_map(|s| s["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_owned()))
        .collect()
}

#[sqlx::test]
async fn an_over_claimer_is_probed_verified_calibrated_and_revisions_reopen_what_changed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let admin = app.new_admin("admin@example.com").await;
    // `basics` holds four questions: list-aliasing has a quiz item, identity-vs-equality
    // a flashcard, generators-lazy and mutable-defaults only their rubric.
    for slug in ["list-aliasing", "identity-vs-equality", "generators-lazy", "mutable-defaults"] {
        mark_question(&app, &ann, &question_id(&app, slug).await, "got_it").await;
    }
    let p = progress(&app, &ann).await;
    let v = &basics(&p)["verification"];
    assert_eq!((v["questions"].as_i64(), v["claimed"].as_i64(), v["verified"].as_i64()), (Some(4), Some(4), Some(0)));
    assert_eq!(v["claimed_unproven"], 4);
    assert_eq!((v["claimed_share"].as_f64(), v["verified_share"].as_f64()), (Some(1.0), Some(0.0)));
    assert_eq!(p["calibration"], json!({"tested": 0, "held": 0, "rate": null}));
    assert_eq!(p["stages"][0]["verification"]["claimed"], 4, "the stage sums its topics");
    assert_eq!(p["verification"]["claimed"], 4);

    // Every claim is queued as a probe, in path order, each with the way to take it.
    let queued = probes(&app, &ann).await;
    assert_eq!(queued.len(), 3, "{queued:?}");
    assert!(queued.iter().all(|(_, code, _)| code == "claimed_unproven"), "{queued:?}");
    let how = |slug: &str| queued.iter().find(|(s, _, _)| s == slug).map(|(_, _, h)| h.clone());
    assert_eq!(how("list-aliasing").as_deref(), Some("quiz_item"));

    // The quiz draw puts the probe first; a wrong answer un-verifies and says so.
    let graded = quiz_once(&app, &ann, false, true).await;
    assert_eq!(graded["probe"], "unverified", "{graded}");
    let p = progress(&app, &ann).await;
    let b = basics(&p);
    assert_eq!(
        (b["verification"]["claimed_failed"].as_i64(), b["overconfident_questions"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(p["calibration"], json!({"tested": 1, "held": 0, "rate": 0.0}));

    // A flashcard on a question is evidence too.
    review(&app, &ann, &flashcard_for(&app, "identity-vs-equality").await, "good").await;
    assert_eq!(basics(&progress(&app, &ann).await)["verification"]["verified"], 1, "read, and kept in the memo");
    // A mock interview draws a cold-answer probe first; a strong self-grade verifies it.
    let session =
        send_ok(&app, &ann, Method::POST, "/api/v1/me/interviews", json!({"scope": {"topics": ["basics"]}, "size": 1}))
            .await;
    let item = &session["items"][0];
    assert_eq!(item["probe"], true, "{session}");
    let cold = item["question"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/me/interviews/{}/items/0", session["id"].as_str().unwrap());
    let answered = send_ok(&app, &ann, Method::PUT, &format!("{path}/answer"), json!({"answer": "from memory"})).await;
    let points = answered["rubric"].as_array().unwrap().len();
    let graded =
        send_ok(&app, &ann, Method::PUT, &format!("{path}/grades"), json!({"grades": vec!["got_it"; points]})).await;
    assert_eq!(graded["probe_outcome"], "verified", "{graded}");
    // The memo holds no figures from before the cold answer.
    assert_eq!(basics(&progress(&app, &ann).await)["verification"]["verified"], 2);
    // Then the quiz item, right this time.
    assert_eq!(quiz_once(&app, &ann, true, false).await["probe"], Value::Null, "a failed claim is not a probe");

    let p = progress(&app, &ann).await;
    let v = basics(&p)["verification"].clone();
    assert_eq!(v["verified"], 3, "{v}");
    assert_eq!((v["claimed_failed"].as_i64(), v["claimed_unproven"].as_i64()), (Some(0), Some(1)));
    assert_eq!(
        p["calibration"],
        json!({"tested": 3, "held": 2, "rate": 0.6667}),
        "the quiz claim failed its first test"
    );
    let roadmap: Value = app.get_as("/api/v1/tracks/alpha", &ann.access).await.json().await.unwrap();
    assert_eq!(roadmap["stages"][0]["verification"], p["stages"][0]["verification"], "the overlay carries it");
    assert_eq!(roadmap["verification"], p["verification"]);
    let public = app.get_json("/api/v1/tracks/alpha").await;
    assert!(public.get("verification").is_none() && public["stages"][0].get("verification").is_none());

    // A minor edit changes nothing for learners; a major one reopens the question.
    let identity = question_id(&app, "identity-vs-equality").await;
    let quiz_question = question_id(&app, "list-aliasing").await;
    assert_eq!(revise(&app, &admin, &quiz_question, "minor").await.status(), StatusCode::OK);
    assert_eq!(basics(&progress(&app, &ann).await)["verification"]["verified"], 3);
    assert_eq!(revise(&app, &admin, &identity, "major").await.status(), StatusCode::OK);
    let v = basics(&progress(&app, &ann).await)["verification"].clone();
    assert_eq!((v["verified"].as_i64(), v["content_changed"].as_i64()), (Some(2), Some(1)), "{v}");
    assert!(probes(&app, &ann).await.contains(&(
        "identity-vs-equality".into(),
        "content_changed".into(),
        "cold_answer".into()
    )));
    let spots: Value = app.get_as("/api/v1/me/tracks/alpha/soft-spots", &ann.access).await.json().await.unwrap();
    assert!(codes(&spots, "basics").contains(&"content_changed".to_owned()), "{spots}");
    // Only questions and quiz items take a major revision.
    let res = app
        .request_as(Method::PUT, "/api/v1/admin/content/tracks/alpha?revision=major", &admin.access)
        .header("If-Match", "\"x\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Weeks later the cold answer's memory has faded below 80%: proven but decaying.
    app.clock.advance(Duration::days(45));
    let v = basics(&progress(&app, &ann).await)["verification"].clone();
    assert_eq!(v["decaying"], 1, "{v}");
    assert_eq!(v["verified"], 1, "the quiz pass has no memory model and holds for 90 days: {v}");
    let spots: Value = app.get_as("/api/v1/me/tracks/alpha/soft-spots", &ann.access).await.json().await.unwrap();
    assert!(codes(&spots, "basics").contains(&"proven_but_decaying".to_owned()), "{spots}");
    let queued = probes(&app, &ann).await;
    let faded = slug_of(&app, &cold).await;
    assert!(queued.iter().any(|(s, code, _)| *s == faded && code == "proven_but_decaying"), "{queued:?}");

    // After the window nothing is verified any more; every claim is unproven again.
    app.clock.advance(Duration::days(50));
    let v = basics(&progress(&app, &ann).await)["verification"].clone();
    assert_eq!((v["verified"].as_i64(), v["decaying"].as_i64()), (Some(0), Some(0)), "{v}");
    assert_eq!(v["claimed_unproven"].as_i64().unwrap() + v["content_changed"].as_i64().unwrap(), 4, "{v}");
}

async fn slug_of(app: &TestApp, question: &str) -> String {
    sqlx::query_scalar("SELECT slug FROM question WHERE question_id = $1::uuid")
        .bind(question)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn another_learners_evidence_and_claims_never_count(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    mark_question(&app, &ann, &question_id(&app, "list-aliasing").await, "got_it").await;
    quiz_once(&app, &ann, true, true).await;
    let v = basics(&progress(&app, &bob).await)["verification"].clone();
    assert_eq!((v["claimed"].as_i64(), v["verified"].as_i64()), (Some(0), Some(0)), "{v}");
    assert!(probes(&app, &bob).await.is_empty());
    let v = basics(&progress(&app, &ann).await)["verification"].clone();
    assert_eq!((v["claimed"].as_i64(), v["verified"].as_i64()), (Some(1), Some(1)), "{v}");
}
