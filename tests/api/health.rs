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

#[sqlx::test]
async fn metrics_count_requests_by_route_template_and_report_the_pool_and_cache(pool: sqlx::PgPool) {
    let app = crate::helpers::spawn_app(pool).await;
    for _ in 0..3 {
        app.get("/api/v1/tracks/alpha").await;
    }
    app.get("/api/v1/tracks/no-such-track").await;
    app.get("/api/v1/questions/not-a-uuid").await;
    let res = app.metrics().await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    let line = |prefix: &str| -> f64 {
        let found = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} in:\n{text}"));
        found.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(
        line(r#"studytrack_http_requests_total{method="GET",route="/api/v1/tracks/{track}",status="200"}"#),
        3.0,
        "counted under the template, never the raw path"
    );
    assert_eq!(
        line(r#"studytrack_http_requests_total{method="GET",route="/api/v1/tracks/{track}",status="404"}"#),
        1.0
    );
    assert!(!text.contains("no-such-track"));
    assert_eq!(
        line(
            r#"studytrack_http_request_duration_seconds_count{method="GET",route="/api/v1/tracks/{track}",status="200"}"#
        ),
        3.0
    );
    assert_eq!(line(r#"studytrack_db_pool_connections{state="max"}"#), 10.0);
    assert!(line(r#"studytrack_db_pool_connections{state="open"}"#) >= 1.0);
    let lookups = line(r#"studytrack_content_cache_lookups_total{result="hit"}"#)
        + line(r#"studytrack_content_cache_lookups_total{result="miss"}"#)
        + line(r#"studytrack_content_cache_lookups_total{result="bypass"}"#);
    assert!(lookups >= 3.0, "{lookups}");
    assert!(text.contains("studytrack_db_unavailable_total 0"));
}

#[sqlx::test]
async fn metrics_are_not_public(pool: sqlx::PgPool) {
    use reqwest::StatusCode;
    let app = crate::helpers::spawn_app(pool.clone()).await;
    crate::helpers::assert_problem(app.get("/metrics").await, StatusCode::UNAUTHORIZED).await;
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("guess").send().await.unwrap();
    crate::helpers::assert_problem(wrong, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.metrics().await.status(), StatusCode::OK);

    let mut settings = studytrack::config::Settings::for_tests("postgres://unused");
    settings.metrics_token = None;
    let closed = crate::helpers::spawn_with_settings(pool, settings).await;
    crate::helpers::assert_problem(closed.get("/metrics").await, StatusCode::NOT_FOUND).await;
}
