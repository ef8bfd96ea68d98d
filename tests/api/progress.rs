//! Marks, the filled-in roadmap, next-up, soft spots and activity on the fixture track.
//!
//! Fixture "alpha": stage `first` = basics (4 questions: 2 junior, 1 mid, 1 senior),
//! shared (12); stage `second` = advanced (2); elective `elective-one` (1). Track
//! "beta" holds `shared` too.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser, assert_problem, copy_dir, fixture_dir, mark_question, mark_topic, spawn_app};

async fn question_ids(app: &TestApp, topic: &str) -> Vec<String> {
    let topic = app.topic("alpha", topic).await;
    topic["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()).collect()
}

async fn get_as_json(app: &TestApp, path: &str, user: &TestUser) -> Value {
    let res = app.get_as(path, &user.access).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn topic<'a>(progress: &'a Value, slug: &str) -> &'a Value {
    progress["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["topics"].as_array().unwrap())
        .chain(progress["electives"].as_array().unwrap())
        .find(|t| t["slug"] == slug)
        .unwrap_or_else(|| panic!("no topic {slug}"))
}

#[sqlx::test]
async fn fill_percentages_match_the_rule_computed_by_hand(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let basics = question_ids(&app, "basics").await;
    mark_question(&app, &user, &basics[0], "got_it").await;
    mark_question(&app, &user, &basics[1], "got_it").await;
    mark_question(&app, &user, &basics[2], "learning").await;
    mark_topic(&app, &user, "alpha", "shared", "done").await;

    let p = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    let b = &topic(&p, "basics")["progress"];
    assert_eq!(b["questions"], json!({"total": 4, "got_it": 2, "learning": 1}));
    assert_eq!((b["fill"].as_f64().unwrap(), b["percent"].as_i64().unwrap()), (0.625, 62), "(2 + 0.5) / 4");
    assert_eq!(b["status"], "learning");
    assert_eq!(b["marked"], false);
    assert_eq!(topic(&p, "shared")["progress"]["percent"], 100);
    assert_eq!(topic(&p, "shared")["progress"]["status"], "done");
    assert_eq!(topic(&p, "advanced")["progress"]["percent"], 0);
    assert_eq!(p["stages"][0]["percent"], 81, "(0.625 + 1) / 2");
    assert_eq!(p["stages"][1]["percent"], 0);
    assert_eq!(p["fill"], 0.5417, "(0.625 + 1 + 0) / 3; the untouched elective does not count");
    assert_eq!(p["totals"], json!({"questions_total": 19, "questions_got_it": 2, "topics_total": 3, "topics_done": 1}));

    let elective = question_ids(&app, "elective-one").await;
    mark_question(&app, &user, &elective[0], "got_it").await;
    let p = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    assert_eq!(p["fill"], 0.6563, "a started elective counts: (0.625 + 1 + 0 + 1) / 4");
    mark_topic(&app, &user, "alpha", "elective-one", "skipped").await;
    let p = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    assert_eq!(p["fill"], 0.5417, "a skipped elective does not count against the track");
    assert_eq!(topic(&p, "elective-one")["progress"]["counts_toward_track"], false);

    // The shared topic's mark shows on the other track too.
    let beta = get_as_json(&app, "/api/v1/me/tracks/beta/progress", &user).await;
    assert_eq!(beta["percent"], 100);
}

#[sqlx::test]
async fn the_roadmap_with_a_token_carries_the_same_progress(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let basics = question_ids(&app, "basics").await;
    mark_question(&app, &user, &basics[0], "got_it").await;
    let progress = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    let roadmap = get_as_json(&app, "/api/v1/tracks/alpha", &user).await;
    assert_eq!(roadmap["stages"][0]["topics"][0]["progress"], topic(&progress, "basics")["progress"]);
    assert_eq!(roadmap["progress"]["percent"], progress["percent"]);
    assert_eq!(roadmap["stages"][0]["progress"]["percent"], progress["stages"][0]["percent"]);
    let anonymous = app.roadmap("alpha").await;
    assert!(anonymous["stages"][0]["topics"][0].get("progress").is_none(), "no progress without a token");
    assert!(anonymous.get("progress").is_none());
    let res = app.client.get(app.url("/api/v1/tracks/alpha")).bearer_auth("not-a-token").send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn next_up_walks_the_path_in_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let next = || async { get_as_json(&app, "/api/v1/me/tracks/alpha/next", &user).await };

    let n = next().await;
    assert_eq!((n["topic"]["slug"].as_str(), n["reason_code"].as_str()), (Some("basics"), Some("next_in_order")));
    let difficulties: Vec<&str> =
        n["questions"].as_array().unwrap().iter().map(|q| q["difficulty"].as_str().unwrap()).collect();
    assert_eq!(difficulties, ["junior", "junior", "mid"], "three open questions in study order");
    assert!(n["reason"].as_str().unwrap().contains("Basics"));

    // Working on a later topic does not change the recommendation: order wins.
    let advanced = question_ids(&app, "advanced").await;
    mark_question(&app, &user, &advanced[0], "got_it").await;
    assert_eq!(next().await["topic"]["slug"], "basics");

    let basics = question_ids(&app, "basics").await;
    mark_question(&app, &user, &basics[0], "got_it").await;
    let n = next().await;
    assert_eq!(
        (n["topic"]["slug"].as_str(), n["reason_code"].as_str()),
        (Some("basics"), Some("continue_in_progress"))
    );
    assert!(
        !n["questions"].as_array().unwrap().iter().any(|q| q["id"] == basics[0].as_str()),
        "got-it questions are not suggested"
    );

    mark_topic(&app, &user, "alpha", "basics", "done").await;
    assert_eq!(next().await["topic"]["slug"], "shared");
    mark_topic(&app, &user, "alpha", "shared", "skipped").await;
    assert_eq!(next().await["topic"]["slug"], "advanced");
    mark_question(&app, &user, &advanced[1], "got_it").await;
    let n = next().await;
    assert_eq!((n["topic"]["slug"].as_str(), n["reason_code"].as_str()), (Some("elective-one"), Some("core_complete")));
    mark_topic(&app, &user, "alpha", "elective-one", "skipped").await;
    let n = next().await;
    assert_eq!(n["reason_code"], "track_complete");
    assert_eq!(n["topic"], Value::Null);
}

#[sqlx::test]
async fn soft_spots_appear_and_disappear_with_the_data(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let spots = || async {
        get_as_json(&app, "/api/v1/me/tracks/alpha/soft-spots", &user).await["items"].as_array().unwrap().clone()
    };
    assert!(spots().await.is_empty(), "nothing started, nothing weak");

    let advanced = question_ids(&app, "advanced").await;
    mark_question(&app, &user, &advanced[0], "learning").await;
    let s = spots().await;
    let slugs: Vec<&str> = s.iter().map(|s| s["topic"]["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["basics", "shared"], "earlier-stage topics left unfinished");
    assert_eq!(s[0]["reasons"][0]["code"], "out_of_order");
    assert!(s[0]["reasons"][0]["message"].as_str().unwrap().contains("Second"));

    mark_topic(&app, &user, "alpha", "shared", "done").await;
    let s = spots().await;
    assert_eq!(s.len(), 2, "shared is now done, but with open questions: {s:?}");
    assert_eq!(s[0]["topic"]["slug"], "basics", "out_of_order (3) outranks done_with_open_questions (2)");
    assert_eq!(s[1]["topic"]["slug"], "shared");
    assert_eq!(s[1]["reasons"][0]["code"], "done_with_open_questions");

    for id in question_ids(&app, "shared").await {
        mark_question(&app, &user, &id, "got_it").await;
    }
    for id in question_ids(&app, "basics").await {
        mark_question(&app, &user, &id, "got_it").await;
    }
    // The order and done reasons are gone; what stays is that nothing backs the claims.
    let s = spots().await;
    let codes: Vec<Vec<&str>> = s
        .iter()
        .map(|s| s["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(codes, [["claimed_unproven"], ["claimed_unproven"]], "{s:?}");
    assert!(s.iter().all(|s| s["score"] == 1), "an untested claim is the mildest reason: {s:?}");
}

#[sqlx::test]
async fn the_same_put_twice_is_one_change_and_concurrent_puts_end_in_one_row(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let id = question_ids(&app, "basics").await[0].clone();
    let first = mark_question(&app, &user, &id, "got_it").await;
    let again = mark_question(&app, &user, &id, "got_it").await;
    assert_eq!(first["applied"], true);
    assert_eq!(again["applied"], false);
    assert_eq!(again["marked_at"], first["marked_at"]);

    let other = question_ids(&app, "basics").await[1].clone();
    let base = time::OffsetDateTime::now_utc() - time::Duration::minutes(30);
    let writes = (0..20).map(|i| {
        let status = ["new", "learning", "got_it"][i % 3];
        let at =
            (base + time::Duration::seconds(i as i64)).format(&time::format_description::well_known::Rfc3339).unwrap();
        let req = app
            .request_as(Method::PUT, &format!("/api/v1/me/questions/{other}/status"), &user.access)
            .json(&json!({"status": status, "marked_at": at}));
        async move { req.send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    let rows: Vec<(String, time::OffsetDateTime)> =
        sqlx::query_as("SELECT status, marked_at FROM question_mark WHERE question_id = $1::uuid")
            .bind(&other)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0,
        ["new", "learning", "got_it"][19 % 3],
        "the latest marked_at wins whatever the arrival order"
    );
    assert_eq!(rows[0].1.unix_timestamp(), (base + time::Duration::seconds(19)).unix_timestamp());

    let same = (0..20).map(|_| {
        let req = app
            .request_as(Method::PUT, "/api/v1/me/tracks/alpha/topics/advanced/status", &user.access)
            .json(&json!({"status": "learning"}));
        async move { req.send().await.unwrap().status() }
    });
    assert!(futures_util::future::join_all(same).await.iter().all(|s| *s == StatusCode::OK));
    let (rows, activity): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM topic_mark), (SELECT count(*) FROM activity WHERE kind = 'topic_mark')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((rows, activity), (1, 1), "20 identical concurrent PUTs are one row and one change");
}

/// The writes of the concurrent test above, in the arrival order that once left the
/// row stamped with a write two changes older than the one that stands.
#[sqlx::test]
async fn late_writes_of_other_statuses_leave_the_newest_time_standing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let id = question_ids(&app, "basics").await[0].clone();
    let path = format!("/api/v1/me/questions/{id}/status");
    for (status, at) in [("learning", "16"), ("learning", "19"), ("got_it", "17"), ("new", "18")] {
        let res = app
            .request_as(Method::PUT, &path, &user.access)
            .json(&json!({"status": status, "marked_at": format!("2026-01-01T00:00:{at}Z")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let row: (String, time::OffsetDateTime) =
        sqlx::query_as("SELECT status, marked_at FROM question_mark WHERE question_id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(row.0, "learning");
    assert_eq!(row.1.second(), 19, "the same row as when the writes arrive in time order");
}

#[sqlx::test]
async fn older_writes_lose_and_bad_marks_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let id = question_ids(&app, "basics").await[0].clone();
    let path = format!("/api/v1/me/questions/{id}/status");
    let put = |body: Value| app.request_as(Method::PUT, &path, &user.access).json(&body).send();
    put(json!({"status": "got_it", "marked_at": "2026-01-02T00:00:00Z"})).await.unwrap();
    let res: Value =
        put(json!({"status": "learning", "marked_at": "2026-01-01T00:00:00Z"})).await.unwrap().json().await.unwrap();
    assert_eq!((res["status"].as_str(), res["applied"].as_bool()), (Some("got_it"), Some(false)));

    // A newer write of the same status still moves the clock forward: an older write
    // of another status that arrives after it must lose (it used to win).
    put(json!({"status": "got_it", "marked_at": "2026-01-05T00:00:00Z"})).await.unwrap();
    let res: Value =
        put(json!({"status": "learning", "marked_at": "2026-01-04T00:00:00Z"})).await.unwrap().json().await.unwrap();
    assert_eq!((res["status"].as_str(), res["applied"].as_bool()), (Some("got_it"), Some(false)), "{res}");
    assert_eq!(
        res["marked_at"], "2026-01-05T00:00:00Z",
        "marked_at is the newest write's time, so every arrival order ends the same"
    );

    let future = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for body in [
        json!({"status": "mastered"}),
        json!({"status": "got_it", "marked_at": future}),
        json!({"status": "got_it", "marked_at": "yesterday"}),
        json!({"status": "got_it", "user_id": Uuid::new_v4()}),
        json!({}),
    ] {
        assert_problem(put(body).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let missing = format!("/api/v1/me/questions/{}/status", Uuid::new_v4());
    let res =
        app.request_as(Method::PUT, &missing, &user.access).json(&json!({"status": "got_it"})).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = app
        .request_as(Method::PUT, "/api/v1/me/tracks/beta/topics/basics/status", &user.access)
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_problem(app.get_as("/api/v1/me/tracks/nope/progress", &user.access).await, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn retiring_content_keeps_history_but_drops_it_from_totals(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let gil: String = sqlx::query_scalar("SELECT question_id::text FROM question WHERE slug = 'gil-threads'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    mark_question(&app, &user, &gil, "got_it").await;
    let before = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    assert_eq!(topic(&before, "advanced")["progress"]["questions"], json!({"total": 2, "got_it": 1, "learning": 0}));

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), dir.path());
    let file = dir.path().join("topics/advanced/questions/gil-threads.md");
    let saved = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    // Renaming the topic keeps its id, so its marks stay too.
    let topic_file = dir.path().join("topics/advanced/topic.md");
    std::fs::write(
        &topic_file,
        std::fs::read_to_string(&topic_file).unwrap().replace("title = \"Advanced\"", "title = \"Advanced Topics\""),
    )
    .unwrap();
    mark_topic(&app, &user, "alpha", "advanced", "learning").await;
    app.reseed(dir.path()).await;

    let after = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    let adv = topic(&after, "advanced");
    assert_eq!(adv["title"], "Advanced Topics");
    assert_eq!(
        adv["progress"]["questions"],
        json!({"total": 1, "got_it": 0, "learning": 0}),
        "the retired question leaves both sides"
    );
    assert_eq!(adv["progress"]["status"], "learning", "the renamed topic keeps its mark");
    let export = get_as_json(&app, "/api/v1/me/export", &user).await;
    let kept =
        export["question_marks"].as_array().unwrap().iter().find(|m| m["id"] == gil.as_str()).expect("history kept");
    assert_eq!(kept["retired"], true);

    std::fs::write(&file, saved).unwrap();
    app.reseed(dir.path()).await;
    let restored = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &user).await;
    assert_eq!(
        topic(&restored, "advanced")["progress"]["questions"]["got_it"],
        1,
        "restored content brings its marks back"
    );
}

#[sqlx::test]
async fn two_learners_never_see_each_others_progress(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    for id in question_ids(&app, "basics").await {
        mark_question(&app, &ann, &id, "got_it").await;
    }
    mark_topic(&app, &ann, "alpha", "shared", "done").await;
    let bobs = get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &bob).await;
    assert_eq!(bobs["percent"], 0);
    assert!(get_as_json(&app, "/api/v1/me/activity", &bob).await["days"].as_array().unwrap().is_empty());
    assert_eq!(get_as_json(&app, "/api/v1/me/export", &bob).await["question_marks"], json!([]));
    assert_eq!(get_as_json(&app, "/api/v1/tracks/alpha", &bob).await["progress"]["percent"], 0);
    assert!(get_as_json(&app, "/api/v1/me/tracks/alpha/progress", &ann).await["percent"].as_i64().unwrap() > 0);
}

#[sqlx::test]
async fn activity_days_and_streaks_follow_the_learners_time_zone(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let id: Uuid = user.id.parse().unwrap();
    // 23:30 and 00:30 in Tokyo (UTC+9) on consecutive days; the same UTC day.
    for at in ["2026-03-10T14:30:00Z", "2026-03-10T15:30:00Z", "2026-03-10T16:00:00Z"] {
        sqlx::query("INSERT INTO activity (user_id, kind, occurred_at) VALUES ($1, 'review', $2::timestamptz)")
            .bind(id)
            .bind(at)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let range = "/api/v1/me/activity?from=2026-03-01&to=2026-03-31";
    let utc = get_as_json(&app, range, &user).await;
    assert_eq!(utc["timezone"], "UTC");
    assert_eq!(utc["days"], json!([{"date": "2026-03-10", "count": 3}]));
    assert_eq!(utc["longest_streak"], 1);

    let res = app
        .request_as(Method::PATCH, "/api/v1/me", &user.access)
        .json(&json!({"timezone": "Asia/Tokyo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tokyo = get_as_json(&app, range, &user).await;
    assert_eq!(tokyo["days"], json!([{"date": "2026-03-10", "count": 1}, {"date": "2026-03-11", "count": 2}]));
    assert_eq!(tokyo["longest_streak"], 2, "the day boundary falls between the events in Tokyo");
    assert_eq!(tokyo["total"], 3);
    assert_eq!(tokyo["current_streak"], 0, "nothing today or yesterday");

    mark_question(&app, &user, &question_ids(&app, "basics").await[0], "got_it").await;
    let now = get_as_json(&app, "/api/v1/me/activity", &user).await;
    assert_eq!(now["current_streak"], 1, "a mark today starts a streak");

    for (query, status) in [
        ("?from=2026-03-31&to=2026-03-01", StatusCode::UNPROCESSABLE_ENTITY),
        ("?from=03/01/2026", StatusCode::UNPROCESSABLE_ENTITY),
        ("?from=1900-01-01&to=2026-01-01", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_problem(app.get_as(&format!("/api/v1/me/activity{query}"), &user.access).await, status).await;
    }
    for tz in ["Mars/Olympus", "", "'; DROP TABLE activity; --"] {
        let res = app
            .request_as(Method::PATCH, "/api/v1/me", &user.access)
            .json(&json!({"timezone": tz}))
            .send()
            .await
            .unwrap();
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
}
