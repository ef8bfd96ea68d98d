//! HTTP plumbing shared by every route: conditional responses, extractor error
//! mapping, the 404/405 fallback and the request-id header.

pub mod client;
pub mod client_address;
pub mod compress;
pub mod demo;
pub mod embedded;
pub mod etag;
pub mod extractors;
pub mod fallback;
pub mod head;
pub mod health;
pub mod integral;
pub mod listening;
pub mod metrics;
pub mod panic;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod timeout;

/// A response no cache between client and server may keep (tokens, per-user data).
pub fn no_store(status: actix_web::http::StatusCode) -> actix_web::HttpResponseBuilder {
    let mut builder = actix_web::HttpResponse::build(status);
    builder.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    builder
}

/// The `User-Agent` a session is listed under (first 200 characters).
pub fn user_agent(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(200).collect::<String>())
}

/// A 200 for per-user data, which no cache between client and server may keep.
pub fn private_ok() -> actix_web::HttpResponseBuilder {
    let mut builder = actix_web::HttpResponse::Ok();
    builder.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    builder
}
