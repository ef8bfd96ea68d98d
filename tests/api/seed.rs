//! Seeding: validation before writing, idempotency, updates in place, retirement.

use reqwest::StatusCode;
use sqlx::PgPool;
use studytrack::content::{self, report::Kind};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{assert_problem, copy_dir, fixture_dir, seed_dir, spawn_app_unseeded};

type Snapshot = Vec<(Uuid, OffsetDateTime)>;

async fn snapshot(pool: &PgPool) -> Snapshot {
    sqlx::query_as(
        r#"SELECT question_id, updated_at FROM question
           UNION ALL SELECT topic_id, updated_at FROM topic
           UNION ALL SELECT track_id, updated_at FROM track
           UNION ALL SELECT stage_id, updated_at FROM stage
           UNION ALL SELECT flashcard_id, updated_at FROM flashcard
           UNION ALL SELECT quiz_item_id, updated_at FROM quiz_item
           UNION ALL SELECT article_id, updated_at FROM article
           ORDER BY 1"#,
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn seeding_twice_changes_nothing(pool: PgPool) {
    let first = seed_dir(&pool, &fixture_dir()).await;
    assert_eq!(first.get(Kind::Questions).created, 19);
    assert_eq!(first.get(Kind::Tracks).created, 2);
    let before = snapshot(&pool).await;
    let second = seed_dir(&pool, &fixture_dir()).await;
    assert!(second.is_noop(), "second run changed something:\n{second}");
    assert_eq!(second.get(Kind::Questions).unchanged, 19);
    assert_eq!(snapshot(&pool).await, before, "ids or updated_at moved on an unchanged re-seed");
}

#[sqlx::test]
async fn dry_run_reports_but_writes_nothing(pool: PgPool) {
    let bundle = content::load_dir(&fixture_dir()).unwrap();
    let report = content::apply(&pool, &bundle, true).await.unwrap();
    assert_eq!(report.get(Kind::Questions).created, 19);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM question").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn an_edit_updates_in_place_and_changes_the_etag(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let app = spawn_app_unseeded(pool.clone()).await;
    let id: Uuid = sqlx::query_scalar("SELECT question_id FROM question WHERE slug = 'gil-threads'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let path = format!("/api/v1/questions/{id}");
    let etag = app.get(&path).await.headers()["etag"].to_str().unwrap().to_owned();

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), dir.path());
    let file = dir.path().join("topics/advanced/questions/gil-threads.md");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Threads share one interpreter lock.", "Threads take turns holding one lock.");
    std::fs::write(&file, text).unwrap();
    let report = app.reseed(dir.path()).await;
    assert_eq!(report.get(Kind::Questions).updated, 1);
    assert_eq!(report.get(Kind::Questions).unchanged, 18);

    let res = app.client.get(app.url(&path)).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a changed question must not answer 304");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["id"], id.to_string(), "same id after the edit");
    assert!(body["answer"].as_str().unwrap().contains("take turns"));
}

#[sqlx::test]
async fn removed_entries_are_retired_not_deleted_and_come_back(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let app = spawn_app_unseeded(pool.clone()).await;
    let id: Uuid = sqlx::query_scalar("SELECT question_id FROM question WHERE slug = 'gil-threads'")
        .fetch_one(&pool)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), dir.path());
    let removed = dir.path().join("topics/advanced/questions/gil-threads.md");
    let saved = std::fs::read_to_string(&removed).unwrap();
    std::fs::remove_file(&removed).unwrap();
    std::fs::remove_file(dir.path().join("articles/another-article.md")).unwrap();
    let report = app.reseed(dir.path()).await;
    assert_eq!(report.get(Kind::Questions).retired, 1);
    assert_eq!(report.get(Kind::Articles).retired, 1);

    assert_problem(app.get(&format!("/api/v1/questions/{id}")).await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get("/api/v1/articles/another-article").await, StatusCode::NOT_FOUND).await;
    let topic = app.topic("alpha", "advanced").await;
    assert_eq!(topic["questions"].as_array().unwrap().len(), 1);
    assert_eq!(app.roadmap("alpha").await["counts"]["questions"], 18);
    let retired: Option<OffsetDateTime> = sqlx::query_scalar("SELECT retired_at FROM question WHERE question_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(retired.is_some(), "the row stays in the database, marked retired");

    std::fs::write(&removed, saved).unwrap();
    let report = app.reseed(dir.path()).await;
    assert_eq!(report.get(Kind::Questions).updated, 1, "restoring the file restores the row");
    let body = app.get_json(&format!("/api/v1/questions/{id}")).await;
    assert_eq!(body["slug"], "gil-threads", "the same id comes back");
}

#[sqlx::test]
async fn a_topic_removed_from_a_track_disappears_from_it_only(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let app = spawn_app_unseeded(pool.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), dir.path());
    let track = dir.path().join("tracks/beta.toml");
    std::fs::write(&track, "title = \"Beta\"\nsummary = \"s\"\n\n[[stages]]\nslug = \"only\"\ntitle = \"Only\"\nsummary = \"\"\ntopics = [\"basics\"]\n").unwrap();
    let report = app.reseed(dir.path()).await;
    assert_eq!(report.get(Kind::Placements).retired, 1);
    assert_eq!(report.get(Kind::Placements).created, 1);
    assert_problem(app.get("/api/v1/tracks/beta/topics/shared").await, StatusCode::NOT_FOUND).await;
    app.topic("alpha", "shared").await;
    app.topic("beta", "basics").await;
}

#[sqlx::test]
async fn invalid_content_reports_every_problem_and_writes_nothing(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), dir.path());
    let q = dir.path().join("topics/basics/questions/mutable-defaults.md");
    let text = std::fs::read_to_string(&q).unwrap().replace("difficulty = \"junior\"", "difficulty = \"expert\"");
    std::fs::write(&q, text).unwrap();
    std::fs::write(
        dir.path().join("topics/basics/questions/Bad_Name.md"),
        "+++\ntitle = \"x\"\ndifficulty = \"mid\"\nprompt = \"p\"\n+++\nA",
    )
    .unwrap();
    std::fs::write(dir.path().join("topics/shared/quiz.toml"), "[[items]]\nslug = \"x\"\nkind = \"single_choice\"\nprompt = \"p\"\noptions = [\"a\", \"b\"]\ncorrect = [5]\nexplanation = \"e\"\n").unwrap();
    std::fs::write(dir.path().join("articles/broken.md"), "no front matter").unwrap();

    let err = content::load_dir(dir.path()).expect_err("invalid content must be refused");
    let text = err.to_string();
    for expected in [
        "topics/basics/questions/mutable-defaults.md: question: difficulty",
        "Bad_Name",
        "topics/shared/quiz.toml: quiz item x: correct indices",
        "articles/broken.md: front matter",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(err.0.len() >= 4);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM track").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn serve_seeds_an_empty_database_once(pool: PgPool) {
    let report = content::seed_if_empty(&pool, &fixture_dir()).await.unwrap();
    assert!(report.is_some());
    let again = content::seed_if_empty(&pool, &fixture_dir()).await.unwrap();
    assert!(again.is_none(), "a seeded database is left alone on start");
}
