//! Response hygiene: a real internal error tells the client nothing internal (but
//! gives the request id to quote), token responses are never cached, and every
//! response carries `X-Content-Type-Options: nosniff`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use std::time::Duration;

use studytrack::config::Settings;

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_with_settings};

/// Text that must never reach a client: SQL, schema names, driver and source details.
const INTERNALS: [&str; 22] = [
    "question_mark",
    "review_log",
    "quiz_attempt",
    "rating",
    "relation",
    "column",
    "select ",
    "insert ",
    "update ",
    "sqlstate",
    "42p01",
    "42703",
    "sqlx",
    "postgres",
    "database error",
    "src/",
    ".rs:",
    "panicked",
    "backtrace",
    "stack",
    "at line",
    "error returned from",
];

/// Checks a 500: generic problem+json, nothing internal, the request id in the header
/// and in the text.
async fn assert_generic_500(res: reqwest::Response, what: &str) {
    let status = res.status();
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (content_type, request_id, nosniff) =
        (header("content-type"), header("x-request-id"), header("x-content-type-options"));
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{what}: the forced fault gave {status}: {body}");
    assert_eq!(content_type, "application/problem+json", "{what}");
    assert_eq!(nosniff, "nosniff", "{what}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["type"], "https://studytrack.dev/problems/internal", "{what}: {body}");
    assert_eq!(problem["title"], "Internal Server Error", "{what}: {body}");
    let lower = body.to_lowercase();
    for word in INTERNALS {
        assert!(!lower.contains(word), "{what}: the 500 body mentions {word:?}: {body}");
    }
    assert!(uuid::Uuid::parse_str(&request_id).is_ok(), "{what}: no request id header");
    assert!(
        problem["detail"].as_str().unwrap_or("").contains(&request_id),
        "{what}: the body does not carry the request id {request_id}: {body}"
    );
}

#[sqlx::test]
async fn a_real_internal_error_reveals_nothing_but_the_request_id(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let topic = app.topic("alpha", "basics").await;
    let question = topic["questions"][0]["id"].as_str().unwrap().to_owned();
    let cards = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await;
    let card = cards["items"][0]["id"].as_str().unwrap().to_owned();

    // Break the schema under the running server, as a botched migration would.
    sqlx::query("ALTER TABLE question_mark RENAME TO question_mark_gone").execute(&app.pool).await.unwrap();
    sqlx::query("ALTER TABLE review_log RENAME COLUMN rating TO rating_gone").execute(&app.pool).await.unwrap();

    let res = app
        .request_as(Method::PUT, &format!("/api/v1/me/questions/{question}/status"), &user.access)
        .json(&json!({"status": "got_it"}))
        .send()
        .await
        .unwrap();
    assert_generic_500(res, "a missing table").await;
    let res = app.get_as("/api/v1/me/reviews/stats", &user.access).await;
    assert_generic_500(res, "a missing column (read)").await;
    let res = app
        .request_as(Method::POST, "/api/v1/me/reviews", &user.access)
        .json(&json!({"review_id": uuid::Uuid::new_v4(), "flashcard_id": card, "rating": "good"}))
        .send()
        .await
        .unwrap();
    assert_generic_500(res, "a missing column (write)").await;
}

#[sqlx::test]
async fn token_responses_are_never_cached(pool: PgPool) {
    let app = spawn_app(pool).await;
    let no_store = |res: &reqwest::Response| {
        res.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    };
    let res = app.register("ann@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(no_store(&res), "no-store", "register");
    let mail = app.inbox.wait_for(1).await;
    let res = app.confirm_registration(&crate::smtp::link_token(&mail[0], "verify-email")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(no_store(&res), "no-store", "confirmed registration");
    let body: Value = res.json().await.unwrap();
    let res = app.login("ann@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(no_store(&res), "no-store", "login");
    let res = app.refresh(body["refresh_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(no_store(&res), "no-store", "refresh");
    let body: Value = res.json().await.unwrap();
    let res = app
        .request_as(Method::POST, "/api/v1/me/password", body["access_token"].as_str().unwrap())
        .json(&json!({"current_password": PASSWORD, "new_password": "a-brand-new-passphrase-7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(no_store(&res), "no-store", "password change (returns a token pair)");
    // Failed attempts are not cacheable either.
    let res = app.login("ann@example.com", "wrong-password-entirely").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no_store(&res), "no-store", "failed login");
}

/// One request of each kind the server answers, from success to failure.
async fn every_kind_of_response(app: &TestApp) -> Vec<(String, reqwest::Response)> {
    let user = app.new_user("ann@example.com").await;
    let other = app.new_user("bo@example.com").await;
    let admin = app.new_admin("admin@example.com").await;
    let profile = |token: &str| {
        app.request_as(Method::PUT, "/api/v1/me/profile", token).json(&json!({"handle": "ann-lee"})).send()
    };
    assert_eq!(profile(&user.access).await.unwrap().status(), StatusCode::OK);
    let token = app.sign_up("cy@example.com", PASSWORD).await;
    let first = app.get("/api/v1/tracks/alpha").await;
    let etag = first.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let json = |m: Method, p: &str| app.client.request(m, app.url(p));
    let requests: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("200 content", json(Method::GET, "/api/v1/tracks")),
        ("304", json(Method::GET, "/api/v1/tracks/alpha").header("if-none-match", etag)),
        ("200 per-user", app.request_as(Method::GET, "/api/v1/me", &user.access)),
        (
            "202",
            json(Method::POST, "/api/v1/auth/register")
                .json(&json!({"email": "di@example.com", "password": PASSWORD, "display_name": "Di"})),
        ),
        ("201", json(Method::POST, "/api/v1/auth/register/confirm").json(&json!({"token": token}))),
        ("204", json(Method::POST, "/api/v1/auth/logout").json(&json!({"refresh_token": "unknown"}))),
        ("200 admin", app.request_as(Method::GET, "/api/v1/admin/audit", &admin.access)),
        ("308 docs", json(Method::GET, "/docs")),
        ("200 docs page", json(Method::GET, "/docs/")),
        ("200 openapi", json(Method::GET, "/openapi.json")),
        ("200 live", json(Method::GET, "/health/live")),
        ("200 ready", json(Method::GET, "/health/ready")),
        (
            "CORS preflight",
            json(Method::OPTIONS, "/api/v1/tracks")
                .header("origin", "https://front.example")
                .header("access-control-request-method", "GET"),
        ),
        ("400", json(Method::GET, "/api/v1/questions/not-a-uuid")),
        ("401", json(Method::GET, "/api/v1/me")),
        ("403", app.request_as(Method::GET, "/api/v1/admin/audit", &user.access)),
        ("404", json(Method::GET, "/nope")),
        ("405", json(Method::DELETE, "/api/v1/tracks")),
        ("409", app.request_as(Method::PUT, "/api/v1/me/profile", &other.access).json(&json!({"handle": "ann-lee"}))),
        (
            "413",
            json(Method::POST, "/api/v1/auth/login")
                .header("content-type", "application/json")
                .body(vec![b' '; 300 * 1024]),
        ),
        ("415", json(Method::POST, "/api/v1/auth/login").header("content-type", "text/plain").body("{}")),
        ("422", app.request_as(Method::GET, "/api/v1/me/quizzes?limit=0", &user.access)),
    ];
    let mut out = Vec::new();
    for (label, req) in requests {
        out.push((label.to_owned(), req.send().await.unwrap_or_else(|e| panic!("{label}: {e}"))));
    }
    // Answers made by middleware: the request deadline (503) and the throttle (429).
    let mut settings = Settings::for_tests("postgres://unused");
    settings.request_timeout = Duration::from_millis(1);
    let hurried = spawn_with_settings(app.pool.clone(), settings).await;
    let res = hurried.login("ann@example.com", "a-wrong-password-to-hash").await;
    out.push(("503 deadline".to_owned(), res));
    let mut settings = Settings::for_tests("postgres://unused");
    settings.rate_limit_per_minute = 1;
    settings.rate_limit_burst = 1;
    let throttled = spawn_with_settings(app.pool.clone(), settings).await;
    throttled.get("/api/v1/tracks").await;
    out.push(("429".to_owned(), throttled.get("/api/v1/tracks").await));
    sqlx::query("ALTER TABLE topic_mark RENAME TO topic_mark_gone").execute(&app.pool).await.unwrap();
    let res = app
        .request_as(Method::PUT, "/api/v1/me/tracks/alpha/topics/basics/status", &user.access)
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    out.push(("500".to_owned(), res));
    out
}

#[sqlx::test]
async fn every_response_says_nosniff(pool: PgPool) {
    let app = spawn_app(pool).await;
    let responses = every_kind_of_response(&app).await;
    let mut statuses = Vec::new();
    for (label, res) in &responses {
        statuses.push(res.status().as_u16());
        let nosniff = res.headers().get("x-content-type-options").and_then(|v| v.to_str().ok());
        assert_eq!(nosniff, Some("nosniff"), "{label} ({}) lacks nosniff", res.status());
        // Preflights are answered by the CORS layer before a request id is assigned.
        if label != "CORS preflight" {
            assert!(res.headers().contains_key("x-request-id"), "{label} ({}) lacks x-request-id", res.status());
        }
    }
    for expected in [200, 201, 202, 204, 304, 308, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503] {
        assert!(statuses.contains(&expected), "no {expected} among the responses checked: {statuses:?}");
    }
}
