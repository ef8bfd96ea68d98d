//! SQL for endpoints, deliveries and their attempts.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{Attempt, Endpoint};

pub struct EndpointRow {
    pub endpoint_id: Uuid,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl EndpointRow {
    pub fn view(&self) -> Endpoint {
        Endpoint {
            id: self.endpoint_id,
            url: self.url.clone(),
            description: self.description.clone(),
            events: self.events.clone(),
            enabled: self.enabled,
            disabled_reason: self.disabled_reason.clone(),
            previous_secret_until: self.previous_secret_until,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub async fn insert(
    conn: &mut PgConnection,
    url: &str,
    description: &str,
    events: &[String],
    enabled: bool,
    secret: &str,
) -> sqlx::Result<EndpointRow> {
    sqlx::query_as!(
        EndpointRow,
        r#"INSERT INTO webhook_endpoint (url, description, events, enabled, secret) VALUES ($1, $2, $3, $4, $5)
           RETURNING endpoint_id, url, description, events, enabled, disabled_reason, secret, previous_secret,
                     previous_secret_until, created_at, updated_at"#,
        url,
        description,
        events,
        enabled,
        secret
    )
    .fetch_one(conn)
    .await
}

pub async fn all(pool: &PgPool) -> sqlx::Result<Vec<EndpointRow>> {
    sqlx::query_as!(
        EndpointRow,
        r#"SELECT endpoint_id, url, description, events, enabled, disabled_reason, secret, previous_secret,
                  previous_secret_until, created_at, updated_at
           FROM webhook_endpoint ORDER BY created_at, endpoint_id"#
    )
    .fetch_all(pool)
    .await
}

/// One endpoint; with `lock`, held against other writers until the transaction ends.
pub async fn get(conn: &mut PgConnection, id: Uuid, lock: bool) -> sqlx::Result<Option<EndpointRow>> {
    if lock {
        sqlx::query_as!(
            EndpointRow,
            r#"SELECT endpoint_id, url, description, events, enabled, disabled_reason, secret, previous_secret,
                      previous_secret_until, created_at, updated_at
               FROM webhook_endpoint WHERE endpoint_id = $1 FOR UPDATE"#,
            id
        )
        .fetch_optional(conn)
        .await
    } else {
        sqlx::query_as!(
            EndpointRow,
            r#"SELECT endpoint_id, url, description, events, enabled, disabled_reason, secret, previous_secret,
                      previous_secret_until, created_at, updated_at
               FROM webhook_endpoint WHERE endpoint_id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await
    }
}

/// Writes the editable fields back; enabling clears the failure count and reason.
pub async fn update(conn: &mut PgConnection, row: &EndpointRow) -> sqlx::Result<EndpointRow> {
    sqlx::query_as!(
        EndpointRow,
        r#"UPDATE webhook_endpoint
           SET url = $2, description = $3, events = $4, enabled = $5,
               disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
               consecutive_failures = CASE WHEN $5 AND NOT enabled THEN 0 ELSE consecutive_failures END,
               updated_at = now()
           WHERE endpoint_id = $1
           RETURNING endpoint_id, url, description, events, enabled, disabled_reason, secret, previous_secret,
                     previous_secret_until, created_at, updated_at"#,
        row.endpoint_id,
        row.url,
        row.description,
        &row.events,
        row.enabled
    )
    .fetch_one(conn)
    .await
}

/// A new secret; the current one keeps signing until `until`.
pub async fn rotate(
    conn: &mut PgConnection,
    id: Uuid,
    secret: &str,
    until: OffsetDateTime,
) -> sqlx::Result<EndpointRow> {
    sqlx::query_as!(
        EndpointRow,
        r#"UPDATE webhook_endpoint
           SET previous_secret = secret, previous_secret_until = $3, secret = $2, updated_at = now()
           WHERE endpoint_id = $1
           RETURNING endpoint_id, url, description, events, enabled, disabled_reason, secret, previous_secret,
                     previous_secret_until, created_at, updated_at"#,
        id,
        secret,
        until
    )
    .fetch_one(conn)
    .await
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!("DELETE FROM webhook_endpoint WHERE endpoint_id = $1", id).execute(conn).await?;
    Ok(done.rows_affected() > 0)
}

pub struct DeliveryRow {
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i32,
    pub created_at: OffsetDateTime,
    pub delivered_at: Option<OffsetDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i32>,
}

pub async fn delivery(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<DeliveryRow>> {
    sqlx::query_as!(
        DeliveryRow,
        r#"SELECT delivery_id, endpoint_id, event_type, payload, status, attempts, created_at, delivered_at,
                  last_status_code, last_error, last_latency_ms
           FROM webhook_delivery WHERE delivery_id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// A page of an endpoint's deliveries, newest first, after (`created_at`, id).
pub async fn deliveries(
    pool: &PgPool,
    endpoint: Uuid,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<DeliveryRow>> {
    let (at, id) = after.unzip();
    sqlx::query_as!(
        DeliveryRow,
        r#"SELECT delivery_id, endpoint_id, event_type, payload, status, attempts, created_at, delivered_at,
                  last_status_code, last_error, last_latency_ms
           FROM webhook_delivery
           WHERE endpoint_id = $1 AND ($2::timestamptz IS NULL OR (created_at, delivery_id) < ($2, $3::uuid))
           ORDER BY created_at DESC, delivery_id DESC
           LIMIT $4"#,
        endpoint,
        at,
        id,
        limit
    )
    .fetch_all(pool)
    .await
}

pub async fn attempts(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Vec<(Uuid, Attempt)>> {
    let rows = sqlx::query!(
        r#"SELECT delivery_id, attempt, attempted_at, status_code, latency_ms, error
           FROM webhook_attempt WHERE delivery_id = ANY ($1) ORDER BY delivery_id, attempt"#,
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let attempt = Attempt {
                attempt: r.attempt,
                attempted_at: r.attempted_at,
                status_code: r.status_code,
                latency_ms: r.latency_ms,
                error: r.error,
            };
            (r.delivery_id, attempt)
        })
        .collect())
}

/// The outcome of one attempt: recorded with the delivery's running state, and the
/// endpoint's failure streak (reset by a success). Returns the streak afterwards.
pub async fn record_attempt(
    pool: &PgPool,
    delivery: Uuid,
    status_code: Option<i32>,
    latency_ms: i32,
    error: Option<&str>,
    outcome: &str,
) -> sqlx::Result<i32> {
    let mut tx = pool.begin().await?;
    let endpoint = sqlx::query_scalar!(
        r#"UPDATE webhook_delivery
           SET attempts = attempts + 1, status = $5, last_status_code = $2, last_latency_ms = $3, last_error = $4,
               delivered_at = CASE WHEN $5 = 'delivered' THEN now() ELSE delivered_at END
           WHERE delivery_id = $1
           RETURNING endpoint_id"#,
        delivery,
        status_code,
        latency_ms,
        error,
        outcome
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO webhook_attempt (delivery_id, attempt, status_code, latency_ms, error)
           SELECT $1, attempts, $2, $3, $4 FROM webhook_delivery WHERE delivery_id = $1"#,
        delivery,
        status_code,
        latency_ms,
        error
    )
    .execute(&mut *tx)
    .await?;
    let streak = sqlx::query_scalar!(
        r#"UPDATE webhook_endpoint
           SET consecutive_failures = CASE WHEN $2 = 'delivered' THEN 0 ELSE consecutive_failures + 1 END
           WHERE endpoint_id = $1 RETURNING consecutive_failures"#,
        endpoint,
        outcome
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(streak)
}

/// Disables an endpoint that keeps failing (once: `false` when it already was), with
/// an audit entry by no admin (the server did it).
pub async fn disable_failing(pool: &PgPool, endpoint: Uuid, reason: &str) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query!(
        "UPDATE webhook_endpoint SET enabled = false, disabled_reason = $2, updated_at = now()
         WHERE endpoint_id = $1 AND enabled",
        endpoint,
        reason
    )
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        r#"INSERT INTO audit_log (actor_id, actor_email, client_address, kind, entity_id, entity, action, diff)
           VALUES (NULL, 'server', 'server', 'webhook', $1, 'webhook endpoint', 'disable',
                   jsonb_build_object('reason', $2::text))"#,
        endpoint,
        reason
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Puts a delivery back in the queue (a redelivery): same id, a new job.
pub async fn requeue(conn: &mut PgConnection, delivery: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE webhook_delivery SET status = 'pending' WHERE delivery_id = $1", delivery)
        .execute(&mut *conn)
        .await?;
    crate::jobs::enqueue(conn, super::events::JOB_KIND, &serde_json::json!({"delivery_id": delivery})).await?;
    Ok(())
}

/// A delivery whose endpoint was disabled before it went out.
pub async fn cancel(pool: &PgPool, delivery: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE webhook_delivery SET status = 'cancelled' WHERE delivery_id = $1 AND status = 'pending'",
        delivery
    )
    .execute(pool)
    .await?;
    Ok(())
}
