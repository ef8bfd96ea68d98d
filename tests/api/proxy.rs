//! The client-address rule through a real nginx (Debian's), configured the way the
//! README tells operators to: nginx appends the peer it saw to `X-Forwarded-For` and
//! the server trusts only nginx's address. The test client connects from 127.0.0.2 so
//! it is a different peer from the proxy (127.0.0.1), as it would be in production.

use std::net::{IpAddr, Ipv4Addr};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use studytrack::config::Settings;
use studytrack::proxy::{ForwardedHeader, ProxyTrust};

use crate::helpers::{TestApp, spawn_with_settings};
use crate::nginx::Nginx;

fn nginx_in_front_of(app: &TestApp) -> Nginx {
    Nginx::start(&[app.address.trim_start_matches("http://")])
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
    let nginx = nginx_in_front_of(&app);
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
    let nginx = nginx_in_front_of(&app);
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
    let nginx = nginx_in_front_of(&app);
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
