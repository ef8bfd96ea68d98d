//! Resource limits that are switched on by configuration: the per-address rate limit
//! on the public API and the per-request deadline.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use studytrack::config::Settings;

use crate::helpers::{assert_problem, fixture_dir, seed_dir, spawn_with_settings};

#[sqlx::test]
async fn the_public_api_is_rate_limited_per_address_with_retry_after(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let mut settings = Settings::for_tests("postgres://unused");
    settings.rate_limit_per_minute = 60;
    settings.rate_limit_burst = 5;
    settings.trusted_proxies =
        studytrack::proxy::ProxyTrust::parse("127.0.0.1", studytrack::proxy::ForwardedHeader::XForwardedFor).unwrap();
    let app = spawn_with_settings(pool, settings).await;
    let from = |address: &'static str| {
        let req = app.client.get(app.url("/api/v1/tracks")).header("X-Forwarded-For", address);
        async move { req.send().await.unwrap() }
    };
    for _ in 0..5 {
        assert_eq!(from("203.0.113.7").await.status(), StatusCode::OK, "the burst is allowed");
    }
    let res = from("203.0.113.7").await;
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "one request a second refills the bucket: {retry}");
    let problem = assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem["type"], "https://studytrack.dev/problems/too-many-requests");
    assert_eq!(from("198.51.100.1").await.status(), StatusCode::OK, "another address has its own bucket");
    let metrics = app.metrics().await.text().await.unwrap();
    assert!(metrics.contains("studytrack_throttled_total{throttle=\"rate-limit\"} 1"), "{metrics}");
    // Health checks and the document stay reachable for load balancers and clients.
    for path in ["/health/live", "/health/ready", "/openapi.json"] {
        let res = app.client.get(app.url(path)).header("X-Forwarded-For", "203.0.113.7").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
}

#[sqlx::test]
async fn a_request_past_its_deadline_gets_a_503_and_releases_its_work(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    // The admin logs in through an instance without the short deadline (a password
    // hash on a loaded machine can take longer than 500 ms); both share the signing key.
    let relaxed = Settings::for_tests("postgres://unused");
    let mut settings = relaxed.clone();
    settings.request_timeout = Duration::from_millis(500);
    let admin = spawn_with_settings(pool.clone(), relaxed).await.new_admin("admin@example.com").await;
    let app = spawn_with_settings(pool.clone(), settings).await;
    // Hold the content lock so the import cannot proceed.
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(studytrack::content::SEED_LOCK)
        .execute(&mut *blocker)
        .await
        .unwrap();
    let started = Instant::now();
    let res = app
        .request_as(reqwest::Method::POST, "/api/v1/admin/import", &admin.access)
        .json(&json!({"topics": []}))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(res.headers().contains_key("retry-after"));
    let problem = assert_problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem["type"], "https://studytrack.dev/problems/timeout");
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    blocker.rollback().await.unwrap();
    // The cancelled request gave its connection back: the service goes on answering.
    assert_eq!(app.get("/api/v1/tracks").await.status(), StatusCode::OK);
    // A waiter woken by the rollback may still show as waiting for an instant on a
    // loaded machine; one left behind for good would show for the whole wait.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if waiting == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{waiting} statements are left waiting on the lock");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
