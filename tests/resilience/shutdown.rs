//! SIGTERM under load: readiness turns 503 at once, requests already accepted finish
//! successfully, the process exits within its grace period, and no acknowledged
//! write is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::{self, Content, Learner, Outcome, PASSWORD, send};
use crate::db::TestDb;
use crate::load;
use crate::server::Server;

const GRACE_SECS: u64 = 10;
/// How long the server keeps accepting (answering readiness 503) after SIGTERM.
const DELAY_SECS: u64 = 2;
/// Registrations per burst (before the signal, and late in the delay): each waits for
/// the one password-hashing thread, so together they take a while.
const EARLY: usize = 12;
/// Enough that, sent half a second before the listener closes, many are still queued
/// for the one hashing thread when it does (a hash takes 15-50 ms here): the drain is
/// then always exercised, not only when the machine happens to be slow.
const LATE: usize = 96;
/// How soon after the signal readiness must answer 503.
const FLIP: Duration = Duration::from_millis(100);

/// Readiness on a new connection every 50 ms, as a load balancer probes, until the
/// server stops answering.
fn spawn_probe(url: String) -> tokio::task::JoinHandle<Vec<Outcome>> {
    tokio::spawn(async move {
        let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
        let mut outcomes = Vec::new();
        loop {
            let (outcome, _) = send("ready", http.get(&url)).await;
            let refused = outcome.status.is_none();
            outcomes.push(outcome);
            if refused || outcomes.len() > 2000 {
                return outcomes;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

/// `n` registrations sent at once, each on its own connection.
fn burst(
    server: &Server,
    prefix: &str,
    n: usize,
) -> Vec<tokio::task::JoinHandle<(Outcome, Option<serde_json::Value>)>> {
    (0..n)
        .map(|i| {
            let http = client::http_client();
            let req = http.post(server.url("/api/v1/auth/register")).json(
                &json!({"email": format!("{prefix}{i}@example.com"), "password": PASSWORD, "display_name": "Burst"}),
            );
            tokio::spawn(send("register", req))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_drains_in_flight_requests_and_exits_within_the_grace_period() {
    let _serial = crate::serial();
    let test_started = Instant::now();
    let db = TestDb::new("shutdown");
    let grace = GRACE_SECS.to_string();
    let delay = DELAY_SECS.to_string();
    let mut server = Server::start(
        &db.url,
        &[
            ("STUDYTRACK_SHUTDOWN_GRACE_SECS", &grace),
            ("STUDYTRACK_SHUTDOWN_DELAY_SECS", &delay),
            ("STUDYTRACK_HASH_CONCURRENCY", "1"),
        ],
    )
    .await;
    let content = Content::load(&server).await;
    let mut learners = Vec::new();
    for i in 0..4 {
        learners.push(Learner::register(&server, &format!("steady{i}@example.com")).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let loaders = load::spawn_all(&learners, &content, &stop, Duration::from_millis(10));
    tokio::time::sleep(Duration::from_secs(2)).await;

    // A burst of slow requests, then the signal while they are in flight; a second
    // burst accepted during the delay, still running when the listener closes.
    let first = burst(&server, "early", EARLY);
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();
    let signalled = Instant::now();
    let probe = spawn_probe(server.url("/health/ready"));
    tokio::time::sleep(Duration::from_millis(DELAY_SECS * 1000 - 500)).await;
    let second = burst(&server, "late", LATE);
    let closing = signalled + Duration::from_secs(DELAY_SECS);

    let status = server.wait_exit(Duration::from_secs(GRACE_SECS + 5)).await;
    let exit_after = signalled.elapsed();
    stop.store(true, Ordering::Relaxed);
    let status = status.unwrap_or_else(|| panic!("still running {exit_after:?} after SIGTERM:\n{}", server.log_tail()));
    assert!(status.success(), "exit status {status} after SIGTERM:\n{}", server.log_tail());
    assert!(exit_after < Duration::from_secs(GRACE_SECS), "exited {exit_after:?} after SIGTERM, past the grace period");

    let mut early = Vec::new();
    for task in first {
        early.push(task.await.expect("burst task").0);
    }
    let mut late = Vec::new();
    for task in second {
        late.push(task.await.expect("burst task").0);
    }
    for o in &early {
        assert_eq!(o.status, Some(202), "a request in flight at SIGTERM failed: {}", o.describe());
    }
    // A late request either ran to completion, or was dropped unstarted when the
    // listener closed (its connection was still queued for a worker): the client then
    // sees the connection close with no answer, and the request must have left no trace.
    for o in late.iter().filter(|o| o.status.is_some()) {
        assert_eq!(
            o.status,
            Some(202),
            "a request accepted during the delay failed: {}\n{}",
            o.describe(),
            server.log_tail()
        );
    }
    let dropped: Vec<String> = late
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status.is_none())
        .map(|(i, _)| format!("late{i}@example.com"))
        .collect();
    let drained = late.iter().filter(|o| o.ok() && o.sent + o.elapsed > closing).count();
    assert!(drained > 0, "no request was still running when the listener closed; the drain went untested");
    let probes = probe.await.expect("probe task");
    // Signal delivery is asynchronous: a probe in the first instant may still see 200.
    let answered: Vec<&Outcome> = probes.iter().filter(|o| o.status.is_some() && o.sent >= signalled + FLIP).collect();
    assert!(answered.len() >= 10, "readiness was hardly answered after SIGTERM: {probes:?}");
    for o in &answered {
        assert_eq!(o.status, Some(503), "readiness {:?} after SIGTERM: {}", o.sent - signalled, o.describe());
    }
    let first_503 = probes.iter().find(|o| o.status == Some(503)).map(|o| o.sent + o.elapsed - signalled);

    let log = load::join_all(loaders).await;
    for o in &log.outcomes {
        let before = o.sent + o.elapsed < signalled;
        assert!(o.ok() || (!before && o.status.is_none()), "under shutdown: {}", o.describe());
    }
    let served_after = log.outcomes.iter().filter(|o| o.sent >= signalled && o.ok()).count();
    let refused_after = log.outcomes.iter().filter(|o| o.sent >= signalled && o.status.is_none()).count();

    let pool = db.pool().await;
    let marks = client::check_marks(&pool, &log.marks).await;
    let missing = client::missing_reviews(&pool, &log.reviews_acked).await;
    assert!(missing.is_empty(), "acknowledged reviews lost: {missing:?}");
    // A sign-up is acknowledged (202) once it is stored waiting for its link.
    let registered: i64 = sqlx::query_scalar("SELECT count(*) FROM pending_registration WHERE display_name = 'Burst'")
        .fetch_one(&pool)
        .await
        .expect("count users");
    let answered_late = late.iter().filter(|o| o.ok()).count();
    assert_eq!(registered, (EARLY + answered_late) as i64, "registrations stored differ from those acknowledged");
    let traces: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM app_user WHERE email = ANY ($1))
              + (SELECT count(*) FROM pending_registration WHERE email = ANY ($1))",
    )
    .bind(&dropped)
    .fetch_one(&pool)
    .await
    .expect("count users");
    assert_eq!(traces, 0, "a request dropped at close left a sign-up behind");
    pool.close().await;

    println!(
        "shutdown: {EARLY}/{EARLY} registrations in flight at SIGTERM completed (202); of {LATE} sent late in the \
         delay {answered_late} completed (202), {drained} of them after the listener closed, {} dropped unstarted at \
         close with no trace; readiness 503 on {} probes, the first answered {:?} after the signal; {served_after} \
         load requests served and {refused_after} refused after SIGTERM; exit status {status} after {exit_after:?} \
         (grace {GRACE_SECS} s, delay {DELAY_SECS} s); acknowledged writes: {marks} marks and {} reviews, all \
         found; test took {:?}",
        dropped.len(),
        answered.len(),
        first_503,
        log.reviews_acked.len(),
        test_started.elapsed(),
    );
    db.drop_db().await;
}
