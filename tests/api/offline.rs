//! The offline copy of a track: complete, without quiz answers, cached with an ETag per
//! coding, served compressed when asked, and followed by the content feed from the
//! cursor it carries.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, IF_NONE_MATCH, VARY};
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{TestApp, assert_problem, spawn_app};

async fn synced(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.state.cache.is_synced() {
        assert!(Instant::now() < deadline, "the instance never subscribed to content changes");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The bundle as sent with `coding` accepted: status, `Content-Encoding`, ETag, decoded body.
async fn fetch(
    app: &TestApp,
    coding: Option<&str>,
    if_none_match: Option<&str>,
) -> (StatusCode, String, String, Vec<u8>) {
    let mut req = app.client.get(app.url("/api/v1/tracks/alpha/bundle"));
    if let Some(coding) = coding {
        req = req.header(ACCEPT_ENCODING, coding);
    }
    if let Some(tag) = if_none_match {
        req = req.header(IF_NONE_MATCH, tag);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let header = |name| res.headers().get(name).map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned());
    let encoding = header(CONTENT_ENCODING).unwrap_or_default();
    let etag = header(ETAG).unwrap_or_default();
    if status == StatusCode::OK {
        assert!(header(VARY).unwrap_or_default().contains("Accept-Encoding"), "the answer varies by coding");
    }
    let raw = res.bytes().await.unwrap();
    let mut body = Vec::new();
    match encoding.as_str() {
        _ if raw.is_empty() => {}
        "br" => brotli::Decompressor::new(&raw[..], 4096).read_to_end(&mut body).map(|_| ()).unwrap(),
        "gzip" => flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut body).map(|_| ()).unwrap(),
        _ => body = raw.to_vec(),
    }
    (status, encoding, etag, body)
}

#[sqlx::test]
async fn the_bundle_holds_the_whole_track_without_quiz_answers(pool: PgPool) {
    let app = spawn_app(pool).await;
    let bundle = app.get_json("/api/v1/tracks/alpha/bundle").await;
    let roadmap = app.roadmap("alpha").await;
    assert_eq!(bundle["format"], 1);
    assert_eq!(bundle["roadmap"]["id"], roadmap["id"]);
    let on_roadmap: Vec<&Value> = roadmap["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["topics"].as_array().unwrap())
        .chain(roadmap["electives"].as_array().unwrap())
        .map(|t| &t["slug"])
        .collect();
    let topics = bundle["topics"].as_array().unwrap();
    let in_bundle: Vec<&Value> = topics.iter().map(|t| &t["topic"]["slug"]).collect();
    assert_eq!(in_bundle, on_roadmap, "every topic, in path order");
    for t in topics {
        let slug = t["topic"]["slug"].as_str().unwrap();
        let online = app.topic("alpha", slug).await;
        assert_eq!(t["topic"], online, "the topic as the online read gives it");
        let listed: Vec<&Value> = online["questions"].as_array().unwrap().iter().map(|q| &q["id"]).collect();
        let held: Vec<&Value> = t["questions"].as_array().unwrap().iter().map(|q| &q["id"]).collect();
        assert_eq!(held, listed);
        for q in t["questions"].as_array().unwrap() {
            let online = app.get_json(&format!("/api/v1/questions/{}", q["id"].as_str().unwrap())).await;
            assert_eq!(*q, online, "each question with its full answer");
        }
        let cards = app.get_json(&format!("/api/v1/tracks/alpha/topics/{slug}/flashcards")).await;
        assert_eq!(t["flashcards"], cards["items"]);
        for item in t["quiz_items"].as_array().unwrap() {
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["code", "id", "kind", "options", "prompt", "question_id"], "no answer, no explanation");
        }
    }
    assert!(topics.iter().any(|t| !t["quiz_items"].as_array().unwrap().is_empty()));
    assert_problem(app.get("/api/v1/tracks/nope/bundle").await, StatusCode::NOT_FOUND).await;
}

#[sqlx::test]
async fn each_coding_is_its_own_representation_and_all_decode_to_the_same_bytes(pool: PgPool) {
    let app = spawn_app(pool).await;
    synced(&app).await;
    // The first read fills the cache (with the compressed forms); the plain answer of a
    // miss is the same document.
    let (_, _, _, first) = fetch(&app, None, None).await;
    let (status, coding, plain_tag, plain) = fetch(&app, None, None).await;
    assert_eq!((status, coding.as_str()), (StatusCode::OK, ""));
    assert_eq!(plain, first);
    let (_, coding, br_tag, br) = fetch(&app, Some("gzip, deflate, br"), None).await;
    assert_eq!(coding, "br", "brotli wins a tie");
    assert_eq!(br, plain);
    let (_, coding, gzip_tag, gzip) = fetch(&app, Some("gzip;q=1, br;q=0.5"), None).await;
    assert_eq!(coding, "gzip", "the client's weights decide");
    assert_eq!(gzip, plain);
    let (_, coding, _, _) = fetch(&app, Some("br;q=0, gzip;q=0"), None).await;
    assert_eq!(coding, "", "plain when every coding is refused");
    assert_eq!(
        [&plain_tag, &gzip_tag].map(|t| t.trim_end_matches('"').to_owned() + "-br\""),
        [br_tag.clone(), format!("{}-br\"", gzip_tag.trim_end_matches('"'))]
    );
    assert!(plain_tag != br_tag && plain_tag != gzip_tag && gzip_tag != br_tag, "a strong tag per representation");
    // A revalidation matches only the representation it names.
    assert_eq!(fetch(&app, Some("br"), Some(&br_tag)).await.0, StatusCode::NOT_MODIFIED);
    assert_eq!(fetch(&app, None, Some(&plain_tag)).await.0, StatusCode::NOT_MODIFIED);
    assert_eq!(fetch(&app, None, Some(&br_tag)).await.0, StatusCode::OK);
    assert_eq!(fetch(&app, Some("gzip"), Some(&br_tag)).await.0, StatusCode::OK);
    // Other cached content is compressed the same way, once it is big enough to gain.
    for path in ["/api/v1/tracks/alpha", "/api/v1/tracks/alpha/topics/basics", "/api/v1/tracks"] {
        let plain = app.get(path).await.bytes().await.unwrap().len();
        let res = app.client.get(app.url(path)).header(ACCEPT_ENCODING, "br").send().await.unwrap();
        let coding = res.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(coding.is_some(), plain >= 1024, "{path}: {plain} bytes, coding {coding:?}");
    }
}

#[sqlx::test]
async fn the_bundles_cursor_lists_every_later_change_and_the_copy_is_remade(pool: PgPool) {
    let app = spawn_app(pool).await;
    synced(&app).await;
    let (_, _, before_tag, body) = fetch(&app, Some("br"), None).await;
    let bundle: Value = serde_json::from_slice(&body).unwrap();
    let cursor = bundle["changes_cursor"].as_str().unwrap().to_owned();
    let feed = app.get_json(&format!("/api/v1/tracks/alpha/changes?since={cursor}")).await;
    assert_eq!(feed["changes"], Value::Array(vec![]), "the copy already holds everything before its cursor");
    let question = bundle["topics"][0]["questions"][0]["id"].as_str().unwrap().to_owned();
    sqlx::query(
        "UPDATE question SET answer = answer || ' Edited offline.', updated_at = now() WHERE question_id = $1::uuid",
    )
    .bind(&question)
    .execute(&app.pool)
    .await
    .unwrap();
    // The feed shows a change once every older transaction has finished: poll briefly.
    let deadline = Instant::now() + Duration::from_secs(10);
    let feed = loop {
        let feed = app.get_json(&format!("/api/v1/tracks/alpha/changes?since={cursor}")).await;
        if !feed["changes"].as_array().unwrap().is_empty() || Instant::now() > deadline {
            break feed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let changes = feed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{feed}");
    assert_eq!((changes[0]["kind"].as_str(), changes[0]["id"].as_str()), (Some("question"), Some(question.as_str())));
    // The cache hears of the edit and the next copy holds it, under a new tag.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, tag, body) = fetch(&app, Some("br"), Some(&before_tag)).await;
        if status == StatusCode::OK {
            assert_ne!(tag, before_tag);
            let bundle: Value = serde_json::from_slice(&body).unwrap();
            assert!(bundle["topics"][0]["questions"][0]["answer"].as_str().unwrap().ends_with("Edited offline."));
            break;
        }
        assert!(Instant::now() < deadline, "the copy was never remade");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[sqlx::test]
async fn per_learner_bodies_are_compressed_on_the_fly(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ann = app.new_user("ann@example.com").await;
    let question = app.topic("alpha", "basics").await["questions"][0]["id"].as_str().unwrap().to_owned();
    let note = "Say why, not only what. ".repeat(400);
    let res = app
        .request_as(reqwest::Method::PUT, &format!("/api/v1/me/notes/question/{question}"), &ann.access)
        .json(&serde_json::json!({"body": note}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let plain = app.get_as("/api/v1/me/notes", &ann.access).await;
    assert!(plain.headers().get(CONTENT_ENCODING).is_none(), "nothing asked, nothing compressed");
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 8 * 1024);
    for coding in ["gzip", "br"] {
        let res = app
            .client
            .get(app.url("/api/v1/me/notes"))
            .bearer_auth(&ann.access)
            .header(ACCEPT_ENCODING, coding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()[CONTENT_ENCODING], coding);
        assert!(res.headers()[VARY].to_str().unwrap().contains("Accept-Encoding"));
        assert_eq!(res.headers()["cache-control"], "no-store", "still private");
        let raw = res.bytes().await.unwrap();
        assert!(raw.len() < plain.len() / 4, "{coding}: {} of {} bytes", raw.len(), plain.len());
        let mut body = Vec::new();
        if coding == "br" {
            brotli::Decompressor::new(&raw[..], 4096).read_to_end(&mut body).unwrap();
        } else {
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut body).unwrap();
        }
        assert_eq!(body, plain.to_vec());
    }
    // Small per-learner bodies go out as they are.
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&ann.access)
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get(CONTENT_ENCODING).is_none());
}
