//! PostgreSQL behind a network that fails without saying so: its packets are dropped
//! in the kernel (nftables, in a network namespace of the test's own) instead of
//! being refused, and before that the link is slowed to a crawl. What makes the
//! service answer anyway, each bound a setting or a constant:
//!
//! - the request deadline (`STUDYTRACK_REQUEST_TIMEOUT_MS`, 2 s here, 15 s by
//!   default): a handler waiting on a silent database is cut off and the client gets
//!   503 problem+json with `Retry-After`; nothing waits longer;
//! - the pool's acquire timeout (`STUDYTRACK_DB_ACQUIRE_TIMEOUT_MS`, 1 s): once the
//!   pool's connections are all stuck, requests and readiness fail within it;
//! - the release check (`src/db.rs`): while deadlines are expiring, a connection
//!   must answer a ping within the acquire timeout to go back to the pool, else it is
//!   closed, so stuck connections do not fill the pool until TCP gives up on them;
//! - the server's TCP keepalives (30 s + 3 × 10 s) end the backends of connections
//!   this side abandoned, and its statement timeout (5 s) ends queries that arrived.
//!
//! When the network heals, the pool opens fresh connections and the service serves
//! again within [`RECOVERY`], with no restart; no acknowledged write is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;

use crate::client::{self, Content, Learner, Outcome};
use crate::cluster::Cluster;
use crate::load;
use crate::netns::Netns;
use crate::outage::spawn_probes;
use crate::server::Server;

const CLIENTS: usize = 4;
/// The request deadline this test runs the service with.
const DEADLINE: Duration = Duration::from_secs(2);
/// Scheduling slack on a loaded two-core machine, on top of the deadline.
const SLACK: Duration = Duration::from_millis(750);
const PARTITION: Duration = Duration::from_secs(12);
/// From the network healing to the last failed request.
const RECOVERY: Duration = Duration::from_secs(4);
/// Readiness fails within the acquire timeout plus a probe interval.
const READINESS_FLIPS: Duration = Duration::from_millis(1500);

fn during(outcomes: &[Outcome], from: Instant, to: Instant) -> Vec<&Outcome> {
    outcomes.iter().filter(|o| o.sent >= from && o.sent + o.elapsed <= to).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_that_silently_drops_packets_gives_503s_within_the_deadline_and_recovers_when_the_network_heals() {
    let _serial = crate::serial();
    let test_started = Instant::now();
    let netns = Arc::new(tokio::task::spawn_blocking(Netns::create).await.expect("namespace"));
    let n = netns.clone();
    let cluster = tokio::task::spawn_blocking(move || Cluster::start_in(&n)).await.expect("cluster");
    let deadline_ms = DEADLINE.as_millis().to_string();
    let server = Server::start(&cluster.url("studytrack"), &[("STUDYTRACK_REQUEST_TIMEOUT_MS", &deadline_ms)]).await;
    let content = Content::load(&server).await;
    let mut learners = Vec::new();
    for i in 0..CLIENTS {
        learners.push(Learner::register(&server, &format!("netfault{i}@example.com")).await);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let probes = spawn_probes(&server, stop.clone());
    let loaders = load::spawn_all(&learners, &content, &stop, Duration::from_millis(25));
    tokio::time::sleep(Duration::from_secs(2)).await;

    // A slow link: 256 kbit/s each way.
    let slow_from = Instant::now();
    netns.slow_down("256kbit");
    tokio::time::sleep(Duration::from_secs(4)).await;
    netns.heal();
    let slow_to = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;

    // A silent partition.
    netns.drop_everything();
    // Counted from when the rule is in place: a request sent while `nft` was still
    // loading it could reach the database.
    let cut = Instant::now();
    tokio::time::sleep(PARTITION).await;
    netns.heal();
    let healed = Instant::now();
    tokio::time::sleep(RECOVERY + Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);

    let log = load::join_all(loaders).await;
    let probes = probes.await.expect("probe task panicked");

    // Never a hang, never anything but an answer or a 503 problem+json.
    for o in log.outcomes.iter().chain(&probes) {
        assert!(
            o.ok() || (o.status == Some(503) && o.is_problem() && o.retry_after),
            "unexpected answer: {}",
            o.describe()
        );
        assert!(o.elapsed <= DEADLINE + SLACK, "slower than the deadline: {}", o.describe());
    }
    if let Some(o) = log.outcomes.iter().find(|o| o.sent + o.elapsed < slow_from && !o.ok()) {
        panic!("a request failed before any fault: {}", o.describe());
    }

    // The slow link: answered, more slowly.
    let slow = during(&log.outcomes, slow_from, slow_to);
    let slow_ok = slow.iter().filter(|o| o.ok()).count();
    assert!(slow_ok * 2 >= slow.len(), "most requests on a slow link should still succeed: {slow_ok}/{}", slow.len());

    // The partition: every request sent once it had begun fails with a 503 (nothing
    // can reach the database), and readiness says so while liveness does not.
    let cut_off = during(&log.outcomes, cut, healed);
    assert!(cut_off.len() >= 2 * CLIENTS, "only {} requests fell inside the partition", cut_off.len());
    if let Some(o) = cut_off.iter().find(|o| o.ok()) {
        panic!("a request succeeded with the database unreachable: {}", o.describe());
    }
    for o in during(&probes, cut + READINESS_FLIPS, healed) {
        let want = if o.op == "live" { 200 } else { 503 };
        assert_eq!(o.status, Some(want), "{} during the partition: {}", o.op, o.describe());
    }

    // Recovery, by itself.
    let last_failure_end =
        log.outcomes.iter().chain(&probes).filter(|o| !o.ok()).map(|o| o.sent + o.elapsed).max().unwrap_or(healed);
    let recovery = last_failure_end.saturating_duration_since(healed);
    assert!(recovery < RECOVERY, "still failing {recovery:?} after the network healed");
    let after: Vec<&Outcome> = log.outcomes.iter().filter(|o| o.sent >= healed + RECOVERY).collect();
    assert!(!after.is_empty() && after.iter().all(|o| o.ok()), "requests after recovery failed");
    let first_ready = probes.iter().find(|o| o.op == "ready" && o.sent >= healed && o.ok()).map(|o| o.sent - healed);

    // The ledger.
    let pool = PgPoolOptions::new().max_connections(1).connect(&cluster.url("studytrack")).await.expect("connect");
    let marks = client::check_marks(&pool, &log.marks).await;
    let missing = client::missing_reviews(&pool, &log.reviews_acked).await;
    assert!(missing.is_empty(), "acknowledged reviews missing: {missing:?}");
    pool.close().await;

    let slow_p50 = client::percentile(&slow, 0.5);
    let cut_max = cut_off.iter().map(|o| o.elapsed).max().unwrap_or_default();
    println!(
        "network faults: slow link (256 kbit/s) {slow_ok}/{} answered, p50 {slow_p50:?}; silent partition {PARTITION:?}: \
         {} requests, all 503, slowest {cut_max:?} (deadline {DEADLINE:?}); recovery {recovery:?} after the network \
         healed (first ready 200 after {first_ready:?}); {marks} acknowledged marks and {} reviews all stored; \
         test took {:?}",
        slow.len(),
        cut_off.len(),
        log.reviews_acked.len(),
        test_started.elapsed()
    );
    drop(server);
    drop(cluster);
}
