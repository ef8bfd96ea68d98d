//! The loop every instance runs: claim due jobs, run each with its kind's handler,
//! then mark it done, schedule a retry, or bury it.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, join_all};
use prometheus::IntCounterVec;
use rand::Rng;
use sqlx::PgPool;
use tokio::sync::Notify;

use super::MAX_ATTEMPTS;
use super::store::{self, Job};

/// How long a claimed job is reserved for its worker. A handler must finish well
/// inside it (each is cut off at half), or another instance may start the same job.
const LEASE: Duration = Duration::from_secs(120);

/// Jobs one worker runs at once: background work must not crowd out requests.
const CONCURRENCY: i64 = 4;

/// Runs the jobs of one or more kinds.
pub trait Handler: Send + Sync + 'static {
    fn handles(&self, kind: &str) -> bool;
    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// One instance's worker.
pub struct Worker {
    pub pool: PgPool,
    pub handlers: Vec<Arc<dyn Handler>>,
    /// `jobs_total{kind, outcome}`: done, retried, dead.
    pub outcomes: IntCounterVec,
    /// Wait between polls when nothing is due and no job was queued meanwhile (a
    /// queued job wakes the worker at once; polling still finds retries that came
    /// due and jobs queued while the wake-up subscription was down).
    pub idle_poll: Duration,
    /// Notified when a job is queued on any instance.
    pub queued: Arc<Notify>,
    /// First retry delay; each later one doubles, up to an hour.
    pub retry_base: Duration,
}

impl Worker {
    /// Works until the task is aborted with the server.
    pub async fn run(self) {
        loop {
            let jobs = match store::claim(&self.pool, CONCURRENCY, LEASE).await {
                Ok(jobs) => jobs,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot claim jobs; will retry");
                    Vec::new()
                }
            };
            if jobs.is_empty() {
                // A queued job (announced through the content listener's connection)
                // ends the wait early.
                let _ = tokio::time::timeout(self.idle_poll, self.queued.notified()).await;
                continue;
            }
            join_all(jobs.iter().map(|job| self.process(job))).await;
        }
    }

    async fn process(&self, job: &Job) {
        let handler = self.handlers.iter().find(|h| h.handles(&job.kind));
        let result = match handler {
            Some(handler) => match tokio::time::timeout(LEASE / 2, handler.run(job)).await {
                Ok(result) => result,
                Err(_) => Err(anyhow::anyhow!("timed out after {:?}", LEASE / 2)),
            },
            None => Err(anyhow::anyhow!("no handler for jobs of kind {:?}", job.kind)),
        };
        let (outcome, saved) = match result {
            Ok(()) => ("done", store::complete(&self.pool, job.job_id).await),
            Err(err) if job.attempts >= MAX_ATTEMPTS => {
                tracing::error!(job = job.job_id, kind = %job.kind, attempts = job.attempts, error = %err, "job failed for the last time; buried");
                ("dead", store::bury(&self.pool, job.job_id, &format!("{err:#}")).await)
            }
            Err(err) => {
                let delay = backoff(self.retry_base, job.attempts);
                tracing::warn!(job = job.job_id, kind = %job.kind, attempts = job.attempts, retry_in_ms = delay.as_millis() as u64, error = %err, "job failed; will retry");
                ("retried", store::retry_later(&self.pool, job.job_id, delay, &format!("{err:#}")).await)
            }
        };
        if let Err(err) = saved {
            // The lease runs out and the job is claimed again: at least once.
            tracing::warn!(job = job.job_id, error = %err, "cannot record a job's outcome");
        }
        self.outcomes.with_label_values(&[job.kind.as_str(), outcome]).inc();
    }
}

/// The wait before attempt `attempts + 1`: `base × 2^(attempts-1)`, at most an hour,
/// with ±25 % jitter so jobs that failed together (an SMTP outage) do not all come
/// back at the same instant.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let plain = base.saturating_mul(2u32.saturating_pow(exponent)).min(Duration::from_secs(3600));
    plain.mul_f64(rand::rng().random_range(0.75..=1.25))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(2);
        for (attempts, plain) in [(1, 2.0), (2, 4.0), (3, 8.0), (6, 64.0)] {
            let got = backoff(base, attempts).as_secs_f64();
            assert!((plain * 0.75..=plain * 1.25).contains(&got), "attempt {attempts}: {got}");
        }
        assert!(backoff(base, 40) <= Duration::from_secs(4500), "capped near an hour");
    }
}
