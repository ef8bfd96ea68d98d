//! PostgreSQL stops under load and comes back: fast 503s while it is down, readiness
//! follows the database and liveness does not, recovery without a restart, and no
//! acknowledged write lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;

use crate::client::{self, Content, Learner, Outcome, http_client, send};
use crate::cluster::Cluster;
use crate::load;
use crate::server::Server;

const CLIENTS: usize = 6;
const OUTAGE: Duration = Duration::from_secs(10);
/// Longest any request may take, down or not.
const FAST: Duration = Duration::from_secs(3);
/// Longest the service may take to serve again once PostgreSQL accepts connections.
const RECOVERY: Duration = Duration::from_secs(5);

/// Polls readiness and liveness every 200 ms until `stop`.
pub fn spawn_probes(server: &Server, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Vec<Outcome>> {
    let (ready, live) = (server.url("/health/ready"), server.url("/health/live"));
    tokio::spawn(async move {
        let http = http_client();
        let mut outcomes = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            outcomes.push(send("ready", http.get(&ready)).await.0);
            outcomes.push(send("live", http.get(&live)).await.0);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        outcomes
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_gives_fast_503s_then_recovers_by_itself_losing_no_acknowledged_write() {
    let _serial = crate::serial();
    let test_started = Instant::now();
    let cluster = Arc::new(tokio::task::spawn_blocking(Cluster::start_new).await.expect("cluster"));
    // Default pool and timeout settings: the behaviour under test is the shipped one.
    let server = Server::start(&cluster.url("studytrack"), &[]).await;
    let content = Content::load(&server).await;
    let mut learners = Vec::new();
    for i in 0..CLIENTS {
        learners.push(Learner::register(&server, &format!("outage{i}@example.com")).await);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let probes = spawn_probes(&server, stop.clone());
    let loaders = load::spawn_all(&learners, &content, &stop, Duration::from_millis(25));

    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopping = Instant::now();
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.stop_fast()).await.expect("pg_ctl stop");
    let down = Instant::now();
    tokio::time::sleep(OUTAGE).await;
    let restarting = Instant::now();
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await.expect("pg_ctl start");
    let up = Instant::now();
    tokio::time::sleep(RECOVERY + Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);

    let log = load::join_all(loaders).await;
    let probes = probes.await.expect("probe task panicked");

    // Nothing ever failed in a way other than a 503: no 500, no dropped connection.
    for o in log.outcomes.iter().chain(&probes) {
        assert!(o.ok() || o.status == Some(503), "unexpected answer: {}", o.describe());
        assert!(o.elapsed < FAST, "slower than {FAST:?}: {}", o.describe());
    }
    if let Some(o) = log.outcomes.iter().find(|o| o.sent + o.elapsed < stopping && !o.ok()) {
        panic!("a request failed before the outage began: {}", o.describe());
    }

    // While the database was down (requests sent after `pg_ctl stop` returned and
    // answered before `pg_ctl start` began): 503 problem+json with Retry-After.
    let during: Vec<&Outcome> =
        log.outcomes.iter().filter(|o| o.sent >= down && o.sent + o.elapsed < restarting).collect();
    assert!(during.len() >= 3 * CLIENTS, "only {} requests fell inside the outage", during.len());
    for o in &during {
        assert!(o.status == Some(503) && o.is_problem() && o.retry_after, "during the outage: {}", o.describe());
    }
    let probes_down: Vec<&Outcome> =
        probes.iter().filter(|o| o.sent >= down && o.sent + o.elapsed < restarting).collect();
    for o in &probes_down {
        let want = if o.op == "live" { 200 } else { 503 };
        assert_eq!(o.status, Some(want), "{} while the database was down: {}", o.op, o.describe());
    }
    assert!(probes_down.iter().any(|o| o.op == "ready"), "readiness was never probed during the outage");

    // Recovery: from `pg_ctl start` returning to the end of the last failed request.
    let last_failure_end = log
        .outcomes
        .iter()
        .chain(&probes)
        .filter(|o| !o.ok() && o.sent >= restarting)
        .map(|o| o.sent + o.elapsed)
        .max();
    let recovery = last_failure_end.map_or(Duration::ZERO, |end| end.saturating_duration_since(up));
    let first_ready = probes.iter().find(|o| o.op == "ready" && o.sent >= up && o.ok()).map(|o| o.sent - up);
    assert!(recovery < RECOVERY, "still failing {recovery:?} after PostgreSQL came back");
    let after: Vec<&Outcome> = log.outcomes.iter().filter(|o| o.sent >= up + RECOVERY).collect();
    assert!(!after.is_empty() && after.iter().all(|o| o.ok()), "requests after recovery failed");

    // The ledger: every acknowledged write is in the database.
    let pool = PgPoolOptions::new().max_connections(1).connect(&cluster.url("studytrack")).await.expect("connect");
    let marks_checked = client::check_marks(&pool, &log.marks).await;
    let missing = client::missing_reviews(&pool, &log.reviews_acked).await;
    assert!(missing.is_empty(), "acknowledged reviews missing from the database: {missing:?}");
    pool.close().await;

    let max_down = during.iter().map(|o| o.elapsed).max().unwrap_or_default();
    println!(
        "outage: {} requests in total ({} during the {:?} outage, all 503 problem+json, max {:?}, p50 {:?}); \
         stop took {:?}; recovery {:?} after PostgreSQL accepted connections (first ready 200 after {:?}); \
         acknowledged writes: {} marks and {} reviews, all found ({} marks attempted); test took {:?}",
        log.outcomes.len(),
        during.len(),
        OUTAGE,
        max_down,
        client::percentile(&during, 0.5),
        down - stopping,
        recovery,
        first_ready,
        marks_checked,
        log.reviews_acked.len(),
        log.marks.len(),
        test_started.elapsed(),
    );
}
