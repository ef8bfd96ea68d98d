//! Verification-first registration against a real SMTP server: the answer does not
//! tell whether an address has an account, an account exists only once its mailed
//! link is followed, and each link works once, for its own sign-up.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, VERIFY_SUBJECT, assert_problem, spawn_app};
use crate::smtp::{decoded, link_token, subject_of, to_of};

const TRIED: &str = "Someone tried to sign up with your address";

/// The answer time of signing up `email`, and the answer.
async fn timed(app: &crate::helpers::TestApp, email: &str) -> (f64, (StatusCode, String)) {
    let started = Instant::now();
    let res = app.register(email, PASSWORD).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (ms, (res.status(), res.text().await.unwrap()))
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[sqlx::test]
async fn a_taken_address_gets_the_same_answer_and_its_owner_a_note(pool: PgPool) {
    let app = spawn_app(pool).await;
    for i in 0..5 {
        app.new_user(&format!("owner{i}@example.com")).await;
    }
    // Alternating, so whatever else the machine does hits both alike.
    let (mut new, mut taken, mut new_times, mut taken_times) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..5 {
        let (ms, answer) = timed(&app, &format!("fresh{i}@example.com")).await;
        new_times.push(ms);
        new.push(answer);
        let (ms, answer) = timed(&app, &format!("owner{i}@example.com")).await;
        taken_times.push(ms);
        taken.push(answer);
    }
    let (new_ms, taken_ms) = (median(new_times), median(taken_times));
    println!("registration: median answer {new_ms:.1} ms for new addresses, {taken_ms:.1} ms for taken ones");
    assert!(new.iter().chain(&taken).all(|(s, _)| *s == StatusCode::ACCEPTED), "{new:?} {taken:?}");
    assert_eq!(new[0].1, taken[0].1, "the same body either way");
    // Both hash the password and queue one mail: the same class of time.
    let ratio = new_ms.max(taken_ms) / new_ms.min(taken_ms);
    assert!(ratio < 3.0, "new {new_ms:.1} ms against taken {taken_ms:.1} ms");

    // The right mail each: a link for the new address, a note with no link for the owner.
    let fresh = app.inbox.wait_for_mail("fresh0@example.com", VERIFY_SUBJECT, 1).await;
    assert_eq!(link_token(&fresh[0], "verify-email").len(), 43);
    let note = app.inbox.wait_for_mail("owner0@example.com", TRIED, 1).await;
    let body = decoded(&note[0]);
    assert!(!body.contains("token="), "a note to an owner carries no link to an account: {body}");
    assert!(body.contains("/forgot-password"), "it says how to reset: {body}");
    let to_owner: Vec<Option<&str>> = app
        .inbox
        .messages()
        .iter()
        .filter(|m| to_of(m) == Some("owner0@example.com"))
        .map(|m| subject_of(m).map(|_| ""))
        .collect();
    assert_eq!(to_owner.len(), 2, "the owner's own sign-up link and the note, nothing else");
}

#[sqlx::test]
async fn a_link_works_once_and_nothing_logs_in_before_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let asked = Instant::now();
    let token = app.sign_up("ann@example.com", PASSWORD).await;
    // The worker polls every 500 ms here; the queued mail's notification wakes it first.
    println!("registration: sign-up to delivered mail in {} ms", asked.elapsed().as_millis());
    assert_problem(app.login("ann@example.com", PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user").fetch_one(&app.pool).await.unwrap();
    assert_eq!(pending, 0, "a sign-up is not an account");

    let res = app.confirm_registration(&token).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["account"]["email_verified"], true);
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), StatusCode::OK);

    let replay = assert_problem(app.confirm_registration(&token).await, StatusCode::BAD_REQUEST).await;
    // Unknown, malformed and other-purpose tokens get the same answer.
    assert_eq!(app.post_json("/api/v1/auth/password-reset", &json!({"email": "ann@example.com"})).await.status(), 202);
    let reset = app.inbox.wait_for_mail("ann@example.com", "Reset your studytrack password", 1).await;
    let reset_token = link_token(&reset[0], "reset-password");
    for other in [reset_token.as_str(), "x", &"a".repeat(43), &"b".repeat(201)] {
        let problem = assert_problem(app.confirm_registration(other).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["detail"], replay["detail"], "one uniform answer for {other:?}");
    }
    // ... and the reset token still works for what it was made for.
    let res = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": reset_token, "new_password": "fresh-start-61"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[sqlx::test]
async fn a_link_expires_and_old_sign_ups_are_pruned(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.sign_up("ann@example.com", PASSWORD).await;
    app.clock.advance(time::Duration::hours(24) + time::Duration::seconds(1));
    assert_problem(app.confirm_registration(&token).await, StatusCode::BAD_REQUEST).await;
    // The pruner deletes sign-ups a day past their expiry (by the database's clock).
    sqlx::query("UPDATE pending_registration SET expires_at = now() - interval '25 hours'")
        .execute(&app.pool)
        .await
        .unwrap();
    studytrack::auth::prune::prune_once(&app.pool).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pending_registration").fetch_one(&app.pool).await.unwrap();
    assert_eq!(left, 0);
}

/// Someone signs up first with another person's address and a password of their
/// choosing, hoping the owner later confirms it. The owner's own link sets the
/// owner's password; the squatter's link then works no more.
#[sqlx::test]
async fn a_squatted_sign_up_cannot_choose_the_owners_password(pool: PgPool) {
    let app = spawn_app(pool).await;
    let squatter = app.sign_up("ann@example.com", "squatters-secret-1").await;
    let owner = app.sign_up("ann@example.com", PASSWORD).await;
    assert_ne!(squatter, owner);
    assert_eq!(app.confirm_registration(&owner).await.status(), StatusCode::CREATED);
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), StatusCode::OK);
    assert_problem(app.login("ann@example.com", "squatters-secret-1").await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.confirm_registration(&squatter).await, StatusCode::BAD_REQUEST).await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pending_registration").fetch_one(&app.pool).await.unwrap();
    assert_eq!(left, 0, "the other sign-ups for the address are gone");
}

#[sqlx::test]
async fn concurrent_confirmations_of_one_link_make_one_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.sign_up("ann@example.com", PASSWORD).await;
    let answers = join_all((0..8).map(|_| app.confirm_registration(&token))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::BAD_REQUEST), "{statuses:?}");
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user").fetch_one(&app.pool).await.unwrap();
    assert_eq!(accounts, 1);
}

#[sqlx::test]
async fn sign_ups_for_one_address_are_limited_so_nobody_floods_its_inbox(pool: PgPool) {
    let app = spawn_app(pool).await;
    for _ in 0..5 {
        assert_eq!(app.register("ann@example.com", PASSWORD).await.status(), StatusCode::ACCEPTED);
    }
    let res = app.register("ANN@example.com", PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    // Another address is not affected.
    assert_eq!(app.register("bob@example.com", PASSWORD).await.status(), StatusCode::ACCEPTED);
    let mails = app.inbox.wait_for_mail("ann@example.com", VERIFY_SUBJECT, 5).await;
    assert_eq!(mails.len(), 5);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let to_ann = app.inbox.messages().iter().filter(|m| to_of(m) == Some("ann@example.com")).count();
    assert_eq!(to_ann, 5, "nothing mailed for the refused sign-up");
}

/// Accounts made before sign-ups were verified by mail keep working unverified, and
/// can verify their address from a mailed link.
#[sqlx::test]
async fn an_account_from_before_verification_can_verify_its_address(pool: PgPool) {
    let app = spawn_app(pool).await;
    let hash = studytrack::security::hashing::PasswordHasher::new(1).unwrap().hash(PASSWORD.into()).await.unwrap();
    let account = studytrack::auth::store::NewAccount {
        email: "old@example.com",
        normalized: "old@example.com",
        display_name: "Old Timer",
        password_hash: &hash,
        role: studytrack::auth::Role::Learner,
        email_verified: false,
    };
    studytrack::auth::store::insert(&app.pool, account).await.unwrap().unwrap();
    let res = app.login("old@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "an unverified account from before keeps working");
    let user = crate::helpers::user_from("old@example.com", &res.json().await.unwrap());
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    assert_eq!(me["email_verified"], false);

    let ask = || app.request_as(reqwest::Method::POST, "/api/v1/me/email/verification", &user.access).send();
    assert_eq!(ask().await.unwrap().status(), StatusCode::ACCEPTED);
    let mail = app.inbox.wait_for_mail("old@example.com", "Verify your studytrack address", 1).await;
    let token = link_token(&mail[0], "verify-address");
    // Not a sign-up token, and a sign-up's confirmation does not take it.
    assert_problem(app.confirm_registration(&token).await, StatusCode::BAD_REQUEST).await;
    let confirm = |token: String| {
        app.client.post(app.url("/api/v1/auth/email-verification/confirm")).json(&json!({"token": token})).send()
    };
    assert_eq!(confirm(token.clone()).await.unwrap().status(), StatusCode::NO_CONTENT);
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);
    assert_problem(confirm(token).await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert_problem(ask().await.unwrap(), StatusCode::CONFLICT).await;
}

/// The per-address budget holds when the sign-ups arrive at once: at most 5 of 20 are
/// accepted (every attempt is counted before any is judged, so a burst may spend the
/// budget with none accepted), and exactly the accepted ones are stored and mailed.
#[sqlx::test]
async fn concurrent_sign_ups_for_one_address_stay_within_its_budget(pool: PgPool) {
    let app = spawn_app(pool).await;
    let passwords: Vec<String> = (0..20).map(|i| format!("phrase-number-{i:02}")).collect();
    let answers = join_all(passwords.iter().map(|p| app.register("ann@example.com", p))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|r| r.status()).collect();
    let accepted = statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count();
    assert!(accepted <= 5, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::ACCEPTED || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pending_registration").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored as usize, accepted, "one stored sign-up per accepted answer");
    app.inbox.wait_for_mail("ann@example.com", VERIFY_SUBJECT, accepted).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mailed = app.inbox.messages().iter().filter(|m| to_of(m) == Some("ann@example.com")).count();
    assert_eq!(mailed, accepted, "one mail per accepted sign-up");
}
