//! Notes and bookmarks: last writer wins between devices, validation, retirement keeps
//! them (flagged), revisit-due bookmarks first, other learners see nothing, and the
//! export carries them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

async fn send(app: &TestApp, user: &TestUser, method: Method, path: &str, body: Value) -> reqwest::Response {
    app.request_as(method, path, &user.access).json(&body).send().await.unwrap()
}

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn stamp(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

async fn ids(app: &TestApp) -> (String, String) {
    let topic = app.topic("alpha", "basics").await;
    (topic["id"].as_str().unwrap().to_owned(), topic["questions"][0]["id"].as_str().unwrap().to_owned())
}

#[sqlx::test]
async fn notes_converge_on_the_latest_edit_and_survive_retirement(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let (_, question) = ids(&app).await;
    let path = format!("/api/v1/me/notes/question/{question}");
    let now = OffsetDateTime::now_utc();
    let first =
        ok(send(&app, &ann, Method::PUT, &path, json!({"body": "  from the phone  ", "updated_at": stamp(now)})).await)
            .await;
    assert_eq!((first["body"].as_str(), first["applied"].as_bool()), (Some("from the phone"), Some(true)));
    assert!(first["title"].as_str().is_some_and(|t| !t.is_empty()));
    // The laptop's edit was made earlier and arrives later: the phone's stands.
    let older = json!({"body": "from the laptop", "updated_at": stamp(now - Duration::minutes(10))});
    let stood = ok(send(&app, &ann, Method::PUT, &path, older).await).await;
    assert_eq!((stood["body"].as_str(), stood["applied"].as_bool()), (Some("from the phone"), Some(false)));
    let newer = json!({"body": "edited later", "updated_at": stamp(now + Duration::minutes(1))});
    assert_eq!(ok(send(&app, &ann, Method::PUT, &path, newer).await).await["applied"], true);
    assert_eq!(ok(app.get_as(&path, &ann.access).await).await["body"], "edited later");

    // Bad input, and nobody else's business.
    for bad in [
        json!({"body": "   "}),
        json!({"body": "x", "updated_at": stamp(now + Duration::hours(1))}),
        json!({"body": "x".repeat(20_001)}),
    ] {
        assert_problem(send(&app, &ann, Method::PUT, &path, bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let unknown = format!("/api/v1/me/notes/question/{}", uuid::Uuid::new_v4());
    assert_problem(send(&app, &ann, Method::PUT, &unknown, json!({"body": "x"})).await, StatusCode::NOT_FOUND).await;
    let bob = app.new_user("bob@example.com").await;
    assert_problem(app.get_as(&path, &bob.access).await, StatusCode::NOT_FOUND).await;
    assert_eq!(ok(app.get_as("/api/v1/me/notes", &bob.access).await).await["items"], json!([]));

    // Retired content keeps its notes, flagged; new notes on it are refused.
    sqlx::query("UPDATE question SET retired_at = now() WHERE question_id = $1::uuid")
        .bind(&question)
        .execute(&app.pool)
        .await
        .unwrap();
    let notes = ok(app.get_as("/api/v1/me/notes", &ann.access).await).await;
    assert_eq!(
        (notes["items"][0]["retired"].as_bool(), notes["items"][0]["body"].as_str()),
        (Some(true), Some("edited later"))
    );
    assert_problem(send(&app, &ann, Method::PUT, &path, json!({"body": "again"})).await, StatusCode::NOT_FOUND).await;

    let export = ok(app.get_as("/api/v1/me/export", &ann.access).await).await;
    assert_eq!(export["notes"].as_array().map(Vec::len), Some(1));
    let res = app.request_as(Method::DELETE, &path, &ann.access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.request_as(Method::DELETE, &path, &ann.access).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn bookmarks_due_to_revisit_come_first(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let (topic, question) = ids(&app).await;
    let today = OffsetDateTime::now_utc().date();
    let later = ok(send(
        &app,
        &ann,
        Method::PUT,
        &format!("/api/v1/me/bookmarks/topic/{topic}"),
        json!({"revisit_on": (today + Duration::days(7)).to_string()}),
    )
    .await)
    .await;
    assert_eq!(later["due"], false);
    let due = ok(send(
        &app,
        &ann,
        Method::PUT,
        &format!("/api/v1/me/bookmarks/question/{question}"),
        json!({"revisit_on": (today - Duration::days(1)).to_string()}),
    )
    .await)
    .await;
    assert_eq!(due["due"], true);
    let list = ok(app.get_as("/api/v1/me/bookmarks", &ann.access).await).await;
    let order: Vec<&str> = list["items"].as_array().unwrap().iter().map(|b| b["kind"].as_str().unwrap()).collect();
    assert_eq!(order, ["question", "topic"], "the due one first: {list}");
    // A PUT replaces the day; no day is fine.
    let plain =
        ok(send(&app, &ann, Method::PUT, &format!("/api/v1/me/bookmarks/topic/{topic}"), json!({})).await).await;
    assert_eq!(plain["revisit_on"], Value::Null);
    let bad =
        send(&app, &ann, Method::PUT, &format!("/api/v1/me/bookmarks/topic/{topic}"), json!({"revisit_on": "soon"}))
            .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let export = ok(app.get_as("/api/v1/me/export", &ann.access).await).await;
    assert_eq!(export["bookmarks"].as_array().map(Vec::len), Some(2));
    let res = app
        .request_as(Method::DELETE, &format!("/api/v1/me/bookmarks/topic/{topic}"), &ann.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let list = ok(app.get_as("/api/v1/me/bookmarks", &ann.access).await).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}
