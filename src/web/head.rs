//! `HEAD` answered like `GET`, without the body.
//!
//! RFC 9110 (9.1) requires general-purpose servers to support HEAD wherever they
//! support GET, and clients use it to check an `ETag` or `Content-Length` cheaply.
//! actix routes `#[get]` handlers for GET only, so a HEAD would fall through to the
//! 405 fallback. This middleware runs before routing and presents a HEAD as a GET to
//! the handlers; the HTTP/1 codec remembered the original method when it decoded the
//! request and drops the body on the way out, keeping the headers (`Content-Length`,
//! `ETag`, `Cache-Control`) exactly as GET would send them. HEAD is not listed in the
//! OpenAPI document (it is implied by every GET) but is named in `Allow`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
