//! The editorial workflow over HTTP: drafts invisible on every public path, previews,
//! change sets reviewed and published all or nothing, scheduled publishing exactly
//! once across instances and restarts, revisions and restore, editors and scoped API
//! tokens held to their operations (a walk over the OpenAPI document).

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;
use time::Duration;

use crate::helpers::{PASSWORD, TestApp, TestUser, assert_problem, spawn_app, spawn_instance, user_from};

async fn send(app: &TestApp, who: &str, method: Method, path: &str, body: Option<Value>) -> Response {
    let req = app.request_as(method, path, who);
    match body {
        Some(body) => req.json(&body),
        None => req,
    }
    .send()
    .await
    .unwrap()
}

async fn ok(res: Response) -> (Value, Option<String>) {
    let status = res.status();
    let tag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "answered {status}: {body}");
    (serde_json::from_str(&body).unwrap_or(Value::Null), tag)
}

/// An account with `role`, logged in.
async fn staff(app: &TestApp, email: &str, role: studytrack::auth::Role) -> TestUser {
    let hash = studytrack::security::hashing::PasswordHasher::new(1).unwrap().hash(PASSWORD.into()).await.unwrap();
    let account = studytrack::auth::store::NewAccount {
        email,
        normalized: email,
        display_name: "Staff",
        password_hash: &hash,
        role,
        email_verified: true,
    };
    studytrack::auth::store::insert(&app.pool, account).await.unwrap().unwrap();
    user_from(email, &app.login(email, PASSWORD).await.json().await.unwrap())
}

async fn question_id(app: &TestApp, slug: &str) -> String {
    let topic = app.get_json("/api/v1/tracks/alpha/topics/basics").await;
    topic["questions"].as_array().unwrap().iter().find(|q| q["slug"] == slug).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn admin_doc(app: &TestApp, who: &TestUser, kind: &str, key: &str) -> Value {
    ok(send(app, &who.access, Method::GET, &format!("/api/v1/admin/content/{kind}/{key}"), None).await).await.0["doc"]
        .clone()
}

async fn new_changeset(app: &TestApp, who: &TestUser, title: &str) -> String {
    let (cs, _) =
        ok(send(app, &who.access, Method::POST, "/api/v1/admin/changesets", Some(json!({"title": title}))).await).await;
    cs["id"].as_str().unwrap().to_owned()
}

/// Drafts a retitled question into a change set; returns the draft's ETag.
async fn retitle(app: &TestApp, who: &TestUser, id: &str, title: &str, changeset: &str) -> String {
    let mut doc = admin_doc(app, who, "questions", id).await;
    doc["title"] = json!(title);
    let path = format!("/api/v1/admin/content/questions/{id}/draft?changeset={changeset}");
    ok(send(app, &who.access, Method::PUT, &path, Some(doc)).await).await.1.unwrap()
}

/// Every public read a learner's client makes of the fixture content, with ETags.
async fn public_state(app: &TestApp, question: &str) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/tracks".to_owned(),
        "/api/v1/tracks/alpha".to_owned(),
        "/api/v1/tracks/alpha/topics/basics".to_owned(),
        "/api/v1/tracks/alpha/topics/basics/flashcards".to_owned(),
        format!("/api/v1/questions/{question}"),
        "/api/v1/questions?topic=basics".to_owned(),
        "/api/v1/questions?q=retitled".to_owned(),
        "/api/v1/tracks/alpha/bundle".to_owned(),
        "/api/v1/tracks/alpha/changes".to_owned(),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let tag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
        let mut body: Value = res.json().await.unwrap();
        if path.ends_with("/bundle") {
            body["generated_at"] = Value::Null;
        }
        out.push((path, body.to_string(), tag));
    }
    out
}

/// The published title of the question in a [`public_state`].
fn before_title(state: &[(String, String, Option<String>)]) -> String {
    let question = state.iter().find(|(path, _, _)| path.starts_with("/api/v1/questions/")).unwrap();
    serde_json::from_str::<Value>(&question.1).unwrap()["title"].as_str().unwrap().to_owned()
}

fn same_public_state(before: &[(String, String, Option<String>)], now: &[(String, String, Option<String>)]) {
    for (b, n) in before.iter().zip(now) {
        assert!(b == n, "{} changed:\n{}\n{}\n{:?} {:?}", b.0, b.1, n.1, b.2, n.2);
    }
}

#[sqlx::test]
async fn drafts_stay_invisible_until_their_change_set_publishes_and_previews_show_them(pool: PgPool) {
    let app = spawn_app(pool).await;
    let author = app.new_admin("author@example.com").await;
    let reviewer = app.new_admin("reviewer@example.com").await;
    let learner = app.new_user("learner@example.com").await;
    let id = question_id(&app, "identity-vs-equality").await;
    crate::helpers::mark_question(&app, &learner, &id, "got_it").await;
    let before = public_state(&app, &id).await;

    let cs = new_changeset(&app, &author, "Week 49").await;
    retitle(&app, &author, &id, "Identity, retitled", &cs).await;
    // New content as a draft only, with an id reserved for it now.
    let new_q = json!({"topic": "basics", "slug": "walrus", "title": "What does `:=` do? retitled",
                       "difficulty": "junior", "prompt": "Explain the walrus operator.",
                       "answer": "It assigns and returns the value."});
    let (created, _) = ok(send(
        &app,
        &author.access,
        Method::POST,
        &format!("/api/v1/admin/drafts/questions?changeset={cs}"),
        Some(new_q),
    )
    .await)
    .await;
    let new_id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["is_new"], true);
    assert_eq!(created["publishable"], true, "{created}");
    // An incomplete draft is kept, and says what is missing.
    let (partial, _) = ok(send(
        &app,
        &author.access,
        Method::POST,
        "/api/v1/admin/drafts/questions",
        Some(json!({"topic": "basics", "slug": "half-done"})),
    )
    .await)
    .await;
    assert_eq!(partial["publishable"], false);
    assert!(!partial["problems"].as_array().unwrap().is_empty(), "{partial}");

    // Nothing public moved: bodies, ETags, search, bundle, change feed.
    same_public_state(&before, &public_state(&app, &id).await);
    assert_problem(app.get(&format!("/api/v1/questions/{new_id}")).await, StatusCode::NOT_FOUND).await;

    // A preview token shows the change set through the public reads.
    let (issued, _) = ok(send(
        &app,
        &author.access,
        Method::POST,
        "/api/v1/admin/preview-tokens",
        Some(json!({"changeset_id": cs, "expires_in_seconds": 3600})),
    )
    .await)
    .await;
    let token = issued["token"].as_str().unwrap().to_owned();
    let res = app.get(&format!("/api/v1/questions/{id}?preview={token}")).await;
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert!(res.headers().get("etag").is_none());
    let previewed: Value = res.json().await.unwrap();
    assert_eq!(previewed["title"], "Identity, retitled");
    let res = app.client.get(app.url(&format!("/api/v1/questions/{new_id}"))).header("Preview-Token", &token);
    assert_eq!(res.send().await.unwrap().json::<Value>().await.unwrap()["slug"], "walrus");
    let topic = app.get_json(&format!("/api/v1/tracks/alpha/topics/basics?preview={token}")).await;
    assert!(topic["questions"].as_array().unwrap().iter().any(|q| q["id"] == new_id.as_str()));
    // Search, the question list and the offline bundle see the drafts too.
    let res = app.get(&format!("/api/v1/questions?q=retitled&preview={token}")).await;
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let found: Value = res.json().await.unwrap();
    let ids: Vec<&str> = found["items"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&id.as_str()) && ids.contains(&new_id.as_str()), "search with the preview: {found}");
    let listed = app.get_json(&format!("/api/v1/questions?topic=basics&preview={token}")).await;
    assert!(listed["items"].as_array().unwrap().iter().any(|q| q["id"] == new_id.as_str()), "{listed}");
    let res = app.client.get(app.url("/api/v1/tracks/alpha/bundle")).header("Preview-Token", &token);
    let res = res.send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert!(res.headers().get("etag").is_none());
    let bundle: Value = res.json().await.unwrap();
    let bundled: Vec<&Value> =
        bundle["topics"].as_array().unwrap().iter().flat_map(|t| t["questions"].as_array().unwrap()).collect();
    assert!(bundled.iter().any(|q| q["id"] == new_id.as_str() && q["slug"] == "walrus"), "bundle: {bundle}");
    assert!(bundled.iter().any(|q| q["id"] == id.as_str() && q["title"] == "Identity, retitled"));
    let articles = app.get(&format!("/api/v1/articles?preview={token}")).await;
    assert_eq!(articles.headers()["cache-control"], "private, no-store");
    // Previews leave the public content and its cache alone.
    same_public_state(&before, &public_state(&app, &id).await);
    // A token for one draft shows that draft only.
    let (one, _) = ok(send(
        &app,
        &author.access,
        Method::POST,
        "/api/v1/admin/preview-tokens",
        Some(json!({"kind": "questions", "key": new_id})),
    )
    .await)
    .await;
    let one = one["token"].as_str().unwrap();
    assert_eq!(app.get_json(&format!("/api/v1/questions/{new_id}?preview={one}")).await["slug"], "walrus");
    assert_eq!(app.get_json(&format!("/api/v1/questions/{id}?preview={one}")).await["title"], before_title(&before));
    // Revoked and expired tokens are refused at once.
    let other = ok(send(
        &app,
        &author.access,
        Method::POST,
        "/api/v1/admin/preview-tokens",
        Some(json!({"changeset_id": cs, "expires_in_seconds": 60})),
    )
    .await)
    .await
    .0;
    let path = format!("/api/v1/admin/preview-tokens/{}", issued["id"].as_str().unwrap());
    assert_eq!(send(&app, &author.access, Method::DELETE, &path, None).await.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get(&format!("/api/v1/questions/{id}?preview={token}")).await, StatusCode::UNAUTHORIZED).await;
    app.clock.advance(Duration::seconds(61));
    let expired = other["token"].as_str().unwrap();
    assert_problem(app.get(&format!("/api/v1/tracks/alpha?preview={expired}")).await, StatusCode::UNAUTHORIZED).await;

    // Review: the author cannot approve their own work; another admin can.
    let cs_path = format!("/api/v1/admin/changesets/{cs}");
    assert_problem(
        send(&app, &author.access, Method::POST, &format!("{cs_path}/publish"), None).await,
        StatusCode::CONFLICT,
    )
    .await;
    ok(send(&app, &author.access, Method::POST, &format!("{cs_path}/submit"), None).await).await;
    assert_problem(
        send(&app, &author.access, Method::POST, &format!("{cs_path}/approve"), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (shown, _) = ok(send(&app, &reviewer.access, Method::GET, &cs_path, None).await).await;
    assert_eq!(shown["items"].as_array().unwrap().len(), 2, "{shown}");
    let retitled = shown["items"].as_array().unwrap().iter().find(|i| i["id"] == id.as_str()).unwrap();
    assert_eq!(retitled["diff"]["title"]["after"], "Identity, retitled");
    ok(send(&app, &reviewer.access, Method::POST, &format!("{cs_path}/approve"), None).await).await;

    // Publishing: one notification to every cache, all items live, ids kept.
    let mut listener = sqlx::postgres::PgListener::connect_with(&app.pool).await.unwrap();
    listener.listen("studytrack_content").await.unwrap();
    let (published, _) =
        ok(send(&app, &reviewer.access, Method::POST, &format!("{cs_path}/publish"), None).await).await;
    assert_eq!(published["state"], "published");
    let mut notifications = 0;
    while let Ok(Ok(_)) = tokio::time::timeout(std::time::Duration::from_millis(500), listener.recv()).await {
        notifications += 1;
    }
    assert_eq!(notifications, 1, "one publish, one notification");
    assert_eq!(app.get_json(&format!("/api/v1/questions/{id}")).await["title"], "Identity, retitled");
    assert_eq!(app.get_json(&format!("/api/v1/questions/{new_id}")).await["slug"], "walrus", "the reserved id");
    let hits = app.get_json("/api/v1/questions?q=retitled").await;
    assert_eq!(hits["items"].as_array().unwrap().len(), 2, "{hits}");
    // The learner's mark is on the same question.
    let mark: Option<String> = sqlx::query_scalar("SELECT status FROM question_mark WHERE question_id = $1::uuid")
        .bind(&id)
        .fetch_optional(&app.pool)
        .await
        .unwrap_or(None);
    assert_eq!(mark.as_deref(), Some("got_it"));
    // The drafts became revisions; the published change set is closed to edits.
    let (revs, _) =
        ok(send(&app, &author.access, Method::GET, &format!("/api/v1/admin/content/questions/{id}/revisions"), None)
            .await)
        .await;
    let revs = revs["items"].as_array().unwrap();
    assert_eq!(revs.len(), 2, "the seeded version and the published draft");
    assert_eq!(revs[0]["changeset_id"], cs.as_str());
    assert_problem(
        send(&app, &author.access, Method::GET, &format!("/api/v1/admin/content/questions/{id}/draft"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = send(
        &app,
        &author.access,
        Method::PUT,
        &format!("/api/v1/admin/content/questions/{id}/draft?changeset={cs}"),
        Some(admin_doc(&app, &author, "questions", &id).await),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;
}

#[sqlx::test]
async fn a_change_set_publishes_all_or_nothing(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.require_approval = false;
    crate::helpers::seed_dir(&pool, &crate::helpers::fixture_dir()).await;
    let (app, _) = spawn_instance(pool, settings).await;
    let admin = app.new_admin("admin@example.com").await;
    let good = question_id(&app, "identity-vs-equality").await;
    let bad = question_id(&app, "list-aliasing").await;
    let before = app.get_json(&format!("/api/v1/questions/{good}")).await;
    let cs = new_changeset(&app, &admin, "mixed").await;
    retitle(&app, &admin, &good, "A fine new title", &cs).await;
    let mut doc = admin_doc(&app, &admin, "questions", &bad).await;
    doc["difficulty"] = json!("impossible");
    let path = format!("/api/v1/admin/content/questions/{bad}/draft?changeset={cs}");
    ok(send(&app, &admin.access, Method::PUT, &path, Some(doc)).await).await;
    let res = send(&app, &admin.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/publish"), None).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem.to_string().contains(&bad), "the failing item is named: {problem}");
    assert_eq!(app.get_json(&format!("/api/v1/questions/{good}")).await, before, "nothing published");
    let (cs_now, _) =
        ok(send(&app, &admin.access, Method::GET, &format!("/api/v1/admin/changesets/{cs}"), None).await).await;
    assert_eq!(cs_now["state"], "open");
    // Fixed, it publishes (no approval needed on this server).
    let (draft, tag) =
        ok(send(&app, &admin.access, Method::GET, &format!("/api/v1/admin/content/questions/{bad}/draft"), None).await)
            .await;
    let mut fixed = draft["doc"].clone();
    fixed["difficulty"] = json!("mid");
    let res = app
        .request_as(Method::PUT, &format!("/api/v1/admin/content/questions/{bad}/draft?revision=major"), &admin.access)
        .header("If-Match", tag.unwrap())
        .json(&fixed)
        .send()
        .await
        .unwrap();
    ok(res).await;
    // Two admins pressing publish at once: it publishes once, the other is told.
    let publish = format!("/api/v1/admin/changesets/{cs}/publish");
    let (first, second) = tokio::join!(
        send(&app, &admin.access, Method::POST, &publish, None),
        send(&app, &admin.access, Method::POST, &publish, None)
    );
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(app.get_json(&format!("/api/v1/questions/{good}")).await["title"], "A fine new title");
    assert_eq!(app.get_json(&format!("/api/v1/questions/{bad}")).await["difficulty"], "mid");
    let major: bool =
        sqlx::query_scalar("SELECT major_revision_at IS NOT NULL FROM question WHERE question_id = $1::uuid")
            .bind(&bad)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(major, "a major revision puts learners' progress on it back under verification");
}

#[sqlx::test]
async fn two_admins_racing_on_one_draft_never_overwrite_each_other(pool: PgPool) {
    let app = spawn_app(pool).await;
    let a = app.new_admin("a@example.com").await;
    let b = app.new_admin("b@example.com").await;
    let id = question_id(&app, "identity-vs-equality").await;
    let doc = admin_doc(&app, &a, "questions", &id).await;
    let path = format!("/api/v1/admin/content/questions/{id}/draft");
    // Both start the entity's first draft at once: one wins; the other finds a draft
    // there and is asked for its ETag, never overwriting it.
    let (ra, rb) = tokio::join!(
        send(&app, &a.access, Method::PUT, &path, Some(doc.clone())),
        send(&app, &b.access, Method::PUT, &path, Some(doc.clone()))
    );
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        [StatusCode::PRECONDITION_FAILED, StatusCode::PRECONDITION_REQUIRED].contains(&statuses[1]),
        "{statuses:?}"
    );
    let (first, _) = ok(send(&app, &a.access, Method::GET, &path, None).await).await;
    assert_eq!(first["version"], 1, "the loser wrote nothing");
    let (_, tag) = ok(send(&app, &a.access, Method::GET, &path, None).await).await;
    let tag = tag.unwrap();
    let edit = |who: &TestUser, title: &str| {
        let mut d = doc.clone();
        d["title"] = json!(title);
        app.request_as(Method::PUT, &path, &who.access).header("If-Match", &tag).json(&d).send()
    };
    let (ra, rb) = tokio::join!(edit(&a, "from a"), edit(&b, "from b"));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
    assert_problem(
        send(&app, &a.access, Method::PUT, &path, Some(doc.clone())).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    assert_problem(send(&app, &a.access, Method::DELETE, &path, None).await, StatusCode::PRECONDITION_REQUIRED).await;
}

async fn wait_for_state(app: &TestApp, who: &TestUser, cs: &str, state: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (shown, _) =
            ok(send(app, &who.access, Method::GET, &format!("/api/v1/admin/changesets/{cs}"), None).await).await;
        if shown["state"] == state {
            return shown;
        }
        assert!(std::time::Instant::now() < deadline, "change set {cs} never became {state}: {shown}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[sqlx::test]
async fn scheduled_publishing_happens_once_across_instances_and_restarts_and_reports_failures(pool: PgPool) {
    crate::helpers::seed_dir(&pool, &crate::helpers::fixture_dir()).await;
    let mut settings = Settings::for_tests("postgres://unused");
    settings.job_poll = std::time::Duration::from_millis(20);
    let (one, _) = spawn_instance(pool.clone(), settings.clone()).await;
    let (two, _) = spawn_instance(pool.clone(), settings.clone()).await;
    let author = one.new_admin("author@example.com").await;
    let reviewer = one.new_admin("reviewer@example.com").await;
    let id = question_id(&one, "identity-vs-equality").await;

    let cs = new_changeset(&one, &author, "Monday 09:00").await;
    retitle(&one, &author, &id, "Published on schedule", &cs).await;
    ok(send(&one, &author.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/submit"), None).await).await;
    ok(send(&one, &reviewer.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/approve"), None).await).await;
    let at = one.clock.now() + Duration::hours(2);
    let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
    let path = format!("/api/v1/admin/changesets/{cs}/schedule");
    ok(send(&one, &reviewer.access, Method::PUT, &path, Some(json!({"publish_at": at}))).await).await;
    // Not before its time.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_ne!(one.get_json(&format!("/api/v1/questions/{id}")).await["title"], "Published on schedule");
    // Both instances come due at once; it publishes exactly once.
    one.clock.advance(Duration::hours(3));
    two.clock.advance(Duration::hours(3));
    wait_for_state(&one, &author, &cs, "published").await;
    assert_eq!(two.get_json(&format!("/api/v1/questions/{id}")).await["title"], "Published on schedule");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let publishes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE kind = 'changeset' AND action = 'publish' AND entity_id = $1::uuid",
    )
    .bind(&cs)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(publishes, 1);
    let revisions: i64 = sqlx::query_scalar("SELECT count(*) FROM content_revision WHERE entity_id = $1::uuid")
        .bind(&id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(revisions, 2, "the seeded version and one publish");

    // Across a restart: scheduled by one instance, published by a later one.
    let cs2 = new_changeset(&one, &author, "after the restart").await;
    retitle(&one, &author, &id, "Published after a restart", &cs2).await;
    ok(send(&one, &author.access, Method::POST, &format!("/api/v1/admin/changesets/{cs2}/submit"), None).await).await;
    ok(send(&one, &reviewer.access, Method::POST, &format!("/api/v1/admin/changesets/{cs2}/approve"), None).await)
        .await;
    let at = (one.clock.now() + Duration::hours(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let path = format!("/api/v1/admin/changesets/{cs2}/schedule");
    ok(send(&one, &reviewer.access, Method::PUT, &path, Some(json!({"publish_at": at}))).await).await;
    drop((one, two));
    let (three, _) = spawn_instance(pool.clone(), settings.clone()).await;
    let author =
        user_from("author@example.com", &three.login("author@example.com", PASSWORD).await.json().await.unwrap());
    three.clock.advance(Duration::hours(5));
    wait_for_state(&three, &author, &cs2, "published").await;
    assert_eq!(three.get_json(&format!("/api/v1/questions/{id}")).await["title"], "Published after a restart");

    // A change after approval voids it; the due publish fails, is reported, and
    // publishes nothing.
    let reviewer =
        user_from("reviewer@example.com", &three.login("reviewer@example.com", PASSWORD).await.json().await.unwrap());
    let cs3 = new_changeset(&three, &author, "edited after approval").await;
    let tag = retitle(&three, &author, &id, "Never seen", &cs3).await;
    ok(send(&three, &author.access, Method::POST, &format!("/api/v1/admin/changesets/{cs3}/submit"), None).await).await;
    ok(send(&three, &reviewer.access, Method::POST, &format!("/api/v1/admin/changesets/{cs3}/approve"), None).await)
        .await;
    let at = (three.clock.now() + Duration::hours(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let path = format!("/api/v1/admin/changesets/{cs3}/schedule");
    ok(send(&three, &reviewer.access, Method::PUT, &path, Some(json!({"publish_at": at}))).await).await;
    let mut doc = admin_doc(&three, &author, "questions", &id).await;
    doc["title"] = json!("Never seen either");
    let res = three
        .request_as(Method::PUT, &format!("/api/v1/admin/content/questions/{id}/draft"), &author.access)
        .header("If-Match", tag)
        .json(&doc)
        .send()
        .await
        .unwrap();
    ok(res).await;
    three.clock.advance(Duration::hours(2));
    let failed = wait_for_state(&three, &author, &cs3, "failed").await;
    assert!(failed["failure"]["reason"].as_str().unwrap().contains("approval"), "{failed}");
    assert_eq!(three.get_json(&format!("/api/v1/questions/{id}")).await["title"], "Published after a restart");
    let fails: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'fail' AND entity_id = $1::uuid")
            .bind(&cs3)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(fails, 1);
}

#[sqlx::test]
async fn revisions_are_kept_and_an_old_one_restores_as_a_draft(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.require_approval = false;
    let (app, _) = spawn_instance(pool, settings).await;
    crate::helpers::seed_dir(&app.pool, &crate::helpers::fixture_dir()).await;
    let admin = app.new_admin("admin@example.com").await;
    let id = question_id(&app, "identity-vs-equality").await;
    let original = admin_doc(&app, &admin, "questions", &id).await;
    for title in ["Second title", "Third title"] {
        let res = app.get_as(&format!("/api/v1/admin/content/questions/{id}"), &admin.access).await;
        let tag = res.headers()["etag"].to_str().unwrap().to_owned();
        let mut doc: Value = res.json::<Value>().await.unwrap()["doc"].clone();
        doc["title"] = json!(title);
        let res = app
            .request_as(Method::PUT, &format!("/api/v1/admin/content/questions/{id}"), &admin.access)
            .header("If-Match", tag)
            .json(&doc)
            .send()
            .await
            .unwrap();
        ok(res).await;
    }
    let path = format!("/api/v1/admin/content/questions/{id}/revisions");
    let (revs, _) = ok(send(&app, &admin.access, Method::GET, &path, None).await).await;
    let revs = revs["items"].as_array().unwrap().clone();
    assert_eq!(revs.iter().map(|r| r["number"].as_i64().unwrap()).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(revs[0]["diff"]["title"], json!({"before": "Second title", "after": "Third title"}));
    assert_eq!(revs[0]["author_email"], "admin@example.com");
    assert_eq!(revs[2]["doc"], original);
    // Restoring revision 1 makes a draft of it; publishing it brings the text back.
    let (draft, _) = ok(send(&app, &admin.access, Method::POST, &format!("{path}/1/restore"), None).await).await;
    assert_eq!(draft["doc"], original);
    assert_problem(
        send(&app, &admin.access, Method::POST, &format!("{path}/1/restore"), None).await,
        StatusCode::CONFLICT,
    )
    .await;
    let cs = new_changeset(&app, &admin, "undo").await;
    let (_, tag) =
        ok(send(&app, &admin.access, Method::GET, &format!("/api/v1/admin/content/questions/{id}/draft"), None).await)
            .await;
    let res = app
        .request_as(Method::PUT, &format!("/api/v1/admin/content/questions/{id}/draft?changeset={cs}"), &admin.access)
        .header("If-Match", tag.unwrap())
        .json(&original)
        .send()
        .await
        .unwrap();
    ok(res).await;
    ok(send(&app, &admin.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/publish"), None).await).await;
    assert_eq!(app.get_json(&format!("/api/v1/questions/{id}")).await["title"], original["title"]);
    let (revs, _) = ok(send(&app, &admin.access, Method::GET, &path, None).await).await;
    assert_eq!(revs["items"][0]["number"], 4);
    assert_problem(
        send(&app, &admin.access, Method::POST, &format!("{path}/9/restore"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

/// The operations of the admin API in the OpenAPI document, with the API-token scopes
/// that grant each (`x-api-token-scopes`; none: admins only).
async fn admin_operations(app: &TestApp) -> Vec<(Method, String, Vec<String>)> {
    let doc = app.get_json("/openapi.json").await;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/admin/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let scopes: Vec<String> = op["x-api-token-scopes"]
                .as_array()
                .map(|s| s.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            let token_scheme = op["security"].as_array().unwrap().iter().any(|req| req.get("api_token").is_some());
            assert_eq!(token_scheme, !scopes.is_empty(), "{method} {path}: the api_token scheme and its scopes");
            out.push((method.to_uppercase().parse().unwrap(), path.clone(), scopes));
        }
    }
    out
}

fn concrete(path: &str) -> String {
    path.replace("{kind}", "topics")
        .replace("{key}", "basics")
        .replace("{track}", "alpha")
        .replace("{number}", "1")
        .replace("{id}", "00000000-0000-4000-8000-000000000000")
        .replace("{delivery}", "1")
}

#[sqlx::test]
async fn editors_and_api_tokens_get_403_outside_their_operations(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let editor = staff(&app, "editor@example.com", studytrack::auth::Role::Editor).await;
    let ops = admin_operations(&app).await;
    assert!(ops.len() > 30);
    let mut tokens = Vec::new();
    for scope in ["content:read", "content:draft", "content:publish", "import"] {
        let body = json!({"name": format!("ci {scope}"), "scopes": [scope], "expires_in_days": 30});
        let (issued, _) = ok(send(&app, &admin.access, Method::POST, "/api/v1/admin/tokens", Some(body)).await).await;
        assert!(issued["token"].as_str().unwrap().starts_with("stk_"));
        tokens.push((scope, issued["token"].as_str().unwrap().to_owned(), issued["id"].as_str().unwrap().to_owned()));
    }
    // Editors may do what tokens with any scope but `content:publish` alone may do.
    for (method, path, scopes) in &ops {
        let url = concrete(path);
        let editor_allowed = !scopes.is_empty() && scopes != &["content:publish".to_owned()];
        let status = send(&app, &editor.access, method.clone(), &url, None).await.status();
        if editor_allowed {
            assert!(
                status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                "editor {method} {path}: {status}"
            );
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "editor {method} {path}");
        }
        for (scope, token, _) in &tokens {
            let status = send(&app, token, method.clone(), &url, None).await.status();
            if scopes.iter().any(|s| s == scope) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{scope} token {method} {path}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{scope} token {method} {path}");
            }
        }
    }
    // Editors never approve or publish, even with a change set to hand.
    let cs = new_changeset(&app, &editor, "editor's").await;
    assert_problem(
        send(&app, &editor.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/approve"), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = send(
        &app,
        &editor.access,
        Method::POST,
        "/api/v1/admin/changesets",
        Some(json!({"title": "x", "requires_approval": false})),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A token's writes are audited with the token named, not only its owner.
    let draft_token = &tokens[1].1;
    let id = question_id(&app, "identity-vs-equality").await;
    let doc = admin_doc(&app, &admin, "questions", &id).await;
    ok(send(&app, draft_token, Method::PUT, &format!("/api/v1/admin/content/questions/{id}/draft"), Some(doc)).await)
        .await;
    let (audit, _) = ok(send(&app, &admin.access, Method::GET, "/api/v1/admin/audit?action=draft", None).await).await;
    let entry = &audit["items"][0];
    assert_eq!(entry["token_name"], "ci content:draft", "{entry}");
    assert_eq!(entry["actor_email"], "admin@example.com");
    let (listed, _) = ok(send(&app, &admin.access, Method::GET, "/api/v1/admin/tokens", None).await).await;
    let used = listed["items"].as_array().unwrap().iter().find(|t| t["name"] == "ci content:draft").unwrap();
    assert!(used["last_used_at"].is_string(), "{used}");
    assert!(!listed.to_string().contains(draft_token.as_str()), "secrets are shown once");

    // Outside the admin API a token is no credential; revoked or expired, it is 401 at once.
    assert_problem(send(&app, draft_token, Method::GET, "/api/v1/me", None).await, StatusCode::UNAUTHORIZED).await;
    let path = format!("/api/v1/admin/tokens/{}", tokens[0].2);
    assert_eq!(send(&app, &admin.access, Method::DELETE, &path, None).await.status(), StatusCode::NO_CONTENT);
    assert_problem(send(&app, &tokens[0].1, Method::GET, "/api/v1/admin/drafts", None).await, StatusCode::UNAUTHORIZED)
        .await;
    assert_eq!(send(&app, draft_token, Method::GET, "/api/v1/admin/drafts", None).await.status(), StatusCode::OK);
    app.clock.advance(Duration::days(31));
    assert_problem(send(&app, draft_token, Method::GET, "/api/v1/admin/drafts", None).await, StatusCode::UNAUTHORIZED)
        .await;
    // Learners get nothing, whatever the operation.
    let learner = app.new_user("learner@example.com").await;
    for (method, path, _) in &ops {
        let status = send(&app, &learner.access, method.clone(), &concrete(path), None).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "learner {method} {path}");
    }
    let _ = admin;
}

#[sqlx::test]
async fn an_import_into_a_change_set_drafts_everything_and_publishes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let editor = staff(&app, "editor@example.com", studytrack::auth::Role::Editor).await;
    let id = question_id(&app, "identity-vs-equality").await;
    let (mut bundle, _) = ok(send(&app, &admin.access, Method::GET, "/api/v1/admin/export/alpha", None).await).await;
    let basics = bundle["topics"].as_array_mut().unwrap().iter_mut().find(|t| t["slug"] == "basics").unwrap();
    let questions = basics["questions"].as_array_mut().unwrap();
    let first = questions.iter_mut().find(|q| q["slug"] == "identity-vs-equality").unwrap();
    first["title"] = json!("Imported, retitled");
    let mut added = first.clone();
    added["slug"] = json!("imported-question");
    questions.push(added);
    let before = public_state(&app, &id).await;

    // A direct import publishes, so it is not an editor's (nor an import-only token's).
    let res = send(&app, &editor.access, Method::POST, "/api/v1/admin/import", Some(bundle.clone())).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let cs = new_changeset(&app, &editor, "from CI").await;
    let path = format!("/api/v1/admin/import?changeset={cs}");
    let (report, _) = ok(send(&app, &editor.access, Method::POST, &path, Some(bundle.clone())).await).await;
    assert_eq!(report["counts"]["questions"]["created"], 1, "{report}");
    assert_eq!(report["counts"]["questions"]["updated"], 1, "{report}");
    assert_eq!(report["changes"]["questions"]["created"], json!(["basics/imported-question"]));
    same_public_state(&before, &public_state(&app, &id).await);
    // Importing the same bundle again only updates the drafts.
    let (again, _) = ok(send(&app, &editor.access, Method::POST, &path, Some(bundle)).await).await;
    assert_eq!(again["counts"]["questions"]["created"], 1);
    let (shown, _) =
        ok(send(&app, &admin.access, Method::GET, &format!("/api/v1/admin/changesets/{cs}"), None).await).await;
    assert_eq!(shown["items"].as_array().unwrap().len(), 2, "{shown}");

    ok(send(&app, &editor.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/submit"), None).await).await;
    ok(send(&app, &admin.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/approve"), None).await).await;
    ok(send(&app, &admin.access, Method::POST, &format!("/api/v1/admin/changesets/{cs}/publish"), None).await).await;
    assert_eq!(app.get_json(&format!("/api/v1/questions/{id}")).await["title"], "Imported, retitled");
    let topic = app.get_json("/api/v1/tracks/alpha/topics/basics").await;
    assert!(topic["questions"].as_array().unwrap().iter().any(|q| q["slug"] == "imported-question"));
}

#[sqlx::test]
async fn editing_a_draft_while_its_change_set_publishes_is_one_or_the_other(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.require_approval = false;
    crate::helpers::seed_dir(&pool, &crate::helpers::fixture_dir()).await;
    let (app, _) = spawn_instance(pool, settings).await;
    let admin = app.new_admin("admin@example.com").await;
    let id = question_id(&app, "identity-vs-equality").await;
    for round in 0..6 {
        let cs = new_changeset(&app, &admin, &format!("round {round}")).await;
        let tag = retitle(&app, &admin, &id, &format!("Round {round}"), &cs).await;
        let mut doc = admin_doc(&app, &admin, "questions", &id).await;
        doc["title"] = json!(format!("Edited during publish {round}"));
        let edit = app
            .request_as(Method::PUT, &format!("/api/v1/admin/content/questions/{id}/draft"), &admin.access)
            .header("If-Match", tag)
            .json(&doc)
            .send();
        let publish_path = format!("/api/v1/admin/changesets/{cs}/publish");
        let publish = send(&app, &admin.access, Method::POST, &publish_path, None);
        let (edit, publish) = tokio::join!(edit, publish);
        let edit = edit.unwrap().status();
        assert_eq!(publish.status(), StatusCode::OK, "round {round}");
        // Before the publish, the edit is in it; after, the draft is gone and the ETag
        // it was made against is stale.
        assert!([StatusCode::OK, StatusCode::PRECONDITION_FAILED].contains(&edit), "round {round}: {edit}");
        let title = app.get_json(&format!("/api/v1/questions/{id}")).await["title"].as_str().unwrap().to_owned();
        let expected =
            if edit == StatusCode::OK { format!("Edited during publish {round}") } else { format!("Round {round}") };
        assert_eq!(title, expected, "round {round}");
    }
}

/// Retires or restores a question directly (`POST …/{action}` with its ETag); must succeed.
async fn direct_write(app: &TestApp, who: &TestUser, id: &str, action: &str) {
    let (_, tag) =
        ok(send(app, &who.access, Method::GET, &format!("/api/v1/admin/content/questions/{id}"), None).await).await;
    let res = app
        .request_as(Method::POST, &format!("/api/v1/admin/content/questions/{id}/{action}"), &who.access)
        .header("If-Match", tag.unwrap())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{action}: {}", res.status());
}

/// Retiring content in a change set: an editor drafts the retirement of one question
/// beside the edit of another; nothing public moves until publish (a preview shows the
/// question gone), then both go live together, the retirement audited and the
/// learner's mark kept for a restore.
#[sqlx::test]
async fn a_change_set_retires_content_together_with_its_edits(pool: PgPool) {
    let app = spawn_app(pool).await;
    let editor = staff(&app, "editor@example.com", studytrack::auth::Role::Editor).await;
    let reviewer = app.new_admin("reviewer@example.com").await;
    let learner = app.new_user("learner@example.com").await;
    let old = question_id(&app, "mutable-defaults").await;
    let kept = question_id(&app, "identity-vs-equality").await;
    crate::helpers::mark_question(&app, &learner, &old, "got_it").await;
    let before = public_state(&app, &kept).await;

    let cs = new_changeset(&app, &editor, "Retire the old defaults question").await;
    retitle(&app, &editor, &kept, "Identity, retitled", &cs).await;
    let retire = format!("/api/v1/admin/content/questions/{old}/draft/retire?changeset={cs}");
    let res = send(&app, &editor.access, Method::POST, &retire, None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (draft, tag) = ok(res).await;
    assert_eq!(draft["retire"], true);
    assert_eq!(draft["publishable"], true, "{draft}");
    // A second draft of the same entity, or editing the retirement, is refused.
    assert_problem(send(&app, &editor.access, Method::POST, &retire, None).await, StatusCode::CONFLICT).await;
    let edit = app
        .request_as(Method::PUT, &format!("/api/v1/admin/content/questions/{old}/draft"), &editor.access)
        .header("If-Match", tag.unwrap())
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(edit, StatusCode::CONFLICT).await;

    // Nothing public moved; a preview shows the question gone and the edit made.
    same_public_state(&before, &public_state(&app, &kept).await);
    assert_eq!(app.get(&format!("/api/v1/questions/{old}")).await.status(), StatusCode::OK);
    let (issued, _) = ok(send(
        &app,
        &editor.access,
        Method::POST,
        "/api/v1/admin/preview-tokens",
        Some(json!({"changeset_id": cs, "expires_in_seconds": 600})),
    )
    .await)
    .await;
    let token = issued["token"].as_str().unwrap();
    assert_problem(app.get(&format!("/api/v1/questions/{old}?preview={token}")).await, StatusCode::NOT_FOUND).await;
    let topic = app.get_json(&format!("/api/v1/tracks/alpha/topics/basics?preview={token}")).await;
    assert!(!topic["questions"].as_array().unwrap().iter().any(|q| q["id"] == old.as_str()), "{topic}");
    assert_eq!(app.get_json(&format!("/api/v1/questions/{kept}?preview={token}")).await["title"], "Identity, retitled");

    // The change set shows the retirement as its diff; reviewed and published as one.
    let cs_path = format!("/api/v1/admin/changesets/{cs}");
    let (shown, _) = ok(send(&app, &editor.access, Method::GET, &cs_path, None).await).await;
    let item = shown["items"].as_array().unwrap().iter().find(|i| i["id"] == old.as_str()).unwrap().clone();
    assert_eq!(item["retire"], true);
    assert_eq!(item["diff"], json!({"retired": {"before": false, "after": true}}));
    ok(send(&app, &editor.access, Method::POST, &format!("{cs_path}/submit"), None).await).await;
    ok(send(&app, &reviewer.access, Method::POST, &format!("{cs_path}/approve"), None).await).await;
    ok(send(&app, &reviewer.access, Method::POST, &format!("{cs_path}/publish"), None).await).await;

    assert_problem(app.get(&format!("/api/v1/questions/{old}")).await, StatusCode::NOT_FOUND).await;
    assert_eq!(app.get_json(&format!("/api/v1/questions/{kept}")).await["title"], "Identity, retitled");
    let (entity, _) =
        ok(send(&app, &reviewer.access, Method::GET, &format!("/api/v1/admin/content/questions/{old}"), None).await)
            .await;
    assert_eq!(entity["retired"], true);
    let retired_by: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT actor_email, token_name FROM audit_log WHERE action = 'retire' AND entity_id = $1::uuid",
    )
    .bind(&old)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(retired_by, [("reviewer@example.com".to_owned(), None)], "the publisher retires it, audited once");
    // Restored later, the learner's mark is still there.
    direct_write(&app, &reviewer, &old, "restore").await;
    let mark: String = sqlx::query_scalar("SELECT status::text FROM question_mark WHERE question_id = $1::uuid")
        .bind(&old)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mark, "got_it");

    // A retirement drafted, then the entity retired directly meanwhile: the change set
    // can no longer publish it; and what does not exist cannot be drafted away.
    let cs2 = new_changeset(&app, &editor, "Again").await;
    let kept_retire = format!("/api/v1/admin/content/questions/{kept}/draft/retire?changeset={cs2}");
    ok(send(&app, &editor.access, Method::POST, &kept_retire, None).await).await;
    // An import cannot quietly turn that retirement back into an edit.
    let (mut bundle, _) = ok(send(&app, &reviewer.access, Method::GET, "/api/v1/admin/export/alpha", None).await).await;
    let basics = bundle["topics"].as_array_mut().unwrap().iter_mut().find(|t| t["slug"] == "basics").unwrap();
    let question = basics["questions"].as_array_mut().unwrap().iter_mut().find(|q| q["slug"] == "identity-vs-equality");
    question.unwrap()["title"] = json!("Imported over a retirement");
    let import = format!("/api/v1/admin/import?changeset={cs2}");
    assert_problem(send(&app, &editor.access, Method::POST, &import, Some(bundle)).await, StatusCode::CONFLICT).await;
    direct_write(&app, &reviewer, &kept, "retire").await;
    let (shown, _) =
        ok(send(&app, &editor.access, Method::GET, &format!("/api/v1/admin/changesets/{cs2}"), None).await).await;
    assert_eq!(shown["items"][0]["problems"][0]["field"], "retired", "{shown}");
    let nobody = format!("/api/v1/admin/content/questions/{}/draft/retire", uuid::Uuid::new_v4());
    assert_problem(send(&app, &editor.access, Method::POST, &nobody, None).await, StatusCode::NOT_FOUND).await;
}
