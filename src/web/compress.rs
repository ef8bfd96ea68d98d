//! Per-learner JSON compressed on the fly. Cached content is compressed once per
//! content change (see [`crate::cache::compressed`]); what is made per request (a
//! learner's progress, the change feed, an export) cannot be, so a body above
//! [`MIN_BYTES`] is compressed as it goes out, at a fast level, when the request's
//! `Accept-Encoding` asks for it. A body that already has a `Content-Encoding` (the
//! cached forms) or is not JSON passes untouched, as does a streamed one.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::middleware::Next;
use bytes::Bytes;

use crate::cache::compressed;

/// Below this, compressing costs more time than the bytes it saves on a mobile link.
pub const MIN_BYTES: usize = 4 * 1024;

/// gzip level 1 and brotli quality 3: a few milliseconds for a few hundred kilobytes.
const GZIP_LEVEL: u32 = 1;
const BROTLI_QUALITY: u32 = 3;

pub async fn dynamic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let accepted = req.get_header::<AcceptEncoding>();
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(accepted) = accepted else { return Ok(res) };
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("application/problem+json"));
    if !json || res.headers().contains_key(header::CONTENT_ENCODING) {
        return Ok(res);
    }
    let coding = match accepted.negotiate([Encoding::identity(), Encoding::brotli(), Encoding::gzip()].iter()) {
        Some(c) if c == Encoding::brotli() => "br",
        Some(c) if c == Encoding::gzip() => "gzip",
        _ => return Ok(res),
    };
    let (req, res) = res.into_parts();
    let (mut res, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return Ok(ServiceResponse::new(req, res.set_body(body))),
    };
    let packed = if bytes.len() < MIN_BYTES {
        None
    } else if coding == "br" {
        compressed::brotli(&bytes, BROTLI_QUALITY)
    } else {
        compressed::gzip(&bytes, GZIP_LEVEL)
    };
    let Some(packed) = packed.filter(|p| p.len() < bytes.len()) else {
        return Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))));
    };
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    let vary = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(existing) if existing.to_ascii_lowercase().contains("accept-encoding") => existing.to_owned(),
        Some(existing) => format!("{existing}, Accept-Encoding"),
        None => "Accept-Encoding".to_owned(),
    };
    if let Ok(vary) = HeaderValue::from_str(&vary) {
        headers.insert(header::VARY, vary);
    }
    // A compressed body is a representation of its own: its validator differs too.
    let etag = headers.get(header::ETAG).and_then(|v| v.to_str().ok()).map(|t| compressed::tag_for_coding(t, coding));
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(header::ETAG, tag);
    }
    headers.remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(Bytes::from(packed)))))
}
