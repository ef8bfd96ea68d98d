//! The reference web client (`web/`, built to `web/dist/` by Vite and committed) served
//! at `/app/`, compiled into the binary like the demo: the Rust build needs no Node, and
//! `scripts/check-clients` fails when `web/dist/` is stale.

use actix_web::web;

use super::embedded::{self, Page};

static PAGE: Page = Page {
    mount: "/app",
    files: &[
        ("index.html", "text/html; charset=utf-8", include_str!("../../web/dist/index.html")),
        ("app.js", "text/javascript; charset=utf-8", include_str!("../../web/dist/app.js")),
        ("app.css", "text/css; charset=utf-8", include_str!("../../web/dist/app.css")),
        // Keeps the three above for offline visits (from web/public/).
        ("sw.js", "text/javascript; charset=utf-8", include_str!("../../web/dist/sw.js")),
    ],
    // Where the links in mails land when `STUDYTRACK_APP_URL` ends in `/app`.
    index_paths: &[
        "",
        "verify-email",
        "verify-address",
        "reset-password",
        "confirm-email",
        "unsubscribe",
        "forgot-password",
    ],
};

/// Mounts `/app` and `/app/{file}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    embedded::mount(cfg, &PAGE);
}
