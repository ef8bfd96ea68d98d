//! The learner's change feed: every change once, in order, tombstones for deletions,
//! opaque cursors, a change committed late never skipped, and concurrent writers with a
//! polling reader.

use std::collections::HashSet;

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser, assert_problem, mark_question, spawn_app};

async fn page(app: &TestApp, user: &TestUser, since: Option<&str>) -> Value {
    let path = since.map_or_else(|| "/api/v1/me/changes".to_owned(), |c| format!("/api/v1/me/changes?since={c}"));
    let res = app.get_as(&path, &user.access).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn question_ids(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for topic in ["basics", "shared"] {
        let t = app.topic("alpha", topic).await;
        ids.extend(t["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()));
    }
    ids
}

async fn user_uuid(app: &TestApp, user: &TestUser) -> uuid::Uuid {
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    me["id"].as_str().unwrap().parse().unwrap()
}

#[sqlx::test]
async fn changes_come_in_order_with_tombstones_and_cursors_hold(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let questions = question_ids(&app).await;
    let start = page(&app, &ann, None).await;
    assert_eq!(start["changes"], json!([]));
    let cursor = start["next_cursor"].as_str().unwrap().to_owned();

    mark_question(&app, &ann, &questions[0], "got_it").await;
    let note = format!("/api/v1/me/notes/question/{}", questions[1]);
    let res = app.request_as(Method::PUT, &note, &ann.access).json(&json!({"body": "mine"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.request_as(Method::DELETE, &note, &ann.access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let got = page(&app, &ann, Some(&cursor)).await;
    let seen: Vec<(&str, &str)> = got["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["op"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, [("question_mark", "upsert"), ("note", "upsert"), ("note", "delete")], "{got}");
    assert_eq!(got["changes"][0]["state"]["status"], "got_it");
    assert_eq!(got["changes"][1]["state"], Value::Null, "the note is gone now; the tombstone follows");
    assert_eq!(got["changes"][2]["target_kind"], "question");
    // An empty poll keeps the cursor; a foreign cursor is a 400; another learner sees none.
    let next = got["next_cursor"].as_str().unwrap().to_owned();
    let again = page(&app, &ann, Some(&next)).await;
    assert_eq!((again["changes"].clone(), again["next_cursor"].as_str()), (json!([]), Some(next.as_str())));
    assert_problem(app.get_as("/api/v1/me/changes?since=bm9wZQ", &ann.access).await, StatusCode::BAD_REQUEST).await;
    assert_problem(app.get_as("/api/v1/me/changes?limit=0", &ann.access).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let bob = app.new_user("bob@example.com").await;
    assert_eq!(page(&app, &bob, None).await["changes"], json!([]));
    // Paging: one at a time, the same three.
    let mut cursor = cursor;
    let mut count = 0;
    loop {
        let res = app.get_as(&format!("/api/v1/me/changes?since={cursor}&limit=1"), &ann.access).await;
        let p: Value = res.json().await.unwrap();
        count += p["changes"].as_array().unwrap().len();
        cursor = p["next_cursor"].as_str().unwrap().to_owned();
        if p["has_more"] == false {
            break;
        }
    }
    assert_eq!(count, 3);
}

#[sqlx::test]
async fn a_change_committed_late_is_never_skipped(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let ann_id = user_uuid(&app, &ann).await;
    let questions = question_ids(&app).await;
    let cursor = page(&app, &ann, None).await["next_cursor"].as_str().unwrap().to_owned();
    // A slow writer takes its transaction (and its place in the order) first... (Notes
    // take no account-row lock, so the two writers do not queue on each other.)
    let mut slow = app.pool.begin().await.unwrap();
    sqlx::query("INSERT INTO note (user_id, kind, target_id, body, updated_at) VALUES ($1, 'question', $2::uuid, 'slow', now())")
        .bind(ann_id)
        .bind(&questions[0])
        .execute(&mut *slow)
        .await
        .unwrap();
    // ...a quick one commits after it started and before it finishes.
    let quick = format!("/api/v1/me/notes/question/{}", questions[1]);
    let res = app.request_as(Method::PUT, &quick, &ann.access).json(&json!({"body": "quick"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let held = page(&app, &ann, Some(&cursor)).await;
    assert_eq!(held["changes"], json!([]), "nothing past the open transaction: {held}");
    assert_eq!(held["next_cursor"].as_str(), Some(cursor.as_str()));
    slow.commit().await.unwrap();
    let both = page(&app, &ann, Some(&cursor)).await;
    let ids: Vec<&str> = both["changes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [questions[0].as_str(), questions[1].as_str()], "in transaction order: {both}");
}

#[sqlx::test]
async fn concurrent_writers_and_a_polling_reader_see_every_change_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let ann_id = user_uuid(&app, &ann).await;
    let questions = question_ids(&app).await;
    // Each writer toggles questions of its own, so every write changes a mark: two
    // writers setting one question to the same status at once would make one of the
    // writes a no-op (a later mark already stands), and the count below exact only by
    // luck.
    let writers_n = questions.len().min(8);
    assert!(writers_n >= 4, "the fixture has {} questions", questions.len());
    let writers = (0..writers_n).map(|w| {
        let (app, ann, questions) = (&app, &ann, &questions);
        async move {
            for round in 0..(48 / writers_n) {
                let status = ["learning", "got_it"][round % 2];
                mark_question(app, ann, &questions[w], status).await;
            }
        }
    });
    // The reader starts from before the first write.
    let start = page(&app, &ann, None).await["next_cursor"].as_str().unwrap().to_owned();
    let start_cursor = start.clone();
    let reader = async {
        let mut cursor = start;
        let mut seen = Vec::new();
        for _ in 0..400 {
            let p = page(&app, &ann, Some(&cursor)).await;
            seen.extend(p["changes"].as_array().unwrap().iter().cloned());
            cursor = p["next_cursor"].as_str().unwrap().to_owned();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        (cursor, seen)
    };
    let (_, (cursor, mut seen)) = tokio::join!(join_all(writers), reader);
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM learner_change WHERE user_id = $1")
        .bind(ann_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Drain what committed after the reader's last poll. The feed lags by the oldest
    // write transaction still open in the database (background workers' included), so
    // the drain waits by the clock, not a number of polls: on a loaded two-core CI
    // machine 200 quick polls once ended before the last change became visible. A
    // change that is skipped never shows up, however long this waits.
    let mut cursor = cursor;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::time::Instant::now() < deadline {
        if seen.len() as i64 >= written {
            break;
        }
        let p = page(&app, &ann, Some(&cursor)).await;
        seen.extend(p["changes"].as_array().unwrap().iter().cloned());
        cursor = p["next_cursor"].as_str().unwrap().to_owned();
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(written >= 48, "every mark changed something: {written}");
    if seen.len() as i64 != written {
        let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
            "SELECT xid::text, seq, entity_id::text, op FROM learner_change WHERE user_id = $1 ORDER BY xid, seq",
        )
        .bind(ann_id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let ids: Vec<String> = seen.iter().map(|c| format!("{} {}", c["id"], c["changed_at"])).collect();
        panic!("saw {} of {written} changes; the table: {rows:?}; seen: {ids:?}; start {start_cursor}", seen.len());
    }
    // Each change once: no (entity, time) pair twice.
    let distinct: HashSet<String> = seen.iter().map(|c| format!("{}{}", c["id"], c["changed_at"])).collect();
    assert_eq!(distinct.len(), seen.len(), "no change twice");
}

/// Pages a track's content feed to its end; the changes seen and the final cursor.
async fn content_to_end(app: &TestApp, track: &str, since: Option<String>) -> (Vec<Value>, String) {
    let mut cursor = since;
    let mut seen = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tracks/{track}/changes?since={c}"),
            None => format!("/api/v1/tracks/{track}/changes"),
        };
        let p = app.get_json(&path).await;
        seen.extend(p["changes"].as_array().unwrap().iter().cloned());
        cursor = Some(p["next_cursor"].as_str().unwrap().to_owned());
        if p["has_more"] == false {
            return (seen, cursor.unwrap_or_default());
        }
    }
}

#[sqlx::test]
async fn a_tracks_content_feed_lists_what_changed_on_it_and_nothing_else(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (seeded, alpha) = content_to_end(&app, "alpha", None).await;
    assert!(seeded.iter().any(|c| c["kind"] == "question" && c["op"] == "created"), "the seed is the first change");
    let (_, beta) = content_to_end(&app, "beta", None).await;
    // Seeding the same files again changes nothing.
    app.reseed(&crate::helpers::fixture_dir()).await;
    assert_eq!(content_to_end(&app, "alpha", Some(alpha.clone())).await.0, Vec::<Value>::new());

    let question = app.topic("alpha", "basics").await["questions"][0]["id"].as_str().unwrap().to_owned();
    sqlx::query("UPDATE question SET answer = answer || ' More.', updated_at = now() WHERE question_id = $1::uuid")
        .bind(&question)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE question SET retired_at = now() WHERE question_id = $1::uuid")
        .bind(&question)
        .execute(&app.pool)
        .await
        .unwrap();
    // Visible once every older transaction has finished: poll briefly for both.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let changes = loop {
        let (changes, _) = content_to_end(&app, "alpha", Some(alpha.clone())).await;
        if changes.len() >= 2 || std::time::Instant::now() > deadline {
            break changes;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let ops: Vec<(&str, &str)> =
        changes.iter().map(|c| (c["kind"].as_str().unwrap(), c["op"].as_str().unwrap())).collect();
    assert_eq!(ops, [("question", "updated"), ("question", "retired")]);
    assert_eq!(changes[0]["id"], question.as_str());
    // `basics` is not on beta: its feed stays quiet.
    assert_eq!(content_to_end(&app, "beta", Some(beta)).await.0, Vec::<Value>::new());
    assert_problem(app.get("/api/v1/tracks/nope/changes").await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get("/api/v1/tracks/alpha/changes?since=bm9wZQ").await, StatusCode::BAD_REQUEST).await;
}
