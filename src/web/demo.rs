//! The demo front end (`examples/web/`) served at `/demo/`, compiled into the binary so
//! the page always matches the API it was built with and needs no files at run time.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

/// Each file of the page: name under `/demo/`, media type, contents.
const FILES: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../../examples/web/index.html")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../examples/web/app.js")),
    ("api.js", "text/javascript; charset=utf-8", include_str!("../../examples/web/api.js")),
    ("markdown.js", "text/javascript; charset=utf-8", include_str!("../../examples/web/markdown.js")),
    ("style.css", "text/css; charset=utf-8", include_str!("../../examples/web/style.css")),
];

/// Mounts `/demo` (a redirect, so the page's relative asset paths resolve) and `/demo/{file}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/demo",
        web::get()
            .to(|| async { HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/demo/")).finish() }),
    )
    .route("/demo/{file:.*}", web::get().to(file));
}

async fn file(path: web::Path<String>) -> HttpResponse {
    let name = match path.as_str() {
        // The page is where the links in mails land (`STUDYTRACK_APP_URL` defaults to
        // `/demo`); its assets resolve relative to `/demo/` from there too.
        "" | "verify-email" | "verify-address" | "reset-password" | "confirm-email" | "unsubscribe" => "index.html",
        other => other,
    };
    match FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, media_type, body)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            // The page talks only to this origin; nothing else may load or run.
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
                ),
            ))
            .body(*body),
        None => actix_web::ResponseError::error_response(&crate::error::ApiError::NotFound(format!("no demo file {name:?}"))),
    }
}
