//! Attacks on the documented limits, sent the way an attacker sends them: in parallel,
//! with forged forwarding headers and extreme inputs. Each test here failed on the
//! server before the fix it guards (issue 14).

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;
use studytrack::proxy::{ForwardedHeader, ProxyTrust};

use crate::helpers::{PASSWORD, TestApp, assert_problem, spawn_app, spawn_with_settings, user_from};

/// Settings for a server behind one trusted proxy on loopback (the test client plays
/// the proxy and writes `X-Forwarded-For` as nginx would: the real peer on the right).
fn behind_proxy() -> Settings {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.trusted_proxies = ProxyTrust::parse("127.0.0.1/32", ForwardedHeader::XForwardedFor).unwrap();
    settings
}

async fn login_from(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("request failed")
        .status()
}

/// Counts the statuses in a batch of answers.
fn tally(statuses: &[StatusCode]) -> (usize, usize) {
    let unauthorized = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(unauthorized + throttled, statuses.len(), "only 401 and 429 expected: {statuses:?}");
    (unauthorized, throttled)
}

#[sqlx::test]
async fn concurrent_wrong_guesses_are_evaluated_at_most_the_budget(pool: PgPool) {
    let app = spawn_with_settings(pool, behind_proxy()).await;
    crate::helpers::seed_dir(&app.pool, &crate::helpers::fixture_dir()).await;
    app.new_user("ann@example.com").await;

    // 40 guesses at once, each from its own address, so only the account budget (5)
    // stands between the attacker and the password check.
    let guesses = (0..40).map(|i| {
        let from = format!("198.51.100.{}", i + 1);
        let app = &app;
        async move { login_from(app, &from, "ann@example.com", &format!("wrong-guess-{i}")).await }
    });
    let statuses = join_all(guesses).await;
    let (evaluated, throttled) = tally(&statuses);
    eprintln!("40 concurrent wrong guesses: {evaluated} evaluated (401), {throttled} refused (429)");
    assert!(evaluated <= 5, "{evaluated} of 40 concurrent guesses were checked; the budget is 5");
    assert_eq!(evaluated + throttled, 40);

    // The budget is spent: even the right password waits out the window.
    assert_eq!(login_from(&app, "198.51.100.200", "ann@example.com", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn concurrent_registrations_stay_within_the_address_budget(pool: PgPool) {
    let mut settings = behind_proxy();
    settings.registrations_per_address = 3;
    let app = spawn_with_settings(pool, settings).await;
    let attempts = (0..12).map(|i| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/v1/auth/register"))
                .header("x-forwarded-for", "203.0.113.9")
                .json(&json!({"email": format!("bulk{i}@example.com"), "password": PASSWORD, "display_name": "B"}))
                .send()
                .await
                .expect("request failed")
                .status()
        }
    });
    let statuses = join_all(attempts).await;
    let created = statuses.iter().filter(|s| s.is_success()).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(created + throttled, 12, "{statuses:?}");
    assert!(created <= 3, "{created} registrations from one address at once; the budget is 3");
}

#[sqlx::test]
async fn concurrent_confirmation_guesses_stay_within_the_account_budget(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let guesses = (0..20).map(|i| {
        let (app, user) = (&app, &user);
        async move {
            app.request_as(reqwest::Method::POST, "/api/v1/me/password", &user.access)
                .json(&json!({"current_password": format!("wrong-guess-{i}"), "new_password": "a-brand-new-phrase-9"}))
                .send()
                .await
                .expect("request failed")
                .status()
        }
    });
    let statuses = join_all(guesses).await;
    let evaluated = statuses.iter().filter(|s| **s == StatusCode::FORBIDDEN).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(evaluated + throttled, 20, "{statuses:?}");
    assert!(evaluated <= 5, "{evaluated} of 20 concurrent confirmation guesses were checked; the budget is 5");
}

#[sqlx::test]
async fn a_forged_leftmost_forwarded_address_does_not_escape_the_address_throttle(pool: PgPool) {
    let app = spawn_with_settings(pool, behind_proxy()).await;
    crate::helpers::seed_dir(&app.pool, &crate::helpers::fixture_dir()).await;
    // One real client (the proxy appends 192.0.2.7 on the right) writes a different
    // leftmost value each time. Unknown emails, so the account budget plays no part.
    for i in 0..20 {
        let forged = format!("10.9.{}.{}, 192.0.2.7", i / 250, i % 250 + 1);
        let status = login_from(&app, &forged, &format!("nobody{i}@example.com"), "wrong-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let status = login_from(&app, "10.200.0.1, 192.0.2.7", "nobody-else@example.com", "wrong-guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the 21st failure from one real address");
    // Another real client is unaffected.
    let status = login_from(&app, "10.200.0.1, 192.0.2.8", "nobody-else@example.com", "wrong-guess").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn extreme_dates_in_a_query_string_are_422_not_a_dropped_connection(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    for query in [
        "to=-009999-06-01",
        "from=-009999-06-01",
        "from=+009999-12-31&to=+009999-12-31",
        "from=-009999-01-01&to=+009999-12-31",
        "to=9999-12-31",
        "from=0001-01-01&to=0001-01-01",
    ] {
        let res = app.get_as(&format!("/api/v1/me/activity?{query}"), &user.access).await;
        let status = res.status();
        assert!(
            status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "?{query} answered {status}"
        );
        if !status.is_success() {
            assert_problem(res, status).await;
        }
    }
}

#[sqlx::test]
async fn concurrent_refreshes_of_different_sessions_never_run_out_of_connections(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.db_max_connections = 4;
    settings.db_acquire_timeout = std::time::Duration::from_secs(2);
    let app = spawn_with_settings(pool, settings).await;
    let first = app.new_user("ann@example.com").await;
    let mut sessions = vec![first.refresh.clone()];
    for _ in 1..24 {
        let body: Value = app.login(&first.email, PASSWORD).await.json().await.unwrap();
        sessions.push(user_from(&first.email, &body).refresh);
    }
    let refreshes = sessions.iter().map(|token| app.refresh(token));
    let statuses: Vec<StatusCode> = join_all(refreshes).await.iter().map(|r| r.status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "24 concurrent refreshes: {statuses:?}");
}

#[sqlx::test]
async fn an_untrusted_peer_cannot_choose_its_address(pool: PgPool) {
    // The proxies are elsewhere: the loopback client is not one, so its headers count
    // for nothing and every attempt is charged to 127.0.0.1.
    let mut settings = Settings::for_tests("postgres://unused");
    settings.trusted_proxies = ProxyTrust::parse("10.0.0.0/8", ForwardedHeader::XForwardedFor).unwrap();
    settings.login_failures_per_address = 3;
    let app = spawn_with_settings(pool, settings).await;
    for i in 0..3 {
        let status = login_from(&app, &format!("192.0.2.{i}"), &format!("u{i}@example.com"), "wrong-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = login_from(&app, "192.0.2.99", "u9@example.com", "wrong-guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a new forwarded value bought another budget");
}

#[sqlx::test]
async fn a_lost_refresh_answer_can_be_retried_within_the_grace_period(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    // The first exchange succeeds but its answer never reaches the phone.
    assert_eq!(app.refresh(&user.refresh).await.status(), StatusCode::OK);
    // The phone retries with the same token: a working pair in the same session.
    let res = app.refresh(&user.refresh).await;
    assert_eq!(res.status(), StatusCode::OK, "a retry inside the grace period");
    let retried = user_from(&user.email, &res.json().await.unwrap());
    assert_eq!(app.get_as("/api/v1/me", &retried.access).await.status(), StatusCode::OK);
    let next = app.refresh(&retried.refresh).await;
    assert_eq!(next.status(), StatusCode::OK, "the retried pair rotates like any other");
    let next = user_from(&user.email, &next.json().await.unwrap());

    // Once the successor has been used the first token is plainly stolen: the whole
    // family ends, including the newest pair.
    assert_problem(app.refresh(&user.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&next.refresh).await, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_reuse_after_the_grace_period_revokes_the_family(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let res = app.refresh(&user.refresh).await;
    let second = user_from(&user.email, &res.json().await.unwrap());
    app.clock.advance(time::Duration::seconds(31));
    assert_problem(app.refresh(&user.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&second.refresh).await, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_second_client_racing_the_owner_revokes_the_family(pool: PgPool) {
    let app = spawn_with_settings(pool, behind_proxy()).await;
    let user = app.new_user("ann@example.com").await;
    let from = |address: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .header("x-forwarded-for", address)
            .json(&json!({"refresh_token": user.refresh}))
            .send()
    };
    let (owner, thief) = tokio::join!(from("192.0.2.10"), from("203.0.113.66"));
    let (owner, thief) = (owner.unwrap(), thief.unwrap());
    let statuses = [owner.status(), thief.status()];
    assert!(statuses.contains(&StatusCode::UNAUTHORIZED), "one of two racing clients is refused: {statuses:?}");
    // Whoever won, the pair it got is dead: the family was revoked.
    for res in [owner, thief] {
        if res.status() == StatusCode::OK {
            let won = user_from(&user.email, &res.json().await.unwrap());
            assert_problem(app.refresh(&won.refresh).await, StatusCode::UNAUTHORIZED).await;
        }
    }
}

#[sqlx::test]
async fn expired_tokens_and_old_throttle_rows_are_pruned(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let user = app.new_user("ann@example.com").await;
    assert_eq!(app.login("ann@example.com", "wrong-guess").await.status(), StatusCode::UNAUTHORIZED);
    sqlx::query("UPDATE refresh_token SET expires_at = now() - interval '2 days'").execute(&pool).await.unwrap();
    sqlx::query("UPDATE auth_throttle SET at = now() - interval '2 days'").execute(&pool).await.unwrap();
    // A live session and a fresh failure are kept.
    let live = app.login(&user.email, PASSWORD).await;
    assert_eq!(live.status(), StatusCode::OK);
    assert_eq!(app.login("bob@example.com", "wrong-guess").await.status(), StatusCode::UNAUTHORIZED);

    let (tokens, attempts) = studytrack::auth::prune::prune_once(&pool).await.unwrap();
    assert_eq!(tokens, 1, "the expired refresh token");
    assert!(attempts >= 1, "the registration's old attempt at least");
    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool);
    assert_eq!(count("SELECT count(*) FROM refresh_token").await.unwrap(), 1, "the live session stays");
    let old = count("SELECT count(*) FROM auth_throttle WHERE at < now() - interval '1 day'").await.unwrap();
    assert_eq!(old, 0, "no attempt older than every window survives");
    let fresh = count("SELECT count(*) FROM auth_throttle").await.unwrap();
    assert_eq!(fresh, 2, "the fresh failure stays (account and address)");
}

#[sqlx::test]
async fn the_server_prunes_on_its_own(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.prune_interval = std::time::Duration::from_millis(200);
    let app = spawn_with_settings(pool.clone(), settings).await;
    app.new_user("ann@example.com").await;
    sqlx::query("UPDATE refresh_token SET expires_at = now() - interval '2 days'").execute(&pool).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM refresh_token").fetch_one(&pool).await.unwrap();
        if left == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the expired token was never pruned");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[sqlx::test]
async fn admin_writes_are_audited_with_the_client_address(pool: PgPool) {
    crate::helpers::seed_dir(&pool, &crate::helpers::fixture_dir()).await;
    let app = spawn_with_settings(pool, behind_proxy()).await;
    let admin = app.new_admin("admin@example.com").await;
    let page = app.get_json("/api/v1/questions?limit=1").await;
    let id = page["items"][0]["id"].as_str().unwrap();
    let current = app.get_as(&format!("/api/v1/admin/content/questions/{id}"), &admin.access).await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let res = app
        .request_as(reqwest::Method::POST, &format!("/api/v1/admin/content/questions/{id}/retire"), &admin.access)
        .header("x-forwarded-for", "6.6.6.6, 192.0.2.44")
        .header("if-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let audit: Value = app.get_as("/api/v1/admin/audit", &admin.access).await.json().await.unwrap();
    assert_eq!(audit["items"][0]["client_address"], "192.0.2.44", "{audit}");
}

#[sqlx::test]
async fn the_documented_edges_of_a_setting_are_accepted(pool: PgPool) {
    // Found by the schema fuzzer once constraint violations stopped being blamed on
    // the client: 0.97 passed validation and then failed the database's check (a real
    // compared with a numeric literal), which used to surface as a 422.
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    for retention in [0.7, 0.97, 0.85] {
        let res = app
            .request_as(reqwest::Method::PATCH, "/api/v1/me", &user.access)
            .json(&json!({"desired_retention": retention}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "desired_retention {retention}");
    }
}
