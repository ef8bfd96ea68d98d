//! Mail delivered for real: a password reset end to end through an SMTP server
//! (aiosmtpd from PyPI, installed by scripts/ensure-tools) started on a loopback port,
//! with the outbox surviving an SMTP outage and shared by two instances.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;

use crate::helpers::{PASSWORD, TestApp, assert_problem, spawn_with_settings, user_from};
use crate::smtp::{SmtpServer, decoded, free_port, link_token, subject_of, to_of};

/// Settings delivering to the server on `port`, retrying failed sends quickly.
fn mailing_to(port: u16) -> Settings {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.smtp_url = Some(secrecy::SecretString::from(format!("smtp://127.0.0.1:{port}")));
    settings.job_poll = Duration::from_millis(25);
    settings.job_retry_base = Duration::from_millis(100);
    settings.app_url = "https://app.example".to_owned();
    settings
}

/// Settings delivering to the shared server.
fn mailing() -> Settings {
    mailing_to(SmtpServer::shared().port)
}

const RESET: &str = "Reset your studytrack password";

/// The reset token in a mail's link.
fn token_in(raw: &str) -> String {
    link_token(raw, "reset-password")
}

async fn ask_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/password-reset", &json!({"email": email})).await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/password-reset/confirm", &json!({"token": token, "new_password": password})).await
}

#[sqlx::test]
async fn a_forgotten_password_is_reset_from_the_mailed_link(pool: PgPool) {
    let app = spawn_with_settings(pool, mailing()).await;
    let user = app.new_user("ann@example.com").await;

    let asked = Instant::now();
    let res = ask_reset(&app, "ANN@example.com").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let known_body: Value = res.json().await.unwrap();
    let mails = app.inbox.wait_for_mail("ann@example.com", RESET, 1).await;
    println!("mail: reset requested to delivered in {} ms", asked.elapsed().as_millis());
    let mail = &mails[0];
    assert_eq!(to_of(mail), Some("ann@example.com"));
    assert!(mail.contains("Message-ID: <"), "every mail has a Message-ID: {mail}");
    assert!(mail.contains("text/plain") && mail.contains("text/html"), "plain text and HTML parts");
    assert!(decoded(mail).contains("https://app.example/reset-password?token="));
    let token = token_in(mail);
    assert_eq!(token.len(), 43, "256 random bits, base64url: {token}");

    // The policy applies to the new password.
    let weak = confirm(&app, &token, "password").await;
    assert_eq!(assert_problem(weak, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "new_password");
    assert_eq!(confirm(&app, &token, "a-fresh-start-77").await.status(), StatusCode::NO_CONTENT);

    // Every old session is over; the new password works; the link does not work twice.
    assert_eq!(app.get_as("/api/v1/me", &user.access).await.status(), StatusCode::UNAUTHORIZED);
    assert_problem(app.refresh(&user.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let res = app.login(&user.email, "a-fresh-start-77").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["account"]["email_verified"], true, "following the link proved the mailbox");
    let replay = assert_problem(confirm(&app, &token, "another-phrase-88").await, StatusCode::BAD_REQUEST).await;

    // A notice goes to the account's address.
    app.inbox.wait_for_mail("ann@example.com", "Your studytrack password was changed", 1).await;

    // Unknown addresses get exactly the same answer, and nothing is mailed or queued.
    let res = ask_reset(&app, "nobody@example.com").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap(), known_body);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM job").fetch_one(&app.pool).await.unwrap();
    assert_eq!(queued, 3, "the sign-up link, the reset mail and the notice only");

    // Expired, unknown and wrong-purpose tokens get the same answer as a replay.
    assert_eq!(ask_reset(&app, "ann@example.com").await.status(), StatusCode::ACCEPTED);
    let late = app
        .inbox
        .wait_for_mail("ann@example.com", RESET, 2)
        .await
        .iter()
        .map(|m| token_in(m))
        .find(|t| *t != token)
        .expect("a second reset mail");
    app.clock.advance(time::Duration::minutes(61));
    let other = user_from(&user.email, &body);
    for stale in [late.as_str(), "not-a-token", other.refresh.as_str()] {
        let problem = assert_problem(confirm(&app, stale, "another-phrase-88").await, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["detail"], replay["detail"], "one uniform answer");
    }
}

#[sqlx::test]
async fn reset_requests_are_throttled_and_concurrent_confirmations_apply_once(pool: PgPool) {
    let app = spawn_with_settings(pool, mailing()).await;
    app.new_user("ann@example.com").await;
    // Five at once (the per-address budget of 10 an hour covers this whole test).
    let asks = join_all((0..5).map(|_| ask_reset(&app, "ann@example.com"))).await;
    let accepted = asks.iter().filter(|r| r.status() == StatusCode::ACCEPTED).count();
    let throttled = asks.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(accepted + throttled, 5);
    assert!(accepted <= 3, "{accepted} accepted at once; 3 an hour per account");
    // After the burst the budget is spent for the hour, whatever got through.
    assert_eq!(ask_reset(&app, "ann@example.com").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // Links for the confirmation race: a fresh account, asked for one at a time.
    app.new_user("bob@example.com").await;
    for _ in 0..3 {
        assert_eq!(ask_reset(&app, "bob@example.com").await.status(), StatusCode::ACCEPTED);
    }
    assert_eq!(ask_reset(&app, "bob@example.com").await.status(), StatusCode::TOO_MANY_REQUESTS);
    let mails = app.inbox.wait_for_mail("bob@example.com", RESET, 3).await;
    assert_eq!(mails.len(), 3);
    let token = token_in(&mails[0]);
    let confirms = join_all(
        (0..6).map(|i| confirm(&app, &token, if i % 2 == 0 { "racing-phrase-01" } else { "racing-phrase-02" })),
    )
    .await;
    let applied = confirms.iter().filter(|r| r.status() == StatusCode::NO_CONTENT).count();
    assert_eq!(
        applied,
        1,
        "one token, one new password: {:?}",
        confirms.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    // The other links of the account died with the reset.
    for other in mails.iter().map(|m| token_in(m)).filter(|t| *t != token) {
        assert_eq!(confirm(&app, &other, "later-phrase-03").await.status(), StatusCode::BAD_REQUEST);
    }
}

#[sqlx::test]
async fn mail_waits_in_the_outbox_while_smtp_is_down_and_goes_once_it_returns(pool: PgPool) {
    let port = free_port();
    let app = spawn_with_settings(pool, mailing_to(port)).await;
    // Signing up needs the server; then it goes down.
    let smtp = SmtpServer::start_on(port);
    app.new_user("ann@example.com").await;
    drop(smtp);
    assert_eq!(ask_reset(&app, "ann@example.com").await.status(), StatusCode::ACCEPTED);
    let reset_job = "SELECT status, attempts FROM job WHERE payload->>'subject' = 'Reset your studytrack password'";
    // Nothing listens: attempts fail and are retried with backoff, the mail stays queued.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, attempts): (String, i32) = sqlx::query_as(reset_job).fetch_one(&app.pool).await.unwrap();
        assert_eq!(status, "pending", "the mail is kept while the server is down");
        if attempts >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the sender never retried");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let back = Instant::now();
    let smtp = SmtpServer::start_on(port);
    let mails = app.inbox.wait_for(1).await;
    println!("mail: delivered {} ms after the SMTP server came back", back.elapsed().as_millis());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1, "sent once when the server came back");
    assert_eq!((to_of(&mails[0]), subject_of(&mails[0])), (Some("ann@example.com"), Some(RESET)));
    let (status, _): (String, i32) = sqlx::query_as(reset_job).fetch_one(&app.pool).await.unwrap();
    assert_eq!(status, "done");
    let metrics = app.metrics().await.text().await.unwrap();
    assert!(metrics.contains(r#"studytrack_jobs_total{kind="mail",outcome="retried"}"#), "{metrics}");
    assert!(metrics.contains(r#"studytrack_jobs_total{kind="mail",outcome="done"} 2"#), "{metrics}");
}

#[sqlx::test]
async fn two_instances_share_one_outbox_and_send_each_mail_once(pool: PgPool) {
    let smtp = SmtpServer::start();
    let one = spawn_with_settings(pool.clone(), mailing_to(smtp.port)).await;
    let two = spawn_with_settings(pool, mailing_to(smtp.port)).await;
    // Ten: the per-address reset budget (all requests come from 127.0.0.1).
    let emails: Vec<String> = (0..10).map(|i| format!("learner{i}@example.com")).collect();
    for email in &emails {
        one.new_user(email).await;
    }
    let asks = emails.iter().enumerate().map(|(i, email)| ask_reset(if i % 2 == 0 { &one } else { &two }, email));
    assert!(join_all(asks).await.iter().all(|r| r.status() == StatusCode::ACCEPTED));
    let resets = |m: &[String]| m.iter().filter(|m| subject_of(m) == Some(RESET)).cloned().collect::<Vec<_>>();
    let mails = resets(&smtp.wait_until(|m| resets(m).len() >= 10).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails_now = resets(&smtp.messages());
    assert_eq!(mails_now.len(), 10, "each mail exactly once");
    let recipients: HashSet<&str> = mails.iter().filter_map(|m| to_of(m)).collect();
    assert_eq!(recipients.len(), 10);
    let ids: HashSet<&str> =
        mails_now.iter().filter_map(|m| m.lines().find(|l| l.starts_with("Message-ID:"))).collect();
    assert_eq!(ids.len(), 10, "distinct Message-IDs");
}

#[sqlx::test]
async fn without_smtp_mails_go_to_the_log_and_the_api_still_answers(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.smtp_url = None;
    let app = crate::helpers::spawn_exactly(pool, settings).await;
    assert_eq!(app.register("ann@example.com", PASSWORD).await.status(), StatusCode::ACCEPTED);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM job").fetch_one(&app.pool).await.unwrap();
        if status == "done" {
            break;
        }
        assert!(Instant::now() < deadline, "the logged mail never completed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ask_email_change(app: &TestApp, access: &str, new_email: &str, password: &str) -> reqwest::Response {
    app.request_as(reqwest::Method::POST, "/api/v1/me/email", access)
        .json(&json!({"new_email": new_email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_address_changes_only_once_the_new_mailbox_confirms(pool: PgPool) {
    let app = spawn_with_settings(pool, mailing()).await;
    let ann = app.new_user("ann@example.com").await;
    app.new_user("taken@example.com").await;

    // A stolen access token is not enough: the password is required.
    let res = ask_email_change(&app, &ann.access, "thief@example.com", "not-her-password").await;
    assert_problem(res, StatusCode::FORBIDDEN).await;

    let res = ask_email_change(&app, &ann.access, "Ann.Lee@Example.org", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let accepted: Value = res.json().await.unwrap();
    let mails = app.inbox.wait_for(4).await;
    let confirm = mails.iter().find(|m| to_of(m) == Some("Ann.Lee@Example.org")).expect("a link to the new address");
    let notice = mails
        .iter()
        .find(|m| subject_of(m) == Some("A change of your studytrack address was requested"))
        .expect("a notice to the old address");
    assert_eq!(to_of(notice), Some("ann@example.com"));
    assert!(decoded(notice).contains("Ann.Lee@Example.org"));
    // Nothing has changed yet.
    let me: Value = app.get_as("/api/v1/me", &ann.access).await.json().await.unwrap();
    assert_eq!(me["email"], "ann@example.com");

    let token = link_token(confirm, "confirm-email");
    let res = app.post_json("/api/v1/auth/email-change/confirm", &json!({"token": token})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me: Value = app.get_as("/api/v1/me", &ann.access).await.json().await.unwrap();
    assert_eq!(me["email"], "Ann.Lee@Example.org");
    assert_eq!(me["email_verified"], true);
    assert_eq!(app.login("ann.lee@example.org", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let replay = app.post_json("/api/v1/auth/email-change/confirm", &json!({"token": token})).await;
    assert_problem(replay, StatusCode::BAD_REQUEST).await;
    let mails = app.inbox.wait_for(5).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Your studytrack address was changed") && to_of(m) == Some("ann@example.com"))
    );

    // A taken address: the same answer, no link sent there, nothing changes.
    let before = app.inbox.messages().len();
    let res = ask_email_change(&app, &ann.access, "taken@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap(), accepted);
    let mails = app.inbox.wait_for(before + 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.inbox.messages().len(), before + 1, "only the notice to the account's own address");
    assert!(!mails[before..].iter().any(|m| to_of(m) == Some("taken@example.com")), "no mail to the other account");
    // A reset token is not an email-change token.
    let res = app.post_json("/api/v1/auth/email-change/confirm", &json!({"token": "x".repeat(43)})).await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}
