//! The public catalogue endpoints against the fixture catalogue.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{assert_problem, real_seed_dir, seed_dir, slugs, spawn_app, spawn_app_unseeded};

#[sqlx::test]
async fn tracks_are_listed_with_counts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let body = app.get_json("/api/v1/tracks").await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(slugs(items), ["alpha", "beta"]);
    assert_eq!(body["next_cursor"], Value::Null);
    let alpha = &items[0];
    assert_eq!(alpha["stage_count"], 2);
    assert_eq!(alpha["counts"]["topics"], 3);
    assert_eq!(alpha["counts"]["electives"], 1);
    // basics 4 + shared 12 + advanced 2 + elective 1
    assert_eq!(alpha["counts"]["questions"], 19);
    assert_eq!(alpha["counts"]["flashcards"], 2);
    assert_eq!(alpha["counts"]["quiz_items"], 3);
    assert_eq!(items[1]["counts"]["questions"], 12, "beta only holds the shared topic");
}

#[sqlx::test]
async fn roadmap_lists_stages_and_topics_in_order_with_electives_apart(pool: PgPool) {
    let app = spawn_app(pool).await;
    let roadmap = app.roadmap("alpha").await;
    let stages = roadmap["stages"].as_array().unwrap();
    assert_eq!(slugs(stages), ["first", "second"]);
    assert_eq!(slugs(stages[0]["topics"].as_array().unwrap()), ["basics", "shared"]);
    assert_eq!(slugs(stages[1]["topics"].as_array().unwrap()), ["advanced"]);
    let electives = roadmap["electives"].as_array().unwrap();
    assert_eq!(slugs(electives), ["elective-one"]);
    assert_eq!(electives[0]["elective"], true);
    assert_eq!(stages[0]["topics"][0]["elective"], false);
    assert_eq!(stages[0]["topics"][1]["prerequisites"], serde_json::json!(["basics"]));
    assert_eq!(stages[0]["topics"][0]["counts"]["questions"], 4);
    assert_eq!(roadmap["counts"]["topics"], 3);
}

#[sqlx::test]
async fn a_shared_topic_is_the_same_topic_on_both_tracks(pool: PgPool) {
    let app = spawn_app(pool).await;
    let on_alpha = app.topic("alpha", "shared").await;
    let on_beta = app.topic("beta", "shared").await;
    assert_eq!(on_alpha["id"], on_beta["id"]);
    assert_eq!(on_alpha["questions"], on_beta["questions"]);
    assert_eq!(on_alpha["stage"]["slug"], "first");
    assert_eq!(on_beta["stage"]["slug"], "only");
    let question_id = on_alpha["questions"][0]["id"].as_str().unwrap();
    let question = app.get_json(&format!("/api/v1/questions/{question_id}")).await;
    assert_eq!(question["tracks"], serde_json::json!(["alpha", "beta"]));
}

#[sqlx::test]
async fn topic_shows_summary_questions_in_study_order_and_articles(pool: PgPool) {
    let app = spawn_app(pool).await;
    let topic = app.topic("alpha", "basics").await;
    assert_eq!(topic["title"], "Basics");
    assert_eq!(topic["summary"], "Summary of Basics.");
    assert_eq!(topic["key_points"].as_array().unwrap().len(), 2);
    assert_eq!(topic["track"]["slug"], "alpha");
    let difficulties: Vec<&str> =
        topic["questions"].as_array().unwrap().iter().map(|q| q["difficulty"].as_str().unwrap()).collect();
    assert_eq!(difficulties, ["junior", "junior", "mid", "senior"], "questions must be junior first");
    assert_eq!(topic["counts"], serde_json::json!({"questions": 4, "flashcards": 2, "quiz_items": 3}));
    assert_eq!(topic["questions_by_difficulty"], serde_json::json!({"junior": 2, "mid": 1, "senior": 1}));
    assert_eq!(slugs(topic["articles"].as_array().unwrap()), ["another-article"]);

    let elective = app.topic("alpha", "elective-one").await;
    assert_eq!(elective["stage"], Value::Null);
    assert_eq!(elective["elective"], true);

    let advanced = app.topic("alpha", "advanced").await;
    assert_eq!(advanced["prerequisites"], serde_json::json!([{"slug": "basics", "title": "Basics"}]));
}

#[sqlx::test]
async fn unknown_or_misplaced_content_is_404(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in [
        "/api/v1/tracks/cobol",
        "/api/v1/tracks/alpha/topics/nope",
        "/api/v1/tracks/beta/topics/basics",
        "/api/v1/tracks/beta/topics/basics/flashcards",
        "/api/v1/questions/00000000-0000-0000-0000-000000000000",
        "/api/v1/articles/nope",
        "/api/v1/tracks/NOT%20A%20SLUG",
        "/api/v1/tracks/%00",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
}

#[sqlx::test]
async fn question_detail_has_the_full_answer(pool: PgPool) {
    let app = spawn_app(pool).await;
    let topic = app.topic("alpha", "basics").await;
    let id = topic["questions"][1]["id"].as_str().unwrap();
    let q = app.get_json(&format!("/api/v1/questions/{id}")).await;
    assert_eq!(q["slug"], "mutable-defaults");
    assert_eq!(q["difficulty"], "junior");
    assert!(q["answer"].as_str().unwrap().contains(">>> 1 + 1"), "answer keeps its code block");
    assert!(q["prompt"].as_str().unwrap().starts_with("Prompt for"));
    assert_eq!(q["topic"]["slug"], "basics");
    assert!(q["updated_at"].as_str().unwrap().ends_with('Z'));
}

#[sqlx::test]
async fn flashcards_of_a_topic(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cards = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await;
    let items = cards["items"].as_array().unwrap();
    assert_eq!(slugs(items), ["is-operator", "defaults-once"]);
    assert!(items[0]["question_id"].is_string(), "linked card carries its question id");
    assert_eq!(items[1]["question_id"], Value::Null);
}

#[sqlx::test]
async fn articles_list_filter_and_detail(pool: PgPool) {
    let app = spawn_app(pool).await;
    let all = app.get_json("/api/v1/articles").await;
    assert_eq!(slugs(all["items"].as_array().unwrap()), ["another-article", "locks-deep-dive"]);
    let shared = app.get_json("/api/v1/articles?topic=shared").await;
    assert_eq!(slugs(shared["items"].as_array().unwrap()), ["locks-deep-dive"]);
    let pages = app.all_pages("/api/v1/articles?limit=1").await;
    assert_eq!(pages.len(), 2);
    let article = app.get_json("/api/v1/articles/locks-deep-dive").await;
    assert_eq!(article["body"], "A long body about locks.");
    assert_eq!(slugs(article["topics"].as_array().unwrap()), ["advanced", "shared"]);
}

#[sqlx::test]
async fn question_bank_filters(pool: PgPool) {
    let app = spawn_app(pool).await;
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    assert_eq!(count(&app.get_json("/api/v1/questions?track=beta&limit=100").await), 12);
    assert_eq!(count(&app.get_json("/api/v1/questions?topic=basics").await), 4);
    let seniors = app.get_json("/api/v1/questions?difficulty=senior").await;
    assert_eq!(slugs(seniors["items"].as_array().unwrap()), ["gil-threads", "generators-lazy"]);
    assert_eq!(count(&app.get_json("/api/v1/questions?tag=elective-one").await), 1);
    assert_eq!(count(&app.get_json("/api/v1/questions?track=nope").await), 0);
    assert_eq!(count(&app.get_json("/api/v1/questions?topic=basics&difficulty=mid").await), 1);
}

#[sqlx::test]
async fn search_ranks_an_exact_title_match_first(pool: PgPool) {
    let app = spawn_app(pool).await;
    // Two other questions mention "mutable default arguments" in their answers.
    let body = app.get_json("/api/v1/questions?q=Mutable%20default%20arguments").await;
    let items = body["items"].as_array().unwrap();
    assert!(items.len() >= 2, "the other mentions match too: {body}");
    assert_eq!(items[0]["slug"], "mutable-defaults");

    let body = app.get_json("/api/v1/questions?q=event%20loop%20coroutines").await;
    assert_eq!(slugs(body["items"].as_array().unwrap()), ["asyncio-basics"]);

    let body = app.get_json("/api/v1/questions?q=closures&topic=basics").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 0, "filters apply to search");
}

#[sqlx::test]
async fn search_tolerates_metacharacters(pool: PgPool) {
    let app = spawn_app(pool).await;
    for q in ["'; DROP TABLE question; --", "a & b | !c", "(((", ".*+?[", "\"unterminated", "-", ":*", "%", "\\"] {
        let res = app.client.get(app.url("/api/v1/questions")).query(&[("q", q)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "q={q:?} answered {}", res.status());
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM question").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 19);
}

#[sqlx::test]
async fn etag_and_304(pool: PgPool) {
    let app = spawn_app(pool).await;
    for path in [
        "/api/v1/tracks",
        "/api/v1/tracks/alpha",
        "/api/v1/tracks/alpha/topics/basics",
        "/api/v1/questions",
        "/api/v1/articles",
    ] {
        let res = app.get(path).await;
        let etag =
            res.headers().get("etag").unwrap_or_else(|| panic!("{path} has no ETag")).to_str().unwrap().to_owned();
        let again = app.client.get(app.url(path)).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.text().await.unwrap().is_empty());
        let stale = app.client.get(app.url(path)).header("If-None-Match", "\"stale\"").send().await.unwrap();
        assert_eq!(stale.status(), StatusCode::OK, "{path}");
    }
}

#[sqlx::test]
async fn the_real_python_track_is_complete(pool: PgPool) {
    seed_dir(&pool, &real_seed_dir()).await;
    let app = spawn_app_unseeded(pool).await;
    let roadmap = app.roadmap("python").await;
    let stages = roadmap["stages"].as_array().unwrap();
    assert_eq!(
        slugs(stages),
        ["foundations", "core-language", "idiomatic-typed", "advanced-tooling"],
        "the Python track has four stages in order"
    );
    let topics: Vec<&str> = stages.iter().flat_map(|s| slugs(s["topics"].as_array().unwrap())).collect();
    assert_eq!(
        topics,
        [
            "fundamentals",
            "data-structures",
            "comprehensions-iteration",
            "functions",
            "oop",
            "errors-exceptions",
            "modules-packages",
            "functional-programming",
            "type-hints",
            "standard-library",
            "pythonic-idioms",
            "concurrency",
            "memory-internals",
            "testing",
        ]
    );
    assert_eq!(slugs(roadmap["electives"].as_array().unwrap()), ["packaging", "profiling"]);
    for stage in stages {
        for topic in stage["topics"].as_array().unwrap() {
            let slug = topic["slug"].as_str().unwrap();
            assert!(topic["counts"]["questions"].as_i64().unwrap() >= 3, "{slug} has fewer than 3 questions");
            let detail = app.topic("python", slug).await;
            assert!(!detail["summary"].as_str().unwrap().is_empty(), "{slug} has no summary");
            assert!(detail["key_points"].as_array().unwrap().len() >= 3, "{slug} has too few key points");
        }
    }
    let every = app.all_pages("/api/v1/questions?track=python&limit=100").await;
    let total: usize = every.iter().map(Vec::len).sum();
    assert_eq!(total as i64, roadmap["counts"]["questions"].as_i64().unwrap());
}
