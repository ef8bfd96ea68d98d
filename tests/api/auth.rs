//! Registration, login, tokens, throttling and the attack cases (OWASP API2, RFC 8725).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::config::Settings;

use crate::helpers::{PASSWORD, assert_problem, spawn_app, spawn_with_settings, user_from};

#[sqlx::test]
async fn register_login_and_read_the_account(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.sign_up("Ann.Lee@Example.com", PASSWORD).await;
    let res = app.login("ann.lee@example.com", PASSWORD).await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app.confirm_registration(&token).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["location"], "/api/v1/me");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_expires_in"], 30 * 24 * 3600);
    assert_eq!(body["account"]["role"], "learner");

    let res = app.login("ann.lee@EXAMPLE.COM", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "emails compare case-insensitively");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let user = user_from("ann.lee@example.com", &res.json().await.unwrap());
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    assert_eq!(me["email"], "Ann.Lee@Example.com");
    assert_eq!(me["display_name"], "Test User");
    assert_eq!(me["email_verified"], true, "following the mailed link proved the address");
}

#[sqlx::test]
async fn one_account_per_email_whatever_the_case_or_width(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.new_user("ann@example.com").await;
    for twin in ["ANN@example.com", " ann@example.com ", "ａｎｎ@example.com"] {
        assert_eq!(app.register(twin, "another-phrase-77").await.status(), StatusCode::ACCEPTED);
    }
    // Each attempt told the owner; none made a sign-up, so no link exists to follow.
    let tried = app.inbox.wait_for_mail("ann@example.com", "Someone tried to sign up with your address", 3).await;
    assert_eq!(tried.len(), 3);
    let counts: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM app_user), (SELECT count(*) FROM pending_registration)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(counts, (1, 0));
    assert_eq!(app.login("ann@example.com", "another-phrase-77").await.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn registration_is_validated_field_by_field(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app
        .post_json("/api/v1/auth/register", &json!({"email": "nope", "password": "short", "display_name": ""}))
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "display_name", "password"], "every bad field is listed: {problem}");

    for (password, ok) in [
        ("password1", false),
        ("Qwertyuiop", false),
        ("1234567", false),
        (&"x".repeat(1025) as &str, false),
        (&"long passphrase ".repeat(64) as &str, true),
        ("tangerine-orbit-42", true),
    ] {
        let email = format!("p{}@example.com", password.len());
        let res = app.register(&email, password).await;
        if ok {
            assert_eq!(res.status(), StatusCode::ACCEPTED, "{} bytes refused", password.len());
        } else {
            let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(problem["errors"][0]["field"], "password");
        }
    }
    let long_name = "n".repeat(81);
    let res = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "n@example.com", "password": PASSWORD, "display_name": long_name}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let huge = format!("{}@example.com", "e".repeat(10_000));
    assert_problem(app.register(&huge, PASSWORD).await, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[sqlx::test]
async fn mass_assignment_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "eve@example.com", "password": PASSWORD, "display_name": "Eve", "role": "admin"}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "role");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 0, "nothing was created");

    let user = app.new_user("eve@example.com").await;
    for body in [
        json!({"role": "admin"}),
        json!({"email_verified": true}),
        json!({"id": "00000000-0000-0000-0000-000000000000"}),
        json!({"display_name": "Eve", "role": "admin"}),
    ] {
        let res = app.request_as(Method::PATCH, "/api/v1/me", &user.access).json(&body).send().await.unwrap();
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let me: Value = app.get_as("/api/v1/me", &user.access).await.json().await.unwrap();
    assert_eq!(me["role"], "learner");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["display_name"], "Test User", "a rejected PATCH changes nothing");

    let res = app
        .request_as(Method::PATCH, "/api/v1/me", &user.access)
        .json(&json!({"display_name": "  Eve  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["display_name"], "Eve", "trimmed, control characters dropped");
    let res = app
        .request_as(Method::PATCH, "/api/v1/me", &user.access)
        .json(&json!({"display_name": "\u{7}\u{9f} "}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[sqlx::test]
async fn unknown_email_and_wrong_password_look_the_same(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.new_user("ann@example.com").await;
    let wrong = app.login("ann@example.com", "wrong-password-1").await;
    let unknown = app.login("nobody@example.com", "wrong-password-1").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap(), "bodies reveal whether the account exists");
}

#[sqlx::test]
async fn failed_logins_are_throttled_per_account_with_retry_after(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.new_user("ann@example.com").await;
    for _ in 0..5 {
        assert_eq!(app.login("ann@example.com", "wrong-password-1").await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.login("ann@example.com", PASSWORD).await;
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "Retry-After {retry}");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}

#[sqlx::test]
async fn failed_logins_are_throttled_per_address(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.login_failures_per_address = 3;
    let app = spawn_with_settings(pool, settings).await;
    crate::helpers::seed_dir(&app.pool, &crate::helpers::fixture_dir()).await;
    for i in 0..3 {
        assert_eq!(
            app.login(&format!("u{i}@example.com"), "wrong-password-1").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = app.login("someone-else@example.com", "wrong-password-1").await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}

#[sqlx::test]
async fn registration_is_throttled_per_address(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.registrations_per_address = 2;
    let app = spawn_with_settings(pool, settings).await;
    app.new_user("a@example.com").await;
    app.new_user("b@example.com").await;
    let res = app.register("c@example.com", PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}

#[sqlx::test]
async fn refresh_rotates_and_reuse_revokes_the_family(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let res = app.refresh(&user.refresh).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let second = user_from(&user.email, &res.json().await.unwrap());
    assert_ne!(second.refresh, user.refresh);
    assert_eq!(app.get_as("/api/v1/me", &second.access).await.status(), StatusCode::OK);

    // The first token comes back after the retry grace period (a lost answer retried
    // at once gets a new pair; see attack.rs): theft. Its whole family dies, including
    // `second`.
    app.clock.advance(time::Duration::seconds(31));
    assert_problem(app.refresh(&user.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&second.refresh).await, StatusCode::UNAUTHORIZED).await;
    // Another login (another family) is unaffected.
    let other = user_from(&user.email, &app.login(&user.email, PASSWORD).await.json().await.unwrap());
    assert_eq!(app.refresh(&other.refresh).await.status(), StatusCode::OK);
    for junk in ["", "garbage", &"x".repeat(5000)] {
        assert_problem(app.refresh(junk).await, StatusCode::UNAUTHORIZED).await;
    }
}

#[sqlx::test]
async fn logout_ends_the_session_and_logout_all_ends_every_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let a = app.new_user("ann@example.com").await;
    let b = user_from(&a.email, &app.login(&a.email, PASSWORD).await.json().await.unwrap());
    let res = app.post_json("/api/v1/auth/logout", &json!({"refresh_token": a.refresh})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.refresh(&a.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        app.post_json("/api/v1/auth/logout", &json!({"refresh_token": a.refresh})).await.status(),
        StatusCode::NO_CONTENT
    );

    let res = app.request_as(Method::POST, "/api/v1/auth/logout-all", &b.access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get_as("/api/v1/me", &b.access).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&b.refresh).await, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn password_change_ends_other_sessions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let a = app.new_user("ann@example.com").await;
    let b = user_from(&a.email, &app.login(&a.email, PASSWORD).await.json().await.unwrap());
    let wrong = app
        .request_as(Method::POST, "/api/v1/me/password", &a.access)
        .json(&json!({"current_password": "not-it-at-all", "new_password": "orbit-tangerine-43"}))
        .send()
        .await
        .unwrap();
    // A wrong confirmation password is a 403: the token is fine, so a 401 (which tells
    // clients to refresh and then log in again) would be wrong.
    assert_problem(wrong, StatusCode::FORBIDDEN).await;
    assert_eq!(app.get_as("/api/v1/me", &a.access).await.status(), StatusCode::OK, "a wrong password ends no session");
    let res = app
        .request_as(Method::POST, "/api/v1/me/password", &a.access)
        .json(&json!({"current_password": PASSWORD, "new_password": "orbit-tangerine-43"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = user_from(&a.email, &res.json().await.unwrap());
    assert_eq!(app.get_as("/api/v1/me", &fresh.access).await.status(), StatusCode::OK, "this session continues");
    assert_problem(app.get_as("/api/v1/me", &b.access).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.get_as("/api/v1/me", &a.access).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&b.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.login(&a.email, PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&a.email, "orbit-tangerine-43").await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn deleting_the_account_removes_its_data_and_its_tokens_stop_working(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let keep = app.new_user("bob@example.com").await;
    let res = app
        .request_as(Method::DELETE, "/api/v1/me", &user.access)
        .json(&json!({"password": "wrong-password-1"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app
        .request_as(Method::DELETE, "/api/v1/me", &user.access)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get_as("/api/v1/me", &user.access).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&user.refresh).await, StatusCode::UNAUTHORIZED).await;
    let id: uuid::Uuid = user.id.parse().unwrap();
    let left: i64 = sqlx::query_scalar("SELECT (SELECT count(*) FROM app_user WHERE user_id = $1) + (SELECT count(*) FROM refresh_token WHERE user_id = $1)")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(app.get_as("/api/v1/me", &keep.access).await.status(), StatusCode::OK, "other users are untouched");
}

#[sqlx::test]
async fn export_holds_the_account_and_sessions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let user = app.new_user("ann@example.com").await;
    let res = app.get_as("/api/v1/me/export", &user.access).await;
    assert_eq!(res.status(), StatusCode::OK);
    let export: Value = res.json().await.unwrap();
    assert_eq!(export["account"]["email"], "ann@example.com");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert!(!export.to_string().contains(&user.refresh), "tokens are never exported");
    assert!(!export.to_string().contains("argon2"), "password hashes are never exported");
}

fn forge(claims: &Value, key: &[u8], alg: Algorithm) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
}

#[sqlx::test]
async fn forged_and_stale_tokens_are_refused(pool: PgPool) {
    let secret = "q8F2mZr7LxP0vW4nK9sT1yB6hD3jG5cAq8F2mZr7";
    let mut settings = Settings::for_tests("postgres://unused");
    settings.jwt_secret = secrecy::SecretSlice::from(secret.as_bytes().to_vec());
    let app = spawn_with_settings(pool, settings).await;
    let user = app.new_user("ann@example.com").await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let good = json!({"iss": "studytrack", "aud": "studytrack-api", "sub": user.id, "iat": now, "exp": now + 600, "role": "admin", "ver": 0});
    assert_eq!(
        app.get_as("/api/v1/me", &forge(&good, secret.as_bytes(), Algorithm::HS256)).await.status(),
        StatusCode::OK,
        "a correctly signed token works (sanity check)"
    );
    let with = |key: &str, value: Value| {
        let mut claims = good.clone();
        claims[key] = value;
        claims
    };
    let none_token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(good.to_string().as_bytes())
    );
    let cases = [
        ("alg none", none_token),
        ("other key", forge(&good, b"another-secret-another-secret-0123456789", Algorithm::HS256)),
        ("HS512 instead of HS256", forge(&good, secret.as_bytes(), Algorithm::HS512)),
        ("expired", forge(&with("exp", json!(now - 60)), secret.as_bytes(), Algorithm::HS256)),
        ("wrong audience", forge(&with("aud", json!("someone-else")), secret.as_bytes(), Algorithm::HS256)),
        ("wrong issuer", forge(&with("iss", json!("evil")), secret.as_bytes(), Algorithm::HS256)),
        ("old token version", forge(&with("ver", json!(-1)), secret.as_bytes(), Algorithm::HS256)),
        ("unknown user", forge(&with("sub", json!(uuid::Uuid::new_v4())), secret.as_bytes(), Algorithm::HS256)),
        ("garbage", "not.a.jwt".to_owned()),
        ("tampered payload", {
            let token = forge(&good, secret.as_bytes(), Algorithm::HS256);
            let parts: Vec<&str> = token.split('.').collect();
            let body = URL_SAFE_NO_PAD.encode(with("sub", json!(uuid::Uuid::new_v4())).to_string().as_bytes());
            format!("{}.{}.{}", parts[0], body, parts[2])
        }),
    ];
    for (name, token) in cases {
        let res = app.get_as("/api/v1/me", &token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name} was accepted");
        assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"), "{name}");
    }
    for header in ["Basic abc", "Bearer", "Bearer ", "bearer"] {
        let res = app.client.get(app.url("/api/v1/me")).header("Authorization", header).send().await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
}

#[sqlx::test]
async fn every_bearer_operation_in_the_spec_is_401_without_a_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = app.get_json("/openapi.json").await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // Secured means every listed requirement needs the bearer token (an empty
            // requirement `{}` marks optional authentication).
            let secured = op["security"]
                .as_array()
                .is_some_and(|reqs| !reqs.is_empty() && reqs.iter().all(|r| r.get("bearer_auth").is_some()));
            if !secured {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "00000000-0000-0000-0000-000000000000" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let method: Method = method.to_uppercase().parse().unwrap();
            let res = app.client.request(method.clone(), app.url(&concrete)).json(&json!({})).send().await.unwrap();
            assert!(res.headers().contains_key("www-authenticate"), "{method} {path} lacks WWW-Authenticate");
            assert_problem(res, StatusCode::UNAUTHORIZED).await;
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("401"), "{method} {path} does not document 401");
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} secured operations found");
}

#[sqlx::test]
async fn json_bodies_get_400_413_415_422(pool: PgPool) {
    let app = spawn_app(pool).await;
    let url = app.url("/api/v1/auth/login");
    let res = app.client.post(&url).header("content-type", "text/plain").body("{}").send().await.unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let res =
        app.client.post(&url).header("content-type", "application/json").body("{\"email\": ").send().await.unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let big = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(300 * 1024));
    let res = app.client.post(&url).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    let res = app.client.post(&url).json(&json!({"email": "a@example.com"})).send().await.unwrap();
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "password");
    let res = app.client.post(&url).json(&json!({"email": 5, "password": []})).send().await.unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe, b'{'])
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}

#[sqlx::test]
async fn admin_operations_are_401_anonymous_403_for_learners_200_for_admins(pool: PgPool) {
    let app = spawn_app(pool).await;
    let learner = app.new_user("learner@example.com").await;
    let hash = studytrack::security::hashing::PasswordHasher::new(1).unwrap().hash(PASSWORD.into()).await.unwrap();
    let account = studytrack::auth::store::NewAccount {
        email: "root@example.com",
        normalized: "root@example.com",
        display_name: "Root",
        password_hash: &hash,
        role: studytrack::auth::Role::Admin,
        email_verified: true,
    };
    studytrack::auth::store::insert(&app.pool, account).await.unwrap().unwrap();
    let admin = user_from("root@example.com", &app.login("root@example.com", PASSWORD).await.json().await.unwrap());

    let doc = app.get_json("/openapi.json").await;
    let admin_ops: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .filter(|_| path.starts_with("/api/v1/admin/"))
                .map(move |(m, _)| (m.clone(), path.clone()))
        })
        .collect();
    assert!(!admin_ops.is_empty());
    for (method, path) in &admin_ops {
        let method: Method = method.to_uppercase().parse().unwrap();
        // Plausible path parameters, so the check is about the role and nothing else.
        let path = &path
            .replace("{kind}", "topics")
            .replace("{key}", "basics")
            .replace("{track}", "alpha")
            .replace("{number}", "1")
            .replace("{id}", "00000000-0000-4000-8000-000000000000")
            .replace("{delivery}", "1");
        assert_problem(
            app.client.request(method.clone(), app.url(path)).send().await.unwrap(),
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_problem(
            app.request_as(method.clone(), path, &learner.access).send().await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let page = app.get_as("/api/v1/admin/users?email_prefix=LEARN", &admin.access).await.json::<Value>().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["email"], "learner@example.com");
    let pages = app.all_pages_as("/api/v1/admin/users?limit=1", &admin.access).await;
    assert_eq!(pages.len(), 2);

    // Demoting an admin (CLI) ends their tokens at once.
    studytrack::auth::store::set_role(&app.pool, "root@example.com", studytrack::auth::Role::Learner).await.unwrap();
    assert_problem(app.get_as("/api/v1/admin/users", &admin.access).await, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test]
async fn a_stolen_token_cannot_be_used_to_guess_the_password(pool: PgPool) {
    let mut settings = Settings::for_tests("postgres://unused");
    settings.login_failures_per_account = 3;
    let app = spawn_with_settings(pool, settings).await;
    let a = app.new_user("ann@example.com").await;
    let guess = |path: &'static str, method: Method, body: Value| {
        let req = app.request_as(method, path, &a.access).json(&body);
        async move { req.send().await.unwrap() }
    };
    let change = |current: &str| json!({"current_password": current, "new_password": "orbit-tangerine-43"});
    assert_problem(guess("/api/v1/me/password", Method::POST, change("guess-one-1")).await, StatusCode::FORBIDDEN)
        .await;
    assert_problem(
        guess("/api/v1/me", Method::DELETE, json!({"password": "guess-two-2"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(guess("/api/v1/me/password", Method::POST, change("guess-three-3")).await, StatusCode::FORBIDDEN)
        .await;
    // The budget (shared with failed logins of the account) is spent: even the right
    // password is refused for now, and so is a login.
    let res = guess("/api/v1/me/password", Method::POST, change(PASSWORD)).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_problem(app.login(&a.email, PASSWORD).await, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(app.get_as("/api/v1/me", &a.access).await.status(), StatusCode::OK, "the session itself goes on");
}
