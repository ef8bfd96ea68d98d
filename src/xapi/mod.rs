//! xAPI 1.0.3: learning events of learners who share them, sent as statements to the
//! learning-record store (LRS) an institution already runs.
//!
//! A statement row and its job are written in the transaction of the event (see
//! `crate::webhooks::events`), only when the learner consented and the deployment
//! forwards statements. The [`forwarder`] builds the statement once ([`statement`]:
//! the actor is an account on the configured home page, never an email; verbs from the
//! ADL vocabulary; activity ids from content slugs), keeps those bytes for every retry,
//! and `PUT`s it under its own id, so a retried send is the same statement to the LRS.
//! A statement the LRS refuses (4xx) is dead at once and listed by
//! `GET /admin/xapi/statements?status=dead`; a store that is down is retried with
//! backoff like any job, and dead after the last attempt.

pub mod forwarder;
pub mod statement;
pub mod store;

/// The job kind that sends one statement.
pub const JOB_KIND: &str = "xapi";

/// Records whether this deployment queues statements (called at start-up from the
/// settings; every instance of a deployment is configured alike).
pub async fn set_enabled(pool: &sqlx::PgPool, enabled: bool) -> sqlx::Result<()> {
    sqlx::query!("UPDATE integration_setting SET xapi_enabled = $1", enabled).execute(pool).await?;
    Ok(())
}
