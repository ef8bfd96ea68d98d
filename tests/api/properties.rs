//! Property tests over the query-string and path parsers, through the real server:
//! whatever a client puts in a query string or a path segment is answered (2xx, 3xx
//! or a 4xx problem+json), never a 5xx, a panic or a dropped connection.
//!
//! Cases are drawn by proptest from a fixed seed (so a failure reproduces) and sent
//! over HTTP; each failure prints the exact request.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sqlx::PgPool;

use crate::helpers::spawn_app;
use crate::hostile::urlencode as encode;

/// Cases per property; enough to reach every parser many times, quick on two cores.
const CASES: usize = 300;

/// Values a hostile or buggy client sends: numbers at every edge, dates in every ISO
/// 8601 shape, encoded garbage, and arbitrary Unicode.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        (-999_999i32..=999_999, 0u8..=14, 0u8..=33).prop_map(|(y, m, d)| format!("{y:+07}-{m:02}-{d:02}")),
        (0i32..=99_999, 0u8..=14, 0u8..=33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        "[a-zA-Z0-9_=-]{0,600}",
        any::<String>(),
        Just(String::new()),
    ]
}

fn parameter() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("limit"),
        Just("cursor"),
        Just("from"),
        Just("to"),
        Just("q"),
        Just("track"),
        Just("topic"),
        Just("difficulty"),
        Just("tag"),
        Just("kind"),
        Just("action"),
        Just("dry_run"),
    ]
    .prop_map(str::to_owned)
}

/// A query string of one to four parameters, repeats allowed.
fn query() -> impl Strategy<Value = String> {
    prop::collection::vec((parameter(), value()), 1..=4)
        .prop_map(|pairs| pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&"))
}

fn draw<S: Strategy>(strategy: &S, runner: &mut TestRunner) -> S::Value {
    strategy.new_tree(runner).expect("strategy cannot fail").current()
}

fn runner() -> TestRunner {
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]))
}

#[sqlx::test]
async fn no_query_string_or_path_segment_gets_a_server_error(pool: PgPool) {
    let app = spawn_app(pool).await;
    let learner = app.new_user("prop@example.com").await;
    let admin = app.new_admin("admin@example.com").await;
    let lists = [
        ("/api/v1/questions", None),
        ("/api/v1/articles", None),
        ("/api/v1/tracks/alpha", None),
        ("/api/v1/me/activity", Some(&learner.access)),
        ("/api/v1/me/quizzes", Some(&learner.access)),
        ("/api/v1/me/reviews/due", Some(&learner.access)),
        ("/api/v1/me/reviews/stats", Some(&learner.access)),
        ("/api/v1/admin/audit", Some(&admin.access)),
    ];
    let paths = [
        "/api/v1/tracks/{}",
        "/api/v1/tracks/alpha/topics/{}",
        "/api/v1/questions/{}",
        "/api/v1/articles/{}",
        "/api/v1/profiles/{}",
        "/api/v1/profiles/{}/tracks/alpha/card.svg",
        "/api/v1/me/quizzes/{}",
        "/api/v1/me/tracks/{}/progress",
        "/api/v1/admin/content/questions/{}",
    ];
    let mut runner = runner();
    let (queries, segments) = (query(), value().prop_filter("a path segment", |s| !s.is_empty()));
    let mut answered = 0;
    for case in 0..CASES {
        let (path, token) = if case % 2 == 0 {
            let (list, token) = lists[case / 2 % lists.len()];
            (format!("{list}?{}", draw(&queries, &mut runner)), token)
        } else {
            let template = paths[case / 2 % paths.len()];
            let token = if template.contains("/admin/") { Some(&admin.access) } else { Some(&learner.access) };
            (template.replace("{}", &encode(&draw(&segments, &mut runner))), token)
        };
        let mut req = app.client.get(app.url(&path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("GET {path}: no answer (connection dropped?): {e}"));
        let status = res.status();
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(!status.is_server_error(), "GET {path} answered {status}: {}", res.text().await.unwrap_or_default());
        if status.is_client_error() {
            assert_eq!(content_type, "application/problem+json", "GET {path} answered {status} without a problem");
        }
        answered += 1;
    }
    println!("properties: {answered} generated query strings and path segments, none answered 5xx");
}
