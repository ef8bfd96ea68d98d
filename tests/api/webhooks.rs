//! Webhooks against a real receiver (`tests/support/webhook_receiver.py`) that checks
//! every call with the published `standardwebhooks` library: one signed delivery per
//! subscribed endpoint, nothing from a rolled-back change, retries through an outage
//! with nothing lost, timeouts on a receiver that hangs, secret rotation, consent,
//! disabling of an endpoint that keeps failing, the target rule, and two instances
//! draining one outbox.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;

use crate::helpers::{TestApp, TestUser, assert_problem, fixture_dir, seed_dir, spawn_instance};
use crate::smtp::free_port;

/// A receiver process on a loopback port, controlled through files in its folder.
struct Receiver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Receiver {
    fn start() -> Receiver {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(manifest.join("target/tools-venv/bin/python"))
            .arg(manifest.join("tests/support/webhook_receiver.py"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("the receiver needs scripts/ensure-tools (standardwebhooks in target/tools-venv)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the receiver did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Receiver { child, port, dir }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn set(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    fn calls(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.path().join("calls.jsonl")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// Waits until `done` holds for the calls so far.
    async fn wait(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let calls = self.calls();
            if done(&calls) {
                return calls;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; calls so far: {calls:#?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings() -> Settings {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.webhook_allow_private = true;
    settings.job_poll = Duration::from_millis(20);
    settings.job_retry_base = Duration::from_millis(100);
    settings.webhook_timeout = Duration::from_millis(500);
    settings
}

async fn app_with(pool: PgPool, settings: Settings) -> TestApp {
    seed_dir(&pool, &fixture_dir()).await;
    spawn_instance(pool, settings).await.0
}

/// Subscribes `url` to `events`; the endpoint's id and secret.
async fn subscribe(app: &TestApp, admin: &TestUser, url: &str, events: &[&str]) -> (String, String) {
    let res = app
        .request_as(Method::POST, "/api/v1/admin/webhooks", &admin.access)
        .json(&json!({"url": url, "events": events, "description": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    (body["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
}

/// Publishes an edit of topic `basics` (a `content.published` event) through the admin API.
async fn publish(app: &TestApp, admin: &TestUser, title: &str) {
    let path = "/api/v1/admin/content/topics/basics";
    let res = app.get_as(path, &admin.access).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let mut doc = res.json::<Value>().await.unwrap()["doc"].clone();
    doc["title"] = title.into();
    let res =
        app.request_as(Method::PUT, path, &admin.access).header("If-Match", etag).json(&doc).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn deliveries(app: &TestApp, admin: &TestUser, endpoint: &str) -> Vec<Value> {
    let page: Value = app
        .get_as(&format!("/api/v1/admin/webhooks/{endpoint}/deliveries?limit=100"), &admin.access)
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[sqlx::test]
async fn a_publish_reaches_each_subscribed_endpoint_once_signed(pool: PgPool) {
    let app = app_with(pool, settings()).await;
    let admin = app.new_admin("admin@example.com").await;
    let (all, published, retired) = (Receiver::start(), Receiver::start(), Receiver::start());
    let (_, s1) = subscribe(&app, &admin, &all.url(), &["*"]).await;
    let (id2, s2) = subscribe(&app, &admin, &published.url(), &["content.published"]).await;
    let (_, s3) = subscribe(&app, &admin, &retired.url(), &["content.retired"]).await;
    for (receiver, secret) in [(&all, &s1), (&published, &s2), (&retired, &s3)] {
        receiver.set("secrets", secret);
    }
    publish(&app, &admin, "Basics, revised").await;
    for receiver in [&all, &published] {
        receiver.wait("one call", |c| !c.is_empty()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let calls = receiver.calls();
        assert_eq!(calls.len(), 1, "exactly one call: {calls:#?}");
        assert_eq!(calls[0]["verified"], json!([true]), "the library verifies our signature");
        assert_eq!(calls[0]["type"], "content.published");
        let body: Value = serde_json::from_str(calls[0]["body"].as_str().unwrap()).unwrap();
        assert_eq!((body["data"]["kind"].as_str(), body["data"]["action"].as_str()), (Some("topics"), Some("updated")));
        assert_eq!(body["data"]["href"], "/api/v1/admin/content/topics/basics");
    }
    assert!(retired.calls().is_empty(), "an endpoint not subscribed to the event hears nothing");
    let listed = deliveries(&app, &admin, &id2).await;
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0]["status"].as_str(), listed[0]["last_status_code"].as_i64()), (Some("delivered"), Some(204)));
    assert_eq!(listed[0]["id"], published.calls()[0]["id"], "the webhook-id is the delivery's id");
    assert_eq!(listed[0]["history"].as_array().map(Vec::len), Some(1));

    // A change that rolls back queues nothing.
    let mut tx = app.pool.begin().await.unwrap();
    let event = studytrack::webhooks::events::EventType::ContentPublished;
    let queued =
        studytrack::webhooks::events::emit(&mut tx, event, time::OffsetDateTime::now_utc(), json!({})).await.unwrap();
    assert_eq!(queued, 2, "two endpoints take content.published");
    tx.rollback().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_delivery").fetch_one(&app.pool).await.unwrap();
    assert_eq!(rows, 2, "only the committed publish's two deliveries exist");

    // A learner cannot manage webhooks; nor can anyone without a token.
    let learner = app.new_user("ann@example.com").await;
    assert_problem(app.get_as("/api/v1/admin/webhooks", &learner.access).await, StatusCode::FORBIDDEN).await;
    assert_problem(app.get("/api/v1/admin/webhooks").await, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_receiver_down_for_a_while_gets_everything_once_it_is_back(pool: PgPool) {
    let app = app_with(pool, settings()).await;
    let admin = app.new_admin("admin@example.com").await;
    let receiver = Receiver::start();
    let (id, secret) = subscribe(&app, &admin, &receiver.url(), &["content.published"]).await;
    receiver.set("secrets", &secret);
    receiver.set("mode", "fail");
    for n in 0..3 {
        publish(&app, &admin, &format!("Basics {n}")).await;
    }
    receiver.wait("each delivery refused at least twice", |calls| calls.len() >= 6).await;
    receiver.set("mode", "ok");
    receiver
        .wait("all three accepted", |calls| {
            calls.iter().filter(|c| c["mode"] == "ok").map(|c| c["id"].as_str()).collect::<HashSet<_>>().len() == 3
        })
        .await;
    // Anything still in flight lands before the count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = receiver.calls();
    let mut accepted: HashMap<String, usize> = HashMap::new();
    for call in calls.iter().filter(|c| c["mode"] == "ok") {
        *accepted.entry(call["id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(accepted.len(), 3, "nothing lost");
    assert!(accepted.values().all(|n| *n == 1), "nothing accepted twice: {accepted:?}");
    assert!(calls.iter().all(|c| c["verified"] == json!([true])));
    let ids: HashSet<&str> = calls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "retries carry the same webhook-id");
    for delivery in deliveries(&app, &admin, &id).await {
        assert_eq!(delivery["status"], "delivered");
        let codes: Vec<i64> =
            delivery["history"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
        assert!(codes.len() >= 2 && codes[..codes.len() - 1].iter().all(|c| *c == 500), "{codes:?}");
        assert_eq!(codes.last(), Some(&204));
    }
}

#[sqlx::test]
async fn a_hanging_receiver_times_out_without_holding_up_the_others(pool: PgPool) {
    let app = app_with(pool, settings()).await;
    let admin = app.new_admin("admin@example.com").await;
    let (stuck, fine) = (Receiver::start(), Receiver::start());
    let (stuck_id, s1) = subscribe(&app, &admin, &stuck.url(), &["content.published"]).await;
    let (_, s2) = subscribe(&app, &admin, &fine.url(), &["content.published"]).await;
    stuck.set("secrets", &s1);
    fine.set("secrets", &s2);
    stuck.set("mode", "hang");
    let started = Instant::now();
    publish(&app, &admin, "Basics, again").await;
    fine.wait("the healthy endpoint's call", |c| !c.is_empty()).await;
    assert!(started.elapsed() < Duration::from_secs(5), "the hanging endpoint held up the other");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = deliveries(&app, &admin, &stuck_id).await;
        let errors: Vec<String> = listed[0]["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["error"].as_str().map(str::to_owned))
            .collect();
        if errors.len() >= 2 {
            assert!(errors.iter().all(|e| e.starts_with("no answer within")), "{errors:?}");
            break;
        }
        assert!(Instant::now() < deadline, "no timed-out attempts recorded: {listed:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[sqlx::test]
async fn a_rotated_secret_overlaps_the_old_one(pool: PgPool) {
    let app = app_with(pool, settings()).await;
    let admin = app.new_admin("admin@example.com").await;
    let receiver = Receiver::start();
    let (id, old) = subscribe(&app, &admin, &receiver.url(), &["content.published"]).await;
    let rotate = |overlap: i64| {
        let path = format!("/api/v1/admin/webhooks/{id}/rotate-secret");
        let req = app.request_as(Method::POST, &path, &admin.access).json(&json!({"overlap_secs": overlap}));
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned()
        }
    };
    let new = rotate(3600).await;
    assert_ne!(new, old);
    receiver.set("secrets", &format!("{old}\n{new}"));
    publish(&app, &admin, "Basics one").await;
    let calls = receiver.wait("a call", |c| !c.is_empty()).await;
    assert_eq!(calls[0]["verified"], json!([true, true]), "both secrets verify during the overlap");
    // Rotating again with no overlap: only the newest secret signs.
    let newest = rotate(0).await;
    receiver.set("secrets", &format!("{new}\n{newest}"));
    publish(&app, &admin, "Basics two").await;
    let calls = receiver.wait("a second call", |c| c.len() >= 2).await;
    assert_eq!(calls[1]["verified"], json!([false, true]));
}

#[sqlx::test]
async fn learner_events_go_out_only_with_consent(pool: PgPool) {
    let app = app_with(pool, settings()).await;
    let admin = app.new_admin("admin@example.com").await;
    let receiver = Receiver::start();
    let (_, secret) = subscribe(&app, &admin, &receiver.url(), &["*"]).await;
    receiver.set("secrets", &secret);
    let ann = app.new_user("ann@example.com").await;
    let card = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let review = || {
        let body = json!({"review_id": uuid::Uuid::new_v4(), "flashcard_id": card, "rating": "good"});
        app.request_as(Method::POST, "/api/v1/me/reviews", &ann.access).json(&body).send()
    };
    let consent = |on: bool| {
        app.request_as(Method::PUT, "/api/v1/me/consent", &ann.access)
            .json(&json!({"share_learning_records": on}))
            .send()
    };
    assert_eq!(review().await.unwrap().status(), StatusCode::OK);
    assert_eq!(consent(true).await.unwrap().status(), StatusCode::OK);
    assert_eq!(review().await.unwrap().status(), StatusCode::OK);
    assert_eq!(consent(false).await.unwrap().status(), StatusCode::OK);
    assert_eq!(review().await.unwrap().status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = receiver.wait("the consented review", |c| !c.is_empty()).await;
    assert_eq!(calls.len(), 1, "only the review made with consent: {calls:#?}");
    let body: Value = serde_json::from_str(calls[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["type"], "review.recorded");
    assert_eq!(
        (body["data"]["object_id"].as_str(), body["data"]["result"].as_str()),
        (Some(card.as_str()), Some("good"))
    );
    let me: Value = app.get_as("/api/v1/me", &ann.access).await.json().await.unwrap();
    assert_eq!(body["data"]["learner_id"], me["id"], "identified by account id, never the email");
    assert!(!calls[0]["body"].as_str().unwrap().contains("ann@example.com"));
    let history: Value = app.get_as("/api/v1/me/consent", &ann.access).await.json().await.unwrap();
    assert_eq!(history["share_learning_records"], false);
    assert_eq!(history["history"].as_array().map(Vec::len), Some(2), "each change is kept");
}

#[sqlx::test]
async fn an_endpoint_that_keeps_failing_is_disabled_and_audited(pool: PgPool) {
    let mut settings = settings();
    settings.webhook_disable_after = 3;
    let app = app_with(pool, settings).await;
    let admin = app.new_admin("admin@example.com").await;
    let receiver = Receiver::start();
    let (id, secret) = subscribe(&app, &admin, &receiver.url(), &["content.published"]).await;
    receiver.set("secrets", &secret);
    receiver.set("mode", "fail");
    publish(&app, &admin, "Basics, failing").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let endpoint = loop {
        let endpoint: Value =
            app.get_as(&format!("/api/v1/admin/webhooks/{id}"), &admin.access).await.json().await.unwrap();
        if endpoint["enabled"] == false {
            break endpoint;
        }
        assert!(Instant::now() < deadline, "never disabled: {endpoint}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(endpoint["disabled_reason"].as_str().unwrap().starts_with("3 failed attempts in a row"), "{endpoint}");
    let audit: Value = app.get_as("/api/v1/admin/audit", &admin.access).await.json().await.unwrap();
    let entry = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "disable").cloned();
    let entry = entry.unwrap_or_else(|| panic!("no audit entry: {audit}"));
    assert_eq!((entry["kind"].as_str(), entry["actor_id"].as_str()), (Some("webhook"), None));
    // Events while disabled are not queued; enabling again resumes.
    let calls_before = receiver.calls().len();
    publish(&app, &admin, "Basics, while disabled").await;
    receiver.set("mode", "ok");
    let res = app
        .request_as(Method::PATCH, &format!("/api/v1/admin/webhooks/{id}"), &admin.access)
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    publish(&app, &admin, "Basics, back").await;
    let calls =
        receiver.wait("a call after enabling", |c| c.iter().skip(calls_before).any(|c| c["mode"] == "ok")).await;
    let accepted: Vec<&Value> = calls.iter().filter(|c| c["mode"] == "ok").collect();
    assert_eq!(accepted.len(), 1, "the publish made while disabled was never queued");
}

#[sqlx::test]
async fn private_targets_and_bad_endpoints_are_refused(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let app = spawn_instance(pool, Settings::for_tests("postgres://unused")).await.0;
    let admin = app.new_admin("admin@example.com").await;
    for (url, events) in [
        ("http://127.0.0.1:9/hook", json!(["*"])),
        ("http://169.254.169.254/latest", json!(["*"])),
        ("http://[::1]/", json!(["*"])),
        ("http://10.0.0.7/", json!(["*"])),
        ("ftp://example.com/", json!(["*"])),
        ("https://user:pw@example.com/", json!(["*"])),
        ("http://127.0.0.1:9/hook", json!(["no.such.event"])),
        ("http://127.0.0.1:9/hook", json!([])),
    ] {
        let res = app
            .request_as(Method::POST, "/api/v1/admin/webhooks", &admin.access)
            .json(&json!({"url": url, "events": events}))
            .send()
            .await
            .unwrap();
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let list: Value = app.get_as("/api/v1/admin/webhooks", &admin.access).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

#[sqlx::test]
async fn two_instances_drain_one_outbox_without_sending_twice(pool: PgPool) {
    seed_dir(&pool, &fixture_dir()).await;
    let a = spawn_instance(pool.clone(), settings()).await.0;
    let _b = spawn_instance(pool, settings()).await.0;
    let admin = a.new_admin("admin@example.com").await;
    let receiver = Receiver::start();
    let (_, secret) = subscribe(&a, &admin, &receiver.url(), &["content.published"]).await;
    receiver.set("secrets", &secret);
    for n in 0..12 {
        publish(&a, &admin, &format!("Basics {n}")).await;
    }
    receiver.wait("twelve calls", |c| c.len() >= 12).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = receiver.calls();
    let ids: HashSet<&str> = calls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!((calls.len(), ids.len()), (12, 12), "each delivery sent once");
}

/// A change set's review and publishing reach a subscribed endpoint (a review channel):
/// submitted, approved, published, each signed and once; a scheduled publish that cannot
/// go ahead is `changeset.failed` with the reason.
#[sqlx::test]
async fn change_sets_announce_review_publish_and_failure(pool: PgPool) {
    let app = app_with(pool, settings()).await;
    let author = app.new_admin("author@example.com").await;
    let reviewer = app.new_admin("reviewer@example.com").await;
    let receiver = Receiver::start();
    let events = ["changeset.submitted", "changeset.approved", "changeset.published", "changeset.failed"];
    let (_, secret) = subscribe(&app, &author, &receiver.url(), &events).await;
    receiver.set("secrets", &secret);
    let call = |who: &TestUser, method: Method, path: String, body: Option<Value>| {
        let req = app.request_as(method, &path, &who.access);
        let req = match body {
            Some(body) => req.json(&body),
            None => req,
        };
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {text}");
            (serde_json::from_str::<Value>(&text).unwrap_or(Value::Null), status)
        }
    };
    let changeset = |title: &'static str| {
        let call = &call;
        let author = &author;
        async move {
            let (cs, _) =
                call(author, Method::POST, "/api/v1/admin/changesets".into(), Some(json!({"title": title}))).await;
            let id = cs["id"].as_str().unwrap().to_owned();
            let (entity, _) = call(author, Method::GET, "/api/v1/admin/content/topics/basics".into(), None).await;
            let mut doc = entity["doc"].clone();
            doc["title"] = json!(format!("Basics ({title})"));
            let path = format!("/api/v1/admin/content/topics/basics/draft?changeset={id}");
            call(author, Method::PUT, path, Some(doc)).await;
            id
        }
    };

    let cs = changeset("Week 49").await;
    call(&author, Method::POST, format!("/api/v1/admin/changesets/{cs}/submit"), None).await;
    call(&reviewer, Method::POST, format!("/api/v1/admin/changesets/{cs}/approve"), None).await;
    call(&reviewer, Method::POST, format!("/api/v1/admin/changesets/{cs}/publish"), None).await;
    let calls = receiver.wait("three calls", |c| c.len() >= 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let calls = if receiver.calls().len() > calls.len() { receiver.calls() } else { calls };
    let mut kinds: Vec<&str> = calls.iter().map(|c| c["type"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["changeset.approved", "changeset.published", "changeset.submitted"], "{calls:#?}");
    for c in &calls {
        assert_eq!(c["verified"], json!([true]), "the library verifies our signature");
        let body: Value = serde_json::from_str(c["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["data"]["id"], cs.as_str());
        assert_eq!(body["data"]["title"], "Week 49");
        assert_eq!(body["data"]["items"], 1);
        assert_eq!(body["data"]["href"], format!("/api/v1/admin/changesets/{cs}"));
        assert_eq!(
            body["data"]["state"].as_str().unwrap(),
            c["type"].as_str().unwrap().trim_start_matches("changeset.")
        );
    }

    // Scheduled, then edited after approval: at the set time it fails, and says why.
    let cs2 = changeset("Friday").await;
    call(&author, Method::POST, format!("/api/v1/admin/changesets/{cs2}/submit"), None).await;
    call(&reviewer, Method::POST, format!("/api/v1/admin/changesets/{cs2}/approve"), None).await;
    let at = (app.clock.now() + time::Duration::hours(1)).format(&time::format_description::well_known::Rfc3339);
    let schedule = format!("/api/v1/admin/changesets/{cs2}/schedule");
    call(&reviewer, Method::PUT, schedule, Some(json!({"publish_at": at.unwrap()}))).await;
    let draft = app.get_as("/api/v1/admin/content/topics/basics/draft", &author.access).await;
    let tag = draft.headers()["etag"].to_str().unwrap().to_owned();
    let mut doc = draft.json::<Value>().await.unwrap()["doc"].clone();
    doc["title"] = json!("Basics, changed after approval");
    let res = app
        .request_as(Method::PUT, "/api/v1/admin/content/topics/basics/draft", &author.access)
        .header("If-Match", tag)
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.clock.advance(time::Duration::hours(2));
    let calls = receiver.wait("the failure", |c| c.iter().any(|c| c["type"] == "changeset.failed")).await;
    let failed = calls.iter().find(|c| c["type"] == "changeset.failed").unwrap();
    assert_eq!(failed["verified"], json!([true]));
    let body: Value = serde_json::from_str(failed["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"]["id"], cs2.as_str());
    assert!(body["data"]["failure"]["reason"].as_str().unwrap().contains("approv"), "{body}");
    let published = calls.iter().filter(|c| c["type"] == "changeset.published").count();
    assert_eq!(published, 1, "the failed change set published nothing");
}
