//! Cursor pagination: first, middle and last pages, limits and forged cursors.

use std::collections::HashSet;

use base64::Engine;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::{assert_problem, spawn_app};

#[sqlx::test]
async fn browsing_pages_cover_every_question_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let pages = app.all_pages("/api/v1/questions?limit=5").await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [5, 5, 5, 4], "19 questions in pages of 5");
    let ids: HashSet<&str> = pages.iter().flatten().map(|q| q["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 19, "no question repeats or goes missing");

    let single = app.all_pages("/api/v1/questions?limit=100").await;
    assert_eq!(single.len(), 1, "everything on one page when it fits");
    let flat: Vec<&serde_json::Value> = pages.iter().flatten().collect();
    let one: Vec<&serde_json::Value> = single.iter().flatten().collect();
    assert_eq!(flat, one, "paged order equals unpaged order");
}

#[sqlx::test]
async fn search_pages_keep_rank_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let whole = app.all_pages("/api/v1/questions?q=shared%20question&limit=100").await;
    let paged = app.all_pages("/api/v1/questions?q=shared%20question&limit=5").await;
    assert_eq!(whole[0].len(), 12);
    assert_eq!(paged.len(), 3);
    let whole: Vec<_> = whole.into_iter().flatten().collect();
    let paged: Vec<_> = paged.into_iter().flatten().collect();
    assert_eq!(whole, paged);
}

#[sqlx::test]
async fn limits_outside_1_to_100_are_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    for limit in ["0", "101", "-1", "99999999999"] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/questions?limit={limit}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "limit");
    }
    for limit in ["abc", "1.5", "99999999999999999999999"] {
        assert_problem(app.get(&format!("/api/v1/questions?limit={limit}")).await, StatusCode::BAD_REQUEST).await;
    }
    assert_problem(app.get("/api/v1/articles?limit=0").await, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[sqlx::test]
async fn garbage_and_forged_cursors_are_400(pool: PgPool) {
    let app = spawn_app(pool).await;
    let forged_shape = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"admin":true}"#);
    let long = "A".repeat(2000);
    for cursor in ["garbage", "%00", "eyJ", forged_shape.as_str(), long.as_str()] {
        for path in ["/api/v1/questions", "/api/v1/questions?q=shared", "/api/v1/articles"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let res = app.get(&format!("{path}{sep}cursor={cursor}")).await;
            assert_problem(res, StatusCode::BAD_REQUEST).await;
        }
    }
}

#[sqlx::test]
async fn a_well_formed_cursor_past_the_end_is_an_empty_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let past = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"["zzzz",0,"ffffffff-ffff-ffff-ffff-ffffffffffff"]"#);
    let page = app.get_json(&format!("/api/v1/questions?cursor={past}")).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    assert_eq!(page["next_cursor"], serde_json::Value::Null);
}

#[sqlx::test]
async fn an_empty_cursor_means_the_first_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first = app.get_json("/api/v1/questions?limit=5").await;
    for path in ["/api/v1/questions?limit=5&cursor=", "/api/v1/questions?limit=5&cursor"] {
        assert_eq!(app.get_json(path).await, first, "{path}");
    }
    assert_eq!(app.get_json("/api/v1/articles?cursor=").await["items"].as_array().unwrap().len(), 2);
}
