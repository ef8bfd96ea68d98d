//! The OpenAPI document: served equals committed, and every operation is documented.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::spawn_app;

#[sqlx::test]
async fn served_document_equals_the_committed_file(pool: PgPool) {
    let app = spawn_app(pool).await;
    let served = app.get_json("/openapi.json").await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json is missing"))
            .expect("openapi/openapi.json is not JSON");
    assert!(
        served == committed,
        "openapi/openapi.json is stale; regenerate it with:\n    cargo run --quiet -- openapi > openapi/openapi.json"
    );
}

/// The route table (`src/routes.rs`) names each route's method and path beside its
/// handler; those must be exactly the document's operations, so the table can be
/// read without opening a handler.
#[sqlx::test]
async fn the_route_table_lists_every_operation_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = app.get_json("/openapi.json").await;
    let mut documented: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    let table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes.rs")).unwrap();
    let mut listed: Vec<String> = table
        .lines()
        .filter_map(|line| line.split_once("// ").map(|(_, c)| c.trim().to_owned()))
        .filter(|c| ["GET ", "POST ", "PUT ", "PATCH ", "DELETE "].iter().any(|m| c.starts_with(m)))
        .collect();
    documented.sort();
    listed.sort();
    assert_eq!(listed, documented, "src/routes.rs and the document disagree");
}

#[sqlx::test]
async fn every_operation_is_fully_documented(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = app.get_json("/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{name} has no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{name} has no summary");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{name} has no tag");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{name} documents no success");
            for (status, response) in responses {
                assert!(response["description"].is_string(), "{name} {status} has no description");
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{name} {status} is not problem+json"
                    );
                }
            }
            if path.starts_with("/api/") {
                assert!(
                    responses.contains_key("500") || responses.contains_key("503"),
                    "{name} documents no server errors"
                );
            }
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[sqlx::test]
async fn docs_page_is_served_offline(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/docs").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "not the Swagger UI page");
    for bad in ["src=\"http", "href=\"http", "cdn"] {
        assert!(!html.contains(bad), "docs page loads something from outside ({bad}):\n{html}");
    }
    let init = app.get("/docs/swagger-initializer.js").await.text().await.unwrap();
    assert!(init.contains("/openapi.json"), "docs point at the served document");
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), StatusCode::OK, "Swagger UI assets are vendored into the binary");
}
