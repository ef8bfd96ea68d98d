//! The demo front end (`examples/web/`) served at `/demo/`, compiled into the binary so
//! the page always matches the API it was built with and needs no files at run time.

use actix_web::web;

use super::embedded::{self, Page};

static PAGE: Page = Page {
    mount: "/demo",
    files: &[
        ("index.html", "text/html; charset=utf-8", include_str!("../../examples/web/index.html")),
        ("app.js", "text/javascript; charset=utf-8", include_str!("../../examples/web/app.js")),
        ("api.js", "text/javascript; charset=utf-8", include_str!("../../examples/web/api.js")),
        ("markdown.js", "text/javascript; charset=utf-8", include_str!("../../examples/web/markdown.js")),
        ("style.css", "text/css; charset=utf-8", include_str!("../../examples/web/style.css")),
    ],
    // The page is where the links in mails land (`STUDYTRACK_APP_URL` defaults to
    // `/demo`); its assets resolve relative to `/demo/` from there too.
    index_paths: &["", "verify-email", "verify-address", "reset-password", "confirm-email", "unsubscribe"],
};

/// Mounts `/demo` (a redirect, so the page's relative asset paths resolve) and `/demo/{file}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    embedded::mount(cfg, &PAGE);
}
