//! Study reminders: settings, the summary, the scheduler across a time-zone day
//! boundary (driven with explicit instants and, once, through the running server's
//! own loop and test clock), two instances, and one-click unsubscribe without a login.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;
use studytrack::reminders::scheduler::run_once;
use time::macros::{offset, time};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app, spawn_with_settings};
use crate::smtp::{decoded, subject_of, to_of};

/// Tokyo has no daylight saving time: a fixed UTC+9 makes the expected instants exact.
const TOKYO: &str = "Asia/Tokyo";

/// `hh:mm` in Tokyo, `days` after today there.
fn tokyo(days: i64, at: time::Time) -> OffsetDateTime {
    let today = OffsetDateTime::now_utc().to_offset(offset!(+9)).date();
    PrimitiveDateTime::new(today + time::Duration::days(days), at).assume_offset(offset!(+9))
}

async fn send(app: &TestApp, user: &TestUser, method: Method, path: &str, body: Value) -> Value {
    let res = app.request_as(method, path, &user.access).json(&body).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A learner in Tokyo with reminders from 08:00 every day and one card due in minutes.
async fn tokyo_learner_with_a_card_due(app: &TestApp, email: &str) -> TestUser {
    let user = app.new_user(email).await;
    send(app, &user, Method::PATCH, "/api/v1/me", json!({"timezone": TOKYO})).await;
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    send(app, &user, Method::PUT, "/api/v1/me/reminders", json!({"enabled": true, "local_hour": 8, "days": days}))
        .await;
    let cards = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await;
    let card = cards["items"][0]["id"].as_str().unwrap();
    let review = json!({"review_id": uuid::Uuid::new_v4(), "flashcard_id": card, "rating": "again"});
    send(app, &user, Method::POST, "/api/v1/me/reviews", review).await;
    user
}

fn reminders_to<'a>(mails: &'a [String], to: &str) -> Vec<&'a String> {
    mails.iter().filter(|m| to_of(m) == Some(to) && subject_of(m).is_some_and(|s| s.contains("due today"))).collect()
}

#[sqlx::test]
async fn settings_start_off_and_are_validated(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let settings = send(&app, &user, Method::GET, "/api/v1/me/reminders", Value::Null).await;
    assert_eq!(settings["enabled"], false, "off until the learner opts in");
    assert_eq!(settings["local_hour"], 18);
    assert_eq!(settings["days"].as_array().unwrap().len(), 7);
    assert_eq!(settings["timezone"], "UTC");

    let put = |body: Value| app.request_as(Method::PUT, "/api/v1/me/reminders", &user.access).json(&body).send();
    let problem = assert_problem(
        put(json!({"enabled": true, "local_hour": 24, "days": []})).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["local_hour", "days"], "{problem}");
    for body in [
        json!({"enabled": true, "local_hour": 8, "days": ["monday", "monday"]}),
        json!({"enabled": true, "local_hour": 8, "days": ["someday"]}),
        json!({"enabled": true, "local_hour": -1, "days": ["monday"]}),
        json!({"enabled": true, "local_hour": 8, "days": ["monday"], "email": "x@example.com"}),
        json!({"enabled": true}),
    ] {
        assert_problem(put(body).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let saved = send(
        &app,
        &user,
        Method::PUT,
        "/api/v1/me/reminders",
        json!({"enabled": true, "local_hour": 7, "days": ["friday", "monday"]}),
    )
    .await;
    assert_eq!(saved["days"], json!(["monday", "friday"]), "days come back in week order");
    assert_eq!(send(&app, &user, Method::GET, "/api/v1/me/reminders", Value::Null).await, saved);
    assert_eq!(app.get("/api/v1/me/reminders").await.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn the_summary_says_what_is_due_the_streak_and_the_next_topic(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = tokyo_learner_with_a_card_due(&app, "ann@example.com").await;
    let summary = send(&app, &user, Method::GET, "/api/v1/me/summary", Value::Null).await;
    assert_eq!(summary["timezone"], TOKYO);
    assert_eq!(summary["cards_due_now"], 0, "an 'again' card comes back in minutes, not now: {summary}");
    assert_eq!(summary["streak"]["current"], 1);
    assert_eq!(summary["streak"]["active_today"], true);
    assert_eq!(summary["streak"]["at_risk"], false);
    assert_eq!(summary["next_topics"], json!([]), "no track started yet (a review is not a mark)");

    let question = app.topic("alpha", "basics").await["questions"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/me/questions/{question}/status");
    send(&app, &user, Method::PUT, &path, json!({"status": "learning"})).await;
    let summary = send(&app, &user, Method::GET, "/api/v1/me/summary", Value::Null).await;
    assert_eq!(summary["next_topics"][0]["track"]["slug"], "alpha");
    assert_eq!(summary["next_topics"][0]["topic"]["slug"], "basics");
    let next = send(&app, &user, Method::GET, "/api/v1/me/tracks/alpha/next", Value::Null).await;
    assert_eq!(summary["next_topics"][0]["topic"]["slug"], next["topic"]["slug"], "the same pick as next-up");

    // Tomorrow the card is due and the streak hangs on today.
    app.clock.advance(time::Duration::days(1));
    let summary = send(&app, &user, Method::GET, "/api/v1/me/summary", Value::Null).await;
    assert_eq!(summary["cards_due_now"], 1);
    assert_eq!(summary["cards_due_today"], 1);
    assert_eq!(summary["streak"]["at_risk"], true);
    assert_eq!(summary["something_to_do"], true);
}

#[sqlx::test]
async fn one_reminder_per_local_day_across_the_date_line_and_none_without_work(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    tokyo_learner_with_a_card_due(&app, "ann@example.com").await;
    // Bob opted in too but has nothing to do: no cards, no streak.
    let bob = app.new_user("bob@example.com").await;
    send(
        &app,
        &bob,
        Method::PUT,
        "/api/v1/me/reminders",
        json!({"enabled": true, "local_hour": 0, "days": [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}),
    )
    .await;

    let state = &app.state;
    // Tomorrow in Tokyo: not before 08:00; at 08:00 one; not again that day, even after
    // the UTC date changed (15:00 Tokyo) or later that night.
    assert_eq!(run_once(state, tokyo(1, time!(7:59))).await.unwrap(), 0, "before the hour");
    assert_eq!(run_once(state, tokyo(1, time!(8:00))).await.unwrap(), 1, "at the hour");
    assert_eq!(run_once(state, tokyo(1, time!(8:30))).await.unwrap(), 0, "once a day");
    assert_eq!(run_once(state, tokyo(1, time!(23:30))).await.unwrap(), 0, "same local day, a new UTC date");
    assert_eq!(run_once(state, tokyo(2, time!(0:30))).await.unwrap(), 0, "a new local day, before the hour");
    // The next local day's 08:00 is still the same UTC date as the 23:30 above.
    assert_eq!(
        tokyo(2, time!(8:00)).to_offset(offset!(UTC)).date(),
        tokyo(1, time!(23:30)).to_offset(offset!(UTC)).date()
    );
    assert_eq!(run_once(state, tokyo(2, time!(8:00))).await.unwrap(), 1, "the next local day");

    app.inbox.wait_until("two reminders", |m| reminders_to(m, "ann@example.com").len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = app.inbox.messages();
    assert_eq!(reminders_to(&all, "ann@example.com").len(), 2, "exactly two");
    let to_bob: Vec<Option<&str>> =
        all.iter().filter(|m| to_of(m) == Some("bob@example.com")).map(|m| subject_of(m)).collect();
    assert_eq!(to_bob, [Some(crate::helpers::VERIFY_SUBJECT)], "nothing to do, no reminder");
    let reminder = decoded(reminders_to(&all, "ann@example.com")[0]);
    assert!(reminder.contains("1 flashcard is due today"), "{reminder}");
    assert!(
        reminder.contains("List-Unsubscribe: <http://127.0.0.1:8080/api/v1/reminders/unsubscribe?token="),
        "{reminder}"
    );
    assert!(reminder.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{reminder}");

    // Two instances at the same instant: one mail between them.
    let (other, _) = crate::helpers::spawn_instance(pool, Settings::for_tests("postgres://unused")).await;
    let at = tokyo(3, time!(9:00));
    let (a, b) = tokio::join!(run_once(state, at), run_once(&other.state, at));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one reminder for the day, whichever instance sent it");
}

#[sqlx::test]
async fn the_unsubscribe_link_works_without_a_login(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = tokyo_learner_with_a_card_due(&app, "ann@example.com").await;
    assert_eq!(run_once(&app.state, tokyo(1, time!(8:00))).await.unwrap(), 1);
    let mails = app.inbox.wait_until("a reminder", |m| !reminders_to(m, "ann@example.com").is_empty()).await;
    let raw = decoded(reminders_to(&mails, "ann@example.com")[0]);
    let header = raw.lines().find_map(|l| l.strip_prefix("List-Unsubscribe: <")).expect("a List-Unsubscribe header");
    let url = header.trim_end_matches('>');
    let path = &url[url.find("/api/v1/").unwrap()..];

    // RFC 8058: a POST of `List-Unsubscribe=One-Click`, no session, no JSON.
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let settings = send(&app, &ann, Method::GET, "/api/v1/me/reminders", Value::Null).await;
    assert_eq!(settings["enabled"], false);
    // It keeps working (a second click), and no reminder follows.
    assert_eq!(app.client.post(app.url(path)).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(run_once(&app.state, tokyo(2, time!(8:00))).await.unwrap(), 0);
    // The link in the body carries the same token for a front end to post.
    let token = &path[path.find("token=").unwrap() + 6..];
    assert!(raw.contains(&format!("/unsubscribe?token={token}")), "{raw}");
    // A token the server did not make, or another account's id with this tag, is refused.
    for bad in ["nope", &"A".repeat(43), &format!("{}x", &token[..42])] {
        let res = app.client.post(app.url(&format!("/api/v1/reminders/unsubscribe?token={bad}"))).send().await.unwrap();
        assert_problem(res, StatusCode::BAD_REQUEST).await;
    }
}

/// The running server's own loop, on its test clock: a reminder goes out without
/// anyone calling the scheduler.
#[sqlx::test]
async fn the_server_sends_reminders_by_itself(pool: PgPool) {
    crate::helpers::seed_dir(&pool, &crate::helpers::fixture_dir()).await;
    let mut settings = Settings::for_tests("postgres://unused");
    settings.reminder_interval = Duration::from_millis(50);
    let app = spawn_with_settings(pool, settings).await;
    tokyo_learner_with_a_card_due(&app, "ann@example.com").await;
    let until = tokyo(1, time!(8:30)) - OffsetDateTime::now_utc();
    app.clock.advance(until);
    let mails = app.inbox.wait_until("the reminder", |m| !reminders_to(m, "ann@example.com").is_empty()).await;
    assert_eq!(reminders_to(&mails, "ann@example.com").len(), 1);
}
