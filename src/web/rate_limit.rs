//! Per-address rate limiting of the public API (`/api/v1`) with the `governor` crate
//! (GCRA: a steady rate with a burst allowance, kept in memory per instance).
//!
//! Requests are keyed by [`crate::proxy::ClientAddress::key`]: the same rule as the
//! login throttles and the logs (forwarding headers believed only from trusted proxies,
//! IPv6 by /56), so clients cannot pick their own key. Over the limit a client gets 429
//! problem+json with `Retry-After`.
//!
//! The actix glue is these few lines rather than `actix-governor`, which is licensed
//! GPL-3.0-or-later and so cannot be linked into this MIT service (`deny.toml`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client_address;
use crate::config::Settings;
use crate::error::ApiError;

/// Marks a 429 answered by this limiter (not by a login throttle), for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct RateLimited;

/// The limiter shared by every worker, and whether it is switched on
/// (`STUDYTRACK_RATE_LIMIT_PER_MINUTE=0` turns it off, for benchmarks and tests).
#[derive(Clone)]
pub struct RateLimit {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
}

impl RateLimit {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let Some(per_minute) = NonZeroU32::new(settings.rate_limit_per_minute) else {
            return Ok(RateLimit::disabled());
        };
        let burst = NonZeroU32::new(settings.rate_limit_burst)
            .ok_or_else(|| anyhow::anyhow!("STUDYTRACK_RATE_LIMIT_BURST must be at least 1"))?;
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Ok(RateLimit { limiter: Some(Arc::new(DefaultKeyedRateLimiter::keyed(quota))) })
    }

    /// Switched off (for building the OpenAPI document, where nothing is served).
    pub fn disabled() -> Self {
        RateLimit { limiter: None }
    }

    /// Seconds until `key` may send again, or `None` when it may now (and it is counted).
    fn check(&self, key: IpAddr) -> Option<u64> {
        let limiter = self.limiter.as_ref()?;
        limiter.check_key(&key).err().map(|not_until| {
            // Rounded up: a wait under a second must not tell the client "retry at once".
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forgets addresses whose budget is full again, so the table holds only recent
    /// clients; run now and then (the server does, every minute).
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Calls [`RateLimit::forget_idle`] every minute until aborted with the server.
    pub async fn run_cleanup(self) {
        let mut ticks = tokio::time::interval(Duration::from_secs(60));
        loop {
            ticks.tick().await;
            self.forget_idle();
        }
    }
}

/// The middleware: answers 429 past the client's budget, else passes the request on.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = req.app_data::<web::Data<RateLimit>>().cloned();
    if let Some(limit) = limit
        && let Some(wait) = limit.check(client_address::of_service_request(&req).key())
    {
        let mut res = ApiError::TooManyRequests { retry_after_secs: wait.max(1) }.error_response();
        res.extensions_mut().insert(RateLimited);
        return Ok(req.into_response(res));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_allowed_then_a_rounded_up_wait() {
        let settings = Settings { rate_limit_per_minute: 60, rate_limit_burst: 3, ..Settings::for_tests("x") };
        let limit = RateLimit::new(&settings).unwrap();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limit.check(ip), None);
        }
        assert_eq!(limit.check(ip), Some(1), "one a second refills: wait rounded up to 1 s");
        assert_eq!(limit.check("192.0.2.2".parse().unwrap()), None, "another address has its own budget");
        assert_eq!(RateLimit::disabled().check(ip), None);
    }
}
