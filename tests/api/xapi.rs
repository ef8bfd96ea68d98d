//! xAPI statements against a real learning-record store: Ralph (`ralph-malph` from
//! PyPI, installed by scripts/ensure-tools) with its file-system backend, which
//! validates every statement it is sent (started by `tests/support/ralph_lrs.py`,
//! which says the one setting it changes and why). Only consenting learners' events go; each is
//! stored once under its own id, also when sent again; a statement the LRS refuses is
//! dead and listed; an LRS that is down gets everything once it is back.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;
use studytrack::xapi::forwarder::LrsConfig;

use crate::helpers::{TestApp, TestUser, fixture_dir, mark_topic, seed_dir, spawn_instance};
use crate::smtp::free_port;

const HOME: &str = "https://learn.example.edu";

/// A Ralph LRS on a loopback port, its statements in a folder of its own.
struct Lrs {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

fn venv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/lrs-venv/bin")
}

impl Lrs {
    fn start() -> Lrs {
        let dir = tempfile::tempdir().unwrap();
        let auth = dir.path().join("auth.json");
        let made = Command::new(venv().join("ralph"))
            .args(["auth", "-u", "lrs", "-p", "secret", "-s", "all", "-M", "mailto:lrs@example.com", "-w"])
            .env("RALPH_AUTH_FILE", &auth)
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("Ralph needs scripts/ensure-tools (ralph-malph in target/lrs-venv)");
        assert!(made.success(), "ralph auth failed");
        let mut lrs = Lrs { child: None, port: free_port(), dir };
        lrs.run();
        lrs
    }

    fn run(&mut self) {
        let path: &Path = self.dir.path();
        let launcher = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/ralph_lrs.py");
        let child = Command::new(venv().join("python"))
            .arg(launcher)
            .arg(self.port.to_string())
            .current_dir(path)
            .env("RALPH_AUTH_FILE", path.join("auth.json"))
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .env("RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH", path)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "Ralph did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn config(&self) -> LrsConfig {
        LrsConfig {
            endpoint: format!("http://127.0.0.1:{}/xAPI/", self.port),
            username: "lrs".into(),
            password: "secret".to_owned().into(),
            home_page: HOME.into(),
            timeout: Duration::from_secs(5),
        }
    }

    /// Every statement the LRS stores.
    async fn statements(&self) -> Vec<Value> {
        let body: Value = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{}/xAPI/statements?limit=500", self.port))
            .basic_auth("lrs", Some("secret"))
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["statements"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Lrs {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn app_with_lrs(pool: PgPool, lrs: &Lrs) -> TestApp {
    seed_dir(&pool, &fixture_dir()).await;
    studytrack::xapi::set_enabled(&pool, true).await.unwrap();
    let mut settings = Settings::for_tests("postgres://unused");
    settings.job_poll = Duration::from_millis(20);
    settings.job_retry_base = Duration::from_millis(100);
    settings.xapi = Some(lrs.config());
    spawn_instance(pool, settings).await.0
}

async fn consent(app: &TestApp, user: &TestUser) {
    let res = app
        .request_as(Method::PUT, "/api/v1/me/consent", &user.access)
        .json(&json!({"share_learning_records": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn review(app: &TestApp, user: &TestUser) {
    let card = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await["items"][0]["id"].clone();
    let body = json!({"review_id": uuid::Uuid::new_v4(), "flashcard_id": card, "rating": "good"});
    let res = app.request_as(Method::POST, "/api/v1/me/reviews", &user.access).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// The forwarder's statements in `status`, once `count` of them are there.
async fn listed(app: &TestApp, admin: &TestUser, status: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page: Value = app
            .get_as(&format!("/api/v1/admin/xapi/statements?status={status}&limit=100"), &admin.access)
            .await
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= count {
            return items;
        }
        if Instant::now() > deadline {
            let all: Value = app.get_as("/api/v1/admin/xapi/statements", &admin.access).await.json().await.unwrap();
            panic!("waiting for {count} {status} statements: {all:#}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[sqlx::test]
async fn consenting_learners_events_reach_the_lrs_once_as_valid_statements(pool: PgPool) {
    let lrs = Lrs::start();
    let app = app_with_lrs(pool, &lrs).await;
    let admin = app.new_admin("admin@example.com").await;
    let (ann, bob) = (app.new_user("ann@example.com").await, app.new_user("bob@example.com").await);
    consent(&app, &ann).await;
    mark_topic(&app, &ann, "alpha", "basics", "done").await;
    review(&app, &ann).await;
    let quiz: Value = app
        .request_as(Method::POST, "/api/v1/me/quizzes", &ann.access)
        .json(&json!({"mode": "practice", "size": 2, "scope": {"topics": ["basics"]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let submitted = app
        .request_as(
            Method::POST,
            &format!("/api/v1/me/quizzes/{}/submission", quiz["id"].as_str().unwrap()),
            &ann.access,
        )
        .json(&json!({"answers": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::OK);
    // A one-question mock interview, skipped: completed.
    let interview: Value = app
        .request_as(Method::POST, "/api/v1/me/interviews", &ann.access)
        .json(&json!({"scope": {"topics": ["basics"]}, "size": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let skip = format!("/api/v1/me/interviews/{}/items/0/answer", interview["id"].as_str().unwrap());
    let skipped = app.request_as(Method::PUT, &skip, &ann.access).json(&json!({"skip": true})).send().await.unwrap();
    assert_eq!(skipped.status(), StatusCode::OK);
    // Bob never consented: nothing of his goes.
    mark_topic(&app, &bob, "alpha", "basics", "done").await;
    review(&app, &bob).await;

    let sent = listed(&app, &admin, "sent", 4).await;
    let stored = lrs.statements().await;
    assert_eq!(stored.len(), 4, "four statements, all Ann's: {stored:#?}");
    let me: Value = app.get_as("/api/v1/me", &ann.access).await.json().await.unwrap();
    for statement in &stored {
        assert_eq!(statement["actor"]["account"], json!({"homePage": HOME, "name": me["id"]}));
        assert!(!statement.to_string().contains("ann@example.com"), "never the email");
        assert!(sent.iter().any(|s| s["id"] == statement["id"]), "stored under the event's own id");
    }
    let verbs: Vec<&str> = stored.iter().map(|s| s["verb"]["id"].as_str().unwrap()).collect();
    for verb in ["completed", "answered", "failed"] {
        assert!(verbs.contains(&format!("http://adlnet.gov/expapi/verbs/{verb}").as_str()), "{verbs:?}");
    }
    let objects: Vec<&str> = stored.iter().map(|s| s["object"]["id"].as_str().unwrap()).collect();
    for object in ["topics/basics", "topics/basics/quiz", "topics/basics/mock-interview"] {
        assert!(objects.contains(&format!("{HOME}/{object}").as_str()), "{objects:?}");
    }
    let quiz = stored.iter().find(|s| s["verb"]["display"]["en-US"] == "failed").unwrap();
    assert_eq!(quiz["result"]["score"]["scaled"], 0.0);

    // Sending a statement again (a retry whose answer was lost) stores nothing new.
    let again = sent[0]["id"].as_str().unwrap();
    sqlx::query("UPDATE xapi_statement SET status = 'pending' WHERE statement_id = $1::uuid")
        .bind(again)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO job (kind, payload) VALUES ('xapi', jsonb_build_object('statement_id', $1::text))")
        .bind(again)
        .execute(&app.pool)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row: (String, i32) =
            sqlx::query_as("SELECT status, attempts FROM xapi_statement WHERE statement_id = $1::uuid")
                .bind(again)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        if row == ("sent".to_owned(), 2) {
            break;
        }
        assert!(Instant::now() < deadline, "the resend never went: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(lrs.statements().await.len(), 4, "the LRS keeps one statement per id");
}

#[sqlx::test]
async fn a_refused_statement_is_dead_and_an_lrs_outage_loses_nothing(pool: PgPool) {
    let mut lrs = Lrs::start();
    let app = app_with_lrs(pool, &lrs).await;
    let admin = app.new_admin("admin@example.com").await;
    let ann = app.new_user("ann@example.com").await;
    consent(&app, &ann).await;

    // A statement the LRS refuses (no verb): dead at once, with the LRS's answer.
    let id = uuid::Uuid::new_v4();
    let me: Value = app.get_as("/api/v1/me", &ann.access).await.json().await.unwrap();
    sqlx::query(
        "INSERT INTO xapi_statement (statement_id, user_id, event_type, event, statement)
         VALUES ($1, $2::uuid, 'topic.completed', '{}', jsonb_build_object('id', $1::text, 'object', jsonb_build_object('id', 'x')));
         ",
    )
    .bind(id)
    .bind(me["id"].as_str().unwrap())
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO job (kind, payload) VALUES ('xapi', jsonb_build_object('statement_id', $1::text))")
        .bind(id.to_string())
        .execute(&app.pool)
        .await
        .unwrap();
    let dead = listed(&app, &admin, "dead", 1).await;
    assert_eq!(dead[0]["id"], id.to_string());
    let code = dead[0]["last_status_code"].as_i64().unwrap();
    assert!((400..500).contains(&code), "the LRS's refusal: {code}");
    assert_eq!(dead[0]["attempts"], 1, "a refusal is not retried");

    // The LRS goes down; Ann keeps studying; it comes back.
    lrs.stop();
    review(&app, &ann).await;
    review(&app, &ann).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let failed: i64 =
            sqlx::query_scalar("SELECT count(*) FROM xapi_statement WHERE status = 'pending' AND attempts >= 1")
                .fetch_one(&app.pool)
                .await
                .unwrap();
        if failed == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no failed attempts while the LRS was down");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    lrs.run();
    listed(&app, &admin, "sent", 2).await;
    assert_eq!(lrs.statements().await.len(), 2, "both reviews, once each");
}
