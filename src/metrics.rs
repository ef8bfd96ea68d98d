//! The instance's Prometheus metrics: HTTP traffic by route template, the database
//! pool, the content cache and throttling. Served at `GET /metrics` by
//! `web::metrics`, which also records each request.
//!
//! Each instance owns its registry (no process-wide globals), so several servers in one
//! process (the tests) keep separate figures. Counters that other modules already keep
//! (cache hits, reads per pool) are read at scrape time rather than mirrored.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

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

    /// A request answered 503 because the database could not be reached.
    pub fn database_unavailable(&self) {
        self.db_unavailable.inc();
    }

    /// One answered request, under its route template.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The text exposition, with the gauges read from their sources first.
    pub fn render(&self, scrape: &Scrape<'_>) -> Result<Vec<u8>, prometheus::Error> {
        let size = i64::from(scrape.pool_size);
        let idle = i64::try_from(scrape.pool_idle).unwrap_or(i64::MAX);
        self.pool.with_label_values(&["open"]).set(size);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool.with_label_values(&["in_use"]).set(size - idle);
        self.pool.with_label_values(&["max"]).set(i64::from(scrape.pool_max));
        for (result, source) in scrape.cache {
            catch_up(&self.cache.with_label_values(&[result]), source);
        }
        for (result, source) in scrape.learner_memo {
            catch_up(&self.learner_memo.with_label_values(&[result]), source);
        }
        for (pool, source) in scrape.content_reads {
            catch_up(&self.content_reads.with_label_values(&[pool]), source);
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(out)
    }
}

/// What a scrape reads from the rest of the instance: the pool's figures and the
/// counters other parts keep themselves (cache, learner memo, content reads).
pub struct Scrape<'a> {
    pub pool_size: u32,
    pub pool_idle: usize,
    pub pool_max: u32,
    pub cache: [(&'static str, &'a AtomicU64); 3],
    pub learner_memo: [(&'static str, &'a AtomicU64); 2],
    pub content_reads: [(&'static str, &'a AtomicU64); 2],
}

/// Brings a Prometheus counter up to a count kept elsewhere (only ever forward, so
/// concurrent scrapes cannot make it run backwards).
fn catch_up(counter: &prometheus::IntCounter, source: &AtomicU64) {
    let target = source.load(Ordering::Relaxed);
    let current = counter.get();
    if target > current {
        counter.inc_by(target - current);
    }
}
