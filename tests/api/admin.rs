//! Admin content management: import (dry run, all-or-nothing), export round trips,
//! editing with If-Match, retire/restore, reordering, audit and freshness.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser, assert_problem, real_seed_dir, seed_dir, spawn_app, spawn_app_unseeded};

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in
        ["track", "stage", "topic", "track_topic", "question", "flashcard", "quiz_item", "article", "audit_log"]
    {
        let sql = format!("SELECT count(*) FROM {table}");
        out.push(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&app.pool).await.unwrap());
    }
    let retired: i64 = sqlx::query_scalar("SELECT count(*) FROM question WHERE retired_at IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    out.push(retired);
    out
}

async fn import(app: &TestApp, admin: &TestUser, bundle: &Value, dry_run: bool) -> reqwest::Response {
    app.request_as(Method::POST, &format!("/api/v1/admin/import?dry_run={dry_run}"), &admin.access)
        .json(bundle)
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp, admin: &TestUser, track: &str) -> Value {
    let res = app.get_as(&format!("/api/v1/admin/export/{track}"), &admin.access).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn changed(report: &Value) -> i64 {
    report["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["created"].as_i64().unwrap() + c["updated"].as_i64().unwrap() + c["retired"].as_i64().unwrap())
        .sum()
}

#[sqlx::test]
async fn exporting_and_importing_the_full_tracks_changes_nothing(pool: PgPool) {
    seed_dir(&pool, &real_seed_dir()).await;
    let app = spawn_app_unseeded(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    for track in ["python", "fastapi"] {
        let bundle = export(&app, &admin, track).await;
        assert!(bundle["topics"].as_array().unwrap().len() >= 10, "{track} exports its topics");
        let before = sqlx::query_scalar::<_, i64>("SELECT sum(extract(epoch FROM updated_at))::bigint FROM question")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let res = import(&app, &admin, &bundle, false).await;
        let report: Value = res.json().await.unwrap();
        assert!(report["counts"].is_object(), "import of the {track} export failed: {report}");
        assert_eq!(changed(&report), 0, "re-importing the {track} export changed something: {report}");
        let after = sqlx::query_scalar::<_, i64>("SELECT sum(extract(epoch FROM updated_at))::bigint FROM question")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(before, after);
    }
    // The same through files: `studytrack export` writes what the seed loader reads.
    let dir = tempfile::tempdir().unwrap();
    let bundle = studytrack::content::export::track(&app.pool, "python").await.unwrap().unwrap();
    studytrack::content::files::write_dir(&bundle, dir.path()).unwrap();
    let mut problems = studytrack::content::Problems::default();
    let read = studytrack::content::files::read_dir(dir.path(), &mut problems);
    assert!(problems.is_empty(), "{:?}", problems.0);
    let strip = |mut b: studytrack::content::Bundle| {
        for t in &mut b.tracks {
            t.source.clear();
        }
        for t in &mut b.topics {
            t.source.clear();
            t.questions.iter_mut().for_each(|q| q.source.clear());
            // Files come back in name order; study order lives in `order`, not position.
            t.questions.sort_by(|a, b| a.slug.cmp(&b.slug));
        }
        b.articles.iter_mut().for_each(|a| a.source.clear());
        b.topics.sort_by(|a, b| a.slug.cmp(&b.slug));
        b
    };
    let (read, bundle) = (strip(read), strip(bundle));
    let (a, b) = (serde_json::to_value(&read).unwrap(), serde_json::to_value(&bundle).unwrap());
    if a != b {
        let first = a["topics"].as_array().unwrap().iter().zip(b["topics"].as_array().unwrap()).find(|(x, y)| x != y);
        let detail = match first {
            Some((x, y)) => {
                let fields: Vec<String> = x
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, v)| y[k.as_str()] != **v)
                    .map(|(k, v)| format!("{k}: {v} vs {}", y[k.as_str()]))
                    .collect();
                fields.join("\n").chars().take(3000).collect::<String>()
            }
            None => {
                format!("tracks {} vs {}; articles equal: {}", a["tracks"], b["tracks"], a["articles"] == b["articles"])
            }
        };
        panic!("files written by export read back differently:\n{detail}");
    }
}

#[sqlx::test]
async fn a_dry_run_reports_the_diff_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let mut bundle = export(&app, &admin, "alpha").await;
    bundle["tracks"][0]["title"] = json!("Alpha, revised");
    let basics = bundle["topics"].as_array_mut().unwrap().iter_mut().find(|t| t["slug"] == "basics").unwrap();
    basics["questions"].as_array_mut().unwrap().retain(|q| q["slug"] != "generators-lazy");
    basics["questions"].as_array_mut().unwrap().push(json!({
        "slug": "new-one", "title": "A new question", "difficulty": "mid", "prompt": "Why?", "answer": "Because."
    }));
    let before = counts(&app).await;
    let report: Value = import(&app, &admin, &bundle, true).await.json().await.unwrap();
    assert_eq!(counts(&app).await, before, "a dry run wrote something");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["changes"]["tracks"]["updated"], json!(["alpha"]));
    assert_eq!(report["changes"]["questions"]["created"], json!(["basics/new-one"]));
    assert_eq!(report["changes"]["questions"]["retired"], json!(["basics/generators-lazy"]));

    let real: Value = import(&app, &admin, &bundle, false).await.json().await.unwrap();
    assert_eq!(real["counts"], report["counts"], "the dry run predicted the real import");
    assert_eq!(app.roadmap("alpha").await["title"], "Alpha, revised");
    app.roadmap("beta").await; // other tracks untouched
    let audit: Value = app.get_as("/api/v1/admin/audit?action=import", &admin.access).await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}

#[sqlx::test]
async fn a_failing_import_leaves_everything_as_it_was(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let mut bundle = export(&app, &admin, "alpha").await;
    bundle["tracks"][0]["title"] = json!("Changed");
    bundle["topics"][0]["questions"][0]["difficulty"] = json!("expert");
    bundle["topics"][1]["quiz"] = json!([{"slug": "bad", "kind": "single_choice", "prompt": "p", "options": ["a"], "correct": [3], "explanation": "e"}]);
    let before = counts(&app).await;
    let problem = assert_problem(import(&app, &admin, &bundle, false).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"].as_array().unwrap().len() >= 3, "every problem is listed: {problem}");
    assert_eq!(counts(&app).await, before);
    assert_eq!(app.roadmap("alpha").await["title"], "Alpha");
    assert_problem(
        import(&app, &admin, &json!({"tracks": [], "bogus": 1}), false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[sqlx::test]
async fn a_new_track_can_be_bulk_loaded(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let bundle = json!({
        "tracks": [{"slug": "gamma", "title": "Gamma", "summary": "New.", "stages": [{"slug": "one", "title": "One", "summary": "", "topics": ["gamma-topic", "basics"]}]}],
        "topics": [{"slug": "gamma-topic", "title": "Gamma topic", "summary": "S.", "prerequisites": ["basics"],
                    "questions": [{"slug": "q", "title": "Q", "difficulty": "junior", "prompt": "P", "answer": "A"}]}]
    });
    let res = import(&app, &admin, &bundle, false).await;
    assert_eq!(res.status(), StatusCode::OK);
    let roadmap = app.roadmap("gamma").await;
    assert_eq!(roadmap["stages"][0]["topics"].as_array().unwrap().len(), 2, "a new topic and an existing one");
    assert_eq!(
        app.topic("alpha", "basics").await["questions"].as_array().unwrap().len(),
        4,
        "existing topics keep their questions"
    );
}

async fn get_entity(app: &TestApp, admin: &TestUser, path: &str) -> (Value, String) {
    let res = app.get_as(&format!("/api/v1/admin/content/{path}"), &admin.access).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    (res.json().await.unwrap(), etag)
}

async fn put_entity(app: &TestApp, admin: &TestUser, path: &str, etag: Option<&str>, doc: &Value) -> reqwest::Response {
    let mut req = app.request_as(Method::PUT, &format!("/api/v1/admin/content/{path}"), &admin.access).json(doc);
    if let Some(etag) = etag {
        req = req.header("If-Match", etag);
    }
    req.send().await.unwrap()
}

async fn post_action(app: &TestApp, admin: &TestUser, path: &str, etag: &str) -> reqwest::Response {
    app.request_as(Method::POST, &format!("/api/v1/admin/content/{path}"), &admin.access)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn create_edit_retire_restore_each_kind(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let create = |kind: &'static str, body: Value| {
        let req = app.request_as(Method::POST, &format!("/api/v1/admin/content/{kind}"), &admin.access).json(&body);
        async move { req.send().await.unwrap() }
    };
    // Topic, then its children, then an article and a track holding the topic.
    let res =
        create("topics", json!({"slug": "delta", "title": "Delta", "summary": "About delta.", "key_points": ["k"]}))
            .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = create("questions", json!({"topic": "delta", "slug": "dq", "title": "Delta question", "difficulty": "junior", "prompt": "P?", "answer": "A."})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let question: Value = res.json().await.unwrap();
    let qid = question["id"].as_str().unwrap().to_owned();
    let res =
        create("flashcards", json!({"topic": "delta", "slug": "dc", "front": "F", "back": "B", "question": "dq"}))
            .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let card_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let res = create("quiz-items", json!({"topic": "delta", "slug": "di", "kind": "true_false", "prompt": "T?", "correct": [0], "explanation": "E."})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let item_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(create("articles", json!({"slug": "delta-deep", "title": "Delta deep dive", "summary": "S", "topics": ["delta"], "body": "Body."})).await.status(), StatusCode::CREATED);
    assert_eq!(create("tracks", json!({"slug": "delta-track", "title": "Delta track", "summary": "S", "stages": [{"slug": "s", "title": "S", "summary": "", "topics": ["delta", "basics"]}]})).await.status(), StatusCode::CREATED);
    assert_problem(create("topics", json!({"slug": "delta", "title": "Again"})).await, StatusCode::CONFLICT).await;
    assert_problem(
        create(
            "questions",
            json!({"topic": "delta", "slug": "bad", "title": "", "difficulty": "guru", "prompt": "", "answer": ""}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let topic = app.topic("delta-track", "delta").await;
    assert_eq!(topic["questions"][0]["slug"], "dq");
    assert_eq!(topic["articles"][0]["slug"], "delta-deep");
    assert_eq!(
        app.get_json("/api/v1/tracks/delta-track/topics/delta/flashcards").await["items"][0]["question_id"],
        qid.as_str()
    );

    // Edit each with If-Match and see it publicly.
    let public_q = format!("/api/v1/questions/{qid}");
    let old_public_etag = app.get(&public_q).await.headers()["etag"].to_str().unwrap().to_owned();
    for (path, field, value) in [
        (format!("questions/{qid}"), "title", json!("Delta question, sharper")),
        (format!("flashcards/{card_id}"), "back", json!("B, better")),
        (format!("quiz-items/{item_id}"), "explanation", json!("E, clearer")),
        ("topics/delta".to_owned(), "summary", json!("About delta, rewritten.")),
        ("articles/delta-deep".to_owned(), "body", json!("Body, longer.")),
        ("tracks/delta-track".to_owned(), "title", json!("Delta track 2")),
    ] {
        let (current, etag) = get_entity(&app, &admin, &path).await;
        let mut doc = current["doc"].clone();
        doc[field] = value.clone();
        assert_problem(put_entity(&app, &admin, &path, None, &doc).await, StatusCode::PRECONDITION_REQUIRED).await;
        assert_problem(put_entity(&app, &admin, &path, Some("\"stale\""), &doc).await, StatusCode::PRECONDITION_FAILED)
            .await;
        let res = put_entity(&app, &admin, &path, Some(&etag), &doc).await;
        assert_eq!(res.status(), StatusCode::OK, "PUT {path}");
        let updated: Value = res.json().await.unwrap();
        assert_eq!(updated["doc"][field], value);
        // The old ETag is now stale: a second admin working from it gets 412.
        assert_problem(put_entity(&app, &admin, &path, Some(&etag), &doc).await, StatusCode::PRECONDITION_FAILED).await;
    }
    let q = app.client.get(app.url(&public_q)).header("If-None-Match", &old_public_etag).send().await.unwrap();
    assert_eq!(q.status(), StatusCode::OK, "public content is fresh right after an admin write");
    assert_eq!(q.json::<Value>().await.unwrap()["title"], "Delta question, sharper");
    assert_eq!(app.get_json("/api/v1/articles/delta-deep").await["body"], "Body, longer.");
    assert_eq!(app.roadmap("delta-track").await["title"], "Delta track 2");

    // Retire and restore the question: gone publicly, back with the same id.
    let (_, etag) = get_entity(&app, &admin, &format!("questions/{qid}")).await;
    assert_eq!(post_action(&app, &admin, &format!("questions/{qid}/retire"), &etag).await.status(), StatusCode::OK);
    assert_problem(app.get(&public_q).await, StatusCode::NOT_FOUND).await;
    let (retired, etag) = get_entity(&app, &admin, &format!("questions/{qid}")).await;
    assert_eq!(retired["retired"], true);
    assert_problem(
        put_entity(&app, &admin, &format!("questions/{qid}"), Some(&etag), &retired["doc"]).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(post_action(&app, &admin, &format!("questions/{qid}/restore"), &etag).await.status(), StatusCode::OK);
    assert_eq!(app.get_json(&public_q).await["id"], qid.as_str());
    // Retiring a topic hides it from the track.
    let (_, etag) = get_entity(&app, &admin, "topics/delta").await;
    assert_eq!(post_action(&app, &admin, "topics/delta/retire", &etag).await.status(), StatusCode::OK);
    assert_problem(app.get("/api/v1/tracks/delta-track/topics/delta").await, StatusCode::NOT_FOUND).await;

    let audit: Value =
        app.get_as(&format!("/api/v1/admin/audit?entity_id={qid}"), &admin.access).await.json().await.unwrap();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["restore", "retire", "update", "create"], "newest first");
    assert_eq!(audit["items"][1]["actor_email"], "admin@example.com");
    assert_eq!(
        audit["items"][2]["diff"]["title"],
        json!({"before": "Delta question", "after": "Delta question, sharper"})
    );
    let pages = app.all_pages_as("/api/v1/admin/audit?limit=3", &admin.access).await;
    assert!(pages.len() >= 4, "the audit log paginates");
    assert_problem(
        app.get_as("/api/v1/admin/content/questions/not-a-uuid", &admin.access).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(app.get_as("/api/v1/admin/content/widgets/x", &admin.access).await, StatusCode::BAD_REQUEST).await;
}

#[sqlx::test]
async fn stages_and_topics_reorder_in_one_request(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let (track, etag) = get_entity(&app, &admin, "tracks/alpha").await;
    let mut doc = track["doc"].clone();
    let stages = doc["stages"].as_array_mut().unwrap();
    stages.reverse();
    stages[1]["topics"] = json!(["shared", "basics"]);
    let res = put_entity(&app, &admin, "tracks/alpha", Some(&etag), &doc).await;
    assert_eq!(res.status(), StatusCode::OK);
    let roadmap = app.roadmap("alpha").await;
    let order: Vec<(&str, Vec<&str>)> = roadmap["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["slug"].as_str().unwrap(),
                s["topics"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(order, [("second", vec!["advanced"]), ("first", vec!["shared", "basics"])]);
    let (_, fresh) = get_entity(&app, &admin, "tracks/alpha").await;
    let mut slug_change = doc.clone();
    slug_change["slug"] = json!("alpha-2");
    assert_problem(
        put_entity(&app, &admin, "tracks/alpha", Some(&fresh), &slug_change).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[sqlx::test]
async fn a_question_carries_its_rubric_through_writes_reads_and_export(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.new_admin("admin@example.com").await;
    let post = |kind: &'static str, body: Value| {
        let req = app.request_as(Method::POST, &format!("/api/v1/admin/content/{kind}"), &admin.access).json(&body);
        async move { req.send().await.unwrap() }
    };
    let res =
        post("topics", json!({"slug": "delta", "title": "Delta", "summary": "About delta.", "key_points": ["k"]}))
            .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rubric = json!(["Names the rule.", "Shows it with an example.", "Says when it breaks."]);
    let res = post("questions", json!({"topic": "delta", "slug": "dq", "title": "Delta question", "difficulty": "junior", "prompt": "P?", "answer": "A.", "rubric": rubric})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let qid = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let (current, etag) = get_entity(&app, &admin, &format!("questions/{qid}")).await;
    let doc = current["doc"].clone();
    assert_eq!(doc["rubric"], rubric, "{current}");

    // Two points, or a point over two lines, is refused and names the rubric.
    for bad in [json!(["One.", "Two."]), json!(["One.", "Two\nlines.", "Three."])] {
        let mut edit = doc.clone();
        edit["rubric"] = bad;
        let res = put_entity(&app, &admin, &format!("questions/{qid}"), Some(&etag), &edit).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = res.text().await.unwrap();
        assert!(text.contains("rubric"), "{text}");
    }
    let mut edit = doc.clone();
    edit["rubric"] = json!(["Names the rule.", "Shows it with an example.", "Says when it breaks.", "Gives the fix."]);
    assert_eq!(
        put_entity(&app, &admin, &format!("questions/{qid}"), Some(&etag), &edit).await.status(),
        StatusCode::OK
    );
    let (current, _) = get_entity(&app, &admin, &format!("questions/{qid}")).await;
    assert_eq!(current["doc"]["rubric"].as_array().map(Vec::len), Some(4));

    // The bundle export of a track holding the topic carries it too.
    let res = post("tracks", json!({"slug": "delta-track", "title": "Delta track", "summary": "S", "stages": [{"slug": "s", "title": "S", "summary": "", "topics": ["delta"]}]})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let bundle = export(&app, &admin, "delta-track").await;
    assert_eq!(bundle["topics"][0]["questions"][0]["rubric"], edit["rubric"], "{bundle}");
}
