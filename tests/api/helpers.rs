//! Spawning the app and typed request helpers shared by every test module.

use std::path::{Path, PathBuf};

use reqwest::{Method, Response, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sqlx::PgPool;
use studytrack::app::Application;
use studytrack::config::Settings;
use studytrack::content::{self, SeedReport};
use studytrack::state::AppState;

use crate::smtp::{Inbox, SmtpServer, is_to, link_token, subject_of};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: PgPool,
    /// The server's clock; tests move it forward instead of sleeping.
    pub clock: studytrack::clock::Clock,
    /// The server's shared state (its content cache, for [`TestApp::reseed`]).
    pub state: actix_web::web::Data<AppState>,
    /// The mail this app sent, as a real SMTP server received it.
    pub inbox: Inbox,
}

/// The subject of the mail that finishes a sign-up.
pub const VERIFY_SUBJECT: &str = "Finish signing up for studytrack";

/// A registered learner and their tokens.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub email: String,
    pub access: String,
    pub refresh: String,
    pub id: String,
}

pub const PASSWORD: &str = "tangerine-orbit-42";

/// The small, hand-checked fixture catalogue under `tests/fixtures/seed`.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed")
}

/// The real content under `seed/`.
pub fn real_seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")
}

pub async fn seed_dir(pool: &PgPool, dir: &Path) -> SeedReport {
    let bundle = content::load_dir(dir).unwrap_or_else(|e| panic!("seed {} is invalid: {e}", dir.display()));
    content::apply(pool, &bundle, false).await.expect("seeding failed")
}

/// The app on a database seeded with the fixture catalogue.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    seed_dir(&pool, &fixture_dir()).await;
    spawn_app_unseeded(pool).await
}

pub async fn spawn_app_unseeded(pool: PgPool) -> TestApp {
    spawn_with_settings(pool, Settings::for_tests("postgres://unused")).await
}

pub async fn spawn_with_settings(pool: PgPool, settings: Settings) -> TestApp {
    spawn_instance(pool, settings).await.0
}

/// One server instance, with its shared state (several may run on one database).
/// Its mail goes to the SMTP server `settings` name, or else to the shared one, from
/// an address of its database's own.
pub async fn spawn_instance(pool: PgPool, mut settings: Settings) -> (TestApp, actix_web::web::Data<AppState>) {
    if settings.smtp_url.is_none() {
        settings.smtp_url = Some(SmtpServer::shared().url().into());
    }
    // Instances on one database are one deployment: any of them may send a mail
    // another queued, so they share a sender, and so an inbox.
    let database = pool.connect_options().get_database().unwrap_or("studytrack").to_owned();
    settings.mail_from = format!("{}@studytrack.test", database.to_lowercase());
    launch(pool, settings).await
}

/// An instance with exactly these settings: no SMTP server (mail to the log) when
/// they name none, and the sender they name.
pub async fn spawn_exactly(pool: PgPool, settings: Settings) -> TestApp {
    launch(pool, settings).await.0
}

async fn launch(pool: PgPool, settings: Settings) -> (TestApp, actix_web::web::Data<AppState>) {
    let port = settings
        .smtp_url
        .as_ref()
        .and_then(|url| url.expose_secret().rsplit(':').next().and_then(|p| p.parse().ok()))
        .unwrap_or(0);
    let inbox = Inbox { port, sender: settings.mail_from.clone() };
    let app = Application::build(settings, pool.clone()).expect("failed to build the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    let clock = state.clock.clone();
    tokio::spawn(app.into_server());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    (TestApp { address, client, pool, clock, state: state.clone(), inbox }, state)
}

impl TestApp {
    /// Seeds `dir` from outside the server (as the CLI does), then waits until the
    /// server has heard of it through the database's change notification, so the next
    /// read is not served from a cache that is about to be dropped.
    pub async fn reseed(&self, dir: &Path) -> SeedReport {
        let cache = &self.state.cache;
        let before = cache.generation();
        let report = seed_dir(&self.pool, dir).await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while cache.is_synced() && cache.generation() == before {
            assert!(std::time::Instant::now() < deadline, "the server never heard of the seed");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        report
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }

    /// GET that must answer 200 with JSON; returns the body.
    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path} answered {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {body}"))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request failed")
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/register",
            &serde_json::json!({"email": email, "password": password, "display_name": "Test User"}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json("/api/v1/auth/login", &serde_json::json!({"email": email, "password": password})).await
    }

    /// Signs `email` up with the standard test password and follows the link the
    /// sign-up mailed, as a learner would; panics unless that makes an account.
    pub async fn new_user(&self, email: &str) -> TestUser {
        self.new_user_with(email, PASSWORD).await
    }

    pub async fn new_user_with(&self, email: &str, password: &str) -> TestUser {
        let token = self.sign_up(email, password).await;
        let res = self.confirm_registration(&token).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "confirming the sign-up of {email} failed: {body}");
        user_from(email, &body)
    }

    /// Signs `email` up (202) and returns the token of the link mailed for it.
    pub async fn sign_up(&self, email: &str, password: &str) -> String {
        let earlier =
            self.inbox.messages().iter().filter(|m| is_to(m, email) && subject_of(m) == Some(VERIFY_SUBJECT)).count();
        let res = self.register(email, password).await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(status, StatusCode::ACCEPTED, "signing up {email} failed: {body}");
        let mails = self.inbox.wait_for_mail(email, VERIFY_SUBJECT, earlier + 1).await;
        link_token(mails.last().expect("a verification mail"), "verify-email")
    }

    pub async fn confirm_registration(&self, token: &str) -> Response {
        self.post_json("/api/v1/auth/register/confirm", &json!({"token": token})).await
    }

    /// An admin account (made the way the CLI makes one) and its tokens.
    pub async fn new_admin(&self, email: &str) -> TestUser {
        let hash = studytrack::security::hashing::PasswordHasher::new(1).unwrap().hash(PASSWORD.into()).await.unwrap();
        let account = studytrack::auth::store::NewAccount {
            email,
            normalized: email,
            display_name: "Admin",
            password_hash: &hash,
            role: studytrack::auth::Role::Admin,
            email_verified: true,
        };
        studytrack::auth::store::insert(&self.pool, account).await.unwrap().expect("admin email taken");
        let res = self.login(email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        user_from(email, &res.json().await.unwrap())
    }

    /// `GET /metrics` with the test settings' token.
    pub async fn metrics(&self) -> Response {
        self.client
            .get(self.url("/metrics"))
            .bearer_auth(studytrack::config::TEST_METRICS_TOKEN)
            .send()
            .await
            .expect("request failed")
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json("/api/v1/auth/refresh", &serde_json::json!({"refresh_token": refresh_token})).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request failed")
    }

    pub fn request_as(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }

    pub async fn roadmap(&self, track: &str) -> Value {
        self.get_json(&format!("/api/v1/tracks/{track}")).await
    }

    pub async fn topic(&self, track: &str, topic: &str) -> Value {
        self.get_json(&format!("/api/v1/tracks/{track}/topics/{topic}")).await
    }

    /// Follows `next_cursor` from `path` (which must not hold a cursor) to the end.
    pub async fn all_pages(&self, path: &str) -> Vec<Vec<Value>> {
        self.pages(path, None).await
    }

    pub async fn all_pages_as(&self, path: &str, token: &str) -> Vec<Vec<Value>> {
        self.pages(path, Some(token)).await
    }

    async fn pages(&self, path: &str, token: Option<&str>) -> Vec<Vec<Value>> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}cursor={c}"),
                None => path.to_owned(),
            };
            let page: Value = match token {
                None => self.get_json(&url).await,
                Some(token) => {
                    let res = self.get_as(&url, token).await;
                    assert_eq!(res.status(), StatusCode::OK, "GET {url}");
                    res.json().await.unwrap()
                }
            };
            pages.push(page["items"].as_array().unwrap().clone());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages.len() < 1000, "pagination does not terminate");
        }
        pages
    }
}

/// A `TestUser` from a token response.
pub fn user_from(email: &str, body: &Value) -> TestUser {
    TestUser {
        email: email.to_owned(),
        access: body["access_token"].as_str().expect("no access_token").to_owned(),
        refresh: body["refresh_token"].as_str().expect("no refresh_token").to_owned(),
        id: body["account"]["id"].as_str().expect("no account id").to_owned(),
    }
}

/// Asserts a problem+json error with `status`; returns the problem body.
pub async fn assert_problem(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = res.text().await.unwrap();
    assert_eq!(got, status, "expected {status}, got {got}: {body}");
    assert_eq!(content_type, "application/problem+json", "wrong content type for {status}: {body}");
    let problem: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("problem is not JSON ({e}): {body}"));
    assert_eq!(problem["status"], status.as_u16(), "status field mismatch: {body}");
    for key in ["type", "title", "detail"] {
        assert!(problem[key].is_string(), "problem lacks {key}: {body}");
    }
    problem
}

/// Copies a directory tree (to edit a seed without touching the original).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn slugs(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["slug"].as_str().unwrap()).collect()
}

/// Marks a question as `user`; must answer 200. Returns the mark.
pub async fn mark_question(app: &TestApp, user: &TestUser, id: &str, status: &str) -> Value {
    let res = app
        .request_as(Method::PUT, &format!("/api/v1/me/questions/{id}/status"), &user.access)
        .json(&json!({"status": status}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "marking {id} {status}");
    res.json().await.unwrap()
}

/// Marks a topic on a track as `user`; must answer 200. Returns the mark.
pub async fn mark_topic(app: &TestApp, user: &TestUser, track: &str, topic: &str, status: &str) -> Value {
    let res = app
        .request_as(Method::PUT, &format!("/api/v1/me/tracks/{track}/topics/{topic}/status"), &user.access)
        .json(&json!({"status": status}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "marking topic {topic} {status}");
    res.json().await.unwrap()
}
