//! Sending one delivery: the job handler every instance runs. The jobs table gives
//! each delivery to one worker at a time (lease, `SKIP LOCKED`), retries with
//! exponential backoff and jitter, and buries it after [`crate::jobs::MAX_ATTEMPTS`]
//! attempts; this handler signs, sends with a timeout, records every attempt, and
//! disables an endpoint whose calls keep failing.
//!
//! Order is not kept: retries overtake, and several workers send at once. Receivers
//! deduplicate on `webhook-id` and order by the body's `timestamp`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::events::JOB_KIND;
use super::{signing, store, target};
use crate::jobs::{Handler, Job, MAX_ATTEMPTS};

/// How the sender behaves; from the settings.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// Loopback and private targets allowed (tests, single-host setups).
    pub allow_private: bool,
    /// One attempt's limit, connection included.
    pub timeout: Duration,
    /// Calls in flight to one endpoint from one instance.
    pub per_endpoint: usize,
    /// Failed attempts in a row (across deliveries) that disable an endpoint.
    pub disable_after: i32,
}

pub struct Sender {
    pool: PgPool,
    client: reqwest::Client,
    config: SenderConfig,
    in_flight: Mutex<HashMap<Uuid, Arc<Semaphore>>>,
}

/// An HTTP client that never follows redirects (a redirect could lead into the
/// server's own network past the target check) and trusts the public web roots.
fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .user_agent(concat!("studytrack-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

impl Sender {
    pub fn new(pool: PgPool, config: SenderConfig) -> anyhow::Result<Self> {
        Ok(Sender { pool, client: client(config.timeout)?, config, in_flight: Mutex::new(HashMap::new()) })
    }

    fn gate(&self, endpoint: Uuid) -> Arc<Semaphore> {
        let mut gates = self.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(gates.entry(endpoint).or_insert_with(|| Arc::new(Semaphore::new(self.config.per_endpoint.max(1)))))
    }

    async fn send(&self, job: &Job) -> anyhow::Result<()> {
        let id: Uuid = serde_json::from_value(job.payload.0["delivery_id"].clone())?;
        // Gone with its endpoint, or already delivered: nothing to do.
        let Some(delivery) = store::delivery(&self.pool, id).await? else { return Ok(()) };
        if delivery.status == "delivered" {
            return Ok(());
        }
        let Some(endpoint) = store::get(&mut *self.pool.acquire().await?, delivery.endpoint_id, false).await? else {
            return Ok(());
        };
        if !endpoint.enabled {
            store::cancel(&self.pool, id).await?;
            return Ok(());
        }
        let last = job.attempts >= MAX_ATTEMPTS;
        if let Err(why) = target::check(&endpoint.url, self.config.allow_private).await {
            self.failed(&delivery, None, 0, &why, last).await?;
            anyhow::bail!("{why}");
        }
        let gate = self.gate(endpoint.endpoint_id);
        let _permit = gate.acquire().await?;
        let body = serde_json::to_vec(&delivery.payload)?;
        let now = time::OffsetDateTime::now_utc();
        let mut secrets = vec![endpoint.secret.as_str()];
        if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_until)
            && until > now
        {
            secrets.push(previous);
        }
        let message_id = id.to_string();
        let timestamp = now.unix_timestamp();
        let signature = signing::header(&secrets, &message_id, timestamp, &body)
            .ok_or_else(|| anyhow::anyhow!("the endpoint's secret is not a whsec_ secret"))?;
        let started = Instant::now();
        let answer = self
            .client
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("webhook-id", &message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let latency = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match answer {
            Ok(response) if response.status().is_success() => {
                let code = i32::from(response.status().as_u16());
                store::record_attempt(&self.pool, id, Some(code), latency, None, "delivered").await?;
                Ok(())
            }
            Ok(response) => {
                let code = i32::from(response.status().as_u16());
                let why = format!("answered {code}");
                self.failed(&delivery, Some(code), latency, &why, last).await?;
                anyhow::bail!("{why}")
            }
            Err(err) => {
                let why = if err.is_timeout() {
                    format!("no answer within {:?}", self.config.timeout)
                } else {
                    err.to_string()
                };
                self.failed(&delivery, None, latency, &why, last).await?;
                anyhow::bail!("{why}")
            }
        }
    }

    /// Records a failed attempt; past the streak, disables the endpoint (audited).
    async fn failed(
        &self,
        delivery: &store::DeliveryRow,
        code: Option<i32>,
        latency: i32,
        why: &str,
        last: bool,
    ) -> anyhow::Result<()> {
        let outcome = if last { "dead" } else { "pending" };
        let streak = store::record_attempt(&self.pool, delivery.delivery_id, code, latency, Some(why), outcome).await?;
        if streak >= self.config.disable_after {
            let reason = format!("{streak} failed attempts in a row; the last: {why}");
            if store::disable_failing(&self.pool, delivery.endpoint_id, &reason).await? {
                tracing::warn!(endpoint = %delivery.endpoint_id, %reason, "webhook endpoint disabled");
            }
        }
        Ok(())
    }
}

impl Handler for Sender {
    fn handles(&self, kind: &str) -> bool {
        kind == JOB_KIND
    }

    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.send(job))
    }
}
