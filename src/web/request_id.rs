//! Echoes the request id that `tracing-actix-web` puts on every log line as an
//! `x-request-id` response header, so a client's bug report can be matched to the logs,
//! and makes it available to the error body of a 500.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing_actix_web::RequestId;

pub const HEADER: &str = "x-request-id";

/// Adds the header, with the id in scope for the handler and its error response.
/// An error raised by a middleware inside (the request deadline, throttling) skips the
/// outer layers on its way up, so it is tagged here to render with the header (and
/// `nosniff`) all the same.
pub async fn add_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let result = match id {
        Some(id) => crate::request_context::scope(id, next.call(req)).await,
        None => next.call(req).await,
    };
    let mut res = match (result, id) {
        (Ok(res), _) => res,
        (Err(err), Some(id)) => return Err(Tagged { inner: err, id }.into()),
        (Err(err), None) => return Err(err),
    };
    if let Some(id) = id
        && let Ok(value) = HeaderValue::from_str(&id.to_string())
    {
        res.headers_mut().insert(HeaderName::from_static(HEADER), value);
    }
    Ok(res)
}

/// An error on its way out, rendered with the request id and `nosniff` headers.
#[derive(Debug)]
struct Tagged {
    inner: actix_web::Error,
    id: RequestId,
}

impl std::fmt::Display for Tagged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl actix_web::ResponseError for Tagged {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let mut res = crate::request_context::sync_scope(self.id, || self.inner.error_response());
        if let Ok(value) = HeaderValue::from_str(&self.id.to_string()) {
            res.headers_mut().insert(HeaderName::from_static(HEADER), value);
        }
        res.headers_mut().insert(actix_web::http::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        res
    }
}
