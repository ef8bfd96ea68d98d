//! The content cache across instances: several servers on one database, edits through
//! one read through another, changes made behind the API's back, a lost subscription,
//! and the optional read replica.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_web::web::Data;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use studytrack::config::Settings;
use studytrack::state::AppState;

use crate::helpers::{TestApp, TestUser, fixture_dir, seed_dir, spawn_instance};

async fn instance(pool: &PgPool) -> (TestApp, Data<AppState>) {
    instance_with(pool, Settings::for_tests("postgres://unused")).await
}

/// An instance with the given settings (instances sharing a signing key accept each
/// other's tokens, as behind a load balancer).
async fn instance_with(pool: &PgPool, settings: Settings) -> (TestApp, Data<AppState>) {
    let (app, state) = spawn_instance(pool.clone(), settings).await;
    wait_for(|| state.cache.is_synced(), "the instance subscribes to content changes").await;
    (app, state)
}

async fn wait_for(mut done: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `path` on `app` until `check` holds; returns how long it took.
async fn eventually(app: &TestApp, path: &str, check: impl Fn(&Value) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let body = app.get_json(path).await;
        if check(&body) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{path} never changed: {body}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn first_question(app: &TestApp) -> String {
    let topic = app.get_json("/api/v1/tracks/alpha/topics/basics").await;
    topic["questions"][0]["id"].as_str().unwrap().to_owned()
}

/// Changes the title of `entity` (`questions/{id}`, `tracks/alpha`) through the admin API.
async fn retitle(app: &TestApp, admin: &TestUser, entity: &str, title: &str) {
    let path = format!("/api/v1/admin/content/{entity}");
    let res = app.get_as(&path, &admin.access).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let mut doc = res.json::<Value>().await.unwrap()["doc"].clone();
    doc["title"] = title.into();
    let res =
        app.request_as(Method::PUT, &path, &admin.access).header("If-Match", etag).json(&doc).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "PUT {path}");
}

#[sqlx::test]
async fn an_admin_edit_on_one_instance_is_read_through_another_within_a_second(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let (a, _) = instance(&pool).await;
    let (b, b_state) = instance(&pool).await;
    let id = first_question(&b).await;
    let path = format!("/api/v1/questions/{id}");
    let before = b.get_json(&path).await;
    let hits = b_state.cache.stats.hits.load(Ordering::Relaxed);
    assert_eq!(b.get_json(&path).await, before);
    assert!(b_state.cache.stats.hits.load(Ordering::Relaxed) > hits, "the second read is served from memory");
    b.get_json("/api/v1/tracks/alpha").await;

    let admin = a.new_admin("admin@example.com").await;
    retitle(&a, &admin, &format!("questions/{id}"), "Edited on instance A").await;
    let took = eventually(&b, &path, |q| q["title"] == "Edited on instance A").await;
    assert!(took < Duration::from_secs(1), "instance B served the old question for {took:?}");
    // The writer's own instance never serves its write stale.
    assert_eq!(a.get_json(&path).await["title"], "Edited on instance A");

    retitle(&a, &admin, "tracks/alpha", "Alpha, renamed").await;
    let took = eventually(&b, "/api/v1/tracks/alpha", |t| t["title"] == "Alpha, renamed").await;
    assert!(took < Duration::from_secs(1), "instance B served the old roadmap for {took:?}");
    let learner = b.new_user("ann@example.com").await;
    let res = b.get_as("/api/v1/tracks/alpha", &learner.access).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["title"],
        "Alpha, renamed",
        "the per-user view uses the new template"
    );
}

#[sqlx::test]
async fn a_change_made_in_sql_behind_the_api_is_noticed(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let (app, _) = instance(&pool).await;
    assert_eq!(app.get_json("/api/v1/tracks").await["items"][0]["slug"], "alpha");
    sqlx::query("UPDATE track SET title = 'Alpha via SQL' WHERE slug = 'alpha'").execute(&pool).await.unwrap();
    let took = eventually(&app, "/api/v1/tracks", |t| t["items"][0]["title"] == "Alpha via SQL").await;
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[sqlx::test]
async fn changes_made_while_the_subscription_is_down_are_not_missed(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let (app, state) = instance(&pool).await;
    let id = first_question(&app).await;
    let path = format!("/api/v1/questions/{id}");
    app.get_json(&path).await;
    // Cut the subscription, then change content before it can come back: the
    // notification is lost, so only the resubscription's invalidation can save us.
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%studytrack_content%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(killed, vec![true], "one content listener connection per instance");
    sqlx::query("UPDATE question SET title = 'Changed in the gap' WHERE question_id = $1::uuid")
        .bind(&id)
        .execute(&pool)
        .await
        .unwrap();
    eventually(&app, &path, |q| q["title"] == "Changed in the gap").await;
    wait_for(|| state.cache.is_synced(), "the instance resubscribes").await;
    assert_eq!(app.get_json(&path).await["title"], "Changed in the gap");
}

#[sqlx::test]
async fn content_reads_use_the_replica_and_fall_back_when_it_is_unreachable(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    // Unreachable replica: every content read still answers, from the primary.
    let mut settings = Settings::for_tests("postgres://unused");
    settings.database_read_url =
        Some(studytrack::config::DatabaseUrl::new("postgres://postgres@127.0.0.1:1/nowhere".to_owned()));
    let (down, down_state) = spawn_instance(pool.clone(), settings).await;
    assert_eq!(down.get_json("/api/v1/tracks/alpha").await["slug"], "alpha");
    assert_eq!(down.get("/api/v1/questions?q=basics").await.status(), StatusCode::OK);
    assert!(!down_state.reads.replica_in_use());

    // A reachable "replica" (this same database under another connection) is used.
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set for the tests");
    let base = base.rsplit_once('/').map(|(server, _)| server.to_owned()).unwrap();
    let mut settings = Settings::for_tests("postgres://unused");
    settings.database_read_url = Some(studytrack::config::DatabaseUrl::new(format!("{base}/{database}")));
    let (up, up_state) = spawn_instance(pool.clone(), settings).await;
    wait_for(|| up_state.reads.replica_in_use(), "the replica is probed healthy and caught up").await;
    let before = up_state.reads.replica_reads.load(Ordering::Relaxed);
    assert_eq!(up.get("/api/v1/questions?q=basics").await.status(), StatusCode::OK);
    assert_eq!(up_state.reads.replica_reads.load(Ordering::Relaxed), before + 1, "the search ran on the replica");
    assert!(down_state.reads.primary_reads.load(Ordering::Relaxed) > 0);
    assert_eq!(down_state.reads.replica_reads.load(Ordering::Relaxed), 0);
}

#[sqlx::test]
async fn a_learners_progress_is_kept_between_writes_and_never_served_stale(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let settings = Settings::for_tests("postgres://unused");
    let (a, _) = instance_with(&pool, settings.clone()).await;
    let (b, b_state) = instance_with(&pool, settings).await;
    let learner = a.new_user("ann@example.com").await;
    let progress = async |app: &TestApp| {
        let res = app.get_as("/api/v1/me/tracks/alpha/progress", &learner.access).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["totals"].clone()
    };
    let before = progress(&b).await;
    let hits = b_state.learners.hits.load(Ordering::Relaxed);
    assert_eq!(progress(&b).await, before, "read twice, nothing changed");
    assert_eq!(b_state.learners.hits.load(Ordering::Relaxed), hits + 1, "the second read came from memory");

    // A write through instance A is seen on instance B at once: the version moved in
    // the database, and B reads it with the account on every request.
    let id = first_question(&a).await;
    crate::helpers::mark_question(&a, &learner, &id, "got_it").await;
    let after = progress(&b).await;
    assert_ne!(after, before, "instance B recomputed after a write on A: {after}");

    // A change made in SQL, behind every instance's back, is seen too.
    sqlx::query("DELETE FROM question_mark").execute(&pool).await.unwrap();
    assert_eq!(progress(&b).await, before);
    assert_eq!(progress(&a).await, before);
}
