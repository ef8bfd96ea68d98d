//! Durable background work: "this must happen once, later, even across restarts and
//! with several instances" (mail now; reminders, webhooks and xAPI later).
//!
//! A job is a row written with [`enqueue`] inside the transaction of the change that
//! causes it (an outbox): it exists exactly when the change committed. Every instance
//! runs a [`Worker`] that claims due jobs with `FOR UPDATE SKIP LOCKED` and a lease, so
//! two instances never hold the same job, and a job held by an instance that died is
//! claimed again once its lease runs out. A failed job is retried with exponential
//! backoff and jitter; after [`MAX_ATTEMPTS`] it is buried as `dead` (kept, with its
//! last error, for an operator).
//!
//! Delivery is at least once: a worker that dies after the side effect but before
//! marking the job done repeats it, which is why each mail carries a stable
//! Message-ID (a receiver can recognise the repeat).

pub mod store;
mod worker;

pub use store::{Job, enqueue};
pub use worker::{Handler, Worker};

/// Attempts before a job is buried as dead.
pub const MAX_ATTEMPTS: i32 = 8;
