//! Per-address rate limiting of the public API (`/api/v1`), by `actix-governor`
//! (GCRA: a steady rate with a burst allowance, kept in memory per instance).
//!
//! Requests are keyed by [`crate::proxy::ClientAddress::key`]: the same rule as the login throttles
//! and the logs (forwarding headers believed only from trusted proxies, IPv6 by /56),
//! so clients cannot pick their own key. Over the limit a client gets 429
//! problem+json with `Retry-After`.

use std::net::IpAddr;

use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{Governor, GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError};
use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::middleware::Condition;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};

use super::client_address;
use crate::config::Settings;
use crate::error::ApiError;

/// Keys requests by client address.
#[derive(Debug, Clone, Copy)]
pub struct ByClientAddress;

impl KeyExtractor for ByClientAddress {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<IpAddr, Self::KeyExtractionError> {
        Ok(client_address::of_service_request(req).key())
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
        let mut res = ApiError::TooManyRequests { retry_after_secs: wait }.error_response();
        // Keep governor's informational headers, but our Retry-After: governor rounds the
        // wait down (to 0 when under a second), which tells a client to retry at once.
        for (name, value) in response.finish().headers() {
            if ![header::CONTENT_TYPE, header::CONTENT_LENGTH, header::RETRY_AFTER].contains(name) {
                res.headers_mut().insert(name.clone(), value.clone());
            }
        }
        res
    }
}

/// The limiter shared by every worker (its state lives in the configuration), and
/// whether it is switched on (`STUDYTRACK_RATE_LIMIT_PER_MINUTE=0` turns it off, for
/// benchmarks and tests).
#[derive(Clone)]
pub struct RateLimit {
    enabled: bool,
    config: GovernorConfig<ByClientAddress, NoOpMiddleware<QuantaInstant>>,
}

impl RateLimit {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let enabled = settings.rate_limit_per_minute > 0;
        let config = GovernorConfigBuilder::default()
            .requests_per_minute(u64::from(settings.rate_limit_per_minute.max(1)))
            .burst_size(settings.rate_limit_burst.max(1))
            .key_extractor(ByClientAddress)
            .finish()
            .ok_or_else(|| anyhow::anyhow!("the rate limit settings are out of range"))?;
        Ok(RateLimit { enabled, config })
    }

    /// Switched off (for building the OpenAPI document, where nothing is served).
    pub fn disabled() -> Self {
        let settings = Settings { rate_limit_per_minute: 0, ..Settings::for_tests("postgres://unused") };
        RateLimit::new(&settings).unwrap_or_else(|_| unreachable!("the defaults are in range"))
    }

    /// The middleware for one worker.
    pub fn middleware(&self) -> Condition<Governor<ByClientAddress, NoOpMiddleware<QuantaInstant>>> {
        Condition::new(self.enabled, Governor::new(&self.config))
    }
}
