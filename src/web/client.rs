//! The reference web client (`web/`, built to `web/dist/` by Vite and committed) served
//! at `/app/`, compiled into the binary like the demo: the Rust build needs no Node, and
//! `scripts/check-clients` fails when `web/dist/` is stale.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

/// Each built file: name under `/app/`, media type, contents.
const FILES: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../../web/dist/index.html")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../web/dist/app.js")),
    ("app.css", "text/css; charset=utf-8", include_str!("../../web/dist/app.css")),
];

/// Mounts `/app` (a redirect, so the page's relative asset paths resolve) and `/app/{file}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/app",
        web::get()
            .to(|| async { HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/app/")).finish() }),
    )
    .route("/app/{file:.*}", web::get().to(file));
}

async fn file(path: web::Path<String>) -> HttpResponse {
    let name = match path.as_str() {
        // Where the links in mails land when `STUDYTRACK_APP_URL` ends in `/app`.
        "" | "verify-email" | "verify-address" | "reset-password" | "confirm-email" | "unsubscribe"
        | "forgot-password" => "index.html",
        other => other,
    };
    match FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, media_type, body)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            // The client talks only to this origin; nothing else may load or run.
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
                ),
            ))
            .body(*body),
        None => actix_web::ResponseError::error_response(&crate::error::ApiError::NotFound(format!("no app file {name:?}"))),
    }
}
