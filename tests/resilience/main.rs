//! Slow, process-level resilience tests: the real `studytrack` binary as a child
//! process under load while its database stops and restarts, while it receives SIGTERM,
//! and while fifty clients race on the same rows. Each test prints its figures.
//!
//! Run alone with `cargo test --test resilience -- --nocapture` (about a minute and a
//! half). The tests take turns (one lock) so their latency figures do not disturb one
//! another on a small machine.

// The turn-taking lock is held across awaits on purpose: each test runs on its own
// runtime, so holding it blocks only the other tests' threads, which is the point.
#![allow(clippy::await_holding_lock)]

mod client;
mod cluster;
mod concurrency;
mod db;
mod load;
mod netfault;
mod netns;
#[path = "../support/nginx.rs"]
mod nginx;
mod outage;
mod server;
mod shutdown;
mod topology;
// The SMTP server the API tests use; the learners here sign up through it too.
#[allow(dead_code)]
#[path = "../api/smtp.rs"]
mod smtp;

use std::sync::{Mutex, MutexGuard};

static SERIAL: Mutex<()> = Mutex::new(());

/// Held for a whole test: one load test at a time.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
