//! HTTP plumbing shared by every route: conditional responses, extractor error
//! mapping, the 404/405 fallback and the request-id header.

pub mod client_address;
pub mod demo;
pub mod etag;
pub mod extractors;
pub mod fallback;
pub mod head;
pub mod integral;
pub mod metrics;
pub mod panic;
pub mod rate_limit;
pub mod request_id;
pub mod timeout;

/// A 200 for per-user data, which no cache between client and server may keep.
pub fn private_ok() -> actix_web::HttpResponseBuilder {
    let mut builder = actix_web::HttpResponse::Ok();
    builder.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    builder
}
