//! Goals, today's agenda and the readiness forecast through the API, with the test
//! clock: validation naming every field, ownership, an agenda inside the day's minutes
//! that adapts to a backlog and to rest days, and a forecast that drops when days are
//! skipped and says what to change.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

fn day(offset: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::days(offset)).date().to_string()
}

async fn put_goal(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.request_as(Method::PUT, "/api/v1/me/goals", &user.access).json(&body).send().await.unwrap()
}

async fn json_ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

const EVERY_DAY: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

#[sqlx::test]
async fn a_goal_names_every_invalid_field_and_belongs_to_its_learner(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bad = json!({"track": "nope", "interview_date": day(-1), "minutes_per_day": 2, "days": [],
                     "electives": []});
    let problem = assert_problem(put_goal(&app, &ann, bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["track", "interview_date", "minutes_per_day", "days"], "{problem}");
    let bad = json!({"track": "alpha", "interview_date": "2026-02-30", "minutes_per_day": 30,
                     "days": ["monday", "monday"], "electives": ["basics"]});
    let problem = assert_problem(put_goal(&app, &ann, bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["interview_date", "days", "electives[0]"], "a core topic is not an elective: {problem}");
    let far = json!({"track": "alpha", "interview_date": day(800), "minutes_per_day": 30, "days": ["monday"]});
    assert_problem(put_goal(&app, &ann, far).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let unknown =
        json!({"track": "alpha", "interview_date": day(5), "minutes_per_day": 30, "days": ["monday"], "x": 1});
    assert_problem(put_goal(&app, &ann, unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;

    let good = json!({"track": "alpha", "interview_date": day(21), "minutes_per_day": 30, "days": EVERY_DAY,
                      "electives": ["elective-one"]});
    let goal = json_ok(put_goal(&app, &ann, good).await).await;
    assert_eq!((goal["days_left"].as_i64(), goal["study_days_left"].as_i64()), (Some(21), Some(21)));
    assert_eq!(goal["track"]["slug"], "alpha");
    let goals = json_ok(app.get_as("/api/v1/me/goals", &ann.access).await).await;
    assert_eq!(goals["items"].as_array().unwrap().len(), 1);

    // Another learner sees none, cannot delete it, and has no forecast.
    let bob = app.new_user("bob@example.com").await;
    assert_eq!(json_ok(app.get_as("/api/v1/me/goals", &bob.access).await).await["items"], json!([]));
    let res = app.request_as(Method::DELETE, "/api/v1/me/goals/alpha", &bob.access).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_problem(app.get_as("/api/v1/me/forecast?track=alpha", &bob.access).await, StatusCode::NOT_FOUND).await;

    let res = app.request_as(Method::DELETE, "/api/v1/me/goals/alpha", &ann.access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.request_as(Method::DELETE, "/api/v1/me/goals/alpha", &ann.access).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get_as("/api/v1/me/forecast?track=alpha&target=2", &ann.access).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

async fn today(app: &TestApp, user: &TestUser, query: &str) -> Value {
    json_ok(app.get_as(&format!("/api/v1/me/today{query}"), &user.access).await).await
}

fn kinds(agenda: &Value) -> Vec<String> {
    agenda["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_owned()).collect()
}

#[sqlx::test]
async fn the_agenda_fits_the_day_adapts_to_a_backlog_and_rests_on_rest_days(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    // Without a goal: 30 minutes on the named track; without a track either, a 404.
    let agenda = today(&app, &ann, "?track=alpha").await;
    assert_eq!((agenda["has_goal"].as_bool(), agenda["budget_minutes"].as_i64()), (Some(false), Some(30)));
    assert_problem(app.get_as("/api/v1/me/today", &ann.access).await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get_as("/api/v1/me/today?track=nope", &ann.access).await, StatusCode::NOT_FOUND).await;

    let goal = json!({"track": "alpha", "interview_date": day(21), "minutes_per_day": 20, "days": EVERY_DAY});
    json_ok(put_goal(&app, &ann, goal).await).await;
    let agenda = today(&app, &ann, "").await;
    assert_eq!((agenda["study_day"].as_bool(), agenda["budget_minutes"].as_i64()), (Some(true), Some(20)));
    assert!(agenda["planned_minutes"].as_i64() <= Some(20), "{agenda}");
    let new = agenda["items"].as_array().unwrap().iter().find(|i| i["kind"] == "new_questions").expect("new questions");
    assert_eq!(new["topic"]["slug"], "basics", "the first topic on the path");
    assert_eq!(new["count"], 2, "20 minutes hold two 8-minute questions: {agenda}");
    assert_eq!(new["questions"].as_array().unwrap().len(), 2);
    assert_eq!(agenda, today(&app, &ann, "").await, "the same state and clock give the same agenda");

    // Ten days of reviews left undone: the backlog comes first and the rest waits.
    let cards: Vec<String> = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    for card in &cards {
        let body = json!({"review_id": Uuid::new_v4(), "flashcard_id": card, "rating": "again"});
        let res = app.request_as(Method::POST, "/api/v1/me/reviews", &ann.access).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    app.clock.advance(Duration::days(10));
    let agenda = today(&app, &ann, "").await;
    assert_eq!(kinds(&agenda)[0], "flashcard_reviews", "{agenda}");
    assert_eq!(agenda["items"][0]["count"].as_i64(), Some(cards.len() as i64));
    assert_eq!(agenda["items"][0]["reason_code"], "due_today");

    // A day that is not a study day: only what is due, in a quarter of the minutes.
    let date = agenda["date"].as_str().unwrap().to_owned();
    let weekday = time::Date::parse(&date, &time::format_description::well_known::Iso8601::DATE).unwrap().weekday();
    let others: Vec<&str> =
        EVERY_DAY.iter().copied().filter(|d| !d.eq_ignore_ascii_case(&weekday.to_string())).collect();
    let goal = json!({"track": "alpha", "interview_date": day(30), "minutes_per_day": 40, "days": others});
    json_ok(put_goal(&app, &ann, goal).await).await;
    let agenda = today(&app, &ann, "").await;
    assert_eq!((agenda["study_day"].as_bool(), agenda["budget_minutes"].as_i64()), (Some(false), Some(10)));
    assert!(agenda["items"].as_array().unwrap().iter().all(|i| i["reason_code"] == "rest_day"), "{agenda}");
}

#[sqlx::test]
async fn the_forecast_drops_when_days_are_skipped_and_says_what_to_change(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    // Nineteen questions (18 core, one elective) and 15 minutes before the interview.
    let goal = json!({"track": "alpha", "interview_date": day(3), "minutes_per_day": 5, "days": EVERY_DAY,
                      "electives": ["elective-one"]});
    json_ok(put_goal(&app, &ann, goal).await).await;
    let forecast = json_ok(app.get_as("/api/v1/me/forecast?track=alpha", &ann.access).await).await;
    assert_eq!(forecast["questions"], 19, "{forecast}");
    assert_eq!(forecast["study_days_left"], 3);
    assert_eq!(forecast["status"], "behind", "{forecast}");
    assert_eq!(forecast["covered_questions"], 1, "15 minutes cover one 8-minute question: {forecast}");
    let slugs: Vec<&str> = forecast["stages"].as_array().unwrap().iter().map(|s| s["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["first", "second", "elective-one"]);
    let kinds: Vec<&str> =
        forecast["suggestions"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["more_minutes", "move_date"], "{forecast}");
    let minutes = forecast["suggestions"][0]["minutes_per_day"].as_i64().unwrap();
    assert!(minutes > 5 && forecast["suggestions"][0]["readiness"].as_f64() >= Some(0.8), "{forecast}");

    // Following the suggestion puts the learner on track.
    let goal = json!({"track": "alpha", "interview_date": day(3), "minutes_per_day": minutes, "days": EVERY_DAY,
                      "electives": ["elective-one"]});
    json_ok(put_goal(&app, &ann, goal).await).await;
    let on_track = json_ok(app.get_as("/api/v1/me/forecast?track=alpha", &ann.access).await).await;
    assert_eq!(on_track["status"], "on_track", "{on_track}");
    assert_eq!(on_track["suggestions"], json!([]));

    // Two days skipped: one study day is left and the readiness drops.
    app.clock.advance(Duration::days(2));
    let later = json_ok(app.get_as("/api/v1/me/forecast?track=alpha", &ann.access).await).await;
    assert_eq!(later["study_days_left"], 1);
    assert!(later["readiness"].as_f64() < on_track["readiness"].as_f64(), "{later}");
    assert_eq!(later["status"], "behind");
}
