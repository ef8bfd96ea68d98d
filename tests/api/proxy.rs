//! The client-address rule through a real nginx (Debian's), configured the way the
//! README tells operators to: nginx appends the peer it saw to `X-Forwarded-For` and
//! the server trusts only nginx's address. The test client connects from 127.0.0.2 so
//! it is a different peer from the proxy (127.0.0.1), as it would be in production.

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use studytrack::config::Settings;
use studytrack::proxy::{ForwardedHeader, ProxyTrust};

use crate::helpers::{TestApp, spawn_with_settings};

/// nginx in front of one app, stopped when dropped.
struct Nginx {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(app: &TestApp) -> Nginx {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("nginx is not installed (scripts/test installs Debian's nginx)");
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let upstream = app.address.trim_start_matches("http://");
        let d = dir.path().display();
        let conf = format!(
            r#"
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"#
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        // Its output goes nowhere: a worker left holding the test's pipes would keep
        // whoever reads them waiting.
        let child = Command::new(binary)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .spawn()
            .expect("cannot start nginx");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {:?}",
                std::fs::read_to_string(dir.path().join("error.log"))
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }
    }
}

impl Drop for Nginx {
    /// SIGTERM, so the master stops its workers too (a SIGKILL would orphan them).
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child's pid; no memory is involved.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let _ = self.child.wait();
    }
}

/// A client whose connections come from 127.0.0.2.
fn client_from_127_0_0_2() -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).build().unwrap()
}

fn behind_nginx() -> Settings {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.trusted_proxies = ProxyTrust::parse("127.0.0.1", ForwardedHeader::XForwardedFor).unwrap();
    settings
}

async fn login(client: &reqwest::Client, base: &str, forged: &str, email: &str) -> StatusCode {
    client
        .post(format!("{base}/api/v1/auth/login"))
        .header("x-forwarded-for", forged)
        .json(&json!({"email": email, "password": "wrong-guess"}))
        .send()
        .await
        .expect("request through nginx failed")
        .status()
}

#[sqlx::test]
async fn forged_forwarded_addresses_do_not_escape_the_throttle_through_nginx(pool: PgPool) {
    let app = spawn_with_settings(pool, behind_nginx()).await;
    let nginx = Nginx::start(&app);
    let client = client_from_127_0_0_2();
    for i in 0..20 {
        let status = login(&client, &nginx.url, &format!("10.0.{i}.1"), &format!("nobody{i}@example.com")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let status = login(&client, &nginx.url, "10.0.99.1, 10.0.99.2", "nobody-else@example.com").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the 21st failure from 127.0.0.2, whatever it claims");
    // The logs and the audit use the same rule; the throttle row shows whom it charged.
    let keys: Vec<String> = sqlx::query_scalar("SELECT DISTINCT key FROM auth_throttle WHERE bucket = 'login-address'")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(keys, vec!["127.0.0.2".to_owned()]);
}

#[sqlx::test]
async fn concurrent_guesses_through_nginx_are_evaluated_at_most_the_budget(pool: PgPool) {
    let app = spawn_with_settings(pool, behind_nginx()).await;
    app.new_user("ann@example.com").await;
    let nginx = Nginx::start(&app);
    let client = client_from_127_0_0_2();
    let guesses = (0..40).map(|i| {
        let (client, base) = (&client, nginx.url.as_str());
        async move { login(client, base, &format!("10.1.{i}.1"), "ann@example.com").await }
    });
    let statuses = join_all(guesses).await;
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    println!("through nginx: 40 concurrent guesses, {evaluated} evaluated, {refused} refused");
    assert_eq!(evaluated + refused, 40, "{statuses:?}");
    assert!(evaluated <= 5, "{evaluated} of 40 guesses evaluated through nginx; the budget is 5");
}

#[sqlx::test]
async fn the_rate_limit_keys_on_the_real_client_through_nginx(pool: PgPool) {
    let mut settings = behind_nginx();
    settings.rate_limit_per_minute = 60;
    settings.rate_limit_burst = 5;
    let app = spawn_with_settings(pool, settings).await;
    let nginx = Nginx::start(&app);
    let client = client_from_127_0_0_2();
    let mut statuses = Vec::new();
    for i in 0..8 {
        let res = client
            .get(format!("{}/api/v1/tracks", nginx.url))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(limited >= 2, "a fresh forged address per request bought a fresh bucket: {statuses:?}");
}
