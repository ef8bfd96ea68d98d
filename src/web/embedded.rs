//! Pages compiled into the binary (the demo at `/demo/`, the web client at `/app/`): they
//! always match the API they were built with and need no files at run time. Both are
//! served the same way, under the same strict CSP.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

/// One embedded page.
pub struct Page {
    /// Where it is mounted, e.g. `/app`.
    pub mount: &'static str,
    /// Each file: name under the mount, media type, contents.
    pub files: &'static [(&'static str, &'static str, &'static str)],
    /// Paths that serve `index.html`: the mount itself and where mailed links land.
    pub index_paths: &'static [&'static str],
}

/// The page talks only to this origin; nothing else may load or run.
const CSP: &str =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/// Mounts `{mount}` (a redirect, so the page's relative asset paths resolve) and
/// `{mount}/{file}`.
pub fn mount(cfg: &mut web::ServiceConfig, page: &'static Page) {
    let slash = format!("{}/", page.mount);
    cfg.route(
        page.mount,
        web::get().to(move || {
            let to = slash.clone();
            async move { HttpResponse::PermanentRedirect().insert_header((header::LOCATION, to)).finish() }
        }),
    )
    .route(
        &format!("{}/{{file:.*}}", page.mount),
        web::get().to(move |path: web::Path<String>| async move { serve(page, &path) }),
    );
}

fn serve(page: &Page, path: &str) -> HttpResponse {
    let name = if page.index_paths.contains(&path) { "index.html" } else { path };
    match page.files.iter().find(|(file, _, _)| *file == name) {
        Some((_, media_type, body)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
            .body(*body),
        None => actix_web::ResponseError::error_response(&crate::error::ApiError::NotFound(format!(
            "no file {name:?} under {}",
            page.mount
        ))),
    }
}
