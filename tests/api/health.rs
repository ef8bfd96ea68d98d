//! Liveness and readiness, including with the database unreachable.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use studytrack::config::Settings;

use crate::helpers::{assert_problem, spawn_app, spawn_with_settings};

#[sqlx::test]
async fn live_and_ready(pool: PgPool) {
    let app = spawn_app(pool).await;
    assert_eq!(app.get_json("/health/live").await["status"], "ok");
    assert_eq!(app.get_json("/health/ready").await["status"], "ok");
}

#[tokio::test]
async fn without_a_database_ready_and_reads_are_fast_503s_while_live_stays_200() {
    // Nothing listens on port 1: every connection attempt fails at once.
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/none")
        .unwrap();
    let mut settings = Settings::for_tests("postgres://unused");
    settings.db_acquire_timeout = Duration::from_millis(500);
    let app = spawn_with_settings(pool, settings).await;

    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    for path in ["/health/ready", "/api/v1/tracks", "/api/v1/tracks/python"] {
        let started = Instant::now();
        let res = app.get(path).await;
        assert!(started.elapsed() < Duration::from_secs(3), "{path} took {:?}", started.elapsed());
        assert!(res.headers().contains_key("retry-after"), "{path} 503 without Retry-After");
        assert_problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    }
}
