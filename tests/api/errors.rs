//! Every error is problem+json with the right status, extractor errors included.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{assert_problem, spawn_app};

#[sqlx::test]
async fn unknown_routes_are_404_problems(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in ["/nope", "/api/v1/nope", "/api/v2/tracks", "/api/v1/tracks/alpha/topics/basics/nope"] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
}

#[sqlx::test]
async fn wrong_methods_are_405_with_allow(pool: PgPool) {
    let app = spawn_app(pool).await;
    for (method, path) in [
        (reqwest::Method::DELETE, "/api/v1/tracks"),
        (reqwest::Method::POST, "/api/v1/tracks/alpha"),
        (reqwest::Method::PUT, "/api/v1/questions/00000000-0000-0000-0000-000000000000"),
        (reqwest::Method::PATCH, "/health/live"),
    ] {
        let res = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        let allow = res.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
        assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(allow.as_deref(), Some("GET, HEAD"), "{method} {path}");
    }
}

#[sqlx::test]
async fn head_answers_like_get_without_a_body(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in ["/api/v1/tracks", "/health/live", "/openapi.json"] {
        let get = app.get(path).await;
        let (status, etag, length) =
            (get.status(), get.headers().get("etag").cloned(), get.bytes().await.unwrap().len());
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), status, "HEAD {path}");
        assert_eq!(head.headers().get("etag"), etag.as_ref(), "HEAD {path} has GET's ETag");
        assert_eq!(head.headers()["content-length"], length.to_string().as_str(), "HEAD {path} has GET's length");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} sent a body");
    }
    // A path that takes no GET still says 405 to HEAD.
    let res = app.client.head(app.url("/api/v1/auth/login")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "POST");
}

#[sqlx::test]
async fn malformed_query_and_path_are_400(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in [
        "/api/v1/questions?difficulty=expert",
        "/api/v1/questions/not-a-uuid",
        "/api/v1/questions/%00",
        "/api/v1/questions?limit=%FF",
    ] {
        assert_problem(app.get(path).await, StatusCode::BAD_REQUEST).await;
    }
}

#[sqlx::test]
async fn oversized_filters_and_nul_bytes_are_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let long = "a".repeat(201);
    for (key, value) in
        [("q", long.as_str()), ("q", "abc\0def"), ("tag", "x\0"), ("track", &"t".repeat(81)), ("topic", "\0")]
    {
        let res = app.client.get(app.url("/api/v1/questions")).query(&[(key, value)]).send().await.unwrap();
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], key);
    }
}

#[sqlx::test]
async fn every_response_has_a_request_id_and_nosniff(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in ["/api/v1/tracks", "/nope", "/health/live"] {
        let res = app.get(path).await;
        let id = res.headers().get("x-request-id").unwrap_or_else(|| panic!("{path} has no x-request-id"));
        assert!(uuid::Uuid::parse_str(id.to_str().unwrap()).is_ok());
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
}

#[sqlx::test]
async fn cors_allows_third_party_front_ends(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/tracks"))
        .header("Origin", "https://front.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "preflight answered {}", res.status());
    assert!(res.headers().contains_key("access-control-allow-origin"));
    let res = app.client.get(app.url("/api/v1/tracks")).header("Origin", "https://front.example").send().await.unwrap();
    assert!(res.headers()["access-control-expose-headers"].to_str().unwrap().contains("etag"));
}

#[sqlx::test]
async fn nul_bytes_anywhere_are_4xx_never_500(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let admin = app.new_admin("admin@example.com").await;
    let cases: Vec<(reqwest::Method, &str, serde_json::Value, &str)> = vec![
        (
            reqwest::Method::POST,
            "/api/v1/auth/login",
            serde_json::json!({"email": "a\u{0}b@example.com", "password": "x"}),
            "",
        ),
        (reqwest::Method::POST, "/api/v1/auth/refresh", serde_json::json!({"refresh_token": "a\u{0}b"}), ""),
        (reqwest::Method::POST, "/api/v1/auth/logout", serde_json::json!({"refresh_token": "a\u{0}b"}), ""),
        (reqwest::Method::PATCH, "/api/v1/me", serde_json::json!({"timezone": "Europe/\u{0}"}), "user"),
        (
            reqwest::Method::POST,
            "/api/v1/me/quizzes",
            serde_json::json!({"scope": {"topics": ["a\u{0}"]}, "size": 1, "mode": "practice"}),
            "user",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/content/topics",
            serde_json::json!({"slug": "nul-topic", "title": "T", "summary": "bad \u{0} summary"}),
            "admin",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/import",
            serde_json::json!({"topics": [{"slug": "nul", "title": "T", "summary": "x", "key_points": ["\u{0}"]}]}),
            "admin",
        ),
    ];
    for (method, path, body, who) in cases {
        let mut req = app.client.request(method.clone(), app.url(path)).json(&body);
        match who {
            "user" => req = req.bearer_auth(&user.access),
            "admin" => req = req.bearer_auth(&admin.access),
            _ => {}
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        // Logout is 204 for any token by design; everything else must be a 4xx.
        let ok = if path.ends_with("/logout") { status.as_u16() == 204 } else { status.is_client_error() };
        assert!(ok, "{method} {path} answered {status}: {}", res.text().await.unwrap());
    }
}
