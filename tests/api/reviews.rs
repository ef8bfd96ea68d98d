//! Flashcard reviews: the FSRS schedule through the API, the daily new-card cap,
//! idempotent retries, statistics and a simulated week of drilling.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser, assert_problem, spawn_app};

async fn review(app: &TestApp, user: &TestUser, card: &str, rating: &str) -> Value {
    review_with_id(app, user, card, rating, Uuid::new_v4()).await
}

async fn review_with_id(app: &TestApp, user: &TestUser, card: &str, rating: &str, id: Uuid) -> Value {
    let res = app
        .request_as(Method::POST, "/api/v1/me/reviews", &user.access)
        .json(&json!({"review_id": id, "flashcard_id": card, "rating": rating}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn due(app: &TestApp, user: &TestUser, query: &str) -> Value {
    app.get_as(&format!("/api/v1/me/reviews/due{query}"), &user.access).await.json().await.unwrap()
}

async fn cards(app: &TestApp) -> Vec<String> {
    let list = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await;
    list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

#[sqlx::test]
async fn good_is_due_later_than_again_and_intervals_are_offered(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let cards = cards(&app).await;
    let good = review(&app, &user, &cards[0], "good").await;
    let again = review(&app, &user, &cards[1], "again").await;
    assert!(good["due_at"].as_str().unwrap() > again["due_at"].as_str().unwrap());
    assert_eq!((good["state"].as_str(), again["state"].as_str()), (Some("review"), Some("learning")));
    let i = &good["intervals"];
    assert!(
        i["again"].as_f64() < i["hard"].as_f64()
            && i["hard"].as_f64() <= i["good"].as_f64()
            && i["good"].as_f64() <= i["easy"].as_f64(),
        "{i}"
    );
    assert_eq!(good["reps"], 1);
}

#[sqlx::test]
async fn due_list_orders_overdue_first_then_new_cards_in_roadmap_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let fresh = due(&app, &user, "?track=alpha").await;
    let slugs: Vec<&str> =
        fresh["items"].as_array().unwrap().iter().map(|c| c["flashcard"]["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["is-operator", "defaults-once"], "new cards in roadmap order");
    assert!(fresh["items"].as_array().unwrap().iter().all(|c| c["state"] == "new"));

    let cards = cards(&app).await;
    review(&app, &user, &cards[0], "good").await;
    review(&app, &user, &cards[1], "again").await;
    app.clock.advance(Duration::days(10));
    let later = due(&app, &user, "?track=alpha&topic=basics").await;
    let items = later["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["flashcard"]["slug"], "defaults-once", "the card rated again is the more overdue");
    assert!(items[0]["overdue_days"].as_f64().unwrap() > items[1]["overdue_days"].as_f64().unwrap());
    assert_problem(
        app.get_as("/api/v1/me/reviews/due?track=beta&topic=basics", &user.access).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(app.get_as("/api/v1/me/reviews/due?limit=0", &user.access).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
}

#[sqlx::test]
async fn the_daily_new_card_cap_holds(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let res = app
        .request_as(Method::PATCH, "/api/v1/me", &user.access)
        .json(&json!({"new_cards_per_day": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let first = due(&app, &user, "").await;
    assert_eq!((first["items"].as_array().unwrap().len(), first["new_remaining_today"].as_i64()), (1, Some(1)));
    review(&app, &user, first["items"][0]["flashcard"]["id"].as_str().unwrap(), "good").await;
    let after = due(&app, &user, "").await;
    assert_eq!(after["new_remaining_today"], 0);
    assert!(after["items"].as_array().unwrap().is_empty(), "no second new card today: {after}");
    app.clock.advance(Duration::days(1));
    assert_eq!(due(&app, &user, "").await["new_remaining_today"], 1, "a new day brings new cards");
    for bad in [
        json!({"new_cards_per_day": -1}),
        json!({"new_cards_per_day": 501}),
        json!({"desired_retention": 0.99}),
        json!({"desired_retention": 0.5}),
    ] {
        let res = app.request_as(Method::PATCH, "/api/v1/me", &user.access).json(&bad).send().await.unwrap();
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
}

#[sqlx::test]
async fn ten_concurrent_retries_of_one_review_apply_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let card = cards(&app).await[0].clone();
    let id = Uuid::new_v4();
    let retries = (0..10).map(|_| {
        let req = app
            .request_as(Method::POST, "/api/v1/me/reviews", &user.access)
            .json(&json!({"review_id": id, "flashcard_id": card, "rating": "good"}));
        async move { req.send().await.unwrap() }
    });
    let mut bodies = Vec::new();
    for res in futures_util::future::join_all(retries).await {
        assert_eq!(res.status(), StatusCode::OK);
        bodies.push(res.json::<Value>().await.unwrap());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "every retry gets the same answer");
    let (logs, reps): (i64, i32) =
        sqlx::query_as("SELECT (SELECT count(*) FROM review_log), (SELECT reps FROM card_state)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((logs, reps), (1, 1));

    // Another learner cannot reuse (or read) that review id.
    let eve = app.new_user("eve@example.com").await;
    let res = app
        .request_as(Method::POST, "/api/v1/me/reviews", &eve.access)
        .json(&json!({"review_id": id, "flashcard_id": card, "rating": "easy"}))
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(!body.contains(&user.id), "nothing of the other learner leaks: {body}");
    let res = app
        .request_as(Method::POST, "/api/v1/me/reviews", &user.access)
        .json(&json!({"review_id": Uuid::new_v4(), "flashcard_id": Uuid::new_v4(), "rating": "good"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn a_week_of_drilling_spreads_the_schedule_out(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let card = cards(&app).await[0].clone();
    let mut intervals = Vec::new();
    let mut last = review(&app, &user, &card, "good").await;
    intervals.push(last["interval_days"].as_f64().unwrap());
    for _day in 0..7 {
        app.clock.advance(Duration::days(1));
        let queue = due(&app, &user, "?track=alpha&topic=basics").await;
        if queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["flashcard"]["id"] == card.as_str() && c["state"] != "new")
        {
            last = review(&app, &user, &card, "good").await;
            intervals.push(last["interval_days"].as_f64().unwrap());
        }
    }
    assert!(intervals.len() >= 2, "the card came back during the week: {intervals:?}");
    assert!(intervals.windows(2).all(|w| w[1] > w[0]), "intervals grow: {intervals:?}");

    // Long overdue: recalled after a month, the next interval is longer than on time.
    app.clock.advance(Duration::days(60));
    let overdue = review(&app, &user, &card, "good").await;
    assert!(overdue["interval_days"].as_f64().unwrap() > last["interval_days"].as_f64().unwrap());

    let stats: Value = app.get_as("/api/v1/me/reviews/stats", &user.access).await.json().await.unwrap();
    assert_eq!(stats["retention"], 1.0);
    assert_eq!(stats["cards_by_state"]["review"], 1);
    assert_eq!(stats["cards_by_state"]["new"], 1, "the fixture holds two flashcards");
    assert!(stats["reviews_total"].as_i64().unwrap() >= 3);
}

#[sqlx::test]
async fn overdue_cards_become_a_soft_spot(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let card = cards(&app).await[0].clone();
    review(&app, &user, &card, "again").await;
    app.clock.advance(Duration::days(3));
    let progress: Value = app.get_as("/api/v1/me/tracks/alpha/progress", &user.access).await.json().await.unwrap();
    assert_eq!(progress["stages"][0]["topics"][0]["progress"]["flashcards_due"], 1);
    let spots: Value = app.get_as("/api/v1/me/tracks/alpha/soft-spots", &user.access).await.json().await.unwrap();
    let codes: Vec<&str> =
        spots["items"][0]["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["overdue_flashcards"]);
    let again = review(&app, &user, &card, "again").await;
    assert_eq!(again["state"], "learning");
    let stats: Value = app.get_as("/api/v1/me/reviews/stats", &user.access).await.json().await.unwrap();
    assert_eq!(stats["retention"], 0.0, "every review was rated again");
}

async fn review_at(
    app: &TestApp,
    user: &TestUser,
    card: &str,
    rating: &str,
    at: time::OffsetDateTime,
) -> reqwest::Response {
    let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
    app.request_as(Method::POST, "/api/v1/me/reviews", &user.access)
        .json(&json!({"review_id": Uuid::new_v4(), "flashcard_id": card, "rating": rating, "reviewed_at": at}))
        .send()
        .await
        .unwrap()
}

async fn card_state(app: &TestApp, user: &TestUser, card: &str) -> (f32, f32, time::OffsetDateTime, i32) {
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    sqlx::query_as(
        "SELECT stability, difficulty, due_at, reps FROM card_state WHERE user_id = $1::uuid AND flashcard_id = $2::uuid",
    )
    .bind(me["id"].as_str().unwrap())
    .bind(card)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn reviews_recorded_offline_and_sent_out_of_order_end_where_in_order_ones_do(pool: PgPool) {
    let app = spawn_app(pool).await;
    let online = app.new_user("ann@example.com").await;
    let offline = app.new_user("bob@example.com").await;
    let card = cards(&app).await[0].clone();
    // Both accounts were made a moment ago: the history is moved into the future.
    app.clock.advance(Duration::days(30));
    let base = app.clock.now();
    let history =
        [(base - Duration::days(20), "good"), (base - Duration::days(12), "again"), (base - Duration::days(5), "good")];
    for (at, rating) in history {
        let res = review_at(&app, &online, &card, rating, at).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["replayed"], false);
    }
    // The other device sends its reviews newest first.
    let mut replayed = Vec::new();
    for (at, rating) in history.iter().rev() {
        let res = review_at(&app, &offline, &card, rating, *at).await;
        assert_eq!(res.status(), StatusCode::OK);
        replayed.push(res.json::<Value>().await.unwrap()["replayed"].as_bool().unwrap());
    }
    assert_eq!(replayed, [false, true, true]);
    assert_eq!(card_state(&app, &online, &card).await, card_state(&app, &offline, &card).await);
    // The export carries the log in the columns FSRS optimizer tools read, oldest first.
    let export: Value = app.get_as("/api/v1/me/export", &offline.access).await.json().await.unwrap();
    let ratings: Vec<i64> =
        export["reviews"].as_array().unwrap().iter().map(|r| r["rating"].as_i64().unwrap()).collect();
    assert_eq!((export["export_version"].as_i64(), ratings), (Some(2), vec![3, 1, 3]));

    // Bounds: not in the future, not before the account existed.
    let res = review_at(&app, &online, &card, "good", app.clock.now() + Duration::hours(1)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = review_at(&app, &online, &card, "good", base - Duration::days(400)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}
