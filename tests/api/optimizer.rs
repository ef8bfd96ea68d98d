//! A scheduler tuned to the learner: refused below the minimum history, one job at a
//! time under concurrent starts, a fit on a generated review history that changes the
//! parameters and lowers the loss, applying it reschedules the cards, a job left
//! running by a stopped instance is taken over, and other learners see none of it.

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

async fn user_id(app: &TestApp, user: &TestUser) -> Uuid {
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    me["id"].as_str().unwrap().parse().unwrap()
}

/// A forgetful learner's year: sixty flashcards reviewed 8 times each at doubling
/// intervals, forgotten whenever more than about a week passed.
async fn generate_history(app: &TestApp, user: Uuid) -> usize {
    // The fixture holds two flashcards; a year of drilling covers sixty.
    let cards: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO flashcard (topic_id, slug, front, back, position)
         SELECT t.topic_id, 'drill-' || n, 'Front ' || n, 'Back ' || n, 100 + n
         FROM topic t CROSS JOIN generate_series(1, 60) AS n WHERE t.slug = 'basics'
         ON CONFLICT (topic_id, slug) DO UPDATE SET front = EXCLUDED.front RETURNING flashcard_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let start = OffsetDateTime::now_utc() - Duration::days(400);
    for (c, card) in cards.iter().enumerate() {
        let mut at = start + Duration::hours(c as i64);
        let mut interval = 1;
        for r in 0..8 {
            let forgot = r > 0 && interval > 6 + (c as i64 % 3);
            let rating = if forgot {
                "again"
            } else if c % 4 == 0 {
                "hard"
            } else {
                "good"
            };
            sqlx::query(
                "INSERT INTO review_log (review_id, user_id, flashcard_id, rating, reviewed_at, state_before, response)
                 VALUES ($1, $2, $3, $4, $5, 'review', '{}')",
            )
            .bind(Uuid::new_v4())
            .bind(user)
            .bind(card)
            .bind(rating)
            .bind(at)
            .execute(&app.pool)
            .await
            .unwrap();
            interval = if forgot { 1 } else { interval * 2 };
            if r < 7 {
                at += Duration::days(interval);
            }
        }
        sqlx::query(
            "INSERT INTO card_state (user_id, flashcard_id, state, stability, difficulty, due_at, last_reviewed_at,
                                     first_reviewed_at, reps, lapses)
             VALUES ($1, $2, 'review', 30, 5, $3 + interval '30 days', $3, $4, 20, 3)",
        )
        .bind(user)
        .bind(card)
        .bind(at)
        .bind(start)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    cards.len()
}

async fn wait_done(app: &TestApp, user: &TestUser, url: &str) -> Value {
    for _ in 0..300 {
        let job: Value = app.get_as(url, &user.access).await.json().await.unwrap();
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job at {url} did not finish in 30 s");
}

async fn start(app: &TestApp, user: &TestUser) -> reqwest::Response {
    app.request_as(Method::POST, "/api/v1/me/scheduler/optimize", &user.access).send().await.unwrap()
}

#[sqlx::test]
async fn a_fitted_scheduler_describes_the_history_better_and_reschedules_the_cards(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let problem = assert_problem(start(&app, &ann).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "history", "{problem}");

    let ann_id = user_id(&app, &ann).await;
    assert_eq!(generate_history(&app, ann_id).await, 60);
    // Concurrent starts queue exactly one job; the others name it.
    let answers = join_all((0..8).map(|_| start(&app, &ann))).await;
    let mut created = Vec::new();
    for res in answers {
        match res.status() {
            StatusCode::ACCEPTED => created.push(res.json::<Value>().await.unwrap()),
            StatusCode::CONFLICT => {
                let body: Value = res.json().await.unwrap();
                assert!(body["detail"].as_str().unwrap().contains("/api/v1/me/scheduler/jobs/"), "{body}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created.len(), 1, "one job at a time per learner");
    let url = created[0]["url"].as_str().unwrap().to_owned();
    let job = wait_done(&app, &ann, &url).await;
    assert_eq!(job["status"], "done", "{job}");
    let (before, after) = (job["before"]["log_loss"].as_f64().unwrap(), job["after"]["log_loss"].as_f64().unwrap());
    assert!(after < before, "the fit lowers the loss: {job}");
    let scheduler: Value = app.get_as("/api/v1/me/scheduler", &ann.access).await.json().await.unwrap();
    assert_eq!(scheduler["source"], "default", "nothing changes until applied");
    assert_ne!(job["parameters"], scheduler["parameters"]);

    // Another learner sees neither the job nor can apply it.
    let bob = app.new_user("bob@example.com").await;
    assert_problem(app.get_as(&url, &bob.access).await, StatusCode::NOT_FOUND).await;
    let body = json!({"job_id": job["id"]});
    let res = app.request_as(Method::PUT, "/api/v1/me/scheduler", &bob.access).json(&body).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;

    let due_before: Vec<OffsetDateTime> =
        sqlx::query_scalar("SELECT due_at FROM card_state WHERE user_id = $1 ORDER BY flashcard_id")
            .bind(ann_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let res = app.request_as(Method::PUT, "/api/v1/me/scheduler", &ann.access).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let applied: Value = res.json().await.unwrap();
    assert_eq!(applied["source"], "fitted");
    assert_eq!(applied["parameters"], job["parameters"]);
    let due_after: Vec<OffsetDateTime> =
        sqlx::query_scalar("SELECT due_at FROM card_state WHERE user_id = $1 ORDER BY flashcard_id")
            .bind(ann_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_ne!(due_before, due_after, "the cards are rescheduled");

    // Bad bodies, and back to the defaults.
    for bad in [json!({}), json!({"job_id": job["id"], "source": "default"}), json!({"source": "fitted"})] {
        let res = app.request_as(Method::PUT, "/api/v1/me/scheduler", &ann.access).json(&bad).send().await.unwrap();
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let body = json!({"source": "default"});
    let res = app.request_as(Method::PUT, "/api/v1/me/scheduler", &ann.access).json(&body).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["source"], "default");
}

#[sqlx::test]
async fn a_job_left_running_by_a_stopped_instance_is_taken_over(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let ann_id = user_id(&app, &ann).await;
    generate_history(&app, ann_id).await;
    // As an instance that stopped mid-run leaves it: running, its lease over.
    let job: Uuid = sqlx::query_scalar(
        "INSERT INTO optimizer_job (user_id, status, started_at, lease_until, attempts)
         VALUES ($1, 'running', now() - interval '20 minutes', now() - interval '10 minutes', 1) RETURNING job_id",
    )
    .bind(ann_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_problem(start(&app, &ann).await, StatusCode::CONFLICT).await;
    let done = wait_done(&app, &ann, &format!("/api/v1/me/scheduler/jobs/{job}")).await;
    assert_eq!((done["status"].as_str(), done["attempts"].as_i64()), (Some("done"), Some(2)), "{done}");
    // Applying a job that is not done is a 409.
    let open: Uuid =
        sqlx::query_scalar("INSERT INTO optimizer_job (user_id, status) VALUES ($1, 'failed') RETURNING job_id")
            .bind(ann_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let body = json!({"job_id": open});
    let res = app.request_as(Method::PUT, "/api/v1/me/scheduler", &ann.access).json(&body).send().await.unwrap();
    assert_problem(res, StatusCode::CONFLICT).await;
}
