//! Clients for load: learners with their own connection pools, a record of every
//! request they made (when, how long, what came back) and a ledger of the writes
//! the server acknowledged.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::Server;

pub const PASSWORD: &str = "tangerine-orbit-42";

/// A client-side cap far above anything the server should take, so a hang shows up as a
/// failed request instead of a test that never ends.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(15);

/// One HTTP exchange as the client saw it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub op: &'static str,
    pub sent: Instant,
    pub elapsed: Duration,
    /// `None` when no response arrived (connection refused or reset, timeout).
    pub status: Option<u16>,
    pub content_type: String,
    pub retry_after: bool,
    /// The body, cut short; for failure messages.
    pub body: String,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    pub fn is_problem(&self) -> bool {
        self.content_type == "application/problem+json"
    }

    pub fn describe(&self) -> String {
        format!(
            "{} -> {:?} in {:?} ({}): {}",
            self.op,
            self.status,
            self.elapsed,
            self.content_type,
            self.body.chars().take(300).collect::<String>()
        )
    }
}

/// Sends `req` and records what came back; the parsed JSON body on success.
pub async fn send(op: &'static str, req: reqwest::RequestBuilder) -> (Outcome, Option<Value>) {
    let sent = Instant::now();
    let result = req.timeout(CLIENT_TIMEOUT).send().await;
    let res = match result {
        Ok(res) => res,
        Err(err) => {
            let outcome = Outcome {
                op,
                sent,
                elapsed: sent.elapsed(),
                status: None,
                content_type: String::new(),
                retry_after: false,
                body: format!("transport error: {err}"),
            };
            return (outcome, None);
        }
    };
    let status = res.status().as_u16();
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after").is_some();
    let body = res.text().await.unwrap_or_default();
    let outcome = Outcome { op, sent, elapsed: sent.elapsed(), status: Some(status), content_type, retry_after, body };
    let json = if outcome.ok() { serde_json::from_str(&outcome.body).ok() } else { None };
    (outcome, json)
}

/// A registered learner with a client of its own (its own keep-alive connections,
/// like a separate device).
#[derive(Clone)]
pub struct Learner {
    pub id: Uuid,
    pub token: String,
    pub http: reqwest::Client,
    pub base: String,
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

impl Learner {
    /// Signs `email` up and follows the mailed link; panics unless that makes an account.
    pub async fn register(server: &Server, email: &str) -> Learner {
        let http = http_client();
        let res = http
            .post(server.url("/api/v1/auth/register"))
            .json(&json!({"email": email, "password": PASSWORD, "display_name": "Load"}))
            .timeout(CLIENT_TIMEOUT)
            .send()
            .await
            .expect("register request failed");
        let status = res.status();
        assert_eq!(status.as_u16(), 202, "register {email}: {}", res.text().await.unwrap_or_default());
        let mail = server.inbox.wait_for_mail(email, "Finish signing up for studytrack", 1).await;
        let token = crate::smtp::link_token(&mail[0], "verify-email");
        let res = http
            .post(server.url("/api/v1/auth/register/confirm"))
            .json(&json!({"token": token}))
            .timeout(CLIENT_TIMEOUT)
            .send()
            .await
            .expect("confirm request failed");
        let status = res.status();
        let body: Value = res.json().await.expect("confirm answered non-JSON");
        assert_eq!(status.as_u16(), 201, "confirm {email}: {body}");
        Learner {
            id: body["account"]["id"].as_str().and_then(|s| s.parse().ok()).expect("account id"),
            token: body["access_token"].as_str().expect("access token").to_owned(),
            http,
            base: server.base.clone(),
        }
    }

    /// The same account on another device: same token, separate connections.
    pub fn second_device(&self) -> Learner {
        Learner { http: http_client(), ..self.clone() }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    pub async fn mark_question(&self, question: Uuid, status: &str, at: OffsetDateTime) -> (Outcome, Option<Value>) {
        let at = at.format(&time::format_description::well_known::Rfc3339).expect("format");
        let req = self
            .request(Method::PUT, &format!("/api/v1/me/questions/{question}/status"))
            .json(&json!({"status": status, "marked_at": at}));
        send("mark", req).await
    }

    pub async fn review(&self, review_id: Uuid, card: Uuid, rating: &str) -> (Outcome, Option<Value>) {
        let req = self
            .request(Method::POST, "/api/v1/me/reviews")
            .json(&json!({"review_id": review_id, "flashcard_id": card, "rating": rating}));
        send("review", req).await
    }

    pub async fn progress(&self) -> (Outcome, Option<Value>) {
        send("progress", self.request(Method::GET, "/api/v1/me/tracks/alpha/progress")).await
    }

    pub async fn due(&self) -> (Outcome, Option<Value>) {
        send("due", self.request(Method::GET, "/api/v1/me/reviews/due")).await
    }

    pub async fn create_quiz(&self) -> (Outcome, Option<Value>) {
        let req = self
            .request(Method::POST, "/api/v1/me/quizzes")
            .json(&json!({"scope": {"track": "alpha"}, "size": 3, "mode": "practice"}));
        send("create_quiz", req).await
    }

    pub async fn submit_quiz(&self, attempt: Uuid, answers: &Value) -> (Outcome, Option<Value>) {
        let req = self
            .request(Method::POST, &format!("/api/v1/me/quizzes/{attempt}/submission"))
            .json(&json!({"answers": answers}));
        send("submit_quiz", req).await
    }
}

/// Content ids the load works on, read once over the public API.
#[derive(Clone)]
pub struct Content {
    pub questions: Vec<Uuid>,
    pub cards: Vec<Uuid>,
}

impl Content {
    pub async fn load(server: &Server) -> Content {
        let http = http_client();
        let get = |path: &'static str| {
            let http = http.clone();
            let url = server.url(path);
            async move {
                let body: Value = http.get(url).send().await.expect("GET failed").json().await.expect("not JSON");
                body["items"]
                    .as_array()
                    .expect("no items")
                    .iter()
                    .map(|i| i["id"].as_str().and_then(|s| s.parse().ok()).expect("id"))
                    .collect::<Vec<Uuid>>()
            }
        };
        let questions = get("/api/v1/questions?track=alpha&limit=100").await;
        let cards = get("/api/v1/tracks/alpha/topics/basics/flashcards").await;
        assert!(questions.len() >= 10 && cards.len() >= 2, "the fixture catalogue is smaller than expected");
        Content { questions, cards }
    }
}

/// A question mark the client sent, and whether the server acknowledged it.
#[derive(Debug, Clone)]
pub struct MarkWrite {
    pub user: Uuid,
    pub question: Uuid,
    pub status: &'static str,
    /// Whole milliseconds, so the value survives PostgreSQL's microsecond storage.
    pub at: OffsetDateTime,
    pub acked: bool,
    /// The server's `applied` flag, when acknowledged.
    pub applied: bool,
}

/// The current time cut to whole milliseconds and strictly after `prev`, so one
/// client's writes are totally ordered.
pub fn next_instant(prev: &mut OffsetDateTime) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(now.millisecond() as u32 * 1_000_000).expect("valid nanosecond");
    let at = if now > *prev { now } else { *prev + time::Duration::milliseconds(1) };
    *prev = at;
    at
}

/// The stored question marks of `users`: (user, question) -> (status, last_write_at).
pub async fn stored_marks(
    pool: &PgPool,
    users: &[Uuid],
) -> std::collections::HashMap<(Uuid, Uuid), (String, OffsetDateTime)> {
    let rows: Vec<(Uuid, Uuid, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT user_id, question_id, status, last_write_at FROM question_mark WHERE user_id = ANY ($1)",
    )
    .bind(users)
    .fetch_all(pool)
    .await
    .expect("reading marks");
    rows.into_iter().map(|(u, q, s, t)| ((u, q), (s, t))).collect()
}

/// Checks that every acknowledged mark is in the database: for each (user, question)
/// the stored write is the newest acknowledged one, or a newer write the client sent
/// but got no acknowledgement for (a write can commit and its answer still be lost).
/// Returns the number of acknowledged writes checked.
pub async fn check_marks(pool: &PgPool, writes: &[MarkWrite]) -> usize {
    use std::collections::HashMap;
    let users: Vec<Uuid> = writes.iter().map(|w| w.user).collect();
    let stored = stored_marks(pool, &users).await;
    let mut newest_acked: HashMap<(Uuid, Uuid), &MarkWrite> = HashMap::new();
    for w in writes.iter().filter(|w| w.acked) {
        let entry = newest_acked.entry((w.user, w.question)).or_insert(w);
        if w.at > entry.at {
            *entry = w;
        }
    }
    for (key, acked) in &newest_acked {
        let (status, last_write) =
            stored.get(key).unwrap_or_else(|| panic!("acknowledged mark {acked:?} is missing from the database"));
        if *last_write == acked.at {
            assert_eq!(status, acked.status, "stored mark differs from the acknowledged write {acked:?}");
        } else {
            assert!(
                *last_write > acked.at,
                "stored mark {status} at {last_write} is older than acknowledged {acked:?}"
            );
            let explained =
                writes.iter().any(|w| (w.user, w.question) == *key && w.at == *last_write && w.status == status);
            assert!(explained, "stored mark {status} at {last_write} matches no write the client sent ({acked:?})");
        }
    }
    writes.iter().filter(|w| w.acked).count()
}

/// Review ids the server acknowledged that are not in `review_log` (should be none).
pub async fn missing_reviews(pool: &PgPool, acked: &[Uuid]) -> Vec<Uuid> {
    let found: Vec<Uuid> = sqlx::query_scalar("SELECT review_id FROM review_log WHERE review_id = ANY ($1)")
        .bind(acked)
        .fetch_all(pool)
        .await
        .expect("reading the review log");
    acked.iter().filter(|id| !found.contains(id)).copied().collect()
}

/// Latency percentile of `outcomes` (0.0..=1.0).
pub fn percentile(outcomes: &[&Outcome], p: f64) -> Duration {
    let mut times: Vec<Duration> = outcomes.iter().map(|o| o.elapsed).collect();
    times.sort();
    if times.is_empty() {
        return Duration::ZERO;
    }
    let index = ((times.len() - 1) as f64 * p).round() as usize;
    times[index]
}
