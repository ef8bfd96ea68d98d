//! The [`ClientAddress`] of a request, as an extractor, a rate-limit key and a log
//! field: one rule ([`crate::proxy`]) wherever an address is used.

use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

pub use crate::proxy::ClientAddress;
use crate::proxy::ProxyTrust;

/// The client address from the peer and headers, under `trust` (no trust when the app
/// was built without one: never guess in favour of the client).
pub fn resolve(trust: Option<&ProxyTrust>, peer: Option<IpAddr>, headers: &HeaderMap) -> ClientAddress {
    // Only unit-test requests lack a peer; they all share one key.
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let trust = trust.unwrap_or(&ProxyTrust::None);
    let Some(header) = trust.header() else { return ClientAddress(peer) };
    let values: Vec<&str> = headers.get_all(header.name()).filter_map(|v| v.to_str().ok()).collect();
    trust.client(peer, &values)
}

/// The client address of a request inside a middleware.
///
/// Worked out once per request, by the root span (the outermost layer that needs it),
/// and kept in the request's extensions for the rate limiter and the handlers.
pub fn of_service_request(req: &ServiceRequest) -> ClientAddress {
    if let Some(known) = req.extensions().get::<ClientAddress>() {
        return *known;
    }
    let trust = req.app_data::<web::Data<ProxyTrust>>().map(|d| d.get_ref());
    resolve(trust, req.peer_addr().map(|a| a.ip()), req.headers())
}

impl FromRequest for ClientAddress {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(known) = req.extensions().get::<ClientAddress>() {
            return ready(Ok(*known));
        }
        let trust = req.app_data::<web::Data<ProxyTrust>>().map(|d| d.get_ref());
        ready(Ok(resolve(trust, req.peer_addr().map(|a| a.ip()), req.headers())))
    }
}

/// The root span of every request: `tracing-actix-web`'s fields, with the client
/// address by our rule instead of the leftmost forwarded value (which the client
/// writes).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let client = of_service_request(request);
        request.extensions_mut().insert(client);
        let request_id = request.extensions().get::<RequestId>().copied();
        // The route is recorded when the request ends: before routing, naming it would
        // mean running every route's pattern a second time.
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = tracing::field::Empty,
            http.target = %request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""),
            http.client_ip = %client,
            http.user_agent = %request.headers().get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or(""),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id.map(|id| id.to_string()).unwrap_or_default(),
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        if let Ok(res) = outcome
            && !span.is_disabled()
            && let Some(route) = res.request().match_pattern()
        {
            span.record("http.route", route);
        }
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
