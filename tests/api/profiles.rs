//! Public profiles and SVG progress cards on the fixture tracks.
//!
//! Fixture "alpha": stage `first` = basics (4 questions), shared; stage `second` =
//! advanced; elective `elective-one`. Track "beta" holds only `shared`.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, TestUser, assert_problem, mark_question, mark_topic, spawn_app};

async fn set_profile(app: &TestApp, user: &TestUser, body: Value) -> Response {
    app.request_as(Method::PUT, "/api/v1/me/profile", &user.access).json(&body).send().await.unwrap()
}

/// PUTs `body`, which must succeed; returns the stored setting.
async fn set_profile_ok(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = set_profile(app, user, body.clone()).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "PUT /me/profile {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn my_json(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let res = app.get_as(path, &user.access).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn question_ids(app: &TestApp, topic: &str) -> Vec<String> {
    let topic = app.topic("alpha", topic).await;
    topic["questions"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()).collect()
}

fn header(res: &Response, name: &str) -> String {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Asserts the 404 every hidden profile gets, and returns its problem body.
async fn assert_hidden(app: &TestApp, handle: &str) -> Value {
    assert_problem(app.get(&format!("/api/v1/profiles/{handle}/tracks/alpha/card.svg")).await, StatusCode::NOT_FOUND)
        .await;
    assert_problem(app.get(&format!("/api/v1/profiles/{handle}")).await, StatusCode::NOT_FOUND).await
}

#[sqlx::test]
async fn a_profile_is_private_until_opted_in_and_private_looks_like_unknown(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let none = my_json(&app, &ann, "/api/v1/me/profile").await;
    assert_eq!(none, json!({"handle": null, "visibility": "private", "show_display_name": false, "url": null}));

    let set = set_profile_ok(&app, &ann, json!({"handle": "ann-lee"})).await;
    assert_eq!(set["visibility"], "private", "visibility defaults to private");
    assert_eq!(set["url"], "/api/v1/profiles/ann-lee");
    assert_eq!(my_json(&app, &ann, "/api/v1/me/profile").await, set);

    let private = assert_hidden(&app, "ann-lee").await;
    let unknown = assert_hidden(&app, "nobody-here").await;
    assert_eq!(
        private["detail"].as_str().unwrap().replace("ann-lee", "X"),
        unknown["detail"].as_str().unwrap().replace("nobody-here", "X"),
        "a private profile must answer exactly as an unknown handle"
    );
    assert_eq!(private["type"], unknown["type"]);
    assert_problem(app.get("/api/v1/me/profile").await, StatusCode::UNAUTHORIZED).await;
    let res = app.client.post(app.url("/api/v1/profiles/ann-lee/tracks/alpha/card.svg")).send().await.unwrap();
    assert_eq!(header(&res, "allow"), "GET, HEAD");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[sqlx::test]
async fn a_public_profile_shows_the_fills_of_the_progress_endpoint_and_nothing_private(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    set_profile_ok(&app, &ann, json!({"handle": "Ann_Lee", "visibility": "public"})).await;

    // Nothing started yet: public, but no tracks.
    let empty = app.get_json("/api/v1/profiles/ann_lee").await;
    assert_eq!(empty["tracks"], json!([]));
    assert_eq!(empty["current_streak"], 0);

    let basics = question_ids(&app, "basics").await;
    mark_question(&app, &ann, &basics[0], "got_it").await;
    mark_question(&app, &ann, &basics[1], "got_it").await;
    mark_question(&app, &ann, &basics[2], "learning").await;
    mark_topic(&app, &ann, "alpha", "shared", "done").await;

    // The path matches in any letter case; the answer names the canonical handle.
    let res = app.get("/api/v1/profiles/ANN_LEE").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!header(&res, "etag").is_empty(), "the profile carries an ETag");
    let text = res.text().await.unwrap();
    let profile: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(profile["handle"], "ann_lee");
    assert_eq!(profile["display_name"], Value::Null, "the display name is opt-in");
    assert_eq!(profile["current_streak"], 1, "marked today");
    for secret in ["ann@example.com", "Test User", "timezone", "quiz", "flashcards"] {
        assert!(!text.contains(secret), "the public profile shows {secret:?}: {text}");
    }

    // `shared` sits on both tracks, so both are started; sorted by title.
    let tracks = profile["tracks"].as_array().unwrap();
    assert_eq!(tracks.iter().map(|t| t["slug"].as_str().unwrap()).collect::<Vec<_>>(), ["alpha", "beta"]);
    for track in tracks {
        let slug = track["slug"].as_str().unwrap();
        let mine = my_json(&app, &ann, &format!("/api/v1/me/tracks/{slug}/progress")).await;
        assert_eq!((&track["fill"], &track["percent"]), (&mine["fill"], &mine["percent"]), "{slug} overall");
        assert_eq!(track["title"], mine["track"]["title"]);
        let stages: Vec<Value> = mine["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| json!({"slug": s["slug"], "title": s["title"], "fill": s["fill"], "percent": s["percent"]}))
            .collect();
        assert_eq!(track["stages"], json!(stages), "{slug} stages, in roadmap order");
        assert_eq!(track["card_url"], format!("/api/v1/profiles/ann_lee/tracks/{slug}/card.svg"));
    }
    // Hand-checked against the fill rule: first = ((2 + 0.5) / 4 + 1) / 2.
    assert_eq!(tracks[0]["stages"][0]["percent"], 81);
    assert_eq!(tracks[1]["percent"], 100);
}

#[sqlx::test]
async fn the_card_is_escaped_svg_with_a_strong_etag(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let hostile = "<script>alert(1)</script> & \"A\"";
    let res = app
        .request_as(Method::PATCH, "/api/v1/me", &ann.access)
        .json(&json!({"display_name": hostile}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public", "show_display_name": true})).await;
    assert_eq!(app.get_json("/api/v1/profiles/ann").await["display_name"], hostile);
    let basics = question_ids(&app, "basics").await;
    mark_question(&app, &ann, &basics[0], "got_it").await;

    let res = app.get("/api/v1/profiles/ann/tracks/alpha/card.svg").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "image/svg+xml");
    assert_eq!(header(&res, "cache-control"), "public, max-age=300");
    let etag = header(&res, "etag");
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2, "a strong ETag: {etag}");
    let svg = res.text().await.unwrap();
    assert!(!svg.contains("<script"), "the display name is not escaped:\n{svg}");

    let doc =
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("the card is not well-formed XML ({e}):\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attribute("width"), Some("480"));
    let texts: Vec<&str> = root.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    assert_eq!(texts[0], "Alpha", "the track's title first");
    assert!(texts.iter().any(|t| t.starts_with(hostile) && t.ends_with("@ann")), "name and handle: {texts:?}");
    assert!(texts.contains(&"1-day streak"), "{texts:?}");
    // basics 1/4 → first = (0.25 + 0) / 2 = 12%; second 0%; overall (0.25 + 0 + 0) / 3 = 8%.
    let stage_rows: Vec<&str> =
        texts.iter().copied().skip_while(|t| *t != "First").take_while(|t| *t != "studytrack").collect();
    assert_eq!(stage_rows, ["First", "12%", "Second", "0%"], "stages in roadmap order with percents");
    assert!(texts.contains(&"8%"), "overall percent: {texts:?}");
    assert!(!svg.contains("href") && !svg.contains("@import") && !svg.contains("url("), "nothing external");

    let res = app
        .client
        .get(app.url("/api/v1/profiles/ann/tracks/alpha/card.svg"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&res, "etag"), etag);
    assert!(res.bytes().await.unwrap().is_empty());

    mark_question(&app, &ann, &basics[1], "got_it").await;
    let res = app
        .client
        .get(app.url("/api/v1/profiles/ann/tracks/alpha/card.svg"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "new progress, new card");
    assert_ne!(header(&res, "etag"), etag);

    assert_problem(app.get("/api/v1/profiles/ann/tracks/cobol/card.svg").await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get("/api/v1/profiles/ann/tracks/Not_A_Slug/card.svg").await, StatusCode::NOT_FOUND).await;
    // A track not started yet still draws, at 0%.
    let beta = app.get("/api/v1/profiles/ann/tracks/beta/card.svg").await;
    assert_eq!(beta.status(), StatusCode::OK);
    assert!(beta.text().await.unwrap().contains(">0%<"));
}

#[sqlx::test]
async fn handle_rules_malformed_reserved_taken_in_any_case(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;

    let long = "a".repeat(31);
    for bad in ["ab", long.as_str(), "ann lee", "ann!", "-ann", "änn", "ann.lee", ""] {
        let problem =
            assert_problem(set_profile(&app, &ann, json!({"handle": bad})).await, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        assert_eq!(problem["errors"][0]["field"], "handle", "{bad:?}: {problem}");
    }
    for reserved in ["admin", "API", "studytrack"] {
        let problem = assert_problem(
            set_profile(&app, &ann, json!({"handle": reserved})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["detail"].as_str().unwrap().contains("reserved"), "{reserved}: {problem}");
    }
    for body in [
        json!({"handle": "ann", "visibility": "friends"}),
        json!({"handle": "ann", "email": "x@example.com"}),
        json!({"visibility": "public"}),
    ] {
        assert_problem(set_profile(&app, &ann, body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(my_json(&app, &ann, "/api/v1/me/profile").await["handle"], Value::Null, "nothing bad was stored");

    let mine = set_profile_ok(&app, &ann, json!({"handle": "Ann", "visibility": "public"})).await;
    assert_eq!(mine["handle"], "ann", "stored lower-cased");
    assert_eq!(set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public"})).await, mine, "idempotent");
    for taken in ["ann", "ANN", " aNn "] {
        let problem =
            assert_problem(set_profile(&app, &bob, json!({"handle": taken})).await, StatusCode::CONFLICT).await;
        assert!(problem["detail"].as_str().unwrap().contains("taken"), "{problem}");
    }
    assert_eq!(my_json(&app, &bob, "/api/v1/me/profile").await["handle"], Value::Null);
    assert_eq!(my_json(&app, &ann, "/api/v1/me/profile").await, mine, "bob's attempts left ann's profile alone");

    // A changed handle frees the old one at once.
    set_profile_ok(&app, &ann, json!({"handle": "ann-2", "visibility": "public"})).await;
    assert_hidden(&app, "ann").await;
    set_profile_ok(&app, &bob, json!({"handle": "ann"})).await;
}

#[sqlx::test]
async fn going_private_again_hides_profile_and_cards(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public"})).await;
    app.get_json("/api/v1/profiles/ann").await;
    assert_eq!(app.get("/api/v1/profiles/ann/tracks/alpha/card.svg").await.status(), StatusCode::OK);

    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "private"})).await;
    assert_hidden(&app, "ann").await;
    // Omitting visibility means private too: a PUT never publishes by accident.
    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public"})).await;
    set_profile_ok(&app, &ann, json!({"handle": "ann"})).await;
    assert_hidden(&app, "ann").await;

    // A disabled account's public profile is hidden as well.
    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public"})).await;
    sqlx::query("UPDATE app_user SET disabled_at = now() WHERE email = $1")
        .bind(&ann.email)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_hidden(&app, "ann").await;
}

#[sqlx::test]
async fn only_the_owner_changes_a_profile(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public"})).await;

    // Bob's writes only ever reach Bob's own row.
    set_profile_ok(&app, &bob, json!({"handle": "bob", "visibility": "private"})).await;
    let res = app.request_as(Method::DELETE, "/api/v1/me/profile", &bob.access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_json("/api/v1/profiles/ann").await["handle"], "ann");
    assert_eq!(my_json(&app, &bob, "/api/v1/me/profile").await["handle"], Value::Null);

    // Without a valid token there is no writing at all.
    let res = app.client.put(app.url("/api/v1/me/profile")).json(&json!({"handle": "ann"})).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app.request_as(Method::DELETE, "/api/v1/me/profile", "not-a-token").send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    app.get_json("/api/v1/profiles/ann").await;
}

#[sqlx::test]
async fn deleting_the_account_or_the_profile_frees_the_handle(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let bob = app.new_user("bob@example.com").await;
    set_profile_ok(&app, &ann, json!({"handle": "ann", "visibility": "public"})).await;
    let res = app
        .request_as(Method::DELETE, "/api/v1/me", &ann.access)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_hidden(&app, "ann").await;

    set_profile_ok(&app, &bob, json!({"handle": "ann", "visibility": "public"})).await;
    assert_eq!(app.get_json("/api/v1/profiles/ann").await["tracks"], json!([]), "bob's (empty) profile, not ann's");
    let res = app.request_as(Method::DELETE, "/api/v1/me/profile", &bob.access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_hidden(&app, "ann").await;
    let carl = app.new_user("carl@example.com").await;
    set_profile_ok(&app, &carl, json!({"handle": "ann"})).await;
}
