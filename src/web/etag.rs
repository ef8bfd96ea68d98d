//! Strong ETags over the exact bytes sent, and `If-None-Match` → 304.
//!
//! Hashing the rendered body (rather than tracking versions) means the tag changes the
//! moment any visible byte changes, whatever caused it, and equal bodies share a tag.

use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::cache::Rendered;
pub use crate::cache::tag_for;
use crate::error::ApiError;

/// True when an `If-Match` header value matches `etag` by strong comparison (RFC 9110
/// §13.1.1): a weak validator never matches, since it cannot promise the bytes a
/// write is based on are the current ones.
pub fn matches_strongly(if_match: &str, etag: &str) -> bool {
    if etag.starts_with("W/") {
        return false;
    }
    if_match.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate == etag)
}

/// True when an `If-None-Match` header value matches `etag` (weak comparison, RFC 9110).
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// Serialises `value` as JSON with an ETag; answers 304 when the client already has it.
pub fn json_response<T: Serialize>(req: &HttpRequest, value: &T) -> Result<HttpResponse, ApiError> {
    Ok(cached(req, &render(value)?))
}

/// Renders `value` once, for the content cache to keep.
pub fn render<T: Serialize>(value: &T) -> Result<Rendered, ApiError> {
    serde_json::to_vec(value).map(Rendered::new).map_err(|e| ApiError::Internal(e.into()))
}

/// Answers with a rendered body (200, or 304 when the client already has it), in the
/// compressed form the request accepts best when the cache holds one.
pub fn cached(req: &HttpRequest, rendered: &Rendered) -> HttpResponse {
    let (body, etag, coding) = representation(req, rendered);
    // Clients may cache but must revalidate: content changes take effect at once. The
    // answer differs with and without a token (the learner's overlay), and by coding.
    let mut response =
        conditional(req, etag, body.clone(), "application/json", "no-cache", Some("Authorization, Accept-Encoding"));
    if let Some(coding) = coding.filter(|_| response.status().is_success()) {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// The body, tag and `Content-Encoding` to send: brotli or gzip as the request's
/// `Accept-Encoding` ranks them (brotli first on a tie), plain without the header or
/// when no form it accepts is held.
fn representation<'a>(req: &HttpRequest, rendered: &'a Rendered) -> (&'a Bytes, &'a str, Option<&'static str>) {
    let plain = (&rendered.body, rendered.etag.as_str(), None);
    let forms = &rendered.compressed;
    if forms.is_empty() {
        return plain;
    }
    let Some(accepted) = req.get_header::<AcceptEncoding>() else { return plain };
    let mut offered = vec![Encoding::identity()];
    if forms.brotli.is_some() {
        offered.push(Encoding::brotli());
    }
    if forms.gzip.is_some() {
        offered.push(Encoding::gzip());
    }
    match accepted.negotiate(offered.iter()) {
        Some(coding) if coding == Encoding::brotli() => {
            forms.brotli.as_ref().map_or(plain, |f| (&f.body, f.etag.as_str(), Some("br")))
        }
        Some(coding) if coding == Encoding::gzip() => {
            forms.gzip.as_ref().map_or(plain, |f| (&f.body, f.etag.as_str(), Some("gzip")))
        }
        // Plain, also when the client refused every coding we have: RFC 9110 §12.5.3
        // lets a server send the unencoded form rather than a 406.
        _ => plain,
    }
}

/// Any other body (an image, say) with a strong ETag and the given `Cache-Control`,
/// or a 304 when the client already has it: for public bodies that shared caches and
/// image proxies may keep a while.
pub fn body_response(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
    cache_control: &'static str,
) -> HttpResponse {
    let etag = tag_for(&body);
    conditional(req, &etag, Bytes::from(body), content_type, cache_control, None)
}

/// 200 with `body`, or 304 without it when the client already holds `etag`.
fn conditional(
    req: &HttpRequest,
    etag: &str,
    body: Bytes,
    content_type: &'static str,
    cache_control: &'static str,
    vary: Option<&'static str>,
) -> HttpResponse {
    let not_modified = client_has(req, etag);
    let mut builder = if not_modified { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    builder
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static(cache_control)));
    if let Some(vary) = vary {
        builder.insert_header((header::VARY, HeaderValue::from_static(vary)));
    }
    if not_modified { builder.finish() } else { builder.content_type(content_type).body(body) }
}

/// Whether the request's `If-None-Match` names `etag`.
fn client_has(req: &HttpRequest, etag: &str) -> bool {
    req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| matches(v, etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_rules() {
        let tag = tag_for(b"{}");
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("W/{tag}"), &tag));
        assert!(matches(&format!("\"other\", {tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
        assert_ne!(tag_for(b"{}"), tag_for(b"[]"));
    }

    #[test]
    fn if_match_compares_strongly() {
        assert!(matches_strongly("\"abc\"", "\"abc\""));
        assert!(matches_strongly("\"x\", \"abc\"", "\"abc\""));
        assert!(matches_strongly("*", "\"abc\""));
        assert!(!matches_strongly("W/\"abc\"", "\"abc\""), "a weak tag in If-Match never matches");
        assert!(!matches_strongly("\"abc\"", "W/\"abc\""));
    }
}
