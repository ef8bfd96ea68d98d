//! The deployment the README describes, for real: a primary PostgreSQL and a streaming
//! replica made with `pg_basebackup`, two instances of the service reading content from
//! the replica, and nginx in front balancing between them and appending
//! `X-Forwarded-For`, with the instances trusting only nginx's address. Then the things
//! that go wrong in such a deployment, one after another, each with its bound:
//!
//! - content reads go to the replica while it keeps up;
//! - an admin edit through one instance is read back at once through that instance
//!   (never older than the write it acknowledged) and through the other within
//!   [`PROPAGATION`];
//! - replay paused on the replica: the replica holds the old text, the API serves the
//!   new one (reads fall back to the primary) and returns to the replica on resume;
//! - the replica stopped under load: reads fall back, not one request fails;
//! - one instance killed under load: nginx passes the requests it may repeat to the
//!   other; the only failures are non-repeatable writes in flight on the killed one,
//!   and no acknowledged write is lost;
//! - both instances restarted one after the other under load: not one failed request;
//! - throttles charge the client's address as nginx saw it, on both instances.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::client::{self, Content, Learner, Outcome, PASSWORD, http_client, send};
use crate::cluster::Cluster;
use crate::load::{self, LoadLog};
use crate::nginx::Nginx;
use crate::server::{Server, free_port};

/// How long an edit through one instance may take to be read through the other: the
/// change notification's trip plus a replica catching up (README, Deployment shape).
const PROPAGATION: Duration = Duration::from_secs(1);
const METRICS_TOKEN: &str = "topology-metrics-token-5521";
const LOAD_CLIENTS: usize = 4;
const READERS: usize = 4;

/// Two instances behind nginx on a primary and a replica.
struct Deployment {
    primary: Arc<Cluster>,
    replica: Arc<Cluster>,
    instances: [Server; 2],
    nginx: Nginx,
}

impl Deployment {
    async fn start() -> Deployment {
        let primary = Arc::new(tokio::task::spawn_blocking(Cluster::start_primary).await.expect("primary"));
        let p = primary.clone();
        let replica = Arc::new(tokio::task::spawn_blocking(move || Cluster::replica_of(&p)).await.expect("replica"));
        let a = start_instance(free_port(), &primary, &replica).await;
        let b = start_instance(free_port(), &primary, &replica).await;
        let nginx = Nginx::start(&[&a.base["http://".len()..], &b.base["http://".len()..]]);
        Deployment { primary, replica, instances: [a, b], nginx }
    }

    /// Starts instance `i` again on its old port (nginx's configuration names it).
    async fn restart(&mut self, i: usize) {
        let port = self.instances[i].port();
        self.instances[i] = start_instance(port, &self.primary, &self.replica).await;
    }

    async fn primary_pool(&self) -> PgPool {
        connect(&self.primary.url("studytrack")).await
    }
}

/// An instance on `port` writing to the primary and reading content from the replica,
/// trusting nginx's address (127.0.0.1) for `X-Forwarded-For`.
async fn start_instance(port: u16, primary: &Cluster, replica: &Cluster) -> Server {
    let replica_url = replica.url("studytrack");
    let env = [
        ("DATABASE_READ_URL", replica_url.as_str()),
        ("STUDYTRACK_TRUSTED_PROXIES", "127.0.0.1"),
        ("STUDYTRACK_METRICS_TOKEN", METRICS_TOKEN),
        // Readiness fails a second before the listener closes, as in production.
        ("STUDYTRACK_SHUTDOWN_DELAY_SECS", "1"),
    ];
    Server::start_on(port, &primary.url("studytrack"), &env).await
}

async fn connect(url: &str) -> PgPool {
    PgPoolOptions::new().max_connections(2).connect(url).await.expect("cannot connect")
}

/// Content reads an instance has sent to each pool, from its `/metrics`.
#[derive(Debug, Clone, Copy)]
struct Reads {
    primary: u64,
    replica: u64,
}

async fn reads_of(server: &Server) -> Reads {
    let text = http_client()
        .get(server.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .expect("metrics request failed")
        .text()
        .await
        .expect("metrics body");
    let count = |pool: &str| {
        let prefix = format!("studytrack_content_db_reads_total{{pool=\"{pool}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {prefix} in the metrics:\n{text}")) as u64
    };
    Reads { primary: count("primary"), replica: count("replica") }
}

/// Reads that reach the database on every call (search is not cached).
async fn search_through(base: &str, http: &reqwest::Client) -> Outcome {
    send("search", http.get(format!("{base}/api/v1/questions?q=python&limit=5"))).await.0
}

/// An admin's token: signs up through `server`, is granted the role by the CLI (as
/// the README tells operators), then logs in for a token that carries it.
async fn admin_token(server: &Server, primary_url: &str) -> String {
    let email = "topology-admin@example.com";
    Learner::register(server, email).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_studytrack"))
        .args(["admin", "grant", "--email", email])
        .env("DATABASE_URL", primary_url)
        .output()
        .expect("cannot run studytrack admin grant");
    assert!(out.status.success(), "admin grant failed: {}", String::from_utf8_lossy(&out.stderr));
    let res = http_client()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login failed");
    let body: Value = res.json().await.expect("login body");
    body["access_token"].as_str().expect("access token").to_owned()
}

/// Sets the question's title through `server`'s admin API.
async fn retitle(server: &Server, admin: &str, question: uuid::Uuid, title: &str) {
    let http = http_client();
    let path = server.url(&format!("/api/v1/admin/content/questions/{question}"));
    let res = http.get(&path).bearer_auth(admin).send().await.expect("admin GET");
    assert_eq!(res.status(), StatusCode::OK, "admin GET {path}");
    let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
    let mut doc = res.json::<Value>().await.expect("admin body")["doc"].clone();
    doc["title"] = title.into();
    let res = http.put(&path).bearer_auth(admin).header("If-Match", etag).json(&doc).send().await.expect("PUT");
    let status = res.status();
    assert_eq!(status, StatusCode::OK, "PUT {path}: {}", res.text().await.unwrap_or_default());
}

async fn title_via(server: &Server, question: uuid::Uuid) -> String {
    let body: Value = http_client()
        .get(server.url(&format!("/api/v1/questions/{question}")))
        .send()
        .await
        .expect("GET question")
        .json()
        .await
        .expect("question body");
    body["title"].as_str().expect("title").to_owned()
}

/// Polls `server` until the question's title is `want`; how long that took.
async fn time_until_title(server: &Server, question: uuid::Uuid, want: &str) -> Duration {
    let started = Instant::now();
    loop {
        if title_via(server, question).await == want {
            return started.elapsed();
        }
        assert!(started.elapsed() < 5 * PROPAGATION, "{} never served the title {want:?}", server.base);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Readers through nginx until `stop`: the question by id (cached), search (replica
/// or primary on every call), the article list.
fn spawn_readers(base: &str, content: &Content, stop: Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<Vec<Outcome>>> {
    (0..READERS)
        .map(|r| {
            let (base, questions, stop) = (base.to_owned(), content.questions.clone(), stop.clone());
            tokio::spawn(async move {
                let http = http_client();
                let mut outcomes = Vec::new();
                let mut i = r;
                while !stop.load(Ordering::Relaxed) {
                    let outcome = match i % 3 {
                        0 => {
                            let q = questions[i % questions.len()];
                            send("question", http.get(format!("{base}/api/v1/questions/{q}"))).await.0
                        }
                        1 => search_through(&base, &http).await,
                        _ => send("articles", http.get(format!("{base}/api/v1/articles"))).await.0,
                    };
                    outcomes.push(outcome);
                    i += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                outcomes
            })
        })
        .collect()
}

/// Waits until `server` answers content reads that came through nginx.
async fn wait_until_proxied_to(server: &Server) {
    let started = Instant::now();
    let before = reads_of(server).await;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = reads_of(server).await;
        if now.primary + now.replica > before.primary + before.replica {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "nginx never sent {} traffic again", server.base);
    }
}

async fn join_readers(readers: Vec<tokio::task::JoinHandle<Vec<Outcome>>>) -> Vec<Outcome> {
    let mut all = Vec::new();
    for r in readers {
        all.extend(r.await.expect("reader panicked"));
    }
    all
}

/// Every acknowledged mark and review is in the primary.
async fn assert_no_acknowledged_write_lost(pool: &PgPool, log: &LoadLog) -> (usize, usize) {
    let marks = client::check_marks(pool, &log.marks).await;
    let missing = client::missing_reviews(pool, &log.reviews_acked).await;
    assert!(missing.is_empty(), "acknowledged reviews missing from the primary: {missing:?}");
    (marks, log.reviews_acked.len())
}

fn p99(outcomes: &[Outcome], op: &str) -> Duration {
    let of_op: Vec<&Outcome> = outcomes.iter().filter(|o| o.op == op).collect();
    client::percentile(&of_op, 0.99)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_on_a_streaming_replica_survive_failover_kill_and_rolling_restart() {
    let _serial = crate::serial();
    let test_started = Instant::now();
    let mut d = Deployment::start().await;
    let content = Content::load(&d.instances[0]).await;
    let question = content.questions[0];
    let admin = admin_token(&d.instances[0], &d.primary.url("studytrack")).await;
    let replica_pool = connect(&d.replica.url("studytrack")).await;
    let http = http_client();

    // 1. Content reads go to the replica while it keeps up, on both instances (once
    //    it has replayed the seed: each instance waits for that before using it).
    let started = Instant::now();
    for server in &d.instances {
        loop {
            let before = reads_of(server).await;
            assert!(search_through(&server.base, &http).await.ok());
            if reads_of(server).await.replica > before.replica {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{} never read from the replica", server.base);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let before = [reads_of(&d.instances[0]).await, reads_of(&d.instances[1]).await];
    for _ in 0..40 {
        let o = search_through(&d.nginx.url, &http).await;
        assert!(o.ok(), "search through nginx: {}", o.describe());
    }
    for (i, server) in d.instances.iter().enumerate() {
        let after = reads_of(server).await;
        assert!(
            after.replica >= before[i].replica + 10 && after.primary == before[i].primary,
            "instance {i} should read content from the replica: {:?} -> {after:?}",
            before[i]
        );
    }

    // 2. Edits through one instance: read back at once there, within PROPAGATION on
    //    the other.
    let mut lags = Vec::new();
    for round in 0..10 {
        let (writer, other) = if round % 2 == 0 { (0, 1) } else { (1, 0) };
        let title = format!("Topology edit {round}");
        retitle(&d.instances[writer], &admin, question, &title).await;
        assert_eq!(title_via(&d.instances[writer], question).await, title, "read-your-writes on instance {writer}");
        let lag = time_until_title(&d.instances[other], question, &title).await;
        assert!(lag < PROPAGATION, "instance {other} served the edit after {lag:?}");
        lags.push(lag);
    }
    let propagation_max = lags.iter().max().copied().unwrap_or_default();

    // 3. Replay paused: the replica keeps the old text; the API serves the new one
    //    from the primary, then returns to the replica when replay resumes.
    sqlx::query("SELECT pg_wal_replay_pause()").execute(&replica_pool).await.expect("pause replay");
    let paused_at = [reads_of(&d.instances[0]).await, reads_of(&d.instances[1]).await];
    retitle(&d.instances[0], &admin, question, "Edited while replay is paused").await;
    assert_eq!(title_via(&d.instances[0], question).await, "Edited while replay is paused");
    let lag_paused = time_until_title(&d.instances[1], question, "Edited while replay is paused").await;
    assert!(lag_paused < PROPAGATION, "with replay paused the edit took {lag_paused:?}");
    let on_replica: String = sqlx::query_scalar("SELECT title FROM question WHERE question_id = $1")
        .bind(question)
        .fetch_one(&replica_pool)
        .await
        .expect("read the replica");
    assert_ne!(on_replica, "Edited while replay is paused", "replay was paused, so the replica must be behind");
    for _ in 0..20 {
        assert!(search_through(&d.nginx.url, &http).await.ok());
    }
    for (i, server) in d.instances.iter().enumerate() {
        let now = reads_of(server).await;
        assert_eq!(now.replica, paused_at[i].replica, "instance {i} read from a replica behind the last change");
        assert!(now.primary > paused_at[i].primary, "instance {i} fell back to the primary");
    }
    sqlx::query("SELECT pg_wal_replay_resume()").execute(&replica_pool).await.expect("resume replay");
    let resumed = Instant::now();
    loop {
        let before = reads_of(&d.instances[1]).await;
        assert!(search_through(&d.nginx.url, &http).await.ok());
        assert!(search_through(&d.nginx.url, &http).await.ok());
        if reads_of(&d.instances[1]).await.replica > before.replica {
            break;
        }
        assert!(resumed.elapsed() < Duration::from_secs(3), "the replica was not used again after replay resumed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let back_on_replica = resumed.elapsed();
    replica_pool.close().await;

    // 4. The replica stopped and started under load: reads fall back, nothing fails.
    let stop = Arc::new(AtomicBool::new(false));
    let readers = spawn_readers(&d.nginx.url, &content, stop.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let r = d.replica.clone();
    tokio::task::spawn_blocking(move || r.stop_fast()).await.expect("stop the replica");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let r = d.replica.clone();
    tokio::task::spawn_blocking(move || r.start()).await.expect("start the replica");
    let replica_back = [reads_of(&d.instances[0]).await, reads_of(&d.instances[1]).await];
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let failover = join_readers(readers).await;
    for o in &failover {
        assert!(o.ok(), "while the replica stopped and started: {}", o.describe());
    }
    for (i, server) in d.instances.iter().enumerate() {
        assert!(reads_of(server).await.replica > replica_back[i].replica, "instance {i} never returned to the replica");
    }
    let failover_p99 = p99(&failover, "question");

    // 5. One instance killed under load.
    let mut learners = Vec::new();
    for i in 0..LOAD_CLIENTS {
        let mut learner = Learner::register(&d.instances[i % 2], &format!("topology{i}@example.com")).await;
        learner.base = d.nginx.url.clone();
        learners.push(learner);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let loaders = load::spawn_all(&learners, &content, &stop, Duration::from_millis(5));
    let readers = spawn_readers(&d.nginx.url, &content, stop.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let killing = Instant::now();
    d.instances[0].kill();
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let kill_log = load::join_all(loaders).await;
    let kill_reads = join_readers(readers).await;
    let failed: Vec<&Outcome> = kill_log.outcomes.iter().chain(&kill_reads).filter(|o| !o.ok()).collect();
    for o in &failed {
        // nginx repeats what it may (GET, PUT) on the other instance; a POST that was
        // already sent to the killed one is the caller's to retry.
        let in_flight = o.sent <= killed && o.sent + o.elapsed >= killing;
        assert!(
            o.op == "review" && in_flight,
            "only a POST in flight on the killed instance may fail: {} \n{}",
            o.describe(),
            d.nginx.error_log()
        );
    }
    assert!(failed.len() <= LOAD_CLIENTS, "more failures than requests in flight: {}", failed.len());
    let primary = d.primary_pool().await;
    let (kill_marks, kill_reviews) = assert_no_acknowledged_write_lost(&primary, &kill_log).await;
    let kill_requests = kill_log.outcomes.len() + kill_reads.len();
    d.restart(0).await;

    // 6. A rolling restart of both instances under load: not one failed request.
    let stop = Arc::new(AtomicBool::new(false));
    let loaders = load::spawn_all(&learners, &content, &stop, Duration::from_millis(5));
    let readers = spawn_readers(&d.nginx.url, &content, stop.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;
    for i in 0..2 {
        d.instances[i].terminate();
        let status = d.instances[i].wait_exit(Duration::from_secs(40)).await;
        assert!(status.is_some_and(|s| s.success()), "instance {i} did not stop cleanly: {status:?}");
        d.restart(i).await;
        // The next one goes only once nginx sends the restarted one traffic again: it
        // skips an instance for `fail_timeout` after a refusal, and with both skipped
        // it has nowhere to send anything (the same rule holds for any rolling restart
        // behind a passive-health-checking proxy).
        wait_until_proxied_to(&d.instances[i]).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let rolling_log = load::join_all(loaders).await;
    let rolling_reads = join_readers(readers).await;
    for o in rolling_log.outcomes.iter().chain(&rolling_reads) {
        assert!(o.ok(), "during the rolling restart: {}\n{}", o.describe(), d.nginx.error_log());
    }
    let (rolling_marks, rolling_reviews) = assert_no_acknowledged_write_lost(&primary, &rolling_log).await;
    let rolling_p99 = p99(&rolling_reads, "question");

    // 7. Throttles charge the address nginx saw, whichever instance answers: twenty
    //    failed logins from 127.0.0.2 (spread over both), then 429 for it alone.
    let from = |last: u8| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, last)))
            .build()
            .expect("client")
    };
    let login = |client: reqwest::Client, i: usize| {
        let url = format!("{}/api/v1/auth/login", d.nginx.url);
        async move {
            client
                .post(url)
                .header("x-forwarded-for", format!("10.9.{i}.1"))
                .json(&json!({"email": format!("nobody{i}@example.com"), "password": "wrong-guess"}))
                .send()
                .await
                .expect("login through nginx")
                .status()
        }
    };
    let (two, three) = (from(2), from(3));
    for i in 0..20 {
        assert_eq!(login(two.clone(), i).await, StatusCode::UNAUTHORIZED, "failed login {i} from 127.0.0.2");
    }
    assert_eq!(login(two.clone(), 20).await, StatusCode::TOO_MANY_REQUESTS, "the 21st from 127.0.0.2");
    assert_eq!(login(three, 21).await, StatusCode::UNAUTHORIZED, "127.0.0.3 has its own budget");
    let keys: Vec<String> = sqlx::query_scalar("SELECT DISTINCT key FROM auth_throttle WHERE bucket = 'login-address'")
        .fetch_all(&primary)
        .await
        .expect("throttle rows");
    assert_eq!(keys.iter().filter(|k| k.starts_with("10.")).count(), 0, "a forged address was charged: {keys:?}");
    assert!(keys.contains(&"127.0.0.2".to_owned()), "charged: {keys:?}");
    primary.close().await;
    // The learner token path works through the proxy after all of it.
    let (o, _) = learners[0].progress().await;
    assert!(o.ok(), "{}", o.describe());

    println!(
        "topology: edits read on the other instance after at most {propagation_max:?} (10 edits; bound {PROPAGATION:?}), \
         {lag_paused:?} with replay paused; back on the replica {back_on_replica:?} after resume; \
         replica stop/start under load: {} reads, 0 failed, question p99 {failover_p99:?}; \
         instance killed: {kill_requests} requests, {} failed (POSTs in flight), {kill_marks} marks and {kill_reviews} \
         reviews acknowledged, all stored; rolling restart: {} requests, 0 failed, question p99 {rolling_p99:?}, \
         {rolling_marks} marks and {rolling_reviews} reviews stored; test took {:?}",
        failover.len(),
        failed.len(),
        rolling_log.outcomes.len() + rolling_reads.len(),
        test_started.elapsed()
    );
}
