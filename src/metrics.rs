//! Prometheus metrics at `GET /metrics`: HTTP traffic by route template, the database
//! pool, the content cache and throttling.
//!
//! Each instance owns its registry (no process-wide globals), so several servers in one
//! process (the tests) keep separate figures. Counters that other modules already keep
//! (cache hits, reads per pool) are read at scrape time rather than mirrored.

use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, get, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// Latency buckets in seconds: fine below 50 ms, where cached content and per-user
/// reads live, and coarse up to the request deadline.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0];

/// The instance's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    throttled: IntCounterVec,
    pool: IntGaugeVec,
    db_unavailable: IntCounter,
    cache: IntCounterVec,
    content_reads: IntCounterVec,
    learner_memo: IntCounterVec,
    /// Background jobs finished, by kind and outcome (done, retried, dead).
    pub jobs: IntCounterVec,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("studytrack".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered, by method, route template and status."),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer, by method, route template and status.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let throttled = IntCounterVec::new(
            Opts::new("throttled_total", "Requests refused by a throttle (429), by which one."),
            &["throttle"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections: open, idle, in use, and the maximum."),
            &["state"],
        )?;
        let db_unavailable = IntCounter::new(
            "db_unavailable_total",
            "Requests answered 503 because no database connection could be had in time (pool exhausted past the \
             acquire timeout, or the database down).",
        )?;
        let cache = IntCounterVec::new(
            Opts::new("content_cache_lookups_total", "Content cache lookups: hit, miss, or bypass (not subscribed)."),
            &["result"],
        )?;
        let content_reads = IntCounterVec::new(
            Opts::new("content_db_reads_total", "Content reads that reached a database, by pool (primary or replica)."),
            &["pool"],
        )?;
        let learner_memo = IntCounterVec::new(
            Opts::new(
                "learner_memo_lookups_total",
                "Learners' progress figures: hit (kept in memory, nothing changed) or miss (queried).",
            ),
            &["result"],
        )?;
        let jobs = IntCounterVec::new(
            Opts::new("jobs_total", "Background job attempts by kind (mail, ...) and outcome: done, retried, dead."),
            &["kind", "outcome"],
        )?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(learner_memo.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(throttled.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(db_unavailable.clone()))?;
        registry.register(Box::new(cache.clone()))?;
        registry.register(Box::new(content_reads.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            throttled,
            pool,
            db_unavailable,
            cache,
            content_reads,
            learner_memo,
            jobs,
        })
    }

    /// Counts a request refused by `throttle` (`login-account`, `login-address`,
    /// `register-address`, `rate-limit`).
    pub fn throttled(&self, throttle: &str) {
        self.throttled.with_label_values(&[throttle]).inc();
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The text exposition, with the gauges read from their sources first.
    fn render(&self, state: &AppState) -> Result<Vec<u8>, prometheus::Error> {
        let size = i64::from(state.db.size());
        let idle = i64::try_from(state.db.num_idle()).unwrap_or(i64::MAX);
        self.pool.with_label_values(&["open"]).set(size);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool.with_label_values(&["in_use"]).set(size - idle);
        self.pool.with_label_values(&["max"]).set(i64::from(state.settings.db_max_connections));
        let stats = &state.cache.stats;
        for (result, source) in [("hit", &stats.hits), ("miss", &stats.misses), ("bypass", &stats.bypasses)] {
            catch_up(&self.cache.with_label_values(&[result]), source);
        }
        for (result, source) in [("hit", &state.learners.hits), ("miss", &state.learners.misses)] {
            catch_up(&self.learner_memo.with_label_values(&[result]), source);
        }
        for (pool, source) in [("primary", &state.reads.primary_reads), ("replica", &state.reads.replica_reads)] {
            catch_up(&self.content_reads.with_label_values(&[pool]), source);
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(out)
    }
}

/// Brings a Prometheus counter up to a count kept elsewhere (only ever forward, so
/// concurrent scrapes cannot make it run backwards).
fn catch_up(counter: &prometheus::IntCounter, source: &std::sync::atomic::AtomicU64) {
    let target = source.load(Ordering::Relaxed);
    let current = counter.get();
    if target > current {
        counter.inc_by(target - current);
    }
}

/// Times and counts every request under its route template (`/api/v1/tracks/{track}`),
/// never its raw path, so label sets stay bounded whatever clients send.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().as_str().to_owned();
    // Matched against the route table up front, so a request that times out or fails
    // before reaching its handler is still counted under its route.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let result = next.call(req).await;
    if let Some(state) = state {
        let status = match &result {
            Ok(res) => res.status(),
            Err(err) => err.as_response_error().status_code(),
        };
        // Anything but the standard methods is folded into one label value.
        let method = if ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&method.as_str()) {
            method.as_str()
        } else {
            "other"
        };
        state.metrics.observe(method, &route, status.as_u16(), started.elapsed().as_secs_f64());
        // Login, registration and confirmation throttles count themselves by name.
        if matches!(&result, Ok(res) if res.response().extensions().contains::<crate::web::rate_limit::RateLimited>()) {
            state.metrics.throttled("rate-limit");
        }
        let unavailable = match &result {
            Ok(res) => res.response().extensions().contains::<crate::error::DatabaseUnavailable>(),
            Err(err) => matches!(err.as_error::<ApiError>(), Some(ApiError::Unavailable)),
        };
        if unavailable {
            state.metrics.db_unavailable.inc();
        }
    }
    result
}

/// Prometheus metrics.
///
/// Text exposition format 0.0.4. Request counts and latency histograms by route
/// template and status, database pool connections and acquire timeouts, content cache
/// lookups, content reads per pool, and throttled requests. See the README for every
/// series. Not public: served only when `STUDYTRACK_METRICS_TOKEN` is set, to callers
/// that send it as a bearer token (404 otherwise, 401 with a wrong token).
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Metrics in the Prometheus text format", content_type = "text/plain; version=0.0.4",
         body = String, example = "studytrack_http_requests_total{method=\"GET\",route=\"/api/v1/tracks\",status=\"200\"} 42\n"),
        (status = 401, response = inline(crate::openapi::responses::Unauthorized)),
        (status = 404, response = inline(crate::openapi::responses::NotFound)),
        (status = 500, response = inline(crate::openapi::responses::InternalError)),
    )
)]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(expected) = &state.settings.metrics_token else {
        return Err(ApiError::NotFound("metrics are not served here (STUDYTRACK_METRICS_TOKEN is unset)".into()));
    };
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Digests are compared, so the time taken says nothing about the token's prefix.
    if Sha256::digest(given.trim().as_bytes()) != Sha256::digest(expected.expose_secret().as_bytes()) {
        return Err(ApiError::Unauthorized("the metrics token is missing or wrong".into()));
    }
    let body = state.metrics.render(&state).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}
